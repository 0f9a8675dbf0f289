#!/usr/bin/env bash
# Private per-checkout stack (MariaDB + blogd + nginx under $VAR): start|stop|run|status.
#
# Nothing system-wide is touched: every file, socket, pid and log lives under
# $VAR, MariaDB listens only on $VAR/run/mysqld.sock, nginx only on
# 127.0.0.1:$PORT. `stop` only signals PIDs read from pid files under $VAR.
#
# Environment:
#   PORT       HTTP port on 127.0.0.1 (default 8080)
#   VAR        state directory (default ./var, made absolute)
#   BLOGD_BIN  blogd binary (default <repo>/build/blogd)
#   SEED       tutorial (default) | large (runs sql/seed_large.sh) | none
#   BLOGD_WRAPPER     command words put before blogd (e.g. "valgrind --leak-check=full")
#   BLOGD_CONF_EXTRA  extra "key = value" lines appended to $VAR/blogd.conf
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PORT="${PORT:-8080}"
VAR="${VAR:-./var}"
BLOGD_BIN="${BLOGD_BIN:-$ROOT/build/blogd}"
SEED="${SEED:-tutorial}"
BLOGD_CONF_EXTRA="${BLOGD_CONF_EXTRA:-}"
BLOGD_WRAPPER="${BLOGD_WRAPPER:-}"
STOP_TIMEOUT=20

ME="$(id -un)"
# mariadb-install-db gives unix_socket-authenticated, all-privileged accounts
# to root and to the --user account; connect as whichever we are.
DB_ADMIN="$ME"

log() { printf 'stack: %s\n' "$*" >&2; }

usage() {
  echo "usage: [PORT=8080] [VAR=./var] [BLOGD_BIN=build/blogd] [SEED=tutorial|large|none] $0 start|stop|run|status" >&2
  exit 2
}

case "$PORT" in '' | *[!0-9]*) log "PORT must be a number, got '$PORT'"; exit 2 ;; esac

