#!/usr/bin/env bash
# Generates sql/seed_large.sql, the large seed data set that `blogd migrate --seed large`
# loads after sql/seed.sql into an empty database: after changing this script, run
# `bash sql/seed_large.sh > sql/seed_large.sql` and check both in. It only prints SQL.
#
# Result (deterministic: the same rows on every run):
#   posts     100,000  ids 1..100000
#   comments 1,000,000 ids 1..1000000
#   - posts 1-3 and comments 1-4: the tutorial seed, sql/seed.sql, unchanged
#     (loaded first, by blogd migrate; no bulk comment goes to posts 1-3).
#   - post 4, "The Busy Post": exactly 100,000 comments, every 10th comment
#     id from 5 on (5, 15, 25, ... 999995), so it is spread through
#     /comments/ as well. The hot spot for paging a single post.
#   - the other 899,996 comments go to posts 5..100000 with a power-law skew
#     (the busiest has about 20,000 comments, the median post about 3, some
#     none); busy posts are scattered over the id range, not clustered.
#   - titles (at most 100 characters) and contents are sentences picked by a
#     hash of the id: lengths vary from one short sentence to several KB,
#     some text is multi-byte UTF-8 (accents, Greek, Cyrillic, CJK, emoji),
#     some holds characters that must be HTML-escaped (< > & " ').
#
# Bulk loading: INSERT ... SELECT from MariaDB's sequence engine
# (seq_1_to_N tables), unique/foreign-key checks off in the session, one
# transaction per chunk. ANALYZE TABLE at the end. blogd migrate runs the
# statements in one session, refuses a database whose post or comment table
# is not empty, and empties both tables again if a statement fails.
set -euo pipefail

N_POSTS=100000
N_COMMENTS=1000000
BUSY_POST=4              # documented id of "The Busy Post"
BUSY_EVERY=10            # every 10th bulk comment goes to it -> 100,000
CHUNK=250000             # comments per INSERT ... SELECT (one transaction each)

# --- text material ------------------------------------------------------------
# SQL string literal (quotes doubled, backslashes doubled).
lit() { local s="${1//\\/\\\\}"; s="${s//\'/\'\'}"; printf "'%s'" "$s"; }
# elt ARRAYNAME HASHEXPR: ELT(1 + HASH MOD n, 'a', 'b', ...), a constant-time pick.
elt() {
  local -n arr="$1"
  local out="ELT(1 + ($2) MOD ${#arr[@]}" s
  for s in "${arr[@]}"; do out+=", $(lit "$s")"; done
  printf '%s)' "$out"
}

