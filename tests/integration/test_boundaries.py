"""test_boundaries: values whose byte length sits on a buffer's step, through nginx.

blogd reads text columns into buffers of 4096 bytes that grow to a value's length + 1 and
shrink back past 64 KiB (src/store/db.c); a value exactly as long as the buffer once made it
write its NUL past the end (a 4096-byte comment aborted the ASan build on every render of its
post). Here comments are posted through the real form (CSRF token and all) with byte lengths
at the allocator's and the buffers' steps (4095-4097, 8191-8193, 16384, 32768, 39999/40000:
max_comment_chars is 10,000 characters, so 4-byte characters reach 40,000 bytes), in ASCII
and in 2-, 3- and 4-byte UTF-8, some with a character straddling byte 4096; a post's title
(100 characters, the column's limit) and content (up to 1 MiB) are set with SQL. Every page
that shows them (the post, rendered then cached; /comments/; the index) must answer 200 and
show each value whole. Each test works on a post of its own, deleted with its comments after.
"""

import glob
import os
import random
import sys
import time
import unittest

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import blogtest  # noqa: E402
from blogtest import Client, parse_html, sql, sql_quote, sql_value  # noqa: E402

MAX_CHARS = 10000  # conf/blogd.conf: max_comment_chars
COMMENT_BYTES = [4095, 4096, 4097, 8191, 8192, 8193, 16384, 32768, 39999, 40000]
CONTENT_BYTES = [0, 1, 4095, 4096, 4097, 8191, 8192, 8193, 65535, 65536, 65537, 1 << 20]

# Characters of each UTF-8 width, markup included so escaping lengthens the page.
ALPHABET = {
    1: "abcXYZ019<>&\"'=/;#",
    2: "\u00e9\u00df\u03a9\u0416\u05d0",  # é ß Ω Ж א
    3: "\u20ac\u2713\u4e2d\u3042\ufb01",  # € ✓ 中 あ ﬁ
    4: "\U0001f600\U0001d11e\U00010348\U0001f4a9",  # 😀 𝄞 𐍈 💩
}
ONE_OF_WIDTH = {1: "q", 2: "\u00e9", 3: "\u20ac", 4: "\U0001f600"}


def setUpModule():
    blogtest.env()
    r = Client().get("/")
    if r.status != 200:
        raise RuntimeError("stack not answering: " + r.describe())


def text_of(nbytes, width, rng):
    """nbytes of UTF-8 made of characters `width` bytes wide (the rest, under one character,
    one narrower character), never starting or ending with a space; None if that takes more
    than MAX_CHARS characters."""
    n, rest = divmod(nbytes, width)
    if n + (1 if rest else 0) > MAX_CHARS:
        return None
    chars = [rng.choice(ALPHABET[width]) for _ in range(n)]
    if rest:
        chars.append(ONE_OF_WIDTH[rest])
    s = "".join(chars)
    assert len(s.encode("utf-8")) == nbytes
    return s


def straddling(rng):
    """(name, text): a multi-byte character across byte 4095/4096 (or 8192), ending there or
    further on."""
    out = []
    for pre, ch, post in [(4094, 4, 0), (4094, 4, 1), (4093, 4, 0), (4092, 4, 0), (4095, 2, 0),
                          (4094, 3, 0), (4093, 3, 0), (4095, 3, 1), (8190, 4, 0), (8191, 2, 5)]:
        s = text_of(pre, 1, rng) + ONE_OF_WIDTH[ch] + (text_of(post, 1, rng) if post else "")
        s = s.replace(" ", "_")
        name = "%d ASCII bytes, a %d-byte character at %d..%d, then %d" % (
            pre, ch, pre, pre + ch - 1, post)
        out.append((name, s))
    return out


def sanitizer_reports():
    """The ASan/UBSan report files of the stack (the asan stack writes them under its log)."""
    var = os.environ.get("BLOGD_TEST_VAR") or "/tmp/blogd-ctest-var"
    return set(glob.glob(os.path.join(var, "log", "asan.*")) +
               glob.glob(os.path.join(var, "log", "ubsan.*")))


def comments_of(doc):
    """{comment id: its text, entities decoded} of a post page or /comments/."""
    out = {}
    for div in doc.find_all("div", cls="comment"):
        p = div.find("p", cls="text")
        cid = div.get("id", "")
        if cid.startswith("c") and cid[1:].isdigit() and p is not None:
            out[int(cid[1:])] = p.raw_text()
        else:  # /comments/ has no id attribute: the "(#<id>)" label
            label = div.find(cls="comment-id")
            digits = "".join(ch for ch in (label.text() if label else "") if ch.isdigit())
            if digits and p is not None:
                out[int(digits)] = p.raw_text()
    return out


