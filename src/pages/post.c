/* post: GET /<id>/ shows a post with a page of its comments; POST /<id>/ adds a comment. */
#include "pages/page.h"

#include <stdio.h>
#include <string.h>

#include "app/session.h"
#include "cache/cache.h"
#include "core/log.h"
#include "http/utf8.h"
#include "pages/paging.h"
#include "store/comments.h"
#include "store/posts.h"
#include "view/view.h"

/*
 * Renders the post page in one round trip: the post, whether its comments go on behind the
 * cursor, and one keyset page of them. After a refused comment, draft holds the text as typed
 * and problem says why, next to the form.
 */
static enum http_status render(struct app_request *rq, const struct route_params *p,
                               const struct form_field *draft, const char *problem,
                               enum http_status st)
{
        struct view_dict *body = page_begin(rq, NULL, "post.tpl");
        if (!body)
                return HTTP_INTERNAL_ERROR;
        struct paging pg;
        paging_init(&pg, rq, p, (unsigned)rq->http.cfg->page_comments);
        struct keyset k = paging_keyset(&pg);
        struct post post;
        enum db_status ds = posts_thread(p->id[0], &k, &post, &rq->rows);
        /* A draft is nobody's business but its authors': 404, as if it were not there. */
        if (ds == DB_OK && post.found && !post.published && !app_signed_in(rq))
                post.found = false;
        if (ds == DB_OK && post.found) {
                view_set_int(body, "ID", (long long)post.id);
                view_set(body, "TITLE", post.title, post.title_len);
                view_set(rq->view, "TITLE", post.title, post.title_len);
                if (!page_set_body(body, "BODY", post.body, post.body_len, post.raw))
                        return HTTP_INTERNAL_ERROR;
                if (post.author[0])
                        view_set_str(view_section(body, "BY"), "AUTHOR", post.author);
                if (post.published) {
                        page_set_time(view_section(body, "DATED"), "PUBLISHED", post.published_at);
                        view_show(body, "OPEN");
                } else {
                        view_show(body, "DRAFT");
                        view_show(body, "UNDATED");
                }
                if (app_signed_in(rq))
                        view_show(body, "CAN_EDIT");
                /* The database's sequence, read in the same snapshot as the page. */
                rq->data_gen.source = 0;
                rq->data_gen.seq[0] = rq->data_gen.seq[1] = post.seq;
                rq->has_data_gen = true;
        }
        if (ds != DB_OK)
                return page_db_status(ds);
        if (!post.found) {
                rq->http.error = "There is no such post.";
                return HTTP_NOT_FOUND;
        }
        const struct rowset *rs = &rq->rows;
        paging_fetched(&pg, rs->count, post.comments_behind);
        for (size_t i = 0; i < pg.shown; i++) {
                size_t r = paging_row(&pg, i), len;
                struct view_dict *c = view_section(body, "COMMENT");
                view_set_int(c, "ID", (long long)rowset_int(rs, r, THREAD_ID));
                const char *s = rowset_text(rs, r, THREAD_CONTENT, &len);
                view_set(c, "CONTENT", s, len);
        }
        paging_render(&pg, body, rs, THREAD_ID, "comments");
        view_set_str(body, "CSRF", app_csrf_field(rq));
        if (draft)
                page_set_textarea(body, "DRAFT_TEXT", draft->value, draft->value_len);
        if (problem) {
                view_show(body, "PROBLEM");
                view_set_str(body, "PROBLEM_TEXT", problem);
        }
        return page_end(rq, st);
}

enum http_status page_post_show(struct app_request *rq, const struct route_params *p)
{
        return render(rq, p, NULL, NULL, HTTP_OK);
}

/* A form without a valid token changes nothing: 403, or 404 when there is no such post anyway. */
static enum http_status refuse_forgery(struct app_request *rq, uint32_t post_id)
{
        bool exists = false;
        enum db_status ds = posts_exists(post_id, &exists);
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

/*
 * The connection died with the insert in flight. The comment carries this request's id, so
 * once reconnected one lookup tells whether it committed: then the answer is a 303 like any
 * other, else an error with nothing stored. Never a blind retry.
 */
static enum db_status settle_doubt(struct app_request *rq, uint64_t *id, uint64_t *count)
{
        *count = 0; /* unknown: the 303 goes to the post's first page */
        if (comments_by_key(rq->http.id, id) != DB_OK)
                return DB_UNAVAILABLE;
        log_warn("an insert lost its answer: comment %s", *id ? "was stored" : "was not stored");
        return *id ? DB_OK : DB_UNAVAILABLE;
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
        if (!cache_write_permitted())
                return page_db_status(DB_UNAVAILABLE);
        uint64_t id = 0, count = 0;
        uint64_t page = (uint64_t)rq->http.cfg->page_comments;
        enum db_status ds = comments_add(p->id[0], text, len, rq->http.id, page + 1, &id, &count);
        if (ds == DB_IN_DOUBT)
                ds = settle_doubt(rq, &id, &count);
        if (ds == DB_NO_PARENT || (ds == DB_OK && id == 0)) {
                rq->http.error = "There is no such post.";
                return HTTP_NOT_FOUND;
        }
        if (ds != DB_OK)
                return page_db_status(ds);
        cache_comment_changed(p->id[0]);
        uint64_t c = id;
        /* The page that shows it: the post itself, or the page of comments ending with it. */
        if (count <= page)
                return request_redirect(&rq->http, HTTP_SEE_OTHER, "/%lu/",
                                        (unsigned long)p->id[0]);
        return request_redirect(&rq->http, HTTP_SEE_OTHER, "/%lu/?before=%llu#c%llu",
                                (unsigned long)p->id[0], (unsigned long long)c + 1,
                                (unsigned long long)c);
}
