"""cluster: a stack of several blogd hosts on a MariaDB primary and its replicas (scripts/stack.sh's HOSTS and REPLICAS, issue 16): each host, each server, replication, each host's own view.

    cl = Cluster(os.path.join(test_root(), "faults-cluster"), hosts=3, replicas=2,
                 conf_extra="replica_max_lag = 1")
    with cl:                                  # scripts/stack.sh start, stop however it ends
        cl.sql("SELECT COUNT(*) FROM comment", server="R2")
        cl.stop_sql_thread("R1")              # replication lag, injected
        cl.host_status(2)["replicas"]         # host 2's /_blogd/status?json, over its own socket
        cl.wait_replicas_caught_up(10)        # MASTER_GTID_WAIT(primary's gtid_binlog_pos)

Names come from $VAR/stack.env (the cluster contract): BLOGD_SOCKET_i, BLOGD_PID_FILE_i,
BLOGD_CONF_i, BLOGD_LOG_i per host, MYSQL_SOCKET_Rj, MYSQL_DEFAULTS_Rj, MARIADB_PID_FILE_Rj
per replica. A host is reached directly over FastCGI on its unix socket (nginx spreads
requests over the hosts and says nothing of which one answered); /_blogd/ asked that way
carries BLOGD_INTERNAL=1, as nginx's location does. Only PIDs that the stack's pid files
name, and whose command line names VAR, are signalled.
"""

import json
import os
import re
import signal
import socket
import struct
import time

from . import proc
from .stack import Stack

FCGI_BEGIN_REQUEST, FCGI_END_REQUEST, FCGI_PARAMS, FCGI_STDIN, FCGI_STDOUT = 1, 3, 4, 5, 6
FCGI_RESPONDER = 1

READ_ONLY_TEXT = "This blog is read-only for the moment"  # the contract's notice


def _record(kind, request_id, content=b""):
    return struct.pack(">BBHHBx", 1, kind, request_id, len(content), 0) + content


def _name_value(name, value):
    def length(n):
        return struct.pack(">B", n) if n < 128 else struct.pack(">I", n | 0x80000000)
    name, value = name.encode(), value.encode()
    return length(len(name)) + length(len(value)) + name + value


def fcgi_request(sock_path, method, uri, query="", headers=None, body=b"", internal=False, timeout=10):
    """One FastCGI request on a new connection to a blogd socket: (status, head, body bytes).
    headers: {"Cookie": ...} as HTTP_* params; internal: BLOGD_INTERNAL=1 (nginx's /_blogd/)."""
    params = {"REQUEST_METHOD": method, "DOCUMENT_URI": uri, "SCRIPT_NAME": uri,
              "QUERY_STRING": query, "REQUEST_URI": uri + ("?" + query if query else ""),
              "SERVER_PROTOCOL": "HTTP/1.1", "GATEWAY_INTERFACE": "CGI/1.1",
              "REMOTE_ADDR": "127.0.0.1", "SERVER_NAME": "127.0.0.1", "HTTP_HOST": "127.0.0.1"}
    for k, v in (headers or {}).items():
        params["HTTP_" + k.upper().replace("-", "_")] = v
    if body:
        params.update(CONTENT_TYPE="application/x-www-form-urlencoded", CONTENT_LENGTH=str(len(body)))
    if internal:
        params["BLOGD_INTERNAL"] = "1"
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout)
    try:
        s.connect(sock_path)
        out = _record(FCGI_BEGIN_REQUEST, 1, struct.pack(">HB5x", FCGI_RESPONDER, 0))
        out += _record(FCGI_PARAMS, 1, b"".join(_name_value(k, v) for k, v in params.items()))
        out += _record(FCGI_PARAMS, 1)
        for i in range(0, len(body), 65535):
            out += _record(FCGI_STDIN, 1, body[i:i + 65535])
        out += _record(FCGI_STDIN, 1)
        s.sendall(out)
        buf, stdout = b"", b""
        while True:
            while len(buf) < 8:
                d = s.recv(65536)
                if not d:
                    raise ConnectionError("blogd closed the FastCGI connection")
                buf += d
            _, kind, _, length, padding = struct.unpack(">BBHHB", buf[:7])
            while len(buf) < 8 + length + padding:
                d = s.recv(65536)
                if not d:
                    raise ConnectionError("blogd closed the FastCGI connection")
                buf += d
            content, buf = buf[8:8 + length], buf[8 + length + padding:]
            if kind == FCGI_STDOUT:
                stdout += content
            elif kind == FCGI_END_REQUEST:
                break
    finally:
        s.close()
    head, _, page = stdout.partition(b"\r\n\r\n")
    m = re.search(rb"(?im)^Status: (\d+)", head)
    status = int(m.group(1)) if m else 200
    return status, head.decode("latin-1"), page


