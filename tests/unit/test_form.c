/* test_form: percent-decoding and urlencoded form parsing (src/http/form.c). */
#include "check.h"
#include "http/form.h"

#include <stdio.h>
#include <string.h>

/* Copies the text into a buffer one byte longer (decoding writes a NUL at s[len]). */
static long decode(const char *in, size_t len, char *out, size_t outcap)
{
        if (len + 1 > outcap)
                return -2;
        memcpy(out, in, len);
        out[len] = 'X'; /* the terminator must be written by the decoder */
        return form_percent_decode(out, len);
}

static void check_decode_ok(const char *in, const char *want, size_t want_len, int line)
{
        char b[256];
        long n = decode(in, strlen(in), b, sizeof(b));
        char what[300];
        snprintf(what, sizeof(what), "form_percent_decode(\"%s\") (test line %d)", in, line);
        check_record_(n == (long)want_len && memcmp(b, want, want_len) == 0, __FILE__, line, what);
        if (n >= 0)
                check_record_(b[n] == '\0', __FILE__, line, "decoded text is NUL-terminated");
}

static void check_decode_bad(const char *in, int line)
{
        char b[256];
        long n = decode(in, strlen(in), b, sizeof(b));
        char what[300];
        snprintf(what, sizeof(what), "form_percent_decode(\"%s\") == -1 (test line %d)", in, line);
        check_record_(n == -1, __FILE__, line, what);
}

#define DECODE_OK(in, want) check_decode_ok((in), (want), sizeof(want) - 1, __LINE__)
#define DECODE_BAD(in) check_decode_bad((in), __LINE__)

static void test_percent_decode(void)
{
        DECODE_OK("", "");
        DECODE_OK("hello", "hello");
        DECODE_OK("hello+world", "hello world");
        DECODE_OK("+", " ");
        DECODE_OK("++", "  ");
        DECODE_OK("a%20b", "a b");
        DECODE_OK("1%2B1", "1+1");
        DECODE_OK("%2b", "+");
        DECODE_OK("%2B%2b", "++");
        DECODE_OK("%e2%82%AC", "\xe2\x82\xac");
        DECODE_OK("%41%42%43", "ABC");
        DECODE_OK("%25", "%");
        DECODE_OK("%2525", "%25"); /* decoded once, not twice */
        DECODE_OK("%FF", "\xff");
        DECODE_OK("a=b&c", "a=b&c"); /* only + and %XX are special */

        /* An embedded NUL is kept: the length tells the truth. */
        DECODE_OK("a%00b", "a\0b");
        DECODE_OK("%00", "\0");

        DECODE_BAD("%");
        DECODE_BAD("%Z");
        DECODE_BAD("%ZZ");
        DECODE_BAD("%1");
        DECODE_BAD("abc%");
        DECODE_BAD("abc%4");
        DECODE_BAD("%G0");
        DECODE_BAD("%0G");
        DECODE_BAD("% 1");
        DECODE_BAD("%-1");
        DECODE_BAD("ok%20then%");

        /* Only len bytes are looked at: an escape cut by len is malformed. */
        {
                char b[8] = "%41";
                CHECK_EQ_INT(form_percent_decode(b, 2), -1);
        }
        {
                char b[8] = "ab%41";
                CHECK_EQ_INT(form_percent_decode(b, 2), 2);
                CHECK_EQ_STR(b, "ab");
        }
}

/* A parse buffer: body[len] must be writable, so keep one spare byte. */
struct body {
        char data[2048];
        size_t len;
};

static enum form_status parse(struct body *b, const char *text, struct form *f)
{
        b->len = strlen(text);
        if (b->len + 1 > sizeof(b->data))
                return (enum form_status) - 1;
        memcpy(b->data, text, b->len);
        b->data[b->len] = 'X';
        return form_parse(b->data, b->len, f);
}

