/* test_ratelimit: the shared per-key event counter (src/core/ratelimit.c): the limit-th event
 * of a minute allowed and the next refused with its Retry-After, a new window after the minute,
 * keys apart, limit 0 as no limit, a full bucket evicting the least useful counter, locks left
 * by dead processes, and real processes hitting one table at once (exactly limit get through). */
#include "check.h"
#include "core/ratelimit.h"

#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define S 1000000000ULL
#define T0 (1000 * S) /* any monotonic time; 0 and near 2^64 are tried too */

static uint64_t mono_ns(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * S + (uint64_t)ts.tv_nsec;
}

/* A table in malloc'd memory (as the unit tests may; the master maps one). */
static struct ratelimit *table_new(void)
{
        void *mem = malloc(ratelimit_size());
        return mem ? ratelimit_init(mem) : NULL;
}

/* A key in bucket b, the i-th of its kind. */
static uint64_t in_bucket(uint64_t b, uint64_t i)
{
        return b + i * RATELIMIT_BUCKETS;
}

/* hit() with the refusal's Retry-After also checked to be within (0, 60]. */
static bool hit(struct ratelimit *r, uint64_t key, uint32_t limit, uint64_t now, uint64_t *retry)
{
        uint64_t ra = 12345;
        bool ok = ratelimit_hit(r, key, limit, now, &ra);
        CHECK(ok ? ra == 0 : ra >= 1 && ra <= 60);
        if (retry)
                *retry = ra;
        return ok;
}

static void test_size(void)
{
        CHECK_EQ_SIZE(ratelimit_size(), sizeof(struct ratelimit));
        CHECK(ratelimit_size() <= 128 * 1024);
        CHECK_EQ_INT(RATELIMIT_BUCKETS * RATELIMIT_WAYS, 4096);
}

static void test_window(void)
{
        struct ratelimit *r = table_new();
        uint64_t ra;
        /* Five in the minute allowed, the sixth refused until the minute from the first. */
        for (int i = 0; i < 5; i++)
                CHECK(hit(r, 42, 5, T0 + (uint64_t)i * S, NULL));
        CHECK(!hit(r, 42, 5, T0 + 10 * S, &ra));
        CHECK_EQ_INT(ra, 50);
        CHECK(!hit(r, 42, 5, T0 + 10 * S + 1, &ra));
        CHECK_EQ_INT(ra, 50); /* rounded up */
        CHECK(!hit(r, 42, 5, T0 + 59 * S + S / 2, &ra));
        CHECK_EQ_INT(ra, 1);
        CHECK(!hit(r, 42, 5, T0 + 60 * S - 1, &ra));
        CHECK_EQ_INT(ra, 1);
        /* The refusals counted nothing: a whole new window at the minute. */
        CHECK(hit(r, 42, 5, T0 + 60 * S, NULL));
        for (int i = 0; i < 4; i++)
                CHECK(hit(r, 42, 5, T0 + 60 * S, NULL));
        CHECK(!hit(r, 42, 5, T0 + 60 * S, &ra));
        CHECK_EQ_INT(ra, 60); /* refused at the window's first instant: the whole minute */
        /* Later than a minute after: new again, anchored at its own first event. */
        CHECK(hit(r, 42, 5, T0 + 500 * S, NULL));
        for (int i = 0; i < 4; i++)
                CHECK(hit(r, 42, 5, T0 + 530 * S, NULL));
        CHECK(!hit(r, 42, 5, T0 + 530 * S, &ra));
        CHECK_EQ_INT(ra, 30);
        /* Every refusal of a window says how long is left, from 60 down to 1. */
        CHECK(hit(r, 43, 1, T0, NULL));
        bool all = true;
        for (uint64_t t = 0; t < 60 * S; t += S / 4) {
                bool ok = ratelimit_hit(r, 43, 1, T0 + t, &ra);
                all = all && !ok && ra == (60 * S - t + S - 1) / S;
        }
        CHECK(all);
        CHECK(hit(r, 43, 1, T0 + 60 * S, NULL));
        /* A limit of one; a NULL retry_after_s. */
        CHECK(ratelimit_hit(r, 44, 1, T0, NULL));
        CHECK(!ratelimit_hit(r, 44, 1, T0, NULL));
        /* The limit is the caller's at each call (a reload may change it). */
        for (int i = 0; i < 3; i++)
                CHECK(hit(r, 45, 5, T0, NULL));
        CHECK(!hit(r, 45, 3, T0, NULL));
        CHECK(hit(r, 45, 4, T0, NULL));
        CHECK(!hit(r, 45, 4, T0, NULL));
        /* A worker whose clock reading is a little older than the window's start: in it. */
        CHECK(hit(r, 46, 2, T0 + S, NULL));
        CHECK(hit(r, 46, 2, T0, NULL));
        CHECK(!hit(r, 46, 2, T0, &ra));
        CHECK_EQ_INT(ra, 60);
        /* Times at the ends of the range. */
        CHECK(hit(r, 47, 1, 0, NULL));
        CHECK(!hit(r, 47, 1, 0, &ra));
        CHECK_EQ_INT(ra, 60);
        CHECK(hit(r, 47, 1, 60 * S, NULL));
        CHECK(hit(r, 48, 1, UINT64_MAX - 30 * S, NULL));
        CHECK(!hit(r, 48, 1, UINT64_MAX, &ra));
        CHECK_EQ_INT(ra, 30);
        /* A large limit counts as far as it goes. */
        for (int i = 0; i < 1000; i++)
                CHECK(ratelimit_hit(r, 49, 1000, T0, NULL));
        CHECK(!ratelimit_hit(r, 49, 1000, T0, NULL));
        free(r);
}

