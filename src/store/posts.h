/* posts: the store's typed calls for posts: the index, a post with its comments, the feed,
 * the admin's list, and the editor's reads and writes. */
#ifndef BLOGD_POSTS_H
#define BLOGD_POSTS_H

#include <stdbool.h>
#include <stdint.h>

#include "store/db.h"
#include "store/keyset.h"
#include "store/rowset.h"

/* The columns of posts_page's and posts_feed's rows: the body is the stored HTML, or (a post
 * stored by plain SQL without it, POSTS_RAW = 1) its Markdown, to be rendered; the author's
 * name ("" if none); the published time in Unix seconds; the feed adds the updated time. */
enum { POSTS_ID, POSTS_TITLE, POSTS_BODY, POSTS_RAW, POSTS_AUTHOR, POSTS_PUBLISHED, POSTS_UPDATED };

/*
 * One keyset page of posts into rows (POSTS_* columns, in fetch order); *behind tells whether
 * any post lies behind the bound (false when k has no probe). More rows than a rowset holds
 * is DB_ERROR: never half a page.
 */
enum db_status posts_page(const struct keyset *k, struct rowset *rows, bool *behind);
/* The newest published posts, at most limit (POSTS_* columns, newest first). */
enum db_status posts_feed(unsigned limit, struct rowset *rows);
/* Whether post id exists and is published (a post a visitor may comment on). */
enum db_status posts_exists(uint32_t id, bool *exists);

/* A post as its page shows it. The texts are the store's, valid until the next
 * posts_thread (as a row's values are db.c's until the next fetch): no allocation per page. */
struct post {
        bool found;
        uint32_t id;
        const char *title, *body; /* NUL-terminated; the body as POSTS_BODY */
        size_t title_len, body_len;
        bool raw;              /* the body is Markdown still to be rendered */
        bool published;        /* else a draft */
        const char *author;    /* "" if none */
        uint64_t published_at; /* Unix seconds */
        bool comments_behind;  /* the thread goes on behind the keyset's bound (its probe) */
        uint64_t seq;          /* the post's change sequence, read in the same snapshot */
};

/* The columns of posts_thread's comment rows: its name ("" if none), time (Unix seconds),
 * and whether it is held for moderation. */
enum { THREAD_ID, THREAD_CONTENT, THREAD_NAME, THREAD_CREATED, THREAD_HELD };

/* Which held comments a post page shows besides the approved ones: all (an author), or those
 * whose writers' secrets hash to one of these (the visitor's own; NULL: none). */
#define THREAD_HELD_MAX 4
struct thread_view {
        bool all_held;
        const char *held_hash[THREAD_HELD_MAX];
};

/*
 * The post page in one round trip: post id (p->found false if there is none), whether its
 * comments go on behind the keyset's bound, its change sequence, and one keyset page of its
 * comments into comments (THREAD_* columns, in fetch order).
 */
enum db_status posts_thread(uint32_t id, const struct keyset *k, const struct thread_view *v,
                            struct post *p, struct rowset *comments);

/* The columns of posts_admin_page's rows: every post, drafts too, and when it last changed. */
enum { ADMIN_ID, ADMIN_TITLE, ADMIN_PUBLISHED, ADMIN_AUTHOR, ADMIN_UPDATED };
enum db_status posts_admin_page(const struct keyset *k, struct rowset *rows, bool *behind);

/* A post as the editor shows it; texts as struct post's (the store's until the next call). */
struct post_source {
        bool found;
        uint32_t id;
        const char *title, *content; /* the Markdown */
        size_t title_len, content_len;
        bool published;
        uint64_t version; /* bumped by every save: what an edit must be made over */
};
enum db_status posts_source(uint32_t id, struct post_source *out);

/* What the editor saves: the Markdown and the HTML rendered from it when saved. */
struct post_text {
        const char *title, *content, *html;
        size_t title_len, content_len, html_len;
        bool published;
};
/* A new post by author; *id is its id. */
enum db_status posts_add(uint32_t author, const struct post_text *t, uint64_t *id);
/* Saves t over post id if it is still at version; *saved false if it is not (changed since,
 * or gone: posts_source tells which). */
enum db_status posts_update(uint32_t id, uint64_t version, const struct post_text *t, bool *saved);
/* Deletes post id and its comments; *deleted false if it was gone already. */
enum db_status posts_delete(uint32_t id, bool *deleted);

#endif
