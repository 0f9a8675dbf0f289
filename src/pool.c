/* pool: the master process; owns the listen socket and supervises the workers. */
#include "pool.h"

#include <errno.h>
#include <fcgiapp.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cache/cache.h"
#include "core/clock.h"
#include "core/digits.h"
#include "core/gate.h"
#include "core/listenq.h"
#include "core/log.h"
#include "core/metrics.h"
#include "core/password.h"
#include "core/ratelimit.h"
#include "core/scoreboard.h"
#include "core/serverlist.h"
#include "heartbeat.h"
#include "pages/page.h"
#include "store/db.h"
#include "store/replicas.h"
#include "view/view.h"
#include "worker.h"

#ifdef __SANITIZE_ADDRESS__
#include <sanitizer/lsan_interface.h>
/* Workers leave with _exit(), which skips LeakSanitizer's atexit check: run it by hand. */
#define LEAK_CHECK() __lsan_do_leak_check()
#else
#define LEAK_CHECK() ((void)0)
#endif

/* Two generations may overlap during a reload. */
#define MAX_SLOTS (2 * 1024)
/* A worker that dies this soon after starting is "failing fast": respawns are then throttled. */
#define FAST_FAIL_NS (1000 * CLOCK_NS_PER_MS)

static struct {
        struct config cfg;
        const char *config_path;
        struct privs privs; /* the account the master becomes after the set-up */
        int listen_fd;
        bool inherited; /* the socket came from systemd: it is not ours to unlink */
        struct score *board;
        struct gate *hashes;        /* bounds the workers' password hashes (login_hashes) */
        struct ratelimit *comments; /* comment_rate's counters, shared by the workers */
        unsigned generation;
        unsigned cache_generation; /* bumped by a reload only: SIGUSR1 keeps the cache */
        bool stopping;
        unsigned fast_failures;
        uint64_t respawn_at; /* clock_now_ns() before which no worker is forked */
        uint64_t started[MAX_SLOTS];
        uint64_t kill_at[MAX_SLOTS]; /* for draining workers of an old generation; 0: none */
        /* The watchdog: the request each slot was last told of in the slow log, and whether
         * its worker was killed for overrunning request_terminate_timeout. */
        uint64_t slow_told[MAX_SLOTS];
        bool timed_out[MAX_SLOTS];
        uint64_t sampled_at; /* when the listen queue and descriptors were last sampled */
} pool;

static long worker_target(const struct config *c)
{
        if (c->workers > 0)
                return c->workers;
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        return n > 0 ? 2 * n : 2; /* two per CPU: one can serve while another waits on MariaDB */
}

/* systemd socket activation: the listen socket arrives as fd 3. */
static int inherited_socket(void)
{
        const char *pid = getenv("LISTEN_PID"), *fds = getenv("LISTEN_FDS");
        uint64_t p, n;
        if (!pid || !fds || !digits_parse(pid, strlen(pid), INT32_MAX, &p) ||
            !digits_parse(fds, strlen(fds), 1024, &n) || p != (uint64_t)getpid() || n < 1)
                return -1;
        unsetenv("LISTEN_PID");
        unsetenv("LISTEN_FDS");
        unsetenv("LISTEN_FDNAMES");
        return 3;
}

static int open_listen(const struct config *c)
{
        int fd = inherited_socket();
        pool.inherited = fd >= 0;
        if (fd >= 0) {
                log_info("using the listen socket passed by systemd (fd %d)", fd);
        } else {
                const char *addr = c->listen;
                if (strncmp(addr, "unix:", 5) == 0)
                        addr += 5;
                /* A unix socket is born with listen_mode, then given to user:listen_group. */
                mode_t mask = umask(privs_socket_umask(&pool.privs));
                fd = FCGX_OpenSocket(addr, (int)c->backlog);
                int saved = errno;
                umask(mask);
                if (fd < 0) {
                        log_error("cannot listen on %s: %s", c->listen, strerror(saved));
                        return -1;
                }
                char err[512];
                if (addr != c->listen && !privs_own_socket(&pool.privs, addr, err, sizeof(err))) {
                        log_error("%s", err);
                        close(fd);
                        return -1;
                }
                log_info("listening on %s", c->listen);
        }
        /* Idle workers sleep in accept() on it (worker.c): the kernel then hands a connection to
         * exactly one of them, where a poll would wake several for it. A socket passed by
         * systemd may come non-blocking. */
        int fl = fcntl(fd, F_GETFL);
        if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) < 0) {
                log_error("cannot make the listen socket blocking: %s", strerror(errno));
                return -1;
        }
        return fd;
}