static void test_keys(void)
{
        struct ratelimit *r = table_new();
        /* One key refused, the others still allowed: in other buckets and in its own. */
        for (int i = 0; i < 5; i++)
                CHECK(hit(r, 1, 5, T0, NULL));
        CHECK(!hit(r, 1, 5, T0, NULL));
        CHECK(hit(r, 2, 5, T0, NULL));
        CHECK(hit(r, in_bucket(1, 1), 5, T0, NULL));
        CHECK(hit(r, in_bucket(1, 2), 5, T0, NULL));
        CHECK(hit(r, 1ULL << 63 | 1, 5, T0, NULL));
        CHECK(!hit(r, 1, 5, T0, NULL));
        /* Key 0 is a key like the others. */
        for (int i = 0; i < 5; i++)
                CHECK(hit(r, 0, 5, T0, NULL));
        CHECK(!hit(r, 0, 5, T0, NULL));
        CHECK(hit(r, RATELIMIT_BUCKETS, 5, T0, NULL));
        free(r);
}

static void test_no_limit(void)
{
        struct ratelimit *r = table_new();
        uint64_t ra = 7;
        /* Limit 0: no limit, always allowed, nothing counted. */
        bool all = true;
        for (int i = 0; i < 10000; i++)
                all = all && ratelimit_hit(r, 5, 0, T0, &ra) && ra == 0;
        CHECK(all);
        CHECK(hit(r, 5, 1, T0, NULL)); /* the limit-0 calls left no count behind */
        CHECK(!hit(r, 5, 1, T0, NULL));
        CHECK(ratelimit_hit(r, 5, 0, T0, &ra)); /* even for a key refused at limit 1 */
        CHECK_EQ_INT(ra, 0);
        /* No table (the master maps none while the limit is off): no limit either. */
        ra = 7;
        CHECK(ratelimit_hit(NULL, 5, 5, T0, &ra));
        CHECK_EQ_INT(ra, 0);
        CHECK(ratelimit_hit(NULL, 5, 0, T0, NULL));
        free(r);
}

