/* fake_mysql: libmariadb's client API without a server, for tests of src/store/db.c's rows. */
#include "fake_mysql.h"

#include <errmsg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* One queued value: bytes are owned (never NULL, even when empty). */
struct cell {
        bool is_null;
        uint64_t i;
        char *s;
        size_t len;
};

/* What tests said about one SQL text: its columns, the rows and faults of its next execute. */
struct spec {
        char *sql;
        struct fake_column cols[FAKE_MAX_COLS];
        unsigned ncols;
        bool late;
        struct cell *cells; /* nrows * ncols */
        size_t nrows, cap_rows;
        struct fake_fault fault;
        struct spec *next;
};

struct conn {
        int pipe[2]; /* the "socket": a pipe nothing is written to, so never readable */
        unsigned err;
        char msg[128];
};

enum state { ST_INIT, ST_PREPARED, ST_EXECUTED, ST_FETCHING, ST_DONE };

struct stmt {
        struct conn *conn;
        char *sql;
        enum state state;
        struct fake_column cols[FAKE_MAX_COLS];
        unsigned ncols;
        bool late, described;
        unsigned long param_count;
        MYSQL_BIND *params; /* copies, param_count */
        bool params_bound;
        MYSQL_BIND binds[FAKE_MAX_COLS]; /* copies of the result binds, as libmariadb keeps */
        bool bound;
        struct cell *cells; /* the executed result, owned */
        size_t nrows, next, row;
        struct fake_fault fault;
        long fetch_columns; /* in this result */
        unsigned err;
        char msg[128];
};

struct res {
        MYSQL_FIELD fields[FAKE_MAX_COLS];
        unsigned n;
};

static struct {
        struct spec *specs;
        bool quiet_truncation;
        struct fake_stats stats;
} fake;

static const struct fake_fault no_fault = {-1, 0};

/* --- Test side ------------------------------------------------------------------------------ */

static void free_cells(struct cell *cells, size_t n)
{
        for (size_t i = 0; i < n; i++)
                free(cells[i].s);
        free(cells);
}

static void die(const char *what)
{
        fprintf(stderr, "fake_mysql: %s\n", what);
        abort();
}

static struct spec *spec_find(const char *sql, bool create)
{
        for (struct spec *s = fake.specs; s; s = s->next)
                if (strcmp(s->sql, sql) == 0)
                        return s;
        if (!create)
                return NULL;
        struct spec *s = calloc(1, sizeof(*s));
        if (!s || !(s->sql = strdup(sql)))
                die("out of memory");
        s->fault = no_fault;
        s->next = fake.specs;
        fake.specs = s;
        return s;
}

void fake_mysql_reset(void)
{
        while (fake.specs) {
                struct spec *s = fake.specs;
                fake.specs = s->next;
                free_cells(s->cells, s->nrows * s->ncols);
                free(s->sql);
                free(s);
        }
        fake.quiet_truncation = false;
        memset(&fake.stats, 0, sizeof(fake.stats));
}

void fake_mysql_shape(const char *sql, const struct fake_column *cols, unsigned ncols, bool late)
{
        if (ncols > FAKE_MAX_COLS)
                die("too many columns");
        struct spec *s = spec_find(sql, true);
        fake_mysql_clear_rows(sql);
        memcpy(s->cols, cols, ncols * sizeof(*cols));
        s->ncols = ncols;
        s->late = late;
}

void fake_mysql_clear_rows(const char *sql)
{
        struct spec *s = spec_find(sql, false);
        if (!s)
                return;
        free_cells(s->cells, s->nrows * s->ncols);
        s->cells = NULL;
        s->nrows = s->cap_rows = 0;
}

void fake_mysql_add_row(const char *sql, const struct fake_value *vals)
{
        struct spec *s = spec_find(sql, false);
        if (!s || s->ncols == 0)
                die("a row for a statement without a shape");
        if (s->nrows == s->cap_rows) {
                size_t cap = s->cap_rows ? 2 * s->cap_rows : 8;
                struct cell *p = realloc(s->cells, cap * s->ncols * sizeof(*p));
                if (!p)
                        die("out of memory");
                s->cells = p;
                s->cap_rows = cap;
        }
        struct cell *row = &s->cells[s->nrows * s->ncols];
        for (unsigned c = 0; c < s->ncols; c++) {
                row[c] = (struct cell){.is_null = vals[c].is_null, .i = vals[c].i};
                row[c].s = malloc(vals[c].len ? vals[c].len : 1);
                if (!row[c].s)
                        die("out of memory");
                if (vals[c].len)
                        memcpy(row[c].s, vals[c].s, vals[c].len);
                row[c].len = vals[c].len;
        }
        s->nrows++;
}

