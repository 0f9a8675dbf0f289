#!/usr/bin/env python3
"""soak.py — issue 17, item 7: does every blogd worker's memory stay flat over a 1M-request soak?

  scripts/soak.py            SOAK_REQUESTS (default 1,000,000) requests of a mixed workload
                             against a private stack, in wrk segments of ~10 s, every worker's
                             memory sampled after each; about 2-3 minutes at ~8-10k req/s
  scripts/soak.py --quick    the same with 100,000 requests, a 20,000-request warm-up and 2 s
                             segments (a quick check that it runs and what it measures)

On a machine shared with other benchmarks, run it under the same lock as they do:
`flock /work/bench.lock python3 scripts/soak.py`.

What runs, all private and on 127.0.0.1 (every state file in one temp dir, removed at exit,
even on failure or SIGTERM): one stack started by tests/harness (scripts/stack.sh) with the
tutorial data, SOAK_WORKERS blogd workers, `max_requests = 0` (workers are never recycled, so a
leak has nowhere to hide) and a page cache of SOAK_CACHE_BYTES, smaller than blogd's default
so that pages are evicted all through the soak (an allocating path too); SOAK_POSTS posts with
~10 comments each are bulk-loaded first.
Two wrk clients run side by side in every segment:
  main  wrk -t2 -cSOAK_CONNECTIONS bench/mixed.lua: Zipf-drawn post pages (cache hits, and
        misses after each comment), GET /, GET /comments/, ~2% comment POSTs (303) with the
        CSRF cookie and token of one GET /2/
  side  wrk -t1 -cSOAK_SIDE_CONNECTIONS, a script this file writes into the temp dir, the paths
        mixed.lua does not take: junk query strings (a cached page under its canonical URL),
        ?after= pages of the index and of /comments/ (a new cache key nearly every time:
        renders, stores, evictions), /feed.atom, /about/, GET /login (a new CSRF cookie),
        404s (a post id that does not exist, an unknown path), comment POSTs refused with
        403 (a wrong CSRF token), 422 (an empty comment) and 400 (invalid UTF-8)
Each script counts the statuses it got against the requests of each kind it sent.

Memory: every blogd worker (the master's children but the watcher, comm "blogd-watcher") is
sampled before the load, then after every segment once SOAK_WARMUP requests have run (pools,
connections and the page arena at their steady size by then): VmRSS, RssAnon, RssShmem
(/proc/PID/status) and Pss, Private_Dirty (/proc/PID/smaps_rollup). RssAnon is the worker's
private anonymous memory (heap, stacks): where a leak shows. RssShmem is mostly the page arena
(MAP_SHARED, cache_bytes, touched by every worker as it starts, counted once in Pss), so it is
in VmRSS from the first sample on and does not grow with the load.
Per worker: growth = last sample - first sample after the warm-up, and the slope of a
least-squares line through the samples, in KiB per 100,000 requests.

Verdict PASS (exit 0) when every worker's VmRSS and RssAnon grew less than SOAK_MAX_GROWTH_KIB
from the first sample after the warm-up to the end, no worker was replaced (a new PID would
hide a leak), neither client saw a socket error, a 5xx or any status it did not expect, and
the comment rows stored match the 303s. FAIL (exit 1) otherwise. A soak stopped by the time
limit (SOAK_MAX_SECONDS) before SOAK_REQUESTS is INCOMPLETE (exit 1), with what it measured.

Output: a markdown report on stdout, also written to bench/results/soak.md (soak-quick.md for
--quick); wrk's own output goes to the .log beside it.

Environment (optional): SOAK_REQUESTS (default 1000000; --quick 100000), SOAK_WARMUP (50000;
--quick 20000), SOAK_SEGMENT_SECONDS (10; --quick 2), SOAK_MAX_SECONDS (900: the load stops
then, whatever the count), SOAK_MAX_GROWTH_KIB (1024), SOAK_WORKERS (4), SOAK_POSTS (5000),
SOAK_CACHE_BYTES (8388608; blogd's own default is 64 MiB), SOAK_CONNECTIONS (64),
SOAK_SIDE_CONNECTIONS (8), BLOGD_BIN (default build/blogd), BLOGD_SHARE (the templates/,
static/ and sql/ BLOGD_BIN goes with, default this tree).
"""

import datetime
import json
import math
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests"))

from harness import measure, proc, stats  # noqa: E402
from harness.client import Conn, HTTPError, csrf_pair  # noqa: E402
from harness.stack import Stack  # noqa: E402

