/* test_buf: the growable byte buffer (src/core/buf.c). */
#include "check.h"
#include "core/buf.h"

#include <stdarg.h>
#include <stdint.h>
#include <string.h>

static void test_init(void)
{
        struct buf b;
        buf_init(&b);
        CHECK(b.data == NULL);
        CHECK_EQ_SIZE(b.len, 0);
        CHECK_EQ_SIZE(b.cap, 0);
        /* Resetting and cleaning an empty buffer are fine. */
        buf_reset(&b);
        CHECK(b.data == NULL);
        CHECK_EQ_SIZE(b.len, 0);
        buf_cleanup(&b);
        CHECK(b.data == NULL);
        CHECK_EQ_SIZE(b.cap, 0);
}

static void test_append(void)
{
        struct buf b;
        buf_init(&b);
        CHECK(buf_append(&b, "abc", 3));
        CHECK_EQ_SIZE(b.len, 3);
        CHECK(b.cap > b.len);
        CHECK_EQ_STR(b.data, "abc");
        CHECK(b.data[b.len] == '\0');

        CHECK(buf_append(&b, "defg", 2));
        CHECK_EQ_SIZE(b.len, 5);
        CHECK_EQ_STR(b.data, "abcde");

        CHECK(buf_puts(&b, "XYZ"));
        CHECK_EQ_STR(b.data, "abcdeXYZ");
        CHECK_EQ_SIZE(b.len, 8);
        CHECK(buf_puts(&b, ""));
        CHECK_EQ_SIZE(b.len, 8);
        CHECK(b.data[8] == '\0');

        /* Binary data with NULs: len counts them, a NUL still follows. */
        CHECK(buf_append(&b, "\0\x01\0", 3));
        CHECK_EQ_SIZE(b.len, 11);
        CHECK_EQ_MEM(b.data, b.len, "abcdeXYZ\0\x01\0", 11);
        CHECK(b.data[b.len] == '\0');
        buf_cleanup(&b);
        CHECK(b.data == NULL);
        CHECK_EQ_SIZE(b.len, 0);
        CHECK_EQ_SIZE(b.cap, 0);

        /* Appending nothing (even from NULL) to an empty buffer yields "" not NULL. */
        CHECK(buf_append(&b, NULL, 0));
        CHECK(b.data != NULL);
        CHECK_EQ_SIZE(b.len, 0);
        if (b.data)
                CHECK_EQ_STR(b.data, "");
        buf_cleanup(&b);
}

static void test_growth(void)
{
        struct buf b;
        buf_init(&b);
        char expect[10000];
        bool each_ok = true; /* one check for the whole loop, not one per byte */
        for (size_t i = 0; i < sizeof(expect) && each_ok; i++) {
                char c = (char)('a' + (int)(i % 26));
                expect[i] = c;
                each_ok = buf_append(&b, &c, 1) && b.cap > b.len && b.data[b.len] == '\0';
        }
        CHECK(each_ok); /* every append succeeded, kept cap > len and a NUL after the data */
        CHECK_EQ_SIZE(b.len, sizeof(expect));
        CHECK_EQ_MEM(b.data, b.len, expect, sizeof(expect));
        CHECK(b.data[b.len] == '\0');

        /* One large append into an empty buffer. */
        buf_reset(&b);
        CHECK(buf_append(&b, expect, sizeof(expect)));
        CHECK_EQ_MEM(b.data, b.len, expect, sizeof(expect));
        CHECK(b.data[b.len] == '\0');
        buf_cleanup(&b);

        buf_init(&b);
        CHECK(buf_append(&b, expect, sizeof(expect)));
        CHECK(b.cap >= sizeof(expect) + 1);
        CHECK_EQ_MEM(b.data, b.len, expect, sizeof(expect));
        buf_cleanup(&b);
}

