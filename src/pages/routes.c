/*
 * routes: every URL blogd answers, one row each: {methods, pattern, list order}, the handler,
 * what the page shows as the page cache's scopes (CACHE_ON_*; 0: never cached), who may use
 * it, and its type if it is not HTML. "{id}" is a canonical id; a list's order tells the
 * router how to read its ?after= / ?before=, for the handler and the cache key alike. A
 * signed-in author's request never meets the cache (app/dispatch.c).
 */
#include "pages/page.h"

#include "cache/cache.h"

#define ATOM "application/atom+xml; charset=utf-8"

static const struct app_route routes[] = {
    {{HTTP_GET, "/", ROUTE_LIST_OLDEST_FIRST}, page_index, CACHE_ON_POSTS, APP_ANYONE, NULL},
    {{HTTP_GET, "/{id}/", ROUTE_LIST_OLDEST_FIRST},
     page_post_show,
     CACHE_ON_POST | CACHE_SELF_GEN,
     APP_ANYONE,
     NULL},
    /* A refused comment re-shows the post page (never cached: it carries the draft). */
    {{HTTP_POST, "/{id}/", ROUTE_LIST_OLDEST_FIRST}, page_post_comment, 0, APP_ANYONE, NULL},
    {{HTTP_GET, "/comments/", ROUTE_LIST_NEWEST_FIRST},
     page_comments,
     CACHE_ON_POSTS | CACHE_ON_COMMENTS,
     APP_ANYONE,
     NULL},
    {{HTTP_POST, "/comments/{id}/delete", 0}, page_comment_delete, 0, APP_ANYONE, NULL},
    {{HTTP_GET, "/about/", 0}, page_about, CACHE_ON_POSTS, APP_ANYONE, NULL},
    {{HTTP_GET, "/feed.atom", 0}, page_feed, CACHE_ON_POSTS, APP_ANYONE, ATOM},
    {{HTTP_GET, "/login", 0}, page_login_form, 0, APP_ANYONE, NULL},
    {{HTTP_POST, "/login", 0}, page_login, 0, APP_ANYONE, NULL},
    {{HTTP_POST, "/logout", 0}, page_logout, 0, APP_ANYONE, NULL},
    {{HTTP_GET, "/admin/", ROUTE_LIST_NEWEST_FIRST}, page_admin, 0, APP_AUTHORS, NULL},
    {{HTTP_GET, "/admin/posts/new", 0}, page_post_new_form, 0, APP_AUTHORS, NULL},
    {{HTTP_POST, "/admin/posts/new", 0}, page_post_new, 0, APP_AUTHORS, NULL},
    {{HTTP_GET, "/admin/posts/{id}/edit", 0}, page_post_edit_form, 0, APP_AUTHORS, NULL},
    {{HTTP_POST, "/admin/posts/{id}/edit", 0}, page_post_edit, 0, APP_AUTHORS, NULL},
    {{HTTP_POST, "/admin/posts/{id}/delete", 0}, page_post_delete, 0, APP_AUTHORS, NULL},
    {{HTTP_GET, "/_status/{id}", 0}, page_status, 0, APP_ANYONE, NULL}, /* nginx error_page */
};

const struct app_site page_site = {ROUTE_TABLE(routes), page_error};