static void spawn(size_t slot, bool watcher)
{
        struct score *s = &pool.board[slot];
        memset(s, 0, sizeof(*s));
        s->generation = pool.generation;
        s->cache_generation = pool.cache_generation;
        s->watcher = watcher;
        pid_t master = getpid();
        pid_t pid = fork();
        if (pid < 0) {
                log_error("fork failed: %s", strerror(errno));
                pool.respawn_at = clock_now_ns() + FAST_FAIL_NS;
                return;
        }
        if (pid == 0) {
                if (watcher)
                        prctl(PR_SET_NAME, "blogd-watcher"); /* ps and tests tell it apart */
                s->pid = getpid();
                int code = watcher ? heartbeat_main(&pool.cfg, master)
                                   : worker_main(&pool.cfg, pool.listen_fd, s, master);
                view_unload();
                LEAK_CHECK();
                _exit(code);
        }
        s->pid = pid;
        pool.started[slot] = clock_now_ns();
        pool.kill_at[slot] = 0;
        pool.slow_told[slot] = 0;
        pool.timed_out[slot] = false;
}

/* Live children: all of them, or the current generation's workers or watcher. */
static size_t live_children(bool current_only, bool watcher)
{
        size_t n = 0;
        for (size_t i = 0; i < MAX_SLOTS; i++) {
                const struct score *s = &pool.board[i];
                if (s->pid &&
                    (!current_only || (s->generation == pool.generation && s->watcher == watcher)))
                        n++;
        }
        return n;
}

static void ensure_workers(void)
{
        if (pool.stopping || clock_now_ns() < pool.respawn_at)
                return;
        /* Workers, and one watcher, of the current generation. */
        long want = worker_target(&pool.cfg) + 1;
        atomic_store(&scoreboard_totals()->workers, (uint64_t)want - 1);
        long have = (long)live_children(true, false) + (long)live_children(true, true);
        for (size_t i = 0; i < MAX_SLOTS && have < want; i++) {
                if (pool.board[i].pid)
                        continue;
                bool watcher = live_children(true, true) == 0;
                uint64_t t0 = clock_now_ns();
                spawn(i, watcher);
                if (pool.board[i].pid) {
                        have++;
                        log_info("started %s %ld (generation %u) in %.2f ms",
                                 watcher ? "watcher" : "worker", (long)pool.board[i].pid,
                                 pool.generation, (double)(clock_now_ns() - t0) / 1e6);
                }
        }
}

