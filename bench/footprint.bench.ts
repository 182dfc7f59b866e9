/**
 * Footprint benchmark: the memory of a hub started as `npm start` starts it.
 *
 * Method: `node bin/cgic.js start` with the bundled configuration (config/cgic.yaml, copied with its
 * data folder, drop folders and port moved to a scratch directory, and a queue prefix of its own on
 * the Redis at REDIS_URL), in a child process whose RSS (VmRSS of /proc/<pid>/status), plus that of any
 * process it started (the embedded store creates its database in one), is sampled every 20 ms: the peak from spawn until `/readyz` answers 200 (starting), then the RSS after `--idle` seconds
 * (idle). Run on the embedded store (PGlite, a fresh data folder: the first start, which copies the
 * database template `npm install` made) and again on that same folder (a restart), and on PostgreSQL
 * (a fresh database). The template's own making (`npm install`'s postinstall step, PGlite's initdb) is
 * measured first, the same way, in a scratch folder.
 *
 * Run: npm run bench:footprint [-- --idle 60 --store pglite,postgres]
 */
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { parse, stringify } from 'yaml';
import { defaultTemplatesDir, prepareTemplate } from '../src/store/pglite-template.ts';
import { dropQueues, freshDatabase, REDIS_URL } from '../test/support/hub-harness.ts';
import { load, machine, treeRssOf } from './support.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const { values: args } = parseArgs({ options: { idle: { type: 'string', default: '60' }, store: { type: 'string', default: 'pglite,postgres' } } });
const IDLE_S = Number(args.idle);

const mib = (b: number): string => `${(b / 2 ** 20).toFixed(0)} MiB`;

/** The bundled configuration, its folders moved under `dir`, listening on `port`. */
function scratchConfig(dir: string, port: number): string {
  const cfg = parse(readFileSync(path.join(ROOT, 'config/cgic.yaml'), 'utf8')) as Record<string, any>;
  cfg.hub.dataDir = path.join(dir, 'var');
  cfg.hub.api.port = port;
  const move = (p: string): string => {
    const to = path.join(dir, p);
    mkdirSync(to, { recursive: true });
    return to;
  };
  for (const a of cfg.agencies ?? []) for (const d of a.destinations ?? []) if (typeof d.options?.path === 'string') d.options.path = move(d.options.path);
  for (const c of cfg.connectors ?? []) if (typeof c.options?.path === 'string') c.options.path = move(c.options.path);
  for (const f of ['demo-audit.key', 'demo-webhook.secret']) copyFileSync(path.join(ROOT, 'config', f), path.join(dir, f));
  const file = path.join(dir, 'cgic.yaml');
  writeFileSync(file, stringify(cfg));
  return file;
}

interface Footprint {
  startMs: number;
  peakStarting: number;
  idle: number;
  peakIdle: number;
}

/** `node args` in a child process, its RSS (with its own child processes) sampled every 20 ms from now. */
function sampled(args: string[], env: NodeJS.ProcessEnv = process.env) {
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  let peak = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, treeRssOf(child.pid!))), 20);
  return {
    child,
    exited,
    stderr: () => stderr,
    peak: () => peak,
    stopSampling: () => clearInterval(sampler),
  };
}

/** Peak RSS (with its child processes) of `args` run to its end by this Node, and how long it took. */
async function peakOfRun(args: string[]): Promise<{ ms: number; peak: number }> {
  const run = sampled(args);
  const t0 = performance.now();
  const code = await run.exited;
  run.stopSampling();
  if (code !== 0) throw new Error(`${args.join(' ')} exited with ${code}: ${run.stderr()}`);
  return { ms: performance.now() - t0, peak: run.peak() };
}

async function measure(configFile: string, env: NodeJS.ProcessEnv, port: number): Promise<Footprint> {
  const hub = sampled([path.join(ROOT, 'bin/cgic.js'), 'start', '-c', configFile], env);
  const { child } = hub;
  const t0 = performance.now();
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`the hub exited with ${child.exitCode}: ${hub.stderr()}`);
      const ok = await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.status === 200, () => false);
      if (ok) break;
      if (performance.now() - t0 > 120_000) throw new Error(`the hub was not ready after 120 s: ${hub.stderr()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const startMs = performance.now() - t0;
    const peakStarting = hub.peak();
    await new Promise((r) => setTimeout(r, IDLE_S * 1000));
    return { startMs, peakStarting, idle: treeRssOf(child.pid!), peakIdle: hub.peak() };
  } finally {
    hub.stopSampling();
    child.kill('SIGTERM');
    const t = setTimeout(() => child.kill('SIGKILL'), 20_000);
    await hub.exited;
    clearTimeout(t);
  }
}

function freePort(): number {
  return 20_000 + ((process.pid * 7 + Math.floor(Math.random() * 5000)) % 30_000);
}

console.log(`machine: ${machine()}`);
console.log(`method: node bin/cgic.js start on the bundled configuration in a child process, RSS (with its child processes) sampled every 20 ms: peak until /readyz answers, then after ${IDLE_S} s idle`);
for (const store of args.store.split(',')) {
  const dir = path.join(os.tmpdir(), `cgic-footprint-${process.pid}-${store}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const prefix = `cgic-footprint-${process.pid}`;
  const db = store === 'postgres' ? await freshDatabase() : undefined;
  const env: NodeJS.ProcessEnv = { ...process.env, REDIS_URL, CGIC_QUEUE_PREFIX: prefix, LOG_LEVEL: 'warn' };
  if (db) env.DATABASE_URL = db.url;
  else delete env.DATABASE_URL;
  try {
    if (store === 'pglite') {
      const scratch = path.join(dir, 'templates');
      const t = await peakOfRun([path.join(ROOT, 'bin/run-ts.js'), path.join(ROOT, 'scripts/prepare-store-template.ts'), '--dir', scratch]);
      console.log(`pglite, making the database template (npm install's postinstall step, once per install): ${(t.ms / 1000).toFixed(1)} s; peak RSS ${mib(t.peak)} (${load()})`);
      // The template the hub's first start copies: npm install made it; made here if it is missing.
      const templates = defaultTemplatesDir();
      if (templates) await prepareTemplate(templates);
    }
    const runs = store === 'pglite' ? ['first start (copies the database template)', 'restart on the same data folder'] : ['start (fresh database)'];
    for (const run of runs) {
      const port = freePort();
      const f = await measure(scratchConfig(dir, port), env, port);
      const limits = store === 'pglite' ? '(targets: starting <= 400 MiB, idle <= 250 MiB)' : '(target: idle <= 150 MiB)';
      console.log(`${store}, ${run}: ready in ${(f.startMs / 1000).toFixed(1)} s; peak RSS while starting ${mib(f.peakStarting)}, RSS after ${IDLE_S} s idle ${mib(f.idle)} (peak ${mib(f.peakIdle)}) ${limits} (${load()})`);
      await dropQueues(prefix);
    }
  } finally {
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}
process.exit(0);
