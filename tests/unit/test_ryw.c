/* test_ryw: the read-your-writes cookie (src/http/ryw.c): what it carries and for how long,
 * and every way a value can be wrong (forged, altered, expired, cut, padded, other key). */
#include "check.h"
#include "http/ryw.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

static const unsigned char KEY[32] = "0123456789abcdef0123456789abcde";
static const unsigned char OTHER[32] = "fedcba9876543210fedcba987654321";

static bool parse(const char *v, uint64_t now, char gtid[RYW_GTID_MAX])
{
        return ryw_parse(v, strlen(v), now, KEY, sizeof(KEY), gtid);
}

int main(void)
{
        if (sodium_init() < 0)
                return 1;
        char v[RYW_VALUE_MAX], g[RYW_GTID_MAX];
        /* Round trip, and the expiry: valid before, not at or after. */
        CHECK(ryw_format("0-1-42", 1000, KEY, sizeof(KEY), v));
        CHECK(strncmp(v, "0-1-42.1000.", 12) == 0);
        CHECK_EQ_SIZE(strlen(v), 12 + 32);
        CHECK(parse(v, 999, g));
        CHECK_EQ_STR(g, "0-1-42");
        CHECK(!parse(v, 1000, g));
        CHECK(!parse(v, 5000, g));
        /* The unknown GTID: the primary serves. */
        CHECK(ryw_format("p", 10, KEY, sizeof(KEY), v));
        CHECK(parse(v, 9, g));
        CHECK_EQ_STR(g, "p");
        /* What is not a GTID is refused both ways. */
        const char *bad[] = {"",   "0-1-4 2", "0-1-42;x", "0-1-42,1-2-3",
                             "pp", "P",       "0-1-4\"2", "abc"};
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                CHECK(!ryw_gtid_ok(bad[i], strlen(bad[i])));
                CHECK(!ryw_format(bad[i], 10, KEY, sizeof(KEY), v));
        }
        char longest[RYW_GTID_MAX];
        memset(longest, '1', sizeof(longest) - 1);
        longest[sizeof(longest) - 1] = '\0';
        CHECK(ryw_format(longest, UINT64_MAX, KEY, sizeof(KEY), v)); /* the largest value fits */
        CHECK(strlen(v) < RYW_VALUE_MAX);
        CHECK(parse(v, 1, g));
        CHECK_EQ_STR(g, longest);
        char toolong[RYW_GTID_MAX + 1];
        memset(toolong, '1', sizeof(toolong) - 1);
        toolong[sizeof(toolong) - 1] = '\0';
        CHECK(!ryw_format(toolong, 10, KEY, sizeof(KEY), v));

        /* Forgeries: another key, any byte changed, a later expiry, cut or padded values. */
        CHECK(ryw_format("0-1-42", 1000, KEY, sizeof(KEY), v));
        CHECK(!ryw_parse(v, strlen(v), 1, OTHER, sizeof(OTHER), g));
        size_t n = strlen(v);
        unsigned changed_refused = 0;
        for (size_t i = 0; i < n; i++) {
                char w[RYW_VALUE_MAX];
                memcpy(w, v, n + 1);
                w[i] = w[i] == '1' ? '2' : '1';
                changed_refused += !parse(w, 1, g);
        }
        CHECK_EQ_SIZE(changed_refused, n);
        char later[RYW_VALUE_MAX];
        memcpy(later, v, n + 1);
        later[7] = '9'; /* 0-1-42.9000. with the old MAC */
        CHECK(!parse(later, 1, g));
        for (size_t cut = 0; cut < n; cut++)
                CHECK(!ryw_parse(v, cut, 1, KEY, sizeof(KEY), g));
        char padded[RYW_VALUE_MAX + 8];
        snprintf(padded, sizeof(padded), "%sa", v);
        CHECK(!parse(padded, 1, g));
        snprintf(padded, sizeof(padded), " %s", v);
        CHECK(!parse(padded, 1, g));
        /* Malformed shapes. */
        const char *shapes[] = {".",
                                "..",
                                "0-1-42..",
                                "0-1-42.1000",
                                "0-1-42.01000.x",
                                ".1000.0123456789abcdef0123456789abcdef",
                                "0-1-42.1000.0123456789abcdef0123456789abcdeg",
                                "0-1-42.+100.0123456789abcdef0123456789abcdef"};
        for (size_t i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++)
                CHECK(!parse(shapes[i], 1, g));
        return check_summary();
}
