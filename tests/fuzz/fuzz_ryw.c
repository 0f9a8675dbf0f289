/* fuzz_ryw: ryw_parse on arbitrary cookie values: it reads only within the value, accepts only
 * a value it would have written itself (formatting what it read gives back the same bytes),
 * and the GTID it gives is one the cookie may carry. */
#include "fuzz.h"
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/ryw.h"

static const unsigned char KEY[32] = "fuzz key fuzz key fuzz key fuzz";

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
        static bool ready;
        if (!ready) {
                FUZZ_CHECK(sodium_init() >= 0);
                ready = true;
        }
        /* An exact copy: anything past size is out of bounds for ASan. */
        char *value = malloc(size ? size : 1);
        FUZZ_CHECK(value);
        memcpy(value, data, size);
        char gtid[RYW_GTID_MAX];
        if (ryw_parse(value, size, 0, KEY, sizeof(KEY), gtid)) {
                size_t g = strlen(gtid);
                FUZZ_CHECK(ryw_gtid_ok(gtid, g));
                FUZZ_CHECK(g < size && value[g] == '.');
                uint64_t expires = strtoull(value + g + 1, NULL, 10);
                char again[RYW_VALUE_MAX];
                FUZZ_CHECK(ryw_format(gtid, expires, KEY, sizeof(KEY), again));
                FUZZ_CHECK(strlen(again) == size && memcmp(again, value, size) == 0);
                /* Expired at its own expiry. */
                FUZZ_CHECK(!ryw_parse(value, size, expires, KEY, sizeof(KEY), gtid));
        }
        /* A value made from the input's first bytes as a GTID round-trips when it may be one. */
        size_t g = size < RYW_GTID_MAX - 1 ? size : RYW_GTID_MAX - 1;
        char made[RYW_GTID_MAX];
        memcpy(made, data, g);
        made[g] = '\0';
        g = strlen(made);
        char v[RYW_VALUE_MAX];
        bool ok = ryw_gtid_ok(made, g);
        FUZZ_CHECK(ryw_format(made, 100, KEY, sizeof(KEY), v) == ok);
        if (ok) {
                char back[RYW_GTID_MAX];
                FUZZ_CHECK(ryw_parse(v, strlen(v), 99, KEY, sizeof(KEY), back));
                FUZZ_CHECK(strcmp(back, made) == 0);
        }
        free(value);
        return 0;
}
