/* owner: the owner cookie's entries read, changed and written, and the secret's stored hash. */
#include "http/owner.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "http/cookie.h"
#include "http/router.h"

bool owner_secret_valid(const char *s, size_t len)
{
        if (len != OWNER_SECRET_HEX)
                return false;
        for (size_t i = 0; i < len; i++)
                if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
                        return false;
        return true;
}

/* One entry, s[0..len): "[h]<cid>_<pid>_<secret>". Secrets hold no '_', so the first two
 * underscores split it. */
static bool parse_entry(const char *s, size_t len, struct owner_entry *e)
{
        e->held = len > 0 && s[0] == 'h';
        if (e->held) {
                s++;
                len--;
        }
        const char *end = s + len;
        const char *u1 = memchr(s, '_', len);
        if (!u1 || !route_parse_id(s, (size_t)(u1 - s), &e->comment_id))
                return false;
        const char *p = u1 + 1;
        const char *u2 = memchr(p, '_', (size_t)(end - p));
        if (!u2 || !route_parse_id(p, (size_t)(u2 - p), &e->post_id))
                return false;
        const char *hex = u2 + 1;
        if (!owner_secret_valid(hex, (size_t)(end - hex)))
                return false;
        memcpy(e->secret, hex, OWNER_SECRET_HEX);
        e->secret[OWNER_SECRET_HEX] = '\0';
        return true;
}

static size_t index_of(const struct owner_list *l, uint32_t comment_id)
{
        size_t i = 0;
        while (i < l->n && l->e[i].comment_id != comment_id)
                i++;
        return i;
}

static void drop(struct owner_list *l, size_t i)
{
        memmove(&l->e[i], &l->e[i + 1], (l->n - i - 1) * sizeof(l->e[0]));
        l->n--;
}

/* Appends e as the newest; the oldest goes if the list is full. */
static void push(struct owner_list *l, const struct owner_entry *e)
{
        if (l->n == OWNER_MAX)
                drop(l, 0);
        l->e[l->n++] = *e;
}

void owner_parse(const char *cookie_header, struct owner_list *out)
{
        out->n = 0;
        const char *v;
        size_t len;
        if (!cookie_find(cookie_header, OWNER_COOKIE, &v, &len))
                return;
        const char *end = v + len;
        while (v < end) {
                const char *dot = memchr(v, '.', (size_t)(end - v));
                const char *next = dot ? dot : end;
                struct owner_entry e;
                if (parse_entry(v, (size_t)(next - v), &e) && index_of(out, e.comment_id) == out->n)
                        push(out, &e);
                v = dot ? dot + 1 : end;
        }
}

const struct owner_entry *owner_find(const struct owner_list *l, uint32_t comment_id)
{
        size_t i = index_of(l, comment_id);
        return i < l->n ? &l->e[i] : NULL;
}

bool owner_add(struct owner_list *l, uint32_t comment_id, uint32_t post_id, bool held,
               const char *secret)
{
        if (comment_id == 0 || post_id == 0 || !secret ||
            !owner_secret_valid(secret, strnlen(secret, OWNER_SECRET_HEX + 1)))
                return false;
        struct owner_entry e = {.comment_id = comment_id, .post_id = post_id, .held = held};
        memcpy(e.secret, secret, OWNER_SECRET_HEX + 1);
        owner_remove(l, comment_id);
        push(l, &e);
        return true;
}

bool owner_remove(struct owner_list *l, uint32_t comment_id)
{
        size_t i = index_of(l, comment_id);
        if (i == l->n)
                return false;
        drop(l, i);
        return true;
}

size_t owner_format(const struct owner_list *l, char *out, size_t cap)
{
        if (cap == 0)
                return 0;
        size_t len = 0;
        out[0] = '\0';
        for (size_t i = 0; i < l->n; i++) {
                const struct owner_entry *e = &l->e[i];
                char one[OWNER_ENTRY_MAX + 2];
                int k = snprintf(one, sizeof(one), "%s%s%" PRIu32 "_%" PRIu32 "_%.*s", i ? "." : "",
                                 e->held ? "h" : "", e->comment_id, e->post_id, OWNER_SECRET_HEX,
                                 e->secret);
                if (k < 0 || (size_t)k >= sizeof(one) || (size_t)k >= cap - len) {
                        out[0] = '\0';
                        return 0;
                }
                memcpy(out + len, one, (size_t)k + 1);
                len += (size_t)k;
        }
        return len;
}

void owner_secret_new(char out[OWNER_SECRET_HEX + 1])
{
        unsigned char raw[OWNER_SECRET_BYTES];
        randombytes_buf(raw, sizeof(raw));
        sodium_bin2hex(out, OWNER_SECRET_HEX + 1, raw, sizeof(raw));
        sodium_memzero(raw, sizeof(raw));
}

bool owner_secret_hash(const char *secret, char out[OWNER_HASH_HEX + 1])
{
        unsigned char raw[OWNER_SECRET_BYTES], h[crypto_hash_sha256_BYTES];
        size_t got = 0;
        if (!secret || !owner_secret_valid(secret, strnlen(secret, OWNER_SECRET_HEX + 1)) ||
            sodium_hex2bin(raw, sizeof(raw), secret, OWNER_SECRET_HEX, NULL, &got, NULL) != 0 ||
            got != sizeof(raw))
                return false;
        crypto_hash_sha256(h, raw, sizeof(raw));
        sodium_bin2hex(out, OWNER_HASH_HEX + 1, h, sizeof(h));
        sodium_memzero(raw, sizeof(raw));
        return true;
}

bool owner_hash_equal(const char *a, const char *b)
{
        /* The lengths are not secret (every stored hash has 64 digits); the digits are. */
        return a && b && strnlen(a, OWNER_HASH_HEX + 1) == OWNER_HASH_HEX &&
               strnlen(b, OWNER_HASH_HEX + 1) == OWNER_HASH_HEX &&
               sodium_memcmp(a, b, OWNER_HASH_HEX) == 0;
}
