/*
 * cache: rendered pages in one arena shared by every worker of the host, served while the
 * change generation they were rendered at is still current. A page is never served after a
 * change it does not show:
 *   - blogd's own writes bump this host's counters (shared memory) right after the commit;
 *   - while this host holds the lease (cache/lease.h, kept by src/heartbeat.c: no other blogd
 *     host is alive on the database), those counters are the whole truth and a hit costs no
 * database read;
 *   - otherwise (cache = db, or another host is alive) each hit first reads the change_seq
 *     rows the triggers bump in the same transaction as any change (sql/002, sql/004);
 *   - changes made outside blogd (plain SQL) are seen by the watcher within one poll and
 *     start a new epoch, which retires every page kept on the counters.
 * Memory: the arena has a fixed size (cache_bytes), mapped by the master and touched by each
 * worker when it starts, so a worker's RSS is the same with three rows or a million.
 * Keys: a page is kept under its canonical URL (route_canonical: the route, its ids, the list
 * cursor), never the raw query string, so a visitor cannot make new entries with made-up
 * parameters; the index picks a key's set with a hash keyed by a secret drawn at start
 * (SipHash-2-4), so no one can choose keys that land in the set of a page they want evicted.
 */
#ifndef BLOGD_CACHE_H
#define BLOGD_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/clock.h"
#include "core/config.h"

enum cache_mode { CACHE_OFF, CACHE_DB, CACHE_AUTO };

/* What a page shows (sql/002_change_seq.sql has the same scopes). */
#define CACHE_SCOPE_POSTS 0u
#define CACHE_SCOPE_COMMENTS 1u
#define CACHE_SCOPE_POST(id) ((uint64_t)(id) + 16u)

/* A cacheable page's dependencies (struct app_route.cache, declared beside its route in
 * pages/routes.c); none: never cached. */
#define CACHE_ON_POSTS 1u    /* the posts' titles and texts */
#define CACHE_ON_COMMENTS 2u /* all comments */
#define CACHE_ON_POST 4u     /* post id[0] and its comments */
#define CACHE_SELF_GEN 8u    /* the handler's own query reads the sequence (rq->data_gen) */

/* The scopes a page depends on (at most two). */
struct cache_deps {
        uint64_t scope[2];
};

/* Their change counters when the page was rendered; source 0: the database's change_seq,
 * otherwise this host's counters in epoch source - 1 (the two never compare equal). */
struct cache_gen {
        uint64_t source;
        uint64_t seq[2];
};

/* Set in source for a page rendered while the blog was read-only (it says so): such pages are
 * kept apart from the others (epochs never reach this bit). */
#define CACHE_SOURCE_READ_ONLY (UINT64_C(1) << 63)

bool cache_parse_mode(const char *s, enum cache_mode *out);
/* In the master, before forking: maps the arena (cache_bytes) and the host's counters. */
bool cache_shared_init(const struct config *cfg);
void cache_shared_destroy(void);
/* In each worker: reads the mode, touches the arena so its pages count in RSS from the start.
 * Pages are served only to workers of the generation (reload) that rendered them. */
void cache_worker_init(const struct config *cfg, unsigned generation);
bool cache_enabled(void);
/* The deps of a route given its CACHE_ON_* bits and the post id in its URL. */
struct cache_deps cache_deps_for(unsigned on, uint64_t post_id);
/* The current generation; false if it cannot be known now (the page is then not cached). */
bool cache_generation(const struct cache_deps *deps, struct cache_gen *gen);
/* Whether reading the generation costs nothing now (this host holds the lease). */
bool cache_generation_is_free(void);
/* The keyed hash that picks key's set in the index (exposed for the tests); 0 without an
 * arena. Every worker of the host uses the master's key; another start draws another. */
uint64_t cache_key_hash(const char *key, size_t key_len);
/* Whether a page (of any generation) is stored under key. */
bool cache_has(const char *key, size_t key_len);
/* Appends the page stored under key at generation gen to out; false if there is none. */
bool cache_get(const char *key, size_t key_len, const struct cache_gen *gen, struct buf *out,
               bool *has_marker);
void cache_put(const char *key, size_t key_len, const struct cache_gen *gen, const char *body,
               size_t len, bool has_marker);
/* After this worker committed a change to a comment of post_id. */
void cache_comment_changed(uint64_t post_id);
/* After this worker committed a new, edited or deleted post. */
void cache_post_changed(uint64_t post_id);
struct cache_stats {
        uint64_t hits, misses, stores, evictions, epoch, bytes;
};
/* Counts since the master started; false if there is no cache. */
bool cache_stats(struct cache_stats *st);
/* Stands in for the CSRF token in cached pages: CACHE_MARKER_LEN random lowercase hex digits
 * (the length of a CSRF token, so it is swapped in place), unguessable, one per host. */
#define CACHE_MARKER_LEN 64
const char *cache_marker(void);

/* --- The host's standing among the blogd hosts of the database (driven by src/heartbeat.c;
 * the rules and their timings are cache/lease.h's) --- */

/* This host's random id in blogd_host, drawn by the master at start. */
uint64_t cache_host_id(void);
/* A heartbeat sent at start_ns was stored by end_ns. */
void cache_host_beat(uint64_t start_ns, uint64_t end_ns);
/* A poll begun at start_ns found no other live host; foreign is change_seq 2 (changes made
 * outside blogd). The counters may be trusted until start_ns + LEASE_NS. */
void cache_lease_renew(uint64_t start_ns, uint64_t foreign);
/* Another host is alive: every hit is checked against the database. */
void cache_lease_drop(void);
/* The master is shutting down for good (not reloading): the watcher removes the host's row. */
void cache_host_leaving(void);
bool cache_host_is_leaving(void);
/* Before a write: waits (briefly) until every other host must have seen this one, so none
 * serves a page its counters say is current after this write; false if that cannot be. */
bool cache_write_permitted(void);

#endif
