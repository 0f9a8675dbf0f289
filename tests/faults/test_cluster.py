"""Several hosts on MariaDB replicas (issue 16), under load, through nginx, with counts.

The test starts its own stack through scripts/stack.sh with HOSTS=3 REPLICAS=2 (a MariaDB
primary, two replicas on real GTID replication, three blogd masters, one nginx upstream over
them; harness.cluster.Cluster), replica_max_lag = 1 s, and checks, each part under load:
  1. read your writes: visitors (a cookie jar each) post a comment and their very next GET of
     the page the 303 names shows it, then /comments/ (a cached page) shows it too, over
     hundreds of rounds spread by nginx over the three hosts: with replication healthy, with
     `STOP SLAVE SQL_THREAD` on replica 1 (windows shorter than replica_max_lag, where the
     replica still counts as usable and only the visitor's GTID can tell, and a longer one),
     then on both replicas; 0 failures;
  2. bounded staleness: after visitor A's 303, a visitor B without cookies sees the comment
     on /comments/ and on the post page within replica_max_lag + MARGIN, replication healthy
     and with replica 1's SQL thread stopped (which every host then stops using);
  3. replica 1 killed (SIGKILL, the pid its pid file names) under GET/POST load, with
     read-your-writes rounds and a bounded-staleness prober running: no GET fails, every POST
     is a 303 (stored) or a clean 503 (not stored); `stack.sh start` brings it back (seeded
     again from the primary), replication runs and every host uses it again;
  4. the primary stopped (SIGTERM) under read load: every GET still 200, from the replicas,
     every host's pages carry the read-only notice, a comment POST is 503 with Retry-After and
     the form's textarea holding the text sent, nothing stored; the primary started again
     (`stack.sh start`): writes resume by themselves, the time it took printed;
  5. host 2 killed (SIGKILL to its master's process group) under GET/POST load: every GET 200
     (nginx sends it to another host), no POST stored twice, every 303 stored once; `stack.sh
     start` brings it back;
  5b. then under the supervisor (`stack.sh run` adopting the running stack, as `make run`):
     replica 2 killed (SIGKILL) is restarted by it and resumes from its own position (not seeded
     again), host 3's process group killed is restarted by it; every GET 200, every POST 303 or
     a 502 in flight at the kill, read your writes and bounded staleness hold throughout;
  6. at the end every acknowledged comment (303) is stored exactly once on the primary and on
     every replica (after MASTER_GTID_WAIT of the primary's gtid_binlog_pos), every clean 503
     nowhere, no other one twice, nothing that was not sent.
Environment: BLOGD_BIN (a blogd with replica support), BLOGD_TEST_ROOT.
"""
import html
import http.client
import itertools
import os
import re
import signal
import subprocess
import sys
import threading
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import faultlib as fl  # noqa: E402
from harness.client import Client  # noqa: E402
from harness.cluster import READ_ONLY_TEXT, Cluster  # noqa: E402
from harness.ops import wait_for  # noqa: E402

NAME = "test_cluster"
HOSTS, REPLICAS = 3, 2
MAX_LAG = 1.0     # replica_max_lag below
MARGIN = 0.5      # the watcher's beat (0.1 s), its poll and our own poll, with room
WORKERS = 2
CONF = "\n".join([
    "workers = %d" % WORKERS,
    "replica_max_lag = 1",
    "ryw_timeout = 0.2",
    "comment_rate = 0",
    "retry_after = 3",
    "db_connect_timeout = 2",
    "db_read_timeout = 2",
    "db_write_timeout = 2",
    "shutdown_timeout = 5",
])
RYW_MIN = {"healthy": 300, "R1": 150, "R1+R2": 150}   # rounds each phase must reach
RYW_YOUNG = 60   # of which within replica_max_lag of the stop (the replica still usable, only the GTID tells)
RYW_CAP = 25.0                                         # seconds at most per phase
STALE_ROUNDS = 25
WRITE_RESUME_MAX = 5.0  # s from the primary answering ping to the first comment stored
CSRF = re.compile(r'name="csrf" value="([^"]+)"')
TEXTAREA = re.compile(r'<textarea[^>]*name="content"[^>]*>(.*?)</textarea>', re.S)
SUMMARY = []
CLIENT_ERRORS = (OSError, http.client.HTTPException)


def summary(line):
    fl.say("  count: " + line)
    SUMMARY.append(line)


def comment_id(page, text):
    """The id of the comment whose text is text on a post page, or None."""
    at = page.find('<p class="text">%s</p>' % text)
    ids = re.findall(r'<div class="comment[^"]*" id="c(\d+)"', page[:at]) if at >= 0 else []
    return int(ids[-1]) if ids else None


def fragment_id(location):
    m = re.search(r"#c(\d+)$", location or "")
    return int(m.group(1)) if m else None


def shows(resp, text):
    return resp is not None and resp.status == 200 and ('<p class="text">%s</p>' % html.escape(text, quote=False)) in resp.text


# ---------------------------------------------------------------------------
# Every comment sent, and what it was answered
# ---------------------------------------------------------------------------


class Ledger:
    def __init__(self):
        self.prefix = "c16-%d-%s" % (os.getpid(), os.urandom(3).hex())
        self.n = itertools.count(1)
        self.lock = threading.Lock()
        self.entries = []  # (content, status or None, error or None, part)

    def text(self, part):
        return "%s-%s-%06d" % (self.prefix, part, next(self.n))

    def note(self, content, status, part, error=None):
        with self.lock:
            self.entries.append((content, status, error, part))

    def note_load(self, res, part):
        for r in res.posts():
            self.note(r.content, r.status, part, r.error)

    def load_prefix(self, part):
        return "%s-%s" % (self.prefix, part)


def stored_counts(cl, prefix, server="primary"):
    """{content: rows} on one server for the comments whose content starts with prefix
    (counted here: a GROUP BY would need a temporary table in the server's tmpdir)."""
    assert re.fullmatch(r"[A-Za-z0-9_-]+", prefix)
    rows = cl.sql("SELECT content FROM comment WHERE content LIKE '%s%%'" % prefix, server=server, decode=True)
    out = {}
    for (content,) in rows:
        out[content] = out.get(content, 0) + 1
    return out


