"""ops: blogd's operator endpoints (/_blogd/status, /_blogd/metrics) read strictly: the status page's text and JSON, the Prometheus text format 0.0.4, promtool, and what /proc says of a stack's processes.

    st = parse_status_text(text)      # Status: .fields (ordered), .procs (the ?full blocks)
    m = parse_metrics(body)           # Metrics; raises FormatError naming the line on any flaw
    problems = m.histogram_problems() + counter_regressions(m_before, m_after)
    rc, out = promtool_check(body)    # `promtool check metrics` (Debian package prometheus)

The parser follows the text format 0.0.4 as Prometheus documents it: every sample belongs
to a family declared by `# TYPE` before its first sample, a family's lines form one group,
no series repeats, label names and escapes are checked, the last line ends with "\\n".
The names of the contract (/work/ops-contract.md) are here too: STATUS_KEYS, ROUTES, ...
"""

import math
import os
import re
import shutil
import subprocess
import time

# The status page's keys, in their order (ops contract, "/_blogd/status").
STATUS_KEYS = (
    "pool", "start time", "start since", "accepted conn", "listen queue", "max listen queue",
    "listen queue len", "idle processes", "active processes", "total processes",
    "max active processes", "max children reached", "slow requests", "restarts crash",
    "restarts recycle", "restarts reload", "restarts timeout", "cache hits", "cache misses",
    "cache evictions", "cache bytes", "db errors", "db reconnects",
)
# Keys whose value may be "-" (text) / null (JSON) when the kernel does not tell.
STATUS_MAYBE_UNKNOWN = ("listen queue", "max listen queue", "listen queue len")
PROC_KEYS = ("pid", "state", "requests", "request method", "request URI", "request duration", "memory")
PROC_STATES = ("Idle", "Reading", "Database", "Render", "Write")

ROUTES = ("index", "post", "comment_add", "comments", "comment_delete", "about", "feed",
          "login_form", "login", "logout", "admin", "post_new_form", "post_new", "post_edit_form",
          "post_edit", "post_delete", "admin_comments", "comment_approve", "error_page",
          "blogd_ping", "blogd_health", "blogd_status", "blogd_metrics", "other")
WORKER_STATES = ("idle", "reading", "database", "render", "write")
RESTART_CAUSES = ("crash", "recycle", "reload", "timeout")
BUCKETS = (0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0,
           math.inf)
METRICS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

# family -> (type, label names every sample has (le aside), allowed values per label or None)
FAMILIES = {
    "blogd_http_requests_total": ("counter", {"route": ROUTES, "code": None}),
    "blogd_http_request_duration_seconds": ("histogram", {"route": ROUTES}),
    "blogd_workers": ("gauge", {"state": WORKER_STATES}),
    "blogd_worker_restarts_total": ("counter", {"cause": RESTART_CAUSES}),
    "blogd_slow_requests_total": ("counter", {}),
    "blogd_max_children_reached_total": ("counter", {}),
    "blogd_listen_queue": ("gauge", {}),
    "blogd_listen_queue_max": ("gauge", {}),
    "blogd_listen_queue_length": ("gauge", {}),
    "blogd_cache_hits_total": ("counter", {}),
    "blogd_cache_misses_total": ("counter", {}),
    "blogd_cache_evictions_total": ("counter", {}),
    "blogd_cache_stores_total": ("counter", {}),
    "blogd_cache_bytes": ("gauge", {}),
    "blogd_db_errors_total": ("counter", {}),
    "blogd_db_reconnects_total": ("counter", {}),
    "process_cpu_seconds_total": ("counter", {}),
    "process_resident_memory_bytes": ("gauge", {}),
    "process_virtual_memory_bytes": ("gauge", {}),
    "process_open_fds": ("gauge", {}),
    "process_start_time_seconds": ("gauge", {}),
    "process_max_fds": ("gauge", {}),
}
# Absent when the kernel does not tell the listen queue; absent with metrics = off.
OPTIONAL_FAMILIES = ("blogd_listen_queue", "blogd_listen_queue_max", "blogd_listen_queue_length")
PER_REQUEST_FAMILIES = ("blogd_http_requests_total", "blogd_http_request_duration_seconds")


