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

/* Host mode's counters: the two list scopes, then post scopes hashed onto the rest (two
 * posts sharing a counter only invalidate each other more often, never less). */
#define HOST_COUNTERS 4096

struct entry {
        char *key;
        size_t key_len;
        struct cache_gen gen;
        char *body;
        size_t len;
        bool has_marker;
};

static _Atomic uint64_t *host_counters;

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
        if (host_counters)
                return true;
        void *p = mmap(NULL, HOST_COUNTERS * sizeof(*host_counters), PROT_READ | PROT_WRITE,
                       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED)
                return false;
        host_counters = p;
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
        if (!cache_parse_mode(cfg->cache, &cache.mode) || !host_counters)
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

struct cache_deps cache_deps_for(unsigned on, uint64_t post_id)
{
        struct cache_deps d = {{CACHE_SCOPE_POSTS, CACHE_SCOPE_POSTS}};
        if (on & CACHE_ON_POST)
                d.scope[0] = d.scope[1] = CACHE_SCOPE_POST(post_id);
        else if (on & CACHE_ON_COMMENTS)
                d.scope[1] = CACHE_SCOPE_COMMENTS;
        return d;
}

static _Atomic uint64_t *counter(uint64_t scope)
{
        return &host_counters[scope < 16 ? scope : 16 + scope % (HOST_COUNTERS - 16)];
}

/* Fails closed: anything but two integers leaves the generation unknown (nothing cached). */
static bool take_seqs(void *ctx, const struct db_value *col, size_t ncols)
{
        struct cache_gen *g = ctx;
        if (ncols == 2 && col[0].type == DB_INT && col[1].type == DB_INT) {
                g->seq[0] = col[0].i;
                g->seq[1] = col[1].i;
        }
        return false;
}

bool cache_generation(const struct cache_deps *deps, struct cache_gen *gen)
{
        if (cache.mode == CACHE_HOST) {
                /* Cached pages are served only while the database is reachable, so an outage
                 * answers 503 here as it does without the cache. */
                if (!db_ready())
                        return false;
                for (int i = 0; i < 2; i++)
                        gen->seq[i] = atomic_load(counter(deps->scope[i]));
                return true;
        }
        if (cache.mode == CACHE_DB) {
                struct db_value p[2] = {DB_INT_VALUE(deps->scope[0]), DB_INT_VALUE(deps->scope[1])};
                gen->seq[0] = gen->seq[1] = UINT64_MAX;
                return db_query(STMT_CHANGE_SEQ, p, 2, take_seqs, gen) == DB_OK &&
                       gen->seq[0] != UINT64_MAX && gen->seq[1] != UINT64_MAX;
        }
        return false;
}

void cache_comment_changed(uint64_t post_id)
{
        if (!host_counters)
                return;
        atomic_fetch_add(counter(CACHE_SCOPE_COMMENTS), 1);
        atomic_fetch_add(counter(CACHE_SCOPE_POST(post_id)), 1);
}

/* FNV-1a: keys are short paths; this only picks a slot. */
static uint64_t hash(const char *s, size_t n)
{
        uint64_t h = 1469598103934665603ULL;
        for (size_t i = 0; i < n; i++)
                h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
        return h;
}

bool cache_generation_is_free(void)
{
        return cache.mode == CACHE_HOST;
}

bool cache_has(const char *key, size_t key_len)
{
        const struct entry *e = &cache.slots[hash(key, key_len) % CACHE_SLOTS];
        return e->key && e->key_len == key_len && memcmp(e->key, key, key_len) == 0;
}

const struct cache_page *cache_get(const char *key, size_t key_len, const struct cache_gen *gen)
{
        static struct cache_page page;
        struct entry *e = &cache.slots[hash(key, key_len) % CACHE_SLOTS];
        if (!e->key || e->gen.seq[0] != gen->seq[0] || e->gen.seq[1] != gen->seq[1] ||
            e->key_len != key_len || memcmp(e->key, key, key_len))
                return NULL;
        page.body = e->body;
        page.len = e->len;
        page.has_marker = e->has_marker;
        return &page;
}

void cache_put(const char *key, size_t key_len, const struct cache_gen *gen, const char *body,
               size_t len, bool has_marker)
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
        e->gen = *gen;
        e->has_marker = has_marker;
        cache.used += len + key_len;
}
