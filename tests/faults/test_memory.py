"""One worker, 10,000 then up to 200,000 requests: its resident memory grows by at most 1 MiB."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import faultlib as fl  # noqa: E402

NAME = "test_memory"
WARMUP = 10000
TOTAL = 200000
MAX_SECONDS = 90
LIMIT_KIB = 1024


def main():
    with fl.Stack("memory", conf_extra="workers = 1\nshutdown_timeout = 10") as st:
        (worker,) = st.wait_workers(1)
        s1, e1, d1 = fl.pipelined_gets(st.port, WARMUP, procs=6, depth=1, max_seconds=MAX_SECONDS)
        rss1 = fl.vm_rss_kib(worker)
        n1 = sum(s1.values())
        fl.say("warm-up: %d requests in %.1f s %s, %d transport errors; worker %d VmRSS %d KiB"
               % (n1, d1, dict(s1), e1, worker, rss1))
        s2, e2, d2 = fl.pipelined_gets(st.port, TOTAL - n1, procs=6, depth=1, max_seconds=MAX_SECONDS)
        n2 = n1 + sum(s2.values())
        fl.check(st.workers() == [worker] and fl.alive(worker), "the same worker served everything")
        rss2 = fl.vm_rss_kib(worker)
        fl.say("main run: %d requests in %.1f s (%.0f req/s) %s, %d transport errors"
               % (n2 - n1, d2, (n2 - n1) / max(d2, 1e-9), dict(s2), e2))
        fl.say("VmRSS after %d requests: %d KiB; after %d requests: %d KiB; growth %+d KiB"
               % (n1, rss1, n2, rss2, rss2 - rss1))
        if n2 < TOTAL:
            fl.say("NOTE: reached %d of %d requests within %d s" % (n2, TOTAL, MAX_SECONDS))
        fl.check(n2 >= 10 * n1, "at least 10x the warm-up was served (%d)" % n2)
        fl.check(rss2 - rss1 <= LIMIT_KIB, "VmRSS growth %d KiB <= %d KiB" % (rss2 - rss1, LIMIT_KIB))
        st.check_log_format()


fl.run_test(NAME, main)
