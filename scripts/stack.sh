#!/usr/bin/env bash
# Private per-checkout stack (MariaDB + blogd + nginx under $VAR): start|stop|run|status.
#
# Nothing system-wide is touched: every file, socket, pid and log lives under
# $VAR, MariaDB listens only on $VAR/mysqld/mysqld.sock, nginx only on
# 127.0.0.1:$PORT. `stop` only signals PIDs read from pid files under $VAR.
#
# Started as root, nothing it starts serves as root: MariaDB runs as `mysql`
# (the account of the mariadb-server package), nginx's workers as `www-data`
# (its master stays root, as nginx's does) and blogd as `nobody` (group
# nogroup): blogd drops to it itself (its `user` option) after opening its
# socket, which it gives to nobody:www-data 0660 so that nginx can connect.
# Every daemon owns what it writes, and root never writes into a directory a
# daemon owns (a daemon could plant a symlink there):
#   $VAR/run/       nobody:   blogd.sock, blogd.pid (blogd's own)
#   $VAR/mysqld/    mysql:    mysqld.sock, mysqld.pid (mariadbd's own)
#   $VAR/mysql/     mysql:    the data directory
#   $VAR/log/       root:     blogd.log (nobody's), mariadb.err (mysql's), nginx's logs
#   $VAR/log/reports/ nobody: files blogd's processes create (valgrind, ASan)
#   $VAR/*.pid      root:     this script's records of what it started
#   $VAR/blogd.conf, csrf.secret  root:nogroup 0640 (blogd reads them again on SIGHUP)
# Not root, everything runs as the invoking user, in the same layout.
#
# Several hosts (HOSTS=N, REPLICAS=M; the defaults 1 and 0 are the single-host stack,
# nothing of what follows): host 1 keeps the names above, host i >= 2 has its own
# blogd<i>.conf, blogd<i>.pid, run/blogd<i>.sock, run/blogd<i>.pid and log/blogd<i>.log,
# all sharing csrf.secret and the primary; nginx's upstream lists every host's socket.
# With replicas the primary (server_id 1) writes a binary log and also listens on
# 127.0.0.1:<primary_port> (a free port, recorded there), for replication only; replica j
# (server_id 10+j, read_only, no binary log, blogd's account with SELECT only) lives in
#   $VAR/r<j>/        root:     my.cnf, mariadb.pid (this script's record)
#   $VAR/r<j>/mysqld/ mysql:    mysqld.sock, mysqld.pid
#   $VAR/r<j>/mysql/  mysql:    its data directory
#   $VAR/log/mariadb-r<j>.err
# and replicates from the primary over MariaDB's GTIDs (MASTER_USE_GTID=slave_pos). At every
# start each replica that is not running is seeded again from a consistent dump of the
# primary (mariadb-dump --single-transaction --gtid --master-data) and blogd starts once
# every replica has caught up; a replica restarted by the supervisor resumes from its own
# gtid_slave_pos.
#
# `run` starts the stack and supervises it in the foreground: a part that exits
# (or is killed) is restarted with a backoff, one restarted by hand is adopted;
# Ctrl-C, SIGTERM or SIGHUP (to the script, its process group or `make run`),
# or its parent going away, stops everything it runs.
#
# Environment:
#   PORT       HTTP port on 127.0.0.1 (default 8080)
#   HOSTS      blogd hosts (masters) behind the one nginx (default 1)
#   REPLICAS   MariaDB replicas of the primary, each in every host's db_replicas (default 0)
#   VAR        state directory (default ./var, made absolute)
#   BLOGD_BIN  blogd binary (default <repo>/build/blogd)
#   SEED       tutorial (default) | large (sql/seed_large.sql) | none: what
#              `blogd migrate --seed` loads into an empty database (after the migrations)
#   BLOGD_WRAPPER     command words put before blogd (e.g. "valgrind --leak-check=full");
#                     not before `blogd migrate`
#   BLOGD_CONF_EXTRA  extra "key = value" lines appended to $VAR/blogd.conf
#   BLOGD_SHARE       where templates/, static/ and sql/ are (default the checkout; e.g. an
#                     installed or extracted share/blogd)
#   BLOGD_CONF_BASE   the blogd.conf that $VAR/blogd.conf starts from (default conf/blogd.conf,
#                     then the tutorial's comment rules); given (e.g. an installed one), its
#                     own rules stand: only paths, accounts and the database are the stack's
#
# $VAR/local.conf, when it exists, is appended to $VAR/blogd.conf after all of these (later
# lines win) at every start: any option of the private stack, without editing the repo.
# Migrations and seeding are `blogd migrate`'s (src/migrate.c); this script creates the
# database and blogd's account, then only starts, supervises and stops daemons.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PORT="${PORT:-8080}"
VAR="${VAR:-./var}"
BLOGD_BIN="${BLOGD_BIN:-$ROOT/build/blogd}"
SEED="${SEED:-tutorial}"
HOSTS="${HOSTS:-1}"
REPLICAS="${REPLICAS:-0}"
BLOGD_CONF_EXTRA="${BLOGD_CONF_EXTRA:-}"
BLOGD_WRAPPER="${BLOGD_WRAPPER:-}"
BLOGD_SHARE="${BLOGD_SHARE:-$ROOT}"
BLOGD_CONF_BASE="${BLOGD_CONF_BASE:-}"
STOP_TIMEOUT=20

ME="$(id -un)"
# mariadb-install-db gives unix_socket-authenticated, all-privileged accounts
# to root and to the --user account; connect as whichever we are.
DB_ADMIN="$ME"

# Accounts: see the header.
if [ "$(id -u)" -eq 0 ]; then
  AS_ROOT=1
  DB_USER=mysql
  BLOGD_USER=nobody
  WEB_USER=www-data
else
  AS_ROOT=0
  DB_USER="$ME"
  BLOGD_USER="$ME"
  WEB_USER="$ME"
fi

# Never fails: a terminal that hung up (EIO) must not stop a stop half-way.
log() { printf 'stack: %s\n' "$*" >&2 2>/dev/null || true; }

usage() {
  echo "usage: [PORT=8080] [VAR=./var] [BLOGD_BIN=build/blogd] [SEED=tutorial|large|none] [HOSTS=1] [REPLICAS=0] $0 start|stop|run|status" >&2
  exit 2
}

