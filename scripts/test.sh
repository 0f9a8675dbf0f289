#!/usr/bin/env bash
# Build blogd and run the whole ctest suite against a throw-away private stack on a free port.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

scripts/deps.sh test
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build build -j2
# The same code with ASan+UBSan, for the "asan" stack and the unit tests again (asan-unit.*).
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DSANITIZE=ON
cmake --build build-asan -j2 --target blogd unit_tests
# libFuzzer targets need clang.
CC=clang CXX=clang++ cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DFUZZ=ON
cmake --build build-fuzz -j2 --target fuzz_all

TMP="$(mktemp -d /tmp/blogd-test.XXXXXX)" # short path: unix socket names are limited to 108 bytes
# mktemp makes it 0700; as root the stacks' daemons run as mysql, nobody and www-data, which
# must traverse it to reach their files.
chmod 0755 "$TMP"
# Each ctest fixture starts its stack in $BLOGD_TEST_ROOT/<name> on a free port.
export BLOGD_TEST_ROOT="$TMP"

rc=1
# shellcheck disable=SC2317 # invoked by the EXIT trap
cleanup() {
  local dir
  for dir in "$TMP"/*/; do
    if [ -d "$dir" ]; then VAR="$dir" scripts/stack.sh stop >/dev/null 2>&1 || true; fi
  done
  if [ "$rc" -eq 0 ]; then
    rm -rf "$TMP"
  else
    echo "test.sh: failed (exit $rc); kept $TMP for its logs (<stack>/log)" >&2
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM # leave through the EXIT trap

echo "test.sh: stacks under $BLOGD_TEST_ROOT"
# CTEST_ARGS is split on purpose, e.g. CTEST_ARGS="-L unit".
# shellcheck disable=SC2086
ctest --test-dir build --output-on-failure ${CTEST_ARGS:-} && rc=0 || rc=$?
exit "$rc"
