/* index: GET / lists the published posts, oldest first, a keyset page at a time. */
#include "pages/page.h"
#include "pages/paging.h"
#include "store/posts.h"
#include "view/view.h"

enum http_status page_index(struct app_request *rq, const struct route_params *p)
{
        struct view_dict *body = page_begin(rq, "Posts", "index.tpl");
        if (!body)
                return HTTP_INTERNAL_ERROR;
        struct paging pg;
        paging_init(&pg, rq, p, (unsigned)rq->http.cfg->page_posts);
        struct keyset k = paging_keyset(&pg);
        bool behind;
        enum db_status st = posts_page(&k, &rq->rows, &behind);
        if (st != DB_OK)
                return page_db_status(st);
        paging_fetched(&pg, rq->rows.count, behind);
        const struct rowset *rs = &rq->rows;
        for (size_t i = 0; i < pg.shown; i++) {
                size_t r = paging_row(&pg, i), len;
                struct view_dict *post = view_section(body, "POST");
                view_set_int(post, "ID", (long long)rowset_int(rs, r, POSTS_ID));
                const char *s = rowset_text(rs, r, POSTS_TITLE, &len);
                view_set(post, "TITLE", s, len);
                s = rowset_text(rs, r, POSTS_AUTHOR, &len);
                if (len)
                        view_set(view_section(post, "BY"), "AUTHOR", s, len);
                page_set_time(post, "PUBLISHED", rowset_int(rs, r, POSTS_PUBLISHED));
                s = rowset_text(rs, r, POSTS_BODY, &len);
                if (!page_set_body(post, "BODY", s, len, rowset_int(rs, r, POSTS_RAW) != 0))
                        return HTTP_INTERNAL_ERROR;
        }
        if (pg.shown == 0)
                view_show(body, pg.cursor ? "NOTHING_HERE" : "NO_POSTS");
        paging_render(&pg, body, rs, POSTS_ID, "posts");
        return page_end(rq, HTTP_OK);
}
