/* fuzz_cookie: cookie_find on arbitrary Cookie headers. */
#include "fuzz.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/cookie.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char *header = malloc(size + 1);
        if (!header)
                return 0;
        memcpy(header, data, size);
        header[size] = '\0';
        size_t real = strlen(header);
        const char *v;
        size_t len;
        if (cookie_find(header, "blogd_csrf", &v, &len)) {
                FUZZ_CHECK(v >= header && v + len <= header + real);
                FUZZ_CHECK(memchr(v, ';', len) == NULL);
        }
        free(header);
        return 0;
}
