#!/usr/bin/env python3
"""bench.py — `make bench`: blogd under wrk, against its two ceilings, in one run.

  scripts/bench.py            full run (~5 minutes): 3 interleaved rounds of every
                              scenario, wrk -t2 -c64 -d5s --latency, medians; then the
                              large data set (sql/seed_large.sql) if it is there
  scripts/bench.py --smoke    the same code path, every wrk run 1 s, 1 round, a small
                              mixed data set, no large data set (ctest bench.smoke);
                              asserts only that it runs and prints the table

What runs, all private and on 127.0.0.1 (every state file in one temp dir, removed at
exit, even on failure), each stack started by tests/harness (scripts/stack.sh):
  main   the tutorial data (MariaDB + blogd + nginx)
  ceil   a second nginx whose config is the main stack's generated nginx.conf with only
         paths, port and the upstream socket changed (so the FastCGI settings are the
         same), serving bench/bare_fcgi.c (the page's bytes = the FastCGI ceiling) and,
         in another server block (bench/nginx-static.conf.in), the same bytes as a
         static file (the ceiling for any page)
  php    the peer, in a third server block of the same nginx (bench/nginx-php.conf.in, with
         blogd's own FastCGI directives): the same post page from PHP-FPM 8.2 and PDO
         (bench/php/index.php; Debian's php-fpm and php-mysql, a private master with
         bench/php/php-fpm.conf.in, pm = static with BENCH_WORKERS processes, opcache on),
         reading and writing the main stack's database
  mix    10,000 posts x ~10 comments, for bench/mixed.lua
  large  SEED=large (sql/seed_large.sql), for the paging comparison
  cluster, clustermix  the tutorial data and the mixed data set on HOSTS=3 REPLICAS=2

The flood scenarios measure GET /2/ on the main stack while a second client (wrk -t1,
BENCH_FLOOD_CONNECTIONS connections, bench/junk.lua) sends /2/ with a new junk query string
every request, against GET /2/ while the same client reads /1/ (another cached page); the
report gives both rates and their ratio (the page cache is keyed by canonical URL, so junk
must not cost more than another cached page: the ratio should be at least 0.90).

The peer scenarios ("php": GET /2/, "phppost": comment POSTs, each a plain INSERT and a 303)
run in the same interleaved rounds as blogd's "post" and "comment" (and "nocache"); the report's
"Peers" table gives blogd / PHP as the median of the rounds' ratios. Their POSTs are checked
against the rows the main stack's database gained, as blogd's are. Without php-fpm (and its
pdo_mysql) the peer is skipped with a note (scripts/deps.sh bench installs it).
BENCH_ONLY="php phppost" also runs "post", "nocache" and "comment": their references.

The cluster scenarios ("clusterpost", "clustercomment", "clustermixed") measure GET /2/, comment POSTs and the mixed workload
over a stack of HOSTS=3 REPLICAS=2 (scripts/stack.sh: three blogd masters behind one nginx,
on a MariaDB primary and two GTID replicas, each host with BENCH_WORKERS workers), against
the single host's "post" and "mixed" (and "dbpost"/"dbmixed", cache = db, when they run) in the
same interleaved rounds; the report gives the ratios cluster / one host (medians of the rounds'
ratios). Everything shares one machine, so on a few cores this is the cluster's cost per
request (more processes, replication, heartbeats, the upstream's balancing), not its scale.
BENCH_ONLY="clusterpost" also runs "post", "clustercomment" (comment POSTs) "comment",
"clustermixed" "mixed": their references.

The signed-in scenario ("signed") measures GET /2/ of the main stack as the author `admin`
sees it (rendered per request, never stored in or served from the page cache): before the
runs bench.py signs in (GET /login for the CSRF cookie and token, POST /login with the
password from the stack's BLOGD_ADMIN_PASSWORD_FILE, else $VAR/admin_password) and wrk sends
both cookies with -H "Cookie: ...". The report gives its rate next to anonymous GET /2/ of
the same run, and their ratio. A blogd without /login (GET /login 404) has no such figure:
the scenario is left out with a note. With BENCH_BASE, the base's stack gets the same
scenario ("basesigned", a before/after row) only if it has a /login; BENCH_ONLY="signed"
also runs "post", its reference.

Output: a markdown report on stdout, also written to bench/results/latest.md
(bench/results/smoke.md for --smoke); wrk's own output goes to the .log beside it.

Environment (optional): BENCH_DURATION (s), BENCH_ROUNDS, BENCH_CONNECTIONS,
BENCH_THREADS, BENCH_WORKERS (blogd and bare_fcgi processes; per host), BENCH_MIX_POSTS,
BENCH_LARGE (0 skips the large data set), BENCH_FLOOD_CONNECTIONS (the flood scenarios'
second client, default a quarter of BENCH_CONNECTIONS), BENCH_ONLY (scenario names, e.g.
"floodref flood": run only those), BLOGD_BIN (default build/blogd), BLOGD_SHARE (the templates/,
static/ and sql/ BLOGD_BIN goes with, default this tree), BENCH_BASE (a git
revision, e.g. the commit before a change: it is exported with `git archive`, built, and
its own scripts/stack.sh starts stacks of it beside this tree's, so its GET /2/ (cached
and cache off), comment POST and mixed workload run interleaved in the same rounds; the
report adds a before/after table of the ratios this tree / base).
"""

import datetime
import glob
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests"))

from harness import measure, proc, stats  # noqa: E402
from harness.client import Conn, HTTPError, csrf_pair  # noqa: E402
from harness.stack import Stack  # noqa: E402

LARGE_DUR = 3
LARGE_CONNS = 8


class Fail(Exception):
    """The bench cannot go on; the message says why."""


def say(msg):
    print("bench: " + msg, file=sys.stderr, flush=True)


def usage():
    print("usage: %s [--smoke]" % sys.argv[0], file=sys.stderr)
    sys.exit(2)


def nproc():
    return len(os.sched_getaffinity(0))


