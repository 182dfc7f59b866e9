/**
 * Canonical records and their provenance (`records`, `record_contributions`, `record_sources`).
 *
 * A record is the merge of what its sources say (contributions.ts, merge.ts): `upsertRecords` replaces
 * the chunk's source's contributions and stores the merged body; the version moves only when the body
 * (or its tombstone state) changes, so re-ingesting an export changes nothing.
 *
 * Concurrency: `upsertRecords` locks the chunk's existing rows (`SELECT ... ORDER BY type, key FOR
 * UPDATE`, a fixed order so two workers do not deadlock), reads their contributions in a statement
 * after the lock (so it sees what the previous holder committed), inserts the new rows with `ON
 * CONFLICT DO NOTHING`, and re-reads (locked) the keys another worker inserted meanwhile, so two
 * workers upserting the same key never lose an update.
 */
import { HubError } from '../errors/hub-error.ts';
import type { SourcePointer } from '../formats/source-pointer.ts';
import { naturalKey } from '../canonical/keys.ts';
import { canonicalJson, sha256Hex } from './canonical-json.ts';
import { loadContributions, NEED_BODIES, planGroup, writeContributions, type GroupPlan, type RowState, type StoredContribution } from './contributions.ts';
import type { Db } from './db.ts';
import { isUuid, recordId } from './ids.ts';
import { recordBody, type RecordBody } from './merge.ts';
import { inTx, iso, limitOf, type Row } from './sql.ts';
import {
  CLASSIFICATIONS,
  type Classification,
  type SourceRef,
  type StoredRecord,
  type UpsertContext,
  type UpsertInput,
  type UpsertResult,
  type UpsertStatus,
} from './types.ts';

export type { RowState };

/** The source of an input when the upsert context names none. */
export const UNKNOWN_SOURCE = 'unknown';

interface Prepared {
  index: number;
  type: string;
  key: string;
  idHint: string | undefined;
  body: RecordBody;
  refs: readonly SourceRef[];
  source: string;
  sourceRecordId: string;
}

function groupKey(type: string, key: string): string {
  return JSON.stringify([type, key]);
}

function prepare(input: UpsertInput, index: number, ctx: UpsertContext): Prepared {
  const fail = (reason: string): never => {
    throw new HubError('HUB_ERR_STORE_RECORD_INVALID', { index, reason });
  };
  if (input === null || typeof input !== 'object') fail('it is not an object');
  const record = input as Record<string, unknown>;
  const type = record.type;
  if (typeof type !== 'string' || !type) return fail('it has no type');
  let key = record.key;
  if (key === undefined || key === null) {
    const derived = naturalKey(record);
    if (!derived.ok) return fail(`the ${type} record has no natural key (needs ${derived.needs.join(', ')})`);
    key = derived.key;
  }
  if (typeof key !== 'string' || !key) return fail(`the ${type} record has an empty natural key`);
  // PostgreSQL text cannot hold NUL: the stored key would differ from this one and the chunk could not
  // find its own rows again. The pipeline quarantines such records before they reach the store.
  if (key.includes('\u0000')) fail(`the ${type} record's natural key contains a NUL character (U+0000)`);
  if (record.id !== undefined && !isUuid(record.id)) fail(`id "${String(record.id)}" is not a UUID`);
  if (record.classification !== undefined && !CLASSIFICATIONS.includes(record.classification as Classification)) {
    fail(`classification "${String(record.classification)}" is not one of ${CLASSIFICATIONS.join(', ')}`);
  }
  if (record.sourceRefs !== undefined && !Array.isArray(record.sourceRefs)) fail('sourceRefs is not an array');
  const body = recordBody(record);
  body.key = key;
  const refs = (record.sourceRefs as readonly SourceRef[] | undefined) ?? [];
  return {
    index,
    type,
    key,
    idHint: record.id as string | undefined,
    body,
    refs,
    source: ctx.source ?? refs[0]?.system ?? UNKNOWN_SOURCE,
    sourceRecordId: refs[0]?.recordId ?? '',
  };
}

interface ExistingRow {
  id: string;
  type: string;
  natural_key: string;
  version: number;
  content_hash: string;
  body: unknown;
  deleted_at: unknown;
}

