/*
 * ops: the operators' endpoints under /_blogd/ (routes with APP_INTERNAL: nginx passes them
 * from its allow-list only and marks them; to anyone else they do not exist). ping; health
 * (the database answers); status, PHP-FPM's page for blogd (text, ?json, ?full); metrics in
 * the Prometheus text format 0.0.4. Every figure is read from shared memory the workers and
 * the master write without locks (core/scoreboard.h, core/metrics.h, the cache's counters),
 * and from /proc for the processes' memory and CPU.
 */
#include "pages/page.h"

#include <ctype.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cache/cache.h"
#include "core/clock.h"
#include "core/metrics.h"
#include "core/scoreboard.h"
#include "core/serverlist.h"
#include "store/replicas.h"

enum http_status page_ops_ping(struct app_request *rq, const struct route_params *p)
{
        (void)p;
        if (!buf_puts(&rq->http.reply, "pong\n"))
                return HTTP_INTERNAL_ERROR;
        rq->page_ready = true;
        return HTTP_OK;
}

enum http_status page_ops_health(struct app_request *rq, const struct route_params *p)
{
        (void)p;
        uint64_t one = 0;
        bool found = false;
        enum db_status st = db_query_ints(STMT_PING, NULL, 0, &one, 1, &found);
        bool ok = st == DB_OK && found && one == 1;
        const char *why = ok                     ? "ok"
                          : st == DB_UNAVAILABLE ? "unreachable"
                          : st == DB_OK          ? "wrong answer"
                                                 : "error";
        /* With replicas, the reads a page would make (a replica, else the primary). */
        const char *ro = replicas_count() == 0  ? ""
                         : replicas_read_only() ? ",\"read_only\":true"
                                                : ",\"read_only\":false";
        if (!buf_printf(&rq->http.reply, "{\"status\":\"%s\",\"database\":\"%s\"%s}\n",
                        ok ? "ok" : "fail", why, ro))
                return HTTP_INTERNAL_ERROR;
        rq->page_ready = true;
        return ok ? HTTP_OK : HTTP_SERVICE_UNAVAILABLE;
}

/* --- What the processes are doing ----------------------------------------------------------- */

/* A process's figures from /proc/<pid>/stat (false if it is gone). */
struct proc_figures {
        uint64_t cpu_ticks, vsize, rss_pages;
};

static bool proc_read(pid_t pid, struct proc_figures *f)
{
        char path[64], text[1024];
        snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return false;
        ssize_t n = read(fd, text, sizeof(text) - 1);
        close(fd);
        if (n <= 0)
                return false;
        text[n] = '\0';
        /* The name may hold spaces and parentheses: the fields start after the last ')'. */
        const char *s = strrchr(text, ')');
        if (!s)
                return false;
        unsigned long long utime, stime, vsize, rss;
        /* state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime
         * cutime cstime priority nice threads itrealvalue starttime vsize rss */
        if (sscanf(s + 1,
                   " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu %*d %*d %*d %*d %*d %*d "
                   "%*u %llu %llu",
                   &utime, &stime, &vsize, &rss) != 4)
                return false;
        f->cpu_ticks = utime + stime;
        f->vsize = vsize;
        f->rss_pages = rss;
        return true;
}

/* A snapshot of the board: the workers (not the watcher), and the totals. */
struct snapshot {
        struct score *slots;
        size_t n;
        struct score_totals *t;
        unsigned idle, active;
        unsigned by_phase[SCORE_PHASES];
        struct cache_stats cache;
        bool has_cache;
        struct metrics_sum *m; /* NULL if it could not be had */
};

static bool is_worker(const struct score *s)
{
        return s->pid && !s->watcher;
}

static void take(struct snapshot *sn, struct metrics_sum *m, bool *alive)
{
        memset(sn, 0, sizeof(*sn));
        sn->slots = scoreboard_slots(&sn->n);
        sn->t = scoreboard_totals();
        for (size_t i = 0; i < sn->n; i++) {
                const struct score *s = &sn->slots[i];
                alive[i] = s->pid != 0;
                if (!is_worker(s))
                        continue;
                unsigned ph = atomic_load_explicit(&s->phase, memory_order_relaxed);
                if (ph >= SCORE_PHASES)
                        ph = SCORE_IDLE;
                sn->by_phase[ph]++;
                if (ph == SCORE_IDLE)
                        sn->idle++;
                else
                        sn->active++;
        }
        sn->has_cache = cache_stats(&sn->cache);
        if (m) {
                metrics_read(m, alive, sn->n);
                sn->m = m;
        }
}

