/* dispatch: routes a request, runs it through the page cache or its handler, sends the reply. */
#include "app/dispatch.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "app/session.h"
#include "cache/cache.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/metrics.h"
#include "http/cookie.h"
#include "http/ryw.h"
#include "store/db.h"
#include "store/replicas.h"

/* "/1" -> "/1/": a GET for a known page without its trailing slash is sent to it. */
static bool slash_redirect(struct app_request *rq, const struct app_site *site)
{
        struct request *h = &rq->http;
        size_t n = strlen(h->path);
        char with_slash[128];
        if (!(h->method & (HTTP_GET | HTTP_HEAD)) || n == 0 || n + 2 > sizeof(with_slash) ||
            h->path[n - 1] == '/')
                return false;
        memcpy(with_slash, h->path, n);
        with_slash[n] = '/';
        with_slash[n + 1] = '\0';
        const struct route *r;
        struct route_params p;
        unsigned allowed;
        if (route_match(&site->routes, HTTP_GET, with_slash, &r, &p, &allowed) != ROUTE_FOUND)
                return false;
        /* Only pattern text and digits matched, so the target is safe to put in a header. */
        request_redirect(h, HTTP_MOVED_PERMANENTLY, "%s", with_slash);
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
static enum http_status run_cached(struct app_request *rq, const struct app_route *route,
                                   const struct route_params *p)
{
        struct cache_deps deps = cache_deps_for(route->cache, p->count ? p->id[0] : 0);
        struct cache_gen gen;
        uint64_t variant = rq->read_only ? CACHE_SOURCE_READ_ONLY : 0;
        char key[ROUTE_CANONICAL_MAX];
        size_t n = route_canonical(&route->route, p, key, sizeof(key));
        if (n == 0)
                return route->handler(rq, p);
        /* The generation the page will be kept at; with nothing cached under the key yet, a
         * self-versioned page skips the sequence read and uses the one its query made in the
         * same snapshot as the data (rq->data_gen). */
        const struct cache_gen *keep = NULL;
        if (!(route->cache & CACHE_SELF_GEN) || cache_generation_is_free() || cache_has(key, n)) {
                if (!cache_generation(&deps, &gen))
                        return route->handler(rq, p);
                gen.source |= variant;
                if (cache_get(key, n, &gen, &rq->http.reply, &rq->page_has_marker)) {
                        rq->page_ready = true;
                        return HTTP_OK;
                }
                keep = &gen;
        }
        rq->cache_render = true;
        enum http_status st = route->handler(rq, p);
        if (!keep && rq->has_data_gen) {
                rq->data_gen.source |= variant;
                keep = &rq->data_gen;
        }
        /* Reads that moved to another server during the render may mix two states: the page
         * is served, not kept. */
        if (st == HTTP_OK && rq->page_ready && rq->cache_render && keep && !db_reads_moved())
                cache_put(key, n, keep, rq->http.reply.data, rq->http.reply.len,
                          rq->page_has_marker);
        return st;
}

/* Where an author-only page sends a visitor who is not signed in: the login, which comes back
 * here (the path of a page that answers GET, else the admin's home). The path is what the
 * router matched: pattern text and digits, safe in a header and a query. */
static enum http_status to_login(struct app_request *rq, const struct app_site *site)
{
        const struct route *r;
        struct route_params p;
        unsigned allowed;
        const char *back = rq->http.path;
        if (route_match(&site->routes, HTTP_GET, back, &r, &p, &allowed) != ROUTE_FOUND)
                back = "/admin/";
        return request_redirect(&rq->http, HTTP_SEE_OTHER, "/login?next=%s", back);
}

static bool internal(const struct app_request *rq)
{
        const char *mark = request_param(&rq->http, APP_INTERNAL_PARAM);
        return mark && strcmp(mark, "1") == 0;
}

/* *matched: the route that answered (NULL: none). */
static enum http_status dispatch(struct app_request *rq, const struct app_site *site,
                                 struct score *score, const struct app_route **matched)
{
        const struct route *found;
        struct route_params params;
        unsigned allowed = 0;
        *matched = NULL;
        switch (
            route_match(&site->routes, rq->http.method, rq->http.path, &found, &params, &allowed)) {
        case ROUTE_FOUND: {
                /* Every row of the table is a struct app_route that begins with its route. */
                const struct app_route *route = (const struct app_route *)found;
                if (route->access == APP_INTERNAL && !internal(rq))
                        return HTTP_NOT_FOUND;
                *matched = route;
                if (score)
                        snprintf(score->route, sizeof(score->route), "%s", route->name);
                route_read_cursor(found, rq->http.query, &params);
                rq->http.content_type = route->type;
                if (route->access == APP_AUTHORS && !app_signed_in(rq))
                        return to_login(rq, site);
                if (route->access == APP_INTERNAL)
                        rq->http.private_reply = true; /* no-store: figures of this moment */
                score_phase(SCORE_RENDER);
                /* A signed-in author's page is rendered for them alone: never the cache's; so is
                 * a page the route says is this visitor's own. */
                bool own = route->private_page && route->private_page(rq, &params);
                if (own)
                        rq->http.private_reply = true;
                enum http_status st;
                if (route->cache && cache_enabled() && !app_signed_in(rq) && !own)
                        st = run_cached(rq, route, &params);
                else
                        st = route->handler(rq, &params);
                if (rq->page_ready && route->for_visitor)
                        route->for_visitor(rq, &params);
                return st;
        }
        case ROUTE_BAD_METHOD:
                /* An operators' endpoint does not exist for other methods either. */
                unsigned get_allowed = 0;
                if (route_match(&site->routes, HTTP_GET, rq->http.path, &found, &params,
                                &get_allowed) == ROUTE_FOUND &&
                    ((const struct app_route *)found)->access == APP_INTERNAL)
                        return HTTP_NOT_FOUND;
                rq->http.allow = allowed;
                return HTTP_METHOD_NOT_ALLOWED;
        case ROUTE_NOT_FOUND:
                break;
        }
        return slash_redirect(rq, site) ? HTTP_MOVED_PERMANENTLY : HTTP_NOT_FOUND;
}

/*
 * With replicas: a page's reads go to a replica fresh enough (within replica_max_lag), and a
 * visitor whose signed cookie says they wrote moments ago is served by one only once it has
 * that write (store/db.h); anything else (a POST) reads from the primary. The primary
 * unreachable, the page says the blog is read-only.
 */
static void route_reads(struct app_request *rq)
{
        const struct config *cfg = rq->http.cfg;
        db_route_reset();
        if (db_replica_count() == 0)
                return;
        rq->read_only = replicas_read_only();
        if (!(rq->http.method & (HTTP_GET | HTTP_HEAD)))
                return;
        char gtid[RYW_GTID_MAX] = "";
        const char *v;
        size_t len;
        if (rq->http.cookie && cookie_find(rq->http.cookie, RYW_COOKIE, &v, &len) &&
            !ryw_parse(v, len, (uint64_t)time(NULL), cfg->csrf_secret, cfg->csrf_secret_len, gtid))
                gtid[0] = '\0';
        int waited;
        db_route_replica(gtid[0] ? gtid : NULL, (uint64_t)cfg->replica_max_lag * CLOCK_NS_PER_MS,
                         (uint64_t)cfg->ryw_timeout, &waited);
        if (waited)
                metrics_ryw_wait(waited > 0);
}

/* After a write to the primary, with replicas: the cookie that carries its GTID, for as long
 * as a replica in use could lack it (a second more, for the clocks of other hosts). */
#define RYW_MARGIN_MS 1000

static void remember_write(struct app_request *rq)
{
        const struct config *cfg = rq->http.cfg;
        const char *gtid = db_request_gtid();
        if (db_replica_count() == 0 || !gtid[0])
                return;
        uint64_t now = (uint64_t)time(NULL);
        long life = (cfg->replica_max_lag + RYW_MARGIN_MS + 999) / 1000 + 1;
        char value[RYW_VALUE_MAX];
        if (ryw_format(gtid, now + (uint64_t)life, cfg->csrf_secret, cfg->csrf_secret_len, value))
                request_set_cookie(&rq->http, RYW_COOKIE, value, life);
}

void app_serve(struct app_request *rq, const struct app_site *site, struct score *score,
               unsigned long long seq)
{
        struct request *h = &rq->http;
        uint64_t begun = clock_now_ns();
        if (score)
                score_begin(score, begun);
        request_begin(h, seq);
        log_set_request(h->id);
        const char *method = request_param(h, "REQUEST_METHOD");
        if (!method)
                method = "?";
        if (score) {
                score->busy = true;
                score->requests = seq;
                snprintf(score->request_id, sizeof(score->request_id), "%s", h->id);
                snprintf(score->method, sizeof(score->method), "%s", method);
                snprintf(score->uri, sizeof(score->uri), "%s", h->path);
                snprintf(score->route, sizeof(score->route), "%s", APP_ROUTE_OTHER);
        }
        const struct app_route *route;
        route_reads(rq);
        enum http_status st = dispatch(rq, site, score, &route);
        remember_write(rq);
        request_discard_body(h);
        if (!rq->page_ready && !h->location[0]) {
                h->content_type = NULL; /* error pages are HTML */
                site->error_page(rq, st);
        }
        if (h->close_connection)
                h->fcgi->keepConnection = 0;
        if (st >= 500)
                log_error("%s %s -> %d", method, h->path, (int)st);
        else
                log_debug("%s %s -> %d", method, h->path, (int)st);
        if (rq->page_has_marker)
                request_csrf_fill(h, cache_marker());
        score_phase(SCORE_WRITE);
        request_send(h, st);
        /* libfcgi closes a connection by half-closing it and waiting for nginx to close its
         * end (so unread input cannot make TCP reset the response): a round trip per request
         * with the worker idle. When the request was read to its end there is nothing to
         * reset, and a plain close is enough (FCGX_Detach selects it for this request). */
        if (h->input_done && !h->fcgi->keepConnection)
                FCGX_Detach(h->fcgi);
        app_request_reset(rq);
        log_set_request(NULL);
        uint64_t ended = clock_now_ns();
        /* The route's row in the table, the last label for none. */
        size_t row = route ? (size_t)((const char *)route - (const char *)site->routes.rows) /
                                 site->routes.stride
                           : METRICS_ROUTES - 1;
        metrics_request((unsigned)row, (unsigned)st, (ended - begun) / 1000);
        if (db_replica_count())
                metrics_read_server(db_read_server());
        if (score) {
                score->busy = false;
                score_end(score, ended);
        }
}
