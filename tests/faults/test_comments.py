"""Comments in production (issue 14): ownership, the page cache, moderation, honeypot, names and
times, the rate limit, and comment_delete = anyone, with two browsers (A and B), an attacker
and a signed-in admin.

The test starts its own private stack with the production options appended (PROD below:
comment_delete = owner, comment_moderation = links, moderation_links = 1, comment_rate = 5),
then, through nginx on 127.0.0.1:
  1. ownership: A's comment has a "Delete Comment" button for A only, B sees none; the owner
     cookie blogd_own holds `<cid>_<pid>_<32 hex>` and the database only SHA-256 of its bytes;
     B's forged delete and an attacker's made-up secret answer 403 and delete nothing; A's
     delete works and drops the entry from A's cookie; an admin has every button and may
     delete any comment;
  2. the page cache stays exact: B's anonymous page shows A's new comment at once, two
     anonymous GETs are identical (the csrf token aside) and carry one `<!--own:ID-->`
     placeholder per comment, and A's page differs from B's only by A's button;
  3. moderation (links): two links are held (shown to A, marked, never to B, /comments/ or a
     cookie-less visitor), listed first with Approve on /admin/comments, shown to B on the next
     request after the approval; one link is not held;
  4. the honeypot `website`: filled -> 422, nothing stored;
  5. names: 50 characters (multi-byte too) stored and shown in span.comment-name, 51 -> 422 with
     the texts kept, empty -> "Anonymous", HTML escaped; <time datetime=...Z> on the post page,
     /comments/ and /admin/comments;
  6. the rate limit: the 6th comment within a minute from one address -> 429 with Retry-After
     1..60, the post page in the layout with the text and name kept and a message, nothing
     stored; another address is not limited;
  7. comment_delete = anyone (appended to blogd.conf, SIGHUP): every comment has its button for
     B and B's delete works.
Every comment POST counts against its client address's limit, so each check sends its comments
from a loopback address of its own (127.x.y.z: nginx listens on 127.0.0.1, the client binds
its socket to another source address; blogd sees it as REMOTE_ADDR).
"""
import hashlib
import http.client
import itertools
import os
import re
import sys
import time
import traceback
import urllib.parse
from datetime import datetime, timezone

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import faultlib as fl  # noqa: E402
from harness.client import Client, Headers, Response  # noqa: E402
from harness.htmldoc import find_forms, parse_html  # noqa: E402

NAME = "test_comments"
PROD = ("comment_delete = owner\ncomment_moderation = links\nmoderation_links = 1\n"
        "comment_rate = 5")
POST = 2
OWN_COOKIE = "blogd_own"
ENTRY = re.compile(r"^(h?)(\d+)_(\d+)_([0-9a-f]{32})$")
ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
DELETE_ACTION = re.compile(r"^/comments/(\d+)/delete$")
CSRF_VALUE = re.compile(r'(name="csrf" value=")[^"]*(")')
SLOT = re.compile(r"<!--own:\d+-->")
BUTTON = re.compile(r'<form class="delete"[^>]*>.*?</form>', re.S)

_addr = itertools.count(1)
_base = os.getpid() % 200 + 20


def fresh_address():
    """A loopback address no other check of this run uses."""
    n = next(_addr)
    return "127.14.%d.%d" % (_base, n)


class Browser(Client):
    """A Client (cookie jar, forms) whose connections come from `source`, a loopback address
    (tests/integration/test_authors.py's AddrClient); set .source to move it elsewhere."""

    def __init__(self, url, label, source=None):
        super().__init__(url)
        self.label = label
        self.source = source or fresh_address()

    def _one(self, method, path, body, headers):  # harness.client.Client._one + source_address
        if isinstance(body, str):
            body = body.encode("utf-8")
        hdrs = {"User-Agent": "blogd-faults-comments", "Accept": "text/html,*/*"}
        hdrs.update(headers or {})
        cookie = self._cookie_header(path)
        if cookie and not any(k.lower() == "cookie" for k in hdrs):
            hdrs["Cookie"] = cookie
        if body is not None and not any(k.lower() == "content-length" for k in hdrs):
            hdrs["Content-Length"] = str(len(body))
        conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout,
                                          source_address=(self.source, 0))
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

    def own_entries(self):
        v = self.cookie(OWN_COOKIE)
        return [e for e in v.split(".") if e] if v else []


