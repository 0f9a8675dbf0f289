/*
 * cache: the host-wide page arena and change counters. See cache.h for why a page is never
 * stale. The arena is a ring: records are appended at head and a record is alive until head
 * has gone a whole ring past it, so eviction is first in, first out and costs nothing. An
 * index of 4-way sets maps a key's hash to its newest record; the hash is SipHash-2-4
 * (crypto_shorthash) under a key drawn when the arena is made and kept in its header, so every
 * worker indexes alike and no client can predict which keys share a set. One process-shared robust
 * mutex guards the ring and the index; a worker that dies holding it costs the cache's
 * contents, nothing else.
 */
#include "cache/cache.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "core/log.h"
#include "http/csrf.h"
#include "store/db.h"

/* The two list scopes, then post scopes hashed onto the rest (two posts sharing a counter
 * only invalidate each other more often, never less). */
#define HOST_COUNTERS 4096
#define WAYS 4
/* Bytes of page per index slot, on average (the index is sized from cache_bytes). */
#define BYTES_PER_SLOT 2048
/* A page bigger than this share of the arena is not kept (it would evict too much). */
#define MAX_PAGE_SHARE 8

struct slot {
        uint64_t hash;
        uint64_t pos; /* 1 + the record's ring position; 0: empty */
};

struct record {
        uint64_t hash;
        struct cache_gen gen;
        uint32_t key_len;
        uint32_t body_len;
        uint32_t has_marker;
        uint32_t generation; /* of the worker that rendered it: a reload retires every page */
        /* key, then body */
};

struct shared {
        pthread_mutex_t lock;
        uint64_t head; /* ring position of the next record; grows forever */
        uint64_t ring_size;
        uint64_t nsets;
        uint64_t host_id;
        unsigned char hash_key[crypto_shorthash_KEYBYTES]; /* secret: picks a key's set */
        char marker[CSRF_TOKEN_HEX + 1];
        _Atomic uint64_t lease_until; /* clock_now_ns() until which the counters are the truth */
        _Atomic uint64_t epoch;
        _Atomic uint64_t foreign;    /* change_seq 2 as last seen by the watcher */
        _Atomic uint64_t live_since; /* end of the beat that (re)registered the host; 0: none */
        _Atomic uint64_t beat_start; /* start of the last stored beat */
        _Atomic bool leaving;
        _Atomic uint64_t hits, misses, stores; /* for the log */
        _Atomic uint64_t counters[HOST_COUNTERS];
};

static struct {
        struct shared *sh;
        size_t map_len;
        struct slot *slots;
        char *ring;
        enum cache_mode mode;
        unsigned generation;
} cache;

bool cache_parse_mode(const char *s, enum cache_mode *out)
{
        static const char *const names[] = {"off", "db", "auto"};
        for (int i = 0; i < 3; i++) {
                if (strcasecmp(s, names[i]) == 0) {
                        *out = (enum cache_mode)i;
                        return true;
                }
        }
        return false;
}

static size_t align8(size_t n)
{
        return (n + 7) & ~(size_t)7;
}

