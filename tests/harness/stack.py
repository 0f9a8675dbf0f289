"""stack: one private MariaDB + blogd + nginx (scripts/stack.sh) under its own directory: start, stop, reload, pid files, database, log, variants.

    st = Stack(os.path.join(test_root(), "faults-reload"), conf_extra="workers = 2")
    with st:                     # start() on a free port; stop() however the block ends
        st.sql("SELECT COUNT(*) FROM post")

scripts/stack.sh stays the one thing that starts daemons (`make run` uses it too); this
module only gives it VAR, PORT, SEED, BLOGD_BIN, BLOGD_CONF_EXTRA, BLOGD_WRAPPER and, for
an installed or packaged blogd, BLOGD_SHARE and BLOGD_CONF_BASE, and reads back what it writes ($VAR/stack.env, pid files, logs). Variants:
  plain     the binary as built
  asan      an ASan+UBSan binary writing its reports into log/reports/ (sandbox off)
  valgrind  one worker under memcheck, its logs in log/reports/ (sandbox off)
  public    the binary as built, with the production comment options (PUBLIC_CONF) in place
            of the tutorial's that scripts/stack.sh writes
check_reports() turns any report into failures. Several stacks run side by side: each has
its own VAR and port, and `tree` may name another checkout (BENCH_BASE) whose own
scripts/stack.sh starts it. hosts and replicas are scripts/stack.sh's HOSTS and REPLICAS
(issue 16: several blogd hosts on a MariaDB primary and its replicas; harness.cluster has
the helpers that reach each of them); sql(..., server="R1") runs on replica 1.
"""

import os
import pwd
import re
import shlex
import signal
import subprocess
import time

from . import ROOT, proc
from .checks import check, say
from .client import wait_http_ok

# Every blogd.log line: a timestamp, a level tag and a pid (single-line events).
LOG_LINE = re.compile(
    r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z \[(error|warn|info|debug)\] pid=\d+ (req=\S+ )?\S"
)

VARIANTS = ("plain", "asan", "valgrind", "public")

# The "public" variant: a blog in production (issue 14) rather than the tutorial; the held-out
# suites set the same through VAR/local.conf.
PUBLIC_CONF = ("comment_delete = owner\ncomment_moderation = links\nmoderation_links = 1\n"
               "comment_rate = 5")


def load_stack_env(var_dir):
    """$VAR/stack.env as a dict (values unquoted as a shell would)."""
    path = os.path.join(var_dir, "stack.env")
    try:
        with open(path, encoding="utf-8") as f:
            lines = f.read().splitlines()
    except OSError as e:
        raise RuntimeError(
            f"cannot read {path} ({e}); start the stack first: "
            f"(cd tests && BLOGD_TEST_ROOT=... python3 -m harness.fixture up NAME build/blogd)"
        ) from None
    env = {}
    for line in lines:
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        parts = shlex.split(value, posix=True) if value else [""]
        env[key.strip()] = parts[0] if parts else ""
    return env


def variant_env(variant, var):
    """The environment a variant adds for scripts/stack.sh (see the module's doc)."""
    reports = os.path.join(var, "log", "reports")
    if variant == "asan":
        return {"ASAN_OPTIONS": "detect_leaks=1:log_path=%s/asan:abort_on_error=0" % reports,
                "UBSAN_OPTIONS": "print_stacktrace=1:log_path=%s/ubsan" % reports,
                "BLOGD_CONF_EXTRA": "sandbox = off"}
    if variant == "valgrind":
        # --vgdb=no: no gdbserver FIFOs in /tmp (made as root, left there once blogd has dropped).
        # memcheck runs the syscalls itself: a seccomp filter would stop valgrind, not blogd.
        return {"BLOGD_WRAPPER": "valgrind --quiet --vgdb=no --leak-check=full --show-leak-kinds=definite "
                                 "--errors-for-leak-kinds=definite --error-exitcode=99 --track-fds=no "
                                 "--log-file=%s/valgrind.%%p" % reports,
                "BLOGD_CONF_EXTRA": "workers = 1\nsandbox = off"}
    if variant == "public":
        return {"BLOGD_CONF_EXTRA": PUBLIC_CONF}
    if variant == "plain":
        return {}
    raise ValueError("unknown variant %r (one of %s)" % (variant, ", ".join(VARIANTS)))


