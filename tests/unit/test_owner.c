/* test_owner: the owner cookie blogd_own (src/http/owner.c): the exact form of an entry (ids,
 * secrets, the held mark), malformed entries among good ones, the 40 newest kept, duplicates,
 * adding and removing, the value written and read back, and the stored hash (known answers
 * from another SHA-256, and libsodium's one-shot call on bytes decoded here). */
#include "check.h"
#include "http/owner.h"

#include <inttypes.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char S1[] = "0123456789abcdef0123456789abcdef";
static const char S2[] = "fedcba9876543210fedcba9876543210";
static const char S3[] = "00000000000000000000000000000000";

/* "name=value" etc. built at run time; four buffers in turn. */
static const char *fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
static const char *fmt(const char *f, ...)
{
        static char s[4][8192];
        static unsigned k;
        char *p = s[k++ % 4];
        va_list ap;
        va_start(ap, f);
        vsnprintf(p, sizeof(s[0]), f, ap);
        va_end(ap);
        return p;
}

/* Parses a header from a heap copy of exactly strlen + 1 bytes (as FastCGI params are), so ASan
 * sees any read past its NUL; the list starts full of junk, so nothing stale survives. */
static void parse(const char *header, struct owner_list *l)
{
        memset(l, 0x5a, sizeof(*l));
        l->n = OWNER_MAX;
        if (!header) {
                owner_parse(NULL, l);
                return;
        }
        size_t n = strlen(header);
        char *h = malloc(n + 1);
        memcpy(h, header, n + 1);
        owner_parse(h, l);
        free(h);
}

/* The number of entries the cookie value v gives. */
static size_t count_of(const char *v)
{
        struct owner_list l;
        parse(fmt("blogd_own=%s", v), &l);
        return l.n;
}

static bool entry_is(const struct owner_entry *e, uint32_t cid, uint32_t pid, bool held,
                     const char *secret)
{
        return e && e->comment_id == cid && e->post_id == pid && e->held == held &&
               strcmp(e->secret, secret) == 0;
}

static bool lists_equal(const struct owner_list *a, const struct owner_list *b)
{
        if (a->n != b->n)
                return false;
        for (size_t i = 0; i < a->n; i++)
                if (!entry_is(&a->e[i], b->e[i].comment_id, b->e[i].post_id, b->e[i].held,
                              b->e[i].secret))
                        return false;
        return true;
}

/* A secret made from i, different for every i below 2^32. */
static const char *secret_of(uint32_t i)
{
        static char s[4][OWNER_SECRET_HEX + 1];
        static unsigned k;
        char *p = s[k++ % 4];
        snprintf(p, OWNER_SECRET_HEX + 1, "%08" PRIx32 "%08" PRIx32 "%08" PRIx32 "%08" PRIx32, i,
                 ~i, i * 2654435761u, i ^ 0xa5a5a5a5u);
        return p;
}

static void test_constants(void)
{
        CHECK_EQ_STR(OWNER_COOKIE, "blogd_own");
        CHECK_EQ_INT(OWNER_MAX, 40);
        CHECK_EQ_INT(OWNER_SECRET_HEX, 32);
        CHECK_EQ_INT(OWNER_HASH_HEX, 64);
        CHECK_EQ_INT(OWNER_ENTRY_MAX, 55);
        CHECK_EQ_INT(OWNER_VALUE_MAX, 2240);
        CHECK(OWNER_VALUE_MAX < 4096 - 100); /* with the name and attributes, under 4 KB */
        CHECK_EQ_INT(OWNER_MAX_AGE_S, 31536000);
}

