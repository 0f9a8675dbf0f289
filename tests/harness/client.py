"""client: HTTP to a stack's nginx: a raw kept-alive socket client (Conn), a browser-like Client (cookies, forms), CSRF sessions and raw bytes.

Conn speaks HTTP/1.1 itself over one socket (keep-alive, chunked or Content-Length, every
transport failure an HTTPError with a kind), for load and fault tests; Client is http.client
with a cookie jar and redirects, for tests of what a user sees; raw_* send bytes that
http.client would refuse to (hostile-input tests).
"""

import http.client
import re
import socket
import time
import urllib.parse

from . import HOST

# ---------------------------------------------------------------------------
# Raw sockets (keep-alive, HTTP/1.1, chunked or Content-Length)
# ---------------------------------------------------------------------------


class HTTPError(Exception):
    """A transport failure; kind is one of connect, closed, truncated, reset, timeout."""

    def __init__(self, kind, detail=""):
        super().__init__("%s: %s" % (kind, detail))
        self.kind = kind


class Resp:
    __slots__ = ("status", "headers", "body", "cookies")

    def __init__(self, status, headers, body, cookies):
        self.status, self.headers, self.body, self.cookies = status, headers, body, cookies

    @property
    def text(self):
        return self.body.decode("utf-8", errors="replace")


class Conn:
    def __init__(self, port, timeout=15):
        self.port = port
        self.timeout = timeout
        self.sock = None
        self.buf = b""

    def close(self):
        if self.sock:
            try:
                self.sock.close()
            except OSError:
                pass
        self.sock = None
        self.buf = b""

    def _connect(self):
        try:
            self.sock = socket.create_connection((HOST, self.port), timeout=self.timeout)
            self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError as e:
            self.sock = None
            raise HTTPError("connect", str(e))
        self.buf = b""

    def _recv(self, got_any):
        try:
            d = self.sock.recv(65536)
        except socket.timeout:
            raise HTTPError("timeout")
        except OSError as e:
            raise HTTPError("reset" if got_any else "closed", str(e))
        if not d:
            raise HTTPError("truncated" if got_any else "closed", "EOF")
        self.buf += d

    def send(self, data):
        if self.sock is None:
            self._connect()
        try:
            self.sock.sendall(data)
        except OSError as e:
            self.close()
            raise HTTPError("closed", "send: %s" % e)

    def read_response(self, head=False):
        """Parse one response from the stream; raises HTTPError (and closes) on failure."""
        try:
            return self._read_response(head)
        except HTTPError:
            self.close()
            raise

    def _read_response(self, head):
        started = bool(self.buf)
        while b"\r\n\r\n" not in self.buf:
            self._recv(started or bool(self.buf))
        hdr, _, rest = self.buf.partition(b"\r\n\r\n")
        lines = hdr.decode("latin-1").split("\r\n")
        parts = lines[0].split(" ", 2)
        if len(parts) < 2 or not parts[0].startswith("HTTP/"):
            raise HTTPError("truncated", "bad status line %r" % lines[0])
        status = int(parts[1])
        headers, cookies = {}, []
        for l in lines[1:]:
            k, _, v = l.partition(":")
            k, v = k.strip().lower(), v.strip()
            if k == "set-cookie":
                cookies.append(v)
            headers[k] = v
        self.buf = rest
        body = b""
        if head or status in (204, 304) or 100 <= status < 200:
            pass
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            chunks = []
            while True:
                while b"\r\n" not in self.buf:
                    self._recv(True)
                line, _, self.buf = self.buf.partition(b"\r\n")
                try:
                    size = int(line.split(b";")[0].strip(), 16)
                except ValueError:
                    raise HTTPError("truncated", "bad chunk size %r" % line[:40])
                if size == 0:
                    while b"\r\n" not in self.buf:
                        self._recv(True)
                    # trailers end with an empty line
                    while not self.buf.startswith(b"\r\n"):
                        _, _, self.buf = self.buf.partition(b"\r\n")
                        while b"\r\n" not in self.buf:
                            self._recv(True)
                    self.buf = self.buf[2:]
                    break
                while len(self.buf) < size + 2:
                    self._recv(True)
                chunks.append(self.buf[:size])
                self.buf = self.buf[size + 2:]
            body = b"".join(chunks)
        elif "content-length" in headers:
            n = int(headers["content-length"])
            while len(self.buf) < n:
                self._recv(True)
            body, self.buf = self.buf[:n], self.buf[n:]
        else:  # until close
            while True:
                try:
                    self._recv(True)
                except HTTPError as e:
                    if e.kind == "truncated":
                        break
                    raise
            body, self.buf = self.buf, b""
            headers["connection"] = "close"
        if headers.get("connection", "").lower() == "close":
            self.close()
        return Resp(status, headers, body, cookies)

    def request(self, method, path, headers=None, body=None):
        """One request on the kept-alive connection (reconnecting if it was closed)."""
        req = build_request(method, path, headers, body)
        self.send(req)
        return self.read_response(head=(method == "HEAD"))


