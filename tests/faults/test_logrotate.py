"""test_logrotate: SIGUSR1 reopens blogd's log as logrotate needs: after blogd.log is renamed, the master's and the workers' new lines go to a new blogd.log within a second, the renamed file stops growing, no request fails, the workers are replaced and the page cache is kept.

Its own private stack (workers = 2, log_level = debug: every request writes a line, so the
workers' lines show where they go). Under a light steady load through nginx:
  1. blogd.log renamed to blogd.log.1: blogd keeps writing to the renamed file (so the
     signal is what moves it); SIGUSR1 to the master (the PID in blogd's own pid file);
  2. within 1 s a new blogd.log (another inode) holds `reopened the log file` from the master
     and request lines from workers; the old workers are gone, two new ones serve;
  3. blogd.log.1 no longer grows from 1 s after the signal on (checked 2.5 s later, load on);
     no pid of the new workers ever wrote to it; every line of both files is well formed;
  4. the load saw only 200s; status: restarts reload = the 2 workers replaced, no crash;
  5. again with no load: /1/ cached, rename to blogd.log.2, SIGUSR1: after it, GET /1/ is a
     cache hit (status: cache hits +1, misses +0): the page cache was kept.
"""
import os
import re
import signal
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import faultlib as fl  # noqa: E402
from harness import ops  # noqa: E402

NAME = "test_logrotate"
PID = re.compile(r"^\S+ \[\w+\] pid=(\d+) (req=\S+ )?", re.M)


def read(path):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()
    except OSError:
        return None


def size(path):
    try:
        return os.path.getsize(path)
    except OSError:
        return None


def status(st):
    r = fl.get(st.port, "/_blogd/status")
    if r.status != 200:
        raise RuntimeError("GET /_blogd/status -> %d" % r.status)
    return ops.parse_status_text(r.text)


def lines_by(text):
    """{pid: number of lines}, and the pids that wrote request (req=) lines."""
    pids, req = {}, set()
    for m in PID.finditer(text or ""):
        p = int(m.group(1))
        pids[p] = pids.get(p, 0) + 1
        if m.group(2):
            req.add(p)
    return pids, req


def bad_lines(text):
    return [l for l in (text or "").splitlines() if not fl.LOG_LINE.match(l)]


def rotate(st, suffix):
    """Rename blogd.log to blogd.log.<suffix>, SIGUSR1 the master; (old path, signal time)."""
    old = st.log_path + "." + suffix
    os.rename(st.log_path, old)
    own = fl.read_pid(st.path("run", "blogd.pid"))
    master = st.master_pid()
    fl.check(own == master, "blogd's pid file names the master (%s, %s)" % (own, master))
    st.kill(own, signal.SIGUSR1)
    return old, time.monotonic()


def wait_new_log(st, t_sig, workers_before):
    """Waits (up to 5 s) for a new blogd.log with the reopen line and a worker's request line;
    the seconds after the signal each took."""
    seen_reopen = seen_req = None
    while time.monotonic() - t_sig < 5 and (seen_reopen is None or seen_req is None):
        text = read(st.log_path)
        if text is not None:
            if seen_reopen is None and "reopened the log file" in text:
                seen_reopen = time.monotonic() - t_sig
            _, req = lines_by(text)
            if seen_req is None and req - {st.master_pid()}:
                seen_req = time.monotonic() - t_sig
        time.sleep(0.02)
    return seen_reopen, seen_req


