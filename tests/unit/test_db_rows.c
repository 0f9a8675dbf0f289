/* test_db_rows: src/store/db.c's fetch of text columns of every boundary length, through a fake
 * libmariadb (tests/common/fake_mysql.c) that copies, truncates and terminates as the real one:
 * each value read back whole and NUL-terminated, first in a result and later, in several
 * columns at once, with buffers grown, reused and shrunk between queries. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "core/config.h"
#include "core/log.h"
#include "fake_mysql.h"
#include "store/db.h"

/* Around the first buffer (4096, DB_TEXT_INITIAL), its doublings, the size kept between
 * queries (64 KiB, DB_TEXT_KEEP) and a value far past it. */
static const size_t sizes[] = {0,    1,    4094,  4095,  4096,  4097,   8191,
                               8192, 8193, 65535, 65536, 65537, 1 << 20};
#define NSIZES (sizeof(sizes) / sizeof(sizes[0]))

enum kind { K_INT, K_TEXT, K_NULL };

/* A value the fake hands out and the row callback expects back. */
struct cellspec {
        enum kind kind;
        uint64_t i;
        size_t len;
        unsigned seed;
};

#define INT(v) ((struct cellspec){K_INT, (v), 0, 0})
#define TEXT(n, s) ((struct cellspec){K_TEXT, 0, (n), (s)})
#define NUL_ ((struct cellspec){K_NULL, 0, 0, 0})

/* Every byte value, NUL included, and no two lengths or seeds alike at the same offset. */
static unsigned char pattern_byte(size_t j, unsigned seed)
{
        return (unsigned char)(j * 131u + seed * 7u + (j >> 12));
}

static const struct fake_column int_col = {MYSQL_TYPE_LONGLONG, UNSIGNED_FLAG, 0};
static const struct fake_column text_col = {MYSQL_TYPE_BLOB, 0, 0};
static const struct fake_column varchar_col = {MYSQL_TYPE_VAR_STRING, 0, 0};

struct ctx {
        const struct cellspec *cells;
        size_t ncols, nrows, seen, stop_after;
        unsigned bad;
        char what[160];
};

static bool value_ok(const struct db_value *v, const struct cellspec *want)
{
        switch (want->kind) {
        case K_INT:
                return v->type == DB_INT && v->i == want->i;
        case K_NULL:
                return v->type == DB_INT ? v->i == 0 : v->len == 0 && v->s && v->s[0] == '\0';
        case K_TEXT:
                if (v->type != DB_TEXT || v->len != want->len || !v->s || v->s[v->len] != '\0')
                        return false;
                for (size_t j = 0; j < want->len; j++)
                        if ((unsigned char)v->s[j] != pattern_byte(j, want->seed))
                                return false;
                return true;
        }
        return false;
}

static bool check_row(void *vctx, const struct db_value *cols, size_t ncols)
{
        struct ctx *x = vctx;
        if (x->seen >= x->nrows || ncols != x->ncols) {
                snprintf(x->what, sizeof(x->what), "row %zu of %zu, %zu columns", x->seen, x->nrows,
                         ncols);
                x->bad++;
        } else {
                const struct cellspec *row = &x->cells[x->seen * x->ncols];
                for (size_t c = 0; c < ncols; c++) {
                        if (value_ok(&cols[c], &row[c]))
                                continue;
                        snprintf(x->what, sizeof(x->what),
                                 "row %zu column %zu: want %zu bytes (seed %u), got %zu", x->seen,
                                 c, row[c].len, row[c].seed, cols[c].len);
                        x->bad++;
                }
        }
        x->seen++;
        return x->stop_after == 0 || x->seen < x->stop_after;
}

static void queue(const char *sql, size_t ncols, const struct cellspec *cells, size_t nrows)
{
        for (size_t r = 0; r < nrows; r++) {
                struct fake_value vals[FAKE_MAX_COLS];
                char *bytes[FAKE_MAX_COLS] = {0};
                for (size_t c = 0; c < ncols; c++) {
                        const struct cellspec *w = &cells[r * ncols + c];
                        vals[c] = (struct fake_value){.is_null = w->kind == K_NULL, .i = w->i};
                        if (w->kind != K_TEXT)
                                continue;
                        bytes[c] = malloc(w->len ? w->len : 1);
                        for (size_t j = 0; j < w->len; j++)
                                bytes[c][j] = (char)pattern_byte(j, w->seed);
                        vals[c].s = bytes[c];
                        vals[c].len = w->len;
                }
                fake_mysql_add_row(sql, vals);
                for (size_t c = 0; c < ncols; c++)
                        free(bytes[c]);
        }
}

