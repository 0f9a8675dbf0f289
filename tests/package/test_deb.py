"""The Debian package, built by `make deb` and never installed: lintian without errors; its files, modes, conffiles and maintainer scripts; then its own blogd, templates, static files and migrations serving the tutorial through a private nginx and MariaDB.

The package is extracted (dpkg-deb -x) into $BLOGD_TEST_ROOT/package/root; scripts/stack.sh
starts it there as it starts a checkout's build (BLOGD_BIN, BLOGD_SHARE, BLOGD_CONF_BASE: the
package's blogd.conf with only paths, accounts and the database set by the stack), so
`blogd migrate --seed tutorial` is the package's binary over the package's sql/. Only the
stack's own processes are stopped (by its pid files); the root is deleted at the end.

    python3 tests/package/test_deb.py      (BLOGD_TEST_ROOT, default /tmp/blogd-ctest)
"""
import glob
import os
import re
import shutil
import stat
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from harness import ROOT, proc, test_root  # noqa: E402
from harness.checks import check, failed, run_test, say  # noqa: E402
from harness.client import get  # noqa: E402
from harness.stack import Stack  # noqa: E402

NAME = "test_deb"
DEB_DIR = os.path.join(ROOT, "build", "deb")
HERE = os.path.join(test_root(), "package")
XROOT = os.path.join(HERE, "root")

CONFFILES = {"/etc/blogd/blogd.conf", "/etc/logrotate.d/blogd", "/etc/nginx/sites-available/blogd"}
# path in the package: mode
FILES = {
    "usr/sbin/blogd": 0o755,
    "etc/blogd/blogd.conf": 0o644,  # postinst makes it root:blogd 0640 (checked below)
    "etc/logrotate.d/blogd": 0o644,
    "etc/nginx/sites-available/blogd": 0o644,
    "lib/systemd/system/blogd.service": 0o644,
    "lib/systemd/system/blogd.socket": 0o644,
    "usr/share/blogd/templates/layout.tpl": 0o644,
    "usr/share/blogd/static/style.css": 0o644,
    "usr/share/blogd/static/favicon.ico": 0o644,
    "usr/share/blogd/sql/001_schema.sql": 0o644,
    "usr/share/blogd/sql/seed.sql": 0o644,
    "usr/share/doc/blogd/README.md": 0o644,
    "usr/share/doc/blogd/README.Debian": 0o644,
    "usr/share/doc/blogd/copyright": 0o644,
    "usr/share/doc/blogd/changelog.gz": 0o644,
    "usr/share/man/man8/blogd.8.gz": 0o644,
}
# The keys the stack may set in the package's blogd.conf: paths, accounts, the database, the
# address the feed names (scripts/stack.sh write_blogd_conf).
STACK_KEYS = {"listen", "listen_group", "user", "db_socket", "db_user", "db_password", "db_name",
              "templates", "base_url", "log_file", "pid_file", "csrf_secret_file", "sql_dir",
              "migrate_user"}


def run(cmd, timeout, env=None, **kw):
    """cmd's exit status and output (stdout and stderr together)."""
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=timeout,
                       env=env, **kw)
    return p.returncode, p.stdout.decode(errors="replace")


def conf_values(path):
    """key -> value of a blogd.conf, the last line of a key winning (as blogd reads it)."""
    values = {}
    with open(path) as f:
        for line in f:
            line = line.split("#", 1)[0]
            k, eq, v = line.partition("=")
            if eq:
                values[k.strip()] = v.strip()
    return values


def build():
    """make deb (no unit tests at build time: make test runs them), then the .deb's path."""
    env = dict(os.environ, LINTIAN="0", DEB_BUILD_OPTIONS="nocheck")
    t0 = time.monotonic()
    rc, out = run(["make", "-C", ROOT, "deb"], 600, env=env)
    say("make deb: %.1f s" % (time.monotonic() - t0))
    if not check(rc == 0, "make deb succeeds"):
        say(out[-4000:])
        return None
    debs = glob.glob(os.path.join(DEB_DIR, "blogd_*.deb"))
    check(len(debs) == 1, "make deb leaves one blogd_*.deb in build/deb/ (%s)" % debs)
    return debs[0] if debs else None


