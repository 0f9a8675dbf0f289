/* request: one FastCGI request as HTTP sees it: parameters, body, form, CSRF; the reply. */
#include "http/request.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "core/digits.h"
#include "core/hex.h"
#include "core/log.h"
#include "core/scoreboard.h"
#include "http/cookie.h"
#include "http/fcgi_out.h"

/* Buffers that grew past this for one big request are given back after it. */
#define KEEP_BYTES (256 * 1024)

/* A response waits at most this long for the socket to take more bytes. */
#define WRITE_STALL_MS 10000

/* Past this much, an over-large body is not drained but the FastCGI connection is dropped. */
#define DRAIN_LIMIT (64L * 1024 * 1024)

void request_init(struct request *rq, FCGX_Request *fcgi, const struct config *cfg)
{
        memset(rq, 0, sizeof(*rq));
        rq->fcgi = fcgi;
        rq->cfg = cfg;
        buf_init(&rq->body);
        buf_init(&rq->reply);
        buf_init(&rq->head);
        /* Ids made here (no nginx $request_id) are unique: a random prefix per worker. */
        unsigned char r[8];
        randombytes_buf(r, sizeof(r));
        sodium_bin2hex(rq->id_prefix, sizeof(rq->id_prefix), r, sizeof(r));
}

void request_cleanup(struct request *rq)
{
        request_reset(rq);
        buf_cleanup(&rq->body);
        buf_cleanup(&rq->reply);
        buf_cleanup(&rq->head);
}

void request_reset(struct request *rq)
{
        rq->method = HTTP_OTHER;
        rq->path = rq->query = rq->cookie = NULL;
        rq->https = false;
        rq->id[0] = '\0';
        /* Buffers that grew for one huge request are given back, so a worker's RSS stays flat. */
        if (rq->body.cap > KEEP_BYTES)
                buf_cleanup(&rq->body);
        if (rq->reply.cap > KEEP_BYTES)
                buf_cleanup(&rq->reply);
        if (rq->head.cap > KEEP_BYTES)
                buf_cleanup(&rq->head);
        buf_reset(&rq->body);
        buf_reset(&rq->reply);
        buf_reset(&rq->head);
        rq->form.count = 0;
        rq->location[0] = '\0';
        rq->content_type = NULL;
        rq->private_reply = false;
        rq->retry_after = 0;
        rq->cookies[0] = '\0';
        rq->allow = 0;
        rq->error = NULL;
        rq->close_connection = false;
        rq->input_done = false;
        rq->csrf_nonce[0] = '\0';
        rq->csrf_token[0] = '\0';
        rq->csrf_from_cookie = false;
        rq->csrf_set_cookie = false;
}

const char *request_param(const struct request *rq, const char *name)
{
        return FCGX_GetParam(name, rq->fcgi->envp);
}

/* nginx's $request_id: 32 hex digits. */
static bool valid_request_id(const char *s)
{
        size_t n = 0;
        for (; s[n]; n++)
                if (n == REQUEST_ID_LEN || hex_value((unsigned char)s[n]) < 0)
                        return false;
        return n == REQUEST_ID_LEN;
}

void request_begin(struct request *rq, unsigned long long seq)
{
        rq->method = http_method_parse(request_param(rq, "REQUEST_METHOD"));
        rq->path = request_param(rq, "DOCUMENT_URI");
        if (!rq->path)
                rq->path = request_param(rq, "SCRIPT_NAME");
        if (!rq->path)
                rq->path = "";
        rq->query = request_param(rq, "QUERY_STRING");
        if (!rq->query)
                rq->query = "";
        const char *https = request_param(rq, "HTTPS");
        rq->https = https && *https && strcasecmp(https, "off") != 0;
        const char *nonce;
        size_t nonce_len;
        rq->cookie = request_param(rq, "HTTP_COOKIE");
        if (cookie_find(rq->cookie, CSRF_COOKIE, &nonce, &nonce_len) &&
            csrf_nonce_valid(nonce, nonce_len)) {
                memcpy(rq->csrf_nonce, nonce, nonce_len);
                rq->csrf_nonce[nonce_len] = '\0';
                rq->csrf_from_cookie = true;
        }
        /* nginx's $request_id ties our log to its access log; otherwise make one. */
        const char *rid = request_param(rq, "REQUEST_ID");
        if (rid && valid_request_id(rid))
                snprintf(rq->id, sizeof(rq->id), "%s", rid);
        else
                snprintf(rq->id, sizeof(rq->id), "%s%016llx", rq->id_prefix, seq);
}

