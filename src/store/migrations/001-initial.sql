-- 001-initial: the hub's durable state.
-- Runs inside the migration transaction, in the schema on the search_path. Times are timestamptz (UTC).

-- One run of one source connector: one file, one poll, one webhook body.
CREATE TABLE transfers (
  id              text PRIMARY KEY,
  connector_id    text NOT NULL,
  trigger         text NOT NULL CHECK (trigger IN ('schedule', 'webhook', 'manual', 'file')),
  source          text,
  status          text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'partial')),
  read_count      bigint NOT NULL DEFAULT 0,
  mapped_count    bigint NOT NULL DEFAULT 0,
  invalid_count   bigint NOT NULL DEFAULT 0,
  stored_count    bigint NOT NULL DEFAULT 0,
  changed_count   bigint NOT NULL DEFAULT 0,
  unchanged_count bigint NOT NULL DEFAULT 0,
  delivered_count bigint NOT NULL DEFAULT 0,
  failed_count    bigint NOT NULL DEFAULT 0,
  error           text,
  created_at      timestamptz NOT NULL DEFAULT now(),
  started_at      timestamptz,
  finished_at     timestamptz
);
CREATE INDEX transfers_connector_idx ON transfers (connector_id, created_at DESC);
CREATE INDEX transfers_created_idx ON transfers (created_at DESC);

-- Canonical records, one row per natural key. body = the record without its envelope fields
-- (id, version, sourceRefs, createdAt, updatedAt); content_hash = sha256 of body's canonical JSON.
CREATE TABLE records (
  id             uuid PRIMARY KEY,
  type           text NOT NULL,
  natural_key    text NOT NULL,
  version        integer NOT NULL DEFAULT 1 CHECK (version >= 1),
  content_hash   text NOT NULL,
  classification text NOT NULL DEFAULT 'cji' CHECK (classification IN ('cji', 'les', 'public')),
  body           jsonb NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT records_type_key_unique UNIQUE (type, natural_key)
);
-- findRecords: `body @@ jsonpath` equality lookups (lab case number, serial, ORI + case number...).
CREATE INDEX records_body_path_idx ON records USING gin (body jsonb_path_ops);
-- "what changed since": the enrich stage and incremental outbound feeds.
CREATE INDEX records_type_updated_idx ON records (type, updated_at);

-- Provenance: every time a record was seen, from where. dedupe_key = sha256 of the canonical JSON of
-- (transfer, system, source record id, mapping, file, pointer): a re-run chunk adds nothing twice.
CREATE TABLE record_sources (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  record_id        uuid NOT NULL REFERENCES records (id) ON DELETE CASCADE,
  transfer_id      text REFERENCES transfers (id) ON DELETE SET NULL,
  system           text,
  source_record_id text,
  mapping          text,
  file             text,
  pointer          jsonb,
  received_at      timestamptz NOT NULL DEFAULT now(),
  payload_hash     text,
  dedupe_key       text NOT NULL,
  created_at       timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT record_sources_dedupe_unique UNIQUE (record_id, dedupe_key)
);
CREATE INDEX record_sources_transfer_idx ON record_sources (transfer_id);

-- Records that failed mapping or validation, with the error code and a pointer to the source.
CREATE TABLE quarantine (
  id           uuid PRIMARY KEY,
  seq          bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  transfer_id  text REFERENCES transfers (id) ON DELETE CASCADE,
  connector_id text,
  code         text NOT NULL,
  message      text NOT NULL,
  field        text,
  value        text,
  pointer      jsonb,
  payload      jsonb,
  created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX quarantine_connector_idx ON quarantine (connector_id, seq DESC);
CREATE INDEX quarantine_transfer_idx ON quarantine (transfer_id, seq DESC);
CREATE INDEX quarantine_code_idx ON quarantine (code, seq DESC);

-- One row per (destination, record version) or (destination, package): the id is deterministic, so a
-- re-run finds the row and does not deliver twice.
CREATE TABLE deliveries (
  delivery_id      text PRIMARY KEY,
  destination_id   text NOT NULL,
  record_id        uuid,
  package_ref      text,
  record_version   integer,
  status           text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed', 'dead')),
  attempts         integer NOT NULL DEFAULT 0,
  last_error       text,
  response_status  integer,
  created_at       timestamptz NOT NULL DEFAULT now(),
  first_attempt_at timestamptz,
  last_attempt_at  timestamptz,
  delivered_at     timestamptz,
  updated_at       timestamptz NOT NULL DEFAULT now(),
  CHECK (record_id IS NOT NULL OR package_ref IS NOT NULL)
);
CREATE INDEX deliveries_destination_idx ON deliveries (destination_id, status, created_at DESC);
CREATE INDEX deliveries_record_idx ON deliveries (record_id);

-- Where each polling connector left off; advanced in the same transaction as the records it covers.
CREATE TABLE cursors (
  connector_id text PRIMARY KEY,
  value        text NOT NULL,
  transfer_id  text,
  updated_at   timestamptz NOT NULL DEFAULT now()
);

-- Jobs that exhausted their attempts, with the full attempt history; replayable.
CREATE TABLE dead_letters (
  id             uuid PRIMARY KEY,
  queue          text NOT NULL,
  job_id         text NOT NULL,
  destination_id text,
  payload        jsonb NOT NULL,
  attempts       jsonb NOT NULL DEFAULT '[]'::jsonb,
  last_error     text,
  created_at     timestamptz NOT NULL DEFAULT now(),
  replayed_at    timestamptz,
  replay_job_id  text
);
CREATE INDEX dead_letters_queue_idx ON dead_letters (queue, created_at DESC);
CREATE INDEX dead_letters_pending_idx ON dead_letters (created_at DESC) WHERE replayed_at IS NULL;

-- Expiring leases: scheduler leadership and other "one holder at a time" roles.
CREATE TABLE leases (
  name        text PRIMARY KEY,
  holder      text NOT NULL,
  acquired_at timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz NOT NULL
);

-- First-caller-wins claims: "schedule:<connector>:<fire time>" fires once however many processes run.
CREATE TABLE once_claims (
  name       text PRIMARY KEY,
  holder     text,
  claimed_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX once_claims_claimed_idx ON once_claims (claimed_at);