case "$PORT" in '' | *[!0-9]*) log "PORT must be a number, got '$PORT'"; exit 2 ;; esac
case "$HOSTS" in [1-9] | [1-9][0-9]) ;; *) log "HOSTS must be a number from 1 to 99, got '$HOSTS'"; exit 2 ;; esac
case "$REPLICAS" in [0-9] | [1-9][0-9]) ;; *) log "REPLICAS must be a number from 0 to 99, got '$REPLICAS'"; exit 2 ;; esac
HOSTS=$((10#$HOSTS))
REPLICAS=$((10#$REPLICAS))

# Paths ---------------------------------------------------------------------
# reachable PATH: every account of the stack can traverse PATH (a directory).
reachable() {
  local u
  for u in "$DB_USER" "$BLOGD_USER" "$WEB_USER"; do
    as_account "$u" test -x "$1" || return 1
  done
}

# relocate_var: as root, a new VAR that the daemons' accounts cannot reach (a checkout
# under /root, mode 0700) becomes a link to a directory of its own under /var/tmp, which
# they can; nothing outside is opened up. A VAR that already holds a stack stays put (the
# access checks then say what to do).
relocate_var() {
  local abs real
  abs="$(cd "$VAR" && pwd)" # absolute: a relative path would be looked up from our cwd
  [ "$AS_ROOT" -eq 1 ] && [ ! -L "$VAR" ] && ! reachable "$abs" || return 0
  [ -z "$(ls -A "$VAR" 2>/dev/null)" ] || return 0
  real="/var/tmp/blogd-stack-$(printf '%s' "$abs" | sha256sum | cut -c1-12)"
  (umask 022 && mkdir -p "$real")
  chmod 0755 "$real"
  rmdir "$VAR" && ln -s "$real" "$VAR"
  log "$abs is out of reach of $DB_USER, $BLOGD_USER and $WEB_USER: the stack lives in $real ($VAR links to it)"
}

# resolve_var [create]: make VAR absolute; only `start` creates it.
resolve_var() {
  [ "${1:-}" != create ] || (umask 022 && mkdir -p "$VAR")
  [ "${1:-}" != create ] || relocate_var
  if [ -d "$VAR" ]; then
    VAR="$(cd "$VAR" && pwd -P)"
  else
    case "$VAR" in /*) ;; *) VAR="$PWD/$VAR" ;; esac
  fi
  RUN="$VAR/run"
  TEMPLATES_DIR="$BLOGD_SHARE/templates"
  STATIC_DIR="$BLOGD_SHARE/static"
  MYSQLD_DIR="$VAR/mysqld"
  LOGDIR="$VAR/log"
  REPORTS="$LOGDIR/reports"
  MY_CNF="$VAR/my.cnf"
  DATADIR="$VAR/mysql"
  MYSQL_SOCK="$MYSQLD_DIR/mysqld.sock"
  MYSQLD_PID="$MYSQLD_DIR/mysqld.pid"
  MARIADB_PID="$VAR/mariadb.pid"
  BLOGD_SOCK="$RUN/blogd.sock"
  BLOGD_CONF="$VAR/blogd.conf"
  BLOGD_PID="$VAR/blogd.pid"
  BLOGD_LOG="$LOGDIR/blogd.log"
  CSRF_SECRET="$VAR/csrf.secret"
  NGINX_CONF="$VAR/nginx.conf"
  NGINX_PID="$VAR/nginx.pid"
  SUPERVISOR_PID="$VAR/stack.pid"
  PW_FILE="$VAR/db_password"
  SQL_LOG="$LOGDIR/sql.log"
  REPL_PW_FILE="$VAR/repl_password"
  PRIMARY_PORT_FILE="$VAR/primary_port"
  define_parts
}

# The parts of the stack, by name: mariadb (the primary), replica<j>, blogd (host 1),
# blogd<i> (host i >= 2), nginx. PARTS lists them in start order; each one's pid files are
# OWN_PID (the daemon's own) and REC_PID (this script's record), and blogd hosts and
# replicas have their paths in the arrays below (see the header for the layout).
declare -A OWN_PID=() REC_PID=() B_SOCK=() B_CONF=() B_LOG=() B_OUT=()
declare -A R_CNF=() R_DATA=() R_SOCKDIR=() R_SOCK=() R_ERR=() R_OUT=() R_NUM=()
PARTS=()
HOST_PARTS=()
REPLICA_PARTS=()

define_parts() {
  local i j c s
  OWN_PID[mariadb]="$MYSQLD_PID" REC_PID[mariadb]="$MARIADB_PID"
  OWN_PID[nginx]="$NGINX_PID" REC_PID[nginx]=""
  HOST_PARTS=() REPLICA_PARTS=()
  for ((j = 1; j <= REPLICAS; j++)); do
    c="replica$j"
    REPLICA_PARTS+=("$c")
    R_NUM[$c]="$j"
    R_CNF[$c]="$VAR/r$j/my.cnf"
    R_DATA[$c]="$VAR/r$j/mysql"
    R_SOCKDIR[$c]="$VAR/r$j/mysqld"
    R_SOCK[$c]="$VAR/r$j/mysqld/mysqld.sock"
    R_ERR[$c]="$LOGDIR/mariadb-r$j.err"
    R_OUT[$c]="$LOGDIR/mariadbd-r$j.out"
    OWN_PID[$c]="$VAR/r$j/mysqld/mysqld.pid"
    REC_PID[$c]="$VAR/r$j/mariadb.pid"
  done
  for ((i = 1; i <= HOSTS; i++)); do
    if [ "$i" -eq 1 ]; then c=blogd s=""; else c="blogd$i" s="$i"; fi
    HOST_PARTS+=("$c")
    B_SOCK[$c]="$RUN/blogd$s.sock"
    B_CONF[$c]="$VAR/blogd$s.conf"
    B_LOG[$c]="$LOGDIR/blogd$s.log"
    B_OUT[$c]="$LOGDIR/blogd$s.out"
    OWN_PID[$c]="$RUN/blogd$s.pid"
    REC_PID[$c]="$VAR/blogd$s.pid"
  done
  PARTS=(mariadb "${REPLICA_PARTS[@]}" "${HOST_PARTS[@]}" nginx)
}

# discover_parts: HOSTS and REPLICAS become at least what $VAR holds files of (a stop or a
# status without them, or with fewer than the last start had), then define_parts again.
discover_parts() {
  local f n
  for f in "$VAR"/blogd[0-9]*.conf "$VAR"/blogd[0-9]*.pid "$RUN"/blogd[0-9]*.pid; do
    n="${f##*/blogd}"
    n="${n%%.*}"
    case "$n" in [0-9] | [1-9][0-9]) [ "$n" -le "$HOSTS" ] || HOSTS="$n" ;; esac
  done
  for f in "$VAR"/r[0-9]*; do
    n="${f##*/r}"
    case "$n" in [0-9] | [1-9][0-9]) [ ! -d "$f" ] || [ "$n" -le "$REPLICAS" ] || REPLICAS="$n" ;; esac
  done
  define_parts
}

# Process helpers -----------------------------------------------------------

# stat_fields PID: F = the fields of /proc/PID/stat after "pid (comm) " (comm
# may hold spaces): F[0] the state, F[1] the parent, F[19] the start time.
# Builtins only: the supervisor looks every half second.
stat_fields() {
  local stat=""
  IFS= read -r stat 2>/dev/null <"/proc/$1/stat" || [ -n "$stat" ] || return 1
  read -r -a F <<<"${stat##*) }"
}

# Start time of a process (clock ticks since boot): together with the PID it
# names one process for the life of the machine.
proc_start() {
  local -a F
  stat_fields "$1" || return 1
  printf '%s\n' "${F[19]}"
}

# True while PID runs: a zombie has exited (an orphan's zombie may wait long for
# its reaper: nginx's master is one, once it daemonized).
running() {
  local -a F
  stat_fields "$1" || return 1
  case "${F[0]}" in Z | X) return 1 ;; esac
}

# Parent PID of a process.
parent_of() {
  local -a F
  stat_fields "$1" || return 1
  printf '%s\n' "${F[1]}"
}

# remember_pid FILE PID: record PID in FILE (one of ours, in a root-only directory
# when root) with its start time, for live_pid's identity check.
remember_pid() {
  local file="$1" pid="$2" start
  echo "$pid" >"$file"
  if start="$(proc_start "$pid")"; then
    echo "$pid $start" >"$file.start"
  fi
}

# Print the PID stored in a pid file if it names a live process that is ours,
# guarding against a recycled PID: either its command line mentions $VAR
# (every process we start is given paths under $VAR) or it is the very
# process remember_pid recorded at start-up (in case it retitled itself).
live_pid() {
  local file="$1" pid="" start="" args=()
  [ -f "$file" ] || return 1
  IFS= read -r pid 2>/dev/null <"$file" || true
  pid="${pid//[!0-9]/}"
  [ -n "$pid" ] || return 1
  running "$pid" || return 1
  mapfile -d '' args 2>/dev/null <"/proc/$pid/cmdline" || true
  if [[ " ${args[*]-} " != *"$VAR"* ]]; then
    IFS= read -r start 2>/dev/null <"$file.start" || true
    [ -n "$start" ] && [ "$start" = "$pid $(proc_start "$pid")" ] || return 1
  fi
  printf '%s\n' "$pid"
}

# comp_pid NAME: the running process of a component. The daemon's own pid file
# comes first, so that a copy someone restarted by hand is found (and adopted),
# then the record this script keeps.
comp_pid() {
  [ -n "${OWN_PID[$1]+set}" ] || return 1
  live_pid "${OWN_PID[$1]}" || live_pid "${REC_PID[$1]}"
}

# wait_gone PID SECONDS: true once PID has exited.
wait_gone() {
  local pid="$1" tenths=$(($2 * 10))
  while running "$pid"; do
    [ "$tenths" -gt 0 ] || return 1
    sleep 0.1
    tenths=$((tenths - 1))
  done
}

# reap_group PGID: what is left of a process group whose leader is gone (nginx's
# workers outlive a killed master and keep its port; blogd's workers drain).
# A PGID stays reserved while its group has members, so it names only that group.
reap_group() {
  local pgid="$1" n=50
  group_runs "$pgid" || return 0
  kill -TERM -- "-$pgid" 2>/dev/null || true
  while group_runs "$pgid" && [ "$n" -gt 0 ]; do sleep 0.1; n=$((n - 1)); done
  kill -KILL -- "-$pgid" 2>/dev/null || true
}