class FormatError(Exception):
    """The body breaks the format; the message names the line."""


# ---------------------------------------------------------------------------
# /_blogd/status
# ---------------------------------------------------------------------------

STATUS_LINE = re.compile(r"^([A-Za-z][A-Za-z ]*[A-Za-z]):( +)(\S(?:.*\S)?)$")


class Status:
    def __init__(self):
        self.fields = []   # [(key, value)] of the pool, in order
        self.procs = []    # [{key: value}] one per ?full block, keys in order
        self.columns = set()  # the columns values start at (one, if aligned)

    def get(self, key):
        for k, v in self.fields:
            if k == key:
                return v
        raise KeyError(key)

    def int(self, key):
        return int(self.get(key))

    def keys(self):
        return [k for k, _ in self.fields]


def parse_status_text(text):
    """The text status page (with or without ?full) as a Status; FormatError on any line
    that is not `key: value` or a block separator, and on a repeated key."""
    st = Status()
    if not text.endswith("\n"):
        raise FormatError("the status page does not end with a newline")
    lines = text[:-1].split("\n")
    cur = None
    i = 0
    while i < len(lines):
        line = lines[i]
        if line == "":
            if i + 1 < len(lines) and re.fullmatch(r"\*+", lines[i + 1]):
                cur = {}
                st.procs.append(cur)
                i += 2
                continue
            raise FormatError("line %d: an empty line not followed by a line of '*'" % (i + 1))
        m = STATUS_LINE.match(line)
        if not m:
            raise FormatError("line %d is not 'key: value': %r" % (i + 1, line))
        key, pad, value = m.group(1), m.group(2), m.group(3)
        st.columns.add(len(key) + 1 + len(pad))
        target = cur
        if target is None:
            if key in dict(st.fields):
                raise FormatError("line %d repeats the key %r" % (i + 1, key))
            st.fields.append((key, value))
        else:
            if key in target:
                raise FormatError("line %d repeats the key %r in a process block" % (i + 1, key))
            target[key] = value
        i += 1
    return st


def json_key(text_key):
    return text_key.replace(" ", "_")


def parse_start_time(value):
    """`02/Dec/2026:04:30:00 +0000` -> Unix seconds (int); ValueError otherwise."""
    import datetime

    d = datetime.datetime.strptime(value, "%d/%b/%Y:%H:%M:%S %z")
    return int(d.timestamp())


# ---------------------------------------------------------------------------
# Prometheus text format 0.0.4
# ---------------------------------------------------------------------------

METRIC_NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
LABEL_NAME = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")
TYPES = ("counter", "gauge", "histogram", "summary", "untyped")
FLOAT = re.compile(r"^[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|Inf|inf|NaN|nan)$")


def parse_value(s, where):
    if not FLOAT.match(s):
        raise FormatError("%s: %r is not a float" % (where, s))
    if s.lower().lstrip("+-") == "inf":
        return -math.inf if s.startswith("-") else math.inf
    return float(s)


class Sample:
    __slots__ = ("name", "labels", "value", "line")

    def __init__(self, name, labels, value, line):
        self.name, self.labels, self.value, self.line = name, labels, value, line

    def key(self):
        return (self.name, tuple(sorted(self.labels.items())))

    def __repr__(self):
        return "%s%s %r" % (self.name, self.labels, self.value)


class Family:
    def __init__(self, name):
        self.name = name
        self.type = None
        self.help = None
        self.samples = []

    def sample_names(self):
        if self.type == "histogram":
            return (self.name + "_bucket", self.name + "_sum", self.name + "_count")
        if self.type == "summary":
            return (self.name, self.name + "_sum", self.name + "_count")
        return (self.name,)


