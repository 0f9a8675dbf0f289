#!/usr/bin/env bash
# Install (idempotently) the Debian packages and npm modules blogd needs to build, run and test.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

PACKAGES=(
  build-essential cmake pkg-config
  libfcgi-dev libctemplate-dev libmariadb-dev libsodium-dev libseccomp-dev
  mariadb-server mariadb-client nginx
  curl python3 chromium wrk
  clang libclang-rt-14-dev valgrind gdb
)

# dpkg-query prints "install ok installed" only for fully installed packages.
is_installed() {
  [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)" = "install ok installed" ]
}

# Run a command as root: directly when we are root, else through sudo.
as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    echo "deps.sh: need root (or sudo) to run: $*" >&2
    return 1
  fi
}

# Install with apt-get while keeping postinst scripts from starting system
# services (invoke-rc.d honours policy-rc.d exit code 101 = "action forbidden").
apt_install() {
  local created_policy=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    as_root sh -c 'printf "#!/bin/sh\nexit 101\n" > /usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d'
    created_policy=1
  fi
  local rc=0
  {
    as_root apt-get update &&
      as_root env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y --no-install-recommends "$@"
  } || rc=$?
  if [ "$created_policy" -eq 1 ]; then
    as_root rm -f /usr/sbin/policy-rc.d
  fi
  return "$rc"
}

missing=()
for pkg in "${PACKAGES[@]}"; do
  is_installed "$pkg" || missing+=("$pkg")
done

# nodejs/npm may come from outside Debian (and then conflict with the Debian
# packages), so only ask apt for them when there is no node at all.
if ! command -v node >/dev/null 2>&1; then
  missing+=(nodejs npm)
fi

if [ "${#missing[@]}" -gt 0 ]; then
  echo "deps.sh: installing: ${missing[*]}"
  apt_install "${missing[@]}"
fi

# Browser tests drive the system chromium through playwright-core; never let
# npm download its own browsers.
BROWSER_DIR="$ROOT/tests/browser"
if [ -f "$BROWSER_DIR/package.json" ] && [ ! -d "$BROWSER_DIR/node_modules/playwright-core" ]; then
  echo "deps.sh: installing npm modules in tests/browser"
  (
    cd "$BROWSER_DIR"
    export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
    if [ -f package-lock.json ] || [ -f npm-shrinkwrap.json ]; then
      npm ci --no-audit --no-fund
    else
      npm install --no-audit --no-fund
    fi
  )
fi