def soon(fetch, want, timeout=3.0):
    """fetch() until want(result) holds (SQL changes show once the watcher polls); the last
    result either way."""
    deadline = time.monotonic() + timeout
    while True:
        r = fetch()
        if want(r) or time.monotonic() > deadline:
            return r
        time.sleep(0.05)


class BoundaryCase(unittest.TestCase):
    maxDiff = 2000

    def setUp(self):
        self.c = Client()
        self.rng = random.Random(os.getpid())
        self.reports = sanitizer_reports()
        rows = sql("INSERT INTO post (title, content) VALUES ('Boundaries', 'Lengths on the steps');"
                   " SELECT LAST_INSERT_ID()")
        self.pid = int(rows[-1][0])

    def tearDown(self):
        sql("DELETE FROM post WHERE id = %d" % self.pid)  # its comments go with it
        new = sanitizer_reports() - self.reports
        self.assertEqual(new, set(), "sanitizer reports written during the test")

    def get(self, path):
        r = self.c.get(path)
        self.assertEqual(r.status, 200, r.describe())
        return r

    def assertShown(self, got, want, what):
        """Whole and exact; on failure say where it first differs, not 40 KB of text."""
        if got == want:
            return
        i = next((k for k in range(min(len(got), len(want))) if got[k] != want[k]),
                 min(len(got), len(want)))
        self.fail("%s: shown %d characters, stored %d; first difference at %d: %r vs %r" % (
            what, len(got), len(want), i, got[i:i + 20], want[i:i + 20]))


class Comments(BoundaryCase):
    def test_comments_at_buffer_steps(self):
        cases = []
        for width in (1, 2, 3, 4):
            for n in COMMENT_BYTES:
                t = text_of(n, width, self.rng)
                if t is not None:
                    cases.append(("%d bytes of %d-byte characters" % (n, width), t))
        cases += straddling(self.rng)
        self.assertGreaterEqual(len(cases), 30)
        self.assertLessEqual(len(cases), 50, "all on one page of the post and of /comments/")

        path = "/%d/" % self.pid
        stored = {}  # id -> (name, text)
        for name, text in cases:
            page = self.get(path)  # the form, and a render of everything posted so far
            r = self.c.submit(page, path, {"content": text})
            self.assertEqual(r.status, 303, "%s: %s" % (name, r.describe()))
            self.assertEqual(r.location_path.split("?")[0], path, r.describe())
            rows = sql("SELECT id, LENGTH(content), CHAR_LENGTH(content) FROM comment"
                       " WHERE post_id = %d AND content = %s" % (self.pid, sql_quote(text)))
            self.assertEqual(len(rows), 1, "%s: stored rows %r" % (name, rows))
            cid, nbytes, nchars = (int(x) for x in rows[0])
            self.assertEqual((nbytes, nchars), (len(text.encode("utf-8")), len(text)), name)
            stored[cid] = (name, text)

        # The post page: rendered, then served from the cache; /comments/ likewise.
        for attempt in range(3):
            shown = comments_of(parse_html(self.get(path)))
            for cid, (name, text) in stored.items():
                self.assertIn(cid, shown, "%s (comment %d) missing from %s" % (name, cid, path))
                self.assertShown(shown[cid], text, "%s on %s, request %d" % (name, path, attempt + 1))
        for attempt in range(2):
            shown = comments_of(parse_html(self.get("/comments/")))
            for cid, (name, text) in stored.items():
                self.assertIn(cid, shown, "%s (comment %d) missing from /comments/" % (name, cid))
                self.assertShown(shown[cid], text, "%s on /comments/, request %d" % (name, attempt + 1))
        print("%d comments of %d-%d bytes posted through the form, each shown whole on its post"
              " (3 requests) and on /comments/ (2)" % (
                  len(stored), min(len(t.encode()) for _, t in stored.values()),
                  max(len(t.encode()) for _, t in stored.values())))

    def test_values_that_fill_a_grown_buffer(self):
        """Each value exactly as long as the buffer the row before it grew (its length + 1),
        then one that makes it grow again. Bound at its full size, such a buffer took the value
        whole, unreported, and the NUL went one byte past it: for sizes of 8 mod 16 glibc
        leaves no slack, and that byte is the next heap chunk's header (release builds)."""
        path = "/%d/" % self.pid
        texts = []
        for n, width in ((4103, 1), (8199, 1), (16391, 2), (32775, 4), (39999, 4)):
            for m in (n, n + 1) if n < 39999 else (n,):
                text = text_of(m, width, self.rng)
                r = self.c.submit(self.get(path), path, {"content": text})
                self.assertEqual(r.status, 303, "%d bytes: %s" % (m, r.describe()))
                texts.append(text)
        for attempt in range(3):
            shown = comments_of(parse_html(self.get(path)))
            self.assertEqual(len(shown), len(texts), "request %d" % (attempt + 1))
            for got, want in zip([shown[k] for k in sorted(shown)], texts):
                self.assertShown(got, want, "%d bytes, request %d" % (len(want), attempt + 1))
        for _ in range(2):
            self.get("/comments/")

    def test_one_comment_of_4096_bytes_alone(self):
        """The report's case: the only long value of its page, first row after the post."""
        text = text_of(4096, 1, self.rng)
        path = "/%d/" % self.pid
        r = self.c.submit(self.get(path), path, {"content": text})
        self.assertEqual(r.status, 303, r.describe())
        for _ in range(3):
            shown = comments_of(parse_html(self.get(path)))
            self.assertEqual(list(shown.values()), [text])


