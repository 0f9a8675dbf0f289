/* db: a worker's MariaDB connections (the primary, each replica), their prepared statements,
 * reconnect, routing of reads and typed fetch. */
#include "store/db.h"

#include <errmsg.h>
#include <errno.h>
#include <mysql.h>
#include <mysqld_error.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/log.h"
#include "core/metrics.h"
#include "core/scoreboard.h"
#include "core/serverlist.h"
#include "store/replicas.h"

_Static_assert(DB_SERVERS == METRICS_SERVERS, "a read count per server");

#define DB_MAX_COLS 12
#define DB_MAX_PARAMS 12
/*
 * Text buffers start here, grow to fit a long value, and shrink back after the query. A
 * buffer of cap bytes is bound as cap - 1: libmariadb reports a value exactly as long as the
 * bound length as whole (no truncation) and writes no NUL after it, so the byte kept back is
 * where ours goes. The invariant: a text value is whole only if its length is below cap.
 */
#define DB_TEXT_INITIAL 4096
#define DB_TEXT_KEEP (64 * 1024)

/* A published post's time, Unix seconds (blogd's sessions are UTC). */
#define PUBLISHED_TS "CAST(UNIX_TIMESTAMP(COALESCE(p.published_at, p.created_at)) AS UNSIGNED)"
/* The post page's own change sequence (see STMT_POST_PAGE_UP), from a join on change_seq's
 * key: a subquery instead is optimised again at every execution (measured: 20% more of
 * MariaDB's time per page than the join). */
#define POST_SEQ "CAST(COALESCE(s.seq, 0) AS UNSIGNED)"
/* The post of the post page, its author and its change sequence (closes its SELECT). */
#define POST_FROM                                                                                  \
        " FROM post p LEFT JOIN author a ON a.id = p.author_id"                                    \
        " LEFT JOIN change_seq s ON s.id = p.id + 16 WHERE p.id = ?)"
/* What the post page shows besides its text: stored without HTML, published, author, time. */
#define POST_SHOWN "p.html IS NULL, p.status = 'published', COALESCE(a.name, ''), " PUBLISHED_TS
/* A comment's time, Unix seconds. */
#define COMMENT_TS "CAST(UNIX_TIMESTAMP(c.created_at) AS UNSIGNED)"
/* The comments a post page shows: the approved ones; held ones to an author (param 1) or, by
 * their writers' secrets' hashes, to the browser that wrote them (up to four). */
#define COMMENT_SHOWN "(c.status = 'approved' OR ? = 1 OR c.owner_hash IN (?, ?, ?, ?))"
/* Params: window, subject, window, limit - 1. */
#define LOGIN_NTH_FAILURE                                                                          \
        "SELECT CAST(CEIL(TIMESTAMPDIFF(MICROSECOND, NOW(6), at + INTERVAL ? SECOND) / 1000000)"   \
        " AS SIGNED) FROM login_failure WHERE subject = ? AND at > NOW(6) - INTERVAL ? SECOND"     \
        " ORDER BY at DESC LIMIT 1 OFFSET ?"

