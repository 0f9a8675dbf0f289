/* layout: the shared site layout, error pages, and the mapping of store failures to statuses. */
#include "pages/page.h"

#include <stdio.h>
#include <time.h>

#include "app/session.h"
#include "core/log.h"
#include "store/comments.h"
#include "view/markdown.h"
#include "view/view.h"

struct view_dict *page_begin(struct app_request *rq, const char *title, const char *body_template)
{
        if (rq->view)
                view_dict_free(rq->view);
        rq->view = view_dict_new();
        if (!rq->view)
                return NULL;
        if (title)
                view_set_str(rq->view, "TITLE", title);
        view_set_str(rq->view, "SITE_NAME", rq->http.cfg->site_name);
        if (rq->read_only)
                view_show(rq->view, "READ_ONLY");
        /* No session cookie: "Sign in", at no cost (app/session.h). */
        if (app_signed_in(rq)) {
                struct view_dict *nav = view_section(rq->view, "SIGNED_IN");
                view_set_str(nav, "AUTHOR", rq->author);
                view_set_str(nav, "CSRF", app_csrf_field(rq));
        } else {
                view_show(rq->view, "SIGN_IN");
        }
        return view_include(rq->view, "BODY", body_template);
}

/* gmtime_r and digits: the one formatter of the pages' times (strftime would load the local
 * time zone, tzset, which a UTC time never needs). */
bool page_iso_time(uint64_t unix_s, char out[PAGE_TIME_MAX])
{
        time_t t = (time_t)unix_s;
        struct tm tm;
        if (!gmtime_r(&t, &tm)) {
                snprintf(out, PAGE_TIME_MAX, "1970-01-01T00:00:00Z");
                return false;
        }
        snprintf(out, PAGE_TIME_MAX, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900,
                 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
        return true;
}

void page_set_time(struct view_dict *d, const char *prefix, uint64_t unix_s)
{
        static const char *const months[12] = {"January",   "February", "March",    "April",
                                               "May",       "June",     "July",     "August",
                                               "September", "October",  "November", "December"};
        time_t t = (time_t)unix_s;
        struct tm tm;
        char key[48], iso[PAGE_TIME_MAX], text[48];
        if (!page_iso_time(unix_s, iso) || !gmtime_r(&t, &tm))
                return;
        snprintf(text, sizeof(text), "%d %s %d", tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900);
        snprintf(key, sizeof(key), "%s_ISO", prefix);
        view_set_str(d, key, iso);
        snprintf(key, sizeof(key), "%s_TEXT", prefix);
        view_set_str(d, key, text);
}

bool page_set_body(struct view_dict *d, const char *key, const char *body, size_t len, bool raw)
{
        if (!raw) {
                view_set(d, key, body, len);
                return true;
        }
        /* Stored by plain SQL without its HTML: rendered here, the same safe way. */
        struct buf html;
        buf_init(&html);
        bool ok = markdown_to_html(body, len, &html);
        if (ok)
                view_set(d, key, html.data, html.len);
        buf_cleanup(&html);
        return ok;
}

void page_set_textarea(struct view_dict *d, const char *key, const char *text, size_t len)
{
        if (len && (text[0] == '\n' || text[0] == '\r')) {
                /* HTML drops one newline right after <textarea>: add one so the text's own
                 * first line break survives. */
                struct buf b;
                buf_init(&b);
                if (buf_append(&b, "\n", 1) && buf_append(&b, text, len))
                        view_set(d, key, b.data, b.len);
                else
                        view_set(NULL, key, text, 0); /* marks the page lost */
                buf_cleanup(&b);
        } else {
                view_set(d, key, text, len);
        }
}

enum http_status page_end(struct app_request *rq, enum http_status st)
{
        buf_reset(&rq->http.reply);
        bool ok = rq->view && view_expand("layout.tpl", rq->view, &rq->http.reply);
        view_dict_free(rq->view);
        rq->view = NULL;
        if (!ok) {
                log_error("rendering a page failed");
                buf_reset(&rq->http.reply);
                return HTTP_INTERNAL_ERROR;
        }
        rq->page_ready = true;
        return st;
}

static const char *default_message(enum http_status st)
{
        switch (st) {
        case HTTP_NOT_FOUND:
                return "There is nothing at this address.";
        case HTTP_METHOD_NOT_ALLOWED:
                return "This address does not accept that kind of request.";
        case HTTP_BAD_REQUEST:
                return "The request was malformed.";
        case HTTP_FORBIDDEN:
                return "The form has expired or was not sent from this site. Reload the page "
                       "and try again.";
        case HTTP_PAYLOAD_TOO_LARGE:
                return "The request body is too large.";
        case HTTP_UNSUPPORTED_MEDIA_TYPE:
                return "The request body has an unsupported type.";
        case HTTP_SERVICE_UNAVAILABLE:
                return "The blog is briefly unavailable. Please try again in a few seconds.";
        default:
                return "Something went wrong on our side. Please try again.";
        }
}

/* Last resort when even the templates fail: a fixed page, so the client still gets an answer. */
static void fallback_page(struct app_request *rq, enum http_status st)
{
        buf_reset(&rq->http.reply);
        buf_printf(&rq->http.reply,
                   "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>%d %s"
                   "</title></head><body><h1>%d %s</h1></body></html>",
                   (int)st, http_status_reason(st), (int)st, http_status_reason(st));
        rq->page_ready = true;
}

void page_error(struct app_request *rq, enum http_status st)
{
        char heading[64];
        snprintf(heading, sizeof(heading), "%d %s", (int)st, http_status_reason(st));
        struct view_dict *d = page_begin(rq, http_status_reason(st), "error.tpl");
        if (d) {
                view_set_str(d, "HEADING", heading);
                view_set_str(d, "MESSAGE", rq->http.error ? rq->http.error : default_message(st));
        }
        if (!d || page_end(rq, st) != st)
                fallback_page(rq, st);
}

const char *page_unsaved(enum db_status st)
{
        return st == DB_UNAVAILABLE || st == DB_IN_DOUBT
                   ? "Nothing was saved: the blog cannot take changes right now (its database "
                     "is unreachable). Your text is kept here; send it again in a minute."
                   : NULL;
}

enum http_status page_db_status(enum db_status st)
{
        return st == DB_UNAVAILABLE || st == DB_IN_DOUBT ? HTTP_SERVICE_UNAVAILABLE
                                                         : HTTP_INTERNAL_ERROR;
}

void page_set_comment(struct view_dict *d, const struct rowset *rs, size_t r, const char *csrf)
{
        if (csrf)
                view_set_str(d, "CSRF", csrf);
        size_t len;
        view_set_int(d, "ID", (long long)rowset_int(rs, r, LATEST_ID));
        const char *s = rowset_text(rs, r, LATEST_CONTENT, &len);
        view_set(d, "CONTENT", s, len);
        s = rowset_text(rs, r, LATEST_NAME, &len);
        view_set(d, "NAME", len ? s : "Anonymous", len ? len : 9);
        page_set_time(d, "CREATED", rowset_int(rs, r, LATEST_CREATED));
        view_set_int(d, "POST_ID", (long long)rowset_int(rs, r, LATEST_POST_ID));
        s = rowset_text(rs, r, LATEST_POST_TITLE, &len);
        view_set(d, "POST_TITLE", s, len);
        if (rowset_int(rs, r, LATEST_HELD))
                view_show(d, "HELD");
}