// The keys are index conditions on both columns of (type, natural_key) (each type with each key: at
// most the chunk's types times its keys, probes of the unique index), then the exact pairs. Written as
// a semi-join with the keys (`(type, natural_key) IN (SELECT ...)`), it left the planner a join whose
// size it cannot know, and during a 1 GB batch it read a whole index for every chunk: 9,000 blocks
// and 85 ms a chunk one minute in, 47,000 blocks and 270 ms three minutes later.
export const SELECT_FOR_UPDATE = `
  SELECT r.id, r.type, r.natural_key, r.version, r.content_hash, r.body, r.deleted_at
  FROM records r
  WHERE r.type = ANY(ARRAY(SELECT DISTINCT k.t FROM jsonb_to_recordset($1::jsonb) AS k(t text, k text)))
    AND r.natural_key = ANY(ARRAY(SELECT k.k FROM jsonb_to_recordset($1::jsonb) AS k(t text, k text)))
    AND (r.type, r.natural_key) = ANY(ARRAY(SELECT ROW(k.t, k.k) FROM jsonb_to_recordset($1::jsonb) AS k(t text, k text)))
  ORDER BY r.type, r.natural_key
  FOR UPDATE OF r`;

/** The same lock, by hub id (retractions find their records through contributions). */
export const SELECT_FOR_UPDATE_BY_ID = `
  SELECT r.id, r.type, r.natural_key, r.version, r.content_hash, r.body, r.deleted_at
  FROM records r
  WHERE r.id = ANY(ARRAY(SELECT (jsonb_array_elements_text($1::jsonb))::uuid))
  ORDER BY r.type, r.natural_key
  FOR UPDATE OF r`;

const INSERT_RECORDS = `
  INSERT INTO records (id, type, natural_key, version, content_hash, classification, body)
  SELECT v.id, v.type, v.natural_key, v.version, v.content_hash, v.classification, v.body
  FROM jsonb_to_recordset($1::jsonb)
    AS v(id uuid, type text, natural_key text, version integer, content_hash text, classification text, body jsonb)
  ORDER BY v.type, v.natural_key
  ON CONFLICT DO NOTHING
  RETURNING type, natural_key`;
// No conflict target on purpose: a record's id derives from (type, natural_key), so a worker racing
// us to insert the same new record collides on the primary key too, and with a target of
// (type, natural_key) alone PostgreSQL raises 23505 on records_pkey instead of skipping the row.
// Every unique index is an arbiter this way; the rows skipped are re-read and merged below.

const UPDATE_RECORDS = `
  UPDATE records AS r
  SET version = v.version, content_hash = v.content_hash, classification = v.classification, body = v.body,
      deleted_at = v.deleted_at, updated_at = now()
  FROM jsonb_to_recordset($1::jsonb)
    AS v(id uuid, version integer, content_hash text, classification text, body jsonb, deleted_at timestamptz)
  WHERE r.id = v.id`;

const INSERT_SOURCES = `
  INSERT INTO record_sources (record_id, transfer_id, system, source_record_id, mapping, file, pointer, received_at, payload_hash, dedupe_key, source, action)
  SELECT v.record_id, v.transfer_id, v.system, v.source_record_id, v.mapping, v.file, v.pointer,
         COALESCE(v.received_at, now()), v.payload_hash, v.dedupe_key, v.source, v.action
  FROM jsonb_to_recordset($1::jsonb)
    AS v(record_id uuid, transfer_id text, system text, source_record_id text, mapping text, file text,
         pointer jsonb, received_at timestamptz, payload_hash text, dedupe_key text, source text, action text)
  ON CONFLICT (record_id, dedupe_key) DO NOTHING`;

export function toState(r: ExistingRow | Row): RowState {
  return {
    id: String(r.id),
    version: Number(r.version),
    hash: String(r.content_hash),
    body: r.body as RecordBody,
    deleted: r.deleted_at !== null && r.deleted_at !== undefined,
  };
}

/** Write changed rows (content, version, tombstone state) in one statement. */
export async function updateRecordRows(t: Db, states: readonly { state: RowState; deletedAt: string | null }[]): Promise<void> {
  if (states.length === 0) return;
  const rows = states.map(({ state, deletedAt }) => ({
    id: state.id,
    version: state.version,
    content_hash: state.hash,
    classification: state.body.classification,
    body: state.body,
    deleted_at: deletedAt,
  }));
  await t.query(UPDATE_RECORDS, [JSON.stringify(rows)]);
}

