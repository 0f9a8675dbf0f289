"""harness: the one Python harness (stdlib only) for blogd's integration, fault and scale tests and `make bench`.

    stack    a private MariaDB + blogd + nginx (scripts/stack.sh), its pid files, database and log
    cluster  a stack of several blogd hosts on a primary and replicas (HOSTS, REPLICAS): each host over
             FastCGI, each server's SQL, replication threads, GTID waits
    proc     processes by PID: alive, children, memory, free ports, stopping what a pid file names
    client   HTTP: a raw kept-alive socket client, a browser-like Client, CSRF form sessions
    htmldoc  HTML parsed into a tree; forms as a browser would send them
    load     bounded HTTP load from threads or forked processes
    checks   check()/finish(): expectations recorded, the test failing at the end
    stats    medians, interleaved rounds, ratios and markdown tables
    ops      the /_blogd/ endpoints read strictly: status text/JSON, Prometheus text 0.0.4, promtool, /proc
    fixture  the ctest fixture: `python3 -m harness.fixture up|down|run ...` (from tests/)

Every stack lives in a directory of its own on 127.0.0.1 and a free port; only the PIDs of
its own pid files (or of processes a test started itself) are ever signalled.
"""

import os

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HOST = "127.0.0.1"


def test_root():
    """Where the test stacks live: $BLOGD_TEST_ROOT (scripts/test.sh sets it), else /tmp/blogd-ctest."""
    return os.environ.get("BLOGD_TEST_ROOT") or "/tmp/blogd-ctest"
