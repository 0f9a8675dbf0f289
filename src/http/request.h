/*
 * request: one FastCGI request as HTTP sees it: its parameters, body, form and CSRF cookie on
 * the way in; status, headers and body on the way out, written in one go. Nothing here knows
 * what a page, a row or the page cache is: that is the application's context (app/context.h),
 * which holds one of these.
 */
#ifndef BLOGD_REQUEST_H
#define BLOGD_REQUEST_H

#include <fcgiapp.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"
#include "core/config.h"
#include "http/csrf.h"
#include "http/form.h"
#include "http/router.h"
#include "http/status.h"

#define REQUEST_ID_LEN 32

struct request {
        /* Set once per worker. */
        FCGX_Request *fcgi;
        const struct config *cfg;

        /* Input: valid only until the request is finished (libfcgi owns the strings). */
        enum http_method method;
        const char *path; /* DOCUMENT_URI: decoded and normalised by nginx */
        const char *query;
        const char *cookie; /* the Cookie header, NULL if none */
        bool https;
        char id[REQUEST_ID_LEN + 1]; /* logged, sent back as X-Request-Id, kept with a comment */
        char id_prefix[17];
        struct buf body;
        struct form form;
        char csrf_nonce[CSRF_NONCE_HEX + 1]; /* from the cookie, or made for this answer */
        bool csrf_from_cookie;
        bool csrf_set_cookie;
        char csrf_token[CSRF_TOKEN_HEX + 1]; /* computed on first use */

        /* Output. */
        struct buf reply;         /* the body (HTML) */
        struct buf head;          /* the headers, composed by request_send */
        const char *content_type; /* NULL: text/html; charset=utf-8 */
        bool private_reply;       /* for one visitor (signed in): Cache-Control private, no-store */
        long retry_after;         /* seconds for a Retry-After header (429); 0: none */
        char cookies[4608]; /* Set-Cookie lines added by request_set_cookie (the owner cookie is the
                               longest: http/owner.h) */
        char location[256]; /* redirect target */
        unsigned allow;     /* for 405 */
        const char *error;  /* message for the error page */
        bool close_connection; /* the body was not read whole: do not keep the FastCGI link */
        bool input_done;       /* FCGI_STDIN was read to its end, nothing left unread */
};

void request_init(struct request *rq, FCGX_Request *fcgi, const struct config *cfg);
void request_cleanup(struct request *rq);
/* Reads method, path and the other parameters of the request just accepted. */
void request_begin(struct request *rq, unsigned long long seq);
/* Forgets everything from the last request but keeps the buffers' memory. */
void request_reset(struct request *rq);
const char *request_param(const struct request *rq, const char *name);

/*
 * Reads and parses an application/x-www-form-urlencoded body into rq->form.
 * Returns HTTP_OK, or the status to answer: 400, 413 or 415 (with rq->error set).
 */
enum http_status request_read_form(struct request *rq);

/* request_read_form, then the CSRF check: HTTP_OK, the form's error status, or 403 (a form
 * not sent from this site). What most POST handlers begin with. */
enum http_status request_read_signed_form(struct request *rq);

/* The token every form of this answer carries (sets the cookie if the client had none). */
const char *request_csrf_token(struct request *rq);
/* Writes the client's token over every copy of placeholder (CSRF_TOKEN_HEX bytes) in the
 * reply: a page kept by the page cache carries a placeholder where each visitor's token goes. */
void request_csrf_fill(struct request *rq, const char *placeholder);
/* True if the form's csrf field matches the client's cookie. Call after request_read_form. */
bool request_csrf_ok(const struct request *rq);

/*
 * Reads whatever is left of the body and throws it away, so a kept-alive FastCGI connection
 * stays in step; every request passes through it before its answer is sent.
 */
void request_discard_body(struct request *rq);

/*
 * Adds a cookie to the answer: Path=/, HttpOnly, SameSite=Lax, Secure over HTTPS; max_age
 * seconds (0: delete it now). name and value must be cookie-safe (hex, fixed names). False if
 * it does not fit.
 */
bool request_set_cookie(struct request *rq, const char *name, const char *value, long max_age);

/* Makes a redirect answer; the target is a local path. */
enum http_status request_redirect(struct request *rq, enum http_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Builds the headers into rq->head and writes them and the reply as the whole FastCGI response,
 * end-of-request records included, in one writev (http/fcgi_out.c). */
bool request_send(struct request *rq, enum http_status st);

/* Answers nothing to the request just accepted: FCGX_Finish_r then closes its connection. */
void request_refuse(FCGX_Request *f);

#endif
