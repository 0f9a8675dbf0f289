/* test_csrf: the HMAC under the CSRF tokens against RFC 4231's known answers, and the tokens. */
#include "check.h"
#include "http/csrf.h"

#include <sodium.h>
#include <string.h>

struct kat {
        unsigned char key[131];
        size_t key_len;
        const char *data;
        size_t data_len;
        const char *mac_hex; /* test case 5 gives only the first 128 bits */
};

static void fill(unsigned char *p, unsigned char v, size_t n)
{
        memset(p, v, n);
}

/* RFC 4231, section 4: the seven HMAC-SHA-256 test cases. */
static void test_rfc4231(void)
{
        static struct kat k[7];
        static unsigned char dd[50], cd[50];
        fill(dd, 0xdd, sizeof(dd));
        fill(cd, 0xcd, sizeof(cd));
        fill(k[0].key, 0x0b, k[0].key_len = 20);
        k[0].data = "Hi There";
        k[0].mac_hex = "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7";
        memcpy(k[1].key, "Jefe", k[1].key_len = 4);
        k[1].data = "what do ya want for nothing?";
        k[1].mac_hex = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";
        fill(k[2].key, 0xaa, k[2].key_len = 20);
        k[2].data = (const char *)dd;
        k[2].data_len = sizeof(dd);
        k[2].mac_hex = "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe";
        for (unsigned i = 0; i < 25; i++)
                k[3].key[i] = (unsigned char)(i + 1);
        k[3].key_len = 25;
        k[3].data = (const char *)cd;
        k[3].data_len = sizeof(cd);
        k[3].mac_hex = "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b";
        fill(k[4].key, 0x0c, k[4].key_len = 20);
        k[4].data = "Test With Truncation";
        k[4].mac_hex = "a3b6167473100ee06e0c796c2955552b";
        fill(k[5].key, 0xaa, k[5].key_len = 131);
        k[5].data = "Test Using Larger Than Block-Size Key - Hash Key First";
        k[5].mac_hex = "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54";
        fill(k[6].key, 0xaa, k[6].key_len = 131);
        k[6].data = "This is a test using a larger than block-size key and a larger than "
                    "block-size data. The key needs to be hashed before being used by the HMAC "
                    "algorithm.";
        k[6].mac_hex = "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2";
        for (unsigned i = 0; i < 7; i++) {
                size_t n = k[i].data_len ? k[i].data_len : strlen(k[i].data);
                unsigned char mac[CSRF_MAC_LEN];
                char hex[2 * CSRF_MAC_LEN + 1];
                csrf_hmac(k[i].key, k[i].key_len, k[i].data, n, mac);
                sodium_bin2hex(hex, sizeof(hex), mac, sizeof(mac));
                size_t want = strlen(k[i].mac_hex);
                CHECK_EQ_MEM(hex, want, k[i].mac_hex, want);
        }
}

static void test_tokens(void)
{
        unsigned char secret[32];
        memset(secret, 0x42, sizeof(secret));
        char nonce[CSRF_NONCE_HEX + 1], other[CSRF_NONCE_HEX + 1];
        CHECK(csrf_nonce_new(nonce));
        CHECK(csrf_nonce_new(other));
        CHECK(csrf_nonce_valid(nonce, strlen(nonce)));
        CHECK(strcmp(nonce, other) != 0);
        char token[CSRF_TOKEN_HEX + 1];
        csrf_token(secret, sizeof(secret), nonce, token);
        CHECK_EQ_SIZE(strlen(token), CSRF_TOKEN_HEX);
        /* The token is the hex HMAC of the nonce's text. */
        unsigned char mac[CSRF_MAC_LEN];
        char hex[CSRF_TOKEN_HEX + 1];
        csrf_hmac(secret, sizeof(secret), nonce, CSRF_NONCE_HEX, mac);
        sodium_bin2hex(hex, sizeof(hex), mac, sizeof(mac));
        CHECK_EQ_STR(token, hex);
        CHECK(csrf_check(secret, sizeof(secret), nonce, token, CSRF_TOKEN_HEX));
        /* Any one changed digit, a short or long token, another nonce or key: refused. */
        for (size_t i = 0; i < CSRF_TOKEN_HEX; i++) {
                char bad[CSRF_TOKEN_HEX + 1];
                memcpy(bad, token, sizeof(bad));
                bad[i] = bad[i] == '0' ? '1' : '0';
                CHECK(!csrf_check(secret, sizeof(secret), nonce, bad, CSRF_TOKEN_HEX));
        }
        CHECK(!csrf_check(secret, sizeof(secret), nonce, token, CSRF_TOKEN_HEX - 1));
        CHECK(!csrf_check(secret, sizeof(secret), other, token, CSRF_TOKEN_HEX));
        unsigned char key2[32];
        memset(key2, 0x43, sizeof(key2));
        CHECK(!csrf_check(key2, sizeof(key2), nonce, token, CSRF_TOKEN_HEX));
        /* Upper-case hex is not the token (nonce and token are canonical lower case). */
        char upper[CSRF_NONCE_HEX + 1];
        memcpy(upper, nonce, sizeof(upper));
        for (size_t i = 0; i < CSRF_NONCE_HEX; i++)
                if (upper[i] >= 'a' && upper[i] <= 'f')
                        upper[i] = (char)(upper[i] - 'a' + 'A');
        CHECK(strcmp(upper, nonce) == 0 || !csrf_nonce_valid(upper, CSRF_NONCE_HEX));
}

int main(void)
{
        if (sodium_init() < 0)
                return 1;
        test_rfc4231();
        test_tokens();
        return check_summary();
}
