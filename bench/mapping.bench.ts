/**
 * Mapping benchmark (issue: the foundation).
 *
 * On a generated LIMS CSV of >= 200 MB (bench/data, made once, git-ignored), in one process, three runs
 * interleaved, each repeated (median of 3):
 *   A. bare csv-parse over the file (the baseline: bytes -> string arrays, nothing else);
 *   B. parse -> map -> validate with the shipped declarative mapping lims-csv (decode Windows-1252, parse,
 *      five record types per row, NCIC lookups, dates, natural keys, ids, canonical validation);
 *   C. the same with the mapping hand-written in TypeScript (bench/lims-csv.handwritten.ts).
 * Reports rows/s, B/A, B/C, and peak RSS growth during B. Before timing, B and C are checked to give
 * the same records on the first 5,000 rows.
 *
 * Run: npm run bench [-- --rows 810000 --rounds 3]
 */
import { createReadStream } from 'node:fs';
import { statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { isDeepStrictEqual } from 'node:util';
import { Parser } from 'csv-parse';
import { loadMapping } from '../src/mapping/load.ts';
import type { InboundMapping, MappedRecord } from '../src/mapping/inbound.ts';
import { emptySummary, mapStream } from '../src/mapping/run.ts';
import { readCsv } from '../src/formats/csv-reader.ts';
import { loadCodeTables } from '../src/codes/index.ts';
import { handwrittenMapper } from './lims-csv.handwritten.ts';
import { limsFile, machine, median, RssSampler } from './support.ts';

const { values: args } = parseArgs({ options: { rows: { type: 'string', default: '810000' }, rounds: { type: 'string', default: '3' } } });
const ROWS = Number(args.rows);
const ROUNDS = Number(args.rounds);

console.log(`machine: ${machine()}`);
const file = await limsFile(ROWS, 7);
const mb = statSync(file).size / 1e6;
console.log(`input: ${file}, ${mb.toFixed(1)} MB, ${ROWS} rows (Windows-1252, CRLF, ~1% bad rows)`);
console.log(`method: ${ROUNDS} rounds of A (bare csv-parse), B (declarative lims-csv: parse+map+validate), C (hand-written lims-csv: parse+map+validate), interleaved; medians; RSS sampled every 20 ms`);

const mapping = (await loadMapping('lims-csv')) as InboundMapping;
const tables = await loadCodeTables();
const HW = 256 * 1024;

async function bare(): Promise<number> {
  let n = 0;
  const p = createReadStream(file, { highWaterMark: HW }).pipe(new Parser({}));
  for await (const _ of p) n++;
  return n - 1;
}

async function declarative(limit = Infinity, keep?: MappedRecord[][]): Promise<{ rows: number; invalid: number }> {
  const s = emptySummary();
  for await (const b of mapStream(mapping, createReadStream(file, { highWaterMark: HW }), s, { file: 'lims.csv', receivedAt: '2026-01-01T00:00:00.000Z' })) {
    if (keep) {
      // Group records by source row for the comparison.
      let row = -1;
      for (const r of b.records) {
        const pr = r.sourceRefs[0]!.pointer!.row!;
        if (pr !== row) {
          row = pr;
          keep[pr] = [];
        }
        keep[pr]!.push(r);
      }
    }
    if (s.rowsRead >= limit) break;
  }
  return { rows: s.rowsRead, invalid: s.rowsInvalid };
}

async function handwritten(limit = Infinity, keep?: unknown[][]): Promise<{ rows: number; invalid: number }> {
  let rows = 0;
  let invalid = 0;
  let map: ReturnType<typeof handwrittenMapper> | null = null;
  for await (const b of readCsv(createReadStream(file, { highWaterMark: HW }), { encoding: 'windows-1252', file: 'lims.csv' })) {
    map ??= handwrittenMapper(b.header!, tables);
    for (const it of b.items) {
      rows++;
      if (it.format !== 'csv') {
        invalid++;
        continue;
      }
      const out = map(it.values, { system: 'lims', mapping: 'lims-csv@1', file: 'lims.csv', pointer: { file: 'lims.csv', row: it.row, line: it.line }, receivedAt: '2026-01-01T00:00:00.000Z' });
      if (out === null) invalid++;
      else if (keep) keep[it.row] = out;
    }
    if (rows >= limit) break;
  }
  return { rows, invalid };
}

// Same mapping? Compare the first 5,000 rows record by record.
const a: MappedRecord[][] = [];
const b: unknown[][] = [];
await declarative(5000, a);
await handwritten(5000, b);
let same = 0;
let diff = 0;
for (let i = 1; i <= 5000; i++) {
  if (a[i] === undefined && b[i] === undefined) continue;
  if (isDeepStrictEqual(a[i], b[i])) same++;
  else {
    diff++;
    if (diff <= 2) console.log(`row ${i} differs:\n  declarative ${JSON.stringify(a[i])?.slice(0, 600)}\n  hand-written ${JSON.stringify(b[i])?.slice(0, 600)}`);
  }
}
console.log(`equivalence on the first 5,000 rows: ${same} rows give identical records, ${diff} differ`);

const rate = { A: [] as number[], B: [] as number[], C: [] as number[] };
let peakGrowth = 0;
for (let r = 0; r < ROUNDS; r++) {
  let t = performance.now();
  const n = await bare();
  rate.A.push(n / ((performance.now() - t) / 1000));
  global.gc?.();
  const base = process.memoryUsage.rss();
  const sampler = new RssSampler();
  sampler.start();
  t = performance.now();
  const d = await declarative();
  rate.B.push(d.rows / ((performance.now() - t) / 1000));
  peakGrowth = Math.max(peakGrowth, sampler.stop() - base);
  t = performance.now();
  const h = await handwritten();
  rate.C.push(h.rows / ((performance.now() - t) / 1000));
  console.log(`round ${r + 1}: A ${rate.A[r]!.toFixed(0)} rows/s, B ${rate.B[r]!.toFixed(0)} rows/s (${d.invalid} invalid), C ${rate.C[r]!.toFixed(0)} rows/s (${h.invalid} invalid)`);
}
const A = median(rate.A);
const B = median(rate.B);
const C = median(rate.C);
console.log('');
console.log(`bare csv-parse (A):            ${A.toFixed(0)} rows/s (${((A * mb) / ROWS).toFixed(1)} MB/s)`);
console.log(`declarative lims-csv (B):      ${B.toFixed(0)} rows/s`);
console.log(`hand-written lims-csv (C):     ${C.toFixed(0)} rows/s`);
console.log(`B / A (target >= 0.60):        ${(B / A).toFixed(3)}`);
console.log(`B / C (target >= 0.70):        ${(B / C).toFixed(3)}`);
console.log(`peak RSS growth during B:      ${(peakGrowth / 2 ** 20).toFixed(0)} MiB (target < 150 MiB)`);
