-- 005: authors, their sessions and failed logins; posts gain an author, a status, times, the
-- HTML their Markdown renders to and a version (for edit conflicts). An existing database is
-- upgraded in place: every post and comment is kept, and the posts become published posts by
-- `admin` (an account without a password until `blogd user passwd admin` sets one; the
-- private stack does at once). `blogd migrate` renders the existing posts' Markdown
-- (html IS NULL) after the migrations.

-- Account names are ASCII (http/credentials.h) and compared without case.
CREATE TABLE author (
  id         INT UNSIGNED NOT NULL AUTO_INCREMENT,
  name       VARCHAR(32)  CHARACTER SET ascii COLLATE ascii_general_ci NOT NULL,
  pass_hash  VARCHAR(255) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  created_at DATETIME(6)  NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  PRIMARY KEY (id),
  UNIQUE KEY uq_author_name (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- An empty hash matches no password: the account exists, nobody can sign in as it yet.
INSERT INTO author (id, name, pass_hash) VALUES (1, 'admin', '');

-- A session is known only by the SHA-256 of its id (hex): the table opens no session.
CREATE TABLE session (
  id_hash    CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  author_id  INT UNSIGNED NOT NULL,
  created_at DATETIME(6) NOT NULL,
  last_seen  DATETIME(6) NOT NULL,
  PRIMARY KEY (id_hash),
  KEY idx_session_author (author_id),
  KEY idx_session_seen (last_seen),
  CONSTRAINT fk_session_author FOREIGN KEY (author_id) REFERENCES author (id) ON DELETE CASCADE
) ENGINE=InnoDB;

-- One row per failed login and per subject it counts against: a keyed hash (hex) of the
-- account name or of the client's address, so every worker and host counts the same.
CREATE TABLE login_failure (
  id      BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  subject CHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  at      DATETIME(6) NOT NULL,
  PRIMARY KEY (id),
  KEY idx_login_failure (subject, at),
  KEY idx_login_failure_at (at)
) ENGINE=InnoDB;

-- The times are UTC (blogd's sessions run with time_zone = '+00:00'). created_at and
-- updated_at of the existing posts are the upgrade's time: nothing older is known.
ALTER TABLE post
  ADD COLUMN author_id    INT UNSIGNED NULL AFTER id,
  ADD COLUMN status       ENUM('draft', 'published') NOT NULL DEFAULT 'published' AFTER author_id,
  ADD COLUMN created_at   DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  ADD COLUMN published_at DATETIME(6) NULL,
  ADD COLUMN updated_at   DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  ADD COLUMN html         LONGTEXT NULL,
  ADD COLUMN version      INT UNSIGNED NOT NULL DEFAULT 1,
  ADD KEY idx_post_status (status, id),
  ADD KEY idx_post_feed (status, published_at),
  ADD CONSTRAINT fk_post_author FOREIGN KEY (author_id) REFERENCES author (id);

UPDATE post SET author_id = 1, published_at = created_at;

-- A post gets its published time the first time it is published, however it is stored
-- (blogd's editor or plain SQL), and keeps it through later edits; the feed is read by it.
-- A text changed by plain SQL (not by blogd, whose sessions SET @blogd_writer = 1 and store
-- the HTML with the text) loses its now stale HTML: blogd renders it when it is shown, until
-- the next `blogd migrate` stores it again.
DELIMITER //
CREATE TRIGGER post_bi BEFORE INSERT ON post FOR EACH ROW
  IF NEW.status = 'published' AND NEW.published_at IS NULL THEN
    SET NEW.published_at = NOW(6);
  END IF//
CREATE TRIGGER post_bu BEFORE UPDATE ON post FOR EACH ROW
BEGIN
  IF NEW.status = 'published' AND NEW.published_at IS NULL THEN
    SET NEW.published_at = NOW(6);
  END IF;
  IF @blogd_writer IS NULL AND NOT (NEW.content <=> OLD.content) AND NEW.html <=> OLD.html THEN
    SET NEW.html = NULL;
  END IF;
END//
DELIMITER ;
