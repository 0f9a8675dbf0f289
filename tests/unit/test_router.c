/* test_router: id parsing, route matching, Allow text and method parsing (src/http/router.c). */
#include "check.h"
#include "http/router.h"
#include "pages/page.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* A table's rows begin with the router's struct route and go on with the caller's own. */
struct row {
        struct route route;
        int tag;
};

enum { T_INDEX = 1, T_POST, T_COMMENT, T_DELETE, T_COMMENTS, T_PAIR };

static const struct row rows[] = {
    {{HTTP_GET, "/", 0}, T_INDEX},
    {{HTTP_GET, "/{id}/", 0}, T_POST},
    {{HTTP_POST, "/{id}/", 0}, T_COMMENT},
    {{HTTP_POST, "/comments/{id}/delete", 0}, T_DELETE},
    {{HTTP_GET, "/comments/", 0}, T_COMMENTS},
};
static const struct route_table table = ROUTE_TABLE(rows);

static void test_parse_id(void)
{
        uint32_t v = 0;
        CHECK(route_parse_id("1", 1, &v));
        CHECK_EQ_INT(v, 1);
        CHECK(route_parse_id("42", 2, &v));
        CHECK_EQ_INT(v, 42);
        CHECK(route_parse_id("4294967295", 10, &v));
        CHECK_EQ_INT(v, 4294967295u);
        CHECK(route_parse_id("1000000000", 10, &v));
        CHECK_EQ_INT(v, 1000000000);
        CHECK(route_parse_id("9", 1, &v));
        CHECK_EQ_INT(v, 9);
        /* Only len bytes count. */
        CHECK(route_parse_id("12/", 2, &v));
        CHECK_EQ_INT(v, 12);
        CHECK(route_parse_id("123", 1, &v));
        CHECK_EQ_INT(v, 1);

        static const char *const bad[] = {
            "",           "0",    "00",  "01",  "007", "4294967296",   "99999999999",
            "9999999999", "1a",   "a1",  "-1",  "+1",  " 1",           "1 ",
            "1/",         "0x10", "1.0", "1e3", "١",   "\xef\xbc\x91",
        };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                uint32_t out = 777;
                char what[96];
                snprintf(what, sizeof(what), "route_parse_id(\"%s\") is rejected", bad[i]);
                check_record_(!route_parse_id(bad[i], strlen(bad[i]), &out), __FILE__, __LINE__,
                              what);
                check_record_(out == 777, __FILE__, __LINE__, "*out untouched on rejection");
        }
        /* An embedded NUL within len is not a digit. */
        CHECK(!route_parse_id("1\0", 2, &v));
}

struct match {
        enum route_result r;
        const struct route *found;
        struct route_params params;
        unsigned allowed;
};

static struct match match(enum http_method m, const char *path)
{
        struct match x;
        x.found = NULL;
        memset(&x.params, 0xab, sizeof(x.params));
        x.allowed = 0xdead;
        x.r = route_match(&table, m, path, &x.found, &x.params, &x.allowed);
        return x;
}

static void expect_found(enum http_method m, const char *path, int tag, size_t nids, uint32_t id0,
                         int line)
{
        struct match x = match(m, path);
        char what[160];
        snprintf(what, sizeof(what), "method %u \"%s\" is found (test line %d)", (unsigned)m, path,
                 line);
        if (!check_record_(x.r == ROUTE_FOUND && x.found != NULL, __FILE__, line, what))
                return;
        check_record_(((const struct row *)x.found)->tag == tag, __FILE__, line,
                      "the expected route was found");
        check_record_(x.params.count == nids, __FILE__, line, "id count");
        if (nids)
                check_record_(x.params.id[0] == id0, __FILE__, line, "id[0] value");
}

static void expect_405(enum http_method m, const char *path, unsigned allowed, int line)
{
        struct match x = match(m, path);
        char what[160];
        snprintf(what, sizeof(what), "method %u \"%s\" is 405 with allowed %u (test line %d)",
                 (unsigned)m, path, allowed, line);
        check_record_(x.r == ROUTE_BAD_METHOD && x.allowed == allowed, __FILE__, line, what);
        if (x.allowed != allowed)
                fprintf(stderr, "    allowed = %u\n", x.allowed);
}

