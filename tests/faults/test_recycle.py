"""max_requests: workers are recycled under load without a single failed request."""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import faultlib as fl  # noqa: E402

NAME = "test_recycle"


def main():
    with fl.Stack("recycle", conf_extra="workers = 2\nmax_requests = 200\nshutdown_timeout = 10") as st:
        master = st.master_pid()
        before = set(st.wait_workers(2))
        res = fl.Load(st.port, conns=32, duration=8).start().join()
        fl.say(res.summary("recycle load"))
        log = st.log_text()
        recycled = re.findall(r"recycling after (\d+)", log)
        started = re.findall(r"started worker (\d+)", log)
        bad_exit = re.findall(r".*worker \d+ (?:killed by signal|exited with status).*", log)
        fl.say("recycled workers: %d (after %s requests); workers started in all: %d"
               % (len(recycled), sorted(set(recycled)), len(started)))
        failed = res.failed()
        fl.check(res.total > 2000, "load ran (%d requests)" % res.total)
        fl.check(not failed, "0 failed requests (failed: %d %s)" % (len(failed), res.counts(failed)))
        fl.check(len(recycled) >= res.total // 200 // 2, "workers were recycled (%d times)" % len(recycled))
        fl.check(all(n == "200" for n in recycled), "each recycled after exactly 200 requests")
        fl.check(not bad_exit, "recycled workers exit cleanly (%s)" % bad_exit[:1])
        after = set(st.workers())
        fl.check(fl.alive(master) and st.master_pid() == master, "same master")
        fl.check(len(after) == 2 and not (before & after), "both workers replaced (%s -> %s)"
                 % (sorted(before), sorted(after)))
        st.check_log_format()


fl.run_test(NAME, main)
