-- 002: a change sequence, bumped in the same transaction as every change to posts or
-- comments (by blogd or by anyone else), so every blogd host can tell with one primary-key
-- read whether a page it rendered earlier is still current (see cache = db in blogd.conf).
-- A bulk load may set @blogd_bulk = 1 to skip the per-row bump and bump once at the end.

CREATE TABLE change_seq (
  id  TINYINT UNSIGNED NOT NULL,
  seq BIGINT UNSIGNED  NOT NULL,
  PRIMARY KEY (id)
) ENGINE=InnoDB;

INSERT INTO change_seq (id, seq) VALUES (1, 0);

CREATE TRIGGER post_ai AFTER INSERT ON post FOR EACH ROW
  UPDATE change_seq SET seq = seq + 1 WHERE id = 1 AND @blogd_bulk IS NULL;
CREATE TRIGGER post_au AFTER UPDATE ON post FOR EACH ROW
  UPDATE change_seq SET seq = seq + 1 WHERE id = 1 AND @blogd_bulk IS NULL;
CREATE TRIGGER post_ad AFTER DELETE ON post FOR EACH ROW
  UPDATE change_seq SET seq = seq + 1 WHERE id = 1 AND @blogd_bulk IS NULL;
CREATE TRIGGER comment_ai AFTER INSERT ON comment FOR EACH ROW
  UPDATE change_seq SET seq = seq + 1 WHERE id = 1 AND @blogd_bulk IS NULL;
CREATE TRIGGER comment_au AFTER UPDATE ON comment FOR EACH ROW
  UPDATE change_seq SET seq = seq + 1 WHERE id = 1 AND @blogd_bulk IS NULL;
CREATE TRIGGER comment_ad AFTER DELETE ON comment FOR EACH ROW
  UPDATE change_seq SET seq = seq + 1 WHERE id = 1 AND @blogd_bulk IS NULL;
