/* test_credentials: the login form's fields (src/http/credentials.c) read from a body parsed by
 * form_parse: empty or missing fields, invalid UTF-8, the size limits, `next` kept only when it
 * is a local path; and account_name_valid, the form of a name for `blogd user`. */
#include "check.h"
#include "http/credentials.h"
#include "http/form.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One parsed login body; the buffer stays alive until done() since the fields point into it. */
struct login {
        char *body;
        struct form form;
        enum form_status parsed;
        struct credentials c;
        enum credentials_status st;
};

static void login(struct login *l, const char *body)
{
        size_t n = strlen(body);
        l->body = malloc(n + 1);
        memcpy(l->body, body, n + 1);
        l->parsed = form_parse(l->body, n, &l->form);
        memset(&l->c, 0x5a, sizeof(l->c)); /* credentials_read must set every member */
        l->st = l->parsed == FORM_OK ? credentials_read(&l->form, &l->c)
                                     : (enum credentials_status) - 1;
}

static void done(struct login *l)
{
        free(l->body);
        l->body = NULL;
}

static const char *status_name(int st)
{
        switch (st) {
        case CREDENTIALS_OK:
                return "OK";
        case CREDENTIALS_EMPTY:
                return "EMPTY";
        case CREDENTIALS_BAD:
                return "BAD";
        default:
                return "(form not parsed)";
        }
}

static void check_status(const char *body, enum credentials_status want, int line)
{
        struct login l;
        login(&l, body);
        char what[260];
        snprintf(what, sizeof(what), "credentials_read(\"%.100s%s\") is %s (test line %d)", body,
                 strlen(body) > 100 ? "..." : "", status_name((int)want), line);
        if (!check_record_(l.parsed == FORM_OK && l.st == want, __FILE__, line, what))
                fprintf(stderr, "    form %s, got %s\n", form_status_text(l.parsed),
                        status_name((int)l.st));
        if (l.parsed == FORM_OK && l.st == CREDENTIALS_OK) {
                check_record_(l.c.name && l.c.name_len > 0 && l.c.password && l.c.password_len > 0,
                              __FILE__, line, "OK has a name and a password");
        }
        if (l.parsed == FORM_OK && l.st != CREDENTIALS_OK)
                check_record_(l.c.password == NULL && l.c.password_len == 0, __FILE__, line,
                              "no password unless OK");
        done(&l);
}

#define STATUS(body, want) check_status((body), (want), __LINE__)

static char *repeat(const char *prefix, const char *unit, size_t times, const char *suffix)
{
        size_t p = strlen(prefix), u = strlen(unit), s = strlen(suffix);
        char *r = malloc(p + u * times + s + 1);
        memcpy(r, prefix, p);
        for (size_t i = 0; i < times; i++)
                memcpy(r + p + i * u, unit, u);
        memcpy(r + p + u * times, suffix, s + 1);
        return r;
}

static void test_ok(void)
{
        struct login l;
        login(&l, "csrf=abc&username=admin&password=s3cret+pass&next=%2Fadmin%2Fposts%2F1%2Fedit");
        CHECK_EQ_INT(l.st, CREDENTIALS_OK);
        CHECK_EQ_MEM(l.c.name, l.c.name_len, "admin", 5);
        CHECK_EQ_MEM(l.c.password, l.c.password_len, "s3cret pass", 11);
        CHECK_EQ_MEM(l.c.next, l.c.next_len, "/admin/posts/1/edit", 19);
        /* The fields point into the parsed body, not into copies. */
        CHECK(l.c.name >= l.body && l.c.password >= l.body && l.c.next >= l.body);
        done(&l);
        /* Any order; no next at all. */
        login(&l, "password=p&username=u");
        CHECK_EQ_INT(l.st, CREDENTIALS_OK);
        CHECK_EQ_MEM(l.c.name, l.c.name_len, "u", 1);
        CHECK_EQ_MEM(l.c.password, l.c.password_len, "p", 1);
        CHECK(l.c.next == NULL);
        CHECK_EQ_SIZE(l.c.next_len, 0);
        done(&l);
        /* A name that is no account name is still read (to be shown again); UTF-8, spaces. */
        login(&l, "username=J%C3%BCrgen+M%C3%BCller&password=%E2%82%AC%09x%0Ay");
        CHECK_EQ_INT(l.st, CREDENTIALS_OK);
        CHECK_EQ_MEM(l.c.name, l.c.name_len, "J\xc3\xbcrgen M\xc3\xbcller", 15);
        CHECK_EQ_MEM(l.c.password, l.c.password_len, "\xe2\x82\xac\tx\ny", 7);
        done(&l);
        /* The password is not trimmed or otherwise changed. */
        login(&l, "username=a&password=+%20x%20+");
        CHECK_EQ_INT(l.st, CREDENTIALS_OK);
        CHECK_EQ_MEM(l.c.password, l.c.password_len, "  x  ", 5);
        done(&l);
}

