/* page: the site (its route table), and what every page shares (layout, error pages, db status). */
#ifndef BLOGD_PAGE_H
#define BLOGD_PAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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
/* RFC 3339 in UTC ("2026-12-01T09:30:00Z"), as <time datetime> and Atom want it. */
#define PAGE_TIME_MAX 80 /* room for any int the fields could hold */
bool page_iso_time(uint64_t unix_s, char out[PAGE_TIME_MAX]);
/* Sets PREFIX_ISO (2026-12-01T09:30:00Z, for <time datetime>) and PREFIX_TEXT (1 December
 * 2026) from Unix seconds, in UTC. */
void page_set_time(struct view_dict *d, const char *prefix, uint64_t unix_s);
/* Sets a post's HTML; raw: it is Markdown stored without its HTML, rendered now. */
bool page_set_body(struct view_dict *d, const char *key, const char *body, size_t len, bool raw);
/* Sets the text of a <textarea> so that a leading line break survives. */
void page_set_textarea(struct view_dict *d, const char *key, const char *text, size_t len);
/* Expands the layout into rq->http.reply; returns st, or 500 if the page could not be rendered. */
enum http_status page_end(struct app_request *rq, enum http_status st);
/* Renders the error page for st (with rq->http.error, or a default message). */
void page_error(struct app_request *rq, enum http_status st);
/* The status a failed store call answers with: 503 when the database is unreachable. */
enum http_status page_db_status(enum db_status st);
/* Why a form's write failed when the form is shown again with its text (a 503); NULL when
 * st is not a database that cannot take changes (the plain error page then). */
const char *page_unsaved(enum db_status st);

/* Handlers, one file each. */
enum http_status page_index(struct app_request *rq, const struct route_params *p);
enum http_status page_post_show(struct app_request *rq, const struct route_params *p);
enum http_status page_post_comment(struct app_request *rq, const struct route_params *p);
enum http_status page_comments(struct app_request *rq, const struct route_params *p);
enum http_status page_comment_delete(struct app_request *rq, const struct route_params *p);
enum http_status page_about(struct app_request *rq, const struct route_params *p);
enum http_status page_status(struct app_request *rq, const struct route_params *p);
enum http_status page_feed(struct app_request *rq, const struct route_params *p);
enum http_status page_login_form(struct app_request *rq, const struct route_params *p);
enum http_status page_login(struct app_request *rq, const struct route_params *p);
enum http_status page_logout(struct app_request *rq, const struct route_params *p);
enum http_status page_admin(struct app_request *rq, const struct route_params *p);
enum http_status page_post_new_form(struct app_request *rq, const struct route_params *p);
enum http_status page_post_new(struct app_request *rq, const struct route_params *p);
enum http_status page_post_edit_form(struct app_request *rq, const struct route_params *p);
enum http_status page_post_edit(struct app_request *rq, const struct route_params *p);
enum http_status page_post_delete(struct app_request *rq, const struct route_params *p);
enum http_status page_admin_comments(struct app_request *rq, const struct route_params *p);
enum http_status page_comment_approve(struct app_request *rq, const struct route_params *p);
/* The operators' endpoints (ops.c): /_blogd/ping, health, status, metrics. */
#define OPS_TEXT "text/plain; charset=utf-8"
#define OPS_JSON "application/json"
#define OPS_METRICS "text/plain; version=0.0.4; charset=utf-8"
enum http_status page_ops_ping(struct app_request *rq, const struct route_params *p);
enum http_status page_ops_health(struct app_request *rq, const struct route_params *p);
enum http_status page_ops_status(struct app_request *rq, const struct route_params *p);
enum http_status page_ops_metrics(struct app_request *rq, const struct route_params *p);

/* The post page's parts that are each visitor's own (post.c; struct app_route's hooks). */
bool post_is_private(struct app_request *rq, const struct route_params *p);
void post_for_visitor(struct app_request *rq, const struct route_params *p);

struct ratelimit;
/* Where comment_rate is counted: memory the master maps for the host's workers. */
void page_comment_limits(struct ratelimit *r);

/* Fills a comment of the lists (LATEST_* columns of row r) into d: ID, CONTENT, NAME,
 * CREATED_*, POST_ID, POST_TITLE, HELD, and CSRF if csrf is not NULL (its forms). */
struct rowset;
void page_set_comment(struct view_dict *d, const struct rowset *rs, size_t r, const char *csrf);

#endif
