/* test_store: the store's typed calls (store/posts.c, comments.c, keyset.c) over the fake
 * libmariadb: the keyset's statement, parameters and probe; a page with more rows than a
 * rowset holds is an error, not half a page; a thread's comments come back in fetch order;
 * the one-row reads take integers and refuse any other shape. */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "core/config.h"
#include "core/log.h"
#include "fake_mysql.h"
#include "store/comments.h"
#include "store/db.h"
#include "store/posts.h"

static const struct fake_column int_col = {MYSQL_TYPE_LONGLONG, UNSIGNED_FLAG, 0};
static const struct fake_column text_col = {MYSQL_TYPE_BLOB, 0, 0};

static void shape(enum db_stmt_id id, const struct fake_column *cols, unsigned n, bool late)
{
        fake_mysql_shape(db_stmt_sql(id), cols, n, late);
}

static void add_post_row(enum db_stmt_id id, uint64_t post_id, const char *title)
{
        struct fake_value v[6] = {{false, post_id, NULL, 0}, {false, 0, title, strlen(title)},
                                  {false, 0, "text", 4},     {false, 0, NULL, 0},
                                  {false, 0, "admin", 5},    {false, 1764633600, NULL, 0}};
        fake_mysql_add_row(db_stmt_sql(id), v);
}

static void add_flag(enum db_stmt_id id, uint64_t flag)
{
        struct fake_value v[1] = {{false, flag, NULL, 0}};
        fake_mysql_add_row(db_stmt_sql(id), v);
}

static void connect_shaped(void)
{
        const struct fake_column post[6] = {int_col, text_col, text_col,
                                            int_col, text_col, int_col};
        const struct fake_column one[1] = {int_col};
        const struct fake_column two[2] = {int_col, int_col};
        const struct fake_column thread[10] = {int_col, int_col, text_col, text_col, int_col,
                                               int_col, int_col, int_col,  text_col, int_col};
        fake_mysql_reset();
        shape(STMT_POST_PAGE_AFTER, post, 6, false);
        shape(STMT_POST_PAGE_BEFORE, post, 6, false);
        shape(STMT_POST_ANY_LE, one, 1, false);
        shape(STMT_POST_ANY_GE, one, 1, false);
        shape(STMT_POST_EXISTS, one, 1, false);
        shape(STMT_COMMENT_POST_ID, one, 1, false);
        shape(STMT_COMMENT_INSERT, two, 2, true);
        shape(STMT_CHANGE_SEQ, one, 1, false); /* the wrong shape: two columns are asked */
        shape(STMT_POST_PAGE_UP, thread, 10, false);
        shape(STMT_POST_PAGE_FIRST, thread, 10, false);
        CHECK(db_connect());
}

static void test_page_and_probe(void)
{
        connect_shaped();
        for (uint64_t i = 6; i <= 8; i++)
                add_post_row(STMT_POST_PAGE_AFTER, i, "t");
        add_flag(STMT_POST_ANY_LE, 1);
        struct rowset rs;
        rowset_init(&rs);
        struct keyset k = {true, 5, 21, KEYSET_PROBE_BELOW, 5};
        bool behind = false;
        CHECK_EQ_INT(posts_page(&k, &rs, &behind), DB_OK);
        CHECK_EQ_SIZE(rs.count, 3);
        CHECK_EQ_INT(rowset_int(&rs, 0, POSTS_ID), 6);
        size_t len;
        CHECK_EQ_STR(rowset_text(&rs, 2, POSTS_BODY, &len), "text");
        CHECK_EQ_STR(rowset_text(&rs, 2, POSTS_AUTHOR, &len), "admin");
        CHECK_EQ_INT(rowset_int(&rs, 2, POSTS_PUBLISHED), 1764633600);
        CHECK_EQ_INT(rowset_int(&rs, 2, POSTS_RAW), 0);
        CHECK(behind);
        /* Without a probe nothing is behind, and the probe is not run. */
        add_flag(STMT_POST_ANY_LE, 1);
        add_post_row(STMT_POST_PAGE_BEFORE, 9, "t");
        struct keyset first = {false, KEYSET_PAST_END, 21, KEYSET_PROBE_NONE, 0};
        CHECK_EQ_INT(posts_page(&first, &rs, &behind), DB_OK);
        CHECK_EQ_SIZE(rs.count, 1);
        CHECK(!behind);
        rowset_cleanup(&rs);
}

static void test_overflow_is_an_error(void)
{
        connect_shaped();
        for (uint64_t i = 1; i <= ROWSET_MAX_ROWS + 1; i++)
                add_post_row(STMT_POST_PAGE_AFTER, i, "t");
        struct rowset rs;
        rowset_init(&rs);
        struct keyset k = {true, 0, ROWSET_MAX_ROWS + 1, KEYSET_PROBE_NONE, 0};
        bool behind;
        CHECK_EQ_INT(posts_page(&k, &rs, &behind), DB_ERROR);
        /* Exactly as many as fit: a whole page. */
        for (uint64_t i = 1; i <= ROWSET_MAX_ROWS; i++)
                add_post_row(STMT_POST_PAGE_AFTER, i, "t");
        CHECK_EQ_INT(posts_page(&k, &rs, &behind), DB_OK);
        CHECK_EQ_SIZE(rs.count, ROWSET_MAX_ROWS);
        rowset_cleanup(&rs);
}