static void test_empty(void)
{
        STATUS("", CREDENTIALS_EMPTY);
        STATUS("csrf=abc", CREDENTIALS_EMPTY);
        STATUS("username=admin", CREDENTIALS_EMPTY);
        STATUS("password=secret", CREDENTIALS_EMPTY);
        STATUS("username=&password=secret", CREDENTIALS_EMPTY);
        STATUS("username=admin&password=", CREDENTIALS_EMPTY);
        STATUS("username=&password=", CREDENTIALS_EMPTY);
        STATUS("username&password", CREDENTIALS_EMPTY);
        STATUS("username=admin&password", CREDENTIALS_EMPTY);
        STATUS("user=admin&pass=secret", CREDENTIALS_EMPTY);
        STATUS("Username=admin&Password=secret", CREDENTIALS_EMPTY); /* names are exact */
        STATUS("next=%2Fadmin%2F", CREDENTIALS_EMPTY);
        /* The name and a local next are kept, to fill the form in again. */
        struct login l;
        login(&l, "username=admin&password=&next=%2Fadmin%2F");
        CHECK_EQ_INT(l.st, CREDENTIALS_EMPTY);
        CHECK_EQ_MEM(l.c.name, l.c.name_len, "admin", 5);
        CHECK_EQ_MEM(l.c.next, l.c.next_len, "/admin/", 7);
        CHECK(l.c.password == NULL);
        done(&l);
        login(&l, "password=x");
        CHECK_EQ_INT(l.st, CREDENTIALS_EMPTY);
        CHECK(l.c.name == NULL && l.c.name_len == 0 && l.c.next == NULL);
        done(&l);
        /* A duplicate field is refused by form_parse, before credentials_read. */
        login(&l, "username=a&password=b&username=c");
        CHECK_EQ_INT(l.parsed, FORM_DUPLICATE);
        done(&l);
}

static void test_bad_text(void)
{
        STATUS("username=%FF&password=secret", CREDENTIALS_BAD);
        STATUS("username=admin&password=%FF", CREDENTIALS_BAD);
        STATUS("username=%C0%AF&password=secret", CREDENTIALS_BAD);      /* overlong "/" */
        STATUS("username=admin&password=%ED%A0%80", CREDENTIALS_BAD);    /* a surrogate */
        STATUS("username=admin&password=%F4%90%80%80", CREDENTIALS_BAD); /* past U+10FFFF */
        STATUS("username=admin&password=%E2%82", CREDENTIALS_BAD);       /* cut short */
        STATUS("username=ad%00min&password=secret", CREDENTIALS_BAD);    /* NUL */
        STATUS("username=admin&password=se%00cret", CREDENTIALS_BAD);
        STATUS("username=admin%1B&password=secret", CREDENTIALS_BAD); /* ESC */
        STATUS("username=admin&password=%7F%01", CREDENTIALS_BAD);
        /* Bad text counts even when the other field is missing or empty. */
        STATUS("username=%FF", CREDENTIALS_BAD);
        STATUS("password=%FF", CREDENTIALS_BAD);
        STATUS("username=&password=%FF", CREDENTIALS_BAD);
        STATUS("username=%FF&password=", CREDENTIALS_BAD);
        /* A bad next is only dropped. */
        struct login l;
        login(&l, "username=a&password=b&next=%2F%FF");
        CHECK_EQ_INT(l.st, CREDENTIALS_OK);
        CHECK(l.c.next == NULL);
        done(&l);
}

