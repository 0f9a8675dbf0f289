/*
 * fuzz_router: route_match, route_read_cursor and route_canonical over blogd's real route table
 * (src/pages/routes.c; its handlers are stubs, tests/common/stub_pages.c), and route_parse_id.
 * The input is a request target: the path, then optionally '?' and the raw query string.
 */
#include "fuzz.h"
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/router.h"
#include "pages/page.h"

/* The number of "{id}" tokens in a pattern. */
static size_t pattern_ids(const char *pat)
{
        size_t n = 0;
        for (const char *s = strstr(pat, "{id}"); s; s = strstr(s + 4, "{id}"))
                n++;
        return n;
}

/* Whether c may appear in a canonical URL of a route: its pattern's own characters (outside
 * "{id}"), digits, and the cursor's "?after=" / "?before=". */
static bool canonical_char(const struct route *r, char c)
{
        if ((c >= '0' && c <= '9') || c == '/' || c == '?' || c == '=')
                return true;
        if (strchr("afterbo", c))
                return true;
        for (const char *s = r->pattern; *s; s++) {
                if (strncmp(s, "{id}", 4) == 0) {
                        s += 3;
                        continue;
                }
                if (*s == c)
                        return true;
        }
        return false;
}

/* The query part of a canonical URL: nothing, or "?after=N" / "?before=N" with N canonical
 * digits; returns where it starts (the terminating NUL when there is none). */
static const char *check_canonical_query(const char *canon)
{
        const char *q = strchr(canon, '?');
        if (!q)
                return canon + strlen(canon);
        const char *v;
        if (strncmp(q, "?after=", 7) == 0)
                v = q + 7;
        else if (strncmp(q, "?before=", 8) == 0)
                v = q + 8;
        else
                v = NULL;
        FUZZ_CHECK(v && v[0] >= '1' && v[0] <= '9');
        for (const char *d = v; *d; d++)
                FUZZ_CHECK(*d >= '0' && *d <= '9');
        return q;
}

/* The properties of one matched request: its cursor, its canonical URL, and that the canonical
 * URL read back as a request gives the same route, parameters and canonical URL. */
static void check_found(enum http_method method, const char *path, const char *query,
                        const struct route *r, struct route_params *p)
{
        const struct app_route *rows = page_site.routes.rows;
        const struct app_route *row = (const struct app_route *)r;
        FUZZ_CHECK(row >= rows && row < rows + page_site.routes.n && &row->route == r);
        FUZZ_CHECK(p->count <= ROUTE_MAX_IDS && p->count == pattern_ids(r->pattern));
        for (size_t i = 0; i < p->count; i++)
                FUZZ_CHECK(p->id[i] > 0);

        route_read_cursor(r, query, p);
        const struct route_cursor *c = &p->cursor;
        bool list = (r->list & (ROUTE_LIST_OLDEST_FIRST | ROUTE_LIST_NEWEST_FIRST)) != 0;
        FUZZ_CHECK(c->newest_first == ((r->list & ROUTE_LIST_NEWEST_FIRST) != 0));
        FUZZ_CHECK(c->value <= ROUTE_CURSOR_END);
        if (!list || !query)
                FUZZ_CHECK(c->value == 0 && !c->back);
        if (c->value == 0)
                FUZZ_CHECK(!c->back);

        char canon[ROUTE_CANONICAL_MAX];
        size_t n = route_canonical(r, p, canon, sizeof(canon));
        /* Every canonical URL fits in ROUTE_CANONICAL_MAX, NUL included. */
        FUZZ_CHECK(n > 0 && n < ROUTE_CANONICAL_MAX && strlen(canon) == n);
        for (size_t i = 0; i < n; i++)
                FUZZ_CHECK(canonical_char(r, canon[i]));
        const char *cq = check_canonical_query(canon);
        FUZZ_CHECK((*cq != '\0') == (c->value != 0));
        /* Ids are canonical digits: the path part is the request's path itself. */
        size_t plen = (size_t)(cq - canon);
        FUZZ_CHECK(plen == strlen(path) && memcmp(canon, path, plen) == 0);
        /* A buffer one byte short is refused, never filled with a truncated key. */
        char small[ROUTE_CANONICAL_MAX];
        FUZZ_CHECK(route_canonical(r, p, small, n) == 0);
        FUZZ_CHECK(route_canonical(r, p, small, n + 1) == n && memcmp(small, canon, n + 1) == 0);

        /* Idempotent: the canonical URL, requested, is the same page with the same URL. */
        char again_path[ROUTE_CANONICAL_MAX];
        memcpy(again_path, canon, plen);
        again_path[plen] = '\0';
        const char *again_query = *cq ? cq + 1 : NULL;
        const struct route *r2 = NULL;
        struct route_params p2;
        unsigned allowed = 0;
        FUZZ_CHECK(route_match(&page_site.routes, method, again_path, &r2, &p2, &allowed) ==
                   ROUTE_FOUND);
        FUZZ_CHECK(r2 == r && p2.count == p->count);
        FUZZ_CHECK(memcmp(p2.id, p->id, p->count * sizeof(p->id[0])) == 0);
        route_read_cursor(r2, again_query, &p2);
        FUZZ_CHECK(p2.cursor.value == c->value && p2.cursor.back == c->back &&
                   p2.cursor.newest_first == c->newest_first);
        char canon2[ROUTE_CANONICAL_MAX];
        FUZZ_CHECK(route_canonical(r2, &p2, canon2, sizeof(canon2)) == n);
        FUZZ_CHECK(memcmp(canon, canon2, n + 1) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char *target = malloc(size + 1);
        if (!target)
                return 0;
        memcpy(target, data, size);
        target[size] = '\0';
        uint32_t id;
        if (route_parse_id(target, size, &id)) {
                /* An accepted id is canonical: printing it back gives the same text. */
                char again[16];
                int n = snprintf(again, sizeof(again), "%u", id);
                FUZZ_CHECK(id > 0 && (size_t)n == size && memcmp(again, target, size) == 0);
        }
        /* As the worker gets them: the path, and the query string after the first '?'. */
        const char *path = target;
        const char *query = NULL;
        char *mark = strchr(target, '?');
        if (mark) {
                *mark = '\0';
                query = mark + 1;
        }
        const unsigned methods[] = {HTTP_GET, HTTP_HEAD, HTTP_POST, HTTP_OTHER};
        for (size_t m = 0; m < sizeof(methods) / sizeof(methods[0]); m++) {
                const struct route *r = NULL;
                struct route_params p;
                unsigned allowed = 0;
                enum route_result res = route_match(&page_site.routes, (enum http_method)methods[m],
                                                    path, &r, &p, &allowed);
                if (res == ROUTE_FOUND) {
                        FUZZ_CHECK(r && ((const struct app_route *)r)->handler);
                        check_found((enum http_method)methods[m], path, query, r, &p);
                } else if (res == ROUTE_BAD_METHOD) {
                        FUZZ_CHECK(allowed && !(allowed & methods[m]));
                        char text[64];
                        route_allow_text(allowed, text, sizeof(text));
                        FUZZ_CHECK(text[0]);
                }
        }
        free(target);
        return 0;
}