void fake_mysql_fault(const char *sql, struct fake_fault fault)
{
        struct spec *s = spec_find(sql, false);
        if (!s)
                die("a fault for a statement without a shape");
        s->fault = fault;
}

void fake_mysql_report_truncation(bool on)
{
        fake.quiet_truncation = !on;
}

void fake_mysql_stats(struct fake_stats *out)
{
        *out = fake.stats;
}

/* --- Connections ---------------------------------------------------------------------------- */

static void set_error(unsigned *err, char *msg, size_t msglen, unsigned code, const char *text)
{
        *err = code;
        snprintf(msg, msglen, "%s", text);
}

#define STMT_ERROR(st, code, text) set_error(&(st)->err, (st)->msg, sizeof((st)->msg), code, text)

static void misuse(struct stmt *st, unsigned code, const char *text)
{
        fake.stats.misuse++;
        STMT_ERROR(st, code, text);
}

int STDCALL mysql_server_init(int argc, char **argv, char **groups)
{
        (void)argc;
        (void)argv;
        (void)groups;
        return 0;
}

void STDCALL mysql_server_end(void)
{
}

MYSQL *STDCALL mysql_init(MYSQL *mysql)
{
        if (mysql)
                die("mysql_init of a caller's MYSQL is not emulated");
        struct conn *c = calloc(1, sizeof(*c));
        if (!c)
                return NULL;
        c->pipe[0] = c->pipe[1] = -1;
        return (MYSQL *)(void *)c;
}

int STDCALL mysql_options(MYSQL *mysql, enum mysql_option option, const void *arg)
{
        (void)mysql;
        (void)option;
        (void)arg;
        return 0;
}

MYSQL *STDCALL mysql_real_connect(MYSQL *mysql, const char *host, const char *user,
                                  const char *passwd, const char *db, unsigned int port,
                                  const char *unix_socket, unsigned long clientflag)
{
        (void)host;
        (void)user;
        (void)passwd;
        (void)db;
        (void)port;
        (void)unix_socket;
        (void)clientflag;
        struct conn *c = (struct conn *)(void *)mysql;
        /* The write end stays open: the read end never reports data or hang-up, so db.c's
         * liveness poll finds the connection idle. */
        if (pipe(c->pipe) != 0) {
                set_error(&c->err, c->msg, sizeof(c->msg), CR_CONNECTION_ERROR, "no pipe");
                return NULL;
        }
        fake.stats.connects++;
        return mysql;
}

my_socket STDCALL mysql_get_socket(MYSQL *mysql)
{
        return ((struct conn *)(void *)mysql)->pipe[0];
}

unsigned int STDCALL mysql_errno(MYSQL *mysql)
{
        return ((struct conn *)(void *)mysql)->err;
}

const char *STDCALL mysql_error(MYSQL *mysql)
{
        return ((struct conn *)(void *)mysql)->msg;
}

void STDCALL mysql_close(MYSQL *mysql)
{
        struct conn *c = (struct conn *)(void *)mysql;
        if (!c)
                return;
        for (int i = 0; i < 2; i++)
                if (c->pipe[i] >= 0)
                        close(c->pipe[i]);
        free(c);
}

/* --- Result metadata ------------------------------------------------------------------------ */

unsigned int STDCALL mysql_num_fields(MYSQL_RES *res)
{
        return ((struct res *)(void *)res)->n;
}

MYSQL_FIELD *STDCALL mysql_fetch_fields(MYSQL_RES *res)
{
        return ((struct res *)(void *)res)->fields;
}

void STDCALL mysql_free_result(MYSQL_RES *res)
{
        free(res);
}

/* --- Statements ----------------------------------------------------------------------------- */

static void drop_result(struct stmt *st)
{
        free_cells(st->cells, st->nrows * st->ncols);
        st->cells = NULL;
        st->nrows = st->next = st->row = 0;
        st->fetch_columns = 0;
        st->fault = no_fault;
}

