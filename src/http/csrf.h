/*
 * csrf: signed double-submit tokens. The cookie holds a random nonce; every form carries
 * HMAC-SHA-256(secret, nonce). A forged form from another site knows neither (pure, fuzzed).
 */
#ifndef BLOGD_CSRF_H
#define BLOGD_CSRF_H

#include <stdbool.h>
#include <stddef.h>

#define CSRF_COOKIE "blogd_csrf"
#define CSRF_FIELD "csrf"
#define CSRF_NONCE_HEX 32 /* 16 random bytes */
#define CSRF_TOKEN_HEX 64
#define CSRF_SECRET_MIN 32
#define CSRF_MAC_LEN 32 /* HMAC-SHA-256 */

bool csrf_nonce_valid(const char *nonce, size_t len);
/* Fills out (CSRF_NONCE_HEX + 1 bytes) with a fresh random nonce (sodium_init() first). */
bool csrf_nonce_new(char *out);
/* HMAC-SHA-256 of msg under key (any length), through libsodium. */
void csrf_hmac(const unsigned char *key, size_t key_len, const void *msg, size_t msg_len,
               unsigned char out[CSRF_MAC_LEN]);
/* The token for nonce: CSRF_TOKEN_HEX lowercase hex digits and a NUL. */
void csrf_token(const unsigned char *secret, size_t secret_len, const char *nonce,
                char out[CSRF_TOKEN_HEX + 1]);
/* Constant-time check of a submitted token against the cookie's nonce. */
bool csrf_check(const unsigned char *secret, size_t secret_len, const char *nonce,
                const char *token, size_t token_len);

#endif
