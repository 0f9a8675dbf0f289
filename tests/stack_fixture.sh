#!/usr/bin/env bash
# stack_fixture: ctest fixture starting/stopping one named private stack (MariaDB + blogd + nginx).
#
#   stack_fixture.sh up NAME BLOGD_BIN [plain|asan|valgrind]
#   stack_fixture.sh down NAME [plain|asan|valgrind]
#
# The stack lives in $BLOGD_TEST_ROOT/NAME (scripts/test.sh sets the root; default
# /tmp/blogd-ctest) on a free port. "asan" collects sanitizer reports and "valgrind" runs one
# worker under memcheck, both writing into log/reports/ (blogd's processes write them as the
# account blogd runs as, which owns that folder); on "down" any report fails the test. Both
# turn blogd's seccomp sandbox off: neither ASan nor valgrind runs under its filter.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
action="${1:-}" name="${2:-}"
if [ -z "$action" ] || [ -z "$name" ]; then
  echo "usage: $0 up NAME BIN [variant] | down NAME [variant]" >&2
  exit 2
fi
export VAR="${BLOGD_TEST_ROOT:-/tmp/blogd-ctest}/$name"

variant_env() {
  case "$1" in
  asan)
    export ASAN_OPTIONS="detect_leaks=1:log_path=$VAR/log/reports/asan:abort_on_error=0"
    export UBSAN_OPTIONS="print_stacktrace=1:log_path=$VAR/log/reports/ubsan"
    export BLOGD_CONF_EXTRA="sandbox = off"
    ;;
  valgrind)
    # --vgdb=no: no gdbserver FIFOs in /tmp (made as root, left there once blogd has dropped).
    # memcheck runs the syscalls itself: a seccomp filter would stop valgrind, not blogd.
    export BLOGD_WRAPPER="valgrind --quiet --vgdb=no --leak-check=full --show-leak-kinds=definite --errors-for-leak-kinds=definite --error-exitcode=99 --track-fds=no --log-file=$VAR/log/reports/valgrind.%p"
    export BLOGD_CONF_EXTRA="workers = 1
sandbox = off"
    ;;
  esac
}

check_reports() {
  local bad=0 f
  for f in "$VAR"/log/reports/asan.* "$VAR"/log/reports/ubsan.*; do
    [ -e "$f" ] || continue
    echo "sanitizer report $f:" >&2
    cat "$f" >&2
    bad=1
  done
  for f in "$VAR"/log/reports/valgrind.*; do
    [ -e "$f" ] || continue
    if grep -qE 'ERROR SUMMARY: [1-9]|definitely lost: [1-9]|Invalid (read|write)|uninitialised' "$f"; then
      echo "valgrind report $f:" >&2
      cat "$f" >&2
      bad=1
    fi
  done
  if [ "$1" = valgrind ]; then
    ls "$VAR"/log/reports/valgrind.* >/dev/null 2>&1 || { echo "no valgrind log found" >&2; bad=1; }
  fi
  return "$bad"
}

case "$action" in
up)
  export BLOGD_BIN="${3:?blogd binary}"
  variant_env "${4:-plain}"
  PORT="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  export PORT
  # A stack left over from an earlier run in the same place is stopped first.
  "$ROOT/scripts/stack.sh" stop >/dev/null 2>&1 || true
  rm -rf "$VAR"
  exec "$ROOT/scripts/stack.sh" start
  ;;
down)
  "$ROOT/scripts/stack.sh" stop
  check_reports "${3:-plain}"
  ;;
*)
  echo "usage: $0 up NAME BIN [variant] | down NAME [variant]" >&2
  exit 2
  ;;
esac