static const char *const stmt_sql[STMT_COUNT] = {
    /* Published posts only, with what the index shows of each: the HTML (or, for a post
     * stored without it by plain SQL, its Markdown and a 1 saying so), the author and the
     * published time (Unix seconds). */
    [STMT_POST_PAGE_AFTER] = "SELECT p.id, p.title, COALESCE(p.html, p.content), p.html IS NULL,"
                             " COALESCE(a.name, ''), " PUBLISHED_TS " FROM post p"
                             " LEFT JOIN author a ON a.id = p.author_id"
                             " WHERE p.status = 'published' AND p.id > ? ORDER BY p.id LIMIT ?",
    [STMT_POST_PAGE_BEFORE] = "SELECT p.id, p.title, COALESCE(p.html, p.content), p.html IS NULL,"
                              " COALESCE(a.name, ''), " PUBLISHED_TS " FROM post p"
                              " LEFT JOIN author a ON a.id = p.author_id"
                              " WHERE p.status = 'published' AND p.id < ?"
                              " ORDER BY p.id DESC LIMIT ?",
    [STMT_POST_ANY_LE] = "SELECT EXISTS(SELECT 1 FROM post WHERE status = 'published' AND id <= ?)",
    [STMT_POST_ANY_GE] = "SELECT EXISTS(SELECT 1 FROM post WHERE status = 'published' AND id >= ?)",
    /*
     * The post page in one round trip: row kind 0 is the post (drafts too: the page decides
     * who sees one), with whether its comments go on behind the cursor (one probe: id
     * BETWEEN 0 AND cursor, or cursor AND past the end) and its change sequence (read in the
     * same snapshot, so the page cache can keep the page without a read of its own); rows of
     * kind 1 are one keyset page of its comments (id > ? ascending, or id < ? descending), a
     * look-ahead row included.
     * The comments are read through (post_id, id), always: with a LIMIT and ORDER BY id the
     * optimizer may otherwise walk the primary key and filter on post_id, which is a scan of
     * the whole table for a post whose comments are few or far behind the cursor.
     */
    [STMT_POST_PAGE_UP] =
        "(SELECT 0, p.id, p.title, COALESCE(p.html, p.content),"
        " EXISTS(SELECT 1 FROM comment FORCE INDEX (idx_comment_post) WHERE post_id = p.id"
        " AND id BETWEEN ? AND ? AND status = 'approved'), " POST_SEQ ", " POST_SHOWN POST_FROM
        " UNION ALL (SELECT 1, c.id, NULL, c.content, 0, 0, c.status = 'held', 0, "
        "c.name, " COMMENT_TS ""
        " FROM comment c FORCE INDEX (idx_comment_post)"
        " WHERE c.post_id = ? AND c.id > ? AND " COMMENT_SHOWN " ORDER BY c.id LIMIT ?)",
    [STMT_POST_PAGE_DOWN] =
        "(SELECT 0, p.id, p.title, COALESCE(p.html, p.content),"
        " EXISTS(SELECT 1 FROM comment FORCE INDEX (idx_comment_post) WHERE post_id = p.id"
        " AND id BETWEEN ? AND ? AND status = 'approved'), " POST_SEQ ", " POST_SHOWN POST_FROM
        " UNION ALL (SELECT 1, c.id, NULL, c.content, 0, 0, c.status = 'held', 0, "
        "c.name, " COMMENT_TS ""
        " FROM comment c FORCE INDEX (idx_comment_post)"
        " WHERE c.post_id = ? AND c.id < ? AND " COMMENT_SHOWN " ORDER BY c.id DESC LIMIT ?)",
    /* The first page, most of the traffic: no probe behind the cursor (a subquery fewer to
     * optimise per execution); same columns, the probe reads as 0. */
    [STMT_POST_PAGE_FIRST] =
        "(SELECT 0, p.id, p.title, COALESCE(p.html, p.content), 0, " POST_SEQ
        ", " POST_SHOWN POST_FROM " UNION ALL (SELECT 1, c.id, NULL, c.content, 0, 0, c.status = "
        "'held', 0, c.name, " COMMENT_TS ""
        " FROM comment c FORCE INDEX (idx_comment_post)"
        " WHERE c.post_id = ? AND " COMMENT_SHOWN " ORDER BY c.id LIMIT ?)",
    /* A post a visitor may comment on. */
    [STMT_POST_EXISTS] = "SELECT id FROM post WHERE id = ? AND status = 'published'",
    [STMT_POST_GET] = "SELECT id, title, content, status = 'published', version FROM post"
                      " WHERE id = ?",
    /* published_at is set by the post_bi/post_bu triggers (sql/005) the first time a post
     * is published, and kept through later edits. */
    [STMT_POST_INSERT] = "INSERT INTO post (author_id, status, title, content, html)"
                         " VALUES (?, ?, ?, ?, ?)",
    [STMT_POST_UPDATE] = "UPDATE post SET title = ?, content = ?, html = ?, status = ?,"
                         " updated_at = NOW(6), version = version + 1"
                         " WHERE id = ? AND version = ?",
    [STMT_POST_DELETE] = "DELETE FROM post WHERE id = ?",
    /* Through idx_post_feed (status, published_at): the newest, whatever the table's size. */
    [STMT_FEED] = "SELECT p.id, p.title, COALESCE(p.html, p.content), p.html IS NULL,"
                  " COALESCE(a.name, ''), " PUBLISHED_TS ","
                  " CAST(UNIX_TIMESTAMP(p.updated_at) AS UNSIGNED) FROM post p"
                  " LEFT JOIN author a ON a.id = p.author_id WHERE p.status = 'published'"
                  " ORDER BY p.published_at DESC, p.id DESC LIMIT ?",
    [STMT_ADMIN_POSTS_BEFORE] =
        "SELECT p.id, p.title, p.status = 'published', COALESCE(a.name, ''),"
        " CAST(UNIX_TIMESTAMP(p.updated_at) AS UNSIGNED) FROM post p"
        " LEFT JOIN author a ON a.id = p.author_id WHERE p.id < ?"
        " ORDER BY p.id DESC LIMIT ?",
    [STMT_ADMIN_POSTS_AFTER] = "SELECT p.id, p.title, p.status = 'published', COALESCE(a.name, ''),"
                               " CAST(UNIX_TIMESTAMP(p.updated_at) AS UNSIGNED) FROM post p"
                               " LEFT JOIN author a ON a.id = p.author_id WHERE p.id > ?"
                               " ORDER BY p.id LIMIT ?",
    [STMT_ADMIN_ANY_LE] = "SELECT EXISTS(SELECT 1 FROM post FORCE INDEX (PRIMARY) WHERE id <= ?)",
    [STMT_ADMIN_ANY_GE] = "SELECT EXISTS(SELECT 1 FROM post FORCE INDEX (PRIMARY) WHERE id >= ?)",
    [STMT_ADMIN_COMMENTS] = "SELECT c.id, c.content, c.post_id, p.title, c.name, " COMMENT_TS ","
                            " c.status = 'held' FROM comment c"
                            " STRAIGHT_JOIN post p FORCE INDEX (PRIMARY) ON p.id = c.post_id"
                            " WHERE c.id < ? ORDER BY c.id DESC LIMIT ?",
    [STMT_ADMIN_COMMENTS_AFTER] = "SELECT c.id, c.content, c.post_id, p.title, c.name, " COMMENT_TS
                                  ", c.status = 'held' FROM comment c"
                                  " STRAIGHT_JOIN post p FORCE INDEX (PRIMARY) ON p.id = c.post_id"
                                  " WHERE c.id > ? ORDER BY c.id LIMIT ?",
    [STMT_ADMIN_COMMENT_ANY_LE] = "SELECT EXISTS(SELECT 1 FROM comment WHERE id <= ?)",
    [STMT_ADMIN_COMMENT_ANY_GE] = "SELECT EXISTS(SELECT 1 FROM comment FORCE INDEX (PRIMARY)"
                                  " WHERE id >= ?)",
    /* Walk comments in id order and look each post up by its key (STRAIGHT_JOIN, FORCE INDEX:
     * on small tables the optimizer would otherwise scan posts and sort); comments of drafts
     * are not shown, nor held ones: the walk stays on the primary key and skips them (with the
     * status in the condition the optimizer took idx_comment_status, a lookup of the primary
     * key per row: some 15% more InnoDB pages read per request of the mixed workload). */
    [STMT_LATEST_BEFORE] = "SELECT c.id, c.content, c.post_id, p.title, c.name, " COMMENT_TS ","
                           " c.status = 'held' FROM comment c FORCE INDEX (PRIMARY)"
                           " STRAIGHT_JOIN post p FORCE INDEX (PRIMARY) ON p.id = c.post_id"
                           " AND p.status = 'published' WHERE c.id < ? AND c.status = 'approved'"
                           " ORDER BY c.id DESC LIMIT ?",
    [STMT_LATEST_AFTER] = "SELECT c.id, c.content, c.post_id, p.title, c.name, " COMMENT_TS ","
                          " c.status = 'held' FROM comment c FORCE INDEX (PRIMARY)"
                          " STRAIGHT_JOIN post p FORCE INDEX (PRIMARY) ON p.id = c.post_id"
                          " AND p.status = 'published' WHERE c.id > ? AND c.status = 'approved'"
                          " ORDER BY c.id LIMIT ?",
    [STMT_COMMENT_ANY_LE] =
        "SELECT EXISTS(SELECT 1 FROM comment c FORCE INDEX (PRIMARY) JOIN post p ON p.id = "
        "c.post_id"
        " AND p.status = 'published' WHERE c.id <= ? AND c.status = 'approved')",
    [STMT_COMMENT_ANY_GE] =
        "SELECT EXISTS(SELECT 1 FROM comment c FORCE INDEX (PRIMARY) JOIN post p ON p.id = "
        "c.post_id"
        " AND p.status = 'published' WHERE c.id >= ? AND c.status = 'approved')",
    /* One round trip: the new id, and how many comments the post now has (up to a page and
     * one), to know which page shows the new comment; no row if there is no such post. The
     * count is a derived table, read before the row is inserted: a subquery evaluated in
     * RETURNING would take its (locking) reads after the triggers locked change_seq, and
     * concurrent inserts then deadlock (measured: 1-2% of POSTs at 4 workers). It counts held
     * comments too: read from idx_comment_post alone, no row looked up (with the status in
     * the condition, a lookup of the row per comment counted, up to a page of them), and a
     * count too high only sends the writer to the page of comments ending with theirs, which shows
     * it all the same. */
    [STMT_COMMENT_INSERT] = "INSERT INTO comment (content, name, owner_hash, status, request_key,"
                            " post_id) SELECT ?, ?, ?, ?, ?, id FROM post FORCE INDEX (PRIMARY)"
                            " WHERE id = ? AND status = 'published'"
                            " RETURNING id, (SELECT COUNT(*) FROM (SELECT 1 FROM comment c2"
                            " FORCE INDEX (idx_comment_post) WHERE c2.post_id = ? LIMIT ?) n)",
    /* A locking read waits for an insert still in flight, so the answer is final. */
    [STMT_COMMENT_BY_KEY] = "SELECT id FROM comment WHERE request_key = ? LOCK IN SHARE MODE",
    /* The comments of a post up to one (itself included), once every insert with a lower id is
     * settled: the locking read waits for those still in flight (READ COMMITTED would not
     * see them, and one committing later would push the new comment off the page the count
     * chose). Run after the insert's commit, so it holds nothing the triggers lock. */
    [STMT_COMMENT_RANK] = "SELECT COUNT(*) FROM comment FORCE INDEX (idx_comment_post)"
                          " WHERE post_id = ? AND id <= ? LOCK IN SHARE MODE",
    [STMT_COMMENT_POST_ID] = "SELECT post_id FROM comment WHERE id = ?",
    /* Who may delete it: its post, and the hash of its writer's secret ("" if none). */
    [STMT_COMMENT_OWNER] = "SELECT post_id, COALESCE(owner_hash, '') FROM comment WHERE id = ?",
    [STMT_COMMENT_APPROVE] =
        "UPDATE comment SET status = 'approved' WHERE id = ? AND status = 'held'",
    /* The held comments, newest first, through idx_comment_status. */
    [STMT_HELD_BEFORE] = "SELECT c.id, c.content, c.post_id, p.title, c.name, " COMMENT_TS ","
                         " c.status = 'held' FROM comment c FORCE INDEX (idx_comment_status)"
                         " STRAIGHT_JOIN post p FORCE INDEX (PRIMARY) ON p.id = c.post_id"
                         " WHERE c.status = 'held' AND c.id < ? ORDER BY c.id DESC LIMIT ?",
    [STMT_COMMENT_DELETE] = "DELETE FROM comment WHERE id = ?",
    /* /_blogd/health: the connection answers. */
    [STMT_PING] = "SELECT 1",
    [STMT_CHANGE_SEQ] = "SELECT CAST(COALESCE((SELECT seq FROM change_seq WHERE id = ?), 0)"
                        " AS UNSIGNED), CAST(COALESCE((SELECT seq FROM change_seq WHERE id = ?),"
                        " 0) AS UNSIGNED)",
    [STMT_HOST_BEAT] =
        "INSERT INTO blogd_host (id, expires_at, beat)"
        " VALUES (?, NOW(6) + INTERVAL ? MICROSECOND, ?)"
        " ON DUPLICATE KEY UPDATE expires_at = VALUES(expires_at), beat = VALUES(beat)",
    /* On a replica: the newest beat of this host it has applied (sql/007). */
    [STMT_BEAT_SEEN] = "SELECT COALESCE((SELECT beat FROM blogd_host WHERE id = ?), 0)",
    /* On a replica: 1 once it has applied the visitor's write, 0 after ? ms without it. */
    [STMT_GTID_WAIT] = "SELECT COALESCE(MASTER_GTID_WAIT(CAST(? AS CHAR), ? / 1000) = 0, 0)",
    /* On the primary, after a write that returned rows. */
    [STMT_LAST_GTID] = "SELECT @@last_gtid",
    [STMT_HOST_PEEK] =
        "SELECT (SELECT COUNT(*) FROM blogd_host WHERE id <> ? AND expires_at > NOW(6)),"
        " CAST(COALESCE((SELECT seq FROM change_seq WHERE id = 2), 0) AS UNSIGNED)",
    [STMT_HOST_LEAVE] = "DELETE FROM blogd_host WHERE id = ?",
    [STMT_AUTHOR_BY_NAME] = "SELECT id, name, pass_hash FROM author WHERE name = ?",
    [STMT_AUTHOR_SET_HASH] = "UPDATE author SET pass_hash = ? WHERE id = ?",
    [STMT_AUTHOR_INSERT] = "INSERT INTO author (name, pass_hash) VALUES (?, ?)",
    [STMT_AUTHOR_LIST] = "SELECT a.id, a.name, CAST(UNIX_TIMESTAMP(a.created_at) AS UNSIGNED),"
                         " (SELECT COUNT(*) FROM post p WHERE p.author_id = a.id),"
                         " (SELECT COUNT(*) FROM session s WHERE s.author_id = a.id),"
                         " a.pass_hash <> '' FROM author a ORDER BY a.id",
    [STMT_AUTHOR_DELETE] = "DELETE FROM author WHERE id = ?",
    [STMT_AUTHOR_REASSIGN] = "UPDATE post SET author_id = ? WHERE author_id = ?",
    [STMT_AUTHOR_POST_COUNT] = "SELECT COUNT(*) FROM post WHERE author_id = ?",
    [STMT_SESSION_INSERT] = "INSERT INTO session (id_hash, author_id, created_at, last_seen)"
                            " VALUES (?, ?, NOW(6), NOW(6))",
    /* A session within both its idle and its absolute limit, and how long it has been idle. */
    [STMT_SESSION_GET] = "SELECT s.author_id, a.name,"
                         " CAST(TIMESTAMPDIFF(SECOND, s.last_seen, NOW(6)) AS UNSIGNED)"
                         " FROM session s JOIN author a ON a.id = s.author_id"
                         " WHERE s.id_hash = ? AND s.last_seen > NOW(6) - INTERVAL ? SECOND"
                         " AND s.created_at > NOW(6) - INTERVAL ? SECOND",
    [STMT_SESSION_TOUCH] = "UPDATE session SET last_seen = NOW(6) WHERE id_hash = ?",
    [STMT_SESSION_DELETE] = "DELETE FROM session WHERE id_hash = ?",
    [STMT_SESSION_PURGE] = "DELETE FROM session WHERE last_seen < NOW(6) - INTERVAL ? SECOND"
                           " OR created_at < NOW(6) - INTERVAL ? SECOND LIMIT 100",
    [STMT_SESSION_END_ALL] = "DELETE FROM session WHERE author_id = ?",
    /* Seconds until a subject has fewer than the limit of failures in the window (the limit-th
     * newest leaves it), for the account and the address at once; 0: not locked. */
    [STMT_LOGIN_WAIT] = "SELECT CAST(GREATEST(0, COALESCE((" LOGIN_NTH_FAILURE "), 0),"
                        " COALESCE((" LOGIN_NTH_FAILURE "), 0)) AS UNSIGNED)",
    [STMT_LOGIN_FAIL] = "INSERT INTO login_failure (subject, at) VALUES (?, NOW(6)), (?, NOW(6))",
    [STMT_LOGIN_FORGET] = "DELETE FROM login_failure WHERE subject = ?",
    [STMT_LOGIN_PURGE] =
        "DELETE FROM login_failure WHERE at < NOW(6) - INTERVAL ? SECOND LIMIT 1000",
};

