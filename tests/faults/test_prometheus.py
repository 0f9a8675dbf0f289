"""test_prometheus: a real Prometheus (Debian's package) scrapes blogd's /_blogd/metrics and measures the load blogd was given: sum(rate(blogd_http_requests_total{route="post"}[10s])) is within 25% of the 20 GETs of /2/ a second sent.

Its own private stack (workers = 2); Prometheus started by this test alone: its own config
and data directory under $BLOGD_TEST_ROOT, --web.listen-address on a free 127.0.0.1 port,
scrape_interval 1s, the stack's http://127.0.0.1:PORT/_blogd/metrics as the one target; no
service, nothing system-wide. Checked through its HTTP API (/api/v1/...): the target is up
with no scrape error (Prometheus' own parser took every scrape), the rate over a 10 s
window inside the ~16 s of paced load matches the load the test measured itself (and the
contract's 20/s +-25%), and histogram_quantile over the duration buckets gives a finite
median. Prometheus is stopped by its PID however the test ends.
"""
import json
import os
import shutil
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import faultlib as fl  # noqa: E402

NAME = "test_prometheus"
RATE = 20.0        # requests a second
LOAD_SECONDS = 16  # the query window (10 s) and a margin fit in it
WINDOW = 10


class Prometheus:
    """Debian's prometheus binary, run privately on 127.0.0.1:port with scrape_interval 1s."""

    def __init__(self, base, target_port):
        self.base = base
        self.port = fl.free_port()
        self.target_port = target_port
        self.proc = None
        self.logf = None

    @property
    def url(self):
        return "http://127.0.0.1:%d" % self.port

    def start(self):
        binary = shutil.which("prometheus")
        if not binary:
            raise RuntimeError("prometheus not installed (Debian package prometheus: scripts/deps.sh)")
        shutil.rmtree(self.base, ignore_errors=True)
        os.makedirs(os.path.join(self.base, "data"))
        conf = os.path.join(self.base, "prometheus.yml")
        with open(conf, "w") as f:
            f.write("global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n  evaluation_interval: 1s\n"
                    "scrape_configs:\n  - job_name: blogd\n    metrics_path: /_blogd/metrics\n"
                    "    static_configs:\n      - targets: ['127.0.0.1:%d']\n" % self.target_port)
        self.logf = open(os.path.join(self.base, "prometheus.log"), "wb")
        self.proc = subprocess.Popen(
            [binary, "--config.file=" + conf, "--storage.tsdb.path=" + os.path.join(self.base, "data"),
             "--web.listen-address=127.0.0.1:%d" % self.port, "--storage.tsdb.retention.time=1h"],
            stdout=self.logf, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
        fl.say("prometheus pid %d on %s, scraping 127.0.0.1:%d/_blogd/metrics"
               % (self.proc.pid, self.url, self.target_port))
        end = time.monotonic() + 30
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                raise RuntimeError("prometheus exited (%d): %s" % (self.proc.returncode, self.log_tail()))
            try:
                with urllib.request.urlopen(self.url + "/-/ready", timeout=2) as r:
                    if r.status == 200:
                        return self
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError("prometheus not ready within 30 s: %s" % self.log_tail())

    def log_tail(self):
        try:
            with open(os.path.join(self.base, "prometheus.log"), errors="replace") as f:
                return f.read()[-2000:]
        except OSError:
            return ""

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()  # by its PID: the Popen we started
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        if self.logf:
            self.logf.close()

    def api(self, path, **params):
        q = urllib.parse.urlencode(params)
        with urllib.request.urlopen("%s/api/v1/%s?%s" % (self.url, path, q), timeout=10) as r:
            doc = json.loads(r.read().decode())
        if doc.get("status") != "success":
            raise RuntimeError("prometheus %s: %s" % (path, doc))
        return doc["data"]

    def query(self, expr, at=None):
        """An instant query's vector as [(labels, float)]."""
        params = {"query": expr}
        if at is not None:
            params["time"] = "%.3f" % at
        data = self.api("query", **params)
        if data["resultType"] == "scalar":
            return [({}, float(data["result"][1]))]
        return [(r["metric"], float(r["value"][1])) for r in data["result"]]

    def target(self):
        active = self.api("targets").get("activeTargets", [])
        return active[0] if active else None


def paced_load(port, rate, seconds, out):
    """GET /2/ at `rate` a second on one kept-alive connection; (t, status or error) into out."""
    conn = fl.Conn(port, timeout=10)
    t0 = time.time()
    i = 0
    try:
        while True:
            due = t0 + i / rate
            if due - t0 >= seconds:
                break
            wait = due - time.time()
            if wait > 0:
                time.sleep(wait)
            t = time.time()
            try:
                out.append((t, conn.request("GET", "/2/").status))
            except fl.HTTPError as e:
                out.append((t, "err:" + e.kind))
            i += 1
    finally:
        conn.close()


def main():
    with fl.Stack("prometheus", conf_extra="workers = 2") as st:
        prom = Prometheus(os.path.join(fl.test_root(), "prometheus-%d" % os.getpid()), st.port)
        try:
            prom.start()
            # The target comes up: Prometheus took a scrape of ours.
            end = time.monotonic() + 15
            tgt = None
            while time.monotonic() < end:
                tgt = prom.target()
                if tgt and tgt.get("health") == "up":
                    break
                time.sleep(0.3)
            fl.check(tgt is not None and tgt.get("health") == "up" and not tgt.get("lastError"),
                     "the target is up, no scrape error (%s)" % (
                         {k: tgt.get(k) for k in ("health", "lastError", "scrapeUrl")} if tgt else None))
            time.sleep(2)  # a couple of scrapes before the load
            recs = []
            th = threading.Thread(target=paced_load, args=(st.port, RATE, LOAD_SECONDS, recs))
            t_start = time.time()
            th.start()
            th.join(LOAD_SECONDS + 30)
            t_end = time.time()
            fl.check(not th.is_alive(), "the load finished")
            statuses = {}
            for _, s in recs:
                statuses[s] = statuses.get(s, 0) + 1
            fl.say("load: %d GETs of /2/ in %.1f s (%s)" % (len(recs), t_end - t_start, statuses))
            fl.check(statuses.get(200, 0) == len(recs) and len(recs) >= RATE * LOAD_SECONDS * 0.9,
                     "every GET answered 200 at about %g/s (%d)" % (RATE, len(recs)))
            # The 10 s window ends 2 s before the load did and starts well after it began.
            at = t_end - 2
            fl.check(at - WINDOW >= t_start + 2, "the window lies inside the load")
            time.sleep(3)  # the last scrapes of the window are in
            sent = sum(1 for t, _ in recs if at - WINDOW < t <= at) / WINDOW
            expr = 'sum(rate(blogd_http_requests_total{route="post"}[%ds]))' % WINDOW
            res = prom.query(expr, at)
            got = res[0][1] if res else None
            fl.say("%s at the load's end - 2 s: %s (the test sent %.2f/s in that window)" % (expr, got, sent))
            fl.check(got is not None and abs(got - RATE) <= 0.25 * RATE,
                     "Prometheus' rate %s is within 25%% of %g req/s" % (got, RATE))
            fl.check(got is not None and abs(got - sent) <= 0.25 * sent,
                     "and within 25%% of what was sent in the window (%.2f/s)" % sent)
            for back in (4, 6):
                r2 = prom.query(expr, t_end - back)
                fl.say("  (at the end - %d s: %s)" % (back, r2[0][1] if r2 else None))
            q = ('histogram_quantile(0.5, sum by (le) (rate(blogd_http_request_duration_seconds_bucket'
                 '{route="post"}[%ds])))' % WINDOW)
            med = prom.query(q, at)
            mv = med[0][1] if med else None
            fl.check(mv is not None and 0 < mv <= 1.0, "median duration of /2/ from the buckets: %s s" % mv)
            codes = prom.query('sum by (code) (increase(blogd_http_requests_total{route="post"}[%ds]))'
                               % WINDOW, at)
            fl.check([c[0].get("code") for c in codes] == ["200"], "only code 200 for route post (%s)" % codes)
            tgt = prom.target()
            fl.check(tgt is not None and tgt.get("health") == "up" and not tgt.get("lastError"),
                     "still up, no scrape error after the load (%s)" % (tgt and tgt.get("lastError")))
            up = prom.query('min_over_time(up{job="blogd"}[%ds])' % (LOAD_SECONDS + 4))
            fl.check(up and up[0][1] == 1.0, "every scrape during the load succeeded (min up = %s)" % up)
        finally:
            prom.stop()
            fl.check(prom.proc is None or prom.proc.poll() is not None, "prometheus stopped")
            shutil.rmtree(prom.base, ignore_errors=True)
        st.check_log_format()


fl.run_test(NAME, main)
