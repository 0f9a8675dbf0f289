/* comments: the store's typed calls for comments (the statements are in store/db.c). */
#include "store/comments.h"

#include <string.h>

static const struct keyset_stmts latest = {STMT_LATEST_AFTER, STMT_LATEST_BEFORE,
                                           STMT_COMMENT_ANY_LE, STMT_COMMENT_ANY_GE};

enum db_status comments_latest(const struct keyset *k, struct rowset *rows, bool *behind)
{
        return keyset_read(&latest, k, rows, behind);
}

enum db_status comments_recent(unsigned limit, struct rowset *rows)
{
        struct db_value p[2] = {DB_INT_VALUE(KEYSET_PAST_END), DB_INT_VALUE(limit)};
        rowset_reset(rows);
        return keyset_whole(db_query(STMT_ADMIN_COMMENTS, p, 2, rowset_add, rows), rows);
}

static const struct keyset_stmts admin = {STMT_ADMIN_COMMENTS_AFTER, STMT_ADMIN_COMMENTS,
                                          STMT_ADMIN_COMMENT_ANY_LE, STMT_ADMIN_COMMENT_ANY_GE};

enum db_status comments_admin_page(const struct keyset *k, struct rowset *rows, bool *behind)
{
        return keyset_read(&admin, k, rows, behind);
}

enum db_status comments_held(unsigned limit, struct rowset *rows)
{
        struct db_value p[2] = {DB_INT_VALUE(KEYSET_PAST_END), DB_INT_VALUE(limit)};
        rowset_reset(rows);
        return keyset_whole(db_query(STMT_HELD_BEFORE, p, 2, rowset_add, rows), rows);
}

enum db_status comments_approve(uint32_t id, bool *approved)
{
        struct db_value p = DB_INT_VALUE(id);
        uint64_t affected = 0;
        enum db_status st = db_exec(STMT_COMMENT_APPROVE, &p, 1, &affected, NULL);
        *approved = st == DB_OK && affected == 1;
        return st;
}

struct owner_row {
        uint64_t *post_id;
        char *hash;
        bool bad;
};

static bool take_owner(void *ctx, const struct db_value *col, size_t ncols)
{
        struct owner_row *o = ctx;
        if (ncols != 2 || col[1].type != DB_TEXT || col[1].len > 64)
                return !(o->bad = true);
        *o->post_id = col[0].i;
        memcpy(o->hash, col[1].s, col[1].len);
        o->hash[col[1].len] = '\0';
        return false;
}

enum db_status comments_owner(uint32_t id, uint64_t *post_id, char hash[65])
{
        struct db_value p = DB_INT_VALUE(id);
        struct owner_row o = {post_id, hash, false};
        *post_id = 0;
        hash[0] = '\0';
        enum db_status st = db_query(STMT_COMMENT_OWNER, &p, 1, take_owner, &o);
        if (st == DB_OK && o.bad) {
                *post_id = 0;
                st = DB_ERROR;
        }
        return st;
}

enum db_status comments_add(uint32_t post_id, const struct comment_text *c, const char *key,
                            uint64_t count_upto, uint64_t *id, uint64_t *count)
{
        const char *h = c->owner_hash;
        struct db_value p[8] = {DB_TEXT_VALUE(c->content, c->content_len),
                                DB_TEXT_VALUE(c->name, c->name_len),
                                h ? DB_TEXT_VALUE(h, strlen(h))
                                  : (struct db_value){.type = DB_NULL},
                                c->held ? DB_TEXT_VALUE("held", 4) : DB_TEXT_VALUE("approved", 8),
                                DB_TEXT_VALUE(key, strlen(key)),
                                DB_INT_VALUE(post_id),
                                DB_INT_VALUE(post_id),
                                DB_INT_VALUE(count_upto)};
        uint64_t row[2] = {0, 0};
        bool found;
        enum db_status st = db_write_ints(STMT_COMMENT_INSERT, p, 8, row, 2, &found);
        *id = row[0];
        *count = row[1];
        return st;
}

enum db_status comments_by_key(const char *key, uint64_t *id)
{
        struct db_value p = DB_TEXT_VALUE(key, strlen(key));
        bool found;
        *id = 0;
        return db_query_ints(STMT_COMMENT_BY_KEY, &p, 1, id, 1, &found);
}

enum db_status comments_rank(uint32_t post_id, uint64_t id, uint64_t *rank)
{
        struct db_value p[2] = {DB_INT_VALUE(post_id), DB_INT_VALUE(id)};
        bool found;
        *rank = 0;
        enum db_status st = db_query_ints(STMT_COMMENT_RANK, p, 2, rank, 1, &found);
        return st == DB_OK && !found ? DB_ERROR : st;
}

enum db_status comments_post_of(uint32_t id, uint64_t *post_id)
{
        struct db_value p = DB_INT_VALUE(id);
        bool found;
        *post_id = 0;
        return db_query_ints(STMT_COMMENT_POST_ID, &p, 1, post_id, 1, &found);
}

enum db_status comments_delete(uint32_t id)
{
        struct db_value p = DB_INT_VALUE(id);
        return db_exec(STMT_COMMENT_DELETE, &p, 1, NULL, NULL);
}
