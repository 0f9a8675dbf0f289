/*
 * router: matches a method and a path against a table of {methods, pattern, list order};
 * "{id}" segments match canonical ids. The table's rows are the application's (app/): each
 * begins with a struct route and goes on with what the router does not need to know (the
 * handler, the page's cache scopes), so one table says everything about a URL and the router
 * stays HTTP only (nginx's ngx_command_t rows are read the same way, by offset).
 * A route that shows a keyset-paged list declares its order, and the router reads the page
 * asked for (?after= / ?before=) with the one function that does (route_read_cursor): the
 * handler renders from what it read, and the page cache keys the page by it (route_canonical),
 * so the two cannot disagree and nothing else in the URL counts.
 */
#ifndef BLOGD_ROUTER_H
#define BLOGD_ROUTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "http/status.h"

enum http_method {
        HTTP_GET = 1u << 0,
        HTTP_HEAD = 1u << 1,
        HTTP_POST = 1u << 2,
        HTTP_OTHER = 1u << 3,
};

#define ROUTE_MAX_IDS 2

/* The order of a route that shows a keyset-paged list (struct route.list). */
#define ROUTE_LIST_OLDEST_FIRST 1u /* ?after= pages forward ("next"), ?before= back */
#define ROUTE_LIST_NEWEST_FIRST 2u /* ?before= pages forward, ?after= back */
/* A cursor is an id or one past the largest id (ids are 32-bit): 1 to ROUTE_CURSOR_END. */
#define ROUTE_CURSOR_END ((uint64_t)1 << 32)
/* Room for any canonical URL of a route (route_canonical). */
#define ROUTE_CANONICAL_MAX 128

/* The page of a list a request asks for. */
struct route_cursor {
        bool newest_first; /* the list's display order (from the route's flags) */
        bool back;         /* the page before the cursor (reached by a "previous" link) */
        uint64_t value;    /* the exclusive id bound; 0: the list's first page */
};

struct route_params {
        uint32_t id[ROUTE_MAX_IDS]; /* in pattern order */
        size_t count;
        struct route_cursor cursor; /* set by route_read_cursor */
};

struct route {
        unsigned methods; /* HTTP_GET implies HEAD */
        const char *pattern;
        unsigned list; /* ROUTE_LIST_* if the page is a paged list, else 0 */
};

/* A table of n rows of stride bytes, each beginning with a struct route. */
struct route_table {
        const void *rows;
        size_t n, stride;
};

#define ROUTE_TABLE(array)                                                                         \
        ((struct route_table){(array), sizeof(array) / sizeof((array)[0]), sizeof((array)[0])})

enum route_result { ROUTE_FOUND, ROUTE_NOT_FOUND, ROUTE_BAD_METHOD };

enum http_method http_method_parse(const char *s);

/*
 * An id is 1 to 10 digits, no sign, no leading zero, and at most UINT32_MAX:
 * "/1abc/", "/01/", "/0/" and "/99999999999/" are not ids.
 */
bool route_parse_id(const char *s, size_t len, uint32_t *out);

/*
 * Finds the route for method + path. On ROUTE_BAD_METHOD, *allowed holds the methods the
 * path does accept (for the Allow header).
 */
enum route_result route_match(const struct route_table *t, enum http_method method,
                              const char *path, const struct route **found,
                              struct route_params *params, unsigned *allowed);

/*
 * Reads the cursor of a route with a ROUTE_LIST_* order from the raw query string into
 * p->cursor (any other route: the first page). Only the forward parameter counts when both
 * are there; anything unreadable (junk, bad encoding, a duplicate, a non-canonical or
 * out-of-range number, a query over 255 bytes) means the first page. Other parameters are
 * ignored.
 */
void route_read_cursor(const struct route *r, const char *query, struct route_params *p);

/*
 * The canonical URL of the page r shows for p: the pattern with its ids, and the cursor if
 * it is not the first page ("/2/", "/2/?after=5", "/comments/?before=9"). Two requests get
 * the same text exactly when route and parameters are the same. Returns its length, or 0 if
 * it does not fit in cap (ROUTE_CANONICAL_MAX always does).
 */
size_t route_canonical(const struct route *r, const struct route_params *p, char *out, size_t cap);

/* Writes "GET, HEAD, POST"-style text for an Allow header. */
void route_allow_text(unsigned methods, char *out, size_t outlen);

#endif
