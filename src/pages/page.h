/* page: the route table, and what every page shares (layout, error pages, db status). */
#ifndef BLOGD_PAGE_H
#define BLOGD_PAGE_H

#include <stddef.h>

#include "http/request.h"
#include "store/db.h"

struct view_dict;

extern const struct route page_routes[];
extern const size_t page_routes_count;

/*
 * Starts a page in the site layout: returns the dictionary of its body template, which
 * the handler fills. The title goes into <title> as "<title> - <site name>"; a page whose
 * title comes from the database passes NULL and sets "TITLE" on rq->view later.
 */
struct view_dict *page_begin(struct request *rq, const char *title, const char *body_template);
/* Expands the layout into rq->page; returns st, or 500 if the page could not be rendered. */
enum http_status page_end(struct request *rq, enum http_status st);
/* Renders the error page for st (with rq->error, or a default message). */
void page_error(struct request *rq, enum http_status st);
/* The status a failed store call answers with: 503 when the database is unreachable. */
enum http_status page_db_status(enum db_status st);

/* Handlers, one file each. */
enum http_status page_index(struct request *rq, const struct route_params *p);
enum http_status page_post_show(struct request *rq, const struct route_params *p);
enum http_status page_post_comment(struct request *rq, const struct route_params *p);
enum http_status page_comments(struct request *rq, const struct route_params *p);
enum http_status page_comment_delete(struct request *rq, const struct route_params *p);
enum http_status page_about(struct request *rq, const struct route_params *p);
enum http_status page_status(struct request *rq, const struct route_params *p);

#endif
