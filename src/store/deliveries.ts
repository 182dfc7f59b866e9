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

/**
 * Write the deliveries of a chunk with their content to the ledger, in one statement in the caller's
 * transaction. Returns the ids that are new; an id already in the ledger (the same content routed to
 * the same destination before) is left as it is and not returned, so nothing is queued twice.
 */
export async function createDeliveries(db: Db, list: readonly NewDelivery[]): Promise<Set<string>> {
  if (list.length === 0) return new Set();
  const rows = await db.query<{ delivery_id: string }>(
    `INSERT INTO deliveries (delivery_id, destination_id, package_ref, content, payload)
     SELECT v.delivery_id, v.destination_id, v.package_ref, v.content, v.payload
     FROM jsonb_to_recordset($1::jsonb) AS v(delivery_id text, destination_id text, package_ref text, content text, payload jsonb)
     ORDER BY v.delivery_id
     ON CONFLICT (delivery_id) DO NOTHING
     RETURNING delivery_id`,
    [JSON.stringify(list.map((d) => ({ delivery_id: d.deliveryId, destination_id: d.destinationId, package_ref: d.packageRef, content: d.content, payload: d.payload })))],
  );
  return new Set(rows.map((r) => String(r.delivery_id)));
}

/** A delivery marked delivered by `markDeliveredMany`, or found so already; absent ids are left out. */
export interface DeliveredMark {
  deliveryId: string;
  /** This call marked it delivered (false: it was already). */
  first: boolean;
  destinationId: string;
  packageRef: string | null;
  content: 'records' | 'lead';
}

/** A delivery to mark delivered: the destination's answer, and the records to count on its transfer the first time. */
export interface DeliveredItem {
  deliveryId: string;
  responseStatus?: number;
  count?: { transferId: string; records: number };
}

/**
 * Mark deliveries delivered in one statement (without reading their content back), adding the records
 * of those marked now (not of those delivered already) to their transfers' delivered counts, in
 * transfer id order. Returns one mark per id found, in the order asked; an id asked twice is `first` once.
 */
export async function markDeliveredMany(db: Db, items: readonly DeliveredItem[]): Promise<DeliveredMark[]> {
  if (items.length === 0) return [];
  const rows = await db.query<Row>(
    `WITH v AS (
       SELECT DISTINCT ON (delivery_id) delivery_id, response_status, transfer_id, records
       FROM jsonb_to_recordset($1::jsonb) AS v(delivery_id text, response_status integer, transfer_id text, records bigint)
       ORDER BY delivery_id
     ), marked AS (
       UPDATE deliveries d
       SET status = 'delivered', delivered_at = COALESCE(d.delivered_at, now()), response_status = v.response_status, updated_at = now()
       FROM v WHERE d.delivery_id = v.delivery_id AND d.status <> 'delivered'
       RETURNING d.delivery_id
     ), counted AS (
       UPDATE transfers t SET delivered_count = t.delivered_count + c.n
       FROM (SELECT v.transfer_id, sum(v.records) AS n FROM v JOIN marked m ON m.delivery_id = v.delivery_id
             WHERE v.transfer_id IS NOT NULL AND v.records > 0 GROUP BY v.transfer_id ORDER BY v.transfer_id) c
       WHERE t.id = c.transfer_id
     )
     SELECT d.delivery_id, d.destination_id, d.package_ref, d.content, (m.delivery_id IS NOT NULL) AS first
     FROM deliveries d JOIN v ON v.delivery_id = d.delivery_id LEFT JOIN marked m ON m.delivery_id = d.delivery_id`,
    [JSON.stringify(items.map((i) => ({ delivery_id: i.deliveryId, response_status: i.responseStatus ?? null, transfer_id: i.count?.transferId ?? null, records: i.count?.records ?? 0 })))],
  );
  const found = new Map(rows.map((r) => [String(r.delivery_id), r]));
  const out: DeliveredMark[] = [];
  const seen = new Set<string>();
  for (const { deliveryId } of items) {
    const r = found.get(deliveryId);
    if (!r) continue;
    out.push({
      deliveryId,
      first: Boolean(r.first) && !seen.has(deliveryId),
      destinationId: String(r.destination_id),
      packageRef: strOrNull(r.package_ref),
      content: (r.content as 'records' | 'lead' | undefined) ?? 'records',
    });
    seen.add(deliveryId);
  }
  return out;
}

/** Deliveries written but not delivered (pending or failed and not dead), oldest first, to queue again. */
export async function listUndelivered(db: Db, limit = 1000): Promise<{ deliveryId: string; destinationId: string }[]> {
  const rows = await db.query<{ delivery_id: string; destination_id: string }>(
    `SELECT delivery_id, destination_id FROM deliveries WHERE status IN ('pending', 'failed') ORDER BY created_at LIMIT $1`,
    [limit],
  );
  return rows.map((r) => ({ deliveryId: String(r.delivery_id), destinationId: String(r.destination_id) }));
}

/**
 * Start an attempt at a delivery: counts it (sets first/last attempt times) and returns the row with
 * the attempt counted, in one statement. A delivery already delivered is returned as it is, nothing
 * counted; undefined when there is no such delivery.
 */
export async function beginAttempt(db: Db, deliveryId: string): Promise<Delivery | undefined> {
  const rows = await db.query(
    `UPDATE deliveries
     SET attempts = attempts + 1, first_attempt_at = COALESCE(first_attempt_at, now()), last_attempt_at = now(), updated_at = now()
     WHERE delivery_id = $1 AND status <> 'delivered' RETURNING *`,
    [deliveryId],
  );
  return rows[0] ? toDelivery(rows[0]) : getDelivery(db, deliveryId);
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
