"""blogtest: shared harness for the black-box integration tests (stdlib only).

The ctest fixture (tests/stack_fixture.sh up) starts a private MariaDB + blogd +
nginx and writes $BLOGD_TEST_VAR/stack.env; everything here reads that file, so
a test talks to the stack exactly as a user and an operator would: HTTP through
nginx (Client) and the mariadb command-line client (sql).

Client behaves like a browser on purpose: it keeps cookies, and `submit` posts
every field of the real <form> found in the page (hidden CSRF token included),
so tests keep passing whether or not the app checks CSRF tokens.
"""

import html
import http.client
import os
import shlex
import socket
import subprocess
import sys
import time
import urllib.parse
from html.parser import HTMLParser

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SITE_NAME = "blogd"

# ---------------------------------------------------------------------------
# stack.env
# ---------------------------------------------------------------------------


def load_stack_env(var_dir=None):
    """Return stack.env as a dict (values unquoted as a shell would)."""
    var_dir = var_dir or os.environ.get("BLOGD_TEST_VAR") or "/tmp/blogd-ctest-var"
    path = os.path.join(var_dir, "stack.env")
    try:
        with open(path, encoding="utf-8") as f:
            lines = f.read().splitlines()
    except OSError as e:
        raise RuntimeError(
            f"cannot read {path} ({e}); start the stack first: "
            f"BLOGD_TEST_VAR={var_dir} tests/stack_fixture.sh up build/blogd"
        ) from None
    env = {}
    for line in lines:
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        parts = shlex.split(value, posix=True) if value else [""]
        env[key.strip()] = parts[0] if parts else ""
    return env


_ENV = None


def env():
    global _ENV
    if _ENV is None:
        _ENV = load_stack_env()
    return _ENV


def base_url():
    return env()["BLOGD_URL"].rstrip("/")


# ---------------------------------------------------------------------------
# HTTP
# ---------------------------------------------------------------------------


class Headers:
    """Case-insensitive, multi-valued response headers."""

    def __init__(self, pairs):
        self._pairs = list(pairs)

    def get(self, name, default=None):
        values = self.get_all(name)
        return values[0] if values else default

    def get_all(self, name):
        n = name.lower()
        return [v for k, v in self._pairs if k.lower() == n]

    def __getitem__(self, name):
        v = self.get(name)
        if v is None:
            raise KeyError(name)
        return v

    def __contains__(self, name):
        return bool(self.get_all(name))

    def items(self):
        return list(self._pairs)

    def __repr__(self):
        return "Headers(%r)" % (self._pairs,)


class Response:
    def __init__(self, method, url, status, reason, headers, body):
        self.method = method
        self.url = url  # path (with query) that was requested
        self.status = status
        self.reason = reason
        self.headers = headers
        self.body = body  # bytes
        self.history = []  # earlier responses when redirects were followed

    @property
    def text(self):
        return self.body.decode("utf-8", errors="replace")

    def header(self, name, default=None):
        return self.headers.get(name, default)

    @property
    def location_path(self):
        """Location header reduced to path (+query), or None."""
        loc = self.headers.get("Location")
        if loc is None:
            return None
        u = urllib.parse.urlsplit(loc)
        path = u.path or "/"
        return path + ("?" + u.query if u.query else "")

    def describe(self, limit=600):
        """Short dump for assertion messages."""
        body = self.text
        if len(body) > limit:
            body = body[:limit] + "...[%d bytes]" % len(self.body)
        hdrs = "\n".join("%s: %s" % kv for kv in self.headers.items())
        return "%s %s -> %s %s\n%s\n\n%s" % (self.method, self.url, self.status, self.reason, hdrs, body)

    def __repr__(self):
        return "<Response %s %s -> %s>" % (self.method, self.url, self.status)


class Cookie:
    def __init__(self, name, value, path="/", expires=None):
        self.name, self.value, self.path, self.expires = name, value, path, expires