/* Whether the query string holds the flag word (alone or as name=value). */
static bool has_flag(const char *query, const char *word)
{
        size_t w = strlen(word);
        for (const char *q = query; q && *q;) {
                const char *end = strchr(q, '&');
                size_t len = end ? (size_t)(end - q) : strlen(q);
                if ((len == w || (len > w && q[w] == '=')) && strncmp(q, word, w) == 0)
                        return true;
                q = end ? end + 1 : NULL;
        }
        return false;
}

static void put_json_str(struct buf *b, const char *s)
{
        buf_puts(b, "\"");
        for (; *s; s++) {
                unsigned char c = (unsigned char)*s;
                if (c == '"' || c == '\\')
                        buf_printf(b, "\\%c", c);
                else if (c < 0x20)
                        buf_printf(b, "\\u%04x", c);
                else
                        buf_append(b, s, 1);
        }
        buf_puts(b, "\"");
}

/* One line or member of the status page: key as text shows it; JSON turns spaces into _. */
struct out {
        struct buf *b;
        bool json, first;
};

static void key(struct out *o, const char *k)
{
        if (o->json) {
                buf_puts(o->b, o->first ? "\"" : ",\"");
                for (const char *c = k; *c; c++) {
                        char lower = *c == ' ' ? '_' : (char)tolower((unsigned char)*c);
                        buf_append(o->b, &lower, 1);
                }
                buf_puts(o->b, "\":");
        } else {
                int pad = 21 - (int)strlen(k);
                buf_printf(o->b, "%s:%*s", k, pad > 0 ? pad : 1, "");
        }
        o->first = false;
}

static void num(struct out *o, const char *k, uint64_t v)
{
        key(o, k);
        buf_printf(o->b, o->json ? "%llu" : "%llu\n", (unsigned long long)v);
}

static void maybe(struct out *o, const char *k, int64_t v)
{
        key(o, k);
        if (v < 0)
                buf_puts(o->b, o->json ? "null" : "-\n");
        else
                buf_printf(o->b, o->json ? "%lld" : "%lld\n", (long long)v);
}

static void str(struct out *o, const char *k, const char *v)
{
        key(o, k);
        if (o->json) {
                put_json_str(o->b, v);
        } else {
                buf_puts(o->b, v);
                buf_puts(o->b, "\n");
        }
}

static void flag(struct out *o, const char *k, bool v)
{
        key(o, k);
        buf_puts(o->b, o->json ? (v ? "true" : "false") : (v ? "yes\n" : "no\n"));
}

/* The replicas as db_replicas names them, with what the watcher last measured. */
static void replicas_entries(struct out *o, const struct config *cfg)
{
        struct serverlist l;
        char err[200];
        if (!serverlist_parse(cfg->db_replicas, (unsigned)cfg->db_port, &l, err, sizeof(err)))
                l.count = 0;
        uint64_t now = clock_now_ns(), max_lag = (uint64_t)cfg->replica_max_lag * CLOCK_NS_PER_MS;
        bool ro = replicas_read_only();
        flag(o, "read only", ro);
        if (o->json) {
                buf_puts(o->b, ",\"replicas\":[");
                o->first = true;
        }
        for (size_t i = 0; i < l.count && i < replicas_count(); i++) {
                const struct server *sv = &l.server[i];
                char name[SERVERLIST_NAME_MAX + 8];
                if (sv->socket[0])
                        snprintf(name, sizeof(name), "%s", sv->socket);
                else
                        snprintf(name, sizeof(name), "%s:%u", sv->host, sv->port);
                struct replica_view v;
                replicas_view(i, &v);
                uint64_t lag = replicas_lag_ns(i, now);
                int64_t lag_ms = lag == UINT64_MAX ? -1 : (int64_t)(lag / CLOCK_NS_PER_MS);
                bool usable = ro ? v.reachable && v.beat : lag <= max_lag;
                if (o->json) {
                        buf_puts(o->b, o->first ? "{" : ",{");
                        o->first = true;
                        str(o, "server", name);
                        flag(o, "reachable", v.reachable);
                        flag(o, "usable", usable);
                        maybe(o, "lag ms", lag_ms);
                        buf_puts(o->b, "}");
                        o->first = false;
                } else {
                        char k[32], line[SERVERLIST_NAME_MAX + 96];
                        snprintf(k, sizeof(k), "replica %zu", i + 1);
                        if (lag_ms >= 0)
                                snprintf(line, sizeof(line), "%s, %lld ms behind at most, %s",
                                         usable ? "in use" : "not used", (long long)lag_ms, name);
                        else
                                snprintf(line, sizeof(line), "not used, %s, %s",
                                         v.reachable ? "lag unknown" : "unreachable", name);
                        str(o, k, line);
                }
        }
        if (o->json)
                buf_puts(o->b, "]");
}

