/**
 * The audit trail (migration 005): an append-only, hash-chained table of every API request, admin
 * action, webhook decision, dissemination and delivery.
 *
 * Input: entries to append (inside a transaction: the caller's, so an entry commits with the work it
 * records, or one of its own). Output: the entries, positioned and chained.
 * - Appends lock the one `audit_head` row (`FOR UPDATE`): every process appending to one database takes
 *   its turn, positions are gapless and each entry chains to the one before it. The lock is held from
 *   the head's read to the commit, so append at the end of a transaction.
 * - `verifyAudit` walks the chain in position order and names the first entry that does not fit: changed
 *   (its hash), deleted (a gap, or the next entry's previous hash), inserted (the previous hash, the head).
 * - `pruneAudit` deletes entries older than the retention, in one transaction with a signed checkpoint
 *   over the last entry it deletes, so what is left still verifies from that checkpoint.
 */
import type { Db } from './db.ts';
import { HubError } from '../errors/hub-error.ts';
import { iso, limitOf, offsetOf, type Row } from './sql.ts';
import {
  auditContent,
  chain,
  entryHash,
  GENESIS_HASH,
  holdsProtoKey,
  sameHex,
  signCheckpoint,
  type AuditCategory,
  type AuditEntry,
  type AuditInput,
  type AuditOutcome,
  type AuditSubject,
  type CheckpointBody,
} from './audit-chain.ts';

export interface AuditFilter {
  since?: string;
  until?: string;
  category?: AuditCategory;
  actor?: string;
  client?: string;
  role?: string;
  ori?: string;
  /**
   * The reader's agency (an auditor key or user with an ori): only entries whose `ori` is this one,
   * whatever the other filters ask, `ori` included (they narrow it, never widen it).
   */
  agencyScope?: string;
  outcome?: AuditOutcome;
  /** Entries about this subject (`type` optional). */
  subject?: { type?: string; id: string };
  action?: string;
  source?: string;
  requestId?: string;
  /** Only entries after this position (an exporter's bookmark). */
  afterPosition?: number;
  /** Only entries before this position (an export ends before its own entry). */
  beforePosition?: number;
  /** @defaultValue 100 */
  limit?: number;
  offset?: number;
  /** @defaultValue 'desc' (newest first) */
  order?: 'asc' | 'desc';
}

export interface AuditCheckpoint extends CheckpointBody {
  signature: string;
}

export interface AuditHead {
  position: number;
  hash: string;
}

export type AuditVerification =
  | { ok: true; first: number | null; last: number | null; entries: number; checkpoints: number; head: AuditHead }
  | { ok: false; entries: number; badPosition: number; problem: string };

const COLUMNS = 'position, at, category, action, actor, client, role, ori, subjects, outcome, status, code, reason, source, request_id, detail, prev_hash, hash';

export function toAuditEntry(r: Row): AuditEntry {
  return {
    position: Number(r.position),
    at: iso(r.at),
    category: r.category as AuditCategory,
    action: String(r.action),
    actor: String(r.actor),
    client: (r.client as string | null) ?? null,
    role: (r.role as string | null) ?? null,
    ori: (r.ori as string | null) ?? null,
    subjects: (r.subjects as AuditSubject[] | null) ?? [],
    outcome: r.outcome as AuditOutcome,
    status: r.status === null || r.status === undefined ? null : Number(r.status),
    code: (r.code as string | null) ?? null,
    reason: (r.reason as string | null) ?? null,
    source: (r.source as string | null) ?? null,
    requestId: (r.request_id as string | null) ?? null,
    detail: (r.detail as Record<string, unknown> | null) ?? null,
    prevHash: String(r.prev_hash),
    hash: String(r.hash),
  };
}

