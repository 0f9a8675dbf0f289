/* admin_comments: GET /admin/comments, every comment newest first (held ones first, when
 * moderation is on), a keyset page at a time, with Approve and Delete; POST
 * /admin/comments/<id>/approve publishes a held comment. */
#include "pages/page.h"

#include <strings.h>

#include "cache/cache.h"
#include "core/log.h"
#include "pages/paging.h"
#include "store/comments.h"
#include "view/view.h"

#define HELD_SHOWN 100

static struct rowset held_rows;
static bool held_rows_ready;

enum http_status page_admin_comments(struct app_request *rq, const struct route_params *p)
{
        struct view_dict *body = page_begin(rq, "Comments", "admin_comments.tpl");
        if (!body)
                return HTTP_INTERNAL_ERROR;
        const char *csrf = app_csrf_field(rq);
        enum db_status st;
        bool moderated = strcasecmp(rq->http.cfg->comment_moderation, "off") != 0;
        /* The held ones first, on the list's first page, whenever there are any. */
        if (!held_rows_ready) {
                rowset_init(&held_rows);
                held_rows_ready = true;
        }
        if (p->cursor.value == 0) {
                st = comments_held(HELD_SHOWN, &held_rows);
                if (st != DB_OK)
                        return page_db_status(st);
                if (moderated || held_rows.count) {
                        view_show(body, "MODERATED");
                        for (size_t r = 0; r < held_rows.count; r++)
                                page_set_comment(view_include(view_section(body, "HELD_COMMENT"),
                                                              "HELD_ROW", "admin_comment.tpl"),
                                                 &held_rows, r, csrf);
                        if (!held_rows.count)
                                view_show(body, "NO_HELD");
                }
                rowset_reset(&held_rows);
        }
        struct paging pg;
        paging_init(&pg, rq, p, (unsigned)rq->http.cfg->page_comments);
        struct keyset k = paging_keyset(&pg);
        bool behind;
        st = comments_admin_page(&k, &rq->rows, &behind);
        if (st != DB_OK)
                return page_db_status(st);
        paging_fetched(&pg, rq->rows.count, behind);
        for (size_t i = 0; i < pg.shown; i++)
                page_set_comment(
                    view_include(view_section(body, "COMMENT"), "ROW", "admin_comment.tpl"),
                    &rq->rows, paging_row(&pg, i), csrf);
        if (pg.shown == 0)
                view_show(body, pg.cursor ? "NOTHING_HERE" : "NO_COMMENTS");
        paging_render(&pg, body, &rq->rows, LATEST_ID, "comments");
        return page_end(rq, HTTP_OK);
}

enum http_status page_comment_approve(struct app_request *rq, const struct route_params *p)
{
        enum http_status hs = request_read_signed_form(&rq->http);
        if (hs != HTTP_OK)
                return hs;
        uint64_t post_id = 0;
        enum db_status st = comments_post_of(p->id[0], &post_id);
        if (st != DB_OK)
                return page_db_status(st);
        if (!post_id) {
                rq->http.error = "There is no such comment.";
                return HTTP_NOT_FOUND;
        }
        if (!cache_write_permitted())
                return page_db_status(DB_UNAVAILABLE);
        bool approved = false;
        st = comments_approve(p->id[0], &approved);
        if (st != DB_OK)
                return page_db_status(st);
        if (approved) {
                cache_comment_changed(post_id);
                log_info("%s approved comment %lu", rq->author, (unsigned long)p->id[0]);
        }
        /* Approved meanwhile by another author: what was asked for holds. */
        return request_redirect(&rq->http, HTTP_SEE_OTHER, "/admin/comments");
}
