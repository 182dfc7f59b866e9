/**
 * What "the same record, seen again" means to the store: the content hash and the merge rule.
 *
 * Input: the body stored for a natural key (or none) and an incoming canonical record.
 * Output: the merged body and whether it differs from the stored one.
 *
 * - The body is the record without its envelope fields (`id`, `version`, `sourceRefs`, `createdAt`,
 *   `updatedAt`): `type`, `key`, `classification` and the entity's own fields. Its content hash is the
 *   sha256 of its canonical JSON (sorted keys), so key order and the envelope never make a change.
 * - Merge: a top-level field of the incoming record that is present and not null replaces the stored
 *   one; a field that is absent (or null) keeps its stored value, so a source that knows only part of
 *   an entity never erases what another source said. When both values are arrays they are unioned:
 *   the stored items in their order, then each incoming item not already there (equality by canonical
 *   JSON). Nested objects are replaced whole, not merged.
 * - Unchanged means the merged body hashes to the stored hash: the version is kept.
 */
import { itemKeys, mergePolicy } from '../canonical/schemas.ts';
import { canonicalJson, sha256Hex } from './canonical-json.ts';

export type RecordBody = Record<string, unknown>;

/** Envelope fields the store owns or keeps apart from the body. */
export const ENVELOPE_FIELDS: ReadonlySet<string> = new Set(['id', 'version', 'sourceRefs', 'createdAt', 'updatedAt']);

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