MYSQL_STMT *STDCALL mysql_stmt_init(MYSQL *mysql)
{
        struct stmt *st = calloc(1, sizeof(*st));
        if (!st)
                return NULL;
        st->conn = (struct conn *)(void *)mysql;
        st->fault = no_fault;
        return (MYSQL_STMT *)(void *)st;
}

int STDCALL mysql_stmt_prepare(MYSQL_STMT *stmt, const char *query, unsigned long length)
{
        struct stmt *st = (struct stmt *)(void *)stmt;
        if (st->state != ST_INIT)
                die("re-preparing a statement is not emulated");
        st->sql = strndup(query, length);
        if (!st->sql)
                return 1;
        fake.stats.prepares++;
        for (const char *p = st->sql; *p; p++)
                st->param_count += *p == '?';
        if (st->param_count && !(st->params = calloc(st->param_count, sizeof(*st->params))))
                return 1;
        const struct spec *s = spec_find(st->sql, false);
        if (s) {
                memcpy(st->cols, s->cols, sizeof(st->cols));
                st->ncols = s->ncols;
                st->late = s->late;
        }
        st->described = !st->late;
        st->state = ST_PREPARED;
        return 0;
}

static unsigned field_count(const struct stmt *st)
{
        return st->described ? st->ncols : 0;
}

unsigned int STDCALL mysql_stmt_field_count(MYSQL_STMT *stmt)
{
        return field_count((struct stmt *)(void *)stmt);
}

unsigned long STDCALL mysql_stmt_param_count(MYSQL_STMT *stmt)
{
        return ((struct stmt *)(void *)stmt)->param_count;
}

MYSQL_RES *STDCALL mysql_stmt_result_metadata(MYSQL_STMT *stmt)
{
        struct stmt *st = (struct stmt *)(void *)stmt;
        unsigned n = field_count(st);
        if (n == 0)
                return NULL;
        struct res *r = calloc(1, sizeof(*r));
        if (!r)
                return NULL;
        for (unsigned i = 0; i < n; i++) {
                r->fields[i].type = st->cols[i].type;
                r->fields[i].flags = st->cols[i].flags;
                r->fields[i].decimals = st->cols[i].decimals;
                r->fields[i].length = 0xffffffffUL; /* LONGTEXT */
        }
        r->n = n;
        return (MYSQL_RES *)(void *)r;
}

my_bool STDCALL mysql_stmt_bind_param(MYSQL_STMT *stmt, MYSQL_BIND *bnd)
{
        struct stmt *st = (struct stmt *)(void *)stmt;
        if (st->state < ST_PREPARED) {
                misuse(st, CR_NO_PREPARE_STMT, "not prepared");
                return 1;
        }
        if (st->param_count)
                memcpy(st->params, bnd, st->param_count * sizeof(*bnd));
        st->params_bound = true;
        return 0;
}

static bool is_int_field(enum enum_field_types t)
{
        return t == MYSQL_TYPE_TINY || t == MYSQL_TYPE_SHORT || t == MYSQL_TYPE_LONG ||
               t == MYSQL_TYPE_INT24 || t == MYSQL_TYPE_LONGLONG;
}

my_bool STDCALL mysql_stmt_bind_result(MYSQL_STMT *stmt, MYSQL_BIND *bnd)
{
        struct stmt *st = (struct stmt *)(void *)stmt;
        if (st->state < ST_PREPARED) {
                misuse(st, CR_NO_PREPARE_STMT, "not prepared");
                return 1;
        }
        unsigned n = field_count(st);
        if (n == 0) {
                misuse(st, CR_NO_STMT_METADATA, "no result set metadata");
                return 1;
        }
        if (!bnd)
                return 1;
        fake.stats.bind_results++;
        memcpy(st->binds, bnd, n * sizeof(*bnd));
        for (unsigned i = 0; i < n; i++) {
                MYSQL_BIND *b = &st->binds[i];
                if (b->buffer_type != MYSQL_TYPE_STRING && b->buffer_type != MYSQL_TYPE_LONGLONG)
                        die("a result buffer type the fake does not emulate");
                if (!b->is_null)
                        b->is_null = &b->is_null_value;
                if (!b->length)
                        b->length = &b->length_value;
                if (!b->error)
                        b->error = &b->error_value;
                if (b->buffer_type == MYSQL_TYPE_LONGLONG)
                        *b->length = b->length_value = 8;
        }
        st->bound = true;
        return 0;
}

