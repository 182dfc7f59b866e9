/**
 * Record contributions (`record_contributions`): what each source says about each record.
 *
 * Input: the inputs of one chunk for one record (each with its source and source record id), the
 * record's stored row and contributions, the chunk's transfer. Output: the contributions to write and
 * the record's new body, version and status (`planGroup`), or the body after contributions are taken
 * away (`settle`, used by retractions).
 *
 * The rule (docs/corrections.md): a contribution is identified by (source, source record id). Inputs of
 * one transfer with the same identity add up (rows of one export that restate a record); an input of a
 * later transfer starts the contribution afresh, so values the source dropped are dropped. A
 * contribution that ends as it was stored is not written and keeps its place in the order; one that
 * changed moves last (it is the latest statement). The record is the merge of its contributions in that
 * order (merge.ts); with none left it is a tombstone.
 *
 * Callers lock the record rows first (records.ts: `SELECT ... FOR UPDATE` in (type, key) order) and read
 * contributions in a statement after the lock, so they see what the previous lock holder committed.
 */
import type { Db } from './db.ts';
import { isUuid } from './ids.ts';
import { contentHash, mergeBodies, mergeContributions, type RecordBody } from './merge.ts';
import { iso, type Row } from './sql.ts';
import type { RecordContribution } from './types.ts';

/** A contribution as stored; `body` is absent when only the metadata was read. */
export interface StoredContribution {
  source: string;
  sourceRecordId: string;
  seq: number;
  hash: string;
  transferId: string | null;
  body?: RecordBody;
}

/** The record row a plan starts from. */
export interface RowState {
  id: string;
  version: number;
  hash: string;
  body: RecordBody;
  deleted: boolean;
}

/** One input of a chunk, as the planner needs it. */
export interface ContributionInput {
  source: string;
  sourceRecordId: string;
  body: RecordBody;
}

export interface GroupPlan {
  /** The record after the chunk (a new record's id is the caller's). */
  state: RowState;
  /** The record's content or its tombstone state changed: its row must be written (version + 1). */
  recordChanged: boolean;
  /** Per input of the group: it changed its contribution at the time it was applied. */
  touched: boolean[];
  /** Contributions to insert or replace, with their new order. */
  writes: Required<StoredContribution>[];
}

/** Returned by `planGroup` when it needs stored bodies it was not given. */
export const NEED_BODIES: unique symbol = Symbol('need-bodies');

/** The source a record stored before contributions existed belongs to (migration 004). */
export const LEGACY_SOURCE = 'legacy';

const identityOf = (source: string, sourceRecordId: string): string => `${source}\u0000${sourceRecordId}`;

/**
 * Apply a chunk's inputs for one record to its stored contributions (sorted by `seq`). With metadata
 * only, the plan is complete when nothing changed or nothing stored is needed; otherwise NEED_BODIES,
 * and the caller reads the bodies and plans again.
 */
