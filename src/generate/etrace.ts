/**
 * `etrace`: ATF eTrace results as a configurable CSV feed (no public eTrace export format exists).
 *
 * Input: the world (seed) and `rows` = trace results. Output: UTF-8 CSV, LF line endings, header on
 * line 1, ISO dates, ATF-style upper-case names. About half the recovered guns are traced; the rest
 * never appear here ("recovered but not traced"). Layout: mappings/etrace-csv/README.md.
 */
import { rngFor } from './prng.ts';
import { Sink, checkRows, csvField } from './sink.ts';
import { isoDate } from './time.ts';
import type { GenerateOptions, GenerateSummary } from './types.ts';
import { STREAM, World, type Trace } from './world.ts';

export const ETRACE_COLUMNS = [
  'TRACE_NUMBER',
  'TRACE_STATUS',
  'REQUEST_DATE',
  'COMPLETED_DATE',
  'REQUESTING_ORI',
  'REQUESTING_AGENCY',
  'AGENCY_CASE_NO',
  'SERIAL',
  'MAKE',
  'MODEL',
  'WEAPON_TYPE',
  'CALIBER',
  'IMPORTER',
  'COUNTRY',
  'RECOVERY_DATE',
  'RECOVERY_CITY',
  'RECOVERY_STATE',
  'FFL_NAME',
  'FFL_LICENSE',
  'FFL_CITY',
  'FFL_STATE',
  'PURCHASE_DATE',
  'PURCHASER_STATE',
] as const;

export function traceFields(t: Trace, purchaserState: string): string[] {
  const m = t.firearm.model;
  const ac = t.agencyCase;
  const d = t.dealer;
  return [
    t.traceNumber,
    t.status,
    isoDate(t.requestedAt),
    t.completedAt === null ? '' : isoDate(t.completedAt),
    ac.agency.ori,
    ac.agency.name.toUpperCase(),
    ac.caseNumber,
    t.serialText,
    m.make.etrace,
    m.model.toUpperCase(),
    m.type.etrace,
    m.caliber.etrace,
    m.make.importer,
    m.make.country,
    isoDate(ac.occurredAt),
    ac.town.toUpperCase(),
    'CT',
    d ? d.name : '',
    d ? d.license : '',
    d ? d.city : '',
    d ? d.state : '',
    t.purchasedAt === null ? '' : isoDate(t.purchasedAt),
    d ? purchaserState : '',
  ];
}

export async function generateEtrace(opts: GenerateOptions, seed: number, out: NodeJS.WritableStream): Promise<GenerateSummary> {
  checkRows(opts.rows);
  const sink = new Sink(out, 'utf-8');
  const world = new World(seed);
  const counts: Record<string, number> = {};
  sink.add(ETRACE_COLUMNS.join(',') + '\n');
  let rows = 0;
  let blocks = 0;
  let idle = 0;
  while (rows < opts.rows) {
    const block = world.next();
    blocks++;
    idle = block.traces.length === 0 ? idle + 1 : 0;
    if (idle > 10_000) throw new Error('the world produced no traces in 10,000 blocks');
    const rng = rngFor(seed, STREAM.etrace, block.index);
    for (const t of block.traces) {
      if (rows >= opts.rows) break;
      const purchaserState = t.dealer && rng.chance(0.8) ? t.dealer.state : 'CT';
      sink.add(traceFields(t, purchaserState).map(csvField).join(',') + '\n');
      rows++;
      counts[t.status] = (counts[t.status] ?? 0) + 1;
      if (sink.full) await sink.flush();
    }
  }
  await sink.flush();
  return { kind: 'etrace', seed, rows, bytes: sink.bytes, encoding: 'utf-8', blocks, badRowNumbers: [], badRowKinds: {}, counts };
}
