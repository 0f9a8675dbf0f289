/* migrate: `blogd migrate`, applying sql/NNN_*.sql the database has not had, and seeding. */
#include "migrate.h"

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mysql.h>

#include "core/buf.h"
#include "core/clock.h"
#include "core/config.h"
#include "core/digits.h"
#include "store/sqlsplit.h"
#include "view/markdown.h"

#define MAX_VERSION 999 /* NNN: three digits */

static void usage(FILE *out)
{
        fputs(
            "usage: blogd migrate [-c blogd.conf] [--status] [--seed tutorial|large] [--sql DIR]\n"
            "                     [--user NAME] [--password-file FILE]\n"
            "  applies the migrations of DIR (sql_dir; NNN_*.sql, in number order) that the\n"
            "  database has not had, recording each in schema_migrations, then seeds:\n"
            "  --status         list every migration, applied (when) or pending; change nothing\n"
            "  --seed tutorial  load seed.sql into a database without posts\n"
            "  --seed large     load seed.sql and seed_large.sql (100,000 posts, 1,000,000\n"
            "                   comments) into a database without posts or comments\n"
            "  and renders the Markdown of every post stored without its HTML\n"
            "  --user NAME, --password-file FILE  the account to connect as (default\n"
            "                   migrate_user/migrate_password, else db_user/db_password)\n",
            out);
}

static double now_s(void)
{
        return (double)clock_now_ns() / (double)CLOCK_NS_PER_S;
}

/* Reads the whole file into out (initialised here, NUL-terminated as every buf); false,
 * said on stderr and out left empty, if it cannot. */
static bool read_all(const char *path, struct buf *out)
{
        buf_init(out);
        FILE *f = fopen(path, "rb");
        if (!f) {
                fprintf(stderr, "blogd migrate: cannot read %s: %s\n", path, strerror(errno));
                return false;
        }
        bool ok = true;
        for (size_t got = 65536; ok && got == 65536;) {
                ok = buf_reserve(out, 65536);
                got = ok ? fread(out->data + out->len, 1, 65536, f) : 0;
                out->len += got;
                if (ok)
                        out->data[out->len] = '\0';
        }
        if (ok && ferror(f))
                ok = false;
        if (!ok) {
                fprintf(stderr, "blogd migrate: cannot read %s: %s\n", path,
                        strerror(ferror(f) ? EIO : ENOMEM));
                buf_cleanup(out);
        }
        fclose(f);
        return ok;
}

/* Runs one statement, discarding any result sets. */
static bool exec_stmt(MYSQL *conn, const char *sql, size_t len)
{
        if (mysql_real_query(conn, sql, (unsigned long)len) != 0)
                return false;
        int more;
        do {
                MYSQL_RES *res = mysql_store_result(conn);
                if (res)
                        mysql_free_result(res);
                else if (mysql_field_count(conn) != 0)
                        return false;
                more = mysql_next_result(conn);
                if (more > 0)
                        return false;
        } while (more == 0);
        return true;
}

static bool exec_str(MYSQL *conn, const char *sql)
{
        return exec_stmt(conn, sql, strlen(sql));
}

/* Runs every statement of dir/name in this session, stopping at the first that fails
 * (which it reports, naming the file, the statement's number and line, and the server's
 * error). *count: the statements that ran. */
static bool run_script(MYSQL *conn, const char *dir, const char *name, unsigned *count)
{
        char path[CONFIG_STR_MAX + 256];
        snprintf(path, sizeof(path), "%s/%s", dir, name);
        struct buf text;
        *count = 0;
        if (!read_all(path, &text))
                return false;
        struct sqlsplit sp;
        sqlsplit_init(&sp, text.data, text.len);
        const char *stmt;
        size_t n;
        unsigned line;
        int rc;
        bool ok = true;
        while ((rc = sqlsplit_next(&sp, &stmt, &n, &line)) > 0) {
                if (!exec_stmt(conn, stmt, n)) {
                        int show = n > 70 ? 70 : (int)n;
                        fprintf(stderr,
                                "blogd migrate: %s: statement %u (line %u) failed: %s (error %u)\n"
                                "  the statement: %.*s%s\n",
                                path, *count + 1, line, mysql_error(conn), mysql_errno(conn), show,
                                stmt, n > 70 ? "..." : "");
                        ok = false;
                        break;
                }
                (*count)++;
        }
        if (ok && rc < 0) {
                fprintf(stderr, "blogd migrate: %s: line %u: %.*s\n", path, line, (int)n, stmt);
                ok = false;
        }
        buf_cleanup(&text);
        return ok;
}

