"""test_watchdog: a request stuck in the database is slow-logged once (phase database) after request_slowlog_timeout, its worker killed after request_terminate_timeout and replaced, counted as restart cause timeout; once the database is free the pool is clean again.

Its own private stack, set through VAR/local.conf (written before the stack starts, as an
operator would): workers = 2, request_slowlog_timeout = 300 (ms), request_terminate_timeout
= 3 (s). A mariadb session of the test holds FLUSH TABLES WITH READ LOCK, so a comment POST
hangs in its INSERT; then, from the log, the status page and /proc:
  - one `slow request: worker <pid> [request <id>] POST /1/ (route comment_add) in phase
    database after <ms> ms` line (level warn), <ms> 300..400, logged 0.3..0.8 s after the POST was sent, and only
    one, however long the request stays stuck;
  - one `worker <pid> [request <id>] still on POST /1/ (route comment_add, phase database)
    after 3 s: killing it (request_terminate_timeout)` line (level error), same pid and
    request id, 3..3.6 s after the POST; that pid gone, a new worker in its place (two again);
  - meanwhile (right after the slow line) the other worker's status?full shows the stuck one
    as Database on POST /1/ with its running time, active 2 / idle 0, and the metrics
    blogd_workers{state="database"} 1 and blogd_slow_requests_total 1;
  - nginx answers the stuck POST with a 5xx right then (not after its own 60 s timeout);
  - status: restarts timeout 1, restarts crash 0, slow requests 1; metrics agree
    (blogd_worker_restarts_total{cause="timeout"} 1, blogd_slow_requests_total 1);
then the lock is released and the pool is clean: pages 200 on both workers, a new comment
POST 303 and stored, no more slow lines, and no [error] line in blogd.log but the kill line.
Then both workers at once: two comment POSTs hang under the lock and three GETs wait in the
listen queue behind them; both workers are killed (3..3.6 s), the POSTs get 5xx, the queued
GETs 200 from the new workers; status: restarts timeout +2, slow requests +2, max children
reached grew, max listen queue >= 3 (unless unknown), max active 2; in all, no [error] line
but the 3 kill lines.
"""
import os
import re
import select
import subprocess
import sys
import threading
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import faultlib as fl  # noqa: E402
from harness import ops  # noqa: E402

NAME = "test_watchdog"
LOCAL_CONF = "workers = 2\nrequest_slowlog_timeout = 300\nrequest_terminate_timeout = 3\n"
LEVEL = r"^\S+ \[(\w+)\] pid=(\d+) (?:req=\S+ )?"
SLOW = re.compile(LEVEL + r"slow request: worker (\d+) \[request (\S+)\] (\S+) (\S+) \(route (\S+)\) "
                  r"in phase (\S+) after (\d+) ms$", re.M)
KILL = re.compile(LEVEL + r"worker (\d+) \[request (\S+)\] still on (\S+) (\S+) \(route (\S+), phase (\S+)\) "
                  r"after (\d+) s: killing it \(request_terminate_timeout\)$", re.M)


