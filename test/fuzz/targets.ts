/**
 * What the fuzz checks, per target: the five readers on their own and mapStream with shipped
 * mappings. Each check runs one input and throws `FuzzViolation` when a property breaks:
 * - nothing throws but a HubError with a registered code (a refused file is fine, a TypeError is not);
 * - every source record is accounted for: readers number records 1..n without gaps, mapStream's
 *   `rowsRead = rowsMapped + rowsInvalid` and equals the rows of its batches;
 * - every message, quoted value and quarantine payload is within its bound (src/errors/excerpt.ts).
 * "Never hangs" is the runner's part: vitest's timeout for the short run, a watchdog process for
 * `npm run fuzz`.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { readCsv } from '../../src/formats/csv-reader.ts';
import { readXml } from '../../src/formats/xml-reader.ts';
import { readJson, readNdjson } from '../../src/formats/json-reader.ts';
import { compileLayout, readFixedWidth } from '../../src/formats/fixed-width-reader.ts';
import type { SourceBatch } from '../../src/formats/source-record.ts';
import { HubError, type ErrorReport } from '../../src/errors/hub-error.ts';
import { ERRORS } from '../../src/errors/registry.ts';
import { MESSAGE_MAX_CHARS, PAYLOAD_MAX_CHARS, VALUE_EXCERPT_CHARS } from '../../src/errors/excerpt.ts';
import { loadMapping } from '../../src/mapping/load.ts';
import { InboundMapping } from '../../src/mapping/inbound.ts';
import { emptySummary, mapStream } from '../../src/mapping/run.ts';
import { chunked, FUZZ_LIMITS } from './mutations.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

export class FuzzViolation extends Error {
  override name = 'FuzzViolation';
}

function fail(what: string, cause?: unknown): never {
  throw new FuzzViolation(what, cause === undefined ? undefined : { cause });
}

function checkReport(r: ErrorReport, where: string): void {
  if (!(r.code in ERRORS)) fail(`${where}: unregistered code ${r.code}`);
  if (r.message.length > MESSAGE_MAX_CHARS) fail(`${where}: ${r.code} message of ${r.message.length} characters`);
  if (r.value !== undefined && r.value.length > VALUE_EXCERPT_CHARS) fail(`${where}: ${r.code} value of ${r.value.length} characters`);
}

function checkPayload(raw: unknown, where: string): void {
  if (raw === undefined || raw === null) return;
  const size = typeof raw === 'string' ? raw.length : (raw as { truncated?: boolean }).truncated ? (raw as { excerpt: string }).excerpt.length : JSON.stringify(raw).length;
  if (size > PAYLOAD_MAX_CHARS) fail(`${where}: quarantine payload of ${size} characters`);
}

/** A thrown error is acceptable only as a HubError with a registered code and a bounded message. */
function checkThrown(err: unknown, where: string): void {
  if (err instanceof FuzzViolation) throw err;
  if (!(err instanceof HubError)) fail(`${where}: uncoded ${(err as Error)?.name ?? typeof err}: ${String((err as Error)?.message ?? err).slice(0, 300)}`, err);
  checkReport(err.toReport(), where);
}

export type Reader = 'csv' | 'xml' | 'json' | 'ndjson' | 'fixed-width';

/** A small segment layout: level at 1, key at 2-4, records opened by 1, segments 2 repeating. */
const FUZZ_LAYOUT = compileLayout({
  segment: '1',
  common: { id: '2-4' },
  key: ['id'],
  segments: {
    '1': { name: 'head', starts: true, fields: { date: '5-12', kind: '13' } },
    '2': { name: 'items', repeats: true, fields: { code: '5-7', codes: ['8-9', '10-11'], groups: { repeat: 3, every: 3, fields: { a: '12-13', b: '14' } } } },
    '3': { name: 'tail', fields: { note: '5-20' } },
  },
});

function reader(kind: Reader, input: Readable): AsyncGenerator<SourceBatch> {
  switch (kind) {
    case 'csv':
      return readCsv(input, { file: 'f.csv', limits: FUZZ_LIMITS.csv });
    case 'xml':
      return readXml(input, { file: 'f.xml', record: '//l:Rec', namespaces: { l: 'urn:l' }, limits: FUZZ_LIMITS.xml });
    case 'json':
      return readJson(input, { file: 'f.json', records: 'data', limits: FUZZ_LIMITS.json });
    case 'ndjson':
      return readNdjson(input, { file: 'f.ndjson', limits: FUZZ_LIMITS.json });
    case 'fixed-width':
      return readFixedWidth(input, FUZZ_LAYOUT, { file: 'f.txt', limits: FUZZ_LIMITS.fixedWidth });
  }
}

