/* arena: pages kept under keys in a memory region the caller gives (pure: no clock, no db). */
#ifndef BLOGD_ARENA_H
#define BLOGD_ARENA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"

/*
 * The region holds a header, an index of 4-way sets and a ring of records. Every process
 * that maps the region (MAP_SHARED) sees the same arena; a process-shared robust mutex guards
 * it. A record carries an opaque generation: a page is found only under the very bytes it was
 * stored with, so what a generation means (change counters, a reload) is the caller's.
 * The mutex is the first thing in the region (a unit test takes it in a child that dies).
 */
struct arena;

/* Room for what the page cache needs (three counters and a reload generation), so that a
 * record's header stays six words. */
#define ARENA_GEN_BYTES 28
struct arena_gen {
        unsigned char bytes[ARENA_GEN_BYTES]; /* compared whole: zero what is unused */
};

struct arena_stats {
        uint64_t hits, misses, stores;
        uint64_t moves;     /* records hit in their lap, moved to head instead of dropped */
        uint64_t evictions; /* pages still current dropped to make room */
        uint64_t ring_bytes;
};

/* The region size that gives a ring of ring_bytes (rounded up to 8) for the pages. */
size_t arena_size_for(size_t ring_bytes);
/* Lays an arena out over region (len bytes, 8-aligned; the largest ring that fits) and draws
 * its hash key (sodium_init() first). NULL if len is too small or the mutex cannot be made. */
struct arena *arena_init(void *region, size_t len);
void arena_destroy(struct arena *a);
/* The keyed hash (SipHash-2-4 under the arena's secret key) that picks key's set. */
uint64_t arena_hash(const struct arena *a, const char *key, size_t key_len);
/* Whether a page of any generation is stored under key. */
bool arena_has(struct arena *a, const char *key, size_t key_len);
/* Appends the page stored under key at gen to out and gives its flags; false if none. */
bool arena_get(struct arena *a, const char *key, size_t key_len, const struct arena_gen *gen,
               struct buf *out, uint32_t *flags);
/* The bits of a record's flags that are the caller's (the arena keeps the top two). */
#define ARENA_FLAGS_MASK 0x3fffffffu
/* Stores a page (replacing the key's older one); a page over an eighth of the ring is not kept.
 * Room is made by dropping the oldest records, except that one read since it was stored is
 * moved to the head once instead (second chance). */
void arena_put(struct arena *a, const char *key, size_t key_len, const struct arena_gen *gen,
               const char *body, size_t len, uint32_t flags);
void arena_stats(const struct arena *a, struct arena_stats *st);

#endif
