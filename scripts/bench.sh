#!/usr/bin/env bash
# bench.sh — `make bench`: blogd under wrk, against its two ceilings, in one run.
#
#   scripts/bench.sh            full run (~5 minutes): 3 interleaved rounds of every
#                               scenario, wrk -t2 -c64 -d5s --latency, medians; then the
#                               large data set (sql/seed_large.sql) if it is there
#   scripts/bench.sh --smoke    the same code path, every wrk run 1 s, 1 round, a small
#                               mixed data set, no large data set (ctest bench.smoke);
#                               asserts only that it runs and prints the table
#
# What runs, all private and on 127.0.0.1 (every state file in one temp dir, removed at
# exit, even on failure):
#   main   scripts/stack.sh with the tutorial data (MariaDB + blogd + nginx)
#   ceil   a second nginx whose config is the main stack's generated nginx.conf with only
#          paths, port and the upstream socket changed (so the FastCGI settings are the
#          same), serving bench/bare_fcgi.c (2 processes, the page's bytes = the FastCGI
#          ceiling) and, in another server block (bench/nginx-static.conf.in), the same
#          bytes as a static file (the ceiling for any page)
#   mix    scripts/stack.sh with 10,000 posts x ~10 comments, for bench/mixed.lua
#   large  scripts/stack.sh SEED=large (sql/seed_large.sql), for the paging comparison
#
# The flood scenarios measure GET /2/ on the main stack while a second client (wrk -t1,
# BENCH_FLOOD_CONNECTIONS connections, bench/junk.lua) sends /2/ with a new junk query string
# every request, against GET /2/ while the same client reads /1/ (another cached page); the
# report gives both rates and their ratio (the page cache is keyed by canonical URL, so junk
# must not cost more than another cached page: the ratio should be at least 0.90).
#
# Output: a markdown report on stdout, also written to bench/results/latest.md
# (bench/results/smoke.md for --smoke); wrk's own output goes to the .log beside it.
#
# Environment (optional): BENCH_DURATION (s), BENCH_ROUNDS, BENCH_CONNECTIONS,
# BENCH_THREADS, BENCH_WORKERS (blogd and bare_fcgi processes), BENCH_MIX_POSTS,
# BENCH_LARGE (0 skips the large data set), BENCH_FLOOD_CONNECTIONS (the flood scenarios'
# second client, default a quarter of BENCH_CONNECTIONS), BENCH_ONLY (scenario names, e.g.
# "floodref flood": run only those), BLOGD_BIN (default build/blogd), BENCH_BASE (a git
# revision, e.g. the commit before a change: it is exported with `git archive`, built, and
# its own scripts/stack.sh starts stacks of it beside this tree's, so its GET /2/ (cached
# and cache off), comment POST and mixed workload run interleaved in the same rounds; the
# report adds a before/after table of the ratios this tree / base).
# shellcheck disable=SC2317 # cleanup and stop_pidfile run from the EXIT trap
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

MODE=full
case "${1:-}" in
  "") ;;
  --smoke) MODE=smoke ;;
  -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; /shellcheck/d; s/^# \{0,1\}//'; exit 0 ;;
  *) echo "usage: $0 [--smoke]" >&2; exit 2 ;;
esac
[ $# -le 1 ] || { echo "usage: $0 [--smoke]" >&2; exit 2; }

if [ "$MODE" = smoke ]; then
  DUR=1 ROUNDS=1 MIX_POSTS=200 LARGE=0 WARMUP=0
else
  DUR=5 ROUNDS=3 MIX_POSTS=10000 LARGE=1 WARMUP=1
fi
DUR="${BENCH_DURATION:-$DUR}"
ROUNDS="${BENCH_ROUNDS:-$ROUNDS}"
MIX_POSTS="${BENCH_MIX_POSTS:-$MIX_POSTS}"
LARGE="${BENCH_LARGE:-$LARGE}"
THREADS="${BENCH_THREADS:-2}"
CONNS="${BENCH_CONNECTIONS:-64}"
WORKERS="${BENCH_WORKERS:-$((2 * $(nproc)))}" # blogd's default: two per CPU
FLOOD_CONNS="${BENCH_FLOOD_CONNECTIONS:-$(((CONNS + 3) / 4))}"
ONLY="${BENCH_ONLY:-}"
BASE="${BENCH_BASE:-}"
LARGE_DUR=3
LARGE_CONNS=8
for v in DUR ROUNDS MIX_POSTS THREADS CONNS WORKERS FLOOD_CONNS; do
  case "${!v}" in '' | *[!0-9]* | 0) echo "bench: $v must be a positive number" >&2; exit 2 ;; esac
done
[ "$MIX_POSTS" -ge 4 ] || { echo "bench: BENCH_MIX_POSTS must be at least 4" >&2; exit 2; }

BLOGD_BIN="${BLOGD_BIN:-$ROOT/build/blogd}"
RESULTS_DIR="$ROOT/bench/results"
if [ "$MODE" = smoke ]; then RESULT="$RESULTS_DIR/smoke.md"; else RESULT="$RESULTS_DIR/latest.md"; fi
RAWLOG="${RESULT%.md}.log"
CLK_TCK="$(getconf CLK_TCK)"

say() { printf 'bench: %s\n' "$*" >&2; }
fail() { say "ERROR: $*"; exit 1; }

for tool in wrk curl nginx mariadb cc pkg-config python3 setsid timeout; do
  command -v "$tool" >/dev/null 2>&1 || fail "$tool not found (run scripts/deps.sh)"
done
pkg-config --exists fcgi || fail "pkg-config cannot find fcgi (libfcgi-dev; run scripts/deps.sh)"

# --- Temp dir and cleanup (runs on every exit: success, failure, Ctrl-C, SIGTERM) ------------
BT="$(mktemp -d "${TMPDIR:-/tmp}/blogd-bench.XXXXXX")"
# mktemp makes it 0700; as root the stacks' daemons run as mysql, nobody and www-data.
chmod 0755 "$BT"
CEIL="$BT/ceil"
STACKS=() # VARs handed to scripts/stack.sh start (stop is harmless if start failed)
declare -A STACK_SH # VAR -> the stack.sh that started it (BENCH_BASE's stacks use their own)
FAILED_LOGS=()

