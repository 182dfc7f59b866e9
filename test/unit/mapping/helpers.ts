/**
 * Shared by the mapping tests: compile a mapping specification with the real loader, run it over an
 * in-memory source with the real readers, and collect what came out.
 */
import { Readable } from 'node:stream';
import { compileSpec } from '../../../src/mapping/load.ts';
import { InboundMapping, type MappedRecord } from '../../../src/mapping/inbound.ts';
import { OutboundMapping } from '../../../src/mapping/outbound.ts';
import { emptySummary, mapStream, type InvalidSource, type MapSummary } from '../../../src/mapping/run.ts';
import type { ErrorReport } from '../../../src/errors/hub-error.ts';
import type { MappingSpec } from '../../../src/mapping/spec.ts';
import type { ReaderLimits } from '../../../src/formats/limits.ts';

export const RECEIVED_AT = '2026-01-01T00:00:00.000Z';

export async function inbound(spec: MappingSpec): Promise<InboundMapping> {
  const m = await compileSpec(spec);
  if (!(m instanceof InboundMapping)) throw new Error('expected an inbound mapping');
  return m;
}

export async function outbound(spec: MappingSpec): Promise<OutboundMapping> {
  const m = await compileSpec(spec);
  if (!(m instanceof OutboundMapping)) throw new Error('expected an outbound mapping');
  return m;
}

export interface Mapped {
  records: MappedRecord[];
  invalid: InvalidSource[];
  warnings: ErrorReport[];
  summary: MapSummary;
}

/** Maps `text` as one file named `file` through the real reader of the mapping's format. */
export async function mapText(
  mapping: InboundMapping | MappingSpec,
  text: string | Buffer,
  opts: { file?: string; timezone?: string; limits?: ReaderLimits } = {},
): Promise<Mapped> {
  const m = mapping instanceof InboundMapping ? mapping : await inbound(mapping);
  const summary = emptySummary();
  const out: Mapped = { records: [], invalid: [], warnings: [], summary };
  const input = Readable.from([Buffer.isBuffer(text) ? text : Buffer.from(text, 'utf8')]);
  for await (const b of mapStream(m, input, summary, { file: opts.file ?? 'input.csv', timezone: opts.timezone, receivedAt: RECEIVED_AT, limits: opts.limits })) {
    out.records.push(...b.records);
    out.invalid.push(...b.invalid);
    out.warnings.push(...b.warnings);
  }
  return out;
}

/** A record without its envelope, for comparing the mapped fields only. */
export function fieldsOf(r: MappedRecord): Record<string, unknown> {
  const { type: _t, id: _i, key: _k, classification: _c, version: _v, sourceRefs: _s, ...rest } = r;
  return rest;
}

/** 1-based line and column of the first occurrence of `token` in `text`. */
export function positionOf(text: string, token: string, occurrence = 1): { line: number; col: number } {
  let at = -1;
  for (let i = 0; i < occurrence; i++) {
    at = text.indexOf(token, at + 1);
    if (at === -1) throw new Error(`"${token}" occurs fewer than ${occurrence} times`);
  }
  const before = text.slice(0, at).split('\n');
  return { line: before.length, col: before[before.length - 1]!.length + 1 };
}