# True while a process of group PGID runs (its zombies do not count, see running).
group_runs() {
  ps -e -o pgid=,stat= | awk -v g="$1" '$1 == g && $2 !~ /^[ZX]/ { n++ } END { exit n ? 0 : 1 }'
}

# stop_pid NAME PID: SIGTERM, wait, SIGKILL; also reaps the rest of the
# process group when the process leads its own group (blogd and mariadbd are
# started with setsid, nginx setsid()s itself when daemonizing), so no worker outlives it.
stop_pid() {
  local name="$1" pid="$2" pgid
  pgid="$(ps -o pgid= -p "$pid" 2>/dev/null | tr -d ' ' || true)"
  log "stopping $name (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  if ! wait_gone "$pid" "$STOP_TIMEOUT"; then
    log "$name did not exit within ${STOP_TIMEOUT}s, sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    wait_gone "$pid" 5 || log "$name (pid $pid) still alive after SIGKILL"
  fi
  [ "$pgid" != "$pid" ] || reap_group "$pgid"
}

# stop_one NAME: stops the component (its own pid file's process and the one
# this script recorded, if they differ) and forgets it.
stop_one() {
  local name="$1" pid n=0
  while pid="$(comp_pid "$name")" && [ "$n" -lt 3 ]; do
    stop_pid "$name" "$pid"
    n=$((n + 1))
  done
  case "$name" in
    nginx) rm -f "$NGINX_PID" "$NGINX_PID.start" ;;
    *) rm -f "${REC_PID[$name]}" "${REC_PID[$name]}.start" ${B_SOCK[$name]:+"${B_SOCK[$name]}"} ;;
  esac
}

