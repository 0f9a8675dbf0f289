"""Two blogd hosts on one database: neither ever serves a page older than the other's writes.

Host A is the stack's blogd (behind nginx, cache = auto); host B is a second blogd master
started on the same database with its own socket, spoken to over FastCGI. Checked:
  - alone, A trusts its own counters (its log says so);
  - once B is up, A notices within a second and checks every hit against the database;
  - B's first write waits until A must have seen B (the write gate), then a comment B adds
    shows on A's very next request, and one B deletes is gone from A's very next request;
  - after B stops (and removes its row), A goes back to its own counters, and a change
    made with plain SQL shows on A within half a second.
"""
import os
import re
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "integration"))
import faultlib as fl  # noqa: E402
from test_fastcgi import FastCGI, params  # noqa: E402

NAME = "test_hosts"
ALONE = "is the only blogd host on the database"
SHARED = "shares the database with"


def wait_log(st, offset, text, timeout):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if text in st.log_since(offset):
            return True
        time.sleep(0.02)
    return False


def start_host_b(st):
    """A second blogd master on the same database: same config but socket, pid and log."""
    conf = st.path("blogd-b.conf")
    # socket and pid file in run/, which the account blogd serves as owns: it removes them at exit
    sock, pid_file, log_file = st.path("run", "b.sock"), st.path("run", "blogd-b.pid"), st.path("log", "blogd-b.log")
    with open(st.conf) as f:
        text = f.read()
    text += "\nlisten = unix:%s\npid_file = %s\nlog_file = %s\nworkers = 1\n" % (sock, pid_file, log_file)
    with open(conf, "w") as f:
        f.write(text)
    proc = subprocess.Popen([st.bin, "-c", conf], stdin=subprocess.DEVNULL)
    st.spawned.append(proc.pid)  # stopped by the stack's cleanup if this test fails midway
    end = time.monotonic() + 10
    while not os.path.exists(sock) and time.monotonic() < end:
        time.sleep(0.01)
    return proc, sock, log_file


def b_request(sock, method, uri, query="", cookie="", body=b""):
    c = FastCGI(sock)
    try:
        extra = {"QUERY_STRING": query, "REQUEST_URI": uri + ("?" + query if query else "")}
        if cookie:
            extra["HTTP_COOKIE"] = cookie
        if body:
            extra.update(CONTENT_TYPE="application/x-www-form-urlencoded", CONTENT_LENGTH=str(len(body)))
        return c.request(params(method, uri, **extra), body, keep=False)
    finally:
        c.close()


def a_get(st, path):
    r = fl.Conn(st.port).request("GET", path)
    return r.status, r.text


def main():
    with fl.Stack("hosts", conf_extra="workers = 2") as st:
        fl.check(wait_log(st, 0, ALONE, 5), "host A alone: it trusts its own counters")
        for _ in range(5):
            a_get(st, "/2/")

        off = st.log_size()
        t_b = time.monotonic()
        proc, sock, b_log = start_host_b(st)
        try:
            seen = wait_log(st, off, SHARED, 3)
            fl.check(seen, "A noticed B within 3 s (%.2f s)" % (time.monotonic() - t_b))

            status, head, page = b_request(sock, "GET", "/2/")
            fl.check(status == 200, "B answers GET /2/ over FastCGI (%d)" % status)
            cookie = re.search(r"Set-Cookie: (blogd_csrf=[^;]+)", head).group(1)
            token = re.search(rb'name="csrf" value="([0-9a-f]+)"', page).group(1).decode()

            text = "written-on-b-%d" % os.getpid()
            body = ("content=%s&csrf=%s" % (text, token)).encode()
            status, head, _ = b_request(sock, "POST", "/2/", cookie=cookie, body=body)
            t_write = time.monotonic() - t_b
            loc = re.search(r"Location: (\S+)", head)
            fl.check(status == 303 and loc, "B stored a comment: %d %s" % (status, loc and loc.group(1)))
            fl.say("B's first write answered %.2f s after B started (the gate is 1 s after its row)" % t_write)
            fl.check(t_write >= 1.0, "B's first write waited for the gate (%.2f s >= 1 s)" % t_write)
            where = loc.group(1).split("#")[0]
            s, t = a_get(st, where)
            fl.check(s == 200 and text in t, "A shows B's comment on the very next request (%s)" % where)

            cid = st.sql("SELECT id FROM comment WHERE content = '%s'" % text)[0][0]
            status, _, page = b_request(sock, "GET", "/2/", cookie=cookie)
            token = re.search(rb'name="csrf" value="([0-9a-f]+)"', page).group(1).decode()
            status, _, _ = b_request(sock, "POST", "/comments/%s/delete" % cid, cookie=cookie,
                                     body=("csrf=%s" % token).encode())
            fl.check(status == 303, "B deleted the comment (%d)" % status)
            s, t = a_get(st, where)
            fl.check(text not in t, "A no longer shows it on the very next request")
        finally:
            off = st.log_size()
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        fl.check(proc.returncode == 0, "B stopped cleanly (exit %s)" % proc.returncode)
        fl.check(wait_log(st, off, ALONE, 3), "after B left, A trusts its own counters again")
        fl.check(st.sql("SELECT COUNT(*) FROM blogd_host")[0][0] in ("1", 1), "only A's row is left in blogd_host")

        # A change made outside blogd reaches A's cached pages within a poll or two.
        for _ in range(3):
            a_get(st, "/3/")
        old = st.sql("SELECT title FROM post WHERE id = 3")[0][0]
        new = "Retitled by SQL %d" % os.getpid()
        st.sql("UPDATE post SET title = '%s' WHERE id = 3" % new)
        t0 = time.monotonic()
        shown = None
        while time.monotonic() - t0 < 2:
            if new in a_get(st, "/3/")[1]:
                shown = time.monotonic() - t0
                break
            time.sleep(0.01)
        st.sql("UPDATE post SET title = '%s' WHERE id = 3" % old.replace("'", "''"))
        fl.say("a title changed with plain SQL showed on A after %s s" % ("%.3f" % shown if shown is not None else "never"))
        fl.check(shown is not None and shown <= 0.5, "an SQL change shows on A within 0.5 s")
        with open(b_log) as f:
            fl.check("[error]" not in f.read(), "B logged no errors")
        st.check_log_format()


fl.run_test(NAME, main)
