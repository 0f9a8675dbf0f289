"""FastCGI over TCP refuses strangers: a blogd master listening on 127.0.0.1 answers a peer in
its allow_from list and closes, unanswered, a connection from any other address (logged, at
most a line a second); the default list is the loopback addresses only."""
import os
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "integration"))
import faultlib as fl  # noqa: E402
from test_fastcgi import FastCGI, params  # noqa: E402

NAME = "test_allow_from"


class TcpFastCGI(FastCGI):
    def __init__(self, port, source="127.0.0.1"):  # pylint: disable=super-init-not-called
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10,
                                             source_address=(source, 0))
        self.buf = b""


def start_tcp_master(st, tag, allow_line):
    """A second blogd master on the stack's database, listening on a TCP port."""
    port = fl.free_port()
    conf = st.path("blogd-%s.conf" % tag)
    with open(st.conf) as f:
        text = f.read()
    text += "\nlisten = 127.0.0.1:%d\npid_file = %s\nlog_file = %s\nworkers = 1\n%s\n" % (
        port, st.path("run", "blogd-%s.pid" % tag), st.path("log", "blogd-%s.log" % tag), allow_line)
    with open(conf, "w") as f:
        f.write(text)
    proc = subprocess.Popen([st.bin, "-c", conf], stdin=subprocess.DEVNULL)
    st.spawned.append(proc.pid)
    end = time.monotonic() + 10
    while time.monotonic() < end:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.05)
    return proc, port, st.path("log", "blogd-%s.log" % tag)


def ask(port, source="127.0.0.1"):
    """(status, None) for an answer, (None, reason) when blogd closed without one."""
    c = TcpFastCGI(port, source)
    try:
        status, _, _ = c.request(params("GET", "/about/"), keep=False)
        return status, None
    except (ConnectionError, OSError) as e:
        return None, str(e)
    finally:
        c.close()


def stop(proc):
    proc.terminate()
    try:
        proc.wait(15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)


def main():
    with fl.Stack("allow", conf_extra="workers = 1") as st:
        # Default allow_from (127.0.0.1, ::1): loopback is served, 127.0.0.2 is a stranger.
        proc, port, log = start_tcp_master(st, "dflt", "")
        try:
            st1, why1 = ask(port)
            fl.check(st1 == 200, "default list: a peer on 127.0.0.1 is answered (%s %s)" % (st1, why1))
            st2, why2 = ask(port, "127.0.0.2")
            fl.check(st2 is None, "default list: a peer on 127.0.0.2 gets no answer (%s)" % why2)
        finally:
            stop(proc)
        # A list that leaves 127.0.0.1 out: refused, logged with the address, at most a line a second.
        proc, port, log = start_tcp_master(st, "strict", "allow_from = 192.0.2.10, 10.0.0.0/8")
        try:
            answers = [ask(port)[0] for _ in range(20)]
            fl.check(all(a is None for a in answers), "a peer outside allow_from never gets an answer")
            time.sleep(0.2)
            with open(log, errors="replace") as f:
                lines = [l for l in f if "refused a FastCGI connection from 127.0.0.1" in l]
            fl.say("log: %s" % (lines[0].strip() if lines else None))
            fl.check(1 <= len(lines) <= 3, "refusals are logged with the peer, at most ~1 line a second (%d)"
                     % len(lines))
        finally:
            stop(proc)
        # A network that holds the peer.
        proc, port, log = start_tcp_master(st, "net", "allow_from = 127.0.0.0/8")
        try:
            fl.check(ask(port, "127.0.0.2")[0] == 200, "127.0.0.0/8 lets 127.0.0.2 in")
        finally:
            stop(proc)
        # A bad list is refused at start.
        bad = subprocess.run([st.bin, "-t", "-c", "/dev/stdin"], input=b"allow_from = 300.1.2.3\n",
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=10)
        out = bad.stdout.decode(errors="replace").strip()
        fl.say("blogd -t with a bad allow_from: %s" % out)
        fl.check(bad.returncode != 0 and "allow_from" in out, "a bad allow_from is refused at start")


fl.run_test(NAME, main)
