/*
 * editor: a post's title, Markdown and status. GET/POST /admin/posts/new creates a post;
 * GET/POST /admin/posts/<id>/edit changes one, but only over the version the form was made
 * from: a save over a newer version (two tabs, two authors) answers 409 with the typed text
 * kept and the newer text shown, never overwriting it. The Markdown is rendered to HTML here,
 * once, when it is saved (view/markdown.h).
 */
#include "pages/page.h"

#include <stdio.h>
#include <string.h>

#include "cache/cache.h"
#include "core/digits.h"
#include "core/log.h"
#include "http/utf8.h"
#include "store/posts.h"
#include "view/markdown.h"
#include "view/view.h"

#define TITLE_MAX_CHARS 100

/* The form as typed (pointers into the request's form), or as stored. */
struct fields {
        const char *title, *content;
        size_t title_len, content_len;
        bool published;
        bool status_known; /* false: neither draft nor published was sent */
};

struct shown {
        const char *heading, *action, *cancel;
        bool versioned;
        uint64_t version;
        const char *problem;
        const struct post_source *newer; /* a 409: what was saved meanwhile */
};

static enum http_status show(struct app_request *rq, const struct fields *f, const struct shown *s,
                             enum http_status st)
{
        struct view_dict *body = page_begin(rq, s->heading, "editor.tpl");
        if (!body)
                return HTTP_INTERNAL_ERROR;
        view_set_str(body, "HEADING", s->heading);
        view_set_str(body, "ACTION", s->action);
        view_set_str(body, "CANCEL", s->cancel);
        view_set_str(body, "CSRF", app_csrf_field(rq));
        if (s->versioned) {
                view_show(body, "VERSIONED");
                view_set_int(body, "VERSION", (long long)s->version);
        }
        view_set(body, "POST_TITLE", f->title, f->title_len);
        page_set_textarea(body, "CONTENT", f->content, f->content_len);
        view_show(body, f->published ? "IS_PUBLISHED" : "IS_DRAFT");
        if (s->problem) {
                view_show(body, "PROBLEM");
                view_set_str(body, "PROBLEM_TEXT", s->problem);
        }
        if (s->newer) {
                struct view_dict *n = view_section(body, "NEWER");
                view_set(n, "NEWER_TITLE", s->newer->title, s->newer->title_len);
                view_set(n, "NEWER_CONTENT", s->newer->content, s->newer->content_len);
        }
        return page_end(rq, st);
}

