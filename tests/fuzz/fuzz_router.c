/* fuzz_router: route_match and route_parse_id on arbitrary paths. */
#include "fuzz.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/router.h"

static enum http_status h(struct request *rq, const struct route_params *p)
{
        (void)rq;
        (void)p;
        return HTTP_OK;
}

static const struct route table[] = {
    {HTTP_GET, "/", h, 0},
    {HTTP_GET, "/{id}/", h, 0},
    {HTTP_POST, "/{id}/", h, 0},
    {HTTP_GET, "/comments/", h, 0},
    {HTTP_POST, "/comments/{id}/delete", h, 0},
    {HTTP_GET, "/{id}/{id}/", h, 0},
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char *path = malloc(size + 1);
        if (!path)
                return 0;
        memcpy(path, data, size);
        path[size] = '\0';
        uint32_t id;
        if (route_parse_id(path, size, &id)) {
                /* An accepted id is canonical: printing it back gives the same text. */
                char again[16];
                int n = snprintf(again, sizeof(again), "%u", id);
                FUZZ_CHECK(id > 0 && (size_t)n == size && memcmp(again, path, size) == 0);
        }
        const unsigned methods[] = {HTTP_GET, HTTP_HEAD, HTTP_POST, HTTP_OTHER};
        for (size_t m = 0; m < 4; m++) {
                const struct route *r = NULL;
                struct route_params p;
                unsigned allowed = 0;
                enum route_result res =
                    route_match(table, sizeof(table) / sizeof(table[0]),
                                (enum http_method)methods[m], path, &r, &p, &allowed);
                if (res == ROUTE_FOUND) {
                        FUZZ_CHECK(r && p.count <= ROUTE_MAX_IDS);
                        for (size_t i = 0; i < p.count; i++)
                                FUZZ_CHECK(p.id[i] > 0);
                } else if (res == ROUTE_BAD_METHOD) {
                        FUZZ_CHECK(allowed && !(allowed & methods[m]));
                        char text[64];
                        route_allow_text(allowed, text, sizeof(text));
                        FUZZ_CHECK(text[0]);
                }
        }
        free(path);
        return 0;
}