static void test_parse_basic(void)
{
        struct owner_list l;
        parse(fmt("blogd_own=12_3_%s", S1), &l);
        CHECK_EQ_SIZE(l.n, 1);
        CHECK(entry_is(&l.e[0], 12, 3, false, S1));
        parse(fmt("blogd_own=h12_3_%s", S1), &l);
        CHECK_EQ_SIZE(l.n, 1);
        CHECK(entry_is(&l.e[0], 12, 3, true, S1));
        /* Oldest first, as written. */
        parse(fmt("blogd_own=7_1_%s.h8_1_%s.9_2_%s", S1, S2, S3), &l);
        CHECK_EQ_SIZE(l.n, 3);
        CHECK(entry_is(&l.e[0], 7, 1, false, S1));
        CHECK(entry_is(&l.e[1], 8, 1, true, S2));
        CHECK(entry_is(&l.e[2], 9, 2, false, S3));
        CHECK(entry_is(owner_find(&l, 8), 8, 1, true, S2));
        CHECK(owner_find(&l, 10) == NULL);
        CHECK(owner_find(&l, 0) == NULL);
        /* Among other cookies; what cookie_find strips (quotes, trailing blanks). */
        parse(fmt("a=1; blogd_own=5_6_%s; blogd_csrf=x", S1), &l);
        CHECK(l.n == 1 && entry_is(&l.e[0], 5, 6, false, S1));
        parse(fmt("blogd_own=\"5_6_%s\"", S1), &l);
        CHECK(l.n == 1 && entry_is(&l.e[0], 5, 6, false, S1));
        parse(fmt("blogd_own=5_6_%s \t; a=1", S1), &l);
        CHECK(l.n == 1 && entry_is(&l.e[0], 5, 6, false, S1));
        /* The first blogd_own cookie is the one read. */
        parse(fmt("blogd_own=5_6_%s; blogd_own=7_8_%s", S1, S2), &l);
        CHECK(l.n == 1 && entry_is(&l.e[0], 5, 6, false, S1));
        /* No cookie, an empty one, or other names: an empty list. */
        parse(NULL, &l);
        CHECK_EQ_SIZE(l.n, 0);
        parse("", &l);
        CHECK_EQ_SIZE(l.n, 0);
        parse("blogd_own=", &l);
        CHECK_EQ_SIZE(l.n, 0);
        parse("blogd_own", &l);
        CHECK_EQ_SIZE(l.n, 0);
        parse(fmt("blogd_owner=5_6_%s", S1), &l);
        CHECK_EQ_SIZE(l.n, 0);
        parse(fmt("Blogd_own=5_6_%s", S1), &l);
        CHECK_EQ_SIZE(l.n, 0);
        parse(fmt("xblogd_own=5_6_%s", S1), &l);
        CHECK_EQ_SIZE(l.n, 0);
}

static void test_ids(void)
{
        /* Both ids are canonical: 1 to 4294967295, no leading zero, no sign, nothing else. */
        struct owner_list l;
        parse(fmt("blogd_own=1_1_%s", S1), &l);
        CHECK(l.n == 1 && entry_is(&l.e[0], 1, 1, false, S1));
        parse(fmt("blogd_own=4294967295_4294967295_%s", S1), &l);
        CHECK(l.n == 1 && entry_is(&l.e[0], 4294967295u, 4294967295u, false, S1));
        static const char *const bad[] = {
            "0",  "4294967296", "9999999999", "99999999999", "01", "00",  "+1",  "-1",
            " 1", "1 ",         "",           "1a",          "a",  "0x1", "1e3", "1h"};
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                char what[120];
                snprintf(what, sizeof(what), "comment id \"%s\" refused", bad[i]);
                check_record_(count_of(fmt("%s_1_%s", bad[i], S1)) == 0, __FILE__, __LINE__, what);
                snprintf(what, sizeof(what), "post id \"%s\" refused", bad[i]);
                check_record_(count_of(fmt("1_%s_%s", bad[i], S1)) == 0, __FILE__, __LINE__, what);
                snprintf(what, sizeof(what), "held comment id \"%s\" refused", bad[i]);
                check_record_(count_of(fmt("h%s_1_%s", bad[i], S1)) == 0, __FILE__, __LINE__, what);
        }
        /* 'h' is the held mark in front of the comment id, nowhere else. */
        parse(fmt("blogd_own=h1_1_%s", S1), &l);
        CHECK(l.n == 1 && entry_is(&l.e[0], 1, 1, true, S1));
        CHECK_EQ_SIZE(count_of(fmt("1_h1_%s", S1)), 0);
        CHECK_EQ_SIZE(count_of(fmt("hh1_1_%s", S1)), 0);
        CHECK_EQ_SIZE(count_of(fmt("10_1_%s", S1)), 1);
        CHECK_EQ_SIZE(count_of(fmt("1000000000_1_%s", S1)), 1);
}