/** Add provenance rows in one statement; rows already there (same record and dedupe key) are skipped. */
export async function insertSources(t: Db, rows: readonly Row[]): Promise<void> {
  if (rows.length) await t.query(INSERT_SOURCES, [JSON.stringify(rows)]);
}

function toSourceRef(r: Row): SourceRef {
  const ref: SourceRef = {};
  if (r.system != null) ref.system = String(r.system);
  if (r.source_record_id != null) ref.recordId = String(r.source_record_id);
  if (r.mapping != null) ref.mapping = String(r.mapping);
  if (r.file != null) ref.file = String(r.file);
  if (r.pointer != null) ref.pointer = r.pointer as SourcePointer;
  ref.receivedAt = iso(r.received_at);
  if (r.payload_hash != null) ref.payloadHash = String(r.payload_hash);
  if (r.transfer_id != null) ref.transferId = String(r.transfer_id);
  if (r.source != null) ref.source = String(r.source);
  if (r.action != null) ref.action = r.action as 'replace' | 'delete';
  return ref;
}

function toRecord(r: Row, sourceRefs?: SourceRef[]): StoredRecord {
  // Envelope first, then the entity's fields, then provenance and times: easy to read in API output.
  const { type: _type, key: _key, classification: _classification, ...fields } = r.body as RecordBody;
  const rec: StoredRecord = {
    type: String(r.type),
    id: String(r.id),
    key: String(r.natural_key),
    classification: r.classification as Classification,
    version: Number(r.version),
    ...fields,
    createdAt: iso(r.created_at),
    updatedAt: iso(r.updated_at),
  };
  if (r.deleted_at != null) {
    rec.deleted = true;
    rec.deletedAt = iso(r.deleted_at);
  }
  if (sourceRefs) rec.sourceRefs = sourceRefs;
  return rec;
}

/** jsonpath for `findRecords`: `$."a"."b" == "v" && ...`; lax mode looks into arrays on the way. */
function filterPath(filter: Record<string, string | number>): string | undefined {
  const clauses: string[] = [];
  for (const [field, value] of Object.entries(filter)) {
    if (value === undefined) continue;
    if (typeof value === 'number' && !Number.isFinite(value)) {
      throw new HubError('HUB_ERR_STORE_OPTIONS', { option: `filter.${field}`, reason: 'is not a finite number' });
    }
    if (typeof value !== 'string' && typeof value !== 'number') {
      throw new HubError('HUB_ERR_STORE_OPTIONS', { option: `filter.${field}`, reason: 'must be a string or a number' });
    }
    const path = field.split('.').map((seg) => `.${JSON.stringify(seg)}`).join('');
    clauses.push(`$${path} == ${JSON.stringify(value)}`);
  }
  return clauses.length ? clauses.join(' && ') : undefined;
}

/**
 * Insert or merge a chunk of canonical records by natural key (see contributions.ts for the rule).
 * Returns one result per input, in input order. Inputs with the same type and key within a chunk
 * apply in order, as if upserted one after another. Every input adds provenance rows (one per
 * source ref, or one bare row), de-duplicated on (record, transfer, system, mapping, file, pointer).
 * Round trips: one locking SELECT, one SELECT of the locked records' contribution metadata (and one of
 * their bodies when a contribution changed), one INSERT of the new rows, one UPDATE of the changed
 * rows, one INSERT of changed contributions, one INSERT of provenance (plus a SELECT when another
 * worker inserted some of the keys meanwhile).
 */
