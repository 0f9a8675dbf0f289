/* test_log: every log line is one line of printable text, whatever bytes a message carries. */
#include "check.h"
#include "core/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char path[] = "/tmp/blogd-test-log.XXXXXX";

static size_t read_all(char *out, size_t cap)
{
        FILE *f = fopen(path, "rb");
        size_t n = f ? fread(out, 1, cap - 1, f) : 0;
        if (f)
                fclose(f);
        out[n] = '\0';
        return n;
}

static void test_escapes(void)
{
        CHECK(log_open(path, LOG_DEBUG));
        log_set_request("0123abcd");
        log_info("GET %s -> %d", "/a\x1b[31mred\r\n2026-01-01T00:00:00Z [error] forged\x7f\\end/",
                 404);
        log_set_request(NULL);
        char text[4096];
        size_t n = read_all(text, sizeof(text));
        CHECK(n > 0 && text[n - 1] == '\n');
        CHECK(memchr(text, '\n', n) == text + n - 1); /* exactly one line */
        bool clean = true;
        for (size_t i = 0; i + 1 < n; i++)
                if ((unsigned char)text[i] < 0x20 || (unsigned char)text[i] == 0x7f)
                        clean = false;
        CHECK(clean);
        CHECK(strstr(text, "req=0123abcd GET /a\\x1b[31mred\\x0d\\x0a2026-01-01T00:00:00Z [error] "
                           "forged\\x7f\\x5cend/ -> 404\n") != NULL);
        fprintf(stderr, "%s", text);
}

static void test_long_and_utf8(void)
{
        CHECK(truncate(path, 0) == 0);
        char big[5000];
        memset(big, '\x01', sizeof(big) - 1);
        big[sizeof(big) - 1] = '\0';
        log_warn("%s", big);
        log_warn("caf\xc3\xa9 \xe2\x82\xac"); /* UTF-8 stays as it is */
        char text[65536];
        size_t n = read_all(text, sizeof(text));
        char *second = memchr(text, '\n', n);
        CHECK(second != NULL);
        /* An escaped message is cut, never split over two lines. */
        CHECK(second && strncmp(second + 1 + 25, "[warn]", 6) == 0);
        CHECK(strstr(text, "caf\xc3\xa9 \xe2\x82\xac\n") != NULL);
}

int main(void)
{
        int fd = mkstemp(path);
        if (fd < 0)
                return 1;
        close(fd);
        test_escapes();
        test_long_and_utf8();
        log_close();
        unlink(path);
        return check_summary();
}
