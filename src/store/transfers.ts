/** Transfers (one run of one source connector) and their counts; counts move by `n = n + delta`. */
import { randomUUID } from 'node:crypto';
import { HubError } from '../errors/hub-error.ts';
import type { Db } from './db.ts';
import { iso, isoOrNull, limitOf, offsetOf, strOrNull, where, type Row } from './sql.ts';
import {
  TRANSFER_COUNT_NAMES,
  type NewTransfer,
  type Transfer,
  type TransferCountName,
  type TransferCounts,
  type TransferFilter,
  type TransferStatus,
} from './types.ts';

const COUNT_COLUMNS: Record<TransferCountName, string> = {
  read: 'read_count',
  mapped: 'mapped_count',
  invalid: 'invalid_count',
  damaged: 'damaged_count',
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
/** Write a transfer. With `ifAbsent`, one whose id exists already is returned as it is (a poll re-run queues it once). */
export async function createTransfer(db: Db, input: NewTransfer): Promise<Transfer> {
  const status = input.status ?? 'queued';
  const id = input.id ?? randomUUID();
  const rows = await db.query(
    `INSERT INTO transfers (id, connector_id, trigger, source, status, started_at)
     VALUES ($1, $2, $3, $4, $5, CASE WHEN $5 = 'running' THEN now() END)
     ${input.ifAbsent ? 'ON CONFLICT (id) DO NOTHING' : ''}
     RETURNING *`,
    [id, input.connectorId, input.trigger, input.source ?? null, status],
  );
  return toTransfer(rows[0] ?? (await db.query('SELECT * FROM transfers WHERE id = $1', [id]))[0]!);
}

/** Mark a queued transfer running (sets started_at once); a finished one is returned as it is (its finishedAt set). */
export async function startTransfer(db: Db, id: string): Promise<Transfer> {
  const rows = await db.query(
    `UPDATE transfers SET status = CASE WHEN finished_at IS NULL THEN 'running' ELSE status END, started_at = COALESCE(started_at, now()) WHERE id = $1 RETURNING *`,
    [id],
  );
  if (!rows[0]) throw new HubError('HUB_ERR_STORE_NOT_FOUND', { what: 'Transfer', id });
  return toTransfer(rows[0]);
}

/** Add to a transfer's counts atomically (`n = n + delta`); returns the counts after. */
export async function addTransferCounts(db: Db, id: string, deltas: Partial<TransferCounts>): Promise<TransferCounts> {
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
  const rows = await db.query(sql, params);
  if (!rows[0]) throw new HubError('HUB_ERR_STORE_NOT_FOUND', { what: 'Transfer', id });
  return toCounts(rows[0]);
}

export async function finishTransfer(db: Db, id: string, status: 'succeeded' | 'failed' | 'partial', error?: string): Promise<Transfer> {
  const rows = await db.query(
    `UPDATE transfers SET status = $2, error = $3, finished_at = now(), started_at = COALESCE(started_at, now())
     WHERE id = $1 RETURNING *`,
    [id, status, error ?? null],
  );
  if (!rows[0]) throw new HubError('HUB_ERR_STORE_NOT_FOUND', { what: 'Transfer', id });
  return toTransfer(rows[0]);
}

/**
 * Finish a transfer whose units were all read, with the status its outcome gives, in one statement:
 * `failed` when every unit failed, `partial` when one did or a row was invalid (the stored count, exact
 * after a resume), else `succeeded`.
 */
export async function concludeTransfer(db: Db, id: string, units: { failed: number; total: number }, error?: string): Promise<Transfer> {
  const rows = await db.query(
    `UPDATE transfers
     SET status = CASE WHEN $2::boolean THEN 'failed' WHEN $3::boolean OR invalid_count > 0 THEN 'partial' ELSE 'succeeded' END,
         error = $4, finished_at = now(), started_at = COALESCE(started_at, now())
     WHERE id = $1 RETURNING *`,
    [id, units.failed > 0 && units.failed === units.total, units.failed > 0, error ?? null],
  );
  if (!rows[0]) throw new HubError('HUB_ERR_STORE_NOT_FOUND', { what: 'Transfer', id });
  return toTransfer(rows[0]);
}

export async function getTransfer(db: Db, id: string): Promise<Transfer | undefined> {
  const rows = await db.query('SELECT * FROM transfers WHERE id = $1', [id]);
  return rows[0] ? toTransfer(rows[0]) : undefined;
}

function transferWhere(filter: TransferFilter, params: unknown[]): string {
  let w = where([['connector_id', filter.connectorId], ['status', filter.status]], params);
  const and = (clause: string): void => void (w = w ? `${w} AND ${clause}` : `WHERE ${clause}`);
  if (filter.since !== undefined) and(`created_at >= $${params.push(filter.since)}`);
  if (filter.until !== undefined) and(`created_at < $${params.push(filter.until)}`);
  return w;
}

/** Newest first (ties by id, so pages are stable). */
export async function listTransfers(db: Db, filter: TransferFilter = {}): Promise<Transfer[]> {
  const params: unknown[] = [];
  const w = transferWhere(filter, params);
  params.push(limitOf(filter.limit, 50), offsetOf(filter.offset));
  const rows = await db.query(
    `SELECT * FROM transfers ${w} ORDER BY created_at DESC, id DESC LIMIT $${params.length - 1} OFFSET $${params.length}`,
    params,
  );
  return rows.map(toTransfer);
}

export async function countTransfers(db: Db, filter: Omit<TransferFilter, 'limit' | 'offset'> = {}): Promise<number> {
  const params: unknown[] = [];
  const rows = await db.query<{ n: unknown }>(`SELECT count(*) AS n FROM transfers ${transferWhere(filter, params)}`, params);
  return Number(rows[0]?.n ?? 0);
}

/** The connector's newest transfer (optionally: the newest with that status). */
export async function lastTransfer(db: Db, connectorId: string, options: { status?: TransferStatus } = {}): Promise<Transfer | undefined> {
  return (await listTransfers(db, { connectorId, status: options.status, limit: 1 }))[0];
}

/**
 * Record that a transfer committed the chunk `chunkKey` (unit, part, chunk index), in the chunk's own
 * transaction. True the first time; false when the chunk was committed before (a run resumed after a
 * crash), and then the caller skips it: its records, quarantine and counts are in the store already.
 */
export async function claimChunk(db: Db, transferId: string, chunkKey: string, options: { hold?: boolean } = {}): Promise<boolean> {
  const rows = options.hold
    ? await db.query(
        `INSERT INTO transfer_chunks (transfer_id, chunk_key)
         SELECT $1, $2 FROM (SELECT pg_advisory_xact_lock(hashtextextended($3, 0))) AS held
         ON CONFLICT DO NOTHING RETURNING chunk_key`,
        [transferId, chunkKey, chunkLockName(transferId, chunkKey)],
      )
    : await db.query(`INSERT INTO transfer_chunks (transfer_id, chunk_key) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING chunk_key`, [transferId, chunkKey]);
  return rows.length > 0;
}

/** The advisory lock a chunk's transaction holds (`hold`) so that the chunk after it can wait for its end. */
function chunkLockName(transferId: string, chunkKey: string): string {
  return `cgic-hub chunk ${transferId} ${chunkKey}`;
}

/**
 * Whether the chunk `chunkKey` has committed, once the transaction that claimed it with `hold` has ended
 * (waiting for it, in the database, so a deadlock with it is detected and reported as a conflict).
 * False when that transaction rolled back or has not claimed it yet. Two statements: the second sees
 * what the first waited for.
 */
export async function chunkCommitted(db: Db, transferId: string, chunkKey: string): Promise<boolean> {
  await db.query(`SELECT pg_advisory_xact_lock_shared(hashtextextended($1, 0))`, [chunkLockName(transferId, chunkKey)]);
  const rows = await db.query(`SELECT 1 FROM transfer_chunks WHERE transfer_id = $1 AND chunk_key = $2`, [transferId, chunkKey]);
  return rows.length > 0;
}

/** Forget a transfer that never ran (its request was refused after it was written); false when it ran. */
export async function dropQueuedTransfer(db: Db, id: string): Promise<boolean> {
  const rows = await db.query(`DELETE FROM transfers WHERE id = $1 AND status = 'queued' RETURNING id`, [id]);
  return rows.length > 0;
}
