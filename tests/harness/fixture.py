"""fixture: the ctest fixture: start/stop one named private stack, and run a test command against it.

    python3 -m harness.fixture up NAME BLOGD_BIN [plain|asan|valgrind|public]
    python3 -m harness.fixture down NAME [plain|asan|valgrind|public]
    python3 -m harness.fixture run NAME COMMAND...

(from tests/, as tests/CMakeLists.txt runs it). The stack lives in $BLOGD_TEST_ROOT/NAME
(scripts/test.sh sets the root; default /tmp/blogd-ctest) on a free port; a stack left there
by an earlier run is stopped and deleted first. "asan" collects sanitizer reports and
"valgrind" runs one worker under memcheck, both into log/reports/ (see harness.stack); on
"down" any report fails the test. "public" sets the production comment options. `run`
executes COMMAND with BLOGD_TEST_VAR set to the stack's directory (what
tests/integration/blogtest.py reads).
"""

import os
import sys

from . import test_root
from .stack import VARIANTS, Stack

USAGE = "usage: fixture.py up NAME BIN [variant] | down NAME [variant] | run NAME COMMAND..."


def main(argv):
    if len(argv) < 2 or argv[0] not in ("up", "down", "run"):
        print(USAGE, file=sys.stderr)
        return 2
    action, name = argv[0], argv[1]
    var = os.path.join(test_root(), name)
    if action == "run":
        if len(argv) < 3:
            print(USAGE, file=sys.stderr)
            return 2
        os.environ["BLOGD_TEST_VAR"] = var
        os.execvp(argv[2], argv[2:])
    if action == "up":
        if len(argv) < 3:
            print(USAGE, file=sys.stderr)
            return 2
        bin_, variant = argv[2], (argv[3] if len(argv) > 3 else "plain")
    else:
        bin_, variant = None, (argv[2] if len(argv) > 2 else "plain")
    if variant not in VARIANTS:
        print("fixture: unknown variant %r (%s)" % (variant, ", ".join(VARIANTS)), file=sys.stderr)
        return 2
    # The environment's BLOGD_WRAPPER and BLOGD_CONF_EXTRA pass through, as to scripts/stack.sh.
    st = Stack(var, name=name, bin=bin_, variant=variant, keep_wrapper=True)
    if action == "up":
        try:
            st.start(wait=None)
        except RuntimeError as e:
            print(e, file=sys.stderr)
            return 1
        print(st.start_output, end="")
        return 0
    rc, out = st.stop()
    print(out, end="")
    bad = st.check_reports()
    for b in bad:
        print(b, file=sys.stderr)
    return 1 if rc != 0 or bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
