"""faultlib: the fault tests' names for the harness (tests/harness), and their Stack: $BLOGD_TEST_ROOT/faults-<name>.

Every test starts its own private stack on a free port, puts it under a bounded load
through nginx on 127.0.0.1, breaks something, and stops the stack again in a `finally`.
Only processes of that stack are ever signalled, by the PIDs its pid files name.

    with Stack("reload", conf_extra="workers = 2") as st:
        load = Load(st.port, conns=32, duration=10).start()
        ...
        res = load.join()

Environment: BLOGD_BIN (default <repo>/build/blogd), BLOGD_TEST_ROOT (default /tmp/blogd-ctest).
"""

import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from harness import HOST, ROOT, test_root  # noqa: E402,F401
from harness import stack as _stack  # noqa: E402
from harness.checks import check, failed, finish, run_test, say  # noqa: E402,F401
from harness.client import (CSRF_INPUT, Conn, HTTPError, Resp, Session, build_request, get,  # noqa: E402,F401
                            wait_http_ok)
from harness.load import GET_PATHS, POST_PATHS, Load, LoadResult, Rec, pipelined_gets  # noqa: E402,F401
from harness.proc import (alive, children, cmdline, comm, free_port, kids, read_pid, vm_rss_kib,  # noqa: E402,F401
                          wait_gone, watcher)

STACK_SH = os.path.join(ROOT, "scripts", "stack.sh")
LOG_LINE = _stack.LOG_LINE


class Stack(_stack.Stack):
    """A fault test's stack: $BLOGD_TEST_ROOT/faults-<name>, BLOGD_CONF_EXTRA = conf_extra."""

    def __init__(self, name, conf_extra="", keep=False):
        super().__init__(os.path.join(test_root(), "faults-" + name), name=name, conf_extra=conf_extra)
        self.keep = keep


def count_contents(st, prefix):
    """{content: times stored} for the comments whose content starts with prefix."""
    assert re.fullmatch(r"[A-Za-z0-9_-]+", prefix)
    rows = st.sql("SELECT content, COUNT(*) FROM comment WHERE content LIKE '%s%%' GROUP BY content" % prefix)
    return {r[0]: int(r[1]) for r in rows}
