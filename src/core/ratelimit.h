/*
 * ratelimit: counts events per key in one-minute windows, in memory the master maps
 * (MAP_SHARED) before forking, so every worker of the host counts against the same table.
 * The key is the caller's: a keyed 64-bit hash of what is limited (the client address, with
 * crypto_shorthash), so a client cannot choose which bucket its counter lands in.
 *
 * The window is fixed, anchored at a key's first event: it admits `limit` events, and the
 * next window opens with the first event after it closed. (One event at a window's start,
 * limit - 1 just before it closes and limit more just after can thus pass: 2 x limit - 1
 * within moments. A sliding log would need limit timestamps per key.)
 *
 * Bounded memory: RATELIMIT_BUCKETS buckets of RATELIMIT_WAYS slots, nothing ever allocated.
 * A new key takes an empty or expired slot of its bucket, else the one with the fewest events
 * (the oldest among equals): an attacker with many addresses can at worst evict counters
 * (which then start again at zero), never grow the table, and it evicts its own one-event
 * counters before a counter that is refusing someone.
 *
 * Concurrency: each bucket has a lock word holding the pid of the process inside (C11
 * atomics on shared memory, which must be lock-free to work across processes: checked at
 * compile time). The section under it is a few loads and stores, no system call. A lock whose
 * holder died is freed by the master (ratelimit_release, as for core/gate.h), and is broken by
 * a waiter after some 250 ms of short naps in any case, so a worker killed inside never
 * wedges the table; the slots are atomics too, so even a lock broken under a live holder
 * costs at worst a miscount, never undefined behaviour. (No kill(pid, 0) probe: the workers'
 * seccomp filter does not allow kill.)
 */
#ifndef BLOGD_RATELIMIT_H
#define BLOGD_RATELIMIT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define RATELIMIT_WINDOW_NS (60ULL * 1000000000ULL)
#define RATELIMIT_BUCKETS 512 /* a key's bucket: key % RATELIMIT_BUCKETS */
#define RATELIMIT_WAYS 8      /* 4096 slots in all */

/* The layout is here so that callers can size and map it; its fields are the module's. */
struct ratelimit_slot {
        _Atomic uint64_t key;
        _Atomic uint64_t start_ns; /* the window's first event */
        _Atomic uint32_t count;    /* events in the window; 0: the slot is empty */
};

struct ratelimit_bucket {
        _Atomic int32_t lock; /* 0: free, else the pid inside */
        struct ratelimit_slot slot[RATELIMIT_WAYS];
};

struct ratelimit {
        struct ratelimit_bucket bucket[RATELIMIT_BUCKETS];
};

/* The bytes to map for a table (about 100 KiB). */
size_t ratelimit_size(void);

/* Makes an empty table in mem (ratelimit_size() bytes, aligned as malloc's or a mapping). */
struct ratelimit *ratelimit_init(void *mem);

/*
 * Counts one event of key at now_ns (a CLOCK_MONOTONIC time, core/clock.h: the table reads no
 * clock itself) and returns true, or returns false without counting it if key already had
 * limit events in its window; then *retry_after_s (if not NULL) is the number of seconds,
 * rounded up, until the window closes: 1 to 60 (a Retry-After). On true it is 0.
 * A limit of 0 means no limit: always true, and the table is not touched. So does a NULL r
 * (the master need map no table while the limit is off). One call at a time per process (the
 * lock is the pid): the workers are single-threaded.
 */
bool ratelimit_hit(struct ratelimit *r, uint64_t key, uint32_t limit, uint64_t now_ns,
                   uint64_t *retry_after_s);

/* In the master, for a child that ended: frees any bucket lock it held. */
void ratelimit_release(struct ratelimit *r, pid_t pid);

#endif
