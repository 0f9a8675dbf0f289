/* test_arena: the page arena (src/cache/arena.c) over regions this test allocates: store,
 * find, replace, evict in ring order except what was read (moved to head once), refuse what does
 * not fit (a page exactly at the limit kept, one byte more refused), records ending exactly at the
 * ring's end, never return another key's or another generation's page, survive many laps of the
 * ring with pages of every size, lay out a region of any size, draw a new hash key in each arena,
 * and empty itself when a process dies holding its lock. */
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cache/arena.h"
#include "check.h"

#define ARENA (64 * 1024)

/* The arena under test and its region (malloc'd). */
static struct arena *A;
static void *region;

/* A fresh arena whose ring is ring bytes. */
static void fresh(size_t ring)
{
        arena_destroy(A);
        free(region);
        size_t len = arena_size_for(ring);
        region = malloc(len);
        A = arena_init(region, len);
        struct arena_stats st;
        CHECK(A != NULL);
        arena_stats(A, &st);
        CHECK_EQ_SIZE(st.ring_bytes, ring);
}

/* A generation of three numbers, as the cache makes them (the rest of the bytes zero). */
static struct arena_gen gen3(uint64_t source, uint64_t a, uint64_t b)
{
        struct arena_gen g;
        uint64_t v[3] = {source, a, b};
        memset(&g, 0, sizeof(g));
        memcpy(g.bytes, v, sizeof(v));
        return g;
}

static bool get(const char *key, const struct arena_gen *gen, struct buf *out, bool *marker)
{
        uint32_t flags = 0;
        buf_reset(out);
        if (!arena_get(A, key, strlen(key), gen, out, &flags))
                return false;
        *marker = flags != 0;
        return true;
}

static void put(const char *key, const struct arena_gen *gen, const char *body, size_t len)
{
        arena_put(A, key, strlen(key), gen, body, len, 0);
}

static void test_round_trip(struct buf *out)
{
        struct arena_gen g = gen3(1, 7, 9), other = gen3(1, 7, 10), db = gen3(0, 7, 9);
        bool marker = true;
        put("/1/?", &g, "page one", 8);
        CHECK(arena_has(A, "/1/?", 4));
        CHECK(!arena_has(A, "/2/?", 4));
        CHECK(get("/1/?", &g, out, &marker));
        CHECK_EQ_MEM(out->data, out->len, "page one", 8);
        CHECK(!marker);
        CHECK(!get("/1/?", &other, out, &marker)); /* a later change */
        CHECK(!get("/1/?", &db, out, &marker));    /* same numbers, other source */
        CHECK(!get("/1/?x=1", &g, out, &marker));  /* another key */
        CHECK(!get("/1/", &g, out, &marker));      /* a prefix of the key */
        arena_put(A, "/1/?", 4, &other, "page one, again", 15, 1);
        CHECK(get("/1/?", &other, out, &marker));
        CHECK_EQ_MEM(out->data, out->len, "page one, again", 15);
        CHECK(marker);
        CHECK(!get("/1/?", &g, out, &marker)); /* replaced, not kept beside */
}

/* The generation is opaque: a difference in any of its bytes (the cache's reload generation
 * is in the last ones) is another generation. */
static void test_opaque_generation(struct buf *out)
{
        struct arena_gen g = gen3(1, 1, 1), later = g;
        bool marker;
        later.bytes[ARENA_GEN_BYTES - 1] = 1;
        put("/gen/?", &g, "rendered by generation 0", 24);
        CHECK(get("/gen/?", &g, out, &marker));
        CHECK(!get("/gen/?", &later, out, &marker));
        put("/gen/?", &later, "rendered by generation 1", 24);
        CHECK(get("/gen/?", &later, out, &marker));
        CHECK_EQ_MEM(out->data, out->len, "rendered by generation 1", 24);
        CHECK(!get("/gen/?", &g, out, &marker));
}

static void test_too_big(struct buf *out)
{
        struct arena_gen g = gen3(1, 2, 2);
        bool marker;
        size_t n = ARENA / 4;
        char *big = malloc(n);
        memset(big, 'x', n);
        put("/big/?", &g, big, n);
        CHECK(!get("/big/?", &g, out, &marker)); /* over an eighth of the arena: not kept */
        free(big);
}

