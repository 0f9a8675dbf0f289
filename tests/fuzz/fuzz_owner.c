/* fuzz_owner: owner_parse on arbitrary Cookie headers: the list it gives is what a reference
 * reader written here independently gives (at most OWNER_MAX well-formed entries, the newest,
 * no comment id twice), each entry is one of the cookie's, and writing the list and reading it
 * back gives the same list and the same text. */
#include "fuzz.h"
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/cookie.h"
#include "http/owner.h"

static bool is_lower_hex(char c)
{
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

/* An id as the contract says: 1 to 10 digits, no leading zero, at most 4294967295. */
static bool ref_id(const char *s, size_t len, uint32_t *out)
{
        if (len < 1 || len > 10 || s[0] == '0')
                return false;
        uint64_t v = 0;
        for (size_t i = 0; i < len; i++) {
                if (s[i] < '0' || s[i] > '9')
                        return false;
                v = v * 10 + (uint64_t)(s[i] - '0');
        }
        if (v > UINT32_MAX)
                return false;
        *out = (uint32_t)v;
        return true;
}

/* One entry "[h]<id>_<id>_<32 lowercase hex>", read left to right. */
static bool ref_entry(const char *s, size_t len, struct owner_entry *e)
{
        size_t i = 0;
        e->held = len > 0 && s[0] == 'h';
        i += e->held;
        size_t a = i;
        while (i < len && s[i] != '_')
                i++;
        if (i == len || !ref_id(s + a, i - a, &e->comment_id))
                return false;
        size_t b = ++i;
        while (i < len && s[i] != '_')
                i++;
        if (i == len || !ref_id(s + b, i - b, &e->post_id))
                return false;
        i++;
        if (len - i != OWNER_SECRET_HEX)
                return false;
        for (size_t k = 0; k < OWNER_SECRET_HEX; k++)
                if (!is_lower_hex(s[i + k]))
                        return false;
        memcpy(e->secret, s + i, OWNER_SECRET_HEX);
        e->secret[OWNER_SECRET_HEX] = '\0';
        return true;
}

/* The contract's reading: entries in order, a malformed one or one whose comment id is already
 * in the list skipped, the oldest dropped beyond OWNER_MAX. */
static void ref_parse(const char *v, size_t len, struct owner_list *l)
{
        l->n = 0;
        size_t start = 0;
        for (size_t i = 0; i <= len; i++) {
                if (i < len && v[i] != '.')
                        continue;
                struct owner_entry e;
                if (ref_entry(v + start, i - start, &e)) {
                        bool dup = false;
                        for (size_t k = 0; k < l->n; k++)
                                dup = dup || l->e[k].comment_id == e.comment_id;
                        if (!dup) {
                                if (l->n == OWNER_MAX) {
                                        memmove(&l->e[0], &l->e[1],
                                                (OWNER_MAX - 1) * sizeof(l->e[0]));
                                        l->n--;
                                }
                                l->e[l->n++] = e;
                        }
                }
                start = i + 1;
        }
}

static bool same_entry(const struct owner_entry *a, const struct owner_entry *b)
{
        return a->comment_id == b->comment_id && a->post_id == b->post_id && a->held == b->held &&
               memcmp(a->secret, b->secret, OWNER_SECRET_HEX + 1) == 0;
}

static bool same_list(const struct owner_list *a, const struct owner_list *b)
{
        if (a->n != b->n)
                return false;
        for (size_t i = 0; i < a->n; i++)
                if (!same_entry(&a->e[i], &b->e[i]))
                        return false;
        return true;
}

static void parse_value(const char *value, struct owner_list *l)
{
        size_t n = strlen(value);
        char *h = malloc(n + 16);
        FUZZ_CHECK(h != NULL);
        memcpy(h, "blogd_own=", 10);
        memcpy(h + 10, value, n + 1);
        owner_parse(h, l);
        free(h);
}

/* Whether the text of e is one of the '.'-separated entries of v. */
static bool in_value(const struct owner_entry *e, const char *v, size_t len)
{
        char one[OWNER_ENTRY_MAX + 1];
        int k = snprintf(one, sizeof(one), "%s%" PRIu32 "_%" PRIu32 "_%s", e->held ? "h" : "",
                         e->comment_id, e->post_id, e->secret);
        FUZZ_CHECK(k > 0 && (size_t)k <= OWNER_ENTRY_MAX);
        size_t start = 0;
        for (size_t i = 0; i <= len; i++) {
                if (i < len && v[i] != '.')
                        continue;
                if (i - start == (size_t)k && memcmp(v + start, one, (size_t)k) == 0)
                        return true;
                start = i + 1;
        }
        return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char *header = malloc(size + 1);
        if (!header)
                return 0;
        memcpy(header, data, size);
        header[size] = '\0';
        struct owner_list l;
        memset(&l, 0xa5, sizeof(l));
        owner_parse(header, &l);
        FUZZ_CHECK(l.n <= OWNER_MAX);
        const char *v = NULL;
        size_t vlen = 0;
        struct owner_list want = {.n = 0};
        if (cookie_find(header, OWNER_COOKIE, &v, &vlen))
                ref_parse(v, vlen, &want);
        FUZZ_CHECK(same_list(&l, &want));
        for (size_t i = 0; i < l.n; i++) {
                const struct owner_entry *e = &l.e[i];
                FUZZ_CHECK(e->comment_id >= 1 && e->post_id >= 1);
                FUZZ_CHECK(owner_secret_valid(e->secret, strlen(e->secret)));
                FUZZ_CHECK(owner_find(&l, e->comment_id) == e);
                FUZZ_CHECK(in_value(e, v, vlen));
                char hash[OWNER_HASH_HEX + 1];
                FUZZ_CHECK(owner_secret_hash(e->secret, hash));
                FUZZ_CHECK(strlen(hash) == OWNER_HASH_HEX && owner_hash_equal(hash, hash));
        }
        /* Written and read back: the same list, and the same text again. */
        char out[OWNER_VALUE_MAX], again[OWNER_VALUE_MAX];
        size_t n = owner_format(&l, out, sizeof(out));
        FUZZ_CHECK((n == 0) == (l.n == 0));
        FUZZ_CHECK(strlen(out) == n && n < OWNER_VALUE_MAX);
        struct owner_list back;
        parse_value(out, &back);
        FUZZ_CHECK(same_list(&l, &back));
        FUZZ_CHECK(owner_format(&back, again, sizeof(again)) == n && strcmp(out, again) == 0);
        /* Too small a buffer: nothing but an empty string. */
        if (n > 0)
                FUZZ_CHECK(owner_format(&l, again, n) == 0 && again[0] == '\0');
        /* The oldest removed and added again: now the newest, the rest in order. */
        if (l.n > 0) {
                struct owner_list m = l;
                struct owner_entry first = m.e[0];
                FUZZ_CHECK(owner_remove(&m, first.comment_id) && m.n == l.n - 1);
                FUZZ_CHECK(!owner_remove(&m, first.comment_id));
                FUZZ_CHECK(
                    owner_add(&m, first.comment_id, first.post_id, first.held, first.secret));
                FUZZ_CHECK(m.n == l.n && same_entry(&m.e[m.n - 1], &first));
                for (size_t i = 0; i + 1 < l.n; i++)
                        FUZZ_CHECK(same_entry(&m.e[i], &l.e[i + 1]));
        }
        /* The raw bytes as a secret: valid exactly when they have the form. */
        bool form = size == OWNER_SECRET_HEX;
        for (size_t i = 0; form && i < size; i++)
                form = is_lower_hex((char)data[i]);
        FUZZ_CHECK(owner_secret_valid((const char *)data, size) == form);
        free(header);
        return 0;
}
