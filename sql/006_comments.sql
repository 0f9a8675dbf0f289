-- 006: comments in public: an optional name, the time, the hash of the secret the writer's
-- browser keeps (comment_delete = owner: only it, and authors, may delete), and a status
-- (held comments wait for an author's approval; comment_moderation). Existing comments are
-- kept, approved, without owner (only authors may delete them in owner mode), dated by the
-- upgrade (nothing older is known).
ALTER TABLE comment
  ADD COLUMN name       VARCHAR(50) NOT NULL DEFAULT '' AFTER content,
  ADD COLUMN created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  ADD COLUMN owner_hash CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NULL,
  ADD COLUMN status     ENUM('approved', 'held') NOT NULL DEFAULT 'approved',
  ADD KEY idx_comment_status (status, id);