/* Reads every byte a parameter points to, so a dangling or short one is caught by ASan. */
static void touch_params(const struct stmt *st)
{
        volatile unsigned char sum = 0;
        for (unsigned long i = 0; i < st->param_count; i++) {
                const MYSQL_BIND *b = &st->params[i];
                const unsigned char *p = b->buffer;
                size_t n = b->buffer_type == MYSQL_TYPE_LONGLONG ? 8 : b->buffer_length;
                if (b->buffer_type == MYSQL_TYPE_STRING && b->length)
                        n = *b->length;
                for (size_t k = 0; p && k < n; k++)
                        sum = (unsigned char)(sum + p[k]);
        }
        (void)sum;
}

int STDCALL mysql_stmt_execute(MYSQL_STMT *stmt)
{
        struct stmt *st = (struct stmt *)(void *)stmt;
        if (st->state < ST_PREPARED) {
                misuse(st, CR_NO_PREPARE_STMT, "not prepared");
                return 1;
        }
        if (st->param_count && !st->params_bound) {
                misuse(st, CR_PARAMS_NOT_BOUND, "parameters not bound");
                return 1;
        }
        touch_params(st);
        drop_result(st);
        fake.stats.executes++;
        st->conn->err = 0; /* every command starts with the connection's error cleared */
        st->conn->msg[0] = '\0';
        struct spec *s = spec_find(st->sql, false);
        if (s) {
                if (s->ncols != st->ncols)
                        die("a statement's shape changed after it was prepared");
                st->cells = s->cells;
                st->nrows = s->nrows;
                st->fault = s->fault;
                s->cells = NULL;
                s->nrows = s->cap_rows = 0;
                s->fault = no_fault;
        }
        st->described = true;
        st->err = 0;
        st->msg[0] = '\0';
        st->state = ST_EXECUTED;
        return 0;
}

/*
 * One value into one bind, as libmariadb converts it (ma_stmt_codec.c): for a string buffer,
 * offset bytes are skipped, at most buffer_length copied, a NUL added only if there is room
 * after the copy, *error set if bytes did not fit and *length the whole value's length.
 */
static void convert(MYSQL_BIND *b, const struct fake_column *col, const struct cell *v,
                    unsigned long offset)
{
        if (b->buffer_type == MYSQL_TYPE_LONGLONG) {
                memcpy(b->buffer, &v->i, 8);
                bool field_unsigned = (col->flags & UNSIGNED_FLAG) != 0;
                *b->error = is_int_field(col->type) && field_unsigned != (b->is_unsigned != 0) &&
                            v->i > INT64_MAX;
                return;
        }
        const char *data = v->s;
        size_t len = v->len;
        char digits[24];
        if (is_int_field(col->type)) { /* an integer into a string: its decimal digits */
                int n = snprintf(digits, sizeof(digits), "%llu", (unsigned long long)v->i);
                data = digits;
                len = (size_t)n;
        }
        size_t copylen = offset < len ? len - offset : 0;
        if (b->buffer_length && copylen)
                memcpy(b->buffer, data + offset,
                       copylen < b->buffer_length ? copylen : b->buffer_length);
        if (copylen < b->buffer_length)
                ((char *)b->buffer)[copylen] = '\0';
        *b->error = copylen > b->buffer_length;
        *b->length = (unsigned long)len;
}

