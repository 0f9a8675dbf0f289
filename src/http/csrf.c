/*
 * csrf: signed double-submit tokens. The cookie holds a random nonce; every form carries
 * HMAC-SHA-256(secret, nonce). A forged form from another site knows neither (pure, fuzzed).
 * The HMAC, the random bytes and the constant-time compare are libsodium's.
 */
#include "http/csrf.h"

#include <sodium.h>

bool csrf_nonce_valid(const char *nonce, size_t len)
{
        if (len != CSRF_NONCE_HEX)
                return false;
        for (size_t i = 0; i < len; i++)
                if (!((nonce[i] >= '0' && nonce[i] <= '9') || (nonce[i] >= 'a' && nonce[i] <= 'f')))
                        return false;
        return true;
}

bool csrf_nonce_new(char *out)
{
        unsigned char raw[CSRF_NONCE_HEX / 2];
        randombytes_buf(raw, sizeof(raw)); /* fork-safe: each worker draws its own */
        sodium_bin2hex(out, CSRF_NONCE_HEX + 1, raw, sizeof(raw));
        return true;
}

void csrf_hmac(const unsigned char *key, size_t key_len, const void *msg, size_t msg_len,
               unsigned char out[CSRF_MAC_LEN])
{
        crypto_auth_hmacsha256_state st;
        crypto_auth_hmacsha256_init(&st, key, key_len);
        crypto_auth_hmacsha256_update(&st, msg, msg_len);
        crypto_auth_hmacsha256_final(&st, out);
        sodium_memzero(&st, sizeof(st));
}

void csrf_token(const unsigned char *secret, size_t secret_len, const char *nonce,
                char out[CSRF_TOKEN_HEX + 1])
{
        unsigned char mac[CSRF_MAC_LEN];
        csrf_hmac(secret, secret_len, nonce, CSRF_NONCE_HEX, mac);
        sodium_bin2hex(out, CSRF_TOKEN_HEX + 1, mac, sizeof(mac));
}

bool csrf_check(const unsigned char *secret, size_t secret_len, const char *nonce,
                const char *token, size_t token_len)
{
        if (!csrf_nonce_valid(nonce, CSRF_NONCE_HEX) || token_len != CSRF_TOKEN_HEX)
                return false;
        char want[CSRF_TOKEN_HEX + 1];
        csrf_token(secret, secret_len, nonce, want);
        return sodium_memcmp(want, token, CSRF_TOKEN_HEX) == 0;
}
