/* post: GET /<id>/ shows a post with a page of its comments; POST /<id>/ adds a comment. */
#include "pages/page.h"

#include <stdio.h>
#include <string.h>

#include "cache/cache.h"
#include "core/log.h"
#include "http/utf8.h"
#include "pages/list.h"
#include "view/view.h"

struct post_ctx {
        struct app_request *rq;
        struct view_dict *body;
        bool found;
        bool any_behind; /* comments behind the cursor (the probe's side) */
};

/* Rows of STMT_POST_PAGE_*: the post (kind 0) goes into the page, comments into rq->rows. */
static bool add_row(void *ctx, const struct db_value *col, size_t ncols)
{
        struct post_ctx *pc = ctx;
        if (col[0].i == 1) {
                struct db_value comment[2] = {col[1], col[3]};
                return rowset_add(&pc->rq->rows, comment, 2);
        }
        pc->found = true;
        view_set_int(pc->body, "ID", (long long)col[1].i);
        view_set(pc->body, "TITLE", col[2].s, col[2].len);
        view_set(pc->body, "CONTENT", col[3].s, col[3].len);
        view_set(pc->rq->view, "TITLE", col[2].s, col[2].len);
        pc->any_behind = col[4].i != 0;
        if (ncols > 5 && col[5].type == DB_INT) {
                pc->rq->data_gen.source = 0; /* the database's sequence */
                pc->rq->data_gen.seq[0] = pc->rq->data_gen.seq[1] = col[5].i;
                pc->rq->has_data_gen = true;
        }
        return true;
}

/*
 * Renders the post page in one round trip: the post, whether its comments go on behind the
 * cursor, and one keyset page of them. After a refused comment, draft holds the text as typed
 * and problem says why, next to the form.
 */
static enum http_status render(struct app_request *rq, const struct route_params *p,
                               const struct form_field *draft, const char *problem,
                               enum http_status st)
{
        uint32_t post_id = p->id[0];
        struct post_ctx pc = {rq, page_begin(rq, NULL, "post.tpl"), false, false};
        if (!pc.body)
                return HTTP_INTERNAL_ERROR;
        struct paging pg;
        paging_init(&pg, rq, p, (unsigned)rq->http.cfg->page_comments);
        /* The probe looks behind the cursor: ids up to it, or from it on; none is an empty
         * range. */
        uint64_t bound = 0, lo = 1, hi = 0;
        int probe = paging_probe(&pg, &bound);
        if (probe == 0) {
                lo = 0;
                hi = bound;
        } else if (probe == 1) {
                lo = bound;
                hi = PAGING_PAST_END;
        }
        struct db_value params[6] = {DB_INT_VALUE(lo),
                                     DB_INT_VALUE(hi),
                                     DB_INT_VALUE(post_id),
                                     DB_INT_VALUE(post_id),
                                     DB_INT_VALUE(paging_bound(&pg)),
                                     DB_INT_VALUE(paging_fetch_count(&pg))};
        bool up = paging_ascending_fetch(&pg);
        rowset_reset(&rq->rows);
        enum db_status ds;
        if (probe < 0 && up && paging_bound(&pg) == 0) {
                struct db_value first[3] = {DB_INT_VALUE(post_id), DB_INT_VALUE(post_id),
                                            DB_INT_VALUE(paging_fetch_count(&pg))};
                ds = db_query(STMT_POST_PAGE_FIRST, first, 3, add_row, &pc);
        } else {
                ds =
                    db_query(up ? STMT_POST_PAGE_UP : STMT_POST_PAGE_DOWN, params, 6, add_row, &pc);
        }
        if (ds != DB_OK)
                return page_db_status(ds);
        if (!pc.found) {
                rq->http.error = "There is no such post.";
                return HTTP_NOT_FOUND;
        }
        const struct rowset *rs = &rq->rows;
        rowset_sort(&rq->rows, 0, !up);
        paging_fetched(&pg, rs->count, pc.any_behind);
        for (size_t i = 0; i < pg.shown; i++) {
                size_t r = paging_row(&pg, i), len;
                struct view_dict *c = view_section(pc.body, "COMMENT");
                view_set_int(c, "ID", (long long)rowset_int(rs, r, 0));
                const char *s = rowset_text(rs, r, 1, &len);
                view_set(c, "CONTENT", s, len);
        }
        paging_render(&pg, pc.body, rs, 0, "comments");
        view_set_str(pc.body, "CSRF", app_csrf_field(rq));
        if (draft && draft->value_len && (draft->value[0] == '\n' || draft->value[0] == '\r')) {
                /* HTML drops one newline right after <textarea>: add one so the text's own
                 * first line break survives. */
                struct buf b;
                buf_init(&b);
                if (buf_append(&b, "\n", 1) && buf_append(&b, draft->value, draft->value_len))
                        view_set(pc.body, "DRAFT", b.data, b.len);
                buf_cleanup(&b);
        } else if (draft) {
                view_set(pc.body, "DRAFT", draft->value, draft->value_len);
        }
        if (problem) {
                view_show(pc.body, "PROBLEM");
                view_set_str(pc.body, "PROBLEM_TEXT", problem);
        }
        return page_end(rq, st);
}