class Posts(BoundaryCase):
    def set_post(self, title, content_sql):
        sql("UPDATE post SET title = %s, content = %s WHERE id = %d"
            % (sql_quote(title), content_sql, self.pid))

    def post_shown(self, path, title, content):
        """The post's (title, content) as `path` shows it (the index: its article)."""
        doc = parse_html(self.get(path))
        if path.startswith("/?") or path == "/":
            for art in doc.find_all("article", cls="post"):
                a = art.find("h2").find("a")
                if a is not None and a.get("href") == "/%d/" % self.pid:
                    return a.raw_text(), art.find("div", cls="prose").raw_text()
            return None, None
        art = doc.find("article", cls="post")
        return doc.find("h1").raw_text(), art.find("div", cls="prose").raw_text()

    def check_everywhere(self, title, content, what):
        post = "/%d/" % self.pid
        index = "/?after=%d" % (self.pid - 1)  # the index page that starts with this post
        for path in (post, index):
            soon(lambda: self.post_shown(path, title, content), lambda tc: tc == (title, content))
            for attempt in range(2):  # rendered, then cached
                got_title, got_content = self.post_shown(path, title, content)
                self.assertIsNotNone(got_title, "%s: post not on %s" % (what, path))
                self.assertShown(got_title, title, "%s: title on %s" % (what, path))
                self.assertShown(got_content, content, "%s: content on %s" % (what, path))
        self.get("/")

    def test_titles_of_100_characters(self):
        for width in (1, 2, 3, 4):
            for n in (99, 100):
                title = text_of(n * width, width, self.rng).replace(" ", "_")
                self.set_post(title, sql_quote("content"))
                stored = sql_value("SELECT CONCAT(CHAR_LENGTH(title), '/', LENGTH(title))"
                                   " FROM post WHERE id = %d" % self.pid)
                self.assertEqual(stored, "%d/%d" % (n, n * width))
                self.check_everywhere(title, "content", "a title of %d %d-byte characters"
                                      % (n, width))

    def test_contents_at_buffer_steps(self):
        # Built in the database (a 1 MiB literal would not fit on a command line): a marker,
        # then characters of one width, the remainder in ASCII. The marker is 22 bytes, so
        # 4-byte characters straddle byte 4096.
        count = 0
        for width in (1, 3, 4):
            for n in CONTENT_BYTES:
                marker = ("len%07d-w%d-" % (n, width) + "x" * 22)[:22]
                if n < len(marker):
                    content, expr = "m" * n, sql_quote("m" * n) if n else "''"
                else:
                    unit = ONE_OF_WIDTH[width] if width > 1 else "a<&"
                    ubytes = len(unit.encode("utf-8"))
                    k, rest = divmod(n - len(marker), ubytes)
                    content = marker + unit * k + "z" * rest
                    expr = "CONCAT(%s, REPEAT(%s, %d), %s)" % (
                        sql_quote(marker), sql_quote(unit), k, sql_quote("z" * rest) if rest else "''")
                self.assertEqual(len(content.encode("utf-8")), n)
                title = "Content of %d bytes, width %d" % (n, width)
                self.set_post(title, expr)
                self.assertEqual(sql_value("SELECT LENGTH(content) FROM post WHERE id = %d"
                                           % self.pid), str(n))
                self.check_everywhere(title, content, title)
                count += 1
        print("%d post contents of 0 B to 1 MiB (ASCII, 3- and 4-byte characters) shown whole on"
              " the post and the index, rendered and cached" % count)


if __name__ == "__main__":
    unittest.main(verbosity=2)
