-- What each source says about each record, so a source's newer version of its own record replaces what
-- it said before while other sources' statements stay (docs/corrections.md). A record's body is the
-- merge of its contributions (src/store/merge.ts); writers lock the record's row before they read or
-- change its contributions.
--   source           the connector that delivered it (or the mapping's system when no connector did)
--   source_record_id the source's own id of the source record (mapping source.recordId), '' when none
--   seq              order among the record's contributions: the higher, the later it changed
--   transfer_id      the transfer that last changed it: rows of one transfer add up, a later one replaces
CREATE TABLE record_contributions (
  record_id        uuid NOT NULL REFERENCES records (id) ON DELETE CASCADE,
  source           text NOT NULL,
  source_record_id text NOT NULL DEFAULT '',
  seq              integer NOT NULL,
  content_hash     text NOT NULL,
  body             jsonb NOT NULL,
  transfer_id      text,
  updated_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (record_id, source, source_record_id)
);
-- A delete finds what a source record published.
CREATE INDEX record_contributions_source_idx ON record_contributions (source, source_record_id);

-- A record left with no contribution is a tombstone: its row stays (id, key, version) with deleted_at
-- set, its body reduced to type, key and classification; lookups and lead correlation skip it.
ALTER TABLE records ADD COLUMN deleted_at timestamptz;

-- Provenance says which source (connector) a sighting came from, and marks replace and delete instructions.
ALTER TABLE record_sources ADD COLUMN source text;
ALTER TABLE record_sources ADD COLUMN action text CHECK (action IN ('replace', 'delete'));

-- Records stored before contributions existed: the body becomes one contribution, nothing is lost. It
-- is the contribution of the connector that delivered every sighting of the record, when one did (so
-- that connector's next export corrects it), else of the source "legacy".
INSERT INTO record_contributions (record_id, source, source_record_id, seq, content_hash, body, transfer_id, updated_at)
SELECT r.id, COALESCE(only_one.connector_id, 'legacy'), '', 1, r.content_hash, r.body, NULL, r.updated_at
FROM records r
LEFT JOIN LATERAL (
  SELECT min(t.connector_id) AS connector_id
  FROM record_sources s LEFT JOIN transfers t ON t.id = s.transfer_id
  WHERE s.record_id = r.id
  HAVING count(*) > 0 AND count(t.connector_id) = count(*) AND min(t.connector_id) = max(t.connector_id)
) only_one ON true;