SENTENCES=(
  "This is a sentence."
  "I have been thinking about this for a while now."
  "The benchmark numbers were better than expected, which is always a little suspicious."
  "Caching helps, but only when the working set actually fits in memory."
  "We moved the whole thing to a single FastCGI pool and the tail latency dropped by half."
  "Nobody reads the documentation until something breaks at three in the morning."
  "Short answer: it depends."
  "The long answer involves indexes, query plans, and a fair amount of patience, because the optimizer does not always pick the plan you would pick yourself when the statistics are stale."
  "Prepared statements are not optional."
  "Every value is escaped on output, including this one: <script>alert(\"hi\")</script>."
  "Is 3 < 5 && 5 > 3? Yes, \"obviously\" — but it's worth checking."
  "Tom & Jerry's café served crème brûlée and a rather good piña colada."
  "Zürich, Kraków, São Paulo and Reykjavík were all on the list."
  "Η γρήγορη καφέ αλεπού πηδά πάνω από τον τεμπέλη σκύλο."
  "Съешь же ещё этих мягких французских булок, да выпей чаю."
  "東京の夜は長いですが、サーバーは眠りません。"
  "数据库索引让查询变得更快。"
  "The deploy went out at 🚀 speed and came back at 🐢 speed."
  "Thanks for sharing! 👍🎉"
  "Naïve implementations often work surprisingly well in practice."
  "Keyset pagination keeps page 10,000 as cheap as page 1."
  "If you measure it, you can improve it; if you don't, you are guessing."
  "The migration took four minutes on staging and forty on production."
  "Good defaults matter more than clever options."
  "I disagree with the second point, though the rest is spot on."
  "Could you explain how this behaves under load?"
  "We tried this last year and rolled it back after a week."
  "Small, boring, reliable — the three best words for infrastructure."
  "Logs are a story the system tells about itself; metrics are the summary on the back cover."
  "Remember to check the error path, not just the happy path."
  "The quick brown fox jumps over the lazy dog."
  "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua."
  "First!"
  "This changed how I think about connection pools."
  "Backups are only as good as the last restore you actually tested."
  "A foreign key is a promise the database keeps for you."
  "UTF-8 everywhere — utf8mb4 in MariaDB, of course, or the emoji get lost: 😀."
  "Straße, façade, jalapeño, smörgåsbord, déjà vu."
  "One more thing: the config reloads on SIGHUP without dropping requests."
  "I would love to see a follow-up post on replication."
  "Great write-up, bookmarked."
  "The numbers in the second table do not add up; am I missing something?"
  "We run something similar with nginx in front and three FastCGI hosts behind it."
  "Never trust user input, and never trust a benchmark you did not run yourself."
  "Read the query plan before you add another index."
  "It's not the database, it's the N+1 queries."
  "Υπέροχο άρθρο, ευχαριστώ!"
  "Отличная статья, спасибо!"
  "とても参考になりました。"
  "This comment intentionally left almost blank."
)
OPENERS=(
  "Nice post." "Interesting." "Hmm." "Thanks!" "Well," "Agreed." "Not sure about this." "Follow-up:"
  "Quick question:" "Ha!" "Merci !" "Danke!" "¡Gracias!" "ありがとう!" "Спасибо!" "Update:" "+1" "Counterpoint:"
)
ADJ=(
  "Notes on" "Thoughts on" "A Field Guide to" "Why I Stopped Worrying About" "Lessons from" "The Case for"
  "The Case Against" "Understanding" "Debugging" "Scaling" "Rethinking" "A Short History of" "Ten Years of"
  "Benchmarking" "Living with" "Über" "Les secrets de" "Μια ματιά στο" "Заметки о" "Getting Started with"
)
NOUN=(
  "Connection Pools" "FastCGI" "Keyset Pagination" "UTF-8" "MariaDB Replication" "nginx Upstreams"
  "Prepared Statements" "Foreign Keys" "Tail Latency" "Load Testing with wrk" "HTML Escaping" "CSRF Tokens"
  "Graceful Restarts" "Memory Allocators" "Signal Handling" "Log Rotation" "Query Plans" "Indexes"
  "Crème Brûlée" "東京のサーバー" "Emoji 🚀" "Small Binaries" "Backups" "Configuration Files"
)
TAIL=(
  "" "" "" "" ", Part 2" ", Part 3" " (Revisited)" ": A Practical Guide" " in Production"
  " & Other Stories" ": What Went Wrong" " for the Impatient" " — Again" ", One Year Later"
  ": Notes from a Long Weekend of Debugging Things That Should Have Worked the First Time"
)

# h ROW KEY: a 32-bit hash of row number ROW and slot KEY (deterministic).
h() { printf "CRC32(CONCAT(%s, '.%s'))" "$1" "$2"; }
# s ROW KEY: one sentence picked by hash.
s() { elt SENTENCES "$(h "$1" "$2")"; }
# para ROW KEY: a paragraph of 2-4 sentences.
para() {
  printf "CONCAT_WS(' ', %s, %s, IF(%s MOD 3 > 0, %s, NULL), IF(%s MOD 3 > 1, %s, NULL))" \
    "$(s "$1" "$2a")" "$(s "$1" "$2b")" "$(h "$1" "$2n")" "$(s "$1" "$2c")" "$(h "$1" "$2n")" "$(s "$1" "$2d")"
}

# Post content: 1-6 paragraphs of 2-4 sentences (mostly 1-3 paragraphs); 1
# post in 100 is long (its paragraphs repeated 12 times: several KB).
NL="CHAR(10 USING utf8mb4)"
POST_PARAS="CONCAT_WS(CONCAT($NL, $NL), $(para seq p1)"
i=2
for at in 30 55 75 88 95; do # % of posts with fewer than 2, 3, 4, 5, 6 paragraphs
  POST_PARAS+=", IF($(h seq np) MOD 100 >= $at, $(para seq "p$i"), NULL)"
  i=$((i + 1))