static void test_secrets(void)
{
        char v[40];
        /* 0..39 hex digits: only exactly 32 is a secret. */
        for (size_t n = 0; n < sizeof(v); n++) {
                for (size_t k = 0; k < n; k++)
                        v[k] = "0123456789abcdef"[(k * 7) % 16];
                v[n] = '\0';
                char what[80];
                snprintf(what, sizeof(what), "a secret of %zu hex digits %s", n,
                         n == OWNER_SECRET_HEX ? "is read" : "is refused");
                check_record_(count_of(fmt("3_4_%s", v)) == (n == OWNER_SECRET_HEX), __FILE__,
                              __LINE__, what);
                check_record_(owner_secret_valid(v, n) == (n == OWNER_SECRET_HEX), __FILE__,
                              __LINE__, what);
        }
        CHECK_EQ_SIZE(count_of(fmt("3_4_%.31s", S1)), 0);
        CHECK_EQ_SIZE(count_of(fmt("3_4_%s", S1)), 1);
        CHECK_EQ_SIZE(count_of(fmt("3_4_%s0", S1)), 0);
        /* Lowercase only; every other byte in every position refused. */
        CHECK_EQ_SIZE(count_of("3_4_0123456789ABCDEF0123456789abcdef"), 0);
        CHECK_EQ_SIZE(count_of("3_4_FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF"), 0);
        unsigned accepted = 0;
        for (size_t pos = 0; pos < OWNER_SECRET_HEX; pos += 31) {
                for (int c = 1; c < 256; c++) {
                        char s[OWNER_SECRET_HEX + 1];
                        memcpy(s, S1, sizeof(s));
                        s[pos] = (char)c;
                        bool want = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
                        if (owner_secret_valid(s, OWNER_SECRET_HEX) != want) {
                                char what[80];
                                snprintf(what, sizeof(what), "secret byte 0x%02x at %zu",
                                         (unsigned)c, pos);
                                check_record_(0, __FILE__, __LINE__, what);
                        }
                        accepted += want;
                }
        }
        CHECK_EQ_INT(accepted, 16 * 2);
        CHECK(owner_secret_valid("ffffffffffffffffffffffffffffffff", 32));
        CHECK(!owner_secret_valid("ffffffffffffffffffffffffffffffff", 31));
}

