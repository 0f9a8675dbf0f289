/* authors: the store's typed calls for accounts: find by name, add, set a hash, list, remove. */
#ifndef BLOGD_AUTHORS_H
#define BLOGD_AUTHORS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/db.h"

#define AUTHOR_NAME_MAX 32
#define AUTHOR_HASH_MAX 255

struct author {
        bool found;
        uint32_t id;
        char name[AUTHOR_NAME_MAX + 1];      /* as stored (names compare without case) */
        char pass_hash[AUTHOR_HASH_MAX + 1]; /* crypto_pwhash_str's; "" matches no password */
};

enum db_status authors_find(const char *name, size_t len, struct author *out);
/* DB_DUPLICATE if the name is taken. */
enum db_status authors_add(const char *name, size_t len, const char *pass_hash, uint64_t *id);
enum db_status authors_set_hash(uint32_t id, const char *pass_hash);

struct author_row {
        uint32_t id;
        const char *name;
        uint64_t created_at; /* Unix seconds */
        uint64_t posts, sessions;
        bool has_password;
};
typedef void (*author_fn)(void *ctx, const struct author_row *a);
enum db_status authors_list(author_fn fn, void *ctx);

enum db_status authors_post_count(uint32_t id, uint64_t *posts);
/* Gives every post of from to to. */
enum db_status authors_reassign(uint32_t from, uint32_t to);
/* Removes the account and its sessions (it must have no posts left: a foreign key says so). */
enum db_status authors_remove(uint32_t id);

#endif
