/* test_localpath: localpath_ok (src/http/localpath.c), the login's `next` redirect target:
 * a path starting with exactly one "/", printable ASCII, no backslash, at most 200 bytes. */
#include "check.h"
#include "http/localpath.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The text in a heap buffer of exactly len bytes (no NUL), so ASan sees a read past its end. */
static bool ok_n(const char *s, size_t len)
{
        char *p = malloc(len ? len : 1);
        if (len)
                memcpy(p, s, len);
        bool r = localpath_ok(p, len);
        free(p);
        return r;
}

static void check_path(const char *s, size_t len, bool want, int line)
{
        char what[200];
        char shown[80];
        size_t w = 0;
        for (size_t i = 0; i < len && w + 5 < sizeof(shown); i++) {
                unsigned char c = (unsigned char)s[i];
                if (c >= 0x21 && c < 0x7f)
                        shown[w++] = (char)c;
                else
                        w += (size_t)snprintf(shown + w, sizeof(shown) - w, "\\x%02x", c);
        }
        shown[w] = '\0';
        snprintf(what, sizeof(what), "localpath_ok(\"%s\"%s, %zu) is %s (test line %d)", shown,
                 w + 5 >= sizeof(shown) ? "..." : "", len, want ? "true" : "false", line);
        check_record_(ok_n(s, len) == want, __FILE__, line, what);
}

#define LOCAL(s) check_path((s), sizeof(s) - 1, true, __LINE__)
#define NOT_LOCAL(s) check_path((s), sizeof(s) - 1, false, __LINE__)

static void test_accepted(void)
{
        LOCAL("/");
        LOCAL("/admin/");
        LOCAL("/admin/posts/12/edit");
        LOCAL("/a?b=c");
        LOCAL("/a?b=c&d=%2F%2Fe#frag");
        LOCAL("/?next=//evil.com"); /* "//" later in the path is only a path */
        LOCAL("/a//b");
        LOCAL("/%2F%2Fevil.com"); /* encoded slashes stay in the path */
        LOCAL("/%5Cevil.com");
        LOCAL("/.");
        LOCAL("/..");
        LOCAL("/@evil.com");
        LOCAL("/:");
        LOCAL("/~!$&'()*+,;=:@-._");
}

static void test_refused(void)
{
        NOT_LOCAL("");
        NOT_LOCAL("admin");
        NOT_LOCAL("admin/");
        NOT_LOCAL("./admin");
        NOT_LOCAL("?a=b");
        NOT_LOCAL("#x");
        NOT_LOCAL("//evil.com");
        NOT_LOCAL("//");
        NOT_LOCAL("///evil.com");
        NOT_LOCAL("/\\evil.com");
        NOT_LOCAL("\\/evil.com");
        NOT_LOCAL("\\\\evil.com");
        NOT_LOCAL("/a\\b");
        NOT_LOCAL("/a\\");
        NOT_LOCAL("/\\");
        NOT_LOCAL("http://x");
        NOT_LOCAL("https://evil.com/");
        NOT_LOCAL("javascript:alert(1)");
        NOT_LOCAL("HTTP://x");
        NOT_LOCAL(" /admin/");
        NOT_LOCAL("\t/admin/");
        NOT_LOCAL("/admin/ ");
        NOT_LOCAL("/ /evil.com");
        NOT_LOCAL("/\t/evil.com"); /* browsers drop tabs and newlines: that would be "//" */
        NOT_LOCAL("/\n/evil.com");
        NOT_LOCAL("/\r/evil.com");
        NOT_LOCAL("/a\r\nSet-Cookie: x=1");
        NOT_LOCAL("/a\nLocation: http://evil.com");
        NOT_LOCAL("/a\r");
        NOT_LOCAL("/a b");
        NOT_LOCAL("/a\tb");
        NOT_LOCAL("/\x7f");
        NOT_LOCAL("/caf\xc3\xa9");  /* UTF-8 é */
        NOT_LOCAL("/\xef\xbc\x8f"); /* FULLWIDTH SOLIDUS */
        NOT_LOCAL("/\xff");
        NOT_LOCAL("/\x80");
        NOT_LOCAL("\xc3\xa9/");
        CHECK(!localpath_ok(NULL, 0));
        CHECK(!localpath_ok(NULL, 5));
        /* NUL bytes inside: the length counts, not the NUL. */
        check_path("/a\0b", 4, false, __LINE__);
        check_path("/\0", 2, false, __LINE__);
        check_path("\0/", 2, false, __LINE__);
        /* Only len bytes are looked at. */
        CHECK(localpath_ok("/admin\\", 6));
        CHECK(!localpath_ok("//evil", 2));
        CHECK(localpath_ok("//evil", 1));
}

static void test_lengths(void)
{
        char p[LOCALPATH_MAX + 2];
        p[0] = '/';
        for (size_t i = 1; i < sizeof(p); i++)
                p[i] = (char)('a' + i % 26);
        CHECK_EQ_INT(LOCALPATH_MAX, 200);
        check_path(p, 199, true, __LINE__);
        check_path(p, 200, true, __LINE__);
        check_path(p, 201, false, __LINE__);
        check_path(p, 202, false, __LINE__);
        for (size_t n = 1; n <= sizeof(p); n++) {
                bool got = ok_n(p, n);
                if (got != (n <= LOCALPATH_MAX)) {
                        char what[60];
                        snprintf(what, sizeof(what), "path of %zu bytes", n);
                        check_record_(0, __FILE__, __LINE__, what);
                }
        }
        /* A bad byte as the 200th (last allowed) byte still counts. */
        p[199] = '\\';
        check_path(p, 200, false, __LINE__);
        p[199] = ' ';
        check_path(p, 200, false, __LINE__);
        p[199] = 'z';
        check_path(p, 200, true, __LINE__);
}

/* Every byte value as the second and as a later byte. */
static void test_every_byte(void)
{
        unsigned second = 0, later = 0;
        for (int c = 0; c < 256; c++) {
                char s[4] = {'/', (char)c, 'x', '\0'};
                bool printable = c > 0x20 && c < 0x7f && c != '\\';
                bool want2 = printable && c != '/';
                if (ok_n(s, 3) != want2) {
                        char what[60];
                        snprintf(what, sizeof(what), "byte 0x%02x second", (unsigned)c);
                        check_record_(0, __FILE__, __LINE__, what);
                }
                second += want2;
                char t[4] = {'/', 'a', (char)c, '\0'};
                if (ok_n(t, 3) != printable) {
                        char what[60];
                        snprintf(what, sizeof(what), "byte 0x%02x third", (unsigned)c);
                        check_record_(0, __FILE__, __LINE__, what);
                }
                later += printable;
                char f[2] = {(char)c, '\0'};
                if (ok_n(f, 1) != (c == '/')) {
                        char what[60];
                        snprintf(what, sizeof(what), "byte 0x%02x first", (unsigned)c);
                        check_record_(0, __FILE__, __LINE__, what);
                }
        }
        /* 0x21..0x7e is 94 bytes; minus "\" (and "/" as the second byte). */
        CHECK_EQ_INT(later, 93);
        CHECK_EQ_INT(second, 92);
}

int main(void)
{
        test_accepted();
        test_refused();
        test_lengths();
        test_every_byte();
        return check_summary();
}
