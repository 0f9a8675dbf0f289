/* ratelimit: per-key event counts in shared memory, one spin lock (a pid) per bucket. */
#include "core/ratelimit.h"

#include <sched.h>
#include <time.h>
#include <unistd.h>

/* Shared memory between processes needs address-free atomics, i.e. lock-free ones. */
_Static_assert(ATOMIC_INT_LOCK_FREE == 2 && ATOMIC_LONG_LOCK_FREE == 2 &&
                   ATOMIC_LLONG_LOCK_FREE == 2,
               "ratelimit needs lock-free 32- and 64-bit atomics");

#define NS_PER_S 1000000000ULL
/* A waiter yields this many times, then naps NAP_NS at a time; once one holder has kept the
 * lock for SPIN_TRIES tries (some 250 ms: a section that takes nanoseconds), it is taken as
 * dead and the lock broken. */
#define YIELD_TRIES 100
#define SPIN_TRIES 2000
#define NAP_NS 50000L

/* Under the bucket lock the slots need no ordering of their own: relaxed atomics keep even a
 * broken lock's race defined. */
#define LOAD(x) atomic_load_explicit(&(x), memory_order_relaxed)
#define STORE(x, v) atomic_store_explicit(&(x), (v), memory_order_relaxed)

size_t ratelimit_size(void)
{
        return sizeof(struct ratelimit);
}

struct ratelimit *ratelimit_init(void *mem)
{
        struct ratelimit *r = mem;
        for (size_t i = 0; i < RATELIMIT_BUCKETS; i++) {
                struct ratelimit_bucket *b = &r->bucket[i];
                atomic_init(&b->lock, 0);
                for (size_t j = 0; j < RATELIMIT_WAYS; j++) {
                        atomic_init(&b->slot[j].key, 0);
                        atomic_init(&b->slot[j].start_ns, 0);
                        atomic_init(&b->slot[j].count, 0);
                }
        }
        return r;
}

static void lock_bucket(struct ratelimit_bucket *b, int32_t self)
{
        int32_t last = 0;
        unsigned tries = 0;
        for (;;) {
                int32_t held = 0;
                if (atomic_compare_exchange_strong_explicit(
                        &b->lock, &held, self, memory_order_acquire, memory_order_relaxed))
                        return;
                if (held != last) {
                        /* A new holder gets the full time: never break a lock just taken. */
                        last = held;
                        tries = 0;
                }
                /* Our own pid: a dead process with the same pid left it (one caller per
                 * process, so it is not ours). */
                if (held == self || tries >= SPIN_TRIES) {
                        if (atomic_compare_exchange_strong_explicit(
                                &b->lock, &held, self, memory_order_acquire, memory_order_relaxed))
                                return;
                        continue;
                }
                tries++;
                if (tries <= YIELD_TRIES) {
                        sched_yield();
                } else {
                        struct timespec ts = {0, NAP_NS};
                        nanosleep(&ts, NULL);
                }
        }
}

static void unlock_bucket(struct ratelimit_bucket *b, int32_t self)
{
        /* Only if still ours: a waiter may have broken it and be inside now. */
        int32_t held = self;
        atomic_compare_exchange_strong_explicit(&b->lock, &held, 0, memory_order_release,
                                                memory_order_relaxed);
}

/* How long ago a window began; 0 if it began "after" now (another worker's later clock
 * reading took the lock first). */
static uint64_t age(const struct ratelimit_slot *s, uint64_t now_ns)
{
        uint64_t start = LOAD(s->start_ns);
        return now_ns >= start ? now_ns - start : 0;
}

/* The slot a new key takes: an empty or expired one, else the one with the fewest events, the
 * oldest among equals. */
static struct ratelimit_slot *victim(struct ratelimit_bucket *b, uint64_t now_ns)
{
        struct ratelimit_slot *best = &b->slot[0];
        for (size_t j = 0; j < RATELIMIT_WAYS; j++) {
                struct ratelimit_slot *s = &b->slot[j];
                if (LOAD(s->count) == 0 || age(s, now_ns) >= RATELIMIT_WINDOW_NS)
                        return s;
                uint32_t c = LOAD(s->count), bc = LOAD(best->count);
                if (c < bc || (c == bc && age(s, now_ns) > age(best, now_ns)))
                        best = s;
        }
        return best;
}

bool ratelimit_hit(struct ratelimit *r, uint64_t key, uint32_t limit, uint64_t now_ns,
                   uint64_t *retry_after_s)
{
        uint64_t retry = 0;
        bool ok = true;
        if (r && limit > 0) {
                struct ratelimit_bucket *b = &r->bucket[key % RATELIMIT_BUCKETS];
                int32_t self = (int32_t)getpid();
                lock_bucket(b, self);
                struct ratelimit_slot *s = NULL;
                for (size_t j = 0; j < RATELIMIT_WAYS && !s; j++)
                        if (LOAD(b->slot[j].count) > 0 && LOAD(b->slot[j].key) == key)
                                s = &b->slot[j];
                if (!s) {
                        s = victim(b, now_ns);
                        STORE(s->key, key);
                        STORE(s->count, 0);
                }
                uint64_t elapsed = age(s, now_ns);
                uint32_t count = LOAD(s->count);
                if (count == 0 || elapsed >= RATELIMIT_WINDOW_NS) {
                        STORE(s->start_ns, now_ns);
                        STORE(s->count, 1);
                } else if (count >= limit) {
                        ok = false;
                        retry = (RATELIMIT_WINDOW_NS - elapsed + NS_PER_S - 1) / NS_PER_S;
                } else {
                        STORE(s->count, count + 1);
                }
                unlock_bucket(b, self);
        }
        if (retry_after_s)
                *retry_after_s = retry;
        return ok;
}

void ratelimit_release(struct ratelimit *r, pid_t pid)
{
        if (!r || pid <= 0)
                return;
        for (size_t i = 0; i < RATELIMIT_BUCKETS; i++) {
                int32_t held = (int32_t)pid;
                atomic_compare_exchange_strong_explicit(&r->bucket[i].lock, &held, 0,
                                                        memory_order_release, memory_order_relaxed);
        }
}
