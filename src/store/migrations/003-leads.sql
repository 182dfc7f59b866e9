-- NIBIN lead packages: the versions of each enriched lead, what each recipient was sent (the
-- dissemination ledger: who, what fields, which version, why), and leads waiting for records.

-- One row per content change of an enriched lead (the full, unredacted view the packages are cut from).
CREATE TABLE lead_versions (
  lead_id        text NOT NULL,
  version        integer NOT NULL CHECK (version >= 1),
  content_hash   text NOT NULL,
  enriched       jsonb NOT NULL,
  complete       boolean NOT NULL,
  reason         text NOT NULL,
  lead_stored_at timestamptz NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (lead_id, version)
);

-- What each recipient agency was given, per version: the package and the fields of other agencies'
-- cases it disclosed. Deliveries of a package are the deliveries rows whose package_ref is
-- 'lead:<lead_id>@<version>:<recipient_ori>'.
CREATE TABLE lead_packages (
  lead_id          text NOT NULL,
  version          integer NOT NULL,
  recipient_ori    text NOT NULL,
  package          jsonb NOT NULL,
  fields_disclosed jsonb NOT NULL,
  reason           text NOT NULL,
  created_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (lead_id, version, recipient_ori)
);
CREATE INDEX lead_packages_recipient_idx ON lead_packages (recipient_ori, lead_id, version DESC);

-- Leads whose events name a lab case or agency case the hub has not received yet.
CREATE TABLE lead_pending (
  lead_id    text PRIMARY KEY,
  since      timestamptz NOT NULL DEFAULT now(),
  deadline   timestamptz NOT NULL,
  missing    jsonb NOT NULL,
  released   boolean NOT NULL DEFAULT false
);