static size_t count_params(const char *sql)
{
        size_t n = 0;
        for (; *sql; sql++)
                n += *sql == '?';
        return n;
}

/* Runs statement id over the given rows (db_write for a write); true if every row came back
 * whole, in order, and nothing else. */
static bool run(enum db_stmt_id id, bool write, size_t ncols, const struct cellspec *cells,
                size_t nrows, size_t stop_after, enum db_status want_status, int line)
{
        const char *sql = db_stmt_sql(id);
        queue(sql, ncols, cells, nrows);
        struct db_value params[8];
        size_t np = count_params(sql);
        for (size_t i = 0; i < np; i++)
                params[i] = DB_INT_VALUE(i + 1);
        struct ctx x = {cells, ncols, nrows, 0, stop_after, 0, ""};
        enum db_status st = write ? db_write(id, params, np, check_row, &x)
                                  : db_query(id, params, np, check_row, &x);
        size_t want_rows = stop_after && stop_after < nrows ? stop_after : nrows;
        bool ok = st == want_status && x.bad == 0 && (want_status != DB_OK || x.seen == want_rows);
        char what[300];
        snprintf(what, sizeof(what), "%zu rows of %zu columns: status %d (want %d), %zu seen, %s",
                 nrows, ncols, (int)st, (int)want_status, x.seen, x.bad ? x.what : "all whole");
        check_record_(ok, __FILE__, line, what);
        return ok;
}

#define RUN(id, ncols, cells, nrows) run((id), false, (ncols), (cells), (nrows), 0, DB_OK, __LINE__)

/* Prepares every statement afresh (buffers back to their first size), with these shapes. */
static void connect_with(enum db_stmt_id id, const struct fake_column *cols, unsigned ncols,
                         bool late)
{
        fake_mysql_reset();
        fake_mysql_shape(db_stmt_sql(id), cols, ncols, late);
        CHECK(db_connect());
}

static unsigned long fetch_columns(void)
{
        struct fake_stats st;
        fake_mysql_stats(&st);
        return st.fetch_columns;
}

static void check_no_misuse(void)
{
        struct fake_stats st;
        fake_mysql_stats(&st);
        CHECK_EQ_INT(st.misuse, 0);
}

static const struct fake_column id_text[] = {int_col, text_col};

/* Each size as the only row on a fresh connection, then later in a result: after a short
 * row, twice in a row (the grown buffer reused), before an empty one. */
static void test_first_then_later(void)
{
        for (size_t k = 0; k < NSIZES; k++) {
                size_t n = sizes[k];
                connect_with(STMT_LATEST_AFTER, id_text, 2, false);
                struct cellspec first[] = {INT(7), TEXT(n, 1)};
                RUN(STMT_LATEST_AFTER, 2, first, 1);
                struct cellspec later[] = {INT(1), TEXT(1, 2), INT(2), TEXT(n, 3),
                                           INT(3), TEXT(n, 4), INT(4), TEXT(0, 5)};
                RUN(STMT_LATEST_AFTER, 2, later, 4);
                check_no_misuse();
        }
}

/*
 * The buffer starts at 4096 bytes and is bound one byte short: a 4095-byte value fits with
 * its NUL, a 4096-byte one is reported truncated (libmariadb says nothing about a value
 * exactly as long as the bound length) and fetched again into 4097 bytes, which the next
 * row of 4096 bytes then fits without a second fetch.
 */
static void test_refetch_counts(void)
{
        struct {
                size_t a, b;
                unsigned long refetches;
        } cases[] = {{4095, 4095, 0}, {4096, 4096, 1}, {4096, 4097, 2},
                     {4097, 4096, 1}, {4094, 8192, 1}, {65536, 65535, 1}};
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                connect_with(STMT_LATEST_AFTER, id_text, 2, false);
                struct cellspec rows[] = {INT(1), TEXT(cases[i].a, 1), INT(2), TEXT(cases[i].b, 2)};
                unsigned long before = fetch_columns();
                RUN(STMT_LATEST_AFTER, 2, rows, 2);
                unsigned long got = fetch_columns() - before;
                CHECK_EQ_INT(got, cases[i].refetches);
                if (got != cases[i].refetches)
                        fprintf(stderr, "    rows of %zu then %zu bytes\n", cases[i].a, cases[i].b);
        }
}