const char *request_csrf_token(struct request *rq)
{
        if (rq->csrf_token[0])
                return rq->csrf_token;
        if (!rq->csrf_nonce[0]) {
                if (!csrf_nonce_new(rq->csrf_nonce)) {
                        log_error("no randomness for a CSRF nonce");
                        return "";
                }
                rq->csrf_set_cookie = true;
        }
        csrf_token(rq->cfg->csrf_secret, rq->cfg->csrf_secret_len, rq->csrf_nonce, rq->csrf_token);
        return rq->csrf_token;
}

/* The placeholder and the token have the same length, so the swap is done in place. The
 * placeholder is random hex, so a memchr for its first byte and a compare finds it faster than
 * memmem, whose set-up for a 64-byte needle cost 6% of a cached page's CPU (perf). */
void request_csrf_fill(struct request *rq, const char *marker)
{
        const char *token = request_csrf_token(rq);
        char *p = rq->reply.data, *end = rq->reply.data + rq->reply.len;
        while (end - p >= CSRF_TOKEN_HEX && (p = memchr(p, marker[0], (size_t)(end - p)))) {
                if (end - p >= CSRF_TOKEN_HEX && memcmp(p, marker, CSRF_TOKEN_HEX) == 0) {
                        memcpy(p, token, CSRF_TOKEN_HEX);
                        p += CSRF_TOKEN_HEX;
                } else {
                        p++;
                }
        }
}

bool request_csrf_ok(const struct request *rq)
{
        const struct form_field *f = form_get(&rq->form, CSRF_FIELD);
        return rq->csrf_from_cookie && f &&
               csrf_check(rq->cfg->csrf_secret, rq->cfg->csrf_secret_len, rq->csrf_nonce, f->value,
                          f->value_len);
}

/* Content-Length is 1*DIGIT (RFC 9110), leading zeros allowed; up to 18 significant digits:
 * far above any max_body, never near overflow in the arithmetic after. */
static bool parse_length(const char *s, unsigned long long *out)
{
        if (!s)
                return false;
        size_t n = strlen(s);
        while (n > 1 && s[0] == '0') {
                s++;
                n--;
        }
        uint64_t v;
        if (!digits_parse(s, n, 999999999999999999ULL, &v))
                return false;
        *out = v;
        return true;
}

void request_discard_body(struct request *rq)
{
        char scratch[16384];
        long total = 0;
        for (;;) {
                int got = FCGX_GetStr(scratch, (int)sizeof(scratch), rq->fcgi->in);
                if (got <= 0) {
                        rq->input_done = got == 0 && FCGX_GetError(rq->fcgi->in) == 0;
                        return;
                }
                total += got;
                if (total > DRAIN_LIMIT) {
                        /* Not worth reading further: the connection is dropped instead. */
                        rq->close_connection = true;
                        return;
                }
        }
}

static bool is_form_type(const char *ct)
{
        static const char form_type[] = "application/x-www-form-urlencoded";
        if (!ct || strncasecmp(ct, form_type, sizeof(form_type) - 1) != 0)
                return false;
        char next = ct[sizeof(form_type) - 1];
        return next == '\0' || next == ';' || next == ' ';
}

enum http_status request_read_form(struct request *rq)
{
        unsigned long long len = 0;
        const char *cl = request_param(rq, "CONTENT_LENGTH");
        if (cl && *cl && !parse_length(cl, &len)) {
                rq->error = "The Content-Length header is not a number.";
                rq->close_connection = true;
                return HTTP_BAD_REQUEST;
        }
        if (len > (unsigned long long)rq->cfg->max_body) {
                request_discard_body(rq);
                rq->error = "The request body is too large.";
                return HTTP_PAYLOAD_TOO_LARGE;
        }
        const char *ct = request_param(rq, "CONTENT_TYPE");
        /* A bodiless POST (a plain button, curl -X POST) is an empty form, not a bad type. */
        bool empty = len == 0 && (!ct || !*ct);
        if (!empty && !is_form_type(ct)) {
                request_discard_body(rq);
                rq->error = "Forms must be sent as application/x-www-form-urlencoded.";
                return HTTP_UNSUPPORTED_MEDIA_TYPE;
        }
        if (!buf_reserve(&rq->body, (size_t)len)) {
                request_discard_body(rq);
                rq->error = "The request body is too large.";
                return HTTP_PAYLOAD_TOO_LARGE;
        }
        size_t got = 0;
        enum score_phase was = score_current_phase();
        score_phase(SCORE_READING);
        while (got < len) {
                int n = FCGX_GetStr(rq->body.data + got, (int)(len - got), rq->fcgi->in);
                if (n <= 0)
                        break;
                got += (size_t)n;
        }
        score_phase(was);
        rq->body.len = got;
        rq->body.data[got] = '\0';
        if (got != len) {
                rq->error = "The request body is shorter than its Content-Length.";
                return HTTP_BAD_REQUEST;
        }
        enum form_status fs = form_parse(rq->body.data, rq->body.len, &rq->form);
        if (fs != FORM_OK) {
                rq->error = form_status_text(fs);
                return HTTP_BAD_REQUEST;
        }
        return HTTP_OK;
}

