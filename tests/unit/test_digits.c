/* test_digits: the one decimal parser (src/core/digits.h): one spelling per value, bounded. */
#include "check.h"
#include "core/digits.h"

#include <stdint.h>
#include <string.h>

static bool parse(const char *s, uint64_t max, uint64_t *out)
{
        return digits_parse(s, strlen(s), max, out);
}

int main(void)
{
        uint64_t v = 7;
        CHECK(parse("0", 10, &v) && v == 0);
        CHECK(parse("1", 10, &v) && v == 1);
        CHECK(parse("10", 10, &v) && v == 10);
        CHECK(!parse("11", 10, &v) && v == 10); /* above max: refused, out untouched */
        CHECK(parse("4294967295", UINT32_MAX, &v) && v == UINT32_MAX);
        CHECK(!parse("4294967296", UINT32_MAX, &v));
        CHECK(parse("18446744073709551615", UINT64_MAX, &v) && v == UINT64_MAX);
        CHECK(!parse("18446744073709551616", UINT64_MAX, &v)); /* overflow */
        CHECK(!parse("99999999999999999999", UINT64_MAX, &v));
        CHECK(!parse("000000000000000000001", UINT64_MAX, &v)); /* 21 digits */
        const char *bad[] = {"", "01", "00", "+1", "-1", " 1", "1 ", "1e3", "0x10", "1.0", "١"};
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
                CHECK(!parse(bad[i], UINT64_MAX, &v));
        /* Length-bounded: digits past len are not read. */
        CHECK(digits_parse("123abc", 3, 1000, &v) && v == 123);
        CHECK(!digits_parse("123", 0, 1000, &v));
        /* File modes: 1 to 4 octal digits, at most 0777. */
        unsigned m = 1;
        CHECK(digits_parse_mode("0660", &m) && m == 0660);
        CHECK(digits_parse_mode("660", &m) && m == 0660);
        CHECK(digits_parse_mode("0", &m) && m == 0);
        CHECK(digits_parse_mode("0777", &m) && m == 0777);
        const char *bad_modes[] = {"", "1000", "4755", "0778", "08", "00660", "-1", "66 ", "rw"};
        m = 5;
        for (size_t i = 0; i < sizeof(bad_modes) / sizeof(bad_modes[0]); i++)
                CHECK(!digits_parse_mode(bad_modes[i], &m));
        CHECK(m == 5); /* refused: untouched */
        return check_summary();
}