THREADS = 2  # the main client's wrk threads (the side client has one)
STATUS_FIELDS = ("VmRSS", "RssAnon", "RssFile", "RssShmem")
ROLLUP_FIELDS = ("Pss", "Private_Dirty", "Anonymous")


class Fail(Exception):
    """The soak cannot go on; the message says why."""


def say(msg):
    print("soak: " + msg, file=sys.stderr, flush=True)


def usage():
    print("usage: %s [--quick]" % sys.argv[0], file=sys.stderr)
    sys.exit(2)


def settings(argv):
    """The run's knobs, from the mode and the environment (see the module's doc)."""
    if len(argv) > 1:
        usage()
    mode = "full"
    if argv:
        if argv[0] == "--quick":
            mode = "quick"
        elif argv[0] in ("-h", "--help"):
            print(__doc__.strip())
            sys.exit(0)
        else:
            usage()
    quick = mode == "quick"
    env = os.environ.get
    raw = {"requests": env("SOAK_REQUESTS", "100000" if quick else "1000000"),
           "warmup": env("SOAK_WARMUP", "20000" if quick else "50000"),
           "segment": env("SOAK_SEGMENT_SECONDS", "2" if quick else "10"),
           "max_seconds": env("SOAK_MAX_SECONDS", "900"),
           "max_growth": env("SOAK_MAX_GROWTH_KIB", "1024"),
           "workers": env("SOAK_WORKERS", "4"),
           "posts": env("SOAK_POSTS", "5000"),
           "cache_bytes": env("SOAK_CACHE_BYTES", "8388608"),
           "conns": env("SOAK_CONNECTIONS", "64"),
           "side_conns": env("SOAK_SIDE_CONNECTIONS", "8")}
    c = {"mode": mode}
    for k, v in raw.items():
        if not v.isdigit() or int(v) == 0:
            print("soak: SOAK_%s must be a positive number" % k.upper(), file=sys.stderr)
            sys.exit(2)
        c[k] = int(v)
    if c["warmup"] >= c["requests"]:
        print("soak: SOAK_WARMUP must be less than SOAK_REQUESTS", file=sys.stderr)
        sys.exit(2)
    if c["posts"] < 4:
        print("soak: SOAK_POSTS must be at least 4", file=sys.stderr)
        sys.exit(2)
    c["bin"] = env("BLOGD_BIN") or os.path.join(ROOT, "build", "blogd")
    c["share"] = env("BLOGD_SHARE") or None
    return c


# The side client: every request kind but the 200s has a status of its own, so the counts of
# statuses can be checked against the counts of kinds sent (wrk does not tell response()
# which request an answer is for).
SIDE_LUA = r"""-- soak side client, written by scripts/soak.py: the paths bench/mixed.lua does not take.
dofile(@REPORT@)

local N = tonumber(os.getenv("SOAK_POSTS") or "1000")
local C = tonumber(os.getenv("SOAK_COMMENTS") or "1000")
local cookie = os.getenv("BENCH_CSRF_COOKIE") or ""
local token = bench_urlencode(os.getenv("BENCH_CSRF_TOKEN") or "")
local post_headers = {
  ["Cookie"] = cookie,
  ["Content-Type"] = "application/x-www-form-urlencoded",
}

counter = 0
s200, s400, s403, s404, s422 = 0, 0, 0, 0, 0
n200, n400, n403, n404, n422, n5xx, nother = 0, 0, 0, 0, 0, 0, 0

function setup(thread)
  bench_setup(thread)
end

function init(args)
  -- a different stream per thread and per segment, so junk query strings do not come back
  math.randomseed(os.time() * 1000 + 7 * (thread_id or 0))
end

local function post(path, body)
  return wrk.format("POST", path, post_headers, body)
end

function request()
  counter = counter + 1
  local n = (thread_id or 0) * 100000000 + counter
  local id = math.random(1, N)
  local u = math.random()
  if u < 0.25 then
    s200 = s200 + 1
    return wrk.format("GET", "/" .. id .. "/?utm_source=soak-" .. n .. "&fbclid=" .. math.random(1, 2147483646))
  elseif u < 0.40 then
    s200 = s200 + 1
    return wrk.format("GET", "/?after=" .. math.random(2, N))
  elseif u < 0.50 then
    s200 = s200 + 1
    return wrk.format("GET", "/comments/?after=" .. math.random(2, C))
  elseif u < 0.58 then
    s200 = s200 + 1
    return wrk.format("GET", "/feed.atom")
  elseif u < 0.63 then
    s200 = s200 + 1
    return wrk.format("GET", "/about/")
  elseif u < 0.70 then
    s200 = s200 + 1
    return wrk.format("GET", "/login")
  elseif u < 0.76 then
    s404 = s404 + 1
    return wrk.format("GET", "/" .. (N + math.random(1, 1000000)) .. "/")
  elseif u < 0.80 then
    s404 = s404 + 1
    return wrk.format("GET", "/no/such/page-" .. n)
  elseif u < 0.90 then
    s403 = s403 + 1
    return post("/" .. id .. "/", "content=soak+" .. n .. "&csrf=0" .. n)
  elseif u < 0.96 then
    s422 = s422 + 1
    return post("/" .. id .. "/", "content=&csrf=" .. token)
  else
    s400 = s400 + 1
    return post("/" .. id .. "/", "content=soak%FF%FE" .. n .. "&csrf=" .. token)
  end
end

function response(status, hdrs, body)
  if status == 200 then n200 = n200 + 1
  elseif status == 404 then n404 = n404 + 1
  elseif status == 403 then n403 = n403 + 1
  elseif status == 422 then n422 = n422 + 1
  elseif status == 400 then n400 = n400 + 1
  elseif status >= 500 then n5xx = n5xx + 1
  else nother = nother + 1 end
end

function done(summary, latency, requests)
  local out = {}
  for _, k in ipairs({"s200", "s400", "s403", "s404", "s422",
                      "n200", "n400", "n403", "n404", "n422", "n5xx", "nother"}) do
    table.insert(out, k .. "=" .. bench_sum(k))
  end
  bench_report(summary, latency, table.concat(out, " "))
end
"""

