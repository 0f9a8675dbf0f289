"""test_authors: authors' accounts, sessions and posts, through nginx, as a browser and as an attacker.

Every flow of SPEC.md "Authors and posts" (issue 13): the login form, a right and a wrong
pair, `next` (local paths only), the lockout after 5 failures per username or per client
address (429 + Retry-After, even with the right password), session fixation (a new id at
every login, an old one ended, only SHA-256(id) stored), logout (the old cookie replayed is
anonymous), the admin pages without a session (303 to /login, a POST changes nothing),
posts in Markdown (rendered, stored as source, XSS vectors dropped), drafts that never leak
(index, post page, /comments/, the feed, also from the page cache), edits and deletes seen
on the very next request, the 409 of a stale edit, bad input (422/400/413/403/404) and the
signed-in pages that are never cached.

Run by ctest against the fixture's stack, or by hand (from tests/):
  BLOGD_TEST_ROOT=/tmp/x python3 -m harness.fixture up main ../build/blogd
  BLOGD_TEST_ROOT=/tmp/x python3 -m harness.fixture run main python3 integration/test_authors.py

Shared-database manners: the admin password comes from the file stack.env names
(BLOGD_ADMIN_PASSWORD_FILE, else $BLOGD_VAR/admin_password). Every login that is meant to
fail comes from a loopback address of its own (127.x.y.z, not 127.0.0.1), so the per-address
limit never locks out the other suites (and the browser test) on 127.0.0.1; the per-username
lockout uses a throwaway account made with `blogd user add`, and every test that makes
failures empties login_failure afterwards. Posts a test creates are deleted at the end (SQL);
the seed posts 1-3 and their comments are never written to.
"""

import hashlib
import http.client
import os
import random
import re
import subprocess
import sys
import time
import unittest
import urllib.parse
import xml.etree.ElementTree as ET

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import blogtest  # noqa: E402
from blogtest import Client, Cookie, Headers, Response, find_form, parse_html, sql, sql_quote, sql_value, unique  # noqa: E402

SESSION_COOKIE = "blogd_session"
CSRF_COOKIE = "blogd_csrf"
FORM = "application/x-www-form-urlencoded"
LOGIN_MESSAGE = "Unknown username or wrong password."
DELETE_CONFIRM = "Delete this post and its comments?"
HEX64 = re.compile(r"[0-9a-f]{64}")
ATOM = "{http://www.w3.org/2005/Atom}"
SEED_POST_IDS = (1, 2, 3)
CREATED_POSTS = []  # ids of posts this run created (deleted at the end)
CREATED_USERS = []  # throwaway accounts (removed at the end)
SECRETS = set()  # passwords typed and session ids (and their hashes) seen: never in a log


def setUpModule():
    blogtest.env()  # a clear error if the stack is not up
    r = Client().get("/")
    if r.status != 200:
        raise RuntimeError("stack not answering: " + r.describe())


def tearDownModule():
    clear_login_failures()
    delete_posts_sql(CREATED_POSTS)
    for name in list(CREATED_USERS):
        remove_user(name)


# ---------------------------------------------------------------------------
# The stack: admin password, CLI, loopback addresses
# ---------------------------------------------------------------------------


def admin_password():
    e = blogtest.env()
    path = e.get("BLOGD_ADMIN_PASSWORD_FILE") or os.path.join(
        e.get("BLOGD_VAR") or blogtest.test_var(), "admin_password")
    with open(path, encoding="utf-8") as f:
        pw = f.readline().rstrip("\r\n")
    SECRETS.add(pw)
    return pw


