/*
 * arena: the page store of the cache, over a region the caller maps. The arena is a ring:
 * records are appended at head and dropped at tail, oldest first, to make room; a record hit
 * since it was stored (or last moved) is not dropped but moved to head once, its hit mark
 * cleared (second chance, CLOCK on a log: a page read often stays, a page read once goes
 * after one lap, where plain first in, first out would drop a hot page every lap). An index of
 * 4-way sets maps a key's hash to its newest record; the hash is SipHash-2-4
 * (crypto_shorthash) under a key drawn when the arena is made and kept in its header, so every
 * process indexes alike and no client can predict which keys share a set. One process-shared
 * robust mutex guards the ring and the index; a process that dies holding it costs the
 * arena's contents, nothing else.
 */
#include "cache/arena.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <sodium.h>

#include "core/log.h"

#define WAYS 4
/* Bytes of page per index slot, on average (the index is sized from the ring). */
#define BYTES_PER_SLOT 2048
/* A page bigger than this share of the ring is not kept (it would evict too much). */
#define MAX_PAGE_SHARE 8
/* Records moved to head by one put at most: the rest of what it must drop is dropped. */
#define MOVES_PER_PUT 8
/* A record's own flags, above the caller's (arena.h: ARENA_FLAGS_MASK). */
#define REC_HIT (1u << 31) /* read since it was stored or last moved */
#define REC_PAD (1u << 30) /* the unused end of a lap, up to the ring's end */

struct slot {
        uint64_t hash;
        uint64_t pos; /* 1 + the record's ring position; 0: empty */
};

struct record {
        uint64_t hash;
        struct arena_gen gen;
        uint32_t key_len;
        uint32_t body_len;
        uint32_t flags;
        /* key, then body */
};

/* The start of the region; the index follows it, then the ring. */
struct arena {
        pthread_mutex_t lock;
        uint64_t head; /* ring position of the next record; grows forever */
        uint64_t tail; /* ring position of the oldest record kept; head - tail <= ring_size */
        uint64_t ring_size;
        uint64_t nsets;
        unsigned char hash_key[crypto_shorthash_KEYBYTES]; /* secret: picks a key's set */
        _Atomic uint64_t hits, misses, stores, moves, evictions;
};

/* Picks a set (the key itself is compared in full). Keyed, because with a public hash a
 * client could compute URLs that share a hot page's set and push it out of the index. */
_Static_assert(crypto_shorthash_BYTES == sizeof(uint64_t), "SipHash-2-4 gives 64 bits");
/* Records start 8-aligned and their header is what it was when the cache was one file. */
_Static_assert(sizeof(struct record) == 48, "a record's header is 48 bytes");
_Static_assert(offsetof(struct arena, lock) == 0, "arena.h: the region starts with the mutex");

static size_t align8(size_t n)
{
        return (n + 7) & ~(size_t)7;
}

#define HEADER_BYTES align8(sizeof(struct arena))
#define SET_BYTES (WAYS * sizeof(struct slot))
#define PAGE_BYTES_PER_SET (BYTES_PER_SLOT * WAYS)

static size_t index_bytes(size_t ring)
{
        return (ring / PAGE_BYTES_PER_SET + 1) * SET_BYTES;
}

size_t arena_size_for(size_t ring_bytes)
{
        size_t ring = align8(ring_bytes);
        return HEADER_BYTES + index_bytes(ring) + ring;
}

/* The largest ring (a multiple of 8) whose index and ring fit in avail bytes: a whole set of
 * the index costs SET_BYTES more for every PAGE_BYTES_PER_SET of ring, plus one set. */
static size_t ring_for(size_t avail)
{
        size_t rest = avail - SET_BYTES;
        size_t sets = rest / (PAGE_BYTES_PER_SET + SET_BYTES);
        size_t part = rest % (PAGE_BYTES_PER_SET + SET_BYTES);
        if (part > PAGE_BYTES_PER_SET - 1)
                part = PAGE_BYTES_PER_SET - 1;
        return (sets * PAGE_BYTES_PER_SET + part) & ~(size_t)7;
}

static struct slot *slots(const struct arena *a)
{
        return (struct slot *)((char *)a + HEADER_BYTES);
}

static char *ring(const struct arena *a)
{
        return (char *)a + HEADER_BYTES + a->nsets * SET_BYTES;
}

