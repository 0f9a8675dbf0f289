/* utf8: strict UTF-8 validation and code point counting (pure, fuzzed). */
#include "http/utf8.h"

bool utf8_check_text(const char *str, size_t len, size_t *chars)
{
        const unsigned char *s = (const unsigned char *)str;
        size_t i = 0, n = 0;
        while (i < len) {
                unsigned char c = s[i];
                if (c < 0x80) {
                        if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f)
                                return false;
                        i++;
                        n++;
                        continue;
                }
                size_t need;
                unsigned cp;
                if (c >= 0xc2 && c <= 0xdf) {
                        need = 1;
                        cp = c & 0x1fu;
                } else if (c >= 0xe0 && c <= 0xef) {
                        need = 2;
                        cp = c & 0x0fu;
                } else if (c >= 0xf0 && c <= 0xf4) {
                        need = 3;
                        cp = c & 0x07u;
                } else {
                        return false;
                }
                if (len - i - 1 < need)
                        return false;
                for (size_t k = 1; k <= need; k++) {
                        unsigned char cc = s[i + k];
                        if ((cc & 0xc0) != 0x80)
                                return false;
                        cp = cp << 6 | (cc & 0x3fu);
                }
                if ((need == 2 && cp < 0x800) || (need == 3 && cp < 0x10000) || cp > 0x10ffff ||
                    (cp >= 0xd800 && cp <= 0xdfff))
                        return false;
                i += need + 1;
                n++;
        }
        if (chars)
                *chars = n;
        return true;
}