int STDCALL mysql_stmt_fetch(MYSQL_STMT *stmt)
{
        struct stmt *st = (struct stmt *)(void *)stmt;
        if (st->state < ST_EXECUTED || field_count(st) == 0) {
                misuse(st, CR_COMMANDS_OUT_OF_SYNC, "fetch without a result set");
                return 1;
        }
        if (st->state == ST_DONE)
                return MYSQL_NO_DATA;
        if (st->fault.fetch_lost_at >= 0 && st->next == (size_t)st->fault.fetch_lost_at) {
                st->state = ST_DONE;
                STMT_ERROR(st, CR_SERVER_LOST, "Lost connection to server during query");
                set_error(&st->conn->err, st->conn->msg, sizeof(st->conn->msg), CR_SERVER_LOST,
                          st->msg);
                return 1;
        }
        if (st->next == st->nrows) {
                st->state = ST_DONE;
                return MYSQL_NO_DATA;
        }
        fake.stats.fetches++;
        st->row = st->next++;
        st->state = ST_FETCHING;
        if (!st->bound) {
                fake.stats.misuse++; /* libmariadb would only skip the values */
                return 0;
        }
        size_t truncations = 0;
        const struct cell *row = &st->cells[st->row * st->ncols];
        for (unsigned i = 0; i < st->ncols; i++) {
                MYSQL_BIND *b = &st->binds[i];
                if (row[i].is_null) {
                        *b->is_null = 1; /* *length and *error are left as they were */
                        continue;
                }
                *b->is_null = 0;
                convert(b, &st->cols[i], &row[i], 0);
                truncations += *b->error != 0;
        }
        st->err = 0;
        st->msg[0] = '\0';
        if (truncations && !fake.quiet_truncation) {
                fake.stats.truncated_fetches++;
                return MYSQL_DATA_TRUNCATED;
        }
        return 0;
}

int STDCALL mysql_stmt_fetch_column(MYSQL_STMT *stmt, MYSQL_BIND *bind, unsigned int column,
                                    unsigned long offset)
{
        struct stmt *st = (struct stmt *)(void *)stmt;
        if (st->state != ST_FETCHING || column >= st->ncols) {
                misuse(st, CR_NO_DATA, "no row to fetch a column of");
                return 1;
        }
        fake.stats.fetch_columns++;
        if (st->fault.fetch_column_fail > 0 && ++st->fetch_columns == st->fault.fetch_column_fail) {
                STMT_ERROR(st, CR_OUT_OF_MEMORY, "Client run out of memory");
                return 1;
        }
        const struct cell *v = &st->cells[st->row * st->ncols + column];
        if (v->is_null) {
                if (bind->is_null)
                        *bind->is_null = 1;
                return 0;
        }
        unsigned long length_value;
        my_bool is_null_value, error_value;
        MYSQL_BIND b = *bind; /* the caller's pointers, with libmariadb's fallbacks */
        if (!b.length)
                b.length = &length_value;
        if (!b.is_null)
                b.is_null = &is_null_value;
        if (!b.error)
                b.error = &error_value;
        *b.is_null = 0;
        *b.error = 0;
        convert(&b, &st->cols[column], v, offset);
        return 0;
}

unsigned long long STDCALL mysql_stmt_affected_rows(MYSQL_STMT *stmt)
{
        return ((struct stmt *)(void *)stmt)->nrows;
}

unsigned long long STDCALL mysql_stmt_insert_id(MYSQL_STMT *stmt)
{
        (void)stmt;
        return 0;
}

/* No session state is ever tracked here (db.c asks only with replicas configured). */
int STDCALL mysql_session_track_get_first(MYSQL *mysql, enum enum_session_state_type type,
                                          const char **data, size_t *length)
{
        (void)mysql;
        (void)type;
        *data = NULL;
        *length = 0;
        return 1;
}

int STDCALL mysql_session_track_get_next(MYSQL *mysql, enum enum_session_state_type type,
                                         const char **data, size_t *length)
{
        return mysql_session_track_get_first(mysql, type, data, length);
}

unsigned int STDCALL mysql_stmt_errno(MYSQL_STMT *stmt)
{
        return ((struct stmt *)(void *)stmt)->err;
}

const char *STDCALL mysql_stmt_error(MYSQL_STMT *stmt)
{
        return ((struct stmt *)(void *)stmt)->msg;
}

my_bool STDCALL mysql_stmt_free_result(MYSQL_STMT *stmt)
{
        struct stmt *st = (struct stmt *)(void *)stmt;
        drop_result(st);
        if (st->state > ST_PREPARED)
                st->state = ST_PREPARED;
        return 0;
}

my_bool STDCALL mysql_stmt_close(MYSQL_STMT *stmt)
{
        struct stmt *st = (struct stmt *)(void *)stmt;
        if (!st)
                return 1;
        drop_result(st);
        free(st->params);
        free(st->sql);
        free(st);
        return 0;
}
