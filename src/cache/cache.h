/*
 * cache: rendered pages, kept per worker and served while the change generation they were
 * rendered at is still current. The generation comes from the database (cache = db: a
 * change_seq row that triggers bump in the same transaction as any change, so several hosts
 * and manual edits stay correct) or from a counter this host's workers share (cache = host:
 * only this host writes). A page is never served after a change it does not show.
 */
#ifndef BLOGD_CACHE_H
#define BLOGD_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/config.h"

enum cache_mode { CACHE_OFF, CACHE_HOST, CACHE_DB };

/* What a page shows (sql/002_change_seq.sql has the same scopes). */
#define CACHE_SCOPE_POSTS 0u
#define CACHE_SCOPE_COMMENTS 1u
#define CACHE_SCOPE_POST(id) ((uint64_t)(id) + 16u)

/* A cacheable route's dependencies (struct route.cache_deps); 0: never cached. */
#define CACHE_ON_POSTS 1u    /* the posts' titles and texts */
#define CACHE_ON_COMMENTS 2u /* all comments */
#define CACHE_ON_POST 4u     /* post id[0] and its comments */
#define CACHE_SELF_GEN 8u    /* the handler's own query reads the sequence (rq->data_gen) */

/* The scopes a page depends on (at most two). */
struct cache_deps {
        uint64_t scope[2];
};

/* Their change counters when the page was rendered. */
struct cache_gen {
        uint64_t seq[2];
};

struct cache_page {
        const char *body;
        size_t len;
        bool has_marker; /* holds cache_marker() where each form's CSRF token goes */
};

bool cache_parse_mode(const char *s, enum cache_mode *out);
/* In the master, before forking: maps the host-wide change counters. */
bool cache_shared_init(void);
/* In each worker: reads the mode and budget, empties the cache. */
void cache_worker_init(const struct config *cfg);
void cache_worker_cleanup(void);
bool cache_enabled(void);
/* The deps of a route given its CACHE_ON_* bits and the post id in its URL. */
struct cache_deps cache_deps_for(unsigned on, uint64_t post_id);
/* The current generation; false if it cannot be known now (the page is then not cached). */
bool cache_generation(const struct cache_deps *deps, struct cache_gen *gen);
/* Whether reading the generation costs nothing (host mode) or a database read (db mode). */
bool cache_generation_is_free(void);
/* Whether a page (of any generation) is stored under key. */
bool cache_has(const char *key, size_t key_len);
/* The page stored under key at generation gen, or NULL. */
const struct cache_page *cache_get(const char *key, size_t key_len, const struct cache_gen *gen);
void cache_put(const char *key, size_t key_len, const struct cache_gen *gen, const char *body,
               size_t len, bool has_marker);
/* After this worker committed a change to a comment of post_id (host mode's counters). */
void cache_comment_changed(uint64_t post_id);
/* Stands in for the CSRF token in cached pages; as long as a token, unguessable per worker. */
const char *cache_marker(void);

#endif
