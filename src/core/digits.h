/* digits: the one parser of numbers that clients, files and the kernel hand blogd (decimal;
 * octal for file modes). */
#ifndef BLOGD_DIGITS_H
#define BLOGD_DIGITS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The canonical decimal text of a number up to max: 1 to 20 digits, no sign, no space, no
 * leading zero ("0" itself is fine), so every value has exactly one spelling ("01", "+1",
 * " 1", "1e3" and "" are refused). False, *out untouched, for anything else or a value above
 * max (overflow included).
 */
static inline bool digits_parse(const char *s, size_t len, uint64_t max, uint64_t *out)
{
        if (len == 0 || len > 20 || (s[0] == '0' && len > 1))
                return false;
        uint64_t v = 0;
        for (size_t i = 0; i < len; i++) {
                if (s[i] < '0' || s[i] > '9')
                        return false;
                uint64_t d = (uint64_t)(s[i] - '0');
                if (v > (max - d) / 10)
                        return false;
                v = v * 10 + d;
        }
        *out = v;
        return true;
}

/* A file mode as configured ("0660", "660"): 1 to 4 octal digits, at most 0777 (no set-id or
 * sticky bits). False, *out untouched, for anything else. */
static inline bool digits_parse_mode(const char *s, unsigned *out)
{
        unsigned v = 0;
        size_t n = 0;
        for (; s[n]; n++) {
                if (n == 4 || s[n] < '0' || s[n] > '7')
                        return false;
                v = v * 8 + (unsigned)(s[n] - '0');
        }
        if (n == 0 || v > 0777)
                return false;
        *out = v;
        return true;
}

#endif
