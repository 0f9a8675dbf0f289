/* fuzz_rows: src/store/db.c's fetch and refetch of result rows (db_query, db_write) with text
 * columns of any length, over the fake libmariadb (tests/common/fake_mysql.c). */
#include "fuzz.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "core/log.h"
#include "fake_mysql.h"
#include "store/db.h"

/*
 * The input is read as a plan: the columns (1-8, each an integer or a text type), whether the
 * statement is a read or a write (INSERT ... RETURNING, described only once executed), then
 * 1-4 queries on one connection (so buffers grow, are reused and shrink between them), each
 * with its rows (0-16), where the callback stops, and a fault (the connection lost at a row,
 * or the n-th refetch of a column failing). A text value's length is one of the sizes around
 * the buffers' steps or any length below 1 MiB; its bytes come from the input. Every row the
 * callback sees must be the one queued at its place, each value whole and NUL-terminated; with
 * no fault, every row up to the stop; and ASan must see nothing.
 */

#define MAX_COLS 8
#define MAX_ROWS 16
#define MAX_QUERIES 4
#define BUDGET (6u << 20) /* text bytes per input, to keep runs fast */

static const size_t sizes[] = {0,     1,      2,      7,      8,      255,     256,     4094,
                               4095,  4096,   4097,   4098,   8191,   8192,    8193,    16383,
                               16384, 16385,  32768,  65534,  65535,  65536,   65537,   65538,
                               98304, 131071, 131072, 131073, 262144, 1048575, 1048576, 1048577};
#define NSIZES (sizeof(sizes) / sizeof(sizes[0]))

static const struct fake_column kinds[] = {
    {MYSQL_TYPE_LONGLONG, UNSIGNED_FLAG, 0}, {MYSQL_TYPE_BLOB, 0, 0},
    {MYSQL_TYPE_VAR_STRING, 0, 0},           {MYSQL_TYPE_STRING, BINARY_FLAG, 0},
    {MYSQL_TYPE_LONG, UNSIGNED_FLAG, 0},     {MYSQL_TYPE_NEWDECIMAL, 0, 0},
    {MYSQL_TYPE_NEWDECIMAL, 0, 2}, /* decimals: read as text */
};
#define NKINDS (sizeof(kinds) / sizeof(kinds[0]))

struct input {
        const uint8_t *data;
        size_t size, pos;
};

static uint8_t next(struct input *in)
{
        return in->pos < in->size ? in->data[in->pos++] : 0;
}

static bool is_int(const struct fake_column *c)
{
        return c->type == MYSQL_TYPE_LONGLONG || c->type == MYSQL_TYPE_LONG ||
               (c->type == MYSQL_TYPE_NEWDECIMAL && c->decimals == 0);
}

struct query {
        size_t nrows, stop;
        struct fake_fault fault;
        struct fake_value cells[MAX_ROWS * MAX_COLS];
};

struct ctx {
        const struct query *q;
        const struct fake_column *cols;
        size_t ncols, seen;
};

static bool check_row(void *vctx, const struct db_value *got, size_t ncols)
{
        struct ctx *x = vctx;
        FUZZ_CHECK(ncols == x->ncols);
        FUZZ_CHECK(x->seen < x->q->nrows);
        const struct fake_value *want = &x->q->cells[x->seen * ncols];
        for (size_t c = 0; c < ncols; c++) {
                if (is_int(&x->cols[c])) {
                        FUZZ_CHECK(got[c].type == DB_INT);
                        FUZZ_CHECK(got[c].i == (want[c].is_null ? 0 : want[c].i));
                        continue;
                }
                size_t len = want[c].is_null ? 0 : want[c].len;
                FUZZ_CHECK(got[c].type == DB_TEXT);
                FUZZ_CHECK(got[c].len == len);
                FUZZ_CHECK(got[c].s[len] == '\0');
                FUZZ_CHECK(len == 0 || memcmp(got[c].s, want[c].s, len) == 0);
        }
        x->seen++;
        return x->q->stop == 0 || x->seen < x->q->stop;
}

/* A text value: its length from the plan, its bytes from the input (cycled, and mixed with
 * their offset so a long value is not one repeated byte). */
static void plan_text(struct input *in, struct fake_value *v, uint8_t sel, size_t *budget)
{
        size_t len = sel < 0xc0 ? sizes[sel % NSIZES]
                                : ((size_t)(sel & 0x0f) << 16 | (size_t)next(in) << 8 | next(in));
        if (len > *budget)
                len = 0;
        *budget -= len;
        char *p = malloc(len ? len : 1);
        uint8_t salt = next(in);
        for (size_t j = 0; j < len; j++) {
                uint8_t b = in->size ? in->data[(in->pos + j) % in->size] : 0;
                p[j] = (char)(b ^ (uint8_t)(j * 31u + salt));
        }
        v->s = p;
        v->len = len;
}