enum http_status page_post_show(struct app_request *rq, const struct route_params *p)
{
        return render(rq, p, NULL, NULL, HTTP_OK);
}

static bool found(void *ctx, const struct db_value *col, size_t ncols)
{
        (void)col;
        (void)ncols;
        *(bool *)ctx = true;
        return false;
}

/* A form without a valid token changes nothing: 403, or 404 when there is no such post anyway. */
static enum http_status refuse_forgery(struct app_request *rq, uint32_t post_id)
{
        bool exists = false;
        struct db_value id = DB_INT_VALUE(post_id);
        enum db_status ds = db_query(STMT_POST_EXISTS, &id, 1, found, &exists);
        if (ds != DB_OK)
                return page_db_status(ds);
        if (!exists) {
                rq->http.error = "There is no such post.";
                return HTTP_NOT_FOUND;
        }
        return HTTP_FORBIDDEN;
}

static bool is_space(char c)
{
        return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

struct inserted {
        uint64_t id;    /* 0: no such post, nothing inserted */
        uint64_t count; /* the post's comments now, counted up to a page and one */
};

static bool take_inserted(void *ctx, const struct db_value *col, size_t ncols)
{
        struct inserted *ins = ctx;
        ins->id = col[0].i;
        ins->count = ncols > 1 ? col[1].i : 0;
        return false;
}

static bool take_id(void *ctx, const struct db_value *col, size_t ncols)
{
        (void)ncols;
        *(uint64_t *)ctx = col[0].i;
        return false;
}

/*
 * The connection died with the insert in flight. The comment carries this request's id, so
 * once reconnected one lookup tells whether it committed: then the answer is a 303 like any
 * other, else an error with nothing stored. Never a blind retry.
 */
static enum db_status settle_doubt(struct app_request *rq, struct inserted *ins)
{
        struct db_value key = DB_TEXT_VALUE(rq->http.id, strlen(rq->http.id));
        ins->id = 0;
        ins->count = 0; /* unknown: the 303 goes to the post's first page */
        enum db_status ds = db_query(STMT_COMMENT_BY_KEY, &key, 1, take_id, &ins->id);
        if (ds != DB_OK)
                return DB_UNAVAILABLE;
        log_warn("an insert lost its answer: comment %s",
                 ins->id ? "was stored" : "was not stored");
        return ins->id ? DB_OK : DB_UNAVAILABLE;
}

enum http_status page_post_comment(struct app_request *rq, const struct route_params *p)
{
        enum http_status hs = request_read_form(&rq->http);
        if (hs != HTTP_OK)
                return hs;
        if (!request_csrf_ok(&rq->http))
                return refuse_forgery(rq, p->id[0]);
        const struct form_field *content = form_get(&rq->http.form, "content");
        if (!content) {
                rq->http.error = "The form has no \"content\" field.";
                return HTTP_BAD_REQUEST;
        }
        size_t chars = 0;
        if (!utf8_check_text(content->value, content->value_len, &chars)) {
                rq->http.error = "The comment is not valid UTF-8 text.";
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
                return render(rq, p, content, "Please write something before sending.",
                              HTTP_UNPROCESSABLE);
        if (chars > (size_t)rq->http.cfg->max_comment_chars) {
                char why[128];
                snprintf(why, sizeof(why),
                         "The comment is %zu characters long; the limit is %ld characters.", chars,
                         rq->http.cfg->max_comment_chars);
                return render(rq, p, content, why, HTTP_UNPROCESSABLE);
        }
        struct db_value params[5] = {DB_TEXT_VALUE(text, len),
                                     DB_TEXT_VALUE(rq->http.id, strlen(rq->http.id)),
                                     DB_INT_VALUE(p->id[0]), DB_INT_VALUE(p->id[0]),
                                     DB_INT_VALUE((uint64_t)rq->http.cfg->page_comments + 1)};
        if (!cache_write_permitted())
                return page_db_status(DB_UNAVAILABLE);
        struct inserted ins = {0, 0};
        enum db_status ds = db_write(STMT_COMMENT_INSERT, params, 5, take_inserted, &ins);
        if (ds == DB_IN_DOUBT)
                ds = settle_doubt(rq, &ins);
        if (ds == DB_NO_PARENT || (ds == DB_OK && ins.id == 0)) {
                rq->http.error = "There is no such post.";
                return HTTP_NOT_FOUND;
        }
        if (ds != DB_OK)
                return page_db_status(ds);
        cache_comment_changed(p->id[0]);
        uint64_t c = ins.id;
        /* The page that shows it: the post itself, or the page of comments ending with it. */
        if (ins.count <= (uint64_t)rq->http.cfg->page_comments)
                return request_redirect(&rq->http, HTTP_SEE_OTHER, "/%lu/",
                                        (unsigned long)p->id[0]);
        return request_redirect(&rq->http, HTTP_SEE_OTHER, "/%lu/?before=%llu#c%llu",
                                (unsigned long)p->id[0], (unsigned long long)c + 1,
                                (unsigned long long)c);
}
