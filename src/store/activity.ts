/**
 * What the hub has been doing lately, read from the transfers, deliveries and lead tables for the
 * overview (`GET /api/overview`, `GET /api/destinations`), the quiet-feed metric and the live feed:
 * per connector, data in a window and when data last came; per destination, its ledger's state; per
 * hour, records read and stored and the lead turnaround; and a change stamp per topic.
 * Plain functions over a Db, read-only.
 */
import type { Db } from './db.ts';
import { isoOrNull, type Row } from './sql.ts';

export interface FeedActivity {
  connectorId: string;
  /** Source records read by transfers created in the window. */
  rowsRead: number;
  /** Canonical records stored by them. */
  recordsStored: number;
  transfers: number;
  /** When the newest transfer that read anything was created. */
  lastDataAt: string | null;
}

/** Each connector's data since `since`, and when it last brought any (index: connector, created_at). */
export async function feedActivity(db: Db, connectorIds: readonly string[], since: Date): Promise<FeedActivity[]> {
  if (!connectorIds.length) return [];
  const rows = await db.query(
    `SELECT c.id,
            (SELECT created_at FROM transfers WHERE connector_id = c.id AND read_count > 0 ORDER BY created_at DESC LIMIT 1) AS last_data_at,
            w.read, w.stored, w.transfers
       FROM jsonb_to_recordset($1::jsonb) AS c(id text)
       LEFT JOIN LATERAL (
         SELECT COALESCE(sum(read_count), 0) AS read, COALESCE(sum(stored_count), 0) AS stored, count(*) AS transfers
           FROM transfers WHERE connector_id = c.id AND created_at >= $2
       ) w ON true`,
    [JSON.stringify(connectorIds.map((id) => ({ id }))), since],
  );
  return rows.map((r: Row) => ({
    connectorId: String(r.id),
    rowsRead: Number(r.read ?? 0),
    recordsStored: Number(r.stored ?? 0),
    transfers: Number(r.transfers ?? 0),
    lastDataAt: isoOrNull(r.last_data_at),
  }));
}

export interface HourActivity {
  /** Start of the hour (UTC). */
  hour: string;
  transfers: number;
  rowsRead: number;
  recordsStored: number;
  rowsInvalid: number;
}

/** Transfers' figures per hour since `since` (hours without transfers are absent). */
export async function hourlyThroughput(db: Db, since: Date): Promise<HourActivity[]> {
  const rows = await db.query(
    `SELECT to_char(date_trunc('hour', created_at AT TIME ZONE 'UTC'), 'YYYY-MM-DD"T"HH24":00:00.000Z"') AS hour, count(*) AS transfers,
            sum(read_count) AS read, sum(stored_count) AS stored, sum(invalid_count) AS invalid
       FROM transfers WHERE created_at >= $1 GROUP BY 1 ORDER BY 1`,
    [since],
  );
  return rows.map((r: Row) => ({
    hour: String(r.hour),
    transfers: Number(r.transfers),
    rowsRead: Number(r.read ?? 0),
    recordsStored: Number(r.stored ?? 0),
    rowsInvalid: Number(r.invalid ?? 0),
  }));
}

export interface LeadDelivered {
  leadId: string;
  version: number;
  recipientOri: string;
  deliveredAt: string;
  /** Lead version stored -> its package delivered to this recipient. */
  turnaroundSeconds: number;
}

/** Lead packages delivered since `since`, with their turnaround; at most `limit`, newest first. */
export async function leadDeliveries(db: Db, since: Date, limit = 5000): Promise<LeadDelivered[]> {
  const rows = await db.query(
    `SELECT v.lead_id, v.version, p.recipient_ori, min(d.delivered_at) AS delivered_at, v.lead_stored_at
       FROM deliveries d
       JOIN lead_packages p ON d.package_ref = 'lead:' || p.lead_id || '@' || p.version || ':' || p.recipient_ori
       JOIN lead_versions v ON v.lead_id = p.lead_id AND v.version = p.version
      WHERE d.package_ref LIKE 'lead:%' AND d.status = 'delivered' AND d.delivered_at >= $1
      GROUP BY v.lead_id, v.version, p.recipient_ori, v.lead_stored_at
      ORDER BY min(d.delivered_at) DESC LIMIT $2`,
    [since, limit],
  );
  return rows.map((r: Row) => {
    const delivered = r.delivered_at instanceof Date ? r.delivered_at : new Date(String(r.delivered_at));
    const stored = r.lead_stored_at instanceof Date ? r.lead_stored_at : new Date(String(r.lead_stored_at));
    return {
      leadId: String(r.lead_id),
      version: Number(r.version),
      recipientOri: String(r.recipient_ori),
      deliveredAt: delivered.toISOString(),
      turnaroundSeconds: Math.max(0, (delivered.getTime() - stored.getTime()) / 1000),
    };
  });
}