struct column {
        enum db_type type;
        unsigned long long ival;
        char *text;
        unsigned long cap;    /* bytes allocated; bound as cap - 1 (room for the NUL) */
        unsigned long length; /* the value's whole length, as the client reports it */
        my_bool is_null;
        my_bool error;
};

struct stmt {
        MYSQL_STMT *handle;
        unsigned ncols;
        struct column cols[DB_MAX_COLS];
        MYSQL_BIND binds[DB_MAX_COLS];
};

/* After a slow failed connect, requests answer 503 at once for this long instead of each
 * waiting for the connect timeout again. */
#define DB_RETRY_NS (250 * CLOCK_NS_PER_MS)
#define DB_SLOW_CONNECT_NS (20 * CLOCK_NS_PER_MS)

/* One server's connection and its statements. */
struct conn {
        MYSQL *mysql;
        struct stmt stmts[STMT_COUNT];
        uint64_t retry_at; /* clock_now_ns() before which a connect is not tried again */
        bool down;         /* the last connect failed: log the outage once, and its end */
        char name[32];     /* "primary", "replica 1" */
};

static struct {
        const struct config *cfg;
        struct serverlist replicas;
        struct conn conns[DB_SERVERS]; /* DB_PRIMARY, then the replicas */
        size_t nconns;
        unsigned reader;        /* the server this request's reads go to */
        bool fallback;          /* they may go to another if it is unreachable */
        bool moved;             /* ... and did */
        bool deadlocked;        /* the last statement was chosen as a deadlock victim */
        uint64_t turn;          /* spreads reads over the replicas */
        char gtid[DB_GTID_MAX]; /* the GTID of this request's last write; "" if none */
} db;

