/* worker: one process of the pool; accepts and serves one FastCGI request at a time. */
#include "worker.h"

#include <errno.h>
#include <fcgiapp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cache/cache.h"
#include "core/addrlist.h"
#include "core/log.h"
#include "core/sandbox.h"
#include "http/request.h"
#include "pages/page.h"
#include "store/db.h"

static volatile sig_atomic_t stop_requested;

static void on_stop(int sig)
{
        (void)sig;
        stop_requested = 1;
}

/* epoll_pwait/ppoll deliver a signal only when they would block: under steady load there is
 * always a connection ready, so a pending SIGTERM must be looked for between requests. */
static bool stop_pending(void)
{
        sigset_t pending;
        if (stop_requested || sigpending(&pending) != 0)
                return stop_requested;
        return sigismember(&pending, SIGTERM) == 1 || sigismember(&pending, SIGINT) == 1 ||
               sigismember(&pending, SIGHUP) == 1;
}

/*
 * Stop signals stay blocked while a request is served and are let in only inside ppoll(), so
 * a SIGTERM never interrupts a request (it is finished first) and is never missed between the
 * check of the flag and the wait. libfcgi is never left blocking in accept(): the listen
 * socket is non-blocking and we poll it ourselves, which is why FCGX_ShutdownPending() is
 * not needed here.
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

/* "/1" -> "/1/": a GET for a known page without its trailing slash is sent to it. */
static bool slash_redirect(struct request *rq)
{
        size_t n = strlen(rq->path);
        char with_slash[128];
        if (!(rq->method & (HTTP_GET | HTTP_HEAD)) || n == 0 || n + 2 > sizeof(with_slash) ||
            rq->path[n - 1] == '/')
                return false;
        memcpy(with_slash, rq->path, n);
        with_slash[n] = '/';
        with_slash[n + 1] = '\0';
        const struct route *r;
        struct route_params p;
        unsigned allowed;
        if (route_match(page_routes, page_routes_count, HTTP_GET, with_slash, &r, &p, &allowed) !=
            ROUTE_FOUND)
                return false;
        /* Only pattern text and digits matched, so the target is safe to put in a header. */
        request_redirect(rq, HTTP_MOVED_PERMANENTLY, "%s", with_slash);
        return true;
}

/*
 * A cacheable GET is answered from the host's page cache if the page was rendered at the
 * current change generation; otherwise it is rendered (forms carrying the cache's marker
 * instead of the client's CSRF token) and kept. The generation is read before any data, so
 * a change committed during the render leaves the kept page already stale, never wrong.
 * The key is the page's canonical URL, made from what the router read (route, ids, cursor)
 * and nothing else: "/2/?utm_source=x" and "/2/?after=junk" are "/2/", served from the cache,
 * and no query string makes an entry that is not a page of its own. The handler may still
 * decide a page is not worth keeping (paging_fetched: a cursor outside the list) by clearing
 * rq->cache_render before its forms are filled; such a page carries the visitor's token.
 */
static enum http_status run_cached(struct request *rq, const struct route *route,
                                   const struct route_params *p)
{
        struct cache_deps deps = cache_deps_for(route->flags, p->count ? p->id[0] : 0);
        struct cache_gen gen;
        char key[ROUTE_CANONICAL_MAX];
        size_t n = route_canonical(route, p, key, sizeof(key));
        if (n == 0)
                return route->handler(rq, p);
        /* The generation the page will be kept at; with nothing cached under the key yet, a
         * self-versioned page skips the sequence read and uses the one its query made in the
         * same snapshot as the data (rq->data_gen). */
        const struct cache_gen *keep = NULL;
        if (!(route->flags & CACHE_SELF_GEN) || cache_generation_is_free() || cache_has(key, n)) {
                if (!cache_generation(&deps, &gen))
                        return route->handler(rq, p);
                if (cache_get(key, n, &gen, &rq->page, &rq->page_has_marker)) {
                        rq->page_ready = true;
                        return HTTP_OK;
                }
                keep = &gen;
        }
        rq->cache_render = true;
        enum http_status st = route->handler(rq, p);
        if (!keep && rq->has_data_gen)
                keep = &rq->data_gen;
        if (st == HTTP_OK && rq->page_ready && rq->cache_render && keep)
                cache_put(key, n, keep, rq->page.data, rq->page.len, rq->page_has_marker);
        return st;
}

static enum http_status dispatch(struct request *rq)
{
        const struct route *route;
        struct route_params params;
        unsigned allowed = 0;
        switch (route_match(page_routes, page_routes_count, rq->method, rq->path, &route, &params,
                            &allowed)) {
        case ROUTE_FOUND:
                route_read_cursor(route, rq->query, &params);
                if ((route->flags & ROUTE_CACHE_MASK) && cache_enabled())
                        return run_cached(rq, route, &params);
                return route->handler(rq, &params);
        case ROUTE_BAD_METHOD:
                rq->allow = allowed;
                return HTTP_METHOD_NOT_ALLOWED;
        case ROUTE_NOT_FOUND:
                break;
        }
        return slash_redirect(rq) ? HTTP_MOVED_PERMANENTLY : HTTP_NOT_FOUND;
}

