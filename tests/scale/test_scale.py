#!/usr/bin/env python3
"""Scale tests: blogd on the large data set (100,000 posts, 1,000,000 comments,
post 4 "The Busy Post" with 100,000 comments) against the tutorial data.

Starts two private stacks with scripts/stack.sh (one worker each, so one process
serves every request and its memory can be read):

    $BLOGD_TEST_ROOT/scale-tutorial   SEED=tutorial
    $BLOGD_TEST_ROOT/scale-large      SEED=large

and checks:
  1. the large stack starts (seed load included) within 120 s of wall time;
  2. keyset pagination of /, /comments/ and /4/ on the large data: first and
     deepest pages, next/prev chains against the database, forged cursors never
     5xx; no pager at all with the tutorial data;
  3. a comment added to the busy post through its form lands (303) on a page
     that shows it;
  4. flat memory: the worker's VmRSS after the same request mix differs by at
     most 1 MiB between the two stacks (measured first, on workers that have
     served only that mix);
  5. flat cost (informational): p50/p99 per page type on both stacks.

Both stacks are always stopped again (scripts/stack.sh stop: only the PIDs of
their own pid files). Everything is on 127.0.0.1. Environment: BLOGD_BIN,
BLOGD_TEST_ROOT (default /tmp/blogd-ctest).
"""

import os
import re
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from harness import stack, test_root  # noqa: E402
from harness.checks import check, run_test, say  # noqa: E402
from harness.client import Client, Conn, HTTPError, wait_http_ok  # noqa: E402
from harness.htmldoc import find_form, parse_html  # noqa: E402
from harness.proc import vm_rss_kib  # noqa: E402
from harness.stack import sql_quote, unique  # noqa: E402

LOAD_LIMIT_S = 120.0
RSS_LIMIT_KIB = 1024
MIX_REQUESTS = 2000
TIMING_REQUESTS = 200
WALK = 5  # next/prev links followed from each end
BUSY = 4
PAGE_POSTS, PAGE_COMMENTS = 20, 50

# ---------------------------------------------------------------------------
# Private stacks
# ---------------------------------------------------------------------------


class Stack(stack.Stack):
    """$BLOGD_TEST_ROOT/scale-<name>, one worker, SEED=seed; one kept-alive connection."""

    def __init__(self, name, seed):
        super().__init__(os.path.join(test_root(), "scale-" + name), name=name, seed=seed,
                         conf_extra="workers = 1")
        self.conn = None

    def start(self):
        try:
            super().start(timeout=400, wait=None)
        finally:
            for line in self.start_output.splitlines():
                say("  | " + line)
            for line in self.seed_timings():
                say("  | " + line)
        wait_http_ok(self.port, "/", 15)
        self.conn = Conn(self.port, 30)
        return self

    def seed_timings(self):
        try:
            with open(self.path("log", "sql.log"), encoding="utf-8", errors="replace") as f:
                return [l.rstrip() for l in f if l.startswith(("seed_large:", "blogd migrate: load"))]
        except OSError:
            return []

    def stop(self):
        if self.conn:
            self.conn.close()
        if os.path.isdir(self.var):
            rc, out = super().stop()
            say("%s: stopped (stack.sh stop exit %d)" % (self.name, rc))

    def master(self):
        return self.master_pid()

    def sql(self, query):
        return [list(r) for r in super().sql(query)]

    # -- HTTP (one kept-alive connection) --
    def get(self, path):
        for attempt in range(2):
            try:
                return self.conn.request("GET", path)
            except HTTPError:
                if attempt:
                    raise
                self.conn.close()


# ---------------------------------------------------------------------------
# Pages
# ---------------------------------------------------------------------------


class Page:
    """One list page: status, the ids shown (display order) and the pager links."""

    def __init__(self, path, resp, kind):
        self.path, self.status, self.resp = path, resp.status, resp
        self.ids, self.links = [], {}
        if resp.status != 200:
            return
        doc = parse_html(resp.text)
        if kind == "index":
            self.ids = [int(e.text().lstrip("#")) for e in doc.find_all("span", cls="post-id")]
        elif kind == "comments":
            self.ids = [int(e.text().strip("()#")) for e in doc.find_all("span", cls="comment-id")]
        else:
            self.ids = [int(e.get("id")[1:]) for e in doc.find_all("div", cls="comment")
                        if re.fullmatch(r"c\d+", e.get("id", ""))]
        for a in doc.find_all("a"):
            rel = a.get("rel")
            if rel in ("prev", "next"):
                href = a.get("href", "")
                q = urllib.parse.parse_qsl(urllib.parse.urlsplit(href).query)
                param, cursor = (q[0][0], int(q[0][1])) if len(q) == 1 and q[0][1].isdigit() else (None, None)
                self.links[rel] = (param, cursor, href)

    def link_path(self, rel):
        base = self.path.split("?")[0]
        return urllib.parse.urljoin(base, self.links[rel][2])

    def summary(self):
        ids = self.ids
        shown = ("%d ids %s..%s" % (len(ids), ids[0], ids[-1])) if ids else "no ids"
        return "%s -> %d, %s, links %s" % (self.path, self.status, shown,
                                           {k: v[2] for k, v in sorted(self.links.items())} or "none")