bool db_library_init(void)
{
        return mysql_library_init(0, NULL, NULL) == 0;
}

void db_library_end(void)
{
        mysql_library_end();
}

void db_init(const struct config *cfg)
{
        char err[200];
        db.cfg = cfg;
        /* config_load checked the list already. */
        if (!serverlist_parse(cfg->db_replicas, (unsigned)cfg->db_port, &db.replicas, err,
                              sizeof(err)))
                db.replicas.count = 0;
        db.nconns = 1 + db.replicas.count;
        for (size_t i = 0; i < db.nconns; i++) {
                if (i == DB_PRIMARY)
                        snprintf(db.conns[i].name, sizeof(db.conns[i].name), "primary");
                else
                        snprintf(db.conns[i].name, sizeof(db.conns[i].name), "replica %zu", i);
        }
        db_route_reset();
}

size_t db_replica_count(void)
{
        return db.replicas.count;
}

const char *db_stmt_sql(enum db_stmt_id id)
{
        return stmt_sql[id];
}

static void stmt_release(struct stmt *s)
{
        if (s->handle)
                mysql_stmt_close(s->handle);
        for (unsigned i = 0; i < DB_MAX_COLS; i++)
                free(s->cols[i].text);
        memset(s, 0, sizeof(*s));
}

static void conn_close(struct conn *c)
{
        for (int i = 0; i < STMT_COUNT; i++)
                stmt_release(&c->stmts[i]);
        if (c->mysql)
                mysql_close(c->mysql);
        c->mysql = NULL;
}

void db_close(void)
{
        for (size_t i = 0; i < DB_SERVERS; i++)
                conn_close(&db.conns[i]);
}

static void bind_column(struct stmt *s, unsigned i)
{
        struct column *c = &s->cols[i];
        MYSQL_BIND *b = &s->binds[i];
        memset(b, 0, sizeof(*b));
        b->length = &c->length;
        b->is_null = &c->is_null;
        b->error = &c->error;
        if (c->type == DB_INT) {
                b->buffer_type = MYSQL_TYPE_LONGLONG;
                b->buffer = &c->ival;
                b->is_unsigned = 1;
        } else {
                b->buffer_type = MYSQL_TYPE_STRING;
                b->buffer = c->text;
                b->buffer_length = c->cap ? c->cap - 1 : 0;
        }
}

/* Whether a text column's value and its NUL fit the buffer (a NULL holds nothing). */
static bool text_whole(const struct column *c)
{
        return c->is_null || c->length < c->cap;
}

static bool text_resize(struct column *c, unsigned long cap)
{
        char *p = realloc(c->text, cap);
        if (!p)
                return false;
        c->text = p;
        c->cap = cap;
        return true;
}

/* Binds a buffer to every result column, from the statement's result metadata. */
static bool stmt_bind_results(struct stmt *s)
{
        MYSQL_RES *meta = mysql_stmt_result_metadata(s->handle);
        if (!meta)
                return true; /* no result set: INSERT/DELETE */
        unsigned n = mysql_num_fields(meta);
        MYSQL_FIELD *fields = mysql_fetch_fields(meta);
        bool ok = n <= DB_MAX_COLS;
        for (unsigned i = 0; ok && i < n; i++) {
                switch (fields[i].type) {
                case MYSQL_TYPE_TINY:
                case MYSQL_TYPE_SHORT:
                case MYSQL_TYPE_LONG:
                case MYSQL_TYPE_INT24:
                case MYSQL_TYPE_LONGLONG:
                        s->cols[i].type = DB_INT;
                        break;
                case MYSQL_TYPE_DECIMAL:
                case MYSQL_TYPE_NEWDECIMAL:
                        /* Whole-number expressions (a UNION of BIGINT and 0, COALESCE) come back
                         * as DECIMAL: the client converts them into the integer buffer. */
                        if (fields[i].decimals == 0) {
                                s->cols[i].type = DB_INT;
                                break;
                        }
                        /* fall through */
                default:
                        s->cols[i].type = DB_TEXT;
                        ok = s->cols[i].text || text_resize(&s->cols[i], DB_TEXT_INITIAL);
                        break;
                }
                bind_column(s, i);
        }
        mysql_free_result(meta);
        ok = ok && mysql_stmt_bind_result(s->handle, s->binds) == 0;
        /* A statement left half bound must not be fetched into: no columns, so the next run
         * (INSERT ... RETURNING) binds it again. */
        s->ncols = ok ? n : 0;
        return ok;
}

