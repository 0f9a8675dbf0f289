"""load: bounded HTTP load through nginx: Load (threads, one kept-alive connection each, GETs and CSRF comment POSTs, every request recorded) and pipelined_gets (forked processes, counts only)."""

import collections
import os
import random
import threading
import time

from .client import Conn, HTTPError, Session, build_request

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
