-- Tutorial seed data (SPEC "Data"), loaded by `blogd migrate --seed tutorial` into an empty database.

-- All or nothing: blogd migrate stops at the first error and the open
-- transaction is rolled back when it disconnects.
START TRANSACTION;

-- Published posts by admin (author 1, made by 005_authors.sql); their text is Markdown,
-- rendered by blogd migrate right after this script.
INSERT INTO post (id, author_id, status, title, content) VALUES
  (1, 1, 'published', 'Post The First',  'Content for the first post'),
  (2, 1, 'published', 'Post The Second', 'Content for the Second post'),
  (3, 1, 'published', 'Post The Third',  'Content for the third post');

INSERT INTO comment (id, content, post_id) VALUES
  (1, 'Comment for the first post',          1),
  (2, 'Comment for the second post',         2),
  (3, 'Another comment for the second post', 2),
  (4, 'Another comment for the first post',  1);

COMMIT;
