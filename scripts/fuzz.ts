/**
 * `npm run fuzz`: the long fuzz run of the readers and the mapping engine (the short one is part of
 * `npm test`, test/fuzz/fuzz.test.ts; the properties are in test/fuzz/targets.ts).
 *
 * Splits --cases (default 100,000) evenly over the targets (five readers, six shipped mappings) and
 * runs each in a worker process (scripts/fuzz-worker.ts). A case that fails a property is a crash: it
 * is reported with its seed and path (FUZZ_SEED=<seed> reproduces the run) and the target goes on
 * with the cases left. A case that does not finish within --timeout-ms is a hang: the worker is killed
 * and a new one goes on. A worker that dies (out of memory, stack overflow) is a crash too.
 * Prints cases, crashes, hangs and time per target and in total, and how many cases met each error
 * code (so a run that never crossed a limit shows); exits 1 if anything crashed or hung.
 *
 * Run: npm run fuzz [-- --cases 100000 --seed 42 --timeout-ms 10000]
 */
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { MAPPING_TARGETS, READER_SEEDS } from '../test/fuzz/targets.ts';
import type { FuzzDone, FuzzJob } from './fuzz-worker.ts';

const { values: args } = parseArgs({
  options: {
    cases: { type: 'string', default: '100000' },
    seed: { type: 'string' },
    'timeout-ms': { type: 'string', default: '10000' },
  },
});
const CASES = Number(args.cases);
const SEED = args.seed !== undefined ? Number(args.seed) : Math.floor(Math.random() * 2 ** 31);
const TIMEOUT_MS = Number(args['timeout-ms']);
const ROOT = path.resolve(import.meta.dirname, '..');

const targets = [...Object.keys(READER_SEEDS), ...MAPPING_TARGETS.map((t) => t.mapping)];
const perTarget = Math.ceil(CASES / targets.length);

interface Result {
  target: string;
  cases: number;
  crashes: { seed: number; path: string; error: string }[];
  hangs: number;
  ms: number;
  codes: Record<string, number>;
}

function worker(): Promise<ChildProcess> {
  const child = fork(path.join(ROOT, 'bin/run-ts.js'), [path.join(ROOT, 'scripts/fuzz-worker.ts')], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('message', () => resolve(child));
    child.once('exit', (code) => reject(new Error(`fuzz worker exited with ${code} before it was ready`)));
  });
}

/** Runs `runs` cases of a target in one worker; resolves with how it ended. */
async function runSome(target: string, runs: number, seed: number): Promise<{ ran: number; outcome: 'done' | 'hang' | 'died'; done?: FuzzDone; error?: string }> {
  const child = await worker();
  return new Promise((resolve) => {
    let ran = 0;
    let settled = false;
    const finish = (r: { ran: number; outcome: 'done' | 'hang' | 'died'; done?: FuzzDone; error?: string }): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (child.exitCode === null) child.kill('SIGKILL');
      resolve(r);
    };
    let timer = setTimeout(() => finish({ ran, outcome: 'hang' }), TIMEOUT_MS);
    child.on('message', (m: { type: string }) => {
      if (m.type === 'tick') {
        ran++;
        clearTimeout(timer);
        timer = setTimeout(() => finish({ ran, outcome: 'hang' }), TIMEOUT_MS);
      } else if (m.type === 'done') finish({ ran: (m as FuzzDone).runs, outcome: 'done', done: m as FuzzDone });
    });
    child.on('exit', (code, signal) => finish({ ran, outcome: 'died', error: `worker died (${signal ?? `exit ${code}`}) after ${ran} cases` }));
    child.send({ target, runs, seed } satisfies FuzzJob);
  });
}

async function fuzzTarget(target: string, index: number): Promise<Result> {
  const r: Result = { target, cases: 0, crashes: [], hangs: 0, ms: 0, codes: {} };
  const t0 = performance.now();
  let seed = SEED + index * 1_000_003;
  while (r.cases < perTarget) {
    const out = await runSome(target, perTarget - r.cases, seed);
    if (out.outcome === 'done') {
      r.cases += out.done!.runs;
      for (const [c, n] of Object.entries(out.done!.codes)) r.codes[c] = (r.codes[c] ?? 0) + n;
      if (out.done!.failure) r.crashes.push(out.done!.failure);
    } else {
      // The case that hung or killed the worker counts as run.
      r.cases += out.ran + 1;
      if (out.outcome === 'hang') r.hangs++;
      else r.crashes.push({ seed, path: `after ${out.ran} cases`, error: out.error ?? 'worker died' });
    }
    seed++;
  }
  r.ms = performance.now() - t0;
  return r;
}

console.log(`machine: ${os.cpus().length} x ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
console.log(`fuzz: ${CASES} cases over ${targets.length} targets (${perTarget} each), seed ${SEED}, hang after ${TIMEOUT_MS} ms without a finished case`);
const results: Result[] = [];
for (const [i, t] of targets.entries()) {
  const r = await fuzzTarget(t, i);
  results.push(r);
  console.log(`${t.padEnd(14)} cases ${String(r.cases).padStart(7)}  crashes ${r.crashes.length}  hangs ${r.hangs}  time ${(r.ms / 1000).toFixed(1)} s`);
  const met = Object.entries(r.codes).sort((a, b) => b[1] - a[1]);
  console.log(`  codes met (cases): ${met.map(([c, n]) => `${c.replace('HUB_ERR_', '')} ${n}`).join(', ') || 'none'}`);
  for (const c of r.crashes) console.log(`  crash: seed ${c.seed} path ${c.path}: ${c.error}`);
}
const total = results.reduce((a, r) => ({ cases: a.cases + r.cases, crashes: a.crashes + r.crashes.length, hangs: a.hangs + r.hangs, ms: a.ms + r.ms }), { cases: 0, crashes: 0, hangs: 0, ms: 0 });
console.log(`total          cases ${String(total.cases).padStart(7)}  crashes ${total.crashes}  hangs ${total.hangs}  time ${(total.ms / 1000).toFixed(1)} s`);
process.exit(total.crashes || total.hangs ? 1 : 0);
