"""test_cache: the page cache never serves a page older than the data, whoever changed it.

Pages are fetched until cached, then the data is changed behind blogd's back (plain SQL, as
an operator or another blogd host would) or through another client, and the very next
request must show the change. Cached pages must also never leak one visitor's CSRF token
to another.
"""
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


class Freshness(unittest.TestCase):
    def test_sql_insert_and_delete_show_at_once(self):
        c = Client()
        warm(c, "/2/")
        warm(c, "/comments/")
        text = unique("sql-insert")
        sql("INSERT INTO comment (content, post_id) VALUES (%s, 2)" % sql_quote(text))
        try:
            self.assertIn(blogtest.escape(text), c.get("/2/").text)
            self.assertIn(blogtest.escape(text), c.get("/comments/").text)
        finally:
            sql("DELETE FROM comment WHERE content = %s" % sql_quote(text))
        self.assertNotIn(blogtest.escape(text), c.get("/2/").text)
        self.assertNotIn(blogtest.escape(text), c.get("/comments/").text)
        print("a comment inserted and deleted with SQL showed and vanished on the next request")

    def test_sql_title_change_shows_everywhere(self):
        c = Client()
        for path in ("/", "/3/", "/comments/"):
            warm(c, path)
        old = sql("SELECT title FROM post WHERE id = 3")[0][0]
        new = unique("Retitled")
        sql("UPDATE post SET title = %s WHERE id = 3" % sql_quote(new))
        try:
            for path in ("/", "/3/"):
                self.assertIn(new, c.get(path).text, path)
        finally:
            sql("UPDATE post SET title = %s WHERE id = 3" % sql_quote(old))
        for path in ("/", "/3/"):
            page = c.get(path).text
            self.assertIn(old, page, path)
            self.assertNotIn(new, page, path)
        print("a title changed with SQL showed at once on / and /3/, and the change back too")

    def test_reader_sees_writer_comment_next_request(self):
        writer, reader = Client(), Client()
        warm(reader, "/1/")
        text = unique("seen-by-reader")
        page = writer.get("/1/").text
        r = writer.submit(page, "/1/", {"content": text})
        self.assertEqual(r.status, 303)
        try:
            self.assertIn(blogtest.escape(text), reader.get("/1/").text)
        finally:
            sql("DELETE FROM comment WHERE content = %s" % sql_quote(text))
        self.assertNotIn(blogtest.escape(text), reader.get("/1/").text)
        print("another visitor saw the new comment on the request right after the 303")


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
