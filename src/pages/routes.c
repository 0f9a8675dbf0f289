/* routes: every URL blogd answers, as {methods, pattern, handler}; "{id}" is a canonical id. */
#include "pages/page.h"

#include "cache/cache.h"

const struct route page_routes[] = {
    {HTTP_GET, "/", page_index, CACHE_ON_POSTS},
    {HTTP_GET, "/{id}/", page_post_show, CACHE_ON_POST | CACHE_SELF_GEN},
    {HTTP_POST, "/{id}/", page_post_comment, 0},
    {HTTP_GET, "/comments/", page_comments, CACHE_ON_POSTS | CACHE_ON_COMMENTS},
    {HTTP_POST, "/comments/{id}/delete", page_comment_delete, 0},
    {HTTP_GET, "/about/", page_about, CACHE_ON_POSTS},
    {HTTP_GET, "/_status/{id}", page_status, 0}, /* nginx error_page only */
};

const size_t page_routes_count = sizeof(page_routes) / sizeof(page_routes[0]);
