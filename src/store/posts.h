/* posts: the store's typed calls for posts: a page of the index, one post with its comments. */
#ifndef BLOGD_POSTS_H
#define BLOGD_POSTS_H

#include <stdbool.h>
#include <stdint.h>

#include "store/db.h"
#include "store/keyset.h"
#include "store/rowset.h"

/* The columns of posts_page's rows. */
enum { POSTS_ID, POSTS_TITLE, POSTS_CONTENT };

/*
 * One keyset page of posts into rows (POSTS_* columns, in fetch order); *behind tells whether
 * any post lies behind the bound (false when k has no probe). More rows than a rowset holds
 * is DB_ERROR: never half a page.
 */
enum db_status posts_page(const struct keyset *k, struct rowset *rows, bool *behind);
/* Whether post id exists. */
enum db_status posts_exists(uint32_t id, bool *exists);

/* A post as its page shows it. The texts are the store's, valid until the next
 * posts_thread (as a row's values are db.c's until the next fetch): no allocation per page. */
struct post {
        bool found;
        uint32_t id;
        const char *title, *content; /* NUL-terminated */
        size_t title_len, content_len;
        bool comments_behind; /* the thread goes on behind the keyset's bound (its probe) */
        uint64_t seq;         /* the post's change sequence, read in the same snapshot */
};

/* The columns of posts_thread's comment rows. */
enum { THREAD_ID, THREAD_CONTENT };

/*
 * The post page in one round trip: post id (p->found false if there is none), whether its
 * comments go on behind the keyset's bound, its change sequence, and one keyset page of its
 * comments into comments (THREAD_* columns, in fetch order).
 */
enum db_status posts_thread(uint32_t id, const struct keyset *k, struct post *p,
                            struct rowset *comments);

#endif
