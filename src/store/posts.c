/* posts: the store's typed calls for posts (the statements are in store/db.c). */
#include "store/posts.h"

#include <string.h>

#include "core/buf.h"

static const struct keyset_stmts index_page = {STMT_POST_PAGE_AFTER, STMT_POST_PAGE_BEFORE,
                                               STMT_POST_ANY_LE, STMT_POST_ANY_GE};

enum db_status posts_page(const struct keyset *k, struct rowset *rows, bool *behind)
{
        return keyset_read(&index_page, k, rows, behind);
}

enum db_status posts_feed(unsigned limit, struct rowset *rows)
{
        struct db_value p = DB_INT_VALUE(limit);
        rowset_reset(rows);
        return keyset_whole(db_query(STMT_FEED, &p, 1, rowset_add, rows), rows);
}

static const struct keyset_stmts admin_page = {STMT_ADMIN_POSTS_AFTER, STMT_ADMIN_POSTS_BEFORE,
                                               STMT_ADMIN_ANY_LE, STMT_ADMIN_ANY_GE};

enum db_status posts_admin_page(const struct keyset *k, struct rowset *rows, bool *behind)
{
        return keyset_read(&admin_page, k, rows, behind);
}

enum db_status posts_exists(uint32_t id, bool *exists)
{
        struct db_value p = DB_INT_VALUE(id);
        uint64_t got;
        return db_query_ints(STMT_POST_EXISTS, &p, 1, &got, 1, exists);
}

/* The last post's texts, kept for the page that asked (one request at a time per process);
 * memory that grew for one huge post is given back on the next call. */
#define POST_KEEP_BYTES (256 * 1024)
static struct buf kept_title, kept_content, kept_author;

static void keep_reset(struct buf *b)
{
        if (b->cap > POST_KEEP_BYTES)
                buf_cleanup(b);
        buf_reset(b);
}

struct thread {
        struct post *post;
        struct rowset *comments;
        bool bad; /* the post's row could not be kept */
};

/* Rows of STMT_POST_PAGE_*: kind 0 is the post, kind 1 a comment (id, content). */
static bool take_row(void *ctx, const struct db_value *col, size_t ncols)
{
        struct thread *t = ctx;
        if (ncols != 10)
                return !(t->bad = true);
        if (col[0].i == 1) {
                struct db_value comment[5] = {col[1], col[3], col[8], col[9], col[6]};
                return rowset_add(t->comments, comment, 5);
        }
        struct post *p = t->post;
        if (!buf_append(&kept_title, col[2].s, col[2].len) ||
            !buf_append(&kept_content, col[3].s, col[3].len) ||
            !buf_append(&kept_author, col[8].s, col[8].len))
                return !(t->bad = true);
        p->found = true;
        p->id = (uint32_t)col[1].i;
        p->title = kept_title.data;
        p->title_len = kept_title.len;
        p->body = kept_content.data;
        p->body_len = kept_content.len;
        p->comments_behind = col[4].i != 0;
        p->seq = col[5].i;
        p->raw = col[6].i != 0;
        p->published = col[7].i != 0;
        p->author = kept_author.data;
        p->published_at = col[9].i;
        return true;
}

/* The visibility parameters of the thread's comments (COMMENT_SHOWN in store/db.c). */
static size_t add_view(struct db_value *p, const struct thread_view *v)
{
        p[0] = DB_INT_VALUE(v && v->all_held ? 1 : 0);
        for (size_t i = 0; i < THREAD_HELD_MAX; i++) {
                const char *h = v ? v->held_hash[i] : NULL;
                /* "" matches no owner_hash (NULL or 64 hex digits). */
                p[1 + i] = h ? DB_TEXT_VALUE(h, strlen(h)) : DB_TEXT_VALUE("", 0);
        }
        return 1 + THREAD_HELD_MAX;
}

