/* keyset: runs one keyset page of a list (its fetch and its probe) into a rowset. */
#include "store/keyset.h"

#include "core/log.h"

enum db_status keyset_whole(enum db_status st, const struct rowset *rows)
{
        if (st == DB_OK && rows->overflow) {
                log_error("a page of %zu rows did not fit in its rowset (at most %d rows of %d "
                          "columns, or out of memory)",
                          rows->count, ROWSET_MAX_ROWS, ROWSET_MAX_COLS);
                return DB_ERROR;
        }
        return st;
}

enum db_status keyset_read(const struct keyset_stmts *s, const struct keyset *k,
                           struct rowset *rows, bool *behind)
{
        struct db_value params[2] = {DB_INT_VALUE(k->bound), DB_INT_VALUE(k->limit)};
        rowset_reset(rows);
        *behind = false;
        enum db_status st = keyset_whole(
            db_query(k->ascending ? s->up : s->down, params, 2, rowset_add, rows), rows);
        if (st != DB_OK || k->probe == KEYSET_PROBE_NONE)
                return st;
        struct db_value at = DB_INT_VALUE(k->probe_at);
        uint64_t any = 0;
        bool found = false;
        st = db_query_ints(k->probe == KEYSET_PROBE_BELOW ? s->any_le : s->any_ge, &at, 1, &any, 1,
                           &found);
        *behind = found && any != 0;
        return st;
}
