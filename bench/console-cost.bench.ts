/**
 * What the console costs the pipeline: the webhook -> delivered latency of the README demo's hub with
 * no console open, then with a headless Chromium holding the console open on its live screens (the
 * overview and the transfers list, re-reading as things change), alternating closed and open phases in
 * the same run and process. Each phase sends signed LIMS webhooks (one row each, its own lab case, agency case and NIBIN acquisition: a shooting per request, as a lab sends them) at a fixed rate to
 * the demo's `lab-lims-hook` and times each until Hartford's RMS endpoint (a local HTTP server)
 * receives its records. Printed: p50/p99 per phase, then pooled: p99(open) - p99(closed). An open phase
 * starts 3 s after both pages show (see SETTLE_MS): Chromium runs on the hub's own machine here, and
 * its page load is not the console being open.
 * The goal: at most 50 ms.
 *
 * The browser runs in its own process (console-viewer.ts), as an operator's would, so its driver's work
 * and garbage collection are not counted as the hub's.
 *
 * Needs Redis and PostgreSQL on localhost (as the tests do) and Chromium (/usr/bin/chromium).
 * Run: npm run bench:console [-- --rate 20 --seconds 20 --rounds 4]
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DEMO_KEYS, startDemoHub, type DemoHub } from '../test/support/console-demo.ts';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { limsShooting, machine, percentile, postSigned } from './support.ts';

const { values: args } = parseArgs({ options: { rate: { type: 'string', default: '20' }, seconds: { type: 'string', default: '20' }, rounds: { type: 'string', default: '4' } } });
const RATE = Number(args.rate);
const SECONDS = Number(args.seconds);
const ROUNDS = Number(args.rounds);
const SETTLE_MS = 3000;

async function phase(demo: DemoHub, name: string, tag: string, secret: string): Promise<number[]> {
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  demo.rms.answer = (req) => {
    const now = Date.now();
    if (!req.body.startsWith('{')) return 200; // the destination's check
    const body = JSON.parse(req.body) as { records?: { type: string; labCaseNumber?: string }[] };
    for (const rec of body.records ?? []) {
      if (rec.type === 'EvidenceItem' && rec.labCaseNumber && sentAt.has(rec.labCaseNumber)) {
        latencies.push(now - sentAt.get(rec.labCaseNumber)!);
        sentAt.delete(rec.labCaseNumber);
      }
    }
    return 200;
  };
  const total = RATE * SECONDS;
  const start = performance.now();
  const posts: Promise<unknown>[] = [];
  for (let i = 0; i < total; i++) {
    const wait = start + (i * 1000) / RATE - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const lab = `${tag}${String(i).padStart(6, '0')}`;
    sentAt.set(lab, Date.now());
    posts.push(
      postSigned(`${demo.url}/hooks/lab-lims-hook`, secret, limsShooting(lab), 'text/csv').then((r) => {
        if (r.status !== 202) throw new Error(`webhook answered ${r.status}`);
      }),
    );
  }
  await Promise.all(posts);
  const deadline = Date.now() + 60_000;
  while (sentAt.size && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  const s = [...latencies].sort((a, b) => a - b);
  console.log(`  ${name.padEnd(14)} ${s.length}/${total} delivered: p50 ${percentile(s, 50)} ms, p99 ${percentile(s, 99)} ms, max ${s[s.length - 1]} ms`);
  return s;
}

console.log(`console cost benchmark: ${machine()}`);
console.log(`method: ${RATE} signed webhooks/s for ${SECONDS} s per phase, webhook sent -> records received by Hartford's endpoint; after a warm-up, ${ROUNDS} rounds of (console closed, console open on the overview and the transfers list) in one run`);
const demo = await startDemoHub({ hartfordApi: true });
const secret = readFileSync(path.join(demo.dir, 'demo-webhook.secret'), 'utf8').trim();
let viewer: ChildProcess | null = null;
/** The console open in its own process (console-viewer.ts); resolves once both pages are live. */
async function openConsole(): Promise<void> {
  viewer = spawn(process.execPath, [path.resolve(import.meta.dirname, '../bin/run-ts.js'), path.resolve(import.meta.dirname, 'console-viewer.ts'), demo.url, DEMO_KEYS.admin], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: viewer.stdout! });
  const exited = once(viewer, 'exit').then(([code]) => {
    throw new Error(`the console viewer exited (${code}) before it was live`);
  });
  await Promise.race([once(lines, 'line'), exited]);
  exited.catch(() => {});
}
async function closeConsole(): Promise<void> {
  if (!viewer) return;
  const v = viewer;
  viewer = null;
  v.stdin!.end();
  if (v.exitCode === null) await once(v, 'exit');
}
try {
  // Warm-up (not counted): connections, compiled paths, the first queue jobs.
  demo.rms.answer = () => 200;
  await phase(demo, 'warm-up', 'LW', secret);
  // Closed and open phases alternate, so a neighbour's load on a shared machine falls on both.
  const closed: number[] = [];
  const open: number[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    closed.push(...(await phase(demo, `closed ${round}`, `LC${round}`, secret)));
    await openConsole();
    // Opening the pages (Chromium loading and laying out the console, on this machine's two cores
    // beside the hub) is a one-off that an operator's own computer pays; the phase measures the
    // console open and live, re-reading as things change, from SETTLE_MS after both pages show.
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    open.push(...(await phase(demo, `open ${round}`, `LO${round}`, secret)));
    await closeConsole();
  }
  const p = (xs: number[], q: number): number => percentile([...xs].sort((x, y) => x - y), q);
  console.log(`
console closed: ${closed.length} deliveries, p50 ${p(closed, 50)} ms, p99 ${p(closed, 99)} ms`);
  console.log(`console open:   ${open.length} deliveries, p50 ${p(open, 50)} ms, p99 ${p(open, 99)} ms`);
  console.log(`the console adds ${p(open, 99) - p(closed, 99)} ms to the p99 (goal: at most 50 ms)`);
} finally {
  await closeConsole();
  await demo.stop();
}
process.exit(0);