static void test_parse_basic(void)
{
        struct body b;
        struct form f;

        CHECK_EQ_INT(parse(&b, "content=hello+world&csrf=abc", &f), FORM_OK);
        CHECK_EQ_SIZE(f.count, 2);
        const struct form_field *c = form_get(&f, "content");
        const struct form_field *t = form_get(&f, "csrf");
        if (CHECK(c != NULL)) {
                CHECK_EQ_STR(c->value, "hello world");
                CHECK_EQ_SIZE(c->value_len, 11);
        }
        if (CHECK(t != NULL)) {
                CHECK_EQ_STR(t->value, "abc");
                CHECK_EQ_SIZE(t->value_len, 3);
        }
        CHECK_EQ_STR(f.fields[0].name, "content");
        CHECK_EQ_STR(f.fields[1].name, "csrf");
        CHECK(form_get(&f, "missing") == NULL);
        CHECK(form_get(&f, "Content") == NULL);
        CHECK(form_get(&f, "") == NULL);

        /* Empty body: no fields. */
        CHECK_EQ_INT(parse(&b, "", &f), FORM_OK);
        CHECK_EQ_SIZE(f.count, 0);
        CHECK(form_get(&f, "content") == NULL);

        /* A stale count is reset. */
        f.count = 5;
        CHECK_EQ_INT(parse(&b, "&", &f), FORM_OK);
        CHECK_EQ_SIZE(f.count, 0);
        CHECK_EQ_INT(parse(&b, "&&&", &f), FORM_OK);
        CHECK_EQ_SIZE(f.count, 0);

        /* Empty pieces are skipped. */
        CHECK_EQ_INT(parse(&b, "a=1&&b=2", &f), FORM_OK);
        CHECK_EQ_SIZE(f.count, 2);
        if (CHECK(form_get(&f, "a") != NULL))
                CHECK_EQ_STR(form_get(&f, "a")->value, "1");
        if (CHECK(form_get(&f, "b") != NULL))
                CHECK_EQ_STR(form_get(&f, "b")->value, "2");

        CHECK_EQ_INT(parse(&b, "a=1&", &f), FORM_OK);
        CHECK_EQ_SIZE(f.count, 1);
        if (CHECK(form_get(&f, "a") != NULL))
                CHECK_EQ_STR(form_get(&f, "a")->value, "1");

        CHECK_EQ_INT(parse(&b, "&a=1", &f), FORM_OK);
        CHECK_EQ_SIZE(f.count, 1);

        /* A field without '=' has an empty value. */
        CHECK_EQ_INT(parse(&b, "flag&a=1", &f), FORM_OK);
        CHECK_EQ_SIZE(f.count, 2);
        const struct form_field *fl = form_get(&f, "flag");
        if (CHECK(fl != NULL)) {
                CHECK_EQ_STR(fl->value, "");
                CHECK_EQ_SIZE(fl->value_len, 0);
        }
        CHECK_EQ_INT(parse(&b, "flag", &f), FORM_OK);
        CHECK_EQ_SIZE(f.count, 1);
        if (CHECK(form_get(&f, "flag") != NULL))
                CHECK_EQ_SIZE(form_get(&f, "flag")->value_len, 0);

        /* "a=" is also an empty value. */
        CHECK_EQ_INT(parse(&b, "a=&b=2", &f), FORM_OK);
        if (CHECK(form_get(&f, "a") != NULL)) {
                CHECK_EQ_STR(form_get(&f, "a")->value, "");
                CHECK_EQ_SIZE(form_get(&f, "a")->value_len, 0);
        }

        /* Only the first '=' splits. */
        CHECK_EQ_INT(parse(&b, "a=b=c", &f), FORM_OK);
        CHECK_EQ_SIZE(f.count, 1);
        if (CHECK(form_get(&f, "a") != NULL)) {
                CHECK_EQ_STR(form_get(&f, "a")->value, "b=c");
                CHECK_EQ_SIZE(form_get(&f, "a")->value_len, 3);
        }
        CHECK_EQ_INT(parse(&b, "a==", &f), FORM_OK);
        if (CHECK(form_get(&f, "a") != NULL))
                CHECK_EQ_STR(form_get(&f, "a")->value, "=");

        /* Escaped '&' and '=' inside a value are data, not separators. */
        CHECK_EQ_INT(parse(&b, "q=a%26b%3Dc&r=1", &f), FORM_OK);
        CHECK_EQ_SIZE(f.count, 2);
        if (CHECK(form_get(&f, "q") != NULL))
                CHECK_EQ_STR(form_get(&f, "q")->value, "a&b=c");

        /* Names: letters, digits, '_' and '-' (also when percent-encoded). */
        CHECK_EQ_INT(parse(&b, "post_id-2=7&A_z-09=x", &f), FORM_OK);
        CHECK_EQ_SIZE(f.count, 2);
        CHECK(form_get(&f, "post_id-2") != NULL);
        CHECK(form_get(&f, "A_z-09") != NULL);
        CHECK_EQ_INT(parse(&b, "%61bc=1", &f), FORM_OK);
        CHECK(form_get(&f, "abc") != NULL);
}