static void serve(struct request *rq, struct score *score, unsigned long long seq)
{
        request_begin(rq, seq);
        log_set_request(rq->id);
        if (score) {
                score->busy = true;
                score->requests = seq;
                snprintf(score->request_id, sizeof(score->request_id), "%s", rq->id);
                snprintf(score->request, sizeof(score->request), "%s %s",
                         request_param(rq, "REQUEST_METHOD") ? request_param(rq, "REQUEST_METHOD")
                                                             : "?",
                         rq->path);
        }
        enum http_status st = dispatch(rq);
        request_discard_body(rq);
        if (!rq->page_ready && !rq->location[0])
                page_error(rq, st);
        if (rq->close_connection)
                rq->fcgi->keepConnection = 0;
        if (st >= 500)
                log_error("%s %s -> %d", request_param(rq, "REQUEST_METHOD"), rq->path, (int)st);
        else
                log_debug("%s %s -> %d", request_param(rq, "REQUEST_METHOD"), rq->path, (int)st);
        request_send(rq, st);
        /* libfcgi closes a connection by half-closing it and waiting for nginx to close its
         * end (so unread input cannot make TCP reset the response): a round trip per request
         * with the worker idle. When the request was read to its end there is nothing to
         * reset, and a plain close is enough (FCGX_Detach selects it for this request). */
        if (rq->input_done && !rq->fcgi->keepConnection)
                FCGX_Detach(rq->fcgi);
        request_reset(rq);
        log_set_request(NULL);
        if (score)
                score->busy = false;
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

int worker_main(const struct config *cfg, int listen_fd, struct score *score, pid_t master)
{
        sigset_t wait_mask;
        install_signals(&wait_mask);
        /* A worker must not outlive its master (kill -9 of the master leaves no orphan serving). */
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (getppid() != master)
                return 0;

        db_init(cfg);
        cache_worker_init(cfg, score ? score->generation : 0);
        if (!db_connect())
                log_warn("starting without a database connection; will retry per request");

        FCGX_Request fcgi;
        if (FCGX_InitRequest(&fcgi, listen_fd, 0) != 0) {
                log_error("FCGX_InitRequest failed");
                return 1;
        }
        struct request rq;
        request_init(&rq, &fcgi, cfg);
        /* EPOLLEXCLUSIVE: a new connection wakes one idle worker, not all of them. */
        int ep = epoll_create1(EPOLL_CLOEXEC);
        struct epoll_event ev = {.events = EPOLLIN | EPOLLEXCLUSIVE};
        if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, listen_fd, &ev) != 0) {
                log_error("epoll on the listen socket failed: %s", strerror(errno));
                request_cleanup(&rq);
                return 1;
        }
        struct peer_guard guard;
        peer_guard_init(&guard, cfg, listen_fd);
        unsigned long long served = 0;
        /* Everything set up once is done: from here on only the calls of serving are allowed. */
        int code = sandbox_start(cfg->sandbox, "worker") ? 0 : 1;
        while (code == 0 && !stop_pending()) {
                if (cfg->max_requests && served >= (unsigned long long)cfg->max_requests) {
                        log_info("recycling after %llu requests", served);
                        break;
                }
                int n;
                if (fcgi.ipcFd >= 0) {
                        /* A kept-alive nginx connection: its next request is waited on. */
                        struct pollfd pfd = {fcgi.ipcFd, POLLIN, 0};
                        n = ppoll(&pfd, 1, NULL, &wait_mask);
                } else {
                        n = epoll_pwait(ep, &ev, 1, -1, &wait_mask);
                }
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        log_error("poll failed: %s", strerror(errno));
                        code = 1;
                        break;
                }
                int rc = FCGX_Accept_r(&fcgi);
                if (rc < 0) {
                        if (rc == -EAGAIN || rc == -EWOULDBLOCK || rc == -EINTR ||
                            rc == -ECONNABORTED)
                                continue; /* another worker took it, or nginx hung up */
                        log_error("accept failed: %s", strerror(-rc));
                        code = 1;
                        break;
                }
                if (!peer_allowed(&guard, fcgi.ipcFd)) {
                        request_refuse(&fcgi);
                        FCGX_Finish_r(&fcgi);
                        continue;
                }
                serve(&rq, score, ++served);
                FCGX_Finish_r(&fcgi);
        }
        FCGX_Free(&fcgi, 1);
        close(ep);
        request_cleanup(&rq);
        db_close();
        return code;
}
