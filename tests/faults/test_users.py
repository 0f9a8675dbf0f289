"""Nothing the private stack starts serves as root, even when it is started as root: MariaDB runs
as mysql, nginx's workers as www-data (its master may stay root, as nginx's does), blogd's master,
workers and watcher as nobody, with no capabilities and non-dumpable. blogd's socket is
nobody:www-data 0660, its configuration and CSRF key root:nogroup 0640; pages, static files and a
comment POST work through nginx; a reload (SIGHUP) re-reads everything as nobody; a blogd started
on its own removes its socket and pid file at exit. Started as root with `user` unset, naming
root or an unknown account, blogd refuses to start (exit 1, a clear message) and creates
nothing; `blogd -t` says the same. Not root, everything runs as the invoking user."""
import grp
import os
import pwd
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import faultlib as fl  # noqa: E402

NAME = "test_users"
REFUSE = "blogd: refusing to run as root; set `user` in blogd.conf"
AS_ROOT = os.geteuid() == 0


def status_ids(pid):
    """(uids, gids, groups, CapEff) from /proc/PID/status: real, effective, saved, fs ids."""
    ids = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            k, _, v = line.partition(":")
            ids[k] = v.split()
    return ([int(x) for x in ids["Uid"]], [int(x) for x in ids["Gid"]],
            [int(x) for x in ids.get("Groups", [])], int(ids["CapEff"][0], 16))


def expect_account(label, pid, user, group=None):
    uids, gids, groups, cap = status_ids(pid)
    want_uid = pwd.getpwnam(user).pw_uid
    want_gid = grp.getgrnam(group).gr_gid if group else pwd.getpwnam(user).pw_gid
    fl.check(all(u == want_uid for u in uids) and 0 not in uids,
             "%s %d runs as %s (Uid %s)" % (label, pid, user, uids))
    fl.check(all(g == want_gid for g in gids) and (not AS_ROOT or 0 not in gids + groups),
             "%s %d has group %s (Gid %s, Groups %s)" % (label, pid, group or user, gids, groups))
    if AS_ROOT:
        fl.check(cap == 0, "%s %d has no capabilities (CapEff %x)" % (label, pid, cap))


def owner(path):
    st = os.stat(path)
    return "%s:%s %o" % (pwd.getpwuid(st.st_uid).pw_name, grp.getgrgid(st.st_gid).gr_name,
                         st.st_mode & 0o7777)


def run_blogd(st, args, conf_text, timeout=15):
    conf = st.path("blogd-users.conf")
    with open(conf, "w") as f:
        f.write(conf_text)
    p = subprocess.run([st.bin] + args + ["-c", conf], stdin=subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)
    return p.returncode, (p.stdout + p.stderr).decode(errors="replace").strip()


def accounts(st):
    me = pwd.getpwuid(os.geteuid()).pw_name
    db_user, blogd_user, web_user = ("mysql", "nobody", "www-data") if AS_ROOT else (me, me, me)
    blogd_group = "nogroup" if AS_ROOT else None

    db = st.mariadb_pid()
    expect_account("mariadbd", db, db_user)
    ngx = fl.read_pid(st.path("nginx.pid"))
    nworkers = fl.kids(ngx)
    fl.check(len(nworkers) > 0, "nginx has workers (%s)" % nworkers)
    for w in nworkers:
        expect_account("nginx worker", w, web_user)
    master = st.master_pid()
    workers = st.wait_workers(2)
    watcher = fl.watcher(master)
    fl.check(watcher is not None, "blogd has its watcher")
    expect_account("blogd master", master, blogd_user, blogd_group)
    for w in workers + ([watcher] if watcher else []):
        expect_account("blogd %s" % fl.comm(w), w, blogd_user, blogd_group)
    if AS_ROOT:
        # /proc/PID's files are root's when a process is not dumpable (ptrace and memory closed
        # to the account's other processes).
        for p in [master] + workers:
            fl.check(os.stat("/proc/%d/environ" % p).st_uid == 0, "blogd %d is not dumpable" % p)
        fl.check(owner(st.sock_path) == "nobody:www-data 660", "socket is nobody:www-data 0660 (%s)"
                 % owner(st.sock_path))
        fl.check(owner(st.conf) == "root:nogroup 640", "blogd.conf is root:nogroup 0640 (%s)" % owner(st.conf))
        key = st.path("csrf.secret")
        fl.check(owner(key) == "root:nogroup 640", "csrf.secret is root:nogroup 0640 (%s)" % owner(key))
    log = st.log_text()
    if AS_ROOT:
        fl.check("serving as nobody" in log, "blogd logged whom it serves as")
    fl.check("reloads will fail" not in log and "stays behind" not in log and "cannot" not in log,
             "blogd warned of nothing it could not reach after the drop")
    return master


