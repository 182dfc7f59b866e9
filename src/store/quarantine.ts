/**
 * Quarantine: source records that could not be mapped or stored, with their error code and source pointer.
 *
 * An entry with a fingerprint is one bad row however often it is seen: a second sighting (another
 * transfer, or the same row repeated in a file) adds to its count and moves its last sighting
 * (transfer, pointer, time); a sighting is keyed by where it was seen in a run (`sightingKey`), so
 * writing the same chunk's quarantine twice counts it once. An entry is resolved when a later transfer
 * of the same connector stores a row with the entry's identity (`resolveQuarantine`); seeing the bad
 * row again reopens it.
 */
import { randomUUID } from 'node:crypto';
import type { SourcePointer } from '../formats/source-pointer.ts';
import type { Db } from './db.ts';
import { iso, isoOrNull, limitOf, offsetOf, strOrNull, type Row } from './sql.ts';
import type { QuarantineEntry, QuarantineFilter, QuarantineInput } from './types.ts';

function toQuarantine(r: Row): QuarantineEntry {
  return {
    id: String(r.id),
    transferId: strOrNull(r.transfer_id),
    connectorId: strOrNull(r.connector_id),
    code: String(r.code),
    message: String(r.message),
    field: strOrNull(r.field),
    value: strOrNull(r.value),
    pointer: r.pointer == null ? null : (r.pointer as SourcePointer),
    payload: r.payload == null ? null : r.payload,
    createdAt: iso(r.created_at),
    count: Number(r.seen_count ?? 1),
    lastSeenAt: iso(r.last_seen_at ?? r.created_at),
    resolvedAt: isoOrNull(r.resolved_at),
    resolvedBy: strOrNull(r.resolved_by),
  };
}

const UPSERT_ENTRIES = `
  INSERT INTO quarantine (id, transfer_id, connector_id, code, message, field, value, pointer, payload, fingerprint, row_identity, seen_count)
  SELECT v.id, v.transfer_id, v.connector_id, v.code, v.message, v.field, v.value, v.pointer, v.payload, v.fingerprint, v.row_identity, 0
  FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS e(x, n),
    jsonb_to_record(e.x) AS v(id uuid, transfer_id text, connector_id text, code text, message text, field text, value text,
                              pointer jsonb, payload jsonb, fingerprint text, row_identity text)
  ORDER BY e.n
  ON CONFLICT (connector_id, fingerprint) DO UPDATE
    SET transfer_id = EXCLUDED.transfer_id, message = EXCLUDED.message, value = EXCLUDED.value, pointer = EXCLUDED.pointer,
        payload = COALESCE(EXCLUDED.payload, quarantine.payload), row_identity = COALESCE(EXCLUDED.row_identity, quarantine.row_identity)
  RETURNING id, connector_id, fingerprint`;

const ADD_SIGHTINGS = `
  WITH added AS (
    INSERT INTO quarantine_sightings (entry_id, sighting_key, transfer_id, pointer)
    SELECT v.entry_id, v.sighting_key, v.transfer_id, v.pointer
    FROM jsonb_to_recordset($1::jsonb) AS v(entry_id uuid, sighting_key text, transfer_id text, pointer jsonb)
    ON CONFLICT (entry_id, sighting_key) DO NOTHING
    RETURNING entry_id
  ), counted AS (SELECT entry_id, count(*) AS n FROM added GROUP BY entry_id)
  UPDATE quarantine q SET seen_count = q.seen_count + c.n, last_seen_at = now(), resolved_at = NULL, resolved_by = NULL
  FROM counted c WHERE q.id = c.entry_id`;

/**
 * Store quarantined records (in one transaction when given `tx` by the caller); returns their entry ids
 * in input order (inputs with the same fingerprint share one entry).
 */