static void test_malformed(void)
{
        /* Each refused on its own ... */
        static const char *const bad[] = {
            "H1_2_%s",  "hh1_2_%s",   "x1_2_%s",  "1_2_%s_",    "1_2__%s", "1__2_%s",
            "_1_2_%s",  "1_2%s",      "1-2-%s",   "1_2_ %s",    "1 _2_%s", "1_2_%s=",
            "1_2_3_%s", "h_2_%s",     "1_h2_%s",  "1_2_h%.31s", "%s",      "1_%s",
            "1_2_%s\"", "1_2_%s,a=1", "1,2_3_%s", "\"1_2_%s",
        };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                char entry[128];
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
                snprintf(entry, sizeof(entry), bad[i], S1);
#pragma GCC diagnostic pop
                char what[200];
                snprintf(what, sizeof(what), "entry \"%s\" refused", entry);
                check_record_(count_of(entry) == 0, __FILE__, __LINE__, what);
                /* ... and skipped between good ones, which still count. */
                struct owner_list l;
                parse(fmt("blogd_own=7_1_%s.%s.h9_2_%s", S2, entry, S3), &l);
                snprintf(what, sizeof(what), "entry \"%s\" skipped between good ones", entry);
                check_record_(l.n == 2 && entry_is(&l.e[0], 7, 1, false, S2) &&
                                  entry_is(&l.e[1], 9, 2, true, S3),
                              __FILE__, __LINE__, what);
        }
        /* Empty entries: leading, doubled and trailing dots. */
        struct owner_list l;
        parse(fmt("blogd_own=.7_1_%s..h9_2_%s.", S2, S3), &l);
        CHECK(l.n == 2 && entry_is(&l.e[0], 7, 1, false, S2) && entry_is(&l.e[1], 9, 2, true, S3));
        CHECK_EQ_SIZE(count_of("."), 0);
        CHECK_EQ_SIZE(count_of("...."), 0);
        CHECK_EQ_SIZE(count_of("junk"), 0);
        /* Bytes a browser would never send, and a NUL-free binary mess around a good entry. */
        parse(fmt("blogd_own=\x01\xff.4_4_%s.\x80\x80", S1), &l);
        CHECK(l.n == 1 && entry_is(&l.e[0], 4, 4, false, S1));
}

static void test_many(void)
{
        /* 40, 41 and 100 entries: the newest (the last) 40 kept, in order. */
        static const size_t counts[] = {1, 39, 40, 41, 100, 400};
        for (size_t c = 0; c < sizeof(counts) / sizeof(counts[0]); c++) {
                size_t n = counts[c];
                char *header = malloc(16 + n * (OWNER_ENTRY_MAX + 1));
                size_t len = (size_t)sprintf(header, "blogd_own=");
                for (size_t i = 1; i <= n; i++)
                        len +=
                            (size_t)sprintf(header + len, "%s%s%zu_%zu_%s", i > 1 ? "." : "",
                                            i % 3 ? "" : "h", i, 1000 + i, secret_of((uint32_t)i));
                struct owner_list l;
                parse(header, &l);
                free(header);
                size_t want = n < OWNER_MAX ? n : OWNER_MAX;
                CHECK_EQ_SIZE(l.n, want);
                bool ok = true;
                for (size_t k = 0; k < l.n; k++) {
                        size_t i = n - want + 1 + k;
                        ok = ok && entry_is(&l.e[k], (uint32_t)i, (uint32_t)(1000 + i), i % 3 == 0,
                                            secret_of((uint32_t)i));
                }
                char what[80];
                snprintf(what, sizeof(what), "%zu entries: the newest %zu kept in order", n, want);
                check_record_(ok, __FILE__, __LINE__, what);
        }
}