def pages(st):
    fl.check(fl.get(st.port, "/").status == 200, "GET / through nginx: 200")
    fl.check(fl.get(st.port, "/static/style.css").status == 200, "a static file, served by nginx's workers: 200")
    s = fl.Session(st.port)
    s.prime("/1/")
    r = s.post_comment("/1/", "users-%d" % os.getpid())
    fl.check(r.status == 303, "a comment POST: 303 (%d)" % r.status)
    fl.check(fl.count_contents(st, "users-%d" % os.getpid()), "the comment is stored")
    s.conn.close()


def reload(st, master):
    off = st.log_size()
    old = set(st.workers())
    os.kill(master, signal.SIGHUP)
    end = time.monotonic() + 15
    while time.monotonic() < end and "reloading: starting generation 1" not in st.log_since(off):
        time.sleep(0.05)
    new = []
    while time.monotonic() < end:
        new = [w for w in st.workers() if w not in old]
        if len(new) >= 2:
            break
        time.sleep(0.05)
    text = st.log_since(off)
    fl.check("reloading: starting generation 1" in text, "SIGHUP reloaded (configuration, key and templates re-read)")
    fl.check("refused" not in text and "cannot reopen" not in text, "nothing refused on reload (%r)"
             % [l for l in text.splitlines() if "refused" in l or "cannot" in l][:2])
    for w in new:
        expect_account("reloaded worker", w, "nobody" if AS_ROOT else pwd.getpwuid(os.geteuid()).pw_name,
                       "nogroup" if AS_ROOT else None)
    fl.wait_http_ok(st.port, "/", 10)


def own_exit(st, base):
    """A blogd on its own socket and pid file in run/: it removes both at exit, as nobody."""
    sock, pid_file = st.path("run", "users.sock"), st.path("run", "users.pid")
    conf = st.path("blogd-own.conf")
    with open(conf, "w") as f:
        f.write(base + "\nlisten = unix:%s\npid_file = %s\nlog_file = %s\nworkers = 1\n"
                % (sock, pid_file, st.path("log", "blogd-own.log")))
    proc = subprocess.Popen([st.bin, "-c", conf], stdin=subprocess.DEVNULL)
    st.spawned.append(proc.pid)
    end = time.monotonic() + 10
    while not (os.path.exists(sock) and os.path.exists(pid_file)) and time.monotonic() < end:
        time.sleep(0.02)
    fl.check(os.path.exists(sock) and os.path.exists(pid_file), "a second blogd made its socket and pid file")
    proc.send_signal(signal.SIGTERM)
    rc = proc.wait(20)
    fl.check(rc == 0, "it exited 0 on SIGTERM (%d)" % rc)
    fl.check(not os.path.exists(sock) and not os.path.exists(pid_file),
             "it removed its socket and pid file at exit")


def refusals(st, base):
    sock = st.path("run", "refused.sock")
    tail = "\nlisten = unix:%s\npid_file = %s\nlog_file = %s\n" % (
        sock, st.path("run", "refused.pid"), st.path("log", "refused.log"))
    if AS_ROOT:
        cases = [("user unset", "user =", REFUSE),
                 ("user = root", "user = root", REFUSE),
                 ("an unknown account", "user = no-such-account-blogd", "no such account")]
    else:
        other = "daemon" if pwd.getpwuid(os.geteuid()).pw_name == "nobody" else "nobody"
        cases = [("user = root", "user = root", REFUSE),
                 ("another account", "user = " + other, "only root can become another account")]
    for label, line, message in cases:
        for args in ([], ["-t"]):
            t0 = time.monotonic()
            rc, out = run_blogd(st, args, base + tail + line + "\n")
            what = "blogd %s(%s)" % ("-t " if args else "", label)
            fl.check(rc == 1 and message in out, "%s: exit 1 in %.2f s, saying %r (got %d, %r)"
                     % (what, time.monotonic() - t0, message, rc, out[-200:]))
            fl.check(not os.path.exists(sock) and not os.path.exists(st.path("run", "refused.pid"))
                     and not os.path.exists(st.path("log", "refused.log")),
                     "%s: created no socket, pid file or log" % what)
    rc, out = run_blogd(st, ["-t"], base)
    fl.check(rc == 0 and (not AS_ROOT or "serves as nobody" in out), "blogd -t of the stack's own "
             "configuration passes (%d, %r)" % (rc, out[-200:]))


def main():
    with fl.Stack("users", conf_extra="workers = 2") as st:
        fl.say("%s; stack in %s" % ("as root" if AS_ROOT else "not root", st.var))
        with open(st.conf) as f:
            base = f.read()
        master = accounts(st)
        pages(st)
        reload(st, master)
        own_exit(st, base)
        refusals(st, base)
        st.check_log_format()


fl.run_test(NAME, main)