static void test_parse_values(void)
{
        struct body b;
        struct form f;

        /* UTF-8, percent-encoded: "café €" */
        CHECK_EQ_INT(parse(&b, "content=caf%C3%A9+%E2%82%AC", &f), FORM_OK);
        const struct form_field *c = form_get(&f, "content");
        if (CHECK(c != NULL)) {
                CHECK_EQ_MEM(c->value, c->value_len, "caf\xc3\xa9 \xe2\x82\xac", 9);
                CHECK_EQ_STR(c->value, "caf\xc3\xa9 \xe2\x82\xac");
        }
        /* Raw (unescaped) UTF-8 bytes are passed through untouched. */
        CHECK_EQ_INT(parse(&b, "content=\xf0\x9f\x98\x80", &f), FORM_OK);
        c = form_get(&f, "content");
        if (CHECK(c != NULL))
                CHECK_EQ_MEM(c->value, c->value_len, "\xf0\x9f\x98\x80", 4);

        /* An encoded NUL stays in the value; value_len counts it. */
        CHECK_EQ_INT(parse(&b, "v=a%00b&w=1", &f), FORM_OK);
        c = form_get(&f, "v");
        if (CHECK(c != NULL))
                CHECK_EQ_MEM(c->value, c->value_len, "a\0b", 3);
        if (CHECK(form_get(&f, "w") != NULL))
                CHECK_EQ_STR(form_get(&f, "w")->value, "1");

        /* Malformed escapes in a value. */
        CHECK_EQ_INT(parse(&b, "a=%", &f), FORM_BAD_ENCODING);
        CHECK_EQ_INT(parse(&b, "a=%ZZ&b=1", &f), FORM_BAD_ENCODING);
        CHECK_EQ_INT(parse(&b, "a=1&b=x%4", &f), FORM_BAD_ENCODING);
        CHECK_EQ_INT(parse(&b, "a=%G0", &f), FORM_BAD_ENCODING);
        /* An escape must not borrow the '&' that follows it. */
        CHECK_EQ_INT(parse(&b, "a=%4&1=2", &f), FORM_BAD_ENCODING);
}

