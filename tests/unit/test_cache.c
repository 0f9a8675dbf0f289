/* test_cache: the page arena (src/cache/cache.c) without a database: store, find, replace,
 * evict in ring order, refuse what does not fit (a page exactly at the limit kept, one byte
 * more refused), records ending exactly at the ring's end, never return another key's or
 * another generation's page, and survive many laps of the ring with pages of every size; the
 * cache key (the canonical URL the router makes: one per page, whatever else the query holds)
 * and the index's keyed hash. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache/cache.h"
#include "check.h"
#include "core/config.h"
#include "http/router.h"

#define ARENA (64 * 1024)

static struct config cfg;

static bool get(const char *key, const struct cache_gen *gen, struct buf *out, bool *marker)
{
        buf_reset(out);
        return cache_get(key, strlen(key), gen, out, marker);
}

static void put(const char *key, const struct cache_gen *gen, const char *body, size_t len)
{
        cache_put(key, strlen(key), gen, body, len, false);
}

static void test_round_trip(struct buf *out)
{
        struct cache_gen g = {1, {7, 9}}, other = {1, {7, 10}}, db = {0, {7, 9}};
        bool marker = true;
        put("/1/?", &g, "page one", 8);
        CHECK(cache_has("/1/?", 4));
        CHECK(!cache_has("/2/?", 4));
        CHECK(get("/1/?", &g, out, &marker));
        CHECK_EQ_MEM(out->data, out->len, "page one", 8);
        CHECK(!marker);
        CHECK(!get("/1/?", &other, out, &marker)); /* a later change */
        CHECK(!get("/1/?", &db, out, &marker));    /* same numbers, other source */
        CHECK(!get("/1/?x=1", &g, out, &marker));  /* another key */
        CHECK(!get("/1/", &g, out, &marker));      /* a prefix of the key */
        cache_put("/1/?", 4, &other, "page one, again", 15, true);
        CHECK(get("/1/?", &other, out, &marker));
        CHECK_EQ_MEM(out->data, out->len, "page one, again", 15);
        CHECK(marker);
        CHECK(!get("/1/?", &g, out, &marker)); /* replaced, not kept beside */
}

static void test_generation_of_workers(struct buf *out)
{
        struct cache_gen g = {1, {1, 1}};
        bool marker;
        put("/gen/?", &g, "rendered by generation 0", 24);
        CHECK(get("/gen/?", &g, out, &marker));
        cache_worker_init(&cfg, 1); /* a worker after a reload */
        CHECK(!get("/gen/?", &g, out, &marker));
        put("/gen/?", &g, "rendered by generation 1", 24);
        CHECK(get("/gen/?", &g, out, &marker));
        CHECK_EQ_MEM(out->data, out->len, "rendered by generation 1", 24);
        cache_worker_init(&cfg, 0);
}

static void test_too_big(struct buf *out)
{
        struct cache_gen g = {1, {2, 2}};
        bool marker;
        size_t n = ARENA / 4;
        char *big = malloc(n);
        memset(big, 'x', n);
        put("/big/?", &g, big, n);
        CHECK(!get("/big/?", &g, out, &marker)); /* over an eighth of the arena: not kept */
        free(big);
}

/* Fills the ring many times over with pages of varied sizes: whatever is found must be the
 * page stored under that key last; the newest pages must all be there. */
static void test_many_laps(struct buf *out)
{
        struct cache_gen g = {1, {3, 3}};
        char key[32], body[6000];
        unsigned long seed = 12345;
        unsigned found = 0, wrong = 0;
        for (int i = 0; i < 5000; i++) {
                seed = seed * 6364136223846793005UL + 1442695040888963407UL;
                size_t len = 1 + (seed >> 33) % sizeof(body);
                snprintf(key, sizeof(key), "/%d/?", i % 700);
                for (size_t j = 0; j < len; j++)
                        body[j] = (char)('a' + (i + (int)j) % 26);
                put(key, &g, body, len);
                bool marker;
                if (!get(key, &g, out, &marker) || out->len != len ||
                    memcmp(out->data, body, len) != 0)
                        wrong++; /* the page just stored must be found, whole */
        }
        CHECK_EQ_INT(wrong, 0);
        /* Every key still found holds the last body stored for it. */
        for (int k = 0; k < 700; k++) {
                bool marker;
                snprintf(key, sizeof(key), "/%d/?", k);
                if (!get(key, &g, out, &marker))
                        continue;
                found++;
                int last = -1;
                for (int i = k; i < 5000; i += 700)
                        last = i;
                if (out->data[0] != (char)('a' + last % 26))
                        wrong++;
        }
        CHECK_EQ_INT(wrong, 0);
        CHECK(found > 0 && found < 700); /* some evicted, some kept */
        printf("after 5000 stores of up to 6000 bytes in a %d-byte arena: %u of 700 keys kept\n",
               ARENA, found);
}