/** Append entries in `tx` (a transaction), in order; returns them chained. */
export async function appendAudit(tx: Db, inputs: readonly AuditInput[]): Promise<AuditEntry[]> {
  if (!inputs.length) return [];
  const [head] = await tx.query<Row>('SELECT position, hash FROM audit_head WHERE id = 1 FOR UPDATE');
  if (!head) throw new HubError('HUB_ERR_AUDIT_UNAVAILABLE', { reason: 'the audit_head row is missing' });
  let position = Number(head.position);
  let prev = String(head.hash);
  const entries = inputs.map((input) => {
    const e = chain(prev, auditContent(input, ++position));
    prev = e.hash;
    return e;
  });
  // The entries and the new head in one statement: the head's lock is held for one round trip fewer.
  await tx.query(
    `WITH appended AS (
       INSERT INTO audit_log (${COLUMNS})
       SELECT v.position, v.at, v.category, v.action, v.actor, v.client, v.role, v.ori, v.subjects, v.outcome, v.status, v.code, v.reason, v.source, v.request_id, v.detail, v.prev_hash, v.hash
       FROM jsonb_to_recordset($1::jsonb) AS v(position bigint, at timestamptz, category text, action text, actor text, client text, role text, ori text, subjects jsonb,
         outcome text, status integer, code text, reason text, source text, request_id text, detail jsonb, prev_hash text, hash text)
     )
     UPDATE audit_head SET position = $2, hash = $3 WHERE id = 1`,
    [JSON.stringify(entries.map((e) => ({ ...e, request_id: e.requestId, prev_hash: e.prevHash }))), position, prev],
  );
  return entries;
}

function auditWhere(f: AuditFilter, params: unknown[]): string {
  const parts: string[] = [];
  const eq = (column: string, v: unknown): void => {
    if (v !== undefined) parts.push(`${column} = $${params.push(v)}`);
  };
  eq('category', f.category);
  eq('actor', f.actor);
  eq('client', f.client);
  eq('role', f.role);
  eq('ori', f.ori);
  eq('ori', f.agencyScope);
  eq('outcome', f.outcome);
  eq('action', f.action);
  eq('source', f.source);
  eq('request_id', f.requestId);
  if (f.since !== undefined) parts.push(`at >= $${params.push(f.since)}`);
  if (f.until !== undefined) parts.push(`at < $${params.push(f.until)}`);
  if (f.afterPosition !== undefined) parts.push(`position > $${params.push(f.afterPosition)}`);
  if (f.beforePosition !== undefined) parts.push(`position < $${params.push(f.beforePosition)}`);
  if (f.subject) parts.push(`subjects @> $${params.push(JSON.stringify([f.subject.type ? { type: f.subject.type, id: f.subject.id } : { id: f.subject.id }]))}::jsonb`);
  return parts.length ? `WHERE ${parts.join(' AND ')}` : '';
}

export async function listAudit(db: Db, filter: AuditFilter = {}): Promise<AuditEntry[]> {
  const params: unknown[] = [];
  const w = auditWhere(filter, params);
  const order = filter.order === 'asc' ? 'ASC' : 'DESC';
  params.push(limitOf(filter.limit, 100), offsetOf(filter.offset));
  const rows = await db.query<Row>(`SELECT ${COLUMNS} FROM audit_log ${w} ORDER BY position ${order} LIMIT $${params.length - 1} OFFSET $${params.length}`, params);
  return rows.map(toAuditEntry);
}

export async function countAudit(db: Db, filter: AuditFilter = {}): Promise<number> {
  const params: unknown[] = [];
  const rows = await db.query<{ n: unknown }>(`SELECT count(*) AS n FROM audit_log ${auditWhere(filter, params)}`, params);
  return Number(rows[0]?.n ?? 0);
}

/** Entries in position order, a page at a time, without OFFSET (exports and verification of long chains). */
export async function* scanAudit(db: Db, filter: Omit<AuditFilter, 'order' | 'offset' | 'limit'> = {}, pageSize = 2000): AsyncGenerator<AuditEntry> {
  let after = filter.afterPosition ?? 0;
  for (;;) {
    const page = await listAudit(db, { ...filter, afterPosition: after, order: 'asc', limit: pageSize });
    for (const e of page) yield e;
    if (page.length < pageSize) return;
    after = page[page.length - 1]!.position;
  }
}

export async function auditHead(db: Db): Promise<AuditHead> {
  const [r] = await db.query<Row>('SELECT position, hash FROM audit_head WHERE id = 1');
  return r ? { position: Number(r.position), hash: String(r.hash) } : { position: 0, hash: GENESIS_HASH };
}

export async function listCheckpoints(db: Db): Promise<AuditCheckpoint[]> {
  const rows = await db.query<Row>('SELECT position, hash, kind, at, signature FROM audit_checkpoints ORDER BY position');
  return rows.map((r) => ({ position: Number(r.position), hash: String(r.hash), kind: r.kind as 'prune' | 'anchor', at: iso(r.at), signature: String(r.signature) }));
}