def _parse_set_cookie(header):
    """Parse one Set-Cookie header value into a Cookie (or None)."""
    parts = [p.strip() for p in header.split(";")]
    if not parts or "=" not in parts[0]:
        return None
    name, _, value = parts[0].partition("=")
    name, value = name.strip(), value.strip()
    if len(value) >= 2 and value[0] == value[-1] == '"':
        value = value[1:-1]
    c = Cookie(name, value)
    for attr in parts[1:]:
        k, _, v = attr.partition("=")
        k = k.strip().lower()
        v = v.strip()
        if k == "path" and v.startswith("/"):
            c.path = v
        elif k == "max-age":
            try:
                c.expires = time.time() + int(v)
            except ValueError:
                pass
        elif k == "expires" and c.expires is None:
            try:
                from email.utils import parsedate_to_datetime

                c.expires = parsedate_to_datetime(v).timestamp()
            except (TypeError, ValueError, IndexError):
                pass
    return c


def _path_matches(cookie_path, req_path):
    if req_path == cookie_path:
        return True
    if req_path.startswith(cookie_path):
        return cookie_path.endswith("/") or req_path[len(cookie_path)] == "/"
    return False


class Client:
    """A tiny browser: one http.client connection per request, cookie jar,
    redirects followed only when asked (follow=True on the client or call)."""

    def __init__(self, url=None, follow=False, timeout=30):
        u = urllib.parse.urlsplit(url or base_url())
        self.host = u.hostname
        self.port = u.port or 80
        self.follow = follow
        self.timeout = timeout
        self.cookies = {}  # (name, path) -> Cookie
        self.last = None

    # -- cookies --
    def _store_cookies(self, headers):
        for h in headers.get_all("Set-Cookie"):
            c = _parse_set_cookie(h)
            if c is None:
                continue
            key = (c.name, c.path)
            if c.expires is not None and c.expires <= time.time():
                self.cookies.pop(key, None)
            else:
                self.cookies[key] = c

    def cookie(self, name):
        for (n, _), c in self.cookies.items():
            if n == name:
                return c.value
        return None

    def _cookie_header(self, path):
        now = time.time()
        req_path = urllib.parse.urlsplit(path).path or "/"
        pairs = []
        for key, c in sorted(self.cookies.items(), key=lambda kv: -len(kv[1].path)):
            if c.expires is not None and c.expires <= now:
                continue
            if _path_matches(c.path, req_path):
                pairs.append("%s=%s" % (c.name, c.value))
        return "; ".join(pairs)

    # -- requests --
    def request(self, method, path, body=None, headers=None, follow=None):
        follow = self.follow if follow is None else follow
        history = []
        for _ in range(10):
            resp = self._one(method, path, body, headers)
            if not (follow and resp.status in (301, 302, 303, 307, 308) and resp.location_path):
                resp.history = history
                return resp
            history.append(resp)
            path = resp.location_path
            if resp.status in (301, 302, 303) and method != "HEAD":
                method, body = "GET", None
                headers = {k: v for k, v in (headers or {}).items() if k.lower() != "content-type"}
        raise AssertionError("too many redirects, last: %r" % (resp,))

    def _one(self, method, path, body, headers):
        if isinstance(body, str):
            body = body.encode("utf-8")
        hdrs = {"User-Agent": "blogd-integration-test", "Accept": "text/html,*/*"}
        hdrs.update(headers or {})
        cookie = self._cookie_header(path)
        if cookie and not any(k.lower() == "cookie" for k in hdrs):
            hdrs["Cookie"] = cookie
        if body is not None and not any(k.lower() == "content-length" for k in hdrs):
            hdrs["Content-Length"] = str(len(body))
        conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        try:
            conn.request(method, path, body=body, headers=hdrs)
            r = conn.getresponse()
            data = r.read()
            resp = Response(method, path, r.status, r.reason, Headers(r.getheaders()), data)
        finally:
            conn.close()
        self._store_cookies(resp.headers)
        self.last = resp
        return resp

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def head(self, path, **kw):
        return self.request("HEAD", path, **kw)

    def post_form(self, path, fields, **kw):
        """POST fields (dict or list of pairs) urlencoded, as a browser does."""
        items = list(fields.items()) if isinstance(fields, dict) else list(fields)
        body = urllib.parse.urlencode(items, encoding="utf-8")
        hdrs = {"Content-Type": "application/x-www-form-urlencoded"}
        hdrs.update(kw.pop("headers", None) or {})
        return self.request("POST", path, body=body, headers=hdrs, **kw)

    def submit(self, page, form_action, overrides=None, base=None, **kw):
        """Fill and send the <form> of `page` (Response or HTML text) whose
        action is `form_action`, with every field the browser would send,
        `overrides` replacing (or adding) values."""
        html_text = page.text if isinstance(page, Response) else page
        if base is None:
            base = page.url if isinstance(page, Response) else "/"
        form = find_form(html_text, form_action, base)
        fields = form.fields()
        for k, v in (overrides or {}).items():
            fields = [(n, x) for n, x in fields if n != k]
            fields.append((k, v))
        action = urllib.parse.urljoin(base, form.action if form.action else base)
        action = urllib.parse.urlsplit(action)
        action = (action.path or "/") + ("?" + action.query if action.query else "")
        if form.method == "POST":
            return self.post_form(action, fields, **kw)
        q = urllib.parse.urlencode(fields, encoding="utf-8")
        return self.get(action.split("?")[0] + "?" + q, **kw)


