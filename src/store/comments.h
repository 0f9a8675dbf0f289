/* comments: the store's typed calls for comments: the latest, add, find, delete. */
#ifndef BLOGD_COMMENTS_H
#define BLOGD_COMMENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/db.h"
#include "store/keyset.h"
#include "store/rowset.h"

/* The columns of comments_latest's rows. */
enum {
        LATEST_ID,
        LATEST_CONTENT,
        LATEST_POST_ID,
        LATEST_POST_TITLE,
        LATEST_NAME,    /* "" if none */
        LATEST_CREATED, /* Unix seconds */
        LATEST_HELD     /* awaiting moderation (only the admin's lists have any) */
};

/* One keyset page of all comments with their posts' titles into rows (LATEST_* columns, in
 * fetch order); *behind as posts_page. */
enum db_status comments_latest(const struct keyset *k, struct rowset *rows, bool *behind);

/* The newest comments of every post, drafts' and held ones too, at most limit; LATEST_*
 * columns, newest first. */
enum db_status comments_recent(unsigned limit, struct rowset *rows);
/* Every comment, a keyset page at a time (/admin/comments); LATEST_* columns. */
enum db_status comments_admin_page(const struct keyset *k, struct rowset *rows, bool *behind);
/* The held comments, newest first, at most limit. */
enum db_status comments_held(unsigned limit, struct rowset *rows);
/* Approves a held comment; *approved false if it was not held (or is gone). */
enum db_status comments_approve(uint32_t id, bool *approved);
/* What a delete must know: the comment's post (0: no such comment) and the hash of its
 * writer's secret ("" if it has none). */
enum db_status comments_owner(uint32_t id, uint64_t *post_id, char hash[65]);

/* A new comment as the form sent it. */
struct comment_text {
        const char *content, *name;
        size_t content_len, name_len;
        const char *owner_hash; /* the hash of the writer's secret (64 hex), or NULL */
        bool held;              /* awaiting moderation */
};
/*
 * Adds a comment to post_id, tagged with the request's key (so a lost answer can be settled by
 * comments_by_key). *id is the new comment's id, 0 if there is no such post; *count the
 * post's comments now, counted up to count_upto. DB_IN_DOUBT: the connection died before the
 * answer, the caller must find out; never retried.
 */
enum db_status comments_add(uint32_t post_id, const struct comment_text *c, const char *key,
                            uint64_t count_upto, uint64_t *id, uint64_t *count);
/* The comment a request with this key stored (a locking read: final), 0 if none. */
enum db_status comments_by_key(const char *key, uint64_t *id);
/* How many comments of post_id have an id up to id (held ones too), counting the inserts of
 * lower ids still in flight once they are settled: the page a new comment is on. */
enum db_status comments_rank(uint32_t post_id, uint64_t id, uint64_t *rank);
/* The post comment id belongs to, 0 if there is no such comment. */
enum db_status comments_post_of(uint32_t id, uint64_t *post_id);
/* Deletes comment id (gone already is not an error). DB_IN_DOUBT as comments_add. */
enum db_status comments_delete(uint32_t id);

#endif
