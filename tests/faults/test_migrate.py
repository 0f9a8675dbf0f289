"""blogd migrate on a running stack: --status, idempotent runs, a new migration applied and recorded
once, a broken one refused naming its file and statement (and recorded not at all), --seed on a
database that has posts, a wrong account; and the private stack honouring VAR/local.conf."""
import os
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import faultlib as fl  # noqa: E402

NAME = "test_migrate"

NEW_MIGRATION = """-- NEW: a test migration: a ';' in a string or a comment does not split; a trigger block.
CREATE TABLE migrate_test (id INT PRIMARY KEY, note VARCHAR(50)) ENGINE=InnoDB;
INSERT INTO migrate_test VALUES (1, 'a;b -- not a comment'); # a comment; with a ';'
DELIMITER //
CREATE TRIGGER migrate_test_bi BEFORE INSERT ON migrate_test FOR EACH ROW
  BEGIN
    SET NEW.note = CONCAT(NEW.note, '!');
  END//
DELIMITER ;
/* and a block comment; too */
INSERT INTO migrate_test VALUES (2, "x");
"""

BROKEN_MIGRATION = """-- BROKEN: the second statement fails.
CREATE TABLE broken_a (id INT) ENGINE=InnoDB;
INSERT INTO no_such_table VALUES (1);
CREATE TABLE broken_b (id INT) ENGINE=InnoDB;
"""


# The migrations this tree ships (sql/NNN_*.sql); the test's own come after them.
SHIPPED = sorted(f for f in os.listdir(os.path.join(fl.ROOT, "sql")) if re.match(r"^\d{3}_.*\.sql$", f))
LAST = int(SHIPPED[-1][:3])
NEW_NAME, BROKEN_NAME = "%03d_test.sql" % (LAST + 1), "%03d_broken.sql" % (LAST + 2)
ALL = list(range(1, LAST + 1))


