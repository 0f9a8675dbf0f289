/* fuzz_csrf: csrf_check accepts exactly the HMAC of the nonce, computed here by libsodium's
 * one-shot crypto_auth_hmacsha256 (a path independent of csrf.c's). */
#include "fuzz.h"
#include <sodium.h>
#include <stdint.h>
#include <string.h>

#include "http/csrf.h"

static const unsigned char secret[32] = "fuzzing-secret-fuzzing-secret-12";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char nonce[CSRF_NONCE_HEX + 1] = {0};
        size_t n = size < CSRF_NONCE_HEX ? size : CSRF_NONCE_HEX;
        memcpy(nonce, data, n);
        const char *token = (const char *)data + n;
        size_t token_len = size - n;
        bool valid_nonce = csrf_nonce_valid(nonce, strnlen(nonce, sizeof(nonce)));
        if (csrf_check(secret, sizeof(secret), nonce, token, token_len)) {
                unsigned char mac[crypto_auth_hmacsha256_BYTES];
                char want[CSRF_TOKEN_HEX + 1];
                FUZZ_CHECK(valid_nonce);
                crypto_auth_hmacsha256(mac, (const unsigned char *)nonce, CSRF_NONCE_HEX, secret);
                sodium_bin2hex(want, sizeof(want), mac, sizeof(mac));
                FUZZ_CHECK(token_len == CSRF_TOKEN_HEX && memcmp(want, token, token_len) == 0);
        }
        if (valid_nonce) {
                /* The real token is always accepted. */
                char good[CSRF_TOKEN_HEX + 1];
                csrf_token(secret, sizeof(secret), nonce, good);
                FUZZ_CHECK(csrf_check(secret, sizeof(secret), nonce, good, CSRF_TOKEN_HEX));
        }
        return 0;
}