METRIC_LINE = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)")
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def metric_samples(text):
    """{(name, ((label, value), ...)): float} of a Prometheus text page, read leniently (the
    strict reading is harness.ops' and tests/faults/test_prometheus.py's)."""
    out = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        m = METRIC_LINE.match(line)
        if not m:
            continue
        labels = tuple(sorted(LABEL.findall(m.group(2) or "")))
        try:
            out[(m.group(1), labels)] = float(m.group(3))
        except ValueError:
            pass
    return out


def metric_sum(samples, name, **labels):
    """The sum of the samples of name whose labels include labels."""
    want = set(labels.items())
    return sum(v for (n, ls), v in samples.items() if n == name and want <= set(ls))


class Cluster(Stack):
    """A Stack with hosts blogd masters and replicas MariaDB replicas (scripts/stack.sh's
    HOSTS and REPLICAS); every other argument as Stack's."""

    def __init__(self, var, hosts=3, replicas=2, **kw):
        super().__init__(var, hosts=hosts, replicas=replicas, **kw)

    # -- names of stack.env --
    def env_value(self, key):
        e = self.stack_env()
        if key not in e:
            raise RuntimeError("%s/stack.env has no %s (is scripts/stack.sh's cluster mode there?)"
                               % (self.var, key))
        return e[key]

    def host_ids(self):
        return list(range(1, self.hosts + 1))

    def servers(self):
        """"primary", "R1", ... "R<replicas>"."""
        return ["primary"] + ["R%d" % j for j in range(1, self.replicas + 1)]

    def host_socket(self, i):
        return self.env_value("BLOGD_SOCKET_%d" % i)

    def host_conf(self, i):
        return self.env_value("BLOGD_CONF_%d" % i)

    def host_log(self, i):
        return self.env_value("BLOGD_LOG_%d" % i)

    def host_pid(self, i):
        return proc.read_pid(self.env_value("BLOGD_PID_FILE_%d" % i))

    def server_pid(self, server):
        """mariadbd's PID for "primary" or "Rj" (the stack's pid file)."""
        if server in (None, "primary"):
            return proc.read_pid(self.env_value("MARIADB_PID_FILE"))
        return proc.read_pid(self.env_value("MARIADB_PID_FILE_" + server))

    def host_conf_value(self, i, key, default=""):
        value = default
        with open(self.host_conf(i)) as f:
            for line in f:
                k, eq, v = line.partition("=")
                if eq and k.strip() == key and not k.lstrip().startswith("#"):
                    value = v.strip()
        return value

    def host_log_text(self, i):
        try:
            with open(self.host_log(i), encoding="utf-8", errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    # -- signals (only this stack's processes) --
    def kill_host(self, i, sig=signal.SIGKILL):
        """sig to host i's whole process group (master, workers, watcher); the master must
        lead its own group, and that group must not be this test's. Returns the pids it held."""
        master = self.host_pid(i)
        if not master or self.var not in proc.cmdline(master):
            raise RuntimeError("host %d: pid %r is not a blogd master of %s" % (i, master, self.var))
        pgid = os.getpgid(master)
        if pgid != master or pgid == os.getpgrp():
            raise RuntimeError("host %d: master %d is not the leader of its own process group (%d)"
                               % (i, master, pgid))
        members = [master] + proc.kids(master)
        os.killpg(pgid, sig)
        return members

    # -- servers --
    def primary_gtid(self):
        return self.sql("SELECT @@GLOBAL.gtid_binlog_pos")[0][0]

    def gtid_wait(self, server, gtid, timeout):
        """MASTER_GTID_WAIT(gtid, timeout) on a replica: 0 (it has it), -1 (timed out)."""
        rows = self.sql("SELECT MASTER_GTID_WAIT('%s', %s)" % (gtid.replace("'", ""), float(timeout)),
                        server=server, timeout=timeout + 30)
        return int(rows[0][0]) if rows and rows[0][0] not in (None, "NULL") else None

    def wait_replicas_caught_up(self, timeout=10):
        """{replica: (result, seconds)} of MASTER_GTID_WAIT on the primary's position now."""
        gtid = self.primary_gtid()
        out = {}
        for s in self.servers()[1:]:
            t0 = time.monotonic()
            try:
                out[s] = (self.gtid_wait(s, gtid, timeout), time.monotonic() - t0)
            except RuntimeError as e:
                out[s] = ("error: %s" % str(e).strip()[-200:], time.monotonic() - t0)
        return out

    def slave_status(self, server):
        """SHOW SLAVE STATUS of a replica as a dict ({} when it is no replica)."""
        rows = self.sql("SHOW SLAVE STATUS", server=server, header=True, decode=True)
        return dict(zip(rows[0], rows[1])) if len(rows) >= 2 else {}

    def replicating(self, server):
        st = self.slave_status(server)
        return st.get("Slave_IO_Running") == "Yes" and st.get("Slave_SQL_Running") == "Yes"

    def stop_sql_thread(self, server):
        self.sql("STOP SLAVE SQL_THREAD", server=server)

    def start_sql_thread(self, server):
        self.sql("START SLAVE SQL_THREAD", server=server)

    # -- each host's own view, over its socket --
    def fcgi(self, i, method, uri, **kw):
        return fcgi_request(self.host_socket(i), method, uri, **kw)

    def host_status(self, i):
        """Host i's /_blogd/status?json as a dict."""
        status, _, body = self.fcgi(i, "GET", "/_blogd/status", query="json", internal=True)
        if status != 200:
            raise RuntimeError("host %d: /_blogd/status?json answered %d: %r" % (i, status, body[:200]))
        return json.loads(body.decode("utf-8"))

    def host_metrics(self, i):
        """Host i's /_blogd/metrics as metric_samples()."""
        status, _, body = self.fcgi(i, "GET", "/_blogd/metrics", internal=True)
        if status != 200:
            raise RuntimeError("host %d: /_blogd/metrics answered %d" % (i, status))
        return metric_samples(body.decode("utf-8", errors="replace"))

    def all_metrics(self):
        """{host: metric_samples()} of every host that answers ({} for one that does not)."""
        out = {}
        for i in self.host_ids():
            try:
                out[i] = self.host_metrics(i)
            except (OSError, RuntimeError, ConnectionError):
                out[i] = {}
        return out

    def replica_views(self):
        """{host: [replica dicts of its status]} (None for a host that does not answer)."""
        out = {}
        for i in self.host_ids():
            try:
                out[i] = self.host_status(i).get("replicas")
            except (OSError, RuntimeError, ConnectionError, ValueError):
                out[i] = None
        return out

    def wait_usable(self, index, usable, timeout):
        """Seconds until every host says replica index (0-based) is usable (or not), or None."""
        t0 = time.monotonic()
        while time.monotonic() - t0 < timeout:
            views = self.replica_views().values()
            if all(v is not None and len(v) > index and bool(v[index].get("usable")) == usable
                   for v in views):
                return time.monotonic() - t0
            time.sleep(0.05)
        return None
