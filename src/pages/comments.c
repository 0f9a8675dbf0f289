/* comments: GET /comments/ lists the latest comments, newest first, each with its post. */
#include "store/comments.h"
#include "pages/page.h"
#include "pages/paging.h"
#include "view/view.h"

enum http_status page_comments(struct app_request *rq, const struct route_params *p)
{
        struct view_dict *body = page_begin(rq, "Latest Comments", "comments.tpl");
        if (!body)
                return HTTP_INTERNAL_ERROR;
        struct paging pg;
        paging_init(&pg, rq, p, (unsigned)rq->http.cfg->page_comments);
        struct keyset k = paging_keyset(&pg);
        bool behind;
        enum db_status st = comments_latest(&k, &rq->rows, &behind);
        if (st != DB_OK)
                return page_db_status(st);
        paging_fetched(&pg, rq->rows.count, behind);
        const struct rowset *rs = &rq->rows;
        for (size_t i = 0; i < pg.shown; i++)
                page_set_comment(view_section(body, "COMMENT"), rs, paging_row(&pg, i), NULL);
        if (pg.shown == 0)
                view_show(body, pg.cursor ? "NOTHING_HERE" : "NO_COMMENTS");
        paging_render(&pg, body, rs, LATEST_ID, "comments");
        return page_end(rq, HTTP_OK);
}