# stop_pidfile FILE: SIGTERM the process a pid file names (only if its command line
# mentions our temp dir), then SIGKILL after 10 s.
stop_pidfile() {
  local file="$1" pid n
  [ -f "$file" ] || return 0
  pid="$(tr -dc '0-9' <"$file" 2>/dev/null || true)"
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF "$BT" || return 0
  kill -TERM "$pid" 2>/dev/null || true
  n=100
  while kill -0 "$pid" 2>/dev/null && [ "$n" -gt 0 ]; do sleep 0.1; n=$((n - 1)); done
  kill -KILL "$pid" 2>/dev/null || true
}

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  set +e
  if [ "$rc" -ne 0 ]; then
    local f
    for f in "${FAILED_LOGS[@]}" "$BT"/*.stack.log "$CEIL/log/nginx-error.log" "$CEIL/log/bare.log"; do
      [ -s "$f" ] || continue
      echo "---- last lines of $f ----" >&2
      tail -n 15 "$f" >&2
    done
  fi
  stop_pidfile "$CEIL/nginx.pid"
  stop_pidfile "$CEIL/bare.pid"
  local v
  for v in "${STACKS[@]}"; do
    VAR="$v" "${STACK_SH[$v]:-$ROOT/scripts/stack.sh}" stop >>"$BT/stop.log" 2>&1 ||
      say "warning: stopping the stack in $v failed"
  done
  rm -rf "$BT"
  [ "$rc" -eq 0 ] || say "failed (exit $rc); everything it started is stopped"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- Helpers -------------------------------------------------------------------------------

# free_ports N: N currently free TCP ports on 127.0.0.1.
free_ports() {
  python3 - "$1" <<'PY'
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))
PY
}

# env_of VAR KEY: a value from a stack's stack.env.
env_of() { sed -n "s/^$2=//p" "$1/stack.env" | head -n 1; }

# sql VAR ARGS...: the stack's MariaDB as its admin account, database blog.
sql() {
  local v="$1"
  shift
  mariadb --defaults-file="$v/my.cnf" -u"$(env_of "$v" MYSQL_ADMIN_USER)" -N -B "$@" blog
}

# start_stack NAME PORT SEED [CONF_LINE [TREE]]: TREE's scripts/stack.sh (default this
# one's) starts TREE's build/blogd with its own VAR under $BT.
start_stack() {
  local name="$1" port="$2" seed="$3" extra="${4:-}" tree="${5:-$ROOT}" v="$BT/$1" bin="$BLOGD_BIN"
  [ "$tree" = "$ROOT" ] || bin="$tree/build/blogd"
  STACKS+=("$v")
  STACK_SH[$v]="$tree/scripts/stack.sh"
  say "starting the $name stack (SEED=$seed, port $port, $WORKERS blogd workers${extra:+, $extra})"
  PORT="$port" VAR="$v" SEED="$seed" BLOGD_BIN="$bin" \
    BLOGD_CONF_EXTRA="workers = $WORKERS${extra:+$'\n'$extra}" \
    "$tree/scripts/stack.sh" start >>"$BT/$name.stack.log" 2>&1
}

# conf_value FILE KEY DEFAULT: the last "KEY = value" of a blogd.conf.
conf_value() {
  awk -v k="$2" -v d="$3" '
    { sub(/#.*/, "") }
    $0 ~ "^[ \t]*" k "[ \t]*=" { v = $0; sub(/^[^=]*=[ \t]*/, "", v); sub(/[ \t]+$/, "", v); d = v }
    END { print d }' "$1"
}

# fetch_page URL PREFIX: GET with curl into PREFIX.hdr / PREFIX.html; fails unless 200.
fetch_page() {
  local code
  code="$(curl -sS --max-time 10 -D "$2.hdr" -o "$2.html" -w '%{http_code}' "$1")" ||
    fail "curl $1 failed"
  [ "$code" = 200 ] || fail "GET $1 answered $code, not 200"
}

# csrf_of PREFIX: "COOKIE TOKEN" from a fetched page (Set-Cookie blogd_csrf, input csrf).
csrf_of() {
  local cookie token
  cookie="$(tr -d '\r' <"$1.hdr" | sed -n 's/^[Ss]et-[Cc]ookie: *\(blogd_csrf=[^;]*\).*/\1/p' | head -n 1)"
  token="$(grep -o '<input[^>]*name="csrf"[^>]*>' "$1.html" | head -n 1 |
    sed -n 's/.*value="\([^"]*\)".*/\1/p')"
  { [ -n "$cookie" ] && [ -n "$token" ]; } || fail "no CSRF cookie/token in $1 (Set-Cookie blogd_csrf, input name=\"csrf\")"
  printf '%s %s\n' "$cookie" "$token"
}

# snapshot FILE: the cpu line of /proc/stat, then every process's stat line.
snapshot() {
  { head -n 1 /proc/stat; cat /proc/[0-9]*/stat 2>/dev/null || true; } >"$1"
}

# tree_ticks BEFORE AFTER PID...: for each PID, the CPU ticks (utime+stime) it and its
# descendants used between the two snapshots ("-" for an empty PID); then, last, the
# machine's busy ticks (all CPUs).
tree_ticks() {
  awk -v roots="${*:3}" '
    FNR == 1 {
      busy = 0; for (i = 2; i <= NF; i++) if (i != 5 && i != 6) busy += $i
      if (FILENAME == ARGV[1]) b_busy = busy; else a_busy = busy
      next
    }
    {
      pid = $1; s = $0; sub(/^.*\) /, "", s); split(s, f, " ")
      t = f[12] + f[13]
      if (FILENAME == ARGV[1]) bt[pid] = t; else { at[pid] = t; par[pid] = f[2] }
    }
    END {
      n = split(roots, r, " ")
      for (i = 1; i <= n; i++) {
        if (r[i] == "-" || r[i] == "") { printf "- "; continue }
        sum = 0
        for (p in at) {
          q = p; hops = 0
          while (q != "" && q != 0 && q != r[i] && hops < 64) { q = par[q]; hops++ }
          if (q == r[i]) sum += at[p] - ((p in bt) ? bt[p] : 0)
        }
        printf "%d ", sum
      }
      print a_busy - b_busy
    }' "$1" "$2"
}

pid_from() { [ -f "$1" ] && tr -dc '0-9' <"$1" || echo -; }

# median of the numbers on stdin ("-" if none)
median() {
  sort -g | awk '{ v[NR] = $1 } END {
    if (NR == 0) { print "-"; exit }
    if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# field LINE KEY: a key=value from a BENCH line
field() { printf '%s\n' "$1" | tr ' ' '\n' | sed -n "s/^$2=//p" | head -n 1; }

# --- Build ---------------------------------------------------------------------------------
if [ ! -x "$BLOGD_BIN" ]; then
  say "building blogd ($BLOGD_BIN is missing)"
  cmake -S "$ROOT" -B "$ROOT/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >&2
  cmake --build "$ROOT/build" -j2 >&2
fi
[ -x "$BLOGD_BIN" ] || fail "$BLOGD_BIN was not built"
STALE="$(find "$ROOT/src" "$ROOT/templates" "$ROOT/CMakeLists.txt" -newer "$BLOGD_BIN" 2>/dev/null | head -n 1)"
[ -z "$STALE" ] || say "warning: $BLOGD_BIN is older than ${STALE#"$ROOT"/} (benchmarking it anyway; 'make build' to refresh)"
BUILD_TYPE="$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$(dirname "$BLOGD_BIN")/CMakeCache.txt" 2>/dev/null | head -n 1)"

BASE_TREE="$BT/base-tree"
if [ -n "$BASE" ]; then
  BASE_REV="$(git -C "$ROOT" rev-parse --short "$BASE^{commit}" 2>/dev/null)" ||
    fail "BENCH_BASE=$BASE is not a commit of this repository"
  say "building the base, $BASE_REV (git archive into $BASE_TREE)"
  mkdir -p "$BASE_TREE"
  git -C "$ROOT" archive "$BASE_REV" | tar -x -C "$BASE_TREE" || fail "git archive $BASE_REV failed"
  { cmake -S "$BASE_TREE" -B "$BASE_TREE/build" -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-RelWithDebInfo}" &&
    cmake --build "$BASE_TREE/build" -j2 --target blogd; } >"$BT/base-build.log" 2>&1 ||
    { FAILED_LOGS+=("$BT/base-build.log"); fail "building $BASE_REV failed"; }