bool cache_shared_init(const struct config *cfg)
{
        if (cache.sh)
                return true;
        size_t ring = align8((size_t)cfg->cache_bytes);
        size_t nsets = ring / BYTES_PER_SLOT / WAYS + 1;
        size_t head = align8(sizeof(struct shared)), index = nsets * WAYS * sizeof(struct slot);
        size_t len = head + index + ring;
        void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED)
                return false;
        struct shared *sh = p;
        pthread_mutexattr_t ma;
        if (pthread_mutexattr_init(&ma) != 0 ||
            pthread_mutexattr_setpshared(&ma, PTHREAD_PROCESS_SHARED) != 0 ||
            pthread_mutexattr_setrobust(&ma, PTHREAD_MUTEX_ROBUST) != 0 ||
            pthread_mutex_init(&sh->lock, &ma) != 0) {
                munmap(p, len);
                return false;
        }
        pthread_mutexattr_destroy(&ma);
        sh->ring_size = ring;
        sh->nsets = nsets;
        /* The marker is two nonces' worth of randomness, so no page text can imitate it; the
         * host id only has to differ from the other hosts'. */
        char a[CSRF_NONCE_HEX + 1], b[CSRF_NONCE_HEX + 1];
        if (!csrf_nonce_new(a) || !csrf_nonce_new(b)) {
                munmap(p, len);
                return false;
        }
        randombytes_buf(&sh->host_id, sizeof(sh->host_id));
        randombytes_buf(sh->hash_key, sizeof(sh->hash_key));
        memcpy(sh->marker, a, CSRF_NONCE_HEX);
        memcpy(sh->marker + CSRF_NONCE_HEX, b, CSRF_NONCE_HEX + 1);
        sh->host_id &= INT64_MAX; /* a positive BIGINT for any client */
        atomic_store(&sh->foreign, UINT64_MAX);
        cache.sh = sh;
        cache.map_len = len;
        cache.slots = (struct slot *)((char *)p + head);
        cache.ring = (char *)p + head + index;
        return true;
}

void cache_shared_destroy(void)
{
        if (!cache.sh)
                return;
        pthread_mutex_destroy(&cache.sh->lock);
        munmap(cache.sh, cache.map_len);
        memset(&cache, 0, sizeof(cache));
}

void cache_worker_init(const struct config *cfg, unsigned generation)
{
        cache.generation = generation;
        if (!cache_parse_mode(cfg->cache, &cache.mode) || !cache.sh || cfg->cache_bytes == 0)
                cache.mode = CACHE_OFF;
        if (cache.mode == CACHE_OFF || !cache.sh)
                return;
        /* Fault the whole arena in now: the worker's memory is then what it will stay. */
        long page = sysconf(_SC_PAGESIZE);
        volatile const char *p = (volatile const char *)cache.sh;
        char sum = 0;
        for (size_t off = 0; off < cache.map_len; off += (size_t)(page > 0 ? page : 4096))
                sum = (char)(sum + p[off]);
        (void)sum;
}

bool cache_enabled(void)
{
        return cache.mode != CACHE_OFF;
}

const char *cache_marker(void)
{
        return cache.sh ? cache.sh->marker : "";
}