/* The body test_many_laps stores for store number i. */
static char lap_byte(int i, size_t j)
{
        return (char)('a' + (i + (int)j) % 26);
}

/* Fills the ring many times over with pages of varied sizes, reading every third back at
 * once (so records are moved to head as well as dropped, over laps' ends): whatever is found
 * must be the page stored under that key last, whole; the newest page must always be there. */
static void test_many_laps(struct buf *out)
{
        struct arena_gen g = gen3(1, 3, 3);
        char key[32], body[6000];
        int last[700];
        size_t last_len[700];
        unsigned long seed = 12345;
        unsigned found = 0, wrong = 0;
        struct arena_stats before, after;
        arena_stats(A, &before);
        for (int i = 0; i < 5000; i++) {
                seed = seed * 6364136223846793005UL + 1442695040888963407UL;
                size_t len = 1 + (seed >> 33) % sizeof(body);
                snprintf(key, sizeof(key), "/%d/?", i % 700);
                for (size_t j = 0; j < len; j++)
                        body[j] = lap_byte(i, j);
                put(key, &g, body, len);
                last[i % 700] = i;
                last_len[i % 700] = len;
                if (!arena_has(A, key, strlen(key)))
                        wrong++; /* the page just stored must be there */
                bool marker;
                if (i % 3 == 0 && (!get(key, &g, out, &marker) || out->len != len ||
                                   memcmp(out->data, body, len) != 0))
                        wrong++;
        }
        CHECK_EQ_INT(wrong, 0);
        /* Every key still found holds the last body stored for it, byte for byte. */
        for (int k = 0; k < 700; k++) {
                bool marker;
                snprintf(key, sizeof(key), "/%d/?", k);
                if (!get(key, &g, out, &marker))
                        continue;
                found++;
                bool same = out->len == last_len[k];
                for (size_t j = 0; same && j < out->len; j++)
                        same = out->data[j] == lap_byte(last[k], j);
                wrong += !same;
        }
        CHECK_EQ_INT(wrong, 0);
        CHECK(found > 0 && found < 700); /* some evicted, some kept */
        arena_stats(A, &after);
        CHECK(after.moves > before.moves);
        printf("after 5000 stores of up to 6000 bytes in a %d-byte arena: %u of 700 keys kept, "
               "%llu records moved to head\n",
               ARENA, found, (unsigned long long)(after.moves - before.moves));
}

/* The set index is keyed: another arena (another start) draws another key, so the same URL
 * hashes elsewhere; within one arena the hash is stable. Ends with a fresh arena. */
static void test_keyed_hash(void)
{
        static const char *const keys[] = {"/", "/2/", "/2/?after=5", "/comments/", "/about/"};
        enum { NKEYS = sizeof(keys) / sizeof(keys[0]) };
        uint64_t first[NKEYS];
        for (size_t i = 0; i < NKEYS; i++)
                first[i] = arena_hash(A, keys[i], strlen(keys[i]));
        fresh(ARENA); /* a second start: a new hash key */
        unsigned differ = 0, stable = 0;
        for (size_t i = 0; i < NKEYS; i++) {
                uint64_t h = arena_hash(A, keys[i], strlen(keys[i]));
                if (h == arena_hash(A, keys[i], strlen(keys[i])))
                        stable++;
                if (h != first[i])
                        differ++; /* equal by chance with probability 2^-64 */
        }
        CHECK_EQ_INT(stable, NKEYS);
        CHECK_EQ_INT(differ, NKEYS);
        /* Nor is it the old unkeyed FNV-1a. */
        uint64_t fnv = 1469598103934665603ULL;
        for (const char *c = keys[1]; *c; c++)
                fnv = (fnv ^ (unsigned char)*c) * 1099511628211ULL;
        CHECK(arena_hash(A, keys[1], strlen(keys[1])) != fnv);
        /* Pages are found through the new key's index as before. */
        struct arena_gen g = gen3(1, 5, 5);
        struct buf out;
        buf_init(&out);
        bool marker;
        put("/2/", &g, "after a restart", 15);
        CHECK(get("/2/", &g, &out, &marker));
        CHECK_EQ_MEM(out.data, out.len, "after a restart", 15);
        buf_cleanup(&out);
}