fi

say "building bench/bare_fcgi.c"
# shellcheck disable=SC2046 # pkg-config prints several words on purpose
cc -std=c11 -O2 -Wall -o "$BT/bare_fcgi" "$ROOT/bench/bare_fcgi.c" $(pkg-config --cflags --libs fcgi) >&2 ||
  fail "compiling bench/bare_fcgi.c failed"

read -r P_MAIN P_NOCACHE P_MIX P_LARGE P_BARE P_STATIC P_DBC P_MIXDB <<<"$(free_ports 8)"
MAIN="$BT/main"
NOCACHE="$BT/nocache"
MIX="$BT/mix"
DBV="$BT/dbc"
MIXDB="$BT/mixdb"
# CSRF cookie and token per stack (each stack has its own key).
declare -A COOKIE TOKEN
LARGEV="$BT/large"
mkdir -p "$BT/wrk"
: >"$BT/wrk.log"

# --- Main stack (tutorial data) and the page's bytes ---------------------------------------
start_stack main "$P_MAIN" tutorial || fail "the main stack did not start"
MAIN_URL="http://127.0.0.1:$P_MAIN"
fetch_page "$MAIN_URL/2/" "$BT/page"
read -r MAIN_COOKIE MAIN_TOKEN <<<"$(csrf_of "$BT/page")"
[ -n "$MAIN_TOKEN" ] || exit 1
COOKIE[$MAIN]="$MAIN_COOKIE" TOKEN[$MAIN]="$MAIN_TOKEN"

# --- The same data with cache = db (a change_seq read per hit, as when several hosts share the database) ---
start_stack dbc "$P_DBC" tutorial "cache = db" || fail "the cache = db stack did not start"
DB_URL="http://127.0.0.1:$P_DBC"
fetch_page "$DB_URL/2/" "$BT/dbpage"
read -r c t <<<"$(csrf_of "$BT/dbpage")"
COOKIE[$DBV]="$c" TOKEN[$DBV]="$t"

# --- The same data with blogd's page cache off (if this blogd has one) ---------------------
# Every request then renders from MariaDB: a row of the main table, and the base line of
# the paging comparison (a cache hit would hide what a deep page costs the database).
# The main stack's configuration (its `user` too: as root blogd refuses to start without one).
(umask 077 && { cat "$MAIN/blogd.conf"; echo "cache = off"; } >"$BT/cache-test.conf")
if "$BLOGD_BIN" -t -c "$BT/cache-test.conf" >/dev/null 2>&1; then
  CACHE_OFF="cache = off"
  start_stack nocache "$P_NOCACHE" tutorial "$CACHE_OFF" || fail "the cache-off stack did not start"
  NOCACHE_URL="http://127.0.0.1:$P_NOCACHE"
else
  CACHE_OFF=""
  say "note: $BLOGD_BIN has no 'cache' option; no cache-off figures"
fi

# --- The base (BENCH_BASE): the same stacks of the older code, measured in the same rounds ---
if [ -n "$BASE" ]; then
  read -r P_BASE P_BASENC P_BASEMIX <<<"$(free_ports 3)"
  BASEV="$BT/base" BASENC="$BT/basenc" BASEMIX="$BT/basemix"
  start_stack base "$P_BASE" tutorial "" "$BASE_TREE" || fail "the base stack did not start"
  start_stack basenc "$P_BASENC" tutorial "cache = off" "$BASE_TREE" || fail "the base cache-off stack did not start"
  start_stack basemix "$P_BASEMIX" tutorial "" "$BASE_TREE" || fail "the base mixed stack did not start"
  fetch_page "http://127.0.0.1:$P_BASE/2/" "$BT/basepage"
  cmp -s "$BT/basepage.html" "$BT/page.html" ||
    say "note: the base's /2/ differs from this tree's ($(wc -c <"$BT/basepage.html") vs $(wc -c <"$BT/page.html") bytes)"
  read -r c t <<<"$(csrf_of "$BT/basepage")"
  COOKIE[$BASEV]="$c" TOKEN[$BASEV]="$t"
fi

# --- Ceiling: bare_fcgi + static file behind a second nginx --------------------------------
mkdir -p "$CEIL/run" "$CEIL/log" "$CEIL/static" "$CEIL/nginx-tmp"
cp "$BT/page.html" "$CEIL/static/page.html"
# The headers blogd sent, as blogd sends them (CGI style): nginx's own ones dropped,
# X-Request-Id added per request by bare_fcgi.
tr -d '\r' <"$BT/page.hdr" | awk '
  NR == 1 { sub(/^HTTP\/[0-9.]+ /, ""); print "Status: " $0; next }
  /^$/ { exit }
  tolower($0) ~ /^(server|date|connection|keep-alive|transfer-encoding|x-request-id):/ { next }
  { print }' >"$CEIL/bare.hdr"
setsid "$BT/bare_fcgi" "$CEIL/run/bare.sock" "$WORKERS" "$CEIL/bare.hdr" "$CEIL/static/page.html" \
  "$CEIL/bare.pid" </dev/null >>"$CEIL/log/bare.log" 2>&1 &
n=100
until [ -s "$CEIL/bare.pid" ] && [ -S "$CEIL/run/bare.sock" ]; do
  [ "$n" -gt 0 ] || fail "bare_fcgi did not start"
  sleep 0.1
  n=$((n - 1))
done
# As root, the ceiling nginx's workers run as the main stack's do (www-data): they connect.
[ "$(id -u)" -ne 0 ] || chgrp "$(env_of "$MAIN" NGINX_USER)" "$CEIL/run/bare.sock"

# nginx for the ceilings: the main stack's config with its paths, port and upstream swapped.
sed -e "s|unix:$MAIN/run/blogd.sock|unix:$CEIL/run/bare.sock|" \
  -e "s|listen 127.0.0.1:$P_MAIN;|listen 127.0.0.1:$P_BARE;|" \
  -e "s|$MAIN|$CEIL|g" "$MAIN/nginx.conf" >"$CEIL/nginx-base.conf"
{ grep -qF "unix:$CEIL/run/bare.sock;" "$CEIL/nginx-base.conf" &&
  grep -qF "listen 127.0.0.1:$P_BARE;" "$CEIL/nginx-base.conf" &&
  ! grep -qF "$MAIN" "$CEIL/nginx-base.conf"; } ||
  fail "could not derive the ceiling nginx config from $MAIN/nginx.conf (layout changed?)"