static void test_reserve(void)
{
        struct buf b;
        buf_init(&b);
        CHECK(buf_reserve(&b, 0));
        CHECK(b.cap >= 1);
        CHECK(buf_reserve(&b, 1000));
        CHECK(b.cap >= 1001);
        CHECK_EQ_SIZE(b.len, 0);
        size_t cap = b.cap;
        char *data = b.data;
        /* Filling up to the reservation does not move or grow the buffer. */
        char fill[1000];
        memset(fill, 'q', sizeof(fill));
        CHECK(buf_append(&b, fill, sizeof(fill)));
        CHECK(b.data == data);
        CHECK_EQ_SIZE(b.cap, cap);
        CHECK(b.data[1000] == '\0');
        /* A reservation that already fits changes nothing. */
        CHECK(buf_reserve(&b, b.cap - b.len - 1));
        CHECK_EQ_SIZE(b.cap, cap);
        /* One more byte than fits grows it. */
        CHECK(buf_reserve(&b, b.cap - b.len));
        CHECK(b.cap > cap);
        CHECK_EQ_SIZE(b.len, 1000);
        CHECK_EQ_MEM(b.data, b.len, fill, sizeof(fill));

        /* Overflowing sizes are refused and leave the buffer alone. */
        cap = b.cap;
        CHECK(!buf_reserve(&b, SIZE_MAX));
        CHECK(!buf_reserve(&b, SIZE_MAX - b.len));
        CHECK(!buf_append(&b, "x", SIZE_MAX));
        CHECK_EQ_SIZE(b.cap, cap);
        CHECK_EQ_SIZE(b.len, 1000);
        CHECK(b.data[b.len] == '\0');
        buf_cleanup(&b);
}

static void test_reset(void)
{
        struct buf b;
        buf_init(&b);
        CHECK(buf_puts(&b, "first request"));
        char *data = b.data;
        size_t cap = b.cap;
        buf_reset(&b);
        CHECK_EQ_SIZE(b.len, 0);
        CHECK(b.data == data); /* memory kept */
        CHECK_EQ_SIZE(b.cap, cap);
        CHECK_EQ_STR(b.data, "");
        CHECK(buf_puts(&b, "second"));
        CHECK_EQ_STR(b.data, "second");
        CHECK(b.data == data);
        buf_cleanup(&b);
}

static bool vp(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bool vp(struct buf *b, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        bool ok = buf_vprintf(b, fmt, ap);
        va_end(ap);
        return ok;
}

static void test_printf(void)
{
        struct buf b;
        buf_init(&b);
        CHECK(buf_printf(&b, "%s", ""));
        CHECK(b.data != NULL);
        CHECK_EQ_SIZE(b.len, 0);
        if (b.data)
                CHECK_EQ_STR(b.data, "");

        CHECK(buf_printf(&b, "Status: %d %s\r\n", 404, "Not Found"));
        CHECK_EQ_STR(b.data, "Status: 404 Not Found\r\n");
        CHECK_EQ_SIZE(b.len, strlen("Status: 404 Not Found\r\n"));
        CHECK(buf_printf(&b, "%zu|%05.1f|%x", (size_t)7, 2.5, 255u));
        CHECK_EQ_STR(b.data, "Status: 404 Not Found\r\n7|002.5|ff");
        CHECK(b.data[b.len] == '\0');

        CHECK(vp(&b, "[%c%c]", 'o', 'k'));
        CHECK_EQ_STR(b.data, "Status: 404 Not Found\r\n7|002.5|ff[ok]");

        /* Mixed with append. */
        buf_reset(&b);
        CHECK(buf_puts(&b, "<p>"));
        CHECK(buf_printf(&b, "%s", "body"));
        CHECK(buf_append(&b, "</p>", 4));
        CHECK_EQ_STR(b.data, "<p>body</p>");
        CHECK_EQ_SIZE(b.len, 11);

        /* A printf that needs to grow the buffer several times. */
        buf_reset(&b);
        char big[5000];
        memset(big, 'w', sizeof(big) - 1);
        big[sizeof(big) - 1] = '\0';
        CHECK(buf_printf(&b, "<%s>", big));
        CHECK_EQ_SIZE(b.len, sizeof(big) + 1);
        CHECK(b.data[0] == '<' && b.data[b.len - 1] == '>' && b.data[b.len] == '\0');
        CHECK(b.cap > b.len);
        CHECK_EQ_MEM(b.data + 1, sizeof(big) - 1, big, sizeof(big) - 1);

        /* Many small printfs. */
        buf_cleanup(&b);
        bool all_ok = true;
        for (int i = 0; i < 1000 && all_ok; i++)
                all_ok = buf_printf(&b, "%03d,", i);
        CHECK(all_ok);
        CHECK_EQ_SIZE(b.len, 4000);
        CHECK(b.data && strncmp(b.data, "000,001,002,", 12) == 0);
        CHECK(b.data && strcmp(b.data + 3996, "999,") == 0);
        buf_cleanup(&b);
}

int main(void)
{
        test_init();
        test_append();
        test_growth();
        test_reserve();
        test_reset();
        test_printf();
        return check_summary();
}
