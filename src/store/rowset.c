/* rowset: a page of result rows copied out of the statement, so it can be shown in any order. */
#include "store/rowset.h"

void rowset_init(struct rowset *rs)
{
        rs->count = 0;
        rs->overflow = false;
        buf_init(&rs->text);
}

void rowset_cleanup(struct rowset *rs)
{
        buf_cleanup(&rs->text);
}

void rowset_reset(struct rowset *rs)
{
        rs->count = 0;
        rs->overflow = false;
        if (rs->text.cap > 1024 * 1024)
                buf_cleanup(&rs->text);
        buf_reset(&rs->text);
}

bool rowset_add(void *ctx, const struct db_value *cols, size_t ncols)
{
        struct rowset *rs = ctx;
        if (rs->count == ROWSET_MAX_ROWS || ncols > ROWSET_MAX_COLS) {
                rs->overflow = true;
                return false;
        }
        for (size_t c = 0; c < ncols; c++) {
                rs->cell[rs->count][c].i = cols[c].i;
                rs->cell[rs->count][c].off = rs->text.len;
                rs->cell[rs->count][c].len = 0;
                if (cols[c].type == DB_TEXT) {
                        if (!buf_append(&rs->text, cols[c].s, cols[c].len) ||
                            !buf_append(&rs->text, "", 1)) {
                                rs->overflow = true;
                                return false;
                        }
                        rs->cell[rs->count][c].len = cols[c].len;
                }
        }
        rs->count++;
        return true;
}

uint64_t rowset_int(const struct rowset *rs, size_t row, size_t col)
{
        return rs->cell[row][col].i;
}

const char *rowset_text(const struct rowset *rs, size_t row, size_t col, size_t *len)
{
        *len = rs->cell[row][col].len;
        return rs->text.data ? rs->text.data + rs->cell[row][col].off : "";
}
