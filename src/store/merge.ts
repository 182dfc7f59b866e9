/**
 * What "the same record, seen again" means to the store: the content hash and the merge rule.
 *
 * Input: what each source says about a record (its contributions, oldest change first), or a stored
 * body and an incoming one. Output: the record's body.
 *
 * - The body is the record without its envelope fields (`id`, `version`, `sourceRefs`, `createdAt`,
 *   `updatedAt`, `deleted`, `deletedAt`): `type`, `key`, `classification` and the entity's own fields.
 *   Its content hash is the sha256 of its canonical JSON (sorted keys), so key order and the envelope
 *   never make a change.
 * - A record is the merge of its contributions (`mergeContributions`), each the latest statement of one
 *   source record of one source (records.ts keeps them; docs/corrections.md says who replaces what).
 *   Taken in the order they last changed, a later contribution's present, non-null field replaces an
 *   earlier one's; a field a contribution lacks keeps what the others say; two lists are unioned (the
 *   earlier items in their order, then each later item not already there, equality by canonical JSON;
 *   items with an `x-item-key` are merged by key). Nested objects are replaced whole, not merged.
 * - The rows of one export that restate a record are folded into that export's contribution with the
 *   same rule (`mergeBodies`), so the export says the sum of its rows.
 * - A `snapshot` entity (a NIBIN lead) is replaced whole by a later contribution unless that one has an
 *   older `revision`.
 */
import { itemKeys, mergePolicy } from '../canonical/schemas.ts';
import { canonicalJson, sha256Hex } from './canonical-json.ts';

export type RecordBody = Record<string, unknown>;

/** Envelope fields the store owns or keeps apart from the body. */
export const ENVELOPE_FIELDS: ReadonlySet<string> = new Set(['id', 'version', 'sourceRefs', 'createdAt', 'updatedAt', 'deleted', 'deletedAt']);

/** The record without its envelope fields and without `undefined` members. */
export function recordBody(record: Record<string, unknown>): RecordBody {
  const body: RecordBody = {};
  for (const [k, v] of Object.entries(record)) {
    if (v !== undefined && !ENVELOPE_FIELDS.has(k)) body[k] = v;
  }
  return body;
}

export function contentHash(body: RecordBody): string {
  return sha256Hex(canonicalJson(body));
}

/** Union of two arrays: `stored` first, then the items of `incoming` not yet present (canonical JSON equality). */
export function unionArrays(stored: readonly unknown[], incoming: readonly unknown[]): unknown[] {
  const seen = new Set<string>();
  const out: unknown[] = [];
  for (const item of [...stored, ...incoming]) {
    const k = canonicalJson(item);
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(item);
  }
  return out;
}

/**
 * Lists whose items have an identity (`x-item-key`, e.g. a lab case's submissions by number): an
 * incoming item with the key of a stored one is merged into it (its present fields overwrite), so the
 * same submission seen on two rows is one item; other items are appended. Order: stored first.
 */
export function mergeKeyedItems(stored: readonly unknown[], incoming: readonly unknown[], keyFields: readonly string[]): unknown[] {
  const keyOf = (item: unknown): string | null => {
    if (item === null || typeof item !== 'object') return null;
    const vals = keyFields.map((f) => (item as Record<string, unknown>)[f]);
    return vals.some((v) => v === undefined || v === null) ? null : JSON.stringify(vals);
  };
  const out: unknown[] = [];
  const at = new Map<string, number>();
  const add = (item: unknown): void => {
    const k = keyOf(item);
    if (k !== null && at.has(k)) {
      const i = at.get(k)!;
      const merged: Record<string, unknown> = { ...(out[i] as Record<string, unknown>) };
      for (const [f, v] of Object.entries(item as Record<string, unknown>)) if (v !== undefined && v !== null) merged[f] = v;
      out[i] = merged;
      return;
    }
    if (k === null && out.some((o) => canonicalJson(o) === canonicalJson(item))) return;
    if (k !== null) at.set(k, out.length);
    out.push(item);
  };
  for (const item of stored) add(item);
  for (const item of incoming) add(item);
  return out;
}

/** Merge an incoming body into a stored one (see the module header). Neither argument is modified. */
export function mergeBodies(stored: RecordBody, incoming: RecordBody): RecordBody {
  if (mergePolicy(String(incoming.type ?? stored.type)) === 'snapshot') {
    // A snapshot replaces the stored record whole; an older one (lower revision) is ignored.
    const older = typeof stored.revision === 'number' && typeof incoming.revision === 'number' && incoming.revision < stored.revision;
    return older ? stored : { ...incoming, classification: incoming.classification ?? stored.classification };
  }
  const out: RecordBody = { ...stored };
  const keyed = itemKeys(String(incoming.type ?? stored.type));
  for (const [k, v] of Object.entries(incoming)) {
    if (v === undefined || v === null) continue;
    const prev = out[k];
    out[k] = Array.isArray(v) && Array.isArray(prev) ? (keyed.has(k) ? mergeKeyedItems(prev, v, keyed.get(k)!) : unionArrays(prev, v)) : v;
  }
  return out;
}

/**
 * The body of a record from its contributions, in the order they last changed (oldest first); a record
 * without a `classification` is `cji`. Undefined when there is no contribution left (a tombstone).
 */
export function mergeContributions(bodies: readonly RecordBody[]): RecordBody | undefined {
  if (bodies.length === 0) return undefined;
  let out: RecordBody = { ...bodies[0]! };
  for (let i = 1; i < bodies.length; i++) out = mergeBodies(out, bodies[i]!);
  if (out.classification === undefined || out.classification === null) out = { ...out, classification: 'cji' };
  return out;
}