class Metrics:
    def __init__(self):
        self.families = {}  # name -> Family, in the order they came
        self.series = {}    # (name, labels) -> Sample

    def value(self, name, **labels):
        """The value of one series, or None when it is absent."""
        s = self.series.get((name, tuple(sorted(labels.items()))))
        return None if s is None else s.value

    def samples(self, name):
        return [s for s in self.series.values() if s.name == name]

    def histogram_problems(self, buckets=None):
        """Histograms whose buckets are not cumulative, lack +Inf, _sum or _count, disagree
        with _count, or (buckets given) have other bounds than those."""
        bad = []
        for fam in self.families.values():
            if fam.type != "histogram":
                continue
            groups = {}
            for s in fam.samples:
                rest = tuple(sorted((k, v) for k, v in s.labels.items() if k != "le"))
                g = groups.setdefault(rest, {"buckets": [], "sum": None, "count": None})
                if s.name.endswith("_bucket"):
                    if "le" not in s.labels:
                        bad.append("%s: a bucket without le (line %d)" % (fam.name, s.line))
                        continue
                    try:
                        le = parse_value(s.labels["le"], "line %d le" % s.line)
                    except FormatError as e:
                        bad.append(str(e))
                        continue
                    g["buckets"].append((le, s.value, s.line))
                elif s.name.endswith("_sum"):
                    g["sum"] = s.value
                else:
                    g["count"] = s.value
            for rest, g in groups.items():
                what = "%s%s" % (fam.name, dict(rest))
                les = [b[0] for b in g["buckets"]]
                if les != sorted(les):
                    bad.append("%s: buckets not in increasing le order (%s)" % (what, les))
                if buckets is not None and sorted(les) != list(buckets):
                    bad.append("%s: bucket bounds %s, not %s" % (what, les, list(buckets)))
                vals = [b[1] for b in sorted(g["buckets"])]
                if any(b < a for a, b in zip(vals, vals[1:])):
                    bad.append("%s: buckets not cumulative (%s)" % (what, vals))
                if math.inf not in les:
                    bad.append("%s: no +Inf bucket" % what)
                if g["count"] is None:
                    bad.append("%s: no _count" % what)
                if g["sum"] is None:
                    bad.append("%s: no _sum" % what)
                inf = [b[1] for b in g["buckets"] if b[0] == math.inf]
                if inf and g["count"] is not None and inf[0] != g["count"]:
                    bad.append("%s: _count %r != +Inf bucket %r" % (what, g["count"], inf[0]))
                if g["sum"] is not None and (g["sum"] < 0 or math.isnan(g["sum"])):
                    bad.append("%s: _sum %r" % (what, g["sum"]))
        return bad


def _parse_labels(s, pos, where):
    """Labels from s[pos] == '{' to its '}'; (dict, position after '}')."""
    labels = {}
    pos += 1
    n = len(s)

    def blanks(p):
        while p < n and s[p] in " \t":
            p += 1
        return p

    pos = blanks(pos)
    while True:
        if pos < n and s[pos] == "}":
            return labels, pos + 1
        m = LABEL_NAME.match(s, pos)
        if not m:
            raise FormatError("%s: a label name expected at column %d" % (where, pos + 1))
        name = m.group(0)
        if name.startswith("__"):
            raise FormatError("%s: label name %r is reserved" % (where, name))
        if name in labels:
            raise FormatError("%s: label %r twice" % (where, name))
        pos = blanks(m.end())
        if pos >= n or s[pos] != "=":
            raise FormatError("%s: '=' expected after label %r" % (where, name))
        pos = blanks(pos + 1)
        if pos >= n or s[pos] != '"':
            raise FormatError("%s: '\"' expected for label %r" % (where, name))
        pos += 1
        out = []
        while True:
            if pos >= n:
                raise FormatError("%s: label %r's value not closed" % (where, name))
            c = s[pos]
            if c == "\\":
                if pos + 1 >= n or s[pos + 1] not in '\\"n':
                    raise FormatError("%s: bad escape in label %r" % (where, name))
                out.append({"\\": "\\", '"': '"', "n": "\n"}[s[pos + 1]])
                pos += 2
            elif c == '"':
                pos += 1
                break
            else:
                out.append(c)
                pos += 1
        labels[name] = "".join(out)
        pos = blanks(pos)
        if pos < n and s[pos] == ",":
            pos = blanks(pos + 1)
        elif pos < n and s[pos] == "}":
            continue
        else:
            raise FormatError("%s: ',' or '}' expected after label %r" % (where, name))


