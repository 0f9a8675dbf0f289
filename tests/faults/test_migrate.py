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

NEW_MIGRATION = """-- 005: a test migration: a ';' in a string or a comment does not split; a trigger block.
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

BROKEN_MIGRATION = """-- 006: the second statement fails.
CREATE TABLE broken_a (id INT) ENGINE=InnoDB;
INSERT INTO no_such_table VALUES (1);
CREATE TABLE broken_b (id INT) ENGINE=InnoDB;
"""


def main():
    with fl.Stack("migrate") as st:

        def migrate(*args):
            p = subprocess.run([st.bin, "migrate", "-c", st.conf] + list(args), stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, timeout=120)
            out, err = p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace")
            fl.say("$ blogd migrate %s -> exit %d\n%s%s" % (" ".join(args), p.returncode, out, err))
            return p.returncode, out, err

        def versions():
            return [int(v) for (v,) in st.sql("SELECT version FROM schema_migrations ORDER BY version")]

        # --- what the stack applied ---
        rc, out, _ = migrate("--status")
        fl.check(rc == 0, "--status exits 0")
        for name in ("001_schema.sql", "002_change_seq.sql", "003_comment_request_key.sql", "004_hosts.sql"):
            fl.check(re.search(r"^%s\s+applied \d{4}-\d\d-\d\d" % re.escape(name), out, re.M) is not None,
                     "--status lists %s as applied, with its time" % name)
        fl.check(versions() == [1, 2, 3, 4], "schema_migrations holds 1-4 (%s)" % versions())
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
        with open(os.path.join(sql_dir, "005_test.sql"), "w") as f:
            f.write(NEW_MIGRATION)
        rc, out, _ = migrate("--status", "--sql", sql_dir)
        fl.check(rc == 0 and re.search(r"^005_test.sql\s+pending", out, re.M) is not None,
                 "--status lists the new file as pending")
        rc, out, _ = migrate("--sql", sql_dir)
        fl.check(rc == 0 and "applied 005_test.sql (4 statements" in out and "001_schema" not in out,
                 "the new migration alone is applied (4 statements)")
        fl.check(versions() == [1, 2, 3, 4, 5], "and recorded (%s)" % versions())
        rows = st.sql("SELECT id, note FROM migrate_test ORDER BY id")
        fl.check(rows == [("1", "a;b -- not a comment"), ("2", "x!")],
                 "its statements ran whole, the trigger with them (%s)" % rows)
        rc, out, _ = migrate("--sql", sql_dir)
        fl.check(rc == 0 and "up to date" in out and versions() == [1, 2, 3, 4, 5],
                 "run again: nothing applied, recorded once")

        # --- a broken migration ---
        with open(os.path.join(sql_dir, "006_broken.sql"), "w") as f:
            f.write(BROKEN_MIGRATION)
        rc, out, err = migrate("--sql", sql_dir)
        fl.check(rc != 0, "a failing migration exits non-zero (%d)" % rc)
        fl.check("006_broken.sql: statement 2 (line 3) failed" in err and "no_such_table" in err,
                 "the error names the file, the statement, its line and the server's error")
        fl.check(versions() == [1, 2, 3, 4, 5], "006 is not recorded (%s)" % versions())
        tables = {t for (t,) in st.sql("SHOW TABLES")}
        fl.check("broken_a" in tables and "broken_b" not in tables,
                 "the statement before the failed one took effect, none after (DDL is not transactional)")
        rc, out, _ = migrate("--status", "--sql", sql_dir)
        fl.check(rc == 0 and re.search(r"^006_broken.sql\s+pending", out, re.M) is not None,
                 "--status lists it as pending")
        # Fixed, it applies (its first statement made idempotent by hand, as README says).
        with open(os.path.join(sql_dir, "006_broken.sql"), "w") as f:
            f.write("DROP TABLE IF EXISTS broken_a;\nCREATE TABLE broken_a (id INT) ENGINE=InnoDB;\n")
        rc, out, _ = migrate("--sql", sql_dir)
        fl.check(rc == 0 and versions() == [1, 2, 3, 4, 5, 6], "the fixed file applies and is recorded")

        # --- seeding a database with posts ---
        posts = st.sql("SELECT COUNT(*) FROM post")
        for what in ("tutorial", "large"):
            rc, out, _ = migrate("--seed", what)
            fl.check(rc == 0 and "not seeding" in out, "--seed %s on a database with posts does nothing" % what)
        fl.check(st.sql("SELECT COUNT(*) FROM post") == posts, "post count unchanged (%s)" % posts)
        rc, _, _ = migrate("--seed", "huge")
        fl.check(rc == 2, "--seed huge is a usage error")

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
