-- 008: the leads that name a lab case or an agency case are found by index, not by reading every lead.

-- Each chunk of a transfer, and each webhook, asks which leads name the lab cases and agency cases it
-- changed (a late arrival completes a lead). Reading every lead's events cost each of them more with
-- every lead the store keeps: 50 to 240 ms a chunk at 20,000 leads, against 3 to 8 ms by this index.
-- The references a lead's events make, as text: 'lab|<lab case number>' and
-- 'case|<ORI>|<agency case number>'.
CREATE FUNCTION lead_event_refs(body jsonb) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT ARRAY(
    SELECT ref
    FROM jsonb_array_elements(CASE jsonb_typeof(body->'events') WHEN 'array' THEN body->'events' ELSE '[]'::jsonb END) AS e,
      LATERAL (VALUES ('lab|' || (e->>'labCaseNumber')), ('case|' || (e->>'agencyOri') || '|' || (e->>'agencyCaseNumber'))) AS v(ref)
    WHERE ref IS NOT NULL)
$$;

-- Without fast update: leads are written one at a time, and a pending list (20,000 new leads not yet
-- merged) made a lookup take 860 ms instead of 3.
CREATE INDEX records_lead_refs_idx ON records USING gin (lead_event_refs(body)) WITH (fastupdate = off) WHERE type = 'NibinLead';