/* A single unsigned number from a query, or -1 (reported). */
static long long query_count(MYSQL *conn, const char *sql)
{
        long long v = -1;
        if (mysql_query(conn, sql) == 0) {
                MYSQL_RES *res = mysql_store_result(conn);
                MYSQL_ROW row = res ? mysql_fetch_row(res) : NULL;
                uint64_t u;
                if (row && row[0] && digits_parse(row[0], strlen(row[0]), INT64_MAX, &u))
                        v = (long long)u;
                if (res)
                        mysql_free_result(res);
        }
        if (v < 0)
                fprintf(stderr, "blogd migrate: %s: %s\n", sql, mysql_error(conn));
        return v;
}

struct migration {
        unsigned version;
        char name[256];
};

static int by_name(const void *a, const void *b)
{
        return strcmp(((const struct migration *)a)->name, ((const struct migration *)b)->name);
}

/* The NNN_*.sql files of dir, sorted by number; NULL on an error (reported). */
static struct migration *list_migrations(const char *dir, size_t *count)
{
        DIR *d = opendir(dir);
        if (!d) {
                fprintf(stderr, "blogd migrate: cannot open the sql directory %s: %s\n", dir,
                        strerror(errno));
                return NULL;
        }
        size_t n = 0, cap = 16;
        struct migration *m = malloc(cap * sizeof(*m));
        struct dirent *e;
        while (m && (e = readdir(d)) != NULL) {
                const char *s = e->d_name;
                size_t len = strlen(s);
                if (len < 9 || len >= sizeof(m->name) || s[0] < '0' || s[0] > '9' || s[1] < '0' ||
                    s[1] > '9' || s[2] < '0' || s[2] > '9' || s[3] != '_' ||
                    strcmp(s + len - 4, ".sql") != 0)
                        continue;
                if (n == cap) {
                        struct migration *bigger = realloc(m, 2 * cap * sizeof(*m));
                        if (!bigger) {
                                free(m);
                                m = NULL;
                                break;
                        }
                        m = bigger;
                        cap *= 2;
                }
                m[n].version = (unsigned)((s[0] - '0') * 100 + (s[1] - '0') * 10 + (s[2] - '0'));
                memcpy(m[n].name, s, len + 1);
                n++;
        }
        closedir(d);
        if (!m) {
                fprintf(stderr, "blogd migrate: out of memory\n");
                return NULL;
        }
        qsort(m, n, sizeof(*m), by_name);
        for (size_t i = 1; i < n; i++) {
                if (m[i].version == m[i - 1].version) {
                        fprintf(stderr, "blogd migrate: %s and %s have the same number\n",
                                m[i - 1].name, m[i].name);
                        free(m);
                        return NULL;
                }
        }
        *count = n;
        return m;
}

/* applied[v]: when version v was applied ("" if not). False on an error (reported). A
 * database without schema_migrations has had none. */
static bool read_applied(MYSQL *conn, char (*applied)[32])
{
        for (int v = 0; v <= MAX_VERSION; v++)
                applied[v][0] = '\0';
        if (mysql_query(conn, "SELECT version, applied_at FROM schema_migrations") != 0) {
                if (mysql_errno(conn) == 1146) /* ER_NO_SUCH_TABLE */
                        return true;
                fprintf(stderr, "blogd migrate: reading schema_migrations: %s\n",
                        mysql_error(conn));
                return false;
        }
        MYSQL_RES *res = mysql_store_result(conn);
        if (!res) {
                fprintf(stderr, "blogd migrate: reading schema_migrations: %s\n",
                        mysql_error(conn));
                return false;
        }
        MYSQL_ROW row;
        while ((row = mysql_fetch_row(res)) != NULL) {
                uint64_t v;
                if (row[0] && digits_parse(row[0], strlen(row[0]), MAX_VERSION, &v))
                        snprintf(applied[v], sizeof(applied[v]), "%s", row[1] ? row[1] : "?");
        }
        mysql_free_result(res);
        return true;
}