export async function addQuarantine(db: Db, entries: readonly QuarantineInput[]): Promise<string[]> {
  if (entries.length === 0) return [];
  // One row per entry: inputs sharing a fingerprint (and connector) become one entry, the last one's
  // details winning (the last sighting); the rest get an entry of their own.
  const entryOf = new Map<string, number>();
  const rows: Record<string, unknown>[] = [];
  const rowIndex: number[] = [];
  for (const e of entries) {
    const dedupe = e.fingerprint ? JSON.stringify([e.connectorId ?? null, e.fingerprint]) : undefined;
    const row = {
      id: randomUUID(),
      transfer_id: e.transferId ?? null,
      connector_id: e.connectorId ?? null,
      code: e.code,
      message: e.message,
      field: e.field ?? null,
      value: e.value === undefined || e.value === null ? null : String(e.value),
      pointer: e.pointer ?? null,
      payload: e.payload === undefined ? null : e.payload,
      fingerprint: e.fingerprint ?? null,
      row_identity: e.rowIdentity ?? null,
    };
    const known = dedupe === undefined ? undefined : entryOf.get(dedupe);
    if (known !== undefined) {
      rows[known] = { ...row, id: rows[known]!.id, payload: row.payload ?? rows[known]!.payload };
      rowIndex.push(known);
    } else {
      if (dedupe !== undefined) entryOf.set(dedupe, rows.length);
      rowIndex.push(rows.length);
      rows.push(e.id ? { ...row, id: e.id } : row);
    }
  }
  const returned = await db.query<{ id: string; connector_id: string | null; fingerprint: string | null }>(UPSERT_ENTRIES, [JSON.stringify(rows)]);
  // An entry that existed keeps its id: find each row's entry by its fingerprint.
  const existing = new Map(returned.filter((r) => r.fingerprint !== null).map((r) => [JSON.stringify([r.connector_id, r.fingerprint]), String(r.id)]));
  const ids = rows.map((r) => (r.fingerprint === null ? String(r.id) : existing.get(JSON.stringify([r.connector_id, r.fingerprint]))!));
  const sightings = entries.map((e, i) => ({
    entry_id: ids[rowIndex[i]!],
    sighting_key: e.sightingKey ?? randomUUID(),
    transfer_id: e.transferId ?? null,
    pointer: e.pointer ?? null,
  }));
  await db.query(ADD_SIGHTINGS, [JSON.stringify(sightings)]);
  return rowIndex.map((i) => ids[i]!);
}

export const RESOLVE = `
  UPDATE quarantine SET resolved_at = now(), resolved_by = $3
  WHERE connector_id = $1 AND resolved_at IS NULL AND transfer_id IS DISTINCT FROM $3
    AND row_identity = ANY(ARRAY(SELECT jsonb_array_elements_text($2::jsonb)))
  RETURNING id`;

/**
 * A later transfer of the connector stored rows with these identities: their open entries seen in
 * other transfers are resolved by it. Returns how many entries were resolved.
 */
export async function resolveQuarantine(db: Db, connectorId: string, identities: readonly string[], transferId: string): Promise<number> {
  if (identities.length === 0) return 0;
  const rows = await db.query(RESOLVE, [connectorId, JSON.stringify([...new Set(identities)]), transferId]);
  return rows.length;
}

/** Newest sighting first. */
export async function listQuarantine(db: Db, filter: QuarantineFilter = {}): Promise<QuarantineEntry[]> {
  const params: unknown[] = [];
  const w = quarantineWhere(filter, params);
  params.push(limitOf(filter.limit, 100), offsetOf(filter.offset));
  const rows = await db.query(
    `SELECT * FROM quarantine q ${w} ORDER BY q.last_seen_at DESC, q.seq DESC LIMIT $${params.length - 1} OFFSET $${params.length}`,
    params,
  );
  return rows.map(toQuarantine);
}

export async function countQuarantine(db: Db, filter: Omit<QuarantineFilter, 'limit' | 'offset'> = {}): Promise<number> {
  const params: unknown[] = [];
  const w = quarantineWhere(filter, params);
  const rows = await db.query<{ n: unknown }>(`SELECT count(*) AS n FROM quarantine q ${w}`, params);
  return Number(rows[0]?.n ?? 0);
}

/**
 * The WHERE clause of a filter (its values appended to `params`). Transfer and file match any
 * sighting of the entry, each by its own index on quarantine_sightings (the file: migration 012); the
 * file exactly, as the source named it (`pointer.file`).
 */
export function quarantineWhere(filter: QuarantineFilter, params: unknown[]): string {
  const parts: string[] = [];
  const eq = (column: string, value: unknown): void => {
    if (value === undefined) return;
    params.push(value);
    parts.push(`${column} = $${params.length}`);
  };
  eq('q.connector_id', filter.connectorId);
  eq('q.code', filter.code);
  if (filter.transferId !== undefined) {
    params.push(filter.transferId);
    parts.push(`EXISTS (SELECT 1 FROM quarantine_sightings s WHERE s.entry_id = q.id AND s.transfer_id = $${params.length})`);
  }
  if (filter.file !== undefined) {
    params.push(filter.file);
    parts.push(`EXISTS (SELECT 1 FROM quarantine_sightings s WHERE s.entry_id = q.id AND s.pointer->>'file' = $${params.length})`);
  }
  if (filter.status === 'open') parts.push('q.resolved_at IS NULL');
  if (filter.status === 'resolved') parts.push('q.resolved_at IS NOT NULL');
  return parts.length ? `WHERE ${parts.join(' AND ')}` : '';
}
