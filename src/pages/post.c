/*
 * post: GET /<id>/ shows a post with a page of its comments; POST /<id>/ adds a comment.
 * Who may delete a comment shows here: with comment_delete = anyone every comment has its
 * button; with owner (the default) authors see every button, and the browser that wrote a
 * comment gets its button after the page is taken from the cache (post_for_visitor), in the
 * place the cached page keeps for it. A held comment is shown only to authors and to the
 * browser that wrote it, whose page is then its own (post_is_private, never cached).
 */
#include "pages/page.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "app/session.h"
#include "cache/cache.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/ratelimit.h"
#include "http/owner.h"
#include "http/utf8.h"
#include "pages/paging.h"
#include "store/comments.h"
#include "store/posts.h"
#include "view/view.h"

#define NAME_MAX_CHARS 50

static struct ratelimit *comment_limits; /* shared by the host's workers (pool.c maps it) */

void page_comment_limits(struct ratelimit *r)
{
        comment_limits = r;
}

static bool delete_by_anyone(const struct config *cfg)
{
        return strcasecmp(cfg->comment_delete, "anyone") == 0;
}

/* The visitor's comments on post_id awaiting moderation: their hashes, for the thread query. */
static size_t own_held(struct app_request *rq, uint32_t post_id,
                       char hashes[THREAD_HELD_MAX][OWNER_HASH_HEX + 1], struct thread_view *v)
{
        const struct owner_list *own = app_owners(rq);
        size_t n = 0;
        for (size_t i = own->n; i-- > 0 && n < THREAD_HELD_MAX;) {
                const struct owner_entry *e = &own->e[i];
                if (e->held && e->post_id == post_id && owner_secret_hash(e->secret, hashes[n])) {
                        v->held_hash[n] = hashes[n];
                        n++;
                }
        }
        return n;
}

bool post_is_private(struct app_request *rq, const struct route_params *p)
{
        const struct owner_list *own = app_owners(rq);
        for (size_t i = 0; i < own->n; i++)
                if (own->e[i].held && own->e[i].post_id == p->id[0])
                        return true;
        return false;
}

/* A comment's button, as delete_button.tpl makes it, appended to out. */
static bool append_button(struct app_request *rq, uint64_t id, struct buf *out)
{
        struct view_dict *d = view_dict_new();
        if (!d)
                return false;
        view_set_int(d, "ID", (long long)id);
        view_set_str(d, "CSRF", app_csrf_field(rq));
        bool ok = view_expand("delete_button.tpl", d, out);
        view_dict_free(d);
        return ok;
}

/* The place post.tpl keeps for a button in owner mode. */
static const char slot_open[] = "<!--own:";

void post_for_visitor(struct app_request *rq, const struct route_params *p)
{
        if (delete_by_anyone(rq->http.cfg) || app_signed_in(rq))
                return; /* every button is in the page already */
        const struct owner_list *own = app_owners(rq);
        bool here = false;
        for (size_t i = 0; i < own->n && !here; i++)
                here = own->e[i].post_id == p->id[0];
        if (!here)
                return; /* most visitors: the page as it is, at no cost */
        struct buf *page = &rq->http.reply, out;
        buf_init(&out);
        const char *at = page->data, *end = page->data + page->len;
        bool ok = true;
        while (ok) {
                const char *slot = memmem(at, (size_t)(end - at), slot_open, sizeof(slot_open) - 1);
                if (!slot)
                        break;
                const char *digits = slot + sizeof(slot_open) - 1, *close = digits;
                while (close < end && *close >= '0' && *close <= '9')
                        close++;
                uint32_t id = 0;
                ok = buf_append(&out, at, (size_t)(slot - at));
                if (ok && end - close >= 3 && memcmp(close, "-->", 3) == 0 &&
                    route_parse_id(digits, (size_t)(close - digits), &id)) {
                        if (owner_find(own, id))
                                ok = append_button(rq, id, &out);
                        at = close + 3;
                } else {
                        ok = ok && buf_append(&out, slot, sizeof(slot_open) - 1);
                        at = slot + sizeof(slot_open) - 1;
                }
        }
        ok = ok && buf_append(&out, at, (size_t)(end - at));
        if (ok) {
                struct buf old = *page;
                *page = out;
                out = old;
        } else {
                log_error("adding a visitor's delete buttons failed: the page goes without them");
        }
        buf_cleanup(&out);
}

