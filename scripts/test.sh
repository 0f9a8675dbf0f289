#!/usr/bin/env bash
# Build blogd and run the whole ctest suite against a throw-away private stack on a free port.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

scripts/deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build build -j2

TMP="$(mktemp -d /tmp/blogd-test.XXXXXX)" # short path: unix socket names are limited to 108 bytes
PORT="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
export BLOGD_TEST_VAR="$TMP/var"
export BLOGD_TEST_PORT="$PORT"

rc=1
# shellcheck disable=SC2317 # invoked by the EXIT trap
cleanup() {
  VAR="$BLOGD_TEST_VAR" scripts/stack.sh stop >/dev/null 2>&1 || true
  if [ "$rc" -eq 0 ]; then
    rm -rf "$TMP"
  else
    echo "test.sh: failed (exit $rc); kept $TMP for its logs ($BLOGD_TEST_VAR/log)" >&2
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM # leave through the EXIT trap

echo "test.sh: BLOGD_TEST_VAR=$BLOGD_TEST_VAR BLOGD_TEST_PORT=$BLOGD_TEST_PORT"
# CTEST_ARGS is split on purpose, e.g. CTEST_ARGS="-R unit -j2".
# shellcheck disable=SC2086
ctest --test-dir build --output-on-failure ${CTEST_ARGS:-} && rc=0 || rc=$?
exit "$rc"