/* A fixed-width key, so every record of a test has the same header and key bytes. */
static const char *fixed_key(char *key, size_t cap, const char *kind, int i)
{
        snprintf(key, cap, "/%s/%06d/?", kind, i);
        return key;
}

/* Whether exactly the len bytes put_found stored with seed are found under key. */
static bool found_whole(const char *key, const struct arena_gen *g, size_t len, char seed,
                        struct buf *out)
{
        bool marker;
        if (!get(key, g, out, &marker) || out->len != len)
                return false;
        for (size_t j = 0; j < len; j++)
                if (out->data[j] != (char)(seed + (char)(j % 61)))
                        return false;
        return true;
}

/* Stores len bytes (a pattern of seed) under key; true if the same bytes are then found. */
static bool put_found(const char *key, const struct arena_gen *g, char *body, size_t len, char seed,
                      struct buf *out)
{
        for (size_t j = 0; j < len; j++)
                body[j] = (char)(seed + (char)(j % 61));
        put(key, g, body, len);
        return found_whole(key, g, len, seed, out);
}

/*
 * A page is kept if its record (header, key, body, rounded up to 8 bytes) is at most an
 * eighth of the ring (MAX_PAGE_SHARE). The header's size is arena.c's business: the largest
 * body kept is found by trying, and must then be exactly the limit: one byte more is
 * refused, one byte less kept, and a key one byte longer leaves one byte less of body.
 */
static size_t largest_kept(const char *kind, const struct arena_gen *g, size_t ring, char *body,
                           struct buf *out, int *serial)
{
        char key[64];
        size_t lo = 0, hi = ring / 8 + 1; /* lo is kept, hi is not */
        while (hi - lo > 1) {
                size_t mid = lo + (hi - lo) / 2;
                if (put_found(fixed_key(key, sizeof(key), kind, (*serial)++), g, body, mid, 'a',
                              out))
                        lo = mid;
                else
                        hi = mid;
        }
        return lo;
}

static void test_size_limit(struct buf *out, size_t ring)
{
        struct arena_gen g = gen3(1, 4, 4);
        char key[64], longer[64];
        char *body = malloc(ring / 8 + 16);
        int serial = 0;
        size_t klen = strlen(fixed_key(key, sizeof(key), "limit", 0));
        size_t most = largest_kept("limit", &g, ring, body, out, &serial);
        size_t header = ring / 8 - most - klen;
        /* The record header is a few words, and the largest body fills the share exactly. */
        CHECK(most > 0 && header > 0 && header <= 256);
        CHECK(put_found(fixed_key(key, sizeof(key), "limit", serial++), &g, body, most, 'b', out));
        CHECK(!put_found(fixed_key(key, sizeof(key), "limit", serial++), &g, body, most + 1, 'c',
                         out));
        CHECK(put_found(fixed_key(key, sizeof(key), "limit", serial++), &g, body, most - 1, 'd',
                        out));
        for (size_t less = 1; less <= 9; less++)
                CHECK(put_found(fixed_key(key, sizeof(key), "limit", serial++), &g, body,
                                most - less, 'e', out));
        /* A refused page leaves the one stored before under its key as it was. */
        fixed_key(key, sizeof(key), "limit", serial++);
        CHECK(put_found(key, &g, body, 100, 'f', out));
        put(key, &g, body, most + 1);
        CHECK(found_whole(key, &g, 100, 'f', out));
        /* The key counts: one byte more of key, one byte less of body. */
        snprintf(longer, sizeof(longer), "/limitx/%06d/?", 0);
        CHECK_EQ_SIZE(strlen(longer), klen + 1);
        size_t most_longer = 0;
        for (size_t n = most + 1; n + 8 > most; n--) {
                snprintf(longer, sizeof(longer), "/limitx/%06d/?", serial++);
                if (put_found(longer, &g, body, n, 'g', out)) {
                        most_longer = n;
                        break;
                }
        }
        CHECK_EQ_SIZE(most_longer, most - 1);
        printf("an eighth of a %zu-byte ring: %zu bytes of key and body (%zu of header) kept, "
               "one more refused\n",
               ring, most + klen, header);
        free(body);
}

