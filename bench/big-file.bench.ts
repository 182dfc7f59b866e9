/**
 * Large files through `cgic map`: peak RSS growth and rows/s at a given size, to show memory stays flat
 * and the cost linear as a file grows (run it at 100 MB and at 1000 MB and compare the lines).
 *
 * Method: per kind, a generated export of about `--mb` megabytes (kept under bench/data, git-ignored);
 * `node bin/cgic.js map -m <mapping> -q <file>` in a child process whose RSS (VmRSS) is sampled every
 * 20 ms; the growth is its peak minus the peak of the same command on a 200-row file of the same kind
 * (the process's own start-up footprint), measured just before.
 *
 * `--via hub`: the same file through a running hub instead (PostgreSQL store, Redis): an API hub in this
 * process and one worker process (`cgic start --role worker`), whose RSS is sampled; the file is dropped
 * in a directory connector's folder and polled, and the run ends when its transfer has finished. The
 * agencies have no destinations, so what is measured is reading, mapping and storing (deliveries are
 * the pipeline benchmark's). Growth = the worker's peak on the big file minus its peak on the 200-row
 * file, both through the same worker, the small one first.
 *
 * `--max-minutes N` (hub only) stops measuring a transfer after N minutes and reports the rows it had read:
 * a 1 GB CSV makes 13 million upserts, which the store takes over an hour to write on 2 cores.
 *
 * Run: node bin/run-ts.js bench/big-file.bench.ts [--mb 100 --kinds lims-csv,lims-xml,ndex-xml,nibrs-xml --via map|hub --max-minutes 0]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, createWriteStream, existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { Queue } from 'bullmq';
import { Hub } from '../src/runtime/hub.ts';
import { dropQueues, freshDatabase, REDIS_URL } from '../test/support/hub-harness.ts';
import { generate } from '../src/generate/index.ts';
import type { GeneratorKind } from '../src/generate/index.ts';
import { DATA_DIR, load, machine, rssOf, writeBenchConfig } from './support.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const { values: args } = parseArgs({ options: { mb: { type: 'string', default: '100' }, kinds: { type: 'string', default: 'lims-csv,lims-xml' }, via: { type: 'string', default: 'map' }, 'max-minutes': { type: 'string', default: '0' } } });
const MB = Number(args.mb);
const VIA = args.via;
/** With --via hub: stop measuring a transfer after this long (0: wait for it to finish), and say how far it got. */
const MAX_MS = Number(args['max-minutes']) * 60_000;
if (VIA !== 'map' && VIA !== 'hub') throw new Error(`--via is map or hub, not ${VIA}`);

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