class LockSession:
    """A mariadb client of the test holding FLUSH TABLES WITH READ LOCK until release()."""

    def __init__(self, st):
        self.p = subprocess.Popen(st.mysql_cmd("-N", "-B", "--unbuffered"), stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self.buf = b""

    def send(self, sql, want, timeout=15):
        self.p.stdin.write(sql.encode() + b"\n")
        self.p.stdin.flush()
        end = time.monotonic() + timeout
        while want.encode() not in self.buf:
            left = end - time.monotonic()
            if left <= 0 or self.p.poll() is not None:
                raise RuntimeError("mariadb session: no %r within %ss (got %r)" % (want, timeout, self.buf))
            r, _, _ = select.select([self.p.stdout], [], [], left)
            if r:
                self.buf += os.read(self.p.stdout.fileno(), 4096)

    def lock(self):
        self.send("FLUSH TABLES WITH READ LOCK; SELECT 'locked-now';", "locked-now")

    def release(self):
        if self.p.poll() is None:
            try:
                self.send("UNLOCK TABLES; SELECT 'unlocked-now';", "unlocked-now", timeout=10)
            finally:
                try:
                    self.p.stdin.close()
                except OSError:
                    pass
                try:
                    self.p.wait(10)
                except subprocess.TimeoutExpired:
                    self.p.kill()  # our own child, by its PID
                    self.p.wait(5)


def status(st):
    r = fl.get(st.port, "/_blogd/status")
    if r.status != 200:
        raise RuntimeError("GET /_blogd/status -> %d" % r.status)
    return ops.parse_status_text(r.text)


def metrics(st):
    r = fl.get(st.port, "/_blogd/metrics")
    if r.status != 200:
        raise RuntimeError("GET /_blogd/metrics -> %d" % r.status)
    return ops.parse_metrics(r.text)


def both_stuck(st, s_before, lock):
    """Phase 2: both workers hang in the database, three GETs wait in the listen queue; both
    workers are killed after 3 s and the queued GETs are answered by their successors."""
    fl.say("--- both workers stuck, GETs queued behind them ---")
    sessions = []
    for path in ("/1/", "/2/"):
        s = fl.Session(st.port)
        s.prime(path)
        sessions.append((s, path))
    off = st.log_size()
    workers = set(st.workers())
    lock = LockSession(st)
    lock.lock()
    out = {}

    def run(key, fn):
        t = time.monotonic()
        try:
            out[key] = (fn().status, time.monotonic() - t)
        except fl.HTTPError as e:
            out[key] = ("err:" + e.kind, time.monotonic() - t)

    tag = "watchdog2-%d-%s" % (os.getpid(), os.urandom(3).hex())
    t0 = time.monotonic()
    threads = [threading.Thread(target=run, args=(p, lambda s=s, p=p: s.post_comment(p, tag + p)))
               for s, p in sessions]
    for t in threads:
        t.start()
    two = ops.wait_for(lambda: len(SLOW.findall(st.log_since(off))) >= 2, 3)
    fl.check(two, "both POSTs slow-logged (%.2f s)" % (time.monotonic() - t0))
    gets = [threading.Thread(target=run, args=("GET%d" % i, lambda: fl.get(st.port, "/about/", timeout=20)))
            for i in range(3)]
    for t in gets:
        t.start()
    kills = ops.wait_for(lambda: len(KILL.findall(st.log_since(off))) >= 2, 6)
    t_kill = time.monotonic() - t0
    lock.release()
    for t in threads + gets:
        t.join(25)
    fl.say("both killed after %.2f s; results %s" % (t_kill, out))
    fl.check(kills and t_kill <= 3.6, "both workers killed 3..3.6 s in (%.2f s)" % t_kill)
    fl.check(all(isinstance(out.get(p), tuple) and isinstance(out[p][0], int) and out[p][0] >= 500
                 for _, p in sessions), "both POSTs got a 5xx (%s)" % [out.get(p) for _, p in sessions])
    fl.check(all(out.get("GET%d" % i, (None,))[0] == 200 for i in range(3)),
             "the 3 GETs queued behind them answered 200 by the new workers (%s)"
             % [out.get("GET%d" % i) for i in range(3)])
    new = set(st.wait_workers(2))
    end = time.monotonic() + 10
    while time.monotonic() < end and (len(new) != 2 or new & workers):
        time.sleep(0.05)
        new = set(st.workers())
    fl.check(len(new) == 2 and not (new & workers), "two new workers (%s -> %s)" % (sorted(workers), sorted(new)))
    s = status(st)
    fl.check(s.int("restarts timeout") == s_before.int("restarts timeout") + 2 and s.int("restarts crash") == 0,
             "status: restarts timeout +2 (%s -> %s), crash 0 (%s)" % (
                 s_before.get("restarts timeout"), s.get("restarts timeout"), s.get("restarts crash")))
    fl.check(s.int("slow requests") == s_before.int("slow requests") + 2,
             "status: slow requests +2 (%s -> %s)" % (s_before.get("slow requests"), s.get("slow requests")))
    fl.check(s.int("max children reached") > s_before.int("max children reached"),
             "status: max children reached grew (%s -> %s)" % (
                 s_before.get("max children reached"), s.get("max children reached")))
    mlq = s.get("max listen queue")
    fl.check(mlq == "-" or int(mlq) >= 3, "status: max listen queue saw the 3 queued GETs (%s)" % mlq)
    fl.check(s.int("max active processes") == 2, "max active processes 2 (%s)" % s.get("max active processes"))
    return lock


def main():
    st = fl.Stack("watchdog")
    st.clear()
    os.makedirs(st.var)
    with open(st.path("local.conf"), "w") as f:
        f.write(LOCAL_CONF)
    lock = None
    try:
        st.start(clear=False)
        for k, v in (("workers", "2"), ("request_slowlog_timeout", "300"), ("request_terminate_timeout", "3")):
            fl.check(st.conf_value(k) == v, "VAR/local.conf made blogd.conf end with %s = %s" % (k, v))
        before = set(st.wait_workers(2))
        fl.check(len(before) == 2, "two workers (%s)" % sorted(before))
        s0 = status(st)
        fl.check((s0.int("restarts timeout"), s0.int("slow requests")) == (0, 0),
                 "status before: restarts timeout 0, slow requests 0")
        sess = fl.Session(st.port)
        sess.prime("/1/")
        fl.check(sess.ready(), "a CSRF session for the comment POST")
        off = st.log_size()

        lock = LockSession(st)
        lock.lock()
        fl.say("FLUSH TABLES WITH READ LOCK held by mariadb pid %d" % lock.p.pid)
        text = "watchdog-%d-%s" % (os.getpid(), os.urandom(3).hex())
        result = {}

        def post():
            t = time.monotonic()
            try:
                r = sess.post_comment("/1/", text)
                result["status"] = r.status
            except fl.HTTPError as e:
                result["status"] = "err:" + e.kind
            result["after"] = time.monotonic() - t

        t0 = time.monotonic()
        th = threading.Thread(target=post)
        th.start()
        slow_at = kill_at = during = during_m = during_at = None
        slow = kill = None
        while time.monotonic() - t0 < 8 and kill is None:
            log = st.log_since(off)
            if slow is None:
                slow = SLOW.search(log)
                if slow:
                    slow_at = time.monotonic() - t0
                    # While it hangs, the other worker shows it on the status page and metrics.
                    r = fl.get(st.port, "/_blogd/status?full")
                    during = ops.parse_status_text(r.text) if r.status == 200 else None
                    scrape = fl.get(st.port, "/_blogd/metrics")
                    during_m = ops.parse_metrics(scrape.text) if scrape.status == 200 else None
                    during_at = time.monotonic() - t0
            kill = KILL.search(log)
            if kill:
                kill_at = time.monotonic() - t0
            time.sleep(0.02)
        # Released as soon as the kill is seen: the watcher's heartbeat waits on the lock too.
        lock.release()
        t_released = time.monotonic() - t0
        th.join(15)
        fl.say("slow line after %s s, kill line after %s s, lock released after %.2f s; the POST: %s"
               % (slow_at and "%.2f" % slow_at, kill_at and "%.2f" % kill_at, t_released, result))

        fl.check(slow is not None, "a slow-request line appeared")
        if slow:
            lvl, _, wpid, rid, method, uri, route, phase, ms = slow.groups()
            fl.check(lvl == "warn", "the slow line is level warn (%s)" % lvl)
            fl.check(int(wpid) in before, "it names one of the workers (%s)" % wpid)
            fl.check((method, uri, route, phase) == ("POST", "/1/", "comment_add", "database"),
                     "POST /1/ (route comment_add) in phase database (%s %s %s %s)" % (method, uri, route, phase))
            fl.check(300 <= int(ms) <= 400, "after 300..400 ms: the master looks every 50 ms (%s ms)" % ms)
            fl.check(0.3 <= slow_at <= 0.8, "logged 0.3..0.8 s after the POST was sent (%.2f s)" % slow_at)
            fl.check(rid not in ("-", "") and re.fullmatch(r"[0-9A-Za-z_-]+", rid) is not None,
                     "with the request id (%r)" % rid)
        fl.check(during is not None, "status?full answered while the POST hung")
        if slow and during is not None:
            blocks = {p["pid"]: p for p in during.procs}
            stuck = blocks.get(slow.group(3))
            fl.check(stuck is not None and (stuck["state"], stuck["request method"], stuck["request URI"])
                     == ("Database", "POST", "/1/"),
                     "status?full %.2f s in: worker %s is Database on POST /1/ (%s)" % (during_at, slow.group(3), stuck))
            if stuck:
                us = int(stuck["request duration"])
                fl.check(300000 <= us <= (during_at + 0.1) * 1e6,
                         "its request duration is the running time so far (%d us at %.2f s)" % (us, during_at))
            fl.check((during.int("active processes"), during.int("idle processes"), during.int("total processes"))
                     == (2, 0, 2), "active 2 (the stuck one and this one), idle 0, total 2 (%s/%s/%s); "
                     "max children reached %s" % (during.get("active processes"), during.get("idle processes"),
                                                  during.get("total processes"), during.get("max children reached")))
        if during_m is not None:
            fl.check(during_m.value("blogd_workers", state="database") == 1
                     and during_m.value("blogd_slow_requests_total") == 1,
                     "metrics meanwhile: blogd_workers{state=\"database\"} 1, blogd_slow_requests_total 1 (%s, %s)"
                     % (during_m.value("blogd_workers", state="database"), during_m.value("blogd_slow_requests_total")))
        fl.check(kill is not None, "the watchdog's kill line appeared")
        if kill:
            lvl, _, kpid, krid, method, uri, route, phase, secs = kill.groups()
            fl.check(lvl == "error", "the kill line is level error (%s)" % lvl)
            fl.check((method, uri, route, phase, secs) == ("POST", "/1/", "comment_add", "database", "3"),
                     "still on POST /1/ (route comment_add, phase database) after 3 s (%s %s %s %s %s)"
                     % (method, uri, route, phase, secs))
            if slow:
                fl.check((kpid, krid) == (slow.group(3), slow.group(4)),
                         "the same worker and request as the slow line (%s %s)" % (kpid, krid))
            fl.check(3.0 <= kill_at <= 3.6, "3..3.6 s after the POST was sent (%.2f s)" % kill_at)
            gone = fl.wait_gone([int(kpid)], 5)
            fl.check(not gone, "worker %s is gone" % kpid)
        fl.check(not th.is_alive(), "the POST returned")
        fl.check(isinstance(result.get("status"), int) and 500 <= result["status"] <= 599
                 and result.get("after", 99) <= 6,
                 "nginx answered the stuck POST with a 5xx when the worker was killed (%s)" % result)
        after = set(st.wait_workers(2))
        end = time.monotonic() + 10
        while time.monotonic() < end and (len(after) != 2 or after == before):
            time.sleep(0.05)
            after = set(st.workers())
        fl.check(len(after) == 2 and len(after - before) == 1 and (kill is None or int(kill.group(3)) not in after),
                 "a new worker replaced the killed one (%s -> %s)" % (sorted(before), sorted(after)))

        s1 = status(st)
        fl.check(s1.int("restarts timeout") == 1, "status: restarts timeout 1 (%s)" % s1.get("restarts timeout"))
        fl.check(s1.int("restarts crash") == 0, "status: restarts crash 0 (%s)" % s1.get("restarts crash"))
        fl.check(s1.int("slow requests") == 1, "status: slow requests 1 (%s)" % s1.get("slow requests"))
        fl.check(s1.int("total processes") == 2, "status: total processes 2 (%s)" % s1.get("total processes"))
        m = metrics(st)
        fl.check(m.value("blogd_worker_restarts_total", cause="timeout") == 1
                 and m.value("blogd_worker_restarts_total", cause="crash") == 0,
                 "metrics: restarts timeout 1, crash 0 (%s, %s)" % (
                     m.value("blogd_worker_restarts_total", cause="timeout"),
                     m.value("blogd_worker_restarts_total", cause="crash")))
        fl.check(m.value("blogd_slow_requests_total") == 1, "metrics: slow requests 1 (%s)"
                 % m.value("blogd_slow_requests_total"))
        stored = st.sql("SELECT COUNT(*) FROM comment WHERE content = '%s'" % text)[0][0]
        fl.say("the killed POST's comment stored %s time(s) once the lock went" % stored)

        # A clean pool.
        codes = {}
        for i in range(40):
            for path in ("/", "/1/", "/2/", "/comments/"):
                r = fl.get(st.port, path)
                codes[r.status] = codes.get(r.status, 0) + 1
        fl.check(list(codes) == [200], "160 GETs after: all 200 (%s)" % codes)
        s2 = fl.Session(st.port)
        s2.prime("/2/")
        text2 = text + "-after"
        r = s2.post_comment("/2/", text2)
        n2 = st.sql("SELECT COUNT(*) FROM comment WHERE content = '%s'" % text2)[0][0]
        fl.check(r.status == 303 and n2 == "1", "a comment POST after: 303, stored once (%d, %s)" % (r.status, n2))
        s3 = status(st)
        workers = set(st.workers())
        fl.check(s3.int("restarts timeout") == 1 and s3.int("slow requests") == 1 and workers == after,
                 "no more kills or slow lines, same workers (%s, %s, %s)" % (
                     s3.get("restarts timeout"), s3.get("slow requests"), sorted(workers)))
        log = st.log_since(off)
        slows = SLOW.findall(log)
        fl.check(len(slows) == 1, "exactly one slow line in all (%d)" % len(slows))
        errors = [l for l in log.splitlines() if "[error]" in l and not KILL.search(l + "\n")]
        fl.check(not errors, "no [error] line but the kill line (%d%s)" % (
            len(errors), (": " + " | ".join(e[:220] for e in errors[:3])) if errors else ""))

        lock = both_stuck(st, s3, lock)
        log = st.log_since(off)
        errors = [l for l in log.splitlines() if "[error]" in l and not KILL.search(l + "\n")]
        fl.check(not errors and len(KILL.findall(log)) == 3,
                 "in all: 3 kill lines and no other [error] line (%d kill lines; others: %s)"
                 % (len(KILL.findall(log)), " | ".join(e[:220] for e in errors[:3])))
        st.check_log_format()
    finally:
        if lock is not None:
            try:
                lock.release()
            except Exception as e:  # noqa: BLE001 - the stack goes down either way
                fl.say("releasing the lock: %r" % e)
        st.stop()


fl.run_test(NAME, main)
