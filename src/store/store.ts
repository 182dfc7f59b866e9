/**
 * The hub's durable state over a `Db` (PostgreSQL or PGlite): canonical records with provenance,
 * transfers and their counts, quarantine, deliveries, cursors, dead letters, leases.
 *
 * Methods that write take an optional `tx` (from `store.transaction()`), so the pipeline commits a
 * chunk's records, the connector's cursor and the transfer's counts in ONE transaction: a source is
 * acknowledged only after its records are committed. Without `tx`, a method runs on its own (in its
 * own transaction when it needs several statements, retried on a deadlock or serialization failure).
 *
 * Concurrency: `upsertRecords` locks the chunk's existing rows (`SELECT ... ORDER BY type, key FOR
 * UPDATE`, a fixed order so two workers do not deadlock), inserts the new ones with `ON CONFLICT DO
 * NOTHING`, and re-reads (locked) the keys another worker inserted meanwhile, so two workers upserting
 * the same key never lose an update. Counts are `SET n = n + $delta`; claims and leases are single
 * `INSERT ... ON CONFLICT` statements.
 */
import { randomUUID } from 'node:crypto';
import { HubError } from '../errors/hub-error.ts';
import type { SourcePointer } from '../formats/source-pointer.ts';
import { canonicalJson, sha256Hex } from './canonical-json.ts';
import type { Db } from './db.ts';
import { isUuid, recordId } from './ids.ts';
import { naturalKey } from '../canonical/keys.ts';
import { contentHash, mergeBodies, recordBody, type RecordBody } from './merge.ts';
import { migrate, schemaVersion } from './migrate.ts';
import {
  CLASSIFICATIONS,
  TRANSFER_COUNT_NAMES,
  type Classification,
  type DeadLetter,
  type DeadLetterAttempt,
  type DeadLetterFilter,
  type Delivery,
  type NewDelivery,
  type DeliveryClaim,
  type DeliveryFilter,
  type DeliveryStatus,
  type Lease,
  type NewDeadLetter,
  type NewTransfer,
  type QuarantineEntry,
  type QuarantineFilter,
  type QuarantineInput,
  type UpsertInput,
  type SourceRef,
  type StoredRecord,
  type StoreHealth,
  type Transfer,
  type TransferCountName,
  type TransferCounts,
  type TransferFilter,
  type TransferStatus,
  type UpsertContext,
  type UpsertResult,
  type UpsertStatus,
} from './types.ts';

type Row = Record<string, unknown>;

/** Attempts for a transaction the store runs itself, when the database reports a conflict. */
const CONFLICT_ATTEMPTS = 5;

// ------------------------------------------------------------------------------------------------
// value helpers

function iso(v: unknown): string {
  return (v instanceof Date ? v : new Date(String(v))).toISOString();
}
function isoOrNull(v: unknown): string | null {
  return v === null || v === undefined ? null : iso(v);
}
function strOrNull(v: unknown): string | null {
  return v === null || v === undefined ? null : String(v);
}
function numOrNull(v: unknown): number | null {
  return v === null || v === undefined ? null : Number(v);
}
function limitOf(limit: number | undefined, fallback: number): number {
  const n = limit ?? fallback;
  return Number.isInteger(n) && n > 0 ? Math.min(n, 10_000) : fallback;
}
function offsetOf(offset: number | undefined): number {
  return Number.isInteger(offset) && (offset as number) > 0 ? (offset as number) : 0;
}
function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** `WHERE a = $1 AND b = $2` from the defined entries of a filter. */
function where(conditions: Array<[column: string, value: unknown]>, params: unknown[]): string {
  const parts: string[] = [];
  for (const [column, value] of conditions) {
    if (value === undefined) continue;
    params.push(value);
    parts.push(`${column} = $${params.length}`);
  }
  return parts.length ? `WHERE ${parts.join(' AND ')}` : '';
}

// ------------------------------------------------------------------------------------------------
// upsert plumbing

interface Prepared {
  index: number;
  type: string;
  key: string;
  idHint: string | undefined;
  body: RecordBody;
  refs: readonly SourceRef[];
}

interface RowState {
  id: string;
  version: number;
  hash: string;
  body: RecordBody;
}

interface Folded {
  state: RowState;
  /** Per input of the group: status and version after it. */
  steps: Array<{ status: UpsertStatus; version: number }>;
}

function groupKey(type: string, key: string): string {
  return JSON.stringify([type, key]);
}

