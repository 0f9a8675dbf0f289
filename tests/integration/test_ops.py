"""test_ops: blogd's operator endpoints (/_blogd/ping, health, status, metrics) answer as the ops contract says, only to nginx's internal location, with values that match the processes and the traffic.

On the shared `main` stack, through nginx on 127.0.0.1 (and straight over FastCGI):
  - ping: 200 text/plain `pong\\n`; health: 200 application/json {"status":"ok","database":"ok"};
    every answer Cache-Control: no-store;
  - status (text, ?json, ?full, ?json&full, ?full&json): the contract's keys in order, values
    aligned in one column; start time = the master's start (from /proc), start since = now
    minus it; idle + active = total = the workers the master runs (its children but the
    watcher) = the `workers` setting; the ?full pids are exactly those children, each state
    Idle but the one serving this very request (GET /_blogd/status, no query string), memory
    near /proc's RSS; accepted conn and the workers' request counts grow by exactly what the
    test sent; the JSON carries the same keys (spaces as _) and the same values;
  - only nginx's /_blogd/ location (which sets BLOGD_INTERNAL) reaches them: another client
    address, headers named like the param (BLOGD-Internal, X-BLOGD-Internal), other spellings
    of the path, and a direct FastCGI request without BLOGD_INTERNAL=1 all get 404 (the last
    in the site's layout), while the same FastCGI request with it gets 200; other methods and
    other paths under /_blogd/ get 404 too;
  - metrics: Content-Type text/plain; version=0.0.4; charset=utf-8, parsed strictly
    (harness/ops.py: TYPE before samples, HELP everywhere, one group per family, no repeated
    series, escapes), every family of the contract with its type and bounded label sets,
    histograms cumulative with the contract's buckets and _count = +Inf, counters monotonic
    across scrapes, and `promtool check metrics` clean; between two scrapes with nothing else
    running, blogd_http_requests_total{route="post",code="200"} and the histogram's count grow
    by exactly the N GETs of /2/ sent, every other series of the family by nothing but the
    first scrape itself; route names for index, about, comments, feed, login_form, a missing
    post (post/404), an unknown path (other/404), a wrong method (other/405) and the /_blogd/
    endpoints; process_* against /proc (start time, max fds, open fds, memory, CPU);
  - conf/nginx-private.conf.in and conf/nginx-site.conf(.in) set BLOGD_INTERNAL in location
    /_blogd/ alone, behind an allow-list that ends in `deny all`.
"""
import json
import math
import os
import socket
import struct
import sys
import threading
import time
import unittest

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import blogtest  # noqa: E402
from harness import client as hclient  # noqa: E402
from harness import ops, proc  # noqa: E402
from harness.stack import Stack  # noqa: E402

OTHER_ADDR = "127.0.0.2"
ENDPOINTS = ("/_blogd/ping", "/_blogd/health", "/_blogd/status", "/_blogd/metrics")


def client(source=None):
    return hclient.Client(blogtest.base_url(), source=source, timeout=15)


def get(path, **kw):
    return client().get(path, **kw)


def stack():
    return Stack(blogtest.test_var())


def master_pid():
    return proc.read_pid(blogtest.env()["BLOGD_PID_FILE"])


def live_workers():
    return sorted(proc.children(master_pid()))


def workers_setting():
    """The worker count blogd runs with: `workers` of its blogd.conf, 0 = two per CPU."""
    n = int(stack().conf_value("workers", "0") or 0)
    return n if n > 0 else None


def status_text(query=""):
    r = get("/_blogd/status" + query)
    assert r.status == 200, r.describe()
    return r, ops.parse_status_text(r.text)


def status_json(query="?json"):
    r = get("/_blogd/status" + query)
    assert r.status == 200, r.describe()
    return r, json.loads(r.text)


def scrape():
    r = get("/_blogd/metrics")
    assert r.status == 200, r.describe()
    return r, ops.parse_metrics(r.text)


def quiet():
    """Lets the last response's bookkeeping land (a worker counts a request as it finishes)."""
    time.sleep(0.3)


def no_store(resp):
    """The response's Cache-Control has the no-store directive (other directives may come with it)."""
    cc = resp.header("Cache-Control") or ""
    return "no-store" in [d.strip().lower() for d in cc.split(",")]


