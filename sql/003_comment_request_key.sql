-- 003: the id of the request that stored a comment (nginx's $request_id, 32 hex digits).
-- When the database connection is lost while an INSERT is in flight, blogd cannot know from
-- the error whether it committed; after reconnecting it looks the key up and answers 303 if
-- the comment is there, an error (with nothing stored) if not. Rows loaded in bulk have NULL.
ALTER TABLE comment
  ADD COLUMN request_key CHAR(32) CHARACTER SET ascii NULL,
  ADD UNIQUE KEY uq_comment_request_key (request_key);