static bool is_space(char c)
{
        return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static void trim(const char **s, size_t *len)
{
        while (*len && is_space(**s)) {
                (*s)++;
                (*len)--;
        }
        while (*len && is_space((*s)[*len - 1]))
                (*len)--;
}

/*
 * Reads the posted fields into f. Returns 0 when they can be saved; otherwise the status to
 * answer: 400 (not UTF-8 text, a field missing: rq->http.error says which) or 422 (*problem
 * says why; the form is shown again with the text kept).
 */
static enum http_status read_fields(struct app_request *rq, struct fields *f, const char **problem)
{
        const struct form *form = &rq->http.form;
        const struct form_field *title = form_get(form, "title");
        const struct form_field *content = form_get(form, "content");
        const struct form_field *status = form_get(form, "status");
        *f = (struct fields){0};
        *problem = NULL;
        if (!title || !content) {
                rq->http.error = "The form needs a \"title\" and a \"content\" field.";
                return HTTP_BAD_REQUEST;
        }
        size_t title_chars, content_chars;
        if (!utf8_check_text(title->value, title->value_len, &title_chars) ||
            !utf8_check_text(content->value, content->value_len, &content_chars)) {
                rq->http.error = "The title or the text is not valid UTF-8 text.";
                return HTTP_BAD_REQUEST;
        }
        f->title = title->value;
        f->title_len = title->value_len;
        f->content = content->value;
        f->content_len = content->value_len;
        if (status && status->value_len == 9 && memcmp(status->value, "published", 9) == 0)
                f->published = f->status_known = true;
        else if (status && status->value_len == 5 && memcmp(status->value, "draft", 5) == 0)
                f->status_known = true;
        const char *t = f->title, *c = f->content;
        size_t tl = f->title_len, cl = f->content_len;
        trim(&t, &tl);
        trim(&c, &cl);
        size_t chars = 0;
        utf8_check_text(t, tl, &chars);
        if (tl == 0)
                *problem = "Please give the post a title.";
        else if (chars > TITLE_MAX_CHARS)
                *problem = "The title is longer than 100 characters.";
        else if (memchr(t, '\n', tl) || memchr(t, '\r', tl) || memchr(t, '\t', tl))
                *problem = "The title must be one line.";
        else if (cl == 0)
                *problem = "Please write the post's text.";
        else if (!f->status_known)
                *problem = "The status must be draft or published.";
        if (*problem)
                return HTTP_UNPROCESSABLE;
        /* What is stored: the title without the blanks around it, the text without those
         * after it (leading spaces are Markdown: four make a code block). */
        f->title = t;
        f->title_len = tl;
        while (f->content_len && is_space(f->content[f->content_len - 1]))
                f->content_len--;
        return HTTP_OK;
}

/* The HTML of f's Markdown, made once here and stored with it. */
static struct buf html;

static bool render(const struct fields *f, struct post_text *out)
{
        buf_reset(&html);
        if (!markdown_to_html(f->content, f->content_len, &html))
                return false;
        *out = (struct post_text){f->title,     f->content,     html.data ? html.data : "",
                                  f->title_len, f->content_len, html.len,
                                  f->published};
        return true;
}

static void forget_html(void)
{
        /* A huge post's HTML is not kept past its request. */
        if (html.cap > 256 * 1024)
                buf_cleanup(&html);
}

enum http_status page_post_new_form(struct app_request *rq, const struct route_params *p)
{
        (void)p;
        struct fields f = {0};
        struct shown s = {"New post", "/admin/posts/new", "/admin/", false, 0, NULL, NULL};
        return show(rq, &f, &s, HTTP_OK);
}

enum http_status page_post_new(struct app_request *rq, const struct route_params *p)
{
        (void)p;
        enum http_status hs = request_read_signed_form(&rq->http);
        if (hs != HTTP_OK)
                return hs;
        struct fields f;
        struct shown s = {"New post", "/admin/posts/new", "/admin/", false, 0, NULL, NULL};
        hs = read_fields(rq, &f, &s.problem);
        if (hs == HTTP_UNPROCESSABLE)
                return show(rq, &f, &s, hs);
        if (hs != HTTP_OK)
                return hs;
        struct post_text t;
        if (!render(&f, &t))
                return HTTP_INTERNAL_ERROR;
        uint64_t id = 0;
        enum db_status st =
            cache_write_permitted() ? posts_add(rq->author_id, &t, &id) : DB_UNAVAILABLE;
        forget_html();
        if (page_unsaved(st)) {
                s.problem = page_unsaved(st);
                return show(rq, &f, &s, HTTP_SERVICE_UNAVAILABLE);
        }
        if (st != DB_OK)
                return page_db_status(st);
        cache_post_changed(id);
        log_info("%s wrote post %llu (%s)", rq->author, (unsigned long long)id,
                 f.published ? "published" : "draft");
        return request_redirect(&rq->http, HTTP_SEE_OTHER, "/%llu/", (unsigned long long)id);
}

static void edit_shown(struct shown *s, uint32_t id, char *action, size_t cap)
{
        snprintf(action, cap, "/admin/posts/%lu/edit", (unsigned long)id);
        *s = (struct shown){"Edit post", action, "/admin/", true, 0, NULL, NULL};
}

enum http_status page_post_edit_form(struct app_request *rq, const struct route_params *p)
{
        struct post_source src;
        enum db_status st = posts_source(p->id[0], &src);
        if (st != DB_OK)
                return page_db_status(st);
        if (!src.found) {
                rq->http.error = "There is no such post.";
                return HTTP_NOT_FOUND;
        }
        char action[64];
        struct shown s;
        edit_shown(&s, src.id, action, sizeof(action));
        s.version = src.version;
        struct fields f = {src.title,       src.content,   src.title_len,
                           src.content_len, src.published, true};
        return show(rq, &f, &s, HTTP_OK);
}

enum http_status page_post_edit(struct app_request *rq, const struct route_params *p)
{
        enum http_status hs = request_read_signed_form(&rq->http);
        if (hs != HTTP_OK)
                return hs;
        char action[64];
        struct shown s;
        edit_shown(&s, p->id[0], action, sizeof(action));
        const struct form_field *v = form_get(&rq->http.form, "version");
        uint64_t version;
        if (!v || !digits_parse(v->value, v->value_len, UINT32_MAX, &version)) {
                rq->http.error = "The form has no valid \"version\" field.";
                return HTTP_BAD_REQUEST;
        }
        s.version = version;
        struct fields f;
        hs = read_fields(rq, &f, &s.problem);
        if (hs == HTTP_UNPROCESSABLE) {
                /* Said about a post that is gone, the problem is moot. */
                struct post_source src;
                enum db_status st = posts_source(p->id[0], &src);
                if (st != DB_OK)
                        return page_db_status(st);
                if (!src.found) {
                        rq->http.error = "There is no such post.";
                        return HTTP_NOT_FOUND;
                }
                return show(rq, &f, &s, hs);
        }
        if (hs != HTTP_OK)
                return hs;
        struct post_text t;
        if (!render(&f, &t))
                return HTTP_INTERNAL_ERROR;
        bool saved = false;
        enum db_status st =
            cache_write_permitted() ? posts_update(p->id[0], version, &t, &saved) : DB_UNAVAILABLE;
        forget_html();
        if (page_unsaved(st)) {
                s.problem = page_unsaved(st);
                return show(rq, &f, &s, HTTP_SERVICE_UNAVAILABLE);
        }
        if (st != DB_OK)
                return page_db_status(st);
        if (saved) {
                cache_post_changed(p->id[0]);
                log_info("%s edited post %lu", rq->author, (unsigned long)p->id[0]);
                return request_redirect(&rq->http, HTTP_SEE_OTHER, "/%lu/",
                                        (unsigned long)p->id[0]);
        }
        /* Not saved: the post is gone, or it is at another version than the form's. */
        struct post_source src;
        st = posts_source(p->id[0], &src);
        if (st != DB_OK)
                return page_db_status(st);
        if (!src.found) {
                rq->http.error = "There is no such post: it was deleted.";
                return HTTP_NOT_FOUND;
        }
        /* The form now carries the newer version: saving again is a decision, not an accident. */
        s.version = src.version;
        s.problem = "This post was changed since you opened it. Your text is kept below the "
                    "title; the version saved meanwhile is shown under the form.";
        s.newer = &src;
        return show(rq, &f, &s, HTTP_CONFLICT);
}
