/**
 * Maps the inline input of one of a mapping's golden cases (mappings/<id>/tests/<case>.test.yaml) and
 * collects everything the run gave: records, invalid source records and warnings. The mappings'
 * pointers.test.ts use it to assert what golden cases do not compare: where each error points.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { parse } from 'yaml';
import type { ErrorReport } from '../../src/errors/hub-error.ts';
import { InboundMapping, type MappedRecord } from '../../src/mapping/inbound.ts';
import { loadMapping } from '../../src/mapping/load.ts';
import { emptySummary, mapStream, type InvalidSource } from '../../src/mapping/run.ts';

const MAPPINGS = path.resolve(import.meta.dirname, '../../mappings');

export interface GoldenCaseRun {
  records: MappedRecord[];
  invalid: InvalidSource[];
  warnings: ErrorReport[];
}

export async function runGoldenCase(mappingId: string, caseName: string): Promise<GoldenCaseRun> {
  const mapping = await loadMapping(mappingId);
  if (!(mapping instanceof InboundMapping)) throw new Error(`${mappingId} is not an inbound mapping`);
  const file = path.join(MAPPINGS, mappingId, 'tests', `${caseName}.test.yaml`);
  const text = (parse(readFileSync(file, 'utf8')) as { input: { text: string } }).input.text;
  const out: GoldenCaseRun = { records: [], invalid: [], warnings: [] };
  for await (const b of mapStream(mapping, Readable.from([Buffer.from(text, 'utf8')]), emptySummary(), { file: 'input', receivedAt: '2026-01-01T00:00:00.000Z' })) {
    out.records.push(...b.records);
    out.invalid.push(...b.invalid);
    out.warnings.push(...b.warnings);
  }
  return out;
}
