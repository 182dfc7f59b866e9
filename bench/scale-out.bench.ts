/**
 * Scale-out benchmark: the same export through 1, 2 and 4 worker processes on one PostgreSQL.
 *
 * Method: a generated LIMS CSV of `--rows` rows, cut into `--files` files on row boundaries (a backfill
 * arrives as many files; one file is one transfer, which one worker reads from start to end, so workers
 * share the work file by file). Per run: a fresh database, an API-only hub in this process (it migrates
 * the store and runs the poll), and N child processes `cgic start --role worker` on the same Redis
 * prefix and database; the files are dropped at once and polled; the run lasts until every transfer is
 * finished and every delivery written to the agency folders. Meanwhile pg_stat_activity is sampled every
 * 100 ms for the hub's connections: the lock-wait share is the samples waiting on a lock
 * (wait_event_type = 'Lock') over the samples busy in a statement or a transaction.
 *
 * Run: node bin/run-ts.js bench/scale-out.bench.ts [--rows 60000 --files 12 --workers 1,2,4]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import pino from 'pino';
import { Queue } from 'bullmq';
import { Hub } from '../src/runtime/hub.ts';
import { dropQueues, freshDatabase, REDIS_URL } from '../test/support/hub-harness.ts';
import { limsFile, load, machine, writeBenchConfig } from './support.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const { values: args } = parseArgs({ options: { rows: { type: 'string', default: '60000' }, files: { type: 'string', default: '12' }, workers: { type: 'string', default: '1,2,4' } } });
const ROWS = Number(args.rows);
const FILES = Number(args.files);

/** The export cut into `n` files on row boundaries, each with the header; windows-1252 bytes kept as they are. */
function split(file: string, n: number): Buffer[] {
  const text = readFileSync(file, 'latin1');
  const lines = text.split('\r\n');
  const header = lines.shift()!;
  if (lines.at(-1) === '') lines.pop();
  const per = Math.ceil(lines.length / n);
  const out: Buffer[] = [];
  for (let i = 0; i < lines.length; i += per) out.push(Buffer.from(`${header}\r\n${lines.slice(i, i + per).join('\r\n')}\r\n`, 'latin1'));
  return out;
}

async function run(workers: number, parts: readonly Buffer[]): Promise<void> {
  const dir = path.join(os.tmpdir(), `cgic-scale-${process.pid}-${workers}`);
  rmSync(dir, { recursive: true, force: true });
  const configFile = writeBenchConfig(dir, { id: 'lims', mapping: 'lims-csv' }, true);
  const db = await freshDatabase();
  const prefix = `cgic-scale-${process.pid}-${workers}`;
  const api = await Hub.start({ configFile, roles: ['api'], redisUrl: REDIS_URL, databaseUrl: db.url, queuePrefix: prefix, port: 0, logger: pino({ level: 'warn' }) });
  const children: ChildProcess[] = [];
  const monitor = new pg.Client({ connectionString: db.url });
  await monitor.connect();
  const transfersQueue = new Queue('transfers', { connection: { url: REDIS_URL }, prefix });
  try {
    for (let i = 0; i < workers; i++) {
      const child = spawn(process.execPath, [path.join(ROOT, 'bin/cgic.js'), 'start', '--config', configFile, '--role', 'worker'], {
        env: { ...process.env, REDIS_URL, DATABASE_URL: db.url, CGIC_QUEUE_PREFIX: prefix, LOG_LEVEL: 'warn' },
        stdio: ['ignore', 'ignore', 'inherit'],
      });
      children.push(child);
    }
    const ready = Date.now() + 60_000;
    while ((await transfersQueue.getWorkers()).length < workers) {
      if (Date.now() > ready) throw new Error(`only ${(await transfersQueue.getWorkers()).length} of ${workers} workers came up`);
      await new Promise((r) => setTimeout(r, 200));
    }
    parts.forEach((b, i) => writeFileSync(path.join(dir, 'in', `lims-${String(i).padStart(3, '0')}.csv`), b));
    const dbName = new URL(db.url).pathname.slice(1);
    let busy = 0;
    let locked = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const { rows } = await monitor.query<{ busy: string; locked: string }>(
          `SELECT count(*) FILTER (WHERE state = 'active' OR state LIKE 'idle in transaction%') AS busy,
                  count(*) FILTER (WHERE wait_event_type = 'Lock') AS locked
           FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`,
          [dbName],
        );
        busy += Number(rows[0]!.busy);
        locked += Number(rows[0]!.locked);
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    const t0 = performance.now();
    const { pollId } = await api.pollConnector('lims', { trigger: 'manual' });
    const poll = await api.pollStatus(pollId, 60_000);
    const ids = poll.transferIds;
    for (;;) {
      const [r] = await api.store.db.query<{ open: string }>(`SELECT count(*) AS open FROM transfers WHERE status IN ('queued', 'running')`);
      if (Number(r!.open) === 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const stored = performance.now();
    for (;;) {
      const [r] = await api.store.db.query<{ n: string }>(`SELECT count(*) AS n FROM deliveries WHERE status <> 'delivered'`);
      if (Number(r!.n) === 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const done = performance.now();
    sampling = false;
    await sampler;
    const [c] = await api.store.db.query<{ rows: string; records: string; transfers: string; failed: string }>(
      `SELECT (SELECT sum(read_count) FROM transfers) AS rows, (SELECT count(*) FROM records) AS records,
              (SELECT count(*) FROM transfers) AS transfers, (SELECT count(*) FROM transfers WHERE status = 'failed') AS failed`,
    );
    const secs = (done - t0) / 1000;
    console.log(
      `${workers} worker process${workers > 1 ? 'es' : ''}: ${ids.length} files (${c!.transfers} transfers, ${c!.failed} failed), ${c!.rows} rows -> ${c!.records} records; ` +
        `stored at ${((stored - t0) / 1000).toFixed(1)} s, all delivered at ${secs.toFixed(1)} s: ${(Number(c!.records) / secs).toFixed(0)} records/s, ${(Number(c!.rows) / secs).toFixed(0)} rows/s; ` +
        `lock-wait share ${busy ? ((100 * locked) / busy).toFixed(1) : '0.0'} % of ${busy} busy connection samples (${load()})`,
    );
  } finally {
    for (const c of children) c.kill('SIGTERM');
    await Promise.all(children.map((c) => (c.exitCode === null ? new Promise((r) => c.on('exit', r)) : null)));
    await transfersQueue.close();
    await monitor.end();
    await api.stop();
    await dropQueues(prefix);
    await db.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}

console.log(`machine: ${machine()}`);
console.log(`method: PostgreSQL 15, Redis on loopback, an API-only hub polling and N worker processes (cgic start --role worker, transfers concurrency 2 each); ${ROWS} LIMS rows in ${FILES} files`);
const parts = split(await limsFile(ROWS, 11), FILES);
for (const w of args.workers.split(',').map(Number)) await run(w, parts);
process.exit(0);