def settings(argv):
    """The run's knobs, from the mode and the environment (see the module's doc)."""
    if len(argv) > 1:
        usage()
    mode = "full"
    if argv:
        if argv[0] == "--smoke":
            mode = "smoke"
        elif argv[0] in ("-h", "--help"):
            print(__doc__.strip())
            sys.exit(0)
        else:
            usage()
    smoke = mode == "smoke"
    env = os.environ.get
    c = {"mode": mode, "warmup": not smoke}
    raw = {"dur": env("BENCH_DURATION", "1" if smoke else "5"),
           "rounds": env("BENCH_ROUNDS", "1" if smoke else "3"),
           "mix_posts": env("BENCH_MIX_POSTS", "200" if smoke else "10000"),
           "threads": env("BENCH_THREADS", "2"),
           "conns": env("BENCH_CONNECTIONS", "64"),
           "workers": env("BENCH_WORKERS", str(2 * nproc()))}
    raw["flood_conns"] = env("BENCH_FLOOD_CONNECTIONS") or (
        str((int(raw["conns"]) + 3) // 4) if raw["conns"].isdigit() else raw["conns"])
    names = {"dur": "DUR", "rounds": "ROUNDS", "mix_posts": "MIX_POSTS", "threads": "THREADS",
             "conns": "CONNS", "workers": "WORKERS", "flood_conns": "FLOOD_CONNS"}
    for k, v in raw.items():
        if not v.isdigit() or int(v) == 0:
            print("bench: %s must be a positive number" % names[k], file=sys.stderr)
            sys.exit(2)
        c[k] = int(v)
    if c["mix_posts"] < 4:
        print("bench: BENCH_MIX_POSTS must be at least 4", file=sys.stderr)
        sys.exit(2)
    c["large"] = env("BENCH_LARGE", "0" if smoke else "1") == "1"
    c["only"] = env("BENCH_ONLY", "").split()
    c["base"] = env("BENCH_BASE", "")
    c["bin"] = env("BLOGD_BIN") or os.path.join(ROOT, "build", "blogd")
    c["share"] = env("BLOGD_SHARE") or None
    return c


class Page:
    """One GET of a whole page: status, header lines (as sent), body."""

    def __init__(self, url, timeout=10):
        m = re.match(r"http://127\.0\.0\.1:(\d+)(/.*)$", url)
        conn = Conn(int(m.group(1)), timeout)
        try:
            self.resp = conn.request("GET", m.group(2), headers={"Connection": "close"})
        except HTTPError as e:
            raise Fail("GET %s failed: %s" % (url, e))
        finally:
            conn.close()
        self.status, self.body = self.resp.status, self.resp.body

    def must_be_ok(self, url):
        if self.status != 200:
            raise Fail("GET %s answered %d, not 200" % (url, self.status))
        return self

    def csrf(self, url):
        """"blogd_csrf=VALUE" and the csrf input's token."""
        cookie, token = csrf_pair(self.resp.cookies, self.resp.text)
        if not cookie or not token:
            raise Fail("no CSRF cookie/token in %s (Set-Cookie blogd_csrf, input name=\"csrf\")" % url)
        return "blogd_csrf=" + cookie, token


SESSION_COOKIES = ("blogd_session", "__Host-blogd_session")


def own_comment(st, what):
    """Add a comment to /2/ of stack st as a browser would: (the Cookie header value with the
    CSRF and owner cookies, None), or (None, why not) when that blogd sets no owner cookie."""
    m = re.match(r"http://127\.0\.0\.1:(\d+)$", st.url)
    conn = Conn(int(m.group(1)), 15)
    try:
        r = conn.request("GET", "/2/", headers={"Connection": "close"})
    finally:
        conn.close()
    cookie, token = csrf_pair(r.cookies, r.text)
    if not cookie or not token:
        raise Fail("no CSRF cookie/token on /2/ of the %s stack" % what)
    body = urllib.parse.urlencode([("content", "bench: a comment of this browser's"), ("name", "bench"),
                                   ("csrf", token)]).encode()
    conn = Conn(int(m.group(1)), 15)
    try:
        r = conn.request("POST", "/2/", headers={"Cookie": "blogd_csrf=" + cookie, "Connection": "close",
                                                 "Content-Type": "application/x-www-form-urlencoded"}, body=body)
    finally:
        conn.close()
    if r.status != 303:
        raise Fail("a comment on /2/ of the %s stack answered %d, not 303" % (what, r.status))
    for c in r.cookies:
        name, _, rest = c.partition("=")
        if name.strip() == "blogd_own":
            return "blogd_csrf=%s; blogd_own=%s" % (cookie, rest.split(";")[0].strip()), None
    return None, "its comment POST set no blogd_own cookie"


def sign_in(st, what):
    """Sign in to stack st as admin: (the Cookie header value with the CSRF and session
    cookies, None) or (None, why not) when that blogd has no /login. Fail when it has one but
    the sign-in does not work."""
    m = re.match(r"http://127\.0\.0\.1:(\d+)$", st.url)
    port = int(m.group(1))

    def request(method, path, headers=None, body=None):
        conn = Conn(port, 15)
        try:
            return conn.request(method, path, headers=dict(headers or {}, Connection="close"), body=body)
        except HTTPError as e:
            raise Fail("%s %s of the %s stack failed: %s" % (method, path, what, e))
        finally:
            conn.close()

    r = request("GET", "/login")
    if r.status == 404:
        return None, "GET /login answered 404: this blogd has no sign-in"
    if r.status != 200:
        raise Fail("GET /login of the %s stack answered %d, not 200" % (what, r.status))
    cookie, token = csrf_pair(r.cookies, r.text)
    if not cookie or not token:
        raise Fail("no CSRF cookie/token on /login of the %s stack" % what)
    try:
        pw_file = st.stack_env().get("BLOGD_ADMIN_PASSWORD_FILE") or st.path("admin_password")
    except RuntimeError:
        pw_file = st.path("admin_password")
    try:
        with open(pw_file) as f:
            password = f.readline().rstrip("\r\n")
    except OSError as e:
        return None, "no admin password (%s: %s)" % (pw_file, e.strerror)
    body = urllib.parse.urlencode([("username", "admin"), ("password", password), ("next", "/2/"),
                                   ("csrf", token)]).encode()
    r = request("POST", "/login", {"Cookie": "blogd_csrf=" + cookie,
                                   "Content-Type": "application/x-www-form-urlencoded"}, body)
    if r.status != 303:
        raise Fail("signing in to the %s stack as admin: POST /login answered %d, not 303" % (what, r.status))
    session = None
    for c in r.cookies:
        name, _, rest = c.partition("=")
        value = rest.split(";")[0].strip()
        if name.strip() in SESSION_COOKIES and value:
            session = "%s=%s" % (name.strip(), value)
        elif name.strip() == "blogd_csrf" and value:
            cookie = value  # a new CSRF nonce with the session, if blogd rotates it
    if not session:
        raise Fail("signing in to the %s stack: POST /login set no session cookie" % what)
    return "blogd_csrf=%s; %s" % (cookie, session), None


def signed_in_check(st, cookies, what):
    """None if GET /2/ with cookies is the signed-in page (200, a "Sign out", not cacheable),
    else what is wrong."""
    m = re.match(r"http://127\.0\.0\.1:(\d+)$", st.url)
    conn = Conn(int(m.group(1)), 15)
    try:
        r = conn.request("GET", "/2/", headers={"Cookie": cookies, "Connection": "close"})
    except HTTPError as e:
        return "GET /2/ signed in (%s) failed: %s" % (what, e)
    finally:
        conn.close()
    if r.status != 200:
        return "GET /2/ signed in (%s) answered %d" % (what, r.status)
    if b"Sign out" not in r.body:
        return "GET /2/ with the session cookie (%s) is not a signed-in page (no \"Sign out\")" % what
    cc = r.headers.get("cache-control", "")
    if "private" not in cc or "no-store" not in cc:
        return "GET /2/ signed in (%s) has Cache-Control \"%s\", not private, no-store" % (what, cc)
    return None


def raw_head(url):
    """The header block of GET url exactly as nginx sent it (status line first)."""
    m = re.match(r"http://127\.0\.0\.1:(\d+)(/.*)$", url)
    from harness.client import raw_http

    raw = raw_http(("127.0.0.1", int(m.group(1))),
                   ("GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n" % m.group(2)).encode())
    return raw.partition(b"\r\n\r\n")[0].decode("latin-1").split("\r\n")


def parse_bench(text):
    """The numbers of report.lua's BENCH line ({} when there is none)."""
    for line in text.splitlines():
        if line.startswith("BENCH "):
            out = {}
            for kv in line.split()[1:]:
                k, _, v = kv.partition("=")
                try:
                    out[k] = float(v)
                except ValueError:
                    pass
            return out
    return {}


CLUSTER_HOSTS, CLUSTER_REPLICAS = 3, 2


class ClusterStack(Stack):
    """A stack of several blogd hosts on a MariaDB primary and replicas: scripts/stack.sh's
    HOSTS and REPLICAS (set here whatever the harness's Stack does with them)."""

    def __init__(self, *args, hosts=1, replicas=0, **kw):
        super().__init__(*args, **kw)
        self.n_hosts, self.n_replicas = hosts, replicas

    def env(self):
        e = super().env()
        e.update(HOSTS=str(self.n_hosts), REPLICAS=str(self.n_replicas))
        return e

    def caught_up(self, timeout=300):
        """Wait until every replica has applied the primary's gtid_binlog_pos (a bulk load
        replicated); Fail if one has not within timeout seconds."""
        e = self.stack_env()
        pos = self.sql("SELECT @@gtid_binlog_pos")[0][0]
        for j in range(1, int(e.get("BLOGD_REPLICAS", "0")) + 1):
            p = subprocess.run(["mariadb", "--defaults-file=" + e["MYSQL_DEFAULTS_R%d" % j],
                                "-u" + e.get("MYSQL_ADMIN_USER", "root"), "-N", "-e",
                                "SELECT MASTER_GTID_WAIT('%s', %d)" % (pos, timeout)],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=timeout + 30)
            if p.returncode != 0 or p.stdout.decode().strip() != "0":
                raise Fail("replica %d of the %s stack did not catch up with %s: %s"
                           % (j, self.name, pos, p.stdout.decode(errors="replace").strip()))


def part_pids(st):
    """nginx's master, the blogd masters and the MariaDB servers of stack st (every host and
    replica of a cluster, from its stack.env; a stack.sh without them: the one of each)."""
    try:
        e = st.stack_env()
    except RuntimeError:
        e = {}
    apps = [proc.read_pid(e[k]) for k in ("BLOGD_PID_FILE_%d" % i for i in range(1, int(e.get("BLOGD_HOSTS", 1)) + 1))
            if k in e]
    dbs = [proc.read_pid(e[k]) for k in ("MARIADB_PID_FILE_R%d" % j
                                          for j in range(1, int(e.get("BLOGD_REPLICAS", 0)) + 1)) if k in e]
    return st.nginx_pid(), [p for p in apps if p] or [st.master_pid()], [st.mariadb_pid()] + [p for p in dbs if p]


def replica_note(st):
    """How a cluster stack's replicas were after the runs: each one's replication threads
    (SHOW SLAVE STATUS) and, from /_blogd/status?json of whichever host nginx chose, whether
    blogd could use it and its lag; None for no stack."""
    if st is None:
        return None
    e = st.stack_env()
    threads = []
    for j in range(1, int(e.get("BLOGD_REPLICAS", "0")) + 1):
        p = subprocess.run(["mariadb", "--defaults-file=" + e["MYSQL_DEFAULTS_R%d" % j],
                            "-u" + e.get("MYSQL_ADMIN_USER", "root"), "-e", "SHOW SLAVE STATUS\\G"],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=30)
        f = dict(re.findall(r"^\s*(\w+): (.*)$", p.stdout.decode(errors="replace"), re.M))
        threads.append("replica %d IO %s, SQL %s, %s" % (j, f.get("Slave_IO_Running", "?"),
                                                          f.get("Slave_SQL_Running", "?"), f.get("Using_Gtid", "?")))
    seen = "no /_blogd/status?json"
    try:
        pg = Page(st.url + "/_blogd/status?json")
        if pg.status == 200:
            js = json.loads(pg.body)
            reps = js.get("replicas")
            if reps is None:
                seen = "blogd reports no replicas (a blogd without db_replicas support?)"
            else:
                seen = "; ".join("replica %d %s%s" % (i + 1, "usable" if r.get("usable") else "NOT usable",
                                                       "" if r.get("lag_ms") is None else ", lag %s ms" % r["lag_ms"])
                                 for i, r in enumerate(reps))
                if js.get("read_only"):
                    seen += "; read-only (the primary unreachable)"
    except (Fail, ValueError):
        pass
    return "the %s stack after the runs: %s; one host's /_blogd/status: %s." % (st.name, "; ".join(threads), seen)


def trees_ticks(s0, s1, roots):
    """CPU ticks of every process tree of roots between two snapshots; None for none."""
    ticks = [stats.tree_ticks(s0, s1, r) for r in roots if r]
    return sum(ticks) if ticks else None


PHP_FPM = ("php-fpm8.2", "php-fpm")


def find_php_fpm():
    """(path of Debian's php-fpm binary, None) or (None, why the PHP peer cannot run)."""
    path = next((p for p in (shutil.which(n) or shutil.which(n, path="/usr/sbin:/sbin") for n in PHP_FPM) if p),
                None)
    if not path:
        return None, "php-fpm is not installed (scripts/deps.sh bench installs php-fpm and php-mysql)"
    p = subprocess.run([path, "-m"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=30)
    if "pdo_mysql" not in p.stdout.decode(errors="replace").split():
        return None, "%s has no pdo_mysql (scripts/deps.sh bench installs php-mysql)" % path
    return path, None


def fastcgi_directives(conf):
    """The directives of the catch-all `location / { ... }` of an nginx config (blogd's FastCGI
    settings), comment lines left out; None when it has no such block."""
    lines = conf.split("\n")
    start = next((i for i, l in enumerate(lines) if re.fullmatch(r"\s*location / \{\s*", l)), None)
    if start is None:
        return None
    out, depth = [], 1
    for l in lines[start + 1:]:
        depth += l.count("{") - l.count("}")
        if depth <= 0:
            return out
        if l.strip() and not l.strip().startswith("#"):
            out.append(l)
    return None


class Bench:
    def __init__(self, c):
        self.c = c
        self.bt = tempfile.mkdtemp(prefix="blogd-bench.", dir=os.environ.get("TMPDIR") or "/tmp")
        # mkdtemp makes it 0700; as root the stacks' daemons run as mysql, nobody and www-data.
        os.chmod(self.bt, 0o755)
        self.ceil = os.path.join(self.bt, "ceil")
        self.php = os.path.join(self.bt, "php")  # the PHP peer's php-fpm (pid file, socket, logs)
        self.php_port = None  # the ceiling nginx's PHP server, when the peer runs
        self.php_skipped = ""  # why the PHP peer did not run (php-fpm missing)
        self.php_note = ""  # what the report says about the peer's page
        self.stacks = []
        self.failed_logs = []
        self.rounds = stats.Rounds()
        self.cpu = {}  # scenario -> [(ngx, app, db, machine ticks, wrk seconds, wall)]
        self.verify_notes = []
        self.verify_fail = False
        self.wrk_log = open(os.path.join(self.bt, "wrk.log"), "w")
        self.tck = os.sysconf("SC_CLK_TCK")
        self.signed_notes = []  # what the report says about the signed-in scenarios

    # -- stacks --------------------------------------------------------------------------
    def start_stack(self, name, port, seed, extra="", tree=ROOT, hosts=1, replicas=0):
        c = self.c
        st = ClusterStack(os.path.join(self.bt, name), name=name, seed=seed, port=port, tree=tree,
                          bin=c["bin"] if tree == ROOT else None, keep_wrapper=True,
                          share=c["share"] if tree == ROOT else None, hosts=hosts, replicas=replicas,
                          conf_extra="workers = %d%s" % (c["workers"], "\n" + extra if extra else ""))
        st.log = lambda *a: None
        self.stacks.append(st)
        say("starting the %s stack (SEED=%s, port %d, %d blogd workers%s%s)"
            % (name, seed, port, c["workers"], ", " + extra if extra else "",
               "" if hosts == 1 and not replicas else " per host, %d hosts, %d replicas" % (hosts, replicas)))
        log = os.path.join(self.bt, name + ".stack.log")
        try:
            st.start(wait=None, clear=False)
            ok = True
        except RuntimeError:
            ok = False
        with open(log, "a") as f:
            f.write(st.start_output)
        return st if ok else None

    def must_start(self, what, *args, **kw):
        st = self.start_stack(*args, **kw)
        if st is None:
            raise Fail("the %s stack did not start" % what)
        return st

    def cleanup(self, rc):
        if rc != 0:
            logs = self.failed_logs + sorted(glob.glob(os.path.join(self.bt, "*.stack.log"))) + [
                os.path.join(self.ceil, "log", "nginx-error.log"), os.path.join(self.ceil, "log", "bare.log"),
                os.path.join(self.php, "log", "php-fpm.log"), os.path.join(self.php, "log", "php-error.log")]
            for f in logs:
                if os.path.isfile(f) and os.path.getsize(f):
                    print("---- last lines of %s ----" % f, file=sys.stderr)
                    with open(f, errors="replace") as fh:
                        print("".join(fh.readlines()[-15:]), end="", file=sys.stderr)
        proc.stop_pidfile(os.path.join(self.ceil, "nginx.pid"), self.bt)
        proc.stop_pidfile(os.path.join(self.ceil, "bare.pid"), self.bt)
        proc.stop_pidfile(os.path.join(self.php, "php-fpm.pid"), self.bt)
        with open(os.path.join(self.bt, "stop.log"), "a") as log:
            for st in self.stacks:
                try:
                    code, out = st.stop()
                    log.write(out)
                except Exception:  # noqa: BLE001 - stop the others anyway
                    code = 1
                if code != 0:
                    say("warning: stopping the stack in %s failed" % st.var)
        self.wrk_log.close()
        shutil.rmtree(self.bt, ignore_errors=True)
        if rc != 0:
            say("failed (exit %d); everything it started is stopped" % rc)

    def comment_state(self, st):
        mx, n = st.sql("SELECT COALESCE(MAX(id), 0), COUNT(*) FROM comment")[0]
        return int(mx), int(n)

    def load_mix(self, st):
        n = self.c["mix_posts"]
        say("loading %d posts and %d comments into %s" % (n, n * 10, st.name))
        try:
            st.sql_script("""SET SESSION unique_checks = 0, foreign_key_checks = 0;
START TRANSACTION;
INSERT INTO post (id, title, content)
SELECT seq, CONCAT('Bench post ', seq),
       CONCAT('Content of bench post ', seq, '. ',
              REPEAT('Lorem ipsum dolor sit amet, consectetur adipiscing elit. ', 1 + seq MOD 8))
FROM seq_4_to_%d;
INSERT INTO comment (content, post_id)
SELECT CONCAT('Comment ', seq, ': ', REPEAT('Nice post, thanks! ', 1 + seq MOD 4)),
       1 + CRC32(seq) MOD %d
FROM seq_1_to_%d;
COMMIT;
ANALYZE TABLE post, comment;
""" % (n, n, n * 10))
        except RuntimeError as e:
            with open(os.path.join(self.bt, "mix.stack.log"), "a") as f:
                f.write(str(e) + "\n")
            raise Fail("bulk load of the mixed data set failed")

    # -- wrk -------------------------------------------------------------------------------
    def run_wrk(self, key, conns, dur, url, script, env=None, keep=True, headers=None):
        """One bounded wrk run; its numbers kept under key (unless keep is False); returns
        (numbers, wrk's user+sys CPU seconds, wall seconds). headers: "Name: value" strings
        for wrk -H (sent with every request of a script without its own request())."""
        c = self.c
        cmd = ["wrk", "-t%d" % c["threads"], "-c%d" % conns, "-d%ds" % dur, "--timeout", "5s", "--latency"]
        for h in headers or ():
            cmd += ["-H", h]
        cmd += ["-s", os.path.join(ROOT, "bench", script + ".lua"), url]
        t0 = time.monotonic()
        p = subprocess.Popen(cmd, env=dict(os.environ, **(env or {})), stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT)
        out, rc, cpu = self.wait_wrk(p, dur + 30)
        wall = time.monotonic() - t0
        self.wrk_log.write("=== %s: wrk -t%d -c%d -d%ds %s%s (%s.lua) exit %d\n%s"
                           % (key, c["threads"], conns, dur, url,
                              " -H <%s>" % ", ".join(h.split(":")[0] for h in headers) if headers else "",
                              script, rc, out))
        if rc != 0:
            say("warning: wrk exited with %d for %s" % (rc, url))
        fields = parse_bench(out)
        if not fields:
            say("warning: no result from wrk for %s" % url)
        if keep:
            self.rounds.add(key, fields)
        return fields, cpu, wall

    @staticmethod
    def wait_wrk(p, limit):
        """Output, exit status (124 if it had to be stopped) and user+sys CPU seconds of a
        wrk process; after limit seconds it is stopped by its own PID (SIGTERM, SIGKILL 5 s later)."""
        deadline, chunks, killed = time.monotonic() + limit, [], None
        os.set_blocking(p.stdout.fileno(), False)
        while True:
            d = p.stdout.read()
            if d:
                chunks.append(d)
            pid, status, ru = os.wait4(p.pid, os.WNOHANG)
            if pid:
                break
            now = time.monotonic()
            if killed is None and now > deadline:
                p.send_signal(signal.SIGTERM)
                killed = now
            elif killed is not None and now > killed + 5:
                p.kill()
                _, status, ru = os.wait4(p.pid, 0)
                break
            time.sleep(0.05)
        p.returncode = 124 if killed is not None else os.waitstatus_to_exitcode(status)
        d = p.stdout.read()
        if d:
            chunks.append(d)
        p.stdout.close()
        return b"".join(chunks).decode(errors="replace"), p.returncode, ru.ru_utime + ru.ru_stime

    def run_scenario(self, sc, rnd, dur):
        """One wrk run of a scenario, with CPU sampling; POSTs are checked against the rows
        the database gained, which are then deleted again so every round sees the same data."""
        c = self.c
        name, label, url, script, st = sc["name"], sc["label"], sc["url"], sc["script"], sc["stack"]
        keep = rnd != "warmup"
        if st is None:  # the ceilings
            ngx = proc.read_pid(os.path.join(self.ceil, "nginx.pid"))
            app = proc.read_pid(os.path.join(self.ceil, "bare.pid")) if name == "bare" else None
            db = None
        else:
            ngx, app, db = part_pids(st)
        if sc.get("app"):  # the ceiling nginx and its own app, on st's database
            ngx, app = proc.read_pid(os.path.join(self.ceil, "nginx.pid")), proc.read_pid(sc["app"])
        env = {}
        if script == "post":
            env = {"BENCH_CSRF_COOKIE": st.csrf[0], "BENCH_CSRF_TOKEN": st.csrf[1], "BENCH_POST_PATH": "/2/"}
        elif script == "mixed":
            env = {"BENCH_CSRF_COOKIE": st.csrf[0], "BENCH_CSRF_TOKEN": st.csrf[1],
                   "BENCH_POSTS": str(c["mix_posts"])}
        before = self.comment_state(st) if script != "get" else None
        # A second client runs from before the measured one starts until after it ends.
        side = None
        if sc.get("side_path"):
            side_url = re.sub(r"^(https?://[^/]+).*", r"\1", url) + sc["side_path"]
            side = subprocess.Popen(
                ["wrk", "-t1", "-c%d" % c["flood_conns"], "-d%ds" % (dur + 1), "--timeout", "5s", "--latency",
                 "-s", os.path.join(ROOT, "bench", "junk.lua"), side_url],
                env=dict(os.environ, BENCH_JUNK=sc["side_junk"], BENCH_SIDE_PATH=sc["side_path"]),
                stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            time.sleep(0.3)
        s0 = stats.snapshot()
        fields, wrk_cpu, wall = self.run_wrk(name, c["conns"], dur, url, script, env, keep, sc.get("headers"))
        s1 = stats.snapshot()
        ticks = [trees_ticks(s0, s1, p if isinstance(p, list) else [p]) for p in (ngx, app, db)]
        side_ticks = 0
        if side:
            # the second client's CPU during the measured run counts as wrk's, not as "other"
            side_ticks = stats.tree_ticks(s0, s1, side.pid) or 0
            out, rc, _ = self.wait_wrk(side, dur + 31)
            if rc != 0:
                say("warning: the second client (junk.lua) exited with %d for %s" % (rc, name))
            self.wrk_log.write("=== side-%s.%s: wrk -t1 -c%d -d%ds %s (junk.lua, BENCH_JUNK=%s)\n%s"
                               % (name, rnd, c["flood_conns"], dur + 1, side_url, sc["side_junk"], out))
            if keep:
                self.rounds.add("side-" + name, parse_bench(out))
        if keep:
            self.cpu.setdefault(name, []).append(
                ticks + [stats.machine_ticks(s0, s1), wrk_cpu + side_ticks / self.tck, wall])
        if before is not None:
            self.verify_posts(sc, rnd, before, keep, fields)

    def verify_posts(self, sc, rnd, before, keep, line):
        st = sc["stack"]
        bmax, bcount = before
        _, acount = self.comment_state(st)
        n303, nother = int(line.get("n303", 0)), int(line.get("nother", 0))
        added = acount - bcount
        # Requests still in flight when wrk stops may be stored without their 303 being
        # read: up to one per connection. A 303 without a stored row is a lost comment.
        if added < n303:
            verdict = "LOST COMMENTS: fewer rows than 303s"
            self.verify_fail = True
        elif added > n303 + nother + self.c["conns"]:
            verdict = "MISMATCH: more rows than 303s + in-flight requests"
            self.verify_fail = True
        else:
            verdict = "ok" if added == n303 else "ok (difference: requests in flight when wrk stopped)"
        if keep:
            self.verify_notes.append("- %s, round %s: %d responses 303, %d other; comment rows %d → %d (+%d): %s"
                                     % (sc["label"], rnd, n303, nother, bcount, acount, added, verdict))
        # The POST-only scenario piles thousands of comments on /2/, whose page the GET
        # scenarios measure: they go. The mixed workload's few hundred, spread over 10,000
        # posts, stay: a delete by SQL is a change made outside blogd, which (rightly) retires
        # every cached page and would make each round start cold.
        if sc["script"] == "post":
            try:
                st.sql("DELETE FROM comment WHERE id > %d" % bmax)
            except RuntimeError:
                raise Fail("could not delete the benchmark's comments")
            time.sleep(1)  # let InnoDB purge the deleted rows before the next scenario

    # -- the peer: the same post page from PHP-FPM, behind the ceiling nginx ----------------
    def start_php(self, main, binary):
        """Start the PHP peer's own php-fpm master (bench/php/php-fpm.conf.in: pm = static, as
        many processes as blogd's workers, on a unix socket in the temp dir, the main stack's
        database and app account); returns the socket's path."""
        c, d = self.c, self.php
        for sub in ("run", "log"):
            os.makedirs(os.path.join(d, sub), exist_ok=True)
        e = main.stack_env()
        password = main.conf_value("db_password")
        if not password and e.get("BLOGD_DB_PASSWORD_FILE"):
            with open(e["BLOGD_DB_PASSWORD_FILE"]) as f:
                password = f.readline().strip()
        values = {"DIR": d, "WORKERS": str(c["workers"]),
                  "DB_SOCKET": main.conf_value("db_socket") or e["MYSQL_SOCKET"],
                  "DB_NAME": main.conf_value("db_name", "blog"), "DB_USER": main.conf_value("db_user", "blogd"),
                  "DB_PASSWORD": password, "SITE_NAME": re.sub(r'["\\$]', "", main.conf_value("site_name", "blogd")),
                  "PAGE_COMMENTS": main.conf_value("page_comments", "50"),
                  "MAX_COMMENT_CHARS": main.conf_value("max_comment_chars", "10000"),
                  "CSRF_KEY": os.urandom(32).hex(),
                  "POOL_USER": "; not root: the pool runs as whoever started the bench",
                  "LISTEN_OWNER": "; (and so does the socket: the ceiling nginx's workers too)"}
        errlog = os.path.join(d, "log", "php-error.log")
        open(errlog, "a").close()
        if os.geteuid() == 0:
            # As root: the pool runs as blogd does, and nginx's workers (www-data) may connect,
            # as to bare_fcgi's socket; the workers write their own error log.
            user = e.get("BLOGD_USER") or "nobody"
            values["POOL_USER"] = "user = %s" % user
            values["LISTEN_OWNER"] = "listen.owner = %s\nlisten.group = %s" % (user, e["NGINX_USER"])
            shutil.chown(errlog, user=user)
        with open(os.path.join(ROOT, "bench", "php", "php-fpm.conf.in")) as f:
            conf = f.read()
        for k, v in values.items():
            conf = conf.replace("@%s@" % k, v)
        if "@" in re.sub(r"(?m);.*$", "", conf):
            raise Fail("bench/php/php-fpm.conf.in has a placeholder bench.py does not know")
        path = os.path.join(d, "php-fpm.conf")
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # it holds the password
        with os.fdopen(fd, "w") as f:
            f.write(conf)
        out = os.path.join(d, "log", "php-fpm.out")
        with open(out, "ab") as log:
            rc = subprocess.run([binary, "-y", path, "-d", "opcache.enable=1", "-d", "expose_php=0"],
                                stdin=subprocess.DEVNULL, stdout=log, stderr=log, timeout=60).returncode
        pidf, sock = os.path.join(d, "php-fpm.pid"), os.path.join(d, "run", "php-fpm.sock")
        for _ in range(100):
            if rc != 0 or (proc.read_pid(pidf) and os.path.exists(sock)):
                break
            time.sleep(0.1)
        if rc != 0 or not proc.read_pid(pidf):
            self.failed_logs.append(out)
            raise Fail("php-fpm (the PHP peer) did not start (exit %d)" % rc)
        if self.bt not in proc.cmdline(proc.read_pid(pidf)):
            # cleanup stops it only by a PID whose command line names the temp dir
            proc.stop_pid(proc.read_pid(pidf), "php-fpm")
            raise Fail("php-fpm's master does not name its config in its command line: it could not be stopped")
        return sock

    def check_php(self, main, page):
        """The peer's /2/ is blogd's post page (its title, every comment of blogd's page), a
        wrong comment POST is a 400 and a right one stores its row (deleted again)."""
        url = "http://127.0.0.1:%d/2/" % self.php_port
        pg = Page(url).must_be_ok(url)
        for what in re.findall(rb"<h1>.*?</h1>", page)[:1] + re.findall(rb'<div class="comment" id="c\d+">', page):
            if what not in pg.body:
                raise Fail("the PHP peer's /2/ has no %s, which blogd's has" % what.decode(errors="replace"))
        self.php_note = ("The PHP page: %d bytes, blogd's: %d (the same markup; both pages carry a CSRF token "
                         "made per visitor, which PHP does not check on POST)." % (len(pg.body), len(page)))

        def post(body):
            conn = Conn(self.php_port, 15)
            try:
                return conn.request("POST", "/2/", headers={"Connection": "close",
                                                            "Content-Type": "application/x-www-form-urlencoded"},
                                    body=body).status
            except HTTPError as e:
                raise Fail("POST /2/ of the PHP peer failed: %s" % e)
            finally:
                conn.close()

        for body, want in ((b"content=+&name=x", 400), (b"content[]=x", 400), (b"content=%FF", 400)):
            got = post(body)
            if got != want:
                raise Fail("the PHP peer answered a wrong comment POST (%s) with %d, not %d"
                           % (body.decode(), got, want))
        before = self.comment_state(main)
        status = post(b"content=bench%3A+a+check+of+the+PHP+peer&name=bench")
        after = self.comment_state(main)
        main.sql("DELETE FROM comment WHERE id > %d" % before[0])
        if status != 303 or after[1] != before[1] + 1:
            raise Fail("a comment POST to the PHP peer answered %d and stored %d rows, not 303 and 1"
                       % (status, after[1] - before[1]))

    # -- the ceilings: bare_fcgi + static file behind a second nginx ------------------------
    def start_ceilings(self, main, page, head, p_bare, p_static, php_sock=None):
        c, ceil = self.c, self.ceil
        for d in ("run", "log", "static", "nginx-tmp"):
            os.makedirs(os.path.join(ceil, d), exist_ok=True)
        with open(os.path.join(ceil, "static", "page.html"), "wb") as f:
            f.write(page)
        # The headers blogd sent, as blogd sends them (CGI style): nginx's own ones dropped,
        # X-Request-Id added per request by bare_fcgi.
        hdr = ["Status: " + re.sub(r"^HTTP/[0-9.]+ ", "", head[0])]
        drop = ("server", "date", "connection", "keep-alive", "transfer-encoding", "x-request-id")
        hdr += [l for l in head[1:] if l.split(":", 1)[0].lower() not in drop]
        with open(os.path.join(ceil, "bare.hdr"), "w") as f:
            f.write("\n".join(hdr) + "\n")
        sock, pidf = os.path.join(ceil, "run", "bare.sock"), os.path.join(ceil, "bare.pid")
        with open(os.path.join(ceil, "log", "bare.log"), "ab") as log:
            subprocess.Popen([os.path.join(self.bt, "bare_fcgi"), sock, str(c["workers"]),
                              os.path.join(ceil, "bare.hdr"), os.path.join(ceil, "static", "page.html"), pidf],
                             stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True)
        for _ in range(100):
            if os.path.exists(pidf) and os.path.getsize(pidf) and os.path.exists(sock):
                break
            time.sleep(0.1)
        else:
            raise Fail("bare_fcgi did not start")
        # As root, the ceiling nginx's workers run as the main stack's do (www-data): they connect.
        if os.geteuid() == 0:
            shutil.chown(sock, group=main.stack_env()["NGINX_USER"])
        # nginx for the ceilings: the main stack's config with its paths, port and upstream swapped.
        with open(main.path("nginx.conf")) as f:
            conf = f.read()
        conf = conf.replace("unix:%s/run/blogd.sock" % main.var, "unix:%s/run/bare.sock" % ceil)
        conf = conf.replace("listen 127.0.0.1:%d;" % main.port, "listen 127.0.0.1:%d;" % p_bare)
        conf = conf.replace(main.var, ceil)
        if ("unix:%s/run/bare.sock;" % ceil not in conf or "listen 127.0.0.1:%d;" % p_bare not in conf
                or main.var in conf):
            raise Fail("could not derive the ceiling nginx config from %s/nginx.conf (layout changed?)" % main.var)
        with open(os.path.join(ROOT, "bench", "nginx-static.conf.in")) as f:
            static = f.read().replace("@STATIC_PORT@", str(p_static)).replace("@CEIL@", ceil)
        blocks = [static]
        if php_sock:
            # the PHP peer's server: blogd's own location / directives, another upstream
            fcgi = fastcgi_directives(conf)
            body = re.search(r"^\s*client_max_body_size\s+(\S+);", conf, re.M)
            if not fcgi or not any(l.strip() == "fastcgi_pass blogd;" for l in fcgi) or not body:
                raise Fail("could not find blogd's location / (fastcgi_pass blogd) and client_max_body_size in "
                           "%s/nginx.conf (layout changed?)" % main.var)
            fcgi = [re.sub(r"fastcgi_pass blogd;", "fastcgi_pass php_fpm;", l) for l in fcgi]
            with open(os.path.join(ROOT, "bench", "nginx-php.conf.in")) as f:
                blocks.append(f.read().replace("@PHP_PORT@", str(self.php_port)).replace("@PHP_SOCK@", php_sock)
                              .replace("@MAX_BODY@", body.group(1)).replace("@FASTCGI@", "\n".join(fcgi))
                              .replace("@SCRIPT@", os.path.join(ROOT, "bench", "php", "index.php")))
        # the added server blocks go before the closing brace of http {}
        lines = conf.split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        last = max((i for i, l in enumerate(lines) if re.fullmatch(r"[ \t]*}[ \t]*", l)), default=len(lines))
        added = [l for b in blocks for l in b.rstrip("\n").split("\n")]
        conf = "\n".join(lines[:last] + added + lines[last:]) + "\n"
        with open(os.path.join(ceil, "nginx.conf"), "w") as f:
            f.write(conf)
        out = os.path.join(ceil, "log", "nginx.out")
        with open(out, "ab") as log:
            rc = subprocess.run(["nginx", "-p", ceil, "-e", os.path.join(ceil, "log", "nginx-error.log"),
                                 "-c", os.path.join(ceil, "nginx.conf")], stdout=log, stderr=log,
                                timeout=60).returncode
        if rc != 0:
            self.failed_logs.append(out)
            raise Fail("the ceiling nginx did not start")
        for _ in range(100):
            try:
                Page("http://127.0.0.1:%d/2/" % p_static)
                Page("http://127.0.0.1:%d/2/" % p_bare)
                if php_sock:
                    Page("http://127.0.0.1:%d/2/" % self.php_port)
                break
            except Fail:
                time.sleep(0.1)
        else:
            raise Fail("the ceiling nginx does not answer")
        for port, what in ((p_static, "the static server"), (p_bare, "bare_fcgi")):
            url = "http://127.0.0.1:%d/2/" % port
            if Page(url).must_be_ok(url).body != page:
                raise Fail("%s does not serve the page's bytes" % what)

        def names(h):
            return sorted(l.split(":", 1)[0].lower() for l in h[1:] if ":" in l)

        bare_head = raw_head("http://127.0.0.1:%d/2/" % p_bare)
        if names(head) != names(bare_head):
            say("warning: bare_fcgi's headers differ from blogd's:")
            print("blogd:     %s\nbare_fcgi: %s" % (" ".join(names(head)), " ".join(names(bare_head))), file=sys.stderr)

    # -- the whole run ---------------------------------------------------------------------
    def build(self):
        c = self.c
        if not os.access(c["bin"], os.X_OK):
            say("building blogd (%s is missing)" % c["bin"])
            subprocess.run(["cmake", "-S", ROOT, "-B", os.path.join(ROOT, "build"),
                            "-DCMAKE_BUILD_TYPE=RelWithDebInfo"], stdout=sys.stderr, check=False)
            subprocess.run(["cmake", "--build", os.path.join(ROOT, "build"), "-j2"], stdout=sys.stderr, check=False)
        if not os.access(c["bin"], os.X_OK):
            raise Fail("%s was not built" % c["bin"])
        mtime = os.path.getmtime(c["bin"])
        self.stale = None
        for top in ("src", "templates", "CMakeLists.txt"):
            for dirpath, dirs, files in os.walk(os.path.join(ROOT, top)) if top != "CMakeLists.txt" else [(ROOT, [], [top])]:
                for fn in sorted(dirs + files):
                    p = os.path.join(dirpath, fn)
                    if self.stale is None and os.path.getmtime(p) > mtime:
                        self.stale = os.path.relpath(p, ROOT)
        if self.stale:
            say("warning: %s is older than %s (benchmarking it anyway; 'make build' to refresh)" % (c["bin"], self.stale))
        self.build_type = ""
        try:
            with open(os.path.join(os.path.dirname(c["bin"]), "CMakeCache.txt")) as f:
                m = re.search(r"^CMAKE_BUILD_TYPE:[A-Z]*=(.*)$", f.read(), re.M)
                self.build_type = m.group(1) if m else ""
        except OSError:
            pass
        self.base_rev = None
        if c["base"]:
            p = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", c["base"] + "^{commit}"],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
            if p.returncode != 0:
                raise Fail("BENCH_BASE=%s is not a commit of this repository" % c["base"])
            self.base_rev = p.stdout.decode().strip()
            self.base_tree = os.path.join(self.bt, "base-tree")
            say("building the base, %s (git archive into %s)" % (self.base_rev, self.base_tree))
            os.makedirs(self.base_tree)
            if subprocess.run("git -C '%s' archive '%s' | tar -x -C '%s'" % (ROOT, self.base_rev, self.base_tree),
                              shell=True).returncode != 0:
                raise Fail("git archive %s failed" % self.base_rev)
            log = os.path.join(self.bt, "base-build.log")
            with open(log, "wb") as f:
                ok = subprocess.run(["cmake", "-S", self.base_tree, "-B", os.path.join(self.base_tree, "build"),
                                     "-DCMAKE_BUILD_TYPE=" + (self.build_type or "RelWithDebInfo")],
                                    stdout=f, stderr=f).returncode == 0 and subprocess.run(
                    ["cmake", "--build", os.path.join(self.base_tree, "build"), "-j2", "--target", "blogd"],
                    stdout=f, stderr=f).returncode == 0
            if not ok:
                self.failed_logs.append(log)
                raise Fail("building %s failed" % self.base_rev)
        say("building bench/bare_fcgi.c")
        flags = subprocess.run(["pkg-config", "--cflags", "--libs", "fcgi"], stdout=subprocess.PIPE,
                               check=True).stdout.decode().split()
        if subprocess.run(["cc", "-std=c11", "-O2", "-Wall", "-o", os.path.join(self.bt, "bare_fcgi"),
                           os.path.join(ROOT, "bench", "bare_fcgi.c")] + flags, stdout=sys.stderr).returncode != 0:
            raise Fail("compiling bench/bare_fcgi.c failed")

    def run(self):
        c = self.c
        self.build()
        # Every port drawn at once: one drawn later could be one drawn here and not bound yet.
        (p_main, p_nocache, p_mix, p_large, p_bare, p_static, p_dbc, p_mixdb, p_owner, p_base, p_basenc,
         p_basemix, p_nometrics, p_cluster, p_clustermix, p_php) = proc.free_ports(16)
        self.ports = {"large": p_large}

        # Main stack (tutorial data) and the page's bytes
        main = self.must_start("main", "main", p_main, "tutorial")
        url = main.url + "/2/"
        pg = Page(url).must_be_ok(url)
        self.page, head = pg.body, raw_head(url)
        main.csrf = pg.csrf(url)
        # The same data with cache = db (a change_seq read per hit, as when several hosts share the database)
        dbc = self.must_start("cache = db", "dbc", p_dbc, "tutorial", "cache = db")
        dbc.csrf = Page(dbc.url + "/2/").must_be_ok(dbc.url + "/2/").csrf(dbc.url + "/2/")
        # The same data with blogd's page cache off (if this blogd has one). Every request then
        # renders from MariaDB: a row of the main table, and the base line of the paging comparison.
        # The main stack's configuration (its `user` too: as root blogd refuses to start without one).
        test_conf = os.path.join(self.bt, "cache-test.conf")
        with open(main.conf) as f:
            text = f.read()
        fd = os.open(test_conf, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(text + ("" if text.endswith("\n") or not text else "\n") + "cache = off\n")
        self.cache_off = ""
        nocache = None
        if subprocess.run([c["bin"], "-t", "-c", test_conf], stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL).returncode == 0:
            self.cache_off = "cache = off"
            nocache = self.must_start("cache-off", "nocache", p_nocache, "tutorial", self.cache_off)
        else:
            say("note: %s has no 'cache' option; no cache-off figures" % c["bin"])
        # comment_delete = owner (the built-in default; make run keeps the tutorial's `anyone`):
        # GET /2/ by a visitor without comments there, and by the browser that wrote one (its
        # delete button added to the cached page, post_for_visitor).
        self.owner_cookie = None
        owner = None
        if not c["only"] or {"owneranon", "ownerown"} & set(c["only"]):
            owner = self.must_start("comment_delete = owner", "owner", p_owner, "tutorial",
                                    "comment_delete = owner")
            self.owner_cookie, why = own_comment(owner, "owner")
            if not self.owner_cookie:
                say("note: no owner scenario: %s" % why)
        # metrics = off: the same GET /2/ without the per-request counting (issue 15: within 2%).
        nometrics = None
        if not c["only"] or "nometrics" in c["only"]:
            nometrics = self.must_start("metrics = off", "nometrics", p_nometrics, "tutorial", "metrics = off")
        # The base (BENCH_BASE): the same stacks of the older code, measured in the same rounds
        base = basenc = basemix = None
        if c["base"]:
            base = self.must_start("base", "base", p_base, "tutorial", "", self.base_tree)
            basenc = self.must_start("base cache-off", "basenc", p_basenc, "tutorial", "cache = off", self.base_tree)
            basemix = self.must_start("base mixed", "basemix", p_basemix, "tutorial", "", self.base_tree)
            bp = Page(base.url + "/2/").must_be_ok(base.url + "/2/")
            if bp.body != self.page:
                say("note: the base's /2/ differs from this tree's (%d vs %d bytes)" % (len(bp.body), len(self.page)))
            base.csrf = bp.csrf(base.url + "/2/")
        # The PHP peer (php-fpm behind the ceiling nginx), on the main stack's database
        php_bin, why = find_php_fpm()
        php_sock = None
        if php_bin:
            self.php_port = p_php
            say("starting the PHP peer (%s, %d processes, port %d)" % (php_bin, c["workers"], p_php))
            php_sock = self.start_php(main, php_bin)
        else:
            say("note: no PHP peer: %s" % why)
            self.php_skipped = why
        self.start_ceilings(main, self.page, head, p_bare, p_static, php_sock)
        if php_sock:
            self.check_php(main, self.page)

        # Mixed stacks: MIX_POSTS posts with ~10 comments each, loaded in bulk
        mix = self.must_start("mixed-workload", "mix", p_mix, "tutorial")
        self.load_mix(mix)
        mixdb = self.must_start("mixed cache = db", "mixdb", p_mixdb, "tutorial", "cache = db")
        self.load_mix(mixdb)
        for st in (mixdb, mix) + ((basemix,) if basemix else ()):
            if st is basemix:
                self.load_mix(basemix)
            st.csrf = Page(st.url + "/2/").must_be_ok(st.url + "/2/").csrf(st.url + "/2/")
        # Several hosts: the tutorial data and the mixed data set on HOSTS=3 REPLICAS=2 (the mixed
        # data loaded on the primary, measured once every replica has applied it).
        cluster = clustermix = None
        if not c["only"] or "clusterpost" in c["only"] or "clustercomment" in c["only"]:
            cluster = self.must_start("cluster", "cluster", p_cluster, "tutorial",
                                      hosts=CLUSTER_HOSTS, replicas=CLUSTER_REPLICAS)
            cluster.csrf = Page(cluster.url + "/2/").must_be_ok(cluster.url + "/2/").csrf(cluster.url + "/2/")
        if not c["only"] or "clustermixed" in c["only"]:
            clustermix = self.must_start("cluster mixed", "clustermix", p_clustermix, "tutorial",
                                         hosts=CLUSTER_HOSTS, replicas=CLUSTER_REPLICAS)
            self.load_mix(clustermix)
            clustermix.caught_up()
            clustermix.csrf = Page(clustermix.url + "/2/").must_be_ok(clustermix.url + "/2/").csrf(
                clustermix.url + "/2/")

        # Scenarios: name, label, url, script, stack (None: the ceilings)
        # [, the second client: junk.lua's BENCH_JUNK (1: junk query strings, 0: plain), its path]
        # [, app: a pid file of the process tree that serves it ("app" in the CPU table), for a
        # scenario served by the ceiling nginx on a stack's database: the PHP peer]
        def sc(name, label, url, script, stack, side_junk=None, side_path=None, headers=None, app=None):
            return {"name": name, "label": label, "url": url, "script": script, "stack": stack,
                    "side_junk": side_junk, "side_path": side_path, "headers": headers, "app": app}

        n = c["mix_posts"]
        s = [sc("static", "nginx: the page as a static file", "http://127.0.0.1:%d/2/" % p_static, "get", None),
             sc("bare", "bare libfcgi responder (FastCGI ceiling)", "http://127.0.0.1:%d/2/" % p_bare, "get", None),
             sc("index", "blogd GET /", main.url + "/", "get", main),
             sc("post", "blogd GET /2/", main.url + "/2/", "get", main),
             sc("floodref", "blogd GET /2/ while a second client reads /1/", main.url + "/2/", "get", main, "0", "/1/"),
             sc("flood", "blogd GET /2/ while a second client floods /2/?<junk>", main.url + "/2/", "get", main,
                "1", "/2/"),
             sc("comments", "blogd GET /comments/", main.url + "/comments/", "get", main),
             sc("comment", "blogd POST /2/ (add a comment)", main.url + "/2/", "post", main),
             sc("php", "PHP-FPM 8.2 + PDO: GET /2/", "http://127.0.0.1:%d/2/" % p_php, "get", main,
                app=os.path.join(self.php, "php-fpm.pid")),
             sc("phppost", "PHP-FPM 8.2 + PDO: POST /2/ (plain INSERT)", "http://127.0.0.1:%d/2/" % p_php, "post",
                main, app=os.path.join(self.php, "php-fpm.pid")),
             sc("mixed", "blogd mixed workload, %d posts" % n, mix.url + "/", "mixed", mix),
             sc("dbpost", "blogd GET /2/, cache = db (as with several hosts)", dbc.url + "/2/", "get", dbc),
             sc("dbcomment", "blogd POST /2/, cache = db", dbc.url + "/2/", "post", dbc),
             sc("dbmixed", "blogd mixed workload, cache = db", mixdb.url + "/", "mixed", mixdb)]
        where = "%d hosts, primary + %d replicas" % (CLUSTER_HOSTS, CLUSTER_REPLICAS)
        if cluster:
            s.append(sc("clusterpost", "blogd GET /2/, %s" % where, cluster.url + "/2/", "get", cluster))
            s.append(sc("clustercomment", "blogd POST /2/, %s" % where, cluster.url + "/2/", "post", cluster))
        if clustermix:
            s.append(sc("clustermixed", "blogd mixed workload, %s" % where, clustermix.url + "/", "mixed",
                        clustermix))
        if nocache:
            s.insert(4, sc("nocache", "blogd GET /2/, page cache off", nocache.url + "/2/", "get", nocache))
        if nometrics:
            s.insert(s.index(next(x for x in s if x["name"] == "post")) + 1,
                     sc("nometrics", "blogd GET /2/, metrics = off", nometrics.url + "/2/", "get", nometrics))
        if owner and self.owner_cookie:
            s += [sc("owneranon", "blogd GET /2/, comment_delete = owner, a visitor", owner.url + "/2/", "get",
                     owner),
                  sc("ownerown", "blogd GET /2/, comment_delete = owner, the browser of a comment there",
                     owner.url + "/2/", "get", owner, headers=["Cookie: " + self.owner_cookie])]
        # Signed in as admin (rendered per request, never cached), beside anonymous GET /2/ ("post").
        self.signed = {}  # scenario name -> (stack, Cookie header value)
        wanted = not c["only"] or "signed" in c["only"] or "basesigned" in c["only"]
        if wanted:
            cookies, why = sign_in(main, "main")
            if cookies:
                bad = signed_in_check(main, cookies, "main")
                if bad:
                    raise Fail(bad)
                self.signed["signed"] = (main, cookies)
                s.insert(s.index(next(x for x in s if x["name"] == "post")) + 1,
                         sc("signed", "blogd GET /2/, signed in as admin", main.url + "/2/", "get", main,
                            headers=["Cookie: " + cookies]))
            else:
                say("note: no signed-in scenario: %s" % why)
                self.signed_notes.append("Signed-in GET /2/ skipped: %s." % why)
        if base:
            r = self.base_rev
            s += [sc("baseindex", "base %s: GET /" % r, base.url + "/", "get", base),
                  sc("basepost", "base %s: GET /2/" % r, base.url + "/2/", "get", base),
                  sc("basenocache", "base %s: GET /2/, page cache off" % r, basenc.url + "/2/", "get", basenc),
                  sc("basecomment", "base %s: POST /2/ (add a comment)" % r, base.url + "/2/", "post", base),
                  sc("basemixed", "base %s: mixed workload, %d posts" % (r, n), basemix.url + "/", "mixed", basemix)]
            if wanted:
                try:
                    cookies, why = sign_in(base, "base")
                except Fail as e:
                    cookies, why = None, str(e)
                if cookies and signed_in_check(base, cookies, "base") is None:
                    self.signed["basesigned"] = (base, cookies)
                    s.insert(s.index(next(x for x in s if x["name"] == "basepost")) + 1,
                             sc("basesigned", "base %s: GET /2/, signed in as admin" % r, base.url + "/2/", "get",
                                base, headers=["Cookie: " + cookies]))
                else:
                    why = why or signed_in_check(base, cookies, "base")
                    say("note: no signed-in scenario for the base %s: %s" % (r, why))
                    self.signed_notes.append("The base %s has no signed-in figure: %s." % (r, why))
        if not php_sock:
            s = [x for x in s if not x["app"]]
        if c["only"]:
            only = set(c["only"])
            # a signed-in figure is reported against anonymous GET /2/ of the same run, a cluster's
            # against one host's, the PHP peer's against blogd's (cached and not)
            for a, b in (("signed", "post"), ("basesigned", "basepost"), ("clusterpost", "post"),
                         ("clustercomment", "comment"), ("clustermixed", "mixed"), ("php", "post"),
                         ("php", "nocache"), ("phppost", "comment")):
                if a in only and b not in only and any(x["name"] == a for x in s):
                    say("note: BENCH_ONLY has %s: running %s too, its reference" % (a, b))
                    only.add(b)
            s = [x for x in s if x["name"] in only]
            if not s:
                raise Fail("BENCH_ONLY='%s' names no scenario" % os.environ.get("BENCH_ONLY", ""))
        self.scenarios = s

        if c["warmup"]:
            say("warm-up: 1 s of every scenario")
            for x in s:
                self.run_scenario(x, "warmup", 1)
        say("measuring: %d round(s) of %d scenarios, wrk -t%d -c%d -d%ds (about %d s)"
            % (c["rounds"], len(s), c["threads"], c["conns"], c["dur"], c["rounds"] * len(s) * (c["dur"] + 1)))
        for rnd, x in stats.interleaved(c["rounds"], s):
            say("round %d/%d: %s" % (rnd, c["rounds"], x["label"]))
            self.run_scenario(x, rnd, c["dur"])
        for name, (st, cookies) in sorted(self.signed.items()):
            if self.has(name):
                bad = signed_in_check(st, cookies, "after the runs")
                if bad:
                    say("warning: " + bad)
                    self.signed_notes.append("**Warning:** %s: the session may have ended during the runs, "
                                             "so the signed-in figure may be an anonymous one." % bad)
        self.rss_main, self.rss_mix = rss_of_workers(main), rss_of_workers(mix)
        self.cluster_notes = [n for n in (replica_note(cluster), replica_note(clustermix)) if n]
        self.main, self.mix, self.nocache = main, mix, nocache
        self.large_note, self.pages = "", []
        if c["large"]:
            self.run_large()
        return self.report()

    # -- the large data set ----------------------------------------------------------------
    def run_large(self):
        c = self.c
        if not os.path.isfile(os.path.join(ROOT, "sql", "seed_large.sql")):
            self.large_note = "Large data set skipped: sql/seed_large.sql does not exist (yet)."
            return
        # The mixed stack is done: stop it so it does not compete.
        self.mix.stop()
        say("loading the large data set (sql/seed_large.sql via SEED=large)")
        large = self.start_stack("large", self.ports["large"], "large", self.cache_off)
        if large is None:
            log = os.path.join(self.bt, "large.stack.log")
            with open(log, errors="replace") as f:
                lines = f.read().splitlines()
            err = next((l for l in lines if "ERROR" in l), None)
            self.large_note = "Large data set skipped: `SEED=large scripts/stack.sh start` failed (%s)." % (
                re.sub(r"^stack: ", "", err) if err is not None else "see its log")
            print("\n".join(lines[-20:]), file=sys.stderr)
            return
        self.large = large
        # the tutorial side: the cache-off stack when there is one (the large one is cache-off too)
        small = self.nocache or self.main
        self.small = small
        busy_t, busy_l = busiest_post(small), busiest_post(large)
        self.busy_l = busy_l
        same = post_with(large, small.ints("SELECT COUNT(*) FROM comment WHERE post_id = %d" % busy_t)[0])
        # key, label, tutorial path, large path
        self.pages = [
            ("first", "index, first page", "/", "/"),
            ("deep", "index, last page", last_index_url(small), last_index_url(large)),
            ("comments", "/comments/", "/comments/", "/comments/"),
            ("busy1", "busiest post, first page", "/%d/" % busy_t, "/%d/" % busy_l),
            ("busyN", "busiest post, last page", last_post_url(small, busy_t), last_post_url(large, busy_l)),
            # the same number of comments shown as the tutorial's post, among a million
            ("same", "a post with as many comments as the tutorial's", "/%d/" % busy_t, "/%d/" % same),
        ]
        self.page_bytes = {}
        for key, label, tpath, lpath in self.pages:
            for side, st, path in (("t", small, tpath), ("l", large, lpath)):
                pg = Page(st.url + path).must_be_ok(st.url + path)
                if key in ("deep", "busyN") and b'rel="next"' in pg.body:
                    say("warning: %s is not the last page (it has a rel=\"next\" link)" % path)
                self.page_bytes[key + "-" + side] = len(pg.body)
        say("measuring the paging pages: %d round(s), wrk -t%d -c%d -d%ds, tutorial vs large"
            % (c["rounds"], c["threads"], LARGE_CONNS, LARGE_DUR))
        self.paging_rounds("L", small, large, True)
        # The same pages as deployed (the default cache = auto): both stacks reloaded with the cache on.
        if self.cache_off:
            for st in (small, large):
                st.append_conf("cache = auto")
                st.reload()
            time.sleep(1)
            say("measuring the paging pages again with the page cache on (cache = auto)")
            self.paging_rounds("C", small, large, False)

    def paging_rounds(self, pre, small, large, tell):
        for rnd, (key, label, tpath, lpath) in stats.interleaved(self.c["rounds"], self.pages):
            if tell:
                say("round %d/%d: %s" % (rnd, self.c["rounds"], label))
            self.run_wrk("%s-t-%s" % (pre, key), LARGE_CONNS, LARGE_DUR, small.url + tpath, "get")
            self.run_wrk("%s-l-%s" % (pre, key), LARGE_CONNS, LARGE_DUR, large.url + lpath, "get")

    # -- the report ------------------------------------------------------------------------
    def has(self, name):
        return any(x["name"] == name for x in self.scenarios)

    def paging_table(self, pre):
        R, rows = self.rounds, []
        for key, label, tpath, lpath in self.pages:
            t50, t99 = R.median("%s-t-%s" % (pre, key), "p50_us"), R.median("%s-t-%s" % (pre, key), "p99_us")
            l50, l99 = R.median("%s-l-%s" % (pre, key), "p50_us"), R.median("%s-l-%s" % (pre, key), "p99_us")
            if t50 is None or l50 is None:
                self.missing = True
            rows.append([label, "`%s`" % tpath, "`%s`" % lpath,
                         "%d / %d" % (self.page_bytes[key + "-t"], self.page_bytes[key + "-l"]),
                         "%s / %s" % (stats.ms(t50), stats.ms(t99)), "%s / %s" % (stats.ms(l50), stats.ms(l99)),
                         "%s / %s" % (stats.ratio(l50, t50), stats.ratio(l99, t99)),
                         stats.num(R.median("%s-l-%s" % (pre, key), "rps"))])
        return stats.table(["page", "tutorial path", "large path", "bytes tutorial / large", "tutorial p50 / p99 ms",
                            "large p50 / p99 ms", "ratio p50 / p99 (large/tutorial)", "large req/s"],
                           "lllrrrrr", rows)

    def cpu_row(self, x):
        runs = self.cpu.get(x["name"], [])
        tck = self.tck
        wall = sum(r[5] for r in runs)
        if not runs or wall <= 0:
            return [x["label"]] + ["-"] * 6, None
        pct = 100 / wall
        mach = sum(r[3] for r in runs)
        wrk = sum(r[4] for r in runs)
        known = wrk * tck
        cells = []
        for i in range(3):
            vals = [r[i] for r in runs if r[i] is not None]
            if vals:
                cells.append("%.0f%%" % (sum(vals) / tck * pct))
                known += sum(vals)
            else:
                cells.append("—")
        other = max(0.0, (mach - known) / tck * pct)
        return ([x["label"], "%.0f%%" % (wrk * pct)] + cells + ["%.0f%%" % other, "%.0f%%" % (mach / tck * pct)],
                round(other))

    def paired_rows(self, pairs):
        """Table rows for (a, b, label) pairs both measured: a's and b's medians, the median of
        the rounds' ratios a / b, the ratio of the medians, the rounds' ratios, both p99s."""
        R, rows = self.rounds, []
        for a, b, what in pairs:
            if not (self.has(a) and self.has(b)):
                continue
            ra, rb = R.median(a, "rps"), R.median(b, "rps")
            each = R.round_ratios(a, b, "rps")
            paired = stats.median(each)
            rows.append([what, stats.num(ra), stats.num(rb), "-" if paired is None else "%.2f" % paired,
                         stats.ratio(ra, rb), " ".join("%.2f" % x for x in sorted(each)) or "-",
                         stats.ms(R.median(a, "p99_us")), stats.ms(R.median(b, "p99_us"))])
        return rows

    PEER_POST_TARGET = 1.5  # issue 17: blogd's comment POST at least 1.5 times PHP-FPM's

    def peer_report(self):
        """blogd against the PHP peer (the same page, behind the same nginx), as ratios of the
        same rounds."""
        c = self.c
        out = ["**Peers**: blogd against the same post page from PHP-FPM 8.2 with PDO (bench/php/index.php: a "
               "persistent connection, native prepares; Debian's php-fpm and php-mysql, opcache on, `pm = static` "
               "with %d processes, as many as blogd's workers), behind the same nginx with blogd's FastCGI settings, "
               "on the main stack's database, in the same rounds. PHP renders the page on every request (two "
               "prepared SELECTs: the post, the first %s comments); blogd serves GET /2/ from its page cache, so "
               "the cache-off row is the like-for-like one. A PHP comment POST is one prepared INSERT and a 303 "
               "(no CSRF check, no request key, no page cache to keep current). \"ratio\": the median of the "
               "rounds' ratios blogd / PHP, beside it the ratio of the medians and the rounds' ratios:"
               % (c["workers"], self.main.conf_value("page_comments", "50")), ""]
        if self.php_note:
            out += [self.php_note, ""]
        rows = self.paired_rows((("post", "php", "GET /2/"), ("nocache", "php", "GET /2/, blogd's page cache off"),
                                 ("comment", "phppost", "POST /2/ (add a comment)")))
        if rows:
            out += [stats.table(["scenario", "blogd req/s", "PHP req/s", "ratio", "ratio of medians",
                                 "rounds' ratios", "blogd p99 ms", "PHP p99 ms"], "lrrrrlrr", rows), ""]
        each = self.rounds.round_ratios("comment", "phppost", "rps")
        if self.has("comment") and self.has("phppost") and each:
            r = stats.median(each)
            out += ["POST target (issue 17): blogd at least %.2f times PHP-FPM's rate: %.2f, %s."
                    % (self.PEER_POST_TARGET, r, "met" if r >= self.PEER_POST_TARGET else "**not met**"), ""]
        return out

    def cluster_report(self):
        """The cluster scenarios against one host's, as ratios of the same rounds."""
        c = self.c
        out = ["**Several hosts** (%d blogd hosts behind one nginx, each with %d workers, on a MariaDB primary and %d "
               "GTID replicas, `make run HOSTS=%d REPLICAS=%d`), against one host in the same rounds; everything runs on "
               "these %d cores, so this is the cluster's cost per request, not its scale. \"ratio\": the median of the "
               "rounds' ratios cluster / one host, beside it the ratio of the medians and the rounds' ratios:"
               % (CLUSTER_HOSTS, c["workers"], CLUSTER_REPLICAS, CLUSTER_HOSTS, CLUSTER_REPLICAS, nproc()), ""]
        rows = self.paired_rows((("clusterpost", "post", "GET /2/ vs one host"),
                                 ("clusterpost", "dbpost", "GET /2/ vs one host, cache = db"),
                                 ("clustercomment", "comment", "POST /2/ vs one host"),
                                 ("clustermixed", "mixed", "mixed workload vs one host"),
                                 ("clustermixed", "dbmixed", "mixed workload vs one host, cache = db")))
        out += [stats.table(["scenario", "cluster req/s", "one host req/s", "ratio", "ratio of medians",
                             "rounds' ratios", "cluster p99 ms", "one host p99 ms"], "lrrrrlrr", rows), ""]
        if self.cluster_notes:
            out += [" ".join(n[0].upper() + n[1:] for n in self.cluster_notes), ""]
        return out

    def report(self):
        c, R = self.c, self.rounds
        self.missing = False
        p = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], stdout=subprocess.PIPE,
                           stderr=subprocess.DEVNULL)
        commit = p.stdout.decode().strip() if p.returncode == 0 else "unknown"
        p = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no"],
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        if p.stdout.strip():
            commit += " + uncommitted changes"
        cpu_model = ""
        with open("/proc/cpuinfo") as f:
            m = re.search(r"^model name\s*: (.*)$", f.read(), re.M)
            cpu_model = m.group(1) if m else ""
        ncpu = nproc()
        binname = "blogd" if c["bin"] == os.path.join(ROOT, "build", "blogd") else c["bin"]
        out = ["## blogd benchmark (%s) — %s" % (c["mode"], datetime.datetime.utcnow().strftime("%Y-%m-%d %H:%M UTC")),
               "",
               "commit %s; `%s` %s, %d workers; bare_fcgi %d processes; %d CPUs (%s), shared by wrk, nginx, the app "
               "and MariaDB." % (commit, binname, self.build_type or "unknown build type", c["workers"], c["workers"],
                                 ncpu, cpu_model or "unknown")]
        if self.stale:
            out.append("**Note:** `%s` is older than %s: the sources have changed since this binary was built."
                       % (os.path.basename(c["bin"]), self.stale))
        out += ["wrk -t%d -c%d -d%ds --latency, %d interleaved round(s); medians over rounds (req/s range: "
                "slowest–fastest round). Tutorial data unless stated; the static file and bare_fcgi serve the exact "
                "bytes of blogd's GET /2/ (%d bytes)." % (c["threads"], c["conns"], c["dur"], c["rounds"], len(self.page)),
                ""]
        bare = R.median("bare", "rps")
        rows = []
        for x in self.scenarios:
            n = x["name"]
            rps = R.median(n, "rps")
            if rps is None:
                self.missing = True
            rows.append([x["label"], stats.num(rps), stats.span(R.values(n, "rps")), stats.ms(R.median(n, "p50_us")),
                         stats.ms(R.median(n, "p99_us")), stats.ratio(rps, bare), "%d" % R.total(n, "errors")])
        out += [stats.table(["scenario", "req/s", "req/s range", "p50 ms", "p99 ms", "vs FastCGI ceiling", "errors"],
                            "lrrrrrr", rows), ""]
        h = sum(1 / i for i in range(1, c["mix_posts"] + 1))
        out += ["Mixed: post pages drawn Zipf-like (s = 1: rank 1 gets ~%.0f%% of them) over %d posts with ~10 "
                "comments each; ~5%% GET /, ~3%% GET /comments/, ~2%% comment POSTs." % (100 / h, c["mix_posts"]),
                "\"errors\": socket errors plus HTTP statuses ≥ 400, summed over rounds.", ""]
        if self.has("php") or self.has("phppost"):
            out += self.peer_report()
        elif self.php_skipped:
            out += ["**Peers**: the PHP peer was skipped: %s." % self.php_skipped, ""]
        if self.has("flood") and self.has("floodref"):
            f_rps, r_rps = R.median("flood", "rps"), R.median("floodref", "rps")
            f_ratio = stats.ratio(f_rps, r_rps)
            verdict = ("no result" if f_ratio == "-" else "ok, at least 0.90" if float(f_ratio) >= 0.90
                       else "**BELOW 0.90**: junk query strings cost more than a cached page")
            out += ["**Junk-query flood** (a visitor trying to flush the page cache): GET /2/ at %s req/s while a "
                    "second client (wrk -t1 -c%d, bench/junk.lua) sends /2/ with a new junk query string every "
                    "request, against %s req/s while the same client reads /1/, another cached page: ratio **%s** (%s). "
                    "The second client itself: %s req/s of junk, %s req/s of /1/ (medians; errors %d and %d)."
                    % (stats.num(f_rps), c["flood_conns"], stats.num(r_rps), f_ratio, verdict,
                       stats.num(R.median("side-flood", "rps")), stats.num(R.median("side-floodref", "rps")),
                       R.total("side-flood", "errors"), R.total("side-floodref", "errors")), ""]
        signed_lines = []
        for a, b, who in (("signed", "post", "this tree"), ("basesigned", "basepost", "the base %s" % self.base_rev)):
            if self.has(a):
                ra, rb = R.median(a, "rps"), R.median(b, "rps")
                signed_lines.append(
                    "**Signed in** (%s): GET /2/ with the session cookie of `admin` (rendered for the author on every "
                    "request, `Cache-Control: private, no-store`, never stored in or served from the page cache) at "
                    "**%s req/s** (p50 %s ms, p99 %s ms), against anonymous GET /2/ at %s req/s in the same run: "
                    "ratio signed-in / anonymous **%s**."
                    % (who, stats.num(ra), stats.ms(R.median(a, "p50_us")), stats.ms(R.median(a, "p99_us")),
                       stats.num(rb), stats.ratio(ra, rb)))
        if signed_lines or self.signed_notes:
            out += [" ".join(signed_lines + self.signed_notes), ""]
        if self.has("post") and self.has("nometrics"):
            ra, rb = R.median("post", "rps"), R.median("nometrics", "rps")
            each = R.round_ratios("post", "nometrics", "rps")
            out += ["**Metrics**: GET /2/ with the metrics on (the default) at **%s req/s**, with `metrics = off` "
                    "at %s req/s, same rounds: ratio on / off **%s** (median of the rounds' ratios; ratio of "
                    "medians %s)." % (stats.num(ra), stats.num(rb),
                                      "-" if not each else "%.2f" % stats.median(each), stats.ratio(ra, rb)), ""]
        if self.has("owneranon") and self.has("ownerown"):
            ra, rb = R.median("ownerown", "rps"), R.median("owneranon", "rps")
            out += ["**comment_delete = owner**: GET /2/ by the browser that wrote a comment there (its "
                    "delete button added to the cached page) at **%s req/s**, against a visitor without one at "
                    "%s req/s, same stack, same rounds: ratio **%s**." % (stats.num(ra), stats.num(rb),
                                                                       stats.ratio(ra, rb)), ""]
        if self.has("clusterpost") or self.has("clustermixed"):
            out += self.cluster_report()
        if c["base"]:
            out += ["**Before/after** (this tree, commit %s, against the base %s, built from the same sources by "
                    "`git archive`, started by its own scripts/stack.sh; same rounds, interleaved, their order "
                    "reversed every other round; \"ratio\": the median of the rounds' ratios, each this tree / base "
                    "in one round, which a drift of the machine between rounds does not move; beside it the ratio of "
                    "the medians and the rounds' ratios, slowest to fastest):"
                    % (commit, self.base_rev), ""]
            rows = self.paired_rows((("index", "baseindex", "GET /"), ("post", "basepost", "GET /2/"),
                                     ("nocache", "basenocache", "GET /2/, page cache off"),
                                     ("comment", "basecomment", "POST /2/"), ("mixed", "basemixed", "mixed workload"),
                                     ("signed", "basesigned", "GET /2/, signed in")))
            out += [stats.table(["scenario", "this tree req/s", "base req/s", "ratio", "ratio of medians",
                                 "rounds' ratios", "this tree p99 ms", "base p99 ms"], "lrrrrlrr", rows), ""]
        out += ["**Comments posted vs stored** (303s counted in Lua, rows counted in MariaDB; the POST scenarios' rows "
                "are deleted after each round, the mixed workload's are kept):", ""]
        out += self.verify_notes or [""]
        out += ["", "**CPU during each scenario** (%% of one core, summed over its rounds' wall time; the machine has "
                "%d cores = %d%%; \"wrk\" includes the second client of the flood scenarios; \"app\" is blogd, "
                "bare_fcgi or php-fpm, master and workers (\"nginx\" is the bench's own for the ceilings and the PHP "
                "peer); \"other\" is everything else on the machine):" % (ncpu, ncpu * 100), ""]
        rows, others = [], []
        for x in self.scenarios:
            row, other = self.cpu_row(x)
            rows.append(row)
            if other is not None:
                others.append(other)
        out.append(stats.table(["scenario", "wrk", "nginx", "app", "MariaDB", "other", "machine"], "lrrrrrr", rows))
        if others and max(others) >= 25:
            out += ["", "**Noisy run:** other processes on this machine used up to %d%% of a core during a scenario "
                    "(column \"other\"); those figures (and their ratios) understate blogd. Re-run on a quiet machine."
                    % max(others)]
        out += ["", "blogd worker VmRSS after the runs: tutorial stack %s; mixed stack (%d posts) %s."
                % (self.rss_main, c["mix_posts"], self.rss_mix)]
        if c["large"]:
            out.append("")
            if self.large_note:
                out.append(self.large_note)
            else:
                lg = self.large
                out += ["**Paging: tutorial data vs large data** (sql/seed_large.sql: %d posts, %d comments, busiest "
                        "post %d with %d comments); wrk -t%d -c%d -d%ds, %d round(s), medians; %s"
                        % (lg.ints("SELECT COUNT(*) FROM post")[0], lg.ints("SELECT COUNT(*) FROM comment")[0],
                           self.busy_l, lg.ints("SELECT COUNT(*) FROM comment WHERE post_id = %d" % self.busy_l)[0],
                           c["threads"], LARGE_CONNS, LARGE_DUR, c["rounds"],
                           "blogd's page cache off on both, so every request renders from MariaDB:" if self.cache_off
                           else "(this blogd has no page cache):"), "", self.paging_table("L")]
                if self.cache_off:
                    out += ["", "The same pages with the page cache on (`cache = auto`, the default), as deployed:", "",
                            self.paging_table("C")]
        return "\n".join(out) + "\n"


# --- the data behind the paging pages (each stack's own database) ---------------------------
def last_index_url(st):
    """The index's last page, as rel="next" links would reach it."""
    per = int(st.conf_value("page_posts", "20"))
    n = st.ints("SELECT COUNT(*) FROM post")[0]
    if n <= per:
        return "/"
    k = per * ((n - 1) // per)
    return "/?after=%d" % st.ints("SELECT id FROM post ORDER BY id LIMIT 1 OFFSET %d" % (k - 1))[0]


def busiest_post(st):
    """The post with the most comments."""
    return st.ints("SELECT post_id FROM comment GROUP BY post_id ORDER BY COUNT(*) DESC, post_id DESC LIMIT 1")[0]


def post_with(st, n):
    """The newest post with exactly n comments (or the fewest above n)."""
    return st.ints("SELECT post_id FROM comment GROUP BY post_id HAVING COUNT(*) >= %d "
                   "ORDER BY COUNT(*), post_id DESC LIMIT 1" % n)[0]


def last_post_url(st, post):
    """The last page of that post's comments."""
    per = int(st.conf_value("page_comments", "50"))
    n = st.ints("SELECT COUNT(*) FROM comment WHERE post_id = %d" % post)[0]
    if n <= per:
        return "/%d/" % post
    k = per * ((n - 1) // per)
    return "/%d/?after=%d" % (post, st.ints("SELECT id FROM comment WHERE post_id = %d ORDER BY id LIMIT 1 OFFSET %d"
                                             % (post, k - 1))[0])


def rss_of_workers(st):
    """"w1, w2, ... MiB (master M MiB)": VmRSS of a stack's blogd processes, "-" without a master."""
    master = st.master_pid()
    if not master or not proc.alive(master):
        return "-"

    def mib(pid):
        try:
            return "%.1f" % (proc.vm_rss_kib(pid) / 1024)
        except (OSError, RuntimeError):
            return ""

    workers = [mib(k) for k in proc.kids(master) if proc.comm(k) != "blogd-watcher"]
    return "%s MiB (master %s MiB)" % (", ".join(w for w in workers if w), mib(master))


def main():
    c = settings(sys.argv[1:])
    for tool in ("wrk", "nginx", "mariadb", "cc", "pkg-config", "git"):
        if not shutil.which(tool):
            say("ERROR: %s not found (run scripts/deps.sh)" % tool)
            return 1
    if subprocess.run(["pkg-config", "--exists", "fcgi"]).returncode != 0:
        say("ERROR: pkg-config cannot find fcgi (libfcgi-dev; run scripts/deps.sh)")
        return 1
    result = os.path.join(ROOT, "bench", "results", "smoke.md" if c["mode"] == "smoke" else "latest.md")

    def finish(b):
        if b.missing:
            say("ERROR: some wrk runs gave no result (see %s)" % os.path.relpath(result[:-3] + ".log", ROOT))
            return 1
        if b.verify_fail:
            say("ERROR: posted comments and stored rows do not match (see the report)")
            return 1
        return 0

    return measure.run_job(Bench(c), result, finish, Fail, say)


if __name__ == "__main__":
    sys.exit(main())
