/* fuzz_utf8: utf8_check_text agrees with a slow, obviously-correct decoder. */
#include "fuzz.h"
#include <stdbool.h>
#include <stdint.h>

#include "http/utf8.h"

/* Decodes by trying every length and re-encoding: accepts only the shortest form. */
static bool slow_check(const uint8_t *s, size_t n, size_t *chars)
{
        size_t i = 0, count = 0;
        while (i < n) {
                uint32_t cp;
                size_t len;
                if (s[i] < 0x80) {
                        cp = s[i];
                        len = 1;
                } else if ((s[i] & 0xe0) == 0xc0) {
                        cp = s[i] & 0x1fu;
                        len = 2;
                } else if ((s[i] & 0xf0) == 0xe0) {
                        cp = s[i] & 0x0fu;
                        len = 3;
                } else if ((s[i] & 0xf8) == 0xf0) {
                        cp = s[i] & 0x07u;
                        len = 4;
                } else {
                        return false;
                }
                if (i + len > n)
                        return false;
                for (size_t k = 1; k < len; k++) {
                        if ((s[i + k] & 0xc0) != 0x80)
                                return false;
                        cp = cp << 6 | (s[i + k] & 0x3fu);
                }
                size_t shortest = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
                if (shortest != len || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
                        return false;
                if ((cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r') || cp == 0x7f)
                        return false;
                i += len;
                count++;
        }
        *chars = count;
        return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        size_t fast = 0, slow = 0;
        bool a = utf8_check_text((const char *)data, size, &fast);
        bool b = slow_check(data, size, &slow);
        FUZZ_CHECK(a == b);
        FUZZ_CHECK(!a || fast == slow);
        return 0;
}
