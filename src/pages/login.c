/*
 * login: GET /login shows the sign-in form, POST /login checks it. One message for an unknown
 * account and a wrong password (and the same work: core/password.h); failures are counted in
 * the database per account and per client address, and past login_failures within
 * login_window either answers 429 until the window has passed, right password or not.
 */
#include "pages/page.h"

#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "app/session.h"
#include "core/log.h"
#include "core/password.h"
#include "http/credentials.h"
#include "http/localpath.h"
#include "store/authors.h"
#include "store/logins.h"
#include "view/view.h"

#define SUBJECT_BYTES 16
#define SUBJECT_HEX (2 * SUBJECT_BYTES)

static const char wrong_pair[] = "Unknown username or wrong password.";

/* Where a right login goes: next, if it is a local path, else the admin's home. */
static enum http_status go_on(struct app_request *rq, const char *next, size_t len)
{
        if (next && localpath_ok(next, len))
                return request_redirect(&rq->http, HTTP_SEE_OTHER, "%.*s", (int)len, next);
        return request_redirect(&rq->http, HTTP_SEE_OTHER, "/admin/");
}

static enum http_status show_form(struct app_request *rq, const char *name, size_t name_len,
                                  const char *next, size_t next_len, const char *problem,
                                  enum http_status st)
{
        struct view_dict *body = page_begin(rq, "Sign in", "login.tpl");
        if (!body)
                return HTTP_INTERNAL_ERROR;
        view_set_str(body, "CSRF", app_csrf_field(rq));
        if (next && localpath_ok(next, next_len))
                view_set(body, "NEXT", next, next_len);
        if (name)
                view_set(body, "USERNAME", name, name_len);
        if (problem) {
                view_show(body, "PROBLEM");
                view_set_str(body, "PROBLEM_TEXT", problem);
        }
        return page_end(rq, st);
}

enum http_status page_login_form(struct app_request *rq, const struct route_params *p)
{
        (void)p;
        /* ?next=... as a form of its own (a copy: the query string is libfcgi's). */
        char query[512];
        struct form q = {0};
        const struct form_field *next = NULL;
        size_t n = strlen(rq->http.query);
        if (n < sizeof(query)) {
                memcpy(query, rq->http.query, n + 1);
                if (form_parse(query, n, &q) == FORM_OK)
                        next = form_get(&q, "next");
        }
        if (app_signed_in(rq))
                return go_on(rq, next ? next->value : NULL, next ? next->value_len : 0);
        return show_form(rq, NULL, 0, next ? next->value : NULL, next ? next->value_len : 0, NULL,
                         HTTP_OK);
}

/* What a failure counts against: a keyed hash of the account name (without case, as names
 * compare) or of the address, so the table holds neither. The key is the CSRF secret, which
 * every host of a site shares. */
static void subject(const struct config *cfg, char kind, const char *s, size_t len,
                    char out[SUBJECT_HEX + 1])
{
        crypto_generichash_state st;
        unsigned char h[SUBJECT_BYTES];
        crypto_generichash_init(&st, cfg->csrf_secret, cfg->csrf_secret_len, sizeof(h));
        crypto_generichash_update(&st, (const unsigned char *)&kind, 1);
        for (size_t i = 0; i < len; i++) {
                unsigned char c = (unsigned char)s[i];
                if (kind == 'u' && c >= 'A' && c <= 'Z')
                        c = (unsigned char)(c - 'A' + 'a');
                crypto_generichash_update(&st, &c, 1);
        }
        crypto_generichash_final(&st, h, sizeof(h));
        sodium_bin2hex(out, SUBJECT_HEX + 1, h, sizeof(h));
}

enum http_status page_login(struct app_request *rq, const struct route_params *p)
{
        (void)p;
        const struct config *cfg = rq->http.cfg;
        enum http_status hs = request_read_signed_form(&rq->http);
        if (hs != HTTP_OK)
                return hs;
        struct credentials c;
        switch (credentials_read(&rq->http.form, &c)) {
        case CREDENTIALS_BAD:
                rq->http.error = "The username or password is not valid text, or too long.";
                return HTTP_BAD_REQUEST;
        case CREDENTIALS_EMPTY:
                return show_form(rq, c.name, c.name_len, c.next, c.next_len,
                                 "Please enter your username and password.", HTTP_UNPROCESSABLE);
        case CREDENTIALS_OK:
                break;
        }
        const char *addr = request_param(&rq->http, "REMOTE_ADDR");
        char by_name[SUBJECT_HEX + 1], by_addr[SUBJECT_HEX + 1];
        subject(cfg, 'u', c.name, c.name_len, by_name);
        subject(cfg, 'a', addr ? addr : "", addr ? strlen(addr) : 0, by_addr);
        uint64_t wait = 0;
        enum db_status st =
            logins_wait(by_name, by_addr, cfg->login_window, cfg->login_failures, &wait);
        if (st != DB_OK)
                return page_db_status(st);
        if (wait > 0) {
                char why[160];
                uint64_t minutes = (wait + 59) / 60;
                snprintf(why, sizeof(why), "Too many failed sign-ins. Try again in %llu minute%s.",
                         (unsigned long long)minutes, minutes == 1 ? "" : "s");
                rq->http.retry_after = (long)wait;
                return show_form(rq, c.name, c.name_len, c.next, c.next_len, why,
                                 HTTP_TOO_MANY_REQUESTS);
        }
        struct author a = {0};
        if (account_name_valid(c.name, c.name_len)) {
                st = authors_find(c.name, c.name_len, &a);
                if (st != DB_OK)
                        return page_db_status(st);
        }
        /* An unknown account is checked against a decoy hash: the same work, the same answer. */
        enum password_result pr =
            password_verify(a.found ? a.pass_hash : "", c.password, c.password_len);
        if (pr == PASSWORD_BUSY) {
                /* As many sign-ins as login_hashes are being checked: nothing counted. */
                rq->http.retry_after = 1;
                return show_form(rq, c.name, c.name_len, c.next, c.next_len,
                                 "Too many sign-ins at this moment. Please try again in a second.",
                                 HTTP_SERVICE_UNAVAILABLE);
        }
        if (pr == PASSWORD_MISMATCH) {
                if (a.found)
                        log_info("failed sign-in for author %s", a.name);
                else
                        log_info("failed sign-in for an unknown account");
                st = logins_failed(by_name, by_addr);
                if (st != DB_OK)
                        return page_db_status(st);
                if ((by_addr[0] & 0x0f) == 0)
                        logins_purge(cfg->login_window);
                return show_form(rq, c.name, c.name_len, c.next, c.next_len, wrong_pair,
                                 HTTP_UNPROCESSABLE);
        }
        if (password_needs_rehash(a.pass_hash)) {
                char upgraded[PASSWORD_HASH_MAX];
                if (password_hash(c.password, c.password_len, upgraded) &&
                    authors_set_hash(a.id, upgraded) == DB_OK)
                        log_info("the password hash of %s was upgraded", a.name);
        }
        logins_forget(by_name);
        if (!app_session_start(rq, a.id, a.name))
                return page_db_status(DB_UNAVAILABLE);
        log_info("%s signed in", a.name);
        return go_on(rq, c.next, c.next_len);
}