static const char *const state_names[SCORE_PHASES] = {"Idle", "Reading", "Database", "Render",
                                                      "Write"};

static void worker_entry(struct out *o, const struct score *s, uint64_t now)
{
        unsigned ph = atomic_load_explicit(&s->phase, memory_order_relaxed);
        uint64_t begun = atomic_load_explicit(&s->begun_ns, memory_order_relaxed);
        uint64_t us = ph != SCORE_IDLE && begun && now > begun
                          ? (now - begun) / 1000
                          : atomic_load_explicit(&s->last_us, memory_order_relaxed);
        struct proc_figures f = {0, 0, 0};
        proc_read(s->pid, &f);
        char method[sizeof(s->method)], uri[sizeof(s->uri)];
        /* The worker may be writing them now: copies, cut at their size. */
        memcpy(method, s->method, sizeof(method));
        memcpy(uri, s->uri, sizeof(uri));
        method[sizeof(method) - 1] = uri[sizeof(uri) - 1] = '\0';
        if (o->json) {
                buf_puts(o->b, o->first ? "{" : ",{");
                o->first = true;
        } else {
                buf_puts(o->b, "\n************************\n");
        }
        num(o, "pid", (uint64_t)s->pid);
        str(o, "state", state_names[ph < SCORE_PHASES ? ph : 0]);
        num(o, "requests", s->requests);
        str(o, "request method", method[0] ? method : "-");
        str(o, "request URI", uri[0] ? uri : "-");
        num(o, "request duration", us);
        num(o, "memory", f.rss_pages * (uint64_t)sysconf(_SC_PAGESIZE));
        if (o->json)
                buf_puts(o->b, "}");
        o->first = false;
}

