/**
 * The audit trail's hash chain and checkpoint signatures: pure functions.
 *
 * Input: an entry's content (every column but the hashes) and the hash of the entry before it.
 * Output: `hash = sha256hex(prevHash + "\n" + canonicalJson(content incl. position))`. Changing any
 * column of an entry changes its hash; deleting or inserting one breaks the next entry's `prevHash`.
 * A checkpoint "entry <position> has hash <hash>" is signed with HMAC-SHA256 under a key the database
 * does not hold, so a chain rewritten from an entry before a checkpoint cannot be made to fit it.
 * Comparisons of hashes and signatures are constant-time.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { canonicalJson, sha256Hex } from './canonical-json.ts';
import { headOf } from '../errors/excerpt.ts';

/** The hash the first entry chains to. */
export const GENESIS_HASH = '0'.repeat(64);

/** Longest text kept in an entry's free-text fields (reason, user agent...): entries stay small and carry no bodies. */
export const AUDIT_TEXT_MAX = 300;

export const AUDIT_CATEGORIES = ['request', 'admin', 'webhook', 'dissemination', 'delivery', 'operator'] as const;
export type AuditCategory = (typeof AUDIT_CATEGORIES)[number];
export const AUDIT_OUTCOMES = ['ok', 'refused', 'failed'] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

/** What an entry is about: a lead (with the version seen), a record, a transfer, a dead letter... */
export interface AuditSubject {
  type: string;
  id: string;
  version?: number;
}

/** An entry as a caller records it. */
export interface AuditInput {
  category: AuditCategory;
  /** `GET /api/leads/:id`, `POST /hooks/:connector`, `lead package`, `cgic dead-letters replay`... */
  action: string;
  /** Key id, `cli:<os user>`, `hub` (the hub's own work), or `anonymous`. */
  actor: string;
  /** The client a key belongs to (keys of one client rotate). */
  client?: string | null;
  role?: string | null;
  ori?: string | null;
  subjects?: AuditSubject[];
  outcome: AuditOutcome;
  /** HTTP status, for requests. */
  status?: number | null;
  /** Error code, when refused or failed. */
  code?: string | null;
  reason?: string | null;
  /** The caller's address. */
  source?: string | null;
  requestId?: string | null;
  detail?: Record<string, unknown> | null;
  /** When it happened. @defaultValue now */
  at?: Date | string;
}

/** An entry as stored: normalized, positioned and chained. */
export interface AuditEntry {
  position: number;
  at: string;
  category: AuditCategory;
  action: string;
  actor: string;
  client: string | null;
  role: string | null;
  ori: string | null;
  subjects: AuditSubject[];
  outcome: AuditOutcome;
  status: number | null;
  code: string | null;
  reason: string | null;
  source: string | null;
  requestId: string | null;
  detail: Record<string, unknown> | null;
  prevHash: string;
  hash: string;
}

export type AuditContent = Omit<AuditEntry, 'hash' | 'prevHash'>;

/**
 * PostgreSQL text cannot hold NUL, and an unpaired surrogate (from a JSON body's "\uD800", or a
 * string cut inside a pair) has no UTF-8 form: jsonb refuses it, text would store U+FFFD. Both are
 * cleaned to U+FFFD before hashing, so what is stored is what was hashed; a string is never cut
 * inside a pair.
 */
function clean(s: string, max = Infinity): string {
  let t = s.includes('\u0000') ? s.replace(/\u0000/g, '\ufffd') : s;
  if (t.length > max) t = `${headOf(t, max - 1)}…`;
  return t.toWellFormed();
}

/**
 * A member named `__proto__` (a query string's `?__proto__=...`, parsed into an own key) is stored by
 * the database but left out by canonical JSON, so its hash would not cover it: it is kept under this
 * name instead, so verification reports a `__proto__` member read back: added since, or written before
 * this renaming.
 */
export const PROTO_KEY_STORED_AS = '__proto__\ufffd';

function cleanDeep(v: unknown): unknown {
  if (typeof v === 'string') return clean(v, 2000);
  if (Array.isArray(v)) return v.map(cleanDeep);
  if (v && typeof v === 'object') {
    return Object.fromEntries(
      Object.entries(v)
        .filter(([, x]) => x !== undefined)
        .map(([k, x]) => [k === '__proto__' ? PROTO_KEY_STORED_AS : clean(k, 200), cleanDeep(x)]),
    );
  }
  return v;
}

/** Whether a value read back holds a member named `__proto__` at any depth (which its hash does not cover). */
export function holdsProtoKey(v: unknown): boolean {
  if (Array.isArray(v)) return v.some(holdsProtoKey);
  if (v && typeof v === 'object') return Object.entries(v).some(([k, x]) => k === '__proto__' || holdsProtoKey(x));
  return false;
}

const opt = (s: string | null | undefined, max = 200): string | null => (s === undefined || s === null ? null : clean(String(s), max));

/** The content of an entry at `position`, exactly as it will be stored and read back. */
export function auditContent(input: AuditInput, position: number): AuditContent {
  const at = input.at === undefined ? new Date() : new Date(input.at);
  return {
    position,
    at: at.toISOString(),
    category: input.category,
    action: clean(input.action, 200),
    actor: clean(input.actor, 200),
    client: opt(input.client),
    role: opt(input.role),
    ori: opt(input.ori),
    subjects: (input.subjects ?? []).map((s) => ({ type: clean(s.type, 40), id: clean(String(s.id), 200), ...(s.version === undefined ? {} : { version: s.version }) })),
    outcome: input.outcome,
    status: input.status ?? null,
    code: opt(input.code, 80),
    reason: opt(input.reason, AUDIT_TEXT_MAX),
    source: opt(input.source, 100),
    requestId: opt(input.requestId, 100),
    detail: input.detail ? (cleanDeep(input.detail) as Record<string, unknown>) : null,
  };
}

export function entryHash(prevHash: string, content: AuditContent): string {
  return sha256Hex(`${prevHash}\n${canonicalJson(content)}`);
}

/** Chain a content to the hash before it. */
export function chain(prevHash: string, content: AuditContent): AuditEntry {
  return { ...content, prevHash, hash: entryHash(prevHash, content) };
}

export interface CheckpointBody {
  position: number;
  hash: string;
  kind: 'prune' | 'anchor';
  at: string;
}

export function signCheckpoint(key: string, body: CheckpointBody): string {
  return createHmac('sha256', key).update(canonicalJson(body)).digest('hex');
}

export function sameHex(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}
