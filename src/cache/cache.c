/*
 * cache: the page cache of the host, glued from its parts: the arena (cache/arena.c) keeps
 * the pages, the lease (cache/lease.c) says when this host's counters are the truth and when
 * it may write, and this file keeps the counters and reads change_seq through the store when
 * they are not the truth (see cache.h for why a page is never stale). Everything lives in one
 * shared mapping the master makes before it forks.
 */
#include "cache/cache.h"

#include <stdatomic.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "cache/arena.h"
#include "cache/lease.h"
#include "core/log.h"
#include "core/scoreboard.h"
#include "store/changes.h"
#include "store/db.h"

/* The two list scopes, then post scopes hashed onto the rest (two posts sharing a counter
 * only invalidate each other more often, never less). */
#define HOST_COUNTERS 4096
/* arena_put's flags. */
#define PAGE_HAS_MARKER 1u

struct shared {
        uint64_t host_id;
        char marker[CACHE_MARKER_LEN + 1];
        struct lease lease;
        _Atomic uint64_t counters[HOST_COUNTERS];
        /* then the arena */
};

static struct {
        struct shared *sh;
        struct arena *arena;
        size_t map_len;
        enum cache_mode mode;
        unsigned generation;
} cache;

/* What a record is stored at: the change generation and the reload generation of the worker
 * that rendered it (a reload retires every page). */
_Static_assert(sizeof(struct cache_gen) + sizeof(uint32_t) <= ARENA_GEN_BYTES,
               "a cache generation fits an arena generation");

static struct arena_gen arena_gen_of(const struct cache_gen *gen)
{
        struct arena_gen g;
        uint32_t reload = cache.generation;
        memset(&g, 0, sizeof(g));
        memcpy(g.bytes, gen, sizeof(*gen));
        memcpy(g.bytes + sizeof(*gen), &reload, sizeof(reload));
        return g;
}

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
        size_t head = align8(sizeof(struct shared));
        size_t len = head + arena_size_for((size_t)cfg->cache_bytes);
        void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED)
                return false;
        struct shared *sh = p;
        struct arena *arena = arena_init((char *)p + head, len - head);
        if (!arena) {
                munmap(p, len);
                return false;
        }
        /* The marker is 32 random bytes, so no page text can imitate it; the host id only has
         * to differ from the other hosts'. */
        unsigned char raw[CACHE_MARKER_LEN / 2];
        randombytes_buf(raw, sizeof(raw));
        sodium_bin2hex(sh->marker, sizeof(sh->marker), raw, sizeof(raw));
        randombytes_buf(&sh->host_id, sizeof(sh->host_id));
        sh->host_id &= INT64_MAX; /* a positive BIGINT for any client */
        lease_init(&sh->lease);
        cache.sh = sh;
        cache.arena = arena;
        cache.map_len = len;
        return true;
}

