"""Hostile bytes never reach blogd.log raw: URIs and headers carrying ESC, CR, LF, DEL and NUL
(percent-encoded, so nginx decodes them into DOCUMENT_URI, or raw in header values) are logged
as \\xNN, one line per event, and every answer is a 4xx or a redirect, never a 5xx. nginx itself
refuses a decoded CR, LF or NUL in a path (400); the same bytes sent to blogd's socket directly
(FastCGI parameters are length-prefixed, anything goes) are escaped as well."""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "integration"))
import faultlib as fl  # noqa: E402
from blogtest import raw_http  # noqa: E402
from test_fastcgi import FastCGI, params  # noqa: E402

NAME = "test_log_escape"

URIS = [
    "/%1b[2J%1b[31mred/",
    "/x%0d%0a2026-01-01T00:00:00.000Z [error] pid=1 forged line/",
    "/nul%00byte/",
    "/del%7f/",
    "/1%1b",
    "/back%5cslash/",
    "/%e2%80%8ertl/",
]
HEADERS = [
    b"User-Agent: evil\x1b[31m\r\n",
    b"Referer: http://x/\x1b]0;title\x07\r\n",
    b"Cookie: blogd_csrf=\x1b[0m\x7f\r\n",
    b"X-Request-Id: abc\x1bdef\r\n",
]


def raw(port, data):
    out = raw_http(data, port=port)
    m = re.match(rb"HTTP/1\.[01] (\d{3})", out)
    return int(m.group(1)) if m else None


def main():
    with fl.Stack("logesc", conf_extra="workers = 2\nlog_level = debug") as st:
        offset = st.log_size()
        statuses = []
        for uri in URIS:
            for h in [b""] + HEADERS:
                req = (b"GET " + uri.encode() + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n" + h +
                       b"Connection: close\r\n\r\n")
                statuses.append((uri, h[:12], raw(st.port, req)))
        # Straight to blogd's socket: raw CR LF in DOCUMENT_URI and a header parameter.
        direct = []
        for uri in ("/x\r\n2026-01-01T00:00:00.000Z [error] pid=1 forged/", "/e\x1b[31m/"):
            c = FastCGI(st.sock_path)
            try:
                status, _, _ = c.request(params("GET", uri, HTTP_USER_AGENT="a\r\nb\x1b"), keep=False)
                direct.append(status)
            finally:
                c.close()
        fl.say("direct FastCGI answers: %s" % direct)
        fl.check(all(s < 500 for s in direct), "direct FastCGI: no 5xx")
        crlf = [s for s in statuses if "%0d" in s[0] or "%00" in s[0]]
        fl.check(all(s[2] == 400 for s in crlf), "nginx answers 400 to a decoded CR LF or NUL in a path")
        bad = [s for s in statuses if s[2] is None or s[2] >= 500]
        fl.say("answers: %s" % sorted(set(s[2] for s in statuses)))
        fl.check(not bad, "no 5xx and no dropped answer (%s)" % bad[:3])
        with open(st.log_path, "rb") as f:
            f.seek(offset)
            data = f.read()
        lines = data.split(b"\n")
        fl.check(lines[-1] == b"", "the log ends with a newline")
        ctrl = [l for l in lines if re.search(rb"[\x00-\x1f\x7f]", l)]
        fl.check(not ctrl, "no line holds a raw control byte (%d do; first: %r)"
                 % (len(ctrl), ctrl[0][:120] if ctrl else None))
        fl.check(b"\\x1b[2J\\x1b[31mred" in data, "ESC in a URI is logged as \\x1b")
        fl.check(b"\\x0d\\x0a2026-01-01" in data, "CR LF in a URI are logged as \\x0d\\x0a, on the same line")
        forged = [l for l in lines if l.startswith(b"2026-01-01T00:00:00.000Z")]
        fl.check(not forged, "no forged line starts with the injected timestamp")
        fl.check(b"\\x7f" in data, "DEL is logged as \\x7f")
        st.check_log_format()


fl.run_test(NAME, main)
