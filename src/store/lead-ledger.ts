/**
 * The lead tables (migration 003): enriched lead versions, the dissemination ledger, pending leads.
 * Plain functions over a Db (or a transaction), so the lead service composes them in one transaction.
 */
import type { Db } from './db.ts';

export interface LeadVersion {
  leadId: string;
  version: number;
  contentHash: string;
  enriched: Record<string, unknown>;
  complete: boolean;
  reason: string;
  leadStoredAt: string;
  createdAt: string;
}

export interface LeadPackageRow {
  leadId: string;
  version: number;
  recipientOri: string;
  package: Record<string, unknown>;
  fieldsDisclosed: Record<string, string[]>;
  reason: string;
  createdAt: string;
}

export interface PendingLead {
  leadId: string;
  since: string;
  deadline: string;
  missing: string[];
  released: boolean;
}

const iso = (v: unknown): string => (v instanceof Date ? v.toISOString() : new Date(String(v)).toISOString());

/** Serialize work on one lead across processes (inside a transaction). */
export async function lockLead(tx: Db, leadId: string): Promise<void> {
  await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`lead:${leadId}`]);
}

export async function latestLeadVersion(db: Db, leadId: string): Promise<LeadVersion | undefined> {
  const rows = await db.query<Record<string, unknown>>('SELECT * FROM lead_versions WHERE lead_id = $1 ORDER BY version DESC LIMIT 1', [leadId]);
  return rows[0] ? toVersion(rows[0]) : undefined;
}

