"""SIGHUP under load: no request fails, every worker is replaced, the new configuration is served.
A reload of a configuration that start would refuse (a misspelt cache mode, a bad address list, a
bad sandbox value) is refused too: the log says why, the workers and the running settings stay."""
import os
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import faultlib as fl  # noqa: E402

NAME = "test_reload"


def main():
    with fl.Stack("reload", conf_extra="workers = 2\nshutdown_timeout = 10") as st:
        master = st.master_pid()
        before = set(st.wait_workers(2))
        fl.say("master %d, workers before %s" % (master, sorted(before)))
        load = fl.Load(st.port, conns=32, duration=10).start()
        time.sleep(5)
        st.append_conf("site_name = Reloaded Blog")
        t_hup = time.monotonic()
        st.kill(master, signal.SIGHUP)
        left = fl.wait_gone(before, 12)
        fl.say("old workers gone %.2f s after SIGHUP (left: %s)" % (time.monotonic() - t_hup, left))
        res = load.join()
        fl.say(res.summary("reload load"))
        after = set(st.wait_workers(2))
        fl.say("workers after %s" % sorted(after))
        failed = res.failed()
        fl.check(res.total > 1000, "load ran (%d requests)" % res.total)
        fl.check(not failed, "0 failed requests across the reload (failed: %d %s)"
                 % (len(failed), res.counts(failed)))
        fl.check(st.master_pid() == master and fl.alive(master), "master pid unchanged")
        fl.check(not left, "old workers exited after SIGHUP")
        fl.check(len(after) == 2 and not (before & after), "every worker pid replaced (%s -> %s)"
                 % (sorted(before), sorted(after)))
        r = fl.get(st.port, "/")
        fl.check(r.status == 200 and "Reloaded Blog" in r.text, "GET / shows the new site_name")
        fl.check("reloading" in st.log_text(), "blogd.log records the reload")

        # --- refused reloads keep what runs ---
        good = open(st.conf).read()
        for bad, why in (("cache = atuo", "cache"), ("allow_from = 10.0.0.300", "allow_from"),
                         ("sandbox = maybe", "sandbox"), ("log_level = loud", "log_level"),
                         ("user = no-such-account", "user"), ("listen_mode = 0999", "listen_mode"),
                         ("max_body = 12", "max_body"), ("templates = /nonexistent", "templates")):
            before = set(st.workers())
            offset = st.log_size()
            st.append_conf("site_name = Should Not Show\n" + bad)
            st.kill(master, signal.SIGHUP)
            deadline = time.monotonic() + 5
            text = ""
            while time.monotonic() < deadline and "reload refused" not in text:
                time.sleep(0.1)
                text = st.log_since(offset)
            line = [l for l in text.splitlines() if "reload refused" in l]
            fl.say("%s: %s" % (bad, line[0] if line else None))
            fl.check(bool(line) and why in line[0], "a reload with '%s' is refused, saying why" % bad)
            fl.check(set(st.workers()) == before, "the workers were kept (%s)" % sorted(before))
            r = fl.get(st.port, "/")
            fl.check(r.status == 200 and "Reloaded Blog" in r.text and "Should Not Show" not in r.text,
                     "the running configuration is still served")
            with open(st.conf, "w") as f:
                f.write(good)
        fl.check(fl.get(st.port, "/2/").status == 200, "GET /2/ after the refused reloads")
        st.check_log_format()


fl.run_test(NAME, main)
