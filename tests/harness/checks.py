"""checks: expectations recorded as a test goes on (check), reported and turned into its exit status at the end."""

import sys
import traceback

_failures = []


def say(*args):
    print(*args, flush=True)


def check(cond, msg):
    """Record a failed expectation (the test goes on, and fails at the end)."""
    if cond:
        say("  ok: " + msg)
    else:
        say("  FAILED: " + msg)
        _failures.append(msg)
    return cond


def failed():
    return bool(_failures)


def finish(name):
    if _failures:
        say("%s: FAILED (%d):" % (name, len(_failures)))
        for f in _failures:
            say("  - " + f)
        sys.exit(1)
    say("%s: passed" % name)
    sys.exit(0)


def run_test(name, body):
    """Run body() and report; exceptions count as failures."""
    try:
        body()
    except Exception as e:  # noqa: BLE001 - report anything
        traceback.print_exc()
        _failures.append("exception: %r" % (e,))
    finish(name)