/*
 * Records that fill the ring exactly: eight of an eighth each, the last ending at the ring's
 * very end (no lap skipped), all found; the ninth starts the next lap over the first. Then a
 * record ending 8 bytes short of the end, and one that no longer fits the rest: it starts the
 * next lap, and only what it covers is gone.
 */
static void test_ring_end(struct buf *out, size_t ring)
{
        struct arena_gen g = gen3(1, 5, 5);
        char key[64];
        char *body = malloc(ring / 8 + 16);
        int serial = 1000;
        size_t full = largest_kept("ring", &g, ring, body, out, &serial);
        fresh(ring); /* a fresh ring: the next record is at position 0 */
        for (int i = 0; i < 8; i++)
                CHECK(put_found(fixed_key(key, sizeof(key), "ring", i), &g, body, full,
                                (char)('A' + i), out));
        for (int i = 0; i < 8; i++)
                CHECK(found_whole(fixed_key(key, sizeof(key), "ring", i), &g, full, (char)('A' + i),
                                  out));
        CHECK(put_found(fixed_key(key, sizeof(key), "ring", 8), &g, body, full, 'I', out));
        CHECK(!arena_has(A, fixed_key(key, sizeof(key), "ring", 0), strlen(key)));
        for (int i = 1; i <= 8; i++)
                CHECK(found_whole(fixed_key(key, sizeof(key), "ring", i), &g, full, (char)('A' + i),
                                  out));
        /* Six more: one eighth of the lap is left; a record 8 bytes shorter leaves 8 bytes. */
        for (int i = 9; i < 15; i++)
                CHECK(put_found(fixed_key(key, sizeof(key), "ring", i), &g, body, full,
                                (char)('A' + i), out));
        CHECK(put_found(fixed_key(key, sizeof(key), "ring", 15), &g, body, full - 8, 'P', out));
        CHECK(put_found(fixed_key(key, sizeof(key), "ring", 16), &g, body, full, 'Q', out));
        CHECK(!arena_has(A, fixed_key(key, sizeof(key), "ring", 8), strlen(key)));
        for (int i = 9; i < 15; i++)
                CHECK(found_whole(fixed_key(key, sizeof(key), "ring", i), &g, full, (char)('A' + i),
                                  out));
        CHECK(found_whole(fixed_key(key, sizeof(key), "ring", 15), &g, full - 8, 'P', out));
        CHECK(found_whole(fixed_key(key, sizeof(key), "ring", 16), &g, full, 'Q', out));
        free(body);
}

/*
 * Second chance: sixteen records that fill the ring exactly, one of them read; a lap of
 * sixteen new ones keeps the one read (moved to head, in place: the ring is full) and drops
 * the fifteen others, and the oldest new one, whose room it takes. Unread in the next
 * lap, it goes like the rest.
 */
static void test_second_chance(struct buf *out, size_t ring)
{
        struct arena_gen g = gen3(1, 8, 8);
        char key[64];
        size_t klen = strlen(fixed_key(key, sizeof(key), "sc", 0));
        size_t len = ring / 16 - 48 - klen; /* a record of exactly ring / 16 */
        char *body = malloc(len);
        fresh(ring);
        struct arena_stats st;
        for (int i = 0; i < 16; i++) {
                memset(body, 'k' + (i % 8), len);
                put(fixed_key(key, sizeof(key), "sc", i), &g, body, len);
        }
        bool marker;
        CHECK(get(fixed_key(key, sizeof(key), "sc", 3), &g, out, &marker));
        for (int i = 100; i < 116; i++) {
                memset(body, 'n', len);
                put(fixed_key(key, sizeof(key), "sc", i), &g, body, len);
        }
        arena_stats(A, &st);
        CHECK_EQ_INT((int)st.moves, 1);
        for (int i = 0; i < 16; i++)
                CHECK(arena_has(A, fixed_key(key, sizeof(key), "sc", i), strlen(key)) == (i == 3));
        for (int i = 100; i < 116; i++)
                CHECK(arena_has(A, fixed_key(key, sizeof(key), "sc", i), strlen(key)) ==
                      (i >= 101));
        memset(body, 'k' + 3, len);
        CHECK(get(fixed_key(key, sizeof(key), "sc", 3), &g, out, &marker));
        CHECK_EQ_MEM(out->data, out->len, body, len);
        /* Read again just now: it is moved once more in the next lap, then dropped in the one
         * after, where nobody reads it. */
        for (int i = 200; i < 232; i++)
                put(fixed_key(key, sizeof(key), "sc", i), &g, body, len);
        arena_stats(A, &st);
        CHECK_EQ_INT((int)st.moves, 2);
        CHECK(!arena_has(A, fixed_key(key, sizeof(key), "sc", 3), strlen(key)));
        free(body);
}

