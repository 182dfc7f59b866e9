/** Quarantine: source records that could not be mapped or stored, with their error code and source pointer. */
import { randomUUID } from 'node:crypto';
import type { SourcePointer } from '../formats/source-pointer.ts';
import type { Db } from './db.ts';
import { iso, limitOf, offsetOf, strOrNull, where, type Row } from './sql.ts';
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
  };
}
/** Store quarantined records in one statement; returns their ids in input order. */
export async function addQuarantine(db: Db, entries: readonly QuarantineInput[]): Promise<string[]> {
  if (entries.length === 0) return [];
  const rows = entries.map((e) => ({
    id: e.id ?? randomUUID(),
    transfer_id: e.transferId ?? null,
    connector_id: e.connectorId ?? null,
    code: e.code,
    message: e.message,
    field: e.field ?? null,
    value: e.value === undefined || e.value === null ? null : String(e.value),
    pointer: e.pointer ?? null,
    payload: e.payload === undefined ? null : e.payload,
  }));
  await db.query(
    `INSERT INTO quarantine (id, transfer_id, connector_id, code, message, field, value, pointer, payload)
     SELECT v.id, v.transfer_id, v.connector_id, v.code, v.message, v.field, v.value, v.pointer, v.payload
     FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS e(x, n),
       jsonb_to_record(e.x) AS v(id uuid, transfer_id text, connector_id text, code text, message text, field text, value text, pointer jsonb, payload jsonb)
     ORDER BY e.n`,
    [JSON.stringify(rows)],
  );
  return rows.map((r) => r.id);
}

/** Newest first. */
export async function listQuarantine(db: Db, filter: QuarantineFilter = {}): Promise<QuarantineEntry[]> {
  const params: unknown[] = [];
  const w = quarantineWhere(filter, params);
  params.push(limitOf(filter.limit, 100), offsetOf(filter.offset));
  const rows = await db.query(
    `SELECT * FROM quarantine ${w} ORDER BY seq DESC LIMIT $${params.length - 1} OFFSET $${params.length}`,
    params,
  );
  return rows.map(toQuarantine);
}

export async function countQuarantine(db: Db, filter: Omit<QuarantineFilter, 'limit' | 'offset'> = {}): Promise<number> {
  const params: unknown[] = [];
  const w = quarantineWhere(filter, params);
  const rows = await db.query<{ n: unknown }>(`SELECT count(*) AS n FROM quarantine ${w}`, params);
  return Number(rows[0]?.n ?? 0);
}

function quarantineWhere(filter: QuarantineFilter, params: unknown[]): string {
  return where([['connector_id', filter.connectorId], ['transfer_id', filter.transferId], ['code', filter.code]], params);
}