# stop_parts NAME...: stop_one for each, in parallel (each MariaDB takes a second or two to
# shut down; the stack's parts are independent once nginx is gone). Never fails.
stop_parts() {
  local c
  local -a pids=()
  [ $# -gt 0 ] || return 0
  if [ $# -eq 1 ]; then
    stop_one "$1" || true
    return 0
  fi
  for c in "$@"; do
    stop_one "$c" &
    pids+=($!)
  done
  wait "${pids[@]}" 2>/dev/null || true
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
STOP_SIGNAL="" # set by on_signal once the stack is up (run)

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
  rm -f "$VAR/replica-seed.sql" # start_replicas' dump, if it stopped half-way
  for c in nginx "${HOST_PARTS[@]}" "${REPLICA_PARTS[@]}" mariadb; do
    case " ${STARTED[*]-} " in
      *" $c "*) stop_one "$c" ;;
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
    if [ "$rc" -eq 130 ]; then
      log "interrupted while starting; stopping what was started"
    else
      log "ERROR: start failed unexpectedly (exit $rc); see $LOGDIR"
      show_log "$SQL_LOG"
    fi
    trap '' INT TERM HUP
    cleanup_started
  fi
}

# SIGINT/SIGTERM/SIGHUP: while starting, leave through the EXIT trap (which
# stops what was started); once `run` supervises, end its loop.
on_signal() {
  if [ "$START_OK" -eq 0 ]; then
    exit 130
  fi
  STOP_SIGNAL="$1"
}

# Accounts and ownership --------------------------------------------------------
# as_account USER CMD...: CMD with USER's ids and groups (util-linux setpriv, no PAM).
as_account() {
  local user="$1"
  shift
  setpriv --reuid="$user" --regid="$(id -g "$user")" --init-groups -- "$@"
}

# first_closed USER PATH: the first directory on PATH's way that USER cannot traverse.
first_closed() {
  local user="$1" path="$2" dir=""
  local -a parts
  IFS=/ read -r -a parts <<<"${path#/}"
  local p
  for p in "${parts[@]}"; do
    dir="$dir/$p"
    [ -d "$dir" ] || break
    if ! as_account "$user" test -x "$dir"; then
      printf '%s\n' "$dir"
      return 0
    fi
  done
  return 1
}

# need_access USER TEST PATH WHY: USER must pass `test TEST PATH`, or the stack
# stops here with what to do (it changes no permission outside the repo and VAR).
need_access() {
  local user="$1" op="$2" path="$3" why="$4" closed
  as_account "$user" test "$op" "$path" && return 0
  if closed="$(first_closed "$user" "$path")"; then
    die "$user ($why) cannot reach $path: $closed is mode $(stat -c '%a, owner %U' "$closed"). Put the checkout and VAR where every account can traverse (e.g. under /srv, /opt or /tmp, not /root), or run the stack as an unprivileged user."
  fi
  die "$user ($why) cannot use $path ($(stat -c 'mode %a, owner %U:%G' "$path" 2>/dev/null || echo missing))"
}

# Directories and files each daemon needs, owned by it (see the header).
prepare_var() {
  (umask 022 && mkdir -p "$RUN" "$MYSQLD_DIR" "$LOGDIR" "$REPORTS" "$VAR/nginx-tmp")
  local c
  for c in "${REPLICA_PARTS[@]}"; do
    (umask 022 && mkdir -p "${R_SOCKDIR[$c]}")
  done
  [ "$AS_ROOT" -eq 1 ] || return 0
  local u
  for u in "$DB_USER" "$BLOGD_USER" "$WEB_USER"; do
    id -u "$u" >/dev/null 2>&1 || die "the account $u does not exist (mariadb-server creates mysql, nginx's packages www-data; nobody is Debian's)"
  done
  # -h: never follow a symlink a daemon may have put there.
  # The log directory too: on SIGUSR1 (logrotate) blogd, no longer root, makes a new log
  # file in it.
  chown -h "$BLOGD_USER:" "$RUN" "$REPORTS" "$LOGDIR"
  chown -h "$DB_USER:" "$MYSQLD_DIR"
  chmod 0755 "$RUN" "$MYSQLD_DIR" "$REPORTS" "$LOGDIR"
  # A data directory from a stack that ran MariaDB as root (before the accounts).
  if [ -d "$DATADIR" ] && [ "$(stat -c %U "$DATADIR")" != "$DB_USER" ]; then
    log "giving $DATADIR to $DB_USER"
    chown -R -h "$DB_USER:" "$DATADIR"
  fi
  [ -e "$LOGDIR/mariadb.err" ] || : >"$LOGDIR/mariadb.err"
  [ -e "$BLOGD_LOG" ] || : >"$BLOGD_LOG"
  chown -h "$DB_USER:" "$LOGDIR/mariadb.err"
  chown -h "$BLOGD_USER:" "$BLOGD_LOG"
  # The other hosts' logs, and each replica's directories and log (as the primary's).
  for c in "${HOST_PARTS[@]:1}"; do
    [ -e "${B_LOG[$c]}" ] || : >"${B_LOG[$c]}"
    chown -h "$BLOGD_USER:" "${B_LOG[$c]}"
  done
  for c in "${REPLICA_PARTS[@]}"; do
    chown -h "$DB_USER:" "${R_SOCKDIR[$c]}"
    chmod 0755 "${R_SOCKDIR[$c]}"
    if [ -d "${R_DATA[$c]}" ] && [ "$(stat -c %U "${R_DATA[$c]}")" != "$DB_USER" ]; then
      chown -R -h "$DB_USER:" "${R_DATA[$c]}"
    fi
    [ -e "${R_ERR[$c]}" ] || : >"${R_ERR[$c]}"
    chown -h "$DB_USER:" "${R_ERR[$c]}"
    need_access "$DB_USER" -w "${R_SOCKDIR[$c]}" "MariaDB, $c"
    need_access "$BLOGD_USER" -x "${R_SOCKDIR[$c]}" "blogd, to reach $c"
  done
  # Every account reaches what it needs (VAR or the repo under /root would not).
  need_access "$DB_USER" -w "$MYSQLD_DIR" "MariaDB"
  need_access "$DB_USER" -w "$LOGDIR/mariadb.err" "MariaDB"
  need_access "$BLOGD_USER" -w "$RUN" "blogd"
  need_access "$BLOGD_USER" -w "$BLOGD_LOG" "blogd"
  need_access "$BLOGD_USER" -w "$REPORTS" "blogd"
  # A checkout the accounts cannot reach (under /root): blogd reads a copy of the templates
  # and nginx serves a copy of static/, both under VAR, refreshed at every start.
  if ! as_account "$BLOGD_USER" test -r "$TEMPLATES_DIR/layout.tpl" ||
    ! as_account "$WEB_USER" test -r "$STATIC_DIR/style.css"; then
    log "the checkout is out of reach of $BLOGD_USER or $WEB_USER: serving copies of templates/ and static/ from $VAR/share"
    rm -rf "$VAR/share"
    (umask 022 && mkdir -p "$VAR/share" && cp -R "$TEMPLATES_DIR" "$STATIC_DIR" "$VAR/share/")
    TEMPLATES_DIR="$VAR/share/templates" STATIC_DIR="$VAR/share/static"
  fi
  need_access "$BLOGD_USER" -r "$TEMPLATES_DIR/layout.tpl" "blogd's templates"
  need_access "$BLOGD_USER" -x "$MYSQLD_DIR" "blogd, to reach MariaDB"
  need_access "$WEB_USER" -x "$RUN" "nginx's workers, to reach blogd"
  need_access "$WEB_USER" -r "$STATIC_DIR/style.css" "nginx's workers, serving static/"
}

# own_file FILE: root:<blogd's group> 0640 as root (blogd reads it again on
# SIGHUP), else 0600.
own_file() {
  if [ "$AS_ROOT" -eq 1 ]; then
    chown -h "root:$(id -gn "$BLOGD_USER")" "$1"
    chmod 0640 "$1"
  else
    chmod 0600 "$1"
  fi
}

# MariaDB ---------------------------------------------------------------------
sql() { mariadb --defaults-file="$MY_CNF" -u"$DB_ADMIN" "$@"; }

# client_opts PART: CLIENT_OPTS (the caller's local array) = the client options that reach
# PART (mariadb or a replica; one being seeded listens on its SEED_SOCK) as the administrator.
declare -A SEED_SOCK=()
client_opts() {
  local c="$1"
  if [ "$c" = mariadb ]; then
    CLIENT_OPTS=(--defaults-file="$MY_CNF")
  else
    CLIENT_OPTS=(--defaults-file="${R_CNF[$c]}")
    [ -z "${SEED_SOCK[$c]:-}" ] || CLIENT_OPTS+=(--socket="${SEED_SOCK[$c]}")
  fi
  CLIENT_OPTS+=(-u"$DB_ADMIN")
}

# rsql REPLICA ARGS...: the mariadb client on a replica, as the administrator.
rsql() {
  local c="$1"
  local -a CLIENT_OPTS
  shift
  client_opts "$c"
  mariadb "${CLIENT_OPTS[@]}" "$@"
}

# The primary's replication settings (REPLICAS > 0): a binary log of rows with GTIDs, synced
# at every commit, and a TCP port on 127.0.0.1 for the replicas alone (only the replication
# account may connect over TCP: every other account is @localhost, the socket). The triggers
# of the migrations need log_bin_trust_function_creators with a binary log
# (DESIGN.md, "Traps of the second wave").
primary_repl_cnf() {
  cat <<EOR
# Replication (REPLICAS=$REPLICAS): the primary of this stack's replicas (scripts/stack.sh).
bind-address=127.0.0.1
port=$PRIMARY_PORT
skip-name-resolve
server_id=1
log-bin=mysql-bin
binlog_format=ROW
gtid_strict_mode=1
sync_binlog=1
log_bin_trust_function_creators=1
# Every start seeds the replicas again; older logs are not needed for long.
binlog_expire_logs_seconds=86400
EOR
}

write_my_cnf() {
  local net="skip-networking" binlog="skip-log-bin"
  if [ "$REPLICAS" -gt 0 ]; then
    net="" binlog="$(primary_repl_cnf)"
  fi
  cat >"$MY_CNF" <<EOF2
# Generated by scripts/stack.sh; private MariaDB for this checkout.
[mysqld]
datadir=$DATADIR
socket=$MYSQL_SOCK
pid-file=$MYSQLD_PID
# Temporary tables in its own directory, not the machine's /tmp (shared with other servers).
tmpdir=$MYSQLD_DIR
${net:+$net
}log-error=$LOGDIR/mariadb.err
user=$DB_USER
character-set-server=utf8mb4
collation-server=utf8mb4_unicode_ci
innodb_buffer_pool_size=256M
# Pages read key by key (a post's comments through its index, each comment's post) find
# their rows by hash instead of a B-tree descent: 15-21% less MariaDB CPU per page on the
# large data set (README, Performance). Off by default since MariaDB 10.5.
innodb_adaptive_hash_index=ON
max_connections=500
$binlog

[client]
socket=$MYSQL_SOCK
default-character-set=utf8mb4
EOF2
}

# write_replica_cnf REPLICA: the primary's settings, plus a replica's: its own server_id,
# read-only to everyone but the administrator and the replication threads, no binary log,
# relay logs dropped after a crash (the GTID position, kept in InnoDB with the rows, says
# where to resume), and a short slave_net_timeout (with a 1 s heartbeat and
# MASTER_CONNECT_RETRY=1: a primary that went away is noticed, and reconnected to once it
# is back, within seconds).
write_replica_cnf() {
  local c="$1"
  cat >"${R_CNF[$c]}" <<EOF2
# Generated by scripts/stack.sh; replica ${R_NUM[$c]} of this stack's MariaDB (primary: $MY_CNF).
[mysqld]
datadir=${R_DATA[$c]}
socket=${R_SOCK[$c]}
pid-file=${OWN_PID[$c]}
tmpdir=${R_SOCKDIR[$c]}
skip-networking
log-error=${R_ERR[$c]}
user=$DB_USER
character-set-server=utf8mb4
collation-server=utf8mb4_unicode_ci
innodb_buffer_pool_size=256M
innodb_adaptive_hash_index=ON
max_connections=500
skip-log-bin
server_id=$((10 + ${R_NUM[$c]}))
read_only=1
relay-log=relay-bin
relay_log_recovery=1
slave_net_timeout=4

[client]
socket=${R_SOCK[$c]}
default-character-set=utf8mb4
EOF2
}

# launch_mariadb [PART [ARG...]]: start mariadbd (the primary, or a replica) in its own
# session; does not wait for it.
launch_mariadb() {
  local c="${1:-mariadb}" cnf="$MY_CNF" out="$LOGDIR/mariadbd.out"
  [ $# -eq 0 ] || shift
  if [ "$c" != mariadb ]; then
    cnf="${R_CNF[$c]}" out="${R_OUT[$c]}"
  fi
  setsid mariadbd --defaults-file="$cnf" "$@" </dev/null >>"$out" 2>&1 &
  LAUNCHED=$!
  remember_pid "${REC_PID[$c]}" "$LAUNCHED"
}

# install_datadir DIR LOG: a new MariaDB data directory (a previous half-made one removed).
install_datadir() {
  local dir="$1" out="$2"
  [ ! -d "$dir/mysql" ] || return 0
  log "initialising MariaDB data directory $dir"
  rm -rf "$dir"
  if ! mariadb-install-db --no-defaults --datadir="$dir" --user="$DB_USER" \
    --skip-test-db --auth-root-authentication-method=socket >"$out" 2>&1; then
    rm -rf "$dir"
    die "mariadb-install-db failed" "$out"
  fi
}

# wait_mariadb PART PID ERRLOG...: until the server answers ping.
wait_mariadb() {
  local name="$1" pid="$2" tenths=300
  local -a CLIENT_OPTS
  shift 2
  client_opts "$name"
  until mariadb-admin "${CLIENT_OPTS[@]}" --connect-timeout=2 ping >/dev/null 2>&1; do
    if ! running "$pid"; then
      if [ "$name" = mariadb ]; then
        die "mariadbd exited during start-up" "$@"
      fi
      die "mariadbd of $name exited during start-up" "$@"
    fi
    [ "$tenths" -gt 0 ] || die "$name did not answer ping within 30s" "$1"
    sleep 0.1
    tenths=$((tenths - 1))
  done
}

# choose_primary_port: the primary's replication port, kept in $PRIMARY_PORT_FILE from one
# start to the next while it stays free; else a free one of 20000-32767 (below Linux's
# ephemeral ports, so no outgoing connection takes it while the primary is down).
choose_primary_port() {
  local p="" n=0
  [ ! -s "$PRIMARY_PORT_FILE" ] || p="$(tr -dc '0-9' <"$PRIMARY_PORT_FILE")"
  if [ -n "$p" ] && comp_pid mariadb >/dev/null; then
    PRIMARY_PORT="$p" # the running primary's (its my.cnf's)
    return 0
  fi
  if [ -z "$p" ] || [ "$p" = "$PORT" ] || port_in_use "$p"; then
    p=""
    while [ "$n" -lt 100 ]; do
      p=$((20000 + RANDOM % 12768))
      if [ "$p" != "$PORT" ] && ! port_in_use "$p"; then break; fi
      p="" n=$((n + 1))
    done
    [ -n "$p" ] || die "no free port for the primary's replication in 20000-32767"
  fi
  echo "$p" >"$PRIMARY_PORT_FILE"
  PRIMARY_PORT="$p"
}

start_mariadb() {
  local pid
  [ "$REPLICAS" -eq 0 ] || choose_primary_port
  if pid="$(comp_pid mariadb)"; then
    log "mariadb already running (pid $pid), reusing it"
    if [ "$REPLICAS" -gt 0 ] && [ "$(sql -N -e 'SELECT @@log_bin' 2>/dev/null)" != 1 ]; then
      die "the running MariaDB (pid $pid) writes no binary log (started without REPLICAS): 'make stop' first"
    fi
    return 0
  fi
  install_datadir "$DATADIR" "$LOGDIR/mariadb-install.log"
  write_my_cnf
  log "starting mariadb (as $DB_USER)"
  launch_mariadb
  pid="$LAUNCHED"
  STARTED+=(mariadb)
  wait_mariadb mariadb "$pid" "$LOGDIR/mariadb.err" "$LOGDIR/mariadbd.out"
}

# setup_database: the database and blogd's account on the primary; with replicas also the
# replication account (TCP from 127.0.0.1, REPLICATION SLAVE only). Accounts are set on
# each server by this script, never replicated (sql_log_bin=0): a replica's blogd account
# has SELECT alone.
setup_database() {
  local pw rpw="" nolog="" repl=""
  if [ ! -s "$PW_FILE" ]; then
    (umask 077 && od -An -tx1 -N18 /dev/urandom | tr -d ' \n' >"$PW_FILE")
  fi
  chmod 600 "$PW_FILE"
  pw="$(cat "$PW_FILE")" # hex only: safe inside SQL and blogd.conf
  if [ "$REPLICAS" -gt 0 ]; then
    if [ ! -s "$REPL_PW_FILE" ]; then
      (umask 077 && od -An -tx1 -N18 /dev/urandom | tr -d ' \n' >"$REPL_PW_FILE")
    fi
    chmod 600 "$REPL_PW_FILE"
    rpw="$(cat "$REPL_PW_FILE")"
    nolog="SET SESSION sql_log_bin = 0;"
    repl="CREATE USER IF NOT EXISTS 'blogd_repl'@'127.0.0.1' IDENTIFIED BY '$rpw';
ALTER USER 'blogd_repl'@'127.0.0.1' IDENTIFIED BY '$rpw';
GRANT REPLICATION SLAVE ON *.* TO 'blogd_repl'@'127.0.0.1';"
  fi
  {
    [ -z "$nolog" ] || printf '%s\n' "$nolog"
    cat <<EOF2
CREATE DATABASE IF NOT EXISTS blog CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER IF NOT EXISTS 'blogd'@'localhost' IDENTIFIED BY '$pw';
ALTER USER 'blogd'@'localhost' IDENTIFIED BY '$pw';
GRANT SELECT, INSERT, UPDATE, DELETE ON blog.* TO 'blogd'@'localhost';
EOF2
    [ -z "$repl" ] || printf '%s\n' "$repl"
  } | sql >>"$SQL_LOG" 2>&1 || die "creating database/user failed" "$SQL_LOG"
  DB_PASSWORD="$pw"
  REPL_PASSWORD="$rpw"
}

# Replicas ----------------------------------------------------------------------
# start_replicas: each replica not running yet is started on a socket of its own, without its
# replication threads (so that no blogd host, already running, reads it half-made), emptied of
# the blog, given blogd's account (SELECT only), loaded with one consistent dump of the primary
# that carries its GTID position and pointed at the primary; then started again as it runs from
# then on (its socket, replicating), and every replica must have caught up with the primary's
# gtid_binlog_pos. A replica already running is reused as it is.
start_replicas() {
  local c pid dump="$VAR/replica-seed.sql"
  local -a fresh=()
  [ "$REPLICAS" -gt 0 ] || return 0
  for c in "${REPLICA_PARTS[@]}"; do
    if pid="$(comp_pid "$c")"; then
      log "$c already running (pid $pid), reusing it"
      continue
    fi
    install_datadir "${R_DATA[$c]}" "$LOGDIR/mariadb-install-r${R_NUM[$c]}.log"
    write_replica_cnf "$c"
    log "starting $c (MariaDB replica, server_id $((10 + ${R_NUM[$c]})), as $DB_USER)"
    SEED_SOCK[$c]="${R_SOCKDIR[$c]}/seeding.sock"
    launch_mariadb "$c" --socket="${SEED_SOCK[$c]}" --skip-slave-start
    pid="$LAUNCHED"
    STARTED+=("$c")
    wait_mariadb "$c" "$pid" "${R_ERR[$c]}" "${R_OUT[$c]}"
    fresh+=("$c")
  done
  if [ "${#fresh[@]}" -gt 0 ]; then
    log "seeding ${fresh[*]} from a dump of the primary"
    rm -f "$dump"
    (umask 077 && mariadb-dump --defaults-file="$MY_CNF" -u"$DB_ADMIN" --single-transaction --gtid \
      --master-data=1 --add-drop-database --routines --databases blog >"$dump" 2>>"$SQL_LOG") ||
      { rm -f "$dump"; die "mariadb-dump of the primary failed" "$SQL_LOG"; }
    for c in "${fresh[@]}"; do
      seed_replica "$c" "$dump"
    done
    rm -f "$dump"
    for c in "${fresh[@]}"; do
      restart_seeded "$c"
    done
  fi
  for c in "${REPLICA_PARTS[@]}"; do
    wait_caught_up "$c"
  done
}

# restart_seeded REPLICA: shut the seeding server down, start it on its own socket, replicating.
restart_seeded() {
  local c="$1" pid
  local -a CLIENT_OPTS
  pid="$(comp_pid "$c")" || die "$c exited while it was being seeded" "${R_ERR[$c]}"
  client_opts "$c"
  mariadb-admin "${CLIENT_OPTS[@]}" shutdown >>"$SQL_LOG" 2>&1 || true
  wait_gone "$pid" "$STOP_TIMEOUT" || die "$c (pid $pid) did not shut down after seeding" "${R_ERR[$c]}"
  wait "$pid" 2>/dev/null || true
  SEED_SOCK[$c]=""
  launch_mariadb "$c"
  wait_mariadb "$c" "$LAUNCHED" "${R_ERR[$c]}" "${R_OUT[$c]}"
}

# seed_replica REPLICA DUMP
seed_replica() {
  local c="$1" dump="$2"
  rsql "$c" -e "STOP SLAVE; RESET SLAVE ALL" >>"$SQL_LOG" 2>&1 || true
  rsql "$c" >>"$SQL_LOG" 2>&1 <<EOF2 || die "setting up $c failed" "$SQL_LOG"
DROP DATABASE IF EXISTS blog;
CREATE USER IF NOT EXISTS 'blogd'@'localhost' IDENTIFIED BY '$DB_PASSWORD';
ALTER USER 'blogd'@'localhost' IDENTIFIED BY '$DB_PASSWORD';
REVOKE ALL PRIVILEGES, GRANT OPTION FROM 'blogd'@'localhost';
GRANT SELECT ON blog.* TO 'blogd'@'localhost';
EOF2
  rsql "$c" <"$dump" >>"$SQL_LOG" 2>&1 || die "loading the primary's dump into $c failed" "$SQL_LOG"
  rsql "$c" >>"$SQL_LOG" 2>&1 <<EOF2 || die "pointing $c at the primary failed" "$SQL_LOG" "${R_ERR[$c]}"
CHANGE MASTER TO MASTER_HOST = '127.0.0.1', MASTER_PORT = $PRIMARY_PORT,
  MASTER_USER = 'blogd_repl', MASTER_PASSWORD = '$REPL_PASSWORD',
  MASTER_USE_GTID = slave_pos, MASTER_CONNECT_RETRY = 1, MASTER_HEARTBEAT_PERIOD = 1;
EOF2
}

# wait_caught_up REPLICA: until it has applied the primary's gtid_binlog_pos (at most 60 s;
# a stopped SQL thread ends the wait at once with its error).
wait_caught_up() {
  local c="$1" pos got n=120 status
  pos="$(sql -N -e 'SELECT @@gtid_binlog_pos')" || die "reading the primary's gtid_binlog_pos failed"
  while :; do
    got="$(rsql "$c" -N -e "SELECT MASTER_GTID_WAIT('$pos', 0.5)" 2>>"$SQL_LOG" || true)"
    [ "$got" != 0 ] || return 0
    status="$(rsql "$c" -e 'SHOW SLAVE STATUS\G' 2>&1 || true)"
    if [ "$n" -le 0 ] || grep -q 'Slave_SQL_Running: No' <<<"$status"; then
      printf '%s\n' "$status" >>"$SQL_LOG"
      die "$c did not catch up with the primary ($pos): $(grep -E 'Running:|Last_(IO|SQL)_Error:' <<<"$status" | tr -s ' ' | tr '\n' ';')" "${R_ERR[$c]}"
    fi
    n=$((n - 1))
  done
}

# Migrations and seeding: `blogd migrate` (src/migrate.c) with blogd.conf, whose migrate_user
# is the database's administrator ($DB_ADMIN over the socket, unix_socket authentication), run
# as the invoking user before blogd starts; never under BLOGD_WRAPPER. Its output goes to
# $SQL_LOG and to the terminal.
migrate_and_seed() {
  case "$SEED" in tutorial | large | none) ;; *) die "unknown SEED '$SEED' (tutorial, large or none)" ;; esac
  [ -x "$BLOGD_BIN" ] || die "blogd binary '$BLOGD_BIN' not found or not executable (run 'make build')"
  local out="$LOGDIR/migrate.out" rc=0
  echo "== $BLOGD_BIN migrate -c $BLOGD_CONF --seed $SEED" >>"$SQL_LOG"
  "$BLOGD_BIN" migrate -c "$BLOGD_CONF" --seed "$SEED" >"$out" 2>&1 || rc=$?
  cat "$out" >>"$SQL_LOG"
  sed 's/^blogd migrate: /stack: /' "$out" >&2 2>/dev/null || true
  [ "$rc" -eq 0 ] || die "blogd migrate failed (exit status $rc)" "$SQL_LOG"
}