export function planGroup(
  inputs: readonly ContributionInput[],
  base: RowState | undefined,
  storedIn: readonly StoredContribution[],
  transferId: string | null,
  newId: string,
): GroupPlan | typeof NEED_BODIES {
  let stored = storedIn;
  // A live row without contributions (written outside this module): its body is kept as one, not lost.
  let legacy: Required<StoredContribution> | null = null;
  if (base && !base.deleted && stored.length === 0) {
    legacy = { source: LEGACY_SOURCE, sourceRecordId: '', seq: 1, hash: base.hash, transferId: null, body: base.body };
    stored = [legacy];
  }
  const byIdentity = new Map(stored.map((c) => [identityOf(c.source, c.sourceRecordId), c]));
  const running = new Map<string, { input: ContributionInput; body: RecordBody; hash: string }>();
  const touched: boolean[] = [];
  for (const input of inputs) {
    const id = identityOf(input.source, input.sourceRecordId);
    const r = running.get(id);
    if (r) {
      const body = mergeBodies(r.body, input.body);
      const hash = contentHash(body);
      touched.push(hash !== r.hash);
      r.body = body;
      r.hash = hash;
      continue;
    }
    const prev = byIdentity.get(id);
    const accumulate = prev !== undefined && transferId !== null && prev.transferId === transferId;
    if (accumulate && prev.body === undefined) return NEED_BODIES;
    const body = accumulate ? mergeBodies(prev.body!, input.body) : input.body;
    const hash = contentHash(body);
    touched.push(hash !== prev?.hash);
    running.set(id, { input, body, hash });
  }
  const changed = [...running].filter(([id, r]) => r.hash !== byIdentity.get(id)?.hash);
  if (changed.length === 0 && !legacy && base && !base.deleted) {
    return { state: base, recordChanged: false, touched, writes: [] };
  }
  // Only new identities, appended after every stored one, onto a live record whose body is the merge of
  // what is stored: the merge is a left fold, so the new body is the stored body with the new
  // contributions merged in, and no stored body is read. A record many sources restate (an agency's
  // case named by every lab export) costs the same for its thousandth contribution as for its second.
  const appendOnly = base !== undefined && !base.deleted && !legacy && changed.every(([id]) => !byIdentity.has(id));
  if (!appendOnly && stored.some((c) => c.body === undefined)) return NEED_BODIES;
  let seq = stored.reduce((m, c) => Math.max(m, c.seq), 0);
  const changedIds = new Set(changed.map(([id]) => id));
  const writes: Required<StoredContribution>[] = changed.map(([, r]) => ({
    source: r.input.source,
    sourceRecordId: r.input.sourceRecordId,
    seq: ++seq,
    hash: r.hash,
    transferId,
    body: r.body,
  }));
  const kept = stored.filter((c) => !changedIds.has(identityOf(c.source, c.sourceRecordId)));
  const body = appendOnly ? mergeContributions([base.body, ...writes.map((c) => c.body)])! : mergeContributions([...kept, ...writes].map((c) => c.body!))!;
  if (legacy && kept.includes(legacy)) writes.unshift(legacy);
  // A record of one contribution that names its classification is that contribution: same hash.
  const only = kept.length === 0 && writes.length === 1 && writes[0]!.body.classification != null ? writes[0]! : undefined;
  const hash = only ? only.hash : contentHash(body);
  if (base && !base.deleted && hash === base.hash) {
    return { state: base, recordChanged: false, touched, writes };
  }
  return {
    state: { id: base?.id ?? newId, version: base ? base.version + 1 : 1, hash, body, deleted: false },
    recordChanged: true,
    touched,
    writes,
  };
}

/**
 * A record's state once `remaining` are its contributions (sorted by `seq`, with bodies): the merged
 * body, or a tombstone (type, key and classification only) when none is left. Version + 1 unless the
 * body is the same as before.
 */
export function settle(base: RowState, remaining: readonly StoredContribution[]): RowState {
  const merged = mergeContributions(remaining.map((c) => c.body!));
  if (merged === undefined) {
    const body: RecordBody = { type: base.body.type, key: base.body.key, classification: base.body.classification ?? 'cji' };
    return { id: base.id, version: base.version + 1, hash: contentHash(body), body, deleted: true };
  }
  const hash = contentHash(merged);
  if (hash === base.hash && !base.deleted) return base;
  return { id: base.id, version: base.version + 1, hash, body: merged, deleted: false };
}

const idsParam = (ids: readonly string[]): string => JSON.stringify(ids);

export const SELECT_META = `
  SELECT record_id, source, source_record_id, seq, content_hash, transfer_id
  FROM record_contributions
  WHERE record_id = ANY(ARRAY(SELECT (jsonb_array_elements_text($1::jsonb))::uuid))
  ORDER BY record_id, seq`;

// A contribution stored without a body says what its record says (migration 009): its content hash is
// the record's, and a trigger on `records` gives it its body before the record's content changes.
export const SELECT_FULL = `
  SELECT c.record_id, c.source, c.source_record_id, c.seq, c.content_hash, c.transfer_id, COALESCE(c.body, r.body) AS body
  FROM record_contributions c JOIN records r ON r.id = c.record_id
  WHERE c.record_id = ANY(ARRAY(SELECT (jsonb_array_elements_text($1::jsonb))::uuid))
  ORDER BY c.record_id, c.seq`;