static bool record(MYSQL *conn, const struct migration *m)
{
        static const char sql[] = "INSERT INTO schema_migrations (version, name) VALUES (?, ?)";
        MYSQL_STMT *st = mysql_stmt_init(conn);
        bool ok = st && mysql_stmt_prepare(st, sql, sizeof(sql) - 1) == 0;
        if (ok) {
                unsigned version = m->version;
                unsigned long name_len = strlen(m->name);
                MYSQL_BIND b[2];
                memset(b, 0, sizeof(b));
                b[0].buffer_type = MYSQL_TYPE_LONG;
                b[0].buffer = &version;
                b[0].is_unsigned = 1;
                b[1].buffer_type = MYSQL_TYPE_STRING;
                b[1].buffer = (void *)m->name;
                b[1].buffer_length = name_len;
                b[1].length = &name_len;
                ok = mysql_stmt_bind_param(st, b) == 0 && mysql_stmt_execute(st) == 0;
        }
        if (!ok)
                fprintf(stderr, "blogd migrate: recording %s in schema_migrations: %s\n", m->name,
                        st ? mysql_stmt_error(st) : mysql_error(conn));
        if (st)
                mysql_stmt_close(st);
        return ok;
}

static bool apply_pending(MYSQL *conn, const char *dir, const struct migration *m, size_t n,
                          char (*applied)[32])
{
        if (!exec_str(conn, "CREATE TABLE IF NOT EXISTS schema_migrations (\n"
                            "  version INT UNSIGNED PRIMARY KEY,\n"
                            "  name VARCHAR(255) NOT NULL,\n"
                            "  applied_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP\n"
                            ") ENGINE=InnoDB")) {
                fprintf(stderr, "blogd migrate: creating schema_migrations: %s\n",
                        mysql_error(conn));
                return false;
        }
        if (!read_applied(conn, applied))
                return false;
        unsigned done = 0;
        for (size_t i = 0; i < n; i++) {
                if (applied[m[i].version][0])
                        continue;
                printf("blogd migrate: applying %s\n", m[i].name);
                fflush(stdout);
                double t0 = now_s();
                unsigned count;
                if (!run_script(conn, dir, m[i].name, &count)) {
                        fprintf(stderr,
                                "blogd migrate: %s is not recorded as applied; the statements "
                                "before the failed one took effect (MariaDB does not roll DDL "
                                "back): fix the file or the database, then run blogd migrate "
                                "again\n",
                                m[i].name);
                        return false;
                }
                if (!record(conn, &m[i]))
                        return false;
                printf("blogd migrate: applied %s (%u statements, %.2f s)\n", m[i].name, count,
                       now_s() - t0);
                done++;
        }
        if (done == 0)
                printf("blogd migrate: the database is up to date (%zu migrations)\n", n);
        return true;
}

static bool show_status(MYSQL *conn, const struct migration *m, size_t n, char (*applied)[32])
{
        if (!read_applied(conn, applied))
                return false;
        bool listed[MAX_VERSION + 1] = {false};
        for (size_t i = 0; i < n; i++) {
                const char *at = applied[m[i].version];
                printf("%-40s %s%s\n", m[i].name, at[0] ? "applied " : "pending", at);
                listed[m[i].version] = true;
        }
        for (int v = 0; v <= MAX_VERSION; v++)
                if (applied[v][0] && !listed[v])
                        printf("%03d (no file)%-28s applied %s\n", v, "", applied[v]);
        return true;
}

static bool seed(MYSQL *conn, const char *dir, const char *what)
{
        long long posts = query_count(conn, "SELECT COUNT(*) FROM post");
        if (posts < 0)
                return false;
        bool large = strcmp(what, "large") == 0;
        long long comments = large ? query_count(conn, "SELECT COUNT(*) FROM comment") : 0;
        if (comments < 0)
                return false;
        if (posts > 0 || comments > 0) {
                printf("blogd migrate: the database already has %lld posts%s; not seeding\n", posts,
                       large ? " or comments" : "");
                return true;
        }
        double t0 = now_s();
        unsigned count;
        printf("blogd migrate: loading %s seed data\n", what);
        fflush(stdout);
        if (!run_script(conn, dir, "seed.sql", &count))
                return false;
        if (!large) {
                printf("blogd migrate: loaded seed.sql (%u statements, %.2f s)\n", count,
                       now_s() - t0);
                return true;
        }
        unsigned count_large;
        if (!run_script(conn, dir, "seed_large.sql", &count_large)) {
                /* Start again from empty tables next time. */
                if (exec_str(conn, "ROLLBACK") &&
                    exec_str(conn, "SET SESSION foreign_key_checks=0") &&
                    exec_str(conn, "TRUNCATE TABLE comment") &&
                    exec_str(conn, "TRUNCATE TABLE post"))
                        fprintf(stderr, "blogd migrate: emptied post and comment again\n");
                else
                        fprintf(stderr,
                                "blogd migrate: could not empty post and comment (%s); "
                                "do it by hand before seeding again\n",
                                mysql_error(conn));
                return false;
        }
        printf("blogd migrate: loaded seed.sql and seed_large.sql (%u statements, %.1f s)\n",
               count + count_large, now_s() - t0);
        return true;
}

