/**
 * Natural keys and hub ids of canonical records.
 *
 * Input: a canonical record (its `type` and fields). Output:
 * - `naturalKey(record)`: the first alternative of the entity's `x-natural-key` whose fields are all
 *   non-empty, rendered as `v1|v2|...`, prefixed with `<alternative>:` when the entity has more than
 *   one alternative (so keys of different alternatives never collide). A `|` or `\` inside a value is
 *   escaped with `\`, so distinct value lists always give distinct keys.
 * - `recordId(type, key)`: a UUID (version 5 layout) from SHA-1 over `type + "\0" + key`: the same
 *   record mapped twice, by any worker, gets the same id.
 *
 * Field getters are built once per entity from the schemas; nothing is parsed per record.
 */
import * as crypto from 'node:crypto';
import { ENTITY_TYPES, naturalKeyAlternatives, type EntityType } from './schemas.ts';
import type { CanonicalRecord } from './types.generated.ts';

export type NaturalKeyResult =
  | { ok: true; key: string; alternative: string }
  | { ok: false; needs: string[] };

type Getter = (record: Record<string, unknown>) => unknown;

interface CompiledAlternative {
  readonly name: string;
  readonly fields: readonly string[];
  readonly getters: readonly Getter[];
  /** `name:` when the entity has several alternatives, else ''. */
  readonly prefix: string;
}

function getterFor(path: string): Getter {
  const segments = path.split('.');
  if (segments.length === 1) {
    const [a] = segments as [string];
    return (r) => r[a];
  }
  if (segments.length === 2) {
    const [a, b] = segments as [string, string];
    return (r) => {
      const o = r[a];
      return o !== null && typeof o === 'object' ? (o as Record<string, unknown>)[b] : undefined;
    };
  }
  return (r) => {
    let o: unknown = r;
    for (const s of segments) {
      if (o === null || typeof o !== 'object') return undefined;
      o = (o as Record<string, unknown>)[s];
    }
    return o;
  };
}

const COMPILED = new Map<string, readonly CompiledAlternative[]>();
for (const type of ENTITY_TYPES) {
  const alternatives = naturalKeyAlternatives(type);
  COMPILED.set(
    type,
    alternatives.map((alt) => ({
      name: alt.name,
      fields: alt.fields,
      getters: alt.fields.map(getterFor),
      prefix: alternatives.length > 1 ? `${alt.name}:` : '',
    })),
  );
}

/** A key part: strings as they are, finite numbers in decimal; anything else (or '') is empty. */
function part(value: unknown): string | undefined {
  if (typeof value === 'string') return value.length > 0 ? value : undefined;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

const NEEDS_ESCAPE = /[|\\]/;
function escapePart(s: string): string {
  return NEEDS_ESCAPE.test(s) ? s.replace(/[|\\]/g, '\\$&') : s;
}

/**
 * The natural key of a record: the first complete alternative, or, when none is complete, the
 * fields still needed (those of the alternative closest to complete, fewest missing first, then
 * schema order).
 */
export function naturalKey(record: CanonicalRecord | Readonly<Record<string, unknown>>): NaturalKeyResult {
  const type = record.type;
  const alternatives = typeof type === 'string' ? COMPILED.get(type) : undefined;
  if (alternatives === undefined) return { ok: false, needs: ['type'] };
  const r = record as unknown as Record<string, unknown>;
  for (const alt of alternatives) {
    let key = alt.prefix;
    let complete = true;
    for (let i = 0; i < alt.getters.length; i++) {
      const v = part(alt.getters[i]!(r));
      if (v === undefined) {
        complete = false;
        break;
      }
      key += i === 0 ? escapePart(v) : `|${escapePart(v)}`;
    }
    if (complete) return { ok: true, key, alternative: alt.name };
  }
  return { ok: false, needs: missingFields(alternatives, r) };
}

function missingFields(alternatives: readonly CompiledAlternative[], r: Record<string, unknown>): string[] {
  let best: string[] | undefined;
  for (const alt of alternatives) {
    const missing: string[] = [];
    for (let i = 0; i < alt.getters.length; i++) {
      if (part(alt.getters[i]!(r)) === undefined) missing.push(alt.fields[i]!);
    }
    if (best === undefined || missing.length < best.length) best = missing;
  }
  return best ?? [];
}

/** The natural-key alternatives of a type as the message of HUB_ERR_RECORD_KEY names them. */
export function describeNaturalKey(type: EntityType): string {
  return naturalKeyAlternatives(type)
    .map((alt) => alt.fields.join(' + '))
    .join(' or ');
}

// crypto.hash (Node >= 20.12) is a one-shot digest about three times faster than createHash.
const oneShot = (crypto as { hash?: (algorithm: string, data: string, encoding: 'hex') => string }).hash;
const sha1Hex: (data: string) => string = oneShot
  ? (data) => oneShot('sha1', data, 'hex')
  : (data) => crypto.createHash('sha1').update(data, 'utf8').digest('hex');

/**
 * Deterministic hub id of a record: SHA-1 over `type + "\0" + key`, laid out as a version-5 UUID
 * (RFC 9562 version and variant bits set).
 */
export function recordId(type: string, key: string): string {
  const hex = sha1Hex(`${type}\u0000${key}`);
  const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
