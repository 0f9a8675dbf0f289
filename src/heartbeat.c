/*
 * heartbeat: the watcher, one process per host that keeps the host's row in blogd_host alive
 * and polls the database every LEASE_POLL_NS:
 *   - no other live host: the page cache may trust this host's counters for one lease
 *     (LEASE_NS from the start of the poll), so a hit needs no database read;
 *   - another live host: the lease is dropped and every hit is checked against change_seq;
 *   - change_seq 2 moved (someone changed posts or comments outside blogd): a new epoch
 *     retires every page kept on the counters.
 * The rules (and why a lease is safe) are cache/lease.c's; this loop only runs them.
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
        if (!sandbox_start(cfg->sandbox, "watcher"))
                return 1;
        const uint64_t id = cache_host_id();
        uint64_t last_beat = 0, last_stats = clock_now_ns();
        struct cache_stats stats = {0, 0, 0, 0, 0, 0};
        cache_stats(&stats);
        int alone = -1; /* what the last poll found, for logging the changes only */
        uint64_t t0;
        do {
                t0 = clock_now_ns();
                if (!last_beat || t0 - last_beat >= LEASE_BEAT_NS) {
                        if (hosts_beat(id, LEASE_HOST_TTL_NS / 1000)) {
                                cache_host_beat(t0, clock_now_ns());
                                last_beat = t0;
                        }
                }
                if (t0 - last_stats >= 60 * 1000 * CLOCK_NS_PER_MS) {
                        log_stats(&stats, false);
                        last_stats = t0;
                }
                uint64_t others, foreign;
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