/* The posts rendered per transaction. */
#define RENDER_BATCH 1000

/* Runs the prepared UPDATE post SET html = ? WHERE id = ? for one post. */
static bool store_html(MYSQL_STMT *st, unsigned long long id, const struct buf *html)
{
        MYSQL_BIND b[2];
        memset(b, 0, sizeof(b));
        unsigned long len = (unsigned long)html->len;
        b[0].buffer_type = MYSQL_TYPE_STRING;
        b[0].buffer = html->data ? html->data : (char *)"";
        b[0].buffer_length = len;
        b[0].length = &len;
        b[1].buffer_type = MYSQL_TYPE_LONGLONG;
        b[1].buffer = &id;
        b[1].is_unsigned = 1;
        return mysql_stmt_bind_param(st, b) == 0 && mysql_stmt_execute(st) == 0;
}

/*
 * Renders the Markdown of every post stored without its HTML (html IS NULL: the posts of a
 * database upgraded by 005, the seeds, rows added by plain SQL) and stores the HTML, a
 * transaction per RENDER_BATCH posts; blogd renders on save, this catches up the rest.
 */
static bool render_pending(MYSQL *conn)
{
        static const char pick[] = "SELECT id, content FROM post WHERE html IS NULL ORDER BY id"
                                   " LIMIT 1000";
        static const char update[] = "UPDATE post SET html = ? WHERE id = ? AND html IS NULL";
        _Static_assert(RENDER_BATCH == 1000, "the LIMIT of pick");
        /* A schema from before 005 (an older sql_dir) has nothing to render. */
        long long has_html = query_count(conn, "SELECT COUNT(*) FROM information_schema.columns"
                                               " WHERE table_schema = DATABASE()"
                                               " AND table_name = 'post' AND column_name = 'html'");
        if (has_html <= 0)
                return has_html == 0;
        MYSQL_STMT *st = mysql_stmt_init(conn);
        if (!st || mysql_stmt_prepare(st, update, sizeof(update) - 1) != 0) {
                fprintf(stderr, "blogd migrate: preparing the render of posts: %s\n",
                        mysql_error(conn));
                if (st)
                        mysql_stmt_close(st);
                return false;
        }
        /* The HTML stored is what a page renders for a post without it, so no page changes:
         * the change triggers are skipped (the per-row change_seq bumps were half the time). */
        if (!exec_str(conn, "SET @blogd_bulk = 1")) {
                mysql_stmt_close(st);
                return false;
        }
        struct buf html;
        buf_init(&html);
        unsigned long long done = 0;
        double t0 = now_s();
        bool ok = true, more = true;
        while (ok && more) {
                ok = exec_str(conn, "START TRANSACTION") && mysql_query(conn, pick) == 0;
                MYSQL_RES *res = ok ? mysql_store_result(conn) : NULL;
                ok = ok && res;
                MYSQL_ROW row;
                unsigned long long batch = 0;
                while (ok && (row = mysql_fetch_row(res))) {
                        unsigned long *lens = mysql_fetch_lengths(res);
                        uint64_t id;
                        buf_reset(&html);
                        ok = row[0] && digits_parse(row[0], lens[0], UINT32_MAX, &id) &&
                             markdown_to_html(row[1], row[1] ? lens[1] : 0, &html) &&
                             store_html(st, (unsigned long long)id, &html);
                        batch++;
                }
                if (res)
                        mysql_free_result(res);
                ok = ok && exec_str(conn, "COMMIT");
                done += batch;
                more = batch == RENDER_BATCH;
        }
        if (!ok)
                fprintf(stderr, "blogd migrate: rendering the posts' Markdown failed: %s\n",
                        mysql_error(conn));
        else if (done)
                printf("blogd migrate: rendered the Markdown of %llu posts (%.1f s)\n", done,
                       now_s() - t0);
        buf_cleanup(&html);
        mysql_stmt_close(st);
        return exec_str(conn, "SET @blogd_bulk = NULL") && ok;
}

