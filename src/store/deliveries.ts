/** The delivery ledger (outbox): what goes to which destination, its attempts and its outcome. */
import { HubError } from '../errors/hub-error.ts';
import type { Db } from './db.ts';
import { isUuid } from './ids.ts';
import { iso, isoOrNull, limitOf, numOrNull, offsetOf, strOrNull, where, type Row } from './sql.ts';
import type { Delivery, DeliveryClaim, DeliveryFilter, DeliveryStatus, NewDelivery } from './types.ts';

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
/**
 * Register a delivery attempt-to-be. True when it should be attempted: the row is new, or still
 * pending, failed or dead (a replay); false when it was already delivered, so a re-run or a
 * re-ingested file delivers nothing twice. The id comes from `deliveryIdFor`.
 */
export async function claimDelivery(db: Db, claim: DeliveryClaim): Promise<boolean> {
  if (!claim.recordId && !claim.packageRef) {
    throw new HubError('HUB_ERR_STORE_OPTIONS', { option: 'claimDelivery', reason: 'needs a recordId or a packageRef' });
  }
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
export async function createDelivery(db: Db, d: NewDelivery): Promise<boolean> {
  const rows = await db.query(
    `INSERT INTO deliveries (delivery_id, destination_id, package_ref, content, payload)
     VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (delivery_id) DO NOTHING
     RETURNING delivery_id`,
    [d.deliveryId, d.destinationId, d.packageRef, d.content, JSON.stringify(d.payload)],
  );
  return rows.length > 0;
}

/** Deliveries written but not delivered (pending or failed and not dead), oldest first, to queue again. */
export async function listUndelivered(db: Db, limit = 1000): Promise<{ deliveryId: string; destinationId: string }[]> {
  const rows = await db.query<{ delivery_id: string; destination_id: string }>(
    `SELECT delivery_id, destination_id FROM deliveries WHERE status IN ('pending', 'failed') ORDER BY created_at LIMIT $1`,
    [limit],
  );
  return rows.map((r) => ({ deliveryId: String(r.delivery_id), destinationId: String(r.destination_id) }));
}

/** Count one attempt (sets first/last attempt times); returns the attempt number. */
export async function incrementAttempts(db: Db, deliveryId: string): Promise<number> {
  const rows = await db.query<{ attempts: number }>(
    `UPDATE deliveries
     SET attempts = attempts + 1, first_attempt_at = COALESCE(first_attempt_at, now()), last_attempt_at = now(), updated_at = now()
     WHERE delivery_id = $1 RETURNING attempts`,
    [deliveryId],
  );
  if (!rows[0]) throw new HubError('HUB_ERR_STORE_NOT_FOUND', { what: 'Delivery', id: deliveryId });
  return Number(rows[0].attempts);
}

export async function markDelivered(db: Db, deliveryId: string, result: { responseStatus?: number } = {}): Promise<boolean> {
  const rows = await db.query(
    `UPDATE deliveries
     SET status = 'delivered', delivered_at = COALESCE(delivered_at, now()), response_status = $2, updated_at = now()
     WHERE delivery_id = $1 AND status <> 'delivered' RETURNING delivery_id`,
    [deliveryId, result.responseStatus ?? null],
  );
  if (rows[0]) return true;
  if ((await db.query('SELECT 1 FROM deliveries WHERE delivery_id = $1', [deliveryId])).length) return false;
  throw new HubError('HUB_ERR_STORE_NOT_FOUND', { what: 'Delivery', id: deliveryId });
}

/** Record a failed attempt; `dead` when no attempt is left. A delivered row stays delivered. */
export async function markDeliveryFailed(db: Db, deliveryId: string, error: string, options: { dead: boolean; responseStatus?: number }): Promise<void> {
  const rows = await db.query(
    `UPDATE deliveries
     SET status = $2, last_error = $3, response_status = COALESCE($4, response_status), updated_at = now()
     WHERE delivery_id = $1 AND status <> 'delivered' RETURNING delivery_id`,
    [deliveryId, options.dead ? 'dead' : 'failed', error, options.responseStatus ?? null],
  );
  if (!rows[0] && !(await getDelivery(db, deliveryId))) {
    throw new HubError('HUB_ERR_STORE_NOT_FOUND', { what: 'Delivery', id: deliveryId });
  }
}

export async function getDelivery(db: Db, deliveryId: string): Promise<Delivery | undefined> {
  const rows = await db.query('SELECT * FROM deliveries WHERE delivery_id = $1', [deliveryId]);
  return rows[0] ? toDelivery(rows[0]) : undefined;
}

/** Newest first. */
export async function listDeliveries(db: Db, filter: DeliveryFilter = {}): Promise<Delivery[]> {
  const params: unknown[] = [];
  const recordId = filter.recordId === undefined ? undefined : isUuid(filter.recordId) ? filter.recordId : null;
  if (recordId === null) return [];
  const w = where([['destination_id', filter.destinationId], ['status', filter.status], ['record_id', recordId]], params);
  params.push(limitOf(filter.limit, 100), offsetOf(filter.offset));
  const rows = await db.query(
    `SELECT * FROM deliveries ${w} ORDER BY created_at DESC, delivery_id LIMIT $${params.length - 1} OFFSET $${params.length}`,
    params,
  );
  return rows.map(toDelivery);
}