enum http_status page_ops_status(struct app_request *rq, const struct route_params *p)
{
        (void)p;
        static struct metrics_sum m; /* large: not on the stack */
        size_t n;
        scoreboard_slots(&n);
        bool alive[n ? n : 1];
        struct snapshot sn;
        take(&sn, &m, alive);
        if (!sn.t)
                return HTTP_SERVICE_UNAVAILABLE;
        bool json = has_flag(rq->http.query, "json"), full = has_flag(rq->http.query, "full");
        if (json)
                rq->http.content_type = "application/json";
        struct buf *b = &rq->http.reply;
        struct out o = {b, json, true};
        if (json)
                buf_puts(b, "{");
        time_t start = (time_t)sn.t->start_unix;
        char when[64];
        struct tm tm;
        gmtime_r(&start, &tm);
        strftime(when, sizeof(when), "%d/%b/%Y:%H:%M:%S +0000", &tm);
        str(&o, "pool", "blogd");
        if (json)
                num(&o, "start time", sn.t->start_unix);
        else
                str(&o, "start time", when);
        uint64_t now_s = (uint64_t)time(NULL);
        num(&o, "start since", now_s > sn.t->start_unix ? now_s - sn.t->start_unix : 0);
        num(&o, "accepted conn", atomic_load(&sn.t->accepted));
        maybe(&o, "listen queue", atomic_load(&sn.t->listen_queue));
        maybe(&o, "max listen queue", atomic_load(&sn.t->listen_queue_max));
        maybe(&o, "listen queue len", atomic_load(&sn.t->listen_queue_len));
        num(&o, "idle processes", sn.idle);
        num(&o, "active processes", sn.active);
        num(&o, "total processes", sn.idle + sn.active);
        num(&o, "max active processes", atomic_load(&sn.t->max_active));
        num(&o, "max children reached", atomic_load(&sn.t->all_busy));
        num(&o, "slow requests", atomic_load(&sn.t->slow));
        char k[32];
        for (int c = 0; c < RESTART_CAUSES; c++) {
                snprintf(k, sizeof(k), "restarts %s", restart_cause_names[c]);
                num(&o, k, atomic_load(&sn.t->restarts[c]));
        }
        num(&o, "cache hits", sn.has_cache ? sn.cache.hits : 0);
        num(&o, "cache misses", sn.has_cache ? sn.cache.misses : 0);
        num(&o, "cache evictions", sn.has_cache ? sn.cache.evictions : 0);
        num(&o, "cache bytes", sn.has_cache ? sn.cache.bytes : 0);
        num(&o, "db errors", m.db_errors);
        num(&o, "db reconnects", m.db_reconnects);
        if (replicas_count())
                replicas_entries(&o, rq->http.cfg);
        if (full) {
                uint64_t now = clock_now_ns();
                if (json) {
                        buf_puts(b, ",\"processes\":[");
                        o.first = true;
                }
                for (size_t i = 0; i < sn.n; i++)
                        if (is_worker(&sn.slots[i]))
                                worker_entry(&o, &sn.slots[i], now);
                if (json)
                        buf_puts(b, "]");
        }
        if (json)
                buf_puts(b, "}\n");
        rq->page_ready = true;
        return HTTP_OK;
}

/* --- Prometheus ------------------------------------------------------------------------- */