/* The shape of pages/routes.c: two oldest-first lists, a newest-first one, a page without. */
static const struct route routes[] = {
    {HTTP_GET, "/", ROUTE_LIST_OLDEST_FIRST},
    {HTTP_GET, "/{id}/", ROUTE_LIST_OLDEST_FIRST},
    {HTTP_GET, "/comments/", ROUTE_LIST_NEWEST_FIRST},
    {HTTP_GET, "/about/", 0},
    {HTTP_GET, "/{id}/{id}/", ROUTE_LIST_OLDEST_FIRST},
};
static const struct route_table table = ROUTE_TABLE(routes);

/* The cache key of a request, as app/dispatch.c makes it: route, cursor, canonical URL. */
static const char *key_of(enum http_method method, const char *path, const char *query)
{
        static char key[ROUTE_CANONICAL_MAX];
        const struct route *r;
        struct route_params p;
        unsigned allowed;
        if (route_match(&table, method, path, &r, &p, &allowed) != ROUTE_FOUND)
                return "(no route)";
        route_read_cursor(r, query, &p);
        size_t n = route_canonical(r, &p, key, sizeof(key));
        if (n == 0 || n != strlen(key))
                return "(no key)";
        return key;
}

#define KEY_IS(path, query, want) CHECK_EQ_STR(key_of(HTTP_GET, path, query), want)

static void test_keys_of_equivalent_urls(void)
{
        /* Whatever is not a cursor of the route's list is ignored: the canonical page. */
        static const char *const first_page[] = {
            "",
            "utm_source=12345",
            "utm_source=1&utm_medium=mail&fbclid=x",
            "x=1",
            "after=abc",
            "after=0",
            "after=",
            "after=-1",
            "after=+1",
            "after=01",
            "after=1e3",
            "after=0x10",
            "after=4294967297",
            "after=99999999999",
            "after=%00",
            "after=1&after=2", /* a duplicate: ambiguous, the first page */
            "%ZZ",
            "after=5&%ZZ",
            "&&&=&=",
            "AFTER=5",
        };
        for (size_t i = 0; i < sizeof(first_page) / sizeof(first_page[0]); i++) {
                KEY_IS("/2/", first_page[i], "/2/");
                KEY_IS("/", first_page[i], "/");
        }
        char long_query[400];
        memset(long_query, 'a', sizeof(long_query) - 1);
        memcpy(long_query, "after=5&x=", 10);
        long_query[sizeof(long_query) - 1] = '\0';
        KEY_IS("/2/", long_query, "/2/"); /* over 255 bytes: unread, the first page */
        /* A cursor, however it is spelled and whatever comes with it. */
        KEY_IS("/2/", "after=5", "/2/?after=5");
        KEY_IS("/2/", "after=%35", "/2/?after=5");
        KEY_IS("/2/", "utm_source=x&after=5", "/2/?after=5");
        KEY_IS("/2/", "after=5&utm_source=y", "/2/?after=5");
        /* Oldest first: ?after= is the forward one and wins, as paging renders it. */
        KEY_IS("/2/", "after=5&before=9", "/2/?after=5");
        KEY_IS("/2/", "before=9&after=5", "/2/?after=5");
        KEY_IS("/2/", "after=junk&before=9", "/2/?before=9");
        KEY_IS("/2/", "before=9", "/2/?before=9");
        KEY_IS("/", "after=5&before=9", "/?after=5");
        /* Newest first: ?before= goes forward. */
        KEY_IS("/comments/", "after=5&before=9", "/comments/?before=9");
        KEY_IS("/comments/", "after=5", "/comments/?after=5");
        KEY_IS("/comments/", "utm_source=1", "/comments/");
        /* The largest cursor there is (one past every 32-bit id). */
        KEY_IS("/2/", "before=4294967296", "/2/?before=4294967296");
        /* A page without a list reads no cursor at all. */
        KEY_IS("/about/", "after=5", "/about/");
        KEY_IS("/about/", "utm_source=1", "/about/");
        KEY_IS("/7/9/", "after=3&q=1", "/7/9/?after=3");
        /* HEAD is the GET page. */
        CHECK_EQ_STR(key_of(HTTP_HEAD, "/2/", "utm_source=1"), "/2/");
}

