/* test_session: the session cookie's id (src/http/session.c): which cookie counts over HTTP and
 * HTTPS, the exact form of an id (64 lower-case hex digits), new ids, and the stored hash
 * (checked against libsodium's one-shot SHA-256 and a fixed known answer). */
#include "check.h"
#include "http/session.h"

#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char ID_A[] = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
static const char ID_B[] = "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210";

/* The header in a heap buffer of exactly strlen + 1 bytes (as FastCGI params are), so ASan sees
 * any read past its NUL. Returns what session_cookie_read returned; id gets what it wrote. */
static bool read_cookie(const char *header, bool https, char id[SESSION_ID_HEX + 1])
{
        size_t n = strlen(header);
        char *h = malloc(n + 1);
        memcpy(h, header, n + 1);
        memset(id, 'X', SESSION_ID_HEX + 1);
        bool ok = session_cookie_read(h, https, id);
        free(h);
        return ok;
}

static void check_read(const char *header, bool https, const char *want, int line)
{
        char id[SESSION_ID_HEX + 1];
        char what[260];
        bool ok = read_cookie(header, https, id);
        snprintf(what, sizeof(what), "session_cookie_read(\"%.90s%s\", %s) %s (test line %d)",
                 header, strlen(header) > 90 ? "..." : "", https ? "https" : "http",
                 want ? "finds the id" : "finds none", line);
        if (want) {
                check_record_(ok && memcmp(id, want, SESSION_ID_HEX + 1) == 0, __FILE__, line,
                              what);
                if (ok && memcmp(id, want, SESSION_ID_HEX + 1) != 0)
                        fprintf(stderr, "    got \"%.64s\"\n", id);
        } else {
                check_record_(!ok, __FILE__, line, what);
        }
}

#define READS(h, https, want) check_read((h), (https), (want), __LINE__)
#define NONE(h, https) check_read((h), (https), NULL, __LINE__)

/* "name=value" etc. built at run time (the ids are long); four buffers in turn. */
static const char *fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
static const char *fmt(const char *f, ...)
{
        static char s[4][512];
        static unsigned k;
        char *p = s[k++ % 4];
        va_list ap;
        va_start(ap, f);
        vsnprintf(p, sizeof(s[0]), f, ap);
        va_end(ap);
        return p;
}

static void test_names(void)
{
        CHECK_EQ_STR(session_cookie_name(false), "blogd_session");
        CHECK_EQ_STR(session_cookie_name(true), "__Host-blogd_session");
        CHECK_EQ_STR(SESSION_COOKIE, "blogd_session");
        CHECK_EQ_STR(SESSION_COOKIE_HTTPS, "__Host-blogd_session");
        CHECK_EQ_INT(SESSION_ID_HEX, 64);
}

static void test_cookie_names(void)
{
        /* Over HTTP only blogd_session counts, over HTTPS only __Host-blogd_session. */
        READS(fmt("blogd_session=%s", ID_A), false, ID_A);
        NONE(fmt("blogd_session=%s", ID_A), true);
        READS(fmt("__Host-blogd_session=%s", ID_A), true, ID_A);
        NONE(fmt("__Host-blogd_session=%s", ID_A), false);
        /* Both sent: each scheme takes its own, in either order. */
        const char *both = fmt("blogd_session=%s; __Host-blogd_session=%s", ID_A, ID_B);
        READS(both, false, ID_A);
        READS(both, true, ID_B);
        both = fmt("__Host-blogd_session=%s; blogd_session=%s", ID_B, ID_A);
        READS(both, false, ID_A);
        READS(both, true, ID_B);
        /* Among other cookies, first, middle and last. */
        READS(fmt("blogd_session=%s; blogd_csrf=0123456789abcdef0123456789abcdef; a=1", ID_A),
              false, ID_A);
        READS(fmt("a=1; blogd_session=%s; b=2", ID_A), false, ID_A);
        READS(fmt("a=1;\t__Host-blogd_session=%s", ID_B), true, ID_B);
        /* Names that are not ours. */
        NONE(fmt("xblogd_session=%s", ID_A), false);
        NONE(fmt("blogd_sessionx=%s", ID_A), false);
        NONE(fmt("Blogd_session=%s", ID_A), false);
        NONE(fmt("blogd_sessio=%s", ID_A), false);
        NONE(fmt("__host-blogd_session=%s", ID_A), true); /* names are case-sensitive */
        NONE(fmt("__Secure-blogd_session=%s", ID_A), true);
        NONE(fmt("Host-blogd_session=%s", ID_A), true);
        NONE(fmt("_Host-blogd_session=%s", ID_A), true);
        NONE(fmt("__Host-blogd_session =%s", ID_A), true);
        NONE(fmt("a=blogd_session=%s", ID_A), false); /* inside another's value */
        NONE("", false);
        NONE("", true);
        NONE("blogd_session", false);
        NONE("blogd_session=", false);
        NONE("__Host-blogd_session=", true);
        char id[SESSION_ID_HEX + 1];
        CHECK(!session_cookie_read(NULL, false, id));
        CHECK(!session_cookie_read(NULL, true, id));
}

