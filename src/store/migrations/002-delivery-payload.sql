-- A delivery carries its content: the records of a chunk or a lead package, exactly as routed. It is
-- written in the same transaction as the records it carries (an outbox), so a crash between commit
-- and queueing loses nothing: pending deliveries are queued again at start and after every transfer.
ALTER TABLE deliveries ADD COLUMN content text NOT NULL DEFAULT 'records' CHECK (content IN ('records', 'lead'));
ALTER TABLE deliveries ADD COLUMN payload jsonb;
CREATE INDEX deliveries_pending_idx ON deliveries (created_at) WHERE status IN ('pending', 'failed');
