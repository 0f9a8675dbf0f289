/* db: a worker's MariaDB connections (the primary, each replica), their prepared statements,
 * reconnect, routing of reads and typed fetch. */
#ifndef BLOGD_DB_H
#define BLOGD_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/config.h"
#include "core/serverlist.h"

/*
 * Every statement blogd runs; all are prepared once per connection. Lists are read a page
 * at a time by keyset (id > ? / id < ? on an index, LIMIT ?), so a page costs the same
 * whatever the size of the tables. "LE"/"GE" probes tell whether a list goes on past a cursor.
 */
enum db_stmt_id {
        STMT_POST_PAGE_AFTER, /* index, oldest first */
        STMT_POST_PAGE_BEFORE,
        STMT_POST_ANY_LE,
        STMT_POST_ANY_GE,
        STMT_POST_PAGE_UP, /* a post with a page of its comments, in one round trip */
        STMT_POST_PAGE_DOWN,
        STMT_POST_PAGE_FIRST, /* the same without a cursor: nothing can come before it */
        STMT_POST_EXISTS,
        STMT_POST_GET, /* one post as the editor shows it (drafts too) */
        STMT_POST_INSERT,
        STMT_POST_UPDATE,        /* only over the version the editor read */
        STMT_POST_DELETE,        /* its comments go with it (ON DELETE CASCADE) */
        STMT_FEED,               /* the newest published posts */
        STMT_ADMIN_POSTS_BEFORE, /* every post, drafts too, newest first */
        STMT_ADMIN_POSTS_AFTER,
        STMT_ADMIN_ANY_LE,
        STMT_ADMIN_ANY_GE,
        STMT_ADMIN_COMMENTS, /* every comment (drafts', held ones), newest first */
        STMT_ADMIN_COMMENTS_AFTER,
        STMT_ADMIN_COMMENT_ANY_LE,
        STMT_ADMIN_COMMENT_ANY_GE,
        STMT_LATEST_BEFORE, /* all comments, newest first, with their post */
        STMT_LATEST_AFTER,
        STMT_COMMENT_ANY_LE,
        STMT_COMMENT_ANY_GE,
        STMT_COMMENT_INSERT,
        STMT_COMMENT_BY_KEY, /* did an insert whose answer was lost commit? */
        STMT_COMMENT_RANK,   /* where a new comment stands in its post's thread */
        STMT_COMMENT_POST_ID,
        STMT_COMMENT_OWNER,
        STMT_COMMENT_APPROVE,
        STMT_HELD_BEFORE, /* the held comments, newest first (/admin/comments) */
        STMT_COMMENT_DELETE,
        STMT_PING,       /* SELECT 1 */
        STMT_CHANGE_SEQ, /* the change sequence the page cache validates against */
        STMT_HOST_BEAT,  /* this host is alive (src/heartbeat.c) */
        STMT_HOST_PEEK,  /* other live hosts, and the count of changes made outside blogd */
        STMT_HOST_LEAVE,
        STMT_BEAT_SEEN, /* replicas (store/replicas.h) */
        STMT_GTID_WAIT,
        STMT_LAST_GTID,
        STMT_AUTHOR_BY_NAME, /* accounts (store/authors.c) */
        STMT_AUTHOR_SET_HASH,
        STMT_AUTHOR_INSERT,
        STMT_AUTHOR_LIST,
        STMT_AUTHOR_DELETE,
        STMT_AUTHOR_REASSIGN,
        STMT_AUTHOR_POST_COUNT,
        STMT_SESSION_INSERT, /* sessions (store/sessions.c) */
        STMT_SESSION_GET,
        STMT_SESSION_TOUCH,
        STMT_SESSION_DELETE,
        STMT_SESSION_PURGE,
        STMT_SESSION_END_ALL,
        STMT_LOGIN_WAIT, /* failed logins (store/logins.c) */
        STMT_LOGIN_FAIL,
        STMT_LOGIN_FORGET,
        STMT_LOGIN_PURGE,
        STMT_COUNT
};

enum db_status {
        DB_OK,
        DB_UNAVAILABLE, /* no connection (or it was lost): answer 503 */
        DB_ERROR,       /* the statement failed for another reason: answer 500 */
        DB_IN_DOUBT,    /* a write was sent but the connection died before its answer */
        DB_NO_PARENT,   /* a foreign key refused the row: what it refers to does not exist */
        DB_DUPLICATE,   /* a unique key refused the row: it exists already */
};

enum db_type { DB_INT, DB_TEXT, DB_NULL /* a parameter only: SQL NULL */ };

