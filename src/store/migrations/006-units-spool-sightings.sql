-- 006: units processed on their own, exact after a crash, and webhook bodies out of Redis.

-- The chunks a transfer has committed: (transfer, unit + part + chunk index). A chunk re-run after a
-- crash finds its row and is skipped, so counts and quarantine are exactly those of one run.
CREATE TABLE transfer_chunks (
  transfer_id  text NOT NULL REFERENCES transfers (id) ON DELETE CASCADE,
  chunk_key    text NOT NULL,
  committed_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (transfer_id, chunk_key)
);

-- Quarantine entries are de-duplicated: the same bad row seen again (same connector and fingerprint:
-- code, field and the row's content) is one entry with a count and its last sighting. An entry is
-- resolved when a later transfer of the connector stores a row with the same identity (the natural
-- key of the mapping's first record, read from the row). transfer_id is the last sighting's transfer.
ALTER TABLE quarantine ADD COLUMN fingerprint text;
ALTER TABLE quarantine ADD COLUMN row_identity text;
ALTER TABLE quarantine ADD COLUMN seen_count integer NOT NULL DEFAULT 1;
ALTER TABLE quarantine ADD COLUMN last_seen_at timestamptz;
ALTER TABLE quarantine ADD COLUMN resolved_at timestamptz;
ALTER TABLE quarantine ADD COLUMN resolved_by text;
UPDATE quarantine SET last_seen_at = created_at;
ALTER TABLE quarantine ALTER COLUMN last_seen_at SET NOT NULL;
ALTER TABLE quarantine ALTER COLUMN last_seen_at SET DEFAULT now();
CREATE UNIQUE INDEX quarantine_fingerprint_unique ON quarantine (connector_id, fingerprint);
CREATE INDEX quarantine_open_identity_idx ON quarantine (connector_id, row_identity) WHERE resolved_at IS NULL AND row_identity IS NOT NULL;

-- Every sighting of an entry: which transfer saw it where. sighting_key names the place in a run
-- (transfer, unit, part, chunk, position), so writing a sighting twice counts it once.
CREATE TABLE quarantine_sightings (
  entry_id     uuid NOT NULL REFERENCES quarantine (id) ON DELETE CASCADE,
  sighting_key text NOT NULL,
  transfer_id  text REFERENCES transfers (id) ON DELETE CASCADE,
  pointer      jsonb,
  seen_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (entry_id, sighting_key)
);
CREATE INDEX quarantine_sightings_transfer_idx ON quarantine_sightings (transfer_id);
INSERT INTO quarantine_sightings (entry_id, sighting_key, transfer_id, pointer, seen_at)
  SELECT id, 'before-004', transfer_id, pointer, created_at FROM quarantine;

-- Bodies received by sources (webhooks), kept here until their transfer commits; jobs carry the id.
-- status 'rejected': the body's unit failed for good and waits for a replay (with its errors).
CREATE TABLE spool (
  id           text PRIMARY KEY,
  connector_id text NOT NULL,
  transfer_id  text,
  body         bytea NOT NULL,
  bytes        integer NOT NULL,
  sha256       text NOT NULL,
  status       text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'rejected')),
  errors       jsonb,
  received_at  timestamptz NOT NULL DEFAULT now(),
  rejected_at  timestamptz
);
CREATE INDEX spool_backlog_idx ON spool (connector_id) WHERE status = 'queued';

-- Dead letters are deliveries (kind 'delivery', a destination) or source units that failed every
-- attempt with an unexpected error (kind 'unit', a connector).
ALTER TABLE dead_letters ADD COLUMN kind text NOT NULL DEFAULT 'delivery' CHECK (kind IN ('delivery', 'unit'));
ALTER TABLE dead_letters ADD COLUMN connector_id text;
CREATE INDEX dead_letters_destination_idx ON dead_letters (destination_id, created_at DESC);
CREATE INDEX dead_letters_connector_idx ON dead_letters (connector_id, created_at DESC);
