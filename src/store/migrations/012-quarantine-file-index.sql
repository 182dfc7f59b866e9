-- 012: the quarantine of one source file (GET /api/quarantine?file=, the console's File filter) is
-- found by an index of the file each sighting was seen in, not by reading every sighting.
CREATE INDEX quarantine_sightings_file_idx ON quarantine_sightings ((pointer->>'file'));
