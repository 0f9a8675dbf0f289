/*
 * paging: keyset pagination shared by the lists. A page is fetched with one look-ahead row
 * from an exclusive id bound; "next" follows the display order, "prev" goes back. The page
 * asked for is what the router read (route_read_cursor, by the route's ROUTE_LIST_* flag):
 * a handler never reads the query string itself, so the page cache's key (the canonical URL
 * of the same reading) is always the page rendered.
 */
#ifndef BLOGD_PAGING_H
#define BLOGD_PAGING_H

#include <stdbool.h>
#include <stdint.h>

#include "app/context.h"
#include "store/keyset.h"
#include "store/rowset.h"

struct view_dict;

_Static_assert(KEYSET_PAST_END == ROUTE_CURSOR_END, "a cursor is at most one past every id");

struct paging {
        struct app_request *rq;
        bool newest_first; /* display order of the list */
        bool forward;      /* the first page, or one reached by a "next" link */
        uint64_t cursor;   /* the exclusive bound from ?after= / ?before=; 0 on the first page */
        unsigned size;
        size_t shown;
        bool has_prev, has_next;
};

/* Starts the page p->cursor asks for (in the order the route declares). */
void paging_init(struct paging *pg, struct app_request *rq, const struct route_params *p,
                 unsigned size);
/* Whether the page is fetched by ascending ids (id > cursor) or descending (id < cursor). */
bool paging_ascending_fetch(const struct paging *pg);
/* What the store reads for the page: the page and a look-ahead row from the cursor, and the
 * probe that tells whether the list goes on behind the cursor (none on a first page). */
struct keyset paging_keyset(const struct paging *pg);
/* Records how many rows the fetch returned, and the probe's answer (rows behind the cursor).
 * A page reached by a cursor that shows no rows, or has none behind its cursor, is not kept
 * by the page cache (paging.c says why): it is rendered as for a cache miss with cache off. */
void paging_fetched(struct paging *pg, size_t rows, bool probe_found);
/* Row index (in fetch order) of display position i. */
size_t paging_row(const struct paging *pg, size_t i);
/* Shows the pager (via pager.tpl) with labels, if there is anywhere to go; the cursors are
 * taken from column id_col of the rows shown. */
void paging_render(const struct paging *pg, struct view_dict *body, const struct rowset *rs,
                   size_t id_col, const char *noun);

#endif
