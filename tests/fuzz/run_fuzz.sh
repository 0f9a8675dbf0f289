#!/usr/bin/env bash
# run_fuzz: runs one libFuzzer target for a bounded time over its committed seed corpus.
#   run_fuzz.sh NAME   (FUZZ_SECONDS, default 30; binaries from build-fuzz/, see scripts/test.sh)
# New inputs go to a temporary folder, never into the repo; a crash fails the test and leaves
# its reproducer in the log. Add reproducers to corpus/NAME/ so they stay regression tests.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
name="$1"
bin="$ROOT/build-fuzz/tests/fuzz/$name"
[ -x "$bin" ] || { echo "missing $bin: build with scripts/test.sh (clang, -DFUZZ=ON)" >&2; exit 1; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/new" "$work/artifacts"
if ! "$bin" -max_total_time="${FUZZ_SECONDS:-30}" -timeout=5 -rss_limit_mb=1024 \
  -artifact_prefix="$work/artifacts/" -print_final_stats=1 "$work/new" "$ROOT/tests/fuzz/corpus/$name" 2>"$work/log"; then
  tail -50 "$work/log" >&2
  for f in "$work"/artifacts/*; do
    [ -e "$f" ] && { echo "reproducer $f (base64):" >&2; base64 "$f" >&2; }
  done
  exit 1
fi
grep -E 'stat::number_of_executed_runs|cov:' "$work/log" | tail -2
echo "$name: fuzzed ${FUZZ_SECONDS:-30}s, no crash"
