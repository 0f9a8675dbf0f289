"""`make run` as a person runs it, in a terminal of its own (a pseudo-terminal whose session make
leads, as in a shell): it keeps its parts up and stops when told.

Under `run`, MariaDB stopped by hand (SIGTERM, as `systemctl stop` sends) gives 503 pages, not
502, while nginx and blogd stay, and is started again by the stack; blogd's master and nginx's
master killed with SIGKILL are started again and serve. Then each way of stopping it, on a new
`make run` each time: Ctrl-C typed into the terminal (SIGINT to the foreground process group),
SIGINT to the process group, SIGTERM to make, SIGTERM and SIGHUP to the stack script, and the
terminal hanging up: within STOP_BOUND seconds make has exited and no process is left whose command
line, working directory or open files are in the stack's folder."""
import os
import pty
import select
import signal
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import faultlib as fl  # noqa: E402

NAME = "test_stack_signals"
STOP_BOUND = 10.0
START_BOUND = 120.0


class MakeRun:
    """`make run` (the Makefile's own recipe; `build` is taken as made) in a new pseudo-terminal."""

    def __init__(self, var, port):
        self.var, self.port = var, port
        self.out = b""
        self.lock = threading.Lock()
        self.status = None
        self.closing = threading.Event()
        env = dict(os.environ)
        for k in ("BLOGD_WRAPPER", "BLOGD_CONF_EXTRA", "MAKEFLAGS", "MFLAGS"):
            env.pop(k, None)
        pid, fd = pty.fork()
        if pid == 0:  # the child: session leader, the terminal's foreground process group
            try:
                os.chdir(fl.ROOT)
                os.execvpe("make", ["make", "--no-print-directory", "-o", "build", "run",
                                    "PORT=%d" % port, "VAR=%s" % var], env)
            finally:
                os._exit(127)
        self.make_pid, self.fd = pid, fd
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        # Polls, so that hang_up can stop it: a read blocked in another thread would keep the
        # terminal open past close().
        while not self.closing.is_set():
            try:
                if not select.select([self.fd], [], [], 0.1)[0]:
                    continue
                d = os.read(self.fd, 4096)
            except OSError:
                return
            if not d:
                return
            with self.lock:
                self.out += d

    def text(self):
        with self.lock:
            return self.out.decode(errors="replace").replace("\r\n", "\n")

    def wait_for(self, needle, timeout):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if needle in self.text():
                return True
            if self.exited(0):
                return needle in self.text()
            time.sleep(0.05)
        return False

    def exited(self, timeout):
        """True once make has exited (and been reaped here)."""
        end = time.monotonic() + timeout
        while self.status is None:
            pid, st = os.waitpid(self.make_pid, os.WNOHANG)
            if pid == self.make_pid:
                self.status = st
                break
            if time.monotonic() >= end:
                return False
            time.sleep(0.02)
        return True

    def script_pid(self):
        """The stack script: make's child, the recipe's shell having become it (exec)."""
        for k in fl.kids(self.make_pid):
            if "scripts/stack.sh run" in fl.cmdline(k):
                return k
        return None

    def type(self, data):
        os.write(self.fd, data)

    def hang_up(self):
        self.closing.set()
        self.reader.join(5)
        os.close(self.fd)
        self.fd = None

    def close(self):
        """Last resort, should a check have failed: stop whatever is left, by its pids."""
        if not self.exited(0):
            sp = self.script_pid()
            if sp:
                os.kill(sp, signal.SIGTERM)
            if not self.exited(30):
                os.kill(self.make_pid, signal.SIGKILL)
                self.exited(5)
        if self.fd is not None:
            self.hang_up()


def leftovers(var):
    """Processes (but this one) whose command line names var, or whose cwd or an open file is in it."""
    me = os.getpid()
    prefix = var.rstrip("/") + "/"
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit() or int(name) == me:
            continue
        pid = int(name)
        why = None
        if prefix in fl.cmdline(pid) + " ":
            why = "command line"
        else:
            try:
                cwd = os.readlink("/proc/%d/cwd" % pid) + "/"
                if cwd.startswith(prefix):
                    why = "cwd"
            except OSError:
                pass
        if why is None:
            try:
                for fd in os.listdir("/proc/%d/fd" % pid):
                    try:
                        target = os.readlink("/proc/%d/fd/%s" % (pid, fd))
                    except OSError:
                        continue
                    if target.startswith(prefix):
                        why = "open file %s" % target
                        break
            except OSError:
                pass
        if why and fl.alive(pid):
            found.append("%d %s (%s)" % (pid, fl.comm(pid), why))
    return found


def stack_pids(var):
    """Every process of the stack now: mariadbd, blogd's master and children, nginx's master and
    workers."""
    pids = []
    for f in ("mariadb.pid", "blogd.pid", "nginx.pid"):
        p = fl.read_pid(os.path.join(var, f))
        if p and fl.alive(p):
            pids.append(p)
            pids.extend(fl.kids(p))
    return pids


def start_run(var, port, label):
    fl.say("%s: make run on port %d" % (label, port))
    t0 = time.monotonic()
    run = MakeRun(var, port)
    up = run.wait_for("blogd is running at http://127.0.0.1:%d/" % port, START_BOUND)
    fl.check(up, "%s: make run printed the URL (%.1f s)" % (label, time.monotonic() - t0))
    if not up:
        fl.say(run.text()[-3000:])
        run.close()
        return None
    fl.wait_http_ok(port, "/", 15)
    return run