class ListSpec:
    """A keyset-paged list: where it lives, its order, page size and the DB rows behind it."""

    def __init__(self, name, path, kind, table, where, ascending, size):
        self.name, self.path, self.kind = name, path, kind
        self.table, self.where, self.ascending, self.size = table, where, ascending, size
        self.fwd = "after" if ascending else "before"   # rel="next"
        self.back = "before" if ascending else "after"  # rel="prev"

    def ids(self, st, cond, order, limit):
        w = " AND ".join(c for c in (self.where, cond) if c)
        return st.ints("SELECT id FROM %s %s ORDER BY id %s LIMIT %d" % (
            self.table, ("WHERE " + w) if w else "", order, limit))

    def head(self, st, k):
        """The first k ids in display order."""
        return self.ids(st, "", "ASC" if self.ascending else "DESC", k)

    def tail(self, st, k):
        """The last k ids in display order."""
        return list(reversed(self.ids(st, "", "DESC" if self.ascending else "ASC", k)))

    def expected(self, st, param, cursor):
        """Ids the page ?param=cursor must show, in display order."""
        if param == self.fwd:
            return self.ids(st, "id %s %d" % (">" if self.ascending else "<", cursor),
                            "ASC" if self.ascending else "DESC", self.size)
        return list(reversed(self.ids(st, "id %s %d" % ("<" if self.ascending else ">", cursor),
                                      "DESC" if self.ascending else "ASC", self.size)))

    def page(self, st, query=""):
        path = self.path + (("?" + query) if query else "")
        return Page(path, st.get(path), self.kind)


INDEX = ListSpec("index", "/", "index", "post", "", True, PAGE_POSTS)
COMMENTS = ListSpec("comments", "/comments/", "comments", "comment", "", False, PAGE_COMMENTS)
BUSY_POST = ListSpec("busy post", "/%d/" % BUSY, "post", "comment", "post_id = %d" % BUSY, True, PAGE_COMMENTS)


def check_page(pg, want_ids, want_prev, want_next, spec):
    """ids equal want_ids; prev/next present as wanted, with the cursors of the first/last id."""
    ok = check(pg.status == 200, "GET %s: expected 200, got %d" % (pg.path, pg.status))
    ok &= check(pg.ids == want_ids,
                "GET %s: expected ids %s (%d), got %s (%d)" % (
                    pg.path, short(want_ids), len(want_ids), short(pg.ids), len(pg.ids)))
    for rel, want, param in (("prev", want_prev, spec.back), ("next", want_next, spec.fwd)):
        got = pg.links.get(rel)
        if not want:
            ok &= check(got is None, "GET %s: expected no rel=\"%s\", got %s" % (
                pg.path, rel, got[2] if got else None))
            continue
        cursor = (pg.ids[0] if rel == "prev" else pg.ids[-1]) if pg.ids else None
        ok &= check(got is not None and got[0] == param and got[1] == cursor,
                    "GET %s: expected rel=\"%s\" href=\"?%s=%s\", got %s" % (
                        pg.path, rel, param, cursor, got[2] if got else None))
    return ok


def short(ids):
    if len(ids) <= 6:
        return str(ids)
    return "[%s, %s, %s, ..., %s, %s]" % (ids[0], ids[1], ids[2], ids[-2], ids[-1])