static void test_cookie_forms(void)
{
        char v[80];
        /* 0..79 digits: only exactly 64 is an id; 63 and 65 are not. */
        for (size_t n = 0; n < sizeof(v); n++) {
                for (size_t k = 0; k < n; k++)
                        v[k] = "0123456789abcdef"[(k * 7) % 16];
                v[n] = '\0';
                char id[SESSION_ID_HEX + 1];
                char header[128];
                snprintf(header, sizeof(header), "blogd_session=%s", v);
                bool ok = read_cookie(header, false, id);
                char what[80];
                snprintf(what, sizeof(what), "a value of %zu hex digits %s", n,
                         n == SESSION_ID_HEX ? "is an id" : "is refused");
                check_record_(ok == (n == SESSION_ID_HEX), __FILE__, __LINE__, what);
                if (ok)
                        CHECK(memcmp(id, v, SESSION_ID_HEX + 1) == 0);
                snprintf(header, sizeof(header), "__Host-blogd_session=%s", v);
                check_record_(read_cookie(header, true, id) == (n == SESSION_ID_HEX), __FILE__,
                              __LINE__, what);
        }
        char upper[SESSION_ID_HEX + 1];
        memcpy(upper, ID_A, sizeof(upper));
        upper[10] = 'A';
        NONE(fmt("blogd_session=%s", upper), false);
        NONE(fmt("__Host-blogd_session=%s", upper), true);
        for (size_t i = 0; i < SESSION_ID_HEX; i++)
                upper[i] = (char)(ID_A[i] >= 'a' ? ID_A[i] - 'a' + 'A' : ID_A[i]);
        NONE(fmt("blogd_session=%s", upper), false);
        char g[SESSION_ID_HEX + 1];
        memcpy(g, ID_A, sizeof(g));
        g[SESSION_ID_HEX - 1] = 'g';
        NONE(fmt("blogd_session=%s", g), false);
        g[SESSION_ID_HEX - 1] = ' '; /* trailing spaces are cut by cookie_find: 63 digits left */
        NONE(fmt("blogd_session=%s", g), false);
        g[0] = ' ';
        g[SESSION_ID_HEX - 1] = 'f';
        NONE(fmt("blogd_session=%s", g), false);
        /* A 65th character of any kind is not allowed through. */
        NONE(fmt("blogd_session=%s0", ID_A), false);
        NONE(fmt("blogd_session=%s=", ID_A), false);
        NONE(fmt("blogd_session=%s\"", ID_A), false);
        NONE(fmt("blogd_session=%s,a=1", ID_A), false);
        /* What cookie_find removes: surrounding quotes, spaces before ';' or the end. */
        READS(fmt("blogd_session=\"%s\"", ID_A), false, ID_A);
        READS(fmt("blogd_session=%s ;a=1", ID_A), false, ID_A);
        READS(fmt("blogd_session=%s\t ", ID_A), false, ID_A);
        /* The first one wins, even if malformed: no second chance for a later one. */
        READS(fmt("blogd_session=%s; blogd_session=%s", ID_A, ID_B), false, ID_A);
        NONE(fmt("blogd_session=bad; blogd_session=%s", ID_A), false);
}

