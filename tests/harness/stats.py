"""stats: medians over interleaved rounds, ratios, number formats and markdown tables (the bench's report), and CPU ticks of process trees from /proc."""

import os


def median(values):
    """The median of the numbers given (None when there are none)."""
    v = sorted(x for x in values if x is not None)
    if not v:
        return None
    n = len(v)
    return v[n // 2] if n % 2 else (v[n // 2 - 1] + v[n // 2]) / 2


def ratio(a, b):
    """a / b as "%.2f", "-" when either is missing or b is 0."""
    if a is None or b is None or b == 0:
        return "-"
    return "%.2f" % (a / b)


def ms(us):
    """Microseconds as milliseconds, "%.2f" ("-" when missing)."""
    return "-" if us is None else "%.2f" % (us / 1000)


def num(x):
    """A number rounded to an integer ("-" when missing)."""
    return "-" if x is None else "%.0f" % x


def span(values):
    """"slowest–fastest" of the numbers given, rounded ("-" when there are none)."""
    v = sorted(x for x in values if x is not None)
    return "%.0f–%.0f" % (v[0], v[-1]) if v else "-"


def table(header, aligns, rows):
    """A markdown table: header cells, aligns ("l" or "r" per column), rows of cells."""
    out = ["| " + " | ".join(header) + " |",
           "| " + " | ".join("---:" if a == "r" else "---" for a in aligns) + " |"]
    out += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(out)


class Rounds:
    """Results of runs by name, one entry per measured round (warm-up runs are not kept):
    each a dict of the numbers a run gave (possibly empty: a run without a result)."""

    def __init__(self):
        self.runs = {}

    def add(self, name, fields):
        self.runs.setdefault(name, []).append(fields)

    def values(self, name, key):
        return [r[key] for r in self.runs.get(name, []) if key in r]

    def median(self, name, key):
        return median(self.values(name, key))

    def round_ratios(self, a, b, key):
        """a / b in each round both measured (the rounds are paired: same machine, same
        minute), in round order."""
        ra, rb = self.runs.get(a, []), self.runs.get(b, [])
        return [x[key] / y[key] for x, y in zip(ra, rb) if key in x and y.get(key)]

    def total(self, name, key):
        return sum(self.values(name, key))


def interleaved(rounds, items):
    """(round, item) for rounds 1..rounds, every item once in each round, forward in odd
    rounds and backward in even ones (A B, B A, A B...): a slow drift of the machine then
    touches every item alike, where a fixed order favours the items that run last in a
    warming machine."""
    for r in range(1, rounds + 1):
        for it in (items if r % 2 else list(reversed(items))):
            yield r, it


# --- CPU ticks of process trees --------------------------------------------------------


def snapshot():
    """(busy ticks of the machine, {pid: (ppid, utime + stime)}) from /proc now."""
    with open("/proc/stat") as f:
        cpu = f.readline().split()
    # user nice system idle iowait irq ...: all but idle and iowait
    busy = sum(int(x) for i, x in enumerate(cpu[1:], start=2) if i not in (5, 6))
    procs = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % d) as f:
                s = f.read()
        except OSError:
            continue
        f = s.rsplit(") ", 1)[1].split()
        procs[int(d)] = (int(f[1]), int(f[11]) + int(f[12]))
    return busy, procs


def tree_ticks(before, after, root):
    """CPU ticks root and its descendants (as of `after`) used between two snapshots; None
    for no root."""
    if not root:
        return None
    bprocs, aprocs = before[1], after[1]
    total = 0
    for p, (_, t) in aprocs.items():
        q, hops = p, 0
        while q and q != root and hops < 64:
            q = aprocs[q][0] if q in aprocs else 0
            hops += 1
        if q == root:
            total += t - (bprocs[p][1] if p in bprocs else 0)
    return total


def machine_ticks(before, after):
    return after[0] - before[0]