def walk(st, spec):
    """First page, WALK next links; deepest page, WALK prev links; all against the DB."""
    say("-- %s (%s): %d a page, %s first" % (spec.name, spec.path, spec.size,
                                             "oldest" if spec.ascending else "newest"))
    total = st.ints("SELECT COUNT(*) FROM %s%s" % (spec.table, (" WHERE " + spec.where) if spec.where else ""))[0]
    say("  rows in the list: %d" % total)
    n, k = spec.size, spec.size * (WALK + 1)

    # forwards from the first page
    pg = spec.page(st)
    say("  first page: " + pg.summary())
    check_page(pg, spec.head(st, n), False, True, spec)
    if spec is INDEX:
        check(pg.ids[:5] == [1, 2, 3, 4, 5], "GET /: expected ids to start 1,2,3,4,5, got %s" % pg.ids[:5])
    seen = list(pg.ids)
    for i in range(WALK):
        if "next" not in pg.links:
            break
        param, cursor, _ = pg.links["next"]
        pg = Page(pg.link_path("next"), st.get(pg.link_path("next")), spec.kind)
        say("  next %d: %s" % (i + 1, pg.summary()))
        check_page(pg, spec.expected(st, param, cursor), True, True, spec)
        seen += pg.ids
    want = spec.head(st, k)
    check(seen == want and len(set(seen)) == len(seen),
          "%s: %d next-linked pages from the first: expected contiguous ids %s, got %s (%d distinct)" % (
              spec.path, WALK + 1, short(want), short(seen), len(set(seen))))

    # the deepest page, reached by cursor(s) computed from the DB
    last = spec.tail(st, n)
    beyond = spec.tail(st, n + 1)[0]  # the id shown just before the last page
    if spec.ascending:
        mx = st.ints("SELECT MAX(id) FROM %s%s" % (spec.table, (" WHERE " + spec.where) if spec.where else ""))[0]
        deep = ["before=%d" % (mx + 1), "after=%d" % beyond]
    else:  # ?after=0 (just before the oldest id) is not a valid cursor: see FORGED
        deep = ["before=%d" % beyond]
    for q in deep:
        dp = spec.page(st, q)
        say("  deepest page: " + dp.summary())
        check_page(dp, last, True, False, spec)
    pg = spec.page(st, deep[0])
    seen = list(pg.ids)
    for i in range(WALK):
        if "prev" not in pg.links:
            break
        param, cursor, _ = pg.links["prev"]
        pg = Page(pg.link_path("prev"), st.get(pg.link_path("prev")), spec.kind)
        say("  prev %d: %s" % (i + 1, pg.summary()))
        check_page(pg, spec.expected(st, param, cursor), True, True, spec)
        seen = pg.ids + seen
    want = spec.tail(st, k)
    check(seen == want and len(set(seen)) == len(seen),
          "%s: %d prev-linked pages from the deepest: expected contiguous ids %s, got %s (%d distinct)" % (
              spec.path, WALK + 1, short(want), short(seen), len(set(seen))))


FORGED = ["after=abc", "after=-5", "after=99999999999", "before=0", "after=4294967295", "before=1",
          "after=0", "before=4294967296", "after=007", "after=1&after=2", "before=%31%30"]


def forged(st, spec):
    for q in FORGED:
        pg = spec.page(st, q)
        check(pg.status == 200, "GET %s: expected 200 (a sensible page), got %d" % (pg.path, pg.status))
        say("    " + pg.summary())
        for rel in sorted(pg.links):
            lp = pg.link_path(rel)
            r = st.get(lp)
            check(r.status == 200, "GET %s (rel=\"%s\" of %s): expected 200, got %d" % (lp, rel, pg.path, r.status))


# ---------------------------------------------------------------------------
# Checks
# ---------------------------------------------------------------------------


def check_load_time(large):
    say("== 1. load time")
    say("  SEED=large stack start: %.1f s wall (limit %.0f s)" % (large.start_seconds, LOAD_LIMIT_S))
    counts = large.sql("SELECT (SELECT COUNT(*) FROM post), (SELECT COUNT(*) FROM comment), "
                       "(SELECT COUNT(*) FROM comment WHERE post_id = %d), (SELECT title FROM post WHERE id = %d)"
                       % (BUSY, BUSY))[0]
    say("  posts=%s comments=%s busy-post comments=%s title=%r" % tuple(counts))
    check(counts[:3] == ["100000", "1000000", "100000"] and counts[3] == "The Busy Post",
          "large data: expected 100000 posts, 1000000 comments, post 4 'The Busy Post' with 100000; got %s" % counts)
    check(large.start_seconds < LOAD_LIMIT_S,
          "SEED=large start: expected < %.0f s, took %.1f s" % (LOAD_LIMIT_S, large.start_seconds))