export async function insertLeadVersion(tx: Db, v: Omit<LeadVersion, 'createdAt'>): Promise<void> {
  await tx.query(
    `INSERT INTO lead_versions (lead_id, version, content_hash, enriched, complete, reason, lead_stored_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [v.leadId, v.version, v.contentHash, JSON.stringify(v.enriched), v.complete, v.reason, v.leadStoredAt],
  );
}

export async function insertLeadPackage(tx: Db, p: Omit<LeadPackageRow, 'createdAt'>): Promise<void> {
  await tx.query(
    `INSERT INTO lead_packages (lead_id, version, recipient_ori, package, fields_disclosed, reason) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT DO NOTHING`,
    [p.leadId, p.version, p.recipientOri, JSON.stringify(p.package), JSON.stringify(p.fieldsDisclosed), p.reason],
  );
}

/** The last version a recipient was sent of a lead (for supersedesVersion). */
export async function lastVersionSent(db: Db, leadId: string, ori: string): Promise<number | null> {
  const rows = await db.query<{ v: number | null }>('SELECT max(version) AS v FROM lead_packages WHERE lead_id = $1 AND recipient_ori = $2', [leadId, ori]);
  return rows[0]?.v === null || rows[0]?.v === undefined ? null : Number(rows[0].v);
}

export interface LeadPackageFilter {
  leadId?: string;
  recipientOri?: string;
  /** Only each (lead, recipient)'s newest package. */
  latestOnly?: boolean;
  limit?: number;
  offset?: number;
}

function packageWhere(filter: LeadPackageFilter, params: unknown[]): string {
  const where: string[] = [];
  // An empty id is an id (that matches nothing), never "no filter".
  if (filter.leadId !== undefined) where.push(`lead_id = $${params.push(filter.leadId)}`);
  if (filter.recipientOri !== undefined) where.push(`recipient_ori = $${params.push(filter.recipientOri)}`);
  return where.length ? `WHERE ${where.join(' AND ')}` : '';
}

/** Ordered by lead id (then recipient, version): a stable order for paging. */
export async function listLeadPackages(db: Db, filter: LeadPackageFilter): Promise<LeadPackageRow[]> {
  const params: unknown[] = [];
  const w = packageWhere(filter, params);
  const sql = filter.latestOnly
    ? `SELECT DISTINCT ON (lead_id, recipient_ori) * FROM lead_packages ${w} ORDER BY lead_id, recipient_ori, version DESC LIMIT $${params.push(filter.limit ?? 500)} OFFSET $${params.push(filter.offset ?? 0)}`
    : `SELECT * FROM lead_packages ${w} ORDER BY lead_id, version, recipient_ori LIMIT $${params.push(filter.limit ?? 5000)} OFFSET $${params.push(filter.offset ?? 0)}`;
  return (await db.query<Record<string, unknown>>(sql, params)).map(toPackage);
}

/** How many (lead, recipient) pairs match (latestOnly), or packages. */
export async function countLeadPackages(db: Db, filter: Omit<LeadPackageFilter, 'limit' | 'offset'>): Promise<number> {
  const params: unknown[] = [];
  const w = packageWhere(filter, params);
  const sql = filter.latestOnly
    ? `SELECT count(*) AS n FROM (SELECT DISTINCT lead_id, recipient_ori FROM lead_packages ${w}) p`
    : `SELECT count(*) AS n FROM lead_packages ${w}`;
  return Number((await db.query<{ n: unknown }>(sql, params))[0]?.n ?? 0);
}

/** A lead's versions, oldest first; without `leadId`, each lead's newest version, ordered by lead id. */
export async function listLeadVersions(db: Db, leadId?: string, limit = 500, offset = 0): Promise<LeadVersion[]> {
  const rows = leadId !== undefined
    ? await db.query<Record<string, unknown>>('SELECT * FROM lead_versions WHERE lead_id = $1 ORDER BY version', [leadId])
    : await db.query<Record<string, unknown>>('SELECT DISTINCT ON (lead_id) * FROM lead_versions ORDER BY lead_id, version DESC LIMIT $1 OFFSET $2', [limit, offset]);
  return rows.map(toVersion);
}

export async function countLeads(db: Db): Promise<number> {
  return Number((await db.query<{ n: unknown }>('SELECT count(DISTINCT lead_id) AS n FROM lead_versions'))[0]?.n ?? 0);
}

export async function getPending(db: Db, leadId: string): Promise<PendingLead | undefined> {
  const rows = await db.query<Record<string, unknown>>('SELECT * FROM lead_pending WHERE lead_id = $1', [leadId]);
  const r = rows[0];
  return r ? { leadId: String(r.lead_id), since: iso(r.since), deadline: iso(r.deadline), missing: r.missing as string[], released: Boolean(r.released) } : undefined;
}

export async function setPending(tx: Db, leadId: string, deadline: Date, missing: string[]): Promise<void> {
  await tx.query(
    `INSERT INTO lead_pending (lead_id, deadline, missing) VALUES ($1, $2, $3)
     ON CONFLICT (lead_id) DO UPDATE SET missing = EXCLUDED.missing`,
    [leadId, deadline.toISOString(), JSON.stringify(missing)],
  );
}

export async function releasePending(tx: Db, leadId: string, missing: string[]): Promise<void> {
  await tx.query('UPDATE lead_pending SET released = true, missing = $2 WHERE lead_id = $1', [leadId, JSON.stringify(missing)]);
}

export async function clearPending(tx: Db, leadId: string): Promise<void> {
  await tx.query('DELETE FROM lead_pending WHERE lead_id = $1', [leadId]);
}

/**
 * Leads whose events name one of these lab cases or agency cases (`ORI|case number`), by the index of
 * the references lead events make (migration 008).
 */
export async function leadsReferencing(db: Db, labCases: string[], agencyCases: string[]): Promise<string[]> {
  if (!labCases.length && !agencyCases.length) return [];
  const refs = [...labCases.map((lab) => `lab|${lab}`), ...agencyCases.map((c) => `case|${c}`)];
  const rows = await db.query<{ lead_id: string }>(LEADS_REFERENCING, [JSON.stringify(refs)]);
  return rows.map((r) => String(r.lead_id));
}

export const LEADS_REFERENCING = `
  SELECT DISTINCT body->>'leadId' AS lead_id FROM records
  WHERE type = 'NibinLead' AND lead_event_refs(body) && ARRAY(SELECT md5(jsonb_array_elements_text($1::jsonb)))`;

function toVersion(r: Record<string, unknown>): LeadVersion {
  return {
    leadId: String(r.lead_id),
    version: Number(r.version),
    contentHash: String(r.content_hash),
    enriched: r.enriched as Record<string, unknown>,
    complete: Boolean(r.complete),
    reason: String(r.reason),
    leadStoredAt: iso(r.lead_stored_at),
    createdAt: iso(r.created_at),
  };
}

function toPackage(r: Record<string, unknown>): LeadPackageRow {
  return {
    leadId: String(r.lead_id),
    version: Number(r.version),
    recipientOri: String(r.recipient_ori),
    package: r.package as Record<string, unknown>,
    fieldsDisclosed: r.fields_disclosed as Record<string, string[]>,
    reason: String(r.reason),
    createdAt: iso(r.created_at),
  };
}
