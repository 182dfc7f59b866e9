-- 010: a transfer counts the rows it stored whose text shows a wrong encoding.

-- With the mapping's default `source.encodingErrors: warn`, such a row (U+FFFD, or UTF-8 read as
-- single bytes) is stored and delivered as read, with a warning. Until now only the log and
-- `cgic map` said so, and the transfer's status said "succeeded": the count is where the operator
-- looks (the transfer list, the console), in the same transaction as the rows it counts.
ALTER TABLE transfers ADD COLUMN damaged_count integer NOT NULL DEFAULT 0;