# blogd -----------------------------------------------------------------------
# The CSRF key, made here (not by blogd, which would make it as root and could
# then not read it again on SIGHUP): 64 hex digits.
write_csrf_secret() {
  if [ ! -s "$CSRF_SECRET" ]; then
    (umask 077 && { od -An -tx1 -N32 /dev/urandom | tr -d ' \n'; echo; } >"$CSRF_SECRET")
  fi
  own_file "$CSRF_SECRET"
}

# write_blogd_conf [HOST]: that host's blogd.conf (host 1's, blogd, by default). Every host
# has the same lines but for its socket, log and pid file; with replicas, db_replicas lists
# each one's socket.
write_blogd_conf() {
  local c="${1:-blogd}" base="${BLOGD_CONF_BASE:-$ROOT/conf/blogd.conf}" r replicas=""
  for r in "${REPLICA_PARTS[@]}"; do
    replicas="${replicas:+$replicas, }${R_SOCK[$r]}"
  done
  {
    if [ -f "$base" ]; then
      cat "$base"
    else
      log "warning: $base not found; using only the stack's settings"
    fi
    echo
    echo "# ---- overrides from scripts/stack.sh (later lines win) ----"
    if [ -z "$BLOGD_CONF_BASE" ]; then
      echo "# This private stack reproduces the tutorial's behaviour: anyone may delete any"
      echo "# comment, and nothing limits comments (no rate limit, no moderation). The built-in"
      echo "# defaults and conf/blogd.conf are the safe ones (owner, 5 a minute); VAR/local.conf"
      echo "# may set them back."
      echo "comment_delete = anyone"
      echo "comment_rate = 0"
      echo "comment_moderation = off"
    fi
    echo "listen = unix:${B_SOCK[$c]}"
    if [ "$AS_ROOT" -eq 1 ]; then
      echo "# Started as root: blogd serves as $BLOGD_USER; nginx's workers ($WEB_USER) connect."
      echo "user = $BLOGD_USER"
      echo "listen_group = $WEB_USER"
    else
      echo "user = $BLOGD_USER"
    fi
    echo "db_socket = $MYSQL_SOCK"
    echo "db_user = blogd"
    echo "db_password = $DB_PASSWORD"
    echo "db_name = blog"
    if [ -n "$replicas" ]; then
      echo "# Reads from the replicas (REPLICAS=$REPLICAS), writes to the primary (db_socket)."
      echo "db_replicas = $replicas"
    fi
    echo "templates = $TEMPLATES_DIR"
    echo "# Feed links are made from base_url, never from the Host header."
    echo "base_url = http://127.0.0.1:$PORT"
    echo "log_file = ${B_LOG[$c]}"
    echo "pid_file = ${OWN_PID[$c]}"
    echo "csrf_secret_file = $CSRF_SECRET"
    echo "# blogd migrate (run by this script before blogd starts) connects as the administrator."
    echo "sql_dir = $BLOGD_SHARE/sql"
    echo "migrate_user = $DB_ADMIN"
    if [ -n "$BLOGD_CONF_EXTRA" ]; then
      echo "# ---- BLOGD_CONF_EXTRA ----"
      printf '%s\n' "$BLOGD_CONF_EXTRA"
    fi
    if [ -f "$VAR/local.conf" ]; then
      echo "# ---- from $VAR/local.conf (yours; later lines win) ----"
      cat "$VAR/local.conf"
      echo
    fi
  } >"${B_CONF[$c]}.tmp"
  own_file "${B_CONF[$c]}.tmp" # it holds the database password
  mv "${B_CONF[$c]}.tmp" "${B_CONF[$c]}"
}