def raw_http(request_bytes, timeout=10, port=None):
    """Send raw bytes to nginx (this stack's, or the one on 127.0.0.1:port) and return
    everything it sends back until close."""
    if port:
        host = "127.0.0.1"
    else:
        u = urllib.parse.urlsplit(base_url())
        host, port = u.hostname, u.port or 80
    with socket.create_connection((host, port), timeout=timeout) as s:
        s.sendall(request_bytes)
        chunks = []
        while True:
            try:
                d = s.recv(65536)
            except socket.timeout:
                break
            if not d:
                break
            chunks.append(d)
    return b"".join(chunks)


# ---------------------------------------------------------------------------
# HTML
# ---------------------------------------------------------------------------

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Element:
    def __init__(self, tag, attrs, parent=None, line=None):
        self.tag = tag
        self.attrs = dict(attrs)
        self.attr_list = list(attrs)
        self.parent = parent
        self.children = []  # Element or str
        self.line = line

    def get(self, name, default=None):
        return self.attrs.get(name, default)

    @property
    def classes(self):
        return (self.attrs.get("class") or "").split()

    def iter(self):
        yield self
        for c in self.children:
            if isinstance(c, Element):
                yield from c.iter()

    def find_all(self, tag=None, cls=None, **attrs):
        out = []
        for e in self.iter():
            if e is self:
                continue
            if tag is not None and e.tag != tag:
                continue
            if cls is not None and cls not in e.classes:
                continue
            if any(e.attrs.get(k.rstrip("_").replace("_", "-")) != v for k, v in attrs.items()):
                continue
            out.append(e)
        return out

    def find(self, tag=None, cls=None, **attrs):
        found = self.find_all(tag, cls, **attrs)
        return found[0] if found else None

    def raw_text(self):
        """All text below this element, exactly as in the document (entities decoded)."""
        parts = []
        for c in self.children:
            if isinstance(c, Element):
                if c.tag not in ("script", "style"):
                    parts.append(c.raw_text())
            else:
                parts.append(c)
        return "".join(parts)

    def text(self):
        """Visible text, whitespace collapsed."""
        return " ".join(self.raw_text().split())

    def __repr__(self):
        return "<%s %s>" % (self.tag, " ".join('%s="%s"' % kv for kv in self.attr_list))


class _TreeBuilder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", [])
        self.cur = self.root

    def handle_starttag(self, tag, attrs):
        attrs = [(k, v if v is not None else "") for k, v in attrs]
        e = Element(tag, attrs, self.cur, self.getpos()[0])
        self.cur.children.append(e)
        if tag not in VOID:
            self.cur = e

    def handle_startendtag(self, tag, attrs):
        attrs = [(k, v if v is not None else "") for k, v in attrs]
        self.cur.children.append(Element(tag, attrs, self.cur, self.getpos()[0]))

    def handle_endtag(self, tag):
        e = self.cur
        while e is not None and e.tag != tag:
            e = e.parent
        if e is not None and e.parent is not None:
            self.cur = e.parent

    def handle_data(self, data):
        self.cur.children.append(data)


