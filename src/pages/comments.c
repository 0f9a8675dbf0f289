/* comments: GET /comments/ lists the latest comments, newest first, each with its post. */
#include "pages/list.h"
#include "pages/page.h"
#include "view/view.h"

static const struct list_query latest = {STMT_LATEST_AFTER, STMT_LATEST_BEFORE, STMT_COMMENT_ANY_LE,
                                         STMT_COMMENT_ANY_GE, 0};

enum http_status page_comments(struct app_request *rq, const struct route_params *p)
{
        struct view_dict *body = page_begin(rq, "Latest Comments", "comments.tpl");
        if (!body)
                return HTTP_INTERNAL_ERROR;
        struct paging pg;
        paging_init(&pg, rq, p, (unsigned)rq->http.cfg->page_comments);
        enum db_status st = list_fetch(rq, &pg, &latest, false);
        if (st != DB_OK)
                return page_db_status(st);
        const struct rowset *rs = &rq->rows;
        for (size_t i = 0; i < pg.shown; i++) {
                size_t r = paging_row(&pg, i), len;
                struct view_dict *c = view_section(body, "COMMENT");
                view_set_int(c, "ID", (long long)rowset_int(rs, r, 0));
                const char *s = rowset_text(rs, r, 1, &len);
                view_set(c, "CONTENT", s, len);
                view_set_int(c, "POST_ID", (long long)rowset_int(rs, r, 2));
                s = rowset_text(rs, r, 3, &len);
                view_set(c, "POST_TITLE", s, len);
        }
        if (pg.shown == 0)
                view_show(body, pg.cursor ? "NOTHING_HERE" : "NO_COMMENTS");
        paging_render(&pg, body, rs, 0, "comments");
        return page_end(rq, HTTP_OK);
}