// A contribution whose content hash is the record's own, as this transaction has written it (a source
// record that states the whole record, and each restatement of it), is written without its body.
const UPSERT = `
  INSERT INTO record_contributions (record_id, source, source_record_id, seq, content_hash, body, transfer_id, updated_at)
  SELECT v.record_id, v.source, v.source_record_id, v.seq, v.content_hash, v.body, v.transfer_id, now()
  FROM jsonb_to_recordset($1::jsonb)
    AS v(record_id uuid, source text, source_record_id text, seq integer, content_hash text, body jsonb, transfer_id text)
  ON CONFLICT (record_id, source, source_record_id) DO UPDATE
  SET seq = EXCLUDED.seq, content_hash = EXCLUDED.content_hash, body = EXCLUDED.body, transfer_id = EXCLUDED.transfer_id, updated_at = now()`;

const DELETE = `
  DELETE FROM record_contributions c
  USING jsonb_to_recordset($1::jsonb) AS v(record_id uuid, source text, source_record_id text)
  WHERE c.record_id = v.record_id AND c.source = v.source AND c.source_record_id = v.source_record_id`;

function toStored(r: Row, withBody: boolean): StoredContribution {
  const c: StoredContribution = {
    source: String(r.source),
    sourceRecordId: String(r.source_record_id),
    seq: Number(r.seq),
    hash: String(r.content_hash),
    transferId: r.transfer_id == null ? null : String(r.transfer_id),
  };
  if (withBody) c.body = r.body as RecordBody;
  return c;
}

/** Contributions of these records, by record id, in `seq` order; `withBody: false` reads metadata only. */
export async function loadContributions(t: Db, recordIds: readonly string[], withBody: boolean): Promise<Map<string, StoredContribution[]>> {
  const out = new Map<string, StoredContribution[]>();
  if (recordIds.length === 0) return out;
  for (const r of await t.query(withBody ? SELECT_FULL : SELECT_META, [idsParam(recordIds)])) {
    const id = String(r.record_id);
    let list = out.get(id);
    if (!list) out.set(id, (list = []));
    list.push(toStored(r, withBody));
  }
  return out;
}

/**
 * Insert or replace contributions in one statement. `recordHash`: the content hash of the record's body
 * as written in this transaction; a contribution with that hash is stored without a body (it reads as
 * the record's).
 */
export async function writeContributions(t: Db, rows: readonly { recordId: string; c: Required<StoredContribution>; recordHash?: string }[]): Promise<void> {
  if (rows.length === 0) return;
  const param = rows.map(({ recordId, c, recordHash }) => ({
    record_id: recordId,
    source: c.source,
    source_record_id: c.sourceRecordId,
    seq: c.seq,
    content_hash: c.hash,
    body: c.hash === recordHash ? null : c.body,
    transfer_id: c.transferId,
  }));
  await t.query(UPSERT, [JSON.stringify(param)]);
}

/** Remove contributions in one statement. */
export async function deleteContributions(t: Db, rows: readonly { recordId: string; source: string; sourceRecordId: string }[]): Promise<void> {
  if (rows.length === 0) return;
  await t.query(DELETE, [JSON.stringify(rows.map((r) => ({ record_id: r.recordId, source: r.source, source_record_id: r.sourceRecordId })))]);
}

/** Who says what about a record: its contributions, oldest change first, each with its own fields. */
export async function listRecordContributions(db: Db, recordId: string): Promise<RecordContribution[]> {
  if (!isUuid(recordId)) return [];
  const rows = await db.query(
    `SELECT c.source, c.source_record_id, c.seq, c.transfer_id, c.updated_at, COALESCE(c.body, r.body) AS body
     FROM record_contributions c JOIN records r ON r.id = c.record_id WHERE c.record_id = $1 ORDER BY c.seq`,
    [recordId],
  );
  return rows.map((r) => {
    const { type: _t, key: _k, classification: _c, ...fields } = r.body as RecordBody;
    return {
      source: String(r.source),
      sourceRecordId: r.source_record_id === '' ? null : String(r.source_record_id),
      transferId: r.transfer_id == null ? null : String(r.transfer_id),
      updatedAt: iso(r.updated_at),
      fields,
    };
  });
}
