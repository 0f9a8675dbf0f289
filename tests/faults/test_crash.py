"""kill -9 of a worker under load: at most one request fails, the master respawns it at once and
logs what the dead worker was serving; kill -9 of the master: no worker outlives it.
Also checks blogd.log's shape: a level tag on every line, errors on single lines."""
import os
import re
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import faultlib as fl  # noqa: E402

NAME = "test_crash"


def main():
    with fl.Stack("crash", conf_extra="workers = 2\nshutdown_timeout = 10") as st:
        master = st.master_pid()
        before = set(st.wait_workers(2))
        fl.say("master %d, workers %s" % (master, sorted(before)))

        # --- kill -9 one worker ---
        load = fl.Load(st.port, conns=32, duration=8).start()
        time.sleep(3)
        victim = min(before)
        t_kill = time.monotonic()
        st.kill(victim, signal.SIGKILL)
        new, respawn = None, None
        while time.monotonic() - t_kill < 5:
            fresh = set(fl.children(master)) - before
            if fresh:
                new, respawn = fresh.pop(), time.monotonic() - t_kill
                break
            time.sleep(0.001)
        res = load.join()
        fl.say(res.summary("crash load"))
        failed = res.failed()
        fl.say("respawn: worker %d killed, new worker %s after %s" % (
            victim, new, "%.1f ms" % (respawn * 1000) if respawn is not None else "never"))
        fl.check(len(failed) <= 1, "at most 1 failed request (failed: %d %s)" % (len(failed), res.counts(failed)))
        fl.check(respawn is not None and respawn < 1.0, "replacement worker within 1 s")
        fl.check(len(st.workers()) == 2, "two workers again")
        log = st.log_text()
        line = [l for l in log.splitlines() if re.search(r"\bworker %d\b" % victim, l) and "signal 9" in l]
        fl.say("crash log line: %s" % (line[0] if line else None))
        fl.check(bool(line), "blogd.log names the dead pid and signal 9")
        fl.check(bool(line) and re.search(r"serving (GET|POST|HEAD) /|while idle", line[0]) is not None,
                 "the line says what the worker was serving (or that it was idle)")
        fl.check(bool(line) and "[error]" in line[0], "the crash is logged at level error")

        # --- log shape ---
        st.check_log_format()
        levels = set(re.findall(r"^\S+ \[(\w+)\]", log, re.M))
        fl.say("log levels seen: %s" % sorted(levels))

        # --- kill -9 the master ---
        workers = st.workers() + [fl.watcher(master)]
        load = fl.Load(st.port, conns=8, duration=3).start()
        time.sleep(1)
        t_kill = time.monotonic()
        st.kill(master, signal.SIGKILL)
        left = fl.wait_gone(workers, 2.0)
        gone_after = time.monotonic() - t_kill
        res = load.join()
        fl.say(res.summary("master-kill load"))
        fl.say("workers %s after kill -9 of master: %s alive after %.2f s" % (workers, left, gone_after))
        fl.check(not left, "no worker remains within 2 s of kill -9 of the master")


fl.run_test(NAME, main)
