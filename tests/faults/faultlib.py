"""faultlib: shared harness for the fault-injection tests (stdlib only).

Every test starts its own private stack (scripts/stack.sh start) in
$BLOGD_TEST_ROOT/faults-<name> on a free port, puts it under a bounded load
through nginx on 127.0.0.1, breaks something, and stops the stack again in a
`finally`. Only processes of that stack are ever signalled, by the PIDs its
pid files name (workers: the children of the master PID).

    with Stack("reload", conf_extra="workers = 2") as st:
        load = Load(st.port, conns=32, duration=10).start()
        ...
        res = load.join()

Environment: BLOGD_BIN (the blogd binary; default <repo>/build/blogd),
BLOGD_TEST_ROOT (default /tmp/blogd-ctest).
"""

import collections
import os
import pwd
import random
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# The stack's MariaDB admin account: unix_socket-authenticated, named as whoever started it.
ADMIN = pwd.getpwuid(os.geteuid()).pw_name
STACK_SH = os.path.join(ROOT, "scripts", "stack.sh")
HOST = "127.0.0.1"

LOG_LINE = re.compile(
    r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z \[(error|warn|info|debug)\] pid=\d+ (req=\S+ )?\S"
)

# ---------------------------------------------------------------------------
# Results / assertions
# ---------------------------------------------------------------------------

_failures = []


def say(*args):
    print(*args, flush=True)


def check(cond, msg):
    """Record a failed expectation (the test goes on, and fails at the end)."""
    if cond:
        say("  ok: " + msg)
    else:
        say("  FAILED: " + msg)
        _failures.append(msg)
    return cond


def failed():
    return bool(_failures)


def finish(name):
    if _failures:
        say("%s: FAILED (%d):" % (name, len(_failures)))
        for f in _failures:
            say("  - " + f)
        sys.exit(1)
    say("%s: passed" % name)
    sys.exit(0)


# ---------------------------------------------------------------------------
# Processes
# ---------------------------------------------------------------------------


def free_port():
    s = socket.socket()
    s.bind((HOST, 0))
    port = s.getsockname()[1]
    s.close()
    return port


def alive(pid):
    """True while pid exists and is not a zombie (orphans may never be reaped here)."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            stat = f.read()
    except OSError:
        return False
    state = stat.rsplit(")", 1)[1].split()[0]
    return state not in ("Z", "X")


def wait_gone(pids, timeout):
    """Wait until none of pids is alive; returns the ones still alive."""
    pids = list(pids)
    end = time.monotonic() + timeout
    while True:
        left = [p for p in pids if alive(p)]
        if not left or time.monotonic() >= end:
            return left
        time.sleep(0.01)


def comm(pid):
    try:
        with open("/proc/%d/comm" % pid) as f:
            return f.read().strip()
    except OSError:
        return ""


def _kids(pid):
    try:
        with open("/proc/%d/task/%d/children" % (pid, pid)) as f:
            return [int(x) for x in f.read().split()]
    except OSError:
        return []


def kids(pid):
    """Every child of pid."""
    return _kids(pid)


def children(pid):
    """The master's workers: its children but the watcher (comm "blogd-watcher")."""
    return [k for k in _kids(pid) if comm(k) != "blogd-watcher"]


def watcher(pid):
    """The master's watcher process, or None."""
    return next((k for k in _kids(pid) if comm(k) == "blogd-watcher"), None)


def cmdline(pid):
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            return f.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def vm_rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS for %d" % pid)


def read_pid(path):
    try:
        with open(path) as f:
            return int("".join(c for c in f.read() if c.isdigit()) or "0") or None
    except OSError:
        return None


# ---------------------------------------------------------------------------
# The private stack
# ---------------------------------------------------------------------------


