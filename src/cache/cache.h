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

struct cache_page {
        const char *body;
        size_t len;
        bool has_marker; /* holds cache_marker() where each form's CSRF token goes */
};

bool cache_parse_mode(const char *s, enum cache_mode *out);
/* In the master, before forking: maps the host-wide generation counter. */
bool cache_shared_init(void);
/* In each worker: reads the mode and budget, empties the cache. */
void cache_worker_init(const struct config *cfg);
void cache_worker_cleanup(void);
bool cache_enabled(void);
/* The current generation; false if it cannot be known now (the page is then not cached). */
bool cache_generation(uint64_t *gen);
/* The page stored under key at generation gen, or NULL. */
const struct cache_page *cache_get(const char *key, size_t key_len, uint64_t gen);
void cache_put(const char *key, size_t key_len, uint64_t gen, const char *body, size_t len,
               bool has_marker);
/* After this worker committed a change: every host-mode page rendered before is stale. */
void cache_changed(void);
/* Stands in for the CSRF token in cached pages; as long as a token, unguessable per worker. */
const char *cache_marker(void);

#endif