static void reap(void)
{
        int status;
        pid_t pid;
        struct rusage ru;
        struct score_totals *t = scoreboard_totals();
        while ((pid = wait4(-1, &status, WNOHANG, &ru)) > 0) {
                size_t i;
                for (i = 0; i < MAX_SLOTS && pool.board[i].pid != pid; i++)
                        ;
                if (i == MAX_SLOTS)
                        continue;
                struct score *s = &pool.board[i];
                const char *role = s->watcher ? "watcher" : "worker";
                char request[sizeof(s->method) + sizeof(s->uri) + 2];
                snprintf(request, sizeof(request), "%s %s", s->method, s->uri);
                atomic_fetch_add(&t->exited_cpu_us,
                                 (uint64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000 +
                                     (uint64_t)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec));
                bool crashed = WIFSIGNALED(status) || (WIFEXITED(status) && WEXITSTATUS(status));
                if (pool.timed_out[i]) {
                        /* The watchdog's own kill, logged when it was sent. */
                        log_info("%s %ld is gone (request_terminate_timeout) after %llu requests",
                                 role, (long)pid, s->requests);
                } else if (WIFSIGNALED(status)) {
                        int sig = WTERMSIG(status);
                        if (s->busy)
                                log_error("%s %ld killed by signal %d (%s) while serving %s "
                                          "[request %s] after %llu requests",
                                          role, (long)pid, sig, strsignal(sig), request,
                                          s->request_id, s->requests);
                        else
                                log_error("%s %ld killed by signal %d (%s) while idle, after "
                                          "%llu requests",
                                          role, (long)pid, sig, strsignal(sig), s->requests);
                } else if (crashed) {
                        log_error("%s %ld exited with status %d after %llu requests", role,
                                  (long)pid, WEXITSTATUS(status), s->requests);
                } else {
                        log_info("%s %ld exited after %llu requests", role, (long)pid, s->requests);
                }
                if (crashed && clock_now_ns() - pool.started[i] < FAST_FAIL_NS) {
                        /* Crashing at start-up (say, a bad template): do not fork in a tight loop.
                         */
                        if (++pool.fast_failures >= 3)
                                pool.respawn_at = clock_now_ns() + FAST_FAIL_NS;
                } else {
                        pool.fast_failures = 0;
                }
                /* Why it is gone, for the status page: the watchdog's kill, a crash, the end
                 * of an old generation (reload), or max_requests served (recycle). */
                if (!pool.stopping && !s->watcher) {
                        enum restart_cause why = pool.timed_out[i] ? RESTART_TIMEOUT
                                                 : crashed         ? RESTART_CRASH
                                                 : s->generation != pool.generation
                                                     ? RESTART_RELOAD
                                                     : RESTART_RECYCLE;
                        atomic_fetch_add(&t->restarts[why], 1);
                }
                if (s->busy && !s->watcher)
                        atomic_fetch_sub(&t->active, 1); /* it died on a request */
                /* A worker killed while it hashed a password leaves its slot to the others. */
                gate_release(pool.hashes, pid);
                ratelimit_release(pool.comments, pid);
                metrics_retire(i);
                s->pid = 0;
        }
}

static void signal_generation(int sig, bool old_only)
{
        for (size_t i = 0; i < MAX_SLOTS; i++) {
                struct score *s = &pool.board[i];
                if (s->pid && (!old_only || s->generation != pool.generation)) {
                        kill(s->pid, sig);
                        if (sig == SIGTERM && !pool.kill_at[i])
                                pool.kill_at[i] =
                                    clock_now_ns() +
                                    (uint64_t)pool.cfg.shutdown_timeout * CLOCK_NS_PER_S;
                }
        }
}

/*
 * Workers past their drain deadline are killed: a stuck request must not block a reload. The
 * others are sent SIGTERM again, every tick: an idle worker lets it in only around accept()
 * (worker.c), and one that came just before it went to sleep there is taken but does not
 * wake it; a worker still serving keeps it pending, as it keeps the first.
 */
static void enforce_deadlines(void)
{
        uint64_t t = clock_now_ns();
        for (size_t i = 0; i < MAX_SLOTS; i++) {
                struct score *s = &pool.board[i];
                if (s->pid && pool.kill_at[i] && t <= pool.kill_at[i] && !s->watcher)
                        kill(s->pid, SIGTERM);
                if (s->pid && pool.kill_at[i] && t > pool.kill_at[i]) {
                        log_warn("%s %ld did not drain within %ld s; killing it (serving %s)",
                                 s->watcher ? "watcher" : "worker", (long)s->pid,
                                 pool.cfg.shutdown_timeout, s->uri);
                        kill(s->pid, SIGKILL);
                        pool.kill_at[i] = 0;
                }
        }
}

/*
 * The slow log and the watchdog, from the scoreboard: a worker whose request has run past
 * request_slowlog_timeout is told of once (with the phase it is in), one past
 * request_terminate_timeout is killed, and ensure_workers starts another.
 */
