/* test_sqlsplit: the migration statement splitter (src/store/sqlsplit.c) on edge cases and on sql/.
 */
#include "check.h"
#include "store/sqlsplit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAXS 64

struct split {
        int n, rc;
        char *stmt[MAXS];
        unsigned line[MAXS];
};

static void split(const char *text, struct split *out)
{
        struct sqlsplit s;
        sqlsplit_init(&s, text, strlen(text));
        out->n = 0;
        const char *st;
        size_t len;
        unsigned line;
        int rc;
        while ((rc = sqlsplit_next(&s, &st, &len, &line)) > 0 && out->n < MAXS) {
                out->stmt[out->n] = strndup(st, len);
                out->line[out->n] = line;
                out->n++;
        }
        out->rc = rc;
}

static void release(struct split *sp)
{
        for (int i = 0; i < sp->n; i++)
                free(sp->stmt[i]);
        sp->n = 0;
}

static void test_basic(void)
{
        struct split sp;
        split("SELECT 1;\nSELECT 2;SELECT 3", &sp);
        CHECK_EQ_INT(sp.rc, 0);
        CHECK_EQ_INT(sp.n, 3);
        CHECK_EQ_STR(sp.stmt[0], "SELECT 1");
        CHECK_EQ_STR(sp.stmt[1], "SELECT 2");
        CHECK_EQ_STR(sp.stmt[2], "SELECT 3");
        CHECK_EQ_INT(sp.line[0], 1);
        CHECK_EQ_INT(sp.line[1], 2);
        release(&sp);

        split("", &sp);
        CHECK_EQ_INT(sp.rc, 0);
        CHECK_EQ_INT(sp.n, 0);
        split("  ;;\n ; -- only a comment\n/* and another */\n# and a hash one\n", &sp);
        CHECK_EQ_INT(sp.rc, 0);
        CHECK_EQ_INT(sp.n, 0);
}

static void test_quotes_and_comments(void)
{
        struct split sp;
        split("INSERT INTO t VALUES ('a;b', \"c;d\", `e;f`);\n"
              "INSERT INTO t VALUES ('it''s; here', 'back\\'slash;', \"x\"\"y;\");\n"
              "SELECT 1 -- a comment; not a split\n + 1;\n"
              "SELECT 2 # hash; comment\n;\n"
              "SELECT /* block; comment */ 3;\n"
              "SELECT 4--5;\n"
              "SELECT '-- not a comment; really';",
              &sp);
        CHECK_EQ_INT(sp.rc, 0);
        CHECK_EQ_INT(sp.n, 7);
        CHECK_EQ_STR(sp.stmt[0], "INSERT INTO t VALUES ('a;b', \"c;d\", `e;f`)");
        CHECK_EQ_STR(sp.stmt[1],
                     "INSERT INTO t VALUES ('it''s; here', 'back\\'slash;', \"x\"\"y;\")");
        CHECK_EQ_STR(sp.stmt[2], "SELECT 1 -- a comment; not a split\n + 1");
        CHECK_EQ_STR(sp.stmt[3], "SELECT 2 # hash; comment");
        CHECK_EQ_STR(sp.stmt[4], "SELECT /* block; comment */ 3");
        CHECK_EQ_STR(sp.stmt[5], "SELECT 4--5"); /* "--" without a blank after it is minus minus */
        CHECK_EQ_STR(sp.stmt[6], "SELECT '-- not a comment; really'");
        CHECK_EQ_INT(sp.line[2], 3);
        CHECK_EQ_INT(sp.line[3], 5);
        release(&sp);

        /* Leading comments are dropped, the line is the statement's own. */
        split("-- header\n-- more\n\nCREATE TABLE a (x INT);", &sp);
        CHECK_EQ_INT(sp.n, 1);
        CHECK_EQ_STR(sp.stmt[0], "CREATE TABLE a (x INT)");
        CHECK_EQ_INT(sp.line[0], 4);
        release(&sp);
}