# Paths ---------------------------------------------------------------------
# resolve_var [create]: make VAR absolute; only `start` creates it.
resolve_var() {
  [ "${1:-}" != create ] || mkdir -p "$VAR"
  if [ -d "$VAR" ]; then
    VAR="$(cd "$VAR" && pwd)"
  else
    case "$VAR" in /*) ;; *) VAR="$PWD/$VAR" ;; esac
  fi
  RUN="$VAR/run"
  LOGDIR="$VAR/log"
  MY_CNF="$VAR/my.cnf"
  DATADIR="$VAR/mysql"
  MYSQL_SOCK="$RUN/mysqld.sock"
  MARIADB_PID="$VAR/mariadb.pid"
  BLOGD_SOCK="$RUN/blogd.sock"
  BLOGD_CONF="$VAR/blogd.conf"
  BLOGD_PID="$VAR/blogd.pid"
  BLOGD_LOG="$LOGDIR/blogd.log"
  NGINX_CONF="$VAR/nginx.conf"
  NGINX_PID="$VAR/nginx.pid"
  PW_FILE="$VAR/db_password"
  SQL_LOG="$LOGDIR/sql.log"
}

# Process helpers -----------------------------------------------------------

# Start time of a process (clock ticks since boot, /proc/PID/stat field 22):
# together with the PID it names one process for the life of the machine.
proc_start() {
  local stat
  stat="$(cat "/proc/$1/stat" 2>/dev/null)" || return 1
  local -a f
  read -r -a f <<<"${stat##*) }" # drop "pid (comm) ": comm may hold spaces
  printf '%s\n' "${f[19]}"
}

# Remember which process a pid file names, for live_pid's identity check.
remember_pid() {
  local file="$1" pid start
  pid="$(tr -dc '0-9' <"$file" 2>/dev/null || true)"
  if [ -n "$pid" ] && start="$(proc_start "$pid")"; then
    echo "$pid $start" >"$file.start"
  fi
}

# Print the PID stored in a pid file if it names a live process that is ours,
# guarding against a recycled PID: either its command line mentions $VAR
# (every process we start is given paths under $VAR) or it is the very
# process remember_pid recorded at start-up (in case it retitled itself).
live_pid() {
  local file="$1" pid
  [ -f "$file" ] || return 1
  pid="$(tr -dc '0-9' <"$file" 2>/dev/null || true)"
  [ -n "$pid" ] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  if [ -r "/proc/$pid/cmdline" ] && ! tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF "$VAR"; then
    [ -f "$file.start" ] && [ "$(cat "$file.start")" = "$pid $(proc_start "$pid")" ] || return 1
  fi
  printf '%s\n' "$pid"
}

# wait_gone PID SECONDS: true once PID has exited.
wait_gone() {
  local pid="$1" tenths=$(($2 * 10))
  while kill -0 "$pid" 2>/dev/null; do
    [ "$tenths" -gt 0 ] || return 1
    sleep 0.1
    tenths=$((tenths - 1))
  done
}

# stop_one NAME PIDFILE: SIGTERM, wait, SIGKILL; also reaps the rest of the
# process group when the process leads its own group (blogd is started with
# setsid, nginx setsid()s itself when daemonizing), so no worker outlives it.
stop_one() {
  local name="$1" file="$2" pid pgid
  if ! pid="$(live_pid "$file")"; then
    rm -f "$file"
    return 0
  fi
  pgid="$(ps -o pgid= -p "$pid" 2>/dev/null | tr -d ' ' || true)"
  log "stopping $name (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  if ! wait_gone "$pid" "$STOP_TIMEOUT"; then
    log "$name did not exit within ${STOP_TIMEOUT}s, sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    wait_gone "$pid" 5 || log "$name (pid $pid) still alive after SIGKILL"
  fi
  if [ "$pgid" = "$pid" ] && kill -0 -- "-$pgid" 2>/dev/null; then
    kill -TERM -- "-$pgid" 2>/dev/null || true
    local n=50
    while kill -0 -- "-$pgid" 2>/dev/null && [ "$n" -gt 0 ]; do sleep 0.1; n=$((n - 1)); done
    kill -KILL -- "-$pgid" 2>/dev/null || true
  fi
  rm -f "$file" "$file.start"
}

port_in_use() {
  if command -v python3 >/dev/null 2>&1; then
    if python3 - "$1" <<'PY' 2>/dev/null; then return 1; else return 0; fi
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
PY
  else
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
  fi
}

port_accepts() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Failure handling ----------------------------------------------------------
STARTED=()   # components started by this invocation, stopped again on failure
START_OK=0

show_log() {
  local f
  for f in "$@"; do
    if [ -s "$f" ]; then
      if [ "$(wc -l <"$f")" -gt 25 ] && grep -q 'ERROR' "$f"; then
        echo "---- first errors in $f ----" >&2
        grep -m 5 'ERROR' "$f" >&2 || true
      fi
      echo "---- last lines of $f ----" >&2
      tail -n 25 "$f" >&2
      echo "----" >&2
    fi
  done
}

cleanup_started() {
  local c
  for c in nginx blogd mariadb; do
    case " ${STARTED[*]-} " in
      *" $c "*)
        case "$c" in
          nginx) stop_one nginx "$NGINX_PID" ;;
          blogd) stop_one blogd "$BLOGD_PID"; rm -f "$BLOGD_SOCK" ;;
          mariadb) stop_one mariadb "$MARIADB_PID" ;;
        esac
        ;;
    esac
  done
  STARTED=()
}

# die MESSAGE [LOGFILE...]
die() {
  local msg="$1"
  shift
  log "ERROR: $msg"
  show_log "$@"
  cleanup_started
  START_OK=1 # cleanup done; keep the EXIT trap quiet
  exit 1
}

on_start_exit() {
  local rc=$?
  if [ "$START_OK" -eq 0 ]; then
    log "ERROR: start failed unexpectedly (exit $rc); see $LOGDIR"
    show_log "$SQL_LOG"
    cleanup_started
  fi
}

# MariaDB ---------------------------------------------------------------------
sql() { mariadb --defaults-file="$MY_CNF" -u"$DB_ADMIN" "$@"; }

write_my_cnf() {
  cat >"$MY_CNF" <<EOF
# Generated by scripts/stack.sh; private MariaDB for this checkout.
[mysqld]
datadir=$DATADIR
socket=$MYSQL_SOCK
pid-file=$MARIADB_PID
skip-networking
log-error=$LOGDIR/mariadb.err
user=$ME
character-set-server=utf8mb4
collation-server=utf8mb4_unicode_ci
innodb_buffer_pool_size=256M
# Pages read key by key (a post's comments through its index, each comment's post) find
# their rows by hash instead of a B-tree descent: 15-21% less MariaDB CPU per page on the
# large data set (README, Performance). Off by default since MariaDB 10.5.
innodb_adaptive_hash_index=ON
max_connections=500
skip-log-bin

[client]
socket=$MYSQL_SOCK
default-character-set=utf8mb4
EOF
}

start_mariadb() {
  local pid
  if pid="$(live_pid "$MARIADB_PID")"; then
    log "mariadb already running (pid $pid), reusing it"
    return 0
  fi
  if [ ! -d "$DATADIR/mysql" ]; then
    log "initialising MariaDB data directory $DATADIR"
    rm -rf "$DATADIR"
    if ! mariadb-install-db --no-defaults --datadir="$DATADIR" --user="$ME" \
      --skip-test-db --auth-root-authentication-method=socket >"$LOGDIR/mariadb-install.log" 2>&1; then
      rm -rf "$DATADIR"
      die "mariadb-install-db failed" "$LOGDIR/mariadb-install.log"
    fi
  fi
  write_my_cnf
  rm -f "$MARIADB_PID"
  log "starting mariadb"
  setsid mariadbd --defaults-file="$MY_CNF" </dev/null >>"$LOGDIR/mariadbd.out" 2>&1 &
  pid=$!
  STARTED+=(mariadb)
  local tenths=300
  until mariadb-admin --defaults-file="$MY_CNF" -u"$DB_ADMIN" --connect-timeout=2 ping >/dev/null 2>&1; do
    if ! kill -0 "$pid" 2>/dev/null; then
      die "mariadbd exited during start-up" "$LOGDIR/mariadb.err" "$LOGDIR/mariadbd.out"
    fi
    [ "$tenths" -gt 0 ] || die "mariadb did not answer ping within 30s" "$LOGDIR/mariadb.err"
    sleep 0.1
    tenths=$((tenths - 1))
  done
  # mariadbd writes its pid file itself; make sure it is there for `stop`.
  [ -s "$MARIADB_PID" ] || echo "$pid" >"$MARIADB_PID"
  remember_pid "$MARIADB_PID"
}

setup_database() {
  local pw
  if [ ! -s "$PW_FILE" ]; then
    (umask 077 && od -An -tx1 -N18 /dev/urandom | tr -d ' \n' >"$PW_FILE")
  fi
  chmod 600 "$PW_FILE"
  pw="$(cat "$PW_FILE")" # hex only: safe inside SQL and blogd.conf
  sql >>"$SQL_LOG" 2>&1 <<EOF || die "creating database/user failed" "$SQL_LOG"
CREATE DATABASE IF NOT EXISTS blog CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER IF NOT EXISTS 'blogd'@'localhost' IDENTIFIED BY '$pw';
ALTER USER 'blogd'@'localhost' IDENTIFIED BY '$pw';
GRANT SELECT, INSERT, UPDATE, DELETE ON blog.* TO 'blogd'@'localhost';
EOF
  DB_PASSWORD="$pw"
}

migrate() {
  sql blog >>"$SQL_LOG" 2>&1 <<'EOF' || die "creating schema_migrations failed" "$SQL_LOG"
CREATE TABLE IF NOT EXISTS schema_migrations (
  version INT UNSIGNED PRIMARY KEY,
  name VARCHAR(255) NOT NULL,
  applied_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
) ENGINE=InnoDB;
EOF
  local applied f base num
  applied=" $(sql -N -B blog -e 'SELECT version FROM schema_migrations' 2>>"$SQL_LOG" | tr '\n' ' ') " ||
    die "reading schema_migrations failed" "$SQL_LOG"
  shopt -s nullglob
  local files=("$ROOT"/sql/[0-9][0-9][0-9]_*.sql)
  shopt -u nullglob
  # Glob expansion is already sorted (C locale digits first), i.e. by number.
  for f in "${files[@]}"; do
    base="$(basename "$f")"
    num=$((10#${base:0:3}))
    case "$applied" in *" $num "*) continue ;; esac
    log "applying migration $base"
    echo "== $base" >>"$SQL_LOG"
    # One client session: it stops at the first error, so the version is
    # recorded only when every statement of the file succeeded.
    {
      cat "$f"
      printf '\n;\nINSERT INTO schema_migrations (version, name) VALUES (%d, '"'"'%s'"'"');\n' "$num" "${base//\'/}"
    } | sql blog >>"$SQL_LOG" 2>&1 || die "migration $base failed" "$SQL_LOG"
  done
}

seed() {
  local count
  count="$(sql -N -B blog -e 'SELECT COUNT(*) FROM post' 2>>"$SQL_LOG")" ||
    die "counting posts failed" "$SQL_LOG"
  case "$SEED" in
    tutorial)
      if [ "$count" -eq 0 ]; then
        log "loading tutorial seed data"
        sql blog <"$ROOT/sql/seed.sql" >>"$SQL_LOG" 2>&1 || die "sql/seed.sql failed" "$SQL_LOG"
      fi
      ;;
    large)
      [ -f "$ROOT/sql/seed_large.sh" ] || die "SEED=large needs sql/seed_large.sh, which does not exist"
      if [ "$count" -eq 0 ]; then
        log "loading large seed data (sql/seed_large.sh)"
        MYSQL_DEFAULTS="$MY_CNF" MYSQL_ADMIN_USER="$DB_ADMIN" BLOGD_VAR="$VAR" BLOGD_ROOT="$ROOT" \
          bash "$ROOT/sql/seed_large.sh" >>"$SQL_LOG" 2>&1 || die "sql/seed_large.sh failed" "$SQL_LOG"
      else
        log "database already has $count posts; not running sql/seed_large.sh"
      fi
      ;;
    none) ;;
    *) die "unknown SEED '$SEED' (tutorial, large or none)" ;;
  esac
}

# blogd -----------------------------------------------------------------------
write_blogd_conf() {
  {
    if [ -f "$ROOT/conf/blogd.conf" ]; then
      cat "$ROOT/conf/blogd.conf"
    else
      log "warning: conf/blogd.conf not found; using only the stack's settings"
    fi
    echo
    echo "# ---- overrides from scripts/stack.sh (later lines win) ----"
    echo "listen = unix:$BLOGD_SOCK"
    echo "db_socket = $MYSQL_SOCK"
    echo "db_user = blogd"
    echo "db_password = $DB_PASSWORD"
    echo "db_name = blog"
    echo "templates = $ROOT/templates"
    echo "log_file = $BLOGD_LOG"
    echo "pid_file = $BLOGD_PID"
    echo "csrf_secret_file = $VAR/csrf.secret"
    if [ -n "$BLOGD_CONF_EXTRA" ]; then
      echo "# ---- BLOGD_CONF_EXTRA ----"
      printf '%s\n' "$BLOGD_CONF_EXTRA"
    fi
  } >"$BLOGD_CONF.tmp"
  chmod 600 "$BLOGD_CONF.tmp" # it holds the database password
  mv "$BLOGD_CONF.tmp" "$BLOGD_CONF"
}

start_blogd() {
  local pid
  if pid="$(live_pid "$BLOGD_PID")"; then
    log "blogd already running (pid $pid), reusing it (stop first to pick up a new binary)"
    return 0
  fi
  [ -x "$BLOGD_BIN" ] || die "blogd binary '$BLOGD_BIN' not found or not executable (run 'make build')"
  write_blogd_conf
  rm -f "$BLOGD_SOCK" "$BLOGD_PID"
  log "starting blogd ($BLOGD_BIN)"
  # shellcheck disable=SC2086 # BLOGD_WRAPPER is a list of words on purpose
  setsid $BLOGD_WRAPPER "$BLOGD_BIN" -c "$BLOGD_CONF" </dev/null >>"$LOGDIR/blogd.out" 2>&1 &
  pid=$!
  echo "$pid" >"$BLOGD_PID"
  remember_pid "$BLOGD_PID"
  STARTED+=(blogd)
  local tenths=300 # valgrind needs a while
  until [ -S "$BLOGD_SOCK" ]; do
    if ! kill -0 "$pid" 2>/dev/null; then
      wait "$pid" 2>/dev/null && rc=0 || rc=$?
      die "blogd exited during start-up (exit status $rc)" "$BLOGD_LOG" "$LOGDIR/blogd.out"
    fi
    [ "$tenths" -gt 0 ] || die "blogd did not create $BLOGD_SOCK within 30s" "$BLOGD_LOG" "$LOGDIR/blogd.out"
    sleep 0.1
    tenths=$((tenths - 1))
  done
}

# nginx -----------------------------------------------------------------------
write_nginx_conf() {
  local user_line=""
  # As root, nginx workers would drop to "nobody" and lose access to $VAR.
  [ "$(id -u)" -eq 0 ] && user_line="user root;"
  mkdir -p "$VAR/nginx-tmp"
  sed -e "s|@PORT@|$PORT|g" -e "s|@VAR@|$VAR|g" -e "s|@ROOT@|$ROOT|g" \
    -e "s|@USER_LINE@|$user_line|g" "$ROOT/conf/nginx-private.conf.in" >"$NGINX_CONF"
}

start_nginx() {
  local pid
  if pid="$(live_pid "$NGINX_PID")"; then
    log "nginx already running (pid $pid), reusing it"
    return 0
  fi
  write_nginx_conf
  log "starting nginx on 127.0.0.1:$PORT"
  nginx -p "$VAR" -e "$LOGDIR/nginx-error.log" -c "$NGINX_CONF" >>"$LOGDIR/nginx.out" 2>&1 ||
    die "nginx failed to start" "$LOGDIR/nginx.out" "$LOGDIR/nginx-error.log"
  STARTED+=(nginx)
  local tenths=100
  until port_accepts "$PORT"; do
    [ "$tenths" -gt 0 ] || die "nginx does not accept connections on port $PORT after 10s" "$LOGDIR/nginx-error.log"
    sleep 0.1
    tenths=$((tenths - 1))
  done
  remember_pid "$NGINX_PID"
}

write_stack_env() {
  {
    echo "# Generated by scripts/stack.sh; source it to reach this stack."
    printf 'BLOGD_URL=%q\n' "http://127.0.0.1:$PORT"
    printf 'BLOGD_PORT=%q\n' "$PORT"
    printf 'BLOGD_VAR=%q\n' "$VAR"
    printf 'BLOGD_ROOT=%q\n' "$ROOT"
    printf 'BLOGD_CONF=%q\n' "$BLOGD_CONF"
    printf 'BLOGD_SOCKET=%q\n' "$BLOGD_SOCK"
    printf 'BLOGD_PID_FILE=%q\n' "$BLOGD_PID"
    printf 'BLOGD_LOG=%q\n' "$BLOGD_LOG"
    printf 'NGINX_PID_FILE=%q\n' "$NGINX_PID"
    printf 'NGINX_ERROR_LOG=%q\n' "$LOGDIR/nginx-error.log"
    printf 'MARIADB_PID_FILE=%q\n' "$MARIADB_PID"
    printf 'MYSQL_DEFAULTS=%q\n' "$MY_CNF"
    printf 'MYSQL_SOCKET=%q\n' "$MYSQL_SOCK"
    printf 'MYSQL_ADMIN_USER=%q\n' "$DB_ADMIN"
    printf 'BLOGD_DB_PASSWORD_FILE=%q\n' "$PW_FILE"
  } >"$VAR/stack.env"
}

# Commands ----------------------------------------------------------------------
cmd_start() {
  resolve_var create
  mkdir -p "$RUN" "$LOGDIR"
  trap on_start_exit EXIT
  trap 'exit 130' INT TERM # leave through the EXIT trap, which cleans up

  # Unix socket paths are limited to 108 bytes (sun_path).
  if [ "${#BLOGD_SOCK}" -ge 100 ] || [ "${#MYSQL_SOCK}" -ge 100 ]; then
    die "VAR path too long for unix sockets: $VAR (use a shorter VAR)"
  fi
  if ! live_pid "$NGINX_PID" >/dev/null && port_in_use "$PORT"; then
    die "port $PORT on 127.0.0.1 is already in use; choose another with PORT=..."
  fi
  command -v mariadbd >/dev/null || die "mariadbd not found (run scripts/deps.sh)"
  command -v nginx >/dev/null || die "nginx not found (run scripts/deps.sh)"

  start_mariadb
  setup_database
  migrate
  seed
  start_blogd
  start_nginx
  write_stack_env

  START_OK=1
  trap - EXIT INT TERM
  echo "blogd is running at http://127.0.0.1:$PORT/"
}

cmd_stop() {
  resolve_var
  stop_one nginx "$NGINX_PID"
  stop_one blogd "$BLOGD_PID"
  rm -f "$BLOGD_SOCK"
  stop_one mariadb "$MARIADB_PID"
}

cmd_status() {
  resolve_var
  local all=0 name file pid
  for name in nginx blogd mariadb; do
    case "$name" in
      nginx) file="$NGINX_PID" ;;
      blogd) file="$BLOGD_PID" ;;
      mariadb) file="$MARIADB_PID" ;;
    esac
    if pid="$(live_pid "$file")"; then
      echo "$name: running (pid $pid)"
    else
      echo "$name: stopped"
      all=1
    fi
  done
  if [ "$all" -eq 0 ] && [ -f "$VAR/stack.env" ]; then
    echo "url: http://127.0.0.1:$(sed -n 's/^BLOGD_PORT=//p' "$VAR/stack.env")/"
  fi
  return "$all"
}

cmd_run() {
  cmd_start
  echo "Ctrl-C to stop"
  local stopping=0 name file dead=""
  trap 'stopping=1' INT TERM
  while [ "$stopping" -eq 0 ]; do
    sleep 1 &
    wait $! 2>/dev/null || true
    [ "$stopping" -eq 0 ] || break
    for name in nginx blogd mariadb; do
      case "$name" in
        nginx) file="$NGINX_PID" ;;
        blogd) file="$BLOGD_PID" ;;
        mariadb) file="$MARIADB_PID" ;;
      esac
      live_pid "$file" >/dev/null || dead="$name"
    done
    if [ -n "$dead" ]; then
      log "ERROR: $dead stopped unexpectedly"
      show_log "$BLOGD_LOG" "$LOGDIR/nginx-error.log" "$LOGDIR/mariadb.err"
      break
    fi
  done
  trap '' INT TERM
  echo
  cmd_stop
  [ -z "$dead" ]
}

[ $# -eq 1 ] || usage
case "$1" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  run) cmd_run ;;
  status) cmd_status ;;
  *) usage ;;
esac