# launch_blogd [HOST]: start blogd in its own session; does not wait for its socket.
launch_blogd() {
  local c="${1:-blogd}"
  rm -f "${B_SOCK[$c]}"
  # shellcheck disable=SC2086 # BLOGD_WRAPPER is a list of words on purpose
  setsid $BLOGD_WRAPPER "$BLOGD_BIN" -c "${B_CONF[$c]}" </dev/null >>"${B_OUT[$c]}" 2>&1 &
  LAUNCHED=$!
  remember_pid "${REC_PID[$c]}" "$LAUNCHED"
}

# The account admin (made by migration 005 without a password) gets a random password, written
# to $VAR/admin_password (0600), on a new database or whenever that file is missing.
set_admin_password() {
  local pw out="$LOGDIR/user.out" ADMIN_PASSWORD_FILE="$VAR/admin_password"
  if [ -s "$ADMIN_PASSWORD_FILE" ] &&
    ! "$BLOGD_BIN" user -c "$BLOGD_CONF" list 2>/dev/null | grep -q '^admin .*(no password)'; then
    return 0
  fi
  pw="$(od -An -tx1 -N12 /dev/urandom | tr -d ' \n')"
  (umask 077 && printf '%s\n' "$pw" >"$ADMIN_PASSWORD_FILE.tmp")
  if ! "$BLOGD_BIN" user -c "$BLOGD_CONF" passwd admin <"$ADMIN_PASSWORD_FILE.tmp" >"$out" 2>&1 &&
    ! "$BLOGD_BIN" user -c "$BLOGD_CONF" add admin <"$ADMIN_PASSWORD_FILE.tmp" >>"$out" 2>&1; then
    rm -f "$ADMIN_PASSWORD_FILE.tmp"
    die "setting the password of the account admin failed" "$out"
  fi
  mv "$ADMIN_PASSWORD_FILE.tmp" "$ADMIN_PASSWORD_FILE"
}