def stopped(run, how, label):
    """After a stop was asked for `how`: make exits within STOP_BOUND and nothing is left."""
    pids = stack_pids(run.var)
    script = run.script_pid()
    t0 = time.monotonic()
    how()
    done = run.exited(STOP_BOUND)
    took = time.monotonic() - t0
    fl.check(done, "%s: make exited %.1f s after it" % (label, took))
    left = fl.wait_gone(pids + ([script] if script else []), max(0.1, STOP_BOUND - took))
    fl.check(not left, "%s: all %d processes of the stack are gone (left: %s)" % (label, len(pids), left))
    rest = leftovers(run.var)
    fl.check(not rest, "%s: no process left in %s (%s)" % (label, run.var, rest))
    text = run.text()
    if run.fd is not None:  # the terminal is still there to read
        fl.check("stopping mariadb" in text, "%s: the script said it stopped MariaDB" % label)
    if not done or rest:
        fl.say(text[-3000:])
    run.close()


def poll(port, path, until, timeout, interval=0.05):
    """GET path until until(status) or timeout; returns (statuses seen, last)."""
    seen = []
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            s = fl.get(port, path, timeout=5).status
        except fl.HTTPError as e:
            s = "err:" + e.kind
        seen.append(s)
        if until(s):
            break
        time.sleep(interval)
    return seen


def supervision(run, var, port):
    # MariaDB stopped by hand: 503 meanwhile, then started again by the stack.
    db = fl.read_pid(os.path.join(var, "mariadb.pid"))
    blogd = fl.read_pid(os.path.join(var, "blogd.pid"))
    ngx = fl.read_pid(os.path.join(var, "nginx.pid"))
    fl.say("mariadbd %s, blogd %s, nginx %s" % (db, blogd, ngx))
    os.kill(db, signal.SIGTERM)
    t0 = time.monotonic()
    seen = poll(port, "/1/", lambda s: s == 503, 30)
    seen += poll(port, "/1/", lambda s: s == 200, 60)
    took = time.monotonic() - t0
    counts = {s: seen.count(s) for s in set(seen)}
    fl.say("MariaDB stopped by hand: %s over %.1f s" % (counts, took))
    fl.check(503 in seen, "503 while MariaDB was down")
    fl.check(all(s in (200, 503) for s in seen), "nothing but 200 and 503 meanwhile (no 502: nginx and blogd stay)")
    fl.check(seen[-1] == 200, "pages answer 200 again (%.1f s after the SIGTERM)" % took)
    new_db = fl.read_pid(os.path.join(var, "mariadb.pid"))
    fl.check(new_db and new_db != db and fl.alive(new_db), "a new mariadbd runs (%s)" % new_db)
    fl.check(fl.read_pid(os.path.join(var, "blogd.pid")) == blogd and fl.alive(blogd), "blogd stayed up")
    fl.check(fl.read_pid(os.path.join(var, "nginx.pid")) == ngx and fl.alive(ngx), "nginx stayed up")
    fl.check("restarting mariadb" in run.text(), "the stack logged the restart of mariadb")

    # blogd's master, then nginx's, killed: each is started again and serves, its workers gone.
    master_killed(run, port, var, "blogd", blogd)
    master_killed(run, port, var, "nginx", ngx)


def master_killed(run, port, var, name, master):
    """SIGKILL of a part's master under `make run`: a new one serves, the old one's workers go."""
    pid_file = os.path.join(var, name + ".pid")
    workers = fl.kids(master)
    os.kill(master, signal.SIGKILL)
    t0 = time.monotonic()
    seen = poll(port, "/1/", lambda s: s == 200 and fl.read_pid(pid_file) != master, 30)
    new = fl.read_pid(pid_file)
    fl.say("%s master killed: %s, new master %s after %.1f s" % (
        name, {s: seen.count(s) for s in set(seen)}, new, time.monotonic() - t0))
    fl.check(seen[-1] == 200 and new != master and fl.alive(new), "a new %s master serves" % name)
    fl.check(not fl.wait_gone(workers, 5), "the killed %s master's workers are gone" % name)
    fl.check("restarting " + name in run.text(), "the stack logged the restart of " + name)


def stack_stop(var):
    subprocess.run([fl.STACK_SH, "stop"], env=dict(os.environ, VAR=var), stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, timeout=120)


def main():
    root = os.environ.get("BLOGD_TEST_ROOT") or "/tmp/blogd-ctest"
    os.makedirs(root, exist_ok=True)
    var = os.path.join(root, "faults-stack_signals")
    if os.path.isdir(var):  # left over from an earlier run here
        stack_stop(var)
        subprocess.run(["rm", "-rf", var], check=True)
    deadline = time.monotonic() + 170

    stops = [
        ("Ctrl-C", lambda r: r.type(b"\x03")),
        ("SIGINT to the process group", lambda r: os.killpg(r.make_pid, signal.SIGINT)),
        ("SIGTERM to make", lambda r: os.kill(r.make_pid, signal.SIGTERM)),
        ("SIGTERM to the script", lambda r: os.kill(r.script_pid(), signal.SIGTERM)),
        ("SIGHUP to the script", lambda r: os.kill(r.script_pid(), signal.SIGHUP)),
        ("the terminal hanging up", lambda r: r.hang_up()),
    ]
    try:
        for i, (label, how) in enumerate(stops):
            if time.monotonic() > deadline:
                fl.check(False, "time left for: %s" % label)
                break
            port = fl.free_port()
            run = start_run(var, port, label)
            if not run:
                continue
            try:
                if i == 0:
                    supervision(run, var, port)
                fl.check(run.script_pid() is not None, "%s: the stack script is make's child" % label)
                stopped(run, lambda: how(run), label)
            finally:
                run.close()
    finally:
        stack_stop(var)


fl.run_test(NAME, main)