/*
 * Renders the post page in one round trip: the post, whether its comments go on behind the
 * cursor, and one keyset page of them. After a refused comment, draft and name hold the text
 * as typed and problem says why, next to the form.
 */
static enum http_status render(struct app_request *rq, const struct route_params *p,
                               const struct form_field *draft, const struct form_field *name,
                               const char *problem, enum http_status st)
{
        struct view_dict *body = page_begin(rq, NULL, "post.tpl");
        if (!body)
                return HTTP_INTERNAL_ERROR;
        const struct config *cfg = rq->http.cfg;
        bool author = app_signed_in(rq);
        struct paging pg;
        paging_init(&pg, rq, p, (unsigned)cfg->page_comments);
        struct keyset k = paging_keyset(&pg);
        struct thread_view v = {author, {NULL}};
        char hashes[THREAD_HELD_MAX][OWNER_HASH_HEX + 1];
        if (!author)
                own_held(rq, p->id[0], hashes, &v);
        struct post post;
        enum db_status ds = posts_thread(p->id[0], &k, &v, &post, &rq->rows);
        /* A draft is nobody's business but its authors': 404, as if it were not there. */
        if (ds == DB_OK && post.found && !post.published && !author)
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
                if (author)
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
        const char *csrf = app_csrf_field(rq);
        view_set_str(body, "CSRF", csrf);
        bool all_buttons = author || delete_by_anyone(cfg);
        struct owner_list approved = *app_owners(rq); /* the visitor's, once approved */
        bool newly_approved = false;
        const struct rowset *rs = &rq->rows;
        paging_fetched(&pg, rs->count, post.comments_behind);
        for (size_t i = 0; i < pg.shown; i++) {
                size_t r = paging_row(&pg, i), len;
                struct view_dict *c = view_section(body, "COMMENT");
                uint64_t id = rowset_int(rs, r, THREAD_ID);
                view_set_int(c, "ID", (long long)id);
                const char *s = rowset_text(rs, r, THREAD_CONTENT, &len);
                view_set(c, "CONTENT", s, len);
                s = rowset_text(rs, r, THREAD_NAME, &len);
                view_set(c, "NAME", len ? s : "Anonymous", len ? len : 9);
                page_set_time(c, "CREATED", rowset_int(rs, r, THREAD_CREATED));
                if (rowset_int(rs, r, THREAD_HELD)) {
                        view_show(c, "HELD");
                } else if (!author && v.held_hash[0]) {
                        /* A held comment of this browser's has been approved: its page need
                         * not be its own any more. */
                        for (size_t e = 0; e < approved.n; e++)
                                if (approved.e[e].held && approved.e[e].comment_id == id) {
                                        approved.e[e].held = false;
                                        newly_approved = true;
                                }
                }
                if (all_buttons) {
                        struct view_dict *b =
                            view_include(view_section(c, "DELETE"), "BUTTON", "delete_button.tpl");
                        view_set_int(b, "ID", (long long)id);
                        view_set_str(b, "CSRF", csrf);
                } else {
                        view_show(c, "OWN_SLOT");
                }
        }
        paging_render(&pg, body, rs, THREAD_ID, "comments");
        char value[OWNER_VALUE_MAX];
        if (newly_approved && owner_format(&approved, value, sizeof(value)))
                request_set_cookie(&rq->http, OWNER_COOKIE, value, OWNER_MAX_AGE_S);
        if (draft)
                page_set_textarea(body, "DRAFT_TEXT", draft->value, draft->value_len);
        if (name)
                view_set(body, "DRAFT_NAME", name->value, name->value_len);
        if (problem) {
                view_show(body, "PROBLEM");
                view_set_str(body, "PROBLEM_TEXT", problem);
        }
        return page_end(rq, st);
}

