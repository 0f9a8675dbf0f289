/*
 * cache: rendered pages, kept per worker and served while the change generation they were
 * rendered at is still current. See cache.h for why this is never stale.
 */
#include "cache/cache.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>

#include "core/log.h"
#include "http/csrf.h"
#include "store/db.h"

#define CACHE_SLOTS 512
/* Pages bigger than this are not worth a slot (a huge post would evict everything else). */
#define CACHE_MAX_PAGE (256 * 1024)

struct entry {
        char *key;
        size_t key_len;
        uint64_t gen;
        char *body;
        size_t len;
        bool has_marker;
};

static _Atomic uint64_t *host_generation;

static struct {
        enum cache_mode mode;
        size_t budget, used;
        struct entry slots[CACHE_SLOTS];
        size_t hand; /* clock hand for eviction when over budget */
        char marker[CSRF_TOKEN_HEX + 1];
} cache;

bool cache_parse_mode(const char *s, enum cache_mode *out)
{
        static const char *const names[] = {"off", "host", "db"};
        for (int i = 0; i < 3; i++) {
                if (strcasecmp(s, names[i]) == 0) {
                        *out = (enum cache_mode)i;
                        return true;
                }
        }
        return false;
}

bool cache_shared_init(void)
{
        if (host_generation)
                return true;
        void *p = mmap(NULL, sizeof(*host_generation), PROT_READ | PROT_WRITE,
                       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED)
                return false;
        host_generation = p;
        return true;
}

static void drop(struct entry *e)
{
        cache.used -= e->len + e->key_len;
        free(e->key);
        free(e->body);
        memset(e, 0, sizeof(*e));
}

void cache_worker_init(const struct config *cfg)
{
        cache_worker_cleanup();
        if (!cache_parse_mode(cfg->cache, &cache.mode) || !host_generation)
                cache.mode = CACHE_OFF;
        cache.budget = (size_t)cfg->cache_bytes;
        if (cache.budget == 0)
                cache.mode = CACHE_OFF;
        /* The marker is a nonce's worth of randomness, so no page text can imitate it. */
        char a[CSRF_NONCE_HEX + 1], b[CSRF_NONCE_HEX + 1];
        if (!csrf_nonce_new(a) || !csrf_nonce_new(b)) {
                cache.mode = CACHE_OFF;
                return;
        }
        memcpy(cache.marker, a, CSRF_NONCE_HEX);
        memcpy(cache.marker + CSRF_NONCE_HEX, b, CSRF_NONCE_HEX + 1);
}

void cache_worker_cleanup(void)
{
        for (size_t i = 0; i < CACHE_SLOTS; i++)
                if (cache.slots[i].key)
                        drop(&cache.slots[i]);
        cache.used = 0;
}

bool cache_enabled(void)
{
        return cache.mode != CACHE_OFF;
}

const char *cache_marker(void)
{
        return cache.marker;
}

static bool take_seq(void *ctx, const struct db_value *col, size_t ncols)
{
        (void)ncols;
        *(uint64_t *)ctx = col[0].i;
        return false;
}

bool cache_generation(uint64_t *gen)
{
        if (cache.mode == CACHE_HOST) {
                *gen = atomic_load(host_generation);
                return true;
        }
        if (cache.mode == CACHE_DB) {
                *gen = UINT64_MAX;
                return db_query(STMT_CHANGE_SEQ, NULL, 0, take_seq, gen) == DB_OK &&
                       *gen != UINT64_MAX;
        }
        return false;
}

void cache_changed(void)
{
        if (host_generation)
                atomic_fetch_add(host_generation, 1);
}

/* FNV-1a: keys are short paths; this only picks a slot. */
static uint64_t hash(const char *s, size_t n)
{
        uint64_t h = 1469598103934665603ULL;
        for (size_t i = 0; i < n; i++)
                h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
        return h;
}

const struct cache_page *cache_get(const char *key, size_t key_len, uint64_t gen)
{
        static struct cache_page page;
        struct entry *e = &cache.slots[hash(key, key_len) % CACHE_SLOTS];
        if (!e->key || e->gen != gen || e->key_len != key_len || memcmp(e->key, key, key_len))
                return NULL;
        page.body = e->body;
        page.len = e->len;
        page.has_marker = e->has_marker;
        return &page;
}

void cache_put(const char *key, size_t key_len, uint64_t gen, const char *body, size_t len,
               bool has_marker)
{
        if (len > CACHE_MAX_PAGE || len + key_len > cache.budget)
                return;
        struct entry *e = &cache.slots[hash(key, key_len) % CACHE_SLOTS];
        if (e->key)
                drop(e);
        for (size_t n = 0; cache.used + len + key_len > cache.budget && n < CACHE_SLOTS; n++) {
                struct entry *victim = &cache.slots[cache.hand];
                cache.hand = (cache.hand + 1) % CACHE_SLOTS;
                if (victim->key)
                        drop(victim);
        }
        e->key = malloc(key_len);
        e->body = malloc(len);
        if (!e->key || !e->body) {
                free(e->key);
                free(e->body);
                memset(e, 0, sizeof(*e));
                return;
        }
        memcpy(e->key, key, key_len);
        memcpy(e->body, body, len);
        e->key_len = key_len;
        e->len = len;
        e->gen = gen;
        e->has_marker = has_marker;
        cache.used += len + key_len;
}
