/* test_utf8: strict UTF-8 validation and code point counting (src/http/utf8.c). */
#include "check.h"
#include "http/utf8.h"

#include <stdio.h>
#include <string.h>

static void hex(const char *s, size_t len, char *out, size_t outlen)
{
        size_t w = 0;
        out[0] = '\0';
        for (size_t i = 0; i < len && w + 4 < outlen; i++)
                w += (size_t)snprintf(out + w, outlen - w, "%s%02X", i ? " " : "",
                                      (unsigned)(unsigned char)s[i]);
}

static void expect_ok(const char *s, size_t len, size_t chars, int line)
{
        size_t n = 12345;
        char h[200], what[300];
        hex(s, len, h, sizeof(h));
        snprintf(what, sizeof(what), "utf8 valid with %zu code points: [%s] (test line %d)", chars,
                 h, line);
        bool ok = utf8_check_text(s, len, &n);
        check_record_(ok && n == chars, __FILE__, line, what);
        if (!ok || n != chars)
                fprintf(stderr, "    returned %d, chars %zu\n", ok, n);
        /* chars may be NULL. */
        check_record_(utf8_check_text(s, len, NULL) == true, __FILE__, line, "valid with NULL");
}

static void expect_bad(const char *s, size_t len, int line)
{
        size_t n = 12345;
        char h[200], what[300];
        hex(s, len, h, sizeof(h));
        snprintf(what, sizeof(what), "utf8 rejected: [%s] (test line %d)", h, line);
        check_record_(!utf8_check_text(s, len, &n), __FILE__, line, what);
        check_record_(!utf8_check_text(s, len, NULL), __FILE__, line, "rejected with NULL");
}

/* Literal forms: sizeof - 1 so embedded NULs count. */
#define OK(lit, chars) expect_ok((lit), sizeof(lit) - 1, (chars), __LINE__)
#define BAD(lit) expect_bad((lit), sizeof(lit) - 1, __LINE__)

static void test_valid(void)
{
        OK("", 0);
        OK("a", 1);
        OK("hello, world", 12);
        OK(" !~", 3);
        OK("\t", 1);
        OK("line1\nline2\r\n\tx", 15);

        /* 2-byte: U+0080, é, U+07FF */
        OK("\xc2\x80", 1);
        OK("caf\xc3\xa9", 4);
        OK("\xdf\xbf", 1);
        /* 3-byte: U+0800, €, last before surrogates, first after, U+FFFD, U+FFFF */
        OK("\xe0\xa0\x80", 1);
        OK("\xe2\x82\xac", 1);
        OK("\xed\x9f\xbf", 1);
        OK("\xee\x80\x80", 1);
        OK("\xef\xbf\xbd", 1);
        OK("\xef\xbf\xbf", 1);
        /* 4-byte: U+10000, 😀, U+10FFFF */
        OK("\xf0\x90\x80\x80", 1);
        OK("\xf0\x9f\x98\x80", 1);
        OK("\xf4\x8f\xbf\xbf", 1);
        /* Mixed: "a é € 😀" */
        OK("a \xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", 7);
        OK("\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e", 3);

        /* Only len bytes are examined: a bad byte past len does not matter. */
        {
                size_t n = 0;
                CHECK(utf8_check_text("ab\x01", 2, &n));
                CHECK_EQ_SIZE(n, 2);
                CHECK(utf8_check_text("\xe2\x82\xac\xff", 3, &n));
                CHECK_EQ_SIZE(n, 1);
        }
        /* A long text. */
        {
                char big[3000];
                for (size_t i = 0; i < 1000; i++)
                        memcpy(big + 3 * i, "\xe2\x82\xac", 3);
                size_t n = 0;
                CHECK(utf8_check_text(big, sizeof(big), &n));
                CHECK_EQ_SIZE(n, 1000);
        }
}

static void test_invalid(void)
{
        /* Overlongs. */
        BAD("\xc0\x80");
        BAD("\xc0\xaf");
        BAD("\xc1\xbf");
        BAD("\xe0\x80\x80");
        BAD("\xe0\x9f\xbf");
        BAD("\xf0\x80\x80\x80");
        BAD("\xf0\x8f\xbf\xbf");
        /* Surrogates U+D800..U+DFFF. */
        BAD("\xed\xa0\x80");
        BAD("\xed\xbf\xbf");
        BAD("\xed\xb0\x80");
        BAD("\xed\xa0\xbd\xed\xb8\x80"); /* CESU-8 pair */
        /* Past U+10FFFF and bytes that never appear. */
        BAD("\xf4\x90\x80\x80");
        BAD("\xf5\x80\x80\x80");
        BAD("\xf7\xbf\xbf\xbf");
        BAD("\xf8\x88\x80\x80\x80");
        BAD("\xfc\x84\x80\x80\x80\x80");
        BAD("\xfe");
        BAD("\xff");
        /* Lone / stray continuation bytes. */
        BAD("\x80");
        BAD("\xbf");
        BAD("a\x80");
        BAD("\xc3\xa9\xa9");
        /* Truncated sequences at the end. */
        BAD("\xc3");
        BAD("a\xc3");
        BAD("\xe2");
        BAD("\xe2\x82");
        BAD("\xf0");
        BAD("\xf0\x9f");
        BAD("\xf0\x9f\x98");
        BAD("ok \xf0\x9f\x98");
        /* Truncated in the middle: a non-continuation byte too early. */
        BAD("\xc3"
            "a");
        BAD("\xe2\x82"
            "a");
        BAD("\xe2"
            "a\xac");
        BAD("\xf0\x9f\x98"
            "a");
        BAD("\xc3\xc3\xa9");
        BAD("\xc3\xe2\x82\xac");
        /* NUL and C0 controls other than tab, LF, CR; and DEL. */
        BAD("\0");
        BAD("a\0b");
        BAD("abc\0");
        BAD("\x01");
        BAD("\x08");
        BAD("\x0b");
        BAD("\x0c");
        BAD("\x1b[31m");
        BAD("\x1f");
        BAD("\x7f");
        BAD("text\x7f");
        /* Valid text followed by one bad byte. */
        BAD("caf\xc3\xa9 \xff");

        /* Every C0 control is refused except tab, LF and CR. */
        for (int c = 0; c < 0x20; c++) {
                char s[1] = {(char)c};
                bool want = c == '\t' || c == '\n' || c == '\r';
                char what[64];
                snprintf(what, sizeof(what), "control 0x%02X (allowed=%d)", (unsigned)c, want);
                check_record_(utf8_check_text(s, 1, NULL) == want, __FILE__, __LINE__, what);
        }
        /* Every lead byte 0x80..0xC1 and 0xF5..0xFF is refused, whatever follows. */
        for (int c = 0x80; c <= 0xff; c++) {
                if (c >= 0xc2 && c <= 0xf4)
                        continue;
                char s[4] = {(char)c, (char)0x80, (char)0x80, (char)0x80};
                char what[64];
                snprintf(what, sizeof(what), "lead byte 0x%02X is refused", (unsigned)c);
                check_record_(!utf8_check_text(s, 4, NULL), __FILE__, __LINE__, what);
        }
}

int main(void)
{
        test_valid();
        test_invalid();
        return check_summary();
}