sed -e "s|@STATIC_PORT@|$P_STATIC|g" -e "s|@CEIL@|$CEIL|g" "$ROOT/bench/nginx-static.conf.in" >"$CEIL/static.conf"
# insert the static server block before the closing brace of http {}
awk -v inc="$CEIL/static.conf" '
  { line[NR] = $0 }
  END {
    last = NR
    while (last > 0 && line[last] !~ /^[ \t]*}[ \t]*$/) last--
    for (i = 1; i < last; i++) print line[i]
    while ((getline l < inc) > 0) print l
    for (i = last; i <= NR; i++) print line[i]
  }' "$CEIL/nginx-base.conf" >"$CEIL/nginx.conf"
nginx -p "$CEIL" -e "$CEIL/log/nginx-error.log" -c "$CEIL/nginx.conf" >>"$CEIL/log/nginx.out" 2>&1 ||
  { FAILED_LOGS+=("$CEIL/log/nginx.out"); fail "the ceiling nginx did not start"; }
n=100
until curl -s -o /dev/null "http://127.0.0.1:$P_STATIC/2/" && curl -s -o /dev/null "http://127.0.0.1:$P_BARE/2/"; do
  [ "$n" -gt 0 ] || fail "the ceiling nginx does not answer"
  sleep 0.1
  n=$((n - 1))
done
fetch_page "http://127.0.0.1:$P_STATIC/2/" "$BT/static"
fetch_page "http://127.0.0.1:$P_BARE/2/" "$BT/bare"
cmp -s "$BT/static.html" "$BT/page.html" || fail "the static server does not serve the page's bytes"
cmp -s "$BT/bare.html" "$BT/page.html" || fail "bare_fcgi does not serve the page's bytes"
hdr_names() { tr -d '\r' <"$1" | sed -n '2,$s/^\([^:]*\):.*/\1/p' | tr '[:upper:]' '[:lower:]' | sort; }
if ! diff <(hdr_names "$BT/page.hdr") <(hdr_names "$BT/bare.hdr") >/dev/null; then
  say "warning: bare_fcgi's headers differ from blogd's:"
  diff <(hdr_names "$BT/page.hdr") <(hdr_names "$BT/bare.hdr") >&2 || true
fi

# --- Mixed stacks: MIX_POSTS posts with ~10 comments each, loaded in bulk -------------------
# load_mix VAR: the mixed data set into a stack.
load_mix() {
  say "loading $MIX_POSTS posts and $((MIX_POSTS * 10)) comments into $(basename "$1")"
sql "$1" >>"$BT/mix.stack.log" 2>&1 <<EOF || fail "bulk load of the mixed data set failed"
SET SESSION unique_checks = 0, foreign_key_checks = 0;
START TRANSACTION;
INSERT INTO post (id, title, content)
SELECT seq, CONCAT('Bench post ', seq),
       CONCAT('Content of bench post ', seq, '. ',
              REPEAT('Lorem ipsum dolor sit amet, consectetur adipiscing elit. ', 1 + seq MOD 8))
FROM seq_4_to_$MIX_POSTS;
INSERT INTO comment (content, post_id)
SELECT CONCAT('Comment ', seq, ': ', REPEAT('Nice post, thanks! ', 1 + seq MOD 4)),
       1 + CRC32(seq) MOD $MIX_POSTS
FROM seq_1_to_$((MIX_POSTS * 10));
COMMIT;
ANALYZE TABLE post, comment;
EOF
}
start_stack mix "$P_MIX" tutorial || fail "the mixed-workload stack did not start"
MIX_URL="http://127.0.0.1:$P_MIX"
load_mix "$MIX"
start_stack mixdb "$P_MIXDB" tutorial "cache = db" || fail "the mixed cache = db stack did not start"
MIXDB_URL="http://127.0.0.1:$P_MIXDB"
load_mix "$MIXDB"
fetch_page "$MIXDB_URL/2/" "$BT/mixdbpage"
read -r c t <<<"$(csrf_of "$BT/mixdbpage")"
COOKIE[$MIXDB]="$c" TOKEN[$MIXDB]="$t"
fetch_page "$MIX_URL/2/" "$BT/mixpage"
read -r MIX_COOKIE MIX_TOKEN <<<"$(csrf_of "$BT/mixpage")"
[ -n "$MIX_TOKEN" ] || exit 1
COOKIE[$MIX]="$MIX_COOKIE" TOKEN[$MIX]="$MIX_TOKEN"
if [ -n "$BASE" ]; then
  load_mix "$BASEMIX"
  fetch_page "http://127.0.0.1:$P_BASEMIX/2/" "$BT/basemixpage"
  read -r c t <<<"$(csrf_of "$BT/basemixpage")"
  COOKIE[$BASEMIX]="$c" TOKEN[$BASEMIX]="$t"
fi

# --- Scenarios -------------------------------------------------------------------------------
# name|label|url|script|stack VAR (for nginx/blogd/mariadb pids; "ceil" for the ceilings)
# [|second client: junk.lua's BENCH_JUNK (1: junk query strings, 0: plain)|its path]
SCENARIOS=(
  "static|nginx: the page as a static file|http://127.0.0.1:$P_STATIC/2/|get|ceil"
  "bare|bare libfcgi responder (FastCGI ceiling)|http://127.0.0.1:$P_BARE/2/|get|ceil"
  "index|blogd GET /|$MAIN_URL/|get|$MAIN"
  "post|blogd GET /2/|$MAIN_URL/2/|get|$MAIN"
  "floodref|blogd GET /2/ while a second client reads /1/|$MAIN_URL/2/|get|$MAIN|0|/1/"
  "flood|blogd GET /2/ while a second client floods /2/?<junk>|$MAIN_URL/2/|get|$MAIN|1|/2/"
  "comments|blogd GET /comments/|$MAIN_URL/comments/|get|$MAIN"
  "comment|blogd POST /2/ (add a comment)|$MAIN_URL/2/|post|$MAIN"
  "mixed|blogd mixed workload, $MIX_POSTS posts|$MIX_URL/|mixed|$MIX"
  "dbpost|blogd GET /2/, cache = db (as with several hosts)|$DB_URL/2/|get|$DBV"
  "dbcomment|blogd POST /2/, cache = db|$DB_URL/2/|post|$DBV"
  "dbmixed|blogd mixed workload, cache = db|$MIXDB_URL/|mixed|$MIXDB"
)
if [ -n "$CACHE_OFF" ]; then
  SCENARIOS=("${SCENARIOS[@]:0:4}" "nocache|blogd GET /2/, page cache off|$NOCACHE_URL/2/|get|$NOCACHE" "${SCENARIOS[@]:4}")
fi
if [ -n "$BASE" ]; then
  SCENARIOS+=(
    "basepost|base $BASE_REV: GET /2/|http://127.0.0.1:$P_BASE/2/|get|$BASEV"
    "basenocache|base $BASE_REV: GET /2/, page cache off|http://127.0.0.1:$P_BASENC/2/|get|$BASENC"
    "basecomment|base $BASE_REV: POST /2/ (add a comment)|http://127.0.0.1:$P_BASE/2/|post|$BASEV"
    "basemixed|base $BASE_REV: mixed workload, $MIX_POSTS posts|http://127.0.0.1:$P_BASEMIX/|mixed|$BASEMIX"
  )