export interface DestinationLedger {
  destinationId: string;
  lastDeliveredAt: string | null;
  /** Deliveries written and not delivered yet (waiting or being retried). */
  pending: number;
  oldestPendingAt: string | null;
  /** Deliveries whose last attempt failed and that will be retried. */
  failing: number;
  /** Dead letters not replayed yet. */
  deadLetters: number;
  lastError: string | null;
}

/** Each destination's state in the delivery ledger (index: destination, status, created_at). */
export async function destinationLedger(db: Db, destinationIds: readonly string[]): Promise<DestinationLedger[]> {
  if (!destinationIds.length) return [];
  const rows = await db.query(
    `SELECT c.id,
            (SELECT max(delivered_at) FROM deliveries WHERE destination_id = c.id AND status = 'delivered') AS last_delivered_at,
            (SELECT count(*) FROM deliveries WHERE destination_id = c.id AND status IN ('pending', 'failed')) AS pending,
            (SELECT min(created_at) FROM deliveries WHERE destination_id = c.id AND status IN ('pending', 'failed')) AS oldest_pending_at,
            (SELECT count(*) FROM deliveries WHERE destination_id = c.id AND status = 'failed') AS failing,
            (SELECT count(*) FROM dead_letters WHERE destination_id = c.id AND replayed_at IS NULL) AS dead,
            (SELECT last_error FROM deliveries WHERE destination_id = c.id AND status IN ('failed', 'dead') ORDER BY updated_at DESC LIMIT 1) AS last_error
       FROM jsonb_to_recordset($1::jsonb) AS c(id text)`,
    [JSON.stringify(destinationIds.map((id) => ({ id })))],
  );
  return rows.map((r: Row) => ({
    destinationId: String(r.id),
    lastDeliveredAt: isoOrNull(r.last_delivered_at),
    pending: Number(r.pending ?? 0),
    oldestPendingAt: isoOrNull(r.oldest_pending_at),
    failing: Number(r.failing ?? 0),
    deadLetters: Number(r.dead ?? 0),
    lastError: r.last_error === null || r.last_error === undefined ? null : String(r.last_error),
  }));
}

/** Topics a live screen follows; a topic's stamp changes whenever something in it changed. */
export const LIVE_TOPICS = ['transfers', 'quarantine', 'deadLetters', 'leads'] as const;
export type LiveTopic = (typeof LIVE_TOPICS)[number];

/** Transfers looked at for the transfers stamp: the newest ones, where counts and statuses move. */
const RECENT_TRANSFERS = 20;

/**
 * One stamp per topic, in one statement that only walks indexes or small tables: the newest
 * transfers with their status and counts (a running transfer's counts move in place), the newest
 * quarantine row, dead letters created or replayed, lead versions and packages made.
 */
export interface ChangeStamps extends Record<LiveTopic, string> {
  /** Per recipient ORI, its lead packages: an agency's screen moves only when its own leads do. */
  leadsByOri: Record<string, string>;
}

export async function changeStamps(db: Db): Promise<ChangeStamps> {
  const [r] = await db.query(
    `SELECT (SELECT string_agg(id || ':' || status || ':' || (read_count + invalid_count + stored_count + delivered_count + failed_count), ',')
               FROM (SELECT id, status, read_count, invalid_count, stored_count, delivered_count, failed_count FROM transfers ORDER BY created_at DESC LIMIT ${RECENT_TRANSFERS}) t) AS transfers,
            (SELECT max(seq) FROM quarantine) AS quarantine,
            (SELECT count(*) || ':' || count(replayed_at) FROM dead_letters) AS dead_letters,
            (SELECT count(*) FROM lead_versions) AS lead_versions,
            (SELECT count(*) FROM lead_packages) AS lead_packages,
            (SELECT json_object_agg(recipient_ori, n) FROM (SELECT recipient_ori, count(*) AS n FROM lead_packages GROUP BY recipient_ori) p) AS by_ori`,
  );
  const s = (...v: unknown[]): string => v.map((x) => (x === null || x === undefined ? '-' : String(x))).join('|');
  return {
    transfers: s(r?.transfers),
    quarantine: s(r?.quarantine),
    deadLetters: s(r?.dead_letters),
    leads: s(r?.lead_versions, r?.lead_packages),
    leadsByOri: Object.fromEntries(Object.entries((r?.by_ori ?? {}) as Record<string, unknown>).map(([ori, n]) => [ori, String(n)])),
  };
}
