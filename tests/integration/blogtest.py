"""blogtest: the integration tests' names for the harness (tests/harness), bound to the stack the ctest fixture started.

The fixture (`python3 -m harness.fixture up NAME ...`, run from tests/) starts a private
MariaDB + blogd + nginx and `fixture run NAME` hands its directory to the test as
$BLOGD_TEST_VAR; everything here reads that stack's stack.env, so a test talks to the stack
exactly as a user and an operator would: HTTP through nginx (Client) and the mariadb
command-line client (sql).

Client behaves like a browser on purpose: it keeps cookies, and `submit` posts every field of
the real <form> found in the page (hidden CSRF token included).
"""

import os
import socket
import sys
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from harness import ROOT  # noqa: E402
from harness import client as _client  # noqa: E402
from harness import stack as _stack  # noqa: E402
from harness.client import Cookie, Headers, Response, parse_raw_response, recv_all  # noqa: E402,F401
from harness.htmldoc import (VOID, Element, Form, escape, find_form, find_forms, parse_html,  # noqa: E402,F401
                             visible_text)
from harness.stack import sql_quote, unique  # noqa: E402,F401

SITE_NAME = "blogd"


def test_var():
    return os.environ.get("BLOGD_TEST_VAR") or "/tmp/blogd-ctest-var"


def load_stack_env(var_dir=None):
    """Return stack.env as a dict (values unquoted as a shell would)."""
    return _stack.load_stack_env(var_dir or test_var())


_ENV = None


def env():
    global _ENV
    if _ENV is None:
        _ENV = load_stack_env()
    return _ENV


def base_url():
    return env()["BLOGD_URL"].rstrip("/")


def host_port():
    """(host, port) of nginx."""
    u = urllib.parse.urlsplit(base_url())
    return u.hostname, u.port or 80


def host_header():
    """The Host header value a browser would send to the stack."""
    return urllib.parse.urlsplit(base_url()).netloc


class Client(_client.Client):
    """harness.client.Client, on this stack's URL unless given another."""

    def __init__(self, url=None, follow=False, timeout=30):
        super().__init__(url or base_url(), follow, timeout)


def raw_http(request_bytes, timeout=10, port=None):
    """Send raw bytes to nginx (this stack's, or the one on 127.0.0.1:port) and return
    everything it sends back until close."""
    return _client.raw_http(("127.0.0.1", port) if port else host_port(), request_bytes, timeout)


def raw_connect(timeout=10):
    return socket.create_connection(host_port(), timeout=timeout)


def raw_request(head, body=b"", shut_write=False, timeout=10, method="GET", url="?"):
    """harness.client.raw_request to this stack's nginx."""
    return _client.raw_request(host_port(), head, body, shut_write, timeout, method, url)


def sql(query, database="blog", header=False):
    """Run SQL through the mariadb client as the stack's admin user.
    Returns a list of tuples of str (NULL -> None); with header=True the
    first tuple holds the column names."""
    return _stack.Stack(test_var()).sql(query, database, header=header, decode=True)


def sql_value(query):
    rows = sql(query)
    return rows[0][0] if rows else None


def blogd_binary():
    """The blogd binary to ask for its SQL (-S): $BLOGD_BIN, else the one the
    stack runs, else <repo>/build/blogd."""
    b = os.environ.get("BLOGD_BIN")
    if b:
        return b
    try:
        with open(env()["BLOGD_PID_FILE"]) as f:
            pid = int(f.read().strip())
        exe = "/proc/%d/exe" % pid
        if "blogd" in os.path.basename(os.readlink(exe)) and os.access(exe, os.X_OK):
            return exe
        # Started under a wrapper (valgrind ...): the blogd path is an argument.
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            for arg in f.read().decode(errors="replace").split("\0"):
                if os.path.basename(arg) == "blogd" and os.access(arg, os.X_OK):
                    return arg
    except (OSError, ValueError, KeyError):
        pass
    return os.path.join(env().get("BLOGD_ROOT", ROOT), "build", "blogd")


def log(*args):
    print(*args, file=sys.stderr)
