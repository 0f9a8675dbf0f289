/* test_cache: the page arena (src/cache/cache.c) without a database: store, find, replace,
 * evict in ring order, refuse what does not fit, never return another key's or another
 * generation's page, and survive many laps of the ring with pages of every size. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache/cache.h"
#include "check.h"
#include "core/config.h"

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

int main(void)
{
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
        struct cache_stats st;
        CHECK(cache_stats(&st) && st.hits > 0 && st.misses > 0 && st.stores > 0);
        buf_cleanup(&out);
        cache_shared_destroy();
        return check_summary();
}