/* Any region: too small for the header and one set is refused; the smallest one keeps no
 * page; otherwise the ring is the largest that fits, and pages go in and out. */
static void test_region_sizes(struct buf *out)
{
        static const size_t sizes[] = {8, 64, 300, 1000, 4096, 8191, 12345, 65536, 100003, 1 << 18};
        size_t smallest = arena_size_for(0);
        char big[64];
        memset(big, 'z', sizeof(big));
        CHECK(arena_init(NULL, 4096) == NULL);
        for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
                size_t len = sizes[i] & ~(size_t)7;
                void *r = malloc(len);
                struct arena *a = arena_init(r, len);
                if (len < smallest) {
                        CHECK(a == NULL);
                        free(r);
                        continue;
                }
                CHECK(a != NULL);
                struct arena_stats st;
                arena_stats(a, &st);
                CHECK(arena_size_for(st.ring_bytes) <= len);
                CHECK(arena_size_for(st.ring_bytes + 8) > len);
                CHECK_EQ_SIZE(st.ring_bytes % 8, 0);
                struct arena_gen g = gen3(1, 2, 3);
                uint32_t flags = 0;
                buf_reset(out);
                arena_put(a, "/k/", 3, &g, big, sizeof(big), 7);
                bool kept = arena_get(a, "/k/", 3, &g, out, &flags);
                /* Kept if the record (48 + 3 + 64 bytes, rounded to 120) is an eighth at most. */
                CHECK(kept == (st.ring_bytes >= 8 * 120));
                if (kept)
                        CHECK(flags == 7 && out->len == sizeof(big));
                arena_destroy(a);
                free(r);
        }
}

/* A process that dies holding the lock (mid-write, say): the next to take it finds the lock
 * abandoned, empties the arena (a record may be half written) and carries on. */
static void test_owner_died(struct buf *out)
{
        size_t len = arena_size_for(ARENA);
        void *shared = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        CHECK(shared != MAP_FAILED);
        struct arena *a = arena_init(shared, len);
        CHECK(a != NULL);
        struct arena_gen g = gen3(1, 6, 6);
        uint32_t flags;
        arena_put(a, "/before/", 8, &g, "kept", 4, 0);
        CHECK(arena_has(a, "/before/", 8));
        pid_t pid = fork();
        if (pid == 0) {
                pthread_mutex_lock((pthread_mutex_t *)shared); /* arena.h: it starts the region */
                _exit(0);
        }
        int status;
        CHECK(pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status));
        CHECK(!arena_has(a, "/before/", 8)); /* emptied on taking the abandoned lock */
        arena_put(a, "/after/", 7, &g, "stored again", 12, 0);
        buf_reset(out);
        CHECK(arena_get(a, "/after/", 7, &g, out, &flags));
        CHECK_EQ_MEM(out->data, out->len, "stored again", 12);
        arena_destroy(a);
        munmap(shared, len);
}

int main(void)
{
        CHECK(sodium_init() >= 0);
        struct buf out;
        buf_init(&out);
        fresh(ARENA);
        test_round_trip(&out);
        test_opaque_generation(&out);
        test_too_big(&out);
        test_many_laps(&out);
        struct arena_stats st;
        arena_stats(A, &st);
        CHECK(st.hits > 0 && st.misses > 0 && st.stores > 0);
        test_keyed_hash();
        /* The size limit and the ring's end, in a bigger arena: 129 sets of the index, so the
         * few keys alive at a time never crowd one set (4 ways), whatever the hash. */
        fresh(1 << 20);
        test_size_limit(&out, 1 << 20);
        test_ring_end(&out, 1 << 20);
        test_second_chance(&out, 1 << 20);
        test_region_sizes(&out);
        test_owner_died(&out);
        buf_cleanup(&out);
        arena_destroy(A);
        free(region);
        return check_summary();
}