static void expect_404(const char *path, int line)
{
        const enum http_method ms[] = {HTTP_GET, HTTP_HEAD, HTTP_POST, HTTP_OTHER};
        for (size_t i = 0; i < sizeof(ms) / sizeof(ms[0]); i++) {
                struct match x = match(ms[i], path);
                char what[160];
                snprintf(what, sizeof(what), "method %u \"%s\" is not found (test line %d)",
                         (unsigned)ms[i], path, line);
                check_record_(x.r == ROUTE_NOT_FOUND, __FILE__, line, what);
        }
}

#define FOUND(m, path, h, nids, id0) expect_found((m), (path), (h), (nids), (id0), __LINE__)
#define BAD_METHOD(m, path, allowed) expect_405((m), (path), (allowed), __LINE__)
#define NOT_FOUND(path) expect_404((path), __LINE__)

static void test_match(void)
{
        FOUND(HTTP_GET, "/", T_INDEX, 0, 0);
        FOUND(HTTP_HEAD, "/", T_INDEX, 0, 0);
        FOUND(HTTP_GET, "/1/", T_POST, 1, 1);
        FOUND(HTTP_GET, "/42/", T_POST, 1, 42);
        FOUND(HTTP_HEAD, "/42/", T_POST, 1, 42);
        FOUND(HTTP_GET, "/4294967295/", T_POST, 1, 4294967295u);
        FOUND(HTTP_POST, "/42/", T_COMMENT, 1, 42);
        FOUND(HTTP_POST, "/comments/7/delete", T_DELETE, 1, 7);
        FOUND(HTTP_GET, "/comments/", T_COMMENTS, 0, 0);
        FOUND(HTTP_HEAD, "/comments/", T_COMMENTS, 0, 0);

        /* 405: the path exists for other methods. */
        BAD_METHOD(HTTP_POST, "/", HTTP_GET | HTTP_HEAD);
        BAD_METHOD(HTTP_OTHER, "/", HTTP_GET | HTTP_HEAD);
        BAD_METHOD(HTTP_OTHER, "/42/", HTTP_GET | HTTP_HEAD | HTTP_POST);
        BAD_METHOD(HTTP_GET, "/comments/7/delete", HTTP_POST);
        BAD_METHOD(HTTP_HEAD, "/comments/7/delete", HTTP_POST);
        BAD_METHOD(HTTP_OTHER, "/comments/7/delete", HTTP_POST);
        BAD_METHOD(HTTP_POST, "/comments/", HTTP_GET | HTTP_HEAD);

        /* Not found, whatever the method. */
        NOT_FOUND("/1abc/");
        NOT_FOUND("/1");
        NOT_FOUND("/1//");
        NOT_FOUND("//");
        NOT_FOUND("/comments");
        NOT_FOUND("/comments/1/delete/");
        NOT_FOUND("");
        NOT_FOUND("/01/");
        NOT_FOUND("/0/");
        NOT_FOUND("/-1/");
        NOT_FOUND("/+1/");
        NOT_FOUND("/4294967296/");
        NOT_FOUND("/99999999999/");
        NOT_FOUND("/1/2/");
        NOT_FOUND("/1/x");
        NOT_FOUND("/1/?x=1");
        NOT_FOUND("1/");
        NOT_FOUND("/x/");
        NOT_FOUND("/{id}/");
        NOT_FOUND("/comments//delete");
        NOT_FOUND("/comments/0/delete");
        NOT_FOUND("/comments/01/delete");
        NOT_FOUND("/comments/1/delet");
        NOT_FOUND("/comments/1/deletex");
        NOT_FOUND("/comments/x/delete");
        NOT_FOUND("/comments/1");
        NOT_FOUND("/COMMENTS/");
        NOT_FOUND("/comments/%31/delete");
        NOT_FOUND("/about");

        /* An empty table finds nothing. */
        {
                const struct route *found = NULL;
                struct route_params p;
                unsigned allowed = 99;
                struct route_table empty = {rows, 0, sizeof(rows[0])};
                CHECK_EQ_INT(route_match(&empty, HTTP_GET, "/", &found, &p, &allowed),
                             ROUTE_NOT_FOUND);
                CHECK(found == NULL);
        }
}

