/* routes: every URL blogd answers, as {methods, pattern, handler}; "{id}" is a canonical id. */
#include "pages/page.h"

const struct route page_routes[] = {
    {HTTP_GET, "/", page_index, true},
    {HTTP_GET, "/{id}/", page_post_show, true},
    {HTTP_POST, "/{id}/", page_post_comment, false},
    {HTTP_GET, "/comments/", page_comments, true},
    {HTTP_POST, "/comments/{id}/delete", page_comment_delete, false},
    {HTTP_GET, "/about/", page_about, true},
    {HTTP_GET, "/_status/{id}", page_status, false}, /* nginx error_page only */
};

const size_t page_routes_count = sizeof(page_routes) / sizeof(page_routes[0]);