struct arena *arena_init(void *region, size_t len)
{
        if (!region || (uintptr_t)region % 8 != 0 || len < HEADER_BYTES + SET_BYTES)
                return NULL;
        size_t ring_size = ring_for(len - HEADER_BYTES);
        struct arena *a = region;
        memset(a, 0, HEADER_BYTES + index_bytes(ring_size));
        pthread_mutexattr_t ma;
        if (pthread_mutexattr_init(&ma) != 0)
                return NULL;
        bool ok = pthread_mutexattr_setpshared(&ma, PTHREAD_PROCESS_SHARED) == 0 &&
                  pthread_mutexattr_setrobust(&ma, PTHREAD_MUTEX_ROBUST) == 0 &&
                  pthread_mutex_init(&a->lock, &ma) == 0;
        pthread_mutexattr_destroy(&ma);
        if (!ok)
                return NULL;
        a->ring_size = ring_size;
        a->nsets = ring_size / PAGE_BYTES_PER_SET + 1;
        randombytes_buf(a->hash_key, sizeof(a->hash_key));
        return a;
}

void arena_destroy(struct arena *a)
{
        if (a)
                pthread_mutex_destroy(&a->lock);
}

uint64_t arena_hash(const struct arena *a, const char *key, size_t key_len)
{
        unsigned char out[crypto_shorthash_BYTES];
        crypto_shorthash(out, (const unsigned char *)key, key_len, a->hash_key);
        uint64_t h;
        memcpy(&h, out, sizeof(h));
        return h;
}

static void forget_all(struct arena *a)
{
        a->tail = a->head;
        memset(slots(a), 0, a->nsets * SET_BYTES);
}

static bool lock(struct arena *a)
{
        int rc = pthread_mutex_lock(&a->lock);
        if (rc == EOWNERDEAD) {
                /* A worker died inside: its record may be half written. Start afresh. */
                log_warn("page cache: a worker died holding the lock; emptying the cache");
                forget_all(a);
                pthread_mutex_consistent(&a->lock);
                return true;
        }
        return rc == 0;
}

static void unlock(struct arena *a)
{
        pthread_mutex_unlock(&a->lock);
}

static struct slot *set_of(const struct arena *a, uint64_t h)
{
        return &slots(a)[(h % a->nsets) * WAYS];
}

/* The record a slot points to, if it has not been dropped. */
static struct record *record_of(const struct arena *a, const struct slot *s)
{
        if (!s->pos || s->pos - 1 < a->tail)
                return NULL;
        return (struct record *)(ring(a) + (s->pos - 1) % a->ring_size);
}

static size_t record_bytes(const struct record *r)
{
        return align8(sizeof(*r) + r->key_len + r->body_len);
}

static bool holds_key(const struct record *r, const char *key, size_t key_len)
{
        return r->key_len == key_len && memcmp(r + 1, key, key_len) == 0;
}

static struct record *find(const struct arena *a, uint64_t h, const char *key, size_t key_len)
{
        struct slot *set = set_of(a, h);
        for (int w = 0; w < WAYS; w++) {
                if (set[w].hash != h)
                        continue;
                struct record *r = record_of(a, &set[w]);
                if (r && holds_key(r, key, key_len))
                        return r;
        }
        return NULL;
}

bool arena_has(struct arena *a, const char *key, size_t key_len)
{
        uint64_t h = arena_hash(a, key, key_len);
        if (!lock(a))
                return false;
        bool found = find(a, h, key, key_len) != NULL;
        unlock(a);
        if (!found)
                atomic_fetch_add_explicit(&a->misses, 1, memory_order_relaxed);
        return found;
}

bool arena_get(struct arena *a, const char *key, size_t key_len, const struct arena_gen *gen,
               struct buf *out, uint32_t *flags)
{
        uint64_t h = arena_hash(a, key, key_len);
        if (!lock(a))
                return false;
        struct record *r = find(a, h, key, key_len);
        bool hit = r && memcmp(&r->gen, gen, sizeof(*gen)) == 0 &&
                   buf_append(out, (const char *)(r + 1) + key_len, r->body_len);
        if (hit) {
                *flags = r->flags & ARENA_FLAGS_MASK;
                if (!(r->flags & REC_HIT))
                        r->flags |= REC_HIT; /* written once a lap: the line stays shared */
        }
        unlock(a);
        atomic_fetch_add_explicit(hit ? &a->hits : &a->misses, 1, memory_order_relaxed);
        return hit;
}

/* Where a record of total bytes goes: at head, or at the next lap's start if the rest of this
 * lap is too short (records never wrap). */
static uint64_t place(const struct arena *a, size_t total)
{
        uint64_t off = a->head % a->ring_size;
        return off + total > a->ring_size ? a->head + (a->ring_size - off) : a->head;
}

/* The slot that points to the record at ring position pos, if it is still the newest of its
 * key. */