static bool stmt_prepare(struct conn *c, struct stmt *s, const char *sql)
{
        s->handle = mysql_stmt_init(c->mysql);
        if (!s->handle)
                return false;
        if (mysql_stmt_prepare(s->handle, sql, strlen(sql)) != 0) {
                /* Once per outage, as a failed connect is (the watcher retries 10 times a
                 * second). */
                if (!c->down)
                        log_error("prepare failed on the %s: %s: %s", c->name,
                                  mysql_stmt_error(s->handle), sql);
                return false;
        }
        return stmt_bind_results(s);
}

static bool connection_lost(unsigned err);

/* Whether a statement only reads (SELECT, or a UNION of SELECTs in parentheses). */
static bool stmt_reads(const char *sql)
{
        return strncmp(sql, "SELECT", 6) == 0 || strncmp(sql, "(SELECT", 7) == 0;
}

/* Marks blogd's own changes (the triggers count every other session's in change_seq 2); with
 * replicas, the primary reports each write's GTID in its answer (session tracking). */
#define DB_INIT                                                                                    \
        "SET @blogd_writer = 1, SESSION tx_isolation = 'READ-COMMITTED', time_zone = '+00:00'"
#define DB_INIT_TRACKED DB_INIT ", SESSION session_track_system_variables = 'last_gtid'"

/* 1: connected and prepared; 0: refused or failed; -1: the connection was lost (killed,
 * server gone) while the statements were being prepared, worth one more try at once. */
static int connect_once(struct conn *c)
{
        const struct config *cfg = db.cfg;
        size_t index = (size_t)(c - db.conns);
        conn_close(c);
        c->mysql = mysql_init(NULL);
        if (!c->mysql)
                return 0;
        unsigned ct = (unsigned)cfg->db_connect_timeout, rt = (unsigned)cfg->db_read_timeout,
                 wt = (unsigned)cfg->db_write_timeout;
        my_bool reconnect = 0; /* never silently: our statements would be gone */
        mysql_options(c->mysql, MYSQL_SET_CHARSET_NAME, "utf8mb4");
        mysql_options(c->mysql, MYSQL_OPT_CONNECT_TIMEOUT, &ct);
        mysql_options(c->mysql, MYSQL_OPT_READ_TIMEOUT, &rt);
        mysql_options(c->mysql, MYSQL_OPT_WRITE_TIMEOUT, &wt);
        mysql_options(c->mysql, MYSQL_OPT_RECONNECT, &reconnect);
        bool tracked = index == DB_PRIMARY && db.replicas.count > 0;
        mysql_options(c->mysql, MYSQL_INIT_COMMAND, tracked ? DB_INIT_TRACKED : DB_INIT);
        const char *host = cfg->db_host, *sock = cfg->db_socket[0] ? cfg->db_socket : NULL;
        unsigned port = (unsigned)cfg->db_port;
        if (index != DB_PRIMARY) {
                const struct server *r = &db.replicas.server[index - 1];
                host = r->socket[0] ? "localhost" : r->host;
                sock = r->socket[0] ? r->socket : NULL;
                port = r->port;
        }
        if (!mysql_real_connect(c->mysql, host, cfg->db_user, cfg->db_password, cfg->db_name, port,
                                sock, 0)) {
                metrics_db_error();
                if (!c->down)
                        log_error("database connect to the %s failed: %s", c->name,
                                  mysql_error(c->mysql));
                else
                        log_debug("database connect to the %s failed: %s", c->name,
                                  mysql_error(c->mysql));
                c->down = true;
                conn_close(c);
                return 0;
        }
        for (int i = 0; i < STMT_COUNT; i++) {
                /* A replica is only read from (blogd's account may only SELECT there). */
                if (index != DB_PRIMARY && !stmt_reads(stmt_sql[i]))
                        continue;
                if (!stmt_prepare(c, &c->stmts[i], stmt_sql[i])) {
                        /* The error is the statement's, or (a lost link) the connection's. */
                        MYSQL_STMT *h = c->stmts[i].handle;
                        unsigned err =
                            h && mysql_stmt_errno(h) ? mysql_stmt_errno(h) : mysql_errno(c->mysql);
                        if (!c->down)
                                log_error("database prepare failed on the %s: %s", c->name,
                                          mysql_error(c->mysql));
                        bool gone = connection_lost(err);
                        c->down = c->down || !gone;
                        conn_close(c);
                        return gone ? -1 : 0;
                }
        }
        log_info("database %s %s, statements prepared", c->name,
                 c->down ? "reconnected" : "connected");
        if (c->down)
                metrics_db_reconnect();
        c->down = false;
        return 1;
}

static bool conn_connect(struct conn *c)
{
        /* A connection killed while it was being set up (KILL CONNECTION of every blogd
         * session, a server restart) is made again at once, not answered with a 503. */
        for (int attempt = 0; attempt < 2; attempt++) {
                int rc = connect_once(c);
                if (rc >= 0)
                        return rc == 1;
                log_warn("database connection to the %s lost while preparing; connecting again",
                         c->name);
        }
        return false;
}

bool db_connect(void)
{
        return conn_connect(&db.conns[DB_PRIMARY]);
}

/* Errors after which the connection and its statements are gone. */
static bool connection_lost(unsigned err)
{
        switch (err) {
        case CR_SERVER_GONE_ERROR:
        case CR_SERVER_LOST:
        case CR_SERVER_LOST_EXTENDED:
        case CR_CONNECTION_ERROR:
        case ER_CONNECTION_KILLED:
        case ER_SERVER_SHUTDOWN:
        case ER_UNKNOWN_STMT_HANDLER:
                return true;
        default:
                return false;
        }
}

/* The error of a statement; one raised while its rows stream (INSERT ... RETURNING) is only
 * on the connection. */
static unsigned stmt_errno(struct conn *c, struct stmt *s, const char **msg)
{
        unsigned err = mysql_stmt_errno(s->handle);
        *msg = mysql_stmt_error(s->handle);
        if (err == 0 && c->mysql) {
                err = mysql_errno(c->mysql);
                *msg = mysql_error(c->mysql);
        }
        return err;
}