class Stack:
    def __init__(self, name, conf_extra="", keep=False):
        self.name = name
        self.root = os.environ.get("BLOGD_TEST_ROOT") or "/tmp/blogd-ctest"
        self.var = os.path.join(self.root, "faults-" + name)
        self.bin = os.environ.get("BLOGD_BIN") or os.path.join(ROOT, "build", "blogd")
        self.conf_extra = conf_extra
        self.port = None
        self.keep = keep
        self.spawned = []  # pids of blogd masters this test started itself

    # -- paths --
    def path(self, *parts):
        return os.path.join(self.var, *parts)

    @property
    def conf(self):
        return self.path("blogd.conf")

    @property
    def log_path(self):
        return self.path("log", "blogd.log")

    @property
    def sock_path(self):
        return self.path("run", "blogd.sock")

    def env(self):
        e = dict(os.environ)
        e.update(VAR=self.var, PORT=str(self.port), BLOGD_BIN=self.bin, BLOGD_CONF_EXTRA=self.conf_extra)
        e.pop("BLOGD_WRAPPER", None)
        return e

    def stack_sh(self, action, timeout=120, check_rc=True):
        p = subprocess.run([STACK_SH, action], env=self.env(), stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=timeout)
        out = p.stdout.decode(errors="replace")
        if check_rc and p.returncode != 0:
            raise RuntimeError("stack.sh %s failed (%d):\n%s" % (action, p.returncode, out))
        return out

    # -- lifecycle --
    def start(self):
        if not os.access(self.bin, os.X_OK):
            raise RuntimeError("BLOGD_BIN %s is not executable" % self.bin)
        os.makedirs(self.root, exist_ok=True)
        if os.path.isdir(self.var):  # a stack left over from an earlier run here
            self.port = free_port()
            self.stack_sh("stop", check_rc=False)
            subprocess.run(["rm", "-rf", self.var], check=True)
        self.port = free_port()
        say("%s: starting stack in %s on port %d" % (self.name, self.var, self.port))
        self.stack_sh("start")
        wait_http_ok(self.port, "/", 15)
        return self

    def stop(self):
        try:
            self.stack_sh("stop", check_rc=False)
        finally:
            # blogd masters the test started itself (socket activation), if the stop missed them
            for pid in self.spawned:
                if alive(pid) and self.var in cmdline(pid):
                    os.kill(pid, signal.SIGTERM)
                    if wait_gone([pid], 15):
                        os.kill(pid, signal.SIGKILL)
                try:
                    os.waitpid(pid, os.WNOHANG)
                except ChildProcessError:
                    pass

    def kill(self, pid, sig):
        """Signal a process of this stack (its command line names VAR) and only such a process."""
        if not pid or self.var not in cmdline(pid):
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

    # -- processes --
    def master_pid(self):
        return read_pid(self.path("blogd.pid"))

    def workers(self, master=None):
        master = master or self.master_pid()
        return children(master) if master else []

    def wait_workers(self, n, timeout=10, master=None):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            w = self.workers(master)
            if len(w) >= n:
                return w
            time.sleep(0.02)
        return self.workers(master)

    def mariadb_pid(self):
        return read_pid(self.path("mariadb.pid"))

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

    # -- database --
    def sql(self, query, database="blog", timeout=30):
        cmd = ["mariadb", "--defaults-file=" + self.path("my.cnf"), "-u" + ADMIN, database, "-N", "-B",
               "-e", query]
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)
        if p.returncode != 0:
            raise RuntimeError("mariadb failed (%d) on %r: %s" % (p.returncode, query, p.stderr.decode(errors="replace")))
        return [tuple(line.split("\t")) for line in p.stdout.decode("utf-8").split("\n") if line]

    def mariadb_ping(self):
        p = subprocess.run(["mariadb-admin", "--defaults-file=" + self.path("my.cnf"), "-u" + ADMIN,
                            "--connect-timeout=1", "ping"], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, timeout=10)
        return p.returncode == 0


def count_contents(st, prefix):
    """{content: times stored} for the comments whose content starts with prefix."""
    assert re.fullmatch(r"[A-Za-z0-9_-]+", prefix)
    rows = st.sql("SELECT content, COUNT(*) FROM comment WHERE content LIKE '%s%%' GROUP BY content" % prefix)
    return {r[0]: int(r[1]) for r in rows}


# ---------------------------------------------------------------------------
# HTTP over raw sockets (keep-alive, HTTP/1.1, chunked or Content-Length)
# ---------------------------------------------------------------------------


class HTTPError(Exception):
    """A transport failure; kind is one of connect, closed, truncated, reset, timeout."""

    def __init__(self, kind, detail=""):
        super().__init__("%s: %s" % (kind, detail))
        self.kind = kind


class Resp:
    __slots__ = ("status", "headers", "body", "cookies")

    def __init__(self, status, headers, body, cookies):
        self.status, self.headers, self.body, self.cookies = status, headers, body, cookies

    @property
    def text(self):
        return self.body.decode("utf-8", errors="replace")


