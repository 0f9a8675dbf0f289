/*
 * owner: the blogd_own cookie, by which a browser proves it wrote a comment (pure, fuzzed).
 * Its value is entries joined by '.', oldest first, each "<comment id>_<post id>_<secret>",
 * prefixed with 'h' while the comment is held for moderation ("h12_3_<secret>"); ids are
 * canonical (http/router.h's route_parse_id: 1-10 digits, no leading zero, <= UINT32_MAX) and
 * the secret is 16 random bytes as 32 lowercase hex digits. The database keeps only the
 * SHA-256 of those 16 bytes (comment.owner_hash), so a copy of the table deletes nothing.
 * At most OWNER_MAX entries (40 x 56 bytes stays well under a browser's 4 KB per cookie): a
 * new comment drops the oldest. The attributes (HttpOnly, SameSite=Lax, Path=/, Max-Age
 * OWNER_MAX_AGE_S, Secure over HTTPS) are the response's to write.
 */
#ifndef BLOGD_OWNER_H
#define BLOGD_OWNER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define OWNER_COOKIE "blogd_own"
#define OWNER_MAX 40
#define OWNER_MAX_AGE_S (365 * 24 * 3600)
#define OWNER_SECRET_BYTES 16
#define OWNER_SECRET_HEX (2 * OWNER_SECRET_BYTES)
#define OWNER_HASH_HEX 64 /* SHA-256 */
/* The longest entry: 'h', two 10-digit ids, two '_', the secret. */
#define OWNER_ENTRY_MAX (1 + 10 + 1 + 10 + 1 + OWNER_SECRET_HEX)
/* Room for any list's value: OWNER_MAX entries, the '.' between them, the NUL (2240 bytes). */
#define OWNER_VALUE_MAX (OWNER_MAX * (OWNER_ENTRY_MAX + 1))

struct owner_entry {
        uint32_t comment_id, post_id; /* both >= 1 */
        bool held;                    /* the comment awaits moderation */
        char secret[OWNER_SECRET_HEX + 1];
};

/* Oldest first; no two entries share a comment id. */
struct owner_list {
        struct owner_entry e[OWNER_MAX];
        size_t n;
};

/*
 * Reads the blogd_own cookie of a Cookie header (NULL or none: an empty list). Entries are
 * taken in order as owner_add would take them (beyond OWNER_MAX the oldest go, so the newest
 * OWNER_MAX stay), except that a malformed entry, or one for a comment id already in the list
 * (the first one wins), is skipped: the others still count.
 */
void owner_parse(const char *cookie_header, struct owner_list *out);

/* The entry for comment_id, or NULL. */
const struct owner_entry *owner_find(const struct owner_list *l, uint32_t comment_id);

/*
 * Appends an entry as the newest, dropping the oldest if the list is full; an entry already
 * there for comment_id is replaced (moved to the end). False, nothing changed, if an id is 0
 * or the secret is not OWNER_SECRET_HEX lowercase hex digits, so a list only ever holds
 * entries that owner_format writes and owner_parse reads back.
 */
bool owner_add(struct owner_list *l, uint32_t comment_id, uint32_t post_id, bool held,
               const char *secret);

/* Removes the entry for comment_id (the others keep their order); false if there was none. */
bool owner_remove(struct owner_list *l, uint32_t comment_id);

/*
 * Writes the cookie's value, NUL-terminated, and returns its length; 0 (with out "" if cap
 * > 0) for an empty list, whose cookie is to be deleted, or if the value and its NUL do not
 * fit in cap (OWNER_VALUE_MAX always does).
 */
size_t owner_format(const struct owner_list *l, char *out, size_t cap);

/* Whether s (len bytes) is a well-formed secret: OWNER_SECRET_HEX lowercase hex digits. */
bool owner_secret_valid(const char *s, size_t len);

/* Draws a new secret (libsodium's randombytes_buf, fork-safe; sodium_init() first). */
void owner_secret_new(char out[OWNER_SECRET_HEX + 1]);

/* The hash the database keeps for a secret: SHA-256 of its 16 bytes as 64 lowercase hex
 * digits. False, out untouched, if the secret is malformed. */
bool owner_secret_hash(const char *secret, char out[OWNER_HASH_HEX + 1]);

/* Whether two hashes are equal: both exactly OWNER_HASH_HEX characters, compared in constant
 * time (sodium_memcmp); false if either is NULL or of another length. */
bool owner_hash_equal(const char *a, const char *b);

#endif