static void watch_requests(void)
{
        const struct config *c = &pool.cfg;
        if (!c->request_slowlog_timeout && !c->request_terminate_timeout)
                return;
        uint64_t now = clock_now_ns();
        struct score_totals *t = scoreboard_totals();
        for (size_t i = 0; i < MAX_SLOTS; i++) {
                struct score *s = &pool.board[i];
                uint64_t begun = atomic_load_explicit(&s->begun_ns, memory_order_relaxed);
                if (!s->pid || s->watcher || !begun || now <= begun || pool.timed_out[i])
                        continue;
                uint64_t ms = (now - begun) / CLOCK_NS_PER_MS;
                unsigned ph = atomic_load_explicit(&s->phase, memory_order_relaxed);
                const char *phase = score_phase_names[ph < SCORE_PHASES ? ph : 0];
                if (c->request_slowlog_timeout && ms >= (uint64_t)c->request_slowlog_timeout &&
                    pool.slow_told[i] != begun) {
                        pool.slow_told[i] = begun;
                        atomic_fetch_add(&t->slow, 1);
                        log_warn("slow request: worker %ld [request %s] %s %s (route %s) in phase "
                                 "%s after %llu ms",
                                 (long)s->pid, s->request_id, s->method, s->uri, s->route, phase,
                                 (unsigned long long)ms);
                }
                if (c->request_terminate_timeout &&
                    ms >= (uint64_t)c->request_terminate_timeout * 1000) {
                        log_error("worker %ld [request %s] still on %s %s (route %s, phase %s) "
                                  "after %llu s: killing it (request_terminate_timeout)",
                                  (long)s->pid, s->request_id, s->method, s->uri, s->route, phase,
                                  (unsigned long long)(ms / 1000));
                        pool.timed_out[i] = true;
                        kill(s->pid, SIGKILL);
                }
        }
}

/* Every 200 ms: the listen socket's queue as the kernel tells it, and the descriptors. */
static void sample(void)
{
        uint64_t now = clock_now_ns();
        if (now - pool.sampled_at < 200 * CLOCK_NS_PER_MS)
                return;
        pool.sampled_at = now;
        struct score_totals *t = scoreboard_totals();
        uint32_t queued, backlog;
        if (listenq_read(pool.listen_fd, &queued, &backlog)) {
                atomic_store(&t->listen_queue, (int64_t)queued);
                atomic_store(&t->listen_queue_len, (int64_t)backlog);
                if ((int64_t)queued > atomic_load(&t->listen_queue_max))
                        atomic_store(&t->listen_queue_max, (int64_t)queued);
        }
        atomic_store(&t->master_fds, score_count_fds());
}

/*
 * SIGUSR1 (logrotate): the log file opened again at its path, and the workers replaced by
 * new ones that inherit it (a sandboxed worker cannot open files for writing); the old ones
 * drain as in a reload, and the page cache is kept (same configuration, same templates).
 */
static void reopen_log(void)
{
        enum log_level level = LOG_INFO;
        log_parse_level(pool.cfg.log_level, &level);
        if (!log_open(pool.cfg.log_file, level)) {
                log_error("cannot reopen log %s: %s", pool.cfg.log_file, strerror(errno));
                return;
        }
        privs_own_log(&pool.privs, log_fileno());
        log_info("reopened the log file; replacing the workers so that they write to it");
        pool.generation++;
        pool.fast_failures = 0;
        pool.respawn_at = 0;
        ensure_workers();
        signal_generation(SIGTERM, true);
}

/* The replicas' state the watcher measures and the workers read (store/replicas.h). */
static bool share_replicas(const struct config *cfg)
{
        struct serverlist l;
        char err[200];
        if (!serverlist_parse(cfg->db_replicas, (unsigned)cfg->db_port, &l, err, sizeof(err)))
                l.count = 0; /* config_load checked it */
        return replicas_shared_init(l.count);
}