def check_paging(tut, large):
    say("== 2. keyset pagination (large data)")
    for spec in (INDEX, COMMENTS, BUSY_POST):
        walk(large, spec)
    say("-- forged/stale cursors (large data)")
    for spec in (INDEX, COMMENTS, BUSY_POST):
        forged(large, spec)
    say("-- forged/stale cursors (tutorial data)")
    for spec in (INDEX, COMMENTS):
        forged(tut, spec)
    say("-- tutorial data: no pager")
    for path in ("/", "/1/", "/2/", "/comments/"):
        r = tut.get(path)
        rels = re.findall(r'rel="(next|prev)"', r.text)
        say("    GET %s -> %d, rel links %s, pager nav %s" % (path, r.status, rels, 'class="pager"' in r.text))
        check(r.status == 200 and not rels, "tutorial GET %s: expected 200 without rel=next/prev, got %d with %s"
              % (path, r.status, rels))


def check_comment_lands(large):
    say("== 3. a new comment on the busy post lands on a page that shows it")
    c = Client("http://127.0.0.1:%d" % large.port)
    page = c.get("/%d/" % BUSY)
    if not check(page.status == 200, "GET /%d/: expected 200, got %d" % (BUSY, page.status)):
        return
    form = find_form(page.text, "/%d/" % BUSY, "/%d/" % BUSY)
    check(bool(form.field("csrf")) and bool(c.cookie("blogd_csrf")),
          "GET /%d/: expected a hidden csrf input and a blogd_csrf cookie" % BUSY)
    text = unique("scale-busy")
    r = c.submit(page, "/%d/" % BUSY, {"content": text})
    new_id = large.ints("SELECT id FROM comment WHERE post_id = %d AND content = %s" % (BUSY, sql_quote(text)))
    say("  POST /%d/ -> %d Location %s (new comment id %s)" % (BUSY, r.status, r.header("Location"), new_id))
    if not check(r.status == 303 and r.location_path, "POST /%d/: expected 303 with Location, got %d %s"
                 % (BUSY, r.status, r.header("Location"))):
        return
    check(len(new_id) == 1, "POST /%d/: expected the comment stored once, found %d" % (BUSY, len(new_id)))
    land = c.get(r.location_path)
    shown = Page(r.location_path, large.get(r.location_path), "post")
    say("  GET %s -> %d, text found %s; %s" % (r.location_path, land.status, text in land.text, shown.summary()))
    check(land.status == 200 and text in land.text,
          "GET %s (Location of the 303): expected 200 showing %r, got %d, text %s" % (
              r.location_path, text, land.status, "present" if text in land.text else "absent"))
    if new_id:
        check(new_id[0] in shown.ids, "GET %s: expected comment #%d among ids %s" % (
            r.location_path, new_id[0], short(shown.ids)))


