/* password: Argon2id hashes with explicit limits, verification in constant work. */
#include "core/password.h"

#include <string.h>

#include <sodium.h>

#include "core/gate.h"

_Static_assert(PASSWORD_HASH_MAX == crypto_pwhash_STRBYTES, "a hash string's size");

static struct gate *gate;
static unsigned gate_limit;

void password_use_gate(struct gate *g, unsigned limit)
{
        gate = g;
        gate_limit = limit;
}

static bool enter(void)
{
        return !gate || gate_enter(gate, gate_limit, PASSWORD_GATE_WAIT_MS);
}

static void leave(void)
{
        if (gate)
                gate_leave(gate);
}

static bool hash_now(const char *pw, size_t len, char out[PASSWORD_HASH_MAX])
{
        return crypto_pwhash_str_alg(out, pw, len, PASSWORD_OPSLIMIT, PASSWORD_MEMLIMIT,
                                     crypto_pwhash_ALG_ARGON2ID13) == 0;
}

bool password_hash(const char *pw, size_t len, char out[PASSWORD_HASH_MAX])
{
        if (!enter())
                return false;
        bool ok = hash_now(pw, len, out);
        leave();
        return ok;
}

/* A hash of a password nobody knows, made once per process: what an unknown account's
 * login is checked against. */
static const char *decoy(void)
{
        static char hash[PASSWORD_HASH_MAX];
        if (!hash[0]) {
                unsigned char r[16];
                char pw[33];
                randombytes_buf(r, sizeof(r));
                sodium_bin2hex(pw, sizeof(pw), r, sizeof(r));
                if (!hash_now(pw, strlen(pw), hash))
                        hash[0] = '\0';
                sodium_memzero(pw, sizeof(pw));
        }
        return hash;
}

enum password_result password_verify(const char *hash, const char *pw, size_t len)
{
        bool real = hash && strncmp(hash, crypto_pwhash_argon2id_STRPREFIX,
                                    strlen(crypto_pwhash_argon2id_STRPREFIX)) == 0;
        if (!enter())
                return PASSWORD_BUSY;
        const char *h = real ? hash : decoy();
        bool ok = h[0] && crypto_pwhash_str_verify(h, pw, len) == 0;
        leave();
        return real && ok ? PASSWORD_MATCH : PASSWORD_MISMATCH;
}

bool password_needs_rehash(const char *hash)
{
        return crypto_pwhash_str_needs_rehash(hash, PASSWORD_OPSLIMIT, PASSWORD_MEMLIMIT) != 0;
}
