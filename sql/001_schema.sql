-- 001: the blog's two tables, posts and their comments (utf8mb4 end to end).

CREATE TABLE post (
  id      INT UNSIGNED NOT NULL AUTO_INCREMENT,
  title   VARCHAR(100) NOT NULL,
  content LONGTEXT     NOT NULL,
  PRIMARY KEY (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- (post_id, id) serves both "comments of a post, oldest first" and the
-- foreign key, so no separate index on post_id is needed.
CREATE TABLE comment (
  id      INT UNSIGNED NOT NULL AUTO_INCREMENT,
  content LONGTEXT     NOT NULL,
  post_id INT UNSIGNED NOT NULL,
  PRIMARY KEY (id),
  KEY idx_comment_post (post_id, id),
  CONSTRAINT fk_comment_post FOREIGN KEY (post_id) REFERENCES post (id)
    ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