def main():
    with fl.Stack("migrate") as st:

        def migrate(*args, conf=None):
            p = subprocess.run([st.bin, "migrate", "-c", conf or st.conf] + list(args), stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, timeout=120)
            out, err = p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace")
            fl.say("$ blogd migrate %s -> exit %d\n%s%s" % (" ".join(args), p.returncode, out, err))
            return p.returncode, out, err

        def versions():
            return [int(v) for (v,) in st.sql("SELECT version FROM schema_migrations ORDER BY version")]

        # --- what the stack applied ---
        rc, out, _ = migrate("--status")
        fl.check(rc == 0, "--status exits 0")
        for name in SHIPPED:
            fl.check(re.search(r"^%s\s+applied \d{4}-\d\d-\d\d" % re.escape(name), out, re.M) is not None,
                     "--status lists %s as applied, with its time" % name)
        fl.check(versions() == ALL, "schema_migrations holds 1-%d (%s)" % (LAST, versions()))
        before = st.sql("SELECT version, applied_at FROM schema_migrations ORDER BY version")

        # --- idempotent ---
        rc, out, _ = migrate()
        fl.check(rc == 0 and "up to date" in out and "applying" not in out, "a second run applies nothing")
        fl.check(st.sql("SELECT version, applied_at FROM schema_migrations ORDER BY version") == before,
                 "schema_migrations unchanged by it")

        # --- a new migration, in a copy of sql/ ---
        sql_dir = st.path("sql-test")
        shutil.rmtree(sql_dir, ignore_errors=True)
        shutil.copytree(os.path.join(fl.ROOT, "sql"), sql_dir)
        with open(os.path.join(sql_dir, NEW_NAME), "w") as f:
            f.write(NEW_MIGRATION)
        rc, out, _ = migrate("--status", "--sql", sql_dir)
        fl.check(rc == 0 and re.search(r"^%s\s+pending" % re.escape(NEW_NAME), out, re.M) is not None,
                 "--status lists the new file as pending")
        rc, out, _ = migrate("--sql", sql_dir)
        fl.check(rc == 0 and "applied %s (4 statements" % NEW_NAME in out and "001_schema" not in out,
                 "the new migration alone is applied (4 statements)")
        fl.check(versions() == ALL + [LAST + 1], "and recorded (%s)" % versions())
        rows = st.sql("SELECT id, note FROM migrate_test ORDER BY id")
        fl.check(rows == [("1", "a;b -- not a comment"), ("2", "x!")],
                 "its statements ran whole, the trigger with them (%s)" % rows)
        rc, out, _ = migrate("--sql", sql_dir)
        fl.check(rc == 0 and "up to date" in out and versions() == ALL + [LAST + 1],
                 "run again: nothing applied, recorded once")

        # --- a broken migration ---
        with open(os.path.join(sql_dir, BROKEN_NAME), "w") as f:
            f.write(BROKEN_MIGRATION)
        rc, out, err = migrate("--sql", sql_dir)
        fl.check(rc != 0, "a failing migration exits non-zero (%d)" % rc)
        fl.check("%s: statement 2 (line 3) failed" % BROKEN_NAME in err and "no_such_table" in err,
                 "the error names the file, the statement, its line and the server's error")
        fl.check(versions() == ALL + [LAST + 1], "%s is not recorded (%s)" % (BROKEN_NAME, versions()))
        tables = {t for (t,) in st.sql("SHOW TABLES")}
        fl.check("broken_a" in tables and "broken_b" not in tables,
                 "the statement before the failed one took effect, none after (DDL is not transactional)")
        rc, out, _ = migrate("--status", "--sql", sql_dir)
        fl.check(rc == 0 and re.search(r"^%s\s+pending" % re.escape(BROKEN_NAME), out, re.M) is not None,
                 "--status lists it as pending")
        # Fixed, it applies (its first statement made idempotent by hand, as README says).
        with open(os.path.join(sql_dir, BROKEN_NAME), "w") as f:
            f.write("DROP TABLE IF EXISTS broken_a;\nCREATE TABLE broken_a (id INT) ENGINE=InnoDB;\n")
        rc, out, _ = migrate("--sql", sql_dir)
        fl.check(rc == 0 and versions() == ALL + [LAST + 1, LAST + 2], "the fixed file applies and is recorded")

        # --- seeding a database with posts ---
        posts = st.sql("SELECT COUNT(*) FROM post")
        for what in ("tutorial", "large"):
            rc, out, _ = migrate("--seed", what)
            fl.check(rc == 0 and "not seeding" in out, "--seed %s on a database with posts does nothing" % what)
        fl.check(st.sql("SELECT COUNT(*) FROM post") == posts, "post count unchanged (%s)" % posts)
        rc, _, _ = migrate("--seed", "huge")
        fl.check(rc == 2, "--seed huge is a usage error")

        # --- an upgrade in place: a database at the last migration before the authors (004),
        # with posts and comments, migrated to this tree's schema ---
        old_dir = st.path("sql-004")
        shutil.rmtree(old_dir, ignore_errors=True)
        os.makedirs(old_dir)
        for name in SHIPPED:
            if int(name[:3]) <= 4:
                shutil.copy(os.path.join(fl.ROOT, "sql", name), old_dir)
        up_conf = st.path("upgrade.conf")
        with open(st.conf) as src, open(up_conf, "w") as dst:
            dst.write(src.read() + "\ndb_name = blog_upgrade\n")
        st.sql("DROP DATABASE IF EXISTS blog_upgrade; CREATE DATABASE blog_upgrade CHARACTER SET utf8mb4")
        try:
            rc, out, _ = migrate("--sql", old_dir, conf=up_conf)
            fl.check(rc == 0 and st.sql("SELECT MAX(version) FROM schema_migrations", database="blog_upgrade")
                     == [("4",)], "a database made by the code before the authors (migrations 1-4)")
            st.sql("INSERT INTO post (id, title, content) VALUES (1, 'Old one', '**bold** and <script>x()</script>'),"
                   " (2, 'Old two', 'plain'); INSERT INTO comment (content, post_id) VALUES ('c1', 1), ('c2', 1),"
                   " ('c3', 2)", database="blog_upgrade")
            rc, out, _ = migrate(conf=up_conf)
            fl.check(rc == 0 and "applied 005_authors.sql" in out and "rendered the Markdown of 2 posts" in out,
                     "the upgrade applies 005 and renders the posts' Markdown")
            rows = st.sql("SELECT p.id, p.title, p.status, a.name, p.published_at IS NOT NULL, p.html"
                          " FROM post p LEFT JOIN author a ON a.id = p.author_id ORDER BY p.id", database="blog_upgrade")
            fl.check([r[:5] for r in rows] == [("1", "Old one", "published", "admin", "1"),
                                              ("2", "Old two", "published", "admin", "1")],
                     "every post kept, now published by admin with a published time (%s)" % [r[:5] for r in rows])
            fl.check("<strong>bold</strong>" in rows[0][5] and "<script" not in rows[0][5],
                     "its Markdown rendered safely (%r)" % rows[0][5])
            fl.check(st.sql("SELECT COUNT(*) FROM comment", database="blog_upgrade") == [("3",)],
                     "every comment kept")
        finally:
            st.sql("DROP DATABASE IF EXISTS blog_upgrade")

        # --- the wrong account ---
        rc, _, err = migrate("--user", "no_such_account")
        fl.check(rc != 0 and "connecting to database blog as no_such_account" in err,
                 "an account the server refuses: exit non-zero, saying so")
        fl.check(fl.get(st.port, "/").status == 200, "the blog is served throughout")

        # --- VAR/local.conf ---
        with open(st.path("local.conf"), "w") as f:
            f.write("site_name = Local Name\n")
        st.stack_sh("stop")
        st.stack_sh("start")
        fl.wait_http_ok(st.port, "/", 15)
        conf = open(st.conf).read()
        fl.check("local.conf" in conf and conf.rstrip().endswith("site_name = Local Name"),
                 "blogd.conf ends with local.conf's lines, after a comment naming it")
        r = fl.get(st.port, "/")
        fl.check(r.status == 200 and "<title>Posts - Local Name</title>" in r.text,
                 "the page title shows local.conf's site_name")


fl.run_test(NAME, main)