function prepare(input: UpsertInput, index: number): Prepared {
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
  if (record.id !== undefined && !isUuid(record.id)) fail(`id "${String(record.id)}" is not a UUID`);
  if (record.classification !== undefined && !CLASSIFICATIONS.includes(record.classification as Classification)) {
    fail(`classification "${String(record.classification)}" is not one of ${CLASSIFICATIONS.join(', ')}`);
  }
  if (record.sourceRefs !== undefined && !Array.isArray(record.sourceRefs)) fail('sourceRefs is not an array');
  const body = recordBody(record);
  body.key = key;
  return {
    index,
    type,
    key,
    idHint: record.id as string | undefined,
    body,
    refs: (record.sourceRefs as readonly SourceRef[] | undefined) ?? [],
  };
}

/**
 * Apply a group's inputs (one key, one chunk) in order to the stored row (or to nothing). The chunk is
 * one change: the version moves by at most one, and when the inputs end where the stored row already
 * was (rows of one export that say the same thing in turn), nothing changed at all, so re-ingesting a
 * file changes nothing and delivers nothing.
 */
function fold(group: readonly Prepared[], base: RowState | undefined): Folded {
  let state = base;
  const touched: boolean[] = [];
  for (const p of group) {
    if (!state) {
      const body: RecordBody = { ...p.body };
      if (body.classification === undefined || body.classification === null) body.classification = 'cji';
      state = { id: p.idHint ?? recordId(p.type, p.key), version: 1, hash: contentHash(body), body };
      touched.push(true);
      continue;
    }
    const merged = mergeBodies(state.body, p.body);
    const hash = contentHash(merged);
    touched.push(hash !== state.hash);
    if (hash !== state.hash) state = { id: state.id, version: state.version, hash, body: merged };
  }
  const final = state!;
  if (base && final.hash === base.hash) {
    return { state: base, steps: group.map(() => ({ status: 'unchanged' as const, version: base.version })) };
  }
  const version = base ? base.version + 1 : 1;
  const steps = touched.map((t, i) => ({
    status: (!base && i === 0 ? 'inserted' : t ? 'updated' : 'unchanged') as 'inserted' | 'updated' | 'unchanged',
    version,
  }));
  return { state: { ...final, version }, steps };
}

interface ExistingRow {
  id: string;
  type: string;
  natural_key: string;
  version: number;
  content_hash: string;
  body: unknown;
}

const SELECT_FOR_UPDATE = `
  SELECT r.id, r.type, r.natural_key, r.version, r.content_hash, r.body
  FROM records r
  WHERE (r.type, r.natural_key) IN (SELECT k.t, k.k FROM jsonb_to_recordset($1::jsonb) AS k(t text, k text))
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
  SET version = v.version, content_hash = v.content_hash, classification = v.classification, body = v.body, updated_at = now()
  FROM jsonb_to_recordset($1::jsonb) AS v(id uuid, version integer, content_hash text, classification text, body jsonb)
  WHERE r.id = v.id`;

const INSERT_SOURCES = `
  INSERT INTO record_sources (record_id, transfer_id, system, source_record_id, mapping, file, pointer, received_at, payload_hash, dedupe_key)
  SELECT v.record_id, v.transfer_id, v.system, v.source_record_id, v.mapping, v.file, v.pointer,
         COALESCE(v.received_at, now()), v.payload_hash, v.dedupe_key
  FROM jsonb_to_recordset($1::jsonb)
    AS v(record_id uuid, transfer_id text, system text, source_record_id text, mapping text, file text,
         pointer jsonb, received_at timestamptz, payload_hash text, dedupe_key text)
  ON CONFLICT (record_id, dedupe_key) DO NOTHING`;

// ------------------------------------------------------------------------------------------------
// row mappers

const COUNT_COLUMNS: Record<TransferCountName, string> = {
  read: 'read_count',
  mapped: 'mapped_count',
  invalid: 'invalid_count',
  stored: 'stored_count',
  changed: 'changed_count',
  unchanged: 'unchanged_count',
  delivered: 'delivered_count',
  failed: 'failed_count',
};

function toCounts(r: Row): TransferCounts {
  const counts = {} as TransferCounts;
  for (const name of TRANSFER_COUNT_NAMES) counts[name] = Number(r[COUNT_COLUMNS[name]] ?? 0);
  return counts;
}

function toTransfer(r: Row): Transfer {
  return {
    id: String(r.id),
    connectorId: String(r.connector_id),
    trigger: r.trigger as Transfer['trigger'],
    source: strOrNull(r.source),
    status: r.status as TransferStatus,
    counts: toCounts(r),
    error: strOrNull(r.error),
    createdAt: iso(r.created_at),
    startedAt: isoOrNull(r.started_at),
    finishedAt: isoOrNull(r.finished_at),
  };
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
  if (sourceRefs) rec.sourceRefs = sourceRefs;
  return rec;
}

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