# (sent counter, answered counter) of each request kind of each client
KINDS = {"main": (("sent_post+sent_index+sent_comments", "n200"), ("sent_form", "n303")),
         "side": (("s200", "n200"), ("s400", "n400"), ("s403", "n403"), ("s404", "n404"), ("s422", "n422"))}


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


def field(fields, name):
    """A BENCH line's number, or a sum of them ("a+b")."""
    return sum(int(fields.get(k, 0)) for k in name.split("+"))


def get(port, path):
    """GET path of the stack on port (a fresh connection): the harness's Resp."""
    conn = Conn(port, 15)
    try:
        return conn.request("GET", path, headers={"Connection": "close"})
    except HTTPError as e:
        raise Fail("GET %s failed: %s" % (path, e))
    finally:
        conn.close()


def memory(pid):
    """KiB of a process: STATUS_FIELDS from /proc/PID/status and ROLLUP_FIELDS from
    /proc/PID/smaps_rollup; None once it is gone."""
    out = {}
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                k, _, v = line.partition(":")
                if k in STATUS_FIELDS:
                    out[k] = int(v.split()[0])
        with open("/proc/%d/smaps_rollup" % pid) as f:
            for line in f:
                k, _, v = line.partition(":")
                if k in ROLLUP_FIELDS:
                    out[k] = int(v.split()[0])
    except (OSError, ValueError, IndexError):
        return None
    return out if all(k in out for k in STATUS_FIELDS + ROLLUP_FIELDS) else None


def slope(xs, ys):
    """The least-squares slope of ys over xs (None for fewer than two points)."""
    n = len(xs)
    if n < 2:
        return None
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    if sxx == 0:
        return None
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx


def wait_wrk(p, limit):
    """Output and exit status (124 if it had to be stopped) of a wrk process; after limit
    seconds it is stopped by its own PID (SIGTERM, SIGKILL 5 s later)."""
    try:
        out, _ = p.communicate(timeout=limit)
    except subprocess.TimeoutExpired:
        p.send_signal(signal.SIGTERM)
        try:
            out, _ = p.communicate(timeout=5)
        except subprocess.TimeoutExpired:
            p.kill()
            out, _ = p.communicate()
        return out.decode(errors="replace"), 124
    return out.decode(errors="replace"), p.returncode


