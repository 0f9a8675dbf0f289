/*
 * replicas: how fit each MariaDB replica is to serve this host's reads, as the host's watcher
 * measures it (src/heartbeat.c), in memory every process of the host shares.
 *
 * The measure: the watcher stores a new heartbeat number in its blogd_host row on the primary
 * every REPLICAS_BEAT_NS and reads the row back from each replica. A replica showing beat n
 * has applied everything the primary committed before beat n was sent (commits replicate in
 * order), so at any time t it is at most t - sent(n) behind: fresh_at = sent(n). A worker
 * reads from a replica only while now - fresh_at <= replica_max_lag, on the host's own
 * monotonic clock, so the bound holds at the moment of the read (it is conservative by up to
 * a beat and a poll), with no clock of another machine compared and no privilege needed.
 * Seconds_Behind_Master was not chosen: whole seconds (the default bound is one), 0 while the
 * I/O thread silently lags or stalls, and it needs the SLAVE MONITOR privilege.
 *
 * The primary unreachable (the watcher's beat fails): the blog is read-only for now. No
 * change can be made then, so the bound has nothing left to measure: reads go to the
 * reachable replica that has shown the newest beat, whatever its age.
 */
#ifndef BLOGD_REPLICAS_H
#define BLOGD_REPLICAS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/clock.h"
#include "core/serverlist.h"

#define REPLICAS_BEAT_NS (100 * CLOCK_NS_PER_MS)
/* Beats remembered (their send times): 102 s of them at one every 100 ms. */
#define REPLICAS_BEATS 1024

/* One replica as the watcher last saw it. */
struct replica_view {
        bool reachable;
        uint64_t beat;     /* the newest beat of this host it showed; 0: none yet */
        uint64_t fresh_at; /* it had everything committed before this time; 0: unknown */
};

/* In the master, before forking (a no-op without replicas). */
bool replicas_shared_init(size_t count);
void replicas_shared_destroy(void);
size_t replicas_count(void);

/* --- The watcher --- */
/* The number of the next beat to send, and remembers that it was sent at now. */
uint64_t replicas_beat_sent(uint64_t now);
/* The time beat n was sent (0: unknown, too old to be remembered). */
uint64_t replicas_beat_time(uint64_t n);
/* What a poll of replica i (0-based) found. */
void replicas_note(size_t i, const struct replica_view *v);
/* Whether the primary took the last beat (false: unreachable, the blog is read-only). */
void replicas_primary_up(bool up);

/* --- Everyone --- */
void replicas_view(size_t i, struct replica_view *out);
/* The primary is unreachable: pages say the blog is read-only, writes answer 503. */
bool replicas_read_only(void);

/*
 * The pure rule (unit-tested): which of n replicas a read goes to at now, -1 for the primary.
 * With the primary up, a replica at most max_lag_ns behind, the first such from start on (a
 * caller turns start to spread its reads); read-only, the reachable one with the newest beat.
 */
int replicas_choose(const struct replica_view *v, size_t n, size_t start, bool read_only,
                    uint64_t now, uint64_t max_lag_ns);
/* replicas_choose over the shared views, now. */
int replicas_pick(size_t start, uint64_t max_lag_ns);
/* How far behind replica i is now by the measure, in ns (UINT64_MAX: unknown). */
uint64_t replicas_lag_ns(size_t i, uint64_t now);

#endif