def main():
    with fl.Stack("logrotate", conf_extra="workers = 2\nlog_level = debug\nshutdown_timeout = 10") as st:
        master = st.master_pid()
        w0 = set(st.wait_workers(2))
        for _ in range(5):
            fl.get(st.port, "/")
        time.sleep(0.2)
        pids, req = lines_by(st.log_text())
        fl.check(req & w0, "with log_level = debug the workers write request lines (%s)" % sorted(req))
        s0 = status(st)

        load = fl.Load(st.port, conns=2, duration=7, pace=0.01).start()
        time.sleep(1.5)
        ino_before = os.stat(st.log_path).st_ino
        os.rename(st.log_path, st.log_path + ".1")
        old = st.log_path + ".1"
        n0 = size(old)
        time.sleep(0.4)
        fl.check(size(old) > n0 and not os.path.exists(st.log_path),
                 "after the rename (no signal yet) blogd still writes to blogd.log.1 (%d -> %d bytes)"
                 % (n0, size(old)))
        own = fl.read_pid(st.path("run", "blogd.pid"))
        fl.check(own == master, "blogd's pid file names the master (%s, %s)" % (own, master))
        st.kill(own, signal.SIGUSR1)
        t_sig = time.monotonic()
        reopen_at, req_at = wait_new_log(st, t_sig, w0)
        fl.say("new blogd.log: reopen line after %s s, a worker's request line after %s s"
               % (reopen_at and "%.3f" % reopen_at, req_at and "%.3f" % req_at))
        fl.check(reopen_at is not None and reopen_at <= 1.0,
                 "within 1 s a new blogd.log has `reopened the log file` (%s)" % reopen_at)
        fl.check(req_at is not None and req_at <= 1.0, "within 1 s it has workers' request lines (%s)" % req_at)
        fl.check(os.path.exists(st.log_path) and os.stat(st.log_path).st_ino != ino_before,
                 "blogd.log is a new file (another inode)")
        gone = fl.wait_gone(list(w0), 10)
        fl.check(not gone, "the old workers exited (left: %s)" % gone)
        w1 = set(st.wait_workers(2))
        fl.check(len(w1) == 2 and not (w1 & w0), "two new workers (%s -> %s)" % (sorted(w0), sorted(w1)))
        # The old file stops growing 1 s after the signal (the load goes on).
        time.sleep(max(0.0, 1.0 - (time.monotonic() - t_sig)))
        a = size(old)
        time.sleep(2.5)
        b = size(old)
        fl.check(a == b, "blogd.log.1 stopped growing 1 s after SIGUSR1 (%d -> %d bytes)" % (a, b))
        res = load.join()
        fl.say(res.summary("load"))
        fl.check(res.total > 100 and not res.failed(), "the load: only 200s (%s)" % res.counts())
        fl.check(any(r.t0 < t_sig for r in res.recs) and any(r.t0 > t_sig + 3 for r in res.recs),
                 "the load ran from before the signal to 3 s after it")
        old_text, new_text = read(old), read(st.log_path)
        old_pids, _ = lines_by(old_text)
        new_pids, new_req = lines_by(new_text)
        fl.check(master in new_pids and (new_req & w1),
                 "the new file has the master's lines and the new workers' request lines (%s)" % sorted(new_pids))
        fl.check(not (set(old_pids) & w1), "no new worker wrote to blogd.log.1 (%s)" % sorted(set(old_pids) & w1))
        fl.check(not bad_lines(old_text) and not bad_lines(new_text),
                 "every line of both files well formed (bad: %s)" % (bad_lines(old_text) + bad_lines(new_text))[:2])
        s1 = status(st)
        fl.check(s1.int("restarts reload") - s0.int("restarts reload") == 2,
                 "status: restarts reload +2, the workers SIGUSR1 replaced (%s -> %s)"
                 % (s0.get("restarts reload"), s1.get("restarts reload")))
        fl.check(s1.int("restarts crash") == 0 and s1.int("total processes") == 2,
                 "no crash, 2 workers (%s, %s)" % (s1.get("restarts crash"), s1.get("total processes")))

        # 5. No load: the page cache survives the reopen.
        time.sleep(0.5)
        def hit_or_miss():
            a = status(st)
            code = fl.get(st.port, "/1/").status
            time.sleep(0.2)
            b = status(st)
            return code, b.int("cache hits") - a.int("cache hits"), b.int("cache misses") - a.int("cache misses")

        control = None
        for _ in range(5):
            control = hit_or_miss()
            if control == (200, 1, 0):
                break
        fl.check(control == (200, 1, 0), "control: before the reopen GET /1/ is a cache hit "
                 "(status, hits +, misses +: %s)" % (control,))
        w1 = set(st.workers())
        c0 = status(st)
        old2, t_sig2 = rotate(st, "2")
        reopen2, _ = wait_new_log(st, t_sig2, w1)
        gone = fl.wait_gone(list(w1), 10)
        w2 = set(st.wait_workers(2))
        fl.check(reopen2 is not None and reopen2 <= 1.0 and not gone and len(w2) == 2 and not (w2 & w1),
                 "second rotation: new blogd.log within 1 s (%s), workers %s -> %s" % (reopen2, sorted(w1), sorted(w2)))
        time.sleep(0.3)
        c1 = status(st)
        after = hit_or_miss()
        fl.check(after == (200, 1, 0), "GET /1/ after the reopen is a cache hit, the page cache kept across "
                 "SIGUSR1 (status, hits +, misses +: %s; misses %s before the reopen, %s after it)"
                 % (after, c0.get("cache misses"), c1.get("cache misses")))
        t = size(old2)
        time.sleep(1.5)
        fl.check(size(old2) == t, "blogd.log.2 stopped growing too")
        errors = [l for l in (read(old) or "").splitlines() + (read(old2) or "").splitlines()
                  + (read(st.log_path) or "").splitlines() if "[error]" in l]
        fl.check(not errors, "no [error] line in any of the files (%d%s)" % (
            len(errors), (": " + errors[0][:200]) if errors else ""))


fl.run_test(NAME, main)
