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

enum db_status comments_add(uint32_t post_id, const char *text, size_t len, const char *key,
                            uint64_t count_upto, uint64_t *id, uint64_t *count)
{
        struct db_value p[5] = {DB_TEXT_VALUE(text, len), DB_TEXT_VALUE(key, strlen(key)),
                                DB_INT_VALUE(post_id), DB_INT_VALUE(post_id),
                                DB_INT_VALUE(count_upto)};
        uint64_t row[2] = {0, 0};
        bool found;
        enum db_status st = db_write_ints(STMT_COMMENT_INSERT, p, 5, row, 2, &found);
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