fi
if [ -n "$ONLY" ]; then
  kept=()
  for spec in "${SCENARIOS[@]}"; do
    case " $ONLY " in *" ${spec%%|*} "*) kept+=("$spec") ;; esac
  done
  [ "${#kept[@]}" -gt 0 ] || fail "BENCH_ONLY='$ONLY' names no scenario"
  SCENARIOS=("${kept[@]}")
fi
VERIFY_FAIL=0
VERIFY_NOTES=()

# run_wrk OUT CONNS DUR URL SCRIPT [NAME=VALUE...]: one bounded wrk run. Writes wrk's
# output to OUT, "user sys" CPU seconds of wrk to OUT.time and the wall time to OUT.wall.
run_wrk() {
  local out="$1" conns="$2" dur="$3" url="$4" script="$5" t0 t1 rc=0
  shift 5
  local TIMEFORMAT='%3U %3S'
  t0="$(date +%s.%N)"
  { time env "$@" timeout -k 5 $((dur + 30)) \
      wrk -t"$THREADS" -c"$conns" -d"${dur}s" --timeout 5s --latency -s "$ROOT/bench/$script.lua" "$url" \
      >"$out" 2>&1; } 2>"$out.time" || rc=$?
  t1="$(date +%s.%N)"
  awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", b - a }' >"$out.wall"
  { echo "=== $(basename "$out"): wrk -t$THREADS -c$conns -d${dur}s $url ($script.lua) exit $rc"; cat "$out"; } >>"$BT/wrk.log"
  [ "$rc" -eq 0 ] || say "warning: wrk exited with $rc for $url"
  grep -q '^BENCH ' "$out" || say "warning: no result from wrk for $url"
}

# comment_state VAR: "max_id count" of the comment table
comment_state() { sql "$1" -e 'SELECT COALESCE(MAX(id), 0), COUNT(*) FROM comment'; }

# run_scenario SPEC ROUND DUR: one wrk run of a scenario, with CPU sampling; POSTs are
# checked against the rows the database gained, which are then deleted again so every
# round sees the same data.
run_scenario() {
  local spec="$1" round="$2" dur="$3"
  local name label url script stack side_junk side_path
  IFS='|' read -r name label url script stack side_junk side_path <<<"$spec"
  local out="$BT/wrk/$name.$round"
  local ngx app db
  if [ "$stack" = ceil ]; then
    ngx="$(pid_from "$CEIL/nginx.pid")"
    if [ "$name" = bare ]; then app="$(pid_from "$CEIL/bare.pid")"; else app=-; fi
    db=-
  else
    ngx="$(pid_from "$stack/nginx.pid")"
    app="$(pid_from "$stack/blogd.pid")"
    db="$(pid_from "$stack/mariadb.pid")"
  fi
  local env=() before=""
  case "$script" in
    post) env=(BENCH_CSRF_COOKIE="${COOKIE[$stack]}" BENCH_CSRF_TOKEN="${TOKEN[$stack]}" BENCH_POST_PATH=/2/) ;;
    mixed) env=(BENCH_CSRF_COOKIE="${COOKIE[$stack]}" BENCH_CSRF_TOKEN="${TOKEN[$stack]}" BENCH_POSTS="$MIX_POSTS") ;;
  esac
  [ "$script" = get ] || before="$(comment_state "$stack")"
  # A second client runs from before the measured one starts until after it ends.
  local side_pid="" side_out="$BT/wrk/side-$name.$round"
  if [ -n "$side_path" ]; then
    local side_base
    side_base="$(sed -E 's|^(https?://[^/]+).*|\1|' <<<"$url")"
    env BENCH_JUNK="$side_junk" BENCH_SIDE_PATH="$side_path" timeout -k 5 $((dur + 31)) \
      wrk -t1 -c"$FLOOD_CONNS" -d"$((dur + 1))s" --timeout 5s --latency \
      -s "$ROOT/bench/junk.lua" "$side_base$side_path" >"$side_out" 2>&1 &
    side_pid=$!
    sleep 0.3
  fi
  snapshot "$out.s0"
  run_wrk "$out" "$CONNS" "$dur" "$url" "$script" "${env[@]}"
  snapshot "$out.s1"
  tree_ticks "$out.s0" "$out.s1" "$ngx" "$app" "$db" >"$out.cpu"
  if [ -n "$side_pid" ]; then
    # the second client's CPU during the measured run counts as wrk's, not as "other"
    tree_ticks "$out.s0" "$out.s1" "$side_pid" | awk '{ print $1 }' >"$out.side"
    wait "$side_pid" || say "warning: the second client (junk.lua) exited with $? for $name"
    { echo "=== side-$name.$round: wrk -t1 -c$FLOOD_CONNS -d$((dur + 1))s $side_base$side_path (junk.lua, BENCH_JUNK=$side_junk)"; cat "$side_out"; } >>"$BT/wrk.log"
  fi
  rm -f "$out.s0" "$out.s1"
  if [ -n "$before" ]; then
    local bmax bcount acount line n303 nother added verdict
    read -r bmax bcount <<<"$before"
    read -r _ acount <<<"$(comment_state "$stack")"
    line="$(grep '^BENCH ' "$out" || true)"
    n303="$(field "$line" n303)"
    nother="$(field "$line" nother)"
    n303="${n303:-0}" nother="${nother:-0}"
    added=$((acount - bcount))
    # Requests still in flight when wrk stops may be stored without their 303 being
    # read: up to one per connection. A 303 without a stored row is a lost comment.
    if [ "$added" -lt "$n303" ]; then
      verdict="LOST COMMENTS: fewer rows than 303s"
      VERIFY_FAIL=1
    elif [ "$added" -gt $((n303 + nother + CONNS)) ]; then
      verdict="MISMATCH: more rows than 303s + in-flight requests"
      VERIFY_FAIL=1
    else
      verdict="ok (difference: requests in flight when wrk stopped)"
      [ "$added" -ne "$n303" ] || verdict="ok"
    fi
    [ "$round" = warmup ] ||
      VERIFY_NOTES+=("- $label, round $round: $n303 responses 303, $nother other; comment rows $bcount → $acount (+$added): $verdict")
    # The POST-only scenario piles thousands of comments on /2/, whose page the GET scenarios
    # measure: they go. The mixed workload's few hundred, spread over 10,000 posts, stay: a
    # delete by SQL is a change made outside blogd, which (rightly) retires every cached page
    # and would make each round start cold.
    if [ "$script" = post ]; then
      sql "$stack" -e "DELETE FROM comment WHERE id > $bmax" || fail "could not delete the benchmark's comments"
      sleep 1 # let InnoDB purge the deleted rows before the next scenario
    fi
  fi
}

if [ "$WARMUP" -eq 1 ]; then
  say "warm-up: 1 s of every scenario"
  for spec in "${SCENARIOS[@]}"; do run_scenario "$spec" warmup 1; done