class Conn:
    def __init__(self, port, timeout=15):
        self.port = port
        self.timeout = timeout
        self.sock = None
        self.buf = b""

    def close(self):
        if self.sock:
            try:
                self.sock.close()
            except OSError:
                pass
        self.sock = None
        self.buf = b""

    def _connect(self):
        try:
            self.sock = socket.create_connection((HOST, self.port), timeout=self.timeout)
            self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError as e:
            self.sock = None
            raise HTTPError("connect", str(e))
        self.buf = b""

    def _recv(self, got_any):
        try:
            d = self.sock.recv(65536)
        except socket.timeout:
            raise HTTPError("timeout")
        except OSError as e:
            raise HTTPError("reset" if got_any else "closed", str(e))
        if not d:
            raise HTTPError("truncated" if got_any else "closed", "EOF")
        self.buf += d

    def send(self, data):
        if self.sock is None:
            self._connect()
        try:
            self.sock.sendall(data)
        except OSError as e:
            self.close()
            raise HTTPError("closed", "send: %s" % e)

    def read_response(self, head=False):
        """Parse one response from the stream; raises HTTPError (and closes) on failure."""
        try:
            return self._read_response(head)
        except HTTPError:
            self.close()
            raise

    def _read_response(self, head):
        started = bool(self.buf)
        while b"\r\n\r\n" not in self.buf:
            self._recv(started or bool(self.buf))
        hdr, _, rest = self.buf.partition(b"\r\n\r\n")
        lines = hdr.decode("latin-1").split("\r\n")
        parts = lines[0].split(" ", 2)
        if len(parts) < 2 or not parts[0].startswith("HTTP/"):
            raise HTTPError("truncated", "bad status line %r" % lines[0])
        status = int(parts[1])
        headers, cookies = {}, []
        for l in lines[1:]:
            k, _, v = l.partition(":")
            k, v = k.strip().lower(), v.strip()
            if k == "set-cookie":
                cookies.append(v)
            headers[k] = v
        self.buf = rest
        body = b""
        if head or status in (204, 304) or 100 <= status < 200:
            pass
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            chunks = []
            while True:
                while b"\r\n" not in self.buf:
                    self._recv(True)
                line, _, self.buf = self.buf.partition(b"\r\n")
                try:
                    size = int(line.split(b";")[0].strip(), 16)
                except ValueError:
                    raise HTTPError("truncated", "bad chunk size %r" % line[:40])
                if size == 0:
                    while b"\r\n" not in self.buf:
                        self._recv(True)
                    # trailers end with an empty line
                    while not self.buf.startswith(b"\r\n"):
                        _, _, self.buf = self.buf.partition(b"\r\n")
                        while b"\r\n" not in self.buf:
                            self._recv(True)
                    self.buf = self.buf[2:]
                    break
                while len(self.buf) < size + 2:
                    self._recv(True)
                chunks.append(self.buf[:size])
                self.buf = self.buf[size + 2:]
            body = b"".join(chunks)
        elif "content-length" in headers:
            n = int(headers["content-length"])
            while len(self.buf) < n:
                self._recv(True)
            body, self.buf = self.buf[:n], self.buf[n:]
        else:  # until close
            while True:
                try:
                    self._recv(True)
                except HTTPError as e:
                    if e.kind == "truncated":
                        break
                    raise
            body, self.buf = self.buf, b""
            headers["connection"] = "close"
        if headers.get("connection", "").lower() == "close":
            self.close()
        return Resp(status, headers, body, cookies)

    def request(self, method, path, headers=None, body=None):
        """One request on the kept-alive connection (reconnecting if it was closed)."""
        req = build_request(method, path, headers, body)
        self.send(req)
        return self.read_response(head=(method == "HEAD"))


def build_request(method, path, headers=None, body=None):
    h = ["%s %s HTTP/1.1" % (method, path), "Host: %s" % HOST, "User-Agent: blogd-faults"]
    for k, v in (headers or {}).items():
        h.append("%s: %s" % (k, v))
    if body is not None:
        h.append("Content-Length: %d" % len(body))
    return ("\r\n".join(h) + "\r\n\r\n").encode("latin-1") + (body or b"")


def get(port, path, timeout=15, headers=None):
    c = Conn(port, timeout)
    try:
        return c.request("GET", path, headers=headers)
    finally:
        c.close()


