/* list: fetches one keyset page of a list into rq->rows (the part every list page shares). */
#include "pages/list.h"

static bool take_flag(void *ctx, const struct db_value *col, size_t ncols)
{
        (void)ncols;
        *(bool *)ctx = col[0].i != 0;
        return false;
}

enum db_status list_fetch(struct app_request *rq, struct paging *pg, const struct list_query *q,
                          bool probe_found)
{
        struct db_value params[3];
        size_t n = 0;
        if (q->scope)
                params[n++] = DB_INT_VALUE(q->scope);
        params[n++] = DB_INT_VALUE(paging_bound(pg));
        params[n++] = DB_INT_VALUE(paging_fetch_count(pg));
        enum db_stmt_id id = paging_ascending_fetch(pg) ? q->up : q->down;
        rowset_reset(&rq->rows);
        enum db_status st = db_query(id, params, n, rowset_add, &rq->rows);
        if (st != DB_OK)
                return st;
        uint64_t bound;
        int probe = paging_probe(pg, &bound);
        if (probe >= 0 && q->any_le != STMT_COUNT) {
                struct db_value b = DB_INT_VALUE(bound);
                st = db_query(probe == 0 ? q->any_le : q->any_ge, &b, 1, take_flag, &probe_found);
                if (st != DB_OK)
                        return st;
        }
        paging_fetched(pg, rq->rows.count, probe_found);
        return DB_OK;
}