def parse_html(text):
    if isinstance(text, Response):
        text = text.text
    b = _TreeBuilder()
    b.feed(text)
    b.close()
    return b.root


def visible_text(text):
    return parse_html(text).text()


class Form:
    def __init__(self, element):
        self.element = element
        self.action = element.get("action", "")
        self.method = (element.get("method") or "GET").upper()

    def fields(self):
        """(name, value) pairs a browser would send without clicking a named button."""
        out = []
        for e in self.element.iter():
            name = e.get("name")
            if e is self.element or not name or "disabled" in e.attrs:
                continue
            if e.tag == "input":
                t = (e.get("type") or "text").lower()
                if t in ("submit", "button", "reset", "image", "file"):
                    continue
                if t in ("checkbox", "radio"):
                    if "checked" in e.attrs:
                        out.append((name, e.get("value", "on")))
                    continue
                out.append((name, e.get("value", "")))
            elif e.tag == "textarea":
                v = e.raw_text()
                # The HTML parser drops one newline right after <textarea>.
                if v.startswith("\n"):
                    v = v[1:]
                out.append((name, v))
            elif e.tag == "select":
                opts = e.find_all("option")
                chosen = [o for o in opts if "selected" in o.attrs] or opts[:1]
                for o in chosen:
                    out.append((name, o.get("value", o.text())))
        return out

    def field(self, name):
        for n, v in self.fields():
            if n == name:
                return v
        return None


def find_forms(text):
    return [Form(e) for e in parse_html(text).find_all("form")]


def find_form(text, action, base="/"):
    """The form whose action resolves to `action` (paths compared after urljoin)."""
    want = urllib.parse.urlsplit(urllib.parse.urljoin(base, action)).path
    forms = find_forms(text)
    for f in forms:
        got = urllib.parse.urlsplit(urllib.parse.urljoin(base, f.action or base)).path
        if got == want:
            return f
    raise AssertionError(
        "no <form> with action %r in page; forms: %r" % (action, [f.action for f in forms])
    )


def escape(s):
    return html.escape(s, quote=True)


# ---------------------------------------------------------------------------
# Database
# ---------------------------------------------------------------------------


def _unescape_batch(value):
    """Undo mariadb --batch escaping (\\n, \\t, \\0, \\\\)."""
    if "\\" not in value:
        return value
    out, i = [], 0
    m = {"n": "\n", "t": "\t", "0": "\0", "\\": "\\", "r": "\r"}
    while i < len(value):
        ch = value[i]
        if ch == "\\" and i + 1 < len(value) and value[i + 1] in m:
            out.append(m[value[i + 1]])
            i += 2
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def sql(query, database="blog", header=False):
    """Run SQL through the mariadb client as the stack's admin user.
    Returns a list of tuples of str (NULL -> None); with header=True the
    first tuple holds the column names."""
    e = env()
    cmd = [
        "mariadb",
        "--defaults-file=" + e["MYSQL_DEFAULTS"],  # must be the first argument
        "-u" + e.get("MYSQL_ADMIN_USER", "root"),
        database,
        "-B",
        "-e",
        query,
    ]
    if not header:
        cmd.insert(-2, "-N")
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
    if p.returncode != 0:
        raise RuntimeError("mariadb failed (%d) on %r: %s" % (p.returncode, query, p.stderr.decode(errors="replace")))
    rows = []
    for i, line in enumerate(p.stdout.decode("utf-8").split("\n")):
        if line == "":
            continue
        cells = line.split("\t")
        if header and i == 0:
            rows.append(tuple(cells))
        else:
            rows.append(tuple(None if c == "NULL" else _unescape_batch(c) for c in cells))
    return rows


def sql_value(query):
    rows = sql(query)
    return rows[0][0] if rows else None