/* One connection, one query per size, up the sizes and back down: buffers grow, are kept
 * (up to 64 KiB), are given back, and every value still comes back whole. */
static void test_reuse_across_queries(void)
{
        connect_with(STMT_LATEST_AFTER, id_text, 2, false);
        for (size_t step = 0; step < 2 * NSIZES; step++) {
                size_t k = step < NSIZES ? step : 2 * NSIZES - 1 - step;
                size_t n = sizes[k];
                struct cellspec one[] = {INT(step), TEXT(n, (unsigned)step)};
                RUN(STMT_LATEST_AFTER, 2, one, 1);
                struct cellspec two[] = {INT(1), TEXT(n ? n - 1 : 0, 9), INT(2), TEXT(n, 10)};
                RUN(STMT_LATEST_AFTER, 2, two, 2);
        }
        /* All sizes in one result, both orders. */
        struct cellspec all[2 * NSIZES * 2];
        for (size_t k = 0; k < NSIZES; k++) {
                all[2 * k] = INT(k);
                all[2 * k + 1] = TEXT(sizes[k], (unsigned)k);
                all[2 * (2 * NSIZES - 1 - k)] = INT(100 + k);
                all[2 * (2 * NSIZES - 1 - k) + 1] = TEXT(sizes[k], (unsigned)(50 + k));
        }
        RUN(STMT_LATEST_AFTER, 2, all, 2 * NSIZES);
        RUN(STMT_LATEST_AFTER, 2, all, 2 * NSIZES);
        check_no_misuse();
}

/* Several text columns per row, each at a different boundary, rotated so every column meets
 * every size; integers and NULLs between them. */
static void test_several_columns(void)
{
        static const struct fake_column cols[] = {int_col, text_col, varchar_col, text_col,
                                                  int_col, text_col, text_col,    int_col};
        connect_with(STMT_LATEST_AFTER, cols, 8, false);
        enum { NROWS = 2 * NSIZES };
        static struct cellspec rows[NROWS * 8];
        for (size_t r = 0; r < NROWS; r++) {
                struct cellspec *row = &rows[r * 8];
                row[0] = INT(r);
                row[4] = r % 3 ? INT(UINT64_MAX - r) : NUL_;
                row[7] = INT(r * 1000);
                const size_t text_at[] = {1, 2, 3, 5, 6};
                for (size_t t = 0; t < 5; t++) {
                        size_t n = sizes[(r + 3 * t) % NSIZES];
                        row[text_at[t]] = (r + t) % 7 == 6 ? NUL_ : TEXT(n, (unsigned)(r * 8 + t));
                }
        }
        RUN(STMT_LATEST_AFTER, 8, rows, NROWS);
        RUN(STMT_LATEST_AFTER, 8, rows + 8 * 5, NROWS - 5); /* the same buffers, again */
        check_no_misuse();
}

/* A client that does not report truncation (MYSQL_REPORT_DATA_TRUNCATION off) returns 0 from
 * fetch even when a value did not fit: the length alone must send db.c back for the rest. */
static void test_truncation_not_reported(void)
{
        connect_with(STMT_LATEST_AFTER, id_text, 2, false);
        fake_mysql_report_truncation(false);
        struct cellspec rows[] = {INT(1),         TEXT(4096, 1), INT(2),
                                  TEXT(70000, 2), INT(3),        TEXT(4097, 3)};
        RUN(STMT_LATEST_AFTER, 2, rows, 3);
        fake_mysql_report_truncation(true);
        check_no_misuse();
}

/* The post page's statement: the post (title, content), then comments whose title is NULL,
 * in one result; a long title or content must not leak into the next row. */
static void test_post_page_shape(void)
{
        static const struct fake_column cols[] = {int_col,     {MYSQL_TYPE_LONG, UNSIGNED_FLAG, 0},
                                                  varchar_col, text_col,
                                                  int_col,     {MYSQL_TYPE_NEWDECIMAL, 0, 0}};
        connect_with(STMT_POST_PAGE_FIRST, cols, 6, false);
        for (size_t k = 0; k < NSIZES; k++) {
                size_t n = sizes[k];
                struct cellspec rows[] = {
                    INT(0),        INT(4),  TEXT(n < 400 ? n : 400, 1),
                    TEXT(n, 2),    INT(0),  INT(77),
                    INT(1),        INT(10), NUL_,
                    TEXT(4096, 3), INT(0),  INT(0),
                    INT(1),        INT(11), NUL_,
                    TEXT(n, 4),    INT(0),  INT(0),
                    INT(1),        INT(12), NUL_,
                    TEXT(0, 5),    INT(0),  INT(0),
                };
                RUN(STMT_POST_PAGE_FIRST, 6, rows, 4);
        }
        check_no_misuse();
}

