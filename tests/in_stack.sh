#!/usr/bin/env bash
# in_stack: runs a test command against the named stack (sets BLOGD_TEST_VAR for it).
set -euo pipefail
name="$1"
shift
export BLOGD_TEST_VAR="${BLOGD_TEST_ROOT:-/tmp/blogd-ctest}/$name"
exec "$@"
