/* comments: GET /comments/ lists the latest comments, newest first, each with its post. */
#include "pages/page.h"
#include "view/view.h"

static bool add_comment(void *ctx, const struct db_value *col, size_t ncols)
{
        (void)ncols;
        struct view_dict *c = view_section(ctx, "COMMENT");
        view_set_int(c, "ID", (long long)col[0].i);
        view_set(c, "CONTENT", col[1].s, col[1].len);
        view_set_int(c, "POST_ID", (long long)col[2].i);
        view_set(c, "POST_TITLE", col[3].s, col[3].len);
        return true;
}

enum http_status page_comments(struct request *rq, const struct route_params *p)
{
        (void)p;
        struct view_dict *body = page_begin(rq, "Latest Comments", "comments.tpl");
        if (!body)
                return HTTP_INTERNAL_ERROR;
        enum db_status st = db_query(STMT_COMMENT_LIST_LATEST, NULL, 0, add_comment, body);
        if (st != DB_OK)
                return page_db_status(st);
        return page_end(rq, HTTP_OK);
}
