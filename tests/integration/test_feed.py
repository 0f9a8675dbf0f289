"""test_feed: /feed.atom, through nginx, parsed as XML: a valid Atom 1.0 feed of the 20 newest published posts.

SPEC.md "Authors and posts": application/atom+xml; the feed's id, title, updated, link
rel=self (<base_url>/feed.atom) and rel=alternate; each entry's id, title, updated, published,
author, link rel=alternate (absolute, from base_url) and content type="html" (the rendered
Markdown, escaped); newest published first, at most 20; absolute URLs from the base_url
option, never from the Host header; every HTML page's <head> links the feed.

Posts are written through the admin forms as the stack's admin (test_authors' helpers) and
deleted at the end; the seed posts are never written to.
"""

import datetime
import os
import re
import sys
import unittest
import xml.etree.ElementTree as ET

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import blogtest  # noqa: E402
from blogtest import Client, parse_html, sql, unique  # noqa: E402
import test_authors as authors  # noqa: E402  (login, posts and feed helpers)
from test_authors import ATOM, author, create_post, feed, feed_base, feed_entries, feed_entry  # noqa: E402

ATOM_NS = "http://www.w3.org/2005/Atom"
RFC3339 = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)")
MAX_ENTRIES = 20


def setUpModule():
    authors.setUpModule()


def tearDownModule():
    authors.tearDownModule()


def when(value, what):
    """An RFC 3339 timestamp as an aware datetime (AssertionError naming `what` if it is not one)."""
    if not value or not RFC3339.fullmatch(value.strip()):
        raise AssertionError("%s: %r is not an RFC 3339 date-time" % (what, value))
    return datetime.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))


