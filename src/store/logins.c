/* logins: failed logins per subject (the statements are in store/db.c). */
#include "store/logins.h"

#include <string.h>

static struct db_value text(const char *s)
{
        return DB_TEXT_VALUE(s, strlen(s));
}

enum db_status logins_wait(const char *name_subject, const char *addr_subject, long window,
                           long limit, uint64_t *seconds)
{
        struct db_value w = DB_INT_VALUE((uint64_t)window);
        struct db_value nth = DB_INT_VALUE((uint64_t)(limit > 0 ? limit - 1 : 0));
        struct db_value p[8] = {w, text(name_subject), w, nth, w, text(addr_subject), w, nth};
        bool found;
        *seconds = 0;
        return db_query_ints(STMT_LOGIN_WAIT, p, 8, seconds, 1, &found);
}

enum db_status logins_failed(const char *name_subject, const char *addr_subject)
{
        struct db_value p[2] = {text(name_subject), text(addr_subject)};
        return db_exec(STMT_LOGIN_FAIL, p, 2, NULL, NULL);
}

enum db_status logins_forget(const char *name_subject)
{
        struct db_value p = text(name_subject);
        return db_exec(STMT_LOGIN_FORGET, &p, 1, NULL, NULL);
}

enum db_status logins_purge(long window)
{
        struct db_value p = DB_INT_VALUE((uint64_t)window);
        return db_exec(STMT_LOGIN_PURGE, &p, 1, NULL, NULL);
}