def sql_quote(s):
    """A SQL string literal for s (utf8mb4, binary collation so `=` is exact),
    via hex so nothing needs escaping."""
    return "_utf8mb4 X'%s' COLLATE utf8mb4_bin" % s.encode("utf-8").hex()


# ---------------------------------------------------------------------------
# Misc
# ---------------------------------------------------------------------------


def unique(prefix="itest"):
    """A marker unlikely to collide with other tests' data."""
    return "%s-%d-%s" % (prefix, os.getpid(), os.urandom(4).hex())


def blogd_binary():
    """The blogd binary to ask for its SQL (-S): $BLOGD_BIN, else the one the
    stack runs, else <repo>/build/blogd."""
    b = os.environ.get("BLOGD_BIN")
    if b:
        return b
    try:
        with open(env()["BLOGD_PID_FILE"]) as f:
            pid = int(f.read().strip())
        exe = "/proc/%d/exe" % pid
        if "blogd" in os.path.basename(os.readlink(exe)) and os.access(exe, os.X_OK):
            return exe
        # Started under a wrapper (valgrind ...): the blogd path is an argument.
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            for arg in f.read().decode(errors="replace").split("\0"):
                if os.path.basename(arg) == "blogd" and os.access(arg, os.X_OK):
                    return arg
    except (OSError, ValueError, KeyError):
        pass
    return os.path.join(env().get("BLOGD_ROOT", ROOT), "build", "blogd")


def log(*args):
    print(*args, file=sys.stderr)


# ---------------------------------------------------------------------------
# Raw sockets (hostile-input tests): requests http.client would refuse to send
# ---------------------------------------------------------------------------


def host_port():
    """(host, port) of nginx."""
    u = urllib.parse.urlsplit(base_url())
    return u.hostname, u.port or 80


def host_header():
    """The Host header value a browser would send to the stack."""
    return urllib.parse.urlsplit(base_url()).netloc


def raw_connect(timeout=10):
    return socket.create_connection(host_port(), timeout=timeout)


def recv_all(sock, timeout=10):
    """Everything sock receives until the peer closes, an error, or `timeout`
    seconds in total."""
    chunks = []
    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            break
        sock.settimeout(left)
        try:
            d = sock.recv(65536)
        except (socket.timeout, OSError):
            break
        if not d:
            break
        chunks.append(d)
    return b"".join(chunks)


def _dechunk(body):
    out, rest = [], body
    while rest:
        line, sep, rest = rest.partition(b"\r\n")
        if not sep:
            break
        try:
            n = int(line.split(b";")[0].strip() or b"0", 16)
        except ValueError:
            break
        if n == 0:
            break
        out.append(rest[:n])
        rest = rest[n + 2:]
    return b"".join(out)


def parse_raw_response(raw, method="GET", url="?"):
    """The first HTTP response in raw bytes as a Response, or None when nginx
    sent nothing (or nothing that looks like a status line)."""
    if not raw.startswith(b"HTTP/"):
        return None
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("iso-8859-1").split("\r\n")
    parts = lines[0].split(" ", 2)
    try:
        status = int(parts[1])
    except (IndexError, ValueError):
        return None
    reason = parts[2] if len(parts) > 2 else ""
    pairs = []
    for line in lines[1:]:
        k, sep, v = line.partition(":")
        if sep:
            pairs.append((k.strip(), v.strip()))
    headers = Headers(pairs)
    if "chunked" in (headers.get("Transfer-Encoding") or "").lower():
        body = _dechunk(body)
    elif headers.get("Content-Length", "").isdigit():
        body = body[: int(headers.get("Content-Length"))]
    return Response(method, url, status, reason, headers, body)


def raw_request(head, body=b"", shut_write=False, timeout=10, method="GET", url="?"):
    """Send `head` (bytes, the request line and headers with the blank line)
    and `body` over a fresh socket, tolerating nginx closing early (413);
    optionally close the write side; return parse_raw_response of all that
    came back (None when nothing did)."""
    with raw_connect(timeout) as s:
        try:
            s.sendall(head)
            if body:
                s.sendall(body)
            if shut_write:
                s.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        raw = recv_all(s, timeout)
    return parse_raw_response(raw, method, url)
