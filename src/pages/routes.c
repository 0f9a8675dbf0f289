/*
 * routes: every URL blogd answers, one row each: {methods, pattern, list order}, the handler,
 * and what the page shows as the page cache's scopes (CACHE_ON_*; 0: never cached). "{id}" is
 * a canonical id; a list's order tells the router how to read its ?after= / ?before=, for the
 * handler and the cache key alike.
 */
#include "pages/page.h"

#include "cache/cache.h"

static const struct app_route routes[] = {
    {{HTTP_GET, "/", ROUTE_LIST_OLDEST_FIRST}, page_index, CACHE_ON_POSTS},
    {{HTTP_GET, "/{id}/", ROUTE_LIST_OLDEST_FIRST}, page_post_show, CACHE_ON_POST | CACHE_SELF_GEN},
    /* A refused comment re-shows the post page (never cached: it carries the draft). */
    {{HTTP_POST, "/{id}/", ROUTE_LIST_OLDEST_FIRST}, page_post_comment, 0},
    {{HTTP_GET, "/comments/", ROUTE_LIST_NEWEST_FIRST},
     page_comments,
     CACHE_ON_POSTS | CACHE_ON_COMMENTS},
    {{HTTP_POST, "/comments/{id}/delete", 0}, page_comment_delete, 0},
    {{HTTP_GET, "/about/", 0}, page_about, CACHE_ON_POSTS},
    {{HTTP_GET, "/_status/{id}", 0}, page_status, 0}, /* nginx error_page only */
};

const struct app_site page_site = {ROUTE_TABLE(routes), page_error};