# start_blogd [HOST]: host 1 (blogd) by default.
start_blogd() {
  local c="${1:-blogd}" pid rc
  if pid="$(comp_pid "$c")"; then
    log "$c already running (pid $pid), reusing it (stop first to pick up a new binary)"
    return 0
  fi
  if [ "$HOSTS" -eq 1 ]; then
    log "starting blogd ($BLOGD_BIN, as $BLOGD_USER)"
  else
    rc="${c#blogd}"
    log "starting $c, host ${rc:-1} of $HOSTS ($BLOGD_BIN, as $BLOGD_USER)"
  fi
  launch_blogd "$c"
  pid="$LAUNCHED"
  STARTED+=("$c")
  local tenths=300 # valgrind needs a while
  until [ -S "${B_SOCK[$c]}" ]; do
    if ! running "$pid"; then
      wait "$pid" 2>/dev/null && rc=0 || rc=$?
      die "$c exited during start-up (exit status $rc)" "${B_LOG[$c]}" "${B_OUT[$c]}"
    fi
    [ "$tenths" -gt 0 ] || die "$c did not create ${B_SOCK[$c]} within 30s" "${B_LOG[$c]}" "${B_OUT[$c]}"
    sleep 0.1
    tenths=$((tenths - 1))
  done
}

# nginx -----------------------------------------------------------------------
# The upstream's servers: host 1's socket alone, or every host's, each taken out for 2 s
# after one failure (a host down: its requests go to the others, see the template).
write_nginx_conf() {
  local user_line="" servers="" c
  # As root, the workers run as www-data (the master, as nginx's always does, stays root).
  [ "$AS_ROOT" -eq 0 ] || user_line="user $WEB_USER;"
  if [ "$HOSTS" -eq 1 ]; then
    servers="server unix:$BLOGD_SOCK;"
  else
    for c in "${HOST_PARTS[@]}"; do
      servers="${servers:+$servers\n        }server unix:${B_SOCK[$c]} max_fails=1 fail_timeout=2s;"
    done
  fi
  sed -e "s|@PORT@|$PORT|g" -e "s|@VAR@|$VAR|g" -e "s|@ROOT@|$ROOT|g" -e "s|@STATIC@|$STATIC_DIR|g" \
    -e "s|@USER_LINE@|$user_line|g" -e "s|@UPSTREAM_SERVERS@|$servers|g" \
    "$ROOT/conf/nginx-private.conf.in" >"$NGINX_CONF"
}

# launch_nginx: nginx daemonizes; true once it has (it writes its own pid file).
launch_nginx() {
  nginx -p "$VAR" -e "$LOGDIR/nginx-error.log" -c "$NGINX_CONF" >>"$LOGDIR/nginx.out" 2>&1
}

start_nginx() {
  local pid
  if pid="$(comp_pid nginx)"; then
    log "nginx already running (pid $pid), reusing it"
    return 0
  fi
  write_nginx_conf
  log "starting nginx on 127.0.0.1:$PORT (workers as $WEB_USER)"
  launch_nginx || die "nginx failed to start" "$LOGDIR/nginx.out" "$LOGDIR/nginx-error.log"
  STARTED+=(nginx)
  local tenths=100
  until port_accepts "$PORT"; do
    [ "$tenths" -gt 0 ] || die "nginx does not accept connections on port $PORT after 10s" "$LOGDIR/nginx-error.log"
    sleep 0.1
    tenths=$((tenths - 1))
  done
  pid="$(tr -dc '0-9' <"$NGINX_PID" 2>/dev/null || true)"
  [ -z "$pid" ] || remember_pid "$NGINX_PID" "$pid"
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
    printf 'BLOGD_USER=%q\n' "$BLOGD_USER"
    printf 'NGINX_PID_FILE=%q\n' "$NGINX_PID"
    printf 'NGINX_ERROR_LOG=%q\n' "$LOGDIR/nginx-error.log"
    printf 'NGINX_USER=%q\n' "$WEB_USER"
    printf 'MARIADB_PID_FILE=%q\n' "$MARIADB_PID"
    printf 'MARIADB_USER=%q\n' "$DB_USER"
    printf 'MYSQL_DEFAULTS=%q\n' "$MY_CNF"
    printf 'MYSQL_SOCKET=%q\n' "$MYSQL_SOCK"
    printf 'MYSQL_ADMIN_USER=%q\n' "$DB_ADMIN"
    printf 'BLOGD_DB_PASSWORD_FILE=%q\n' "$PW_FILE"
    printf 'BLOGD_ADMIN_PASSWORD_FILE=%q\n' "$VAR/admin_password"
    # Several hosts and replicas (issue 16; host 1 is also the unsuffixed keys above).
    printf 'BLOGD_HOSTS=%q\n' "$HOSTS"
    printf 'BLOGD_REPLICAS=%q\n' "$REPLICAS"
    local i=0 c
    for c in "${HOST_PARTS[@]}"; do
      i=$((i + 1))
      printf 'BLOGD_SOCKET_%d=%q\n' "$i" "${B_SOCK[$c]}"
      printf 'BLOGD_CONF_%d=%q\n' "$i" "${B_CONF[$c]}"
      printf 'BLOGD_PID_FILE_%d=%q\n' "$i" "${REC_PID[$c]}"
      printf 'BLOGD_LOG_%d=%q\n' "$i" "${B_LOG[$c]}"
    done
    if [ "$REPLICAS" -gt 0 ]; then
      printf 'MYSQL_PRIMARY_PORT=%q\n' "$PRIMARY_PORT"
      printf 'MARIADB_ERROR_LOG=%q\n' "$LOGDIR/mariadb.err"
      for c in "${REPLICA_PARTS[@]}"; do
        i="${R_NUM[$c]}"
        printf 'MYSQL_SOCKET_R%d=%q\n' "$i" "${R_SOCK[$c]}"
        printf 'MYSQL_DEFAULTS_R%d=%q\n' "$i" "${R_CNF[$c]}"
        printf 'MARIADB_PID_FILE_R%d=%q\n' "$i" "${REC_PID[$c]}"
        printf 'MARIADB_ERROR_LOG_R%d=%q\n' "$i" "${R_ERR[$c]}"
      done
    fi
  } >"$VAR/stack.env"
}

# Supervisor (run) ----------------------------------------------------------------
# Like systemd's Restart=on-failure: each tick (0.5 s) every part is looked
# up by its pid files; one that is gone has the rest of its process group
# reaped and is started again after a backoff of 1, 2, 4 ... 30 s (back to
# 1 s once it has run for 30 s), each restart logged. A copy someone else
# started (its own pid file names it) is adopted. MariaDB down meanwhile:
# blogd answers 503 and reconnects by itself.
declare -A SEEN=() UP_AT=() NEXT_AT=() FAILS=() CHILD=() RELAUNCHED=()
NOW_MS=0
EXIT_NOTE=""

tick_clock() {
  local t="${EPOCHREALTIME//[!0-9]/}" # microseconds, whatever the locale's decimal point
  NOW_MS=$((10#$t / 1000))
}

# exit_note PID: EXIT_NOTE says how a child of this shell that has ended ended
# ("" for another's process: nginx daemonizes, adopted copies). Not in $(...):
# a subshell has no children to wait for.
exit_note() {
  local rc=0
  EXIT_NOTE=""
  [ -n "$1" ] && ! running "$1" || return 0
  wait "$1" 2>/dev/null || rc=$?
  if [ "$rc" -eq 127 ]; then
    return 0
  elif [ "$rc" -gt 128 ]; then
    EXIT_NOTE=" (killed by SIG$(kill -l $((rc - 128))))"
  else
    EXIT_NOTE=" (exit status $rc)"
  fi
}

# relaunch NAME: start an already set-up part again, without waiting for it.
relaunch() {
  LAUNCHED=""
  case "$1" in
    mariadb | replica*) launch_mariadb "$1" ;;
    blogd*) launch_blogd "$1" ;;
    nginx) launch_nginx ;;
  esac
}