static enum db_status fail(struct conn *c, struct stmt *s, const char *what)
{
        const char *msg;
        unsigned err = stmt_errno(c, s, &msg);
        if (err == ER_NO_REFERENCED_ROW_2 || err == ER_NO_REFERENCED_ROW)
                return DB_NO_PARENT; /* the caller's answer (404), not an error of ours */
        if (err == ER_DUP_ENTRY)
                return DB_DUPLICATE; /* the caller's answer too */
        if (err == ER_LOCK_DEADLOCK) {
                /* InnoDB rolled the whole statement back: nothing was stored, run it again. */
                log_warn("database %s: deadlock, the statement is run again", what);
                metrics_db_error();
                db.deadlocked = true;
                return DB_ERROR;
        }
        log_error("database %s on the %s failed (%u): %s", what, c->name, err, msg);
        metrics_db_error();
        if (connection_lost(err)) {
                conn_close(c);
                return DB_UNAVAILABLE;
        }
        return DB_ERROR;
}

static bool bind_params(struct stmt *s, const struct db_value *params, size_t n)
{
        MYSQL_BIND b[DB_MAX_PARAMS];
        if (n > DB_MAX_PARAMS || n != mysql_stmt_param_count(s->handle))
                return false;
        memset(b, 0, sizeof(b));
        for (size_t i = 0; i < n; i++) {
                if (params[i].type == DB_NULL) {
                        b[i].buffer_type = MYSQL_TYPE_NULL;
                } else if (params[i].type == DB_INT) {
                        b[i].buffer_type = MYSQL_TYPE_LONGLONG;
                        b[i].buffer = (void *)&params[i].i;
                        b[i].is_unsigned = 1;
                } else {
                        /* No length pointer: for input, buffer_length is the value's length. */
                        b[i].buffer_type = MYSQL_TYPE_STRING;
                        b[i].buffer = (void *)params[i].s;
                        b[i].buffer_length = (unsigned long)params[i].len;
                }
        }
        /* The binds are copied now; the values they point to are read by the execute that the
         * caller runs while params is still alive. */
        return mysql_stmt_bind_param(s->handle, b) == 0;
}

/*
 * Grows the buffer of every text column whose value did not fit with its NUL to length + 1
 * and fetches that column again, whole. Truncation is judged by the length against the
 * buffer, the rule the row is then read with, not by the fetch's return code. True when
 * every text column of the row is whole.
 */
static bool refetch_truncated(struct stmt *s)
{
        bool ok = true, rebind = false;
        for (unsigned i = 0; ok && i < s->ncols; i++) {
                struct column *c = &s->cols[i];
                if (c->type != DB_TEXT || text_whole(c))
                        continue;
                if (c->length > 0x7ffffffeUL || !text_resize(c, c->length + 1)) {
                        ok = false;
                        break;
                }
                bind_column(s, i);
                rebind = true;
                ok = mysql_stmt_fetch_column(s->handle, &s->binds[i], i, 0) == 0 && !c->error &&
                     text_whole(c);
        }
        /* The client keeps its own copy of the binds: even after a failure (the rest of the
         * result is then drained into them), none may point at a buffer realloc moved. */
        if (rebind && mysql_stmt_bind_result(s->handle, s->binds) != 0)
                ok = false;
        return ok;
}

/* Gives back what grew past DB_TEXT_KEEP for one long value; bind_column binds the smaller
 * buffer as cap - 1 again, so the invariant holds for the next query. */
static void shrink_buffers(struct stmt *s)
{
        bool rebind = false;
        for (unsigned i = 0; i < s->ncols; i++) {
                struct column *c = &s->cols[i];
                if (c->type == DB_TEXT && c->cap > DB_TEXT_KEEP &&
                    text_resize(c, DB_TEXT_INITIAL)) {
                        bind_column(s, i);
                        rebind = true;
                }
        }
        if (rebind)
                mysql_stmt_bind_result(s->handle, s->binds);
}

/*
 * An idle connection never has anything to read: if its socket is readable, the server has
 * closed it or sent an error (KILL CONNECTION, wait_timeout, shutdown). Found this way, for
 * the price of one poll(), it is re-made before a statement is sent, so even a write never
 * meets a dead connection it would have to guess about.
 */
static bool connection_dead(struct conn *c)
{
        struct pollfd p = {(int)mysql_get_socket(c->mysql), POLLIN, 0};
        return p.fd < 0 || poll(&p, 1, 0) != 0;
}

static bool ensure_connected(struct conn *c)
{
        if (c->mysql && connection_dead(c)) {
                log_warn("database connection to the %s was closed by the server; reconnecting",
                         c->name);
                conn_close(c);
        }
        if (c->mysql)
                return true;
        uint64_t now = clock_now_ns();
        if (now < c->retry_at)
                return false;
        if (conn_connect(c))
                return true;
        /* A refusal that came at once (a local socket with no server) costs nothing to try
         * again, so the next request does: blogd answers 200 as soon as MariaDB is back. Only
         * a slow failure (a connect timeout) makes requests skip the attempt for a while. */
        if (clock_now_ns() - now >= DB_SLOW_CONNECT_NS)
                c->retry_at = now + DB_RETRY_NS;
        return false;
}

bool db_ready(void)
{
        return ensure_connected(&db.conns[db.reader]);
}

/* --- Where reads go --------------------------------------------------------------------- */

void db_route_reset(void)
{
        db.reader = DB_PRIMARY;
        db.fallback = db.replicas.count > 0;
        db.moved = false;
        db.gtid[0] = '\0';
}

void db_route_server(unsigned server)
{
        db.reader = server < db.nconns ? server : DB_PRIMARY;
        db.fallback = false;
}

unsigned db_read_server(void)
{
        return db.reader;
}

bool db_reads_moved(void)
{
        return db.moved;
}

const char *db_request_gtid(void)
{
        return db.gtid;
}

/* The next server to read from once `tried` (a bit per server) failed: the primary (it has
 * every write), unless the blog is read-only; then a replica, the freshest first. */
static int next_reader(unsigned tried)
{
        if (!(tried & 1u << DB_PRIMARY) && !replicas_read_only())
                return DB_PRIMARY;
        struct replica_view v[SERVERLIST_MAX];
        size_t n = db.replicas.count;
        for (size_t i = 0; i < n; i++) {
                replicas_view(i, &v[i]);
                if (tried & 1u << (i + 1))
                        v[i].reachable = false;
        }
        int r = replicas_choose(v, n, 0, true, clock_now_ns(), 0);
        if (r >= 0)
                return r + 1;
        return tried & 1u << DB_PRIMARY ? -1 : (int)DB_PRIMARY;
}