function toDelivery(r: Row): Delivery {
  return {
    deliveryId: String(r.delivery_id),
    content: (r.content as 'records' | 'lead' | undefined) ?? 'records',
    payload: r.payload ?? null,
    destinationId: String(r.destination_id),
    recordId: strOrNull(r.record_id),
    packageRef: strOrNull(r.package_ref),
    recordVersion: numOrNull(r.record_version),
    status: r.status as DeliveryStatus,
    attempts: Number(r.attempts),
    lastError: strOrNull(r.last_error),
    responseStatus: numOrNull(r.response_status),
    createdAt: iso(r.created_at),
    firstAttemptAt: isoOrNull(r.first_attempt_at),
    lastAttemptAt: isoOrNull(r.last_attempt_at),
    deliveredAt: isoOrNull(r.delivered_at),
  };
}

function toDeadLetter(r: Row): DeadLetter {
  return {
    id: String(r.id),
    queue: String(r.queue),
    jobId: String(r.job_id),
    destinationId: strOrNull(r.destination_id),
    payload: r.payload,
    attempts: (r.attempts as DeadLetterAttempt[] | null) ?? [],
    lastError: strOrNull(r.last_error),
    createdAt: iso(r.created_at),
    replayedAt: isoOrNull(r.replayed_at),
    replayJobId: strOrNull(r.replay_job_id),
  };
}