done
POST_PARAS+=")"
POST_CONTENT="IF($(h seq long) MOD 100 = 0, CONCAT(REPEAT(CONCAT($POST_PARAS, $NL, $NL), 11), $POST_PARAS), $POST_PARAS)"
POST_TITLE="TRIM(LEFT(CONCAT($(elt ADJ "$(h seq ta)"), ' ', $(elt NOUN "$(h seq tn)"), $(elt TAIL "$(h seq tt)")), 100))"

# Comment content: 40% one sentence, up to 6; 1 in 200 is long (a paragraph x 8).
C1="$(s seq c1)"
COMMENT_BODY="CONCAT_WS(' ', IF($(h seq op) MOD 4 = 0, $(elt OPENERS "$(h seq oq)"), NULL), $C1"
i=2
for at in 40 65 80 90 96; do # % of comments with fewer than 2, 3, 4, 5, 6 sentences
  COMMENT_BODY+=", IF($(h seq cn) MOD 100 >= $at, $(s seq "c$i"), NULL)"
  i=$((i + 1))
done
COMMENT_BODY+=")"
COMMENT_CONTENT="IF($(h seq cl) MOD 200 = 0, TRIM(REPEAT(CONCAT($(para seq cp), ' '), 8)), $COMMENT_BODY)"

# Post of a bulk comment: every BUSY_EVERY-th goes to the busy post; the rest
# get rank r = floor(M * u^3) (u uniform in [0,1): rank 0 is the busiest),
# scattered over posts 5..N_POSTS by a multiplier coprime to M.
M=$((N_POSTS - BUSY_POST))  # 99996 posts share the skewed comments
SCATTER=7919                # prime, does not divide 99996 = 2^2 * 3 * 13 * 641
COMMENT_POST="IF((seq - 5) MOD $BUSY_EVERY = 0, $BUSY_POST,
  $((BUSY_POST + 1)) + (FLOOR($M * POW($(h seq u) / 4294967296.0, 3)) * $SCATTER) MOD $M)"

# @blogd_bulk skips the per-row change_seq bump of sql/002's triggers; bumped once at the end.
SESSION="SET SESSION unique_checks=0, foreign_key_checks=0, sql_mode=CONCAT(@@sql_mode, ',STRICT_ALL_TABLES'); SET @blogd_bulk = 1;"

# --- the statements ---------------------------------------------------------------
cat <<EOF
-- sql/seed_large.sql: generated by sql/seed_large.sh (edit that, then regenerate:
-- bash sql/seed_large.sh > sql/seed_large.sql). Loaded by blogd migrate --seed large
-- after sql/seed.sql, into an empty database, in one session.
INSERT INTO post (id, title, content) VALUES ($BUSY_POST, 'The Busy Post',
  $(lit "This post has 100,000 comments (every tenth comment id from 5 on), loaded by sql/seed_large.sh. Use it to check that a post's comments are paged and that page 10,000 costs what page 1 does.")
  );
$SESSION
START TRANSACTION;
INSERT INTO post (id, title, content)
SELECT seq, $POST_TITLE, $POST_CONTENT
FROM seq_$((BUSY_POST + 1))_to_$N_POSTS;
COMMIT;
EOF

first=5
while [ "$first" -le "$N_COMMENTS" ]; do
  last=$((first + CHUNK - 1))
  [ "$last" -le "$N_COMMENTS" ] || last=$N_COMMENTS
  cat <<EOF
START TRANSACTION;
INSERT INTO comment (id, content, post_id)
SELECT seq, $COMMENT_CONTENT, $COMMENT_POST
FROM seq_${first}_to_${last};
COMMIT;
EOF
  first=$((last + 1))
done

cat <<EOF
SET SESSION unique_checks=1, foreign_key_checks=1; SET @blogd_bulk = NULL;
ANALYZE TABLE post, comment;
INSERT INTO change_seq (id, seq) VALUES (0, 1), (1, 1), (2, 1) ON DUPLICATE KEY UPDATE seq = seq + 1;
EOF
