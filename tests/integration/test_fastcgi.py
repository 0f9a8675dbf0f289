"""test_fastcgi: blogd's own limits, spoken to directly over FastCGI (what nginx would never send).

nginx refuses large bodies (client_max_body_size) before blogd sees them, so blogd's own
cap is checked here on its unix socket: a CONTENT_LENGTH over max_body gets 413, and on a
kept-alive FastCGI connection the next request is still answered (the body was drained).
"""
import os
import socket
import struct
import sys
import unittest

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import blogtest  # noqa: E402

FCGI_BEGIN_REQUEST, FCGI_END_REQUEST, FCGI_PARAMS, FCGI_STDIN, FCGI_STDOUT = 1, 3, 4, 5, 6
FCGI_RESPONDER, FCGI_KEEP_CONN = 1, 1


def record(kind, request_id, content=b""):
    return struct.pack(">BBHHBx", 1, kind, request_id, len(content), 0) + content


def name_value(name, value):
    def length(n):
        return struct.pack(">B", n) if n < 128 else struct.pack(">I", n | 0x80000000)
    name, value = name.encode(), value.encode()
    return length(len(name)) + length(len(value)) + name + value


class FastCGI:
    """A minimal FastCGI client: one request at a time on one (optionally kept) connection."""

    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(10)
        self.sock.connect(path)
        self.buf = b""

    def close(self):
        self.sock.close()

    def request(self, params, body=b"", keep=True, request_id=1):
        out = record(FCGI_BEGIN_REQUEST, request_id,
                     struct.pack(">HB5x", FCGI_RESPONDER, FCGI_KEEP_CONN if keep else 0))
        pairs = b"".join(name_value(k, v) for k, v in params.items())
        out += record(FCGI_PARAMS, request_id, pairs) + record(FCGI_PARAMS, request_id)
        for i in range(0, len(body), 65535):
            out += record(FCGI_STDIN, request_id, body[i:i + 65535])
        out += record(FCGI_STDIN, request_id)
        self.sock.sendall(out)
        stdout = b""
        while True:
            kind, content = self._read_record()
            if kind == FCGI_STDOUT:
                stdout += content
            elif kind == FCGI_END_REQUEST:
                break
        head, _, page = stdout.partition(b"\r\n\r\n")
        status = int(head.split(b"\r\n")[0].split()[1])
        return status, head.decode("latin-1"), page

    def _read_record(self):
        while len(self.buf) < 8:
            self._fill()
        _, kind, _, length, padding = struct.unpack(">BBHHB", self.buf[:7])
        while len(self.buf) < 8 + length + padding:
            self._fill()
        content = self.buf[8:8 + length]
        self.buf = self.buf[8 + length + padding:]
        return kind, content

    def _fill(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionError("blogd closed the FastCGI connection")
        self.buf += chunk


def params(method, uri, **extra):
    p = {"REQUEST_METHOD": method, "DOCUMENT_URI": uri, "SCRIPT_NAME": uri, "QUERY_STRING": "",
         "SERVER_PROTOCOL": "HTTP/1.1", "GATEWAY_INTERFACE": "CGI/1.1"}
    p.update(extra)
    return p


class OwnLimits(unittest.TestCase):
    def setUp(self):
        self.fcgi = FastCGI(blogtest.env()["BLOGD_SOCKET"])
        self.before = blogtest.sql_value("SELECT COUNT(*) FROM comment")

    def tearDown(self):
        self.fcgi.close()
        self.assertEqual(blogtest.sql_value("SELECT COUNT(*) FROM comment"), self.before,
                         "a refused request stored something")

    def test_over_cap_body_is_413_and_connection_stays_usable(self):
        body = b"content=" + b"a" * (300 * 1024)
        status, head, page = self.fcgi.request(
            params("POST", "/1/", CONTENT_TYPE="application/x-www-form-urlencoded",
                   CONTENT_LENGTH=str(len(body))), body)
        print("POST /1/ with a %d-byte body over FastCGI -> %d" % (len(body), status))
        self.assertEqual(status, 413)
        self.assertIn(b'class="navbar"', page)
        status, _, _ = self.fcgi.request(params("GET", "/"))
        print("then GET / on the same kept connection -> %d" % status)
        self.assertEqual(status, 200)

    def test_bad_content_length_is_400(self):
        status, _, _ = self.fcgi.request(
            params("POST", "/1/", CONTENT_TYPE="application/x-www-form-urlencoded",
                   CONTENT_LENGTH="12abc"), b"content=x", keep=False)
        print("POST /1/ with CONTENT_LENGTH=12abc -> %d" % status)
        self.assertEqual(status, 400)

    def test_body_shorter_than_length_is_400(self):
        status, _, _ = self.fcgi.request(
            params("POST", "/1/", CONTENT_TYPE="application/x-www-form-urlencoded",
                   CONTENT_LENGTH="100"), b"content=short")
        print("POST /1/ with CONTENT_LENGTH=100 and 13 bytes -> %d" % status)
        self.assertEqual(status, 400)
        status, _, _ = self.fcgi.request(params("GET", "/"))
        self.assertEqual(status, 200)

    def test_unknown_method_and_missing_uri(self):
        status, head, _ = self.fcgi.request({"REQUEST_METHOD": "BREW"})
        print("BREW with no DOCUMENT_URI -> %d" % status)
        self.assertEqual(status, 404)
        status, head, _ = self.fcgi.request(params("BREW", "/1/"))
        print("BREW /1/ -> %d (%s)" % (status, [h for h in head.split("\r\n") if h.startswith("Allow")]))
        self.assertEqual(status, 405)
        self.assertIn("Allow: GET, HEAD, POST", head)


if __name__ == "__main__":
    unittest.main(verbosity=2)