static size_t plan(struct input *in, struct fake_column *cols, size_t ncols, struct query *queries)
{
        size_t budget = BUDGET, nq = 1 + next(in) % MAX_QUERIES;
        for (size_t k = 0; k < nq; k++) {
                struct query *q = &queries[k];
                q->nrows = next(in) % (MAX_ROWS + 1);
                q->stop = next(in) % 8;
                uint8_t f = next(in);
                q->fault = (struct fake_fault){-1, 0};
                if (f % 8 == 6)
                        q->fault.fetch_lost_at = next(in) % (q->nrows + 1);
                else if (f % 8 == 7)
                        q->fault.fetch_column_fail = 1 + next(in) % 4;
                for (size_t r = 0; r < q->nrows; r++) {
                        for (size_t c = 0; c < ncols; c++) {
                                struct fake_value *v = &q->cells[r * ncols + c];
                                uint8_t sel = next(in);
                                memset(v, 0, sizeof(*v));
                                if (sel == 0xff) {
                                        v->is_null = true;
                                } else if (is_int(&cols[c])) {
                                        for (int b = 0; b < 8; b++)
                                                v->i = v->i << 8 | next(in);
                                        if (cols[c].type == MYSQL_TYPE_LONG)
                                                v->i &= 0xffffffffu;
                                } else {
                                        plan_text(in, v, sel, &budget);
                                }
                        }
                }
        }
        return nq;
}

static void run(const char *sql, bool write, const struct fake_column *cols, size_t ncols,
                const struct query *q)
{
        for (size_t r = 0; r < q->nrows; r++)
                fake_mysql_add_row(sql, &q->cells[r * ncols]);
        fake_mysql_fault(sql, q->fault);
        struct db_value params[8];
        size_t np = 0;
        for (const char *p = sql; *p; p++) {
                if (*p == '?') {
                        params[np] = DB_INT_VALUE(np);
                        np++;
                }
        }
        struct ctx x = {q, cols, ncols, 0};
        enum db_stmt_id id = write ? STMT_COMMENT_INSERT : STMT_LATEST_AFTER;
        enum db_status st = write ? db_write(id, params, np, check_row, &x)
                                  : db_query(id, params, np, check_row, &x);
        size_t want = q->stop && q->stop < q->nrows ? q->stop : q->nrows;
        if (q->fault.fetch_lost_at >= 0) {
                size_t at = (size_t)q->fault.fetch_lost_at;
                FUZZ_CHECK(st == (write ? DB_IN_DOUBT : DB_UNAVAILABLE));
                FUZZ_CHECK(x.seen == (at < want ? at : want));
        } else if (st == DB_OK) {
                FUZZ_CHECK(x.seen == want);
        } else {
                /* Only a failed refetch may end a query early, before the row it failed on. */
                FUZZ_CHECK(q->fault.fetch_column_fail > 0 && st == DB_ERROR);
                FUZZ_CHECK(x.seen < want);
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        static struct config cfg;
        static bool once;
        if (!once) {
                log_open("/dev/null", LOG_ERROR); /* the faults' error lines */
                db_library_init();
                db_init(&cfg);
                once = true;
        }
        struct input in = {data, size, 0};
        struct fake_column cols[MAX_COLS];
        size_t ncols = 1 + next(&in) % MAX_COLS;
        for (size_t c = 0; c < ncols; c++)
                cols[c] = kinds[next(&in) % NKINDS];
        uint8_t flags = next(&in);
        bool write = flags & 1;
        static struct query queries[MAX_QUERIES];
        size_t nq = plan(&in, cols, ncols, queries);

        const char *sql = db_stmt_sql(write ? STMT_COMMENT_INSERT : STMT_LATEST_AFTER);
        fake_mysql_reset();
        fake_mysql_report_truncation(!(flags & 2));
        fake_mysql_shape(sql, cols, (unsigned)ncols, write);
        FUZZ_CHECK(db_connect());
        for (size_t k = 0; k < nq; k++)
                run(sql, write, cols, ncols, &queries[k]);
        struct fake_stats st;
        fake_mysql_stats(&st);
        FUZZ_CHECK(st.misuse == 0);
        db_close();
        fake_mysql_reset();

        for (size_t k = 0; k < nq; k++)
                for (size_t i = 0; i < queries[k].nrows * ncols; i++)
                        free((void *)queries[k].cells[i].s);
        return 0;
}