def check_posts(cl, entries, label, prefix, allowed=(303, 503)):
    """Every 303 stored once, every 503 not at all, nothing stored twice; statuses allowed."""
    stored = stored_counts(cl, prefix)
    by = {}
    for content, status, error, _ in entries:
        key = str(status) if error is None else "err:" + str(error)
        by[key] = by.get(key, 0) + 1
    acked = [c for c, s, e, _ in entries if s == 303]
    clean = [c for c, s, e, _ in entries if s == 503]
    other = [(c, s, e) for c, s, e, _ in entries if s not in (303, 503)]
    not_once = [(c, stored.get(c, 0)) for c in acked if stored.get(c, 0) != 1]
    ghosts = [(c, stored[c]) for c in clean if stored.get(c, 0)]
    twice = [(c, stored[c]) for c, _, _ in other if stored.get(c, 0) > 1]
    bad_status = [x for x in other if x[1] not in allowed]
    fl.say("%s: POSTs %d by answer %s; stored %d of them" % (label, len(entries), by, sum(stored.values())))
    fl.check(not not_once, "%s: every POST answered 303 is stored exactly once (%d not: %s)"
             % (label, len(not_once), not_once[:3]))
    fl.check(not ghosts, "%s: every POST answered 503 stored nothing (%d did: %s)" % (label, len(ghosts), ghosts[:3]))
    fl.check(not twice, "%s: no POST stored twice (%s)" % (label, twice[:3]))
    fl.check(not bad_status, "%s: every POST answered %s (others: %s)"
             % (label, " or ".join(map(str, allowed)), bad_status[:5]))
    return by


def metric_deltas(before, after, name, label):
    """{host: {label value: after - before}} for every series of name."""
    out = {}
    for i in after:
        d = {}
        for (n, ls), v in after[i].items():
            if n != name:
                continue
            key = dict(ls).get(label, "")
            d[key] = d.get(key, 0) + v - before.get(i, {}).get((n, ls), 0)
        out[i] = {k: int(v) for k, v in sorted(d.items()) if v}
    return out


# ---------------------------------------------------------------------------
# A visitor: a cookie jar and the CSRF token of its pages
# ---------------------------------------------------------------------------


class Visitor:
    def __init__(self, url, label):
        self.c = Client(url, timeout=15)
        self.label = label
        self.token = None

    def prime(self, path="/1/"):
        r = self.c.get(path)
        m = CSRF.search(r.text)
        if m:
            self.token = m.group(1)
        return r

    def comment(self, post, text):
        if not self.token:
            self.prime()
        return self.c.post_form("/%d/" % post, [("csrf", self.token), ("content", text)])


# ---------------------------------------------------------------------------
# 0. The stack is the cluster the contract names
# ---------------------------------------------------------------------------


def check_setup(cl):
    env = cl.stack_env()
    if env.get("BLOGD_HOSTS") != str(HOSTS) or env.get("BLOGD_REPLICAS") != str(REPLICAS):
        raise RuntimeError("stack.env says BLOGD_HOSTS=%r BLOGD_REPLICAS=%r, not %d and %d: "
                           "scripts/stack.sh has no cluster mode?" % (env.get("BLOGD_HOSTS"),
                                                                      env.get("BLOGD_REPLICAS"), HOSTS, REPLICAS))
    for i in cl.host_ids():
        reps = [x for x in re.split(r"[,\s]+", cl.host_conf_value(i, "db_replicas")) if x]
        fl.check(len(reps) == REPLICAS and cl.host_conf_value(i, "replica_max_lag") == "1",
                 "host %d: blogd.conf has %d db_replicas (%s) and replica_max_lag = 1"
                 % (i, len(reps), ", ".join(reps)))
        fl.check(fl.alive(cl.host_pid(i) or 0), "host %d's master runs (pid %s)" % (i, cl.host_pid(i)))
    for s in cl.servers()[1:]:
        st = cl.slave_status(s)
        fl.check(st.get("Slave_IO_Running") == "Yes" and st.get("Slave_SQL_Running") == "Yes"
                 and st.get("Using_Gtid", "No") != "No",
                 "%s replicates from the primary over GTIDs (IO %s, SQL %s, Using_Gtid %s)"
                 % (s, st.get("Slave_IO_Running"), st.get("Slave_SQL_Running"), st.get("Using_Gtid")))
        fl.check(cl.sql("SELECT @@read_only", server=s)[0][0] == "1", "%s runs read_only" % s)
    took = [cl.wait_usable(j, True, 10) for j in range(REPLICAS)]
    fl.check(all(t is not None for t in took), "every host counts both replicas usable (%s)" % cl.replica_views())
    st = cl.host_status(1)
    fl.check(st.get("read_only") is False, "host 1's status says read_only false (%r)" % st.get("read_only"))


# ---------------------------------------------------------------------------
# 1. Read your writes
# ---------------------------------------------------------------------------


class Rounds:
    """threads visitors, each doing rounds until stopped: POST a comment, GET the page the
    303 names, GET /comments/. state["lag"] names the replicas whose SQL thread is stopped,
    state["since"] when the newest stop began."""

    def __init__(self, cl, ledger, state, threads=4, part="ryw"):
        self.cl, self.ledger, self.state = cl, ledger, state
        self.part = part
        self.threads = threads
        self.stop_flag = threading.Event()
        self.lock = threading.Lock()
        self.rounds = []  # dicts
        self.workers = []

    def tag(self):
        lag = self.state["lag"]
        if lag == "none":
            return "healthy"
        young = time.monotonic() - self.state["since"] < MAX_LAG
        return "%s %s" % (lag, "lag<1s" if young else "lag>1s")

    def _run(self, idx):
        v = Visitor(self.cl.url, "%s%d" % (self.part, idx))
        post = 1 + idx % 2
        while not self.stop_flag.is_set():
            tag0 = self.tag()
            text = self.ledger.text(self.part)
            rec = {"text": text, "tag0": tag0, "t0": time.monotonic(), "post": None, "get": None,
                   "list": None, "ok": False, "ok_list": False, "loc": None, "error": None, "rids": []}
            try:
                r = v.comment(post, text)
                rec["post"] = r.status
                rec["rids"].append(r.header("X-Request-Id"))
                self.ledger.note(text, r.status, self.part)
                if r.status == 303:
                    rec["loc"] = r.header("Location")
                    g = v.c.get(r.location_path)
                    rec["get"], rec["ok"] = g.status, shows(g, text)
                    rec["rids"].append(g.header("X-Request-Id"))
                    rec["id"] = comment_id(g.text, text) or fragment_id(rec["loc"])
                    if not rec["ok"]:
                        ids = [int(x) for x in re.findall(r'<div class="comment[^"]*" id="c(\d+)"', g.text)]
                        rec["page"] = "%d comments shown, ids %s..%s, cookies %s" % (
                            len(ids), min(ids, default=None), max(ids, default=None), sorted(
                                n for (n, _) in v.c.cookies))
                    g2 = v.c.get("/comments/")
                    rec["list"], rec["ok_list"] = g2.status, shows(g2, text)
                    rec["rids"].append(g2.header("X-Request-Id"))
                    if not rec["ok_list"] and g2.status == 200 and rec["id"]:
                        # 50 newer comments of the load came in between: not on that page any more
                        shown = [int(x) for x in re.findall(r'<span class="comment-id">\(#(\d+)\)</span>', g2.text)]
                        if len(shown) >= 50 and min(shown) > rec["id"]:
                            rec["ok_list"] = rec["pushed"] = True
            except CLIENT_ERRORS as e:
                rec["error"] = repr(e)
                if rec["post"] is None:
                    self.ledger.note(text, None, self.part, repr(e))
            rec["tag1"] = self.tag()
            rec["t1"] = time.monotonic()
            with self.lock:
                self.rounds.append(rec)

    def start(self):
        for i in range(self.threads):
            t = threading.Thread(target=self._run, args=(i,), daemon=True)
            t.start()
            self.workers.append(t)
        return self

    def stop(self):
        self.stop_flag.set()
        for t in self.workers:
            t.join(60)

    def count(self, pred):
        with self.lock:
            return sum(1 for r in self.rounds if pred(r))