def parse_metrics(text, require_help=True):
    """The Prometheus text format 0.0.4 as Metrics; FormatError on the first flaw."""
    if text and not text.endswith("\n"):
        raise FormatError("the last line does not end with a line feed")
    m = Metrics()
    by_sample_name = {}  # sample name -> family name
    current = None
    done = set()  # families whose group has ended
    for no, line in enumerate(text.split("\n")[:-1] if text else [], 1):
        where = "line %d (%r)" % (no, line[:120])
        if line.strip() == "":
            continue
        if line.startswith("#"):
            parts = line[1:].lstrip(" \t").split(None, 2)
            if len(parts) >= 2 and parts[0] in ("HELP", "TYPE"):
                kind, name = parts[0], parts[1]
                if not METRIC_NAME.fullmatch(name):
                    raise FormatError("%s: bad metric name %r" % (where, name))
                fam = m.families.get(name)
                if fam is None:
                    if name in by_sample_name:
                        raise FormatError("%s: %s of %r after samples of it" % (where, kind, name))
                    fam = m.families[name] = Family(name)
                elif name in done or (current is not fam):
                    raise FormatError("%s: %s of %r outside its group" % (where, kind, name))
                if current is not None and current is not fam:
                    done.add(current.name)
                current = fam
                if kind == "HELP":
                    if fam.help is not None:
                        raise FormatError("%s: a second HELP for %r" % (where, name))
                    fam.help = parts[2] if len(parts) > 2 else ""
                else:
                    if fam.type is not None:
                        raise FormatError("%s: a second TYPE for %r" % (where, name))
                    if fam.samples:
                        raise FormatError("%s: TYPE of %r after its samples" % (where, name))
                    t = parts[2].strip() if len(parts) > 2 else ""
                    if t not in TYPES:
                        raise FormatError("%s: unknown type %r" % (where, t))
                    fam.type = t
                    for sn in fam.sample_names():
                        other = by_sample_name.get(sn)
                        if other and other != name:
                            raise FormatError("%s: sample name %s already belongs to %s" % (where, sn, other))
                        by_sample_name[sn] = name
            continue  # other comments are ignored
        mm = METRIC_NAME.match(line)
        if not mm:
            raise FormatError("%s: a metric name expected" % where)
        name = mm.group(0)
        pos = mm.end()
        labels = {}
        if pos < len(line) and line[pos] == "{":
            labels, pos = _parse_labels(line, pos, where)
        rest = line[pos:]
        if not rest or rest[0] not in " \t":
            raise FormatError("%s: a blank then the value expected after the name/labels" % where)
        fields = rest.split()
        if len(fields) not in (1, 2):
            raise FormatError("%s: value [timestamp] expected, got %r" % (where, rest))
        value = parse_value(fields[0], where)
        if len(fields) == 2 and not re.fullmatch(r"-?\d+", fields[1]):
            raise FormatError("%s: bad timestamp %r" % (where, fields[1]))
        fname = by_sample_name.get(name)
        if fname is None:
            raise FormatError("%s: sample of %r before (or without) a # TYPE of its family" % (where, name))
        fam = m.families[fname]
        if fname in done:
            raise FormatError("%s: %s's lines are not one group" % (where, fname))
        if current is not fam:
            if current is not None:
                done.add(current.name)
            current = fam
        if fam.type == "histogram" and name.endswith("_bucket") and "le" not in labels:
            raise FormatError("%s: a histogram bucket without le" % where)
        if fam.type in ("counter",) and (value < 0 or math.isnan(value)):
            raise FormatError("%s: counter value %r" % (where, value))
        s = Sample(name, labels, value, no)
        if s.key() in m.series:
            raise FormatError("%s: series repeated (first on line %d)" % (where, m.series[s.key()].line))
        m.series[s.key()] = s
        fam.samples.append(s)
    for fam in m.families.values():
        if fam.type is None:
            raise FormatError("family %s has a HELP but no TYPE" % fam.name)
        if require_help and fam.help is None:
            raise FormatError("family %s has no # HELP" % fam.name)
    return m