def build_request(method, path, headers=None, body=None, user_agent="blogd-faults"):
    h = ["%s %s HTTP/1.1" % (method, path), "Host: %s" % HOST, "User-Agent: " + user_agent]
    for k, v in (headers or {}).items():
        h.append("%s: %s" % (k, v))
    if body is not None:
        h.append("Content-Length: %d" % len(body))
    return ("\r\n".join(h) + "\r\n\r\n").encode("latin-1") + (body or b"")


def get(port, path, timeout=15, headers=None):
    c = Conn(port, timeout)
    try:
        return c.request("GET", path, headers=headers)
    finally:
        c.close()


def wait_http_ok(port, path="/", timeout=10):
    end = time.monotonic() + timeout
    last = None
    while time.monotonic() < end:
        try:
            r = get(port, path, timeout=5)
            if r.status == 200:
                return r
            last = r.status
        except HTTPError as e:
            last = e
        time.sleep(0.05)
    raise RuntimeError("GET %s did not answer 200 within %ss (last: %s)" % (path, timeout, last))


CSRF_INPUT = re.compile(r'name="csrf" value="([^"]+)"')


def csrf_pair(cookies, text):
    """(cookie value of blogd_csrf, the page's csrf input) from Set-Cookie values and a
    page's HTML; None for what is missing."""
    cookie = None
    for c in cookies:
        name, _, rest = c.partition("=")
        if name.strip() == "blogd_csrf":
            cookie = rest.split(";")[0].strip()
    m = CSRF_INPUT.search(text)
    return cookie, (m.group(1) if m else None)


class Session:
    """A kept-alive connection with a CSRF cookie and token (GET /1/ first)."""

    def __init__(self, port, timeout=15):
        self.conn = Conn(port, timeout)
        self.cookie = None
        self.token = None

    def prime(self, path="/1/"):
        r = self.conn.request("GET", path, headers=self._hdr())
        cookie, token = csrf_pair(r.cookies, r.text)
        self.cookie = cookie or self.cookie
        if token and r.status == 200:
            self.token = token
        return r

    def _hdr(self):
        return {"Cookie": "blogd_csrf=" + self.cookie} if self.cookie else {}

    def ready(self):
        return bool(self.cookie and self.token)

    def post_comment(self, post_path, content):
        body = urllib.parse.urlencode([("csrf", self.token), ("content", content)]).encode()
        h = self._hdr()
        h["Content-Type"] = "application/x-www-form-urlencoded"
        return self.conn.request("POST", post_path, headers=h, body=body)


# ---------------------------------------------------------------------------
# A tiny browser (http.client, cookies, redirects, forms)
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
    redirects followed only when asked (follow=True on the client or call). source: a
    loopback address its connections come from (blogd sees it as the client's), or None."""

    def __init__(self, url, follow=False, timeout=30, source=None):
        u = urllib.parse.urlsplit(url)
        self.host = u.hostname
        self.port = u.port or 80
        self.follow = follow
        self.timeout = timeout
        self.source = source
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
        conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout,
                                          source_address=(self.source, 0) if self.source else None)
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
        from .htmldoc import find_form

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


def raw_http(addr, request_bytes, timeout=10):
    """Send raw bytes to nginx at addr (host, port) and return everything it sends back
    until close."""
    with socket.create_connection(addr, timeout=timeout) as s:
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
# Raw bytes: requests http.client would refuse to send
# ---------------------------------------------------------------------------


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


def raw_request(addr, head, body=b"", shut_write=False, timeout=10, method="GET", url="?"):
    """Send `head` (bytes, the request line and headers with the blank line)
    and `body` over a fresh socket to addr (host, port), tolerating nginx closing early (413);
    optionally close the write side; return parse_raw_response of all that
    came back (None when nothing did)."""
    with socket.create_connection(addr, timeout=timeout) as s:
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
