/* list: fetches one keyset page of a list into rq->rows (the part every list page shares). */
#ifndef BLOGD_LIST_H
#define BLOGD_LIST_H

#include "pages/paging.h"
#include "store/db.h"

struct list_query {
        enum db_stmt_id up, down;       /* id > ? ORDER BY id / id < ? ORDER BY id DESC, LIMIT ? */
        enum db_stmt_id any_le, any_ge; /* probes; STMT_COUNT when the caller probes itself */
        uint64_t scope;                 /* a leading parameter (the post id), 0 for none */
};

/* Runs the fetch (and the probe) for pg; rows land in rq->rows. */
enum db_status list_fetch(struct app_request *rq, struct paging *pg, const struct list_query *q,
                          bool probe_found);

#endif