static void test_sizes(void)
{
        struct login l;
        /* Password: 1024 bytes read, 1025 refused. */
        CHECK_EQ_INT(PASSWORD_MAX, 1024);
        char *b = repeat("username=admin&password=", "p", 1024, "");
        login(&l, b);
        CHECK_EQ_INT(l.st, CREDENTIALS_OK);
        CHECK_EQ_SIZE(l.c.password_len, 1024);
        done(&l);
        free(b);
        b = repeat("username=admin&password=", "p", 1025, "");
        STATUS(b, CREDENTIALS_BAD);
        free(b);
        /* Counted in bytes after decoding: 1024 bytes as 3-byte characters, 341 (1023) and 342. */
        b = repeat("username=admin&password=", "%E2%82%AC", 341, "x");
        STATUS(b, CREDENTIALS_OK);
        free(b);
        b = repeat("username=admin&password=", "%E2%82%AC", 342, "");
        STATUS(b, CREDENTIALS_BAD);
        free(b);
        b = repeat("username=admin&password=", "%41", 1024, "");
        STATUS(b, CREDENTIALS_OK);
        free(b);
        b = repeat("username=admin&password=", "%41", 1025, "");
        STATUS(b, CREDENTIALS_BAD);
        free(b);
        /* Name: up to 128 bytes is read (shown again), 129 refused. */
        b = repeat("password=secret&username=", "n", 128, "");
        login(&l, b);
        CHECK_EQ_INT(l.st, CREDENTIALS_OK);
        CHECK_EQ_SIZE(l.c.name_len, 128);
        done(&l);
        free(b);
        b = repeat("password=secret&username=", "n", 129, "");
        STATUS(b, CREDENTIALS_BAD);
        free(b);
        b = repeat("password=secret&username=", "%F0%9F%98%80", 32, ""); /* 32 emoji: 128 */
        STATUS(b, CREDENTIALS_OK);
        free(b);
        b = repeat("password=secret&username=", "%F0%9F%98%80", 32, "a");
        STATUS(b, CREDENTIALS_BAD);
        free(b);
        /* Too long counts even with the other field empty. */
        b = repeat("password=&username=", "n", 129, "");
        STATUS(b, CREDENTIALS_BAD);
        free(b);
        b = repeat("username=&password=", "p", 1025, "");
        STATUS(b, CREDENTIALS_BAD);
        free(b);
        STATUS("username=a&password=b", CREDENTIALS_OK);
}

static void check_next(const char *encoded, const char *want, int line)
{
        char body[1200];
        snprintf(body, sizeof(body), "username=admin&password=secret&next=%s", encoded);
        struct login l;
        login(&l, body);
        char what[300];
        snprintf(what, sizeof(what), "next=%.80s is %s%s (test line %d)", encoded,
                 want ? "kept as " : "dropped", want ? want : "", line);
        if (want)
                check_record_(l.st == CREDENTIALS_OK && l.c.next && l.c.next_len == strlen(want) &&
                                  memcmp(l.c.next, want, l.c.next_len) == 0,
                              __FILE__, line, what);
        else
                check_record_(l.st == CREDENTIALS_OK && l.c.next == NULL && l.c.next_len == 0,
                              __FILE__, line, what);
        done(&l);
}

#define NEXT_KEPT(enc, want) check_next((enc), (want), __LINE__)
#define NEXT_DROPPED(enc) check_next((enc), NULL, __LINE__)

static void test_next(void)
{
        NEXT_KEPT("%2F", "/");
        NEXT_KEPT("/admin/", "/admin/");
        NEXT_KEPT("%2Fadmin%2F", "/admin/");
        NEXT_KEPT("%2Fa%3Fb%3Dc", "/a?b=c");
        NEXT_KEPT("%2F%252F%252Fevil.com", "/%2F%2Fevil.com");
        NEXT_DROPPED("");
        NEXT_DROPPED("admin");
        NEXT_DROPPED("%2F%2Fevil.com");
        NEXT_DROPPED("//evil.com");
        NEXT_DROPPED("%2F%5Cevil.com");
        NEXT_DROPPED("%2Fa%5Cb");
        NEXT_DROPPED("http%3A%2F%2Fevil.com%2F");
        NEXT_DROPPED("javascript%3Aalert(1)");
        NEXT_DROPPED("%2Fa%0D%0ASet-Cookie%3A+x%3D1");
        NEXT_DROPPED("%2Fa+b");
        NEXT_DROPPED("%2Fa%09b");
        NEXT_DROPPED("%2Fa%00b");
        NEXT_DROPPED("%2Fcaf%C3%A9");
        NEXT_DROPPED("+%2Fadmin%2F");
        /* 200 bytes kept, 201 dropped. */
        char *e = repeat("/", "a", 199, "");
        NEXT_KEPT(e, e);
        free(e);
        e = repeat("/", "a", 200, "");
        NEXT_DROPPED(e);
        free(e);
        e = repeat("%2F", "%61", 199, "");
        char *want = repeat("/", "a", 199, "");
        NEXT_KEPT(e, want);
        free(want);
        free(e);
}

