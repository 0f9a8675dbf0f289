"""test_hostile: hostile and malformed input, through nginx, against a running stack.

Every case states what it sent and what came back (stderr, and a summary at
the end), and asserts the status, that nothing was stored (comment count
before/after and the case's own marker text absent from the database) and
that the site still answers 200 on GET / afterwards.

Run by hand against a stack started by the harness's fixture (from tests/):
  BLOGD_TEST_ROOT=/tmp/hostile python3 -m harness.fixture up main ../build/blogd
  BLOGD_TEST_ROOT=/tmp/hostile python3 -m harness.fixture run main python3 integration/test_hostile.py
Comments a test adds are deleted again (through the app, else via SQL). The
seed comments 1-4 are checked (and restored if a bug removed them) at the end.

Not reachable through nginx and so not tested: blogd's own max_body (also
256 KiB) answering 413 on a Content-Length over its cap, since nginx's
client_max_body_size (256k) refuses such bodies first.
"""

import json
import os
import re
import socket
import sys
import threading
import time
import unittest
import urllib.parse

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import blogtest  # noqa: E402
from blogtest import Client, parse_html, sql, sql_value, sql_quote, unique  # noqa: E402

SITE = blogtest.SITE_NAME
FORM = "application/x-www-form-urlencoded"
CSRF_COOKIE = "blogd_csrf"
MAX_CHARS = 10000
SEED_COMMENTS = [
    (1, "Comment for the first post", 1),
    (2, "Comment for the second post", 2),
    (3, "Another comment for the second post", 2),
    (4, "Another comment for the first post", 1),
]

NOTES = []  # (sent, got) of every request, printed at the end


def note(sent, got):
    if got is None:
        got = "no response"
    elif not isinstance(got, (int, str)):
        got = got.status
    line = "%-80s -> %s" % (sent if len(sent) <= 80 else sent[:77] + "...", got)
    NOTES.append(line)
    print("  sent %s" % line, file=sys.stderr)


def comment_count():
    return int(sql_value("SELECT COUNT(*) FROM comment"))


def stored_with(marker):
    """How many comments contain `marker` (bytes compared exactly)."""
    return int(sql_value("SELECT COUNT(*) FROM comment WHERE INSTR(content, %s) > 0" % sql_quote(marker)))


def stored_exactly(text):
    return int(sql_value("SELECT COUNT(*) FROM comment WHERE content = %s" % sql_quote(text)))


def ids_exactly(text, post_id=None):
    q = "SELECT id FROM comment WHERE content = %s" % sql_quote(text)
    if post_id is not None:
        q += " AND post_id = %d" % post_id
    return [int(r[0]) for r in sql(q + " ORDER BY id")]


def enc(s):
    return urllib.parse.quote(s, safe="")


def short(b, n=60):
    s = b.decode("utf-8", "backslashreplace") if isinstance(b, bytes) else b
    return s if len(s) <= n else "%s...[%d]" % (s[:n], len(s))


def setUpModule():
    blogtest.env()  # a clear error if the stack is not up
    r = Client().get("/")
    if r.status != 200:
        raise RuntimeError("stack not answering: " + r.describe())


def tearDownModule():
    # A bug that deleted a seed comment must not break the suites run after this one.
    missing = []
    for cid, text, pid in SEED_COMMENTS:
        if sql_value("SELECT COUNT(*) FROM comment WHERE id = %d" % cid) == "0":
            missing.append(cid)
            sql("INSERT INTO comment (id, content, post_id) VALUES (%d, %s, %d)" % (cid, sql_quote(text), pid))
    print("\n=== hostile requests sent (%d) ===" % len(NOTES), file=sys.stderr)
    for line in NOTES:
        print("  " + line, file=sys.stderr)
    if missing:
        print("!!! seed comments %r were deleted by a hostile request; restored" % missing, file=sys.stderr)