uint64_t cache_host_id(void)
{
        return cache.sh ? cache.sh->host_id : 0;
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
        return &cache.sh->counters[scope < 16 ? scope : 16 + scope % (HOST_COUNTERS - 16)];
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

bool cache_generation_is_free(void)
{
        return cache.mode == CACHE_AUTO && clock_now_ns() < atomic_load(&cache.sh->lease_until);
}

bool cache_generation(const struct cache_deps *deps, struct cache_gen *gen)
{
        if (cache_generation_is_free()) {
                /* Cached pages are served only while the database is reachable, so an outage
                 * answers 503 here as it does without the cache. */
                if (!db_ready())
                        return false;
                gen->source = atomic_load(&cache.sh->epoch) + 1;
                for (int i = 0; i < 2; i++)
                        gen->seq[i] = atomic_load(counter(deps->scope[i]));
                return true;
        }
        if (cache.mode == CACHE_OFF)
                return false;
        struct db_value p[2] = {DB_INT_VALUE(deps->scope[0]), DB_INT_VALUE(deps->scope[1])};
        gen->source = 0;
        gen->seq[0] = gen->seq[1] = UINT64_MAX;
        return db_query(STMT_CHANGE_SEQ, p, 2, take_seqs, gen) == DB_OK &&
               gen->seq[0] != UINT64_MAX && gen->seq[1] != UINT64_MAX;
}

void cache_comment_changed(uint64_t post_id)
{
        if (!cache.sh)
                return;
        atomic_fetch_add(counter(CACHE_SCOPE_COMMENTS), 1);
        atomic_fetch_add(counter(CACHE_SCOPE_POST(post_id)), 1);
}

/* --- The arena --------------------------------------------------------------------------- */

/* Picks a set (the key itself is compared in full). Keyed, because with a public hash a
 * client could compute URLs that share a hot page's set and push it out of the index. */
_Static_assert(crypto_shorthash_BYTES == sizeof(uint64_t), "SipHash-2-4 gives 64 bits");

static uint64_t hash(const char *s, size_t n)
{
        unsigned char out[crypto_shorthash_BYTES];
        crypto_shorthash(out, (const unsigned char *)s, n, cache.sh->hash_key);
        uint64_t h;
        memcpy(&h, out, sizeof(h));
        return h;
}

uint64_t cache_key_hash(const char *key, size_t key_len)
{
        return cache.sh ? hash(key, key_len) : 0;
}

static void forget_all(struct shared *sh)
{
        sh->head += sh->ring_size; /* every record is now a whole ring behind */
        memset(cache.slots, 0, sh->nsets * WAYS * sizeof(struct slot));
}

static bool lock(void)
{
        int rc = pthread_mutex_lock(&cache.sh->lock);
        if (rc == EOWNERDEAD) {
                /* A worker died inside: its record may be half written. Start afresh. */
                log_warn("page cache: a worker died holding the lock; emptying the cache");
                forget_all(cache.sh);
                pthread_mutex_consistent(&cache.sh->lock);
                return true;
        }
        return rc == 0;
}

static void unlock(void)
{
        pthread_mutex_unlock(&cache.sh->lock);
}

static struct slot *set_of(uint64_t h)
{
        return &cache.slots[(h % cache.sh->nsets) * WAYS];
}

/* The record a slot points to, if the ring has not come round over it. */
static struct record *record_of(const struct slot *s)
{
        if (!s->pos || cache.sh->head > s->pos - 1 + cache.sh->ring_size)
                return NULL;
        return (struct record *)(cache.ring + (s->pos - 1) % cache.sh->ring_size);
}

static struct record *find(uint64_t h, const char *key, size_t key_len)
{
        struct slot *set = set_of(h);
        for (int w = 0; w < WAYS; w++) {
                if (set[w].hash != h)
                        continue;
                struct record *r = record_of(&set[w]);
                if (r && r->key_len == key_len && memcmp(r + 1, key, key_len) == 0)
                        return r;
        }
        return NULL;
}

bool cache_has(const char *key, size_t key_len)
{
        if (!cache.sh)
                return false;
        uint64_t h = hash(key, key_len);
        if (!lock())
                return false;
        bool found = find(h, key, key_len) != NULL;
        unlock();
        if (!found)
                atomic_fetch_add_explicit(&cache.sh->misses, 1, memory_order_relaxed);
        return found;
}

bool cache_get(const char *key, size_t key_len, const struct cache_gen *gen, struct buf *out,
               bool *has_marker)
{
        if (!cache.sh)
                return false;
        uint64_t h = hash(key, key_len);
        if (!lock())
                return false;
        const struct record *r = find(h, key, key_len);
        bool hit = r && r->generation == cache.generation &&
                   memcmp(&r->gen, gen, sizeof(*gen)) == 0 &&
                   buf_append(out, (const char *)(r + 1) + key_len, r->body_len);
        if (hit)
                *has_marker = r->has_marker != 0;
        unlock();
        atomic_fetch_add_explicit(hit ? &cache.sh->hits : &cache.sh->misses, 1,
                                  memory_order_relaxed);
        return hit;
}

void cache_put(const char *key, size_t key_len, const struct cache_gen *gen, const char *body,
               size_t len, bool has_marker)
{
        if (!cache.sh)
                return;
        struct shared *sh = cache.sh;
        size_t total = align8(sizeof(struct record) + key_len + len);
        if (total > sh->ring_size / MAX_PAGE_SHARE)
                return;
        uint64_t h = hash(key, key_len);
        if (!lock())
                return;
        uint64_t off = sh->head % sh->ring_size;
        if (off + total > sh->ring_size)
                sh->head += sh->ring_size - off; /* records never wrap: start the next lap */
        uint64_t pos = sh->head;
        sh->head += total;
        struct record *r = (struct record *)(cache.ring + pos % sh->ring_size);
        *r = (struct record){.hash = h,
                             .gen = *gen,
                             .key_len = (uint32_t)key_len,
                             .body_len = (uint32_t)len,
                             .has_marker = has_marker,
                             .generation = cache.generation};
        memcpy(r + 1, key, key_len);
        memcpy((char *)(r + 1) + key_len, body, len);
        /* The slot: this key's own, else a free or dead one, else the oldest of the set. */
        struct slot *set = set_of(h), *victim = NULL;
        for (int w = 0; w < WAYS; w++) {
                struct record *old = record_of(&set[w]);
                if (old && set[w].hash == h && old->key_len == key_len &&
                    memcmp(old + 1, key, key_len) == 0) {
                        victim = &set[w];
                        break;
                }
                if (!victim || (record_of(victim) && (!old || set[w].pos < victim->pos)))
                        victim = &set[w];
        }
        victim->hash = h;
        victim->pos = pos + 1;
        unlock();
        atomic_fetch_add_explicit(&sh->stores, 1, memory_order_relaxed);
}

/* --- Hosts --------------------------------------------------------------------------------- */

void cache_host_beat(uint64_t start_ns, uint64_t end_ns)
{
        if (!cache.sh)
                return;
        uint64_t since = atomic_load(&cache.sh->live_since);
        uint64_t last = atomic_load(&cache.sh->beat_start);
        if (!since || start_ns > last + CACHE_HOST_TTL_NS - CACHE_HOST_MARGIN_NS)
                atomic_store(&cache.sh->live_since, end_ns); /* (re)registered just now */
        atomic_store(&cache.sh->beat_start, start_ns);
}

void cache_lease_renew(uint64_t start_ns, uint64_t foreign)
{
        if (!cache.sh)
                return;
        struct shared *sh = cache.sh;
        /* After a gap in the lease (another host may have written meanwhile) or a change made
         * outside blogd, no page kept on the counters can be trusted: a new epoch. */
        if (clock_now_ns() >= atomic_load(&sh->lease_until) ||
            atomic_load(&sh->foreign) != foreign) {
                atomic_store(&sh->foreign, foreign);
                atomic_fetch_add(&sh->epoch, 1);
        }
        atomic_store(&sh->lease_until, start_ns + CACHE_LEASE_NS);
}

void cache_lease_drop(void)
{
        if (cache.sh)
                atomic_store(&cache.sh->lease_until, 0);
}

bool cache_stats(struct cache_stats *st)
{
        if (!cache.sh)
                return false;
        st->hits = atomic_load(&cache.sh->hits);
        st->misses = atomic_load(&cache.sh->misses);
        st->stores = atomic_load(&cache.sh->stores);
        st->epoch = atomic_load(&cache.sh->epoch);
        st->bytes = cache.sh->ring_size;
        return true;
}

void cache_host_leaving(void)
{
        if (cache.sh)
                atomic_store(&cache.sh->leaving, true);
}

bool cache_host_is_leaving(void)
{
        return cache.sh && atomic_load(&cache.sh->leaving);
}

static bool host_may_write(uint64_t now)
{
        uint64_t since = atomic_load(&cache.sh->live_since);
        uint64_t beat = atomic_load(&cache.sh->beat_start);
        return since && now >= since + CACHE_GATE_NS &&
               now < beat + CACHE_HOST_TTL_NS - CACHE_HOST_MARGIN_NS;
}

bool cache_write_permitted(void)
{
        if (!cache.sh)
                return true;
        uint64_t t0 = clock_now_ns();
        if (host_may_write(t0))
                return true;
        /* Just started, or the heartbeat lapsed: wait for the watcher, a little. */
        uint64_t give_up = t0 + CACHE_GATE_NS + CACHE_POLL_NS * 5;
        for (uint64_t t = t0; t < give_up && db_ready(); t = clock_now_ns()) {
                struct timespec nap = {0, 10 * 1000 * 1000};
                nanosleep(&nap, NULL);
                if (host_may_write(clock_now_ns()))
                        return true;
        }
        log_warn("refusing a write: this host is not registered in blogd_host (is the watcher "
                 "running, is the database reachable?)");
        return false;
}