static void test_duplicates(void)
{
        struct owner_list l;
        /* The first entry for a comment id wins, whatever the second says. */
        parse(fmt("blogd_own=5_1_%s.5_2_%s", S1, S2), &l);
        CHECK(l.n == 1 && entry_is(&l.e[0], 5, 1, false, S1));
        parse(fmt("blogd_own=h5_1_%s.6_1_%s.5_1_%s", S1, S2, S3), &l);
        CHECK(l.n == 2 && entry_is(&l.e[0], 5, 1, true, S1) && entry_is(&l.e[1], 6, 1, false, S2));
        /* A malformed first one does not count: the well-formed later one does. */
        parse(fmt("blogd_own=5_1_%.31s.5_2_%s", S1, S2), &l);
        CHECK(l.n == 1 && entry_is(&l.e[0], 5, 2, false, S2));
        /* The same entry 100 times: one. */
        char *header = malloc(16 + 100 * 60);
        size_t len = (size_t)sprintf(header, "blogd_own=");
        for (int i = 0; i < 100; i++)
                len += (size_t)sprintf(header + len, "%s9_9_%s", i ? "." : "", S1);
        parse(header, &l);
        CHECK(l.n == 1 && entry_is(&l.e[0], 9, 9, false, S1));
        /* Read as owner_add would take them: once an entry has been dropped as the oldest, a
         * later one for its id is new again. A, 40 others, A' -> the others but the first,
         * then A'. */
        len = (size_t)sprintf(header, "blogd_own=1_1_%s", S1);
        for (size_t i = 2; i <= 41; i++)
                len += (size_t)sprintf(header + len, ".%zu_1_%s", i, S3);
        sprintf(header + len, ".1_2_%s", S2);
        parse(header, &l);
        free(header);
        CHECK_EQ_SIZE(l.n, OWNER_MAX);
        CHECK(entry_is(&l.e[0], 3, 1, false, S3));
        CHECK(entry_is(&l.e[OWNER_MAX - 2], 41, 1, false, S3));
        CHECK(entry_is(&l.e[OWNER_MAX - 1], 1, 2, false, S2));
        CHECK(owner_find(&l, 2) == NULL);
}

static void test_add_remove(void)
{
        struct owner_list l = {.n = 0};
        CHECK(owner_add(&l, 1, 10, false, S1));
        CHECK(owner_add(&l, 2, 10, true, S2));
        CHECK_EQ_SIZE(l.n, 2);
        CHECK(entry_is(&l.e[0], 1, 10, false, S1));
        CHECK(entry_is(&l.e[1], 2, 10, true, S2));
        /* Refused, nothing changed: an id 0, a malformed secret. */
        CHECK(!owner_add(&l, 0, 10, false, S1));
        CHECK(!owner_add(&l, 3, 0, false, S1));
        CHECK(!owner_add(&l, 3, 10, false, NULL));
        CHECK(!owner_add(&l, 3, 10, false, ""));
        CHECK(!owner_add(&l, 3, 10, false, "0123456789abcdef0123456789abcde"));
        CHECK(!owner_add(&l, 3, 10, false, "0123456789abcdef0123456789abcdef0"));
        CHECK(!owner_add(&l, 3, 10, false, "0123456789ABCDEF0123456789abcdef"));
        CHECK_EQ_SIZE(l.n, 2);
        /* The same comment again (approved, say): replaced and moved to the end. */
        CHECK(owner_add(&l, 1, 10, true, S3));
        CHECK_EQ_SIZE(l.n, 2);
        CHECK(entry_is(&l.e[0], 2, 10, true, S2));
        CHECK(entry_is(&l.e[1], 1, 10, true, S3));
        /* Filling up: the 41st drops the oldest, and so on. */
        l.n = 0;
        for (uint32_t i = 1; i <= OWNER_MAX; i++)
                CHECK(owner_add(&l, i, 7, false, secret_of(i)));
        CHECK_EQ_SIZE(l.n, OWNER_MAX);
        CHECK(owner_add(&l, 41, 7, true, secret_of(41)));
        CHECK_EQ_SIZE(l.n, OWNER_MAX);
        CHECK(owner_find(&l, 1) == NULL);
        CHECK(entry_is(&l.e[0], 2, 7, false, secret_of(2)));
        CHECK(entry_is(&l.e[OWNER_MAX - 1], 41, 7, true, secret_of(41)));
        CHECK(owner_add(&l, 42, 7, false, secret_of(42)));
        CHECK(owner_find(&l, 2) == NULL && entry_is(&l.e[0], 3, 7, false, secret_of(3)));
        /* Re-adding one already there in a full list drops nobody else. */
        CHECK(owner_add(&l, 10, 7, false, S1));
        CHECK_EQ_SIZE(l.n, OWNER_MAX);
        CHECK(entry_is(&l.e[0], 3, 7, false, secret_of(3)));
        CHECK(entry_is(&l.e[OWNER_MAX - 1], 10, 7, false, S1));
        /* Removing: the others keep their order. */
        CHECK(owner_remove(&l, 20));
        CHECK_EQ_SIZE(l.n, OWNER_MAX - 1);
        CHECK(owner_find(&l, 20) == NULL);
        bool ordered = true;
        for (size_t i = 1; i < l.n - 1; i++)
                ordered = ordered && l.e[i - 1].comment_id < l.e[i].comment_id;
        CHECK(ordered);
        CHECK(!owner_remove(&l, 20));
        CHECK(!owner_remove(&l, 0));
        CHECK(owner_remove(&l, 3));  /* the oldest */
        CHECK(owner_remove(&l, 10)); /* the newest */
        CHECK_EQ_SIZE(l.n, OWNER_MAX - 3);
        CHECK(entry_is(&l.e[0], 4, 7, false, secret_of(4)));
        CHECK(entry_is(&l.e[l.n - 1], 42, 7, false, secret_of(42)));
        struct owner_list one = {.n = 0};
        CHECK(!owner_remove(&one, 1));
        CHECK(owner_add(&one, 1, 1, false, S1));
        CHECK(owner_remove(&one, 1));
        CHECK_EQ_SIZE(one.n, 0);
}

