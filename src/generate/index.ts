/**
 * Deterministic synthetic source exports for tests, demos and benchmarks (`cgic generate`).
 *
 * Input: a kind, `{ rows, seed, ... }` and a writable stream. Output: the export written to the
 * stream in encoded batches with backpressure (the stream is not ended: the caller owns it), and a
 * summary. Every kind renders the same seeded world (world.ts), so for one seed the LIMS CSV, the
 * LIMS XML, the NIBIN lead feed, the eTrace results and the RMS incidents refer to the same lab
 * cases, agency cases, IBIS ids and serial numbers. Layouts: mappings/<id>/README.md.
 */
import { generateEtrace } from './etrace.ts';
import { generateLimsCsv } from './lims-csv.ts';
import { generateLimsXml } from './lims-xml.ts';
import { generateNibinLeads } from './nibin-leads.ts';
import { generateNdexXml } from './ndex-xml.ts';
import { generateNibrsXml } from './nibrs-xml.ts';
import { hash32 } from './prng.ts';
import { usageError } from './sink.ts';
import type { GenerateOptions, GenerateSummary, GeneratorKind } from './types.ts';
import { GENERATOR_KINDS } from './types.ts';

export { GENERATOR_KINDS };
export type { BadRow, BadRowKind, GenerateOptions, GenerateSummary, GeneratorKind } from './types.ts';
export { LIMS_CSV_COLUMNS, BAD_VALUES } from './lims-csv.ts';
export { ETRACE_COLUMNS } from './etrace.ts';
export { World, type Block } from './world.ts';

/** Which mapping layout (mappings/<id>/README.md) each kind writes. */
export const LAYOUT_OF_KIND: Record<GeneratorKind, string> = {
  'lims-csv': 'lims-csv',
  'lims-xml': 'lims-xml',
  'nibin-leads': 'nibin-lead',
  'etrace': 'etrace-csv',
  'ndex-xml': 'ndex-2.1-lexs',
  'nibrs-xml': 'nibrs-2019',
};

/** A string seed becomes a 32-bit number (FNV-1a, then mixed); a number is taken modulo 2^32. */
export function seedNumber(seed: number | string): number {
  if (typeof seed === 'number') {
    if (!Number.isFinite(seed)) throw usageError(`seed must be a finite number, not ${seed}`);
    return Math.trunc(seed) >>> 0;
  }
  let h = 0x811c9dc5;
  for (let i = 0; i < seed.length; i++) h = Math.imul(h ^ seed.charCodeAt(i), 0x01000193);
  return hash32(h >>> 0, seed.length);
}

export function isGeneratorKind(kind: string): kind is GeneratorKind {
  return (GENERATOR_KINDS as readonly string[]).includes(kind);
}

/** Write `rows` units of `kind` to `out`; resolves with a summary when the last byte is handed over. */
export async function generate(kind: GeneratorKind, opts: GenerateOptions, out: NodeJS.WritableStream): Promise<GenerateSummary> {
  const seed = seedNumber(opts.seed);
  switch (kind) {
    case 'lims-csv':
      return generateLimsCsv(opts, seed, out);
    case 'lims-xml':
      return generateLimsXml(opts, seed, out);
    case 'nibin-leads':
      return generateNibinLeads(opts, seed, out);
    case 'etrace':
      return generateEtrace(opts, seed, out);
    case 'ndex-xml':
      return generateNdexXml(opts, seed, out);
    case 'nibrs-xml':
      return generateNibrsXml(opts, seed, out);
    default:
      if (String(kind) === 'rms-xml') throw usageError('the kind rms-xml (an invented N-DEx-style layout) is retired: use ndex-xml (N-DEx IncidentArrest 2.1) or nibrs-xml (docs/migrations.md)');
      throw usageError(`unknown generator kind "${String(kind)}" (one of ${GENERATOR_KINDS.join(', ')})`);
  }
}
