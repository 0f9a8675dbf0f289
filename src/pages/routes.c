/*
 * routes: every URL blogd answers, one row each: {methods, pattern, list order}, its name (the
 * route label of the metrics), the handler,
 * what the page shows as the page cache's scopes (CACHE_ON_*; none: never cached), who may
 * use it (APP_AUTHORS: signed-in authors only; APP_INTERNAL: nginx's operators only), its type if
 * it is not HTML, and for a page that differs per visitor in a small part, the hooks that say so.
 * "{id}" is a canonical id; a list's order tells the router how to read its ?after= / ?before=, for
 * the handler and the cache key alike. A signed-in author's request never meets the cache
 * (app/dispatch.c).
 */
#include "pages/page.h"

#include "cache/cache.h"
#include "core/metrics.h"

#define ATOM "application/atom+xml; charset=utf-8"

static const struct app_route routes[] = {
    {.route = {HTTP_GET, "/", ROUTE_LIST_OLDEST_FIRST},
     .name = "index",
     .handler = page_index,
     .cache = CACHE_ON_POSTS},
    /* Cached for everyone who has no held comment on it; each visitor's own delete buttons
     * are added after the cache (post.c). */
    {.route = {HTTP_GET, "/{id}/", ROUTE_LIST_OLDEST_FIRST},
     .name = "post",
     .handler = page_post_show,
     .cache = CACHE_ON_POST | CACHE_SELF_GEN,
     .private_page = post_is_private,
     .for_visitor = post_for_visitor},
    /* A refused comment re-shows the post page (never cached: it carries the draft). */
    {.route = {HTTP_POST, "/{id}/", ROUTE_LIST_OLDEST_FIRST},
     .name = "comment_add",
     .handler = page_post_comment,
     .for_visitor = post_for_visitor},
    {.route = {HTTP_GET, "/comments/", ROUTE_LIST_NEWEST_FIRST},
     .name = "comments",
     .handler = page_comments,
     .cache = CACHE_ON_POSTS | CACHE_ON_COMMENTS},
    {.route = {HTTP_POST, "/comments/{id}/delete", 0},
     .name = "comment_delete",
     .handler = page_comment_delete},
    {.route = {HTTP_GET, "/about/", 0},
     .name = "about",
     .handler = page_about,
     .cache = CACHE_ON_POSTS},
    {.route = {HTTP_GET, "/feed.atom", 0},
     .name = "feed",
     .handler = page_feed,
     .cache = CACHE_ON_POSTS,
     .type = ATOM},
    {.route = {HTTP_GET, "/login", 0}, .name = "login_form", .handler = page_login_form},
    {.route = {HTTP_POST, "/login", 0}, .name = "login", .handler = page_login},
    {.route = {HTTP_POST, "/logout", 0}, .name = "logout", .handler = page_logout},
    {.route = {HTTP_GET, "/admin/", ROUTE_LIST_NEWEST_FIRST},
     .name = "admin",
     .handler = page_admin,
     .access = APP_AUTHORS},
    {.route = {HTTP_GET, "/admin/posts/new", 0},
     .name = "post_new_form",
     .handler = page_post_new_form,
     .access = APP_AUTHORS},
    {.route = {HTTP_POST, "/admin/posts/new", 0},
     .name = "post_new",
     .handler = page_post_new,
     .access = APP_AUTHORS},
    {.route = {HTTP_GET, "/admin/posts/{id}/edit", 0},
     .name = "post_edit_form",
     .handler = page_post_edit_form,
     .access = APP_AUTHORS},
    {.route = {HTTP_POST, "/admin/posts/{id}/edit", 0},
     .name = "post_edit",
     .handler = page_post_edit,
     .access = APP_AUTHORS},
    {.route = {HTTP_POST, "/admin/posts/{id}/delete", 0},
     .name = "post_delete",
     .handler = page_post_delete,
     .access = APP_AUTHORS},
    {.route = {HTTP_GET, "/admin/comments", ROUTE_LIST_NEWEST_FIRST},
     .name = "admin_comments",
     .handler = page_admin_comments,
     .access = APP_AUTHORS},
    {.route = {HTTP_POST, "/admin/comments/{id}/approve", 0},
     .name = "comment_approve",
     .handler = page_comment_approve,
     .access = APP_AUTHORS},
    /* nginx's error_page only. */
    {.route = {HTTP_GET, "/_status/{id}", 0}, .name = "error_page", .handler = page_status},
    /* The operators' (pages/ops.c): only what nginx marks internal, from its allow-list. */
    {.route = {HTTP_GET, "/_blogd/ping", 0},
     .name = "blogd_ping",
     .handler = page_ops_ping,
     .access = APP_INTERNAL,
     .type = OPS_TEXT},
    {.route = {HTTP_GET, "/_blogd/health", 0},
     .name = "blogd_health",
     .handler = page_ops_health,
     .access = APP_INTERNAL,
     .type = OPS_JSON},
    {.route = {HTTP_GET, "/_blogd/status", 0},
     .name = "blogd_status",
     .handler = page_ops_status,
     .access = APP_INTERNAL,
     .type = OPS_TEXT},
    {.route = {HTTP_GET, "/_blogd/metrics", 0},
     .name = "blogd_metrics",
     .handler = page_ops_metrics,
     .access = APP_INTERNAL,
     .type = OPS_METRICS},
};

/* Every row has its own label in the metrics, and "other" the last one. */
_Static_assert(sizeof(routes) / sizeof(routes[0]) < METRICS_ROUTES, "routes fit the metrics");

const struct app_site page_site = {ROUTE_TABLE(routes), page_error};