class HostileCase(unittest.TestCase):
    maxDiff = None

    def setUp(self):
        self.c = Client()
        self.marker = unique("hostile")
        self.before = comment_count()
        self.added = []  # ids of comments a test meant to add (removed in tearDown)

    def tearDown(self):
        for cid in self.added:
            sql("DELETE FROM comment WHERE id = %d" % cid)
        leaked = stored_with(self.marker)
        if leaked:
            sql("DELETE FROM comment WHERE INSTR(content, %s) > 0" % sql_quote(self.marker))
        r = Client().get("/")
        note("GET / (after %s)" % self._testMethodName, r)
        self.assertEqual(r.status, 200, "site no longer answers after the test:\n" + r.describe())
        self.assertEqual(leaked, 0, "rows holding this test's marker were left behind")
        self.assertEqual(comment_count(), self.before, "comment count changed by the test")

    # -- sending --
    def token(self, pid=1, client=None):
        """GET /<pid>/ with `client` (self.c by default) and return the form's CSRF token."""
        client = client or self.c
        page = client.get("/%d/" % pid)
        self.assertEqual(page.status, 200, page.describe())
        tok = blogtest.find_form(page.text, "/%d/" % pid).field("csrf")
        self.assertTrue(tok, "no csrf field in the form")
        return tok

    def post(self, path, body, ctype=FORM, client=None, headers=None, what=None):
        """POST raw `body` (bytes or str, sent as is) with `ctype` (None: no Content-Type)."""
        client = client or self.c
        hdrs = dict(headers or {})
        if ctype is not None:
            hdrs["Content-Type"] = ctype
        r = client.request("POST", path, body=body, headers=hdrs)
        note(what or "POST %s [%s] %s" % (path, ctype, short(body if isinstance(body, bytes) else body.encode())), r)
        return r

    def post_fields(self, path, fields, what=None, client=None, headers=None):
        body = urllib.parse.urlencode(fields, encoding="utf-8")
        return self.post(path, body, client=client, headers=headers, what=what)

    def get(self, path, client=None, what=None):
        r = (client or self.c).get(path)
        note(what or "GET %s" % short(path, 70), r)
        return r

    # -- assertions --
    def assertSecurityHeaders(self, r):
        csp = r.header("Content-Security-Policy")
        self.assertTrue(csp, "no Content-Security-Policy:\n" + r.describe(300))
        self.assertNotIn("'unsafe-inline'", csp, r.describe(300))
        self.assertRegex(csp, r"(^|;)\s*frame-ancestors\s+'none'\s*(;|$)", r.describe(300))
        self.assertEqual((r.header("X-Content-Type-Options") or "").strip().lower(), "nosniff", r.describe(300))
        self.assertTrue(r.header("Referrer-Policy"), "no Referrer-Policy:\n" + r.describe(300))
        self.assertTrue(r.header("X-Request-Id"), "no X-Request-Id:\n" + r.describe(300))

    def assertLayoutPage(self, r, status):
        """`status`, an HTML page in the site layout (nav bar), the security headers."""
        if isinstance(status, int):
            status = (status,)
        self.assertIn(r.status, status, r.describe())
        self.assertEqual(r.header("Content-Type", "").replace(" ", "").lower(), "text/html;charset=utf-8",
                         r.describe())
        try:
            r.body.decode("utf-8")
        except UnicodeDecodeError as e:
            self.fail("response is not valid UTF-8 (%s):\n%s" % (e, r.describe()))
        self.assertNotIn(b"\x00", r.body, "NUL byte in the page")
        doc = parse_html(r.text)
        t = doc.find("title")
        self.assertIsNotNone(t, "no <title>:\n" + r.describe())
        self.assertTrue(t.text().endswith(" - " + SITE), t.text())
        nav = doc.find("nav")
        self.assertIsNotNone(nav, "no <nav> bar (not in the site layout):\n" + r.describe())
        links = [(a.text(), a.get("href")) for a in nav.find_all("a")]
        self.assertIn((SITE, "/"), links, links)
        self.assertIn(("Comments", "/comments/"), links, links)
        self.assertSecurityHeaders(r)
        self.assertNoActiveContent(doc, r)
        return doc

    def assertNoActiveContent(self, doc, r):
        for e in doc.iter():
            if e.tag == "script":
                self.assertTrue(e.get("src") and not e.raw_text().strip(), "inline <script> in %s" % r.url)
            self.assertNotEqual(e.tag, "img", "an <img> element in %s: %r" % (r.url, e))
            for a, v in e.attrs.items():
                self.assertFalse(a.startswith("on"), "event handler %s= on %r in %s" % (a, e, r.url))
                if a in ("href", "src", "action", "formaction"):
                    self.assertFalse(v.strip().lower().startswith("javascript:"), "%s=%r in %s" % (a, v, r.url))

    def assertNothingStored(self, *texts):
        self.assertEqual(comment_count(), self.before, "a comment was stored")
        for t in texts:
            self.assertEqual(stored_with(t), 0, "a comment holding %r was stored" % short(t))

    def assertAlive(self):
        r = Client().get("/")
        self.assertEqual(r.status, 200, r.describe())

    def assertReshown(self, r, pid, typed):
        """422 page: the post's comment form again, a reason in role=alert, the text kept."""
        doc = self.assertLayoutPage(r, 422)
        form = blogtest.find_form(r.text, "/%d/" % pid)
        alert = doc.find(role="alert")
        self.assertIsNotNone(alert, "no element with role=alert:\n" + r.describe())
        self.assertTrue(alert.text(), "empty role=alert element")
        kept = form.field("content")
        self.assertIsNotNone(kept, "no content field in the re-shown form")
        # A browser's HTML parser turns CR LF into LF; compare what a user would see.
        want = typed.replace("\r\n", "\n")
        got = kept.replace("\r\n", "\n")
        if got != want:
            self.fail("typed text not kept in the textarea: sent %r... (%d chars), textarea holds %r... (%d chars)"
                      % (want[:40], len(want), got[:40], len(got)))
        self.assertTrue(form.field("csrf"), "re-shown form without a CSRF token")
        return doc

    def delete_via_app(self, cid, page_path):
        """Press the comment's Delete button on the page that shows it."""
        page = self.c.get(page_path)
        self.assertEqual(page.status, 200, page.describe())
        r = self.c.submit(page, "/comments/%d/delete" % cid)
        note("POST /comments/%d/delete (cleanup)" % cid, r)
        self.assertEqual(r.status, 303, r.describe())
        self.assertEqual(sql_value("SELECT COUNT(*) FROM comment WHERE id = %d" % cid), "0")
        self.added.remove(cid)


# ---------------------------------------------------------------------------
# 1. Comment validation
# ---------------------------------------------------------------------------


