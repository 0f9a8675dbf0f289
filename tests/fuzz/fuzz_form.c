/* fuzz_form: form_parse and form_percent_decode on arbitrary bodies. */
#include "fuzz.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/form.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char *body = malloc(size + 1);
        if (!body)
                return 0;
        memcpy(body, data, size);
        body[size] = '\0';
        struct form f;
        if (form_parse(body, size, &f) == FORM_OK) {
                FUZZ_CHECK(f.count <= FORM_MAX_FIELDS);
                for (size_t i = 0; i < f.count; i++) {
                        FUZZ_CHECK(f.fields[i].name[0] != '\0');
                        FUZZ_CHECK(strlen(f.fields[i].name) <= FORM_MAX_NAME);
                        FUZZ_CHECK(f.fields[i].value_len <= size);
                        FUZZ_CHECK(form_get(&f, f.fields[i].name) == &f.fields[i]);
                }
        }
        memcpy(body, data, size);
        body[size] = '\0';
        long n = form_percent_decode(body, size);
        FUZZ_CHECK(n < 0 || (size_t)n <= size);
        free(body);
        return 0;
}