async function insertCheckpoint(tx: Db, key: string, body: Omit<CheckpointBody, 'at'>): Promise<AuditCheckpoint> {
  const full: CheckpointBody = { ...body, at: new Date().toISOString() };
  const signature = signCheckpoint(key, full);
  await tx.query(
    `INSERT INTO audit_checkpoints (position, hash, kind, at, signature) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (position) DO UPDATE SET kind = EXCLUDED.kind, at = EXCLUDED.at, signature = EXCLUDED.signature`,
    [full.position, full.hash, full.kind, full.at, signature],
  );
  return { ...full, signature };
}

/**
 * Sign the head ("entry N has hash H") as an anchor, unless the newest checkpoint is there already.
 * A chain rewritten from before an anchor no longer reaches it. Returns the checkpoint written, if any.
 */
export async function anchorAudit(tx: Db, key: string): Promise<AuditCheckpoint | null> {
  const [h] = await tx.query<Row>('SELECT position, hash FROM audit_head WHERE id = 1 FOR UPDATE');
  const position = Number(h?.position ?? 0);
  if (position === 0) return null;
  const [last] = await tx.query<Row>('SELECT max(position) AS p FROM audit_checkpoints');
  if (last?.p !== null && last?.p !== undefined && Number(last.p) >= position) return null;
  return insertCheckpoint(tx, key, { position, hash: String(h!.hash), kind: 'anchor' });
}

/**
 * Delete the entries older than `before`, after a signed checkpoint over the last one deleted, in `tx`.
 * Entries are deleted by position up to the newest entry older than `before`, so what is left is one
 * unbroken chain from the checkpoint.
 */
export async function pruneAudit(tx: Db, key: string, before: Date): Promise<{ pruned: number; checkpoint: AuditCheckpoint | null }> {
  await tx.query('SELECT 1 FROM audit_head WHERE id = 1 FOR UPDATE'); // no append while we cut
  const [r] = await tx.query<Row>('SELECT position, hash FROM audit_log WHERE at < $1 ORDER BY position DESC LIMIT 1', [before.toISOString()]);
  if (!r) return { pruned: 0, checkpoint: null };
  const through = Number(r.position);
  const checkpoint = await insertCheckpoint(tx, key, { position: through, hash: String(r.hash), kind: 'prune' });
  await tx.query(`SELECT set_config('cgic.audit_prune_through', $1, true)`, [String(through)]);
  const deleted = await tx.query<Row>('DELETE FROM audit_log WHERE position <= $1 RETURNING position', [through]);
  await tx.query(`SELECT set_config('cgic.audit_prune_through', '', true)`);
  // Checkpoints below the new start say nothing any more: keep the newest prune checkpoint only.
  await tx.query(`DELETE FROM audit_checkpoints WHERE position < $1`, [through]);
  return { pruned: deleted.length, checkpoint };
}

/**
 * Walk the chain and name the first entry that does not fit. Signatures of checkpoints are checked
 * with `key`; without one, a chain that starts after a prune checkpoint cannot be verified.
 */
/** What `verifyAudit` also asks of a trail whose checkpoints it can check (a signing key is given). */
export interface VerifyOptions {
  /**
   * An entry written more than this many minutes before the newest one must be under a signed
   * checkpoint (the hub signs the head every hub.audit.checkpointMinutes, and when it stops):
   * otherwise checkpoints were deleted, and a chain rewritten after the last one left would verify.
   * Measured against the newest entry, not the clock, so a hub stopped for a month is no alarm.
   * Unset: not checked.
   */
  unsignedAfterMinutes?: number;
}