static void test_buckets(void)
{
        struct ratelimit *r = table_new();
        const uint64_t b = 77;
        /* A counter that is refusing someone, then its bucket flooded with new keys: they take
         * the others' places (fewest events first), never its own. */
        for (int i = 0; i < 5; i++)
                CHECK(hit(r, in_bucket(b, 0), 5, T0, NULL));
        bool all = true;
        for (uint64_t i = 1; i <= 1000; i++)
                all = all && ratelimit_hit(r, in_bucket(b, i), 5, T0 + S, NULL);
        CHECK(all); /* every new key has a slot: nothing ever refused for lack of room */
        CHECK(!hit(r, in_bucket(b, 0), 5, T0 + 2 * S, NULL));
        /* Counters with two events outlast a flood of one-event ones: six of them and the
         * first key, and one slot left, which the flood's keys take from each other. */
        for (uint64_t i = 1; i <= RATELIMIT_WAYS - 2; i++) {
                CHECK(hit(r, in_bucket(b, 2000 + i), 5, T0 + 3 * S, NULL));
                CHECK(hit(r, in_bucket(b, 2000 + i), 5, T0 + 3 * S, NULL));
        }
        for (uint64_t i = 0; i < 100; i++)
                CHECK(hit(r, in_bucket(b, 3000 + i), 5, T0 + 4 * S, NULL));
        /* Each of the six is still at 2: three more make 5, the sixth is refused. */
        for (uint64_t i = 1; i <= RATELIMIT_WAYS - 2; i++) {
                for (int k = 0; k < 3; k++)
                        CHECK(hit(r, in_bucket(b, 2000 + i), 5, T0 + 5 * S, NULL));
                CHECK(!hit(r, in_bucket(b, 2000 + i), 5, T0 + 5 * S, NULL));
        }
        CHECK(!hit(r, in_bucket(b, 0), 5, T0 + 5 * S, NULL));
        /* Eight counters all at their limit, and a ninth key: the oldest gives way (an
         * attacker with many addresses can evict, never grow the table). */
        const uint64_t c = 99;
        for (uint64_t i = 0; i < RATELIMIT_WAYS; i++)
                for (int k = 0; k < 5; k++)
                        CHECK(hit(r, in_bucket(c, i), 5, T0 + i * S, NULL));
        CHECK(hit(r, in_bucket(c, 100), 5, T0 + 10 * S, NULL));
        CHECK(hit(r, in_bucket(c, 0), 5, T0 + 10 * S, NULL)); /* the oldest: evicted, counts anew */
        for (uint64_t i = 1; i < RATELIMIT_WAYS; i++)
                CHECK(!hit(r, in_bucket(c, i), 5, T0 + 10 * S, NULL));
        /* An expired counter is reused before any live one. */
        const uint64_t d = 123;
        for (uint64_t i = 0; i < RATELIMIT_WAYS; i++)
                CHECK(hit(r, in_bucket(d, i), 1, i == 3 ? T0 : T0 + 30 * S, NULL));
        CHECK(hit(r, in_bucket(d, 50), 1, T0 + 61 * S, NULL)); /* takes key 3's slot */
        for (uint64_t i = 0; i < RATELIMIT_WAYS; i++)
                if (i != 3)
                        CHECK(!hit(r, in_bucket(d, i), 1, T0 + 61 * S, NULL));
        /* Many addresses at once: every first event allowed, the memory the same. */
        uint64_t x = 0x9e3779b97f4a7c15ULL;
        all = true;
        for (int i = 0; i < 200000; i++) {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                all = all && ratelimit_hit(r, x, 5, T0 + 100 * S, NULL);
        }
        CHECK(all);
        CHECK_EQ_SIZE(ratelimit_size(), sizeof(struct ratelimit));
        free(r);
}

/* A pid that no process has now: a child that has exited and been reaped. */
static pid_t dead_pid(void)
{
        pid_t pid = fork();
        if (pid == 0)
                _exit(0);
        waitpid(pid, NULL, 0);
        return pid;
}

static void test_stale_locks(void)
{
        struct ratelimit *r = table_new();
        pid_t dead = dead_pid();
        /* Every bucket locked by a process that died inside: a hit still gets through (the
         * lock is broken after a bounded wait) and leaves the lock free. */
        for (size_t i = 0; i < RATELIMIT_BUCKETS; i++)
                atomic_store(&r->bucket[i].lock, (int32_t)dead);
        uint64_t t = mono_ns();
        CHECK(hit(r, 5, 2, T0, NULL));
        uint64_t waited = mono_ns() - t;
        CHECK(waited < 10 * S);
        printf("a dead holder's lock broken after %llu ms\n",
               (unsigned long long)(waited / 1000000));
        CHECK_EQ_INT(atomic_load(&r->bucket[5].lock), 0);
        CHECK(hit(r, 5, 2, T0, NULL)); /* the count survived */
        CHECK(!hit(r, 5, 2, T0, NULL));
        /* The master's release frees that pid's locks at once, and no one else's. */
        atomic_store(&r->bucket[7].lock, (int32_t)dead + 1);
        ratelimit_release(r, dead);
        size_t held = 0;
        for (size_t i = 0; i < RATELIMIT_BUCKETS; i++)
                held += atomic_load(&r->bucket[i].lock) != 0;
        CHECK_EQ_SIZE(held, 1);
        CHECK_EQ_INT(atomic_load(&r->bucket[7].lock), (int32_t)dead + 1);
        ratelimit_release(r, dead + 1);
        CHECK_EQ_INT(atomic_load(&r->bucket[7].lock), 0);
        ratelimit_release(r, 0);
        ratelimit_release(NULL, dead);
        /* Our own pid in a lock: a dead process that had it before us; taken over at once. */
        atomic_store(&r->bucket[9].lock, (int32_t)getpid());
        t = mono_ns();
        CHECK(hit(r, 9, 2, T0, NULL));
        CHECK(mono_ns() - t < 50 * 1000000ULL);
        CHECK_EQ_INT(atomic_load(&r->bucket[9].lock), 0);
        free(r);
}