static void test_delimiter(void)
{
        struct split sp;
        split("DROP TRIGGER a;\n"
              "DELIMITER //\n"
              "CREATE TRIGGER a AFTER INSERT ON t FOR EACH ROW\n"
              "  IF 1 THEN\n    INSERT INTO u VALUES (1); -- inner ; stays\n  END IF//\n"
              "CREATE TRIGGER b AFTER INSERT ON t FOR EACH ROW SET @x = '//'//\n"
              "delimiter ;\n"
              "SELECT 1;\n"
              "DELIMITER $$\nSELECT 2$$\nDELIMITER ;\nSELECT 3;",
              &sp);
        CHECK_EQ_INT(sp.rc, 0);
        CHECK_EQ_INT(sp.n, 6);
        CHECK_EQ_STR(sp.stmt[0], "DROP TRIGGER a");
        CHECK_EQ_STR(sp.stmt[1], "CREATE TRIGGER a AFTER INSERT ON t FOR EACH ROW\n  IF 1 THEN\n"
                                 "    INSERT INTO u VALUES (1); -- inner ; stays\n  END IF");
        CHECK_EQ_STR(sp.stmt[2], "CREATE TRIGGER b AFTER INSERT ON t FOR EACH ROW SET @x = '//'");
        CHECK_EQ_STR(sp.stmt[3], "SELECT 1");
        CHECK_EQ_STR(sp.stmt[4], "SELECT 2");
        CHECK_EQ_STR(sp.stmt[5], "SELECT 3");
        CHECK_EQ_INT(sp.line[1], 3);
        release(&sp);

        /* A column named delimiter is not the command. */
        split("SELECT delimiter FROM t;", &sp);
        CHECK_EQ_INT(sp.n, 1);
        CHECK_EQ_STR(sp.stmt[0], "SELECT delimiter FROM t");
        release(&sp);
}

static void test_errors(void)
{
        struct split sp;
        split("SELECT 1;\nSELECT 'open;\nSELECT 2;", &sp);
        CHECK_EQ_INT(sp.rc, -1);
        CHECK_EQ_INT(sp.n, 1);
        release(&sp);
        split("SELECT 1 /* never closed;", &sp);
        CHECK_EQ_INT(sp.rc, -1);
        split("DELIMITER\nSELECT 1;", &sp);
        CHECK_EQ_INT(sp.rc, 0); /* "DELIMITER" alone is a word, sent as a statement */
        release(&sp);
        split("DELIMITER // extra\nSELECT 1//", &sp);
        CHECK_EQ_INT(sp.rc, -1);
}

static char *slurp(const char *name)
{
        char path[512];
        snprintf(path, sizeof(path), "%s/%s", BLOGD_SQL_DIR, name);
        FILE *f = fopen(path, "rb");
        if (!f) {
                fprintf(stderr, "cannot open %s\n", path);
                return NULL;
        }
        static char buf[1 << 20];
        size_t n = fread(buf, 1, sizeof(buf) - 1, f);
        fclose(f);
        buf[n] = '\0';
        return buf;
}

/* The real migrations: how many statements each holds, and what they start with. */
static void test_real_files(void)
{
        static const struct {
                const char *file;
                int n;
                const char *first, *last;
        } want[] = {
            {"001_schema.sql", 2, "CREATE TABLE post", "CREATE TABLE comment"},
            {"002_change_seq.sql", 7, "CREATE TABLE change_seq", "CREATE TRIGGER comment_ad"},
            {"003_comment_request_key.sql", 1, "ALTER TABLE comment", "ALTER TABLE comment"},
            {"004_hosts.sql", 13, "CREATE TABLE blogd_host", "CREATE TRIGGER comment_ad"},
            {"seed.sql", 4, "START TRANSACTION", "COMMIT"},
            {"seed_large.sql", 22, "INSERT INTO post (id, title, content) VALUES (4,",
             "INSERT INTO change_seq"},
        };
        for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
                char *text = slurp(want[i].file);
                if (!CHECK(text != NULL))
                        continue;
                struct split sp;
                split(text, &sp);
                fprintf(stderr, "%s: %d statements\n", want[i].file, sp.n);
                CHECK_EQ_INT(sp.rc, 0);
                CHECK_EQ_INT(sp.n, want[i].n);
                if (sp.n > 0) {
                        CHECK(strncmp(sp.stmt[0], want[i].first, strlen(want[i].first)) == 0);
                        CHECK(strncmp(sp.stmt[sp.n - 1], want[i].last, strlen(want[i].last)) == 0);
                }
                for (int j = 0; j < sp.n; j++) {
                        CHECK(strstr(sp.stmt[j], "DELIMITER") == NULL);
                        CHECK(sp.stmt[j][strlen(sp.stmt[j]) - 1] != ';');
                }
                release(&sp);
        }
}

int main(void)
{
        test_basic();
        test_quotes_and_comments();
        test_delimiter();
        test_errors();
        test_real_files();
        return check_summary();
}
