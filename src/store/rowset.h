/* rowset: a page of result rows copied out of the statement, so it can be shown in any order. */
#ifndef BLOGD_ROWSET_H
#define BLOGD_ROWSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "store/db.h"

#define ROWSET_MAX_ROWS 256
#define ROWSET_MAX_COLS 8

struct rowset {
        size_t count;
        bool overflow; /* more rows came than fit: a bug in the caller's LIMIT */
        struct {
                uint64_t i;
                size_t off, len;
        } cell[ROWSET_MAX_ROWS][ROWSET_MAX_COLS];
        struct buf text; /* every text value, NUL-separated */
};

void rowset_init(struct rowset *rs);
void rowset_cleanup(struct rowset *rs);
/* Empties it for the next query; memory that grew for one huge page is given back. */
void rowset_reset(struct rowset *rs);
/* A db_row_fn: appends the row (ctx is the rowset). */
bool rowset_add(void *ctx, const struct db_value *cols, size_t ncols);
/* Orders the rows by the integer column col (a UNION's branches promise no order). */
void rowset_sort(struct rowset *rs, size_t col, bool descending);
uint64_t rowset_int(const struct rowset *rs, size_t row, size_t col);
const char *rowset_text(const struct rowset *rs, size_t row, size_t col, size_t *len);

#endif