static void check_name(const char *s, size_t len, bool want, int line)
{
        char what[200];
        snprintf(what, sizeof(what), "account_name_valid(\"%.*s\", %zu) is %s (test line %d)",
                 (int)len, s, len, want ? "true" : "false", line);
        /* In a heap buffer of exactly len bytes: nothing past it is read. */
        char *p = malloc(len ? len : 1);
        if (len)
                memcpy(p, s, len);
        check_record_(account_name_valid(p, len) == want, __FILE__, line, what);
        free(p);
}

#define NAME_OK(s) check_name((s), sizeof(s) - 1, true, __LINE__)
#define NAME_BAD(s) check_name((s), sizeof(s) - 1, false, __LINE__)

static void test_account_names(void)
{
        NAME_OK("admin");
        NAME_OK("a");
        NAME_OK("Z");
        NAME_OK("7");
        NAME_OK("0admin");
        NAME_OK("A.b_c-d");
        NAME_OK("a.");
        NAME_OK("a-");
        NAME_OK("a_");
        NAME_OK("a..b");
        NAME_OK("jane.doe-2");
        NAME_BAD("");
        NAME_BAD(".admin");
        NAME_BAD("-admin");
        NAME_BAD("_admin");
        NAME_BAD(".");
        NAME_BAD("..");
        NAME_BAD("a b");
        NAME_BAD(" a");
        NAME_BAD("a ");
        NAME_BAD("a/b");
        NAME_BAD("a\\b");
        NAME_BAD("a@b");
        NAME_BAD("a+b");
        NAME_BAD("a%b");
        NAME_BAD("a'b");
        NAME_BAD("a\"b");
        NAME_BAD("a;b");
        NAME_BAD("a\nb");
        NAME_BAD("a\tb");
        NAME_BAD("j\xc3\xbcrgen");
        NAME_BAD("\xc3\xa9");
        NAME_BAD("a\x7f");
        check_name("a\0b", 3, false, __LINE__);
        check_name("a\0", 2, false, __LINE__);
        CHECK(!account_name_valid(NULL, 0));
        CHECK(!account_name_valid(NULL, 3));
        CHECK(account_name_valid("admin!", 5)); /* only len bytes count */
        /* 32 bytes valid, 33 not. */
        CHECK_EQ_INT(ACCOUNT_NAME_MAX, 32);
        char n[40];
        for (size_t i = 0; i < sizeof(n); i++)
                n[i] = "abcdefghijklmnopqrstuvwxyz0123456789._-"[i % 39];
        check_name(n, 31, true, __LINE__);
        check_name(n, 32, true, __LINE__);
        check_name(n, 33, false, __LINE__);
        check_name(n, 40, false, __LINE__);
        /* Every byte, first and later. */
        unsigned first = 0, later = 0;
        for (int c = 0; c < 256; c++) {
                bool alnum =
                    (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
                bool inner = alnum || c == '.' || c == '_' || c == '-';
                char f[2] = {(char)c, 'a'};
                char l[2] = {'a', (char)c};
                bool gf = account_name_valid(f, 2), gl = account_name_valid(l, 2);
                if (gf != alnum || gl != inner) {
                        char what[60];
                        snprintf(what, sizeof(what), "byte 0x%02x in an account name", (unsigned)c);
                        check_record_(0, __FILE__, __LINE__, what);
                }
                first += gf;
                later += gl;
        }
        CHECK_EQ_INT(first, 62);
        CHECK_EQ_INT(later, 65);
}

int main(void)
{
        test_ok();
        test_empty();
        test_bad_text();
        test_sizes();
        test_next();
        test_account_names();
        return check_summary();
}
