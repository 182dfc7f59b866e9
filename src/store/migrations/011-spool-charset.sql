-- 011: a webhook body keeps the charset its request named (Content-Type: text/csv; charset=windows-1252),
-- so the body is read in it whenever its transfer runs: at once, after a restart, or on a replay.
-- NULL: the request named none.
ALTER TABLE spool ADD COLUMN charset text;
