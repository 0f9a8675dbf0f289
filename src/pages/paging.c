/*
 * paging: keyset pagination shared by the lists. A page is fetched with one look-ahead row
 * from an exclusive id bound; "next" follows the display order, "prev" goes back.
 */
#include "pages/paging.h"

#include <stdio.h>
#include <string.h>

#include "http/form.h"
#include "view/view.h"

/* A cursor is an id, or one past the largest id (an empty page's link back may need it):
 * canonical digits, 1 to PAGING_PAST_END. */
static bool cursor_param(const struct form *f, const char *name, uint64_t *out)
{
        const struct form_field *v = form_get(f, name);
        if (!v || v->value_len == 0 || v->value_len > 10 || v->value[0] == '0')
                return false;
        uint64_t c = 0;
        for (size_t i = 0; i < v->value_len; i++) {
                if (v->value[i] < '0' || v->value[i] > '9')
                        return false;
                c = c * 10 + (uint64_t)(v->value[i] - '0');
        }
        if (c > PAGING_PAST_END)
                return false;
        *out = c;
        return true;
}

void paging_init(struct paging *pg, const struct request *rq, bool newest_first, unsigned size)
{
        memset(pg, 0, sizeof(*pg));
        pg->newest_first = newest_first;
        pg->forward = true;
        pg->size = size;
        /* A query string we cannot read (junk, a forged cursor) just gives the first page. */
        char q[256];
        size_t n = strlen(rq->query);
        struct form f;
        if (n >= sizeof(q))
                return;
        memcpy(q, rq->query, n + 1);
        if (form_parse(q, n, &f) != FORM_OK)
                return;
        const char *next = newest_first ? "before" : "after";
        const char *prev = newest_first ? "after" : "before";
        if (cursor_param(&f, next, &pg->cursor))
                return;
        if (cursor_param(&f, prev, &pg->cursor))
                pg->forward = false;
}

bool paging_ascending_fetch(const struct paging *pg)
{
        return pg->forward != pg->newest_first;
}

uint64_t paging_bound(const struct paging *pg)
{
        if (paging_ascending_fetch(pg))
                return pg->cursor;
        return pg->cursor ? pg->cursor : PAGING_PAST_END;
}

uint64_t paging_fetch_count(const struct paging *pg)
{
        return (uint64_t)pg->size + 1;
}

int paging_probe(const struct paging *pg, uint64_t *bound)
{
        if (!pg->cursor)
                return -1;
        *bound = pg->cursor;
        return paging_ascending_fetch(pg) ? 0 : 1;
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
