/* rowset: a page of result rows copied out of the statement, so it can be shown in any order. */
#include "store/rowset.h"

#include <string.h>

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
        if (rs->text.cap > 256 * 1024)
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

void rowset_sort(struct rowset *rs, size_t col, bool descending)
{
        /* Insertion sort: a page is at most a few hundred rows, nearly always in order. */
        for (size_t i = 1; i < rs->count; i++) {
                for (size_t j = i; j > 0; j--) {
                        uint64_t a = rs->cell[j - 1][col].i, b = rs->cell[j][col].i;
                        if (descending ? a >= b : a <= b)
                                break;
                        char tmp[sizeof(rs->cell[0])];
                        memcpy(tmp, rs->cell[j], sizeof(tmp));
                        memcpy(rs->cell[j], rs->cell[j - 1], sizeof(tmp));
                        memcpy(rs->cell[j - 1], tmp, sizeof(tmp));
                }
        }
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