# ---------------------------------------------------------------------------
# Pages
# ---------------------------------------------------------------------------


def csrf_of(text):
    m = re.search(r'name="csrf" value="([^"]+)"', text)
    return m.group(1) if m else None


def comments_of(text):
    """{comment id: info} of the div.comment elements of a page, in page order."""
    out = {}
    for div in parse_html(text).find_all("div", cls="comment"):
        m = re.match(r"^c(\d+)$", div.get("id") or "")
        cid = int(m.group(1)) if m else None
        if cid is None:
            ident = div.find("span", cls="comment-id")
            m = re.search(r"\d+", ident.text()) if ident else None
            cid = int(m.group(0)) if m else None
        name = div.find("span", cls="comment-name")
        tm = div.find("time")
        txt = div.find("p", cls="text")
        deletes = [f for f in div.find_all("form")
                   if DELETE_ACTION.match(urllib.parse.urlsplit(f.get("action") or "").path)]
        approves = [f for f in div.find_all("form")
                    if re.match(r"^/admin/comments/\d+/approve$", f.get("action") or "")]
        out[cid] = {
            "name": name.raw_text() if name else None,
            "text": txt.raw_text() if txt else None,
            "time": tm.get("datetime") if tm else None,
            "held": "held" in div.classes,
            "awaiting": "awaiting moderation" in div.text(),
            "deletes": deletes,
            "delete_buttons": [b.text() for f in deletes for b in f.find_all("button")],
            "approves": approves,
        }
    return out


def delete_forms(text):
    """Comment ids of every delete form of a page (anywhere in it)."""
    ids = []
    for f in find_forms(text):
        m = DELETE_ACTION.match(urllib.parse.urlsplit(f.action or "").path)
        if m:
            ids.append(int(m.group(1)))
    return ids


def normalized(text):
    return CSRF_VALUE.sub(r"\1-\2", text)


def without_buttons(text):
    t = normalized(text)
    t = BUTTON.sub("", t)
    t = SLOT.sub("", t)
    return re.sub(r"\n\s*\n", "\n", t)


def set_cookie_attrs(resp, name):
    """[(value, {attr: value})] of resp's Set-Cookie headers for cookie `name`."""
    out = []
    for h in resp.headers.get_all("Set-Cookie"):
        parts = [p.strip() for p in h.split(";")]
        n, _, v = parts[0].partition("=")
        if n.strip() != name:
            continue
        attrs = {}
        for a in parts[1:]:
            k, _, av = a.partition("=")
            attrs[k.strip().lower()] = av.strip()
        out.append((v.strip(), attrs))
    return out


def short(resp):
    return "%s %s -> %s (Location %s)" % (resp.method, resp.url, resp.status, resp.header("Location"))


# ---------------------------------------------------------------------------
# The stack
# ---------------------------------------------------------------------------