bool request_set_cookie(struct request *rq, const char *name, const char *value, long max_age)
{
        size_t used = strlen(rq->cookies);
        int n = snprintf(rq->cookies + used, sizeof(rq->cookies) - used,
                         "Set-Cookie: %s=%s; Path=/; Max-Age=%ld; HttpOnly; SameSite=Lax%s\r\n",
                         name, value, max_age, rq->https ? "; Secure" : "");
        if (n < 0 || (size_t)n >= sizeof(rq->cookies) - used) {
                rq->cookies[used] = '\0';
                return false;
        }
        return true;
}

enum http_status request_read_signed_form(struct request *rq)
{
        enum http_status hs = request_read_form(rq);
        if (hs == HTTP_OK && !request_csrf_ok(rq))
                hs = HTTP_FORBIDDEN;
        return hs;
}

enum http_status request_redirect(struct request *rq, enum http_status st, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(rq->location, sizeof(rq->location), fmt, ap);
        va_end(ap);
        return st;
}

/* Same-origin only; the delete confirmation and CSS come from /static/. */
static const char security_headers[] =
    "Content-Security-Policy: default-src 'none'; style-src 'self'; script-src 'self'; "
    "img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'\r\n"
    "X-Content-Type-Options: nosniff\r\n"
    "X-Frame-Options: DENY\r\n"
    "Referrer-Policy: same-origin\r\n";

/* Marks the output streams closed, so FCGX_Finish_r writes nothing more; with err set it
 * also drops the connection. */
static void close_streams(FCGX_Request *f, int err)
{
        FCGX_Stream *streams[2] = {f->out, f->err};
        for (size_t i = 0; i < 2; i++) {
                if (!streams[i])
                        continue;
                streams[i]->wasFCloseCalled = 1;
                streams[i]->isClosed = 1;
                if (err)
                        streams[i]->FCGI_errno = err;
        }
}

bool request_send(struct request *rq, enum http_status st)
{
        struct buf *o = &rq->head;
        bool ok = buf_printf(o, "Status: %d %s\r\nX-Request-Id: %s\r\n", (int)st,
                             http_status_reason(st), rq->id);
        if (rq->location[0])
                ok = ok && buf_printf(o, "Location: %s\r\n", rq->location);
        if (st == HTTP_METHOD_NOT_ALLOWED) {
                char allow[64];
                route_allow_text(rq->allow, allow, sizeof(allow));
                ok = ok && buf_printf(o, "Allow: %s\r\n", allow);
        }
        if (rq->csrf_set_cookie)
                ok = ok && buf_printf(o, "Set-Cookie: %s=%s; Path=/; HttpOnly; SameSite=Lax%s\r\n",
                                      CSRF_COOKIE, rq->csrf_nonce, rq->https ? "; Secure" : "");
        ok = ok && buf_puts(o, rq->cookies);
        if (rq->retry_after > 0)
                ok = ok && buf_printf(o, "Retry-After: %ld\r\n", rq->retry_after);
        else if (st == HTTP_SERVICE_UNAVAILABLE)
                ok = ok && buf_printf(o, "Retry-After: %ld\r\n", rq->cfg->retry_after);
        ok = ok && buf_printf(o,
                              "Content-Type: %s\r\n"
                              "Content-Length: %zu\r\n"
                              "Cache-Control: %s\r\n"
                              "%s\r\n",
                              rq->content_type ? rq->content_type : "text/html; charset=utf-8",
                              rq->reply.len, rq->private_reply ? "private, no-store" : "no-cache",
                              security_headers);
        if (!ok) {
                log_error("out of memory composing a response");
                return false;
        }
        struct iovec segs[2] = {{o->data, o->len}, {rq->reply.data, rq->reply.len}};
        FCGX_Request *f = rq->fcgi;
        bool sent = fcgi_out_write(f->ipcFd, (unsigned)f->requestId, segs, 2, WRITE_STALL_MS);
        /* The records that end the request are written: libfcgi must not add its own when
         * FCGX_Finish_r closes the streams, and drops the connection if the write failed. */
        close_streams(f, sent ? 0 : errno ? errno : EPIPE);
        if (!sent)
                log_info("client went away before the response was written");
        return sent;
}

void request_refuse(FCGX_Request *f)
{
        close_streams(f, EACCES);
        f->keepConnection = 0;
}