enum http_status page_post_show(struct app_request *rq, const struct route_params *p)
{
        return render(rq, p, NULL, NULL, NULL, HTTP_OK);
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

static void trim(const char **s, size_t *len, size_t *chars)
{
        while (*len && is_space(**s)) {
                (*s)++;
                (*len)--;
                (*chars)--;
        }
        while (*len && is_space((*s)[*len - 1])) {
                (*len)--;
                (*chars)--;
        }
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

/* Links a text holds, as comment_moderation = links counts them. */
static unsigned count_links(const char *s, size_t len)
{
        static const char *const starts[] = {"http://", "https://", "www."};
        unsigned n = 0;
        for (size_t i = 0; i < len; i++)
                for (size_t k = 0; k < sizeof(starts) / sizeof(starts[0]); k++) {
                        size_t m = strlen(starts[k]);
                        if (len - i >= m && strncasecmp(s + i, starts[k], m) == 0) {
                                n++;
                                i += m - 1;
                                break;
                        }
                }
        return n;
}

static bool held_for_moderation(const struct config *cfg, const char *text, size_t len)
{
        if (strcasecmp(cfg->comment_moderation, "all") == 0)
                return true;
        return strcasecmp(cfg->comment_moderation, "links") == 0 &&
               count_links(text, len) > (unsigned)cfg->moderation_links;
}

/* At most comment_rate comments a minute from one address, counted across the host's
 * workers (core/ratelimit.h); *wait: seconds until the next one is accepted. */
static bool rate_allows(struct app_request *rq, uint64_t *wait)
{
        const struct config *cfg = rq->http.cfg;
        *wait = 0;
        if (cfg->comment_rate <= 0 || !comment_limits)
                return true;
        const char *addr = request_param(&rq->http, "REMOTE_ADDR");
        /* Keyed by the CSRF secret: the table's slots cannot be aimed at from outside. */
        unsigned char key[crypto_shorthash_KEYBYTES] = {0};
        memcpy(key, cfg->csrf_secret,
               cfg->csrf_secret_len < sizeof(key) ? cfg->csrf_secret_len : sizeof(key));
        uint64_t h = 0;
        crypto_shorthash((unsigned char *)&h, (const unsigned char *)(addr ? addr : ""),
                         addr ? strlen(addr) : 0, key);
        return ratelimit_hit(comment_limits, h, (uint32_t)cfg->comment_rate, clock_now_ns(), wait);
}

/* The owner cookie with one more comment of this browser's (the oldest dropped past
 * OWNER_MAX). */
static void remember(struct app_request *rq, uint32_t comment_id, uint32_t post_id, bool held,
                     const char *secret)
{
        struct owner_list l = *app_owners(rq);
        char value[OWNER_VALUE_MAX];
        owner_add(&l, comment_id, post_id, held, secret);
        if (owner_format(&l, value, sizeof(value)))
                request_set_cookie(&rq->http, OWNER_COOKIE, value, OWNER_MAX_AGE_S);
}

enum http_status page_post_comment(struct app_request *rq, const struct route_params *p)
{
        const struct config *cfg = rq->http.cfg;
        enum http_status hs = request_read_form(&rq->http);
        if (hs != HTTP_OK)
                return hs;
        if (!request_csrf_ok(&rq->http))
                return refuse_forgery(rq, p->id[0]);
        const struct form_field *content = form_get(&rq->http.form, "content");
        const struct form_field *name = form_get(&rq->http.form, "name");
        const struct form_field *trap = form_get(&rq->http.form, "website");
        if (!content) {
                rq->http.error = "The form has no \"content\" field.";
                return HTTP_BAD_REQUEST;
        }
        size_t chars = 0, name_chars = 0;
        if (!utf8_check_text(content->value, content->value_len, &chars) ||
            (name && !utf8_check_text(name->value, name->value_len, &name_chars))) {
                rq->http.error = "The comment is not valid UTF-8 text.";
                return HTTP_BAD_REQUEST;
        }
        /* The honeypot: people never see the field, robots fill every field they find. */
        if (trap && trap->value_len)
                return render(rq, p, content, name,
                              "This comment looks automated and was not stored.",
                              HTTP_UNPROCESSABLE);
        const char *text = content->value, *who = name ? name->value : "";
        size_t len = content->value_len, who_len = name ? name->value_len : 0;
        trim(&text, &len, &chars);
        trim(&who, &who_len, &name_chars);
        if (len == 0)
                return render(rq, p, content, name, "Please write something before sending.",
                              HTTP_UNPROCESSABLE);
        if (chars > (size_t)cfg->max_comment_chars) {
                char why[128];
                snprintf(why, sizeof(why),
                         "The comment is %zu characters long; the limit is %ld characters.", chars,
                         cfg->max_comment_chars);
                return render(rq, p, content, name, why, HTTP_UNPROCESSABLE);
        }
        if (name_chars > NAME_MAX_CHARS || memchr(who, '\n', who_len) || memchr(who, '\r', who_len))
                return render(rq, p, content, name,
                              "The name must be one line of at most 50 characters.",
                              HTTP_UNPROCESSABLE);
        uint64_t wait;
        if (!rate_allows(rq, &wait)) {
                char why[160];
                snprintf(why, sizeof(why),
                         "You are commenting too fast: at most %ld comments a minute. Your text is "
                         "kept; send it again in %llu seconds.",
                         cfg->comment_rate, (unsigned long long)wait);
                rq->http.retry_after = (long)(wait ? wait : 1);
                return render(rq, p, content, name, why, HTTP_TOO_MANY_REQUESTS);
        }
        if (!cache_write_permitted())
                return render(rq, p, content, name, page_unsaved(DB_UNAVAILABLE),
                              HTTP_SERVICE_UNAVAILABLE);
        char secret[OWNER_SECRET_HEX + 1], hash[OWNER_HASH_HEX + 1];
        owner_secret_new(secret);
        if (!owner_secret_hash(secret, hash))
                return HTTP_INTERNAL_ERROR;
        struct comment_text c = {text,    who,  len,
                                 who_len, hash, held_for_moderation(cfg, text, len)};
        uint64_t id = 0, count = 0;
        uint64_t page = (uint64_t)cfg->page_comments;
        enum db_status ds = comments_add(p->id[0], &c, rq->http.id, page + 1, &id, &count);
        if (ds == DB_IN_DOUBT)
                ds = settle_doubt(rq, &id, &count);
        if (ds == DB_NO_PARENT || (ds == DB_OK && id == 0)) {
                rq->http.error = "There is no such post.";
                return HTTP_NOT_FOUND;
        }
        if (page_unsaved(ds))
                return render(rq, p, content, name, page_unsaved(ds), HTTP_SERVICE_UNAVAILABLE);
        if (ds != DB_OK)
                return page_db_status(ds);
        cache_comment_changed(p->id[0]);
        remember(rq, (uint32_t)id, p->id[0], c.held, secret);
        sodium_memzero(secret, sizeof(secret));
        /* The page that shows it: the post itself, or the page of comments ending with it
         * (count includes held comments: when some are, that page shows it all the same).
         * The insert's count does not see comments of lower ids still being inserted: on a
         * first page, their number is settled before it is named (else the page ending with
         * it, which always shows it). */
        if (count <= page && comments_rank(p->id[0], id, &count) != DB_OK)
                count = page + 1;
        if (count <= page)
                return request_redirect(&rq->http, HTTP_SEE_OTHER, "/%lu/",
                                        (unsigned long)p->id[0]);
        return request_redirect(&rq->http, HTTP_SEE_OTHER, "/%lu/?before=%llu#c%llu",
                                (unsigned long)p->id[0], (unsigned long long)id + 1,
                                (unsigned long long)id);
}