/** One reader over one input: records numbered 1..n, failures coded and bounded, nothing else thrown. Returns the codes met. */
export async function checkReader(kind: Reader, bytes: Buffer, chunk: number): Promise<Set<string>> {
  const codes = new Set<string>();
  let expected = 1;
  try {
    for await (const b of reader(kind, Readable.from(chunked(bytes, chunk)))) {
      for (const item of b.items) {
        if (item.row !== expected) fail(`${kind}: record ${item.row} where ${expected} was due`);
        expected++;
        if (item.format === 'failure') {
          checkReport(item.error, kind);
          codes.add(item.error.code);
        }
      }
    }
  } catch (err) {
    checkThrown(err, kind);
    codes.add((err as HubError).code);
  }
  return codes;
}

/** Small well-formed seeds for the readers on their own. */
export const READER_SEEDS: Record<Reader, Buffer> = {
  csv: Buffer.from('ORI,CASE,NAME,NOTE\r\nCT0006400,C-1,"Doe, Jane","a ""quoted"" note"\r\nCT0006400,C-2,Roe,"two\r\nlines"\r\n#comment\r\nCT0015100,C-3,Poe,plain\r\n'),
  xml: Buffer.from('<?xml version="1.0"?>\n<l:Export xmlns:l="urn:l" xmlns:a="urn:a">\n<l:Rec a:id="1"><l:No>1</l:No><a:Note>x &amp; y</a:Note></l:Rec>\n<l:Rec><l:No>2</l:No><![CDATA[<raw>]]></l:Rec>\n<Rec xmlns="urn:l"><No>3</No></Rec>\n</l:Export>\n'),
  json: Buffer.from('{"data":[{"ori":"CT0006400","case":"C-1","items":[{"n":1},{"n":2}]},{"ori":"CT0015100","case":"C-2","note":"a \\"b\\" [c]"}],"next":null}'),
  ndjson: Buffer.from('{"ori":"CT0006400","case":"C-1"}\n{"ori":"CT0015100","case":"C-2","list":[1,[2,[3]]]}\r\n\n{"note":"x\\ny"}\n'),
  'fixed-width': Buffer.from('100120240301A\r\n200113A1211  12A13B\r\n2001120    40\r\n3001a note\r\n100220240302B\n2002290\n'),
};

export interface MappingTarget {
  mapping: string;
  /** The shipped fixture the mutations start from. */
  seed: string;
}

/** Shipped mappings and fixtures: every source format, with the encodings they declare. */
export const MAPPING_TARGETS: MappingTarget[] = [
  { mapping: 'lims-csv', seed: 'fixtures/scenario/lims.csv' },
  { mapping: 'etrace-csv', seed: 'fixtures/etrace/results.csv' },
  { mapping: 'lims-xml', seed: 'fixtures/lims-xml/export.xml' },
  { mapping: 'rms-rest-json', seed: 'fixtures/rms-rest-json/page1.json' },
  { mapping: 'nibin-lead', seed: 'fixtures/nibin-lead/leads.ndjson' },
  { mapping: 'nibrs-flat', seed: 'fixtures/nibrs-flat/group-a-incident.txt' },
];

export function seedOf(t: MappingTarget): Buffer {
  return readFileSync(path.join(ROOT, t.seed));
}

const mappings = new Map<string, InboundMapping>();

export async function mappingOf(id: string): Promise<InboundMapping> {
  let m = mappings.get(id);
  if (!m) {
    const loaded = await loadMapping(id);
    if (!(loaded instanceof InboundMapping)) throw new Error(`${id} is not an inbound mapping`);
    mappings.set(id, (m = loaded));
  }
  return m;
}

/** mapStream over one input: every row accounted for, everything reported bounded and coded. Returns the source codes met. */
export async function checkMapping(id: string, bytes: Buffer, chunk: number): Promise<Set<string>> {
  const mapping = await mappingOf(id);
  const summary = emptySummary();
  const codes = new Set<string>();
  let rows = 0;
  try {
    for await (const b of mapStream(mapping, Readable.from(chunked(bytes, chunk)), summary, { file: 'fuzz', limits: FUZZ_LIMITS, receivedAt: '2026-01-01T00:00:00.000Z', batchSize: 50 })) {
      rows += b.rows;
      for (const inv of b.invalid) {
        for (const e of inv.errors) {
          checkReport(e, id);
          if (e.code.startsWith('HUB_ERR_SOURCE_')) codes.add(e.code);
        }
        checkPayload(inv.raw, id);
      }
      for (const w of b.warnings) {
        checkReport(w, id);
        if (w.code.startsWith('HUB_ERR_SOURCE_')) codes.add(w.code);
      }
    }
  } catch (err) {
    checkThrown(err, id);
    codes.add((err as HubError).code);
    return codes;
  }
  if (summary.rowsRead !== summary.rowsMapped + summary.rowsInvalid) fail(`${id}: read ${summary.rowsRead} != mapped ${summary.rowsMapped} + invalid ${summary.rowsInvalid}`);
  if (rows !== summary.rowsRead) fail(`${id}: batches carried ${rows} rows, the summary read ${summary.rowsRead}`);
  return codes;
}