#define PROCS 4

/* Shared with the children: the table, a start line, each child's count of successes. */
struct shared {
        _Atomic int ready;
        _Atomic int go;
        _Atomic uint64_t ok[PROCS];
        _Atomic uint64_t bad_retry[PROCS];
};

static void run_children(struct ratelimit *r, struct shared *sh, int mode)
{
        atomic_store(&sh->ready, 0);
        atomic_store(&sh->go, 0);
        pid_t pids[PROCS];
        for (int c = 0; c < PROCS; c++) {
                atomic_store(&sh->ok[c], 0);
                atomic_store(&sh->bad_retry[c], 0);
                pids[c] = fork();
                if (pids[c] == 0) {
                        atomic_fetch_add(&sh->ready, 1);
                        while (!atomic_load(&sh->go))
                                sched_yield();
                        uint64_t ok = 0, bad = 0, ra;
                        if (mode == 0) {
                                /* One key, 3000 tries each, limit 100. */
                                for (int i = 0; i < 3000; i++) {
                                        bool got = ratelimit_hit(r, 1234567, 100, T0, &ra);
                                        ok += got;
                                        bad += got ? ra != 0 : ra < 1 || ra > 60;
                                }
                        } else {
                                /* 1000 keys over every bucket, 5 rounds each, limit 3. */
                                for (int round = 0; round < 5; round++)
                                        for (uint64_t k = 0; k < 1000; k++) {
                                                bool got = ratelimit_hit(r, k * 7919, 3, T0, &ra);
                                                ok += got;
                                                bad += got ? ra != 0 : ra < 1 || ra > 60;
                                        }
                        }
                        atomic_store(&sh->ok[c], ok);
                        atomic_store(&sh->bad_retry[c], bad);
                        _exit(0);
                }
        }
        while (atomic_load(&sh->ready) < PROCS)
                sched_yield();
        atomic_store(&sh->go, 1);
        int clean = 0;
        for (int c = 0; c < PROCS; c++) {
                int st = 0;
                if (pids[c] > 0 && waitpid(pids[c], &st, 0) == pids[c] && WIFEXITED(st) &&
                    WEXITSTATUS(st) == 0)
                        clean++;
        }
        CHECK_EQ_INT(clean, PROCS);
}

static void test_processes(void)
{
        void *mem =
            mmap(NULL, ratelimit_size(), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        void *shm = mmap(NULL, sizeof(struct shared), PROT_READ | PROT_WRITE,
                         MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        CHECK(mem != MAP_FAILED && shm != MAP_FAILED);
        if (mem == MAP_FAILED || shm == MAP_FAILED)
                return;
        struct ratelimit *r = ratelimit_init(mem);
        struct shared *sh = shm;
        for (int mode = 0; mode < 2; mode++) {
                for (int rep = 0; rep < 5; rep++) {
                        ratelimit_init(mem);
                        run_children(r, sh, mode);
                        uint64_t total = 0, bad = 0;
                        for (int c = 0; c < PROCS; c++) {
                                total += atomic_load(&sh->ok[c]);
                                bad += atomic_load(&sh->bad_retry[c]);
                        }
                        /* Exactly the limit got through, in all processes together. */
                        CHECK_EQ_INT(total, mode == 0 ? 100 : 1000 * 3);
                        CHECK_EQ_INT(bad, 0);
                }
        }
        /* Workers killed at random moments while hitting: the table never wedges. */
        ratelimit_init(mem);
        for (int k = 0; k < 20; k++) {
                pid_t pid = fork();
                if (pid == 0) {
                        for (uint64_t i = 0;; i++)
                                ratelimit_hit(r, i % 4, UINT32_MAX, T0, NULL);
                }
                struct timespec ts = {0, 5000000L + 1000000L * k};
                nanosleep(&ts, NULL);
                kill(pid, SIGKILL);
                waitpid(pid, NULL, 0);
                if (k % 2)
                        ratelimit_release(r, pid); /* the master's part; every other time only */
        }
        uint64_t t = mono_ns();
        bool all = true;
        for (uint64_t key = 0; key < 4; key++)
                all = all && ratelimit_hit(r, key, UINT32_MAX, T0, NULL);
        CHECK(all);
        CHECK(mono_ns() - t < 10 * S);
        munmap(mem, ratelimit_size());
        munmap(shm, sizeof(struct shared));
}

int main(void)
{
        test_size();
        test_window();
        test_keys();
        test_no_limit();
        test_buckets();
        test_stale_locks();
        test_processes();
        return check_summary();
}
