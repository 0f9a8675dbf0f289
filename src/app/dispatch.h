/*
 * dispatch: where a request goes. The site's route table (pages/routes.c) maps each URL to a
 * handler and says, beside the route, what the page's cache depends on; app_serve routes one
 * request, answers it from the page cache or through its handler, renders the error page
 * when the handler made none, and sends the reply.
 */
#ifndef BLOGD_APP_DISPATCH_H
#define BLOGD_APP_DISPATCH_H

#include "app/context.h"
#include "core/scoreboard.h"
#include "http/router.h"

typedef enum http_status (*app_handler)(struct app_request *rq, const struct route_params *p);

/* One row of the site's table: the router's part first (http/router.h reads only that). */
struct app_route {
        struct route route;  /* methods, pattern, list order */
        const char *name;    /* the route's label in the metrics (a bounded set: this table) */
        app_handler handler; /* answers the request, or returns the status of an error page */
        unsigned cache;      /* CACHE_ON_* (cache/cache.h) if a cacheable GET; 0: never cached */
        unsigned access;     /* APP_ANYONE, or APP_AUTHORS: signed-in authors only */
        const char *type;    /* the Content-Type of its page (cached or not); NULL: HTML */
        /* Optional, for a page that differs per visitor in a small part: */
        /* true: this visitor's page is theirs alone (rendered for them, never the cache's) */
        bool (*private_page)(struct app_request *rq, const struct route_params *p);
        /* adds what is this visitor's alone to a page ready to send (from the cache or not) */
        void (*for_visitor)(struct app_request *rq, const struct route_params *p);
};

#define APP_ANYONE 0u
/* Anyone else is sent to /login?next=... (303), whatever the method: nothing runs. */
#define APP_AUTHORS 1u
/* Only requests nginx marks as its operators' (the FastCGI parameter BLOGD_INTERNAL = 1, set
 * in the allow-listed /_blogd/ location alone); to anything else the route does not exist. */
#define APP_INTERNAL 2u
#define APP_INTERNAL_PARAM "BLOGD_INTERNAL"

/* The metrics' label of a request no route matched. */
#define APP_ROUTE_OTHER "other"

/* What a site is made of: its routes, and how it renders an error page for a status. */
struct app_site {
        struct route_table routes; /* of struct app_route */
        void (*error_page)(struct app_request *rq, enum http_status st);
};

/*
 * Serves the request just accepted: reads it, routes it, runs its handler (through the page
 * cache for a cacheable GET), sends the reply and resets rq for the next one. The scoreboard
 * slot (may be NULL) shows what is being served; seq numbers the worker's requests.
 */
void app_serve(struct app_request *rq, const struct app_site *site, struct score *score,
               unsigned long long seq);

#endif
