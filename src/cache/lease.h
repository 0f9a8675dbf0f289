/* lease: the rules of the host's heartbeat, cache lease and write gate (pure: times passed in). */
#ifndef BLOGD_LEASE_H
#define BLOGD_LEASE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/clock.h"

/*
 * A host may trust its counters for LEASE_NS after a poll that found it alone; another host
 * writes only LEASE_GATE_NS after its heartbeat row was stored (> one lease, so every lease
 * then running has been renewed by a poll that saw the row). The row lives for
 * LEASE_HOST_TTL_NS after each beat; a host whose last beat is older than the TTL less a
 * margin counts as gone and must register (and wait) again before writing. The watcher
 * (src/heartbeat.c) polls every LEASE_POLL_NS and beats every LEASE_BEAT_NS.
 */
#define LEASE_POLL_NS (100 * CLOCK_NS_PER_MS)
#define LEASE_NS (500 * CLOCK_NS_PER_MS)
#define LEASE_GATE_NS (1000 * CLOCK_NS_PER_MS)
#define LEASE_BEAT_NS (1000 * CLOCK_NS_PER_MS)
#define LEASE_HOST_TTL_NS (5000 * CLOCK_NS_PER_MS)
#define LEASE_HOST_MARGIN_NS (1000 * CLOCK_NS_PER_MS)

/* The host's standing, in the mapping every process of the host shares. Times are
 * clock_now_ns() values (CLOCK_MONOTONIC, never 0 on a running system). */
struct lease {
        _Atomic uint64_t until;      /* time until which the counters are the truth */
        _Atomic uint64_t epoch;      /* bumped whenever pages kept on the counters retire */
        _Atomic uint64_t foreign;    /* change_seq 2 as last seen by the watcher */
        _Atomic uint64_t live_since; /* end of the beat that (re)registered the host; 0: none */
        _Atomic uint64_t beat_start; /* start of the last stored beat */
        _Atomic bool leaving;        /* the master is shutting down for good */
};

/* Not registered, no lease, no change seen yet. */
void lease_init(struct lease *l);
/* A heartbeat sent at start was stored by end. A beat after a lapse (or the first one)
 * registers the host anew at end. */
void lease_beat(struct lease *l, uint64_t start, uint64_t end);
/* A poll begun at start found no other live host; foreign is change_seq 2 (changes made
 * outside blogd); now is when the poll's answer came. The counters may be trusted until
 * start + LEASE_NS. After a gap in the lease or when foreign moved: a new epoch. */
void lease_renew(struct lease *l, uint64_t start, uint64_t foreign, uint64_t now);
/* Another host is alive: every hit is checked against the database. */
void lease_drop(struct lease *l);
/* Whether the counters may be trusted at now (reading the generation costs nothing). */
bool lease_held(const struct lease *l, uint64_t now);
uint64_t lease_epoch(const struct lease *l);
/* Whether this host may write at now: registered for LEASE_GATE_NS, heartbeat not lapsed. */
bool lease_may_write(const struct lease *l, uint64_t now);
void lease_set_leaving(struct lease *l);
bool lease_is_leaving(const struct lease *l);

#endif
