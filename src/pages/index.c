/* index: GET / lists the posts, oldest first. */
#include "pages/page.h"
#include "view/view.h"

static bool add_post(void *ctx, const struct db_value *col, size_t ncols)
{
        (void)ncols;
        struct view_dict *post = view_section(ctx, "POST");
        view_set_int(post, "ID", (long long)col[0].i);
        view_set(post, "TITLE", col[1].s, col[1].len);
        view_set(post, "CONTENT", col[2].s, col[2].len);
        return true;
}

enum http_status page_index(struct request *rq, const struct route_params *p)
{
        (void)p;
        struct view_dict *body = page_begin(rq, "Posts", "index.tpl");
        if (!body)
                return HTTP_INTERNAL_ERROR;
        enum db_status st = db_query(STMT_POST_LIST, NULL, 0, add_post, body);
        if (st != DB_OK)
                return page_db_status(st);
        return page_end(rq, HTTP_OK);
}