static void test_format(void)
{
        struct owner_list l = {.n = 0}, back;
        char out[OWNER_VALUE_MAX];
        /* An empty list: "" (the cookie is to be deleted). */
        memset(out, 'X', sizeof(out));
        CHECK_EQ_SIZE(owner_format(&l, out, sizeof(out)), 0);
        CHECK_EQ_STR(out, "");
        owner_add(&l, 12, 3, false, S1);
        owner_add(&l, 13, 3, true, S2);
        size_t n = owner_format(&l, out, sizeof(out));
        const char *want = fmt("12_3_%s.h13_3_%s", S1, S2);
        CHECK_EQ_STR(out, want);
        CHECK_EQ_SIZE(n, strlen(want));
        parse(fmt("blogd_own=%s", out), &back);
        CHECK(lists_equal(&l, &back));
        /* Exactly the room it needs (the value and its NUL), one byte less, nothing. */
        char small[2 * (OWNER_ENTRY_MAX + 1)];
        CHECK_EQ_SIZE(owner_format(&l, small, n + 1), n);
        CHECK_EQ_STR(small, want);
        memset(small, 'X', sizeof(small));
        CHECK_EQ_SIZE(owner_format(&l, small, n), 0);
        CHECK_EQ_STR(small, "");
        memset(small, 'X', sizeof(small));
        CHECK_EQ_SIZE(owner_format(&l, small, 1), 0);
        CHECK_EQ_INT(small[0], '\0');
        CHECK_EQ_INT(small[1], 'X');
        memset(small, 'X', sizeof(small));
        CHECK_EQ_SIZE(owner_format(&l, small, 0), 0);
        CHECK_EQ_INT(small[0], 'X'); /* cap 0: nothing written */
        /* The longest list: 40 held entries with 10-digit ids fill OWNER_VALUE_MAX exactly. */
        l.n = 0;
        for (uint32_t i = 0; i < OWNER_MAX; i++)
                CHECK(owner_add(&l, 4294967295u - i, 4294967295u, true, secret_of(i)));
        n = owner_format(&l, out, sizeof(out));
        CHECK_EQ_SIZE(n, OWNER_MAX * OWNER_ENTRY_MAX + OWNER_MAX - 1);
        CHECK_EQ_SIZE(n + 1, OWNER_VALUE_MAX);
        CHECK_EQ_SIZE(strlen(out), n);
        char *header = malloc(OWNER_VALUE_MAX + 16);
        snprintf(header, OWNER_VALUE_MAX + 16, "blogd_own=%s", out);
        parse(header, &back);
        free(header);
        CHECK(lists_equal(&l, &back));
        CHECK_EQ_SIZE(owner_format(&l, out, OWNER_VALUE_MAX - 1), 0);
        /* Round trips of assorted lists: written, read back, written again: the same. */
        for (uint32_t seed = 1; seed <= 50; seed++) {
                l.n = 0;
                for (uint32_t i = 0; i < seed; i++) {
                        uint32_t cid = (i * 2654435761u + seed) % 4294967295u + 1;
                        uint32_t pid = (i * 40503u + seed * 7) % 4294967295u + 1;
                        owner_add(&l, cid, pid, (i + seed) % 4 == 0, secret_of(i * seed));
                }
                n = owner_format(&l, out, sizeof(out));
                header = malloc(OWNER_VALUE_MAX + 16);
                snprintf(header, OWNER_VALUE_MAX + 16, "blogd_own=%s", out);
                parse(header, &back);
                free(header);
                char again[OWNER_VALUE_MAX];
                size_t m = owner_format(&back, again, sizeof(again));
                char what[80];
                snprintf(what, sizeof(what), "round trip of %zu entries (seed %" PRIu32 ")", l.n,
                         seed);
                check_record_(n > 0 && lists_equal(&l, &back) && m == n && strcmp(out, again) == 0,
                              __FILE__, __LINE__, what);
        }
}

