"""The seccomp sandbox on a real stack: workers and the watcher run filtered (sandbox = on, the
default), a forbidden call made inside a live worker (gdb makes it call execve) kills that worker
with SIGSYS, the master logs it and starts another, and the blog keeps answering."""
import os
import re
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import faultlib as fl  # noqa: E402

NAME = "test_sandbox"


def seccomp_mode(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            m = re.search(r"^Seccomp:\s*(\d+)", f.read(), re.M)
            return int(m.group(1)) if m else None
    except OSError:
        return None


def main():
    with fl.Stack("sandbox", conf_extra="workers = 2") as st:
        master = st.master_pid()
        workers = st.wait_workers(2)
        watcher = fl.watcher(master)
        fl.say("master %d, workers %s, watcher %s" % (master, workers, watcher))
        modes = {pid: seccomp_mode(pid) for pid in workers + [watcher]}
        fl.say("Seccomp modes: %s" % modes)
        fl.check(all(m == 2 for m in modes.values()), "every worker and the watcher runs a seccomp filter")
        fl.check(seccomp_mode(master) == 0, "the master is not filtered (it forks and reloads)")

        # Pages, a comment and a delete go through with the filter on.
        s = fl.Session(st.port)
        r = s.prime("/2/")
        fl.check(r.status == 200, "GET /2/ under the filter: %d" % r.status)

        gdb = shutil.which("gdb")
        fl.check(gdb is not None, "gdb is installed (scripts/deps.sh)")
        if not gdb:
            return
        victim = workers[0]
        offset = st.log_size()
        # gdb stops the worker and makes it call execve(NULL, NULL, NULL): the filter kills it
        # before the kernel even looks at the arguments.
        p = subprocess.run([gdb, "-nx", "-batch", "-p", str(victim), "-ex",
                            "call (int)execve(0, 0, 0)"],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=60)
        out = p.stdout.decode(errors="replace")
        fl.say("gdb: " + " | ".join(l for l in out.splitlines() if "signal" in l.lower() or "SIGSYS" in l)[:300])
        gone = not fl.wait_gone([victim], 5)
        fl.check(gone, "the worker that called execve is gone")
        deadline = time.monotonic() + 5
        line = None
        while time.monotonic() < deadline and not line:
            text = st.log_since(offset)
            m = [l for l in text.splitlines() if re.search(r"\bworker %d\b" % victim, l)]
            line = m[0] if m else None
            time.sleep(0.1)
        fl.say("log: %s" % line)
        fl.check(line is not None and "signal 31" in line, "blogd.log says the worker died of SIGSYS (31)")
        after = st.wait_workers(2)
        fl.check(victim not in after and len(after) == 2, "the master started a replacement (%s)" % after)
        fl.check(all(seccomp_mode(pid) == 2 for pid in after), "the replacement is filtered too")
        ok = all(fl.get(st.port, path).status == 200 for path in ("/", "/2/", "/comments/"))
        fl.check(ok, "the blog answers 200 afterwards")


fl.run_test(NAME, main)
