-- 008: the leads that name a lab case or an agency case are found by index, not by reading every lead.

-- Each chunk of a transfer, and each webhook, asks which leads name the lab cases and agency cases it
-- changed (a late arrival completes a lead). Reading every lead's events cost each of them more with
-- every lead the store keeps: 43 to 240 ms a chunk at 20,000 leads, against 3 to 8 ms by this index.
-- The references a lead's events make, 'lab|<lab case number>' and 'case|<ORI>|<agency case number>',
-- each by its MD5: an index entry holds at most 2,712 bytes, and a lead naming a longer case number
-- must still be stored (a collision could only queue one more lead for a look, never lose one).
CREATE FUNCTION lead_event_refs(body jsonb) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT ARRAY(
    SELECT md5(ref)
    FROM jsonb_array_elements(CASE jsonb_typeof(body->'events') WHEN 'array' THEN body->'events' ELSE '[]'::jsonb END) AS e,
      LATERAL (VALUES ('lab|' || (e->>'labCaseNumber')), ('case|' || (e->>'agencyOri') || '|' || (e->>'agencyCaseNumber'))) AS v(ref)
    WHERE ref IS NOT NULL)
$$;

-- Without fast update: leads are written one at a time, and a pending list (20,000 new leads not yet
-- merged) made a lookup take 860 ms instead of 3.
CREATE INDEX records_lead_refs_idx ON records USING gin (lead_event_refs(body)) WITH (fastupdate = off) WHERE type = 'NibinLead';