static struct slot *slot_at(const struct arena *a, uint64_t h, uint64_t pos)
{
        struct slot *set = set_of(a, h);
        for (int w = 0; w < WAYS; w++)
                if (set[w].pos == pos + 1)
                        return &set[w];
        return NULL;
}

/*
 * Makes room for a record of total bytes and returns where it goes: drops the records at
 * tail until it fits, moving each that was hit (and is still its key's newest) to head
 * instead, up to MOVES_PER_PUT. A move is a memmove within the ring: the free space lies
 * between head and tail, so the record slides back over it (or stays put when the ring is
 * full, its position a lap later); the record after it is never touched.
 */
static uint64_t make_room(struct arena *a, size_t total, unsigned *moved)
{
        unsigned moves = 0;
        for (;;) {
                uint64_t pos = place(a, total);
                if (pos + total <= a->tail + a->ring_size) {
                        *moved = moves;
                        return pos;
                }
                uint64_t toff = a->tail % a->ring_size;
                if (a->ring_size - toff < sizeof(struct record)) {
                        a->tail += a->ring_size - toff; /* a lap's end too short for a pad */
                        continue;
                }
                struct record *r = (struct record *)(ring(a) + toff);
                size_t bytes = record_bytes(r);
                uint64_t hoff = a->head % a->ring_size;
                struct slot *s = (r->flags & (REC_HIT | REC_PAD)) == REC_HIT &&
                                         moves < MOVES_PER_PUT && hoff + bytes <= a->ring_size
                                     ? slot_at(a, r->hash, a->tail)
                                     : NULL;
                if (s) {
                        r->flags &= ~REC_HIT;
                        memmove(ring(a) + hoff, r, bytes);
                        s->pos = a->head + 1;
                        a->head += bytes;
                        moves++;
                } else if (!(r->flags & REC_PAD) && slot_at(a, r->hash, a->tail)) {
                        /* A page still current in the index: evicted. */
                        atomic_fetch_add_explicit(&a->evictions, 1, memory_order_relaxed);
                }
                a->tail += bytes;
        }
}

void arena_put(struct arena *a, const char *key, size_t key_len, const struct arena_gen *gen,
               const char *body, size_t len, uint32_t flags)
{
        size_t total = align8(sizeof(struct record) + key_len + len);
        if (total > a->ring_size / MAX_PAGE_SHARE)
                return;
        uint64_t h = arena_hash(a, key, key_len);
        if (!lock(a))
                return;
        unsigned moved;
        uint64_t pos = make_room(a, total, &moved);
        uint64_t off = a->head % a->ring_size;
        if (pos != a->head && a->ring_size - off >= sizeof(struct record))
                *(struct record *)(ring(a) + off) = (struct record){
                    .key_len = 0,
                    .body_len = (uint32_t)(a->ring_size - off - sizeof(struct record)),
                    .flags = REC_PAD};
        a->head = pos + total;
        struct record *r = (struct record *)(ring(a) + pos % a->ring_size);
        *r = (struct record){.hash = h,
                             .gen = *gen,
                             .key_len = (uint32_t)key_len,
                             .body_len = (uint32_t)len,
                             .flags = flags & ARENA_FLAGS_MASK};
        memcpy(r + 1, key, key_len);
        memcpy((char *)(r + 1) + key_len, body, len);
        /* The slot: this key's own, else a free or dead one, else the oldest of the set. */
        struct slot *set = set_of(a, h), *victim = NULL;
        for (int w = 0; w < WAYS; w++) {
                struct record *old = record_of(a, &set[w]);
                if (old && set[w].hash == h && holds_key(old, key, key_len)) {
                        victim = &set[w];
                        break;
                }
                if (!victim || (record_of(a, victim) && (!old || set[w].pos < victim->pos)))
                        victim = &set[w];
        }
        if (record_of(a, victim) &&
            !(victim->hash == h && holds_key(record_of(a, victim), key, key_len)))
                atomic_fetch_add_explicit(&a->evictions, 1, memory_order_relaxed); /* set full */
        victim->hash = h;
        victim->pos = pos + 1;
        unlock(a);
        atomic_fetch_add_explicit(&a->stores, 1, memory_order_relaxed);
        if (moved)
                atomic_fetch_add_explicit(&a->moves, moved, memory_order_relaxed);
}

void arena_stats(const struct arena *a, struct arena_stats *st)
{
        st->hits = atomic_load(&a->hits);
        st->misses = atomic_load(&a->misses);
        st->stores = atomic_load(&a->stores);
        st->moves = atomic_load(&a->moves);
        st->evictions = atomic_load(&a->evictions);
        st->ring_bytes = a->ring_size;
}