static void test_match_two_ids(void)
{
        static const struct route t2[] = {
            {HTTP_GET, "/a/{id}/b/{id}/", 0},
            {HTTP_POST | HTTP_GET, "/x/", 0},
            {HTTP_POST, "/y/", 0},
        };
        const struct route_table t2t = ROUTE_TABLE(t2);
        const struct route *found = NULL;
        struct route_params p;
        unsigned allowed = 0;
        CHECK_EQ_INT(route_match(&t2t, HTTP_GET, "/a/12/b/34/", &found, &p, &allowed), ROUTE_FOUND);
        CHECK(found == &t2[0]);
        CHECK_EQ_SIZE(p.count, 2);
        CHECK_EQ_INT(p.id[0], 12);
        CHECK_EQ_INT(p.id[1], 34);
        CHECK_EQ_INT(route_match(&t2t, HTTP_GET, "/a/12/b/0/", &found, &p, &allowed),
                     ROUTE_NOT_FOUND);
        /* A route allowing GET and POST: HEAD comes with GET. */
        CHECK_EQ_INT(route_match(&t2t, HTTP_HEAD, "/x/", &found, &p, &allowed), ROUTE_FOUND);
        CHECK(found == &t2[1]);
        CHECK_EQ_SIZE(p.count, 0);
        CHECK_EQ_INT(route_match(&t2t, HTTP_OTHER, "/x/", &found, &p, &allowed), ROUTE_BAD_METHOD);
        CHECK_EQ_INT(allowed, HTTP_GET | HTTP_HEAD | HTTP_POST);
        /* A POST-only route: HEAD is not implied. */
        CHECK_EQ_INT(route_match(&t2t, HTTP_HEAD, "/y/", &found, &p, &allowed), ROUTE_BAD_METHOD);
        CHECK_EQ_INT(allowed, HTTP_POST);
}

/* The canonical URL of method + path + query on the real table, or "(no route)". */
static const char *real_canonical(enum http_method m, const char *path, const char *query)
{
        static char out[ROUTE_CANONICAL_MAX];
        const struct route *r;
        struct route_params p;
        unsigned allowed;
        if (route_match(&page_site.routes, m, path, &r, &p, &allowed) != ROUTE_FOUND)
                return "(no route)";
        route_read_cursor(r, query, &p);
        return route_canonical(r, &p, out, sizeof(out)) ? out : "(no key)";
}

/* The real table (src/pages/routes.c; the handlers are stubs): what README's table promises. */
static void test_real_table(void)
{
        static const struct {
                enum http_method method;
                const char *path;
                app_handler handler;
                uint32_t id;
        } found[] = {
            {HTTP_GET, "/", page_index, 0},
            {HTTP_HEAD, "/", page_index, 0},
            {HTTP_GET, "/2/", page_post_show, 2},
            {HTTP_POST, "/2/", page_post_comment, 2},
            {HTTP_GET, "/comments/", page_comments, 0},
            {HTTP_POST, "/comments/7/delete", page_comment_delete, 7},
            {HTTP_GET, "/about/", page_about, 0},
            {HTTP_GET, "/_status/404", page_status, 404},
            {HTTP_GET, "/_blogd/ping", page_ops_ping, 0},
            {HTTP_GET, "/_blogd/metrics", page_ops_metrics, 0},
        };
        for (size_t i = 0; i < sizeof(found) / sizeof(found[0]); i++) {
                const struct route *r = NULL;
                struct route_params p;
                unsigned allowed = 0;
                CHECK_EQ_INT(route_match(&page_site.routes, found[i].method, found[i].path, &r, &p,
                                         &allowed),
                             ROUTE_FOUND);
                CHECK(r && ((const struct app_route *)r)->handler == found[i].handler);
                CHECK_EQ_SIZE(p.count, found[i].id ? 1 : 0);
                if (found[i].id)
                        CHECK_EQ_INT(p.id[0], found[i].id);
        }
        const struct route *r = NULL;
        struct route_params p;
        unsigned allowed = 0;
        CHECK_EQ_INT(route_match(&page_site.routes, HTTP_POST, "/about/", &r, &p, &allowed),
                     ROUTE_BAD_METHOD);
        CHECK_EQ_INT(allowed, HTTP_GET | HTTP_HEAD);
        CHECK_EQ_INT(route_match(&page_site.routes, HTTP_GET, "/about", &r, &p, &allowed),
                     ROUTE_NOT_FOUND);

        /* The lists' cursors, in each list's order; a page without a list ignores the query. */
        CHECK_EQ_STR(real_canonical(HTTP_GET, "/", "after=5&utm_source=x"), "/?after=5");
        CHECK_EQ_STR(real_canonical(HTTP_GET, "/2/", "before=9"), "/2/?before=9");
        CHECK_EQ_STR(real_canonical(HTTP_GET, "/comments/", "after=3&before=9"),
                     "/comments/?before=9");
        CHECK_EQ_STR(real_canonical(HTTP_GET, "/comments/", "after=01"), "/comments/");
        CHECK_EQ_STR(real_canonical(HTTP_GET, "/about/", "after=5"), "/about/");
        CHECK_EQ_STR(real_canonical(HTTP_GET, "/_status/404", "after=5"), "/_status/404");
}

