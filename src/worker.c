/*
 * worker: one process of the pool: sets up once (database, page cache, sandbox), then accepts
 * FastCGI connections and hands each request to the application (app/dispatch.c), one at a
 * time, until it is told to stop or has served max_requests.
 */
#include "worker.h"

#include <errno.h>
#include <fcgiapp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "app/dispatch.h"
#include "cache/cache.h"
#include "core/addrlist.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/metrics.h"
#include "core/sandbox.h"
#include "pages/page.h"
#include "store/db.h"

static volatile sig_atomic_t stop_requested;

static void on_stop(int sig)
{
        (void)sig;
        stop_requested = 1;
}

/* ppoll and accept() see a signal only when they block: under steady load there is always a
 * connection ready, so a pending SIGTERM must be looked for between requests. */
static bool stop_pending(void)
{
        sigset_t pending;
        if (stop_requested || sigpending(&pending) != 0)
                return stop_requested;
        return sigismember(&pending, SIGTERM) == 1 || sigismember(&pending, SIGINT) == 1 ||
               sigismember(&pending, SIGHUP) == 1;
}

/*
 * Stop signals stay blocked while a request is served and are let in only while the worker
 * waits (ppoll() on a kept-alive connection, accept() on the listen socket), so a SIGTERM
 * never interrupts a request (it is finished first) and is never missed between the check of
 * the flag and the wait. That is why FCGX_ShutdownPending() is not needed here.
 */
static void install_signals(sigset_t *wait_mask)
{
        struct sigaction sa;
        memset(&sa, 0, sizeof(sa));
        sa.sa_handler = on_stop;
        sigemptyset(&sa.sa_mask);
        sigaction(SIGTERM, &sa, NULL);
        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGHUP, &sa, NULL);
        sa.sa_handler = SIG_IGN;
        sigaction(SIGPIPE, &sa, NULL); /* a client that went away is an error code, not death */
        sa.sa_handler = SIG_DFL;
        sigaction(SIGCHLD, &sa, NULL);
        sigprocmask(SIG_SETMASK, NULL, wait_mask);
        sigdelset(wait_mask, SIGTERM);
        sigdelset(wait_mask, SIGINT);
        sigdelset(wait_mask, SIGHUP);
}

/* A TCP listener serves only the peers in allow_from (a unix socket is guarded by its file
 * mode): like libfcgi's FCGI_WEB_SERVER_ADDRS, but with IPv6 and networks, and logged. */
struct peer_guard {
        bool tcp;
        struct addrlist allow;
        uint64_t refused, logged_at;
};

static void peer_guard_init(struct peer_guard *g, const struct config *cfg, int listen_fd)
{
        struct sockaddr_storage ss;
        socklen_t len = sizeof(ss);
        char err[200];
        memset(g, 0, sizeof(*g));
        g->tcp = getsockname(listen_fd, (struct sockaddr *)&ss, &len) == 0 &&
                 (ss.ss_family == AF_INET || ss.ss_family == AF_INET6);
        if (g->tcp && !addrlist_parse(cfg->allow_from, &g->allow, err, sizeof(err)))
                log_error("allow_from: %s; refusing every peer", err); /* checked at load */
}

static bool peer_allowed(struct peer_guard *g, int fd)
{
        if (!g->tcp)
                return true;
        struct sockaddr_storage ss;
        socklen_t len = sizeof(ss);
        if (getpeername(fd, (struct sockaddr *)&ss, &len) == 0 &&
            addrlist_match(&g->allow, (struct sockaddr *)&ss))
                return true;
        /* At most a line a second, so a stranger cannot fill the log. */
        g->refused++;
        uint64_t now = clock_now_ns();
        if (!g->logged_at || now - g->logged_at >= 1000000000ULL) {
                char who[64];
                addrlist_format((struct sockaddr *)&ss, who, sizeof(who));
                log_warn("refused a FastCGI connection from %s (not in allow_from); %llu refused "
                         "by this worker so far",
                         who, (unsigned long long)g->refused);
                g->logged_at = now;
        }
        return false;
}

/*
 * Sleeps in accept() on the (blocking) listen socket until a connection comes, whose
 * descriptor it returns, or a stop signal, for which it returns -1 (stop_requested set).
 * Idle workers sleeping in accept() are woken one per connection, first come first served,
 * as the bare libfcgi responder's are; a poll of the socket instead wakes more than one, and
 * all but one find nothing and go back to sleep (measured: 1.5 empty wake-ups per request,
 * on 2 cores a tail of several ms). The stop signals are let in for the accept() alone (no
 * SA_RESTART: one that comes while it sleeps ends it with EINTR). A connection accepted as a
 * stop signal comes is served first, so none is lost. A signal that lands between the check
 * of the flag and the sleep is not lost either: the master repeats SIGTERM to a process that
 * is draining until it exits (pool.c, enforce_deadlines).
 */