static void add_thread_row(enum db_stmt_id id, uint64_t kind, uint64_t cid, const char *text,
                           uint64_t behind, uint64_t seq)
{
        struct fake_value v[10] = {
            {false, kind, NULL, 0},      {false, cid, NULL, 0},
            {kind == 1, 0, "Title", 5},  {false, 0, text, strlen(text)},
            {false, behind, NULL, 0},    {false, seq, NULL, 0},
            {false, kind == 0, NULL, 0}, {false, kind == 0, NULL, 0},
            {kind == 1, 0, "ann", 3},    {false, kind == 0 ? 42 : 0, NULL, 0}};
        fake_mysql_add_row(db_stmt_sql(id), v);
}

static void test_thread(void)
{
        connect_shaped();
        /* A UNION's rows in any order: the comments come back ascending, the post aside. */
        add_thread_row(STMT_POST_PAGE_UP, 1, 12, "b", 0, 0);
        add_thread_row(STMT_POST_PAGE_UP, 0, 3, "post text", 1, 77);
        add_thread_row(STMT_POST_PAGE_UP, 1, 11, "a", 0, 0);
        struct rowset rs;
        rowset_init(&rs);
        struct post p;
        struct keyset k = {true, 10, 3, KEYSET_PROBE_BELOW, 10};
        CHECK_EQ_INT(posts_thread(3, &k, NULL, &p, &rs), DB_OK);
        CHECK(p.found && p.id == 3 && p.comments_behind && p.seq == 77);
        CHECK_EQ_STR(p.title, "Title");
        CHECK_EQ_STR(p.body, "post text");
        CHECK(p.title_len == 5 && p.body_len == 9);
        CHECK(p.raw && p.published && p.published_at == 42);
        CHECK_EQ_STR(p.author, "ann");
        CHECK_EQ_SIZE(rs.count, 2);
        CHECK_EQ_INT(rowset_int(&rs, 0, THREAD_ID), 11);
        CHECK_EQ_INT(rowset_int(&rs, 1, THREAD_ID), 12);
        /* No such post: no row of kind 0. */
        struct keyset first = {true, 0, 3, KEYSET_PROBE_NONE, 0};
        CHECK_EQ_INT(posts_thread(4, &first, NULL, &p, &rs), DB_OK);
        CHECK(!p.found);
        /* More comments than fit: an error. */
        add_thread_row(STMT_POST_PAGE_FIRST, 0, 3, "post", 0, 1);
        for (uint64_t i = 1; i <= ROWSET_MAX_ROWS + 1; i++)
                add_thread_row(STMT_POST_PAGE_FIRST, 1, i, "c", 0, 0);
        CHECK_EQ_INT(posts_thread(3, &first, NULL, &p, &rs), DB_ERROR);
        rowset_cleanup(&rs);
}

static void test_one_row_reads(void)
{
        connect_shaped();
        bool exists = true;
        CHECK_EQ_INT(posts_exists(5, &exists), DB_OK);
        CHECK(!exists);
        add_flag(STMT_POST_EXISTS, 5);
        CHECK_EQ_INT(posts_exists(5, &exists), DB_OK);
        CHECK(exists);
        uint64_t post_id = 99;
        CHECK_EQ_INT(comments_post_of(8, &post_id), DB_OK);
        CHECK_EQ_INT(post_id, 0);
        add_flag(STMT_COMMENT_POST_ID, 4);
        CHECK_EQ_INT(comments_post_of(8, &post_id), DB_OK);
        CHECK_EQ_INT(post_id, 4);
        struct fake_value ins[2] = {{false, 31, NULL, 0}, {false, 2, NULL, 0}};
        fake_mysql_add_row(db_stmt_sql(STMT_COMMENT_INSERT), ins);
        uint64_t id = 0, count = 0;
        struct comment_text c = {"hi", "", 2, 0, NULL, false};
        CHECK_EQ_INT(comments_add(4, &c, "key", 51, &id, &count), DB_OK);
        CHECK(id == 31 && count == 2);
        /* A row of the wrong shape fails closed. */
        uint64_t seq[2];
        bool found;
        struct db_value p[2] = {DB_INT_VALUE(0), DB_INT_VALUE(1)};
        add_flag(STMT_CHANGE_SEQ, 1);
        CHECK_EQ_INT(db_query_ints(STMT_CHANGE_SEQ, p, 2, seq, 2, &found), DB_ERROR);
}

int main(void)
{
        static struct config cfg;
        log_open(NULL, LOG_ERROR);
        CHECK(db_library_init());
        db_init(&cfg);
        test_page_and_probe();
        test_overflow_is_an_error();
        test_thread();
        test_one_row_reads();
        db_close();
        fake_mysql_reset();
        return check_summary();
}
