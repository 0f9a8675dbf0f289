#!/usr/bin/env bash
# Build the Debian package (debian/) from a copy of the tree: build/deb/blogd_<version>_<arch>.deb, then lintian on it.
#   deb.sh          (make deb)
# The tree is copied (its tracked and untracked-but-not-ignored files, or all but build
# output and var/ outside git) to build/deb/src and built there with dpkg-buildpackage
# -us -uc -b, so the checkout itself stays clean. DEB_BUILD_OPTIONS passes through (e.g.
# nocheck: no unit tests at build time); LINTIAN=0 skips lintian (tests/package/test_deb.py
# runs its own). Exit status 1 when the build fails or lintian reports an error.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="$ROOT/build/deb"
SRC="$OUT/src"
LINTIAN="${LINTIAN:-1}"

rm -rf "$OUT"
mkdir -p "$SRC"
if git -C "$ROOT" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  # (a file deleted but not yet committed is left out)
  git -C "$ROOT" ls-files -z --cached --others --exclude-standard |
    while IFS= read -r -d '' f; do
      if [ -e "$ROOT/$f" ] || [ -L "$ROOT/$f" ]; then printf '%s\0' "$f"; fi
    done | (cd "$ROOT" && xargs -0 -r cp --parents -P -t "$SRC" --)
else
  tar -C "$ROOT" --exclude=./build --exclude='./build-*' --exclude=./var --exclude=node_modules -cf - . |
    tar -C "$SRC" -xf -
fi

echo "deb.sh: building in $SRC"
(cd "$SRC" && dpkg-buildpackage -us -uc -b -j2)

deb="$(ls "$OUT"/blogd_*.deb)"
echo "deb.sh: $deb"
[ "$LINTIAN" = 1 ] || exit 0
lintian --info "$deb" | tee "$OUT/lintian.txt"
if grep -q '^E: ' "$OUT/lintian.txt"; then
  echo "deb.sh: lintian reports errors" >&2
  exit 1
fi