def request_mix(large):
    """The same URLs on both stacks; cursors taken from the large data."""
    mx_post = large.ints("SELECT MAX(id) FROM post")[0]
    mx_busy = large.ints("SELECT MAX(id) FROM comment WHERE post_id = %d" % BUSY)[0]
    old_comments = COMMENTS.tail(large, PAGE_COMMENTS + 1)[0]
    busiest = large.ints("SELECT post_id FROM comment WHERE post_id <> %d GROUP BY post_id "
                         "ORDER BY COUNT(*) DESC LIMIT 1" % BUSY)[0]
    mix = ["/", "/?after=%d" % (mx_post // 2), "/?before=%d" % (mx_post + 1), "/?after=%d" % (mx_post - 21),
           "/comments/", "/comments/?before=500000", "/comments/?before=%d" % old_comments,
           "/%d/" % BUSY, "/%d/?before=%d" % (BUSY, mx_busy + 1), "/%d/?after=500005" % BUSY,
           "/about/"]
    posts = [1, 2, 3, busiest] + [5 + i * 6247 for i in range(16)]
    mix += ["/%d/" % p for p in posts]
    return mix


def run_mix(st, mix, n):
    statuses = {}
    for i in range(n):
        r = st.get(mix[i % len(mix)])
        statuses[r.status] = statuses.get(r.status, 0) + 1
    return dict(sorted(statuses.items()))


def check_memory(tut, large, mix):
    say("== 4. flat memory (one worker, %d requests over %d URLs, twice)" % (MIX_REQUESTS, len(mix)))
    rss = {}
    for st in (tut, large):
        w0 = st.workers()
        if not check(len(w0) == 1, "%s: expected 1 worker (child of master %s), got %s" % (st.name, st.master(), w0)):
            return
        before = vm_rss_kib(w0[0])
        s1 = run_mix(st, mix, MIX_REQUESTS)
        warm = vm_rss_kib(w0[0])
        s2 = run_mix(st, mix, MIX_REQUESTS)
        w1 = st.workers()
        rss[st.name] = vm_rss_kib(w0[0])
        say("  %s: worker %d VmRSS idle %d kB, after pass 1 %d kB, after pass 2 %d kB; statuses %s / %s"
            % (st.name, w0[0], before, warm, rss[st.name], s1, s2))
        check(w1 == w0, "%s: expected the same worker throughout, got %s then %s" % (st.name, w0, w1))
        check(not any(s >= 500 for s in list(s1) + list(s2)), "%s: expected no 5xx in the mix, got %s / %s"
              % (st.name, s1, s2))
    diff = rss["large"] - rss["tutorial"]
    say("  VmRSS large %d kB - tutorial %d kB = %+d kB (limit %d kB)"
        % (rss["large"], rss["tutorial"], diff, RSS_LIMIT_KIB))
    check(diff <= RSS_LIMIT_KIB, "worker VmRSS after the same mix: expected large - tutorial <= %d kB, got %d - %d = %d kB"
          % (RSS_LIMIT_KIB, rss["large"], rss["tutorial"], diff))


def check_cost(tut, large):
    say("== 5. flat cost (informational: %d sequential requests per page type)" % TIMING_REQUESTS)
    mx_t = tut.ints("SELECT MAX(id) FROM post")[0]
    mx_l = large.ints("SELECT MAX(id) FROM post")[0]
    mxc_l = large.ints("SELECT MAX(id) FROM comment WHERE post_id = %d" % BUSY)[0]
    if tut.ints("SELECT COUNT(*) FROM comment")[0] > PAGE_COMMENTS:
        old_t = COMMENTS.tail(tut, PAGE_COMMENTS + 1)[0]
    else:  # the tutorial's few comments: the one page there is
        old_t = tut.ints("SELECT MAX(id) FROM comment")[0] + 1
    old_l = COMMENTS.tail(large, PAGE_COMMENTS + 1)[0]
    types = [
        ("index first", "/", "/"),
        ("index deepest", "/?before=%d" % (mx_t + 1), "/?before=%d" % (mx_l + 1)),
        ("comments first", "/comments/", "/comments/"),
        ("comments deepest", "/comments/?before=%d" % old_t, "/comments/?before=%d" % old_l),
        ("post first", "/1/", "/%d/" % BUSY),
        ("post last page", "/1/?before=4294967295", "/%d/?before=%d" % (BUSY, mxc_l + 1)),
        ("other post", "/2/", "/50007/"),
    ]

    def measure(st, path):
        lat, bad = [], 0
        for _ in range(TIMING_REQUESTS):
            t0 = time.perf_counter()
            r = st.get(path)
            lat.append(time.perf_counter() - t0)
            bad += r.status != 200
        lat.sort()
        q = lambda p: lat[min(len(lat) - 1, int(p * len(lat)))] * 1000
        return q(0.50), q(0.99), bad

    say("  %-17s %-32s %16s   %-32s %16s   %s" % ("page", "tutorial", "p50/p99 ms", "large", "p50/p99 ms", "p50 ratio"))
    for name, pt, pl in types:
        a50, a99, abad = measure(tut, pt)
        b50, b99, bbad = measure(large, pl)
        say("  %-17s %-32s %7.2f/%-8.2f   %-32s %7.2f/%-8.2f   %.2f%s" % (
            name, pt, a50, a99, pl, b50, b99, b50 / a50 if a50 else 0,
            ("  (non-200: tutorial %d, large %d)" % (abad, bbad)) if abad or bbad else ""))


def rss_after_all(tut, large):
    """Informational: the workers' VmRSS after every check (their histories now differ)."""
    rss = {}
    for st in (tut, large):
        w = st.workers()
        rss[st.name] = vm_rss_kib(w[0]) if len(w) == 1 else None
    if None not in rss.values():
        say("== info: worker VmRSS after all checks: large %d kB - tutorial %d kB = %+d kB" % (
            rss["large"], rss["tutorial"], rss["large"] - rss["tutorial"]))


def main():
    tut = Stack("tutorial", "tutorial")
    large = Stack("large", "large")
    try:
        tut.start()
        large.start()
        check_load_time(large)
        # Memory first, while both workers have served nothing but the same mix (the page
        # walk below serves many more distinct large pages, which fill the page cache).
        check_memory(tut, large, request_mix(large))
        check_paging(tut, large)
        check_comment_lands(large)
        check_cost(tut, large)
        rss_after_all(tut, large)
    finally:
        for st in (large, tut):
            try:
                st.stop()
            except Exception as e:  # noqa: BLE001 - stop the other one anyway
                say("%s: stop failed: %r" % (st.name, e))


if __name__ == "__main__":
    run_test("scale", main)