def blogd_cli(*args, stdin=""):
    """Run `<the stack's blogd> ARGS -c <its blogd.conf>`; (rc, output)."""
    cmd = [blogtest.blogd_binary()] + list(args) + ["-c", blogtest.env()["BLOGD_CONF"]]
    p = subprocess.run(cmd, input=stdin.encode(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       timeout=120)
    return p.returncode, p.stdout.decode(errors="replace")


def add_user(tc, password):
    """A throwaway account (removed at the end); its name."""
    name = "t%s%d" % (os.urandom(4).hex(), os.getpid() % 100000)
    rc, out = blogd_cli("user", "add", name, stdin=password + "\n")
    tc.assertEqual(rc, 0, "blogd user add %s (password on stdin) failed (%d):\n%s" % (name, rc, out))
    CREATED_USERS.append(name)
    return name


def remove_user(name):
    rc, out = blogd_cli("user", "remove", name)
    if rc != 0:
        blogtest.log("warning: blogd user remove %s failed (%d): %s" % (name, rc, out))
    elif name in CREATED_USERS:
        CREATED_USERS.remove(name)


def clear_login_failures():
    sql("DELETE FROM login_failure")


_rng = random.SystemRandom()


def fresh_address():
    """A loopback address of its own (never 127.0.0.1, whose failures would lock out the other
    suites): blogd sees it as the client address (nginx's $remote_addr)."""
    return "127.%d.%d.%d" % (_rng.randint(1, 254), _rng.randint(0, 255), _rng.randint(1, 254))


class AddrClient(Client):
    """A Client whose connections come from `source` (a loopback address), for the per-address
    login limit."""

    def __init__(self, source=None, **kw):
        super().__init__(**kw)
        self.source = source or fresh_address()  # harness.client.Client binds to it


# ---------------------------------------------------------------------------
# Sessions and cookies
# ---------------------------------------------------------------------------


def set_cookies(r, name):
    """[(value, {attr: value})] of the Set-Cookie headers of r for cookie `name`."""
    out = []
    for h in r.headers.get_all("Set-Cookie"):
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


def new_session_id(r):
    """The session id r sets (a Set-Cookie that does not clear it), or None."""
    for value, attrs in set_cookies(r, SESSION_COOKIE):
        if value and attrs.get("max-age", "1") != "0":
            SECRETS.add(value)
            if HEX64.fullmatch(value):
                SECRETS.add(id_hash(value))
            return value
    return None


def cookie_header(client):
    return "; ".join("%s=%s" % (c.name, c.value) for c in client.cookies.values())


def plant_session(client, value):
    """Put a session cookie into client's jar (as an attacker would have a victim's browser do)."""
    for key in [k for k in client.cookies if k[0] == SESSION_COOKIE]:
        del client.cookies[key]
    client.cookies[(SESSION_COOKIE, "/")] = Cookie(SESSION_COOKIE, value, "/")


def id_hash(raw):
    return hashlib.sha256(bytes.fromhex(raw)).hexdigest()


def session_rows_with_hash(raw):
    h = id_hash(raw)
    return int(sql_value("SELECT COUNT(*) FROM session WHERE id_hash = '%s' OR LOWER(HEX(id_hash)) = '%s'"
                         % (h, h)))


def session_dump_hex():
    """Every cell of the session table, as HEX() (so binary columns read safely)."""
    cols = [r[0] for r in sql("SELECT COLUMN_NAME FROM information_schema.COLUMNS WHERE "
                              "TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'session'")]
    if not cols:
        raise AssertionError("no table `session` in the database")
    q = "SELECT CONCAT_WS('|', %s) FROM session" % ", ".join("HEX(`%s`)" % c for c in cols)
    return [r[0] or "" for r in sql(q)]


def csrf_token(text):
    m = re.search(r'name="csrf" value="([^"]+)"', text)
    return m.group(1) if m else None


def login_page(client, path="/login"):
    page = client.get(path)
    if page.status != 200:
        raise AssertionError("GET %s: expected 200 with the login form\n%s" % (path, page.describe()))
    return page


def login(client, username="admin", password=None, next_=None, page=None):
    """GET /login, then submit its form; the POST's response."""
    page = page or login_page(client)
    fields = {"username": username, "password": admin_password() if password is None else password}
    SECRETS.add(fields["password"])
    if next_ is not None:
        fields["next"] = next_
    return client.submit(page, "/login", fields)


def signed_in(client=None):
    """A client signed in as admin."""
    c = client or Client()
    r = login(c)
    if r.status != 303 or not new_session_id(r):
        raise AssertionError("login as admin with the password of the stack failed:\n" + r.describe())
    return c


_AUTHOR = []


def author():
    """The module's signed-in author (one login shared by the tests that only need a session)."""
    if not _AUTHOR or not _AUTHOR[0].cookie(SESSION_COOKIE):
        _AUTHOR[:] = [signed_in()]
    return _AUTHOR[0]


def cache_control(r):
    return [t.strip().lower() for t in (r.header("Cache-Control") or "").split(",") if t.strip()]


def nav_links(doc):
    nav = doc.find("nav")
    return [(a.text(), a.get("href")) for a in nav.find_all("a")] if nav else []


# ---------------------------------------------------------------------------
# Posts
# ---------------------------------------------------------------------------


def create_post(client, title, content, status="published"):
    """Submit the "New post" form; the new post's id (deleted at the end of the run)."""
    page = client.get("/admin/posts/new")
    if page.status != 200:
        raise AssertionError("GET /admin/posts/new signed in: expected 200\n" + page.describe())
    r = client.submit(page, "/admin/posts/new", {"title": title, "content": content, "status": status})
    m = re.fullmatch(r"/(\d+)/", r.location_path or "")
    if r.status != 303 or not m:
        raise AssertionError("POST /admin/posts/new (%s): expected 303 to /<id>/\n%s" % (status, r.describe()))
    pid = int(m.group(1))
    CREATED_POSTS.append(pid)
    return pid


def edit_form(client, pid):
    page = client.get("/admin/posts/%d/edit" % pid)
    if page.status != 200:
        raise AssertionError("GET /admin/posts/%d/edit signed in: expected 200\n%s" % (pid, page.describe()))
    return page


def edit_post(client, pid, **fields):
    """Submit the edit form of post pid with `fields` changed; the response."""
    return client.submit(edit_form(client, pid), "/admin/posts/%d/edit" % pid, fields)


def post_row(pid):
    """(title, content, status) of post pid, or None."""
    rows = sql("SELECT title, content, status FROM post WHERE id = %d" % pid)
    return rows[0] if rows else None


def post_version(pid):
    return sql_value("SELECT version FROM post WHERE id = %d" % pid)


def post_count():
    return int(sql_value("SELECT COUNT(*) FROM post"))


def posts_containing(marker):
    return int(sql_value("SELECT COUNT(*) FROM post WHERE INSTR(title, %s) > 0 OR INSTR(content, %s) > 0"
                         % (sql_quote(marker), sql_quote(marker))))


def delete_posts_sql(ids):
    ids = [i for i in ids if i not in SEED_POST_IDS]
    if ids:
        lst = ",".join(str(i) for i in ids)
        sql("DELETE FROM comment WHERE post_id IN (%s); DELETE FROM post WHERE id IN (%s)" % (lst, lst))


def form_of(r, action):
    """The form with `action` in response r (or None), as a harness Form."""
    try:
        return find_form(r.text, action, r.url)
    except AssertionError:
        return None


def form_title_content(form):
    """(title input's value, content textarea's text) of a post form."""
    return form.field("title"), form.field("content")


def index_pages(client, max_pages=100):
    """[(path, Response)] of the index, from / following rel=next."""
    out, path = [], "/"
    for _ in range(max_pages):
        r = client.get(path)
        if r.status != 200:
            raise AssertionError("GET %s: expected 200\n%s" % (path, r.describe()))
        out.append((path, r))
        nxt = parse_html(r.text).find("a", rel="next")
        if nxt is None or not nxt.get("href"):
            break
        path = urllib.parse.urljoin(path, nxt.get("href"))
    return out


def index_article(client, pid):
    """(path, text) of the index <article> linking /pid/, or (None, None)."""
    for path, r in index_pages(client):
        for art in parse_html(r.text).find_all("article"):
            if any(a.get("href") == "/%d/" % pid for a in art.find_all("a")):
                return path, art.text()
    return None, None


def index_links_to(client, pid):
    """Index paths with any link to /pid/."""
    return [path for path, r in index_pages(client)
            if any(a.get("href") == "/%d/" % pid for a in parse_html(r.text).find_all("a"))]


def feed_base():
    """The base_url of the stack's blogd.conf (its last line wins), else the stack's URL."""
    value = ""
    try:
        with open(blogtest.env()["BLOGD_CONF"], encoding="utf-8") as f:
            for line in f:
                k, eq, v = line.partition("=")
                if eq and not k.lstrip().startswith("#") and k.strip() == "base_url":
                    value = v.strip()
    except (OSError, KeyError):
        pass
    return (value or blogtest.base_url()).rstrip("/")


def feed(client):
    """(Response, root Element) of /feed.atom."""
    r = client.get("/feed.atom")
    if r.status != 200:
        raise AssertionError("GET /feed.atom: expected 200\n" + r.describe())
    try:
        root = ET.fromstring(r.body)
    except ET.ParseError as e:
        raise AssertionError("/feed.atom is not well-formed XML (%s):\n%s" % (e, r.describe(2000)))
    return r, root


def feed_entries(root):
    """[{id, title, link, content, content_type, published, updated, author}] of a feed."""
    out = []
    for e in root.findall(ATOM + "entry"):
        links = {l.get("rel", "alternate"): l.get("href") for l in e.findall(ATOM + "link")}
        content = e.find(ATOM + "content")
        out.append({
            "id": (e.findtext(ATOM + "id") or "").strip(),
            "title": e.findtext(ATOM + "title"),
            "link": links.get("alternate"),
            "content": content.text if content is not None else None,
            "content_type": content.get("type") if content is not None else None,
            "published": e.findtext(ATOM + "published"),
            "updated": e.findtext(ATOM + "updated"),
            "author": e.findtext(ATOM + "author/" + ATOM + "name"),
        })
    return out


def feed_entry(client, pid):
    """The feed's entry for post pid (or None), and the feed's raw text."""
    r, root = feed(client)
    want = "%s/%d/" % (feed_base(), pid)
    for e in feed_entries(root):
        if e["id"] == want or e["link"] == want:
            return e, r.text
    return None, r.text


UNSAFE_URL = re.compile(r"^(javascript|vbscript|data):", re.I)


def live_markup(doc):
    """What in a parsed page could run script: inline or foreign <script>, on* handlers,
    javascript:/vbscript:/data: URLs, embedded objects."""
    bad = []
    for e in doc.iter():
        if e.tag == "script" and not (e.get("src") or "").startswith("/static/"):
            bad.append("<script %r>%s" % (e.attrs, e.raw_text()[:40]))
        if e.tag in ("iframe", "object", "embed", "base", "svg", "math") or (e.tag == "meta" and e.get("http-equiv")):
            bad.append("<%s %r>" % (e.tag, e.attrs))
        for k, v in e.attr_list:
            if k.lower().startswith("on"):
                bad.append("%s= on <%s>" % (k, e.tag))
            if k.lower() in ("href", "src", "action", "formaction", "xlink:href", "srcset", "poster") and \
                    UNSAFE_URL.match(re.sub(r"[\x00-\x20]", "", v or "")):
                bad.append("%s=%r on <%s>" % (k, v, e.tag))
    return bad


class AuthCase(unittest.TestCase):
    maxDiff = None

    def assertRedirect(self, r, path, status=303, what=""):
        """status and a Location whose path (+query) is `path`, on this site."""
        self.assertEqual(r.status, status, "%s: expected %d to %s\n%s" % (what, status, path, r.describe()))
        loc = r.header("Location")
        self.assertIsNotNone(loc, "%s: no Location\n%s" % (what, r.describe()))
        u = urllib.parse.urlsplit(loc)
        self.assertIn(u.netloc, ("", blogtest.host_header()),
                      "%s: Location %r leaves the site\n%s" % (what, loc, r.describe()))
        self.assertEqual(r.location_path, path, "%s: Location %r\n%s" % (what, loc, r.describe()))

    def assertToLogin(self, r, next_path, what=""):
        """303 to /login?next=<next_path> (urlencoded)."""
        self.assertEqual(r.status, 303, "%s: expected 303 to /login?next=%s\n%s" % (what, next_path, r.describe()))
        loc = r.location_path or ""
        path, _, query = loc.partition("?")
        self.assertEqual(path, "/login", "%s: Location %r\n%s" % (what, loc, r.describe()))
        self.assertEqual(urllib.parse.parse_qs(query).get("next"), [next_path],
                         "%s: Location %r should carry next=%s" % (what, loc, next_path))

    def assertNoSession(self, r, what=""):
        self.assertIsNone(new_session_id(r), "%s: a session cookie was set\n%s" % (what, r.describe()))

    def assertPrivate(self, r, what=""):
        cc = cache_control(r)
        self.assertTrue("private" in cc and "no-store" in cc,
                        "%s: a signed-in response needs Cache-Control: private, no-store; got %r"
                        % (what, r.header("Cache-Control")))


# ---------------------------------------------------------------------------
# Login
# ---------------------------------------------------------------------------


class Login(AuthCase):
    def test_login_form_fields(self):
        c = Client()
        r = c.get("/")
        self.assertIn(("Sign in", "/login"), nav_links(parse_html(r.text)),
                      "anonymous nav has no 'Sign in' link to /login")
        r = login_page(c)
        self.assertIn("text/html", r.header("Content-Type", ""), r.describe())
        self.assertNoSession(r, "GET /login")
        form = find_form(r.text, "/login", "/login")
        self.assertEqual(form.method, "POST", "the login form must POST")
        el = form.element
        user = el.find("input", name="username")
        self.assertIsNotNone(user, "no <input name=username> in the login form")
        pw = el.find("input", name="password")
        self.assertIsNotNone(pw, "no <input name=password> in the login form")
        self.assertEqual((pw.get("type") or "").lower(), "password", "password input is not type=password")
        nxt = el.find("input", name="next")
        self.assertIsNotNone(nxt, "no hidden <input name=next> in the login form")
        self.assertEqual((nxt.get("type") or "").lower(), "hidden")
        tok = el.find("input", name="csrf")
        self.assertIsNotNone(tok, "no hidden csrf input in the login form")
        self.assertEqual((tok.get("type") or "").lower(), "hidden")
        self.assertTrue(tok.get("value"), "empty csrf token")
        self.assertTrue(c.cookie(CSRF_COOKIE), "GET /login set no %s cookie" % CSRF_COOKIE)

    def test_login_form_carries_local_next(self):
        r = login_page(Client(), "/login?next=%2F2%2F")
        self.assertEqual(find_form(r.text, "/login", "/login").field("next"), "/2/",
                         "GET /login?next=/2/: the hidden next field must hold /2/")

    def test_right_password_starts_session(self):
        c = Client()
        r = login(c)
        self.assertRedirect(r, "/admin/", what="POST /login right pair, no next")
        sessions = set_cookies(r, SESSION_COOKIE)
        self.assertEqual(len(sessions), 1, "expected one Set-Cookie %s, got %r\n%s"
                         % (SESSION_COOKIE, sessions, r.describe()))
        value, attrs = sessions[0]
        self.assertRegex(value, HEX64, "session id must be 64 lowercase hex digits")
        self.assertEqual(len(value), 64)
        self.assertIn("httponly", attrs, "session cookie without HttpOnly: %r" % attrs)
        self.assertEqual(attrs.get("samesite", "").lower(), "lax", "session cookie not SameSite=Lax: %r" % attrs)
        self.assertEqual(attrs.get("path"), "/", "session cookie not Path=/: %r" % attrs)
        self.assertNotIn("secure", attrs, "Secure over plain http: the browser would never send it back")
        self.assertNotIn("domain", attrs, "a session cookie must be host-only")
        self.assertTrue(attrs.get("max-age", "").isdigit() and int(attrs["max-age"]) > 0,
                        "session cookie Max-Age should be session_max (> 0): %r" % attrs)
        self.assertEqual(session_rows_with_hash(value), 1, "no session row holds SHA-256 of the id")
        r = c.get("/admin/")
        self.assertEqual(r.status, 200, "GET /admin/ with the new session\n" + r.describe())
        self.assertPrivate(r, "GET /admin/")

    def test_signed_in_get_login_redirects(self):
        c = signed_in()
        self.assertRedirect(c.get("/login"), "/admin/", what="GET /login signed in")
        self.assertRedirect(c.get("/login?next=%2F2%2F"), "/2/", what="GET /login?next=/2/ signed in")

    def test_local_next_is_honoured(self):
        for nxt in ("/2/", "/admin/posts/new", "/comments/?before=3"):
            with self.subTest(next=nxt):
                r = login(Client(), next_=nxt)
                self.assertRedirect(r, nxt, what="POST /login next=%r" % nxt)
                self.assertIsNotNone(new_session_id(r), "no session cookie\n" + r.describe())

    def test_foreign_next_is_refused(self):
        cases = ["//evil.example", "https://evil.example", "/\\evil.example", "http://evil.example/x",
                 "///evil.example", "\\\\evil.example", "evil.example", "/\t/evil.example",
                 "/x\r\nSet-Cookie: evil=1", "/" + "a" * 250, "javascript:alert(1)"]
        for nxt in cases:
            with self.subTest(next=nxt):
                r = login(Client(), next_=nxt)
                self.assertRedirect(r, "/admin/", what="POST /login next=%r" % nxt)
                self.assertNotIn("evil", r.header("Location", ""), r.describe())
                self.assertEqual([h for h in r.headers.get_all("Set-Cookie") if h.startswith("evil")], [],
                                 "header injection through next")

    def test_wrong_password_and_unknown_user_look_alike(self):
        c = AddrClient()
        try:
            wrong = login(c, "admin", "not-the-password-" + unique())
            unknown_name = "nobody" + os.urandom(4).hex()
            unknown = login(c, unknown_name, "whatever-" + unique())
            for r, name, what in ((wrong, "admin", "wrong password"), (unknown, unknown_name, "unknown user")):
                with self.subTest(case=what):
                    self.assertEqual(r.status, 422, "POST /login %s: expected 422 (a 4xx, not 401)\n%s"
                                     % (what, r.describe()))
                    self.assertIn(LOGIN_MESSAGE, blogtest.visible_text(r.text),
                                  "POST /login %s: the message %r is missing\n%s" % (what, LOGIN_MESSAGE, r.describe()))
                    form = form_of(r, "/login")
                    self.assertIsNotNone(form, "POST /login %s: the form is not shown again" % what)
                    self.assertEqual(form.field("username"), name, "%s: the username is not kept" % what)
                    self.assertFalse(form.field("password"), "%s: the password is sent back" % what)
                    self.assertNoSession(r, "POST /login " + what)
            self.assertEqual(wrong.status, unknown.status, "wrong password and unknown user differ in status")
            self.assertNotIn("not-the-password", wrong.text, "the typed password is echoed")
            # A hostile username is kept, escaped.
            evil = '"><script>alert(1)</script>'
            r = login(c, evil, "whatever-password")
            self.assertEqual(r.status, 422, r.describe())
            self.assertEqual(form_of(r, "/login").field("username"), evil, "hostile username not kept verbatim")
            self.assertEqual(live_markup(parse_html(r.text)), [], "a username became live markup")
        finally:
            clear_login_failures()

    def test_csrf_missing_or_forged_is_403(self):
        c = AddrClient()
        page = login_page(c)
        tok = csrf_token(page.text)
        before = int(sql_value("SELECT COUNT(*) FROM login_failure"))
        try:
            cases = [
                ("no csrf, right password", c, [("username", "admin"), ("password", admin_password()), ("next", "")]),
                ("forged csrf, right password", c, [("csrf", os.urandom(32).hex()), ("username", "admin"),
                                                    ("password", admin_password()), ("next", "")]),
                ("token without its cookie", AddrClient(), [("csrf", tok), ("username", "admin"),
                                                            ("password", admin_password()), ("next", "")]),
                ("forged csrf, wrong password", c, [("csrf", os.urandom(32).hex()), ("username", "admin"),
                                                    ("password", "wrong-" + unique()), ("next", "")]),
            ]
            for why, client, fields in cases:
                with self.subTest(case=why):
                    r = client.post_form("/login", fields)
                    self.assertEqual(r.status, 403, "POST /login %s: expected 403\n%s" % (why, r.describe()))
                    self.assertNoSession(r, "POST /login " + why)
            self.assertEqual(int(sql_value("SELECT COUNT(*) FROM login_failure")), before,
                             "a login refused for its CSRF token must not count as a failure (nothing else happens)")
            self.assertToLogin(c.get("/admin/"), "/admin/", "GET /admin/ after the refused logins")
        finally:
            clear_login_failures()


# ---------------------------------------------------------------------------
# Lockout
# ---------------------------------------------------------------------------


class Lockout(AuthCase):
    def assertLocked(self, r, what):
        self.assertEqual(r.status, 429, "%s: expected 429\n%s" % (what, r.describe()))
        ra = r.header("Retry-After")
        self.assertIsNotNone(ra, "%s: 429 without Retry-After\n%s" % (what, r.describe()))
        self.assertTrue(ra.strip().isdigit(), "%s: Retry-After %r is not a number of seconds" % (what, ra))
        self.assertTrue(0 < int(ra) <= 900, "%s: Retry-After %s not in 1..900 (15 minutes)" % (what, ra))
        self.assertIsNotNone(form_of(r, "/login"), "%s: the 429 page should show the login form" % what)
        self.assertNoSession(r, what)

    def test_lockout_per_username(self):
        password = "pw-" + os.urandom(8).hex()
        name = add_user(self, password)
        try:
            # Each failure from an address of its own: only the username's count reaches 5.
            for i in range(5):
                r = login(AddrClient(), name, "wrong-%d-%s" % (i, unique()))
                self.assertEqual(r.status, 422, "failure %d for %s: expected 422\n%s" % (i + 1, name, r.describe()))
            self.assertGreaterEqual(int(sql_value("SELECT COUNT(*) FROM login_failure")), 1,
                                    "failures must be counted in MariaDB (table login_failure)")
            r = login(AddrClient(), name, password)
            self.assertLocked(r, "6th login of %s (right password, a new address)" % name)
            # The lock is the username's: admin from another address still signs in.
            r = login(AddrClient(), "admin")
            self.assertEqual(r.status, 303, "admin locked out by another user's failures\n" + r.describe())
            # Once the failures are gone (the window passed), the right password works again.
            clear_login_failures()
            r = login(AddrClient(), name, password)
            self.assertRedirect(r, "/admin/", what="login of %s after the failures were cleared" % name)
        finally:
            clear_login_failures()
            remove_user(name)

    def test_lockout_per_address(self):
        addr = fresh_address()
        try:
            for i in range(5):
                r = login(AddrClient(addr), "nobody%d%s" % (i, os.urandom(3).hex()), "wrong-" + unique())
                self.assertEqual(r.status, 422, "failure %d from %s: expected 422\n%s" % (i + 1, addr, r.describe()))
            r = login(AddrClient(addr), "admin")
            self.assertLocked(r, "6th login from %s (admin, right password)" % addr)
            r = login(AddrClient(addr), "nobody-else", "x" * 12)
            self.assertEqual(r.status, 429, "7th login from %s, another name\n%s" % (addr, r.describe()))
            # Another address is not locked.
            r = login(AddrClient(), "admin")
            self.assertEqual(r.status, 303, "admin from another address locked out\n" + r.describe())
        finally:
            clear_login_failures()


# ---------------------------------------------------------------------------
# Fixation
# ---------------------------------------------------------------------------


class Fixation(AuthCase):
    def test_planted_cookie_is_not_the_session(self):
        c = Client()
        page = login_page(c)
        planted = os.urandom(32).hex()
        plant_session(c, planted)
        r = login(c, page=page)
        self.assertRedirect(r, "/admin/", what="POST /login with a planted session cookie")
        got = new_session_id(r)
        self.assertIsNotNone(got, "no session cookie set\n" + r.describe())
        self.assertNotEqual(got, planted, "the session id planted before login was kept (fixation)")
        self.assertEqual(session_rows_with_hash(planted), 0, "the planted id became a session")
        r = Client().get("/admin/", headers={"Cookie": "%s=%s" % (SESSION_COOKIE, planted)})
        self.assertToLogin(r, "/admin/", "GET /admin/ with the planted id")

    def test_each_login_new_id_old_one_ended(self):
        c = Client()
        r1 = login(c)
        first = new_session_id(r1)
        self.assertIsNotNone(first, r1.describe())
        # Log in again in the same browser (the old cookie goes along with the POST).
        page = c.get("/1/")
        tok = csrf_token(page.text)
        r2 = c.post_form("/login", [("csrf", tok), ("username", "admin"), ("password", admin_password()),
                                    ("next", "")])
        self.assertRedirect(r2, "/admin/", what="second POST /login with the first session's cookie")
        second = new_session_id(r2)
        self.assertIsNotNone(second, r2.describe())
        self.assertNotEqual(first, second, "two logins gave the same session id")
        self.assertEqual(session_rows_with_hash(first), 0, "the session the second login replaced is still stored")
        r = Client().get("/admin/", headers={"Cookie": "%s=%s" % (SESSION_COOKIE, first)})
        self.assertToLogin(r, "/admin/", "GET /admin/ with the replaced session id")
        self.assertEqual(c.get("/admin/").status, 200, "the new session does not work")
        third = new_session_id(login(Client()))
        self.assertNotIn(third, (first, second), "another browser's login got an id already used")

    def test_session_stored_only_as_hash(self):
        c = Client()
        raw = new_session_id(login(c))
        self.assertIsNotNone(raw)
        self.assertEqual(session_rows_with_hash(raw), 1, "SHA-256(id) (hex) is not in session.id_hash")
        dump = session_dump_hex()
        as_binary, as_text = raw.upper(), raw.encode().hex().upper()
        leaks = [row[:80] for row in dump if as_binary in row or as_text in row]
        self.assertEqual(leaks, [], "the raw session id is stored in table session")


# ---------------------------------------------------------------------------
# Logout
# ---------------------------------------------------------------------------


class Logout(AuthCase):
    def test_logout_ends_session(self):
        c = signed_in()
        raw = c.cookie(SESSION_COOKIE)
        page = c.get("/")
        self.assertEqual(page.status, 200)
        form = form_of(page, "/logout")
        self.assertIsNotNone(form, "signed in, / has no Sign out form (POST /logout)")
        self.assertEqual(form.method, "POST")
        # A forged logout changes nothing.
        r = c.post_form("/logout", [("csrf", os.urandom(32).hex())])
        self.assertEqual(r.status, 403, "POST /logout forged csrf: expected 403\n" + r.describe())
        self.assertEqual(session_rows_with_hash(raw), 1, "a forged logout ended the session")
        r = c.submit(page, "/logout")
        self.assertRedirect(r, "/", what="POST /logout")
        cleared = set_cookies(r, SESSION_COOKIE)
        self.assertTrue(any(a.get("max-age") == "0" for _, a in cleared),
                        "logout must clear the cookie (Max-Age=0): %r" % cleared)
        self.assertEqual(session_rows_with_hash(raw), 0, "the session row is still there after logout")
        self.assertIsNone(c.cookie(SESSION_COOKIE), "the browser kept the cookie")
        # Replaying the old cookie: anonymous.
        replay = Client()
        r = replay.get("/admin/", headers={"Cookie": "%s=%s" % (SESSION_COOKIE, raw)})
        self.assertToLogin(r, "/admin/", "GET /admin/ replaying the logged-out cookie")
        r = replay.get("/", headers={"Cookie": "%s=%s" % (SESSION_COOKIE, raw)})
        self.assertNotIn(("Admin", "/admin/"), nav_links(parse_html(r.text)),
                         "the logged-out cookie still shows the Admin link")


    def test_idle_and_absolute_expiry(self):
        """A session unused for longer than session_idle (2 h), or older than session_max
        (7 days) however busy, is over: the next request is anonymous and the cookie is
        deleted. The row is aged in the database, as time would."""
        for what, ageing in (("idle 2 h", "last_seen = NOW(6) - INTERVAL 7201 SECOND"),
                             ("started 7 days ago", "created_at = NOW(6) - INTERVAL 604801 SECOND")):
            with self.subTest(expiry=what):
                c = signed_in()
                raw = c.cookie(SESSION_COOKIE)
                r = c.get("/admin/")
                self.assertEqual(r.status, 200, "a fresh session: /admin/\n" + r.describe())
                sql("UPDATE session SET %s WHERE id_hash = '%s'" % (ageing, id_hash(raw)))
                r = c.get("/admin/")
                self.assertToLogin(r, "/admin/", "GET /admin/ with a session %s" % what)
                cleared = set_cookies(r, SESSION_COOKIE)
                self.assertTrue(any(a.get("max-age") == "0" for _, a in cleared),
                                "an expired session's cookie must be deleted: %r" % cleared)

# ---------------------------------------------------------------------------
# Admin pages without a session
# ---------------------------------------------------------------------------


class AdminWithoutSession(AuthCase):
    def test_get_redirects_to_login(self):
        for path in ("/admin/", "/admin/posts/new", "/admin/posts/1/edit", "/admin/posts/999999/edit"):
            for cookie in (None, "%s=%s" % (SESSION_COOKIE, os.urandom(32).hex()), "%s=junk" % SESSION_COOKIE):
                with self.subTest(path=path, cookie=cookie):
                    r = Client().get(path, headers={"Cookie": cookie} if cookie else None)
                    self.assertToLogin(r, path, "GET %s (cookie %r)" % (path, cookie))
                    if cookie and HEX64.search(cookie):  # a well-formed but unknown id is cleared
                        self.assertTrue(any(at.get("max-age") == "0" for _, at in set_cookies(r, SESSION_COOKIE)),
                                        "GET %s with an unknown session cookie: the cookie is not cleared "
                                        "(Max-Age=0)\n%s" % (path, r.describe()))

    def test_login_from_redirect_lands_on_next(self):
        c = Client()
        r = c.get("/admin/posts/new")
        self.assertToLogin(r, "/admin/posts/new", "GET /admin/posts/new anonymously")
        page = login_page(c, r.location_path)
        r = login(c, page=page)
        self.assertRedirect(r, "/admin/posts/new", what="login from /login?next=/admin/posts/new")
        self.assertEqual(c.get("/admin/posts/new").status, 200)

    def test_post_without_session_changes_nothing(self):
        marker = unique("nosession")
        pid = create_post(author(), "Victim " + marker, "Victim body " + marker)
        before_row, before_count = post_row(pid), post_count()
        for cookie_case in ("no session", "made-up session"):
            anon = Client()
            page = anon.get("/1/")
            tok = csrf_token(page.text)
            self.assertTrue(tok and anon.cookie(CSRF_COOKIE), "no csrf cookie+token from /1/")
            if cookie_case == "made-up session":
                plant_session(anon, os.urandom(32).hex())
            posts = [
                ("/admin/posts/new", [("csrf", tok), ("title", "Injected " + marker),
                                      ("content", "Injected " + marker), ("status", "published")]),
                ("/admin/posts/%d/edit" % pid, [("csrf", tok), ("title", "Hijacked " + marker),
                                                ("content", "Hijacked " + marker), ("status", "published"),
                                                ("version", post_version(pid) or "1")]),
                ("/admin/posts/%d/delete" % pid, [("csrf", tok)]),
            ]
            for path, fields in posts:
                with self.subTest(path=path, cookie=cookie_case):
                    r = anon.post_form(path, fields)
                    self.assertFalse(200 <= r.status < 300, "POST %s (%s): answered %d\n%s"
                                     % (path, cookie_case, r.status, r.describe()))
                    self.assertEqual(r.status, 303, "POST %s (%s): expected 303 to /login\n%s"
                                     % (path, cookie_case, r.describe()))
                    self.assertEqual((r.location_path or "").split("?")[0], "/login", r.describe())
                    self.assertEqual(post_count(), before_count, "POST %s without a session changed "
                                     "the number of posts" % path)
                    self.assertEqual(post_row(pid), before_row, "POST %s without a session changed post %d"
                                     % (path, pid))
                    self.assertEqual(posts_containing("Injected " + marker), 0)


# ---------------------------------------------------------------------------
# Posts
# ---------------------------------------------------------------------------


MARKDOWN = """# Heading {m}

Some **bold {m}** text and *emphasis*.

- item one {m}
- item two

A [link](https://example.com/{m}) to elsewhere.
"""


class Posts(AuthCase):
    def test_admin_index(self):
        a = author()
        m = unique("adminidx")
        older = create_post(a, "Listed published " + m, "Body " + m, "published")
        newer = create_post(a, "Listed draft " + m, "Body " + m, "draft")
        r = a.get("/admin/")
        self.assertEqual(r.status, 200, r.describe())
        self.assertPrivate(r, "GET /admin/")
        doc = parse_html(r.text)
        links = [(x.text(), x.get("href")) for x in doc.find_all("a")]
        self.assertIn("/admin/posts/new", [h for _, h in links], "/admin/ has no New post link")
        self.assertIn(("Admin", "/admin/"), nav_links(doc), "signed-in nav has no Admin link")
        positions = {}
        for pid in (older, newer):
            edit = [x for x in doc.find_all("a") if x.get("href") == "/admin/posts/%d/edit" % pid]
            self.assertTrue(edit, "/admin/ has no Edit link for post %d" % pid)
            self.assertEqual(edit[0].text(), "Edit")
            form = form_of(r, "/admin/posts/%d/delete" % pid)
            self.assertIsNotNone(form, "/admin/ has no Delete form for post %d" % pid)
            self.assertEqual(form.method, "POST")
            self.assertEqual(form.element.get("data-confirm"), DELETE_CONFIRM)
            self.assertTrue(form.field("csrf"), "the delete form has no csrf token")
            positions[pid] = r.text.index('href="/admin/posts/%d/edit"' % pid)
            row = edit[0]
            while row is not None and row.tag not in ("tr", "li", "article"):
                row = row.parent
            self.assertIsNotNone(row, "post %d's Edit link is not in a table row" % pid)
            self.assertEqual("Draft" in row.text(), pid == newer,
                             "post %d's row: Draft marker %s expected: %r" % (pid, pid == newer, row.text()))
        self.assertLess(positions[newer], positions[older], "/admin/ is not newest first")
        # "Latest comments", each with a Delete button.
        text = "Admin sees comment " + m
        sql("INSERT INTO comment (content, post_id) VALUES (%s, %d)" % (sql_quote(text), older))
        cid = int(sql_value("SELECT MAX(id) FROM comment WHERE post_id = %d" % older))
        r = a.get("/admin/")
        self.assertIn(text, blogtest.visible_text(r.text), "/admin/ does not list the latest comment")
        self.assertIsNotNone(form_of(r, "/comments/%d/delete" % cid), "/admin/: the comment has no Delete form")
        r = a.submit(r, "/comments/%d/delete" % cid)
        self.assertEqual(r.status, 303, "the author deletes a comment from /admin/\n" + r.describe())
        self.assertEqual(sql_value("SELECT COUNT(*) FROM comment WHERE id = %d" % cid), "0")

    def test_create_published_markdown(self):
        a = author()
        m = unique("md")
        src = MARKDOWN.format(m=m)
        pid = create_post(a, "Markdown " + m, src, "published")
        # The source as typed (blanks at its end may go: they mean nothing in Markdown).
        self.assertIn(post_row(pid), [("Markdown " + m, src, "published"), ("Markdown " + m, src.rstrip(), "published")],
                      "stored row: content must be the Markdown source")
        r = Client().get("/%d/" % pid)
        self.assertEqual(r.status, 200, r.describe())
        doc = parse_html(r.text)
        self.assertIn("Heading " + m, [h.text() for h in doc.find_all("h1")], "# Heading is not an <h1>")
        self.assertIn("bold " + m, [s.text() for s in doc.find_all("strong")], "**bold** is not <strong>")
        self.assertIn("emphasis", [s.text() for s in doc.find_all("em")], "*emphasis* is not <em>")
        items = [li.text() for ul in doc.find_all("ul") for li in ul.find_all("li")]
        self.assertIn("item one " + m, items, "- item is not a <ul><li>")
        self.assertIn(("link", "https://example.com/" + m),
                      [(x.text(), x.get("href")) for x in doc.find_all("a")], "[link](url) is not an <a>")
        self.assertNotIn("**bold", r.text, "Markdown shown unrendered")
        art = doc.find("article")
        self.assertIsNotNone(art, "no <article> on the post page")
        times = [t.get("datetime") for t in doc.find_all("time")]
        self.assertTrue(any(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", t or "") for t in times),
                        "no <time datetime=YYYY-MM-DDTHH:MM:SSZ> (published date): %r" % times)
        self.assertIn("admin", art.text(), "the post page does not name its author")
        self.assertIsNone(doc.find(cls="draft"), "a published post is marked draft")
        path, text = index_article(Client(), pid)
        self.assertIsNotNone(path, "the new published post is not on the index")
        self.assertIn("Markdown " + m, text)

    def test_leading_indent_is_markdown(self):
        """The source is kept as typed: a text that starts with an indented code block (four
        spaces) keeps them, and renders as <pre><code>."""
        a = author()
        m = unique("indent")
        src = "    indented code %s\n\nThen a paragraph." % m
        pid = create_post(a, "Indented " + m, src, "published")
        stored = post_row(pid)[1]
        self.assertEqual(stored, src, "the Markdown source lost its leading indentation (stored %r)" % stored)
        doc = parse_html(Client().get("/%d/" % pid).text)
        codes = [c.text() for pre in doc.find_all("pre") for c in pre.find_all("code")]
        self.assertIn("indented code " + m, codes, "an indented first line is not a code block")

    def test_markdown_xss_vectors_are_inert(self):
        a = author()
        m = unique("xss")
        src = ("Safe text %s\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1))\n\n"
               "<img src=x onerror=alert(1)>\n\n[y](JAVASCRIPT:alert(2)) [z](data:text/html;base64,"
               "PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==) [v](vbscript:msgbox(1)) [w]( javascript:alert(6))\n\n"
               "<a href=\"javascript:alert(3)\">raw</a> <iframe src=\"https://evil.example\"></iframe>\n\n"
               "![i](javascript:alert(4)) <svg onload=alert(7)>\n\n"
               "</textarea><script>alert(5)</script>\n\n"
               "<div style=\"background:url(javascript:alert(8))\">x</div>\n" % m)
        title = "<b>T</b> <script>alert(9)</script> " + m
        pid = create_post(a, title, src, "published")
        self.assertIn(post_row(pid)[1], (src, src.rstrip()), "content is stored as typed")
        pages = [("anonymous /%d/" % pid, Client().get("/%d/" % pid)),
                 ("author /%d/" % pid, a.get("/%d/" % pid)),
                 ("author edit form", a.get("/admin/posts/%d/edit" % pid)),
                 ("author /admin/", a.get("/admin/"))]
        pages += [("index %s" % p, r) for p, r in index_pages(Client())]
        for what, r in pages:
            with self.subTest(page=what):
                self.assertEqual(r.status, 200, r.describe())
                self.assertEqual(live_markup(parse_html(r.text)), [], "%s: live markup from the post" % what)
                raws = ["<script>alert(", "<iframe", "<b>T</b>", "<img src=x", "<svg"]
                if what != "author edit form":  # its textarea holds the source, escaped
                    raws += ["onerror=alert", "javascript:alert", "onload=alert", "vbscript:", "data:text/html"]
                for raw in raws:
                    self.assertNotIn(raw, r.text, "%s contains %r" % (what, raw))
        r = pages[0][1]
        self.assertIn("Safe text " + m, r.text)
        self.assertIn("&lt;b&gt;T&lt;/b&gt;", r.text, "the title is not escaped")
        # The feed's HTML content is just as inert.
        entry, _ = feed_entry(Client(), pid)
        self.assertIsNotNone(entry, "post %d not in the feed" % pid)
        self.assertEqual(live_markup(parse_html(entry["content"] or "")), [], "live markup in the feed's content")
        self.assertNotIn("<script", entry["content"] or "")

    def test_draft_never_leaks(self):
        a = author()
        m = unique("draft")
        draft = create_post(a, "Secret draft " + m, "Secret draft body " + m, "draft")
        control = create_post(a, "Control " + m, "Control body " + m, "published")
        self.assertEqual(post_row(draft)[2], "draft")
        anon = Client()
        for _ in range(2):
            r = anon.get("/%d/" % draft)
            self.assertEqual(r.status, 404, "anonymous GET of a draft: expected 404\n" + r.describe())
            self.assertNotIn(m, r.text, "the 404 page shows the draft")
        self.assertEqual(index_links_to(anon, draft), [], "the index links to a draft")
        for path, r in index_pages(anon):
            self.assertNotIn("Secret draft", r.text, "the draft shows on the index page %s" % path)
        entry, text = feed_entry(anon, draft)
        self.assertIsNone(entry, "a draft is in /feed.atom")
        self.assertNotIn("Secret draft", text, "the draft's text is in /feed.atom")
        # A comment on the draft (as SQL could leave one) is not listed on /comments/.
        dtext, ctext = "Comment on draft " + m, "Comment on control " + m
        sql("INSERT INTO comment (content, post_id) VALUES (%s, %d); INSERT INTO comment (content, post_id) "
            "VALUES (%s, %d)" % (sql_quote(dtext), draft, sql_quote(ctext), control))
        try:
            deadline = time.monotonic() + 3
            while True:
                page = anon.get("/comments/")
                if ctext in page.text or time.monotonic() > deadline:
                    break
                time.sleep(0.05)
            self.assertIn(ctext, page.text, "the control comment (SQL) never showed on /comments/")
            self.assertNotIn(dtext, page.text, "a draft's comment is listed on /comments/")
            self.assertNotIn('href="/%d/' % draft, page.text, "/comments/ links to a draft")
        finally:
            sql("DELETE FROM comment WHERE post_id IN (%d, %d)" % (draft, control))
        # The author sees it, marked Draft; that page is never served to anyone else.
        r = a.get("/%d/" % draft)
        self.assertEqual(r.status, 200, "signed-in GET of a draft: expected 200\n" + r.describe())
        self.assertPrivate(r, "signed-in GET /%d/" % draft)
        marker = parse_html(r.text).find(cls="draft")
        self.assertIsNotNone(marker, "signed in, the draft has no element of class draft")
        self.assertIn("draft", marker.text().lower())
        self.assertIn("Secret draft " + m, r.text)
        r = Client().get("/%d/" % draft)
        self.assertEqual(r.status, 404, "after the author's view, anonymous GET of the draft\n" + r.describe())

    def test_unpublished_post_is_404_even_when_cached(self):
        a = author()
        m = unique("unpub")
        pid = create_post(a, "Was public " + m, "Public body " + m, "published")
        anon = Client()
        for _ in range(3):
            self.assertEqual(anon.get("/%d/" % pid).status, 200)
        self.assertTrue(index_links_to(anon, pid), "the published post is not on the index")
        self.assertIsNotNone(feed_entry(anon, pid)[0], "the published post is not in the feed")
        r = edit_post(a, pid, status="draft")
        self.assertRedirect(r, "/%d/" % pid, what="edit: status published -> draft")
        self.assertEqual(post_row(pid)[2], "draft")
        r = anon.get("/%d/" % pid)
        self.assertEqual(r.status, 404, "a post switched to draft is still served (cache?)\n" + r.describe())
        self.assertEqual(index_links_to(anon, pid), [], "a post switched to draft is still on the index")
        self.assertIsNone(feed_entry(anon, pid)[0], "a post switched to draft is still in the feed")
        r = a.get("/%d/" % pid)
        self.assertEqual(r.status, 200, r.describe())
        self.assertIsNotNone(parse_html(r.text).find(cls="draft"), "signed in: no Draft marker")

    def test_publish_draft_shows_at_once(self):
        a = author()
        m = unique("publish")
        pid = create_post(a, "To publish " + m, "Body " + m, "draft")
        anon = Client()
        self.assertEqual(anon.get("/%d/" % pid).status, 404)
        index_pages(anon)
        feed(anon)
        r = edit_post(a, pid, status="published")
        self.assertRedirect(r, "/%d/" % pid, what="edit: draft -> published")
        r = anon.get("/%d/" % pid)
        self.assertEqual(r.status, 200, "a post just published: anonymous GET\n" + r.describe())
        self.assertIn("To publish " + m, r.text)
        self.assertTrue(index_links_to(anon, pid), "a post just published is not on the index")
        self.assertIsNotNone(feed_entry(anon, pid)[0], "a post just published is not in the feed")

    def test_edit_shows_at_once(self):
        a = author()
        m = unique("edit")
        pid = create_post(a, "Before " + m, "Old **body** " + m, "published")
        version = post_version(pid)
        anon = Client()
        for _ in range(2):  # prime the page cache
            self.assertEqual(anon.get("/%d/" % pid).status, 200)
            index_pages(anon)
            feed(anon)
        page = edit_form(a, pid)
        form = find_form(page.text, "/admin/posts/%d/edit" % pid, page.url)
        self.assertEqual(form_title_content(form), ("Before " + m, "Old **body** " + m),
                         "the edit form is not filled with the stored title and Markdown")
        self.assertEqual(form.field("status"), "published")
        self.assertTrue(form.field("version"), "the edit form has no hidden version")
        self.assertTrue(form.field("csrf"), "the edit form has no csrf token")
        new_title, new_body = "After " + m, "New *body* " + m
        r = a.submit(page, "/admin/posts/%d/edit" % pid, {"title": new_title, "content": new_body})
        self.assertRedirect(r, "/%d/" % pid, what="POST edit")
        self.assertEqual(post_row(pid), (new_title, new_body, "published"))
        self.assertNotEqual(post_version(pid), version, "the version did not change with the edit")
        r = anon.get("/%d/" % pid)
        self.assertIn(new_title, r.text, "GET /%d/ right after the edit shows the old title" % pid)
        self.assertIn("<em>body</em>", r.text, "GET /%d/ right after the edit shows the old body" % pid)
        self.assertNotIn("Before " + m, r.text)
        path, text = index_article(anon, pid)
        self.assertIsNotNone(path, "edited post not on the index")
        self.assertIn(new_title, text, "the index right after the edit shows the old title")
        entry, _ = feed_entry(anon, pid)
        self.assertIsNotNone(entry, "edited post not in the feed")
        self.assertEqual(entry["title"], new_title, "the feed right after the edit shows the old title")
        self.assertIn("<em>body</em>", entry["content"] or "", "the feed right after the edit shows the old body")

    def test_stale_edit_is_409(self):
        a = author()
        m = unique("stale")
        pid = create_post(a, "Original " + m, "Original body " + m, "published")
        tab1 = edit_form(a, pid)
        tab2 = edit_form(a, pid)
        first_title, first_body = "First save " + m, "First body %s firstword" % m
        r = a.submit(tab1, "/admin/posts/%d/edit" % pid, {"title": first_title, "content": first_body})
        self.assertRedirect(r, "/%d/" % pid, what="first tab's save")
        second_title, second_body = "Second save " + m, "Second body %s secondword" % m
        r = a.submit(tab2, "/admin/posts/%d/edit" % pid, {"title": second_title, "content": second_body})
        self.assertEqual(r.status, 409, "second tab's save over a stale version: expected 409\n" + r.describe())
        self.assertEqual(post_row(pid), (first_title, first_body, "published"),
                         "the stale save overwrote the first one")
        form = form_of(r, "/admin/posts/%d/edit" % pid)
        self.assertIsNotNone(form, "409 without the edit form")
        self.assertEqual(form_title_content(form), (second_title, second_body), "409: the typed text is not kept")
        newer = parse_html(r.text).find(cls="newer")
        self.assertIsNotNone(newer, "409: no element of class newer with the stored text")
        self.assertIn("firstword", newer.raw_text(), "409: the newer stored text is not shown")
        self.assertPrivate(r, "409 page")

    def test_edit_or_delete_of_missing_post_is_404(self):
        a = author()
        m = unique("gone")
        pid = create_post(a, "Soon gone " + m, "Body " + m, "published")
        page = edit_form(a, pid)
        admin = a.get("/admin/")
        r = a.submit(admin, "/admin/posts/%d/delete" % pid)
        self.assertRedirect(r, "/admin/", what="delete")
        r = a.submit(page, "/admin/posts/%d/edit" % pid, {"title": "Resurrected " + m})
        self.assertEqual(r.status, 404, "edit of a deleted post: expected 404\n" + r.describe())
        self.assertIsNone(post_row(pid), "the edit of a deleted post brought it back")
        self.assertEqual(posts_containing("Resurrected " + m), 0)
        r = a.get("/admin/posts/%d/edit" % pid)
        self.assertEqual(r.status, 404, "GET edit form of a deleted post\n" + r.describe())
        r = a.submit(admin, "/admin/posts/%d/delete" % pid)
        self.assertEqual(r.status, 404, "second delete of the same post\n" + r.describe())
        r = a.get("/admin/posts/999999999/edit")
        self.assertEqual(r.status, 404, "GET edit form of a post that never existed\n" + r.describe())

    def test_delete_removes_post_and_comments(self):
        a = author()
        m = unique("delete")
        pid = create_post(a, "Doomed " + m, "Doomed body " + m, "published")
        anon = Client()
        texts = ["First comment " + m, "Second comment " + m]
        for t in texts:
            page = anon.get("/%d/" % pid)
            r = anon.submit(page, "/%d/" % pid, {"content": t})
            self.assertEqual(r.status, 303, "comment on the new post\n" + r.describe())
        cids = [int(x[0]) for x in sql("SELECT id FROM comment WHERE post_id = %d" % pid)]
        self.assertEqual(len(cids), 2, "the two comments are stored")
        for _ in range(2):  # prime the cache
            self.assertEqual(anon.get("/%d/" % pid).status, 200)
            index_pages(anon)
            anon.get("/comments/")
            feed(anon)
        admin = a.get("/admin/")
        form = form_of(admin, "/admin/posts/%d/delete" % pid)
        self.assertIsNotNone(form, "/admin/ has no delete form for the post")
        self.assertEqual(form.element.get("data-confirm"), DELETE_CONFIRM, "the delete form does not confirm")
        r = a.submit(admin, "/admin/posts/%d/delete" % pid)
        self.assertRedirect(r, "/admin/", what="POST /admin/posts/%d/delete" % pid)
        self.assertIsNone(post_row(pid), "the post is still in the database")
        self.assertEqual(sql_value("SELECT COUNT(*) FROM comment WHERE id IN (%s)" % ",".join(map(str, cids))),
                         "0", "the post's comments are still in the database")
        r = anon.get("/%d/" % pid)
        self.assertEqual(r.status, 404, "GET of the deleted post (cache?)\n" + r.describe())
        self.assertEqual(index_links_to(anon, pid), [], "the deleted post is still on the index")
        page = anon.get("/comments/").text
        for t in texts:
            self.assertNotIn(t, page, "a deleted post's comment is still on /comments/")
        self.assertIsNone(feed_entry(anon, pid)[0], "the deleted post is still in the feed")
        self.assertNotIn(m, a.get("/admin/").text, "the deleted post is still on /admin/")


# ---------------------------------------------------------------------------
# Bad input on the post forms
# ---------------------------------------------------------------------------


class BadInput(AuthCase):
    def cases(self, m):
        return [
            ("empty title", "", "Body " + m, "published"),
            ("101 ASCII characters", "x" * 101, "Body " + m, "published"),
            ("101 x é", "\u00e9" * 101, "Body " + m, "published"),
            ("101 x 😀", "\U0001f600" * 101, "Body " + m, "published"),
            ("empty content", "Title " + m, "", "published"),
            ("status bogus", "Title " + m, "Body " + m, "bogus"),
            ("status empty", "Title " + m, "Body " + m, ""),
        ]

    def assertRefused(self, r, action, title, content, what):
        self.assertEqual(r.status, 422, "%s: expected 422\n%s" % (what, r.describe()))
        form = form_of(r, action)
        self.assertIsNotNone(form, "%s: 422 without the form" % what)
        self.assertEqual(form_title_content(form), (title, content), "%s: the typed text is not kept" % what)

    def test_new_post_bad_input_is_422(self):
        a = author()
        m = unique("badnew")
        for what, title, content, status in self.cases(m):
            with self.subTest(case=what):
                count = post_count()
                page = a.get("/admin/posts/new")
                r = a.submit(page, "/admin/posts/new", {"title": title, "content": content, "status": status})
                self.assertRefused(r, "/admin/posts/new", title, content, "new post, " + what)
                self.assertEqual(post_count(), count, "new post, %s: a post was stored" % what)
        self.assertEqual(posts_containing(m), 0)

    def test_title_limit_counts_characters(self):
        a = author()
        for what, title in (("100 x é", "\u00e9" * 100), ("100 x 😀", "\U0001f600" * 100),
                            ("100 ASCII", "y" * 100)):
            with self.subTest(case=what):
                pid = create_post(a, title, "Body " + unique("title100"), "draft")
                self.assertEqual(post_row(pid)[0], title, "a %s title is not stored whole" % what)

    def test_edit_bad_input_is_422(self):
        a = author()
        m = unique("badedit")
        pid = create_post(a, "Keep " + m, "Keep body " + m, "published")
        before, version = post_row(pid), post_version(pid)
        for what, title, content, status in self.cases(m):
            with self.subTest(case=what):
                r = edit_post(a, pid, title=title, content=content, status=status)
                self.assertRefused(r, "/admin/posts/%d/edit" % pid, title, content, "edit, " + what)
                self.assertEqual(post_row(pid), before, "edit, %s: the post changed" % what)
                self.assertEqual(post_version(pid), version, "edit, %s: the version changed" % what)

    def test_invalid_utf8_is_400(self):
        a = author()
        m = unique("utf8")
        pid = create_post(a, "Utf8 " + m, "Body " + m, "published")
        before, count = post_row(pid), post_count()
        tok = csrf_token(a.get("/admin/posts/new").text)
        version = post_version(pid)
        cases = [
            ("/admin/posts/new", "title", b"csrf=%s&title=%s%%FF&content=x&status=published"),
            ("/admin/posts/new", "content", b"csrf=%s&title=ok&content=%s%%C3%%28&status=published"),
            ("/admin/posts/new", "raw byte", b"csrf=%s&title=ok&content=%s\xff&status=published"),
            ("/admin/posts/%d/edit" % pid, "title",
             b"csrf=%s&title=%s%%FF&content=x&status=published&version=" + version.encode()),
        ]
        for path, what, tmpl in cases:
            with self.subTest(path=path, field=what):
                body = tmpl % (tok.encode(), m.encode())
                r = a.request("POST", path, body=body, headers={"Content-Type": FORM})
                self.assertEqual(r.status, 400, "POST %s invalid UTF-8 in %s: expected 400\n%s"
                                 % (path, what, r.describe()))
                self.assertEqual(post_count(), count, "a post was stored")
                self.assertEqual(post_row(pid), before, "the post changed")

    def test_body_over_limit_is_413(self):
        a = author()
        m = unique("big")
        tok = csrf_token(a.get("/admin/posts/new").text)
        count = post_count()
        body = ("csrf=%s&title=%s&status=published&content=" % (tok, m)).encode() + b"a" * (300 * 1024)
        head = ("POST /admin/posts/new HTTP/1.1\r\nHost: %s\r\nCookie: %s\r\nContent-Type: %s\r\n"
                "Content-Length: %d\r\nConnection: close\r\n\r\n"
                % (blogtest.host_header(), cookie_header(a), FORM, len(body))).encode()
        r = blogtest.raw_request(head, body, timeout=15, method="POST", url="/admin/posts/new")
        self.assertIsNotNone(r, "no answer to a 300 KiB POST /admin/posts/new")
        self.assertEqual(r.status, 413, "POST /admin/posts/new with a 300 KiB body: expected 413\n" + r.describe())
        self.assertEqual(post_count(), count, "a post was stored")
        self.assertEqual(posts_containing(m), 0)

    def test_admin_forms_need_csrf(self):
        a = author()
        m = unique("csrf")
        pid = create_post(a, "Guarded " + m, "Guarded body " + m, "published")
        before, count = post_row(pid), post_count()
        version = post_version(pid)
        other = Client()
        other_tok = csrf_token(other.get("/1/").text)
        for why, tok in (("no token", None), ("forged token", os.urandom(32).hex()),
                         ("another browser's token", other_tok)):
            cases = [
                ("/admin/posts/new", [("title", "Forged " + m), ("content", "Forged " + m), ("status", "published")]),
                ("/admin/posts/%d/edit" % pid, [("title", "Forged " + m), ("content", "Forged " + m),
                                                ("status", "published"), ("version", version)]),
                ("/admin/posts/%d/delete" % pid, []),
            ]
            for path, fields in cases:
                with self.subTest(path=path, why=why):
                    if tok is not None:
                        fields = [("csrf", tok)] + fields
                    r = a.post_form(path, fields)
                    self.assertEqual(r.status, 403, "POST %s (%s): expected 403\n%s" % (path, why, r.describe()))
                    self.assertEqual(post_count(), count, "POST %s (%s) changed the number of posts" % (path, why))
                    self.assertEqual(post_row(pid), before, "POST %s (%s) changed the post" % (path, why))


# ---------------------------------------------------------------------------
# Signed-in pages and the page cache
# ---------------------------------------------------------------------------


class SignedInNotCached(AuthCase):
    def test_signed_in_pages_are_private(self):
        a = author()
        m = unique("private")
        pid = create_post(a, "Shared " + m, "Shared body " + m, "published")
        paths = ["/", "/%d/" % pid, "/2/", "/comments/", "/feed.atom"]
        anon = Client()
        for path in paths:  # anonymous pages in the cache first
            for _ in range(2):
                self.assertEqual(anon.get(path).status, 200, path)
        author_tokens = {a.cookie(CSRF_COOKIE)} - {None}
        for path in paths[:4]:
            with self.subTest(signed_in=path):
                r = a.get(path)
                self.assertEqual(r.status, 200, r.describe())
                self.assertPrivate(r, "signed-in GET " + path)
                doc = parse_html(r.text)
                self.assertIn(("Admin", "/admin/"), nav_links(doc),
                              "signed in, %s has no Admin link (served from the anonymous cache?)" % path)
                self.assertIsNotNone(form_of(r, "/logout"), "signed in, %s has no Sign out form" % path)
                self.assertNotIn(("Sign in", "/login"), nav_links(doc))
                tok = csrf_token(r.text)
                if tok:
                    author_tokens.add(tok)
        for client_name, client in (("the primed anonymous client", anon), ("a new anonymous client", Client())):
            for path in paths[:4]:
                with self.subTest(anonymous=path, client=client_name):
                    r = client.get(path)
                    self.assertEqual(r.status, 200, r.describe())
                    doc = parse_html(r.text)
                    self.assertIn(("Sign in", "/login"), nav_links(doc), "%s: no Sign in link" % path)
                    self.assertNotIn(("Admin", "/admin/"), nav_links(doc),
                                     "%s served the author's page to %s" % (path, client_name))
                    self.assertIsNone(form_of(r, "/logout"), "%s: a Sign out form for an anonymous visitor" % path)
                    for t in author_tokens:
                        self.assertNotIn(t, r.text, "%s leaks the author's csrf token to %s" % (path, client_name))


# ---------------------------------------------------------------------------
# Last (classes run in name order): nothing secret reached a log
# ---------------------------------------------------------------------------


class ZzSecretsNotLogged(AuthCase):
    def test_no_password_or_session_id_in_logs(self):
        """Issue 13: no password, session id or hash ever reaches a log (blogd's, nginx's, the
        stack's), for everything this run typed or was given."""
        signed_in()  # at least one login and session in this run
        time.sleep(1.2)  # nginx flushes its buffered access log every second
        logdir = os.path.dirname(blogtest.env()["BLOGD_LOG"])
        secrets = sorted(x for x in SECRETS if len(x) >= 8)
        self.assertTrue(secrets)
        found = []
        for dirpath, _, names in os.walk(logdir):
            for n in names:
                path = os.path.join(dirpath, n)
                try:
                    with open(path, "rb") as f:
                        data = f.read()
                except OSError:
                    continue
                for sec in secrets:
                    b = sec.encode()
                    for form in {b, urllib.parse.quote_plus(sec).encode()}:
                        if form in data:
                            found.append("%s holds %s...%s" % (path, sec[:3], sec[-2:]))
        self.assertEqual(found, [], "secrets in the logs")


if __name__ == "__main__":
    unittest.main(verbosity=2)