export async function upsertRecords(db: Db, records: readonly UpsertInput[], ctx: UpsertContext = {}, tx?: Db): Promise<UpsertResult[]> {
  if (records.length === 0) return [];
  const prepared = records.map((r, i) => prepare(r, i, ctx));
  const groups = new Map<string, Prepared[]>();
  for (const p of prepared) {
    const gk = groupKey(p.type, p.key);
    const g = groups.get(gk);
    if (g) g.push(p);
    else groups.set(gk, [p]);
  }
  const sortedKeys = [...groups.keys()].sort((a, b) => {
    const ga = groups.get(a)![0]!;
    const gb = groups.get(b)![0]!;
    return ga.type < gb.type ? -1 : ga.type > gb.type ? 1 : ga.key < gb.key ? -1 : ga.key > gb.key ? 1 : 0;
  });
  const keyParam = (gks: readonly string[]): string =>
    JSON.stringify(gks.map((gk) => ({ t: groups.get(gk)![0]!.type, k: groups.get(gk)![0]!.key })));
  const transferId = ctx.transferId ?? null;
  const newIdOf = (gk: string): string => {
    const first = groups.get(gk)![0]!;
    return first.idHint ?? recordId(first.type, first.key);
  };

  return inTx(db, tx, async (t) => {
    const planned = new Map<string, { plan: GroupPlan; isNew: boolean; base: RowState | undefined }>();
    // Lock the rows of `gks` that exist, then plan them: metadata first, bodies only where needed.
    const lockAndPlan = async (gks: readonly string[]): Promise<void> => {
      const rows = await t.query<ExistingRow>(SELECT_FOR_UPDATE, [keyParam(gks)]);
      if (rows.length === 0) return;
      const bases = new Map(rows.map((r) => [groupKey(String(r.type), String(r.natural_key)), toState(r)]));
      for (const [gk, base] of bases) {
        if (!groups.has(gk)) throw new HubError('HUB_ERR_SYSTEM_INTERNAL', { reason: `the database returned a record (${base.id}) whose key the chunk did not ask for` });
      }
      const meta = await loadContributions(t, [...bases.values()].map((b) => b.id), false);
      const needBodies: string[] = [];
      for (const [gk, base] of bases) {
        const plan = planGroup(groups.get(gk)!, base, meta.get(base.id) ?? [], transferId, base.id);
        if (plan === NEED_BODIES) needBodies.push(gk);
        else planned.set(gk, { plan, isNew: false, base });
      }
      if (needBodies.length === 0) return;
      const full = await loadContributions(t, needBodies.map((gk) => bases.get(gk)!.id), true);
      for (const gk of needBodies) {
        const base = bases.get(gk)!;
        const plan = planGroup(groups.get(gk)!, base, full.get(base.id) ?? [], transferId, base.id);
        if (plan === NEED_BODIES) throw new HubError('HUB_ERR_SYSTEM_INTERNAL', { reason: `contributions of record ${base.id} could not be read` });
        planned.set(gk, { plan, isNew: false, base });
      }
    };

    await lockAndPlan(sortedKeys);
    const fresh = sortedKeys.filter((gk) => !planned.has(gk));
    if (fresh.length) {
      const rows = fresh.map((gk) => {
        const plan = planGroup(groups.get(gk)!, undefined, [], transferId, newIdOf(gk)) as GroupPlan;
        planned.set(gk, { plan, isNew: true, base: undefined });
        const g = groups.get(gk)![0]!;
        return {
          id: plan.state.id,
          type: g.type,
          natural_key: g.key,
          version: plan.state.version,
          content_hash: plan.state.hash,
          classification: plan.state.body.classification,
          body: plan.state.body,
        };
      });
      const inserted = await t.query<{ type: string; natural_key: string }>(INSERT_RECORDS, [JSON.stringify(rows)]);
      if (inserted.length < fresh.length) {
        // Another worker inserted some of these keys after our SELECT: merge into its rows instead.
        const won = new Set(inserted.map((r) => groupKey(r.type, r.natural_key)));
        const lost = fresh.filter((gk) => !won.has(gk));
        for (const gk of lost) planned.delete(gk);
        await lockAndPlan(lost);
        const missing = lost.filter((gk) => !planned.has(gk));
        if (missing.length) {
          throw new HubError('HUB_ERR_STORE_CONFLICT', { sqlstate: 'none', reason: `records ${missing.join(', ')} conflicted on insert but cannot be read` });
        }
      }
    }

    ctx.onLocked?.();
    const changedRows = [...planned.values()].filter((e) => !e.isNew && e.plan.recordChanged).map((e) => ({ state: e.plan.state, deletedAt: null }));
    await updateRecordRows(t, changedRows);
    const contributionWrites: { recordId: string; c: Required<StoredContribution>; recordHash: string }[] = [];
    for (const e of planned.values()) for (const c of e.plan.writes) contributionWrites.push({ recordId: e.plan.state.id, c, recordHash: e.plan.state.hash });
    await writeContributions(t, contributionWrites);

    const results: UpsertResult[] = new Array(records.length);
    const sources = new Map<string, Row>();
    for (const [gk, group] of groups) {
      const { plan, base } = planned.get(gk)!;
      const version = plan.state.version;
      group.forEach((p, i) => {
        const status: UpsertStatus = !plan.recordChanged ? 'unchanged' : !base && i === 0 ? 'inserted' : plan.touched[i] ? 'updated' : 'unchanged';
        results[p.index] = { id: plan.state.id, type: p.type, key: p.key, status, version, body: plan.state.body as Record<string, unknown> };
        const refs: readonly SourceRef[] = p.refs.length ? p.refs : [{}];
        for (const ref of refs) {
          const refTransfer = ref.transferId ?? ctx.transferId ?? null;
          const identity = [refTransfer, ref.system ?? null, ref.recordId ?? null, ref.mapping ?? null, ref.file ?? null, ref.pointer ?? null];
          const dedupeKey = sha256Hex(canonicalJson(identity));
          sources.set(`${plan.state.id}|${dedupeKey}`, {
            record_id: plan.state.id,
            transfer_id: refTransfer,
            system: ref.system ?? null,
            source_record_id: ref.recordId ?? null,
            mapping: ref.mapping ?? null,
            file: ref.file ?? null,
            pointer: ref.pointer ?? null,
            received_at: ref.receivedAt ?? ctx.receivedAt ?? null,
            payload_hash: ref.payloadHash ?? null,
            dedupe_key: dedupeKey,
            source: p.source,
            action: null,
          });
        }
      });
    }
    await insertSources(t, [...sources.values()]);
    return results;
  });
}

