/* ryw: formats and checks the signed read-your-writes cookie. */
#include "http/ryw.h"

#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "core/digits.h"

#define MAC_HEX 32

bool ryw_gtid_ok(const char *gtid, size_t len)
{
        if (len == 1 && gtid[0] == 'p')
                return true;
        if (len == 0 || len >= RYW_GTID_MAX)
                return false;
        for (size_t i = 0; i < len; i++)
                if (!((gtid[i] >= '0' && gtid[i] <= '9') || gtid[i] == '-'))
                        return false;
        return true;
}

/* The first MAC_HEX hex digits of HMAC-SHA256(key, "blogd-ryw:" body). */
static void mac_of(const char *body, size_t len, const unsigned char *key, size_t key_len,
                   char out[MAC_HEX + 1])
{
        unsigned char mac[crypto_auth_hmacsha256_BYTES];
        crypto_auth_hmacsha256_state st;
        crypto_auth_hmacsha256_init(&st, key, key_len);
        crypto_auth_hmacsha256_update(&st, (const unsigned char *)"blogd-ryw:", 10);
        crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, len);
        crypto_auth_hmacsha256_final(&st, mac);
        sodium_bin2hex(out, MAC_HEX + 1, mac, MAC_HEX / 2);
}

bool ryw_format(const char *gtid, uint64_t expires, const unsigned char *key, size_t key_len,
                char out[RYW_VALUE_MAX])
{
        if (!ryw_gtid_ok(gtid, strlen(gtid)))
                return false;
        int n = snprintf(out, RYW_VALUE_MAX, "%s.%llu.", gtid, (unsigned long long)expires);
        if (n < 0 || (size_t)n + MAC_HEX >= RYW_VALUE_MAX)
                return false;
        mac_of(out, (size_t)n - 1, key, key_len, out + n);
        return true;
}

bool ryw_parse(const char *value, size_t len, uint64_t now, const unsigned char *key,
               size_t key_len, char gtid[RYW_GTID_MAX])
{
        if (len < MAC_HEX + 4 || len >= RYW_VALUE_MAX || value[len - MAC_HEX - 1] != '.')
                return false;
        size_t body = len - MAC_HEX - 1;
        const char *dot = memchr(value, '.', body);
        if (!dot)
                return false;
        size_t glen = (size_t)(dot - value);
        uint64_t expires;
        if (!ryw_gtid_ok(value, glen) ||
            !digits_parse(dot + 1, body - glen - 1, UINT64_MAX, &expires))
                return false;
        char want[MAC_HEX + 1];
        mac_of(value, body, key, key_len, want);
        if (sodium_memcmp(want, value + body + 1, MAC_HEX) != 0 || now >= expires)
                return false;
        memcpy(gtid, value, glen);
        gtid[glen] = '\0';
        return true;
}
