/* page: the site (its route table), and what every page shares (layout, error pages, db status). */
#ifndef BLOGD_PAGE_H
#define BLOGD_PAGE_H

#include <stddef.h>

#include "app/dispatch.h"
#include "store/db.h"

struct view_dict;

/* Every URL blogd answers (routes.c), and page_error for the rest. */
extern const struct app_site page_site;

/*
 * Starts a page in the site layout: returns the dictionary of its body template, which
 * the handler fills. The title goes into <title> as "<title> - <site name>"; a page whose
 * title comes from the database passes NULL and sets "TITLE" on rq->view later.
 */
struct view_dict *page_begin(struct app_request *rq, const char *title, const char *body_template);
/* Expands the layout into rq->http.reply; returns st, or 500 if the page could not be rendered. */
enum http_status page_end(struct app_request *rq, enum http_status st);
/* Renders the error page for st (with rq->http.error, or a default message). */
void page_error(struct app_request *rq, enum http_status st);
/* The status a failed store call answers with: 503 when the database is unreachable. */
enum http_status page_db_status(enum db_status st);

/* Handlers, one file each. */
enum http_status page_index(struct app_request *rq, const struct route_params *p);
enum http_status page_post_show(struct app_request *rq, const struct route_params *p);
enum http_status page_post_comment(struct app_request *rq, const struct route_params *p);
enum http_status page_comments(struct app_request *rq, const struct route_params *p);
enum http_status page_comment_delete(struct app_request *rq, const struct route_params *p);
enum http_status page_about(struct app_request *rq, const struct route_params *p);
enum http_status page_status(struct app_request *rq, const struct route_params *p);

#endif
