/* posts: the store's typed calls for posts (the statements are in store/db.c). */
#include "store/posts.h"

#include "core/buf.h"

static const struct keyset_stmts index_page = {STMT_POST_PAGE_AFTER, STMT_POST_PAGE_BEFORE,
                                               STMT_POST_ANY_LE, STMT_POST_ANY_GE};

enum db_status posts_page(const struct keyset *k, struct rowset *rows, bool *behind)
{
        return keyset_read(&index_page, k, rows, behind);
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
static struct buf kept_title, kept_content;

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
        if (ncols != 6)
                return !(t->bad = true);
        if (col[0].i == 1) {
                struct db_value comment[2] = {col[1], col[3]};
                return rowset_add(t->comments, comment, 2);
        }
        struct post *p = t->post;
        if (!buf_append(&kept_title, col[2].s, col[2].len) ||
            !buf_append(&kept_content, col[3].s, col[3].len))
                return !(t->bad = true);
        p->found = true;
        p->id = (uint32_t)col[1].i;
        p->title = kept_title.data;
        p->title_len = kept_title.len;
        p->content = kept_content.data;
        p->content_len = kept_content.len;
        p->comments_behind = col[4].i != 0;
        p->seq = col[5].i;
        return true;
}

enum db_status posts_thread(uint32_t id, const struct keyset *k, struct post *p,
                            struct rowset *comments)
{
        struct thread t = {p, comments, false};
        *p = (struct post){.found = false};
        keep_reset(&kept_title);
        keep_reset(&kept_content);
        rowset_reset(comments);
        enum db_status st;
        if (k->probe == KEYSET_PROBE_NONE && k->ascending && k->bound == 0) {
                /* The first page, most of the traffic: a statement without the probe. */
                struct db_value first[3] = {DB_INT_VALUE(id), DB_INT_VALUE(id),
                                            DB_INT_VALUE(k->limit)};
                st = db_query(STMT_POST_PAGE_FIRST, first, 3, take_row, &t);
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
                struct db_value params[6] = {DB_INT_VALUE(lo),       DB_INT_VALUE(hi),
                                             DB_INT_VALUE(id),       DB_INT_VALUE(id),
                                             DB_INT_VALUE(k->bound), DB_INT_VALUE(k->limit)};
                st = db_query(k->ascending ? STMT_POST_PAGE_UP : STMT_POST_PAGE_DOWN, params, 6,
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