static void hex_to_raw(const char *hex, unsigned char *raw, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                unsigned hi =
                    (unsigned)(hex[2 * i] <= '9' ? hex[2 * i] - '0' : hex[2 * i] - 'a' + 10);
                unsigned lo = (unsigned)(hex[2 * i + 1] <= '9' ? hex[2 * i + 1] - '0'
                                                               : hex[2 * i + 1] - 'a' + 10);
                raw[i] = (unsigned char)(hi << 4 | lo);
        }
}

static void expected_hash(const char *secret, char out[OWNER_HASH_HEX + 1])
{
        unsigned char raw[OWNER_SECRET_BYTES], h[crypto_hash_sha256_BYTES];
        hex_to_raw(secret, raw, sizeof(raw));
        crypto_hash_sha256(h, raw, sizeof(raw));
        for (size_t i = 0; i < sizeof(h); i++) {
                out[2 * i] = "0123456789abcdef"[h[i] >> 4];
                out[2 * i + 1] = "0123456789abcdef"[h[i] & 15];
        }
        out[OWNER_HASH_HEX] = '\0';
}

static void test_hash(void)
{
        char out[OWNER_HASH_HEX + 1], want[OWNER_HASH_HEX + 1];
        /* Known answers (Python's hashlib.sha256 of the 16 bytes). */
        CHECK(owner_secret_hash("00000000000000000000000000000000", out));
        CHECK_EQ_STR(out, "374708fff7719dd5979ec875d56cd2286f6d3cf7ec317a3b25632aab28ec37bb");
        CHECK(owner_secret_hash("000102030405060708090a0b0c0d0e0f", out));
        CHECK_EQ_STR(out, "be45cb2605bf36bebde684841a28f0fd43c69850a3dce5fedba69928ee3a8991");
        CHECK(owner_secret_hash("ffffffffffffffffffffffffffffffff", out));
        CHECK_EQ_STR(out, "5ac6a5945f16500911219129984ba8b387a06f24fe383ce4e81a73294065461b");
        CHECK(owner_secret_hash(S1, out));
        CHECK_EQ_STR(out, "223e0a160af9da0a03e6dd2c4719c56f5d66a633cbe84e78aaa9f3735865522a");
        /* Not the hash of the 32 characters as text. */
        CHECK(strcmp(out, "3eb1bd439947eb762998e566ccc2e099c791118b2f40579cc4f7da2b5061b7f9") != 0);
        for (uint32_t i = 0; i < 20; i++) {
                const char *s = secret_of(i * 977);
                CHECK(owner_secret_hash(s, out));
                expected_hash(s, want);
                CHECK_EQ_STR(out, want);
        }
        /* Malformed secrets: refused, out untouched. */
        static const char *const bad[] = {"",
                                          "0123456789abcdef0123456789abcde",
                                          "0123456789abcdef0123456789abcdef0",
                                          "0123456789abcdef0123456789abcdeF",
                                          "0123456789abcdef0123456789abcdeg",
                                          " 0123456789abcdef0123456789abcde"};
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                memset(out, 'X', sizeof(out));
                CHECK(!owner_secret_hash(bad[i], out));
                CHECK_EQ_INT(out[0], 'X');
        }
        CHECK(!owner_secret_hash(NULL, out));
}