static void test_id_valid(void)
{
        char v[SESSION_ID_HEX + 2];
        memcpy(v, ID_A, SESSION_ID_HEX);
        v[SESSION_ID_HEX] = 'a';
        v[SESSION_ID_HEX + 1] = '\0';
        CHECK(session_id_valid(v, 64));
        CHECK(!session_id_valid(v, 63));
        CHECK(!session_id_valid(v, 65));
        CHECK(!session_id_valid(v, 0));
        CHECK(!session_id_valid("", 0));
        /* Every byte value in every position: only 0-9 and a-f. */
        unsigned accepted = 0;
        for (size_t pos = 0; pos < SESSION_ID_HEX; pos += 21) {
                for (int c = 0; c < 256; c++) {
                        memcpy(v, ID_A, SESSION_ID_HEX);
                        v[pos] = (char)c;
                        bool want = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
                        bool got = session_id_valid(v, SESSION_ID_HEX);
                        if (got != want) {
                                char what[80];
                                snprintf(what, sizeof(what), "byte 0x%02x at %zu", (unsigned)c,
                                         pos);
                                check_record_(0, __FILE__, __LINE__, what);
                        }
                        accepted += got;
                }
        }
        CHECK_EQ_INT(accepted, 16 * 4);
        CHECK(session_id_valid("0000000000000000000000000000000000000000000000000000000000000000",
                               64));
        CHECK(session_id_valid("ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
                               64));
        CHECK(!session_id_valid("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF",
                                64));
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

/* The expected hash computed here: the id's 32 bytes decoded by hand, SHA-256 by libsodium's
 * one-shot call, and hex written digit by digit. */
static void expected_hash(const char *id, char out[SESSION_HASH_HEX + 1])
{
        unsigned char raw[SESSION_ID_BYTES], h[crypto_hash_sha256_BYTES];
        hex_to_raw(id, raw, sizeof(raw));
        crypto_hash_sha256(h, raw, sizeof(raw));
        for (size_t i = 0; i < sizeof(h); i++) {
                out[2 * i] = "0123456789abcdef"[h[i] >> 4];
                out[2 * i + 1] = "0123456789abcdef"[h[i] & 15];
        }
        out[SESSION_HASH_HEX] = '\0';
}

static void test_hash(void)
{
        char out[SESSION_HASH_HEX + 1], want[SESSION_HASH_HEX + 1];
        /* Known answers: SHA-256 of 32 zero bytes, and of the bytes 0x00..0x1f. */
        CHECK(session_id_hash("0000000000000000000000000000000000000000000000000000000000000000",
                              out));
        CHECK_EQ_STR(out, "66687aadf862bd776c8fc18b8e9f8e20089714856ee233b3902a591d0d5f2925");
        CHECK(session_id_hash("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
                              out));
        CHECK_EQ_STR(out, "630dcd2966c4336691125448bbb25b4ff412a49c732db2c8abc1b8581bd710dd");
        /* Not the hash of the 64 hex characters as text. */
        unsigned char text_hash[crypto_hash_sha256_BYTES];
        char text_hex[SESSION_HASH_HEX + 1];
        crypto_hash_sha256(text_hash, (const unsigned char *)ID_A, SESSION_ID_HEX);
        sodium_bin2hex(text_hex, sizeof(text_hex), text_hash, sizeof(text_hash));
        CHECK(session_id_hash(ID_A, out));
        CHECK(strcmp(out, text_hex) != 0);
        expected_hash(ID_A, want);
        CHECK_EQ_STR(out, want);
        CHECK(session_id_hash(ID_B, out));
        expected_hash(ID_B, want);
        CHECK_EQ_STR(out, want);
        /* Malformed ids are refused and leave no hash to look up. */
        char bad[SESSION_ID_HEX + 2];
        memcpy(bad, ID_A, SESSION_ID_HEX);
        bad[SESSION_ID_HEX] = '\0';
        bad[SESSION_ID_HEX - 1] = '\0';
        CHECK(!session_id_hash(bad, out)); /* 63 */
        bad[SESSION_ID_HEX - 1] = 'f';
        bad[SESSION_ID_HEX] = 'f';
        bad[SESSION_ID_HEX + 1] = '\0';
        CHECK(!session_id_hash(bad, out)); /* 65 */
        bad[SESSION_ID_HEX] = '\0';
        bad[5] = 'A';
        CHECK(!session_id_hash(bad, out)); /* upper case */
        bad[5] = 'x';
        CHECK(!session_id_hash(bad, out));
        CHECK(!session_id_hash("", out));
}

static int cmp_ids(const void *a, const void *b)
{
        return memcmp(a, b, SESSION_ID_HEX + 1);
}

static void test_new(void)
{
        enum { N = 2000 };
        static char ids[N][SESSION_ID_HEX + 1];
        unsigned seen[16] = {0};
        unsigned bad = 0;
        for (size_t i = 0; i < N; i++) {
                memset(ids[i], 'X', sizeof(ids[i]));
                session_id_new(ids[i]);
                if (ids[i][SESSION_ID_HEX] != '\0' || !session_id_valid(ids[i], strlen(ids[i])))
                        bad++;
                for (size_t k = 0; k < SESSION_ID_HEX; k++) {
                        char c = ids[i][k];
                        if (c >= '0' && c <= '9')
                                seen[c - '0']++;
                        else if (c >= 'a' && c <= 'f')
                                seen[c - 'a' + 10]++;
                }
        }
        CHECK_EQ_INT(bad, 0);
        /* All 16 digits turn up, each roughly 1/16 of the time (N*64/16 = 8000 expected). */
        for (size_t d = 0; d < 16; d++)
                CHECK(seen[d] > 7000 && seen[d] < 9000);
        /* A new id each time (sorted, no neighbours equal). */
        qsort(ids, N, sizeof(ids[0]), cmp_ids);
        unsigned dup = 0;
        for (size_t i = 1; i < N; i++)
                dup += memcmp(ids[i - 1], ids[i], SESSION_ID_HEX + 1) == 0;
        CHECK_EQ_INT(dup, 0);
        /* A new id goes through the cookie and hashes as computed here. */
        char id[SESSION_ID_HEX + 1], out[SESSION_HASH_HEX + 1], want[SESSION_HASH_HEX + 1];
        session_id_new(id);
        READS(fmt("a=1; blogd_session=%s", id), false, id);
        READS(fmt("__Host-blogd_session=%s; a=1", id), true, id);
        CHECK(session_id_hash(id, out));
        expected_hash(id, want);
        CHECK_EQ_STR(out, want);
        CHECK(strcmp(out, id) != 0);
}

int main(void)
{
        if (sodium_init() < 0)
                return 1;
        test_names();
        test_cookie_names();
        test_cookie_forms();
        test_id_valid();
        test_hash();
        test_new();
        return check_summary();
}