class CommentValidation(HostileCase):
    WHITESPACE = ["", " ", "     ", "\t", "\t\t ", "\n", " \t\n ", "\r\n\r\n", "\n\n\t  \n"]

    def test_empty_and_whitespace_only_is_422_with_form(self):
        tok = self.token(1)
        for text in self.WHITESPACE:
            with self.subTest(content=text):
                r = self.post_fields("/1/", [("csrf", tok), ("content", text)],
                                     what="POST /1/ content=%r" % text)
                self.assertReshown(r, 1, text)
                self.assertNothingStored()
                self.assertEqual(stored_exactly(text), 0)
                self.assertAlive()

    def test_too_long_counts_characters_not_bytes(self):
        # 10,000 four-byte characters (40,000 bytes): accepted.
        for text, nbytes in (("😀" * MAX_CHARS, 4 * MAX_CHARS), ("a" * MAX_CHARS, MAX_CHARS)):
            with self.subTest(accepted="%r x %d" % (text[0], len(text))):
                page = self.c.get("/3/")
                r = self.c.submit(page, "/3/", {"content": text})
                note("POST /3/ content=%r x %d (%d bytes)" % (text[0], len(text), nbytes), r)
                ids = ids_exactly(text, 3)
                self.added.extend(ids)
                self.assertEqual(r.status, 303, r.describe())
                self.assertEqual(len(ids), 1, "expected one stored row, got %r" % ids)
                row = sql("SELECT CHAR_LENGTH(content), LENGTH(content) FROM comment WHERE id = %d" % ids[0])
                self.assertEqual(row, [(str(MAX_CHARS), str(nbytes))])
                self.delete_via_app(ids[0], r.location_path)
        # 10,001 characters: refused, whatever their width.
        for ch in ("é", "a", "😀"):
            text = ch * (MAX_CHARS + 1)
            with self.subTest(refused="%r x %d" % (ch, len(text))):
                tok = self.token(2)
                r = self.post_fields("/2/", [("csrf", tok), ("content", text)],
                                     what="POST /2/ content=%r x %d (%d bytes)"
                                     % (ch, len(text), len(text.encode())))
                self.assertReshown(r, 2, text)
                self.assertNothingStored()
                self.assertEqual(stored_exactly(text), 0)

    def test_too_long_keeps_newlines_and_tabs(self):
        """The kept text must be the typed text: a long multi-paragraph comment comes back
        with its line breaks and tabs, not flattened into one line."""
        text = "First paragraph %s\n\nSecond paragraph\n\tindented\r\nlast line " % self.marker
        text += "x" * (MAX_CHARS + 1 - len(text))
        tok = self.token(1)
        r = self.post_fields("/1/", [("csrf", tok), ("content", text)],
                             what="POST /1/ 10,001 chars with \\n \\t \\r\\n")
        self.assertReshown(r, 1, text)
        self.assertNothingStored(self.marker)

    def test_markup_in_kept_text_is_escaped(self):
        text = "</textarea><script>alert(1)</script><img src=x onerror=alert(1)> " + self.marker
        text += "y" * (MAX_CHARS + 1 - len(text))
        tok = self.token(1)
        r = self.post_fields("/1/", [("csrf", tok), ("content", text)],
                             what="POST /1/ 10,001 chars starting </textarea><script>")
        self.assertReshown(r, 1, text)
        self.assertNotIn("</textarea><script>", r.text)
        self.assertIn("&lt;/textarea&gt;&lt;script&gt;alert(1)&lt;/script&gt;", r.text)
        self.assertNothingStored(self.marker)

    def test_invalid_utf8_is_refused(self):
        cases = [
            (b"%C3%28", "bad continuation"),
            (b"%FF", "0xFF"),
            (b"%80", "lone continuation"),
            (b"%C0%AF", "overlong /"),
            (b"%E0%80%AF", "overlong 3-byte"),
            (b"%ED%A0%80", "surrogate U+D800"),
            (b"%F4%90%80%80", "above U+10FFFF"),
            (b"%E2%82", "truncated sequence"),
            (b"%00", "NUL"),
            (b"\xff", "raw 0xFF byte"),
            (b"\xc3\x28", "raw bad continuation"),
        ]
        tok = self.token(1).encode()
        for bad, why in cases:
            with self.subTest(bytes=bad, why=why):
                body = b"csrf=" + tok + b"&content=" + self.marker.encode() + bad + b"tail"
                r = self.post("/1/", body, what="POST /1/ content=<marker>%s (%s)" % (short(bad), why))
                self.assertLayoutPage(r, (400, 422))
                self.assertNothingStored(self.marker)
                self.assertAlive()


# ---------------------------------------------------------------------------
# 2. Malformed requests
# ---------------------------------------------------------------------------


