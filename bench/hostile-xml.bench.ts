/**
 * Hostile XML benchmark (issue: hostile input contained).
 *
 * What the XML reader costs on the documents that used to stall a worker, against a flat document of
 * the same number of elements read in the same run (the baseline: the work any reader must do):
 *   D10k, D100k   10,000 / 100,000 nested elements, default limits: time to the coded error
 *                 (HUB_ERR_SOURCE_LIMIT_XML_DEPTH), against F10k / F100k, the flat document read whole.
 *   W30k          a 30,000-level webhook-sized body (~330 KB), time to the coded error.
 *   L20k..L100k   20,000 / 40,000 / 100,000 nested elements read WHOLE (the depth limit lifted past the
 *                 document) against the flat document of each size: reading is linear at any depth
 *                 when the ratio stays flat as the depth grows (quadratic resolution made it grow with
 *                 the depth: 2.2 s, 13.6 s and 201 s for these three before).
 *   S10M          one record of 10 million sibling elements (~60 MB): time and peak RSS growth to the
 *                 coded error (HUB_ERR_SOURCE_LIMIT_XML_RECORD), against F10M, the same elements as
 *                 10 million one-element records (peak RSS growth of reading them all).
 * Each measurement runs in a fresh process (this file with --child), so peak RSS is the process's own
 * high-water mark (VmHWM) and one run's garbage never weighs on the next; medians of --rounds.
 *
 * Run: npm run bench:xml [-- --rounds 3]
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import { readXml } from '../src/formats/xml-reader.ts';
import { DEFAULT_LIMITS, type XmlLimits } from '../src/formats/limits.ts';
import { machine, median } from './support.ts';

const { values: args } = parseArgs({ options: { rounds: { type: 'string', default: '3' }, child: { type: 'string' } } });

interface Measure {
  ms: number;
  /** Peak RSS growth over the RSS once the document is built, MB. */
  peakMb: number;
  outcome: string;
}

const NS = 'urn:example:lims:export:1';

function nestedDoc(depth: number): Buffer {
  return Buffer.from(`<l:LimsExport xmlns:l="${NS}"><l:LabCase number="1">${'<l:d>'.repeat(depth)}${'</l:d>'.repeat(depth)}</l:LabCase></l:LimsExport>`);
}

function flatDoc(elements: number): Buffer {
  return Buffer.from(`<l:LimsExport xmlns:l="${NS}"><l:LabCase number="1">${'<l:d></l:d>'.repeat(elements)}</l:LabCase></l:LimsExport>`);
}

function siblingsDoc(elements: number, asRecords: boolean): Buffer {
  const unit = Buffer.from(asRecords ? '<l:LabCase/>' : '<l:d/>');
  const head = Buffer.from(`<l:LimsExport xmlns:l="${NS}">${asRecords ? '' : '<l:LabCase number="1">'}`);
  const tail = Buffer.from(`${asRecords ? '' : '</l:LabCase>'}</l:LimsExport>`);
  const doc = Buffer.alloc(head.length + unit.length * elements + tail.length);
  head.copy(doc, 0);
  for (let i = 0; i < elements; i++) unit.copy(doc, head.length + i * unit.length);
  tail.copy(doc, head.length + unit.length * elements);
  return doc;
}

function hwmMb(): number {
  return Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))![1]) / 1024;
}

async function read(doc: Buffer, limits: XmlLimits): Promise<string> {
  const chunks: Buffer[] = [];
  for (let i = 0; i < doc.length; i += 256 * 1024) chunks.push(doc.subarray(i, i + 256 * 1024));
  let records = 0;
  let code = '';
  for await (const b of readXml(Readable.from(chunks), { record: '/l:LimsExport/l:LabCase', namespaces: { l: NS }, limits })) {
    for (const item of b.items) {
      if (item.format === 'failure') code = item.error.code;
      else records++;
    }
  }
  return code || `${records} record${records === 1 ? '' : 's'}`;
}

/** In the child: build the document, warm up, then time one read and take the peak RSS. */
async function child(scenario: string): Promise<Measure> {
  const lifted: XmlLimits = { maxDepth: 1_000_000, maxRecordBytes: 2 ** 31, maxRecordElements: 2 ** 31, maxAttributes: 2 ** 31 };
  const [kind, size] = [scenario.replace(/\d.*$/, ''), Number(scenario.replace(/^[A-Z]+/, '').replace('k', '000').replace('M', '000000'))];
  const plan: Record<string, () => [Buffer, XmlLimits]> = {
    D: () => [nestedDoc(size), DEFAULT_LIMITS.xml],
    W: () => [nestedDoc(size), DEFAULT_LIMITS.xml],
    F: () => [size >= 1_000_000 ? siblingsDoc(size, true) : flatDoc(size), size >= 1_000_000 ? DEFAULT_LIMITS.xml : lifted],
    L: () => [nestedDoc(size), lifted],
    S: () => [siblingsDoc(size, false), DEFAULT_LIMITS.xml],
  };
  const [doc, limits] = plan[kind]!();
  await read(nestedDoc(300), lifted); // warm up the reader's code paths
  await read(flatDoc(300), lifted);
  const before = hwmMb();
  const t = performance.now();
  const outcome = await read(doc, limits);
  const ms = performance.now() - t;
  return { ms, peakMb: Math.max(0, hwmMb() - before), outcome };
}

if (args.child) {
  process.stdout.write(JSON.stringify(await child(args.child)));
  process.exit(0);
}

const ROUNDS = Number(args.rounds);
const self = path.resolve(import.meta.dirname, 'hostile-xml.bench.ts');
const runTs = path.resolve(import.meta.dirname, '../bin/run-ts.js');

function measure(scenario: string): { ms: number; peakMb: number; outcome: string } {
  const runs: Measure[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    runs.push(JSON.parse(execFileSync(process.execPath, [runTs, self, '--child', scenario], { encoding: 'utf8', maxBuffer: 1 << 20 })) as Measure);
  }
  return { ms: median(runs.map((r) => r.ms)), peakMb: median(runs.map((r) => r.peakMb)), outcome: runs[0]!.outcome };
}

console.log(`machine: ${machine()}`);
console.log(`method: each figure the median of ${ROUNDS} fresh processes; time from the first byte to the end of reading (or the coded error); peak RSS = VmHWM growth during the read; default limits ${JSON.stringify(DEFAULT_LIMITS.xml)}`);
const row = (name: string, m: { ms: number; peakMb: number; outcome: string }, base?: { ms: number }): void =>
  console.log(`${name.padEnd(7)} ${m.ms.toFixed(1).padStart(9)} ms  peak +${m.peakMb.toFixed(0).padStart(4)} MB  ${m.outcome.padEnd(34)}${base ? `  ratio to baseline ${(m.ms / base.ms).toFixed(2)}` : ''}`);

for (const n of ['10k', '100k']) {
  const f = measure(`F${n}`);
  row(`F${n}`, f);
  row(`D${n}`, measure(`D${n}`), f);
}
row('W30k', measure('W30k'));
for (const n of ['20k', '40k', '100k']) {
  const f = measure(`F${n}`);
  row(`F${n}`, f);
  row(`L${n}`, measure(`L${n}`), f);
}
const f10m = measure('F10M');
row('F10M', f10m);
row('S10M', measure('S10M'), f10m);
