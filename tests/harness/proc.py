"""proc: processes by PID (from /proc and pid files), free ports, and stopping only what a pid file names."""

import os
import signal
import socket
import time

from . import HOST


def free_port():
    """A TCP port free on 127.0.0.1 right now."""
    return free_ports(1)[0]


def free_ports(n):
    """n distinct free ports (all bound at once, so none repeats)."""
    socks = []
    try:
        for _ in range(n):
            s = socket.socket()
            s.bind((HOST, 0))
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def read_pid(path):
    """The PID a pid file names, or None."""
    try:
        with open(path) as f:
            return int("".join(c for c in f.read() if c.isdigit()) or "0") or None
    except OSError:
        return None


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


def kids(pid):
    """Every child of pid."""
    try:
        with open("/proc/%d/task/%d/children" % (pid, pid)) as f:
            return [int(x) for x in f.read().split()]
    except OSError:
        return []


def children(pid):
    """A blogd master's workers: its children but the watcher (comm "blogd-watcher")."""
    return [k for k in kids(pid) if comm(k) != "blogd-watcher"]


def watcher(pid):
    """A blogd master's watcher process, or None."""
    return next((k for k in kids(pid) if comm(k) == "blogd-watcher"), None)


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


def stop_pid(pid, must_mention, timeout=10.0):
    """SIGTERM pid, then SIGKILL after timeout, but only if its command line mentions
    must_mention (a pid file may outlive its process and its PID be reused)."""
    if not pid or not alive(pid) or must_mention not in cmdline(pid):
        return
    try:
        os.kill(pid, signal.SIGTERM)
        if wait_gone([pid], timeout):
            os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass


def stop_pidfile(path, must_mention, timeout=10.0):
    """stop_pid of the PID the pid file at path names."""
    stop_pid(read_pid(path), must_mention, timeout)