class MalformedRequests(HostileCase):
    def test_bad_percent_encoding_is_400(self):
        tok = self.token(1)
        m = self.marker
        bodies = [
            "csrf=%s&content=%s%%ZZ" % (tok, m),
            "csrf=%s&content=%s%%" % (tok, m),
            "csrf=%s&content=%s%%4" % (tok, m),
            "csrf=%s&content=%s%%G1x" % (tok, m),
            "csrf=%s&content=%%%s" % (tok, m),
            "csrf=%s&cont%%ZZent=%s" % (tok, m),
            "csrf=%s%%ZZ&content=%s" % (tok, m),
        ]
        for body in bodies:
            with self.subTest(body=body):
                r = self.post("/1/", body, what="POST /1/ " + body.replace(tok, "<tok>"))
                self.assertLayoutPage(r, 400)
                self.assertNothingStored(m)
                self.assertAlive()

    def test_missing_content_field_is_400(self):
        tok = self.token(1)
        for body in ("csrf=%s" % tok, "csrf=%s&contents=%s" % (tok, self.marker),
                     "csrf=%s&Content=%s" % (tok, self.marker), "csrf=%s&" % tok):
            with self.subTest(body=body):
                r = self.post("/1/", body, what="POST /1/ " + body.replace(tok, "<tok>"))
                self.assertLayoutPage(r, 400)
                self.assertNothingStored(self.marker)

    def test_duplicate_fields_are_400(self):
        tok = self.token(1)
        m = self.marker
        cases = [
            ("content twice", "csrf=%s&content=%s-a&content=%s-b" % (tok, m, m), (400,)),
            ("content twice, same", "csrf=%s&content=%s&content=%s" % (tok, m, m), (400,)),
            ("content twice, one empty", "csrf=%s&content=&content=%s" % (tok, m), (400,)),
            ("csrf twice, both valid", "csrf=%s&csrf=%s&content=%s" % (tok, tok, m), (400,)),
            ("csrf twice, valid then wrong", "csrf=%s&csrf=%s&content=%s" % (tok, "0" * 64, m), (400, 403)),
            ("csrf twice, wrong then valid", "csrf=%s&csrf=%s&content=%s" % ("0" * 64, tok, m), (400, 403)),
        ]
        for why, body, statuses in cases:
            with self.subTest(why=why):
                r = self.post("/1/", body, what="POST /1/ %s" % why)
                self.assertLayoutPage(r, statuses)
                self.assertNothingStored(m)
                self.assertAlive()

    def test_other_content_types_are_415(self):
        tok = self.token(1)
        m = self.marker
        form = "csrf=%s&content=%s" % (tok, m)
        boundary = "----hostile" + os.urandom(4).hex()
        multipart = (
            "--{b}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{t}\r\n"
            "--{b}\r\nContent-Disposition: form-data; name=\"content\"\r\n\r\n{m}\r\n--{b}--\r\n"
        ).format(b=boundary, t=tok, m=m)
        cases = [
            ("text/plain", form),
            ("text/plain;charset=UTF-8", form),
            ("multipart/form-data; boundary=" + boundary, multipart),
            ("application/json", json.dumps({"csrf": tok, "content": m})),
            ("application/xml", form),
            ("application/x-www-form-urlencodedX", form),
            ("", form),
            (None, form),
        ]
        for ctype, body in cases:
            with self.subTest(content_type=ctype):
                r = self.post("/1/", body, ctype=ctype, what="POST /1/ Content-Type: %r (a form)" % ctype)
                self.assertLayoutPage(r, 415)
                self.assertNothingStored(m)
        # The form type with a charset parameter is still the form type.
        r = self.post("/1/", form, ctype=FORM + "; charset=UTF-8",
                      what="POST /1/ Content-Type: %s; charset=UTF-8" % FORM)
        self.added.extend(ids_exactly(m, 1))
        self.assertEqual(r.status, 303, r.describe())
        self.assertEqual(len(self.added), 1)
        self.delete_via_app(self.added[0], r.location_path)

    def _head(self, cl, cookie, extra=""):
        return ("POST /1/ HTTP/1.1\r\nHost: %s\r\nCookie: %s=%s\r\nContent-Type: %s\r\n"
                "Content-Length: %d\r\nConnection: close\r\n%s\r\n"
                % (blogtest.host_header(), CSRF_COOKIE, cookie, FORM, cl, extra)).encode()

    def test_body_shorter_than_content_length(self):
        tok = self.token(1)
        cookie = self.c.cookie(CSRF_COOKIE)
        full = ("csrf=%s&content=%s" % (tok, self.marker)).encode()  # a complete, valid form
        for sent, declared in ((b"content=ab", 100), (full, len(full) + 50)):
            with self.subTest(sent=len(sent), declared=declared):
                # Close the write side: nginx sees the client give up mid-body.
                r = blogtest.raw_request(self._head(declared, cookie), sent, shut_write=True, timeout=10)
                note("raw POST /1/ Content-Length %d, %d bytes, then SHUT_WR" % (declared, len(sent)), r)
                if r is not None:
                    self.assertGreaterEqual(r.status, 400, r.describe())
                    self.assertLess(r.status, 500, r.describe())
                self.assertNothingStored(self.marker)
                # Or just wait: nothing may reach blogd while the body is incomplete.
                with blogtest.raw_connect(10) as s:
                    s.sendall(self._head(declared, cookie) + sent)
                    raw = blogtest.recv_all(s, 3)
                r = blogtest.parse_raw_response(raw, "POST", "/1/")
                note("raw POST /1/ Content-Length %d, %d bytes, stall 3 s, close" % (declared, len(sent)),
                     r if raw else "no answer within 3 s")
                if r is not None:
                    self.assertGreaterEqual(r.status, 400, r.describe())
                    self.assertLess(r.status, 500, r.describe())
                self.assertNothingStored(self.marker)
                self.assertAlive()

    def test_chunked_body(self):
        """nginx de-chunks a chunked body before blogd sees it: a valid form is accepted,
        a broken chunked encoding never reaches blogd."""
        tok = self.token(1)
        cookie = self.c.cookie(CSRF_COOKIE)
        text = self.marker + " chunked"
        body = ("csrf=%s&content=%s" % (tok, enc(text))).encode()
        head = ("POST /1/ HTTP/1.1\r\nHost: %s\r\nCookie: %s=%s\r\nContent-Type: %s\r\n"
                "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                % (blogtest.host_header(), CSRF_COOKIE, cookie, FORM)).encode()
        chunks = b"".join(b"%x\r\n%s\r\n" % (len(body[i:i + 7]), body[i:i + 7]) for i in range(0, len(body), 7))
        r = blogtest.raw_request(head, chunks + b"0\r\n\r\n", method="POST", url="/1/")
        note("raw POST /1/ Transfer-Encoding: chunked, valid form in 7-byte chunks", r)
        self.added.extend(ids_exactly(text, 1))
        self.assertIsNotNone(r)
        self.assertEqual(r.status, 303, r.describe())
        self.assertEqual(len(self.added), 1)
        bad = b"zz\r\n" + body + b"\r\n0\r\n\r\n"
        r = blogtest.raw_request(head, bad, method="POST", url="/1/")
        note("raw POST /1/ chunked with a bad chunk size", r)
        if r is not None:
            self.assertGreaterEqual(r.status, 400, r.describe())
            self.assertLess(r.status, 500, r.describe())
        self.assertEqual(stored_with(self.marker), 1)

    def test_too_many_fields_is_400(self):
        tok = self.token(1)
        for n in (100, 1000):
            with self.subTest(fields=n):
                fields = [("csrf", tok), ("content", self.marker)] + [("x%d" % i, "1") for i in range(n)]
                r = self.post_fields("/1/", fields, what="POST /1/ csrf + content + %d more fields" % n)
                self.assertLayoutPage(r, 400)
                self.assertNothingStored(self.marker)

    def test_too_long_field_name_is_400(self):
        tok = self.token(1)
        for n in (1000, 100000):
            with self.subTest(name_len=n):
                fields = [("csrf", tok), ("content", self.marker), ("n" * n, "1")]
                r = self.post_fields("/1/", fields, what="POST /1/ with a %d-character field name" % n)
                self.assertLayoutPage(r, 400)
                self.assertNothingStored(self.marker)

    def test_body_over_nginx_limit_is_413(self):
        tok = self.token(1)
        cookie = self.c.cookie(CSRF_COOKIE)
        body = ("csrf=%s&content=%s" % (tok, self.marker)).encode() + b"a" * (300 * 1024)
        r = blogtest.raw_request(self._head(len(body), cookie), body, timeout=10, method="POST", url="/1/")
        note("raw POST /1/ 300 KiB body", r)
        self.assertIsNotNone(r, "no answer to a 300 KiB body")
        self.assertEqual(r.status, 413, r.describe())
        self.assertNothingStored(self.marker)

    def test_413_page_in_site_layout(self):
        """README: bad input gets its answer in the site layout, and every response carries
        the security headers. nginx's own 413 page (client_max_body_size) has neither
        unless nginx sends it through an error_page served by blogd."""
        tok = self.token(1)
        cookie = self.c.cookie(CSRF_COOKIE)
        body = ("csrf=%s&content=%s" % (tok, self.marker)).encode() + b"a" * (300 * 1024)
        r = blogtest.raw_request(self._head(len(body), cookie), body, timeout=10, method="POST", url="/1/")
        note("raw POST /1/ 300 KiB body (layout check)", r)
        self.assertIsNotNone(r)
        self.assertLayoutPage(r, 413)
        self.assertNothingStored(self.marker)

    def test_body_under_nginx_limit_but_comment_too_long(self):
        tok = self.token(1)
        text = self.marker + "b" * (200 * 1024)
        r = self.post_fields("/1/", [("csrf", tok), ("content", text)], what="POST /1/ 200 KiB comment")
        self.assertLayoutPage(r, (413, 422))
        self.assertNothingStored(self.marker)


# ---------------------------------------------------------------------------
# 3. CSRF
# ---------------------------------------------------------------------------


class Csrf(HostileCase):
    def test_cookie_attributes(self):
        c = Client()
        r = self.get("/1/", client=c, what="GET /1/ (fresh client: Set-Cookie)")
        self.assertEqual(r.status, 200)
        cookies = [h for h in r.headers.get_all("Set-Cookie") if h.strip().startswith(CSRF_COOKIE + "=")]
        self.assertEqual(len(cookies), 1, r.describe(200))
        attrs = [a.strip().lower() for a in cookies[0].split(";")[1:]]
        print("  Set-Cookie: " + cookies[0], file=sys.stderr)
        self.assertIn("httponly", attrs)
        self.assertIn("samesite=lax", attrs)
        self.assertIn("path=/", attrs)
        self.assertNotIn("secure", attrs, "Secure cookie over plain http is never sent back")
        # The cookie stays the same across pages (a second GET does not replace it).
        value = c.cookie(CSRF_COOKIE)
        r = self.get("/2/", client=c, what="GET /2/ (same client)")
        again = [h for h in r.headers.get_all("Set-Cookie") if h.strip().startswith(CSRF_COOKIE + "=")]
        for h in again:
            self.assertIn("%s=%s" % (CSRF_COOKIE, value), h, "cookie replaced by a second GET")

    def test_forged_tokens_are_403(self):
        m = self.marker
        a, b = Client(), Client()
        tok_a, tok_b = self.token(1, a), self.token(1, b)
        self.assertNotEqual(a.cookie(CSRF_COOKIE), b.cookie(CSRF_COOKIE))
        cookie_a = a.cookie(CSRF_COOKIE)
        flip = tok_a[:-1] + ("0" if tok_a[-1] != "0" else "1")
        cases = [
            ("no token", a, None, [("content", m)]),
            ("empty token", a, None, [("csrf", ""), ("content", m)]),
            ("wrong token", a, None, [("csrf", os.urandom(32).hex()), ("content", m)]),
            ("last digit changed", a, None, [("csrf", flip), ("content", m)]),
            ("truncated token (63)", a, None, [("csrf", tok_a[:-1]), ("content", m)]),
            ("truncated token (32)", a, None, [("csrf", tok_a[:32]), ("content", m)]),
            ("token + extra", a, None, [("csrf", tok_a + "00"), ("content", m)]),
            ("token of another client's cookie", a, None, [("csrf", tok_b), ("content", m)]),
            ("valid token, no cookie", Client(), None, [("csrf", tok_a), ("content", m)]),
            ("another client's cookie, own token", a, "%s=%s" % (CSRF_COOKIE, b.cookie(CSRF_COOKIE)),
             [("csrf", tok_a), ("content", m)]),
            ("cookie = the token", a, "%s=%s" % (CSRF_COOKIE, tok_a), [("csrf", tok_a), ("content", m)]),
            ("empty cookie", a, "%s=" % CSRF_COOKIE, [("csrf", tok_a), ("content", m)]),
            ("garbage cookie", a, "%s=../../%%00\"x" % CSRF_COOKIE, [("csrf", tok_a), ("content", m)]),
            ("8 KB cookie", a, "%s=%s" % (CSRF_COOKIE, "f" * 6000), [("csrf", tok_a), ("content", m)]),
            ("cookie twice, other first", a, "%s=%s; %s=%s" % (CSRF_COOKIE, b.cookie(CSRF_COOKIE), CSRF_COOKIE,
                                                              cookie_a), [("csrf", tok_a), ("content", m)]),
        ]
        for why, client, cookie_hdr, fields in cases:
            with self.subTest(why=why):
                headers = {"Cookie": cookie_hdr} if cookie_hdr is not None else None
                r = self.post_fields("/1/", fields, client=client, headers=headers, what="POST /1/ " + why)
                self.assertLayoutPage(r, 403)
                self.assertNothingStored(m)
        # The delete form is guarded too: a seed comment survives a forged delete.
        for why, fields in (("no token", []), ("wrong token", [("csrf", os.urandom(32).hex())]),
                            ("other client's token", [("csrf", tok_b)])):
            with self.subTest(delete=why):
                r = self.post_fields("/comments/1/delete", fields, client=a,
                                     what="POST /comments/1/delete " + why)
                self.assertLayoutPage(r, 403)
                self.assertEqual(sql_value("SELECT COUNT(*) FROM comment WHERE id = 1"), "1", "seed comment deleted")
        # And the real token of client a still works afterwards.
        r = self.post_fields("/1/", [("csrf", tok_a), ("content", m + " genuine")], client=a,
                             what="POST /1/ genuine token (control)")
        self.added.extend(ids_exactly(m + " genuine", 1))
        self.assertEqual(r.status, 303, r.describe())
        self.assertEqual(len(self.added), 1)

    def test_two_tabs(self):
        tab1 = self.get("/1/", what="GET /1/ (tab 1)")
        tab2 = self.get("/2/", what="GET /2/ (tab 2, same client)")
        t2, t1 = self.marker + " tab2", self.marker + " tab1"
        r2 = self.c.submit(tab2, "/2/", {"content": t2})
        note("POST /2/ from tab 2", r2)
        self.added.extend(ids_exactly(t2, 2))
        r1 = self.c.submit(tab1, "/1/", {"content": t1})
        note("POST /1/ from tab 1 (fetched before tab 2)", r1)
        self.added.extend(ids_exactly(t1, 1))
        self.assertEqual(r2.status, 303, r2.describe())
        self.assertEqual(r1.status, 303, r1.describe())
        self.assertEqual(len(self.added), 2)

    def test_back_button_form_still_works(self):
        old = self.get("/3/", what="GET /3/ (page kept in history)")
        first, second = self.marker + " first", self.marker + " from the old page"
        r = self.c.submit(self.c.get("/3/"), "/3/", {"content": first})
        note("POST /3/ (a newer page)", r)
        self.added.extend(ids_exactly(first, 3))
        self.assertEqual(r.status, 303, r.describe())
        self.get(r.location_path, what="GET %s (after the redirect)" % r.location_path)
        r = self.c.submit(old, "/3/", {"content": second})
        note("POST /3/ from the page fetched before (back button)", r)
        self.added.extend(ids_exactly(second, 3))
        self.assertEqual(r.status, 303, r.describe())
        self.assertEqual(len(self.added), 2)


# ---------------------------------------------------------------------------
# 4. Escaping and headers
# ---------------------------------------------------------------------------


class EscapingAndHeaders(HostileCase):
    PAYLOADS = [  # (payload, exact escaped form that must appear, raw form that must not)
        ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;", "<script>alert"),
        ('"><img src=x onerror=alert(1)>', "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;", "<img src=x"),
        ("{{TITLE}}", "{{TITLE}}", None),
        ("&amp;", "&amp;amp;", None),
        ("javascript:alert(1)", "javascript:alert(1)", None),
        ("' onmouseover='alert(1)", None, "' onmouseover='"),
    ]

    def test_payloads_shown_as_text(self):
        for payload, escaped, raw in self.PAYLOADS:
            with self.subTest(payload=payload):
                text = "%s %s" % (payload, self.marker)
                page = self.c.get("/2/")
                r = self.c.submit(page, "/2/", {"content": text})
                note("POST /2/ content=%r" % payload, r)
                ids = ids_exactly(text, 2)
                self.added.extend(ids)
                self.assertEqual(r.status, 303, r.describe())
                self.assertEqual(len(ids), 1)
                for path in (r.location_path, "/comments/"):
                    shown = self.get(path, what="GET %s (shows %r)" % (path, payload))
                    doc = self.assertLayoutPage(shown, 200)
                    if escaped is not None:
                        self.assertIn(escaped + " " + self.marker, shown.text, "escaped form missing in " + path)
                    if raw is not None:
                        self.assertNotIn(raw, shown.text, "raw markup in " + path)
                    texts = [p.raw_text() for d in doc.find_all("div", cls="comment")
                             for p in d.find_all("p", cls="text")]
                    self.assertIn(text, texts, "comment text not shown verbatim in " + path)
                    if payload == "{{TITLE}}":
                        self.assertNotIn("Post The Second " + self.marker, shown.text)
                self.delete_via_app(ids[0], r.location_path)

    def test_security_headers_on_every_html_response(self):
        tok = self.token(1)
        m = self.marker
        responses = [
            self.get("/"), self.get("/1/"), self.get("/comments/"), self.get("/about/"),
            self.get("/1", what="GET /1 (301)"),
            self.get("/nope", what="GET /nope (404)"), self.get("/999999/"),
            self.get("/comments/1/delete", what="GET /comments/1/delete (405)"),
            self.post_fields("/1/", [("csrf", "0" * 64), ("content", m)], what="POST /1/ bad token (403)"),
            self.post_fields("/1/", [("csrf", tok), ("content", "")], what="POST /1/ empty (422)"),
            self.post("/1/", "csrf=%s&content=%%ZZ" % tok, what="POST /1/ %ZZ (400)"),
            self.post("/1/", "csrf=%s&content=%s" % (tok, m), ctype="text/plain", what="POST /1/ text/plain (415)"),
            self.post_fields("/999999/", [("csrf", tok), ("content", m)], what="POST /999999/ (404)"),
        ]
        r = self.c.request("HEAD", "/")
        note("HEAD /", r)
        responses.append(r)
        text = m + " headers"
        r = self.post_fields("/1/", [("csrf", tok), ("content", text)], what="POST /1/ valid (303)")
        self.added.extend(ids_exactly(text, 1))
        self.assertEqual(r.status, 303, r.describe())
        responses.append(r)
        seen = set()
        for r in responses:
            with self.subTest(request="%s %s" % (r.method, r.url), status=r.status):
                seen.add(r.status)
                self.assertLess(r.status, 500, r.describe())
                self.assertSecurityHeaders(r)
                if r.body or r.status not in (301, 303):
                    if r.method != "HEAD":
                        self.assertIn("text/html", r.header("Content-Type", ""), r.describe(200))
        self.assertTrue({200, 301, 303, 400, 403, 404, 405, 415, 422} <= seen, sorted(seen))
        self.assertEqual(stored_with(m), 1)  # only the valid one


# ---------------------------------------------------------------------------
# 5. Slow and stalled clients
# ---------------------------------------------------------------------------


class SlowClients(HostileCase):
    def timed_gets(self, n, label):
        paths = ["/", "/1/", "/comments/", "/2/", "/about/"]
        times = []
        for i in range(n):
            path = paths[i % len(paths)]
            t0 = time.monotonic()
            r = Client(timeout=10).get(path)
            dt = time.monotonic() - t0
            times.append(dt)
            note("GET %s %s (%.3f s)" % (path, label, dt), r)
            self.assertEqual(r.status, 200, r.describe())
            self.assertLess(dt, 2.0, "GET %s took %.2f s %s" % (path, dt, label))
        return times

    def test_stalled_bodies_do_not_pin_workers(self):
        tok = self.token(1)
        cookie = self.c.cookie(CSRF_COOKIE)
        head = ("POST /1/ HTTP/1.1\r\nHost: %s\r\nCookie: %s=%s\r\nContent-Type: %s\r\n"
                "Content-Length: 1000\r\n\r\n" % (blogtest.host_header(), CSRF_COOKIE, cookie, FORM)).encode()
        part = ("csrf=%s&content=%s" % (tok, self.marker)).encode() + b"z" * 200
        socks = []
        try:
            for _ in range(10):
                s = blogtest.raw_connect(10)
                s.sendall(head + part)
                socks.append(s)
            note("10 raw POST /1/ Content-Length 1000, %d bytes sent, stalled" % len(part), "open")
            time.sleep(0.5)
            times = self.timed_gets(20, "while 10 bodies stall")
            print("  slowest GET while stalled: %.3f s" % max(times), file=sys.stderr)
            # None of the stalled requests got an answer (nor reached blogd).
            for s in socks:
                s.setblocking(False)
                try:
                    got = s.recv(1)
                except BlockingIOError:
                    got = None
                except OSError:
                    got = b""
                self.assertIsNone(got, "a stalled request was answered/closed early")
        finally:
            for s in socks:
                s.close()
        note("closed the 10 stalled sockets", "closed")
        time.sleep(0.3)
        self.assertNothingStored(self.marker)

    def test_slowloris_headers(self):
        host = blogtest.host_header()
        req = ("GET /1/ HTTP/1.1\r\nHost: %s\r\nUser-Agent: slowloris\r\nX-Slow: 1\r\n"
               "Connection: close\r\n\r\n" % host).encode()
        n, results, stop = 5, {}, threading.Event()
        step = 3.0 / len(req)  # the whole header takes about 3 s

        def slow(i):
            try:
                with blogtest.raw_connect(15) as s:
                    for j in range(len(req)):
                        if stop.is_set():
                            results[i] = "stopped"
                            return
                        s.sendall(req[j:j + 1])
                        time.sleep(step)
                    r = blogtest.parse_raw_response(blogtest.recv_all(s, 10), "GET", "/1/")
                    results[i] = r.status if r else "no response"
            except OSError as e:
                results[i] = "error %s" % e

        threads = [threading.Thread(target=slow, args=(i,), daemon=True) for i in range(n)]
        for t in threads:
            t.start()
        note("%d raw GET /1/ sending headers 1 byte / %.0f ms (~3 s)" % (n, step * 1000), "started")
        try:
            time.sleep(0.3)
            self.timed_gets(10, "during slowloris")
        finally:
            for t in threads:
                t.join(20)
            stop.set()
        for i in range(n):
            note("slowloris client %d finished its header" % i, results.get(i, "hung"))
        self.assertEqual([results.get(i) for i in range(n)], [200] * n)
        self.assertNothingStored()


# ---------------------------------------------------------------------------
# 6. Odd request shapes
# ---------------------------------------------------------------------------


class OddShapes(HostileCase):
    def raw(self, method, target, extra=""):
        head = ("%s %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n%s\r\n"
                % (method, target, blogtest.host_header(), extra)).encode()
        r = blogtest.raw_request(head, timeout=10, method=method, url=target)
        note("raw %s %s" % (method, short(target, 60)), r)
        return r

    def assertNot5xx(self, r):
        self.assertIsNotNone(r, "no response")
        self.assertLess(r.status, 500, r.describe())

    def test_long_paths(self):
        r = self.raw("GET", "/" + "a" * 8192)
        self.assertNot5xx(r)
        self.assertGreaterEqual(r.status, 400, r.describe(200))
        r = self.raw("GET", "/" + "a" * 4000 + "/")
        self.assertLayoutPage(r, 404)
        r = self.raw("GET", "/1/" + "9" * 4000 + "/")
        self.assertLayoutPage(r, 404)
        r = self.raw("GET", "/?after=" + "9" * 6000)
        self.assertNot5xx(r)
        r = self.raw("GET", "/" + "9" * 5000 + "/")
        self.assertLayoutPage(r, 404)
        self.assertNothingStored()

    def test_encoded_slashes_and_dot_segments(self):
        for target in ["/%2F/", "/%2f", "//", "//1/", "/1//", "/..%2F", "/..%2f..%2fetc%2fpasswd",
                       "/../../etc/passwd", "/%2e%2e/", "/1/%2e%2e/", "/comments/%2F1%2Fdelete",
                       "/static/..%2f..%2fconf/blogd.conf", "/static/../conf/blogd.conf",
                       "/static/%2e%2e/conf/blogd.conf", "/static/../../../etc/passwd", "/%00/",
                       "/%C0%AF/", "/%FF/", "/\u00e9/"]:
            with self.subTest(target=target):
                r = self.raw("GET", target)
                self.assertNot5xx(r)
                self.assertNotIn(b"max_comment_chars", r.body, "configuration file served")
                self.assertNotIn(b"root:x:0:0", r.body, "/etc/passwd served")
                if r.header("X-Request-Id"):  # answered by blogd: in the layout
                    self.assertLayoutPage(r, (200, 301, 400, 404, 405))
        self.assertNothingStored()

    def test_junk_query_strings(self):
        for target in ["/?after=abc", "/?after=-1", "/?after=", "/?before=99999999999",
                       "/?after=4294967296", "/?after=1&after=2", "/?after=1&before=2", "/?after=1e3",
                       "/?after=0x10", "/?after=%00", "/?after=%ZZ", "/?%ZZ", "/?&&&=&=", "/?after=+1",
                       "/comments/?after=%ZZ", "/comments/?before=-5", "/comments/?after=99999999999999999999",
                       "/1/?after=abc", "/1/?before=%FF", "/2/?after=1&after=2"]:
            with self.subTest(target=target):
                r = self.get(target)
                self.assertLayoutPage(r, (200, 400, 404))
        self.assertNothingStored()

    def test_head_and_options(self):
        g = self.c.get("/")
        h = self.raw("HEAD", "/")
        self.assertEqual(h.status, 200, h.describe())
        self.assertEqual(h.body, b"", "HEAD / answered with a body")
        self.assertEqual(h.header("Content-Length"), str(len(g.body)), "HEAD and GET lengths differ")
        self.assertSecurityHeaders(h)
        for target in ("/nope", "/999999/"):
            h = self.raw("HEAD", target)
            self.assertEqual(h.status, 404, h.describe())
            self.assertEqual(h.body, b"")
        h = self.raw("HEAD", "/comments/1/delete")
        self.assertIn(h.status, (404, 405), h.describe())
        self.assertEqual(h.body, b"")
        self.assertEqual(sql_value("SELECT COUNT(*) FROM comment WHERE id = 1"), "1")
        for target in ("/", "/1/", "/comments/", "/comments/1/delete", "*"):
            with self.subTest(options=target):
                r = self.raw("OPTIONS", target)
                self.assertNot5xx(r)
                if r.status == 405:
                    self.assertTrue(r.header("Allow"), r.describe(300))
        self.assertNothingStored()

    def test_unusual_methods(self):
        for method in ("PROPFIND", "MKCOL", "COPY", "MOVE", "LOCK", "TRACE", "PUT", "DELETE", "PATCH",
                       "CONNECT", "FOO", "get"):
            for target in ("/", "/1/", "/comments/", "/comments/1/delete"):
                with self.subTest(method=method, target=target):
                    r = self.raw(method, target, "Content-Length: 0\r\n")
                    self.assertNot5xx(r)
                    self.assertGreaterEqual(r.status, 400, r.describe(300))
                    if r.header("X-Request-Id"):  # blogd's answer: 405 in the layout with Allow
                        self.assertLayoutPage(r, (400, 404, 405))
                        if r.status == 405:
                            self.assertTrue(r.header("Allow"), r.describe(300))
        self.assertEqual(sql_value("SELECT COUNT(*) FROM comment WHERE id = 1"), "1")
        self.assertNothingStored()

    def test_garbage_request_lines_and_headers(self):
        host = blogtest.host_header()
        cases = [
            b"GET / HTTP/9.9\r\nHost: x\r\n\r\n",
            b"GET\r\n\r\n",
            b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + os.urandom(32) + b"\r\n\r\n",
            b"GET /\x00 HTTP/1.1\r\nHost: x\r\n\r\n",
            ("GET / HTTP/1.1\r\nHost: %s\r\nNoColonHere\r\n\r\n" % host).encode(),
            ("GET /1/ HTTP/1.1\r\nHost: %s\r\nCookie: %s\r\nConnection: close\r\n\r\n"
             % (host, "; ".join("c%d=%d" % (i, i) for i in range(300)))).encode(),
            ("GET /1/ HTTP/1.1\r\nHost: %s\r\nCookie: a=%s; %s=zz\r\nConnection: close\r\n\r\n"
             % (host, "b" * 6000, CSRF_COOKIE)).encode(),
            ("GET /1/ HTTP/1.1\r\nHost: %s\r\nX-Big: %s\r\nConnection: close\r\n\r\n" % (host, "h" * 20000)).encode(),
            ("POST /1/ HTTP/1.1\r\nHost: %s\r\nContent-Length: -1\r\nConnection: close\r\n\r\n" % host).encode(),
            ("POST /1/ HTTP/1.1\r\nHost: %s\r\nContent-Length: 5\r\nContent-Length: 7\r\n"
             "Connection: close\r\n\r\nabcdefg" % host).encode(),
            ("POST /1/ HTTP/1.1\r\nHost: %s\r\nContent-Length: 99999999999999999999\r\n"
             "Connection: close\r\n\r\n" % host).encode(),
        ]
        for req in cases:
            with self.subTest(request=short(req, 50)):
                r = blogtest.raw_request(req, shut_write=False, timeout=5)
                note("raw %s" % short(req, 70), r)
                if r is not None:
                    if req.startswith(b"GET / HTTP/9.9"):
                        self.assertEqual(r.status, 505, r.describe(300))  # nginx's own, correct answer
                    else:
                        self.assertLess(r.status, 500, r.describe(300))
                    if r.header("X-Request-Id"):
                        self.assertLayoutPage(r, (200, 400, 404, 405, 413, 415))
        self.assertNothingStored()


if __name__ == "__main__":
    unittest.main(verbosity=2)
