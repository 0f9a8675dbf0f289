"""SIGTERM of the master under load: requests in hand finish, nothing is cut mid-response,
the master exits within shutdown_timeout + 2 s and no worker survives it."""
import os
import re
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import faultlib as fl  # noqa: E402

NAME = "test_stop"
SHUTDOWN_TIMEOUT = 10


def main():
    with fl.Stack("stop", conf_extra="workers = 2\nshutdown_timeout = %d" % SHUTDOWN_TIMEOUT) as st:
        master = st.master_pid()
        workers = st.wait_workers(2)
        watcher = fl.watcher(master)
        fl.check(watcher is not None, "the master has a watcher process")
        fl.say("master %d, workers %s, watcher %s" % (master, workers, watcher))
        workers = workers + [watcher]
        load = fl.Load(st.port, conns=32, duration=5).start()
        time.sleep(3)
        t_stop = time.monotonic()
        st.kill(master, signal.SIGTERM)
        left = fl.wait_gone([master], SHUTDOWN_TIMEOUT + 2)
        t_exit = time.monotonic() - t_stop
        survivors = fl.wait_gone(workers, 0.05)
        res = load.join()
        fl.say(res.summary("stop load"))

        done_before = res.filter(lambda r: r.t1 < t_stop)
        in_flight = res.filter(lambda r: r.t0 < t_stop <= r.t1)
        after = res.filter(lambda r: r.t0 >= t_stop)
        fl.say("finished before SIGTERM: %s" % res.counts(done_before))
        fl.say("in flight at SIGTERM:    %s" % res.counts(in_flight))
        fl.say("sent after SIGTERM:      %s" % res.counts(after))
        fl.say("master exited %.2f s after SIGTERM" % t_exit)

        cut = res.errors()
        fl.check(not cut, "no transport errors / truncated responses (got %s)" % res.counts(cut))
        other_5xx = [r for r in res.recs if r.status and r.status >= 500 and r.status != 502]
        fl.check(not other_5xx, "no 5xx other than 502 (got %s)" % res.counts(other_5xx))
        fl.check(all(r.status == 200 for r in done_before), "every request before SIGTERM got 200")
        fl.check(all(r.status in (200, 502) for r in in_flight),
                 "requests in flight at SIGTERM got 200 (or 502 if blogd never accepted them)")
        fl.check(not left, "master exited within shutdown_timeout + 2 s (%.2f s)" % t_exit)
        fl.check(not survivors, "no worker or watcher survives the master (alive: %s)" % survivors)

        # nginx tells an upstream that never accepted (refused/reset in the queue) from one cut
        # after it started answering ("prematurely closed").
        try:
            with open(st.path("log", "nginx-error.log")) as f:
                nerr = f.read()
        except OSError:
            nerr = ""
        kinds = {
            "refused": len(re.findall(r"Connection refused|No such file", nerr)),
            "reset before header": len(re.findall(r"reset by peer\) while reading response header", nerr)),
            "prematurely closed": len(re.findall(r"prematurely closed", nerr)),
        }
        fl.say("nginx error log: %s" % kinds)
        fl.check(kinds["prematurely closed"] == 0, "nginx saw no upstream response cut midway")
        log = st.log_text()
        fl.check("master exiting" in log, "blogd.log records the master's exit")
        m = re.findall(r".*\[(?:error|warn)\].*did not drain.*", log)
        fl.check(not m, "no worker had to be killed at the drain deadline (%s)" % (m[:1],))
        st.check_log_format()


fl.run_test(NAME, main)
