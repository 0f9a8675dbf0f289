/* test_cache: the page cache as the workers use it (src/cache/cache.c over the arena and the
 * lease), without a database: pages through cache_get/cache_put with their marker flag, a
 * reload retiring every page, the marker, the host id, the deps of a route, the lease as
 * cache_generation_is_free sees it, a new hash key at every start; and the cache key (the
 * canonical URL the router makes: one per page, whatever else the query holds). */
#include <ctype.h>
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

/* The arena's own cases are test_arena's; here what cache.c adds: the whole generation
 * (source and both counters) and the marker flag go in and come out. */
static void test_round_trip(struct buf *out)
{
        struct cache_gen g = {1, {7, 9}};
        struct cache_gen differ[] = {{0, {7, 9}}, {2, {7, 9}}, {1, {8, 9}}, {1, {7, 8}}};
        bool marker = true;
        put("/1/?", &g, "page one", 8);
        CHECK(cache_has("/1/?", 4) && !cache_has("/2/?", 4));
        CHECK(get("/1/?", &g, out, &marker) && !marker);
        CHECK_EQ_MEM(out->data, out->len, "page one", 8);
        for (size_t i = 0; i < sizeof(differ) / sizeof(differ[0]); i++)
                CHECK(!get("/1/?", &differ[i], out, &marker));
        cache_put("/1/?", 4, &g, "with a marker", 13, true);
        CHECK(get("/1/?", &g, out, &marker) && marker);
        CHECK_EQ_MEM(out->data, out->len, "with a marker", 13);
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
        CHECK(!get("/gen/?", &g, out, &marker));
}

/* The marker: CACHE_MARKER_LEN lowercase hex digits, drawn anew at every start. */
static bool is_marker(const char *m)
{
        if (strlen(m) != CACHE_MARKER_LEN)
                return false;
        for (const char *c = m; *c; c++)
                if (!isxdigit((unsigned char)*c) || isupper((unsigned char)*c))
                        return false;
        return true;
}

static void test_deps(void)
{
        struct cache_deps d = cache_deps_for(CACHE_ON_POSTS, 0);
        CHECK(d.scope[0] == CACHE_SCOPE_POSTS && d.scope[1] == CACHE_SCOPE_POSTS);
        d = cache_deps_for(CACHE_ON_POSTS | CACHE_ON_COMMENTS, 0);
        CHECK(d.scope[0] == CACHE_SCOPE_POSTS && d.scope[1] == CACHE_SCOPE_COMMENTS);
        d = cache_deps_for(CACHE_ON_POST | CACHE_SELF_GEN, 42);
        CHECK(d.scope[0] == CACHE_SCOPE_POST(42) && d.scope[1] == CACHE_SCOPE_POST(42));
}

/* The lease as a worker sees it: free generations only while the watcher's lease runs, and
 * only in mode auto; each renewal after a gap is a new epoch. */
static void test_lease_wiring(void)
{
        struct cache_stats st;
        CHECK(!cache_generation_is_free()); /* no poll yet */
        cache_lease_renew(clock_now_ns(), 0);
        CHECK(cache_generation_is_free());
        CHECK(cache_stats(&st) && st.epoch == 1);
        cache_lease_drop();
        CHECK(!cache_generation_is_free());
        cache_lease_renew(clock_now_ns(), 0);
        CHECK(cache_stats(&st) && st.epoch == 2); /* after a gap */
        snprintf(cfg.cache, sizeof(cfg.cache), "db");
        cache_worker_init(&cfg, 0);
        CHECK(cache_enabled() && !cache_generation_is_free()); /* db: every hit is checked */
        snprintf(cfg.cache, sizeof(cfg.cache), "auto");
        cache_worker_init(&cfg, 0);
        cache_lease_drop();
        CHECK(!cache_host_is_leaving());
        cache_host_leaving();
        CHECK(cache_host_is_leaving());
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

/* Another start draws another hash key and another marker; without an arena the hash is 0. */
static void test_new_start(void)
{
        static const char *const keys[] = {"/", "/2/", "/2/?after=5", "/comments/", "/about/"};
        enum { NKEYS = sizeof(keys) / sizeof(keys[0]) };
        uint64_t first[NKEYS];
        char marker[CACHE_MARKER_LEN + 1];
        snprintf(marker, sizeof(marker), "%s", cache_marker());
        for (size_t i = 0; i < NKEYS; i++)
                first[i] = cache_key_hash(keys[i], strlen(keys[i]));
        cache_shared_destroy();
        CHECK(cache_key_hash("/", 1) == 0); /* no arena */
        CHECK_EQ_STR(cache_marker(), "");
        CHECK(cache_shared_init(&cfg));
        cache_worker_init(&cfg, 0);
        unsigned differ = 0;
        for (size_t i = 0; i < NKEYS; i++)
                if (cache_key_hash(keys[i], strlen(keys[i])) != first[i])
                        differ++; /* equal by chance with probability 2^-64 */
        CHECK_EQ_INT(differ, NKEYS);
        CHECK(is_marker(cache_marker()) && strcmp(cache_marker(), marker) != 0);
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
        CHECK(is_marker(cache_marker()));
        CHECK(cache_host_id() != 0 && cache_host_id() <= INT64_MAX);
        struct buf out;
        buf_init(&out);
        test_round_trip(&out);
        test_generation_of_workers(&out);
        test_deps();
        test_lease_wiring();
        test_keys_of_equivalent_urls();
        test_keys_of_different_pages();
        test_junk_makes_no_entries(&out);
        struct cache_stats st;
        CHECK(cache_stats(&st) && st.hits > 0 && st.misses > 0 && st.stores > 0);
        CHECK_EQ_SIZE(st.bytes, ARENA);
        test_new_start();
        /* cache = off, or no bytes for it: nothing is kept. */
        snprintf(cfg.cache, sizeof(cfg.cache), "off");
        cache_worker_init(&cfg, 0);
        CHECK(!cache_enabled());
        snprintf(cfg.cache, sizeof(cfg.cache), "auto");
        cfg.cache_bytes = 0;
        cache_shared_destroy();
        CHECK(cache_shared_init(&cfg));
        cache_worker_init(&cfg, 0);
        CHECK(!cache_enabled());
        buf_cleanup(&out);
        cache_shared_destroy();
        return check_summary();
}