static void test_keys_of_different_pages(void)
{
        static const char *const page[][2] = {
            {"/", ""},
            {"/", "after=5"},
            {"/", "before=5"},
            {"/2/", ""},
            {"/3/", ""},
            {"/2/", "after=5"},
            {"/2/", "after=6"},
            {"/2/", "before=5"},
            {"/3/", "after=5"},
            {"/comments/", ""},
            {"/comments/", "after=5"},
            {"/comments/", "before=5"},
            {"/about/", ""},
            {"/7/9/", ""},
            {"/79/", ""},
            {"/7/9/", "after=1"},
            {"/2/", "after=4294967296"},
        };
        size_t n = sizeof(page) / sizeof(page[0]);
        char keys[sizeof(page) / sizeof(page[0])][ROUTE_CANONICAL_MAX];
        for (size_t i = 0; i < n; i++)
                snprintf(keys[i], sizeof(keys[i]), "%s", key_of(HTTP_GET, page[i][0], page[i][1]));
        unsigned same = 0;
        for (size_t i = 0; i < n; i++)
                for (size_t j = i + 1; j < n; j++)
                        if (strcmp(keys[i], keys[j]) == 0) {
                                fprintf(stderr, "same key %s for %s?%s and %s?%s\n", keys[i],
                                        page[i][0], page[i][1], page[j][0], page[j][1]);
                                same++;
                        }
        CHECK_EQ_INT(same, 0);
        /* Too small a buffer gives no key rather than a cut one. */
        const struct route *r;
        struct route_params p;
        unsigned allowed;
        char small[8];
        CHECK(route_match(&table, HTTP_GET, "/12345/", &r, &p, &allowed) == ROUTE_FOUND);
        route_read_cursor(r, "after=5", &p);
        CHECK_EQ_SIZE(route_canonical(r, &p, small, sizeof(small)), 0);
        CHECK_EQ_SIZE(route_canonical(r, &p, small, 7), 0);
}

/* Junk query strings, as a flood would send them: all one entry, the hot page stays. */
static void test_junk_makes_no_entries(struct buf *out)
{
        struct cache_gen g = {1, {4, 4}};
        bool marker;
        const char *hot = key_of(HTTP_GET, "/2/", "");
        char hot_key[ROUTE_CANONICAL_MAX];
        snprintf(hot_key, sizeof(hot_key), "%s", hot);
        put(hot_key, &g, "the hot page", 12);
        struct cache_stats before, after;
        CHECK(cache_stats(&before));
        for (int i = 0; i < 2000; i++) {
                char q[64];
                snprintf(q, sizeof(q), "utm_source=%d&junk%d=%u", i, i % 7,
                         (unsigned)i * 2654435761u);
                const char *k = key_of(HTTP_GET, "/2/", q);
                if (!get(k, &g, out, &marker))
                        put(k, &g, "another copy", 12);
        }
        CHECK(cache_stats(&after));
        CHECK_EQ_INT(after.stores - before.stores, 0);
        CHECK_EQ_INT(after.hits - before.hits, 2000);
        CHECK(get(hot_key, &g, out, &marker));
        CHECK_EQ_MEM(out->data, out->len, "the hot page", 12);
}

/* The set index is keyed: another arena (another start) draws another key, so the same URL
 * hashes elsewhere; within one arena the hash is stable. Ends with a fresh arena. */