def lint(deb):
    rc, out = run(["lintian", deb], 300)
    tags = [l for l in out.splitlines() if re.match(r"^[EWIPX]: ", l)]
    for t in tags:
        say("  lintian: " + t)
    errors = [t for t in tags if t.startswith("E: ")]
    check(rc == 0 and not errors, "lintian: no error (%d tags, %d errors)" % (len(tags), len(errors)))


def check_contents(deb):
    shutil.rmtree(XROOT, ignore_errors=True)
    os.makedirs(XROOT)
    os.chmod(HERE, 0o755)  # the stack's accounts (nobody, www-data) read the extracted files
    control = os.path.join(HERE, "control")
    shutil.rmtree(control, ignore_errors=True)
    for cmd in (["dpkg-deb", "-x", deb, XROOT], ["dpkg-deb", "-e", deb, control]):
        rc, out = run(cmd, 60)
        check(rc == 0, " ".join(cmd[:2]) + " " + out.strip())
    os.chmod(XROOT, 0o755)

    for rel, mode in FILES.items():
        path = os.path.join(XROOT, rel)
        st = os.lstat(path) if os.path.lexists(path) else None
        check(st is not None and stat.S_ISREG(st.st_mode) and stat.S_IMODE(st.st_mode) == mode,
              "/%s: a file, mode %o (%s)" % (rel, mode, "%o" % stat.S_IMODE(st.st_mode) if st else "missing"))
    check(not os.path.exists(os.path.join(XROOT, "etc/nginx/sites-enabled")),
          "the nginx site is not enabled (no sites-enabled/)")

    with open(os.path.join(control, "conffiles")) as f:
        conffiles = set(f.read().split())
    check(conffiles == CONFFILES, "conffiles: %s" % sorted(conffiles))
    rc, info = run(["dpkg-deb", "-f", deb, "Package", "Depends", "Recommends"], 30)
    check(re.search(r"^Depends:.*\badduser\b.*\blibmariadb3\b", info, re.M) is not None,
          "Depends: adduser and the shared libraries (${shlibs:Depends})")
    check(re.search(r"^Recommends:.*\bmariadb-server\b", info, re.M) is not None
          and re.search(r"^Recommends:.*\bnginx\b", info, re.M) is not None,
          "Recommends: mariadb-server, nginx")

    scripts = {}
    for n in ("preinst", "postinst", "prerm", "postrm"):
        p = os.path.join(control, n)
        if os.path.exists(p):
            with open(p) as f:
                scripts[n] = f.read()
    post = scripts.get("postinst", "")
    check(re.search(r"adduser --system --group\b.*--home /var/lib/blogd\b.*--shell /usr/sbin/nologin.* blogd",
                    post.replace("\\\n", " "), re.S) is not None,
          "postinst: a blogd system user and group, home /var/lib/blogd, no login shell")
    check("dpkg-statoverride --list" in post and "chown root:blogd" in post and "chmod 0640" in post,
          "postinst: blogd.conf root:blogd 0640 unless dpkg-statoverride says otherwise")
    purge = scripts.get("postrm", "")
    check("purge" in purge and "deluser --system" in purge and "/var/log/blogd" in purge,
          "postrm: purge removes the log, the state and the account")
    db = [n for n, text in scripts.items() if re.search(r"\bmigrate\b|mariadb|mysql", text)]
    check(not db, "no maintainer script touches a database (%s)" % db)
    lines = post.splitlines()
    # dh_installsystemd --no-enable: an enable only where the unit was enabled before (upgrades)
    enables = [i for i, l in enumerate(lines) if "deb-systemd-helper enable" in l]
    # (deb-systemd-invoke start starts enabled units only; nothing restarts on an upgrade)
    check("deb-systemd-helper" in post and not re.search(r"deb-systemd-invoke (try-)?restart", post)
          and all(i > 0 and "was-enabled" in lines[i - 2] + lines[i - 1] for i in enables),
          "postinst: the units are known to systemd, not enabled, so not started")
    check("deb-systemd-invoke stop" not in scripts.get("preinst", ""),
          "an upgrade does not stop a running blogd (blogd migrate comes first)")
    check(re.search(r'"\$1" = remove .*\n\s*deb-systemd-invoke stop', scripts.get("prerm", "")) is not None,
          "prerm: a remove stops the units")

    conf = conf_values(os.path.join(XROOT, "etc/blogd/blogd.conf"))
    for key, want in (("templates", "/usr/share/blogd/templates"), ("sql_dir", "/usr/share/blogd/sql"),
                      ("log_file", "/var/log/blogd/blogd.log"), ("user", "blogd"),
                      ("listen", "unix:/run/blogd/blogd.sock"), ("comment_delete", "owner")):
        check(conf.get(key) == want, "blogd.conf: %s = %s (%r)" % (key, want, conf.get(key)))
    pid_file = conf.get("pid_file", "")
    with open(os.path.join(XROOT, "lib/systemd/system/blogd.service")) as f:
        unit = f.read()
    check("\nExecStart=/usr/sbin/blogd -c /etc/blogd/blogd.conf\n" in unit,
          "blogd.service runs /usr/sbin/blogd -c /etc/blogd/blogd.conf")
    for line in ("User=blogd", "NoNewPrivileges=yes", "ProtectSystem=strict", "CapabilityBoundingSet=",
                 "SystemCallFilter=@system-service", "LogsDirectory=blogd",
                 "RuntimeDirectory=" + os.path.relpath(os.path.dirname(pid_file), "/run")):
        check("\n%s\n" % line in unit, "blogd.service: " + line)
    check(not re.search(r"@[A-Z_]+@", unit), "blogd.service: no @PLACEHOLDER@ left")
    verify_units()
    with open(os.path.join(XROOT, "etc/logrotate.d/blogd")) as f:
        rot = f.read()
    verify_logrotate(rot)
    for word in ("/var/log/blogd/*.log", "compress", "delaycompress", "missingok", "notifempty", "postrotate"):
        check(re.search(r"(^|\s)%s(\s|$)" % re.escape(word), rot) is not None, "logrotate: " + word)
    check(pid_file and pid_file in rot and "kill -USR1" in rot,
          "logrotate: postrotate sends SIGUSR1 to the master in pid_file (%s)" % pid_file)
    with open(os.path.join(XROOT, "etc/nginx/sites-available/blogd")) as f:
        site = f.read()
    aliases = re.findall(r"^\s*alias\s+(\S+);", site, re.M)
    check(aliases and all(a.startswith("/usr/share/blogd/static/") and
                          os.path.exists(os.path.join(XROOT, a.lstrip("/"))) for a in aliases),
          "the nginx site serves the package's static files (%s)" % aliases)
    return conf


