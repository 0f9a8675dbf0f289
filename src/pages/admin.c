/* admin: GET /admin/, the author's home: every post (drafts too), newest first, a keyset page
 * at a time, each with Edit and Delete; "New post"; the latest comments, each with Delete. */
#include "pages/page.h"

#include "pages/paging.h"
#include "store/comments.h"
#include "store/posts.h"
#include "view/view.h"

#define ADMIN_COMMENTS 20

/* The comments' rows: the page's own rowset holds the posts (one request at a time). */
static struct rowset comment_rows;
static bool comment_rows_ready;

static enum db_status show_comments(struct view_dict *body, const char *csrf)
{
        if (!comment_rows_ready) {
                rowset_init(&comment_rows);
                comment_rows_ready = true;
        }
        enum db_status st = comments_recent(ADMIN_COMMENTS, &comment_rows);
        if (st != DB_OK)
                return st;
        const struct rowset *rs = &comment_rows;
        for (size_t r = 0; r < rs->count; r++) {
                struct view_dict *c = view_section(body, "COMMENT");
                page_set_comment(view_include(c, "ROW", "admin_comment.tpl"), rs, r, csrf);
        }
        if (rs->count == 0)
                view_show(body, "NO_COMMENTS");
        rowset_reset(&comment_rows);
        return DB_OK;
}

enum http_status page_admin(struct app_request *rq, const struct route_params *p)
{
        struct view_dict *body = page_begin(rq, "Admin", "admin.tpl");
        if (!body)
                return HTTP_INTERNAL_ERROR;
        struct paging pg;
        paging_init(&pg, rq, p, (unsigned)rq->http.cfg->page_posts);
        struct keyset k = paging_keyset(&pg);
        bool behind;
        enum db_status st = posts_admin_page(&k, &rq->rows, &behind);
        if (st != DB_OK)
                return page_db_status(st);
        paging_fetched(&pg, rq->rows.count, behind);
        const struct rowset *rs = &rq->rows;
        for (size_t i = 0; i < pg.shown; i++) {
                size_t r = paging_row(&pg, i), len;
                struct view_dict *post = view_section(body, "POST");
                view_set_int(post, "ID", (long long)rowset_int(rs, r, ADMIN_ID));
                const char *s = rowset_text(rs, r, ADMIN_TITLE, &len);
                view_set(post, "TITLE", s, len);
                s = rowset_text(rs, r, ADMIN_AUTHOR, &len);
                if (len)
                        view_set(view_section(post, "BY"), "AUTHOR", s, len);
                view_show(post, rowset_int(rs, r, ADMIN_PUBLISHED) ? "IS_PUBLISHED" : "IS_DRAFT");
                page_set_time(post, "UPDATED", rowset_int(rs, r, ADMIN_UPDATED));
        }
        if (pg.shown)
                view_show(body, "HAS_POSTS");
        else
                view_show(body, pg.cursor ? "NOTHING_HERE" : "NO_POSTS");
        paging_render(&pg, body, rs, ADMIN_ID, "posts");
        const char *csrf = app_csrf_field(rq);
        view_set_str(body, "CSRF", csrf);
        st = show_comments(body, csrf);
        if (st != DB_OK)
                return page_db_status(st);
        return page_end(rq, HTTP_OK);
}