def wait_http_ok(port, path="/", timeout=10):
    end = time.monotonic() + timeout
    last = None
    while time.monotonic() < end:
        try:
            r = get(port, path, timeout=5)
            if r.status == 200:
                return r
            last = r.status
        except HTTPError as e:
            last = e
        time.sleep(0.05)
    raise RuntimeError("GET %s did not answer 200 within %ss (last: %s)" % (path, timeout, last))


CSRF_INPUT = re.compile(r'name="csrf" value="([^"]+)"')


class Session:
    """A kept-alive connection with a CSRF cookie and token (GET /1/ first)."""

    def __init__(self, port, timeout=15):
        self.conn = Conn(port, timeout)
        self.cookie = None
        self.token = None

    def prime(self, path="/1/"):
        r = self.conn.request("GET", path, headers=self._hdr())
        for c in r.cookies:
            name, _, rest = c.partition("=")
            if name.strip() == "blogd_csrf":
                self.cookie = rest.split(";")[0].strip()
        m = CSRF_INPUT.search(r.text)
        if m and r.status == 200:
            self.token = m.group(1)
        return r

    def _hdr(self):
        return {"Cookie": "blogd_csrf=" + self.cookie} if self.cookie else {}

    def ready(self):
        return bool(self.cookie and self.token)

    def post_comment(self, post_path, content):
        body = urllib.parse.urlencode([("csrf", self.token), ("content", content)]).encode()
        h = self._hdr()
        h["Content-Type"] = "application/x-www-form-urlencoded"
        return self.conn.request("POST", post_path, headers=h, body=body)


# ---------------------------------------------------------------------------
# Load generator
# ---------------------------------------------------------------------------

GET_PATHS = ("/", "/1/", "/2/", "/comments/")
POST_PATHS = ("/1/", "/2/")


class Rec:
    __slots__ = ("t0", "t1", "method", "path", "status", "error", "content", "rid")

    def __init__(self, t0, t1, method, path, status, error, content=None, rid=None):
        self.t0, self.t1, self.method, self.path = t0, t1, method, path
        self.status, self.error, self.content, self.rid = status, error, content, rid


class LoadResult:
    def __init__(self, recs, started, ended):
        self.recs = recs
        self.started, self.ended = started, ended

    def filter(self, pred):
        return [r for r in self.recs if pred(r)]

    @property
    def total(self):
        return len(self.recs)

    def counts(self, recs=None):
        c = collections.Counter()
        for r in self.recs if recs is None else recs:
            c[str(r.status) if r.error is None else "err:" + r.error] += 1
        return dict(sorted(c.items()))

    def errors(self, recs=None):
        return [r for r in (self.recs if recs is None else recs) if r.error is not None]

    def failed(self, recs=None, ok=(200, 303)):
        """Transport errors and every status outside ok."""
        return [r for r in (self.recs if recs is None else recs) if r.error is not None or r.status not in ok]

    def posts(self):
        return [r for r in self.recs if r.method == "POST"]

    def latency(self):
        lat = sorted(r.t1 - r.t0 for r in self.recs)
        if not lat:
            return "no requests"
        q = lambda p: lat[min(len(lat) - 1, int(p * len(lat)))] * 1000
        return "p50 %.1f ms, p99 %.1f ms, max %.1f ms" % (q(0.5), q(0.99), lat[-1] * 1000)

    def summary(self, label="load"):
        dur = max(1e-9, self.ended - self.started)
        return "%s: %d requests in %.1f s (%.0f req/s); by status %s; latency %s" % (
            label, self.total, dur, self.total / dur, self.counts(), self.latency())


