/* router: matches method + path against a table of routes; reads a list's cursor; canonical URLs.
 */
#include "http/router.h"

#include "core/digits.h"

#include <stdio.h>
#include <string.h>

#include "http/form.h"

enum http_method http_method_parse(const char *s)
{
        if (!s)
                return HTTP_OTHER;
        if (strcmp(s, "GET") == 0)
                return HTTP_GET;
        if (strcmp(s, "HEAD") == 0)
                return HTTP_HEAD;
        if (strcmp(s, "POST") == 0)
                return HTTP_POST;
        return HTTP_OTHER;
}

bool route_parse_id(const char *s, size_t len, uint32_t *out)
{
        uint64_t v;
        if (!digits_parse(s, len, UINT32_MAX, &v) || v == 0)
                return false;
        *out = (uint32_t)v;
        return true;
}

static bool pattern_match(const char *pat, const char *path, struct route_params *p)
{
        static const char id_token[] = "{id}";
        p->count = 0;
        while (*pat) {
                if (strncmp(pat, id_token, sizeof(id_token) - 1) == 0) {
                        size_t len = strcspn(path, "/");
                        if (p->count == ROUTE_MAX_IDS ||
                            !route_parse_id(path, len, &p->id[p->count]))
                                return false;
                        p->count++;
                        path += len;
                        pat += sizeof(id_token) - 1;
                        continue;
                }
                if (*pat != *path)
                        return false;
                pat++;
                path++;
        }
        return *path == '\0';
}

enum route_result route_match(const struct route_table *t, enum http_method method,
                              const char *path, const struct route **found,
                              struct route_params *params, unsigned *allowed)
{
        unsigned allow = 0;
        for (size_t i = 0; i < t->n; i++) {
                const struct route *r =
                    (const struct route *)((const char *)t->rows + i * t->stride);
                struct route_params p;
                if (!pattern_match(r->pattern, path, &p))
                        continue;
                unsigned m = r->methods;
                if (m & HTTP_GET)
                        m |= HTTP_HEAD;
                if (m & (unsigned)method) {
                        *found = r;
                        *params = p;
                        return ROUTE_FOUND;
                }
                allow |= m;
        }
        *allowed = allow;
        return allow ? ROUTE_BAD_METHOD : ROUTE_NOT_FOUND;
}

/* A cursor: canonical digits (no sign, no leading zero), 1 to ROUTE_CURSOR_END. */
static bool cursor_param(const struct form *f, const char *name, uint64_t *out)
{
        const struct form_field *v = form_get(f, name);
        uint64_t c;
        if (!v || !digits_parse(v->value, v->value_len, ROUTE_CURSOR_END, &c) || c == 0)
                return false;
        *out = c;
        return true;
}

void route_read_cursor(const struct route *r, const char *query, struct route_params *p)
{
        struct route_cursor *c = &p->cursor;
        memset(c, 0, sizeof(*c));
        c->newest_first = (r->list & ROUTE_LIST_NEWEST_FIRST) != 0;
        if (!(r->list & (ROUTE_LIST_OLDEST_FIRST | ROUTE_LIST_NEWEST_FIRST)) || !query)
                return;
        char q[256];
        size_t n = strlen(query);
        struct form f;
        if (n >= sizeof(q))
                return;
        memcpy(q, query, n + 1);
        if (form_parse(q, n, &f) != FORM_OK)
                return;
        const char *next = c->newest_first ? "before" : "after";
        const char *prev = c->newest_first ? "after" : "before";
        if (cursor_param(&f, next, &c->value))
                return;
        if (cursor_param(&f, prev, &c->value))
                c->back = true;
}

size_t route_canonical(const struct route *r, const struct route_params *p, char *out, size_t cap)
{
        static const char id_token[] = "{id}";
        size_t used = 0, ids = 0;
        for (const char *pat = r->pattern; *pat;) {
                if (strncmp(pat, id_token, sizeof(id_token) - 1) == 0) {
                        if (ids == p->count)
                                return 0;
                        int w = snprintf(out + used, cap - used, "%u", (unsigned)p->id[ids++]);
                        pat += sizeof(id_token) - 1;
                        if (w < 0 || (size_t)w >= cap - used)
                                return 0;
                        used += (size_t)w;
                        continue;
                }
                if (used + 1 >= cap)
                        return 0;
                out[used++] = *pat++;
        }
        if (used >= cap)
                return 0;
        out[used] = '\0';
        const struct route_cursor *c = &p->cursor;
        if (c->value) {
                /* The parameter that reads this way: "after" when the page lies above the id
                 * (forward in an oldest-first list, back in a newest-first one). */
                const char *name = c->back == c->newest_first ? "after" : "before";
                int w = snprintf(out + used, cap - used, "?%s=%llu", name,
                                 (unsigned long long)c->value);
                if (w < 0 || (size_t)w >= cap - used)
                        return 0;
                used += (size_t)w;
        }
        return used;
}

void route_allow_text(unsigned methods, char *out, size_t outlen)
{
        static const struct {
                unsigned bit;
                const char *name;
        } names[] = {{HTTP_GET, "GET"}, {HTTP_HEAD, "HEAD"}, {HTTP_POST, "POST"}};
        size_t used = 0;
        if (outlen)
                out[0] = '\0';
        for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
                if (!(methods & names[i].bit))
                        continue;
                int w =
                    snprintf(out + used, outlen - used, "%s%s", used ? ", " : "", names[i].name);
                if (w < 0 || (size_t)w >= outlen - used)
                        return;
                used += (size_t)w;
        }
}
