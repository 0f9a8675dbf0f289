/* authors: the store's typed calls for accounts (the statements are in store/db.c). */
#include "store/authors.h"

#include <string.h>

struct found {
        struct author *out;
        bool bad;
};

static bool take_author(void *ctx, const struct db_value *col, size_t ncols)
{
        struct found *f = ctx;
        if (ncols != 3 || col[1].len > AUTHOR_NAME_MAX || col[2].len > AUTHOR_HASH_MAX)
                return !(f->bad = true);
        f->out->found = true;
        f->out->id = (uint32_t)col[0].i;
        memcpy(f->out->name, col[1].s, col[1].len);
        f->out->name[col[1].len] = '\0';
        memcpy(f->out->pass_hash, col[2].s, col[2].len);
        f->out->pass_hash[col[2].len] = '\0';
        return false;
}

enum db_status authors_find(const char *name, size_t len, struct author *out)
{
        struct db_value p = DB_TEXT_VALUE(name, len);
        struct found f = {out, false};
        memset(out, 0, sizeof(*out));
        enum db_status st = db_query(STMT_AUTHOR_BY_NAME, &p, 1, take_author, &f);
        if (st == DB_OK && f.bad) {
                memset(out, 0, sizeof(*out));
                st = DB_ERROR;
        }
        return st;
}

enum db_status authors_add(const char *name, size_t len, const char *pass_hash, uint64_t *id)
{
        struct db_value p[2] = {DB_TEXT_VALUE(name, len),
                                DB_TEXT_VALUE(pass_hash, strlen(pass_hash))};
        *id = 0;
        return db_exec(STMT_AUTHOR_INSERT, p, 2, NULL, id);
}

enum db_status authors_set_hash(uint32_t id, const char *pass_hash)
{
        struct db_value p[2] = {DB_TEXT_VALUE(pass_hash, strlen(pass_hash)), DB_INT_VALUE(id)};
        return db_exec(STMT_AUTHOR_SET_HASH, p, 2, NULL, NULL);
}

struct lister {
        author_fn fn;
        void *ctx;
        bool bad;
};

static bool take_row(void *ctx, const struct db_value *col, size_t ncols)
{
        struct lister *l = ctx;
        if (ncols != 6)
                return !(l->bad = true);
        struct author_row a = {(uint32_t)col[0].i, col[1].s, col[2].i,
                               col[3].i,           col[4].i, col[5].i != 0};
        l->fn(l->ctx, &a);
        return true;
}

enum db_status authors_list(author_fn fn, void *ctx)
{
        struct lister l = {fn, ctx, false};
        enum db_status st = db_query(STMT_AUTHOR_LIST, NULL, 0, take_row, &l);
        return st == DB_OK && l.bad ? DB_ERROR : st;
}

enum db_status authors_post_count(uint32_t id, uint64_t *posts)
{
        struct db_value p = DB_INT_VALUE(id);
        bool found;
        *posts = 0;
        return db_query_ints(STMT_AUTHOR_POST_COUNT, &p, 1, posts, 1, &found);
}

enum db_status authors_reassign(uint32_t from, uint32_t to)
{
        struct db_value p[2] = {DB_INT_VALUE(to), DB_INT_VALUE(from)};
        return db_exec(STMT_AUTHOR_REASSIGN, p, 2, NULL, NULL);
}

enum db_status authors_remove(uint32_t id)
{
        struct db_value p = DB_INT_VALUE(id);
        return db_exec(STMT_AUTHOR_DELETE, &p, 1, NULL, NULL);
}
