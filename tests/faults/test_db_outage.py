"""MariaDB outage under light load: 503 with Retry-After in the site layout, quickly, workers stay;
recovery without a blogd restart; KILL CONNECTION of blogd's connections idle and under load.
Also: the X-Request-Id of a 503 appears in blogd.log on an [error] line."""
import os
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import faultlib as fl  # noqa: E402

NAME = "test_db_outage"
CONF = """workers = 4
shutdown_timeout = 10
db_connect_timeout = 2
db_read_timeout = 2
db_write_timeout = 2
retry_after = 7"""
MAX_LATENCY = 3.0  # above every configured db timeout's single wait


def layout_ok(body):
    return 'class="navbar"' in body and "<title>" in body and "blogd" in body


def outage(st):
    master = st.master_pid()
    workers = set(st.wait_workers(4))
    db_pid = st.mariadb_pid()
    fl.say("master %d, workers %s, mariadbd %d" % (master, sorted(workers), db_pid))
    load = fl.Load(st.port, conns=8, duration=30, pace=0.005).start()
    time.sleep(2)
    t_term = time.monotonic()
    st.kill(db_pid, signal.SIGTERM)
    left = fl.wait_gone([db_pid], 30)
    t_down = time.monotonic()
    fl.check(not left, "mariadbd exited %.1f s after SIGTERM" % (t_down - t_term))
    time.sleep(3)  # blogd without a database, under load

    # MariaDB back through stack.sh start, which reuses the running blogd and nginx.
    proc = subprocess.Popen([fl.STACK_SH, "start"], env=st.env(), stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    t_ping = None
    # MariaDB was down without a break from t_down to the start of the last ping that failed
    # (the first successful ping may come well after it is back: blogd may see it first).
    t_known_down = t_down
    while time.monotonic() - t_down < 60 and proc.poll() is None or t_ping is None:
        t_try = time.monotonic()
        if st.mariadb_ping():
            t_ping = time.monotonic()
            break
        t_known_down = t_try
        if time.monotonic() - t_down > 60:
            break
        time.sleep(0.02)
    t_ok = None
    while t_ping is not None and time.monotonic() - t_ping < 10:
        try:
            r = fl.get(st.port, "/", timeout=5)
            if r.status == 200:
                t_ok = time.monotonic()
                break
        except fl.HTTPError:
            pass
        time.sleep(0.02)
    out = proc.communicate(timeout=120)[0].decode(errors="replace")
    time.sleep(1)
    load.stop()
    res = load.join()
    fl.say(res.summary("outage load"))
    fl.say("stack.sh start said: " + " | ".join(l for l in out.splitlines() if l.startswith("stack:")))
    down = res.filter(lambda r: t_down <= r.t0 and r.t1 <= t_known_down)
    fl.say("while MariaDB was down: %s" % res.counts(down))
    fl.check(proc.returncode == 0, "stack.sh start brought MariaDB back")
    fl.check("blogd already running" in out and "nginx already running" in out,
             "stack.sh start reused the running blogd and nginx")
    fl.check(t_ping is not None, "MariaDB answers ping again")
    if t_ping is not None:
        delay = (t_ok - t_ping) if t_ok else None
        fl.say("first 200 %s after MariaDB answered ping" % ("%.3f s" % delay if delay is not None else "never"))
        fl.check(delay is not None and delay <= 1.0, "blogd answers 200 within 1 s of MariaDB's ping")

    fl.check(len(down) > 50, "requests were made during the outage (%d)" % len(down))
    fl.check(all(r.status == 503 for r in down), "every request during the outage got 503 (%s)" % res.counts(down))
    bad = [r for r in res.recs if r.error is not None or r.status not in (200, 503)]
    fl.check(not bad, "nothing but 200 and 503 over the whole outage (%s)" % res.counts(bad))
    slow = [r for r in res.recs if r.t1 - r.t0 >= MAX_LATENCY]
    fl.check(not slow, "every response within %.0f s (slowest %.2f s)"
             % (MAX_LATENCY, max((r.t1 - r.t0 for r in res.recs), default=0)))
    sample = [r for r in down if r.status == 503 and r.rid]
    fl.check(bool(sample), "503 responses carry an X-Request-Id")
    fl.check(st.master_pid() == master and fl.alive(master), "same master pid (no blogd restart)")
    fl.check(set(st.workers()) == workers, "the same workers stayed up (%s -> %s)"
             % (sorted(workers), sorted(st.workers())))
    return sample


def shape_of_503(st, rid_samples):
    log = st.log_text()
    rid = rid_samples[0].rid if rid_samples else None
    lines = [l for l in log.splitlines() if rid and rid in l]
    fl.say("log lines of 503 request %s: %s" % (rid, lines[:3]))
    fl.check(any("[error]" in l for l in lines), "the 503's X-Request-Id appears on an [error] line of blogd.log")
    st.check_log_format()


def direct_503(st):
    """While MariaDB is down, one GET seen whole: Retry-After and the site layout."""
    db_pid = st.mariadb_pid()
    st.kill(db_pid, signal.SIGTERM)
    fl.wait_gone([db_pid], 30)
    t0 = time.monotonic()
    r = fl.get(st.port, "/1/")
    took = time.monotonic() - t0
    fl.say("direct GET /1/ with MariaDB down: %d in %.3f s, Retry-After %r, X-Request-Id %r"
           % (r.status, took, r.headers.get("retry-after"), r.headers.get("x-request-id")))
    fl.check(r.status == 503, "503 while MariaDB is down")
    fl.check(r.headers.get("retry-after") == "7", "Retry-After is the configured retry_after (7)")
    fl.check(layout_ok(r.text), "the 503 page is in the site layout")
    fl.check(took < MAX_LATENCY, "answered within %.0f s" % MAX_LATENCY)
    out = st.stack_sh("start")
    fl.check("blogd already running" in out, "stack.sh start reused blogd again")
    fl.wait_http_ok(st.port, "/", 5)
    return r


def blogd_conn_ids(st):
    return [r[0] for r in st.sql("SELECT id FROM information_schema.processlist WHERE user='blogd'")]


def kill_conns(st):
    n = 0
    for cid in blogd_conn_ids(st):
        try:
            st.sql("KILL CONNECTION %d" % int(cid))
            n += 1
        except RuntimeError:
            pass  # gone meanwhile
    return n


def kill_connections(st):
    # idle
    for p in fl.GET_PATHS:  # make every worker connect
        for _ in range(8):
            fl.get(st.port, p)
    n = kill_conns(st)
    statuses = []
    for _ in range(10):
        for p in fl.GET_PATHS:
            statuses.append(fl.get(st.port, p).status)
    fl.say("killed %d idle blogd connections; next %d GETs: %s" % (n, len(statuses), sorted(set(statuses))))
    fl.check(n >= 1, "blogd had connections to kill")
    fl.check(all(s == 200 for s in statuses), "GETs after KILL CONNECTION of idle connections all 200")

    # under load, with comment POSTs
    prefix = "fault-kill-%d-%s" % (os.getpid(), os.urandom(3).hex())
    load = fl.Load(st.port, conns=8, duration=6, post_ratio=0.3, prefix=prefix).start()
    kills = 0
    while time.monotonic() - load.started < 5.5:
        kills += kill_conns(st)
        time.sleep(0.3)
    res = load.join()
    fl.say(res.summary("kill-connection load"))
    fl.say("killed %d connections under load" % kills)
    gets = res.filter(lambda r: r.method == "GET")
    posts = res.posts()
    stored = fl.count_contents(st, prefix)
    ok_posts = [r for r in posts if r.status == 303]
    err_posts = [r for r in posts if r.status != 303]
    dup = [r.content for r in ok_posts if stored.get(r.content, 0) != 1]
    ghost = [r.content for r in err_posts if stored.get(r.content, 0) != 0]
    fl.say("GETs %s; POSTs %s; stored %d" % (res.counts(gets), res.counts(posts), sum(stored.values())))
    fl.check(all(r.status == 200 for r in gets), "GETs under KILL CONNECTION all 200 (%s)" % res.counts(gets))
    fl.check(not dup, "every 303 POST stored exactly once (%d not: %s)" % (len(dup), dup[:3]))
    fl.check(not ghost, "POSTs answered with an error stored nothing (%d did: %s)" % (len(ghost), ghost[:3]))
    if ghost:
        rid = next(r.rid for r in err_posts if r.content == ghost[0])
        fl.say("log of that POST (%s):" % rid)
        for line in st.log_text().splitlines():
            if rid and rid in line:
                fl.say("    " + line)


def main():
    with fl.Stack("db_outage", conf_extra=CONF) as st:
        samples = outage(st)
        direct_503(st)
        shape_of_503(st, samples)
        kill_connections(st)


fl.run_test(NAME, main)