class Feed(unittest.TestCase):
    maxDiff = None

    def test_content_type_and_namespace(self):
        r, root = feed(Client())
        ctype = (r.header("Content-Type") or "").replace(" ", "").lower()
        self.assertEqual(ctype, "application/atom+xml;charset=utf-8", "Content-Type of /feed.atom")
        self.assertEqual(root.tag, "{%s}feed" % ATOM_NS, "the root element is not Atom's <feed>")
        self.assertTrue(r.body.lstrip().startswith(b"<?xml") or r.body.lstrip().startswith(b"<feed"),
                        "the feed does not start with an XML declaration or <feed>")
        r.body.decode("utf-8")  # strict UTF-8

    def test_feed_metadata(self):
        base = feed_base()
        self.assertRegex(base, r"^https?://[^/]+$", "base_url of the stack's blogd.conf")
        self.assertEqual(base, blogtest.base_url(), "the private stack sets base_url to its own URL")
        _, root = feed(Client())
        fid = (root.findtext(ATOM + "id") or "").strip()
        self.assertTrue(fid, "the feed has no <id>")
        self.assertTrue(re.match(r"^[a-z][a-z0-9+.-]*:", fid), "the feed's <id> %r is not an IRI" % fid)
        self.assertTrue((root.findtext(ATOM + "title") or "").strip(), "the feed has no <title>")
        updated = when(root.findtext(ATOM + "updated"), "feed <updated>")
        links = [(l.get("rel", "alternate"), l.get("href"), l.get("type")) for l in root.findall(ATOM + "link")]
        self.assertIn(base + "/feed.atom", [h for rel, h, _ in links if rel == "self"],
                      "link rel=self must be %s/feed.atom: %r" % (base, links))
        self.assertIn(base + "/", [h for rel, h, _ in links if rel == "alternate"],
                      "link rel=alternate must be %s/: %r" % (base, links))
        entries = feed_entries(root)
        if entries:
            newest = max(when(e["updated"], "entry <updated>") for e in entries)
            self.assertGreaterEqual(updated, newest, "the feed's <updated> is older than an entry's")

    def test_entries_complete(self):
        a = author()
        m = unique("feedentry")
        pid = create_post(a, "Feed entry " + m, "Entry *body* " + m, "published")
        base = feed_base()
        _, root = feed(Client())
        entries = feed_entries(root)
        self.assertTrue(entries, "the feed has no entries although a post was just published")
        ids = set()
        for e in entries:
            with self.subTest(entry=e["id"]):
                self.assertRegex(e["id"], r"^%s/\d+/$" % re.escape(base), "entry <id> must be <base_url>/<id>/")
                self.assertNotIn(e["id"], ids, "two entries with one id")
                ids.add(e["id"])
                self.assertEqual(e["link"], e["id"], "entry link rel=alternate must be the post's absolute URL")
                self.assertTrue((e["title"] or "").strip(), "entry without a <title>")
                published = when(e["published"], "entry <published>")
                updated = when(e["updated"], "entry <updated>")
                self.assertGreaterEqual(updated, published, "entry updated before it was published")
                self.assertTrue((e["author"] or "").strip(), "entry without <author><name>")
                self.assertEqual(e["content_type"], "html", "entry <content> must be type=\"html\"")
                self.assertIsNotNone(e["content"], "entry without <content>")
        mine, _ = feed_entry(Client(), pid)
        self.assertIsNotNone(mine, "the post just published is not in the feed")
        self.assertEqual(mine["id"], "%s/%d/" % (base, pid))
        self.assertEqual(mine["title"], "Feed entry " + m)
        self.assertEqual(mine["author"], "admin")
        self.assertIn("<em>body</em>", mine["content"], "the entry's content is not the rendered Markdown")
        # Its link resolves to the post, on this stack.
        path = mine["link"][len(base):]
        self.assertEqual(Client().get(path).status, 200, "the entry's link does not lead to the post")

    def test_at_most_20_newest_published_first(self):
        a = author()
        m = unique("feed20")
        made = [create_post(a, "Feed order %02d %s" % (i, m), "Body %d %s" % (i, m), "published")
                for i in range(MAX_ENTRIES + 1)]
        draft = create_post(a, "Feed order draft " + m, "Draft body " + m, "draft")
        base = feed_base()
        _, root = feed(Client())
        entries = feed_entries(root)
        self.assertEqual(len(entries), MAX_ENTRIES, "with %d+ published posts the feed must hold exactly %d"
                         % (MAX_ENTRIES + 1, MAX_ENTRIES))
        times = [when(e["published"], "entry <published>") for e in entries]
        self.assertEqual(times, sorted(times, reverse=True), "entries are not newest published first")
        ids = [int(re.search(r"/(\d+)/$", e["id"]).group(1)) for e in entries]
        self.assertNotIn(draft, ids, "a draft is in the feed")
        # The 20 are the newest by published time: every published post left out is no newer.
        rows = sql("SELECT id, UNIX_TIMESTAMP(published_at) FROM post WHERE status = 'published'")
        published = {int(i): float(t) for i, t in rows}
        for pid in ids:
            self.assertIn(pid, published, "feed entry %d is not a published post" % pid)
        oldest_in = min(published[i] for i in ids)
        newer_left_out = [i for i, t in published.items() if i not in ids and t > oldest_in]
        self.assertEqual(newer_left_out, [], "published posts newer than the feed's oldest entry are left out")
        self.assertGreaterEqual(len(set(ids) & set(made)), MAX_ENTRIES - 1,
                                "the feed does not hold the %d posts just published" % (MAX_ENTRIES + 1))
        self.assertTrue(all(e["id"] == "%s/%d/" % (base, i) for e, i in zip(entries, ids)))

    def test_forged_host_header_keeps_base_url(self):
        a = author()
        m = unique("feedhost")
        pid = create_post(a, "Host check " + m, "Body " + m, "published")  # the kept feed is stale now
        base = feed_base()
        for hdrs in ({"Host": "evil.example"}, {"Host": "evil.example:8080", "X-Forwarded-Host": "evil.example",
                                                "X-Forwarded-Proto": "https", "Forwarded": "host=evil.example"}):
            with self.subTest(headers=hdrs):
                r = Client().get("/feed.atom", headers=hdrs)
                self.assertEqual(r.status, 200, r.describe())
                self.assertNotIn("evil.example", r.text, "the feed took a URL from the request's headers")
                root = ET.fromstring(r.body)
                hrefs = [l.get("href") for l in root.iter(ATOM + "link")]
                hrefs += [e.text for e in root.iter(ATOM + "id") if (e.text or "").startswith("http")]
                self.assertTrue(hrefs)
                for h in hrefs:
                    self.assertTrue(h.startswith(base + "/"), "URL %r is not under base_url %s" % (h, base))
                self.assertIn("%s/%d/" % (base, pid), hrefs)

    def test_every_page_links_the_feed(self):
        a = author()
        anon = Client()
        pages = [("/", anon, 200), ("/1/", anon, 200), ("/comments/", anon, 200), ("/about/", anon, 200),
                 ("/login", anon, 200), ("/999999/", anon, 404), ("/admin/", a, 200),
                 ("/admin/posts/new", a, 200), ("/2/", a, 200)]
        for path, client, status in pages:
            with self.subTest(path=path):
                r = client.get(path)
                self.assertEqual(r.status, status, r.describe())
                head = parse_html(r.text).find("head")
                self.assertIsNotNone(head, "%s has no <head>" % path)
                links = [l for l in head.find_all("link") if "alternate" in (l.get("rel") or "").split()
                         and l.get("type") == "application/atom+xml"]
                self.assertTrue(links, "%s: no <link rel=alternate type=application/atom+xml> in <head>" % path)
                self.assertEqual(links[0].get("href"), "/feed.atom", "%s: the feed link's href" % path)
                self.assertTrue((links[0].get("title") or "").strip(), "%s: the feed link has no title" % path)

    def test_markdown_is_escaped_html_in_content(self):
        a = author()
        m = unique("feedmd")
        src = "Para with **bold %s** & a < b, [link](https://example.com/%s).\n\n- one\n- two\n" % (m, m)
        pid = create_post(a, "Feed & <markdown> " + m, src, "published")
        entry, raw = feed_entry(Client(), pid)
        self.assertIsNotNone(entry, "the post is not in the feed")
        self.assertEqual(entry["title"], "Feed & <markdown> " + m, "the entry's title (XML-escaped text)")
        content = entry["content"]
        self.assertIn("<strong>bold %s</strong>" % m, content, "the content is not the rendered HTML")
        self.assertIn("<li>one</li>", content)
        self.assertIn('<a href="https://example.com/%s">link</a>' % m, content)
        self.assertIn("&amp; a &lt; b", content, "text in the HTML content is not HTML-escaped")
        self.assertIn("&lt;strong&gt;bold %s&lt;/strong&gt;" % m, raw,
                      "the HTML in <content type=\"html\"> is not escaped in the XML")
        self.assertNotIn("**bold", content, "the Markdown source is in the feed, not its HTML")


if __name__ == "__main__":
    unittest.main(verbosity=2)