void cache_shared_destroy(void)
{
        if (!cache.sh)
                return;
        arena_destroy(cache.arena);
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

bool cache_generation_is_free(void)
{
        return cache.mode == CACHE_AUTO && lease_held(&cache.sh->lease, clock_now_ns());
}

bool cache_generation(const struct cache_deps *deps, struct cache_gen *gen)
{
        if (cache_generation_is_free()) {
                /* Cached pages are served only while the database is reachable, so an outage
                 * answers 503 here as it does without the cache. */
                if (!db_ready())
                        return false;
                gen->source = lease_epoch(&cache.sh->lease) + 1;
                for (int i = 0; i < 2; i++)
                        gen->seq[i] = atomic_load(counter(deps->scope[i]));
                return true;
        }
        if (cache.mode == CACHE_OFF)
                return false;
        /* Fails closed: anything but two integers leaves the generation unknown. */
        gen->source = 0;
        return changes_seq(deps->scope[0], deps->scope[1], gen->seq);
}

void cache_comment_changed(uint64_t post_id)
{
        if (!cache.sh)
                return;
        atomic_fetch_add(counter(CACHE_SCOPE_COMMENTS), 1);
        atomic_fetch_add(counter(CACHE_SCOPE_POST(post_id)), 1);
}

void cache_post_changed(uint64_t post_id)
{
        if (!cache.sh)
                return;
        /* The posts (index, feed, titles on /comments/), its comments (a delete takes them),
         * and the post's own pages: what the post_au/post_ad triggers bump. */
        atomic_fetch_add(counter(CACHE_SCOPE_POSTS), 1);
        atomic_fetch_add(counter(CACHE_SCOPE_COMMENTS), 1);
        atomic_fetch_add(counter(CACHE_SCOPE_POST(post_id)), 1);
}

/* --- The arena --------------------------------------------------------------------------- */

uint64_t cache_key_hash(const char *key, size_t key_len)
{
        return cache.sh ? arena_hash(cache.arena, key, key_len) : 0;
}

bool cache_has(const char *key, size_t key_len)
{
        return cache.sh && arena_has(cache.arena, key, key_len);
}

bool cache_get(const char *key, size_t key_len, const struct cache_gen *gen, struct buf *out,
               bool *has_marker)
{
        if (!cache.sh)
                return false;
        struct arena_gen g = arena_gen_of(gen);
        uint32_t flags = 0;
        if (!arena_get(cache.arena, key, key_len, &g, out, &flags))
                return false;
        *has_marker = (flags & PAGE_HAS_MARKER) != 0;
        return true;
}

void cache_put(const char *key, size_t key_len, const struct cache_gen *gen, const char *body,
               size_t len, bool has_marker)
{
        if (!cache.sh)
                return;
        struct arena_gen g = arena_gen_of(gen);
        arena_put(cache.arena, key, key_len, &g, body, len, has_marker ? PAGE_HAS_MARKER : 0);
}

bool cache_stats(struct cache_stats *st)
{
        if (!cache.sh)
                return false;
        struct arena_stats as;
        arena_stats(cache.arena, &as);
        st->hits = as.hits;
        st->misses = as.misses;
        st->stores = as.stores;
        st->evictions = as.evictions;
        st->epoch = lease_epoch(&cache.sh->lease);
        st->bytes = as.ring_bytes;
        return true;
}

/* --- Hosts: the lease's rules at the clock's time ------------------------------------------ */

void cache_host_beat(uint64_t start_ns, uint64_t end_ns)
{
        if (cache.sh)
                lease_beat(&cache.sh->lease, start_ns, end_ns);
}

void cache_lease_renew(uint64_t start_ns, uint64_t foreign)
{
        if (cache.sh)
                lease_renew(&cache.sh->lease, start_ns, foreign, clock_now_ns());
}

void cache_lease_drop(void)
{
        if (cache.sh)
                lease_drop(&cache.sh->lease);
}

void cache_host_leaving(void)
{
        if (cache.sh)
                lease_set_leaving(&cache.sh->lease);
}

bool cache_host_is_leaving(void)
{
        return cache.sh && lease_is_leaving(&cache.sh->lease);
}

bool cache_write_permitted(void)
{
        if (!cache.sh)
                return true;
        uint64_t t0 = clock_now_ns();
        if (lease_may_write(&cache.sh->lease, t0))
                return true;
        /* Just started, or the heartbeat lapsed: wait for the watcher, a little (the
         * scoreboard says database: the watcher's heartbeat is a write it waits for). */
        enum score_phase was = score_current_phase();
        score_phase(SCORE_DATABASE);
        uint64_t give_up = t0 + LEASE_GATE_NS + LEASE_POLL_NS * 5;
        for (uint64_t t = t0; t < give_up && db_ready(); t = clock_now_ns()) {
                struct timespec nap = {0, 10 * 1000 * 1000};
                nanosleep(&nap, NULL);
                if (lease_may_write(&cache.sh->lease, clock_now_ns())) {
                        score_phase(was);
                        return true;
                }
        }
        score_phase(was);
        log_warn("refusing a write: this host is not registered in blogd_host (is the watcher "
                 "running, is the database reachable?)");
        return false;
}
