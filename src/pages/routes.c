/* routes: every URL blogd answers, as {methods, pattern, handler}; "{id}" is a canonical id. */
#include "pages/page.h"

const struct route page_routes[] = {
    {HTTP_GET, "/", page_index},
    {HTTP_GET, "/{id}/", page_post_show},
    {HTTP_POST, "/{id}/", page_post_comment},
    {HTTP_GET, "/comments/", page_comments},
    {HTTP_POST, "/comments/{id}/delete", page_comment_delete},
    {HTTP_GET, "/about/", page_about},
};

const size_t page_routes_count = sizeof(page_routes) / sizeof(page_routes[0]);