static int accept_or_stop(int listen_fd, const sigset_t *wait_mask, const sigset_t *served_mask)
{
        for (;;) {
                sigprocmask(SIG_SETMASK, wait_mask, NULL); /* a pending stop signal lands here */
                int fd = stop_requested ? -1 : accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
                int saved = errno;
                sigprocmask(SIG_SETMASK, served_mask, NULL);
                if (fd >= 0)
                        return fd;
                if (stop_requested)
                        return -1;
                if (saved != EINTR && saved != ECONNABORTED && saved != EAGAIN) {
                        errno = saved;
                        return -2;
                }
        }
}

int worker_main(const struct config *cfg, int listen_fd, struct score *score, pid_t master)
{
        sigset_t wait_mask, served_mask;
        install_signals(&wait_mask);
        sigprocmask(SIG_SETMASK, NULL, &served_mask);
        /* A worker must not outlive its master (kill -9 of the master leaves no orphan serving). */
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (getppid() != master)
                return 0;

        db_init(cfg);
        cache_worker_init(cfg, score ? score->cache_generation : 0);
        if (score) {
                size_t n;
                struct score *board = scoreboard_slots(&n);
                score_attach(score);
                metrics_attach((size_t)(score - board), strcmp(cfg->metrics, "on") == 0);
        }
        if (!db_connect())
                log_warn("starting without a database connection; will retry per request");

        /* libfcgi accepts nothing itself (listen socket -1): accept_or_stop() hands it each
         * connection. One that closes before its request makes libfcgi want the next
         * connection, and it returns EBADF for that: the loop goes back to waiting here. */
        FCGX_Request fcgi;
        if (FCGX_InitRequest(&fcgi, -1, 0) != 0) {
                log_error("FCGX_InitRequest failed");
                return 1;
        }
        struct app_request rq;
        app_request_init(&rq, &fcgi, cfg);
        struct peer_guard guard;
        peer_guard_init(&guard, cfg, listen_fd);
        unsigned long long served = 0;
        if (score)
                score->fds = score_count_fds();
        /* Everything set up once is done: from here on only the calls of serving are allowed. */
        int code = sandbox_start(cfg->sandbox, "worker") ? 0 : 1;
        while (code == 0 && !stop_pending()) {
                if (cfg->max_requests && served >= (unsigned long long)cfg->max_requests) {
                        log_info("recycling after %llu requests", served);
                        break;
                }
                if (fcgi.ipcFd >= 0) {
                        /* A kept-alive nginx connection: its next request is waited on. */
                        struct pollfd pfd = {fcgi.ipcFd, POLLIN, 0};
                        if (ppoll(&pfd, 1, NULL, &wait_mask) < 0) {
                                if (errno == EINTR)
                                        continue;
                                log_error("poll failed: %s", strerror(errno));
                                code = 1;
                                break;
                        }
                } else {
                        int fd = accept_or_stop(listen_fd, &wait_mask, &served_mask);
                        if (fd == -1)
                                break;
                        if (fd < 0) {
                                log_error("accept failed: %s", strerror(errno));
                                code = 1;
                                break;
                        }
                        /* libfcgi reads its request as that of a kept-alive connection: the
                         * state FCGX_Finish_r leaves one in (fcgiapp.c, FCGX_Accept_r). */
                        fcgi.ipcFd = fd;
                        fcgi.keepConnection = 1;
                }
                int rc = FCGX_Accept_r(&fcgi);
                if (rc < 0) {
                        if (rc == -EBADF || rc == -EINTR)
                                continue; /* nginx hung up before sending a request */
                        log_error("accept failed: %s", strerror(-rc));
                        code = 1;
                        break;
                }
                if (!peer_allowed(&guard, fcgi.ipcFd)) {
                        request_refuse(&fcgi);
                        FCGX_Finish_r(&fcgi);
                        continue;
                }
                app_serve(&rq, &page_site, score, ++served);
                FCGX_Finish_r(&fcgi);
        }
        FCGX_Free(&fcgi, 1);
        app_request_cleanup(&rq);
        db_close();
        return code;
}