static void test_parse_errors(void)
{
        struct body b;
        struct form f;
        char text[1800];

        /* Duplicates are refused, also when one is spelled with escapes. */
        CHECK_EQ_INT(parse(&b, "a=1&a=2", &f), FORM_DUPLICATE);
        CHECK_EQ_INT(parse(&b, "a=1&b=2&a=1", &f), FORM_DUPLICATE);
        CHECK_EQ_INT(parse(&b, "a&a", &f), FORM_DUPLICATE);
        CHECK_EQ_INT(parse(&b, "csrf=1&%63srf=2", &f), FORM_DUPLICATE);
        /* Names are case-sensitive: these differ. */
        CHECK_EQ_INT(parse(&b, "a=1&A=2", &f), FORM_OK);
        CHECK_EQ_SIZE(f.count, 2);

        /* FORM_MAX_FIELDS distinct fields are fine, one more is too many. */
        text[0] = '\0';
        for (int i = 0; i < FORM_MAX_FIELDS; i++) {
                size_t l = strlen(text);
                snprintf(text + l, sizeof(text) - l, "%sf%d=%d", i ? "&" : "", i, i);
        }
        CHECK_EQ_INT(parse(&b, text, &f), FORM_OK);
        CHECK_EQ_SIZE(f.count, FORM_MAX_FIELDS);
        if (CHECK(form_get(&f, "f15") != NULL))
                CHECK_EQ_STR(form_get(&f, "f15")->value, "15");
        {
                size_t l = strlen(text);
                snprintf(text + l, sizeof(text) - l, "&extra=1");
        }
        CHECK_EQ_INT(parse(&b, text, &f), FORM_TOO_MANY);
        /* Empty pieces do not count towards the limit. */
        text[0] = '\0';
        for (int i = 0; i < FORM_MAX_FIELDS; i++) {
                size_t l = strlen(text);
                snprintf(text + l, sizeof(text) - l, "&&f%d=%d", i, i);
        }
        CHECK_EQ_INT(parse(&b, text, &f), FORM_OK);
        CHECK_EQ_SIZE(f.count, FORM_MAX_FIELDS);

        /* Name length: FORM_MAX_NAME decoded bytes is the limit. */
        memset(text, 'n', FORM_MAX_NAME);
        strcpy(text + FORM_MAX_NAME, "=v");
        CHECK_EQ_INT(parse(&b, text, &f), FORM_OK);
        CHECK_EQ_SIZE(f.count, 1);
        CHECK_EQ_SIZE(strlen(f.fields[0].name), FORM_MAX_NAME);
        memset(text, 'n', FORM_MAX_NAME + 1);
        strcpy(text + FORM_MAX_NAME + 1, "=v");
        CHECK_EQ_INT(parse(&b, text, &f), FORM_NAME_TOO_LONG);
        memset(text, 'n', FORM_MAX_NAME + 1); /* no '=' at all */
        text[FORM_MAX_NAME + 1] = '\0';
        CHECK_EQ_INT(parse(&b, text, &f), FORM_NAME_TOO_LONG);
        memset(text, 'n', 1000);
        strcpy(text + 1000, "=v");
        CHECK_EQ_INT(parse(&b, text, &f), FORM_NAME_TOO_LONG);
        /* 64 decoded bytes spelled as 192 escaped ones are still fine... */
        text[0] = '\0';
        for (int i = 0; i < FORM_MAX_NAME; i++)
                strcat(text, "%61");
        strcat(text, "=v");
        CHECK_EQ_INT(parse(&b, text, &f), FORM_OK);
        CHECK_EQ_SIZE(strlen(f.fields[0].name), FORM_MAX_NAME);
        /* ...but 65 are not. */
        text[0] = '\0';
        for (int i = 0; i < FORM_MAX_NAME + 1; i++)
                strcat(text, "%61");
        strcat(text, "=v");
        CHECK_EQ_INT(parse(&b, text, &f), FORM_NAME_TOO_LONG);
        /* A long value is fine. */
        strcpy(text, "v=");
        memset(text + 2, 'x', 1500);
        text[1502] = '\0';
        CHECK_EQ_INT(parse(&b, text, &f), FORM_OK);
        if (CHECK(form_get(&f, "v") != NULL))
                CHECK_EQ_SIZE(form_get(&f, "v")->value_len, 1500);

        /* Names that are not plain. */
        CHECK_EQ_INT(parse(&b, "a b=1", &f), FORM_BAD_ENCODING);
        CHECK_EQ_INT(parse(&b, "a+b=1", &f), FORM_BAD_ENCODING);
        CHECK_EQ_INT(parse(&b, "%3C=1", &f), FORM_BAD_ENCODING);
        CHECK_EQ_INT(parse(&b, "%3Cscript%3E=1", &f), FORM_BAD_ENCODING);
        CHECK_EQ_INT(parse(&b, "a.b=1", &f), FORM_BAD_ENCODING);
        CHECK_EQ_INT(parse(&b, "a[]=1", &f), FORM_BAD_ENCODING);
        CHECK_EQ_INT(parse(&b, "caf\xc3\xa9=1", &f), FORM_BAD_ENCODING);
        CHECK_EQ_INT(parse(&b, "ok=1&b%ad=1", &f), FORM_BAD_ENCODING);
        CHECK_EQ_INT(parse(&b, "%=1", &f), FORM_BAD_ENCODING);
        CHECK_EQ_INT(parse(&b, "a%ZZ=1", &f), FORM_BAD_ENCODING);
        /* Empty names. */
        CHECK_EQ_INT(parse(&b, "=1", &f), FORM_BAD_ENCODING);
        CHECK_EQ_INT(parse(&b, "a=1&=2", &f), FORM_BAD_ENCODING);
        CHECK_EQ_INT(parse(&b, "=", &f), FORM_BAD_ENCODING);

        /*
         * BUG (src/http/form.c, plain_name): a name with an encoded NUL, "csrf%00x", decodes to
         * "csrf\0x"; plain_name() stops at the NUL so the field is accepted under the truncated
         * name "csrf". Such a name is not plain and should be FORM_BAD_ENCODING.
         */
        CHECK_EQ_INT(parse(&b, "csrf%00x=1", &f), FORM_BAD_ENCODING);
        CHECK_EQ_INT(parse(&b, "a%00=1", &f), FORM_BAD_ENCODING);
        CHECK_EQ_INT(parse(&b, "%00=1", &f), FORM_BAD_ENCODING);
}

static void test_status_text(void)
{
        CHECK_EQ_STR(form_status_text(FORM_OK), "ok");
        const enum form_status errs[] = {FORM_BAD_ENCODING, FORM_TOO_MANY, FORM_NAME_TOO_LONG,
                                         FORM_DUPLICATE};
        for (size_t i = 0; i < sizeof(errs) / sizeof(errs[0]); i++) {
                const char *t = form_status_text(errs[i]);
                CHECK(t != NULL && strlen(t) > 0 && strcmp(t, "ok") != 0);
                for (size_t j = 0; j < i; j++)
                        CHECK(strcmp(t, form_status_text(errs[j])) != 0);
        }
}

int main(void)
{
        test_percent_decode();
        test_parse_basic();
        test_parse_values();
        test_parse_errors();
        test_status_text();
        return check_summary();
}
