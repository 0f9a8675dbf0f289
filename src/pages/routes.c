/*
 * routes: every URL blogd answers, as {methods, pattern, handler, flags}; "{id}" is a canonical
 * id. The flags say which list a page shows, in which order (ROUTE_LIST_*: the router reads its
 * ?after= / ?before= for the handler and the cache key alike), and what a cacheable GET depends
 * on (CACHE_ON_*).
 */
#include "pages/page.h"

#include "cache/cache.h"

const struct route page_routes[] = {
    {HTTP_GET, "/", page_index, ROUTE_LIST_OLDEST_FIRST | CACHE_ON_POSTS},
    {HTTP_GET, "/{id}/", page_post_show, ROUTE_LIST_OLDEST_FIRST | CACHE_ON_POST | CACHE_SELF_GEN},
    /* A refused comment re-shows the post page (never cached: it carries the draft). */
    {HTTP_POST, "/{id}/", page_post_comment, ROUTE_LIST_OLDEST_FIRST},
    {HTTP_GET, "/comments/", page_comments,
     ROUTE_LIST_NEWEST_FIRST | CACHE_ON_POSTS | CACHE_ON_COMMENTS},
    {HTTP_POST, "/comments/{id}/delete", page_comment_delete, 0},
    {HTTP_GET, "/about/", page_about, CACHE_ON_POSTS},
    {HTTP_GET, "/_status/{id}", page_status, 0}, /* nginx error_page only */
};

const size_t page_routes_count = sizeof(page_routes) / sizeof(page_routes[0]);