def verify_units():
    """systemd-analyze verify on the units, ExecStart pointed at the extracted binary (the one
    thing it checks that does not exist here): no unknown key, no bad value."""
    if not shutil.which("systemd-analyze"):
        say("  (no systemd-analyze: the units' syntax is not checked)")
        return
    units = os.path.join(HERE, "units")
    os.makedirs(units, exist_ok=True)
    for name in ("blogd.socket", "blogd.service"):
        with open(os.path.join(XROOT, "lib/systemd/system", name)) as f:
            text = f.read().replace("/usr/sbin/blogd", os.path.join(XROOT, "usr/sbin/blogd"))
        with open(os.path.join(units, name), "w") as f:
            f.write(text)
    rc, out = run(["systemd-analyze", "verify", "--man=no", "./blogd.socket", "./blogd.service"], 60,
                  cwd=units)
    check(rc == 0 and not out.strip(), "systemd-analyze verify: the units are valid (%s)" % out.strip())


def verify_logrotate(text):
    """logrotate -d (a dry run: nothing rotated, no script run) over the file, its account
    (which only the package creates) read as root's."""
    if not shutil.which("logrotate"):
        say("  (no logrotate: the logrotate file's syntax is not checked)")
        return
    path = os.path.join(HERE, "logrotate.conf")
    with open(path, "w") as f:
        f.write(text.replace(" blogd blogd\n", " root root\n"))
    rc, out = run(["logrotate", "-d", "-s", os.path.join(HERE, "logrotate.state"), path], 60)
    errors = [l for l in out.splitlines() if l.startswith("error")]
    check(rc == 0 and not errors, "logrotate -d reads the logrotate file (%s)" % errors)