def contract_problems(m, per_request=True):
    """What the ops contract's families and label sets say, against m: every family (the
    listen-queue ones may be absent; with per_request False the route series must be), its
    type, label names and bounded values."""
    bad = []
    for name, (typ, labels) in FAMILIES.items():
        fam = m.families.get(name)
        if name in PER_REQUEST_FAMILIES and not per_request:
            if fam is not None and fam.samples:
                bad.append("%s present with metrics = off (%d samples)" % (name, len(fam.samples)))
            continue
        if fam is None:
            if name not in OPTIONAL_FAMILIES:
                bad.append("family %s missing" % name)
            continue
        if fam.type != typ:
            bad.append("%s has type %s, not %s" % (name, fam.type, typ))
        for s in fam.samples:
            names = set(s.labels) - ({"le"} if s.name.endswith("_bucket") else set())
            if names != set(labels):
                bad.append("%s line %d: labels %s, not %s" % (s.name, s.line, sorted(s.labels), sorted(labels)))
                continue
            for ln, allowed in labels.items():
                v = s.labels[ln]
                if allowed is not None and v not in allowed:
                    bad.append("%s line %d: %s=%r outside the bounded set" % (s.name, s.line, ln, v))
                if ln == "code" and not re.fullmatch(r"[1-5]\d\d", v):
                    bad.append("%s line %d: code=%r is not a 3-digit status" % (s.name, s.line, v))
            if s.name.endswith("_bucket") and s.labels.get("le") not in [fmt_le(b) for b in BUCKETS] \
                    and not _same_le(s.labels.get("le")):
                bad.append("%s line %d: le=%r not one of the contract's bounds" % (s.name, s.line, s.labels.get("le")))
        if typ in ("counter", "gauge") and not labels and len(fam.samples) != 1:
            bad.append("%s: %d samples, one expected" % (name, len(fam.samples)))
    for name, fam in m.families.items():
        if name not in FAMILIES:
            bad.append("family %s is not in the contract" % name)
    return bad


def fmt_le(b):
    return "+Inf" if b == math.inf else repr(b)


def _same_le(le):
    try:
        v = parse_value(le or "", "le")
    except FormatError:
        return False
    return any(v == b for b in BUCKETS)


def counter_regressions(before, after):
    """Counter series (histograms' buckets, _sum and _count too) present in before that went
    down or vanished in after."""
    bad = []
    for fam in before.families.values():
        if fam.type not in ("counter", "histogram", "summary"):
            continue
        for s in fam.samples:
            if fam.type == "summary" and s.name == fam.name:
                continue  # quantiles may go either way
            v = after.series.get(s.key())
            if v is None:
                bad.append("%s%s vanished" % (s.name, s.labels))
            elif v.value < s.value:
                bad.append("%s%s went down: %r -> %r" % (s.name, s.labels, s.value, v.value))
    return bad


def promtool_check(body):
    """`promtool check metrics` of body: (rc, its output); rc None when promtool is missing."""
    tool = shutil.which("promtool")
    if not tool:
        return None, "promtool not found (Debian package prometheus; scripts/deps.sh)"
    p = subprocess.run([tool, "check", "metrics"], input=body if isinstance(body, bytes) else body.encode(),
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=30)
    return p.returncode, p.stdout.decode(errors="replace")


# ---------------------------------------------------------------------------
# What /proc says of processes (for comparing with the endpoints)
# ---------------------------------------------------------------------------


def boot_time():
    with open("/proc/stat") as f:
        for line in f:
            if line.startswith("btime "):
                return int(line.split()[1])
    raise RuntimeError("no btime in /proc/stat")


def start_time(pid):
    """A process's start as Unix seconds (float), from /proc."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return boot_time() + int(fields[19]) / os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_bytes(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def vsize_bytes(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[20])


def open_fds(pid):
    try:
        return len(os.listdir("/proc/%d/fd" % pid))
    except OSError:
        return 0


def max_fds(pid):
    """The soft limit on open files of pid."""
    with open("/proc/%d/limits" % pid) as f:
        for line in f:
            if line.startswith("Max open files"):
                v = line.split()[3]
                return math.inf if v == "unlimited" else int(v)
    raise RuntimeError("no Max open files for %d" % pid)


def wait_for(pred, timeout, step=0.05):
    """pred() until it is truthy or timeout seconds passed; its last value."""
    end = time.monotonic() + timeout
    while True:
        v = pred()
        if v or time.monotonic() >= end:
            return v
        time.sleep(step)