enum db_status posts_thread(uint32_t id, const struct keyset *k, const struct thread_view *v,
                            struct post *p, struct rowset *comments)
{
        struct thread t = {p, comments, false};
        *p = (struct post){.found = false};
        keep_reset(&kept_title);
        keep_reset(&kept_content);
        keep_reset(&kept_author);
        rowset_reset(comments);
        enum db_status st;
        struct db_value params[12];
        size_t n = 0;
        if (k->probe == KEYSET_PROBE_NONE && k->ascending && k->bound == 0) {
                /* The first page, most of the traffic: a statement without the probe. */
                params[n++] = DB_INT_VALUE(id);
                params[n++] = DB_INT_VALUE(id);
                n += add_view(params + n, v);
                params[n++] = DB_INT_VALUE(k->limit);
                st = db_query(STMT_POST_PAGE_FIRST, params, n, take_row, &t);
        } else {
                /* The probe looks behind the bound: ids up to it, or from it on; none is an
                 * empty range. */
                uint64_t lo = 1, hi = 0;
                if (k->probe == KEYSET_PROBE_BELOW) {
                        lo = 0;
                        hi = k->probe_at;
                } else if (k->probe == KEYSET_PROBE_ABOVE) {
                        lo = k->probe_at;
                        hi = KEYSET_PAST_END;
                }
                params[n++] = DB_INT_VALUE(lo);
                params[n++] = DB_INT_VALUE(hi);
                params[n++] = DB_INT_VALUE(id);
                params[n++] = DB_INT_VALUE(id);
                params[n++] = DB_INT_VALUE(k->bound);
                n += add_view(params + n, v);
                params[n++] = DB_INT_VALUE(k->limit);
                st = db_query(k->ascending ? STMT_POST_PAGE_UP : STMT_POST_PAGE_DOWN, params, n,
                              take_row, &t);
        }
        if (st == DB_OK && t.bad)
                st = DB_ERROR;
        st = keyset_whole(st, comments);
        /* A UNION's branches promise no order: the comments in fetch order. */
        if (st == DB_OK)
                rowset_sort(comments, THREAD_ID, !k->ascending);
        return st;
}

struct source {
        struct post_source *out;
        bool bad; /* the row could not be kept */
};

/* Rows of STMT_POST_GET: id, title, content, published, version. */
static bool take_source(void *ctx, const struct db_value *col, size_t ncols)
{
        struct source *r = ctx;
        struct post_source *p = r->out;
        if (ncols != 5 || !buf_append(&kept_title, col[1].s, col[1].len) ||
            !buf_append(&kept_content, col[2].s, col[2].len))
                return !(r->bad = true);
        p->found = true;
        p->id = (uint32_t)col[0].i;
        p->title = kept_title.data;
        p->title_len = kept_title.len;
        p->content = kept_content.data;
        p->content_len = kept_content.len;
        p->published = col[3].i != 0;
        p->version = col[4].i;
        return false;
}

enum db_status posts_source(uint32_t id, struct post_source *out)
{
        struct db_value p = DB_INT_VALUE(id);
        struct source r = {out, false};
        *out = (struct post_source){.found = false};
        keep_reset(&kept_title);
        keep_reset(&kept_content);
        enum db_status st = db_query(STMT_POST_GET, &p, 1, take_source, &r);
        if (st == DB_OK && r.bad) {
                *out = (struct post_source){.found = false};
                st = DB_ERROR;
        }
        return st;
}

static struct db_value status_value(bool published)
{
        return published ? DB_TEXT_VALUE("published", 9) : DB_TEXT_VALUE("draft", 5);
}

enum db_status posts_add(uint32_t author, const struct post_text *t, uint64_t *id)
{
        struct db_value p[5] = {
            DB_INT_VALUE(author), status_value(t->published), DB_TEXT_VALUE(t->title, t->title_len),
            DB_TEXT_VALUE(t->content, t->content_len), DB_TEXT_VALUE(t->html, t->html_len)};
        uint64_t affected = 0;
        *id = 0;
        enum db_status st = db_exec(STMT_POST_INSERT, p, 5, &affected, id);
        if (st == DB_OK && (affected != 1 || *id == 0))
                st = DB_ERROR;
        return st;
}

enum db_status posts_update(uint32_t id, uint64_t version, const struct post_text *t, bool *saved)
{
        struct db_value p[6] = {DB_TEXT_VALUE(t->title, t->title_len),
                                DB_TEXT_VALUE(t->content, t->content_len),
                                DB_TEXT_VALUE(t->html, t->html_len),
                                status_value(t->published),
                                DB_INT_VALUE(id),
                                DB_INT_VALUE(version)};
        uint64_t affected = 0;
        enum db_status st = db_exec(STMT_POST_UPDATE, p, 6, &affected, NULL);
        *saved = st == DB_OK && affected == 1;
        return st;
}

enum db_status posts_delete(uint32_t id, bool *deleted)
{
        struct db_value p = DB_INT_VALUE(id);
        uint64_t affected = 0;
        enum db_status st = db_exec(STMT_POST_DELETE, &p, 1, &affected, NULL);
        *deleted = st == DB_OK && affected == 1;
        return st;
}
