"""test_health: /_blogd/health says 503 {"status":"fail","database":<reason>} while MariaDB is down and 200 ok again once it is back, the other endpoints answering throughout; and with metrics = off the per-request series are absent while everything else of /_blogd/metrics stays.

Its own private stack (workers = 2, metrics = off, db timeouts 2 s):
  1. metrics = off: after GETs of several pages, /_blogd/metrics parses strictly and passes
     promtool, has every family of the contract but blogd_http_requests_total and
     blogd_http_request_duration_seconds, which have no sample; the status page is complete;
  2. health 200 {"status":"ok","database":"ok"} on both workers;
  3. mariadbd stopped (SIGTERM to the PID of the stack's pid file): every health request is
     503 application/json {"status":"fail","database":"<short reason>"} (not "ok", at most
     200 characters), no-store, within 3 s; ping, status and metrics still 200; pages 503;
  4. MariaDB started again (scripts/stack.sh start, which keeps blogd and nginx): health is
     200 ok again within 10 s on both workers, and status counts db reconnects.
"""
import json
import os
import signal
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import faultlib as fl  # noqa: E402
from harness import ops  # noqa: E402

NAME = "test_health"
CONF = "workers = 2\nmetrics = off\ndb_connect_timeout = 2\ndb_read_timeout = 2\ndb_write_timeout = 2"


def health(st):
    t = time.monotonic()
    r = fl.get(st.port, "/_blogd/health", timeout=15)
    took = time.monotonic() - t
    try:
        doc = json.loads(r.text)
    except ValueError:
        doc = None
    return r, doc, took


def no_store(r):
    return "no-store" in [d.strip().lower() for d in r.headers.get("cache-control", "").split(",")]


def main():
    with fl.Stack("health", conf_extra=CONF) as st:
        fl.check(st.conf_value("metrics") == "off", "blogd.conf ends with metrics = off")
        w = set(st.wait_workers(2))
        for path in ("/", "/1/", "/2/", "/comments/", "/about/", "/nope/"):
            for _ in range(3):
                fl.get(st.port, path)
        r = fl.get(st.port, "/_blogd/metrics")
        fl.check(r.status == 200 and r.headers.get("content-type") == ops.METRICS_CONTENT_TYPE,
                 "metrics = off: /_blogd/metrics still 200 %s" % r.headers.get("content-type"))
        try:
            m = ops.parse_metrics(r.text)
            probs = ops.contract_problems(m, per_request=False) + m.histogram_problems(ops.BUCKETS)
            fl.check(not probs, "metrics = off: every other family, no route series (%s)" % probs[:4])
            fl.check(not m.samples("blogd_http_requests_total")
                     and not m.samples("blogd_http_request_duration_seconds_count"),
                     "no blogd_http_requests_total / duration samples after 18 requests")
            fl.check(m.value("blogd_cache_hits_total") is not None and m.samples("blogd_workers"),
                     "cache and worker series are there")
        except ops.FormatError as e:
            fl.check(False, "metrics = off: the body parses (%s)" % e)
        rc, out = ops.promtool_check(r.body)
        fl.check(rc == 0 and not out.strip(), "promtool check metrics: clean (%s %s)" % (rc, out.strip()[:300]))
        sr = fl.get(st.port, "/_blogd/status")
        st0 = ops.parse_status_text(sr.text)
        fl.check(st0.keys() == list(ops.STATUS_KEYS), "metrics = off: the status page is complete")

        oks = [health(st) for _ in range(6)]
        fl.check(all(r.status == 200 and d == {"status": "ok", "database": "ok"} for r, d, _ in oks),
                 "health with the database up: 200 ok (%s)" % [(r.status, d) for r, d, _ in oks])

        db_pid = st.mariadb_pid()
        st.kill(db_pid, signal.SIGTERM)
        left = fl.wait_gone([db_pid], 30)
        fl.check(not left, "mariadbd stopped")
        fails = [health(st) for _ in range(6)]
        for r, d, took in fails:
            reason = d.get("database") if isinstance(d, dict) else None
            fl.check(r.status == 503 and isinstance(d, dict) and d.get("status") == "fail"
                     and set(d) == {"status", "database"} and isinstance(reason, str)
                     and reason and reason != "ok" and len(reason) <= 200,
                     "health with MariaDB down: 503 {status: fail, database: <reason>} (%d %r)" % (r.status, r.text[:200]))
            fl.check(r.headers.get("content-type", "").startswith("application/json") and no_store(r),
                     "  application/json, no-store (%s, %s)" % (r.headers.get("content-type"),
                                                                r.headers.get("cache-control")))
            fl.check(took < 3.0, "  answered in %.2f s" % took)
        for path in ("/_blogd/ping", "/_blogd/status", "/_blogd/metrics"):
            r = fl.get(st.port, path, timeout=15)
            fl.check(r.status == 200, "%s still 200 with MariaDB down (%d)" % (path, r.status))
        r = fl.get(st.port, "/2/", timeout=15)
        fl.check(r.status == 503, "a page is 503 with MariaDB down (%d)" % r.status)

        out = st.stack_sh("start")
        fl.check("blogd already running" in out, "stack.sh start brought MariaDB back, blogd kept")
        end = time.monotonic() + 10
        back = None
        while time.monotonic() < end:
            got = [health(st) for _ in range(4)]
            if all(r.status == 200 and d == {"status": "ok", "database": "ok"} for r, d, _ in got):
                back = time.monotonic() - (end - 10)
                break
            time.sleep(0.1)
        fl.check(back is not None, "health 200 ok again after MariaDB came back (%s s)" % (back and "%.2f" % back))
        st1 = ops.parse_status_text(fl.get(st.port, "/_blogd/status").text)
        fl.check(st1.int("db reconnects") > st0.int("db reconnects"),
                 "status counts the reconnects (%s -> %s); db errors %s -> %s" % (
                     st0.get("db reconnects"), st1.get("db reconnects"), st0.get("db errors"), st1.get("db errors")))
        fl.check(set(st.workers()) == w, "the same workers throughout")


fl.run_test(NAME, main)