static bool read_password_file(const char *path, char *out, size_t cap)
{
        struct buf text;
        if (!read_all(path, &text))
                return false;
        size_t len = strcspn(text.data, "\r\n");
        bool ok = len < cap;
        if (ok) {
                memcpy(out, text.data, len);
                out[len] = '\0';
        } else {
                fprintf(stderr, "blogd migrate: the password in %s is too long\n", path);
        }
        buf_cleanup(&text);
        return ok;
}

int migrate_main(int argc, char **argv)
{
        static const struct option longopts[] = {
            {"status", no_argument, NULL, 's'},
            {"seed", required_argument, NULL, 'e'},
            {"sql", required_argument, NULL, 'd'},
            {"user", required_argument, NULL, 'u'},
            {"password-file", required_argument, NULL, 'p'},
            {"help", no_argument, NULL, 'h'},
            {NULL, 0, NULL, 0},
        };
        const char *path = "/etc/blogd/blogd.conf", *seed_what = NULL, *sql_dir = NULL;
        const char *user = NULL, *password_file = NULL;
        bool status = false;
        int opt;
        while ((opt = getopt_long(argc, argv, "c:h", longopts, NULL)) != -1) {
                switch (opt) {
                case 'c':
                        path = optarg;
                        break;
                case 's':
                        status = true;
                        break;
                case 'e':
                        seed_what = optarg;
                        break;
                case 'd':
                        sql_dir = optarg;
                        break;
                case 'u':
                        user = optarg;
                        break;
                case 'p':
                        password_file = optarg;
                        break;
                case 'h':
                        usage(stdout);
                        return 0;
                default:
                        usage(stderr);
                        return 2;
                }
        }
        if (optind < argc ||
            (seed_what && strcmp(seed_what, "tutorial") != 0 && strcmp(seed_what, "large") != 0 &&
             strcmp(seed_what, "none") != 0) ||
            (status && seed_what)) {
                usage(stderr);
                return 2;
        }
        if (seed_what && strcmp(seed_what, "none") == 0)
                seed_what = NULL;

        static struct config cfg;
        char err[512];
        config_defaults(&cfg);
        if (!config_load(&cfg, path, err, sizeof(err))) {
                fprintf(stderr, "blogd migrate: %s\n", err);
                return 1;
        }
        if (!sql_dir)
                sql_dir = cfg.sql_dir;
        char password[256];
        if (!user)
                user = cfg.migrate_user[0] ? cfg.migrate_user : NULL;
        if (password_file) {
                if (!read_password_file(password_file, password, sizeof(password)))
                        return 1;
        } else {
                snprintf(password, sizeof(password), "%s",
                         user ? cfg.migrate_password : cfg.db_password);
        }
        if (!user)
                user = cfg.db_user;

        size_t n = 0;
        struct migration *m = list_migrations(sql_dir, &n);
        if (!m)
                return 1;

        int code = 1;
        MYSQL *conn = mysql_init(NULL);
        if (!conn) {
                fprintf(stderr, "blogd migrate: out of memory\n");
                free(m);
                return 1;
        }
        unsigned ct = (unsigned)cfg.db_connect_timeout;
        mysql_options(conn, MYSQL_SET_CHARSET_NAME, "utf8mb4");
        mysql_options(conn, MYSQL_OPT_CONNECT_TIMEOUT, &ct);
        /* Times are UTC, as in blogd's own sessions (store/db.c). */
        mysql_options(conn, MYSQL_INIT_COMMAND, "SET time_zone = '+00:00'");
        const char *sock = cfg.db_socket[0] ? cfg.db_socket : NULL;
        static char applied[MAX_VERSION + 1][32];
        if (!mysql_real_connect(conn, cfg.db_host, user, password[0] ? password : NULL, cfg.db_name,
                                (unsigned)cfg.db_port, sock, CLIENT_MULTI_RESULTS)) {
                fprintf(stderr, "blogd migrate: connecting to database %s as %s via %s: %s\n",
                        cfg.db_name, user, sock ? sock : cfg.db_host, mysql_error(conn));
        } else if (status) {
                code = show_status(conn, m, n, applied) ? 0 : 1;
        } else if (apply_pending(conn, sql_dir, m, n, applied) &&
                   (!seed_what || seed(conn, sql_dir, seed_what)) && render_pending(conn)) {
                code = 0;
        }
        explicit_bzero(password, sizeof(password));
        mysql_close(conn);
        mysql_library_end();
        free(m);
        return code;
}