def concurrent_gets(path, threads, each):
    """GET path `each` times from each of `threads` threads started together; the statuses."""
    out = []
    barrier = threading.Barrier(threads)

    def run():
        c = client()
        try:
            barrier.wait(10)
        except threading.BrokenBarrierError:
            pass
        for _ in range(each):
            try:
                out.append(c.get(path).status)
            except OSError as e:
                out.append("error: %s" % e)

    ts = [threading.Thread(target=run) for _ in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join(60)
    return out


def is_layout_404(resp_status, body):
    return resp_status == 404 and b'class="navbar"' in body


# ---------------------------------------------------------------------------
# FastCGI straight to blogd's socket (what nginx would send from another location)
# ---------------------------------------------------------------------------

FCGI_BEGIN_REQUEST, FCGI_END_REQUEST, FCGI_PARAMS, FCGI_STDIN, FCGI_STDOUT = 1, 3, 4, 5, 6


def _record(kind, rid, content=b""):
    return struct.pack(">BBHHBx", 1, kind, rid, len(content), 0) + content


def _nv(name, value):
    def length(n):
        return struct.pack(">B", n) if n < 128 else struct.pack(">I", n | 0x80000000)
    name, value = name.encode(), value.encode()
    return length(len(name)) + length(len(value)) + name + value


def fastcgi_get(uri, extra):
    """One GET over a fresh FastCGI connection with the params nginx's fastcgi_params would
    send for uri (plus extra); (status, head, body)."""
    path, _, query = uri.partition("?")
    host, port = blogtest.host_port()
    params = {"QUERY_STRING": query, "REQUEST_METHOD": "GET", "CONTENT_TYPE": "", "CONTENT_LENGTH": "",
              "SCRIPT_NAME": path, "REQUEST_URI": uri, "DOCUMENT_URI": path, "DOCUMENT_ROOT": "/",
              "SERVER_PROTOCOL": "HTTP/1.1", "REQUEST_SCHEME": "http", "GATEWAY_INTERFACE": "CGI/1.1",
              "SERVER_SOFTWARE": "nginx", "REMOTE_ADDR": "127.0.0.1", "REMOTE_PORT": "40000",
              "SERVER_ADDR": host, "SERVER_PORT": str(port), "SERVER_NAME": "localhost",
              "HTTP_HOST": blogtest.host_header(), "REQUEST_ID": os.urandom(16).hex()}
    params.update(extra)
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(10)
    try:
        s.connect(blogtest.env()["BLOGD_SOCKET"])
        out = _record(FCGI_BEGIN_REQUEST, 1, struct.pack(">HB5x", 1, 0))
        out += _record(FCGI_PARAMS, 1, b"".join(_nv(k, v) for k, v in params.items()))
        out += _record(FCGI_PARAMS, 1) + _record(FCGI_STDIN, 1)
        s.sendall(out)
        buf, stdout = b"", b""
        while True:
            while len(buf) < 8 or len(buf) < 8 + struct.unpack(">H", buf[4:6])[0] + buf[6]:
                chunk = s.recv(65536)
                if not chunk:
                    raise ConnectionError("blogd closed the FastCGI connection")
                buf += chunk
            _, kind, _, length, padding = struct.unpack(">BBHHB", buf[:7])
            content, buf = buf[8:8 + length], buf[8 + length + padding:]
            if kind == FCGI_STDOUT:
                stdout += content
            elif kind == FCGI_END_REQUEST:
                break
    finally:
        s.close()
    head, _, body = stdout.partition(b"\r\n\r\n")
    status = 200
    for line in head.decode("latin-1").split("\r\n"):
        if line.lower().startswith("status:"):
            status = int(line.split(":", 1)[1].split()[0])
    return status, head.decode("latin-1"), body


# ---------------------------------------------------------------------------


class Simple(unittest.TestCase):
    def test_ping(self):
        for _ in range(3):
            r = get("/_blogd/ping")
            self.assertEqual(r.status, 200, r.describe())
            self.assertEqual(r.body, b"pong\n")
            ct = r.header("Content-Type", "")
            self.assertTrue(ct == "text/plain" or ct.startswith("text/plain;"), ct)
            self.assertTrue(no_store(r), "Cache-Control: %r; %s" % (r.header("Cache-Control"), r.describe()))
        print("GET /_blogd/ping: 200 %s, pong, Cache-Control: no-store" % ct)

    def test_health(self):
        r = get("/_blogd/health")
        self.assertEqual(r.status, 200, r.describe())
        ct = r.header("Content-Type", "")
        self.assertTrue(ct == "application/json" or ct.startswith("application/json;"), ct)
        self.assertEqual(json.loads(r.text), {"status": "ok", "database": "ok"}, r.text)
        self.assertTrue(no_store(r), "Cache-Control: %r; %s" % (r.header("Cache-Control"), r.describe()))
        print("GET /_blogd/health: 200 %s %s" % (ct, r.text.strip()))

    def test_no_store_everywhere(self):
        for q in ("", "?full", "?json", "?json&full", "?full&json"):
            r = get("/_blogd/status" + q)
            self.assertEqual(r.status, 200, r.describe())
            self.assertTrue(no_store(r), "Cache-Control: %r; %s" % (r.header("Cache-Control"), "/_blogd/status%s" % q))
        r = get("/_blogd/metrics")
        self.assertTrue(no_store(r), "Cache-Control: %r; %s" % (r.header("Cache-Control"), "/_blogd/metrics"))
        print("every /_blogd/ answer carries Cache-Control: no-store")

    def test_other_paths_and_methods_are_404(self):
        c = client()
        for path in ("/_blogd/", "/_blogd/nope", "/_blogd/pingx", "/_blogd/ping/", "/_blogd/status/",
                     "/_blogd/metrics.txt", "/_blogd/../_blogd/x"):
            r = c.get(path)
            self.assertTrue(is_layout_404(r.status, r.body), "GET %s: %s" % (path, r.describe()))
        for method in ("POST", "PUT", "DELETE", "PATCH"):
            for path in ENDPOINTS:
                r = c.request(method, path, body=b"" if method != "DELETE" else None,
                              headers={"Content-Type": "application/x-www-form-urlencoded"})
                self.assertTrue(is_layout_404(r.status, r.body), "%s %s: %s" % (method, path, r.describe()))
        print("other paths under /_blogd/ and POST/PUT/DELETE/PATCH of the endpoints: 404 in the layout")


class Internal(unittest.TestCase):
    def test_other_address_gets_404(self):
        c = client(OTHER_ADDR)
        headers = [{}, {"BLOGD-Internal": "1"}, {"X-BLOGD-Internal": "1"}, {"Blogd_Internal": "1"},
                   {"X-Forwarded-For": "127.0.0.1", "X-Real-IP": "127.0.0.1"}]
        for path in ENDPOINTS + ("/_blogd/status?json&full",):
            for h in headers:
                r = c.get(path, headers=h)
                self.assertEqual(r.status, 404, "GET %s from %s with %s: %s" % (path, OTHER_ADDR, h, r.describe()))
                for leak in (b"pong", b"pool:", b"blogd_http", b'"database"', b"accepted"):
                    self.assertNotIn(leak, r.body, "GET %s from %s leaks %r" % (path, OTHER_ADDR, leak))
        # The same address may read the blog (the 404 is the allow-list's, not a broken client).
        self.assertEqual(c.get("/").status, 200)
        print("from %s: every endpoint 404 (also with BLOGD-Internal / X-BLOGD-Internal / "
              "X-Forwarded-For headers); / is 200 from there" % OTHER_ADDR)

    def test_header_does_not_mark_a_request_internal(self):
        # From 127.0.0.1 too, paths that nginx sends through `location /` (no param).
        c = client()
        # (/_blogd itself is nginx's 301 to /_blogd/: that location's own redirect.)
        for path in ("/_BLOGD/status", "/_Blogd/ping", "/x/_blogd/status", "/_blogdx/status"):
            for h in ({}, {"BLOGD-Internal": "1"}, {"X-BLOGD-Internal": "1"}):
                r = c.get(path, headers=h)
                self.assertEqual(r.status, 404, "GET %s with %s: %s" % (path, h, r.describe()))
                self.assertNotIn(b"pool:", r.body)
                self.assertNotIn(b"pong", r.body)
        print("paths outside `location /_blogd/` (case, no slash, deeper): 404, headers or not")

    def test_direct_fastcgi_needs_the_param(self):
        # Control: nginx's own param makes it answer, so the 404s below are the param's doing.
        for path in ENDPOINTS:
            status, head, body = fastcgi_get(path, {"BLOGD_INTERNAL": "1"})
            self.assertEqual(status, 200, "FastCGI GET %s with BLOGD_INTERNAL=1: %s\n%s" % (path, head, body[:300]))
        variants = [{}, {"HTTP_BLOGD_INTERNAL": "1"}, {"HTTP_X_BLOGD_INTERNAL": "1"},
                    {"BLOGD_INTERNAL": "0"}, {"BLOGD_INTERNAL": ""}, {"BLOGD_INTERNAL": "11"},
                    {"BLOGD_INTERNAL": "1 "}, {"BLOGD_INTERNAL": "true"}, {"blogd_internal": "1"}]
        for path in ENDPOINTS + ("/_blogd/status?json&full",):
            for extra in variants:
                status, head, body = fastcgi_get(path, extra)
                self.assertTrue(is_layout_404(status, body),
                                "FastCGI GET %s with %s: %d\n%s\n%s" % (path, extra, status, head, body[:300]))
        print("straight over FastCGI: 200 with BLOGD_INTERNAL=1; 404 in the layout without it, "
              "with 0/empty/11/'1 '/true, lower-case, or only HTTP_BLOGD_INTERNAL / HTTP_X_BLOGD_INTERNAL")


def nginx_locations(text):
    """[(location args, the directives directly in it)] of an nginx config (comments dropped)."""
    import re as _re
    text = _re.sub(r"#[^\n]*", "", text)
    out, stack, stmt = [], [], ""
    for ch in text:
        if ch == "{":
            head = stmt.strip()
            stack.append([head, []])
            stmt = ""
        elif ch == "}":
            head, body = stack.pop()
            if head.startswith("location"):
                out.append((head[len("location"):].strip(), body))
            stmt = ""
        elif ch == ";":
            if stack:
                stack[-1][1].append(" ".join(stmt.split()))
            stmt = ""
        else:
            stmt += ch
    return out


class Configs(unittest.TestCase):
    def test_param_set_in_the_internal_location_alone(self):
        conf = os.path.join(blogtest.ROOT, "conf")
        names = sorted(n for n in os.listdir(conf) if n.startswith(("nginx-private.conf", "nginx-site.conf")))
        self.assertTrue(any(n.startswith("nginx-private") for n in names)
                        and any(n.startswith("nginx-site") for n in names),
                        "the private stack's and the production nginx configuration in conf/ (%s)" % names)
        for name in names:
            with open(os.path.join(conf, name)) as f:
                locs = nginx_locations(f.read())
            marked = [(loc, body) for loc, body in locs
                      if any(d.split()[:2] == ["fastcgi_param", "BLOGD_INTERNAL"] for d in body)]
            self.assertEqual([loc for loc, _ in marked], ["/_blogd/"],
                             "%s: BLOGD_INTERNAL is set in location /_blogd/ alone" % name)
            body = marked[0][1]
            self.assertIn("fastcgi_param BLOGD_INTERNAL 1", body, name)
            allows = [d for d in body if d.split()[0] in ("allow", "deny")]
            self.assertTrue(allows and allows[-1] == "deny all" and "allow all" not in allows,
                            "%s: /_blogd/ is an allow-list ending in deny all (%s)" % (name, allows))
            self.assertIn("allow 127.0.0.1", allows, name)
        print("%s: BLOGD_INTERNAL 1 only in location /_blogd/, an allow-list ending in deny all"
              % ", ".join("conf/" + n for n in names))


class StatusPage(unittest.TestCase):
    def check_fields(self, st, full):
        self.assertEqual(st.keys(), list(ops.STATUS_KEYS), "the status keys, in order")
        self.assertEqual(len(st.columns), 1, "values start in one column (%s)" % sorted(st.columns))
        self.assertEqual(st.get("pool"), "blogd")
        for k in ops.STATUS_KEYS[2:]:
            v = st.get(k)
            if k in ops.STATUS_MAYBE_UNKNOWN and v == "-":
                continue
            self.assertRegex(v, r"^\d+$", "%s: %r" % (k, v))
        if full:
            self.assertTrue(st.procs, "?full has process blocks")
            for p in st.procs:
                self.assertEqual(list(p), list(ops.PROC_KEYS), "a process block's keys, in order")

    def test_text_values_match_the_processes(self):
        master = master_pid()
        r, st = status_text()
        now = time.time()
        self.assertTrue(r.header("Content-Type", "").startswith("text/plain"), r.header("Content-Type"))
        self.check_fields(st, False)
        self.assertEqual(st.procs, [], "no process blocks without ?full")
        start = ops.parse_start_time(st.get("start time"))
        real = ops.start_time(master)
        self.assertLessEqual(abs(start - real), 2, "start time %s vs the master's start %s (/proc)"
                             % (st.get("start time"), time.strftime("%d/%b/%Y:%H:%M:%S", time.gmtime(real))))
        self.assertLessEqual(abs(st.int("start since") - (now - real)), 2,
                             "start since %s vs %.1f s" % (st.get("start since"), now - real))
        workers = live_workers()
        total = st.int("total processes")
        self.assertEqual(st.int("idle processes") + st.int("active processes"), total)
        self.assertEqual(total, len(workers), "total processes vs the master's workers %s" % workers)
        want = workers_setting()
        if want:
            self.assertEqual(total, want, "total processes = workers setting")
        else:
            self.assertIn(total, (2 * (os.cpu_count() or 1), 2 * len(os.sched_getaffinity(0))),
                          "workers = 0: two per CPU")
        self.assertEqual(st.int("active processes"), 1, "only the worker serving this request is active")
        self.assertGreaterEqual(st.int("max active processes"), 1)
        lq, mlq, lql = (st.get(k) for k in ("listen queue", "max listen queue", "listen queue len"))
        if lql != "-":
            backlog = int(stack().conf_value("backlog", "1024"))
            with open("/proc/sys/net/core/somaxconn") as f:
                somax = int(f.read())
            self.assertIn(int(lql), (backlog, min(backlog, somax)), "listen queue len = the backlog")
        if lq != "-" and mlq != "-":
            self.assertGreaterEqual(int(mlq), int(lq))
        if lq != "-" and lql != "-":
            self.assertLessEqual(int(lq), int(lql))
        self.assertGreaterEqual(st.int("accepted conn"), 1)
        print("status: %s; start time %s (master started %.1f s ago); %d workers %s; listen queue %s/%s/%s"
              % (r.header("Content-Type"), st.get("start time"), now - real, total, workers, lq, mlq, lql))

    def full_blocks(self, st):
        return {int(p["pid"]): p for p in st.procs}

    def test_full_blocks_are_the_workers(self):
        for attempt in range(5):
            # Concurrent GETs, so that several workers serve one (a worker back from a request
            # is the next to accept: sequential ones all land on the same worker).
            statuses = concurrent_gets("/about/?utm_source=ops%d" % attempt, 2 * len(live_workers()), 3)
            self.assertEqual(set(statuses), {200}, statuses)
            quiet()
            workers = live_workers()
            r, st = status_text("?full")
            self.check_fields(st, True)
            blocks = self.full_blocks(st)
            self.assertEqual(sorted(blocks), workers, "the ?full pids are the master's workers")
            busy = [p for p in blocks.values() if p["state"] != "Idle"]
            for p in blocks.values():
                self.assertIn(p["state"], ops.PROC_STATES)
                self.assertRegex(p["requests"], r"^\d+$")
                self.assertRegex(p["request duration"], r"^\d+$")
                self.assertRegex(p["memory"], r"^\d+$")
                if p["requests"] == "0":
                    self.assertEqual((p["request method"], p["request URI"]), ("-", "-"), p)
                else:
                    self.assertNotEqual(p["request method"], "-", p)
                    self.assertTrue(p["request URI"].startswith("/") and "?" not in p["request URI"],
                                    "request URI is a path without its query string: %r" % p["request URI"])
                    self.assertLess(int(p["request duration"]), 60 * 10 ** 6, p)
                rss = ops.rss_bytes(int(p["pid"]))
                self.assertLessEqual(abs(int(p["memory"]) - rss), max(rss // 4, 4 << 20),
                                     "worker %s memory %s vs VmRSS %d" % (p["pid"], p["memory"], rss))
            self.assertEqual(len(busy), 1, "one worker busy (this request): %s" % busy)
            me = busy[0]
            self.assertEqual((me["request method"], me["request URI"]), ("GET", "/_blogd/status"), me)
            self.assertNotEqual(me["state"], "Idle")
            self.assertLess(int(me["request duration"]), 5 * 10 ** 6, "this request's running time")
            others = [p for p in blocks.values() if p is not me]
            if any(p["request URI"] == "/about/" and p["request method"] == "GET" for p in others):
                break
            print("attempt %d: the worker of the last /about/ also served the status page; again" % attempt)
        else:
            self.fail("no idle worker showed its last request GET /about/ in 5 attempts: %s" % st.procs)
        print("?full: %d blocks = the workers %s; one %s on GET /_blogd/status, the rest Idle; "
              "a worker's last request shown as GET /about/ (query string dropped); memory ~ VmRSS"
              % (len(blocks), workers, me["state"]))

    def test_accepted_and_requests_grow_by_what_was_sent(self):
        n = 9
        for attempt in range(3):
            quiet()
            _, a = status_text("?full")
            for i in range(n):
                self.assertEqual(get("/about/").status, 200)
            quiet()
            _, b = status_text("?full")
            acc = b.int("accepted conn") - a.int("accepted conn")
            same = sorted(self.full_blocks(a)) == sorted(self.full_blocks(b))
            served = sum(int(p["requests"]) for p in b.procs) - sum(int(p["requests"]) for p in a.procs)
            if same:
                break
            print("attempt %d: the workers changed between the two pages; again" % attempt)
        self.assertTrue(same, "the same workers in both pages")
        self.assertEqual(acc, n + 1, "accepted conn grew by the %d GETs and the first status page" % n)
        self.assertEqual(served, n + 1, "the workers' requests grew by %d + 1" % n)
        print("accepted conn +%d and the workers' requests +%d for %d GETs and one status page"
              % (acc, served, n))

    def test_json_forms(self):
        _, text = status_text("?full")
        r, j = status_json("?json")
        self.assertTrue(r.header("Content-Type", "").startswith("application/json"), r.header("Content-Type"))
        self.assertTrue(no_store(r), "Cache-Control: %r; %s" % (r.header("Cache-Control"), ""))
        keys = [ops.json_key(k) for k in ops.STATUS_KEYS]
        self.assertEqual(sorted(j), sorted(keys), "?json's keys")
        self.assertEqual(j["pool"], "blogd")
        for k in keys[1:]:
            v = j[k]
            if k in [ops.json_key(x) for x in ops.STATUS_MAYBE_UNKNOWN] and v is None:
                self.assertEqual(text.get(k.replace("_", " ")), "-", "%s null iff '-' in the text" % k)
                continue
            self.assertTrue(isinstance(v, int) and not isinstance(v, bool), "%s: %r is an integer" % (k, v))
        self.assertEqual(j["start_time"], ops.parse_start_time(text.get("start time")),
                         "start_time = the text's start time as Unix seconds")
        for k in ("pool", "total processes", "restarts crash", "restarts recycle", "restarts reload",
                  "restarts timeout", "listen queue len", "db errors", "db reconnects", "slow requests"):
            tv = text.get(k)
            jv = j[ops.json_key(k)]
            self.assertEqual(tv, "-" if jv is None else str(jv), "%s: text %r, JSON %r" % (k, tv, jv))
        self.assertNotIn("processes", j, "no processes without full")
        self.assertGreater(j["accepted_conn"], text.int("accepted conn"), "accepted grew (not cached)")
        pkeys = {"pid", "state", "requests", "request_method", "request_uri", "request_duration", "memory"}
        workers = live_workers()
        for q in ("?json&full", "?full&json"):
            r, jf = status_json(q)
            self.assertEqual(sorted(jf), sorted(keys + ["processes"]), "%s keys" % q)
            self.assertIsInstance(jf["processes"], list)
            self.assertEqual(sorted(p["pid"] for p in jf["processes"]), workers, "%s pids" % q)
            for p in jf["processes"]:
                self.assertEqual(set(p), pkeys, q)
                for k in ("pid", "requests", "request_duration", "memory"):
                    self.assertTrue(isinstance(p[k], int) and not isinstance(p[k], bool), "%s %s %r" % (q, k, p[k]))
                self.assertIn(p["state"], ops.PROC_STATES)
                self.assertIsInstance(p["request_method"], str)
                self.assertIsInstance(p["request_uri"], str)
            busy = [p for p in jf["processes"] if p["state"] != "Idle"]
            self.assertEqual([(p["request_method"], p["request_uri"]) for p in busy],
                             [("GET", "/_blogd/status")], "%s: only this request's worker busy" % q)
        print("?json, ?json&full, ?full&json: the text's keys with _, integers, start_time %d, "
              "processes = the workers" % j["start_time"])


class MetricsPage(unittest.TestCase):
    def check_one(self, r, m):
        self.assertEqual(r.header("Content-Type"), ops.METRICS_CONTENT_TYPE)
        self.assertTrue(no_store(r), "Cache-Control: %r; %s" % (r.header("Cache-Control"), ""))
        self.assertEqual(ops.contract_problems(m), [], "the contract's families and labels")
        self.assertEqual(m.histogram_problems(ops.BUCKETS), [], "histograms")
        states = {s.labels["state"]: s.value for s in m.samples("blogd_workers")}
        self.assertEqual(sorted(states), sorted(ops.WORKER_STATES), "blogd_workers has every state")
        causes = {s.labels["cause"] for s in m.samples("blogd_worker_restarts_total")}
        self.assertEqual(sorted(causes), sorted(ops.RESTART_CAUSES), "restarts by every cause")
        workers = live_workers()
        self.assertEqual(sum(states.values()), len(workers), "blogd_workers sums to the workers %s" % states)
        self.assertEqual(states["idle"], len(workers) - 1, "all idle but the scrape's worker: %s" % states)
        # Every route's histogram count is its requests summed over codes.
        per_route = {}
        for s in m.samples("blogd_http_requests_total"):
            per_route[s.labels["route"]] = per_route.get(s.labels["route"], 0) + s.value
        counts = {s.labels["route"]: s.value for s in m.samples("blogd_http_request_duration_seconds_count")}
        self.assertEqual(per_route, counts, "histogram _count per route = requests per route")

    def test_format_and_promtool(self):
        r, m = scrape()
        self.check_one(r, m)
        rc, out = ops.promtool_check(r.body)
        self.assertIsNotNone(rc, out)
        self.assertEqual((rc, out.strip()), (0, ""), "promtool check metrics")
        print("metrics: %d families, %d series, parsed strictly; promtool check metrics: clean"
              % (len(m.families), len(m.series)))

    def test_counts_grow_by_exactly_what_was_sent(self):
        n = 13
        quiet()
        ra, a = scrape()
        for _ in range(n):
            r = get("/2/")
            self.assertEqual(r.status, 200)
        quiet()
        rb, b = scrape()
        self.check_one(rb, b)
        self.assertEqual(ops.counter_regressions(a, b), [], "counters monotonic")
        key = "blogd_http_requests_total"
        d = lambda name, **l: (b.value(name, **l) or 0) - (a.value(name, **l) or 0)
        self.assertEqual(d(key, route="post", code="200"), n, "post/200 grew by the %d GETs of /2/" % n)
        self.assertEqual(d("blogd_http_request_duration_seconds_count", route="post"), n)
        dsum = d("blogd_http_request_duration_seconds_sum", route="post")
        self.assertTrue(0 < dsum < n * 5, "the histogram's sum grew by a plausible time (%r s)" % dsum)
        changed = {(s.labels["route"], s.labels["code"]): s.value - (a.value(key, **s.labels) or 0)
                   for s in b.samples(key)}
        changed = {k: v for k, v in changed.items() if v}
        self.assertEqual(changed, {("post", "200"): n, ("blogd_metrics", "200"): 1},
                         "nothing but the GETs of /2/ and the first scrape counted")
        print("between two scrapes: post/200 +%d, its histogram count +%d (sum +%.4f s), "
              "blogd_metrics/200 +1, nothing else" % (n, n, dsum))

    def test_route_names(self):
        expect = {("index", "200"): "/", ("about", "200"): "/about/", ("comments", "200"): "/comments/",
                  ("feed", "200"): "/feed.atom", ("login_form", "200"): "/login",
                  ("post", "404"): "/987654/", ("other", "404"): "/no/such/page/",
                  ("blogd_ping", "200"): "/_blogd/ping", ("blogd_health", "200"): "/_blogd/health",
                  ("blogd_status", "200"): "/_blogd/status"}
        quiet()
        _, a = scrape()
        c = client()
        for (route, code), path in expect.items():
            r = c.get(path)
            self.assertEqual(r.status, int(code), "GET %s" % path)
        r = c.request("DELETE", "/2/")
        self.assertEqual(r.status, 405, r.describe())
        quiet()
        _, b = scrape()
        key = "blogd_http_requests_total"
        changed = {(s.labels["route"], s.labels["code"]): s.value - (a.value(key, **s.labels) or 0)
                   for s in b.samples(key)}
        changed = {k: v for k, v in changed.items() if v}
        want = {k: 1 for k in expect}
        want[("other", "405")] = 1
        want[("blogd_metrics", "200")] = 1
        self.assertEqual(changed, want, "each request counted once under its route and code")
        print("routes counted: %s" % ", ".join("%s/%s" % k for k in sorted(want)))

    def test_process_metrics_match_proc(self):
        master = master_pid()
        quiet()
        r, m = scrape()
        pids = [master] + live_workers()
        w = proc.watcher(master)
        self.assertLessEqual(abs(m.value("process_start_time_seconds") - ops.start_time(master)), 1.5,
                             "process_start_time_seconds = the master's start")
        self.assertEqual(m.value("process_max_fds"), ops.max_fds(master), "process_max_fds = the master's limit")
        fds = sum(ops.open_fds(p) for p in pids)
        wfds = ops.open_fds(w) if w else 0
        self.assertTrue(fds - max(20, fds // 5) <= m.value("process_open_fds") <= fds + wfds + max(20, fds // 5),
                        "process_open_fds %r vs /proc %d (+%d the watcher's)" % (m.value("process_open_fds"), fds, wfds))
        rss = sum(ops.rss_bytes(p) for p in pids)
        wrss = ops.rss_bytes(w) if w else 0
        self.assertTrue(0.7 * rss <= m.value("process_resident_memory_bytes") <= 1.3 * (rss + wrss),
                        "process_resident_memory_bytes %r vs /proc %d (+%d)" % (
                            m.value("process_resident_memory_bytes"), rss, wrss))
        vsz = sum(ops.vsize_bytes(p) for p in pids)
        wvsz = ops.vsize_bytes(w) if w else 0
        self.assertTrue(0.7 * vsz <= m.value("process_virtual_memory_bytes") <= 1.3 * (vsz + wvsz),
                        "process_virtual_memory_bytes %r vs /proc %d" % (m.value("process_virtual_memory_bytes"), vsz))
        cpu = sum(ops.cpu_seconds(p) for p in pids)
        with open("/proc/%d/stat" % master) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        reaped = (int(fields[13]) + int(fields[14])) / os.sysconf("SC_CLK_TCK")
        wcpu = ops.cpu_seconds(w) if w else 0
        v = m.value("process_cpu_seconds_total")
        self.assertTrue(0.8 * cpu - 0.05 <= v <= 1.2 * (cpu + wcpu + reaped) + 0.2,
                        "process_cpu_seconds_total %r vs /proc %.2f (+%.2f watcher, +%.2f reaped)"
                        % (v, cpu, wcpu, reaped))
        print("process_*: start %.0f, max_fds %d, open_fds %d (/proc %d), rss %d (/proc %d), cpu %.2f (/proc %.2f)"
              % (m.value("process_start_time_seconds"), m.value("process_max_fds"), m.value("process_open_fds"),
                 fds, m.value("process_resident_memory_bytes"), rss, v, cpu))


if __name__ == "__main__":
    unittest.main(verbosity=2)