static void reload(void)
{
        struct config fresh;
        char err[512];
        config_defaults(&fresh);
        if (!config_load(&fresh, pool.config_path, err, sizeof(err))) {
                log_error("reload refused, keeping the running configuration: %s", err);
                return;
        }
        enum log_level level = LOG_INFO;
        log_parse_level(fresh.log_level, &level); /* checked by config_load */
        if (!*fresh.csrf_secret_file && !*pool.cfg.csrf_secret_file) {
                /* A run-only key is kept, so forms already shown stay valid across the reload. */
                memcpy(fresh.csrf_secret, pool.cfg.csrf_secret, sizeof(fresh.csrf_secret));
                fresh.csrf_secret_len = pool.cfg.csrf_secret_len;
        } else if (!config_load_secret(&fresh, err, sizeof(err))) {
                log_error("reload refused: %s", err);
                return;
        }
        if (!view_load(fresh.templates, err, sizeof(err))) {
                log_error("reload refused, keeping the running templates: %s", err);
                return;
        }
        if (strcmp(fresh.listen, pool.cfg.listen) != 0)
                log_warn("listen changed to %s: it takes effect on restart, not reload",
                         fresh.listen);
        /* An account that does not exist is refused as at start (a change of account takes
         * a restart: this master is no longer root). */
        if (!privs_names_exist(&fresh, err, sizeof(err))) {
                log_error("reload refused, keeping the running configuration: %s", err);
                return;
        }
        if (strcmp(fresh.user, pool.cfg.user) != 0 ||
            strcmp(fresh.listen_group, pool.cfg.listen_group) != 0 ||
            strcmp(fresh.listen_mode, pool.cfg.listen_mode) != 0)
                log_warn("user, listen_group or listen_mode changed: it takes effect on restart");
        if (fresh.cache_bytes != pool.cfg.cache_bytes) {
                log_warn("cache_bytes changed: it takes effect on restart, not reload");
                fresh.cache_bytes = pool.cfg.cache_bytes;
        }
        if (!share_replicas(&fresh)) {
                log_error("reload refused: cannot map the replicas' state: %s", strerror(errno));
                return;
        }
        if (!log_open(fresh.log_file, level))
                log_error("cannot reopen log %s: %s", fresh.log_file, strerror(errno));
        pool.cfg = fresh;
        password_use_gate(pool.hashes, (unsigned)pool.cfg.login_hashes);
        pool.generation++;
        pool.cache_generation++;
        pool.fast_failures = 0;
        pool.respawn_at = 0;
        log_info("reloading: starting generation %u, draining the previous one", pool.generation);
        ensure_workers();
        signal_generation(SIGTERM, true);
}

static bool write_pid_file(const char *path)
{
        if (!*path)
                return true;
        /* Written as root into a directory the account may own: never through a symlink. */
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
        FILE *f = fd < 0 ? NULL : fdopen(fd, "w");
        if (!f) {
                if (fd >= 0)
                        close(fd);
                return false;
        }
        fprintf(f, "%ld\n", (long)getpid());
        return fclose(f) == 0;
}

/* Everything that needs root is done: become the account, for good (core/privs.h). */
static bool drop_privileges(void)
{
        char err[512];
        privs_own_log(&pool.privs, log_fileno());
        if (!privs_drop(&pool.privs, err, sizeof(err))) {
                log_error("%s", err);
                return false;
        }
        if (pool.privs.drop)
                log_info("serving as %s (uid %ld, gid %ld)", pool.privs.name, (long)pool.privs.uid,
                         (long)pool.privs.gid);
        privs_check_access(&pool.privs, pool.config_path, &pool.cfg, !pool.inherited);
        return true;
}

