"""test_cache: the page cache never serves a page older than the data.

Pages are fetched until cached, then the data is changed through another client (the very
next request must show it: a comment after its 303, a deleted one gone) or behind blogd's
back with plain SQL, as an operator would (cache = auto notices within a poll of the
watcher: it must show within 0.5 s). Several blogd hosts: tests/faults/test_hosts.py.
Cached pages must also never leak one visitor's CSRF token to another.
"""
import time
import os
import re
import sys
import unittest

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import blogtest  # noqa: E402
from blogtest import Client, sql, sql_quote, unique  # noqa: E402


def warm(client, path, times=4):
    for _ in range(times):
        r = client.get(path)
        assert r.status == 200, (path, r.status)
    return r


def soon(fetch, want, timeout=0.5):
    """Fetches until want(text) holds; returns the seconds it took, or None."""
    t0 = time.monotonic()
    while True:
        if want(fetch()):
            return time.monotonic() - t0
        if time.monotonic() - t0 > timeout:
            return None
        time.sleep(0.01)


class Freshness(unittest.TestCase):
    def test_sql_insert_and_delete_show_at_once(self):
        c = Client()
        warm(c, "/2/")
        warm(c, "/comments/")
        text = unique("sql-insert")
        shown = blogtest.escape(text)
        sql("INSERT INTO comment (content, post_id) VALUES (%s, 2)" % sql_quote(text))
        try:
            for path in ("/2/", "/comments/"):
                t = soon(lambda: c.get(path).text, lambda page: shown in page)
                self.assertIsNotNone(t, "an SQL insert did not show on %s within 0.5 s" % path)
                print("SQL insert shown on %s after %.3f s" % (path, t))
        finally:
            sql("DELETE FROM comment WHERE content = %s" % sql_quote(text))
        for path in ("/2/", "/comments/"):
            t = soon(lambda: c.get(path).text, lambda page: shown not in page)
            self.assertIsNotNone(t, "an SQL delete did not show on %s within 0.5 s" % path)
            print("SQL delete shown on %s after %.3f s" % (path, t))

    def test_sql_title_change_shows_everywhere(self):
        c = Client()
        for path in ("/", "/3/", "/comments/"):
            warm(c, path)
        old = sql("SELECT title FROM post WHERE id = 3")[0][0]
        new = unique("Retitled")
        sql("UPDATE post SET title = %s WHERE id = 3" % sql_quote(new))
        try:
            for path in ("/", "/3/"):
                self.assertIsNotNone(soon(lambda: c.get(path).text, lambda page: new in page), path)
        finally:
            sql("UPDATE post SET title = %s WHERE id = 3" % sql_quote(old))
        for path in ("/", "/3/"):
            self.assertIsNotNone(
                soon(lambda: c.get(path).text, lambda page: old in page and new not in page), path)
        print("a title changed with SQL showed within 0.5 s on / and /3/, and the change back too")

    def test_reader_sees_writer_comment_next_request(self):
        writer, reader = Client(), Client()
        warm(reader, "/1/")
        text = unique("seen-by-reader")
        page = writer.get("/1/").text
        r = writer.submit(page, "/1/", {"content": text})
        self.assertEqual(r.status, 303)
        where = r.location_path
        self.assertIn(blogtest.escape(text), reader.get(where).text)
        page = writer.get(where).text
        cid = re.search(r'id="c(\d+)">\s*<span[^>]*>[^<]*</span>\s*<p class="text">%s<'
                        % re.escape(blogtest.escape(text)), page)
        self.assertTrue(cid, "the new comment's id on its page")
        r = writer.submit(page, "/comments/%s/delete" % cid.group(1))
        self.assertEqual(r.status, 303)
        self.assertNotIn(blogtest.escape(text), reader.get(where).text)
        sql("DELETE FROM comment WHERE content = %s" % sql_quote(text))
        print("another visitor saw the new comment on the request right after the 303, "
              "and no longer saw it on the request right after the delete's 303")


class Tokens(unittest.TestCase):
    def test_each_visitor_gets_own_token_from_cached_page(self):
        a, b = Client(), Client()
        warm(a, "/1/")
        ta = re.findall(r'name="csrf" value="([0-9a-f]+)"', a.get("/1/").text)
        tb = re.findall(r'name="csrf" value="([0-9a-f]+)"', b.get("/1/").text)
        self.assertTrue(ta and tb)
        self.assertEqual(len(set(ta)), 1)
        self.assertEqual(len(set(tb)), 1)
        self.assertNotEqual(ta[0], tb[0], "a cached page carried another visitor's token")
        text = unique("token-b")
        r = b.submit(b.get("/1/").text, "/1/", {"content": text})
        self.assertEqual(r.status, 303)
        sql("DELETE FROM comment WHERE content = %s" % sql_quote(text))
        print("two visitors of a cached page got different tokens, each accepted for its owner")


if __name__ == "__main__":
    unittest.main(verbosity=2)