class Load:
    """conns threads, each with one kept-alive connection to nginx, for duration seconds.

    post_ratio: fraction of requests that are comment POSTs (unique content
    prefix-<n>); posts_only: every request after priming is a POST.
    """

    def __init__(self, port, conns=32, duration=10.0, paths=GET_PATHS, post_ratio=0.0,
                 post_paths=POST_PATHS, prefix=None, timeout=15, pace=0.0):
        self.port, self.conns, self.duration = port, conns, duration
        self.paths, self.post_ratio, self.post_paths = paths, post_ratio, post_paths
        self.prefix = prefix or "fault-%d-%s" % (os.getpid(), os.urandom(3).hex())
        self.timeout = timeout
        self.pace = pace  # seconds each connection sleeps between requests
        self.threads = []
        self.results = []
        self.lock = threading.Lock()
        self.counter = 0
        self.stop_flag = threading.Event()
        self.started = self.ended = None

    def _next_content(self):
        with self.lock:
            self.counter += 1
            n = self.counter
        return "%s-%d" % (self.prefix, n)

    def _run(self, idx):
        rnd = random.Random(idx)
        sess = Session(self.port, self.timeout)
        recs = []
        deadline = self.started + self.duration
        i = 0
        while not self.stop_flag.is_set() and time.monotonic() < deadline:
            i += 1
            priming = self.post_ratio > 0 and not sess.ready()
            want_post = not priming and self.post_ratio > 0 and rnd.random() < self.post_ratio
            content = None
            if priming:
                method, path = "GET", "/1/"
            elif want_post:
                method, path, content = "POST", rnd.choice(self.post_paths), self._next_content()
            else:
                method, path = "GET", self.paths[i % len(self.paths)]
            t0 = time.monotonic()
            try:
                if priming:
                    r = sess.prime(path)
                elif method == "POST":
                    r = sess.post_comment(path, content)
                else:
                    r = sess.conn.request("GET", path, headers=sess._hdr())
                recs.append(Rec(t0, time.monotonic(), method, path, r.status, None, content,
                                r.headers.get("x-request-id")))
            except HTTPError as e:
                recs.append(Rec(t0, time.monotonic(), method, path, None, e.kind, content))
                sess.conn.close()
                time.sleep(0.01)
            if self.pace:
                time.sleep(self.pace)
        sess.conn.close()
        with self.lock:
            self.results.extend(recs)

    def start(self):
        self.started = time.monotonic()
        for i in range(self.conns):
            t = threading.Thread(target=self._run, args=(i,), daemon=True)
            t.start()
            self.threads.append(t)
        return self

    def stop(self):
        self.stop_flag.set()

    def join(self):
        for t in self.threads:
            t.join(self.duration + self.timeout + 30)
        self.ended = time.monotonic()
        with self.lock:
            recs = sorted(self.results, key=lambda r: r.t0)
        return LoadResult(recs, self.started, self.ended)


# ---------------------------------------------------------------------------
# Fast GET load in separate processes (pipelined raw sockets), counts only
# ---------------------------------------------------------------------------


def _pipelined_worker(port, paths, total, depth, out, deadline):
    """Send `total` GETs on one connection, `depth` at a time, stopping at `deadline`
    (time.monotonic()); writes repr((statuses, errors)) to out."""
    statuses = collections.Counter()
    errors = 0
    conn = Conn(port, 30)
    reqs = [build_request("GET", p) for p in paths]
    done = 0
    while done < total and time.monotonic() < deadline:
        n = min(depth, total - done)
        try:
            conn.send(b"".join(reqs[(done + k) % len(reqs)] for k in range(n)))
            for _ in range(n):
                r = conn.read_response()
                statuses[r.status] += 1
                done += 1
                if conn.sock is None:  # Connection: close mid-batch: the rest were dropped
                    break
        except HTTPError:
            errors += 1
            conn.close()
            time.sleep(0.01)
            if errors > 1000:
                break
    conn.close()
    os.write(out, (repr((dict(statuses), errors)) + "\n").encode())


def pipelined_gets(port, total, procs=4, depth=16, paths=GET_PATHS, max_seconds=90):
    """Up to `total` GETs spread over `procs` forked processes, for at most max_seconds;
    returns (Counter of status, transport errors, seconds)."""
    r, w = os.pipe()
    per = [total // procs + (1 if i < total % procs else 0) for i in range(procs)]
    pids = []
    t0 = time.monotonic()
    for n in per:
        pid = os.fork()
        if pid == 0:
            os.close(r)
            try:
                _pipelined_worker(port, paths, n, depth, w, t0 + max_seconds)
            finally:
                os._exit(0)
        pids.append(pid)
    os.close(w)
    data = b""
    while True:
        d = os.read(r, 65536)
        if not d:
            break
        data += d
    os.close(r)
    for pid in pids:
        os.waitpid(pid, 0)
    statuses, errors = collections.Counter(), 0
    for line in data.decode().splitlines():
        s, e = eval(line, {}, {})  # our own repr() of a dict and an int
        statuses.update(s)
        errors += e
    return statuses, errors, time.monotonic() - t0


def run_test(name, body):
    """Run body() and report; exceptions count as failures."""
    try:
        body()
    except Exception as e:  # noqa: BLE001 - report anything
        import traceback

        traceback.print_exc()
        _failures.append("exception: %r" % (e,))
    finish(name)