fi
total_runs=$((ROUNDS * ${#SCENARIOS[@]}))
say "measuring: $ROUNDS round(s) of ${#SCENARIOS[@]} scenarios, wrk -t$THREADS -c$CONNS -d${DUR}s (about $((total_runs * (DUR + 1))) s)"
for round in $(seq 1 "$ROUNDS"); do
  for spec in "${SCENARIOS[@]}"; do
    say "round $round/$ROUNDS: $(cut -d"|" -f2 <<<"$spec")"
    run_scenario "$spec" "$round" "$DUR"
  done
done

# Worker RSS after the runs
rss_of_workers() {
  local master children c out=""
  master="$(pid_from "$1/blogd.pid")"
  [ "$master" != - ] || { echo "-"; return; }
  children="$(ps -o pid= --ppid "$master" 2>/dev/null || true)"
  for c in $children; do
    [ "$(cat "/proc/$c/comm" 2>/dev/null)" != blogd-watcher ] || continue
    out+="$(awk '/^VmRSS:/ { printf "%.1f", $2 / 1024 }' "/proc/$c/status" 2>/dev/null) "
  done
  local m
  m="$(awk '/^VmRSS:/ { printf "%.1f", $2 / 1024 }' "/proc/$master/status" 2>/dev/null)"
  printf '%s MiB (master %s MiB)\n' "$(echo "$out" | xargs | sed 's/ /, /g')" "$m"
}
RSS_MAIN="$(rss_of_workers "$MAIN")"
RSS_MIX="$(rss_of_workers "$MIX")"

# --- Large data set --------------------------------------------------------------------------
LARGE_NOTE=""
if [ "$LARGE" -eq 1 ]; then
  if [ ! -f "$ROOT/sql/seed_large.sql" ]; then
    LARGE_NOTE="Large data set skipped: sql/seed_large.sql does not exist (yet)."
  else
    # The mixed stack is done: stop it so it does not compete.
    VAR="$MIX" "$ROOT/scripts/stack.sh" stop >>"$BT/stop.log" 2>&1 || true
    say "loading the large data set (sql/seed_large.sql via SEED=large)"
    if ! start_stack large "$P_LARGE" large "$CACHE_OFF"; then
      LARGE_NOTE="Large data set skipped: \`SEED=large scripts/stack.sh start\` failed ($(grep -m1 'ERROR' "$BT/large.stack.log" | sed 's/^stack: //' || echo 'see its log'))."
      tail -n 20 "$BT/large.stack.log" >&2
    fi
  fi
fi

# last_index_url VAR: the index's last page, as rel="next" links would reach it.
last_index_url() {
  local per n k
  per="$(conf_value "$1/blogd.conf" page_posts 20)"
  n="$(sql "$1" -e 'SELECT COUNT(*) FROM post')"
  if [ "$n" -le "$per" ]; then echo /; return; fi
  k=$((per * ((n - 1) / per)))
  echo "/?after=$(sql "$1" -e "SELECT id FROM post ORDER BY id LIMIT 1 OFFSET $((k - 1))")"
}
# busiest_post VAR: the post with the most comments
busiest_post() {
  sql "$1" -e 'SELECT post_id FROM comment GROUP BY post_id ORDER BY COUNT(*) DESC, post_id DESC LIMIT 1'
}
# post_with VAR N: the newest post with exactly N comments (or the fewest above N)
post_with() {
  sql "$1" -e "SELECT post_id FROM comment GROUP BY post_id HAVING COUNT(*) >= $2 ORDER BY COUNT(*), post_id DESC LIMIT 1"
}
# last_post_url VAR POST: the last page of that post's comments
last_post_url() {
  local per n k
  per="$(conf_value "$1/blogd.conf" page_comments 50)"
  n="$(sql "$1" -e "SELECT COUNT(*) FROM comment WHERE post_id = $2")"
  if [ "$n" -le "$per" ]; then echo "/$2/"; return; fi
  k=$((per * ((n - 1) / per)))
  echo "/$2/?after=$(sql "$1" -e "SELECT id FROM comment WHERE post_id = $2 ORDER BY id LIMIT 1 OFFSET $((k - 1))")"
}
# check_page BASE PATH [last]: the page is 200 (and, for "last", has no rel="next" link);
# sets CHECKED_BYTES to its size.
declare -A PAGE_BYTES
check_page() {
  local code
  code="$(curl -sS --max-time 10 -o "$BT/check.html" -w '%{http_code}' "$1$2")" || fail "curl $1$2 failed"
  [ "$code" = 200 ] || fail "GET $1$2 answered $code, not 200"
  if [ "${3:-}" = last ] && grep -q 'rel="next"' "$BT/check.html"; then
    say "warning: $2 is not the last page (it has a rel=\"next\" link)"
  fi
  CHECKED_BYTES="$(wc -c <"$BT/check.html")"
}

if [ "$LARGE" -eq 1 ] && [ -z "$LARGE_NOTE" ]; then
  LARGE_URL="http://127.0.0.1:$P_LARGE"
  # the tutorial side: the cache-off stack when there is one (the large one is cache-off too)
  if [ -n "$CACHE_OFF" ]; then SMALL="$NOCACHE" SMALL_URL="$NOCACHE_URL"; else SMALL="$MAIN" SMALL_URL="$MAIN_URL"; fi
  BUSY_T="$(busiest_post "$SMALL")"
  BUSY_L="$(busiest_post "$LARGEV")"
  # page|label|tutorial path|large path
  PAGES=(
    "first|index, first page|/|/"
    "deep|index, last page|$(last_index_url "$SMALL")|$(last_index_url "$LARGEV")"
    "comments|/comments/|/comments/|/comments/"
    "busy1|busiest post, first page|/$BUSY_T/|/$BUSY_L/"
    "busyN|busiest post, last page|$(last_post_url "$SMALL" "$BUSY_T")|$(last_post_url "$LARGEV" "$BUSY_L")"
    # the same number of comments shown as the tutorial's post, among a million
    "same|a post with as many comments as the tutorial's|/$BUSY_T/|/$(post_with "$LARGEV" "$(sql "$SMALL" -e "SELECT COUNT(*) FROM comment WHERE post_id = $BUSY_T")")/"
  )
  for p in "${PAGES[@]}"; do
    IFS='|' read -r key label tpath lpath <<<"$p"
    check_page "$SMALL_URL" "$tpath" "$([ "$key" = deep ] || [ "$key" = busyN ] && echo last)"
    PAGE_BYTES[$key-t]="$CHECKED_BYTES"
    check_page "$LARGE_URL" "$lpath" "$([ "$key" = deep ] || [ "$key" = busyN ] && echo last)"
    PAGE_BYTES[$key-l]="$CHECKED_BYTES"
  done
  say "measuring the paging pages: $ROUNDS round(s), wrk -t$THREADS -c$LARGE_CONNS -d${LARGE_DUR}s, tutorial vs large"
  for round in $(seq 1 "$ROUNDS"); do
    for p in "${PAGES[@]}"; do
      IFS='|' read -r key label tpath lpath <<<"$p"
      say "round $round/$ROUNDS: $label"
      run_wrk "$BT/wrk/L-t-$key.$round" "$LARGE_CONNS" "$LARGE_DUR" "$SMALL_URL$tpath" get
      run_wrk "$BT/wrk/L-l-$key.$round" "$LARGE_CONNS" "$LARGE_DUR" "$LARGE_URL$lpath" get
    done
  done
  # The same pages as deployed (the default cache = auto): both stacks reloaded with the cache on.
  if [ -n "$CACHE_OFF" ]; then
    for v in "$SMALL" "$LARGEV"; do
      echo "cache = auto" >>"$v/blogd.conf"
      kill -HUP "$(pid_from "$v/blogd.pid")"
    done
    sleep 1
    say "measuring the paging pages again with the page cache on (cache = auto)"
    for round in $(seq 1 "$ROUNDS"); do
      for p in "${PAGES[@]}"; do
        IFS='|' read -r key label tpath lpath <<<"$p"
        run_wrk "$BT/wrk/C-t-$key.$round" "$LARGE_CONNS" "$LARGE_DUR" "$SMALL_URL$tpath" get
        run_wrk "$BT/wrk/C-l-$key.$round" "$LARGE_CONNS" "$LARGE_DUR" "$LARGE_URL$lpath" get
      done
    done
  fi
fi

# paging_table PREFIX: the tutorial-vs-large table of the runs $BT/wrk/PREFIX-{t,l}-KEY.*
paging_table() {
  local pre="$1"
  echo "| page | tutorial path | large path | bytes tutorial / large | tutorial p50 / p99 ms | large p50 / p99 ms | ratio p50 / p99 (large/tutorial) | large req/s |"
  echo "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: |"
  for p in "${PAGES[@]}"; do
    IFS='|' read -r key label tpath lpath <<<"$p"
    t50="$(med "$BT/wrk/$pre-t-$key" p50_us)" t99="$(med "$BT/wrk/$pre-t-$key" p99_us)"
    l50="$(med "$BT/wrk/$pre-l-$key" p50_us)" l99="$(med "$BT/wrk/$pre-l-$key" p99_us)"
    [ "$t50" != - ] && [ "$l50" != - ] || MISSING=1
    # shellcheck disable=SC2016 # the backquotes are markdown
    printf '| %s | `%s` | `%s` | %s / %s | %s / %s | %s / %s | %s / %s | %s |\n' "$label" "$tpath" "$lpath" \
      "${PAGE_BYTES[$key-t]}" "${PAGE_BYTES[$key-l]}" \
      "$(ms "$t50")" "$(ms "$t99")" "$(ms "$l50")" "$(ms "$l99")" \
      "$(awk -v a="$l50" -v b="$t50" 'BEGIN { if (a == "-" || b == "-" || b == 0) print "-"; else printf "%.2f", a / b }')" \
      "$(awk -v a="$l99" -v b="$t99" 'BEGIN { if (a == "-" || b == "-" || b == 0) print "-"; else printf "%.2f", a / b }')" \
      "$(int "$(med "$BT/wrk/$pre-l-$key" rps)")"
  done
}

# --- Report ----------------------------------------------------------------------------------
has_scenario() {
  local spec
  for spec in "${SCENARIOS[@]}"; do [ "${spec%%|*}" != "$1" ] || return 0; done
  return 1
}
# med PREFIX KEY: median over rounds of a BENCH field
med() {
  local f
  for f in "$1".[0-9]*; do
    case "$f" in *.time | *.wall | *.cpu | *.side) continue ;; esac
    field "$(grep -s '^BENCH ' "$f" || true)" "$2"
  done | sed '/^$/d' | median
}
stat_sum() {
  local f
  for f in "$1".[0-9]*; do
    case "$f" in *.time | *.wall | *.cpu | *.side) continue ;; esac
    field "$(grep -s '^BENCH ' "$f" || true)" "$2"
  done | awk '{ s += $1 } END { print s + 0 }'
}
stat_range() {
  local f
  for f in "$1".[0-9]*; do
    case "$f" in *.time | *.wall | *.cpu | *.side) continue ;; esac
    field "$(grep -s '^BENCH ' "$f" || true)" rps
  done | sed '/^$/d' | sort -g | awk 'NR == 1 { lo = $1 } { hi = $1 } END { if (NR) printf "%.0f–%.0f", lo, hi; else print "-" }'
}
ms() { awk -v u="$1" 'BEGIN { if (u == "-" || u == "") print "-"; else printf "%.2f", u / 1000 }'; }
int() { awk -v x="$1" 'BEGIN { if (x == "-" || x == "") print "-"; else printf "%.0f", x }'; }

