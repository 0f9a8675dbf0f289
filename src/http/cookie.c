/* cookie: finds one cookie in a Cookie request header (pure, fuzzed). */
#include "http/cookie.h"

#include <string.h>

bool cookie_find(const char *header, const char *name, const char **value, size_t *len)
{
        if (!header)
                return false;
        size_t nlen = strlen(name);
        const char *p = header;
        while (*p) {
                while (*p == ' ' || *p == '\t' || *p == ';')
                        p++;
                const char *pair = p;
                const char *end = strchr(p, ';');
                if (!end)
                        end = p + strlen(p);
                const char *eq = memchr(pair, '=', (size_t)(end - pair));
                if (eq && (size_t)(eq - pair) == nlen && memcmp(pair, name, nlen) == 0) {
                        const char *v = eq + 1, *ve = end;
                        while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
                                ve--;
                        if (ve - v >= 2 && v[0] == '"' && ve[-1] == '"') {
                                v++;
                                ve--;
                        }
                        *value = v;
                        *len = (size_t)(ve - v);
                        return true;
                }
                p = end;
        }
        return false;
}