class Site:
    def __init__(self, st):
        self.st = st
        self.url = st.url
        self.marker = "cmt%d%s" % (os.getpid(), os.urandom(3).hex())
        self.n = itertools.count(1)

    def browser(self, label, source=None):
        return Browser(self.url, label, source)

    def text(self, what):
        return "%s-%s-%d" % (self.marker, what, next(self.n))

    def comment(self, b, content, name=None, extra=None, page=None):
        """b writes a comment on POST through the post page's form (as a browser fills it)."""
        page = page or b.get("/%d/" % POST)
        if page.status != 200:
            raise AssertionError("%s: GET /%d/ answered %d" % (b.label, POST, page.status))
        fields = {"content": content}
        if name is not None:
            fields["name"] = name
        fields.update(extra or {})
        return b.submit(page, "/%d/" % POST, fields)

    def row(self, content):
        """(id, name, owner_hash, status, post_id) of the comment with that content, or None."""
        rows = self.st.sql("SELECT id, name, IFNULL(owner_hash, ''), status, post_id FROM comment "
                           "WHERE content = %s" % fl._stack.sql_quote(content), decode=True)
        if not rows:
            return None
        r = rows[0]
        return int(r[0]), r[1], r[2], r[3], int(r[4])

    def stored(self, content):
        return int(self.st.sql("SELECT COUNT(*) FROM comment WHERE content = %s"
                               % fl._stack.sql_quote(content))[0][0])

    def exists(self, cid):
        return int(self.st.sql("SELECT COUNT(*) FROM comment WHERE id = %d" % cid)[0][0]) == 1

    def count(self):
        return int(self.st.sql("SELECT COUNT(*) FROM comment")[0][0])

    def comment_table_dump(self):
        """Every cell of the comment table, as text and as HEX() (binary columns read safely)."""
        cols = [r[0] for r in self.st.sql(
            "SELECT COLUMN_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() "
            "AND TABLE_NAME = 'comment'")]
        q = "SELECT CONCAT_WS('|', %s, %s) FROM comment" % (
            ", ".join("IFNULL(`%s`, '')" % c for c in cols), ", ".join("HEX(`%s`)" % c for c in cols))
        return "\n".join((r[0] or "") for r in self.st.sql(q, decode=True)).lower()

    def admin(self):
        """A browser signed in as admin (the stack's password file)."""
        env = self.st.stack_env()
        path = env.get("BLOGD_ADMIN_PASSWORD_FILE") or self.st.path("admin_password")
        with open(path, encoding="utf-8") as f:
            pw = f.readline().rstrip("\r\n")
        a = self.browser("admin")
        page = a.get("/login")
        r = a.submit(page, "/login", {"username": "admin", "password": pw})
        if r.status != 303 or not a.cookie("blogd_session"):
            raise AssertionError("signing in as admin failed: %s" % short(r))
        return a


def check_times(label, text, expect_some=True):
    cs = comments_of(text)
    bad = [cid for cid, c in cs.items() if not (c["time"] and ISO.match(c["time"]))]
    fl.check(cs and not bad if expect_some else not bad,
             "%s: every comment (%d) has <time datetime=\"YYYY-MM-DDTHH:MM:SSZ\"> (without: %s)"
             % (label, len(cs), bad))


