/* index: GET / lists the posts, oldest first, a keyset page at a time. */
#include "pages/list.h"
#include "pages/page.h"
#include "view/view.h"

static const struct list_query posts = {STMT_POST_PAGE_AFTER, STMT_POST_PAGE_BEFORE,
                                        STMT_POST_ANY_LE, STMT_POST_ANY_GE, 0};

enum http_status page_index(struct app_request *rq, const struct route_params *p)
{
        struct view_dict *body = page_begin(rq, "Posts", "index.tpl");
        if (!body)
                return HTTP_INTERNAL_ERROR;
        struct paging pg;
        paging_init(&pg, rq, p, (unsigned)rq->http.cfg->page_posts);
        enum db_status st = list_fetch(rq, &pg, &posts, false);
        if (st != DB_OK)
                return page_db_status(st);
        const struct rowset *rs = &rq->rows;
        for (size_t i = 0; i < pg.shown; i++) {
                size_t r = paging_row(&pg, i), len;
                struct view_dict *post = view_section(body, "POST");
                view_set_int(post, "ID", (long long)rowset_int(rs, r, 0));
                const char *s = rowset_text(rs, r, 1, &len);
                view_set(post, "TITLE", s, len);
                s = rowset_text(rs, r, 2, &len);
                view_set(post, "CONTENT", s, len);
        }
        if (pg.shown == 0)
                view_show(body, pg.cursor ? "NOTHING_HERE" : "NO_POSTS");
        paging_render(&pg, body, rs, 0, "posts");
        return page_end(rq, HTTP_OK);
}
