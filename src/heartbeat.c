/*
 * heartbeat: the watcher, one process per host that keeps the host's row in blogd_host alive
 * and polls the database every LEASE_POLL_NS:
 *   - no other live host: the page cache may trust this host's counters for one lease
 *     (LEASE_NS from the start of the poll), so a hit needs no database read;
 *   - another live host: the lease is dropped and every hit is checked against change_seq;
 *   - change_seq 2 moved (someone changed posts or comments outside blogd): a new epoch
 *     retires every page kept on the counters.
 * The rules (and why a lease is safe) are cache/lease.c's; this loop only runs them.
 *
 * With replicas (db_replicas), it also measures them (store/replicas.h): every poll it stores
 * a new beat number in the host's row on the primary and reads the row back from each
 * replica; a failed beat says the primary is unreachable (the blog is read-only until one
 * succeeds). Pages read from replicas are never kept on the host's counters: no lease then.
 */
#include "heartbeat.h"

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include "cache/cache.h"
#include "cache/lease.h"
#include "core/log.h"
#include "core/sandbox.h"
#include "store/db.h"
#include "store/hosts.h"
#include "store/replicas.h"

/* Sleeps until deadline (CLOCK_MONOTONIC ns) unless a stop signal comes first. */
static bool sleep_until(const sigset_t *stop, uint64_t deadline)
{
        uint64_t now = clock_now_ns();
        if (now >= deadline)
                return true;
        uint64_t ns = deadline - now;
        struct timespec ts = {(time_t)(ns / 1000000000ULL), (long)(ns % 1000000000ULL)};
        int sig = sigtimedwait(stop, NULL, &ts);
        return sig < 0 && (errno == EAGAIN || errno == EINTR);
}

/* One line a minute while pages are being asked for: how well the cache does. */
static void log_stats(struct cache_stats *last, bool force)
{
        struct cache_stats st;
        if (!cache_stats(&st) || (!force && st.hits + st.misses == last->hits + last->misses))
                return;
        uint64_t h = st.hits - last->hits, m = st.misses - last->misses;
        log_info("page cache: %llu hits, %llu misses (%.1f%% hits), %llu pages stored, epoch "
                 "%llu, %llu bytes",
                 (unsigned long long)h, (unsigned long long)m,
                 h + m ? 100.0 * (double)h / (double)(h + m) : 0.0,
                 (unsigned long long)(st.stores - last->stores), (unsigned long long)st.epoch,
                 (unsigned long long)st.bytes);
        *last = st;
}

/* Reads this host's beat back from every replica and records how fresh each is. */
static void poll_replicas(const struct config *cfg, uint64_t id)
{
        static int
            usable[SERVERLIST_MAX]; /* what was logged: 0 nothing yet, 1 unusable, 2 usable */
        uint64_t max_lag = (uint64_t)cfg->replica_max_lag * CLOCK_NS_PER_MS;
        for (size_t i = 0; i < replicas_count(); i++) {
                struct replica_view v = {false, 0, 0};
                v.reachable = hosts_beat_seen((unsigned)i + 1, id, &v.beat);
                v.fresh_at = v.reachable ? replicas_beat_time(v.beat) : 0;
                replicas_note(i, &v);
                uint64_t lag = replicas_lag_ns(i, clock_now_ns());
                int now_usable = lag <= max_lag;
                if (usable[i] == now_usable + 1)
                        continue;
                if (now_usable)
                        log_info("replica %zu is in use (%llu ms behind at most)", i + 1,
                                 (unsigned long long)(lag / CLOCK_NS_PER_MS));
                else if (!v.reachable)
                        log_warn("replica %zu is unreachable: its reads go elsewhere", i + 1);
                else
                        log_warn("replica %zu is more than replica_max_lag (%ld ms) behind: its "
                                 "reads go elsewhere",
                                 i + 1, cfg->replica_max_lag);
                usable[i] = now_usable + 1;
        }
}

int heartbeat_main(const struct config *cfg, pid_t master)
{
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (getppid() != master)
                return 0;
        sigset_t stop;
        sigemptyset(&stop);
        sigaddset(&stop, SIGTERM);
        sigaddset(&stop, SIGINT);
        sigaddset(&stop, SIGHUP);
        sigaddset(&stop, SIGQUIT);
        db_init(cfg);
        db_route_server(DB_PRIMARY);
        if (!sandbox_start(cfg->sandbox, "watcher"))
                return 1;
        const bool replicas = replicas_count() > 0;
        bool primary_up = true;
        const uint64_t id = cache_host_id();
        uint64_t last_beat = 0, last_stats = clock_now_ns();
        struct cache_stats stats = {0, 0, 0, 0, 0, 0};
        cache_stats(&stats);
        int alone = -1; /* what the last poll found, for logging the changes only */
        uint64_t t0;
        do {
                t0 = clock_now_ns();
                if (replicas || !last_beat || t0 - last_beat >= LEASE_BEAT_NS) {
                        uint64_t n = replicas ? replicas_beat_sent(t0) : 0;
                        bool up = hosts_beat(id, LEASE_HOST_TTL_NS / 1000, n);
                        if (up) {
                                cache_host_beat(t0, clock_now_ns());
                                last_beat = t0;
                        }
                        if (replicas && up != primary_up) {
                                if (up)
                                        log_info("the primary is reachable again: writes resume");
                                else
                                        log_warn("the primary is unreachable: the blog is "
                                                 "read-only, pages come from the replicas");
                        }
                        primary_up = up;
                        replicas_primary_up(up);
                }
                if (replicas)
                        poll_replicas(cfg, id);
                if (t0 - last_stats >= 60 * 1000 * CLOCK_NS_PER_MS) {
                        log_stats(&stats, false);
                        last_stats = t0;
                }
                uint64_t others, foreign;
                if (replicas) {
                        /* Pages come from replicas the host's counters know nothing of. */
                        cache_lease_drop();
                        continue;
                }
                if (!hosts_peek(id, &others, &foreign))
                        continue; /* no renewal: the lease runs out by itself */
                if (others == 0)
                        cache_lease_renew(t0, foreign);
                else
                        cache_lease_drop();
                if (alone != (others == 0)) {
                        alone = others == 0;
                        if (alone)
                                log_info("host %llx is the only blogd host on the database: "
                                         "cache hits are checked against this host's counters",
                                         (unsigned long long)id);
                        else
                                log_info("host %llx shares the database with %llu other blogd "
                                         "host(s): every cache hit is checked against it",
                                         (unsigned long long)id, (unsigned long long)others);
                }
        } while (sleep_until(&stop, t0 + LEASE_POLL_NS));
        /* Replaced (SIGHUP, SIGUSR1), the lease is left to run out by itself: the next watcher,
         * already started, renews it without a gap, so the pages kept stay good (a gap starts
         * a new epoch). Leaving for good, it goes now. */
        if (cache_host_is_leaving()) {
                cache_lease_drop();
                log_stats(&stats, false);
                hosts_leave(id);
        }
        db_close();
        return 0;
}
