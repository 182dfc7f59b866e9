/**
 * Text the store cannot hold: PostgreSQL text and jsonb refuse NUL (U+0000), and jsonb refuses an
 * unpaired UTF-16 surrogate. A record carrying one would fail its whole chunk (or, NUL in a natural
 * key, come back from the database under another key), so it is found before the store and its source
 * row quarantined as a record error (HUB_ERR_RECORD_UNSTORABLE_CHARACTER), naming the field.
 */
import { errorReport, type ErrorReport } from '../errors/hub-error.ts';
import type { MappedRecord } from '../mapping/inbound.ts';
import type { InvalidSource, MappedBatch } from '../mapping/run.ts';

// eslint-disable-next-line no-control-regex
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const ENVELOPE = new Set(['sourceRefs', 'key', 'id', 'version', 'classification', 'type']);

/** The first field path (dotted) of `value` whose text the store cannot hold, with what it holds. */
export function unstorableField(value: unknown, path = ''): { field: string; character: string } | undefined {
  if (typeof value === 'string') {
    const m = UNSTORABLE.exec(value);
    if (!m) return undefined;
    return { field: path || '(value)', character: m[0] === '\u0000' ? 'a NUL character (U+0000)' : 'an unpaired surrogate (U+D800-U+DFFF)' };
  }
  if (value === null || typeof value !== 'object') return undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const f = unstorableField(value[i], path ? `${path}.${i}` : String(i));
      if (f) return f;
    }
    return undefined;
  }
  for (const [k, v] of Object.entries(value)) {
    // The envelope is derived from the fields (key, id) or set by the hub: name the field instead.
    if (path === '' && ENVELOPE.has(k)) continue;
    const f = unstorableField(v, path ? `${path}.${k}` : k);
    if (f) return f;
  }
  return undefined;
}

/**
 * Move the records of every source row that carries unstorable text out of the batch: the row
 * becomes invalid (all its records in this batch go, and its replace or delete instruction, so a row
 * is stored whole or not at all), with one error naming the first such field. Returns how many rows
 * moved (mapped -> invalid).
 */
export function screenUnstorable(batch: MappedBatch): number {
  const bad = new Map<unknown, { record: MappedRecord; found: { field: string; character: string } }>();
  for (const r of batch.records) {
    const ref = r.sourceRefs[0] ?? r;
    if (bad.has(ref)) continue;
    const found = unstorableField(r);
    if (found) bad.set(ref, { record: r, found });
  }
  if (bad.size === 0) return 0;
  batch.records = batch.records.filter((r) => !bad.has(r.sourceRefs[0] ?? r));
  // An invalid row asks for nothing: its replace or delete instruction goes with its records.
  const badRows = new Set([...bad.values()].map((b) => b.record.sourceRefs[0]?.pointer?.row));
  batch.retractions = batch.retractions.filter((r) => !badRows.has(r.row));
  for (const { record, found } of bad.values()) {
    const pointer = record.sourceRefs[0]?.pointer ?? {};
    const error: ErrorReport = errorReport('HUB_ERR_RECORD_UNSTORABLE_CHARACTER', { field: `${record.type}.${found.field}`, character: found.character }, pointer);
    const invalid: InvalidSource = { row: pointer.row ?? 0, pointer, errors: [error], raw: withoutUnstorable(record) };
    batch.invalid.push(invalid);
  }
  return bad.size;
}

/** The record as quarantine keeps it: its fields, with NUL and unpaired surrogates shown as escapes. */
function withoutUnstorable(record: MappedRecord): unknown {
  const { sourceRefs: _refs, id: _id, version: _version, ...fields } = record;
  return JSON.parse(
    JSON.stringify(fields).replace(/\\u0000/g, '\\\\u0000').replace(/\\u(d[89a-f][0-9a-f]{2})/gi, '\\\\u$1'),
  ) as unknown;
}
