/**
 * The spool: bodies a source received (webhooks), kept in the store until their transfer commits, so
 * queue jobs carry an id instead of the body and a body outlives a Redis restart.
 *
 * Life of a body: `put` (status queued, counted in the connector's backlog) -> `remove` once its
 * records are committed; or `reject` (status rejected, with the errors) when its unit failed for good,
 * then `restore` (queued again) when an operator replays it.
 */
import type { Db } from './db.ts';
import { iso, isoOrNull, strOrNull, type Row } from './sql.ts';
import type { SpoolBacklog, SpooledBody } from './types.ts';

function toSpooled(r: Row): SpooledBody {
  return {
    id: String(r.id),
    connectorId: String(r.connector_id),
    transferId: strOrNull(r.transfer_id),
    bytes: Number(r.bytes),
    sha256: String(r.sha256),
    status: r.status as SpooledBody['status'],
    errors: r.errors ?? null,
    receivedAt: iso(r.received_at),
    rejectedAt: isoOrNull(r.rejected_at),
    charset: strOrNull(r.charset),
  };
}

export interface NewSpooledBody {
  id: string;
  connectorId: string;
  transferId?: string;
  body: Buffer;
  sha256: string;
  receivedAt?: string;
  /** The charset the request named (migration 011). */
  charset?: string;
}

/*
 * Bodies travel as base64 text, decoded and encoded by the database: the embedded store's driver turns a
 * bytea parameter into hex and back in JavaScript, which took 3.4 s to write a 4 MiB body and 0.55 s to
 * read it (base64: 0.11 s and 0.06 s), longer than a webhook's whole time budget.
 */

export async function putSpooled(db: Db, b: NewSpooledBody): Promise<void> {
  await db.query(
    `INSERT INTO spool (id, connector_id, transfer_id, body, bytes, sha256, received_at, charset)
     VALUES ($1, $2, $3, decode($4, 'base64'), $5, $6, COALESCE($7::timestamptz, now()), $8)`,
    [b.id, b.connectorId, b.transferId ?? null, b.body.toString('base64'), b.body.length, b.sha256, b.receivedAt ?? null, b.charset ?? null],
  );
}

/** What `spoolWithTransfer` checks the connector's backlog against before writing. */
export interface SpoolLimits {
  /** Refused when this many bodies are queued already. */
  maxBodies: number;
  /** Refused when the queued bodies and this one would exceed this many bytes. */
  maxBytes: number;
}

export type SpoolOutcome = { spooled: true } | { spooled: false; backlog: SpoolBacklog };

/**
 * A received body and its queued transfer row, written only if the connector's backlog has room: one
 * statement, so one round trip and atomic on its own (both rows or neither). When the backlog is full
 * nothing is written and the backlog is returned. The check and the write are not serialized against
 * other requests: two requests racing for the last place can both get it, as with a separate count.
 */
export async function spoolWithTransfer(db: Db, b: NewSpooledBody & { transferId: string; source: string }, limits: SpoolLimits): Promise<SpoolOutcome> {
  const rows = await db.query<{ n: unknown; bytes: unknown; written: unknown }>(
    `WITH backlog AS (
       SELECT count(*) AS n, COALESCE(sum(bytes), 0) AS bytes FROM spool WHERE connector_id = $2 AND status = 'queued'
     ), transfer AS (
       INSERT INTO transfers (id, connector_id, trigger, source, status)
       SELECT $3, $2, 'webhook', $8, 'queued' FROM backlog WHERE n < $9 AND bytes + $5 <= $10
       RETURNING id
     ), body AS (
       INSERT INTO spool (id, connector_id, transfer_id, body, bytes, sha256, received_at, charset)
       SELECT $1, $2, transfer.id, decode($4, 'base64'), $5, $6, COALESCE($7::timestamptz, now()), $11 FROM transfer
       RETURNING id
     )
     SELECT backlog.n, backlog.bytes, (SELECT count(*) FROM body) AS written FROM backlog`,
    [b.id, b.connectorId, b.transferId, b.body.toString('base64'), b.body.length, b.sha256, b.receivedAt ?? null, b.source, limits.maxBodies, limits.maxBytes, b.charset ?? null],
  );
  const r = rows[0]!;
  return Number(r.written) > 0 ? { spooled: true } : { spooled: false, backlog: { bodies: Number(r.n), bytes: Number(r.bytes) } };
}

/** The body, or undefined when it is gone (committed and removed). */
export async function readSpooled(db: Db, id: string): Promise<Buffer | undefined> {
  const rows = await db.query<{ body: string }>(`SELECT encode(body, 'base64') AS body FROM spool WHERE id = $1`, [id]);
  return rows[0] ? Buffer.from(rows[0].body, 'base64') : undefined;
}

export async function getSpooled(db: Db, id: string): Promise<SpooledBody | undefined> {
  const rows = await db.query('SELECT id, connector_id, transfer_id, bytes, sha256, status, errors, received_at, rejected_at, charset FROM spool WHERE id = $1', [id]);
  return rows[0] ? toSpooled(rows[0]) : undefined;
}

export async function removeSpooled(db: Db, id: string): Promise<boolean> {
  return (await db.query('DELETE FROM spool WHERE id = $1 RETURNING id', [id])).length > 0;
}

/** Set a body aside with its errors (the rejected spool); false when it is gone. */
export async function rejectSpooled(db: Db, id: string, errors: unknown): Promise<boolean> {
  const rows = await db.query(
    `UPDATE spool SET status = 'rejected', errors = $2::jsonb, rejected_at = now() WHERE id = $1 RETURNING id`,
    [id, JSON.stringify(errors ?? null)],
  );
  return rows.length > 0;
}

/** A rejected body queued again (a replay); false when it is gone. */
export async function restoreSpooled(db: Db, id: string): Promise<boolean> {
  const rows = await db.query(
    `UPDATE spool SET status = 'queued', errors = NULL, rejected_at = NULL WHERE id = $1 RETURNING id`,
    [id],
  );
  return rows.length > 0;
}

/** Bodies of a connector waiting for their transfer, and their size. */
export async function spoolBacklog(db: Db, connectorId: string): Promise<SpoolBacklog> {
  const rows = await db.query<{ n: unknown; bytes: unknown }>(
    `SELECT count(*) AS n, COALESCE(sum(bytes), 0) AS bytes FROM spool WHERE connector_id = $1 AND status = 'queued'`,
    [connectorId],
  );
  return { bodies: Number(rows[0]?.n ?? 0), bytes: Number(rows[0]?.bytes ?? 0) };
}

/** Queued bodies received before `before` (ISO), oldest first: to queue again those whose job is missing. */
export async function listSpooledQueued(db: Db, before: string, limit = 1000): Promise<SpooledBody[]> {
  const rows = await db.query(
    `SELECT id, connector_id, transfer_id, bytes, sha256, status, errors, received_at, rejected_at, charset FROM spool
     WHERE status = 'queued' AND received_at < $1::timestamptz ORDER BY received_at LIMIT $2`,
    [before, limit],
  );
  return rows.map(toSpooled);
}