def serve(conf):
    """The extracted blogd, templates, static files and sql/ behind a private stack."""
    xbin = os.path.join(XROOT, "usr/sbin/blogd")
    st = Stack(os.path.join(HERE, "stack"), name="package", seed="tutorial", bin=xbin,
               share=os.path.join(XROOT, "usr/share/blogd"),
               conf_base=os.path.join(XROOT, "etc/blogd/blogd.conf"))
    pids = []
    try:
        st.start()
        master = st.master_pid()
        pids = [master, st.nginx_pid(), st.mariadb_pid()]
        check(master and os.path.realpath("/proc/%d/exe" % master) == xbin,
              "the stack's blogd is the package's (%s)" % xbin)
        with open(st.path("log", "sql.log"), errors="replace") as f:
            sql_log = f.read()
        check("== %s migrate" % xbin in sql_log and st.ints("SELECT COUNT(*) FROM post") == [3]
              and st.ints("SELECT COUNT(*) FROM schema_migrations") == [len(glob.glob(
                  os.path.join(XROOT, "usr/share/blogd/sql/[0-9][0-9][0-9]_*.sql")))],
              "the package's blogd migrate applied the package's sql/ and seeded the tutorial")
        mine = conf_values(st.conf)
        changed = sorted(k for k in set(conf) | set(mine) if conf.get(k) != mine.get(k))
        check(set(changed) <= STACK_KEYS,
              "the stack changed only paths, accounts and the database in the package's blogd.conf (%s)"
              % ", ".join(changed))
        check(mine.get("templates", "").startswith(XROOT) and mine.get("sql_dir", "").startswith(XROOT),
              "templates and sql_dir are the extracted ones")
        for path, want in (("/", ["Post The First", "Post The Second", "Post The Third"]),
                           ("/2/", ["Post The Second", "Comment for the second post",
                                    "Another comment for the second post"]),
                           ("/comments/", ["Comment for the first post", "Another comment for the first post"]),
                           ("/static/style.css", [])):
            r = get(st.port, path)
            body = r.text
            check(r.status == 200 and all(w in body for w in want),
                  "GET %s through nginx: 200 with %s (%d)" % (path, want or "the file", r.status))
    finally:
        rc, out = st.stop()
        check(rc == 0, "the stack stops")
        left = [p for p in pids if p and proc.alive(p)]
        check(pids and not left, "blogd, nginx and MariaDB (%s) are gone (left: %s)" % (pids, left))


def body():
    t0 = time.monotonic()
    try:
        deb = build()
        if not deb:
            return
        lint(deb)
        conf = check_contents(deb)
        serve(conf)
    finally:
        # The extracted package always goes; the stack's logs stay for a failed run.
        shutil.rmtree(XROOT, ignore_errors=True)
        if not failed():
            shutil.rmtree(HERE, ignore_errors=True)
        else:
            say("kept %s for its logs (stack/log)" % HERE)
        say("%s: %.1f s" % (NAME, time.monotonic() - t0))


if __name__ == "__main__":
    run_test(NAME, body)
