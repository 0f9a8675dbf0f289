/* fake_mysql: libmariadb's client API without a server, for tests of src/store/db.c's rows. */
#ifndef BLOGD_FAKE_MYSQL_H
#define BLOGD_FAKE_MYSQL_H

/*
 * Linked instead of libmariadb (never beside it), it defines every mysql_* function db.c
 * calls. A statement gets its result columns from the shape a test gave its SQL text, and its
 * rows from what the test queued for it; fetching copies them into the bound buffers exactly
 * as libmariadb 3.x does (libmariadb/ma_stmt_codec.c, convert_froma_string; mariadb_stmt.c,
 * mthd_stmt_fetch_to_bind and mysql_stmt_fetch_column):
 *   - a string bind gets min(len - offset, buffer_length) bytes, *length = len (the whole
 *     value, whatever the offset), *error = (len - offset > buffer_length), and a NUL only if
 *     len - offset < buffer_length: a value exactly buffer_length long has neither;
 *   - mysql_stmt_fetch returns MYSQL_DATA_TRUNCATED if any column's error was set (unless the
 *     test switched reporting off, as MYSQL_REPORT_DATA_TRUNCATION = 0 would);
 *   - a NULL sets *is_null and leaves *length and *error as they were;
 *   - mysql_stmt_bind_result copies the binds: until it is called again, rows go to the
 *     buffers it was given, even if the caller has since freed them (ASan sees that).
 * Statements no test shaped have no result set; a statement's parameter count is the number
 * of '?' in its SQL.
 */

#include <mysql.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A result column as the server describes it. */
struct fake_column {
        enum enum_field_types type; /* MYSQL_TYPE_BLOB (TEXT), VAR_STRING, LONGLONG, ... */
        unsigned flags;             /* UNSIGNED_FLAG, BINARY_FLAG */
        unsigned decimals;
};

/* One value of a row: NULL, an integer (integer columns) or bytes (any length, copied). */
struct fake_value {
        bool is_null;
        uint64_t i;
        const void *s;
        size_t len;
};

#define FAKE_MAX_COLS 16

/* Failures a test can ask the next execute of a statement to show. */
struct fake_fault {
        long fetch_lost_at;     /* >= 0: the fetch of this row fails, connection lost (2013) */
        long fetch_column_fail; /* >= 1: the n-th mysql_stmt_fetch_column of the result fails */
};

/* What the fake has seen since the last fake_mysql_reset. */
struct fake_stats {
        unsigned long connects, prepares, executes, fetches, fetch_columns, bind_results;
        unsigned long truncated_fetches; /* fetches that returned MYSQL_DATA_TRUNCATED */
        unsigned long misuse; /* calls out of order (would be an error from libmariadb) */
};

/* Forgets every shape, queued row, fault and count; open handles stay valid. */
void fake_mysql_reset(void);
/* Statements prepared from this SQL text (compared whole) from now on have these columns;
 * late: described only once executed, like INSERT ... RETURNING. */
void fake_mysql_shape(const char *sql, const struct fake_column *cols, unsigned ncols, bool late);
/* Queues one row (one value per column of the shape) for the next execute of sql. */
void fake_mysql_add_row(const char *sql, const struct fake_value *vals);
/* Drops what is queued for sql. */
void fake_mysql_clear_rows(const char *sql);
/* The faults the next execute of sql shows (then none again). */
void fake_mysql_fault(const char *sql, struct fake_fault fault);
/* MYSQL_DATA_TRUNCATED from mysql_stmt_fetch, as libmariadb does by default (true). */
void fake_mysql_report_truncation(bool on);
void fake_mysql_stats(struct fake_stats *out);

#endif
