#!/usr/bin/env bash
# stack_fixture: ctest fixture that starts (up BLOGD_BIN) or stops (down) the private test stack.
# Uses BLOGD_TEST_VAR / BLOGD_TEST_PORT from scripts/test.sh, or build-local defaults.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export VAR="${BLOGD_TEST_VAR:-/tmp/blogd-ctest-var}"
export PORT="${BLOGD_TEST_PORT:-18089}"
case "${1:-}" in
up)
  [ -n "${2:-}" ] && export BLOGD_BIN="$2"
  # A stack left over from an earlier run in the same place is stopped first.
  "$ROOT/scripts/stack.sh" stop >/dev/null 2>&1 || true
  rm -rf "$VAR"
  exec "$ROOT/scripts/stack.sh" start
  ;;
down)
  exec "$ROOT/scripts/stack.sh" stop
  ;;
*)
  echo "usage: $0 up BLOGD_BIN | down" >&2
  exit 2
  ;;
esac
