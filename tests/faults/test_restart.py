"""Socket activation: a holder keeps the listen socket (as systemd does) while blogd restarts
under load; no request may fail and blogd must never unlink a socket it was given."""
import fcntl
import grp
import os
import pwd
import signal
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import faultlib as fl  # noqa: E402

NAME = "test_restart"

# The child shell learns its own pid ($$) and execs blogd under it, so LISTEN_PID is set in the
# child before exec, exactly as systemd does; the socket is dup2()ed to fd 3 by posix_spawn.
SPAWN_SH = 'LISTEN_PID=$$; LISTEN_FDS=1; LISTEN_FDNAMES=blogd.socket; ' \
           'export LISTEN_PID LISTEN_FDS LISTEN_FDNAMES; exec "$0" -c "$1"'


class Holder:
    """Binds VAR/run/blogd.sock and keeps it open; starts blogd with it as fd 3."""

    def __init__(self, st):
        self.st = st
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.bind(st.sock_path)
        os.chmod(st.sock_path, 0o660)
        if os.geteuid() == 0:  # as systemd's SocketUser= and SocketGroup=: nginx's workers connect
            os.chown(st.sock_path, pwd.getpwnam(st.conf_value("user")).pw_uid,
                     grp.getgrnam(st.conf_value("listen_group")).gr_gid)
        self.sock.listen(1024)
        self.ino = os.stat(st.sock_path).st_ino
        # a descriptor above 3, so that dup2(fd, 3) really copies it (and drops close-on-exec)
        self.fd = fcntl.fcntl(self.sock.fileno(), fcntl.F_DUPFD_CLOEXEC, 10)

    def spawn(self):
        env = {k: v for k, v in os.environ.items() if not k.startswith("LISTEN_")}
        pid = os.posix_spawn("/bin/sh", ["sh", "-c", SPAWN_SH, self.st.bin, self.st.conf], env,
                             file_actions=[(os.POSIX_SPAWN_DUP2, self.fd, 3)], setsid=True)
        self.st.spawned.append(pid)
        return pid

    def path_intact(self):
        try:
            return os.stat(self.st.sock_path).st_ino == self.ino
        except OSError:
            return False

    def close(self):
        os.close(self.fd)
        self.sock.close()
        try:
            os.unlink(self.st.sock_path)
        except OSError:
            pass


def wait_child(pid, timeout):
    """Wait for our own child to exit; returns True if it did."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        p, _ = os.waitpid(pid, os.WNOHANG)
        if p == pid:
            return True
        time.sleep(0.01)
    return False


def main():
    with fl.Stack("restart", conf_extra="workers = 2\nshutdown_timeout = 10") as st:
        # Stop the stack's own blogd; the holder takes over its socket path.
        old = st.master_pid()
        st.kill(old, signal.SIGTERM)
        fl.check(not fl.wait_gone([old], 15), "the stack's own blogd stopped")
        if os.path.exists(st.sock_path):
            os.unlink(st.sock_path)
        holder = Holder(st)
        try:
            run(st, holder)
        finally:
            for pid in st.spawned:
                if fl.alive(pid):
                    os.kill(pid, signal.SIGTERM)
                    wait_child(pid, 15)
            holder.close()


def run(st, holder):
    off = st.log_size()
    pid = holder.spawn()
    workers = st.wait_workers(2, master=pid)
    fl.say("blogd %d started on the held socket, workers %s" % (pid, workers))
    fl.wait_http_ok(st.port, "/", 10)
    fl.check("passed by systemd" in st.log_since(off), "blogd logs that it uses the passed socket")

    load = fl.Load(st.port, conns=32, duration=12).start()
    gaps = []
    for at in (3, 7):
        time.sleep(max(0, load.started + at - time.monotonic()))
        t0 = time.monotonic()
        os.kill(pid, signal.SIGTERM)
        exited = wait_child(pid, 15)
        t_exit = time.monotonic()
        fl.check(exited, "blogd %d exited after SIGTERM (%.2f s)" % (pid, t_exit - t0))
        fl.check(holder.path_intact(), "socket path still there, same inode, after blogd %d exited" % pid)
        pid = holder.spawn()
        w = st.wait_workers(2, master=pid)
        gaps.append(time.monotonic() - t0)
        fl.say("restart: old exited in %.2f s, new blogd %d has workers %s %.2f s after SIGTERM"
               % (t_exit - t0, pid, w, gaps[-1]))
    res = load.join()
    fl.say(res.summary("restart load"))
    failed = res.failed()
    fl.check(res.total > 1000, "load ran (%d requests)" % res.total)
    fl.check(not failed, "0 failed requests across %d restarts (failed: %d %s)"
             % (len(gaps), len(failed), res.counts(failed)))
    st.kill(pid, signal.SIGTERM)
    fl.check(wait_child(pid, 15), "last blogd exited")
    fl.check(holder.path_intact(), "socket path intact after the last blogd exited")
    st.check_log_format()


fl.run_test(NAME, main)
