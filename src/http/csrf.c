/*
 * csrf: signed double-submit tokens. The cookie holds a random nonce; every form carries
 * HMAC-SHA-256(secret, nonce). A forged form from another site knows neither (pure, fuzzed).
 */
#include "http/csrf.h"

#include <sys/random.h>

#include "core/sha256.h"

static const char hex[] = "0123456789abcdef";

static void to_hex(const unsigned char *in, size_t n, char *out)
{
        for (size_t i = 0; i < n; i++) {
                out[2 * i] = hex[in[i] >> 4];
                out[2 * i + 1] = hex[in[i] & 15];
        }
        out[2 * n] = '\0';
}

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
        if (getrandom(raw, sizeof(raw), 0) != (ssize_t)sizeof(raw))
                return false;
        to_hex(raw, sizeof(raw), out);
        return true;
}

void csrf_token(const unsigned char *secret, size_t secret_len, const char *nonce,
                char out[CSRF_TOKEN_HEX + 1])
{
        unsigned char mac[SHA256_LEN];
        hmac_sha256(secret, secret_len, nonce, CSRF_NONCE_HEX, mac);
        to_hex(mac, sizeof(mac), out);
}

bool csrf_check(const unsigned char *secret, size_t secret_len, const char *nonce,
                const char *token, size_t token_len)
{
        if (!csrf_nonce_valid(nonce, CSRF_NONCE_HEX) || token_len != CSRF_TOKEN_HEX)
                return false;
        char want[CSRF_TOKEN_HEX + 1];
        csrf_token(secret, secret_len, nonce, want);
        unsigned char diff = 0;
        for (size_t i = 0; i < CSRF_TOKEN_HEX; i++)
                diff |= (unsigned char)(want[i] ^ token[i]);
        return diff == 0;
}