async function mapFile(mapping: string, file: string): Promise<Run> {
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

interface Run {
  seconds: number;
  peak: number;
  summary: string;
  /** Rows read when measuring stopped before the end (--max-minutes). */
  rows?: number;
}

/** A hub (API here, one worker process) reading files dropped in a directory connector's folder. */
class HubUnderTest {
  /** A transfer was left running (--max-minutes): the worker is killed, not asked to finish it. */
  private cut = false;

  private constructor(
    readonly dir: string,
    private readonly api: Hub,
    private readonly worker: ChildProcess,
    private readonly prefix: string,
    private readonly drop: () => Promise<void>,
  ) {}

  static async start(mapping: string): Promise<HubUnderTest> {
    const dir = path.join(os.tmpdir(), `cgic-bigfile-${process.pid}`);
    rmSync(dir, { recursive: true, force: true });
    const configFile = writeBenchConfig(dir, { id: 'in', mapping }, false);
    const db = await freshDatabase();
    const prefix = `cgic-bigfile-${process.pid}`;
    const api = await Hub.start({ configFile, roles: ['api'], redisUrl: REDIS_URL, databaseUrl: db.url, queuePrefix: prefix, port: 0, logger: pino({ level: 'warn' }) });
    const worker = spawn(process.execPath, [path.join(ROOT, 'bin/cgic.js'), 'start', '--config', configFile, '--role', 'worker'], {
      env: { ...process.env, REDIS_URL, DATABASE_URL: db.url, CGIC_QUEUE_PREFIX: prefix, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const queue = new Queue('transfers', { connection: { url: REDIS_URL }, prefix });
    const ready = Date.now() + 60_000;
    while ((await queue.getWorkers()).length < 1) {
      if (Date.now() > ready) throw new Error('the worker process did not come up in 60 s');
      await new Promise((r) => setTimeout(r, 200));
    }
    await queue.close();
    return new HubUnderTest(dir, api, worker, prefix, () => db.drop());
  }

  /** Drop `file` in the folder, poll, and wait for its transfer to finish, sampling the worker's RSS. */
  async transfer(file: string): Promise<Run> {
    copyFileSync(file, path.join(this.dir, 'in', path.basename(file)));
    let peak = 0;
    const timer = setInterval(() => (peak = Math.max(peak, rssOf(this.worker.pid!))), 20);
    const t = performance.now();
    const { pollId } = await this.api.pollConnector('in', { trigger: 'manual' });
    const poll = await this.api.pollStatus(pollId, 60_000);
    const id = poll.transferIds[0];
    if (!id) throw new Error(`the poll found nothing to read (${JSON.stringify(poll)})`);
    let tr = await this.api.store.getTransfer(id);
    while (tr && ['queued', 'running'].includes(tr.status) && !(MAX_MS && performance.now() - t > MAX_MS)) {
      await new Promise((r) => setTimeout(r, 200));
      tr = await this.api.store.getTransfer(id);
    }
    clearInterval(timer);
    const c = tr!.counts;
    const cut = ['queued', 'running'].includes(tr!.status);
    if (cut) this.cut = true;
    return {
      seconds: (performance.now() - t) / 1000,
      peak,
      rows: cut ? c.read : undefined,
      summary: `transfer ${cut ? `still running when measuring stopped at ${args['max-minutes']} min` : tr!.status}: read ${c.read}, mapped ${c.mapped}, invalid ${c.invalid}, ${c.stored} records stored`,
    };
  }

  async stop(): Promise<void> {
    this.worker.kill(this.cut ? 'SIGKILL' : 'SIGTERM');
    if (this.worker.exitCode === null) await once(this.worker, 'exit');
    await this.api.stop();
    await dropQueues(this.prefix);
    await this.drop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

const mib = (b: number): string => `${(b / 2 ** 20).toFixed(0)} MiB`;
console.log(`machine: ${machine()}`);
console.log(
  VIA === 'map'
    ? `method: cgic map -q on a generated file of about ${MB} MB in a child process, RSS sampled every 20 ms; growth = peak minus the peak on a 200-row file`
    : `method: a generated file of about ${MB} MB through a running hub (PostgreSQL 15, Redis; an API hub and one worker process, agencies without destinations), the worker's RSS sampled every 20 ms; growth = its peak minus its peak on a 200-row file`,
);
for (const kind of args.kinds.split(',')) {
  const { mapping } = KINDS[kind] ?? (() => { throw new Error(`unknown kind ${kind} (${Object.keys(KINDS).join(', ')})`); })();
  const smallFile = await generated(kind, 200);
  const { file, rows } = await fileOfSize(kind, MB);
  let small: Run;
  let big: Run;
  if (VIA === 'map') {
    small = await mapFile(mapping, smallFile);
    big = await mapFile(mapping, file);
  } else {
    const hub = await HubUnderTest.start(mapping);
    try {
      small = await hub.transfer(smallFile);
      big = await hub.transfer(file);
    } finally {
      await hub.stop();
    }
  }
  console.log(
    `${kind} (${mapping}) via ${VIA}: ${(statSync(file).size / 1e6).toFixed(0)} MB, ${big.rows === undefined ? rows : `the first ${big.rows} of ${rows}`} generated rows/records in ${big.seconds.toFixed(1)} s: ${((big.rows ?? rows) / big.seconds).toFixed(0)} rows/s; ` +
      `peak RSS ${mib(big.peak)}, growth ${mib(big.peak - small.peak)} over the 200-row run's ${mib(small.peak)} (target growth <= 150 MiB) (${load()})`,
  );
  if (big.summary) console.log(`  ${VIA === 'map' ? 'cgic map said: ' : ''}${big.summary}`);
}
process.exit(0);
