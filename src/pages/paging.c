/*
 * paging: keyset pagination shared by the lists. A page is fetched with one look-ahead row
 * from an exclusive id bound; "next" follows the display order, "prev" goes back. The page
 * asked for is what the router read (route_read_cursor, by the route's ROUTE_LIST_* flag):
 * a handler never reads the query string itself, so the page cache's key (the canonical URL
 * of the same reading) is always the page rendered.
 */
#include "pages/paging.h"

#include <stdio.h>
#include <string.h>

#include "view/view.h"

void paging_init(struct paging *pg, struct app_request *rq, const struct route_params *p,
                 unsigned size)
{
        memset(pg, 0, sizeof(*pg));
        pg->rq = rq;
        pg->newest_first = p->cursor.newest_first;
        pg->forward = !p->cursor.back;
        pg->cursor = p->cursor.value;
        pg->size = size;
}

bool paging_ascending_fetch(const struct paging *pg)
{
        return pg->forward != pg->newest_first;
}

struct keyset paging_keyset(const struct paging *pg)
{
        bool up = paging_ascending_fetch(pg);
        struct keyset k = {.ascending = up,
                           .bound = up || pg->cursor ? pg->cursor : KEYSET_PAST_END,
                           .limit = (uint64_t)pg->size + 1,
                           .probe = KEYSET_PROBE_NONE,
                           .probe_at = pg->cursor};
        if (pg->cursor)
                k.probe = up ? KEYSET_PROBE_BELOW : KEYSET_PROBE_ABOVE;
        return k;
}

void paging_fetched(struct paging *pg, size_t rows, bool probe_found)
{
        bool more = rows > pg->size;
        pg->shown = more ? pg->size : rows;
        if (pg->forward) {
                pg->has_next = more;
                pg->has_prev = probe_found;
        } else {
                pg->has_prev = more;
                pg->has_next = probe_found;
        }
        /*
         * Every cursor from 1 to 2^32 is a valid page, so a client can ask for four billion
         * distinct ones. Those outside the list's ids all look alike: past one end the page is
         * empty, past the other it has no rows behind its cursor (the list's first or last page
         * again, under another cursor). Such pages are rendered but not kept, so cursors can
         * fill the cache only with pages inside the list: at most two (forward and back) per id
         * between its first and last row, each showing rows a reader can reach. Links always land
         * inside (they carry shown ids); the one exception is the 303 to a new comment at the end
         * of a long thread (?before=<id + 1>, nothing behind it), read once by its writer. This
         * costs nothing: the fetch and the probe have already answered. A page that is not kept is
         * rendered with the visitor's own CSRF token, as with the cache off.
         */
        if (pg->cursor && (pg->shown == 0 || !probe_found))
                pg->rq->cache_render = false;
}

size_t paging_row(const struct paging *pg, size_t i)
{
        return pg->forward ? i : pg->shown - 1 - i;
}

static void link(struct view_dict *pager, const char *section, const char *param, uint64_t cursor,
                 const char *label)
{
        struct view_dict *d = view_section(pager, section);
        view_set_str(d, "PARAM", param);
        view_set_int(d, "CURSOR", (long long)cursor);
        view_set_str(d, "LABEL", label);
}

void paging_render(const struct paging *pg, struct view_dict *body, const struct rowset *rs,
                   size_t id_col, const char *noun)
{
        if (!pg->has_prev && !pg->has_next)
                return;
        uint64_t first_id = 0, last_id = 0;
        if (pg->shown) {
                first_id = rowset_int(rs, paging_row(pg, 0), id_col);
                last_id = rowset_int(rs, paging_row(pg, pg->shown - 1), id_col);
        } else {
                /* An empty page (a cursor past the end): links step just across the cursor. */
                bool up = paging_ascending_fetch(pg);
                uint64_t c = pg->cursor;
                first_id = pg->newest_first ? (up ? c : c - 1) : (up ? c + 1 : c);
                last_id = pg->newest_first ? (up ? c + 1 : c) : (up ? c : c - 1);
        }
        char prev[64], next[64];
        snprintf(prev, sizeof(prev), "%s %s", pg->newest_first ? "Newer" : "Older", noun);
        snprintf(next, sizeof(next), "%s %s", pg->newest_first ? "Older" : "Newer", noun);
        struct view_dict *pager = view_include(body, "PAGER", "pager.tpl");
        if (pg->has_prev)
                link(pager, "PREV", pg->newest_first ? "after" : "before", first_id, prev);
        if (pg->has_next)
                link(pager, "NEXT", pg->newest_first ? "before" : "after", last_id, next);
}