static void test_hash_equal(void)
{
        char a[OWNER_HASH_HEX + 1], b[OWNER_HASH_HEX + 2];
        CHECK(owner_secret_hash(S1, a));
        memcpy(b, a, sizeof(a));
        CHECK(owner_hash_equal(a, b));
        CHECK(owner_hash_equal(a, a));
        b[0] = b[0] == '0' ? '1' : '0';
        CHECK(!owner_hash_equal(a, b));
        memcpy(b, a, sizeof(a));
        b[OWNER_HASH_HEX - 1] = b[OWNER_HASH_HEX - 1] == '0' ? '1' : '0';
        CHECK(!owner_hash_equal(a, b));
        /* Another length is never equal, even as a prefix or an extension. */
        memcpy(b, a, sizeof(a));
        b[OWNER_HASH_HEX - 1] = '\0';
        CHECK(!owner_hash_equal(a, b));
        CHECK(!owner_hash_equal(b, b));
        memcpy(b, a, sizeof(a));
        b[OWNER_HASH_HEX] = '0';
        b[OWNER_HASH_HEX + 1] = '\0';
        CHECK(!owner_hash_equal(a, b));
        CHECK(!owner_hash_equal(b, a));
        CHECK(!owner_hash_equal("", ""));
        CHECK(!owner_hash_equal(a, NULL));
        CHECK(!owner_hash_equal(NULL, a));
        CHECK(!owner_hash_equal(NULL, NULL));
        char c[OWNER_HASH_HEX + 1];
        CHECK(owner_secret_hash(S2, c));
        CHECK(!owner_hash_equal(a, c));
}

static void test_new(void)
{
        char a[OWNER_SECRET_HEX + 1], b[OWNER_SECRET_HEX + 1];
        memset(a, 'X', sizeof(a));
        owner_secret_new(a);
        owner_secret_new(b);
        CHECK_EQ_SIZE(strlen(a), OWNER_SECRET_HEX);
        CHECK(owner_secret_valid(a, strlen(a)));
        CHECK(owner_secret_valid(b, strlen(b)));
        CHECK(strcmp(a, b) != 0);
        char h[OWNER_HASH_HEX + 1], want[OWNER_HASH_HEX + 1];
        CHECK(owner_secret_hash(a, h));
        expected_hash(a, want);
        CHECK_EQ_STR(h, want);
        /* A new secret goes into a list and comes back out of the cookie. */
        struct owner_list l = {.n = 0}, back;
        CHECK(owner_add(&l, 99, 5, false, a));
        char out[OWNER_VALUE_MAX];
        CHECK(owner_format(&l, out, sizeof(out)) > 0);
        parse(fmt("blogd_own=%s", out), &back);
        CHECK(lists_equal(&l, &back));
}

int main(void)
{
        if (sodium_init() < 0) {
                fprintf(stderr, "sodium_init failed\n");
                return 1;
        }
        test_constants();
        test_parse_basic();
        test_ids();
        test_secrets();
        test_malformed();
        test_many();
        test_duplicates();
        test_add_remove();
        test_format();
        test_hash();
        test_hash_equal();
        test_new();
        return check_summary();
}
