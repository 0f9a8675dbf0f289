/*
 * keyset: one page of a list as the store reads it: from an exclusive id bound, one way, a
 * number of rows (the page and one look-ahead row), and optionally a probe that tells whether
 * the list goes on behind the bound. The pages compute it (pages/paging.c); the store's typed
 * calls (posts_page, comments_latest, posts_thread) run it, so no page fills SQL parameters.
 */
#ifndef BLOGD_KEYSET_H
#define BLOGD_KEYSET_H

#include <stdbool.h>
#include <stdint.h>

#include "store/db.h"
#include "store/rowset.h"

/* Beyond every id (ids are 32-bit): "no bound" for id < ? and id >= ?. */
#define KEYSET_PAST_END ((uint64_t)1 << 32)

enum keyset_probe {
        KEYSET_PROBE_NONE,  /* the first page: nothing lies behind it */
        KEYSET_PROBE_BELOW, /* does an id <= probe_at exist? */
        KEYSET_PROBE_ABOVE, /* does an id >= probe_at exist? */
};

struct keyset {
        bool ascending; /* id > bound ORDER BY id; else id < bound ORDER BY id DESC */
        uint64_t bound;
        uint64_t limit;
        enum keyset_probe probe;
        uint64_t probe_at;
};

/* A list's statements: its two fetches (id > ? ORDER BY id LIMIT ?, id < ? ORDER BY id DESC
 * LIMIT ?) and its probes (EXISTS id <= ?, EXISTS id >= ?). */
struct keyset_stmts {
        enum db_stmt_id up, down, any_le, any_ge;
};

/* Runs k on a list: its rows into rows (in fetch order), the probe's answer into *behind
 * (false without a probe). More rows than rows can hold is DB_ERROR, never half a page. */
enum db_status keyset_read(const struct keyset_stmts *s, const struct keyset *k,
                           struct rowset *rows, bool *behind);
/* The same check for a caller that fetched rows itself. */
enum db_status keyset_whole(enum db_status st, const struct rowset *rows);

#endif
