/* post: GET /<id>/ shows a post with its comments; POST /<id>/ adds a comment to it. */
#include "pages/page.h"

#include <stdio.h>

#include "http/utf8.h"
#include "view/view.h"

struct post_ctx {
        struct request *rq;
        struct view_dict *body;
        bool found;
};

static bool add_post(void *ctx, const struct db_value *col, size_t ncols)
{
        (void)ncols;
        struct post_ctx *pc = ctx;
        pc->found = true;
        view_set_int(pc->body, "ID", (long long)col[0].i);
        view_set(pc->body, "TITLE", col[1].s, col[1].len);
        view_set(pc->body, "CONTENT", col[2].s, col[2].len);
        view_set(pc->rq->view, "TITLE", col[1].s, col[1].len);
        return false;
}

static bool add_comment(void *ctx, const struct db_value *col, size_t ncols)
{
        (void)ncols;
        struct view_dict *c = view_section(ctx, "COMMENT");
        view_set_int(c, "ID", (long long)col[0].i);
        view_set(c, "CONTENT", col[1].s, col[1].len);
        return true;
}

/*
 * Renders the post page. After a refused comment, draft holds the text as typed and
 * problem says why, next to the form.
 */
static enum http_status render(struct request *rq, uint32_t post_id, const struct form_field *draft,
                               const char *problem, enum http_status st)
{
        struct post_ctx pc = {rq, page_begin(rq, NULL, "post.tpl"), false};
        if (!pc.body)
                return HTTP_INTERNAL_ERROR;
        struct db_value id = DB_INT_VALUE(post_id);
        enum db_status ds = db_query(STMT_POST_GET, &id, 1, add_post, &pc);
        if (ds != DB_OK)
                return page_db_status(ds);
        if (!pc.found) {
                rq->error = "There is no such post.";
                return HTTP_NOT_FOUND;
        }
        ds = db_query(STMT_COMMENT_LIST_BY_POST, &id, 1, add_comment, pc.body);
        if (ds != DB_OK)
                return page_db_status(ds);
        view_set_str(pc.body, "CSRF", request_csrf_token(rq));
        if (draft)
                view_set(pc.body, "DRAFT", draft->value, draft->value_len);
        if (problem) {
                view_show(pc.body, "PROBLEM");
                view_set_str(pc.body, "PROBLEM_TEXT", problem);
        }
        return page_end(rq, st);
}

enum http_status page_post_show(struct request *rq, const struct route_params *p)
{
        return render(rq, p->id[0], NULL, NULL, HTTP_OK);
}

static bool is_space(char c)
{
        return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static bool found(void *ctx, const struct db_value *col, size_t ncols)
{
        (void)col;
        (void)ncols;
        *(bool *)ctx = true;
        return false;
}

/* A form without a valid token changes nothing: 403, or 404 when there is no such post anyway. */
static enum http_status refuse_forgery(struct request *rq, uint32_t post_id)
{
        bool exists = false;
        struct db_value id = DB_INT_VALUE(post_id);
        enum db_status ds = db_query(STMT_POST_GET, &id, 1, found, &exists);
        if (ds != DB_OK)
                return page_db_status(ds);
        if (!exists) {
                rq->error = "There is no such post.";
                return HTTP_NOT_FOUND;
        }
        return HTTP_FORBIDDEN;
}

enum http_status page_post_comment(struct request *rq, const struct route_params *p)
{
        enum http_status hs = request_read_form(rq);
        if (hs != HTTP_OK)
                return hs;
        if (!request_csrf_ok(rq))
                return refuse_forgery(rq, p->id[0]);
        const struct form_field *content = form_get(&rq->form, "content");
        if (!content) {
                rq->error = "The form has no \"content\" field.";
                return HTTP_BAD_REQUEST;
        }
        size_t chars = 0;
        if (!utf8_check_text(content->value, content->value_len, &chars)) {
                rq->error = "The comment is not valid UTF-8 text.";
                return HTTP_BAD_REQUEST;
        }
        const char *text = content->value;
        size_t len = content->value_len;
        while (len && is_space(*text)) {
                text++;
                len--;
                chars--;
        }
        while (len && is_space(text[len - 1])) {
                len--;
                chars--;
        }
        if (len == 0)
                return render(rq, p->id[0], content, "Please write something before sending.",
                              HTTP_UNPROCESSABLE);
        if (chars > (size_t)rq->cfg->max_comment_chars) {
                char why[128];
                snprintf(why, sizeof(why),
                         "The comment is %zu characters long; the limit is %ld characters.", chars,
                         rq->cfg->max_comment_chars);
                return render(rq, p->id[0], content, why, HTTP_UNPROCESSABLE);
        }
        struct db_value params[2] = {DB_TEXT_VALUE(text, len), DB_INT_VALUE(p->id[0])};
        uint64_t affected = 0;
        enum db_status ds = db_exec(STMT_COMMENT_INSERT, params, 2, &affected, NULL);
        if (ds != DB_OK)
                return page_db_status(ds);
        if (affected == 0) {
                rq->error = "There is no such post.";
                return HTTP_NOT_FOUND;
        }
        return request_redirect(rq, HTTP_SEE_OTHER, "/%lu/", (unsigned long)p->id[0]);
}
