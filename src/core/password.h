/*
 * password: Argon2id password hashes through libsodium (crypto_pwhash_str). The cost is set
 * here, not taken from libsodium's "interactive" preset (64 MiB per hash): each worker is one
 * process hashing one password at a time, so a burst of logins holds at most workers x
 * PASSWORD_MEMLIMIT (4 workers: 76 MiB), freed when each hash ends. 19 MiB and 2 passes is
 * OWASP's floor for Argon2id (about 50 ms here); hashes made with other parameters are
 * upgraded at the next right login (password_needs_rehash). Inside the pool a gate bounds
 * the hashes of a host's workers further (login_hashes at once: core/gate.h).
 */
#ifndef BLOGD_PASSWORD_H
#define BLOGD_PASSWORD_H

#include <stdbool.h>
#include <stddef.h>

#define PASSWORD_OPSLIMIT 2ULL
#define PASSWORD_MEMLIMIT ((size_t)19 * 1024 * 1024)
#define PASSWORD_HASH_MAX 128 /* crypto_pwhash_STRBYTES, NUL included */
/* How long a hash waits for a free slot of the gate before it gives up (busy). */
#define PASSWORD_GATE_WAIT_MS 2000

struct gate;

enum password_result { PASSWORD_MATCH, PASSWORD_MISMATCH, PASSWORD_BUSY };

/* From now on (and in every process forked after), at most limit hashes at once pass g;
 * NULL: no gate (the command line). */
void password_use_gate(struct gate *g, unsigned limit);

/* Hashes pw (len bytes) into out; false if memory or randomness failed, or the gate stayed
 * full. */
bool password_hash(const char *pw, size_t len, char out[PASSWORD_HASH_MAX]);
/*
 * Whether pw matches hash. An empty or malformed hash (an account without a password, an
 * unknown account: pass "") matches nothing but still costs one hash, so the time taken does
 * not tell which accounts exist. PASSWORD_BUSY: the gate stayed full, nothing was checked.
 */
enum password_result password_verify(const char *hash, const char *pw, size_t len);
/* Whether hash was made with other parameters than this build's (then hash the password
 * again once it has been verified). */
bool password_needs_rehash(const char *hash);

#endif