/* INSERT ... RETURNING is described only once executed: its columns are bound then, with the
 * same rules. */
static void test_returning(void)
{
        connect_with(STMT_COMMENT_INSERT, id_text, 2, true);
        for (size_t k = 0; k < NSIZES; k++) {
                struct cellspec row[] = {INT(k + 1), TEXT(sizes[k], (unsigned)k)};
                run(STMT_COMMENT_INSERT, true, 2, row, 1, 0, DB_OK, __LINE__);
        }
        check_no_misuse();
}

/* The callback stops early: the rest is drained into the buffers (long values included)
 * without a refetch, and the statement is ready for the next query. */
static void test_stop_early(void)
{
        connect_with(STMT_LATEST_AFTER, id_text, 2, false);
        struct cellspec rows[] = {INT(1), TEXT(10, 1),    INT(2), TEXT(5000, 2),
                                  INT(3), TEXT(70000, 3), INT(4), TEXT(4096, 4)};
        run(STMT_LATEST_AFTER, false, 2, rows, 4, 1, DB_OK, __LINE__);
        run(STMT_LATEST_AFTER, false, 2, rows, 4, 3, DB_OK, __LINE__);
        RUN(STMT_LATEST_AFTER, 2, rows, 4);
        check_no_misuse();
}

/* A failed refetch ends the query with an error; the rows after it are drained into buffers
 * that are all still bound (a realloc'd buffer left in the client's binds would be written
 * after free), and the next query reads whole values again. */
static void test_refetch_fails(void)
{
        static const struct fake_column cols[] = {int_col, text_col, text_col};
        connect_with(STMT_LATEST_AFTER, cols, 3, false);
        struct cellspec rows[] = {INT(1), TEXT(100, 1),   TEXT(200, 2),
                                  INT(2), TEXT(9000, 3),  TEXT(70000, 4),
                                  INT(3), TEXT(80000, 5), TEXT(9000, 6)};
        const char *sql = db_stmt_sql(STMT_LATEST_AFTER);
        for (long fail = 1; fail <= 2; fail++) {
                fake_mysql_fault(sql, (struct fake_fault){-1, fail});
                run(STMT_LATEST_AFTER, false, 3, rows, 3, 0, DB_ERROR, __LINE__);
                RUN(STMT_LATEST_AFTER, 3, rows, 3);
        }
        check_no_misuse();
}

/* The connection dies in the middle of a result: what came before is whole, the query is
 * unavailable (rows reached the caller, so no retry), the next one reconnects. */
static void test_lost_mid_result(void)
{
        connect_with(STMT_LATEST_AFTER, id_text, 2, false);
        struct cellspec rows[] = {INT(1),         TEXT(4096, 1), INT(2),
                                  TEXT(65537, 2), INT(3),        TEXT(3, 3)};
        struct fake_stats before, after;
        fake_mysql_stats(&before);
        fake_mysql_fault(db_stmt_sql(STMT_LATEST_AFTER), (struct fake_fault){2, 0});
        run(STMT_LATEST_AFTER, false, 2, rows, 3, 0, DB_UNAVAILABLE, __LINE__);
        RUN(STMT_LATEST_AFTER, 2, rows, 3);
        fake_mysql_stats(&after);
        CHECK_EQ_INT(after.connects - before.connects, 1);
        check_no_misuse();
}

int main(void)
{
        static struct config cfg;
        log_open(NULL, LOG_ERROR); /* the expected failures only, not every connect */
        CHECK(db_library_init());
        db_init(&cfg);
        test_first_then_later();
        test_refetch_counts();
        test_reuse_across_queries();
        test_several_columns();
        test_truncation_not_reported();
        test_post_page_shape();
        test_returning();
        test_stop_early();
        test_refetch_fails();
        test_lost_mid_result();
        db_close();
        fake_mysql_reset();
        db_library_end();
        return check_summary();
}
