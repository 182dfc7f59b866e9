-- The audit trail (src/store/audit.ts): one hash-chained row per API request, admin action, webhook
-- decision, dissemination and delivery. Append-only: rows are never updated; they are deleted only by
-- retention pruning, below a signed checkpoint written in the same transaction.

CREATE TABLE audit_log (
  position    bigint PRIMARY KEY CHECK (position >= 1),
  at          timestamptz NOT NULL,
  category    text NOT NULL,
  action      text NOT NULL,
  actor       text NOT NULL,
  client      text,
  role        text,
  ori         text,
  subjects    jsonb NOT NULL DEFAULT '[]'::jsonb,
  outcome     text NOT NULL,
  status      integer,
  code        text,
  reason      text,
  source      text,
  request_id  text,
  detail      jsonb,
  prev_hash   text NOT NULL,
  hash        text NOT NULL
);
CREATE INDEX audit_log_at_idx ON audit_log (at);
CREATE INDEX audit_log_actor_idx ON audit_log (actor, position);
CREATE INDEX audit_log_subjects_idx ON audit_log USING gin (subjects jsonb_path_ops);

-- The end of the chain: the position and hash of the newest entry. Appends lock this row, so every
-- process appending to one database takes its turn; after pruning every entry it still holds the hash
-- the next entry chains to.
CREATE TABLE audit_head (
  id       integer PRIMARY KEY CHECK (id = 1),
  position bigint NOT NULL,
  hash     text NOT NULL
);
INSERT INTO audit_head (id, position, hash) VALUES (1, 0, repeat('0', 64));

-- Signed statements "entry <position> has hash <hash>": written when entries are pruned (over the
-- last pruned entry) and periodically over the head, so a chain rewritten after them is detected.
CREATE TABLE audit_checkpoints (
  position   bigint PRIMARY KEY,
  hash       text NOT NULL,
  kind       text NOT NULL CHECK (kind IN ('prune', 'anchor')),
  at         timestamptz NOT NULL,
  signature  text NOT NULL
);

-- Append-only in the database too: no UPDATE ever; DELETE only inside a pruning transaction
-- (SET LOCAL cgic.audit_prune_through = '<position>') and only up to that position.
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' AND OLD.position <= COALESCE(NULLIF(current_setting('cgic.audit_prune_through', true), '')::bigint, 0) THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'audit_log is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
