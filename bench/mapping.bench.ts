/**
 * Mapping benchmark (issue: the foundation).
 *
 * On a generated LIMS CSV of >= 200 MB (bench/data, made once, git-ignored), in one process, three runs
 * interleaved, each repeated (median of 3):
 *   A. bare csv-parse over the file (the baseline: bytes -> string arrays, nothing else);
 *   B. parse -> map -> validate with the shipped declarative mapping lims-csv (decode Windows-1252, parse,
 *      five record types per row, NCIC lookups, dates, natural keys, ids, canonical validation);
 *   C. the same with the mapping hand-written in TypeScript (bench/lims-csv.handwritten.ts).
 *   F. the floor under any mapping: bare csv-parse, and for each row only what every implementation must
 *      still do with that row's canonical records once they exist: natural key, id and schema validation
 *      (the records are those B made of the first 5,000 rows, reused in turn; no field is mapped). F / A
 *      is the most B / A could reach if mapping itself cost nothing.
 *   R. the reader B and C use, without mapping: Windows-1252 decoding, csv-parse, row and line numbers,
 *      batches. What B must do before any field is mapped.
 * Reports rows/s, B/A, B/C, F/A, R/A, peak RSS growth during B, and the time per row the mapping itself
 * takes against the time it could take for B/A to reach 0.60 (both derived from the medians: mapping =
 * B - R - (F - A) per row; budget = A / 0.60 - R - (F - A) per row). Before timing, B and C are checked to give
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
import { naturalKey, recordId } from '../src/canonical/keys.ts';
import { validateRecord } from '../src/canonical/validator.ts';
import { limsFile, machine, median, RssSampler } from './support.ts';
import { limitHeapGrowth } from '../src/runtime/heap.ts';

// As bin/cgic.js does, so the memory measured is the hub's (src/runtime/heap.ts).
const heapGrowth = limitHeapGrowth().percent;

const { values: args } = parseArgs({ options: { rows: { type: 'string', default: '810000' }, rounds: { type: 'string', default: '3' } } });
const ROWS = Number(args.rows);
const ROUNDS = Number(args.rounds);

console.log(`machine: ${machine()}`);
const file = await limsFile(ROWS, 7);
const mb = statSync(file).size / 1e6;
console.log(`input: ${file}, ${mb.toFixed(1)} MB, ${ROWS} rows (Windows-1252, CRLF, ~1% bad rows)`);
console.log(`method: ${ROUNDS} rounds of A (bare csv-parse), B (declarative lims-csv: parse+map+validate), C (hand-written lims-csv: parse+map+validate), F (csv-parse + key, id and validation of ready records), R (B's reader: decode + csv-parse + row/line numbers, no mapping), interleaved; medians; RSS sampled every 20 ms; V8 heap growth ${heapGrowth === null ? "V8's own policy (as set)" : `limited to ${heapGrowth}% past the live size, as cgic runs`}`);

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
  let yielded = 0;
  let lastRow = 0;
  for await (const b of mapStream(mapping, createReadStream(file, { highWaterMark: HW }), s, { file: 'lims.csv', receivedAt: '2026-01-01T00:00:00.000Z' })) {
    yielded += b.rows;
    // Group records by source row for the comparison.
    for (const r of b.records) {
      const pr = r.sourceRefs[0]!.pointer!.row!;
      if (keep && pr !== lastRow) keep[pr] = [];
      keep?.[pr]!.push(r);
      lastRow = pr;
    }
    // A batch's last rows may hand their records to the next batch (a run of rows restating one record
    // stays in one chunk): every row up to the limit is complete once a record past it has been seen.
    if (yielded >= limit && lastRow > limit) break;
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

/** R: the reader B and C use (decoding, csv-parse with row and line numbers, batches), no mapping. */
async function reader(): Promise<number> {
  let n = 0;
  for await (const b of readCsv(createReadStream(file, { highWaterMark: HW }), { encoding: 'windows-1252', file: 'lims.csv' })) n += b.items.length;
  return n;
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

// F: the records B made, by row, reused in turn (a row that was invalid reuses none).
const ready = a.filter((recs) => recs !== undefined);
async function floor(): Promise<number> {
  let n = 0;
  let used = 0;
  const last = new Map<string, { key: string; id: string }>();
  const p = createReadStream(file, { highWaterMark: HW }).pipe(new Parser({}));
  for await (const _ of p) {
    if (n++ === 0) continue; // header
    const recs = ready[n % ready.length]!;
    for (const r of recs) {
      const k = naturalKey(r);
      if (!k.ok) throw new Error('floor: a ready record has no key');
      const l = last.get(r.type);
      if (l?.key !== k.key) last.set(r.type, { key: k.key, id: recordId(r.type, k.key) }); // as B: id of the last key kept
      if (validateRecord(r).length) throw new Error('floor: a ready record is invalid');
      used++;
    }
  }
  if (used === 0) throw new Error('floor: no records');
  return n - 1;
}

const rate = { A: [] as number[], B: [] as number[], C: [] as number[], F: [] as number[], R: [] as number[] };
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
  t = performance.now();
  const f = await floor();
  rate.F.push(f / ((performance.now() - t) / 1000));
  t = performance.now();
  const rd = await reader();
  rate.R.push(rd / ((performance.now() - t) / 1000));
  console.log(`round ${r + 1}: A ${rate.A[r]!.toFixed(0)} rows/s, B ${rate.B[r]!.toFixed(0)} rows/s (${d.invalid} invalid), C ${rate.C[r]!.toFixed(0)} rows/s (${h.invalid} invalid), F ${rate.F[r]!.toFixed(0)} rows/s, R ${rate.R[r]!.toFixed(0)} rows/s`);
}
const A = median(rate.A);
const B = median(rate.B);
const C = median(rate.C);
const F = median(rate.F);
const R = median(rate.R);
// Time per row in µs, from the medians.
const us = (rows_s: number): number => 1e6 / rows_s;
const mappingUs = us(B) - us(R) - (us(F) - us(A));
const budgetUs = us(A) / 0.6 - us(R) - (us(F) - us(A));
console.log('');
console.log(`bare csv-parse (A):            ${A.toFixed(0)} rows/s (${((A * mb) / ROWS).toFixed(1)} MB/s)`);
console.log(`declarative lims-csv (B):      ${B.toFixed(0)} rows/s`);
console.log(`hand-written lims-csv (C):     ${C.toFixed(0)} rows/s`);
console.log(`B / A (target >= 0.60):        ${(B / A).toFixed(3)}`);
console.log(`B / C (target >= 0.70):        ${(B / C).toFixed(3)}`);
console.log(`floor: key+id+validate only (F): ${F.toFixed(0)} rows/s; F / A = ${(F / A).toFixed(3)}, the most B / A can be when mapping costs nothing`);
console.log(`reader alone (R):              ${R.toFixed(0)} rows/s; R / A = ${(R / A).toFixed(3)}`);
console.log(`per row: A ${us(A).toFixed(1)} µs, R ${us(R).toFixed(1)} µs, key+id+validate ${(us(F) - us(A)).toFixed(1)} µs, B ${us(B).toFixed(1)} µs`);
console.log(`mapping itself (B - R - key/id/validate): ${mappingUs.toFixed(1)} µs/row; for B / A >= 0.60 it could take at most ${budgetUs.toFixed(1)} µs/row`);
console.log(`ceiling, mapping free: A / (R + key/id/validate) = ${(us(A) / (us(R) + us(F) - us(A))).toFixed(3)}`);
console.log(`peak RSS growth during B:      ${(peakGrowth / 1e6).toFixed(0)} MB = ${(peakGrowth / 2 ** 20).toFixed(0)} MiB (target < 150 MB)`);
