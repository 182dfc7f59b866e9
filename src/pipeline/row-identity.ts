/**
 * The identity of a source row, for quarantine: "the same row" in a later export.
 *
 * Input: the inbound mapping. Output: for a bad row, its identity from its raw content; for the rows
 * of a chunk that were stored, their identities from their records. Both are the natural key of the
 * first record the mapping declares (the row's own record: the evidence item of a LIMS row, the case
 * of a case row, the lead of a NIBIN message), with each value trimmed, its inner spaces collapsed and
 * upper-cased, hashed with the connector's entity type. A bad row's values are read from the columns
 * (CSV) or the plain paths (JSON) that the key fields name in `from`; key fields built otherwise
 * (concat, value, context), and XML rows, give no identity, so such rows are counted but never
 * resolved automatically.
 */
import { createHash } from 'node:crypto';
import type { InboundMapping, MappedRecord } from '../mapping/inbound.ts';
import type { FieldSpecInput } from '../mapping/spec.ts';
import { ENTITY_TYPES, naturalKeyAlternatives, type EntityType } from '../canonical/schemas.ts';

export interface RowIdentity {
  /** The identity of a row that could not be mapped, from its raw content; undefined when it has none. */
  ofRaw(raw: unknown): string | undefined;
  /** The identities of the rows these stored records came from. */
  ofRecords(records: readonly MappedRecord[]): string[];
}

const NONE: RowIdentity = { ofRaw: () => undefined, ofRecords: () => [] };

function normalize(v: unknown): string | undefined {
  if (typeof v !== 'string' && typeof v !== 'number') return undefined;
  const s = String(v).trim().replace(/\s+/g, ' ').toUpperCase();
  return s === '' ? undefined : s;
}

function hash(type: string, values: readonly string[]): string {
  return createHash('sha256').update(JSON.stringify([type, ...values])).digest('hex').slice(0, 32);
}

function at(value: unknown, path: readonly string[]): unknown {
  let o = value;
  for (const seg of path) {
    if (o === null || typeof o !== 'object' || Array.isArray(o)) return undefined;
    o = (o as Record<string, unknown>)[seg];
  }
  return o;
}

/** The columns or paths a key field is read from: its `from` alternatives, when it is a plain read. */
function sourcesOf(spec: FieldSpecInput | undefined): string[] | undefined {
  if (spec === undefined) return undefined;
  if (typeof spec === 'string') return [spec];
  if (spec.from === undefined || spec.concat !== undefined || spec.forEach !== undefined) return undefined;
  return Array.isArray(spec.from) ? spec.from : [spec.from];
}

export function rowIdentity(mapping: InboundMapping): RowIdentity {
  const first = mapping.spec.records?.[0];
  if (!first || first.forEach !== undefined || !(ENTITY_TYPES as readonly string[]).includes(first.type)) return NONE;
  const type = first.type as EntityType;
  const keyFields = naturalKeyAlternatives(type)[0]?.fields ?? [];
  const sources = keyFields.map((f) => sourcesOf(first.fields[f]));
  const format = mapping.format;
  const rawReadable = (format === 'csv' || format === 'json') && keyFields.length > 0 && sources.every((s) => s !== undefined);
  const readRaw = (raw: unknown, from: string): unknown => {
    if (format === 'csv') return (raw as Record<string, unknown>)[from];
    return at(raw, from.split(/[./]/).filter(Boolean));
  };
  return {
    ofRaw(raw) {
      if (!rawReadable || raw === null || typeof raw !== 'object' || Array.isArray(raw)) return undefined;
      const values: string[] = [];
      for (const alternatives of sources as string[][]) {
        let v: string | undefined;
        for (const from of alternatives) if ((v = normalize(readRaw(raw, from))) !== undefined) break;
        if (v === undefined) return undefined;
        values.push(v);
      }
      return hash(type, values);
    },
    ofRecords(records) {
      if (!rawReadable) return [];
      const out = new Set<string>();
      for (const r of records) {
        if (r.type !== type) continue;
        const values = keyFields.map((f) => normalize(at(r, f.split('.'))));
        if (values.every((v) => v !== undefined)) out.add(hash(type, values as string[]));
      }
      return [...out];
    },
  };
}