static void family(struct buf *b, const char *name, const char *type, const char *help)
{
        buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* The route label of a row of the site's table (the last index: none matched). */
static const char *route_name(size_t row)
{
        const struct route_table *t = &page_site.routes;
        if (row >= t->n || row == METRICS_ROUTES - 1)
                return APP_ROUTE_OTHER;
        return ((const struct app_route *)((const char *)t->rows + row * t->stride))->name;
}

static void seconds(struct buf *b, uint64_t us)
{
        buf_printf(b, "%llu.%06llu", (unsigned long long)(us / 1000000),
                   (unsigned long long)(us % 1000000));
}

static void requests(struct buf *b, const struct metrics_sum *m)
{
        family(b, "blogd_http_requests_total", "counter",
               "Requests answered, by route and HTTP status code.");
        for (size_t r = 0; r < METRICS_ROUTES; r++)
                for (size_t c = 0; c < METRICS_CODES; c++)
                        if (m->requests[r][c]) {
                                char code[8];
                                if (c < METRICS_CODES - 1)
                                        snprintf(code, sizeof(code), "%u", metrics_codes[c]);
                                else
                                        snprintf(code, sizeof(code), "other");
                                buf_printf(b,
                                           "blogd_http_requests_total{route=\"%s\",code=\"%s\"} "
                                           "%llu\n",
                                           route_name(r), code,
                                           (unsigned long long)m->requests[r][c]);
                        }
        family(b, "blogd_http_request_duration_seconds", "histogram",
               "Time from a request's first byte read to its last byte written, by route.");
        for (size_t r = 0; r < METRICS_ROUTES; r++) {
                uint64_t total = 0;
                for (size_t k = 0; k < METRICS_BUCKETS; k++)
                        total += m->buckets[r][k];
                if (!total)
                        continue;
                uint64_t cum = 0;
                for (size_t k = 0; k < METRICS_BUCKETS; k++) {
                        cum += m->buckets[r][k];
                        buf_printf(b,
                                   "blogd_http_request_duration_seconds_bucket{route=\"%s\",le=\"",
                                   route_name(r));
                        if (k < METRICS_BUCKETS - 1)
                                buf_printf(b, "%g", (double)metrics_bucket_us[k] / 1e6);
                        else
                                buf_puts(b, "+Inf");
                        buf_printf(b, "\"} %llu\n", (unsigned long long)cum);
                }
                buf_printf(b, "blogd_http_request_duration_seconds_sum{route=\"%s\"} ",
                           route_name(r));
                seconds(b, m->sum_us[r]);
                buf_printf(b, "\nblogd_http_request_duration_seconds_count{route=\"%s\"} %llu\n",
                           route_name(r), (unsigned long long)total);
        }
}

static void counter(struct buf *b, const char *name, const char *help, uint64_t v)
{
        family(b, name, "counter", help);
        buf_printf(b, "%s %llu\n", name, (unsigned long long)v);
}

static void gauge(struct buf *b, const char *name, const char *help, int64_t v)
{
        if (v < 0)
                return; /* unknown: no sample */
        family(b, name, "gauge", help);
        buf_printf(b, "%s %lld\n", name, (long long)v);
}

/* Where reads went, the read-your-writes waits, and each replica as the watcher measured it. */
static void replica_metrics(struct buf *b, const struct metrics_sum *m, const struct config *cfg)
{
        size_t n = replicas_count();
        uint64_t now = clock_now_ns(), max_lag = (uint64_t)cfg->replica_max_lag * CLOCK_NS_PER_MS;
        bool ro = replicas_read_only();
        family(b, "blogd_db_read_server_total", "counter",
               "Requests by the server their reads went to (the primary or a replica).");
        buf_printf(b, "blogd_db_read_server_total{server=\"primary\"} %llu\n",
                   (unsigned long long)m->counts[METRICS_READS]);
        for (size_t i = 0; i < n; i++)
                buf_printf(b, "blogd_db_read_server_total{server=\"replica%zu\"} %llu\n", i + 1,
                           (unsigned long long)m->counts[METRICS_READS + 1 + i]);
        family(b, "blogd_ryw_waits_total", "counter",
               "Waits for a replica to show a visitor's own write (ok: in ryw_timeout; timeout: "
               "the primary served).");
        buf_printf(b, "blogd_ryw_waits_total{result=\"ok\"} %llu\n",
                   (unsigned long long)m->counts[METRICS_RYW_OK]);
        buf_printf(b, "blogd_ryw_waits_total{result=\"timeout\"} %llu\n",
                   (unsigned long long)m->counts[METRICS_RYW_TIMEOUT]);
        gauge(b, "blogd_read_only",
              "1 while the primary is unreachable: pages come from replicas, writes answer 503.",
              ro ? 1 : 0);
        family(b, "blogd_replica_usable", "gauge",
               "1 while a replica serves reads (at most replica_max_lag behind).");
        for (size_t i = 0; i < n; i++) {
                struct replica_view v;
                replicas_view(i, &v);
                bool usable = ro ? v.reachable && v.beat : replicas_lag_ns(i, now) <= max_lag;
                buf_printf(b, "blogd_replica_usable{replica=\"%zu\"} %d\n", i + 1, usable ? 1 : 0);
        }
        family(b, "blogd_replica_lag_seconds", "gauge",
               "How far a reachable replica is behind the primary at most, by the watcher's "
               "heartbeat.");
        for (size_t i = 0; i < n; i++) {
                uint64_t lag = replicas_lag_ns(i, now);
                if (lag == UINT64_MAX)
                        continue;
                buf_printf(b, "blogd_replica_lag_seconds{replica=\"%zu\"} ", i + 1);
                seconds(b, lag / 1000);
                buf_puts(b, "\n");
        }
}

/* process_*: the master and every child of it, summed (the page cache's shared pages count
 * once per process that touched them, as in each one's RSS). */
static void processes(struct buf *b, const struct snapshot *sn)
{
        struct proc_figures f, sum = {0, 0, 0};
        uint64_t fds = atomic_load(&sn->t->master_fds);
        pid_t master = getppid();
        if (proc_read(master, &f)) {
                sum.cpu_ticks += f.cpu_ticks;
                sum.vsize += f.vsize;
                sum.rss_pages += f.rss_pages;
        }
        for (size_t i = 0; i < sn->n; i++) {
                const struct score *s = &sn->slots[i];
                if (!s->pid || !proc_read(s->pid, &f))
                        continue;
                sum.cpu_ticks += f.cpu_ticks;
                sum.vsize += f.vsize;
                sum.rss_pages += f.rss_pages;
                fds += s->fds;
        }
        long tck = sysconf(_SC_CLK_TCK), page = sysconf(_SC_PAGESIZE);
        uint64_t cpu_us = sum.cpu_ticks * 1000000 / (uint64_t)(tck > 0 ? tck : 100) +
                          atomic_load(&sn->t->exited_cpu_us);
        family(b, "process_cpu_seconds_total", "counter",
               "User and system CPU time of the master and its workers (exited ones included).");
        buf_puts(b, "process_cpu_seconds_total ");
        seconds(b, cpu_us);
        buf_puts(b, "\n");
        gauge(b, "process_resident_memory_bytes", "Resident memory of the master and its workers.",
              (int64_t)(sum.rss_pages * (uint64_t)page));
        gauge(b, "process_virtual_memory_bytes", "Virtual memory of the master and its workers.",
              (int64_t)sum.vsize);
        gauge(b, "process_open_fds",
              "Open descriptors of the master, and of each worker as it began serving.",
              (int64_t)fds);
        gauge(b, "process_max_fds", "The master's limit of open descriptors.",
              (int64_t)atomic_load(&sn->t->max_fds));
        gauge(b, "process_start_time_seconds", "When the master started, seconds since the epoch.",
              (int64_t)sn->t->start_unix);
}

enum http_status page_ops_metrics(struct app_request *rq, const struct route_params *p)
{
        (void)p;
        static struct metrics_sum m;
        size_t n;
        scoreboard_slots(&n);
        bool alive[n ? n : 1];
        struct snapshot sn;
        take(&sn, &m, alive);
        if (!sn.t)
                return HTTP_SERVICE_UNAVAILABLE;
        struct buf *b = &rq->http.reply;
        requests(b, &m);
        family(b, "blogd_workers", "gauge", "Workers by what they are doing.");
        for (int ph = 0; ph < SCORE_PHASES; ph++)
                buf_printf(b, "blogd_workers{state=\"%s\"} %u\n", score_phase_names[ph],
                           sn.by_phase[ph]);
        family(b, "blogd_worker_restarts_total", "counter",
               "Workers replaced, by cause (crash, recycle: max_requests, reload: SIGHUP or "
               "SIGUSR1, timeout: request_terminate_timeout).");
        for (int c = 0; c < RESTART_CAUSES; c++)
                buf_printf(b, "blogd_worker_restarts_total{cause=\"%s\"} %llu\n",
                           restart_cause_names[c],
                           (unsigned long long)atomic_load(&sn.t->restarts[c]));
        counter(b, "blogd_slow_requests_total",
                "Requests still running after request_slowlog_timeout.", atomic_load(&sn.t->slow));
        counter(b, "blogd_max_children_reached_total", "Requests begun with every worker busy.",
                atomic_load(&sn.t->all_busy));
        gauge(b, "blogd_listen_queue", "Connections waiting in the listen socket's queue.",
              atomic_load(&sn.t->listen_queue));
        gauge(b, "blogd_listen_queue_max", "The most connections seen waiting in the queue.",
              atomic_load(&sn.t->listen_queue_max));
        gauge(b, "blogd_listen_queue_length", "The listen socket's backlog limit.",
              atomic_load(&sn.t->listen_queue_len));
        if (sn.has_cache) {
                counter(b, "blogd_cache_hits_total", "Pages served from the page cache.",
                        sn.cache.hits);
                counter(b, "blogd_cache_misses_total", "Cacheable pages rendered.",
                        sn.cache.misses);
                counter(b, "blogd_cache_stores_total", "Pages stored in the page cache.",
                        sn.cache.stores);
                counter(b, "blogd_cache_evictions_total",
                        "Current pages dropped to make room for others.", sn.cache.evictions);
                gauge(b, "blogd_cache_bytes", "The page cache's size.", (int64_t)sn.cache.bytes);
        }
        counter(b, "blogd_db_errors_total", "Database statements and connects that failed.",
                m.db_errors);
        counter(b, "blogd_db_reconnects_total", "Database connections made again after a loss.",
                m.db_reconnects);
        if (replicas_count())
                replica_metrics(b, &m, rq->http.cfg);
        processes(b, &sn);
        rq->page_ready = true;
        return HTTP_OK;
}