VALGRIND_BAD = re.compile(r"ERROR SUMMARY: [1-9]|definitely lost: [1-9]|Invalid (read|write)|uninitialised")


def mariadb_rows(out, header=False, decode=True):
    """mariadb -B output as a list of tuples; decode: NULL -> None and batch escapes undone."""
    rows = []
    for i, line in enumerate(out.split("\n")):
        if line == "":
            continue
        cells = line.split("\t")
        if header and i == 0 or not decode:
            rows.append(tuple(cells))
        else:
            rows.append(tuple(None if c == "NULL" else _unescape_batch(c) for c in cells))
    return rows


def _unescape_batch(value):
    """Undo mariadb --batch escaping (\\n, \\t, \\0, \\\\)."""
    if "\\" not in value:
        return value
    out, i = [], 0
    m = {"n": "\n", "t": "\t", "0": "\0", "\\": "\\", "r": "\r"}
    while i < len(value):
        ch = value[i]
        if ch == "\\" and i + 1 < len(value) and value[i + 1] in m:
            out.append(m[value[i + 1]])
            i += 2
        else:
            out.append(ch)
            i += 1
    return "".join(out)


class Stack:
    """A private stack in directory var. conf_extra None leaves BLOGD_CONF_EXTRA as the
    environment has it (a variant's lines come first); seed None leaves SEED alone. share and
    conf_base run a blogd from elsewhere (a package extracted by tests/package/test_deb.py):
    its templates/, static/ and sql/, and the blogd.conf the stack's starts from."""

    def __init__(self, var, name=None, conf_extra=None, seed=None, bin=None, variant="plain",
                 tree=ROOT, port=None, keep_wrapper=False, share=None, conf_base=None,
                 hosts=1, replicas=0):
        self.var = var
        self.hosts = hosts
        self.replicas = replicas
        self.name = name or os.path.basename(var)
        self.conf_extra = conf_extra
        self.seed = seed
        self.tree = tree
        self.bin = bin or os.environ.get("BLOGD_BIN") or os.path.join(tree, "build", "blogd")
        if tree != ROOT and not bin:
            self.bin = os.path.join(tree, "build", "blogd")
        variant_env(variant, var)  # refuses an unknown variant now
        self.variant = variant
        self.port = port
        self.keep_wrapper = keep_wrapper  # plain stacks drop an inherited BLOGD_WRAPPER unless asked
        self.share = share
        self.conf_base = conf_base
        self.start_seconds = None
        self.start_output = ""
        self.spawned = []  # pids of blogd masters a test started itself (socket activation)
        self.log = say  # where start() tells what it starts

    # -- paths --
    def path(self, *parts):
        return os.path.join(self.var, *parts)

    @property
    def stack_sh_path(self):
        return os.path.join(self.tree, "scripts", "stack.sh")

    @property
    def conf(self):
        return self.path("blogd.conf")

    @property
    def log_path(self):
        return self.path("log", "blogd.log")

    @property
    def sock_path(self):
        return self.path("run", "blogd.sock")

    @property
    def url(self):
        return "http://127.0.0.1:%d" % self.port

    def env(self):
        """The environment scripts/stack.sh runs with for this stack."""
        e = dict(os.environ)
        if not self.keep_wrapper:
            e.pop("BLOGD_WRAPPER", None)
        extra = variant_env(self.variant, self.var)
        lines = [x for x in (extra.pop("BLOGD_CONF_EXTRA", None), self.conf_extra) if x]
        e.update(extra)
        if lines or self.conf_extra is not None:
            e["BLOGD_CONF_EXTRA"] = "\n".join(lines)
        e.update(VAR=self.var, PORT=str(self.port or 0), BLOGD_BIN=self.bin,
                 HOSTS=str(self.hosts), REPLICAS=str(self.replicas))
        if self.seed is not None:
            e["SEED"] = self.seed
        for key, value in (("BLOGD_SHARE", self.share), ("BLOGD_CONF_BASE", self.conf_base)):
            if value:
                e[key] = value
            else:
                e.pop(key, None)
        return e

    def stack_sh(self, action, timeout=120, check_rc=True):
        """scripts/stack.sh ACTION for this stack; its output (stdout and stderr)."""
        rc, out = self.stack_sh_rc(action, timeout)
        if check_rc and rc != 0:
            raise RuntimeError("stack.sh %s failed (%d):\n%s" % (action, rc, out))
        return out

    def stack_sh_rc(self, action, timeout=120):
        p = subprocess.run([self.stack_sh_path, action], env=self.env(), stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=timeout)
        return p.returncode, p.stdout.decode(errors="replace")

    # -- lifecycle --
    def clear(self):
        """Stop and delete a stack left over in var by an earlier run."""
        if os.path.isdir(self.var) or os.path.islink(self.var):
            self.stack_sh_rc("stop")
            subprocess.run(["rm", "-rf", self.var], check=True)

    def start(self, timeout=120, wait=15, clear=True):
        """Start from scratch on a free port (unless one was given); wait (s) for GET / = 200."""
        if not os.access(self.bin, os.X_OK):
            raise RuntimeError("BLOGD_BIN %s is not executable" % self.bin)
        os.makedirs(os.path.dirname(self.var), exist_ok=True)
        if clear:
            self.clear()
        if not self.port:
            self.port = proc.free_port()
        self.log("%s: starting stack%s in %s on port %d" % (
            self.name, " (SEED=%s)" % self.seed if self.seed else "", self.var, self.port))
        t0 = time.monotonic()
        rc, self.start_output = self.stack_sh_rc("start", timeout)
        self.start_seconds = time.monotonic() - t0
        if rc != 0:
            raise RuntimeError("%s: stack.sh start failed (%d):\n%s" % (self.name, rc, self.start_output))
        if wait:
            wait_http_ok(self.port, "/", wait)
        return self

    def stop(self):
        """scripts/stack.sh stop, then any blogd master the test started itself; (rc, output)."""
        try:
            return self.stack_sh_rc("stop")
        finally:
            for pid in self.spawned:
                proc.stop_pid(pid, self.var, 15)

    def reload(self):
        """SIGHUP to blogd's master (it re-reads blogd.conf and replaces its workers)."""
        self.kill(self.master_pid(), signal.SIGHUP)

    def kill(self, pid, sig):
        """Signal a process of this stack (its command line names VAR) and only such a process."""
        if not pid or self.var not in proc.cmdline(pid):
            raise RuntimeError("refusing to signal pid %r: not a process of %s" % (pid, self.var))
        os.kill(pid, sig)

    def __enter__(self):
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc):
        self.stop()
        return False

    def check_reports(self):
        """Problems in log/reports/ (sanitizer reports, valgrind errors), as printable strings."""
        bad = []
        rdir = self.path("log", "reports")
        names = sorted(os.listdir(rdir)) if os.path.isdir(rdir) else []
        for n in names:
            with open(os.path.join(rdir, n), errors="replace") as f:
                text = f.read()
            if n.startswith(("asan.", "ubsan.")):
                bad.append("sanitizer report %s:\n%s" % (os.path.join(rdir, n), text))
            elif n.startswith("valgrind.") and VALGRIND_BAD.search(text):
                bad.append("valgrind report %s:\n%s" % (os.path.join(rdir, n), text))
        if self.variant == "valgrind" and not any(n.startswith("valgrind.") for n in names):
            bad.append("no valgrind log found")
        return bad

    # -- what stack.sh wrote --
    def stack_env(self):
        return load_stack_env(self.var)

    def master_pid(self):
        return proc.read_pid(self.path("blogd.pid"))

    def nginx_pid(self):
        return proc.read_pid(self.path("nginx.pid"))

    def mariadb_pid(self):
        return proc.read_pid(self.path("mariadb.pid"))

    def workers(self, master=None):
        master = master or self.master_pid()
        return proc.children(master) if master else []

    def wait_workers(self, n, timeout=10, master=None):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            w = self.workers(master)
            if len(w) >= n:
                return w
            time.sleep(0.02)
        return self.workers(master)

    # -- configuration --
    def conf_value(self, key, default=""):
        """The value of key in the stack's blogd.conf (its last line wins, as in blogd)."""
        value = default
        with open(self.conf) as f:
            for line in f:
                k, eq, v = line.partition("=")
                if eq and k.strip() == key and not k.lstrip().startswith("#"):
                    value = v.strip()
        return value

    def append_conf(self, text):
        with open(self.conf, "a") as f:
            f.write("\n" + text.rstrip("\n") + "\n")

    # -- log --
    def log_text(self):
        try:
            with open(self.log_path, encoding="utf-8", errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def log_size(self):
        try:
            return os.path.getsize(self.log_path)
        except OSError:
            return 0

    def log_since(self, offset):
        try:
            with open(self.log_path, "rb") as f:
                f.seek(offset)
                return f.read().decode("utf-8", errors="replace")
        except OSError:
            return ""

    def check_log_format(self):
        """Every line of blogd.log has a timestamp, a level tag and a pid (single-line events)."""
        bad = [l for l in self.log_text().splitlines() if not LOG_LINE.match(l)]
        check(not bad, "every blogd.log line has a timestamp, a [level] tag and pid= (bad: %d%s)"
              % (len(bad), (", first: %r" % bad[0][:200]) if bad else ""))

    # -- database (the stack's MariaDB as its admin account) --
    def _mysql_args(self, server=None):
        """(defaults file, admin user, extra options) for the primary (server None or
        "primary") or replica j (server "Rj": its own defaults file and socket)."""
        try:
            e = self.stack_env()
            user = e.get("MYSQL_ADMIN_USER", "root")
            if server in (None, "primary"):
                return e["MYSQL_DEFAULTS"], user, []
        except (RuntimeError, KeyError):
            if server not in (None, "primary"):
                raise
            # unix_socket-authenticated, named as whoever started it
            return self.path("my.cnf"), pwd.getpwuid(os.geteuid()).pw_name, []
        if not re.fullmatch(r"R[1-9][0-9]*", server or ""):
            raise ValueError("server must be None, 'primary' or 'R<j>', not %r" % (server,))
        try:
            return e["MYSQL_DEFAULTS_" + server], user, ["--socket=" + e["MYSQL_SOCKET_" + server]]
        except KeyError:
            raise RuntimeError("%s/stack.env names no replica %s (REPLICAS=%s)"
                               % (self.var, server, e.get("BLOGD_REPLICAS", "0"))) from None

    def mysql_cmd(self, *args, database="blog", server=None):
        defaults, user, extra = self._mysql_args(server)
        # --defaults-file must be the first argument
        return ["mariadb", "--defaults-file=" + defaults, "-u" + user] + extra + [database] + list(args)

    def sql(self, query, database="blog", timeout=60, header=False, decode=False, server=None):
        """Rows of query as tuples of str (decode: NULL -> None, batch escapes undone; header:
        the first tuple holds the column names), on the primary or on replica server ("R1")."""
        cmd = self.mysql_cmd("-B", "-e", query, database=database, server=server)
        if not header:
            cmd.insert(-2, "-N")
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)
        if p.returncode != 0:
            raise RuntimeError("mariadb failed (%d) on %r: %s" % (p.returncode, query, p.stderr.decode(errors="replace")))
        return mariadb_rows(p.stdout.decode("utf-8"), header, decode)

    def sql_script(self, script, timeout=600):
        """SQL statements fed on standard input (bulk loads); raises with mariadb's message."""
        p = subprocess.run(self.mysql_cmd("-N", "-B"), input=script.encode(), stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=timeout)
        if p.returncode != 0:
            raise RuntimeError("mariadb failed (%d): %s" % (p.returncode, p.stdout.decode(errors="replace")))

    def ints(self, query):
        """The first column of every row, as ints."""
        return [int(r[0]) for r in self.sql(query)]

    def mariadb_ping(self, server=None):
        defaults, user, extra = self._mysql_args(server)
        p = subprocess.run(["mariadb-admin", "--defaults-file=" + defaults, "-u" + user] + extra +
                           ["--connect-timeout=1", "ping"], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, timeout=10)
        return p.returncode == 0


def sql_quote(s):
    """A SQL string literal for s (utf8mb4, binary collation so `=` is exact),
    via hex so nothing needs escaping."""
    return "_utf8mb4 X'%s' COLLATE utf8mb4_bin" % s.encode("utf-8").hex()


def unique(prefix="itest"):
    """A marker unlikely to collide with other tests' data."""
    return "%s-%d-%s" % (prefix, os.getpid(), os.urandom(4).hex())


def attached(var):
    """A Stack object for a stack already running in var (started by the ctest fixture)."""
    st = Stack(var)
    env = st.stack_env()
    st.port = int(env["BLOGD_PORT"])
    return st