/* --- Running statements ------------------------------------------------------------------ */

/* For a write, losing the connection before its answer leaves the outcome unknown. */
static enum db_status lost(struct conn *c, struct stmt *s, const char *what, bool write)
{
        const char *msg;
        unsigned err = stmt_errno(c, s, &msg);
        enum db_status st = fail(c, s, what);
        return write && st == DB_UNAVAILABLE && err == CR_SERVER_LOST ? DB_IN_DOUBT : st;
}

static enum db_status run_query(struct conn *c, enum db_stmt_id id, const struct db_value *params,
                                size_t nparams, db_row_fn fn, void *ctx, bool *started, bool write)
{
        struct stmt *s = &c->stmts[id];
        if (!s->handle) {
                log_error("statement %d is not prepared on the %s", (int)id, c->name);
                return DB_ERROR;
        }
        if (!bind_params(s, params, nparams))
                return fail(c, s, "bind");
        if (mysql_stmt_execute(s->handle) != 0)
                return lost(c, s, "execute", write);
        *started = true;
        /* INSERT ... RETURNING describes its columns only once executed. */
        if (s->ncols == 0 && mysql_stmt_field_count(s->handle) > 0 && !stmt_bind_results(s)) {
                mysql_stmt_free_result(s->handle);
                return fail(c, s, "bind result");
        }
        struct db_value row[DB_MAX_COLS];
        bool want = true;
        enum db_status st = DB_OK;
        for (;;) {
                int rc = mysql_stmt_fetch(s->handle);
                if (rc == MYSQL_NO_DATA)
                        break;
                if (rc == 1) {
                        st = lost(c, s, "fetch", write);
                        break;
                }
                if (!want)
                        continue; /* drain: an unbuffered result must be read to the end */
                /* Whatever rc says (MYSQL_DATA_TRUNCATED, or 0 when the client does not report
                 * truncation), a value is read only once it and its NUL are in the buffer. */
                if (!refetch_truncated(s)) {
                        log_error("database fetch of a long value failed");
                        st = DB_ERROR;
                        want = false;
                        continue;
                }
                for (unsigned i = 0; i < s->ncols; i++) {
                        struct column *col = &s->cols[i];
                        if (col->type == DB_INT) {
                                row[i] = DB_INT_VALUE(col->is_null ? 0 : col->ival);
                        } else {
                                /* In bounds: refetch_truncated made length < cap. */
                                size_t len = col->is_null ? 0 : col->length;
                                col->text[len] = '\0';
                                row[i] = DB_TEXT_VALUE(col->text, len);
                        }
                }
                want = fn(ctx, row, s->ncols);
        }
        if (c->mysql) {
                mysql_stmt_free_result(s->handle);
                shrink_buffers(s);
        }
        return st;
}

/* The scoreboard shows a worker waiting on the database for as long as a call takes. */
static enum score_phase enter_database(void)
{
        enum score_phase was = score_current_phase();
        score_phase(SCORE_DATABASE);
        return was;
}

/* A read on one server, retried once on a new connection if no row reached the caller. */
static enum db_status query_on(struct conn *c, enum db_stmt_id id, const struct db_value *params,
                               size_t nparams, db_row_fn fn, void *ctx, bool *started)
{
        for (int attempt = 0; attempt < 2; attempt++) {
                if (!ensure_connected(c))
                        return DB_UNAVAILABLE;
                enum db_status st = run_query(c, id, params, nparams, fn, ctx, started, false);
                if (st != DB_UNAVAILABLE || *started)
                        return st;
                log_warn("database connection to the %s lost; reconnecting to retry a read",
                         c->name);
        }
        return DB_UNAVAILABLE;
}

static enum db_status query_rows(enum db_stmt_id id, const struct db_value *params, size_t nparams,
                                 db_row_fn fn, void *ctx)
{
        unsigned tried = 0;
        for (;;) {
                bool started = false;
                enum db_status st =
                    query_on(&db.conns[db.reader], id, params, nparams, fn, ctx, &started);
                if (st != DB_UNAVAILABLE || started || !db.fallback)
                        return st;
                /* The server is unreachable: the rest of the request reads elsewhere. */
                tried |= 1u << db.reader;
                int next = next_reader(tried);
                if (next < 0)
                        return st;
                log_warn("reads move from the %s to the %s", db.conns[db.reader].name,
                         db.conns[next].name);
                db.reader = (unsigned)next;
                db.moved = true;
        }
}

/* A write chosen as a deadlock victim was rolled back whole, so it is run again (a few
 * times); still deadlocked after that, the client is asked to retry (503). */
#define DB_DEADLOCK_TRIES 4

enum db_status db_query(enum db_stmt_id id, const struct db_value *params, size_t nparams,
                        db_row_fn fn, void *ctx)
{
        enum score_phase was = enter_database();
        enum db_status st = query_rows(id, params, nparams, fn, ctx);
        score_phase(was);
        return st;
}

/* Whether this request may write: not once its reads fell over from the primary to a replica
 * (the primary was unreachable), so no write is decided on data older than the primary's. */
static bool may_write(void)
{
        if (!db.moved || db.reader == DB_PRIMARY)
                return true;
        log_warn("a write refused: this request read from the %s", db.conns[db.reader].name);
        return false;
}

/* After a write the primary confirmed: a write in doubt keeps the request's reads on the
 * primary (what it finds out must be the primary's answer). */
static void after_write(enum db_status st)
{
        if (st == DB_IN_DOUBT)
                db.fallback = false;
}

/* The write's GTID, as the primary reported it in its answer (session tracking): set only
 * by a statement that changed something. */
static void take_tracked_gtid(struct conn *c)
{
        const char *data;
        size_t len;
        bool name = true, want = false;
        if (mysql_session_track_get_first(c->mysql, SESSION_TRACK_SYSTEM_VARIABLES, &data, &len))
                return;
        do {
                if (name)
                        want = len == 9 && memcmp(data, "last_gtid", 9) == 0;
                else if (want && len > 0 && len < sizeof(db.gtid)) {
                        memcpy(db.gtid, data, len);
                        db.gtid[len] = '\0';
                }
                name = !name;
        } while (mysql_session_track_get_next(c->mysql, SESSION_TRACK_SYSTEM_VARIABLES, &data,
                                              &len) == 0);
}

static bool take_gtid_row(void *ctx, const struct db_value *col, size_t ncols)
{
        (void)ctx;
        if (ncols == 1 && col[0].type == DB_TEXT && col[0].len > 0 &&
            col[0].len < sizeof(db.gtid)) {
                memcpy(db.gtid, col[0].s, col[0].len);
                db.gtid[col[0].len] = '\0';
        }
        return false;
}

