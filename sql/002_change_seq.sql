-- 002: change sequences, bumped by triggers in the same transaction as every change to
-- posts or comments (by blogd or by anyone else), so a blogd host can tell with one
-- primary-key read whether a page it rendered earlier is still current (cache = db).
-- One row per scope of what a page shows:
--   id 0       the posts (titles and texts): the index, and post titles on /comments/
--   id 1       the comments: /comments/
--   id 2       any change made outside blogd (added by 004)
--   id 16 + P  post P and its comments: the pages of post P
-- A row appears with the first change in its scope; a missing row reads as 0.
-- A bulk load may SET @blogd_bulk = 1 to skip the per-row bumps (and bump once at the end).

CREATE TABLE change_seq (
  id  BIGINT UNSIGNED NOT NULL,
  seq BIGINT UNSIGNED NOT NULL,
  PRIMARY KEY (id)
) ENGINE=InnoDB;

CREATE TRIGGER post_ai AFTER INSERT ON post FOR EACH ROW
  INSERT INTO change_seq (id, seq)
  SELECT s, 1 FROM (SELECT 0 AS s UNION ALL SELECT NEW.id + 16) t WHERE @blogd_bulk IS NULL
  ON DUPLICATE KEY UPDATE seq = seq + 1;
CREATE TRIGGER post_au AFTER UPDATE ON post FOR EACH ROW
  INSERT INTO change_seq (id, seq)
  SELECT s, 1 FROM (SELECT 0 AS s UNION ALL SELECT OLD.id + 16 UNION ALL SELECT NEW.id + 16) t
  WHERE @blogd_bulk IS NULL
  ON DUPLICATE KEY UPDATE seq = seq + 1;
CREATE TRIGGER post_ad AFTER DELETE ON post FOR EACH ROW
  INSERT INTO change_seq (id, seq)
  SELECT s, 1 FROM (SELECT 0 AS s UNION ALL SELECT 1 UNION ALL SELECT OLD.id + 16) t
  WHERE @blogd_bulk IS NULL
  ON DUPLICATE KEY UPDATE seq = seq + 1;
CREATE TRIGGER comment_ai AFTER INSERT ON comment FOR EACH ROW
  INSERT INTO change_seq (id, seq)
  SELECT s, 1 FROM (SELECT 1 AS s UNION ALL SELECT NEW.post_id + 16) t WHERE @blogd_bulk IS NULL
  ON DUPLICATE KEY UPDATE seq = seq + 1;
CREATE TRIGGER comment_au AFTER UPDATE ON comment FOR EACH ROW
  INSERT INTO change_seq (id, seq)
  SELECT s, 1 FROM (SELECT 1 AS s UNION ALL SELECT OLD.post_id + 16 UNION ALL SELECT NEW.post_id + 16) t
  WHERE @blogd_bulk IS NULL
  ON DUPLICATE KEY UPDATE seq = seq + 1;
CREATE TRIGGER comment_ad AFTER DELETE ON comment FOR EACH ROW
  INSERT INTO change_seq (id, seq)
  SELECT s, 1 FROM (SELECT 1 AS s UNION ALL SELECT OLD.post_id + 16) t WHERE @blogd_bulk IS NULL
  ON DUPLICATE KEY UPDATE seq = seq + 1;