int pool_run(const char *config_path, const struct config *initial, const struct privs *privs)
{
        char err[512];
        pool.cfg = *initial;
        pool.config_path = config_path;
        pool.privs = *privs;
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, SIGCHLD);
        sigaddset(&set, SIGTERM);
        sigaddset(&set, SIGINT);
        sigaddset(&set, SIGHUP);
        sigaddset(&set, SIGQUIT);
        sigaddset(&set, SIGUSR1);
        /* Blocked here and in every worker; the master takes them with sigtimedwait(). */
        sigprocmask(SIG_BLOCK, &set, NULL);
        signal(SIGPIPE, SIG_IGN);

        if (FCGX_Init() != 0) {
                log_error("FCGX_Init failed");
                return 1;
        }
        if (!view_load(pool.cfg.templates, err, sizeof(err))) {
                log_error("%s", err);
                return 1;
        }
        if (!db_library_init()) {
                log_error("the MariaDB client library failed to initialise");
                return 1;
        }
        pool.listen_fd = open_listen(&pool.cfg);
        if (pool.listen_fd < 0)
                return 1;
        if (!cache_shared_init(&pool.cfg)) {
                log_error("cannot map the page cache (%ld bytes): %s", pool.cfg.cache_bytes,
                          strerror(errno));
                return 1;
        }
        if (!share_replicas(&pool.cfg)) {
                log_error("cannot map the replicas' state: %s", strerror(errno));
                return 1;
        }
        pool.board = scoreboard_create(MAX_SLOTS);
        pool.hashes = gate_create();
        if (!metrics_create(MAX_SLOTS)) {
                log_error("cannot map the metrics: %s", strerror(errno));
                return 1;
        }
        void *rl =
            mmap(NULL, ratelimit_size(), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        pool.comments = rl == MAP_FAILED ? NULL : ratelimit_init(rl);
        if (!pool.board || !pool.hashes || !pool.comments) {
                log_error("cannot map the scoreboard: %s", strerror(errno));
                return 1;
        }
        password_use_gate(pool.hashes, (unsigned)pool.cfg.login_hashes);
        page_comment_limits(pool.comments);
        if (!write_pid_file(pool.cfg.pid_file))
                log_warn("cannot write pid file %s: %s", pool.cfg.pid_file, strerror(errno));
        if (!drop_privileges())
                return 1;
        struct rlimit nofile;
        if (getrlimit(RLIMIT_NOFILE, &nofile) == 0)
                atomic_store(&scoreboard_totals()->max_fds, (uint64_t)nofile.rlim_cur);
        if (!*pool.cfg.csrf_secret_file)
                log_warn("csrf_secret_file is not set: form tokens are valid for this run only");
        log_info("blogd master %ld starting %ld workers", (long)getpid(), worker_target(&pool.cfg));
        ensure_workers();

        for (;;) {
                /* 50 ms while the watchdog is on: its timeouts are that precise. */
                bool watching =
                    pool.cfg.request_slowlog_timeout || pool.cfg.request_terminate_timeout;
                struct timespec tick = {0, (watching ? 50 : 200) * 1000 * 1000};
                siginfo_t info;
                int sig = sigtimedwait(&set, &info, &tick);
                if (sig == SIGHUP && !pool.stopping) {
                        reload();
                } else if (sig == SIGUSR1 && !pool.stopping) {
                        reopen_log();
                } else if (sig == SIGTERM || sig == SIGINT || sig == SIGQUIT) {
                        if (!pool.stopping) {
                                log_info("received %s: draining %zu processes", strsignal(sig),
                                         live_children(false, false));
                                pool.stopping = true;
                                cache_host_leaving();
                                signal_generation(SIGTERM, false);
                        }
                }
                reap();
                enforce_deadlines();
                watch_requests();
                sample();
                if (pool.stopping && live_children(false, false) == 0)
                        break;
                ensure_workers();
        }
        log_info("all workers finished; master exiting");
        if (strncmp(pool.cfg.listen, "unix:", 5) == 0 && !pool.inherited)
                unlink(pool.cfg.listen + 5);
        if (*pool.cfg.pid_file)
                unlink(pool.cfg.pid_file);
        scoreboard_destroy(pool.board, MAX_SLOTS);
        metrics_destroy();
        cache_shared_destroy();
        replicas_shared_destroy();
        view_unload();
        db_library_end();
        return 0;
}