/* A write that returned rows leaves no GTID in the answer the client reads (the tracking of
 * the result's end is not reported): it is asked for, once. */
static void ask_gtid(struct conn *c)
{
        bool started = false;
        if (run_query(c, STMT_LAST_GTID, NULL, 0, take_gtid_row, NULL, &started, false) != DB_OK)
                log_warn("the GTID of a write is unknown: its writer's next pages come from the "
                         "primary");
}

static enum db_status write_rows(enum db_stmt_id id, const struct db_value *params, size_t nparams,
                                 db_row_fn fn, void *ctx)
{
        struct conn *c = &db.conns[DB_PRIMARY];
        if (!may_write())
                return DB_UNAVAILABLE;
        for (int attempt = 0; attempt < DB_DEADLOCK_TRIES; attempt++) {
                if (!ensure_connected(c))
                        return DB_UNAVAILABLE;
                bool started = false;
                db.deadlocked = false;
                enum db_status st = run_query(c, id, params, nparams, fn, ctx, &started, true);
                if (db.deadlocked)
                        continue;
                after_write(st);
                if (st == DB_OK && db.replicas.count > 0) {
                        db.gtid[0] = '\0';
                        ask_gtid(c);
                        if (!db.gtid[0])
                                snprintf(db.gtid, sizeof(db.gtid), "%s", DB_GTID_UNKNOWN);
                }
                return st;
        }
        return DB_UNAVAILABLE;
}

enum db_status db_write(enum db_stmt_id id, const struct db_value *params, size_t nparams,
                        db_row_fn fn, void *ctx)
{
        enum score_phase was = enter_database();
        enum db_status st = write_rows(id, params, nparams, fn, ctx);
        score_phase(was);
        return st;
}

struct ints {
        uint64_t *out;
        size_t n;
        bool *found;
        bool bad;
};

static bool take_ints(void *ctx, const struct db_value *col, size_t ncols)
{
        struct ints *r = ctx;
        r->bad = ncols != r->n;
        for (size_t i = 0; i < ncols && !r->bad; i++)
                r->bad = col[i].type != DB_INT;
        if (!r->bad) {
                for (size_t i = 0; i < ncols; i++)
                        r->out[i] = col[i].i;
                *r->found = true;
        }
        return false;
}

static enum db_status ints_result(enum db_status st, const struct ints *r, enum db_stmt_id id)
{
        if (st == DB_OK && r->bad) {
                log_error("statement %d did not return %zu integers", (int)id, r->n);
                return DB_ERROR;
        }
        return st;
}

enum db_status db_query_ints(enum db_stmt_id id, const struct db_value *params, size_t nparams,
                             uint64_t *out, size_t n, bool *found)
{
        struct ints r = {out, n, found, false};
        *found = false;
        return ints_result(db_query(id, params, nparams, take_ints, &r), &r, id);
}

enum db_status db_write_ints(enum db_stmt_id id, const struct db_value *params, size_t nparams,
                             uint64_t *out, size_t n, bool *found)
{
        struct ints r = {out, n, found, false};
        *found = false;
        return ints_result(db_write(id, params, nparams, take_ints, &r), &r, id);
}

static enum db_status exec_once(struct conn *c, enum db_stmt_id id, const struct db_value *params,
                                size_t nparams, uint64_t *affected_rows, uint64_t *insert_id)
{
        struct stmt *s = &c->stmts[id];
        if (!bind_params(s, params, nparams))
                return fail(c, s, "bind");
        if (mysql_stmt_execute(s->handle) != 0)
                return lost(c, s, "execute", true);
        uint64_t n = mysql_stmt_affected_rows(s->handle);
        if (affected_rows)
                *affected_rows = n;
        if (insert_id)
                *insert_id = mysql_stmt_insert_id(s->handle);
        if (n > 0 && n != (uint64_t)-1 && db.replicas.count > 0)
                take_tracked_gtid(c);
        return DB_OK;
}

enum db_status db_exec(enum db_stmt_id id, const struct db_value *params, size_t nparams,
                       uint64_t *affected_rows, uint64_t *insert_id)
{
        enum score_phase was = enter_database();
        enum db_status st = DB_UNAVAILABLE;
        struct conn *c = &db.conns[DB_PRIMARY];
        for (int attempt = 0; attempt < DB_DEADLOCK_TRIES && may_write(); attempt++) {
                if (!ensure_connected(c))
                        break;
                db.deadlocked = false;
                st = exec_once(c, id, params, nparams, affected_rows, insert_id);
                if (!db.deadlocked)
                        break;
                st = DB_UNAVAILABLE;
        }
        after_write(st);
        score_phase(was);
        return st;
}

/* --- Replicas ---------------------------------------------------------------------------- */

bool db_route_replica(const char *gtid, uint64_t max_lag_ns, uint64_t wait_ms, int *waited)
{
        *waited = 0;
        db.reader = DB_PRIMARY;
        int r = replicas_pick((size_t)db.turn++, max_lag_ns);
        if (r < 0)
                return false;
        unsigned server = (unsigned)r + 1;
        bool read_only = replicas_read_only();
        if (gtid && gtid[0]) {
                /* The visitor wrote moments ago: this replica serves them once it has the
                 * write, else the primary does (while there is one). */
                if (wait_ms == 0 || strcmp(gtid, DB_GTID_UNKNOWN) == 0) {
                        if (!read_only)
                                return false;
                } else {
                        struct db_value p[2] = {DB_TEXT_VALUE(gtid, strlen(gtid)),
                                                DB_INT_VALUE(wait_ms)};
                        uint64_t ok = 0;
                        bool found = false;
                        db.reader = server;
                        db.fallback = false;
                        enum db_status st = db_query_ints(STMT_GTID_WAIT, p, 2, &ok, 1, &found);
                        db.fallback = true;
                        *waited = st == DB_OK && found && ok == 1 ? 1 : -1;
                        if (*waited < 0 && !read_only) {
                                db.reader = DB_PRIMARY;
                                return false;
                        }
                }
        }
        db.reader = server;
        return true;
}

enum db_status db_query_ints_on(unsigned server, enum db_stmt_id id, const struct db_value *params,
                                size_t nparams, uint64_t *out, size_t n, bool *found)
{
        unsigned was = db.reader;
        bool fallback = db.fallback;
        db_route_server(server);
        enum db_status st = db_query_ints(id, params, nparams, out, n, found);
        db.reader = was;
        db.fallback = fallback;
        return st;
}
