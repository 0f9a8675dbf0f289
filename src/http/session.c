/* session: the session cookie's id: its form, a new one, and the hash the database keeps. */
#include "http/session.h"

#include <string.h>

#include <sodium.h>

#include "http/cookie.h"

const char *session_cookie_name(bool https)
{
        return https ? SESSION_COOKIE_HTTPS : SESSION_COOKIE;
}

bool session_id_valid(const char *s, size_t len)
{
        if (len != SESSION_ID_HEX)
                return false;
        for (size_t i = 0; i < len; i++)
                if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
                        return false;
        return true;
}

bool session_cookie_read(const char *cookie_header, bool https, char id[SESSION_ID_HEX + 1])
{
        const char *v;
        size_t n;
        if (!cookie_find(cookie_header, session_cookie_name(https), &v, &n) ||
            !session_id_valid(v, n))
                return false;
        memcpy(id, v, n);
        id[n] = '\0';
        return true;
}

void session_id_new(char id[SESSION_ID_HEX + 1])
{
        unsigned char raw[SESSION_ID_BYTES];
        randombytes_buf(raw, sizeof(raw));
        sodium_bin2hex(id, SESSION_ID_HEX + 1, raw, sizeof(raw));
        sodium_memzero(raw, sizeof(raw));
}

bool session_id_hash(const char *id, char out[SESSION_HASH_HEX + 1])
{
        unsigned char raw[SESSION_ID_BYTES], h[crypto_hash_sha256_BYTES];
        size_t got = 0;
        if (!session_id_valid(id, strlen(id)) ||
            sodium_hex2bin(raw, sizeof(raw), id, SESSION_ID_HEX, NULL, &got, NULL) != 0 ||
            got != sizeof(raw))
                return false;
        crypto_hash_sha256(h, raw, sizeof(raw));
        sodium_bin2hex(out, SESSION_HASH_HEX + 1, h, sizeof(h));
        sodium_memzero(raw, sizeof(raw));
        return true;
}
