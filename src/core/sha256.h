/* sha256: SHA-256 and HMAC-SHA-256 (FIPS 180-4, RFC 2104), for signing CSRF tokens. */
#ifndef BLOGD_SHA256_H
#define BLOGD_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_LEN 32

struct sha256 {
        uint32_t h[8];
        uint64_t total; /* bytes hashed so far */
        unsigned char block[64];
        size_t used;
};

void sha256_init(struct sha256 *c);
void sha256_update(struct sha256 *c, const void *data, size_t len);
void sha256_final(struct sha256 *c, unsigned char out[SHA256_LEN]);
void hmac_sha256(const void *key, size_t key_len, const void *msg, size_t msg_len,
                 unsigned char out[SHA256_LEN]);

#endif