def failed_round(cl, r):
    """A failed round, and the lines of every host's log that name its requests."""
    keep = {k: r.get(k) for k in ("text", "tag0", "tag1", "post", "loc", "get", "ok", "list", "ok_list",
                                  "error", "page", "rids")}
    lines = []
    for i in cl.host_ids():
        for line in cl.host_log_text(i).splitlines():
            if any(rid and rid in line for rid in r["rids"]):
                lines.append("host %d: %s" % (i, line[:300]))
    keep["log"] = lines[:6]
    try:
        row = cl.sql("SELECT id, post_id FROM comment WHERE content = '%s'" % r["text"])
        if row:
            cid, pid = int(row[0][0]), int(row[0][1])
            n = int(cl.sql("SELECT COUNT(*) FROM comment WHERE post_id = %d AND id <= %d" % (pid, cid))[0][0])
            keep["stored"] = "comment %d, number %d of post %d's comments (on page %d, 50 a page)" % (
                cid, n, pid, (n + 49) // 50)
        else:
            keep["stored"] = "not stored on the primary"
    except RuntimeError as e:
        keep["stored"] = repr(e)
    return keep


def ryw_during(cl, rounds, label, allowed_post=(303,)):
    """Checks and a count line for Rounds run during a failure."""
    recs = rounds.rounds
    acked = [r for r in recs if r["post"] == 303]
    fails = [r for r in acked if not (r["ok"] and r["ok_list"])]
    bad_post = [r for r in recs if r["post"] not in allowed_post]
    pushed = [r for r in acked if r.get("pushed")]
    for r in fails[:3]:
        fl.say("  failed round: %s" % failed_round(cl, r))
    fl.check(len(acked) >= 20, "%s: read-your-writes rounds ran (%d)" % (label, len(acked)))
    fl.check(not fails, "%s: each visitor's next pages showed its comment (%d failures of %d rounds)"
             % (label, len(fails), len(acked)))
    fl.check(not bad_post, "%s: the rounds' POSTs answered %s (%s)"
             % (label, " or ".join(map(str, allowed_post)), [(r["post"], r["error"]) for r in bad_post[:4]]))
    return ("%d read-your-writes rounds, %d failures (%d pushed off /comments/' first page by the load's "
            "newer comments, not counted)" % (len(acked), len(fails), len(pushed)))


def tag_of(r):
    return r["tag0"] if r["tag0"] == r["tag1"] else "%s -> %s" % (r["tag0"], r["tag1"])


def read_your_writes(cl, ledger):
    fl.say("== 1. read your writes across hosts, replication healthy and lagging")
    bg = fl.Load(cl.port, conns=3, duration=RYW_CAP * 3 + 30, pace=0.01).start()  # GETs, keeps caches busy
    m0 = cl.all_metrics()
    state = {"lag": "none", "since": time.monotonic()}
    rounds = Rounds(cl, ledger, state, threads=8).start()
    behind = []
    try:
        t0 = time.monotonic()
        wait_for(lambda: rounds.count(lambda r: r["tag0"] == "healthy") >= RYW_MIN["healthy"], RYW_CAP, 0.1)
        for lag, servers in (("R1", ["R1"]), ("R1+R2", ["R1", "R2"])):
            t0 = time.monotonic()
            cycle = 0
            in_phase = lambda r, lag=lag: r["tag0"].startswith(lag + " ") and r["tag0"] == r["tag1"]
            while time.monotonic() - t0 < RYW_CAP:
                cycle += 1
                long_stop = cycle % 4 == 0  # every fourth window outlasts replica_max_lag
                for s in servers:
                    cl.stop_sql_thread(s)
                state.update(lag=lag, since=time.monotonic())
                time.sleep(2.5 if long_stop else 0.8)
                lag_rows = {s: len(stored_counts(cl, ledger.prefix + "-ryw", s)) for s in servers}
                primary_rows = len(stored_counts(cl, ledger.prefix + "-ryw"))
                behind.append((lag, {s: primary_rows - n for s, n in lag_rows.items()}))
                state.update(lag="none", since=time.monotonic())
                for s in servers:
                    cl.start_sql_thread(s)
                time.sleep(0.4)
                young = rounds.count(lambda r: in_phase(r) and r["tag0"].endswith("lag<1s"))
                old = rounds.count(lambda r: in_phase(r) and r["tag0"].endswith("lag>1s"))
                if young + old >= RYW_MIN[lag] and young >= RYW_YOUNG and old >= 20 and cycle >= 4:
                    break
    finally:
        state.update(lag="none")
        rounds.stop()
        for s in cl.servers()[1:]:
            try:
                cl.start_sql_thread(s)
            except RuntimeError:
                pass
        bg.stop()
    res = bg.join()
    m1 = cl.all_metrics()

    recs = rounds.rounds
    by_tag = {}
    for r in recs:
        t = tag_of(r)
        n, f = by_tag.get(t, (0, 0))
        by_tag[t] = (n + 1, f + (0 if (r["ok"] and r["ok_list"]) else 1))
    fl.say("rounds by replication state (rounds, failures): %s" % sorted(by_tag.items()))
    fl.say("comments missing from the stopped replicas at the end of each window: %s"
           % [b for b in behind][:12])
    fails = [r for r in recs if not (r["ok"] and r["ok_list"])]
    for r in fails[:5]:
        fl.say("  failed round: %s" % failed_round(cl, r))
    post_fail = [r for r in recs if r["post"] != 303]
    page_fail = [r for r in recs if r["post"] == 303 and not r["ok"]]
    list_fail = [r for r in recs if r["post"] == 303 and r["ok"] and not r["ok_list"]]
    healthy = [r for r in recs if tag_of(r) == "healthy"]
    r1 = [r for r in recs if r["tag0"].startswith("R1 ") or r["tag1"].startswith("R1 ")]
    both = [r for r in recs if r["tag0"].startswith("R1+R2") or r["tag1"].startswith("R1+R2")]
    young1 = [r for r in r1 if "lag<1s" in r["tag0"]]
    youngb = [r for r in both if "lag<1s" in r["tag0"]]
    fl.check(len(healthy) >= RYW_MIN["healthy"], "%d rounds with replication healthy (>= %d)"
             % (len(healthy), RYW_MIN["healthy"]))
    fl.check(len(r1) >= RYW_MIN["R1"] and len(young1) >= RYW_YOUNG,
             "%d rounds with replica 1's SQL thread stopped (>= %d; %d of them within replica_max_lag of the "
             "stop, >= %d)" % (len(r1), RYW_MIN["R1"], len(young1), RYW_YOUNG))
    fl.check(len(both) >= RYW_MIN["R1+R2"] and len(youngb) >= RYW_YOUNG,
             "%d rounds with both replicas' SQL threads stopped (>= %d; %d within replica_max_lag, >= %d)"
             % (len(both), RYW_MIN["R1+R2"], len(youngb), RYW_YOUNG))
    fl.check(all(max(d.values()) > 0 for _, d in behind),
             "the stopped replicas really lagged: each window left comments missing on them (%s)"
             % [d for _, d in behind][:8])
    fl.check(not post_fail, "every round's POST answered 303 (%d did not: %s)"
             % (len(post_fail), [(r["post"], r["error"]) for r in post_fail[:3]]))
    fl.check(not page_fail, "the very next GET (the 303's page) showed the visitor's comment in every round "
             "(%d failures of %d)" % (len(page_fail), len(recs)))
    fl.check(not list_fail, "then /comments/ (a cached page) showed it too (%d failures)" % len(list_fail))
    fl.say(res.summary("background GETs"))
    fl.check(not res.failed(ok=(200,)), "background GETs all 200 (%s)" % res.counts())

    adds = metric_deltas(m0, m1, "blogd_http_requests_total", "route")
    served = {i: (d.get("comment_add", 0), d.get("post", 0)) for i, d in adds.items()}
    reads = metric_deltas(m0, m1, "blogd_db_read_server_total", "server")
    waits = metric_deltas(m0, m1, "blogd_ryw_waits_total", "result")
    fl.say("per host (comment POSTs, post-page GETs): %s" % served)
    fl.say("per host reads by server: %s" % reads)
    fl.say("per host read-your-writes waits: %s" % waits)
    fl.check(all(a > 0 and g > 0 for a, g in served.values()) and len(served) == HOSTS,
             "every host took comment POSTs and served post pages (%s)" % served)
    used = {k for d in reads.values() for k in d}
    fl.check({"replica1", "replica2"} <= used, "reads went to both replicas (servers read: %s)" % sorted(used))
    summary("read your writes: %d rounds (%d healthy, %d with replica 1 lagging of which %d within "
            "replica_max_lag, %d with both lagging of which %d within it), failures %d (POST %d, "
            "post page %d, /comments/ %d)"
            % (len(recs), len(healthy), len(r1), len(young1), len(both), len(youngb), len(fails),
               len(post_fail), len(page_fail), len(list_fail)))
    summary("read-your-writes waits (all hosts): %s" % {
        k: sum(d.get(k, 0) for d in waits.values()) for k in ("ok", "timeout")})


# ---------------------------------------------------------------------------
# 2. Bounded staleness
# ---------------------------------------------------------------------------


def stale_round(cl, a, ledger, part, post, out):
    """A posts a comment; B (no cookie at all) polls /comments/ and the 303's page until each
    shows it. Adds to out: "delays" (s from A's 303 to the start of B's first GET showing it),
    "late" (GETs begun after the bound that did not show it), "errors", "n"."""
    text = ledger.text(part)
    try:
        r = a.comment(post, text)
    except CLIENT_ERRORS as e:
        ledger.note(text, None, part, repr(e))
        out["errors"].append(("A POST", repr(e)))
        return
    t_ack = time.monotonic()
    ledger.note(text, r.status, part)
    if r.status != 303:
        out["refused"].append(r.status)
        return
    out["n"] += 1
    seen = {"/comments/": None, r.location_path: None}
    cid = None  # the comment's id, once its post page showed it
    b = fl.Conn(cl.port)
    try:
        while None in seen.values() and time.monotonic() - t_ack < MAX_LAG + MARGIN + 1.5:
            for path in [p for p, s in seen.items() if s is None]:
                t0 = time.monotonic()
                try:
                    g = b.request("GET", path)
                except fl.HTTPError as e:
                    out["errors"].append(("B GET " + path, e.kind))
                    continue
                if g.status == 200 and ('<p class="text">%s</p>' % text) in g.text:
                    seen[path] = t0 - t_ack
                    if path != "/comments/":
                        cid = comment_id(g.text, text)
                elif g.status == 200 and path == "/comments/" and cid and pushed_off(g.text, cid):
                    # Under a heavy load of POSTs, 50 newer comments came in before B looked:
                    # the comment is no longer on that page, which is right, not stale.
                    seen[path] = "pushed"
                    out["pushed"] = out.get("pushed", 0) + 1
                elif g.status != 200:
                    out["errors"].append(("B GET " + path, g.status))
                elif t0 - t_ack > MAX_LAG + MARGIN:
                    out["late"].append((path, round(t0 - t_ack, 3)))
            time.sleep(0.005)
    finally:
        b.close()
    for path, s in seen.items():
        if s is None:
            out["late"].append((path, "never within %.1f s" % (MAX_LAG + MARGIN + 1.5)))
        elif s != "pushed":
            out["delays"].append(s)


def pushed_off(page, cid):
    """Whether /comments/' first page lists a page of comments, every one newer than cid."""
    shown = [int(x) for x in re.findall(r'<span class="comment-id">\(#(\d+)\)</span>', page)]
    return len(shown) >= 50 and min(shown) > cid


def new_stale():
    return {"delays": [], "late": [], "errors": [], "refused": [], "n": 0}


def stale_report(label, out):
    d = sorted(out["delays"])
    med = "%.3f" % d[len(d) // 2] if d else "-"
    worst = "%.3f" % d[-1] if d else "-"
    fl.say("%s: %d comments, B saw each on /comments/ and its post page after median %s s, at most %s s; "
           "late %d, errors %d, POSTs refused %s; %d pushed off /comments/' first page by newer ones "
           "before B looked" % (label, out["n"], med, worst, len(out["late"]), len(out["errors"]),
                                out["refused"], out.get("pushed", 0)))
    fl.check(out["n"] >= 5, "%s: comments were posted and looked for (%d)" % (label, out["n"]))
    fl.check(not out["late"], "%s: another visitor saw every comment within replica_max_lag + %.1f s (late: %s)"
             % (label, MARGIN, out["late"][:5]))
    fl.check(not out["errors"], "%s: every GET 200 (%s)" % (label, out["errors"][:5]))
    return "%d comments, slowest seen by another visitor after %s s (bound %.1f + %.1f s), late %d" % (
        out["n"], worst, MAX_LAG, MARGIN, len(out["late"]))


class StaleProber:
    """stale_round() in a thread, again and again, until stopped."""

    def __init__(self, cl, ledger, part):
        self.cl, self.ledger, self.part = cl, ledger, part
        self.out = new_stale()
        self.stop_flag = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        a = Visitor(self.cl.url, "A-" + self.part)
        k = 0
        while not self.stop_flag.is_set():
            k += 1
            stale_round(self.cl, a, self.ledger, self.part, 1 + k % 2, self.out)
            time.sleep(0.02)

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.stop_flag.set()
        self.thread.join(30)
        return self.out


def staleness(cl, ledger):
    fl.say("== 2. bounded staleness: another visitor sees a comment within replica_max_lag")
    bg = fl.Load(cl.port, conns=3, duration=120, pace=0.01).start()
    a = Visitor(cl.url, "A")
    a.prime()
    lines = []
    try:
        for phase in ("healthy", "R1 stopped"):
            t_phase = time.monotonic()
            unusable = None
            if phase == "R1 stopped":
                cl.stop_sql_thread("R1")
            out = new_stale()
            k = 0
            while k < STALE_ROUNDS or (phase != "healthy" and time.monotonic() - t_phase < 2.5 * MAX_LAG):
                k += 1
                stale_round(cl, a, ledger, "stale", 1 + k % 2, out)
                if phase != "healthy" and unusable is None:
                    views = cl.replica_views()
                    if all(v and not v[0].get("usable") for v in views.values()):
                        unusable = time.monotonic() - t_phase
            if phase != "healthy":
                if unusable is None:
                    t = cl.wait_usable(0, False, 2)
                    unusable = None if t is None else time.monotonic() - t_phase
                missing = len(stored_counts(cl, ledger.prefix + "-stale")) - len(stored_counts(cl, ledger.prefix + "-stale", "R1"))
                cl.start_sql_thread("R1")
                back = cl.wait_usable(0, True, 10)
                fl.say("replica 1 stopped for %.1f s: every host stopped using it %s after the stop; "
                       "it missed %d of the comments; usable again %s after START SLAVE SQL_THREAD"
                       % (time.monotonic() - t_phase, "%.2f s" % unusable if unusable is not None else "NEVER",
                          missing, "%.2f s" % back if back is not None else "NEVER"))
                fl.check(unusable is not None and unusable <= MAX_LAG + MARGIN,
                         "every host stopped using the lagging replica within replica_max_lag + %.1f s (%s)"
                         % (MARGIN, unusable))
                fl.check(missing > 0, "replica 1 really lagged (%d comments missing on it)" % missing)
                fl.check(back is not None, "replica 1 usable again on every host once it caught up")
            lines.append("bounded staleness, %s: %s" % (phase, stale_report(phase, out)))
    finally:
        try:
            cl.start_sql_thread("R1")
        except RuntimeError:
            pass
        bg.stop()
    res = bg.join()
    fl.say(res.summary("background GETs"))
    fl.check(not res.failed(ok=(200,)), "background GETs all 200 (%s)" % res.counts())
    for line in lines:
        summary(line)


# ---------------------------------------------------------------------------
# 3. A replica killed
# ---------------------------------------------------------------------------


def start_in_background(cl):
    return subprocess.Popen([cl.stack_sh_path, "start"], env=cl.env(), stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)


def stack_lines(out):
    return " | ".join(l for l in out.splitlines() if l.startswith("stack:"))[:1500]


def replica_killed(cl, ledger):
    fl.say("== 3. replica 1 killed (SIGKILL) under GET/POST load, then started again")
    pid = cl.server_pid("R1")
    load = fl.Load(cl.port, conns=6, duration=12, post_ratio=0.2, prefix=ledger.load_prefix("kr")).start()
    rounds = Rounds(cl, ledger, {"lag": "none", "since": 0}, threads=2, part="ryw3").start()
    prober = StaleProber(cl, ledger, "stale3").start()
    time.sleep(3)
    cl.kill(pid, signal.SIGKILL)
    t_kill = time.monotonic()
    left = fl.wait_gone([pid], 10)
    fl.check(not left, "replica 1's mariadbd (pid %d) is gone" % pid)
    time.sleep(2)
    views = cl.replica_views()
    fl.say("hosts' view of replica 1 while it is down: %s" % {i: v and v[0] for i, v in views.items()})
    fl.check(all(v and not v[0].get("usable") for v in views.values()),
             "no host counts the dead replica usable")
    t_start = time.monotonic()
    p = start_in_background(cl)
    out = p.communicate(timeout=240)[0].decode(errors="replace")
    took = time.monotonic() - t_start
    res = load.join()
    rounds.stop()
    stale = prober.stop()
    fl.say("stack.sh start (%.1f s, rc %d): %s" % (took, p.returncode, stack_lines(out)))
    fl.check(p.returncode == 0, "stack.sh start brought replica 1 back")
    new = cl.server_pid("R1")
    fl.check(new and new != pid and fl.alive(new), "replica 1 runs again (pid %s, was %d)" % (new, pid))
    fl.say(res.summary("replica-kill load"))
    gets = res.filter(lambda r: r.method == "GET")
    down = res.filter(lambda r: r.method == "GET" and r.t0 >= t_kill and r.t1 <= t_start)
    fl.say("GETs while replica 1 was down (before stack.sh start): %s" % res.counts(down))
    fl.check(len(down) > 50, "GETs were made while replica 1 was down (%d)" % len(down))
    fl.check(not res.failed(gets, ok=(200,)), "every GET answered 200 through the kill and the restart (%s)"
             % res.counts(gets))
    ledger.note_load(res, "kr")
    entries = [e for e in ledger.entries if e[3] == "kr"]
    by = check_posts(cl, entries, "replica-kill POSTs", ledger.load_prefix("kr"), allowed=(303, 503))
    ryw = ryw_during(cl, rounds, "replica killed", allowed_post=(303, 503))
    stale_line = stale_report("replica killed", stale)
    caught = wait_for(lambda: cl.replicating("R1") and cl.wait_replicas_caught_up(10)["R1"][0] == 0, 15, 0.5)
    st = cl.slave_status("R1")
    fl.check(bool(caught), "replication to replica 1 runs again and has caught up (IO %s, SQL %s, %s)"
             % (st.get("Slave_IO_Running"), st.get("Slave_SQL_Running"), st.get("Last_Error") or st.get("Last_IO_Error")))
    back = cl.wait_usable(0, True, 10)
    fl.check(back is not None, "every host uses replica 1 again (%s s)" % ("%.2f" % back if back is not None else "never"))
    summary("replica killed: %d GETs (%d while it was down) %s; POSTs %s; %s; %s; restart %.1f s; usable "
            "again on every host %s s later" % (len(gets), len(down), res.counts(gets), by, ryw, stale_line, took,
                                                "%.2f" % back if back is not None else "never"))


# ---------------------------------------------------------------------------
# 4. The primary stopped
# ---------------------------------------------------------------------------


def host_pages_read_only(cl, want):
    """True when every host's GET / (over its socket) carries the notice (want) or not."""
    for i in cl.host_ids():
        try:
            status, _, body = cl.fcgi(i, "GET", "/")
        except (OSError, ConnectionError):
            return False
        if status != 200 or (READ_ONLY_TEXT in body.decode("utf-8", "replace")) != want:
            return False
    return True


def primary_stopped(cl, ledger):
    fl.say("== 4. the primary stopped (SIGTERM) under read load, then started again")
    p = Visitor(cl.url, "P")
    p.prime()
    pid = cl.server_pid("primary")
    load = fl.Load(cl.port, conns=6, duration=120, pace=0.005).start()  # GETs
    m0 = cl.all_metrics()
    time.sleep(1.5)
    cl.kill(pid, signal.SIGTERM)
    left = fl.wait_gone([pid], 30)
    t_down = time.monotonic()
    fl.check(not left, "the primary's mariadbd (pid %d) exited on SIGTERM" % pid)
    if left:
        raise RuntimeError("the primary did not stop")
    ro = wait_for(lambda: host_pages_read_only(cl, True), 5, 0.05)
    t_ro = time.monotonic() - t_down
    fl.check(bool(ro), "every host's pages say \"%s\" (%.2f s after the primary stopped)" % (READ_ONLY_TEXT, t_ro))
    statuses = {}
    for i in cl.host_ids():
        try:
            statuses[i] = cl.host_status(i).get("read_only")
        except (OSError, RuntimeError, ConnectionError, ValueError) as e:
            statuses[i] = repr(e)
    fl.check(all(v is True for v in statuses.values()), "every host's status says read_only true (%s)" % statuses)

    pages = []
    for path in ("/", "/1/", "/2/", "/comments/", "/about/", "/feed.atom") * 2:
        try:
            r = fl.get(cl.port, path)
            pages.append((path, r.status, READ_ONLY_TEXT in r.text or path == "/feed.atom"))
        except fl.HTTPError as e:
            pages.append((path, e.kind, False))
    fl.check(all(s == 200 and ro for _, s, ro in pages),
             "through nginx every page answers 200 with the read-only notice (%s)"
             % [x for x in pages if not (x[1] == 200 and x[2])][:4])

    tried = []
    for k in range(6):
        text = ledger.text("ro") + " kept <&> as typed"
        try:
            r = p.comment(1 + k % 2, text)
        except CLIENT_ERRORS as e:
            ledger.note(text, None, "ro", repr(e))
            tried.append((None, repr(e), False, None))
            continue
        ledger.note(text, r.status, "ro")
        m = TEXTAREA.search(r.text)
        kept = bool(m) and html.unescape(m.group(1)) == text
        tried.append((r.status, r.header("Retry-After"), kept, READ_ONLY_TEXT in r.text))
    fl.say("comment POSTs with the primary down (status, Retry-After, text kept, notice): %s" % tried)
    fl.check(all(s == 503 for s, _, _, _ in tried), "every comment POST answered 503 (%s)" % [t[0] for t in tried])
    fl.check(all(ra and ra.isdigit() and int(ra) > 0 for _, ra, _, _ in tried),
             "every 503 carries Retry-After (%s)" % [t[1] for t in tried])
    fl.check(all(kept for _, _, kept, _ in tried), "every 503's form holds the text sent in its textarea")
    time.sleep(2)  # reads with the primary gone
    t_known_down = time.monotonic()

    t_start = time.monotonic()
    proc = start_in_background(cl)
    t_ping = wait_for(lambda: cl.mariadb_ping() and time.monotonic(), 120, 0.05)
    resumed, retries = None, 0
    while t_ping and time.monotonic() - t_ping < 20:
        text = ledger.text("back")
        try:
            r = p.comment(1, text)
            ledger.note(text, r.status, "back")
            if r.status == 303:
                resumed = time.monotonic()
                break
            retries += 1
        except CLIENT_ERRORS as e:
            ledger.note(text, None, "back", repr(e))
        time.sleep(0.1)
    out = proc.communicate(timeout=240)[0].decode(errors="replace")
    fl.say("stack.sh start (%.1f s, rc %d): %s" % (time.monotonic() - t_start, proc.returncode, stack_lines(out)))
    fl.check(proc.returncode == 0, "stack.sh start brought the primary back")
    fl.check(t_ping is not None, "the primary answers ping again (%.1f s after stack.sh start)"
             % ((t_ping or 0) - t_start))
    resume_s = (resumed - t_ping) if resumed and t_ping else None
    fl.say("first comment stored %s after the primary answered ping (%d 503s before it)"
           % ("%.2f s" % resume_s if resume_s is not None else "NEVER", retries))
    fl.check(resume_s is not None and resume_s <= WRITE_RESUME_MAX,
             "writes resumed by themselves within %.0f s of the primary's return (%s)"
             % (WRITE_RESUME_MAX, resume_s))
    gone = wait_for(lambda: host_pages_read_only(cl, False), 5, 0.05)
    fl.check(bool(gone), "the read-only notice is gone from every host's pages")
    time.sleep(0.5)
    load.stop()
    res = load.join()
    m1 = cl.all_metrics()
    fl.say(res.summary("read load"))
    down = res.filter(lambda r: r.t0 >= t_down and r.t1 <= t_known_down)
    fl.say("GETs while the primary was down (SIGTERM to stack.sh start): %s" % res.counts(down))
    fl.check(len(down) > 50, "GETs were made while the primary was down (%d)" % len(down))
    fl.check(not res.failed(ok=(200,)), "every GET answered 200 before, during and after (%s)" % res.counts())
    reads = metric_deltas(m0, m1, "blogd_db_read_server_total", "server")
    fl.say("per host reads by server over the part: %s" % reads)
    entries = [e for e in ledger.entries if e[3] == "ro"]
    stored = stored_counts(cl, ledger.prefix + "-ro")
    fl.check(not stored, "nothing of the read-only POSTs is stored (%s)" % list(stored.items())[:3])
    caught = wait_for(lambda: all(v[0] == 0 for v in cl.wait_replicas_caught_up(5).values()), 30, 0.5)
    fl.check(bool(caught), "both replicas replicate from the restarted primary and caught up (%s)"
             % {s: (cl.slave_status(s).get("Slave_IO_Running"), cl.slave_status(s).get("Last_IO_Error"))
                for s in cl.servers()[1:]})
    summary("primary stopped: %d GETs while it was down %s, all GETs %s; read-only notice on every host %.2f s "
            "after the stop; %d comment POSTs 503 (Retry-After, text kept), %d stored; writes resumed %s s "
            "after the primary answered ping"
            % (len(down), res.counts(down), res.counts(), t_ro, len(entries), len(stored),
               "%.2f" % resume_s if resume_s is not None else "never"))


# ---------------------------------------------------------------------------
# 5. A blogd host killed
# ---------------------------------------------------------------------------


def host_killed(cl, ledger):
    fl.say("== 5. host 2 killed (SIGKILL to its process group) under GET/POST load")
    load = fl.Load(cl.port, conns=6, duration=8, post_ratio=0.2, prefix=ledger.load_prefix("kh")).start()
    rounds = Rounds(cl, ledger, {"lag": "none", "since": 0}, threads=2, part="ryw5").start()
    time.sleep(2.5)
    members = cl.kill_host(2, signal.SIGKILL)
    t_kill = time.monotonic()
    left = fl.wait_gone(members, 5)
    fl.check(not left, "host 2's master, workers and watcher are gone (%d processes)" % len(members))
    res = load.join()
    rounds.stop()
    fl.say(res.summary("host-kill load"))
    gets = res.filter(lambda r: r.method == "GET")
    after = res.filter(lambda r: r.method == "GET" and r.t0 >= t_kill)
    fl.check(len(after) > 50, "GETs were made after the kill (%d)" % len(after))
    fl.check(not res.failed(gets, ok=(200,)), "every GET answered 200 (nginx sent it to another host) (%s)"
             % res.counts(gets))
    ledger.note_load(res, "kh")
    entries = [e for e in ledger.entries if e[3] == "kh"]
    # A POST in flight on the killed host may be answered 502 (nginx never sends a POST again).
    by = check_posts(cl, entries, "host-kill POSTs", ledger.load_prefix("kh"), allowed=(303, 502))
    ryw = ryw_during(cl, rounds, "host killed", allowed_post=(303, 502))
    r502 = [r for r in rounds.rounds if r["post"] == 502]
    fl.check(all(r["t0"] <= t_kill + 0.5 for r in r502), "the rounds' POSTs that failed were in flight at the kill")
    inflight = [r for r in res.posts() if r.status != 303]
    fl.check(all(r.t0 <= t_kill + 0.5 for r in inflight),
             "only POSTs in flight at the kill failed (%s)" % [(r.status, round(r.t0 - t_kill, 3)) for r in inflight][:5])
    out = cl.stack_sh("start", timeout=240)
    fl.say("stack.sh start: %s" % stack_lines(out))
    new = cl.host_pid(2)
    fl.check(new and new not in members and fl.alive(new), "host 2 runs again (pid %s)" % new)
    def host2_ok():
        try:
            return cl.fcgi(2, "GET", "/2/")[0] == 200
        except (OSError, ConnectionError):
            return False
    ok = wait_for(host2_ok, 10, 0.1)
    fl.check(bool(ok), "host 2 serves pages again")
    back = [fl.get(cl.port, "/").status for _ in range(9)]
    fl.check(all(s == 200 for s in back), "through nginx all 200 again (%s)" % back)
    summary("host killed: %d GETs %s (%d after the kill); POSTs %s; %s" % (len(gets), res.counts(gets), len(after), by, ryw))


# ---------------------------------------------------------------------------
# 5b. Under the supervisor (scripts/stack.sh run, as `make run`): a replica and a host killed
# ---------------------------------------------------------------------------


class Supervisor:
    """scripts/stack.sh run over the running stack (it adopts every part), its output in a file."""

    def __init__(self, cl):
        self.cl = cl
        self.out_path = cl.path("log", "test-supervisor.out")
        self.proc = None

    def start(self, timeout=60):
        self.out = open(self.out_path, "wb")
        self.proc = subprocess.Popen([self.cl.stack_sh_path, "run"], env=self.cl.env(), stdin=subprocess.DEVNULL,
                                     stdout=self.out, stderr=subprocess.STDOUT)
        ok = wait_for(lambda: "Ctrl-C to stop" in self.text() or self.proc.poll() is not None, timeout, 0.1)
        if not ok or self.proc.poll() is not None:
            raise RuntimeError("stack.sh run did not come up: %s" % self.text()[-2000:])
        return self

    def text(self):
        try:
            with open(self.out_path, encoding="utf-8", errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def wait_line(self, pattern, offset, timeout):
        """Seconds until a line matching pattern appears after offset, or None."""
        t0 = time.monotonic()
        rx = re.compile(pattern)
        while time.monotonic() - t0 < timeout:
            if any(rx.search(l) for l in self.text()[offset:].splitlines()):
                return time.monotonic() - t0
            time.sleep(0.05)
        return None

    def reap(self, timeout=60):
        """After stack.sh stop (which stops the supervisor first): wait for it."""
        if self.proc is None:
            return
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.out.close()


def supervised(cl, ledger, sup):
    fl.say("== 5b. under the supervisor (stack.sh run): replica 2 and host 3 killed, restarted by it")
    sup.start()
    fl.say("stack.sh run adopted the stack: %s" % stack_lines(sup.text()))
    load = fl.Load(cl.port, conns=6, duration=16, post_ratio=0.2, prefix=ledger.load_prefix("sv")).start()
    rounds = Rounds(cl, ledger, {"lag": "none", "since": 0}, threads=2, part="ryw7").start()
    prober = StaleProber(cl, ledger, "stale7").start()
    time.sleep(2)

    # replica 2: the supervisor restarts it, and it resumes from its own gtid_slave_pos
    pid = cl.server_pid("R2")
    off = len(sup.text())
    cl.kill(pid, signal.SIGKILL)
    t_kill = time.monotonic()
    fl.wait_gone([pid], 10)
    again = sup.wait_line(r"replica2 is running again", off, 20)
    new = cl.server_pid("R2")
    fl.check(again is not None and new and new != pid and fl.alive(new),
             "the supervisor restarted replica 2 (pid %s, was %d) %s s after the kill"
             % (new, pid, "%.1f" % again if again is not None else "never"))
    said = sup.text()[off:]
    fl.check("seeding" not in said, "replica 2 was not seeded again: it resumes from its own position (%s)"
             % " | ".join(said.splitlines())[:400])
    def r2_caught():
        try:
            return cl.replicating("R2") and cl.wait_replicas_caught_up(5)["R2"][0] == 0
        except RuntimeError:  # "running again" is said of the process, before it takes connections
            return False

    caught = wait_for(r2_caught, 20, 0.5)
    st = cl.slave_status("R2")
    fl.check(bool(caught), "replication to replica 2 resumed and caught up (IO %s, SQL %s, %s)"
             % (st.get("Slave_IO_Running"), st.get("Slave_SQL_Running"), st.get("Last_Error") or st.get("Last_IO_Error")))
    back = cl.wait_usable(1, True, 10)
    fl.check(back is not None, "every host uses replica 2 again")
    r2_s = time.monotonic() - t_kill

    # host 3: the supervisor restarts it
    off = len(sup.text())
    members = cl.kill_host(3, signal.SIGKILL)
    t_kill3 = time.monotonic()
    fl.wait_gone(members, 5)
    again3 = sup.wait_line(r"blogd3 is running again", off, 20)
    new3 = cl.host_pid(3)
    fl.check(again3 is not None and new3 and new3 not in members,
             "the supervisor restarted host 3 (pid %s) %s s after the kill"
             % (new3, "%.1f" % again3 if again3 is not None else "never"))

    def host3_ok():
        try:
            return cl.fcgi(3, "GET", "/2/")[0] == 200
        except (OSError, ConnectionError):
            return False
    fl.check(bool(wait_for(host3_ok, 10, 0.1)), "host 3 serves pages again")
    res = load.join()
    rounds.stop()
    stale = prober.stop()
    fl.say(res.summary("supervised load"))
    gets = res.filter(lambda r: r.method == "GET")
    fl.check(not res.failed(gets, ok=(200,)), "every GET answered 200 (%s)" % res.counts(gets))
    ledger.note_load(res, "sv")
    entries = [e for e in ledger.entries if e[3] == "sv"]
    by = check_posts(cl, entries, "supervised POSTs", ledger.load_prefix("sv"), allowed=(303, 502, 503))
    late502 = [r for r in res.posts() if r.status == 502 and not (t_kill3 - 1 <= r.t0 <= t_kill3 + 0.5)]
    fl.check(not late502, "POSTs answered 502 were in flight at host 3's kill (%s)"
             % [round(r.t0 - t_kill3, 3) for r in late502][:5])
    ryw = ryw_during(cl, rounds, "supervised", allowed_post=(303, 502, 503))
    stale_line = stale_report("supervised", stale)
    summary("under the supervisor: replica 2 killed, restarted %s s later, used again by every host %.1f s after "
            "the kill; host 3 killed, restarted %s s later; %d GETs %s; POSTs %s; %s; %s"
            % ("%.1f" % again if again is not None else "never", r2_s,
               "%.1f" % again3 if again3 is not None else "never", len(gets), res.counts(gets), by, ryw, stale_line))


# ---------------------------------------------------------------------------
# 6. Every acknowledged comment, once, everywhere
# ---------------------------------------------------------------------------


def everything_everywhere(cl, ledger):
    fl.say("== 6. every acknowledged comment once on the primary and on every replica")
    caught = cl.wait_replicas_caught_up(10)
    fl.say("MASTER_GTID_WAIT(primary's gtid_binlog_pos, 10) on each replica: %s" % caught)
    for s, (rc, took) in caught.items():
        fl.check(rc == 0, "%s caught up with the primary (MASTER_GTID_WAIT returned %r after %.2f s)" % (s, rc, took))
    sent = {}
    for content, status, error, part in ledger.entries:
        sent.setdefault(content, []).append((status, error, part))
    acked = [c for c, a in sent.items() if any(s == 303 for s, _, _ in a)]
    clean = [c for c, a in sent.items() if all(s == 503 for s, _, _ in a)]
    answered = set(acked) | set(clean)
    other = [c for c in sent if c not in answered]
    counts = {}
    for s in cl.servers():
        stored = stored_counts(cl, ledger.prefix, s)
        counts[s] = sum(stored.values())
        not_once = [(c, stored.get(c, 0)) for c in acked if stored.get(c, 0) != 1]
        ghosts = [c for c in clean if stored.get(c)]
        twice = [(c, stored[c]) for c in other if stored.get(c, 0) > 1]
        unknown = [c for c in stored if c not in sent]
        fl.check(not not_once, "%s: every one of the %d acknowledged comments is stored exactly once (%d not: %s)"
                 % (s, len(acked), len(not_once), not_once[:3]))
        fl.check(not ghosts, "%s: none of the %d comments answered 503 is stored (%s)" % (s, len(clean), ghosts[:3]))
        fl.check(not twice, "%s: none of the %d comments without an answer is stored twice (%s)"
                 % (s, len(other), twice[:3]))
        fl.check(not unknown, "%s: nothing is stored that was not sent (%s)" % (s, unknown[:3]))
    kept_other = stored_counts(cl, ledger.prefix)
    summary("at the end: %d comments sent, %d acknowledged (303), %d answered 503, %d without an answer "
            "(%d of those stored); rows stored: %s" % (len(sent), len(acked), len(clean), len(other),
                                                       sum(1 for c in other if kept_other.get(c)), counts))


def main():
    t_all = time.monotonic()
    cl = Cluster(os.path.join(fl.test_root(), "faults-cluster"), name="cluster", hosts=HOSTS,
                 replicas=REPLICAS, conf_extra=CONF)
    ledger = Ledger()
    sup = Supervisor(cl)
    try:
        with cl:
            fl.say("stack of %d hosts and %d replicas up in %.1f s on port %d" % (HOSTS, REPLICAS, cl.start_seconds, cl.port))
            check_setup(cl)
            parts = (read_your_writes, staleness, replica_killed, primary_stopped, host_killed,
                     lambda cl, ledger: supervised(cl, ledger, sup), everything_everywhere)
            for part in parts:
                t0 = time.monotonic()
                part(cl, ledger)
                fl.say("   (%.1f s)" % (time.monotonic() - t0))
            for i in cl.host_ids():
                errs = [l for l in cl.host_log_text(i).splitlines() if "[error]" in l]
                fl.say("host %d's log: %d [error] lines%s" % (i, len(errs), (", last: " + errs[-1][:300]) if errs else ""))
    finally:
        sup.reap()  # stack.sh stop (the with's end) stopped it first
    fl.say("counts:")
    for line in SUMMARY:
        fl.say("  " + line)
    fl.say("run time %.1f s" % (time.monotonic() - t_all))


fl.run_test(NAME, main)