function toLease(r: Row): Lease {
  return { name: String(r.name), holder: String(r.holder), acquiredAt: iso(r.acquired_at), expiresAt: iso(r.expires_at) };
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

// ------------------------------------------------------------------------------------------------

export interface StoreOpenOptions {
  /** Apply pending migrations first. @defaultValue true */
  migrate?: boolean;
}

export class Store {
  readonly db: Db;

  constructor(db: Db) {
    this.db = db;
  }

  /** A store over `db`, migrated to the newest schema. */
  static async open(db: Db, options: StoreOpenOptions = {}): Promise<Store> {
    if (options.migrate !== false) await migrate(db);
    return new Store(db);
  }

  get kind(): Db['kind'] {
    return this.db.kind;
  }

  /** Run `fn` in one transaction; pass its `tx` to the store methods called inside. */
  transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
    return this.db.transaction(fn);
  }

  async close(): Promise<void> {
    await this.db.close();
  }

  /** Inside the caller's transaction, or in a transaction of our own that is retried on conflicts. */
  async #inTx<T>(tx: Db | undefined, fn: (tx: Db) => Promise<T>): Promise<T> {
    if (tx) return fn(tx);
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.db.transaction(fn);
      } catch (err) {
        if (!(err instanceof HubError && err.code === 'HUB_ERR_STORE_CONFLICT') || attempt >= CONFLICT_ATTEMPTS) throw err;
        await sleep(attempt * 10 + Math.random() * 40);
      }
    }
  }

  // --- records ----------------------------------------------------------------------------------

  /**
   * Insert or merge a chunk of canonical records by natural key (see `merge.ts` for the rule).
   * Returns one result per input, in input order. Inputs with the same type and key within a chunk
   * apply in order, as if upserted one after another. Every input adds provenance rows (one per
   * source ref, or one bare row), de-duplicated on (record, transfer, system, mapping, file, pointer).
   * Round trips: one locking SELECT, one INSERT of the new rows, one UPDATE of the changed rows, one
   * INSERT of provenance (plus one SELECT when another worker inserted some of the keys meanwhile).
   */
  async upsertRecords(records: readonly UpsertInput[], ctx: UpsertContext = {}, tx?: Db): Promise<UpsertResult[]> {
    if (records.length === 0) return [];
    const prepared = records.map(prepare);
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
    const toState = (r: ExistingRow): RowState => ({
      id: String(r.id),
      version: Number(r.version),
      hash: String(r.content_hash),
      body: r.body as RecordBody,
    });

    return this.#inTx(tx, async (t) => {
      const folded = new Map<string, { f: Folded; isNew: boolean; base: RowState | undefined }>();
      const lock = async (gks: readonly string[]): Promise<void> => {
        const rows = await t.query<ExistingRow>(SELECT_FOR_UPDATE, [keyParam(gks)]);
        for (const r of rows) {
          const gk = groupKey(String(r.type), String(r.natural_key));
          const base = toState(r);
          folded.set(gk, { f: fold(groups.get(gk)!, base), isNew: false, base });
        }
      };

      await lock(sortedKeys);
      const fresh = sortedKeys.filter((gk) => !folded.has(gk));
      if (fresh.length) {
        const rows = fresh.map((gk) => {
          const f = fold(groups.get(gk)!, undefined);
          folded.set(gk, { f, isNew: true, base: undefined });
          const g = groups.get(gk)![0]!;
          return {
            id: f.state.id,
            type: g.type,
            natural_key: g.key,
            version: f.state.version,
            content_hash: f.state.hash,
            classification: f.state.body.classification,
            body: f.state.body,
          };
        });
        const inserted = await t.query<{ type: string; natural_key: string }>(INSERT_RECORDS, [JSON.stringify(rows)]);
        if (inserted.length < fresh.length) {
          // Another worker inserted some of these keys after our SELECT: merge into its rows instead.
          const won = new Set(inserted.map((r) => groupKey(r.type, r.natural_key)));
          const lost = fresh.filter((gk) => !won.has(gk));
          for (const gk of lost) folded.delete(gk);
          await lock(lost);
          const missing = lost.filter((gk) => !folded.has(gk));
          if (missing.length) {
            throw new HubError('HUB_ERR_STORE_CONFLICT', { sqlstate: 'none', reason: `records ${missing.join(', ')} conflicted on insert but cannot be read` });
          }
        }
      }

      const updates = [...folded.values()]
        .filter((e) => !e.isNew && e.base && e.f.state.version !== e.base.version)
        .map((e) => ({
          id: e.f.state.id,
          version: e.f.state.version,
          content_hash: e.f.state.hash,
          classification: e.f.state.body.classification,
          body: e.f.state.body,
        }));
      if (updates.length) await t.query(UPDATE_RECORDS, [JSON.stringify(updates)]);

      const results: UpsertResult[] = new Array(records.length);
      const sources = new Map<string, Row>();
      for (const [gk, group] of groups) {
        const { f } = folded.get(gk)!;
        group.forEach((p, i) => {
          results[p.index] = { id: f.state.id, type: p.type, key: p.key, status: f.steps[i]!.status, version: f.steps[i]!.version, body: f.state.body as Record<string, unknown> };
          const refs: readonly SourceRef[] = p.refs.length ? p.refs : [{}];
          for (const ref of refs) {
            const transferId = ref.transferId ?? ctx.transferId ?? null;
            const identity = [transferId, ref.system ?? null, ref.recordId ?? null, ref.mapping ?? null, ref.file ?? null, ref.pointer ?? null];
            const dedupeKey = sha256Hex(canonicalJson(identity));
            sources.set(`${f.state.id}|${dedupeKey}`, {
              record_id: f.state.id,
              transfer_id: transferId,
              system: ref.system ?? null,
              source_record_id: ref.recordId ?? null,
              mapping: ref.mapping ?? null,
              file: ref.file ?? null,
              pointer: ref.pointer ?? null,
              received_at: ref.receivedAt ?? ctx.receivedAt ?? null,
              payload_hash: ref.payloadHash ?? null,
              dedupe_key: dedupeKey,
            });
          }
        });
      }
      await t.query(INSERT_SOURCES, [JSON.stringify([...sources.values()])]);
      return results;
    });
  }

  /** A record by type and natural key, with its newest `sourceLimit` source refs (default 100). */
  async getRecord(type: string, key: string, options: { sourceLimit?: number } = {}): Promise<StoredRecord | undefined> {
    const rows = await this.db.query('SELECT * FROM records WHERE type = $1 AND natural_key = $2', [type, key]);
    return rows[0] ? this.#withSources(rows[0], options.sourceLimit) : undefined;
  }

  async getRecordById(id: string, options: { sourceLimit?: number } = {}): Promise<StoredRecord | undefined> {
    if (!isUuid(id)) return undefined;
    const rows = await this.db.query('SELECT * FROM records WHERE id = $1', [id]);
    return rows[0] ? this.#withSources(rows[0], options.sourceLimit) : undefined;
  }

  async #withSources(row: Row, sourceLimit: number | undefined): Promise<StoredRecord> {
    const refs = await this.listRecordSources(String(row.id), { limit: sourceLimit ?? 100 });
    return toRecord(row, refs);
  }

  /** Provenance of a record, oldest first within the newest `limit`. */
  async listRecordSources(recordId: string, options: { limit?: number } = {}): Promise<SourceRef[]> {
    if (!isUuid(recordId)) return [];
    const rows = await this.db.query(
      `SELECT * FROM (SELECT * FROM record_sources WHERE record_id = $1 ORDER BY id DESC LIMIT $2) s ORDER BY id`,
      [recordId, limitOf(options.limit, 100)],
    );
    return rows.map(toSourceRef);
  }

  /**
   * Records of a type whose fields equal the filter's values, e.g. `{ labCaseNumber: 'L24-0012' }`.
   * A field may be a dotted path (`make.code`, `events.agencyCaseNumber`); a path through an array
   * matches when any element does. Uses the GIN index on the body. Ordered by natural key; sourceRefs
   * are left out (use getRecord or listRecordSources).
   */
  async findRecords(type: string, filter: Record<string, string | number> = {}, limit = 100): Promise<StoredRecord[]> {
    const path = filterPath(filter);
    const params: unknown[] = [type];
    let sql = 'SELECT * FROM records WHERE type = $1';
    if (path) {
      params.push(path);
      sql += ` AND body @@ $${params.length}::jsonpath`;
    }
    params.push(limitOf(limit, 100));
    sql += ` ORDER BY natural_key LIMIT $${params.length}`;
    const rows = await this.db.query(sql, params);
    return rows.map((r) => toRecord(r));
  }

  // --- transfers --------------------------------------------------------------------------------

  async createTransfer(input: NewTransfer, tx?: Db): Promise<Transfer> {
    const status = input.status ?? 'queued';
    const rows = await (tx ?? this.db).query(
      `INSERT INTO transfers (id, connector_id, trigger, source, status, started_at)
       VALUES ($1, $2, $3, $4, $5, CASE WHEN $5 = 'running' THEN now() END)
       RETURNING *`,
      [input.id ?? randomUUID(), input.connectorId, input.trigger, input.source ?? null, status],
    );
    return toTransfer(rows[0]!);
  }

  /** Mark a queued transfer running (sets started_at once). */
  async startTransfer(id: string, tx?: Db): Promise<Transfer> {
    const rows = await (tx ?? this.db).query(
      `UPDATE transfers SET status = 'running', started_at = COALESCE(started_at, now()) WHERE id = $1 RETURNING *`,
      [id],
    );
    if (!rows[0]) throw new HubError('HUB_ERR_STORE_NOT_FOUND', { what: 'Transfer', id });
    return toTransfer(rows[0]);
  }

  /** Add to a transfer's counts atomically (`n = n + delta`); returns the counts after. */
  async addTransferCounts(id: string, deltas: Partial<TransferCounts>, tx?: Db): Promise<TransferCounts> {
    const params: unknown[] = [id];
    const sets: string[] = [];
    for (const [name, delta] of Object.entries(deltas)) {
      if (delta === undefined || delta === 0) continue;
      const column = COUNT_COLUMNS[name as TransferCountName];
      if (!column) throw new HubError('HUB_ERR_STORE_OPTIONS', { option: `counts.${name}`, reason: `is not a transfer count (${TRANSFER_COUNT_NAMES.join(', ')})` });
      if (!Number.isInteger(delta)) throw new HubError('HUB_ERR_STORE_OPTIONS', { option: `counts.${name}`, reason: 'must be an integer' });
      params.push(delta);
      sets.push(`${column} = ${column} + $${params.length}`);
    }
    const sql = sets.length
      ? `UPDATE transfers SET ${sets.join(', ')} WHERE id = $1 RETURNING *`
      : 'SELECT * FROM transfers WHERE id = $1';
    const rows = await (tx ?? this.db).query(sql, params);
    if (!rows[0]) throw new HubError('HUB_ERR_STORE_NOT_FOUND', { what: 'Transfer', id });
    return toCounts(rows[0]);
  }

  async finishTransfer(id: string, status: 'succeeded' | 'failed' | 'partial', error?: string, tx?: Db): Promise<Transfer> {
    const rows = await (tx ?? this.db).query(
      `UPDATE transfers SET status = $2, error = $3, finished_at = now(), started_at = COALESCE(started_at, now())
       WHERE id = $1 RETURNING *`,
      [id, status, error ?? null],
    );
    if (!rows[0]) throw new HubError('HUB_ERR_STORE_NOT_FOUND', { what: 'Transfer', id });
    return toTransfer(rows[0]);
  }

  async getTransfer(id: string): Promise<Transfer | undefined> {
    const rows = await this.db.query('SELECT * FROM transfers WHERE id = $1', [id]);
    return rows[0] ? toTransfer(rows[0]) : undefined;
  }

  /** Newest first. */
  async listTransfers(filter: TransferFilter = {}): Promise<Transfer[]> {
    const params: unknown[] = [];
    const w = where([['connector_id', filter.connectorId], ['status', filter.status]], params);
    params.push(limitOf(filter.limit, 50), offsetOf(filter.offset));
    const rows = await this.db.query(
      `SELECT * FROM transfers ${w} ORDER BY created_at DESC, id DESC LIMIT $${params.length - 1} OFFSET $${params.length}`,
      params,
    );
    return rows.map(toTransfer);
  }

  /** The connector's newest transfer (optionally: the newest with that status). */
  async lastTransfer(connectorId: string, options: { status?: TransferStatus } = {}): Promise<Transfer | undefined> {
    return (await this.listTransfers({ connectorId, status: options.status, limit: 1 }))[0];
  }

  // --- quarantine -------------------------------------------------------------------------------

  /** Store quarantined records in one statement; returns their ids in input order. */
  async addQuarantine(entries: readonly QuarantineInput[], tx?: Db): Promise<string[]> {
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
    await (tx ?? this.db).query(
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
  async listQuarantine(filter: QuarantineFilter = {}): Promise<QuarantineEntry[]> {
    const params: unknown[] = [];
    const w = this.#quarantineWhere(filter, params);
    params.push(limitOf(filter.limit, 100), offsetOf(filter.offset));
    const rows = await this.db.query(
      `SELECT * FROM quarantine ${w} ORDER BY seq DESC LIMIT $${params.length - 1} OFFSET $${params.length}`,
      params,
    );
    return rows.map(toQuarantine);
  }

  async countQuarantine(filter: Omit<QuarantineFilter, 'limit' | 'offset'> = {}): Promise<number> {
    const params: unknown[] = [];
    const w = this.#quarantineWhere(filter, params);
    const rows = await this.db.query<{ n: unknown }>(`SELECT count(*) AS n FROM quarantine ${w}`, params);
    return Number(rows[0]?.n ?? 0);
  }

  #quarantineWhere(filter: QuarantineFilter, params: unknown[]): string {
    return where([['connector_id', filter.connectorId], ['transfer_id', filter.transferId], ['code', filter.code]], params);
  }

  // --- deliveries -------------------------------------------------------------------------------

  /**
   * Register a delivery attempt-to-be. True when it should be attempted: the row is new, or still
   * pending, failed or dead (a replay); false when it was already delivered, so a re-run or a
   * re-ingested file delivers nothing twice. The id comes from `deliveryIdFor`.
   */
  async claimDelivery(claim: DeliveryClaim, tx?: Db): Promise<boolean> {
    if (!claim.recordId && !claim.packageRef) {
      throw new HubError('HUB_ERR_STORE_OPTIONS', { option: 'claimDelivery', reason: 'needs a recordId or a packageRef' });
    }
    const db = tx ?? this.db;
    const created = await db.query(
      `INSERT INTO deliveries (delivery_id, destination_id, record_id, package_ref, record_version)
       VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (delivery_id) DO NOTHING
       RETURNING delivery_id`,
      [claim.deliveryId, claim.destinationId, claim.recordId ?? null, claim.packageRef ?? null, claim.recordVersion ?? null],
    );
    if (created.length) return true;
    const rows = await db.query<{ status: DeliveryStatus }>('SELECT status FROM deliveries WHERE delivery_id = $1', [claim.deliveryId]);
    return rows[0] ? rows[0].status !== 'delivered' : true;
  }

  /**
   * Write a delivery with its content to the ledger (the outbox), in the caller's transaction.
   * True when it is new; false when a delivery with this id exists already (the same content was
   * routed to the same destination before), so nothing is queued twice.
   */
  async createDelivery(d: NewDelivery, tx?: Db): Promise<boolean> {
    const rows = await (tx ?? this.db).query(
      `INSERT INTO deliveries (delivery_id, destination_id, package_ref, content, payload)
       VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (delivery_id) DO NOTHING
       RETURNING delivery_id`,
      [d.deliveryId, d.destinationId, d.packageRef, d.content, JSON.stringify(d.payload)],
    );
    return rows.length > 0;
  }

  /** Deliveries written but not delivered (pending or failed and not dead), oldest first, to queue again. */
  async listUndelivered(limit = 1000): Promise<{ deliveryId: string; destinationId: string }[]> {
    const rows = await this.db.query<{ delivery_id: string; destination_id: string }>(
      `SELECT delivery_id, destination_id FROM deliveries WHERE status IN ('pending', 'failed') ORDER BY created_at LIMIT $1`,
      [limit],
    );
    return rows.map((r) => ({ deliveryId: String(r.delivery_id), destinationId: String(r.destination_id) }));
  }

  /** Count one attempt (sets first/last attempt times); returns the attempt number. */
  async incrementAttempts(deliveryId: string, tx?: Db): Promise<number> {
    const rows = await (tx ?? this.db).query<{ attempts: number }>(
      `UPDATE deliveries
       SET attempts = attempts + 1, first_attempt_at = COALESCE(first_attempt_at, now()), last_attempt_at = now(), updated_at = now()
       WHERE delivery_id = $1 RETURNING attempts`,
      [deliveryId],
    );
    if (!rows[0]) throw new HubError('HUB_ERR_STORE_NOT_FOUND', { what: 'Delivery', id: deliveryId });
    return Number(rows[0].attempts);
  }

  async markDelivered(deliveryId: string, result: { responseStatus?: number } = {}, tx?: Db): Promise<void> {
    const rows = await (tx ?? this.db).query(
      `UPDATE deliveries
       SET status = 'delivered', delivered_at = COALESCE(delivered_at, now()), response_status = $2, updated_at = now()
       WHERE delivery_id = $1 RETURNING delivery_id`,
      [deliveryId, result.responseStatus ?? null],
    );
    if (!rows[0]) throw new HubError('HUB_ERR_STORE_NOT_FOUND', { what: 'Delivery', id: deliveryId });
  }

  /** Record a failed attempt; `dead` when no attempt is left. A delivered row stays delivered. */
  async markDeliveryFailed(
    deliveryId: string,
    error: string,
    options: { dead: boolean; responseStatus?: number },
    tx?: Db,
  ): Promise<void> {
    const db = tx ?? this.db;
    const rows = await db.query(
      `UPDATE deliveries
       SET status = $2, last_error = $3, response_status = COALESCE($4, response_status), updated_at = now()
       WHERE delivery_id = $1 AND status <> 'delivered' RETURNING delivery_id`,
      [deliveryId, options.dead ? 'dead' : 'failed', error, options.responseStatus ?? null],
    );
    if (!rows[0] && !(await this.getDelivery(deliveryId, db))) {
      throw new HubError('HUB_ERR_STORE_NOT_FOUND', { what: 'Delivery', id: deliveryId });
    }
  }

  async getDelivery(deliveryId: string, tx?: Db): Promise<Delivery | undefined> {
    const rows = await (tx ?? this.db).query('SELECT * FROM deliveries WHERE delivery_id = $1', [deliveryId]);
    return rows[0] ? toDelivery(rows[0]) : undefined;
  }

  /** Newest first. */
  async listDeliveries(filter: DeliveryFilter = {}): Promise<Delivery[]> {
    const params: unknown[] = [];
    const recordId = filter.recordId === undefined ? undefined : isUuid(filter.recordId) ? filter.recordId : null;
    if (recordId === null) return [];
    const w = where([['destination_id', filter.destinationId], ['status', filter.status], ['record_id', recordId]], params);
    params.push(limitOf(filter.limit, 100), offsetOf(filter.offset));
    const rows = await this.db.query(
      `SELECT * FROM deliveries ${w} ORDER BY created_at DESC, delivery_id LIMIT $${params.length - 1} OFFSET $${params.length}`,
      params,
    );
    return rows.map(toDelivery);
  }

  // --- cursors ----------------------------------------------------------------------------------

  async getCursor(connectorId: string, tx?: Db): Promise<string | undefined> {
    const rows = await (tx ?? this.db).query<{ value: string }>('SELECT value FROM cursors WHERE connector_id = $1', [connectorId]);
    return rows[0]?.value;
  }

  /** Advance a connector's cursor; pass the chunk's `tx` so it commits with the records it covers. */
  async setCursor(connectorId: string, value: string, tx?: Db, transferId?: string): Promise<void> {
    await (tx ?? this.db).query(
      `INSERT INTO cursors (connector_id, value, transfer_id, updated_at) VALUES ($1, $2, $3, now())
       ON CONFLICT (connector_id) DO UPDATE SET value = EXCLUDED.value, transfer_id = EXCLUDED.transfer_id, updated_at = now()`,
      [connectorId, value, transferId ?? null],
    );
  }

  // --- dead letters -----------------------------------------------------------------------------

  async addDeadLetter(input: NewDeadLetter, tx?: Db): Promise<DeadLetter> {
    const lastError = input.lastError ?? input.attempts.at(-1)?.error ?? null;
    const rows = await (tx ?? this.db).query(
      `INSERT INTO dead_letters (id, queue, job_id, destination_id, payload, attempts, last_error)
       VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb, $7) RETURNING *`,
      [
        input.id ?? randomUUID(),
        input.queue,
        input.jobId,
        input.destinationId ?? null,
        JSON.stringify(input.payload ?? null),
        JSON.stringify(input.attempts),
        lastError,
      ],
    );
    return toDeadLetter(rows[0]!);
  }

  /** Newest first. */
  async listDeadLetters(filter: DeadLetterFilter = {}): Promise<DeadLetter[]> {
    const params: unknown[] = [];
    let w = where([['queue', filter.queue], ['destination_id', filter.destinationId]], params);
    if (filter.pending !== undefined) {
      const clause = filter.pending ? 'replayed_at IS NULL' : 'replayed_at IS NOT NULL';
      w = w ? `${w} AND ${clause}` : `WHERE ${clause}`;
    }
    params.push(limitOf(filter.limit, 100), offsetOf(filter.offset));
    const rows = await this.db.query(
      `SELECT * FROM dead_letters ${w} ORDER BY created_at DESC, id LIMIT $${params.length - 1} OFFSET $${params.length}`,
      params,
    );
    return rows.map(toDeadLetter);
  }

  async getDeadLetter(id: string): Promise<DeadLetter | undefined> {
    if (!isUuid(id)) return undefined;
    const rows = await this.db.query('SELECT * FROM dead_letters WHERE id = $1', [id]);
    return rows[0] ? toDeadLetter(rows[0]) : undefined;
  }

  /**
   * Record that a dead letter was re-queued as job `jobId`. True only for the first caller, so an API
   * call and a CLI command replaying the same letter at once re-queue it once; false when it was
   * already replayed. Unknown id: HUB_ERR_STORE_NOT_FOUND.
   */
  async markReplayed(id: string, jobId: string, tx?: Db): Promise<boolean> {
    const db = tx ?? this.db;
    if (isUuid(id)) {
      const rows = await db.query(
        `UPDATE dead_letters SET replayed_at = now(), replay_job_id = $2 WHERE id = $1 AND replayed_at IS NULL RETURNING id`,
        [id, jobId],
      );
      if (rows[0]) return true;
      if ((await db.query('SELECT 1 FROM dead_letters WHERE id = $1', [id])).length) return false;
    }
    throw new HubError('HUB_ERR_STORE_NOT_FOUND', { what: 'Dead letter', id });
  }

  // --- leases and once-claims ---------------------------------------------------------------------

  /**
   * Take the lease `name` for `ttlMs`: true when it was free, expired (taken over) or already ours
   * (renewed). One statement, so two contenders cannot both win. Times are the database's clock.
   */
  async tryAcquireLease(name: string, holder: string, ttlMs: number): Promise<boolean> {
    if (!Number.isFinite(ttlMs) || ttlMs <= 0) throw new HubError('HUB_ERR_STORE_OPTIONS', { option: 'ttlMs', reason: 'must be a positive number of milliseconds' });
    const rows = await this.db.query(
      `INSERT INTO leases (name, holder, acquired_at, expires_at)
       VALUES ($1, $2, clock_timestamp(), clock_timestamp() + $3 * interval '1 millisecond')
       ON CONFLICT (name) DO UPDATE
         SET holder = EXCLUDED.holder,
             expires_at = EXCLUDED.expires_at,
             acquired_at = CASE WHEN leases.holder = EXCLUDED.holder THEN leases.acquired_at ELSE EXCLUDED.acquired_at END
         WHERE leases.holder = EXCLUDED.holder OR leases.expires_at <= clock_timestamp()
       RETURNING holder`,
      [name, holder, Math.ceil(ttlMs)],
    );
    return rows.length === 1;
  }

  /** Give the lease up; true when `holder` held it. */
  async releaseLease(name: string, holder: string): Promise<boolean> {
    const rows = await this.db.query('DELETE FROM leases WHERE name = $1 AND holder = $2 RETURNING name', [name, holder]);
    return rows.length === 1;
  }

  /** The current (unexpired) holder of a lease. */
  async getLease(name: string): Promise<Lease | undefined> {
    const rows = await this.db.query('SELECT * FROM leases WHERE name = $1 AND expires_at > clock_timestamp()', [name]);
    return rows[0] ? toLease(rows[0]) : undefined;
  }

  /** True only for the first caller ever to claim `name` (e.g. `schedule:<connector>:<fire-time-iso>`). */
  async tryClaimOnce(name: string, holder?: string): Promise<boolean> {
    const rows = await this.db.query(
      'INSERT INTO once_claims (name, holder) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING RETURNING name',
      [name, holder ?? null],
    );
    return rows.length === 1;
  }

  /** Forget claims older than `olderThanMs`; returns how many. */
  async pruneOnceClaims(olderThanMs: number): Promise<number> {
    const rows = await this.db.query(
      `DELETE FROM once_claims WHERE claimed_at < clock_timestamp() - $1 * interval '1 millisecond' RETURNING name`,
      [Math.max(0, Math.floor(olderThanMs))],
    );
    return rows.length;
  }

  // --- health -----------------------------------------------------------------------------------

  /** Ping the database; never throws. */
  async health(): Promise<StoreHealth> {
    const started = performance.now();
    try {
      await this.db.query('SELECT 1');
      const version = await schemaVersion(this.db);
      const h: StoreHealth = { ok: true, kind: this.db.kind, latencyMs: Math.round((performance.now() - started) * 100) / 100 };
      if (version) h.schemaVersion = version;
      return h;
    } catch (err) {
      return {
        ok: false,
        kind: this.db.kind,
        latencyMs: Math.round((performance.now() - started) * 100) / 100,
        error: err instanceof Error ? err.message : String(err),
      };
    }
  }
}
