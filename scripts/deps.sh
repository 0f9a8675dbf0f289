#!/usr/bin/env bash
# Install (idempotently) the Debian packages and npm modules blogd needs to build, run and test.
#   deps.sh [build|run|deb|bench|test]   (default test: everything)
# build: the compiler and the libraries' headers (`make build`); run: also MariaDB and nginx
# (`make run`, `make start`); deb: build's and Debian's packaging tools (`make deb`); bench:
# run's, wrk and PHP-FPM 8.2 with PDO MySQL, the benchmark's peer (`make bench`); test: all of
# them, the test tools and tests/browser's npm modules (`make test`, whose bench smoke test
# runs the peer too). What is there already is not touched: with everything installed it needs
# neither root nor the network and writes nothing. Something missing is installed as root, or
# through sudo; without either it names the packages to install and fails.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LEVEL="${1:-test}"

BUILD_PACKAGES=(
  build-essential cmake pkg-config
  libfcgi-dev libctemplate-dev libmariadb-dev libsodium-dev libseccomp-dev libcmark-dev
)
RUN_PACKAGES=(mariadb-server mariadb-client nginx curl python3)
DEB_PACKAGES=(debhelper dpkg-dev fakeroot lintian)
# bench/php: the same post page from PHP-FPM (php-fpm is Debian 12's php8.2-fpm, with opcache;
# php-mysql its PDO MySQL driver). apt_install keeps the package from starting its service.
BENCH_PACKAGES=(wrk php-fpm php-mysql)
TEST_PACKAGES=(chromium clang libclang-rt-14-dev valgrind gdb logrotate prometheus)

case "$LEVEL" in
  build) PACKAGES=("${BUILD_PACKAGES[@]}") ;;
  run) PACKAGES=("${BUILD_PACKAGES[@]}" "${RUN_PACKAGES[@]}") ;;
  deb) PACKAGES=("${BUILD_PACKAGES[@]}" "${DEB_PACKAGES[@]}") ;;
  bench) PACKAGES=("${BUILD_PACKAGES[@]}" "${RUN_PACKAGES[@]}" "${BENCH_PACKAGES[@]}") ;;
  test)
    PACKAGES=("${BUILD_PACKAGES[@]}" "${RUN_PACKAGES[@]}" "${DEB_PACKAGES[@]}" "${BENCH_PACKAGES[@]}"
      "${TEST_PACKAGES[@]}")
    ;;
  *)
    echo "usage: deps.sh [build|run|deb|bench|test]" >&2
    exit 2
    ;;
esac

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

# Whether as_root can work at all: checked before anything is changed.
can_be_root() {
  [ "$(id -u)" -eq 0 ] || command -v sudo >/dev/null 2>&1
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
# packages), so only ask apt for them when there is no node at all. Only the tests use them.
if [ "$LEVEL" = test ]; then
  command -v node >/dev/null 2>&1 || missing+=(nodejs)
  command -v npm >/dev/null 2>&1 || missing+=(npm)
fi

if [ "${#missing[@]}" -gt 0 ]; then
  if ! can_be_root; then
    echo "deps.sh: missing for '$LEVEL': ${missing[*]}" >&2
    echo "deps.sh: not root and no sudo; as root run: apt-get install ${missing[*]}" >&2
    echo "deps.sh: (or run scripts/deps.sh $LEVEL as root)" >&2
    exit 1
  fi
  echo "deps.sh: installing: ${missing[*]}"
  apt_install "${missing[@]}"
fi

[ "$LEVEL" = test ] || exit 0

# Browser tests drive the system chromium through playwright-core; never let
# npm download its own browsers. npm writes its cache under HOME: that is why only
# `make test` (this level) installs the modules, never `make build` or `make run`.
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