BARE_RPS="$(med "$BT/wrk/bare" rps)"
MISSING=0
COMMIT="$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
if [ -n "$(git -C "$ROOT" status --porcelain --untracked-files=no 2>/dev/null)" ]; then COMMIT+=" + uncommitted changes"; fi
CPU_MODEL="$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"

{
  echo "## blogd benchmark ($MODE) — $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo
  echo "commit $COMMIT; \`$([ "$BLOGD_BIN" = "$ROOT/build/blogd" ] && echo blogd || echo "$BLOGD_BIN")\` ${BUILD_TYPE:-unknown build type}, $WORKERS workers;" \
    "bare_fcgi $WORKERS processes; $(nproc) CPUs (${CPU_MODEL:-unknown}), shared by wrk, nginx, the app and MariaDB."
  [ -z "$STALE" ] || echo "**Note:** \`$(basename "$BLOGD_BIN")\` is older than ${STALE#"$ROOT"/}: the sources have changed since this binary was built."
  echo "wrk -t$THREADS -c$CONNS -d${DUR}s --latency, $ROUNDS interleaved round(s); medians over rounds" \
    "(req/s range: slowest–fastest round). Tutorial data unless stated; the static file and" \
    "bare_fcgi serve the exact bytes of blogd's GET /2/ ($(wc -c <"$BT/page.html") bytes)."
  echo
  echo "| scenario | req/s | req/s range | p50 ms | p99 ms | vs FastCGI ceiling | errors |"
  echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"
  for spec in "${SCENARIOS[@]}"; do
    IFS='|' read -r name label url script stack _ _ <<<"$spec"
    rps="$(med "$BT/wrk/$name" rps)"
    [ "$rps" != - ] || MISSING=1
    ratio="$(awk -v a="$rps" -v b="$BARE_RPS" 'BEGIN { if (a == "-" || b == "-" || b == 0) print "-"; else printf "%.2f", a / b }')"
    printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$label" "$(int "$rps")" "$(stat_range "$BT/wrk/$name")" \
      "$(ms "$(med "$BT/wrk/$name" p50_us)")" "$(ms "$(med "$BT/wrk/$name" p99_us)")" "$ratio" \
      "$(stat_sum "$BT/wrk/$name" errors)"
  done
  echo
  echo "Mixed: post pages drawn Zipf-like (s = 1: rank 1 gets ~$(awk -v n="$MIX_POSTS" 'BEGIN { h = 0; for (i = 1; i <= n; i++) h += 1 / i; printf "%.0f", 100 / h }')% of them)" \
    "over $MIX_POSTS posts with ~10 comments each; ~5% GET /, ~3% GET /comments/, ~2% comment POSTs."
  echo "\"errors\": socket errors plus HTTP statuses ≥ 400, summed over rounds."
  echo
  if has_scenario flood && has_scenario floodref; then
    f_rps="$(med "$BT/wrk/flood" rps)" r_rps="$(med "$BT/wrk/floodref" rps)"
    f_ratio="$(awk -v a="$f_rps" -v b="$r_rps" 'BEGIN { if (a == "-" || b == "-" || b == 0) print "-"; else printf "%.2f", a / b }')"
    f_verdict="$(awk -v r="$f_ratio" 'BEGIN { if (r == "-") print "no result"; else if (r >= 0.90) print "ok, at least 0.90"; else print "**BELOW 0.90**: junk query strings cost more than a cached page" }')"
    echo "**Junk-query flood** (a visitor trying to flush the page cache): GET /2/ at $(int "$f_rps") req/s" \
      "while a second client (wrk -t1 -c$FLOOD_CONNS, bench/junk.lua) sends /2/ with a new junk query string" \
      "every request, against $(int "$r_rps") req/s while the same client reads /1/, another cached page:" \
      "ratio **$f_ratio** ($f_verdict). The second client itself: $(int "$(med "$BT/wrk/side-flood" rps)") req/s" \
      "of junk, $(int "$(med "$BT/wrk/side-floodref" rps)") req/s of /1/ (medians; errors $(stat_sum "$BT/wrk/side-flood" errors)" \
      "and $(stat_sum "$BT/wrk/side-floodref" errors))."
    echo
  fi
  if [ -n "$BASE" ]; then
    echo "**Before/after** (this tree, commit $COMMIT, against the base $BASE_REV, built from the same sources" \
      "by \`git archive\`, started by its own scripts/stack.sh; same rounds, interleaved; ratio of medians):"
    echo
    echo "| scenario | this tree req/s | base req/s | ratio | this tree p99 ms | base p99 ms |"
    echo "| --- | ---: | ---: | ---: | ---: | ---: |"
    for pair in "post basepost GET /2/" "nocache basenocache GET /2/, page cache off" \
      "comment basecomment POST /2/" "mixed basemixed mixed workload"; do
      read -r a b what <<<"$pair"
      has_scenario "$a" && has_scenario "$b" || continue
      ra="$(med "$BT/wrk/$a" rps)" rb="$(med "$BT/wrk/$b" rps)"
      printf '| %s | %s | %s | %s | %s | %s |\n' "$what" "$(int "$ra")" "$(int "$rb")" \
        "$(awk -v a="$ra" -v b="$rb" 'BEGIN { if (a == "-" || b == "-" || b == 0) print "-"; else printf "%.2f", a / b }')" \
        "$(ms "$(med "$BT/wrk/$a" p99_us)")" "$(ms "$(med "$BT/wrk/$b" p99_us)")"
    done
    echo
  fi
  echo "**Comments posted vs stored** (303s counted in Lua, rows counted in MariaDB; the POST scenarios' rows are deleted after each round, the mixed workload's are kept):"
  echo
  printf '%s\n' "${VERIFY_NOTES[@]}"
  echo
  echo "**CPU during each scenario** (% of one core, summed over its rounds' wall time; the machine has $(nproc) cores = $(($(nproc) * 100))%;" \
    "\"wrk\" includes the second client of the flood scenarios;" \
    "\"app\" is blogd or bare_fcgi, master and workers; \"other\" is everything else on the machine):"
  echo
  echo "| scenario | wrk | nginx | app | MariaDB | other | machine |"
  echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"
  for spec in "${SCENARIOS[@]}"; do
    IFS='|' read -r name label url script stack _ _ <<<"$spec"
    for f in "$BT/wrk/$name".[0-9]*.cpu; do
      [ -f "$f" ] || continue
      base="${f%.cpu}"
      printf '%s %s %s %s\n' "$(cat "$f")" "$(tail -n 1 "$base.time" 2>/dev/null)" "$(cat "$base.wall")" \
        "$(cat "$base.side" 2>/dev/null || echo 0)"
    done | awk -v tck="$CLK_TCK" -v label="$label" -v otherfile="$BT/other.txt" '
      NF >= 7 {
        for (i = 1; i <= 3; i++) if ($i != "-") { s[i] += $i; has[i] = 1 }
        mach += $4; wrk += $5 + $6 + $8 / tck; wall += $7; n++
      }
      END {
        if (!n || wall <= 0) { printf "| %s | - | - | - | - | - | - |\n", label; exit }
        pct = 100 / wall
        known = wrk * tck
        for (i = 1; i <= 3; i++) { v[i] = has[i] ? sprintf("%.0f%%", s[i] / tck * pct) : "—"; if (has[i]) known += s[i] }
        other = (mach - known) / tck * pct; if (other < 0) other = 0
        printf "| %s | %.0f%% | %s | %s | %s | %.0f%% | %.0f%% |\n", label, wrk * pct, v[1], v[2], v[3], other, mach / tck * pct
        printf "%.0f\n", other >> otherfile
      }'
  done
  if [ -s "$BT/other.txt" ] && [ "$(sort -g "$BT/other.txt" | tail -n 1)" -ge 25 ]; then
    echo
    echo "**Noisy run:** other processes on this machine used up to $(sort -g "$BT/other.txt" | tail -n 1)% of a core" \
      "during a scenario (column \"other\"); those figures (and their ratios) understate blogd. Re-run on a quiet machine."
  fi
  echo
  echo "blogd worker VmRSS after the runs: tutorial stack ${RSS_MAIN}; mixed stack (${MIX_POSTS} posts) ${RSS_MIX}."
  if [ "$LARGE" -eq 1 ]; then
    echo
    if [ -n "$LARGE_NOTE" ]; then
      echo "$LARGE_NOTE"
    else
      echo "**Paging: tutorial data vs large data** (sql/seed_large.sql: $(sql "$LARGEV" -e 'SELECT COUNT(*) FROM post') posts," \
        "$(sql "$LARGEV" -e 'SELECT COUNT(*) FROM comment') comments, busiest post $BUSY_L with" \
        "$(sql "$LARGEV" -e "SELECT COUNT(*) FROM comment WHERE post_id = $BUSY_L") comments);" \
        "wrk -t$THREADS -c$LARGE_CONNS -d${LARGE_DUR}s, $ROUNDS round(s), medians;" \
        "$([ -n "$CACHE_OFF" ] && echo "blogd's page cache off on both, so every request renders from MariaDB:" || echo "(this blogd has no page cache):")"
      echo
      paging_table L
      if [ -n "$CACHE_OFF" ]; then
        echo
        echo "The same pages with the page cache on (\`cache = auto\`, the default), as deployed:"
        echo
        paging_table C
      fi
    fi
  fi
} >"$BT/report.md"

mkdir -p "$RESULTS_DIR"
cp "$BT/report.md" "$RESULT"
cp "$BT/wrk.log" "$RAWLOG"
cat "$BT/report.md"
say "report written to ${RESULT#"$ROOT"/} (wrk output: ${RAWLOG#"$ROOT"/})"

[ "$MISSING" -eq 0 ] || fail "some wrk runs gave no result (see ${RAWLOG#"$ROOT"/})"
[ "$VERIFY_FAIL" -eq 0 ] || fail "posted comments and stored rows do not match (see the report)"
exit 0