export async function verifyAudit(db: Db, key: string | undefined, onProgress?: (n: number) => void, opts: VerifyOptions = {}): Promise<AuditVerification> {
  const head = await auditHead(db);
  const checkpoints = await listCheckpoints(db);
  const byPosition = new Map(checkpoints.map((c) => [c.position, c]));
  const bad = (badPosition: number, problem: string, entries: number): AuditVerification => ({ ok: false, badPosition, problem, entries });
  const signed = (c: AuditCheckpoint): string | null => {
    if (!key) return 'hub.audit.signingKey is not set, so its signature cannot be checked';
    const { signature, ...body } = c;
    return sameHex(signature, signCheckpoint(key, body)) ? null : 'its signature does not match (the checkpoint was altered, or signed with another key)';
  };
  for (const c of checkpoints) {
    const why = signed(c);
    if (why) return bad(c.position, `checkpoint at entry ${c.position}: ${why}`, 0);
  }
  let expected = 1;
  let prev = GENESIS_HASH;
  let n = 0;
  let first: number | null = null;
  let last: number | null = null;
  // The first entry after the newest checkpoint, and when it was written: from there the chain is unsigned.
  const signedThrough = checkpoints.reduce((m, c) => Math.max(m, c.position), 0);
  let firstUnsigned: { position: number; at: string } | null = null;
  let newestAt = '';
  for await (const e of scanAudit(db)) {
    if (firstUnsigned === null && e.position > signedThrough) firstUnsigned = { position: e.position, at: e.at };
    newestAt = e.at;
    if (first === null) {
      first = e.position;
      if (e.position > 1) {
        const cp = byPosition.get(e.position - 1);
        if (!cp || cp.kind !== 'prune') {
          return bad(e.position, `entry ${e.position} is the first entry, but no prune checkpoint covers entries 1..${e.position - 1}: they were deleted`, 0);
        }
        expected = e.position;
        prev = cp.hash;
      }
    }
    if (e.position !== expected) {
      return bad(e.position, `entry ${e.position} follows entry ${expected - 1}: ${e.position - expected === 1 ? `entry ${expected} was` : `entries ${expected}..${e.position - 1} were`} deleted`, n);
    }
    if (e.prevHash !== prev) return bad(e.position, `entry ${e.position} does not chain to entry ${e.position - 1} (previous hash differs): an entry before it was inserted, replaced or deleted`, n);
    const { hash, prevHash, ...content } = e;
    if (!sameHex(hash, entryHash(prevHash, content))) return bad(e.position, `entry ${e.position} was changed: its content does not match its hash`, n);
    // The one member the hash cannot cover (canonical JSON leaves it out); the hub stores none.
    if (holdsProtoKey(content.subjects) || holdsProtoKey(content.detail)) {
      return bad(e.position, `entry ${e.position} holds a "__proto__" member, which its hash does not cover: it was added after the entry was written, or the entry predates the hub storing such a member renamed (a request that named __proto__)`, n);
    }
    const cp = byPosition.get(e.position);
    if (cp && !sameHex(cp.hash, e.hash)) return bad(e.position, `entry ${e.position} differs from the signed checkpoint of ${cp.at}: the chain was rewritten`, n);
    prev = e.hash;
    last = e.position;
    expected++;
    n++;
    if (onProgress && n % 10_000 === 0) onProgress(n);
  }
  if (last === null) {
    const cp = byPosition.get(head.position);
    if (head.position > 0 && !(cp && cp.kind === 'prune' && cp.hash === head.hash)) {
      return bad(head.position, `the trail is empty, but the head says entry ${head.position}: entries were deleted`, n);
    }
  } else if (head.position > last) {
    return bad(last + 1, `the chain ends at entry ${last}, but the head says entry ${head.position}: ${head.position === last + 1 ? `entry ${last + 1} was` : `entries ${last + 1}..${head.position} were`} deleted`, n);
  } else if (head.position < last) {
    return bad(head.position + 1, `entry ${head.position + 1} is past the head (entry ${head.position}): it was inserted`, n);
  } else if (head.hash !== prev) {
    return bad(last, `entry ${last} is not the entry the last append wrote (the head's hash differs): it was inserted or replaced`, n);
  }
  for (const c of checkpoints) {
    if (last !== null && c.position > last) return bad(c.position, `a signed checkpoint names entry ${c.position}, past the end of the chain (${last}): entries were deleted`, n);
  }
  if (key && opts.unsignedAfterMinutes !== undefined && firstUnsigned) {
    const unsignedMinutes = (Date.parse(newestAt) - Date.parse(firstUnsigned.at)) / 60_000;
    if (unsignedMinutes > opts.unsignedAfterMinutes) {
      return bad(
        firstUnsigned.position,
        `entries ${firstUnsigned.position}..${last} are under no signed checkpoint, and entry ${firstUnsigned.position} was written at ${firstUnsigned.at}, ` +
          `more than ${opts.unsignedAfterMinutes} minutes before the newest entry (${newestAt}): signed checkpoints were deleted (a chain rewritten after the last one left would verify), ` +
          `or no process with the scheduler role signed the head meanwhile (\`cgic audit prune\` signs it now)`,
        n,
      );
    }
  }
  return { ok: true, first, last, entries: n, checkpoints: checkpoints.length, head };
}
