/* router: a table of {methods, pattern, handler}; "{id}" segments match canonical ids. */
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

struct route_params {
        uint32_t id[ROUTE_MAX_IDS]; /* in pattern order */
        size_t count;
};

struct request;
typedef enum http_status (*route_handler)(struct request *rq, const struct route_params *p);

struct route {
        unsigned methods; /* HTTP_GET implies HEAD */
        const char *pattern;
        route_handler handler;
        unsigned cache_deps; /* CACHE_ON_* bits (cache/cache.h) of a cacheable GET; 0: never */
};

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
enum route_result route_match(const struct route *table, size_t n, enum http_method method,
                              const char *path, const struct route **found,
                              struct route_params *params, unsigned *allowed);

/* Writes "GET, HEAD, POST"-style text for an Allow header. */
void route_allow_text(unsigned methods, char *out, size_t outlen);

#endif