class Soak:
    def __init__(self, c):
        self.c = c
        self.bt = tempfile.mkdtemp(prefix="blogd-soak.", dir=os.environ.get("TMPDIR") or "/tmp")
        # mkdtemp makes it 0700; as root the stack's daemons run as mysql, nobody and www-data.
        os.chmod(self.bt, 0o755)
        self.st = None
        self.wrks = []  # the wrk processes of the running segment (stopped by PID at cleanup)
        self.wrk_log = open(os.path.join(self.bt, "wrk.log"), "w")
        self.stack_log = os.path.join(self.bt, "stack.log")

    # -- the stack ---------------------------------------------------------------------------
    def check_bin(self):
        c = self.c
        if not os.access(c["bin"], os.X_OK):
            raise Fail("%s is not an executable (build it, or set BLOGD_BIN)" % c["bin"])
        self.build_type = ""
        try:
            with open(os.path.join(os.path.dirname(c["bin"]), "CMakeCache.txt")) as f:
                m = re.search(r"^CMAKE_BUILD_TYPE:[A-Z]*=(.*)$", f.read(), re.M)
                self.build_type = m.group(1) if m else ""
        except OSError:
            pass
        mtime = os.path.getmtime(c["bin"])
        self.stale = None
        for dirpath, dirs, files in os.walk(os.path.join(ROOT, "src")):
            for fn in sorted(dirs + files):
                if self.stale is None and os.path.getmtime(os.path.join(dirpath, fn)) > mtime:
                    self.stale = os.path.relpath(os.path.join(dirpath, fn), ROOT)
        if self.stale:
            say("warning: %s is older than %s (soaking it anyway)" % (c["bin"], self.stale))

    def start_stack(self):
        c = self.c
        extra = "workers = %d\nmax_requests = 0\ncache_bytes = %d" % (c["workers"], c["cache_bytes"])
        st = Stack(os.path.join(self.bt, "soak"), name="soak", seed="tutorial", port=proc.free_port(),
                   bin=c["bin"], share=c["share"], conf_extra=extra)
        st.log = lambda *a: None
        self.st = st
        say("starting the stack (SEED=tutorial, port %d, %d workers, max_requests = 0, cache_bytes = %d)"
            % (st.port, c["workers"], c["cache_bytes"]))
        try:
            st.start(wait=30, clear=False)
            ok = True
        except RuntimeError:
            ok = False
        with open(self.stack_log, "a") as f:
            f.write(st.start_output)
        if not ok:
            raise Fail("the stack did not start")
        return st

    def load_posts(self):
        st, n = self.st, self.c["posts"]
        say("loading %d posts and %d comments" % (n, n * 10))
        try:
            st.sql_script("""SET SESSION unique_checks = 0, foreign_key_checks = 0;
START TRANSACTION;
INSERT INTO post (id, title, content)
SELECT seq, CONCAT('Soak post ', seq),
       CONCAT('Content of soak post ', seq, '. ',
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
            with open(self.stack_log, "a") as f:
                f.write(str(e) + "\n")
            raise Fail("bulk load of the posts failed")

    def comment_rows(self):
        mx, n = self.st.sql("SELECT COALESCE(MAX(id), 0), COUNT(*) FROM comment")[0]
        return int(mx), int(n)

    def status(self):
        """/_blogd/status?json (as nginx lets 127.0.0.1 read it), {} without one."""
        try:
            r = get(self.st.port, "/_blogd/status?json")
            return json.loads(r.body) if r.status == 200 else {}
        except (Fail, ValueError):
            return {}

    def procs(self):
        """(master, [worker pids], watcher pid or None) of the stack's blogd."""
        master = self.st.master_pid()
        if not master or not proc.alive(master):
            raise Fail("blogd's master (pid file %s) is not running" % self.st.path("blogd.pid"))
        kids = proc.kids(master)
        watcher = next((k for k in kids if proc.comm(k) == "blogd-watcher"), None)
        return master, sorted(k for k in kids if k != watcher), watcher

    def cleanup(self, rc):
        for p in self.wrks:
            if p.poll() is None:
                p.kill()  # our own child, by its PID
                p.wait()
        if rc != 0:
            logs = [self.stack_log]
            if self.st:
                logs.append(self.st.log_path)
            for f in logs:
                if os.path.isfile(f) and os.path.getsize(f):
                    print("---- last lines of %s ----" % f, file=sys.stderr)
                    with open(f, errors="replace") as fh:
                        print("".join(fh.readlines()[-15:]), end="", file=sys.stderr)
        if self.st:
            try:
                code, out = self.st.stop()
            except Exception:  # noqa: BLE001 - remove the temp dir anyway
                code, out = 1, ""
            if code != 0:
                say("warning: stopping the stack in %s failed:\n%s" % (self.st.var, out))
        self.wrk_log.close()
        shutil.rmtree(self.bt, ignore_errors=True)
        if rc != 0:
            say("failed (exit %d); everything it started is stopped" % rc)

    # -- the load ----------------------------------------------------------------------------
    def segment(self, n, dur):
        """One segment: both wrk clients for dur seconds; their BENCH numbers."""
        c = self.c
        url = self.st.url + "/"
        env = dict(os.environ, BENCH_CSRF_COOKIE=self.csrf[0], BENCH_CSRF_TOKEN=self.csrf[1],
                   BENCH_POSTS=str(c["posts"]), SOAK_POSTS=str(c["posts"]), SOAK_COMMENTS=str(self.comments0))
        runs = (("main", ["wrk", "-t%d" % THREADS, "-c%d" % c["conns"], "-d%ds" % dur, "--timeout", "5s",
                          "--latency", "-s", os.path.join(ROOT, "bench", "mixed.lua"), url]),
                ("side", ["wrk", "-t1", "-c%d" % c["side_conns"], "-d%ds" % dur, "--timeout", "5s",
                          "--latency", "-s", self.side_lua, url]))
        self.wrks = [subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
                     for _, cmd in runs]
        out = {}
        for (name, cmd), p in zip(runs, self.wrks):
            text, rc = wait_wrk(p, dur + 30)
            self.wrk_log.write("=== segment %d, %s: %s (exit %d)\n%s" % (n, name, " ".join(cmd), rc, text))
            fields = parse_bench(text)
            if rc != 0 or not fields:
                raise Fail("wrk (%s client, segment %d) exited with %d%s" % (
                    name, n, rc, "" if fields else " and gave no BENCH line"))
            out[name] = fields
        self.wrks = []
        self.wrk_log.flush()
        return out

    def check_counts(self, n, res):
        """What each client's answers say of segment n: a list of problems."""
        bad = []
        for name, fields in res.items():
            conns = self.c["conns"] if name == "main" else self.c["side_conns"]
            if fields.get("sockerr", 0):
                bad.append("segment %d, %s client: %d socket errors" % (n, name, fields["sockerr"]))
            for k in ("nother", "n5xx"):
                if fields.get(k, 0):
                    bad.append("segment %d, %s client: %d response(s) %s" % (
                        n, name, fields[k], "5xx" if k == "n5xx" else "with an unexpected status"))
            # requests in flight when wrk stops were sent but not answered: one per connection (and
            # wrk, seen here, sometimes leaves one more on a connection without an error counted)
            unanswered = 0
            for sent, got in KINDS[name]:
                d = field(fields, sent) - field(fields, got)
                if d < 0:
                    bad.append("segment %d, %s client: %d answers %s to %d requests expecting it" % (
                        n, name, field(fields, got), got[1:], field(fields, sent)))
                unanswered += max(0, d)
            if unanswered > 2 * conns:
                bad.append("segment %d, %s client: %d requests sent and not answered as expected (%d connections: "
                           "at most %d)" % (n, name, unanswered, conns, 2 * conns))
        return bad

    def run(self):
        c = self.c
        self.check_bin()
        st = self.start_stack()
        self.load_posts()
        self.side_lua = os.path.join(self.bt, "side.lua")
        with open(self.side_lua, "w") as f:
            f.write(SIDE_LUA.replace("@REPORT@", json.dumps(os.path.join(ROOT, "bench", "report.lua"))))
        r = get(st.port, "/2/")
        if r.status != 200:
            raise Fail("GET /2/ answered %d, not 200" % r.status)
        cookie, token = csrf_pair(r.cookies, r.text)
        if not cookie or not token:
            raise Fail("no CSRF cookie/token on /2/ (Set-Cookie blogd_csrf, input name=\"csrf\")")
        self.csrf = ("blogd_csrf=" + cookie, token)
        self.rows0 = self.comment_rows()
        self.comments0 = max(2, self.rows0[0])
        self.status0 = self.status()
        master, workers, watcher = self.procs()
        if len(workers) != c["workers"]:
            time.sleep(1)
            master, workers, watcher = self.procs()
        if len(workers) != c["workers"]:
            raise Fail("blogd has %d workers, not %d" % (len(workers), c["workers"]))
        self.master, self.workers0, self.watcher0 = master, workers, watcher
        self.start_mem = {p: memory(p) for p in workers + [master]}
        self.log_offset = st.log_size()

        # samples: (requests so far, {pid: memory}) after the warm-up; segments: what each gave
        self.samples, self.segments, self.problems, self.notes = [], [], [], []
        self.total, self.n303, self.timed_out = 0, 0, False
        say("soaking: %d requests (warm-up %d), wrk -t%d -c%d mixed.lua + wrk -t1 -c%d side client, "
            "%d s segments, at most %d s" % (c["requests"], c["warmup"], THREADS, c["conns"], c["side_conns"],
                                            c["segment"], c["max_seconds"]))
        t0 = time.monotonic()
        n = 0
        while self.total < c["requests"]:
            elapsed = time.monotonic() - t0
            if elapsed >= c["max_seconds"] - 1:
                self.timed_out = True
                break
            dur = c["segment"]
            if self.segments:
                # the last segment: about as long as the remaining requests need at the last one's rate
                rate = max(1, self.segments[-1]["requests"] / self.segments[-1]["dur"])
                dur = min(dur, max(1, math.ceil((c["requests"] - self.total) / rate)))
            dur = int(min(dur, max(1, c["max_seconds"] - elapsed)))
            n += 1
            res = self.segment(n, dur)
            reqs = int(res["main"]["requests"] + res["side"]["requests"])
            self.total += reqs
            self.n303 += int(res["main"].get("n303", 0))
            self.segments.append({"n": n, "dur": dur, "requests": reqs, "res": res})
            self.problems += self.check_counts(n, res)
            time.sleep(0.5)  # the last answers written, every worker idle again
            m, w, wt = self.procs()
            if m != self.master or w != self.workers0:
                gone, new = sorted(set(self.workers0) - set(w)), sorted(set(w) - set(self.workers0))
                self.problems.append("after segment %d (%d requests): %s (workers gone %s, new %s): a new "
                                     "process hides a leak; the soak stopped there" % (
                                         n, self.total, "blogd's master changed" if m != self.master
                                         else "workers replaced", gone or "-", new or "-"))
                say("ERROR: " + self.problems[-1])
                break
            if wt != self.watcher0:
                self.notes.append("The watcher process changed after segment %d (%s → %s); it serves no "
                                  "requests, so this does not count." % (n, self.watcher0, wt))
                self.watcher0 = wt
            if self.total >= c["warmup"]:
                mem = {p: memory(p) for p in w + [m]}
                if any(v is None for v in mem.values()):
                    raise Fail("could not read /proc/PID/status and smaps_rollup of blogd's processes")
                self.samples.append((self.total, mem))
            last = self.samples[-1][1] if self.samples else {}
            say("segment %d: %d s, %d requests (total %d, %.0f req/s)%s" % (
                n, dur, reqs, self.total, reqs / dur, "" if not last else "; worker VmRSS %s MiB" % ", ".join(
                    "%.1f" % (last[p]["VmRSS"] / 1024) for p in w)))
        self.duration = time.monotonic() - t0
        if self.timed_out:
            say("time limit: stopped after %.0f s and %d of %d requests" % (self.duration, self.total,
                                                                             c["requests"]))
        time.sleep(1)  # comments in flight when wrk stopped are committed by now
        self.rows1 = self.comment_rows()
        self.status1 = self.status()
        self.log_tail = st.log_since(self.log_offset)
        return self.report()

    # -- the report --------------------------------------------------------------------------
    def verdicts(self):
        """Per worker: {pid: {metric: (first, last, growth, slope per 100k)}}; and problems."""
        c, out, bad = self.c, {}, []
        if len(self.samples) < 2:
            bad.append("only %d sample(s) after the warm-up: no growth to judge (more requests, or a "
                       "shorter SOAK_SEGMENT_SECONDS)" % len(self.samples))
        for p in self.workers0 + [self.master]:
            xs = [s[0] for s in self.samples]
            out[p] = {}
            for k in STATUS_FIELDS + ROLLUP_FIELDS:
                ys = [s[1][p][k] for s in self.samples]
                sl = slope(xs, ys)
                out[p][k] = (ys[0], ys[-1], ys[-1] - ys[0], None if sl is None else sl * 100000,
                             max(ys)) if ys else None
            if p == self.master or not self.samples:
                continue
            for k in ("VmRSS", "RssAnon"):
                growth = out[p][k][2]
                if growth >= c["max_growth"]:
                    bad.append("worker %d: %s grew by %d KiB (limit %d KiB)" % (p, k, growth, c["max_growth"]))
        return out, bad

    def report(self):
        c = self.c
        p = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], stdout=subprocess.PIPE,
                           stderr=subprocess.DEVNULL)
        commit = p.stdout.decode().strip() if p.returncode == 0 else "unknown"
        p = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no"],
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        if p.stdout.strip():
            commit += " + uncommitted changes"
        with open("/proc/cpuinfo") as f:
            m = re.search(r"^model name\s*: (.*)$", f.read(), re.M)
            cpu_model = m.group(1) if m else "unknown"
        with open("/proc/meminfo") as f:
            m = re.search(r"^MemTotal:\s*(\d+)", f.read(), re.M)
            mem_gib = int(m.group(1)) / 1024 / 1024 if m else 0
        binname = "build/blogd" if c["bin"] == os.path.join(ROOT, "build", "blogd") else c["bin"]
        per, bad = self.verdicts()
        problems = self.problems + bad
        # comments: every 303 stored; at most one more per connection and segment (a POST in
        # flight when wrk stopped is stored without its 303 being read)
        added = self.rows1[1] - self.rows0[1]
        slack = c["conns"] * len(self.segments)
        if added < self.n303:
            problems.append("comments lost: %d answers 303, %d rows stored" % (self.n303, added))
            rows_note = "LOST COMMENTS"
        elif added > self.n303 + slack:
            problems.append("%d comment rows stored for %d answers 303 (more than the %d in flight at most)"
                            % (added, self.n303, slack))
            rows_note = "MISMATCH"
        else:
            rows_note = "ok" if added == self.n303 else "ok (%d in flight when a segment ended)" % (added - self.n303)
        s0, s1 = self.status0, self.status1
        restarts = {k: s1.get(k, 0) - s0.get(k, 0) for k in ("restarts_crash", "restarts_recycle",
                                                             "restarts_reload", "restarts_timeout")}
        if any(restarts.values()):
            problems.append("blogd's status counts worker restarts during the soak: %s"
                            % ", ".join("%s %d" % (k[9:], v) for k, v in restarts.items() if v))
        verdict = "FAIL" if problems else "INCOMPLETE" if self.timed_out else "PASS"
        self.verdict = verdict

        tot = lambda name, key: sum(int(s["res"][name].get(key, 0)) for s in self.segments)  # noqa: E731
        p99 = max((s["res"]["main"].get("p99_us", 0) for s in self.segments), default=0)
        out = ["## blogd soak (%s) — %s" % (c["mode"], datetime.datetime.utcnow().strftime("%Y-%m-%d %H:%M UTC")),
               "",
               "commit %s; `%s` %s; %d CPUs (%s), %.1f GiB, Linux %s; wrk, nginx, blogd and MariaDB share the "
               "machine." % (commit, binname, self.build_type or "unknown build type", os.cpu_count(), cpu_model,
                             mem_gib, platform.release())]
        if self.stale:
            out.append("**Note:** `%s` is older than %s: the sources have changed since it was built."
                       % (os.path.basename(c["bin"]), self.stale))
        out += ["",
                "Stack: tutorial data + %d bulk-loaded posts with ~10 comments each; %d workers, `max_requests = 0`, "
                "`cache_bytes = %d`. Load: `wrk -t%d -c%d` bench/mixed.lua (Zipf post pages, `/`, `/comments/`, "
                "~2%% comment POSTs) beside `wrk -t1 -c%d`, soak.py's side client (junk query strings, `?after=` "
                "pages, feed, about, login form, 404s, POSTs refused with 403/422/400), in %d segments of up to %d s."
                % (c["posts"], c["workers"], c["cache_bytes"], THREADS, c["conns"], c["side_conns"],
                   len(self.segments), c["segment"]),
                "",
                "**%d requests** in %.0f s (%.0f req/s; target %d%s); warm-up %d requests, then %d samples. "
                "Main client: %d × 200, %d × 303, %d other, %d socket errors, p99 up to %s ms. Side client: "
                "%d × 200, %d × 404, %d × 403, %d × 422, %d × 400, %d × 5xx, %d other, %d socket errors."
                % (self.total, self.duration, self.total / self.duration if self.duration else 0, c["requests"],
                   ", **stopped by the time limit** (SOAK_MAX_SECONDS=%d)" % c["max_seconds"] if self.timed_out
                   else "", c["warmup"], len(self.samples),
                   tot("main", "n200"), tot("main", "n303"), tot("main", "nother"), tot("main", "sockerr"),
                   stats.ms(p99), tot("side", "n200"), tot("side", "n404"), tot("side", "n403"),
                   tot("side", "n422"), tot("side", "n400"), tot("side", "n5xx"), tot("side", "nother"),
                   tot("side", "sockerr")),
                "",
                "Comments: %d answers 303, comment rows %d → %d (+%d): %s." % (
                    self.n303, self.rows0[1], self.rows1[1], added, rows_note)]
        if s0 and s1:
            out.append("blogd's counters over the soak (/_blogd/status): cache hits +%d, misses +%d, evictions +%d; "
                       "worker restarts %s; db errors +%d, reconnects +%d." % (
                           s1.get("cache_hits", 0) - s0.get("cache_hits", 0),
                           s1.get("cache_misses", 0) - s0.get("cache_misses", 0),
                           s1.get("cache_evictions", 0) - s0.get("cache_evictions", 0),
                           ", ".join("%s %d" % (k[9:], v) for k, v in restarts.items()),
                           s1.get("db_errors", 0) - s0.get("db_errors", 0),
                           s1.get("db_reconnects", 0) - s0.get("db_reconnects", 0)))
        levels = re.findall(r"^\S+ \[(error|warn)\]", self.log_tail, re.M)
        if levels:
            first = next(l for l in self.log_tail.splitlines() if re.match(r"^\S+ \[(error|warn)\]", l))
            out.append("blogd.log during the soak: %d [error], %d [warn] lines; the first: `%s`." % (
                levels.count("error"), levels.count("warn"), first[:300]))
        else:
            out.append("blogd.log during the soak: no [error] or [warn] line.")
        out += self.notes
        out += ["", "**Worker memory** (KiB; \"start\": idle, before any load; \"first\": after the warm-up; "
                "growth = last − first; slope: least squares over the %d samples, KiB per 100,000 requests; "
                "limit %d KiB on VmRSS and RssAnon growth):" % (len(self.samples), c["max_growth"]), ""]
        rows = []
        for pid in self.workers0 + [self.master]:
            d, st0 = per[pid], self.start_mem.get(pid) or {}
            if d["VmRSS"] is None:
                continue

            def cell(k):
                first, last, growth, sl, _ = d[k]
                return "%d → %d (%+d)" % (first, last, growth)

            def sl(k):
                return "-" if d[k][3] is None else "%+.1f" % d[k][3]

            rows.append(["%d%s" % (pid, " (master)" if pid == self.master else ""),
                         str(st0.get("VmRSS", "-")), cell("VmRSS"), sl("VmRSS"), cell("RssAnon"), sl("RssAnon"),
                         cell("RssShmem"), cell("Pss"), cell("Private_Dirty")])
        out.append(stats.table(["pid", "VmRSS start", "VmRSS first → last (growth)", "slope",
                                "RssAnon first → last (growth)", "slope", "RssShmem first → last",
                                "Pss first → last", "Private_Dirty first → last"], "lrrrrrrrr", rows))
        if self.samples:
            out += ["", "VmRSS of each worker (MiB) at each sample, by requests so far: " + "; ".join(
                "%dk: %s" % (n // 1000, " ".join("%.1f" % (mem[p]["VmRSS"] / 1024) for p in self.workers0))
                for n, mem in self.samples) + "."]
        out += ["", "RssAnon is a worker's private anonymous memory (heap, stacks), where a leak shows; RssShmem "
                "is mostly the page arena (cache_bytes, shared, touched by each worker as it starts, counted "
                "once in Pss).", ""]
        out.append("**Verdict: %s**%s" % (verdict, ":" if problems or verdict == "INCOMPLETE" else ""))
        out += ["- " + x for x in problems]
        if verdict == "INCOMPLETE":
            out.append("- the time limit stopped the soak at %d of %d requests (nothing else was wrong)"
                       % (self.total, c["requests"]))
        return "\n".join(out) + "\n"


def main():
    c = settings(sys.argv[1:])
    for tool in ("wrk", "nginx", "mariadb", "git"):
        if not shutil.which(tool):
            say("ERROR: %s not found (run scripts/deps.sh)" % tool)
            return 1
    result = os.path.join(ROOT, "bench", "results", "soak-quick.md" if c["mode"] == "quick" else "soak.md")

    def finish(s):
        if s.verdict != "PASS":
            say("verdict: %s (see the report)" % s.verdict)
            return 1
        return 0

    return measure.run_job(Soak(c), result, finish, Fail, say)


if __name__ == "__main__":
    sys.exit(main())