export interface GetRecordOptions {
  /** Newest source refs to include. @defaultValue 100 */
  sourceLimit?: number;
  /** Return a tombstone (`deleted: true`) instead of nothing. @defaultValue false */
  includeDeleted?: boolean;
}

/** A record by type and natural key, with its newest `sourceLimit` source refs (default 100); a tombstone only with `includeDeleted`. */
export async function getRecord(db: Db, type: string, key: string, options: GetRecordOptions = {}): Promise<StoredRecord | undefined> {
  const rows = await db.query(`SELECT * FROM records WHERE type = $1 AND natural_key = $2${options.includeDeleted ? '' : ' AND deleted_at IS NULL'}`, [type, key]);
  return rows[0] ? withSources(db, rows[0], options.sourceLimit) : undefined;
}

export async function getRecordById(db: Db, id: string, options: GetRecordOptions = {}): Promise<StoredRecord | undefined> {
  if (!isUuid(id)) return undefined;
  const rows = await db.query(`SELECT * FROM records WHERE id = $1${options.includeDeleted ? '' : ' AND deleted_at IS NULL'}`, [id]);
  return rows[0] ? withSources(db, rows[0], options.sourceLimit) : undefined;
}

async function withSources(db: Db, row: Row, sourceLimit: number | undefined): Promise<StoredRecord> {
  const refs = await listRecordSources(db, String(row.id), { limit: sourceLimit ?? 100 });
  return toRecord(row, refs);
}

/** Provenance of a record, oldest first within the newest `limit`. */
export async function listRecordSources(db: Db, recordId: string, options: { limit?: number } = {}): Promise<SourceRef[]> {
  if (!isUuid(recordId)) return [];
  const rows = await db.query(
    `SELECT * FROM (SELECT * FROM record_sources WHERE record_id = $1 ORDER BY id DESC LIMIT $2) s ORDER BY id`,
    [recordId, limitOf(options.limit, 100)],
  );
  return rows.map(toSourceRef);
}

/**
 * Records of a type whose fields equal the filter's values, e.g. `{ labCaseNumber: 'L24-0012' }`.
 * A field may be a dotted path (`make.code`, `events.agencyCaseNumber`); a path through an array
 * matches when any element does. Uses the GIN index on the body. Ordered by natural key; sourceRefs
 * are left out (use getRecord or listRecordSources). Tombstones are never found.
 */
export async function findRecords(db: Db, type: string, filter: Record<string, string | number> = {}, limit = 100): Promise<StoredRecord[]> {
  const path = filterPath(filter);
  const params: unknown[] = [type];
  let sql = 'SELECT * FROM records WHERE type = $1 AND deleted_at IS NULL';
  if (path) {
    params.push(path);
    sql += ` AND body @@ $${params.length}::jsonpath`;
  }
  params.push(limitOf(limit, 100));
  sql += ` ORDER BY natural_key LIMIT $${params.length}`;
  const rows = await db.query(sql, params);
  return rows.map((r) => toRecord(r));
}