static void test_keyed_hash(void)
{
        static const char *const keys[] = {"/", "/2/", "/2/?after=5", "/comments/", "/about/"};
        enum { NKEYS = sizeof(keys) / sizeof(keys[0]) };
        uint64_t first[NKEYS];
        for (size_t i = 0; i < NKEYS; i++)
                first[i] = cache_key_hash(keys[i], strlen(keys[i]));
        cache_shared_destroy();
        CHECK(cache_key_hash("/", 1) == 0); /* no arena */
        CHECK(cache_shared_init(&cfg));     /* a second start: a new hash key */
        cache_worker_init(&cfg, 0);
        unsigned differ = 0, stable = 0;
        for (size_t i = 0; i < NKEYS; i++) {
                uint64_t h = cache_key_hash(keys[i], strlen(keys[i]));
                if (h == cache_key_hash(keys[i], strlen(keys[i])))
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
        CHECK(cache_key_hash(keys[1], strlen(keys[1])) != fnv);
        /* Pages are found through the new key's index as before. */
        struct cache_gen g = {1, {5, 5}};
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
static bool found_whole(const char *key, const struct cache_gen *g, size_t len, char seed,
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
static bool put_found(const char *key, const struct cache_gen *g, char *body, size_t len, char seed,
                      struct buf *out)
{
        for (size_t j = 0; j < len; j++)
                body[j] = (char)(seed + (char)(j % 61));
        put(key, g, body, len);
        return found_whole(key, g, len, seed, out);
}

/*
 * A page is kept if its record (header, key, body, rounded up to 8 bytes) is at most an
 * eighth of the ring (MAX_PAGE_SHARE). The header's size is cache.c's business: the largest
 * body kept is found by trying, and must then be exactly the limit: one byte more is
 * refused, one byte less kept, and a key one byte longer leaves one byte less of body.
 */
static size_t largest_kept(const char *kind, const struct cache_gen *g, size_t ring, char *body,
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
        struct cache_gen g = {1, {4, 4}};
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
        struct cache_gen g = {1, {5, 5}};
        char key[64];
        char *body = malloc(ring / 8 + 16);
        int serial = 1000;
        size_t full = largest_kept("ring", &g, ring, body, out, &serial);
        cache_shared_destroy(); /* a fresh ring: the next record is at position 0 */
        CHECK(cache_shared_init(&cfg));
        cache_worker_init(&cfg, 0);
        for (int i = 0; i < 8; i++)
                CHECK(put_found(fixed_key(key, sizeof(key), "ring", i), &g, body, full,
                                (char)('A' + i), out));
        for (int i = 0; i < 8; i++)
                CHECK(found_whole(fixed_key(key, sizeof(key), "ring", i), &g, full, (char)('A' + i),
                                  out));
        CHECK(put_found(fixed_key(key, sizeof(key), "ring", 8), &g, body, full, 'I', out));
        CHECK(!cache_has(fixed_key(key, sizeof(key), "ring", 0), strlen(key)));
        for (int i = 1; i <= 8; i++)
                CHECK(found_whole(fixed_key(key, sizeof(key), "ring", i), &g, full, (char)('A' + i),
                                  out));
        /* Six more: one eighth of the lap is left; a record 8 bytes shorter leaves 8 bytes. */
        for (int i = 9; i < 15; i++)
                CHECK(put_found(fixed_key(key, sizeof(key), "ring", i), &g, body, full,
                                (char)('A' + i), out));
        CHECK(put_found(fixed_key(key, sizeof(key), "ring", 15), &g, body, full - 8, 'P', out));
        CHECK(put_found(fixed_key(key, sizeof(key), "ring", 16), &g, body, full, 'Q', out));
        CHECK(!cache_has(fixed_key(key, sizeof(key), "ring", 8), strlen(key)));
        for (int i = 9; i < 15; i++)
                CHECK(found_whole(fixed_key(key, sizeof(key), "ring", i), &g, full, (char)('A' + i),
                                  out));
        CHECK(found_whole(fixed_key(key, sizeof(key), "ring", 15), &g, full - 8, 'P', out));
        CHECK(found_whole(fixed_key(key, sizeof(key), "ring", 16), &g, full, 'Q', out));
        free(body);
}

int main(void)
{
        CHECK(sodium_init() >= 0);
        memset(&cfg, 0, sizeof(cfg));
        snprintf(cfg.cache, sizeof(cfg.cache), "auto");
        cfg.cache_bytes = ARENA;
        CHECK(cache_shared_init(&cfg));
        cache_worker_init(&cfg, 0);
        CHECK(cache_enabled());
        CHECK_EQ_SIZE(strlen(cache_marker()), 64);
        CHECK(cache_host_id() != 0);
        struct buf out;
        buf_init(&out);
        test_round_trip(&out);
        test_generation_of_workers(&out);
        test_too_big(&out);
        test_many_laps(&out);
        test_keys_of_equivalent_urls();
        test_keys_of_different_pages();
        test_junk_makes_no_entries(&out);
        struct cache_stats st;
        CHECK(cache_stats(&st) && st.hits > 0 && st.misses > 0 && st.stores > 0);
        test_keyed_hash();
        /* The size limit and the ring's end, in a bigger arena: 129 sets of the index, so the
         * few keys alive at a time never crowd one set (4 ways), whatever the hash. */
        cache_shared_destroy();
        cfg.cache_bytes = 1 << 20;
        CHECK(cache_shared_init(&cfg));
        cache_worker_init(&cfg, 0);
        test_size_limit(&out, 1 << 20);
        test_ring_end(&out, 1 << 20);
        buf_cleanup(&out);
        cache_shared_destroy();
        return check_summary();
}
