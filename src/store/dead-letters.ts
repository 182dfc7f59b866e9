/** Dead letters: jobs that failed their last attempt, with their history; replayable once. */
import { randomUUID } from 'node:crypto';
import { HubError } from '../errors/hub-error.ts';
import type { Db } from './db.ts';
import { isUuid } from './ids.ts';
import { iso, isoOrNull, limitOf, offsetOf, strOrNull, where, type Row } from './sql.ts';
import type { DeadLetter, DeadLetterAttempt, DeadLetterFilter, NewDeadLetter } from './types.ts';

function toDeadLetter(r: Row): DeadLetter {
  return {
    id: String(r.id),
    kind: (r.kind ?? 'delivery') as DeadLetter['kind'],
    queue: String(r.queue),
    jobId: String(r.job_id),
    destinationId: strOrNull(r.destination_id),
    connectorId: strOrNull(r.connector_id),
    payload: r.payload,
    attempts: (r.attempts as DeadLetterAttempt[] | null) ?? [],
    lastError: strOrNull(r.last_error),
    createdAt: iso(r.created_at),
    replayedAt: isoOrNull(r.replayed_at),
    replayJobId: strOrNull(r.replay_job_id),
  };
}
/** Write a dead letter; one whose id exists already is returned as it is (a re-run writes it once). */
export async function addDeadLetter(db: Db, input: NewDeadLetter): Promise<DeadLetter> {
  const lastError = input.lastError ?? input.attempts.at(-1)?.error ?? null;
  const id = input.id ?? randomUUID();
  const rows = await db.query(
    `INSERT INTO dead_letters (id, kind, queue, job_id, destination_id, connector_id, payload, attempts, last_error)
     VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8::jsonb, $9) ON CONFLICT (id) DO NOTHING RETURNING *`,
    [
      id,
      input.kind ?? 'delivery',
      input.queue,
      input.jobId,
      input.destinationId ?? null,
      input.connectorId ?? null,
      JSON.stringify(input.payload ?? null),
      JSON.stringify(input.attempts),
      lastError,
    ],
  );
  return toDeadLetter(rows[0] ?? (await db.query('SELECT * FROM dead_letters WHERE id = $1', [id]))[0]!);
}

function deadLetterWhere(filter: DeadLetterFilter, params: unknown[]): string {
  let w = where([['queue', filter.queue], ['kind', filter.kind], ['destination_id', filter.destinationId], ['connector_id', filter.connectorId]], params);
  const and = (clause: string): void => void (w = w ? `${w} AND ${clause}` : `WHERE ${clause}`);
  if (filter.pending !== undefined) and(filter.pending ? 'replayed_at IS NULL' : 'replayed_at IS NOT NULL');
  if (filter.since !== undefined) {
    params.push(filter.since);
    and(`created_at >= $${params.length}::timestamptz`);
  }
  if (filter.until !== undefined) {
    params.push(filter.until);
    and(`created_at < $${params.length}::timestamptz`);
  }
  return w;
}

/** Newest first (ties by id, so pages are stable). */
export async function listDeadLetters(db: Db, filter: DeadLetterFilter = {}): Promise<DeadLetter[]> {
  const params: unknown[] = [];
  const w = deadLetterWhere(filter, params);
  params.push(limitOf(filter.limit, 100), offsetOf(filter.offset));
  const rows = await db.query(
    `SELECT * FROM dead_letters ${w} ORDER BY created_at DESC, id LIMIT $${params.length - 1} OFFSET $${params.length}`,
    params,
  );
  return rows.map(toDeadLetter);
}

export async function countDeadLetters(db: Db, filter: Omit<DeadLetterFilter, 'limit' | 'offset'> = {}): Promise<number> {
  const params: unknown[] = [];
  const rows = await db.query<{ n: unknown }>(`SELECT count(*) AS n FROM dead_letters ${deadLetterWhere(filter, params)}`, params);
  return Number(rows[0]?.n ?? 0);
}

export async function getDeadLetter(db: Db, id: string): Promise<DeadLetter | undefined> {
  if (!isUuid(id)) return undefined;
  const rows = await db.query('SELECT * FROM dead_letters WHERE id = $1', [id]);
  return rows[0] ? toDeadLetter(rows[0]) : undefined;
}

/**
 * Record that a dead letter was re-queued as job `jobId`. True only for the first caller, so an API
 * call and a CLI command replaying the same letter at once re-queue it once; false when it was
 * already replayed. Unknown id: HUB_ERR_STORE_NOT_FOUND.
 */
export async function markReplayed(db: Db, id: string, jobId: string): Promise<boolean> {
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

/** Undo `markReplayed` when the replay could not be queued after all, so it can be tried again. */
export async function unmarkReplayed(db: Db, id: string, jobId: string): Promise<void> {
  await db.query('UPDATE dead_letters SET replayed_at = NULL, replay_job_id = NULL WHERE id = $1 AND replay_job_id = $2', [id, jobId]);
}