def near_now(iso, minutes=10):
    try:
        t = datetime.strptime(iso, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    except (TypeError, ValueError):
        return False
    return abs((datetime.now(timezone.utc) - t).total_seconds()) <= minutes * 60


# ---------------------------------------------------------------------------
# 1 + 2: ownership and the page cache
# ---------------------------------------------------------------------------


def ownership(s):
    fl.say("--- 1. ownership (comment_delete = owner) and 2. the page cache ---")
    A, B = s.browser("A"), s.browser("B")
    text = s.text("owned")
    r = s.comment(A, text, "Alice")
    fl.check(r.status == 303 and r.location_path and r.location_path.startswith("/%d/" % POST),
             "A's comment on /%d/ (name Alice): 303 to the post (%s)" % (POST, short(r)))
    row = s.row(text)
    fl.check(row is not None, "A's comment is stored")
    if row is None:
        return
    cid, name, owner_hash, status, pid = row
    fl.check(name == "Alice" and status == "approved" and pid == POST,
             "stored with name 'Alice', status approved, post %d (got %r, %r, %r)" % (POST, name, status, pid))

    # The owner cookie and the database's hash.
    sc = set_cookie_attrs(r, OWN_COOKIE)
    fl.check(len(sc) == 1, "the POST sets %s once (%d)" % (OWN_COOKIE, len(sc)))
    if sc:
        attrs = sc[0][1]
        fl.check("httponly" in attrs and attrs.get("samesite", "").lower() == "lax"
                 and attrs.get("path") == "/" and attrs.get("max-age") == str(365 * 86400),
                 "%s is HttpOnly, SameSite=Lax, Path=/, Max-Age=%d (attributes: %s)"
                 % (OWN_COOKIE, 365 * 86400, attrs))
    entries = A.own_entries()
    mine = [ENTRY.match(e) for e in entries]
    mine = [m for m in mine if m and int(m.group(2)) == cid]
    fl.check(len(entries) == 1 and len(mine) == 1 and mine[0].group(1) == "" and int(mine[0].group(3)) == POST,
             "A's %s holds the entry %d_%d_<32 hex> (cookie: %r)" % (OWN_COOKIE, cid, POST, A.cookie(OWN_COOKIE)))
    if not mine:
        return
    entry = mine[0].group(0)
    secret = mine[0].group(4)
    want_hash = hashlib.sha256(bytes.fromhex(secret)).hexdigest()
    fl.check(owner_hash == want_hash,
             "comment.owner_hash is sha256(bytes.fromhex(secret)) (stored %r)" % owner_hash)
    dump = s.comment_table_dump()
    fl.check(secret not in dump, "the raw secret is nowhere in the comment table (as text or hex)")

    # A: a button for its comment only; B: none at all.
    pa = A.get("/%d/" % POST)
    ca = comments_of(pa.text)
    fl.check(pa.status == 200 and cid in ca, "A's GET /%d/ shows A's comment (%d)" % (POST, pa.status))
    fl.check(delete_forms(pa.text) == [cid],
             "A's page has exactly one delete form, for comment %d (forms for %s)" % (cid, delete_forms(pa.text)))
    fl.check(cid in ca and ca[cid]["delete_buttons"] == ["Delete Comment"],
             "A's button on its comment reads \"Delete Comment\" (%s)" % (ca.get(cid, {}).get("delete_buttons"),))
    pb = B.get("/%d/" % POST)
    cb = comments_of(pb.text)
    fl.check(pb.status == 200 and cid in cb and cb[cid]["text"] == text and cb[cid]["name"] == "Alice",
             "B's anonymous GET /%d/ shows A's new comment at once, with its name" % POST)
    fl.check(delete_forms(pb.text) == [], "B's page has no delete button at all (forms for %s)"
             % delete_forms(pb.text))
    fl.check(len(cb) >= 3, "post %d shows %d comments (the seed's and A's)" % (POST, len(cb)))

    # 2. The page cache: B's pages identical, one placeholder per comment, A's = B's + button.
    pb2 = B.get("/%d/" % POST)
    fl.check(pb2.status == 200 and normalized(pb2.text) == normalized(pb.text),
             "two consecutive anonymous GETs /%d/ of B are identical apart from the csrf token" % POST)
    anon = s.browser("anonymous").get("/%d/" % POST)
    fl.check(anon.status == 200 and normalized(anon.text) == normalized(pb.text),
             "a cookie-less visitor gets the same page as B (csrf token aside)")
    slots = sorted(int(x) for x in re.findall(r"<!--own:(\d+)-->", pb.text))
    fl.check(slots == sorted(cb), "B's page keeps one <!--own:ID--> placeholder per comment (%s for %s)"
             % (slots, sorted(cb)))
    fl.check("<!--own:%d-->" % cid not in pa.text, "A's page has its button in place of <!--own:%d-->" % cid)
    same = without_buttons(pa.text) == without_buttons(pb.text)
    if not same:
        import difflib
        d = list(difflib.unified_diff(without_buttons(pb.text).splitlines(), without_buttons(pa.text).splitlines(),
                                      "B", "A", lineterm="", n=1))
        fl.say("    diff B -> A (buttons and placeholders removed):\n    " + "\n    ".join(d[:30]))
    fl.check(same, "A's page differs from B's only by its button (csrf token aside)")
    for p in (pa, pb):
        cache_hdr = [(k, v) for k, v in p.headers.items() if "cache" in k.lower() and k.lower() != "cache-control"]
        if cache_hdr:
            fl.say("    %s: %s" % (p.url, cache_hdr))

    # B's forged delete, with B's own valid csrf token.
    tok_b = csrf_of(pb2.text)
    r = B.post_form("/comments/%d/delete" % cid, {"csrf": tok_b})
    fl.check(r.status == 403, "B's forged POST /comments/%d/delete (B's own csrf) -> 403 (%s)" % (cid, short(r)))
    fl.check(s.exists(cid), "the comment is still there")
    fl.check(not set_cookie_attrs(r, OWN_COOKIE), "the 403 sets no owner cookie")

    # An attacker copies A's entry but not its secret (it only has the hash, or guesses).
    X = s.browser("attacker")
    px = X.get("/%d/" % POST)
    tok_x = csrf_of(px.text)
    for label, forged in (("another secret", "%d_%d_%s" % (cid, POST, os.urandom(16).hex())),
                          ("the stored hash's first half", "%d_%d_%s" % (cid, POST, owner_hash[:32])),
                          ("A's secret one digit off", "%d_%d_%s" % (cid, POST, secret[:-1] + ("0" if secret[-1] != "0" else "1")))):
        r = X.post_form("/comments/%d/delete" % cid, {"csrf": tok_x},
                        headers={"Cookie": "blogd_csrf=%s; %s=%s" % (X.cookie("blogd_csrf"), OWN_COOKIE, forged)})
        fl.check(r.status == 403, "attacker with A's entry but %s -> 403 (%s)" % (label, short(r)))
    fl.check(s.exists(cid), "A's comment is still there after the attacker's tries")

    # A deletes its own comment: 303, and the entry leaves A's cookie.
    r = A.submit(pa, "/comments/%d/delete" % cid)
    fl.check(r.status == 303 and r.location_path == "/%d/" % POST,
             "A's own delete -> 303 to /%d/ (%s)" % (POST, short(r)))
    fl.check(not s.exists(cid), "A's comment is gone from the database")
    fl.check(entry not in A.own_entries(),
             "the entry is gone from A's cookie (A's only entry; the delete's Set-Cookie for %s: %s; "
             "A's cookie now %r)" % (OWN_COOKIE, set_cookie_attrs(r, OWN_COOKIE) or "none", A.cookie(OWN_COOKIE)))
    # Two more comments of A's: deleting one keeps the other's entry, deleting that one drops it.
    A.source = fresh_address()
    kept = []
    for k in range(2):
        t = s.text("owned-more")
        rr = s.comment(A, t, "Alice")
        kept.append(s.row(t))
    if all(kept):
        (x, *_), (y, *_) = kept
        px = A.get("/%d/" % POST)
        fl.check(sorted(delete_forms(px.text)) == sorted([x, y]),
                 "A owns two comments now: buttons for %d and %d (forms for %s)" % (x, y, delete_forms(px.text)))
        rr = A.submit(px, "/comments/%d/delete" % x)
        ids = [int(ENTRY.match(e).group(2)) for e in A.own_entries() if ENTRY.match(e)]
        fl.check(rr.status == 303 and x not in ids and y in ids,
                 "A deletes %d of its two: 303, the cookie keeps %d's entry only (ids now %s)" % (x, y, ids))
        rr = A.submit(A.get("/%d/" % POST), "/comments/%d/delete" % y)
        ids = [int(ENTRY.match(e).group(2)) for e in A.own_entries() if ENTRY.match(e)]
        fl.check(rr.status == 303 and y not in ids,
                 "A deletes the other one, %d, too: 303, its entry leaves the cookie (Set-Cookie: %s; ids now %s)"
                 % (y, set_cookie_attrs(rr, OWN_COOKIE) or "none", ids))
    else:
        fl.check(False, "A's two more comments were stored (%s)" % kept)
    pb3 = B.get("/%d/" % POST)
    fl.check(cid not in comments_of(pb3.text), "B's next GET /%d/ no longer shows it" % POST)

    # An admin: a button on every comment, and any comment deleted.
    C = s.browser("C")
    ctext = s.text("by-c")
    r = s.comment(C, ctext, "Carol")
    crow = s.row(ctext)
    fl.check(r.status == 303 and crow is not None, "C's comment stored (%s)" % short(r))
    adm = s.admin()
    pd = adm.get("/%d/" % POST)
    cd = comments_of(pd.text)
    fl.check(pd.status == 200 and cd and all(len(c["deletes"]) == 1 for c in cd.values()),
             "the signed-in admin sees a delete button on every comment of /%d/ (%d comments, %d buttons)"
             % (POST, len(cd), sum(len(c["deletes"]) for c in cd.values())))
    if crow:
        r = adm.submit(pd, "/comments/%d/delete" % crow[0])
        fl.check(r.status == 303, "the admin deletes C's comment -> 303 (%s)" % short(r))
        fl.check(not s.exists(crow[0]), "C's comment is gone")
        pc = C.get("/%d/" % POST)
        fl.check(crow[0] not in comments_of(pc.text) and delete_forms(pc.text) == [],
                 "C's next page: the comment gone, no button left for it")


# ---------------------------------------------------------------------------
# 3: moderation (links)
# ---------------------------------------------------------------------------


def moderation(s):
    fl.say("--- 3. moderation (comment_moderation = links, moderation_links = 1) ---")
    A, B = s.browser("A3"), s.browser("B3")
    B.get("/%d/" % POST)
    held_text = s.text("held") + " see http://example.org/one and https://example.net/two"
    r = s.comment(A, held_text, "Linker")
    row = s.row(held_text)
    fl.check(r.status == 303 and row is not None, "A's comment with 2 links: 303, stored (%s)" % short(r))
    if row is None:
        return
    hid = row[0]
    fl.check(row[3] == "held", "a comment with 2 links is held (status %r)" % row[3])
    fl.check(any(e.startswith("h%d_%d_" % (hid, POST)) for e in A.own_entries()),
             "A's cookie holds the held entry h%d_%d_<hex> (%r)" % (hid, POST, A.cookie(OWN_COOKIE)))
    pa = A.get("/%d/" % POST)
    ca = comments_of(pa.text)
    fl.check(hid in ca and ca[hid]["held"] and ca[hid]["awaiting"],
             "A sees its held comment, with class \"held\" and \"awaiting moderation\"")
    fl.check(hid in ca and ca[hid]["delete_buttons"] == ["Delete Comment"], "A has the button for its held comment")
    for label, p in (("B's GET /%d/" % POST, B.get("/%d/" % POST)),
                     ("a cookie-less GET /%d/" % POST, s.browser("anon3").get("/%d/" % POST)),
                     ("B's GET /comments/", B.get("/comments/"))):
        fl.check(p.status == 200 and hid not in comments_of(p.text) and held_text not in p.text,
                 "%s does not show the held comment (%d)" % (label, p.status))
    feed = B.get("/feed.atom")
    fl.check(held_text not in feed.text and s.marker + "-held" not in feed.text,
             "the feed does not carry the held comment (%d)" % feed.status)

    adm = s.admin()
    pl = adm.get("/admin/comments")
    cl = comments_of(pl.text)
    first = next(iter(cl), None)
    fl.check(pl.status == 200 and first == hid, "/admin/comments lists the held comment first (first: %s)" % first)
    fl.check(hid in cl and len(cl[hid]["approves"]) == 1 and cl[hid]["held"],
             "/admin/comments: the held comment has an Approve form (and class held)")
    check_times("/admin/comments", pl.text)
    r = adm.submit(pl, "/admin/comments/%d/approve" % hid)
    fl.check(r.status == 303 and r.location_path == "/admin/comments",
             "POST /admin/comments/%d/approve -> 303 /admin/comments (%s)" % (hid, short(r)))
    fl.check(s.row(held_text)[3] == "approved", "the comment is approved in the database")
    pb = B.get("/%d/" % POST)
    cb = comments_of(pb.text)
    fl.check(hid in cb and not cb[hid]["held"] and not cb[hid]["awaiting"],
             "B's next GET /%d/ shows the approved comment, not marked held" % POST)
    fl.check(hid in comments_of(B.get("/comments/").text), "/comments/ shows it now")

    one = s.text("onelink") + " see https://example.org/only"
    A.source = fresh_address()
    r = s.comment(A, one, "OneLink")
    row1 = s.row(one)
    fl.check(r.status == 303 and row1 is not None and row1[3] == "approved",
             "a comment with 1 link is not held (%s, status %r)" % (short(r), row1 and row1[3]))
    if row1:
        fl.check(row1[0] in comments_of(B.get("/%d/" % POST).text), "B sees the 1-link comment at once")


# ---------------------------------------------------------------------------
# 4: honeypot
# ---------------------------------------------------------------------------


def honeypot(s):
    fl.say("--- 4. honeypot ---")
    H = s.browser("bot")
    page = H.get("/%d/" % POST)
    doc = parse_html(page.text)
    inp = doc.find("input", name="website")
    hp = inp
    while hp is not None and "hp" not in hp.classes:
        hp = hp.parent
    fl.check(inp is not None and hp is not None and hp.get("aria-hidden") == "true"
             and inp.get("tabindex") == "-1" and inp.get("autocomplete") == "off",
             "the form has a honeypot input `website` (tabindex=-1, autocomplete=off) inside an aria-hidden .hp")
    before = s.count()
    text = s.text("bot")
    r = s.comment(H, text, "Bot", {"website": "http://spam.example/"}, page=page)
    fl.check(r.status == 422, "POST with website filled -> 422 (%s)" % short(r))
    fl.check(s.count() == before and s.stored(text) == 0, "nothing stored (comments %d -> %d)" % (before, s.count()))
    fl.check(not set_cookie_attrs(r, OWN_COOKIE), "no owner cookie set")
    r = s.comment(H, s.text("bot2"), None, {"website": "x"})
    fl.check(r.status == 422 and s.count() == before, "website=x: 422, nothing stored (%d)" % r.status)


# ---------------------------------------------------------------------------
# 5: names and times
# ---------------------------------------------------------------------------


def names(s):
    fl.say("--- 5. names and times ---")
    N = s.browser("names")
    cases = [("50 ASCII characters", "n" * 49 + "Z", "n" * 49 + "Z"),
             ("50 multi-byte characters", "é" * 20 + "日本" * 10 + "😀" * 10, "é" * 20 + "日本" * 10 + "😀" * 10),
             ("an empty name", "", "Anonymous"),
             ("HTML in the name", '<b>bold</b> & "q" <script>x</script>', '<b>bold</b> & "q" <script>x</script>')]
    for label, name, shown in cases:
        N.source = fresh_address()
        text = s.text("name")
        r = s.comment(N, text, name)
        row = s.row(text)
        fl.check(r.status == 303 and row is not None, "%s (%d characters): 303, stored (%s)" % (label, len(name), short(r)))
        if row is None:
            continue
        fl.check(row[1] == name, "%s: the database keeps the name as sent (%r)" % (label, row[1][:60]))
        p = N.get("/%d/" % POST)
        c = comments_of(p.text).get(row[0])
        fl.check(c is not None and c["name"] == shown,
                 "%s: span.comment-name shows %r (got %r)" % (label, shown[:60], c and c["name"]))
        if c:
            fl.check(c["time"] and ISO.match(c["time"]) and near_now(c["time"]),
                     "%s: <time datetime=%r> is this minute's UTC time" % (label, c["time"]))
        if "<b>" in name:
            fl.check("<b>bold</b>" not in p.text and "<script>x</script>" not in p.text
                     and "&lt;b&gt;bold&lt;/b&gt;" in p.text,
                     "%s: escaped in the page (&lt;b&gt;..., no live <b> or <script>)" % label)
            cm = comments_of(s.browser("anon5").get("/comments/").text).get(row[0])
            fl.check(cm is not None and cm["name"] == shown, "/comments/ shows the same name, escaped")
    # 51 characters: 422, the texts kept, nothing stored.
    N.source = fresh_address()
    for label, name in (("51 ASCII characters", "m" * 51), ("51 multi-byte characters", "日" * 50 + "é")):
        text = s.text("long")
        r = s.comment(N, text, name)
        fl.check(r.status == 422, "a name of %s -> 422 (%s)" % (label, short(r)))
        fl.check(s.stored(text) == 0, "%s: nothing stored" % label)
        forms = [f for f in find_forms(r.text) if f.action == "/%d/" % POST]
        fl.check(forms and forms[0].field("content") == text and forms[0].field("name") == name,
                 "%s: the form comes back with the text and the name kept" % label)
        fl.check(parse_html(r.text).find("p", cls="problem") is not None, "%s: with a message" % label)
    check_times("/%d/" % POST, N.get("/%d/" % POST).text)
    check_times("/comments/", N.get("/comments/").text)


# ---------------------------------------------------------------------------
# 6: rate limit
# ---------------------------------------------------------------------------


def rate_limit(s):
    fl.say("--- 6. rate limit (comment_rate = 5) ---")
    R = s.browser("flooder")
    page = R.get("/%d/" % POST)
    t0 = time.monotonic()
    codes = []
    for i in range(5):
        r = s.comment(R, s.text("flood"), "Flood", page=page)
        codes.append(r.status)
    fl.check(codes == [303] * 5, "5 comments within a minute from %s: 303 each (%s)" % (R.source, codes))
    text, name = s.text("flood6"), "Flood six"
    before = s.count()
    r = s.comment(R, text, name, page=page)
    elapsed = time.monotonic() - t0
    fl.say("    6 comments in %.2f s" % elapsed)
    fl.check(r.status == 429, "the 6th within a minute -> 429 (%s)" % short(r))
    ra = r.header("Retry-After")
    fl.check(ra is not None and ra.isdigit() and 1 <= int(ra) <= 60, "Retry-After is 1..60 seconds (%r)" % ra)
    doc = parse_html(r.text)
    fl.check(doc.find("nav") is not None and doc.find("main") is not None and "Post The Second" in r.text
             and "/static/style.css" in r.text, "the 429 is the post page in the layout")
    forms = [f for f in find_forms(r.text) if f.action == "/%d/" % POST]
    fl.check(forms and forms[0].field("content") == text and forms[0].field("name") == name,
             "the 429 keeps the text in the textarea and the name")
    prob = doc.find("p", cls="problem")
    fl.check(prob is not None and prob.text(), "the 429 says why (%r)" % (prob.text()[:120] if prob else None))
    fl.check(s.stored(text) == 0 and s.count() == before, "nothing stored by the 429")
    fl.check(not set_cookie_attrs(r, OWN_COOKIE), "the 429 sets no owner cookie")
    r = s.comment(R, s.text("flood7"), page=page)
    fl.check(r.status == 429, "the 7th from the same address is refused too (%d)" % r.status)
    # Another address (same cookie jar) is not limited.
    R.source = fresh_address()
    r = s.comment(R, s.text("other-addr"), page=page)
    fl.check(r.status == 303, "from another address the same browser may comment (%s)" % short(r))


# ---------------------------------------------------------------------------
# 7: comment_delete = anyone
# ---------------------------------------------------------------------------


def anyone(s):
    fl.say("--- 7. comment_delete = anyone (reload) ---")
    st = s.st
    A, B = s.browser("A7"), s.browser("B7")
    text = s.text("anyone")
    r = s.comment(A, text, "Alice")
    row = s.row(text)
    fl.check(r.status == 303 and row is not None, "A's comment stored before the reload (%s)" % short(r))
    B.get("/%d/" % POST)  # caches the owner-mode page
    before = set(st.wait_workers(1))
    st.append_conf("comment_delete = anyone")
    off = st.log_size()
    st.reload()
    left = fl.wait_gone(before, 15)
    fl.check(not left, "the old workers left after the reload (still there: %s)" % left)
    st.wait_workers(1)
    fl.check("reload refused" not in st.log_since(off), "the reload was accepted")
    time.sleep(0.2)
    pb = B.get("/%d/" % POST)
    cb = comments_of(pb.text)
    fl.check(pb.status == 200 and cb and all(len(c["deletes"]) == 1 for c in cb.values()),
             "B's GET /%d/ after the reload: every comment has its button (%d comments, %d buttons)"
             % (POST, len(cb), sum(len(c["deletes"]) for c in cb.values())))
    fl.check(SLOT.search(pb.text) is None, "no <!--own:ID--> placeholders with comment_delete = anyone")
    fl.check(row is not None and row[0] in cb, "B sees A's comment")
    if row and row[0] in cb:
        r = B.submit(pb, "/comments/%d/delete" % row[0])
        fl.check(r.status == 303, "B deletes A's comment -> 303 (%s)" % short(r))
        fl.check(not s.exists(row[0]), "A's comment is gone")


def section(fn, s):
    try:
        fn(s)
    except Exception as e:  # noqa: BLE001 - one section's crash must not hide the others'
        traceback.print_exc()
        fl.check(False, "%s raised %r" % (fn.__name__, e))


def main():
    t0 = time.monotonic()
    with fl.Stack("comments", conf_extra=PROD + "\nworkers = 3") as st:
        for key, want in (("comment_delete", "owner"), ("comment_moderation", "links"),
                          ("moderation_links", "1"), ("comment_rate", "5")):
            fl.check(st.conf_value(key) == want, "blogd.conf ends with %s = %s" % (key, want))
        st.wait_workers(3)
        s = Site(st)
        for fn in (ownership, moderation, honeypot, names, rate_limit, anyone):
            section(fn, s)
        log = st.log_text()
        errors = [l for l in log.splitlines() if "[error]" in l]
        fl.check(not errors, "blogd logged no errors (%d%s)" % (len(errors), (", first: " + errors[0][:200]) if errors else ""))
        st.check_log_format()
    fl.say("test_comments took %.1f s" % (time.monotonic() - t0))


fl.run_test(NAME, main)