struct db_value {
        enum db_type type;
        uint64_t i;
        const char *s; /* DB_TEXT: not NUL-terminated in params; NUL-terminated in rows */
        size_t len;
};

#define DB_INT_VALUE(v) ((struct db_value){.type = DB_INT, .i = (v)})
#define DB_TEXT_VALUE(p, n) ((struct db_value){.type = DB_TEXT, .s = (p), .len = (n)})

/* Called once per result row; return false to stop reading (the rest is discarded). */
typedef bool (*db_row_fn)(void *ctx, const struct db_value *cols, size_t ncols);

/* The servers: the primary, then the replicas of db_replicas (replica i is server i). */
#define DB_PRIMARY 0u
#define DB_SERVERS (1 + SERVERLIST_MAX)
/* A GTID as text ("0-1-42"; a domain, a server id and a sequence number). */
#define DB_GTID_MAX 64
/* A write whose GTID could not be read: its writer's next pages come from the primary. */
#define DB_GTID_UNKNOWN "p"

/* Process-wide client library set-up; call in the master before forking. */
bool db_library_init(void);
void db_library_end(void);

/* Remembers the settings; the connection is made lazily (and re-made) by db_query/db_exec. */
void db_init(const struct config *cfg);
/* Connects and prepares every statement now; false (and logged) if the database is down. */
bool db_connect(void);
void db_close(void);
const char *db_stmt_sql(enum db_stmt_id id);

/* Makes sure the connection reads go to is up (re-making a dead one); false if that server is
 * unreachable. */
bool db_ready(void);
/* Runs a SELECT, calling fn for each row. A read that finds the connection dead is retried once. */
enum db_status db_query(enum db_stmt_id id, const struct db_value *params, size_t nparams,
                        db_row_fn fn, void *ctx);
/*
 * The one-row reads (an id, a count, two sequence numbers): runs a SELECT and copies the
 * first row's n integer columns into out. *found says whether a row came (out is left as it
 * was if not); a row that is not n integers is DB_ERROR, so a changed query fails closed.
 * write: the statement changes data (INSERT ... RETURNING): run as db_write, never retried.
 */
enum db_status db_query_ints(enum db_stmt_id id, const struct db_value *params, size_t nparams,
                             uint64_t *out, size_t n, bool *found);
enum db_status db_write_ints(enum db_stmt_id id, const struct db_value *params, size_t nparams,
                             uint64_t *out, size_t n, bool *found);

/* Runs a write that returns rows (INSERT ... RETURNING); never retried; DB_IN_DOUBT when the
 * connection died before the answer: the caller must find out. */
enum db_status db_write(enum db_stmt_id id, const struct db_value *params, size_t nparams,
                        db_row_fn fn, void *ctx);
/* Runs an INSERT/UPDATE/DELETE; never retried. DB_IN_DOUBT: the caller must find out. */
enum db_status db_exec(enum db_stmt_id id, const struct db_value *params, size_t nparams,
                       uint64_t *affected_rows, uint64_t *insert_id);

/*
 * Where reads go. Writes always go to the primary; reads go where the request was routed:
 * db_route_reset (every request starts so) sends them to the primary, falling over to a
 * replica if it is unreachable (so a POST's error page still shows the post), and then no
 * write is made. db_route_replica sends a page's reads to a replica that is fresh enough
 * (store/replicas.h), falling over to the primary, then to another replica; a visitor with
 * a write of gtid is served by it only once MASTER_GTID_WAIT(gtid, wait_ms) says it has the
 * write (*waited 1), else (*waited -1) by the primary, unless the blog is read-only. False:
 * the reads stay on the primary.
 */
size_t db_replica_count(void);
void db_route_reset(void);
bool db_route_replica(const char *gtid, uint64_t max_lag_ns, uint64_t wait_ms, int *waited);
/* Reads on this server alone (the watcher polling a replica). */
void db_route_server(unsigned server);
/* The server reads go to now, and whether they moved (a server failed during this request:
 * its pages are not kept, as they may mix two servers' states). */
unsigned db_read_server(void);
bool db_reads_moved(void);
/* The GTID of this request's last write ("" if none; DB_GTID_UNKNOWN if it is not known). */
const char *db_request_gtid(void);
/* db_query_ints on one server, the request's routing left as it was. */
enum db_status db_query_ints_on(unsigned server, enum db_stmt_id id, const struct db_value *params,
                                size_t nparams, uint64_t *out, size_t n, bool *found);

#endif
