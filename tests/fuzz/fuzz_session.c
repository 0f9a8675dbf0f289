/* fuzz_session: session_cookie_read on arbitrary Cookie headers, over HTTP and HTTPS; a
 * session id it returns is well-formed, is the cookie's value, and hashes as libsodium's
 * one-shot SHA-256 of its 32 bytes (computed here independently of session.c). */
#include "fuzz.h"
#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/cookie.h"
#include "http/session.h"

static int hexval(char c)
{
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        return -1;
}

/* Exactly SESSION_ID_HEX lower-case hex digits, checked here without session.c. */
static bool form_ok(const char *s, size_t len)
{
        if (len != SESSION_ID_HEX)
                return false;
        for (size_t i = 0; i < len; i++)
                if (hexval(s[i]) < 0)
                        return false;
        return true;
}

static void check_one(const char *header, size_t real, bool https)
{
        char id[SESSION_ID_HEX + 1];
        memset(id, 'X', sizeof(id));
        bool got = session_cookie_read(header, https, id);
        /* The same answer as looking the cookie up and checking its form here. */
        const char *v;
        size_t n;
        bool want = cookie_find(header, https ? "__Host-blogd_session" : "blogd_session", &v, &n) &&
                    form_ok(v, n);
        FUZZ_CHECK(got == want);
        if (!got)
                return;
        FUZZ_CHECK(id[SESSION_ID_HEX] == '\0');
        FUZZ_CHECK(strlen(id) == SESSION_ID_HEX);
        FUZZ_CHECK(session_id_valid(id, strlen(id)));
        FUZZ_CHECK(memcmp(id, v, SESSION_ID_HEX) == 0);
        FUZZ_CHECK(v >= header && v + SESSION_ID_HEX <= header + real);
        char hash[SESSION_HASH_HEX + 1];
        FUZZ_CHECK(session_id_hash(id, hash));
        FUZZ_CHECK(strlen(hash) == SESSION_HASH_HEX && form_ok(hash, SESSION_HASH_HEX));
        unsigned char raw[SESSION_ID_BYTES], h[crypto_hash_sha256_BYTES];
        for (size_t i = 0; i < SESSION_ID_BYTES; i++)
                raw[i] = (unsigned char)(hexval(id[2 * i]) << 4 | hexval(id[2 * i + 1]));
        crypto_hash_sha256(h, raw, sizeof(raw));
        for (size_t i = 0; i < sizeof(h); i++)
                FUZZ_CHECK(hexval(hash[2 * i]) == h[i] >> 4 &&
                           hexval(hash[2 * i + 1]) == (h[i] & 15));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char *header = malloc(size + 1);
        if (!header)
                return 0;
        memcpy(header, data, size);
        header[size] = '\0';
        size_t real = strlen(header);
        check_one(header, real, false);
        check_one(header, real, true);
        /* The raw bytes as an id: valid exactly when they have the form. */
        FUZZ_CHECK(session_id_valid((const char *)data, size) == form_ok((const char *)data, size));
        free(header);
        return 0;
}
