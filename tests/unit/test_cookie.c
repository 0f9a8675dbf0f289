/* test_cookie: cookie_find (src/http/cookie.c) at the edges of the header, and the nonce
 * request_begin keeps from it (exactly CSRF_NONCE_HEX lower-case hex digits, or nothing). */
#include "check.h"
#include "http/cookie.h"
#include "http/csrf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The header in a heap buffer of exactly strlen + 1 bytes, as FastCGI params are, so ASan
 * sees a read past its NUL; the value is returned as an offset into it. */
static bool find(const char *header, const char *name, long *off, size_t *len)
{
        size_t n = strlen(header);
        char *h = malloc(n + 1);
        memcpy(h, header, n + 1);
        const char *v = NULL;
        bool found = cookie_find(h, name, &v, len);
        *off = found ? (long)(v - h) : -1;
        if (found && (v < h || v + *len > h + n))
                *off = -2; /* outside the header */
        free(h);
        return found;
}

static void check_found(const char *header, long want_off, size_t want_len, int line)
{
        long off;
        size_t len = 0;
        bool found = find(header, CSRF_COOKIE, &off, &len);
        char what[200];
        snprintf(what, sizeof(what), "cookie_find(\"%.60s%s\") at %ld+%zu (test line %d)", header,
                 strlen(header) > 60 ? "..." : "", want_off, want_len, line);
        check_record_(found && off == want_off && len == want_len, __FILE__, line, what);
        if (found && (off != want_off || len != want_len))
                fprintf(stderr, "    got %ld+%zu\n", off, len);
}

static void check_missing(const char *header, int line)
{
        long off;
        size_t len;
        char what[200];
        snprintf(what, sizeof(what), "no %s in \"%.60s\" (test line %d)", CSRF_COOKIE, header,
                 line);
        check_record_(!find(header, CSRF_COOKIE, &off, &len), __FILE__, line, what);
}

#define FOUND(h, off, len) check_found((h), (off), (len), __LINE__)
#define MISSING(h) check_missing((h), __LINE__)

static void test_edges(void)
{
        MISSING("");
        MISSING(";");
        MISSING("; ;\t;");
        MISSING("=");
        MISSING("blogd_csrf");       /* a name alone, at the very end */
        MISSING("blogd_csrf;a=1");   /* a name alone, then more */
        MISSING("xblogd_csrf=1");    /* a longer name ending in ours */
        MISSING("blogd_csrfx=1");    /* a longer name starting with ours */
        MISSING("blogd_csr=1");      /* a prefix of ours */
        MISSING("a=blogd_csrf=1");   /* ours inside another's value */
        MISSING("Blogd_csrf=1");     /* names are case-sensitive */
        MISSING("blogd_csrf =1");    /* no space before '=' */
        FOUND("blogd_csrf=", 11, 0); /* empty, at the very end */
        FOUND("blogd_csrf=;", 11, 0);
        FOUND("blogd_csrf=1", 11, 1);
        FOUND("blogd_csrf=abc", 11, 3);
        FOUND("a=1;blogd_csrf=abc", 15, 3);     /* last, ending the header */
        FOUND("a=1; blogd_csrf=abc;", 16, 3);   /* the ';' ends the header */
        FOUND("a=1;\tblogd_csrf=abc ;", 16, 3); /* spaces before the ';' are not the value */
        FOUND("blogd_csrf=abc \t", 11, 3);      /* nor at the end */
        FOUND("blogd_csrf=\"abc\"", 12, 3);     /* quotes removed */
        FOUND("blogd_csrf=\"\"", 12, 0);
        FOUND("blogd_csrf=\"", 11, 1); /* a lone quote is kept: no pair to remove */
        FOUND("blogd_csrf=\"abc", 11, 4);
        FOUND("blogd_csrf=a=b", 11, 3);             /* only the first '=' splits */
        FOUND("blogd_csrf=1; blogd_csrf=2", 11, 1); /* the first wins */
        FOUND("xblogd_csrf=1; blogd_csrf=2", 26, 1);
}

/* A header as long as nginx lets through (large_client_header_buffers, 8 KiB by default) and
 * longer, with the cookie last, ending exactly at the NUL, or missing. */
static void test_long_headers(void)
{
        static const size_t sizes[] = {4095, 4096, 8191, 8192, 65536};
        for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
                size_t n = sizes[i];
                char *h = malloc(n + 1);
                const char tail[] = "; blogd_csrf=0123456789abcdef0123456789abcdef";
                size_t t = sizeof(tail) - 1;
                for (size_t k = 0; k < n - t; k++)
                        h[k] = k % 50 == 49 ? ';' : (char)('a' + k % 26);
                memcpy(h + n - t, tail, t + 1);
                FOUND(h, (long)(n - CSRF_NONCE_HEX), CSRF_NONCE_HEX);
                h[n - t] = ','; /* no longer a separate cookie: part of the one before */
                MISSING(h);
                free(h);
        }
}

/* request_begin copies the value into a buffer of CSRF_NONCE_HEX + 1 bytes only when
 * csrf_nonce_valid says so: exactly that many lower-case hex digits. */
static void test_nonce_lengths(void)
{
        char v[80];
        for (size_t n = 0; n < sizeof(v); n++) {
                for (size_t k = 0; k < n; k++)
                        v[k] = "0123456789abcdef"[k % 16];
                CHECK_EQ_INT(csrf_nonce_valid(v, n), n == CSRF_NONCE_HEX);
        }
        memset(v, 'a', CSRF_NONCE_HEX);
        CHECK(csrf_nonce_valid(v, CSRF_NONCE_HEX));
        v[CSRF_NONCE_HEX - 1] = 'A';
        CHECK(!csrf_nonce_valid(v, CSRF_NONCE_HEX));
        v[CSRF_NONCE_HEX - 1] = 'g';
        CHECK(!csrf_nonce_valid(v, CSRF_NONCE_HEX));
        v[CSRF_NONCE_HEX - 1] = '\0';
        CHECK(!csrf_nonce_valid(v, CSRF_NONCE_HEX));
        /* Found in a header, quoted or not, a 33-digit value is not a nonce. */
        long off;
        size_t len;
        CHECK(find("blogd_csrf=0123456789abcdef0123456789abcdef0", CSRF_COOKIE, &off, &len));
        CHECK_EQ_SIZE(len, CSRF_NONCE_HEX + 1);
        CHECK(find("blogd_csrf=\"0123456789abcdef0123456789abcdef\"", CSRF_COOKIE, &off, &len));
        CHECK_EQ_SIZE(len, CSRF_NONCE_HEX);
}

int main(void)
{
        test_edges();
        test_long_headers();
        test_nonce_lengths();
        return check_summary();
}