supervise_one() {
  local c="$1" pid delay n
  if pid="$(comp_pid "$c")"; then
    if [ "${SEEN[$c]:-}" != "$pid" ]; then
      if [ -n "${RELAUNCHED[$c]:-}" ]; then
        log "$c is running again (pid $pid)"
      else
        log "$c ${SEEN[$c]:+(pid ${SEEN[$c]}) was replaced by }pid $pid, started by someone else; adopting it"
      fi
      SEEN[$c]="$pid"
      UP_AT[$c]="$NOW_MS"
      NEXT_AT[$c]=""
      RELAUNCHED[$c]=""
      [ -z "${REC_PID[$c]}" ] || remember_pid "${REC_PID[$c]}" "$pid"
    elif [ "${FAILS[$c]:-0}" -gt 0 ] && [ $((NOW_MS - ${UP_AT[$c]:-0})) -ge 30000 ]; then
      FAILS[$c]=0
    fi
    return 0
  fi
  # A Ctrl-C also kills the tools a look-up runs: that is no reason to restart.
  [ -z "$STOP_SIGNAL" ] || return 0
  if [ -n "${SEEN[$c]:-}" ]; then
    n="${FAILS[$c]:-0}"
    delay=$((n >= 5 ? 30 : 1 << n))
    exit_note "${CHILD[$c]:-}"
    log "$c (pid ${SEEN[$c]}) is gone$EXIT_NOTE; restarting it in ${delay}s"
    reap_group "${SEEN[$c]}"
    SEEN[$c]=""
    CHILD[$c]=""
    NEXT_AT[$c]=$((NOW_MS + delay * 1000))
  elif [ -n "${CHILD[$c]:-}" ] && ! running "${CHILD[$c]}"; then
    exit_note "${CHILD[$c]}"
    log "$c exited while starting$EXIT_NOTE (see $LOGDIR); next try in $(((NEXT_AT[$c] - NOW_MS + 999) / 1000))s"
    CHILD[$c]=""
  fi
  if [ -n "${NEXT_AT[$c]:-}" ] && [ "$NOW_MS" -ge "${NEXT_AT[$c]}" ]; then
    FAILS[$c]=$((${FAILS[$c]:-0} + 1))
    n="${FAILS[$c]}"
    delay=$((n >= 5 ? 30 : 1 << n))
    # Should this start fail too, the next try comes after the following backoff step.
    NEXT_AT[$c]=$((NOW_MS + delay * 1000))
    log "restarting $c (restart $n in a row)"
    RELAUNCHED[$c]=1
    if relaunch "$c"; then
      CHILD[$c]="$LAUNCHED"
    else
      log "$c failed to start; next try in ${delay}s (see $LOGDIR)"
    fi
  fi
}

supervise() {
  local parent c sleeper tty=0
  parent="$(parent_of $$)"
  # A terminal that hangs up signals only its session's leader (make, which waits for us).
  [ ! -t 2 ] || tty=1
  remember_pid "$SUPERVISOR_PID" $$
  for c in "${PARTS[@]}"; do
    SEEN[$c]="$(comp_pid "$c" || true)"
    CHILD[$c]=""
    # mariadbd and blogd are this shell's children when it started them (nginx daemonizes).
    if [ "$c" != nginx ]; then
      case " ${STARTED[*]-} " in *" $c "*) CHILD[$c]="${SEEN[$c]}" ;; esac
    fi
  done
  while [ -z "$STOP_SIGNAL" ]; do
    sleep 0.5 &
    sleeper=$!
    wait "$sleeper" 2>/dev/null || true # a trapped signal ends the wait at once
    if [ -n "$STOP_SIGNAL" ]; then
      kill "$sleeper" 2>/dev/null || true # still ours: not waited for yet
      break
    fi
    if [ "$(parent_of $$ || echo gone)" != "$parent" ]; then
      log "the process that started this stack ($parent) is gone; stopping"
      break
    fi
    if [ "$tty" -eq 1 ] && [ ! -t 2 ]; then
      log "the terminal hung up; stopping"
      break
    fi
    tick_clock
    for c in "${PARTS[@]}"; do
      [ -z "$STOP_SIGNAL" ] || break
      supervise_one "$c"
    done
  done
  [ -z "$STOP_SIGNAL" ] || log "SIG$STOP_SIGNAL: stopping"
}

# Commands ----------------------------------------------------------------------
cmd_start() {
  resolve_var create
  trap on_start_exit EXIT
  trap 'on_signal INT' INT
  trap 'on_signal TERM' TERM
  trap 'on_signal HUP' HUP
  mkdir -p "$LOGDIR"

  # Unix socket paths are limited to 108 bytes (sun_path).
  local c
  for c in "$BLOGD_SOCK" "$MYSQL_SOCK" "${B_SOCK[@]}" ${R_SOCK[@]+"${R_SOCK[@]}"}; do
    [ "${#c}" -lt 100 ] || die "VAR path too long for unix sockets: $VAR (use a shorter VAR)"
  done
  if ! comp_pid nginx >/dev/null && port_in_use "$PORT"; then
    die "port $PORT on 127.0.0.1 is already in use; choose another with PORT=..."
  fi
  command -v mariadbd >/dev/null || die "mariadbd not found (run scripts/deps.sh)"
  command -v nginx >/dev/null || die "nginx not found (run scripts/deps.sh)"
  prepare_var

  start_mariadb
  setup_database
  write_csrf_secret
  for c in "${HOST_PARTS[@]}"; do
    write_blogd_conf "$c"
  done
  migrate_and_seed
  set_admin_password
  start_replicas
  for c in "${HOST_PARTS[@]}"; do
    start_blogd "$c"
  done
  start_nginx
  write_stack_env

  START_OK=1
  trap - EXIT
  echo "blogd is running at http://127.0.0.1:$PORT/"
  if [ "$HOSTS" -gt 1 ] || [ "$REPLICAS" -gt 0 ]; then
    echo "($HOSTS blogd host(s) behind one nginx; a MariaDB primary and $REPLICAS replica(s), GTID replication from 127.0.0.1:${PRIMARY_PORT:-none})"
  fi
  echo "sign in at http://127.0.0.1:$PORT/login as admin; the password is in $VAR/admin_password"
}

# Stops a `run` supervising this VAR first, so that it restarts nothing.
stop_supervisor() {
  local pid
  pid="$(live_pid "$SUPERVISOR_PID")" || return 0
  [ "$pid" != $$ ] || return 0
  log "stopping the supervisor (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  wait_gone "$pid" $((3 * STOP_TIMEOUT)) || log "the supervisor (pid $pid) is still running"
}

cmd_stop() {
  resolve_var
  discover_parts
  stop_supervisor
  stop_one nginx
  stop_parts "${HOST_PARTS[@]}"
  stop_parts ${REPLICA_PARTS[@]+"${REPLICA_PARTS[@]}"}
  stop_one mariadb
  rm -f "$SUPERVISOR_PID" "$SUPERVISOR_PID.start"
}

cmd_status() {
  resolve_var
  local all=0 name pid
  # The parts of the last start (its stack.env), else what VAR holds.
  if [ -f "$VAR/stack.env" ] && grep -q '^BLOGD_HOSTS=' "$VAR/stack.env"; then
    HOSTS="$(sed -n 's/^BLOGD_HOSTS=//p' "$VAR/stack.env")"
    REPLICAS="$(sed -n 's/^BLOGD_REPLICAS=//p' "$VAR/stack.env")"
    define_parts
  else
    discover_parts
  fi
  for name in nginx "${HOST_PARTS[@]}" ${REPLICA_PARTS[@]+"${REPLICA_PARTS[@]}"} mariadb; do
    if pid="$(comp_pid "$name")"; then
      echo "$name: running (pid $pid)"
    else
      echo "$name: stopped"
      all=1
    fi
  done
  if pid="$(live_pid "$SUPERVISOR_PID")"; then
    echo "supervisor: running (pid $pid, make run)"
  fi
  if [ "$all" -eq 0 ] && [ -f "$VAR/stack.env" ]; then
    echo "url: http://127.0.0.1:$(sed -n 's/^BLOGD_PORT=//p' "$VAR/stack.env")/"
  fi
  return "$all"
}

# Should the supervisor itself fail, it still stops what it runs.
on_run_exit() {
  local rc=$?
  trap '' INT TERM HUP
  log "ERROR: the supervisor failed (exit $rc); stopping the stack"
  cmd_stop || true
}

cmd_run() {
  cmd_start
  trap on_run_exit EXIT
  echo "Ctrl-C to stop" 2>/dev/null || true
  supervise
  trap '' INT TERM HUP # the stop runs to its end
  cmd_stop
  trap - EXIT
}

[ $# -eq 1 ] || usage
case "$1" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  run) cmd_run ;;
  status) cmd_status ;;
  *) usage ;;
esac
