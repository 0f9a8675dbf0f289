/*
 * context: the application's per-request context, handed to every page handler: the HTTP
 * request (http/request.h), the page being built (its layout dictionary, the rows a list
 * fetched) and what the page cache must know about the render (app/dispatch.c's policy).
 */
#ifndef BLOGD_APP_CONTEXT_H
#define BLOGD_APP_CONTEXT_H

#include <stdbool.h>
#include <stdint.h>

#include "cache/cache.h"
#include "http/owner.h"
#include "http/request.h"
#include "store/rowset.h"

struct view_dict;

struct app_request {
        struct request http;

        struct view_dict *view; /* the layout's dictionary while a page is being built */
        bool page_ready;        /* the HTML body is in http.reply */
        struct rowset rows;     /* the page of rows a list handler fetched */

        /* The page cache's side of the render (set by app/dispatch.c, read by the pages). */
        bool cache_render;    /* rendering for the cache: forms get the marker, no token */
        bool page_has_marker; /* the reply holds the marker: swap in the token before sending */
        bool has_data_gen;    /* the page's query also read its change sequences: */
        struct cache_gen data_gen; /* ... these, in the same snapshot as the data */

        /* The signed-in author (app/session.c), looked up only for a request that carries a
         * session cookie, once. */
        bool session_checked;
        bool signed_in;
        uint32_t author_id;
        char author[33];
        char session_hash[65]; /* the hash of the cookie's id, if it named a live session */

        /* With replicas: the primary was unreachable when the request began (store/replicas.h):
         * its page says the blog is read-only, and is kept apart in the cache. */
        bool read_only;

        /* The comments this browser wrote (its owner cookie), read once when first asked. */
        bool owners_read;
        struct owner_list owners;
};

/* The entries of the request's owner cookie (http/owner.h); none without the cookie. */
const struct owner_list *app_owners(struct app_request *rq);

void app_request_init(struct app_request *rq, FCGX_Request *fcgi, const struct config *cfg);
void app_request_cleanup(struct app_request *rq);
/* Forgets the last request but keeps the buffers' memory (http/request.c's rules). */
void app_request_reset(struct app_request *rq);

/* What a form's hidden csrf field holds: the client's token, or the cache's marker when the
 * page is rendered for the page cache (the token is swapped in before the reply is sent). */
const char *app_csrf_field(struct app_request *rq);

#endif
