/* sessions: the store's typed calls for sessions (the statements are in store/db.c). */
#include "store/sessions.h"

#include <string.h>

struct found {
        struct session_row *out;
        bool bad;
};

static bool take_session(void *ctx, const struct db_value *col, size_t ncols)
{
        struct found *f = ctx;
        if (ncols != 3 || col[1].type != DB_TEXT || col[1].len > SESSION_AUTHOR_NAME_MAX)
                return !(f->bad = true);
        f->out->found = true;
        f->out->author_id = (uint32_t)col[0].i;
        memcpy(f->out->author, col[1].s, col[1].len);
        f->out->author[col[1].len] = '\0';
        f->out->idle = col[2].i;
        return false;
}

static struct db_value hash_value(const char *hash)
{
        return DB_TEXT_VALUE(hash, strlen(hash));
}

enum db_status sessions_start(const char *hash, uint32_t author_id)
{
        struct db_value p[2] = {hash_value(hash), DB_INT_VALUE(author_id)};
        return db_exec(STMT_SESSION_INSERT, p, 2, NULL, NULL);
}

enum db_status sessions_find(const char *hash, long idle, long max, struct session_row *out)
{
        struct db_value p[3] = {hash_value(hash), DB_INT_VALUE((uint64_t)idle),
                                DB_INT_VALUE((uint64_t)max)};
        struct found f = {out, false};
        memset(out, 0, sizeof(*out));
        enum db_status st = db_query(STMT_SESSION_GET, p, 3, take_session, &f);
        if (st == DB_OK && f.bad) {
                memset(out, 0, sizeof(*out));
                st = DB_ERROR;
        }
        return st;
}

enum db_status sessions_touch(const char *hash)
{
        struct db_value p = hash_value(hash);
        return db_exec(STMT_SESSION_TOUCH, &p, 1, NULL, NULL);
}

enum db_status sessions_end(const char *hash)
{
        struct db_value p = hash_value(hash);
        return db_exec(STMT_SESSION_DELETE, &p, 1, NULL, NULL);
}

enum db_status sessions_end_all(uint32_t author_id)
{
        struct db_value p = DB_INT_VALUE(author_id);
        return db_exec(STMT_SESSION_END_ALL, &p, 1, NULL, NULL);
}

enum db_status sessions_purge(long idle, long max)
{
        struct db_value p[2] = {DB_INT_VALUE((uint64_t)idle), DB_INT_VALUE((uint64_t)max)};
        return db_exec(STMT_SESSION_PURGE, p, 2, NULL, NULL);
}
