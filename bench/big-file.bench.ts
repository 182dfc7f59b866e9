/**
 * Large files through `cgic map`: peak RSS growth and rows/s at a given size, to show memory stays flat
 * and the cost linear as a file grows (run it at 100 MB and at 1000 MB and compare the lines).
 *
 * Method: per kind, a generated export of about `--mb` megabytes (kept under bench/data, git-ignored);
 * `node bin/cgic.js map -m <mapping> -q <file>` in a child process whose RSS (VmRSS) is sampled every
 * 20 ms; the growth is its peak minus the peak of the same command on a 200-row file of the same kind
 * (the process's own start-up footprint), measured just before.
 *
 * Run: node bin/run-ts.js bench/big-file.bench.ts [--mb 100 --kinds lims-csv,lims-xml,ndex-xml,nibrs-xml]
 */
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, statSync } from 'node:fs';
import { once } from 'node:events';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { generate } from '../src/generate/index.ts';
import type { GeneratorKind } from '../src/generate/index.ts';
import { DATA_DIR, load, machine, rssOf } from './support.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const { values: args } = parseArgs({ options: { mb: { type: 'string', default: '100' }, kinds: { type: 'string', default: 'lims-csv,lims-xml' } } });
const MB = Number(args.mb);

/** The generator kind, the mapping that reads it, the file's extension. */
const KINDS: Record<string, { mapping: string; ext: string }> = {
  'lims-csv': { mapping: 'lims-csv', ext: 'csv' },
  'lims-xml': { mapping: 'lims-xml', ext: 'xml' },
  'ndex-xml': { mapping: 'ndex-2.1-lexs', ext: 'xml' },
  'nibrs-xml': { mapping: 'nibrs-2019', ext: 'xml' },
};

async function generated(kind: string, rows: number): Promise<string> {
  mkdirSync(DATA_DIR, { recursive: true });
  const file = path.join(DATA_DIR, `${kind}-${rows}.${KINDS[kind]!.ext}`);
  if (!existsSync(file)) {
    const out = createWriteStream(file);
    await generate(kind as GeneratorKind, { rows, seed: 5 }, out);
    out.end();
    await once(out, 'finish');
  }
  return file;
}

/** A file of about `mb` MB: the row count scaled from a sample of 2,000. */
async function fileOfSize(kind: string, mb: number): Promise<{ file: string; rows: number }> {
  const sample = await generated(kind, 2000);
  const rows = Math.max(200, Math.round((2000 * mb * 1e6) / statSync(sample).size));
  return { file: await generated(kind, rows), rows };
}

async function mapFile(mapping: string, file: string): Promise<{ seconds: number; peak: number; summary: string }> {
  const child = spawn(process.execPath, [path.join(ROOT, 'bin/cgic.js'), 'map', '-m', mapping, '-q', file], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
  let peak = 0;
  const timer = setInterval(() => (peak = Math.max(peak, rssOf(child.pid!))), 20);
  const t = performance.now();
  await once(child, 'exit');
  clearInterval(timer);
  const summary = stderr.trim().split('\n').filter((l) => /rows|records|read/i.test(l)).slice(-2).join(' | ');
  return { seconds: (performance.now() - t) / 1000, peak, summary };
}

const mib = (b: number): string => `${(b / 2 ** 20).toFixed(0)} MiB`;
console.log(`machine: ${machine()}`);
console.log(`method: cgic map -q on a generated file of about ${MB} MB in a child process, RSS sampled every 20 ms; growth = peak minus the peak on a 200-row file`);
for (const kind of args.kinds.split(',')) {
  const { mapping } = KINDS[kind] ?? (() => { throw new Error(`unknown kind ${kind} (${Object.keys(KINDS).join(', ')})`); })();
  const small = await mapFile(mapping, await generated(kind, 200));
  const { file, rows } = await fileOfSize(kind, MB);
  const big = await mapFile(mapping, file);
  console.log(
    `${kind} (${mapping}): ${(statSync(file).size / 1e6).toFixed(0)} MB, ${rows} generated rows/records in ${big.seconds.toFixed(1)} s: ${(rows / big.seconds).toFixed(0)} rows/s; ` +
      `peak RSS ${mib(big.peak)}, growth ${mib(big.peak - small.peak)} over the 200-row run's ${mib(small.peak)} (target growth <= 150 MiB) (${load()})`,
  );
  if (big.summary) console.log(`  cgic map said: ${big.summary}`);
}
process.exit(0);