static void test_allow_text(void)
{
        char out[64];
        route_allow_text(HTTP_GET | HTTP_HEAD | HTTP_POST, out, sizeof(out));
        CHECK_EQ_STR(out, "GET, HEAD, POST");
        route_allow_text(HTTP_GET | HTTP_HEAD, out, sizeof(out));
        CHECK_EQ_STR(out, "GET, HEAD");
        route_allow_text(HTTP_POST, out, sizeof(out));
        CHECK_EQ_STR(out, "POST");
        route_allow_text(HTTP_GET | HTTP_POST, out, sizeof(out));
        CHECK_EQ_STR(out, "GET, POST");
        route_allow_text(HTTP_HEAD, out, sizeof(out));
        CHECK_EQ_STR(out, "HEAD");
        strcpy(out, "junk");
        route_allow_text(0, out, sizeof(out));
        CHECK_EQ_STR(out, "");
        route_allow_text(HTTP_OTHER, out, sizeof(out));
        CHECK_EQ_STR(out, "");
        route_allow_text(HTTP_OTHER | HTTP_POST, out, sizeof(out));
        CHECK_EQ_STR(out, "POST");

        /* Exactly enough room. */
        char exact[sizeof("GET, HEAD, POST")];
        route_allow_text(HTTP_GET | HTTP_HEAD | HTTP_POST, exact, sizeof(exact));
        CHECK_EQ_STR(exact, "GET, HEAD, POST");

        /* Too little room: never overflows, always NUL-terminated. */
        for (size_t n = 1; n < sizeof("GET, HEAD, POST"); n++) {
                char small[32];
                memset(small, 'Z', sizeof(small));
                route_allow_text(HTTP_GET | HTTP_HEAD | HTTP_POST, small, n);
                CHECK(memchr(small, '\0', n) != NULL);
                CHECK(small[n] == 'Z');
                CHECK(strncmp(small, "GET, HEAD, POST", strlen(small)) == 0);
        }
        /* outlen 0 writes nothing. */
        {
                char z = 'Z';
                route_allow_text(HTTP_GET, &z, 0);
                CHECK(z == 'Z');
        }
}

static void test_method_parse(void)
{
        CHECK_EQ_INT(http_method_parse("GET"), HTTP_GET);
        CHECK_EQ_INT(http_method_parse("HEAD"), HTTP_HEAD);
        CHECK_EQ_INT(http_method_parse("POST"), HTTP_POST);
        CHECK_EQ_INT(http_method_parse("get"), HTTP_OTHER);
        CHECK_EQ_INT(http_method_parse("Post"), HTTP_OTHER);
        CHECK_EQ_INT(http_method_parse("PUT"), HTTP_OTHER);
        CHECK_EQ_INT(http_method_parse("DELETE"), HTTP_OTHER);
        CHECK_EQ_INT(http_method_parse("OPTIONS"), HTTP_OTHER);
        CHECK_EQ_INT(http_method_parse("GET "), HTTP_OTHER);
        CHECK_EQ_INT(http_method_parse(" GET"), HTTP_OTHER);
        CHECK_EQ_INT(http_method_parse("GETX"), HTTP_OTHER);
        CHECK_EQ_INT(http_method_parse(""), HTTP_OTHER);
        CHECK_EQ_INT(http_method_parse(NULL), HTTP_OTHER);
}

int main(void)
{
        test_parse_id();
        test_match();
        test_match_two_ids();
        test_real_table();
        test_allow_text();
        test_method_parse();
        return check_summary();
}
