/**
 * Pipeline benchmark (issue: the hub runs).
 *
 * 1. Throughput: a generated 100,000-row LIMS CSV through the whole pipeline (drop folder -> mapping ->
 *    canonical validation -> PostgreSQL upsert -> routing -> one directory destination per agency), from
 *    the run (a poll: one transfer for the one file) until every delivery is written, as records/s; and, in
 *    the same run, two baselines:
 *    - the mapping alone (read -> map -> validate) over the same file: the pipeline's rows/s as a ratio to it;
 *    - the floor of the store stage (bulk-floor.ts): a bare `COPY` of the very records and provenance rows
 *      the pipeline stored into a scratch schema built by the store's migrations. Both are given as
 *      records/s over the same records (the rows of the `records` table), so their ratio is the floor's
 *      time over the pipeline's time.
 *    - the design floor (bulk-floor.ts): the same rows with the records' contributions, by `COPY` in one
 *      transaction per chunk the transfer committed: the least a store that keeps the hub's guarantees
 *      (every chunk committed with its records; each source's statement kept for its corrections) writes.
 * 2. Latency: signed webhooks at 50 and at 200 requests/s on loopback for 30 s, each a small LIMS export
 *    with its own lab case, agency case and NIBIN acquisition (one shooting each; one acquisition restated by every request measured that row's lock instead), to a hub whose agency destination is a local HTTP server; per request, the
 *    time from sending to the agency receiving the records; p50 and p99, and the p99 as a ratio to that
 *    of a bare BullMQ round trip (add -> completed, a no-op job) measured just before at the same rate.
 *
 * Needs Redis on 127.0.0.1:6379 and PostgreSQL on 127.0.0.1:5432 (as the tests do).
 * Run: npm run bench:pipeline [-- --rows 100000 --rate 50,200 --seconds 30 --part all|throughput|latency --transfers 4 --chunk 500]
 */
import { createReadStream, mkdirSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import pg from 'pg';
import pino from 'pino';
import { stringify } from 'yaml';
import { parseArgs } from 'node:util';
import { Queue, Worker } from 'bullmq';
import { Hub } from '../src/runtime/hub.ts';
import { loadMapping } from '../src/mapping/load.ts';
import { InboundMapping } from '../src/mapping/inbound.ts';
import { emptySummary, mapStream } from '../src/mapping/run.ts';
import { AgencyServer, dropQueues, freshDatabase, REDIS_URL, runOnce } from '../test/support/hub-harness.ts';
import { benchAgencies, cpuSince, cpuTotals, limsFile, limsShooting, load, machine, median, percentile, postSigned, RssSampler } from './support.ts';
import { bulkLoadFloor } from './bulk-floor.ts';
import { limitHeapGrowth } from '../src/runtime/heap.ts';
import { guardBacktracking } from '../src/runtime/regexp-guard.ts';

// As bin/cgic.js does for the hub (src/runtime/heap.ts, src/runtime/regexp-guard.ts).
limitHeapGrowth();
guardBacktracking();

const { values: args } = parseArgs({ options: { rows: { type: 'string', default: '100000' }, rate: { type: 'string', default: '50,200' }, seconds: { type: 'string', default: '30' }, part: { type: 'string', default: 'all' }, transfers: { type: 'string', default: '4' }, chunk: { type: 'string', default: '500' } } });
const CHUNK = Number(args.chunk);
const TRANSFERS = Number(args.transfers);
const PART = args.part as 'all' | 'throughput' | 'latency';
const ROWS = Number(args.rows);
const RATES = args.rate.split(',').map(Number);
const SECONDS = Number(args.seconds);
const SECRET = 'bench-webhook-secret-0123456789abcdef0123456789';
process.env.BENCH_WEBHOOK_SECRET = SECRET;

console.log(`machine: ${machine()}`);
console.log(`method: PostgreSQL 15 store (fresh database), Redis on loopback, one hub process (api+worker), transfers concurrency ${TRANSFERS}, chunk size ${CHUNK} source records, delivery concurrency 4 per destination`);

async function hubWith(dir: string, agencies: unknown[], connectors: unknown[], dbUrl: string, prefix: string): Promise<Hub> {
  const file = path.join(dir, 'cgic.yaml');
  writeFileSync(
    file,
    stringify({
      hub: { name: 'bench', dataDir: path.join(dir, 'var'), api: { host: '127.0.0.1', port: 0, keys: [] }, delivery: { attempts: 5, backoffMs: 100, maxBackoffMs: 1000, concurrency: 4 }, transfers: { concurrency: TRANSFERS, chunkSize: CHUNK } },
      agencies,
      connectors,
    }),
  );
  return Hub.start({ configFile: file, redisUrl: REDIS_URL, databaseUrl: dbUrl, queuePrefix: prefix, port: 0, logger: pino({ level: 'warn' }) });
}

async function throughput(): Promise<void> {
  const file = await limsFile(ROWS, 11);
  const mapping = (await loadMapping('lims-csv')) as InboundMapping;
  // Mapping alone, same file, same process.
  const mapOnly: number[] = [];
  for (let i = 0; i < 3; i++) {
    const s = emptySummary();
    const t = performance.now();
    for await (const _ of mapStream(mapping, createReadStream(file, { highWaterMark: 256 * 1024 }), s, { file: 'lims.csv' })) void _;
    mapOnly.push(s.rowsRead / ((performance.now() - t) / 1000));
  }
  const mapLoad = load();
  const dir = path.join(os.tmpdir(), `cgic-bench-${process.pid}`);
  rmSync(dir, { recursive: true, force: true });
  const agencies = benchAgencies(dir, true);
  mkdirSync(path.join(dir, 'in'), { recursive: true });
  const db = await freshDatabase();
  const prefix = `cgic-bench-${process.pid}`;
  const hub = await hubWith(dir, agencies, [{ id: 'lims', kind: 'directory', agency: 'CTFSL0000', allowOtherAgencies: true, mapping: 'lims-csv', options: { path: path.join(dir, 'in'), stableMs: 0 } }], db.url, prefix);
  let stopped = false;
  try {
    copyFileSync(file, path.join(dir, 'in', 'lims.csv'));
    const rss = new RssSampler();
    rss.start();
    const cpu0 = cpuTotals();
    const t0 = performance.now();
    const id = await runOnce(hub, 'lims');
    let t = await hub.store.getTransfer(id);
    while (t && ['queued', 'running'].includes(t.status)) {
      await new Promise((r) => setTimeout(r, 100));
      t = await hub.store.getTransfer(id);
    }
    const stored = performance.now();
    for (;;) {
      const [row] = await hub.store.db.query<{ n: string }>(`SELECT count(*) AS n FROM deliveries WHERE status <> 'delivered'`);
      if (Number(row!.n) === 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const done = performance.now();
    const cpu = cpuSince(cpu0);
    const peak = rss.stop();
    const during = load();
    const [counts] = await hub.store.db.query<{ records: string; sources: string; deliveries: string; chunks: string }>(
      `SELECT (SELECT count(*) FROM records) AS records, (SELECT count(*) FROM record_sources) AS sources, (SELECT count(*) FROM deliveries) AS deliveries,
              (SELECT count(*) FROM transfer_chunks) AS chunks`,
    );
    const secs = (done - t0) / 1000;
    const rowsPerSec = t!.counts.read / secs;
    const records = Number(counts!.records);
    const recordsPerSec = records / secs;
    const m = median(mapOnly);
    console.log(`\nthroughput: ${t!.counts.read} rows (${t!.counts.invalid} invalid) -> ${t!.counts.stored} records upserted: ${records} canonical records and ${counts!.sources} provenance rows stored, ${counts!.deliveries} deliveries to ${agencies.length - 1} agency folders`);
    console.log(`  pipeline: stored in ${((stored - t0) / 1000).toFixed(1)} s, all delivered at ${secs.toFixed(1)} s: ${rowsPerSec.toFixed(0)} rows/s, ${recordsPerSec.toFixed(0)} records/s (${during})`);
    console.log(`  pipeline ${cpu.line}`);
    console.log(`  mapping alone (read+map+validate, median of 3): ${m.toFixed(0)} rows/s (${mapLoad})`);
    console.log(`  ratio pipeline / mapping alone (rows/s): ${(rowsPerSec / m).toFixed(3)}  (target >= 0.25)`);
    console.log(`  peak RSS ${(peak / 2 ** 20).toFixed(0)} MiB`);
    const sizes = await hub.store.db.query<{ t: string; mb: string }>(
      `SELECT t, round(pg_total_relation_size(t::regclass) / 1e6) AS mb FROM unnest(ARRAY['records', 'record_contributions', 'record_sources']) AS t`,
    );
    console.log(`  store size after the run (tables with their indexes and TOAST): ${sizes.map((s) => `${s.t} ${s.mb} MB`).join(', ')}`);
    await hub.stop();
    stopped = true;
    await backendsGone(db.url);
    const floor = await bulkLoadFloor(db.url, Number(counts!.chunks));
    const floorPerSec = floor.records / floor.seconds;
    console.log(
      `  floor: bare COPY of the same ${floor.records} records and ${floor.sources} provenance rows (${(floor.bytes / 1e6).toFixed(0)} MB) into a scratch schema of migrations ${floor.migrations}, one transaction: ` +
        `${floor.seconds.toFixed(2)} s (median of ${floor.runs.map((x) => x.toFixed(2)).join(', ')}): ${floorPerSec.toFixed(0)} records/s (${load()})`,
    );
    console.log(`  floor, ${floor.runs.length} runs: ${floor.cpu}`);
    console.log(`  ratio pipeline / floor (records/s): ${(recordsPerSec / floorPerSec).toFixed(3)}  (target >= 0.75)`);
    const designPerSec = floor.records / floor.design.seconds;
    console.log(
      `  design floor: the same records and provenance rows with their ${floor.design.contributions} contributions, COPY in ${floor.design.chunks} transactions (one per chunk the transfer committed): ` +
        `${floor.design.seconds.toFixed(2)} s (median of ${floor.design.runs.map((x) => x.toFixed(2)).join(', ')}): ${designPerSec.toFixed(0)} records/s, ${(designPerSec / floorPerSec).toFixed(3)} of the floor`,
    );
    console.log(`  design floor, ${floor.design.runs.length} runs: ${floor.design.cpu}`);
    console.log(`  ratio pipeline / design floor (records/s): ${(recordsPerSec / designPerSec).toFixed(3)}`);
    // What the targets ask of the machine at the pipeline's present cost: its CPU seconds over the wall
    // time each target allows. More than the machine's cores means no overlap of the stages reaches it.
    const allowed = { floor: records / (0.75 * floorPerSec), mapping: t!.counts.read / (0.25 * m) };
    console.log(
      `  at the pipeline's CPU cost (${((cpu.total / records) * 1e3).toFixed(2)} ms per record), 0.75 of the floor would take ${(cpu.total / allowed.floor).toFixed(1)} cores busy all along, ` +
        `0.25 of mapping alone ${(cpu.total / allowed.mapping).toFixed(1)}; this machine has ${os.cpus().length}`,
    );
  } finally {
    if (!stopped) await hub.stop();
    await dropQueues(prefix);
    await db.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Until no other connection to the database is left (the stopped hub's pool). A backend's CPU moves to
 * the PostgreSQL server's own process when it ends, and a reading of /proc that sees it on both sides
 * of that move counts it twice: the floor's reading, taken just after the hub stopped, once came out
 * 9 s short.
 */
async function backendsGone(databaseUrl: string): Promise<void> {
  const c = new pg.Client({ connectionString: databaseUrl });
  await c.connect();
  try {
    for (let i = 0; i < 100; i++) {
      const { rows } = await c.query<{ n: string }>('SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()');
      if (Number(rows[0]!.n) === 0) break;
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    await c.end();
  }
  await new Promise((r) => setTimeout(r, 200)); // and the server has reaped them
}

/**
 * The floor of latency: a bare BullMQ round trip on the same Redis, at the same rate for the same time:
 * from `queue.add()` to the worker's `completed` event for a job whose processor does nothing.
 */
async function bullmqFloor(rate: number, seconds: number): Promise<number[]> {
  const prefix = `cgic-bench-floor-${process.pid}`;
  const connection = { url: REDIS_URL };
  const queue = new Queue('floor', { connection, prefix });
  const addedAt = new Map<string, number>();
  const rtt: number[] = [];
  const worker = new Worker('floor', async () => undefined, { connection, prefix, concurrency: 2 });
  worker.on('completed', (job) => {
    const t = addedAt.get(job.id!);
    if (t !== undefined) rtt.push(performance.now() - t);
    addedAt.delete(job.id!);
  });
  await worker.waitUntilReady();
  await queue.waitUntilReady();
  try {
    await paced(rate, seconds, async (i) => {
      const id = `j${i}`;
      addedAt.set(id, performance.now());
      await queue.add('noop', { i }, { jobId: id, removeOnComplete: true });
    });
    const deadline = Date.now() + 10_000;
    while (addedAt.size && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    return rtt;
  } finally {
    await worker.close();
    await queue.close();
    await dropQueues(prefix);
  }
}

/** Calls `fn(i)` `rate` times a second for `seconds`, each at its due time, and waits for them all. */
async function paced(rate: number, seconds: number, fn: (i: number) => Promise<unknown>): Promise<void> {
  const total = rate * seconds;
  const interval = 1000 / rate;
  const start = performance.now();
  const calls: Promise<unknown>[] = [];
  for (let i = 0; i < total; i++) {
    const wait = start + i * interval - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    calls.push(fn(i));
  }
  await Promise.all(calls);
}

function summary(xs: readonly number[]): string {
  const s = [...xs].sort((a, b) => a - b);
  const f = (v: number | undefined): string => (v === undefined ? '-' : v < 10 ? v.toFixed(2) : v.toFixed(0));
  return `p50 ${f(percentile(s, 50))} ms, p90 ${f(percentile(s, 90))} ms, p99 ${f(percentile(s, 99))} ms, max ${f(s.at(-1))} ms`;
}

/**
 * The steps of each webhook of the run, from the times the store keeps: the webhook's transfer row is
 * written when it is received (`created_at`), started and finished by its job; its delivery row is
 * written with the records, taken by a delivery job (`first_attempt_at`) and marked delivered after the
 * agency answered (`delivered_at`). PostgreSQL's `now()` is the start of each transaction, so a step
 * ends when the transaction of the next one begins.
 */
async function stages(hub: Hub, since: Date): Promise<[string, string, string][]> {
  const ms = (a: string, b: string): string => `extract(epoch from (${b} - ${a})) * 1000`;
  const pct = (expr: string): string =>
    `round(percentile_cont(0.5) WITHIN GROUP (ORDER BY ${expr})::numeric, 1) AS p50, round(percentile_cont(0.99) WITHIN GROUP (ORDER BY ${expr})::numeric, 1) AS p99`;
  const steps: [string, string][] = [
    ['received -> its transfer job starts (queue)', ms('t.created_at', 't.started_at')],
    ['transfer job starts -> records and delivery written', ms('t.started_at', 'd.created_at')],
    ['records and delivery written -> transfer job finished', ms('d.created_at', 't.finished_at')],
    ['records and delivery written -> delivery job starts', ms('d.created_at', 'd.first_attempt_at')],
    ['delivery job starts -> agency answered, marked delivered', ms('d.first_attempt_at', 'd.delivered_at')],
    ['received -> marked delivered', ms('t.created_at', 'd.delivered_at')],
  ];
  const out: [string, string, string][] = [];
  for (const [name, expr] of steps) {
    const [row] = await hub.store.db.query<{ p50: string | null; p99: string | null }>(
      `SELECT ${pct(expr)} FROM transfers t JOIN deliveries d ON d.package_ref = 'records:' || t.id WHERE t.created_at >= $1 AND d.delivered_at IS NOT NULL`,
      [since],
    );
    out.push([name, String(row?.p50 ?? '-'), String(row?.p99 ?? '-')]);
  }
  return out;
}

async function latency(): Promise<void> {
  const server = await new AgencyServer().start();
  const sentAt = new Map<string, number>();
  let latencies: number[] = [];
  server.answer = (req) => {
    const now = performance.now();
    for (const rec of (JSON.parse(req.body) as { records: { type: string; labCaseNumber?: string }[] }).records) {
      if (rec.type === 'EvidenceItem' && rec.labCaseNumber && sentAt.has(rec.labCaseNumber)) {
        latencies.push(now - sentAt.get(rec.labCaseNumber)!);
        sentAt.delete(rec.labCaseNumber);
      }
    }
    return 200;
  };
  const dir = path.join(os.tmpdir(), `cgic-bench-hook-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  const db = await freshDatabase();
  const prefix = `cgic-bench-hook-${process.pid}`;
  const hub = await hubWith(
    dir,
    [
      { ori: 'CTFSL0000', name: 'Lab', kind: 'lab' },
      { ori: 'CT0006400', name: 'Hartford PD', destinations: [{ id: 'hfd', kind: 'http', content: ['records'], options: { url: server.url } }] },
    ],
    [{ id: 'hook', kind: 'webhook', agency: 'CTFSL0000', allowOtherAgencies: true, mapping: 'lims-csv', options: { secret: '${env:BENCH_WEBHOOK_SECRET}' } }],
    db.url,
    prefix,
  );
  let sent = 0;
  /** Sends `rate`/s signed webhooks for `seconds`, each a shooting of its own (limsShooting); the refused ones are counted apart. */
  const send = async (rate: number, seconds: number, refused: Map<number, number>): Promise<void> => {
    const first = sent;
    await paced(rate, seconds, async (i) => {
      const lab = `LB${String(first + i).padStart(7, '0')}`;
      sent++;
      sentAt.set(lab, performance.now());
      const r = await postSigned(`${hub.address}/hooks/hook`, SECRET, limsShooting(lab), 'text/csv');
      await r.arrayBuffer();
      if (r.status !== 202) {
        // Counted as missing (the sender would have to try again), not waited for.
        sentAt.delete(lab);
        refused.set(r.status, (refused.get(r.status) ?? 0) + 1);
      }
    });
    const deadline = Date.now() + 60_000;
    while (sentAt.size && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  };
  try {
    // Warm-up, not counted: the first requests compile the mapping's and the schemas' validators and
    // open the store's connections, which a running hub has done long before.
    await send(Math.min(...RATES), 5, new Map());
    sentAt.clear();
    for (const rate of RATES) {
      const floor = await bullmqFloor(rate, SECONDS);
      const floorLoad = load();
      latencies = [];
      const refused = new Map<number, number>();
      const [{ since }] = (await hub.store.db.query<{ since: Date }>('SELECT now() AS since')) as [{ since: Date }];
      const cpu0 = cpuTotals();
      const t0 = performance.now();
      await send(rate, SECONDS, refused);
      const cpu = cpuSince(cpu0);
      const wall = (performance.now() - t0) / 1000;
      const total = rate * SECONDS;
      const p99 = (xs: number[]): number => percentile([...xs].sort((a, b) => a - b), 99);
      console.log(`\nlatency at ${rate}/s for ${SECONDS} s:`);
      console.log(`  bare BullMQ add -> completed (no-op job, same Redis, same rate): ${floor.length}/${total} completed, ${summary(floor)} (${floorLoad})`);
      console.log(`  hub: ${total} signed webhooks -> ${latencies.length} delivered to a local HTTP endpoint (${sentAt.size + [...refused.values()].reduce((a, b) => a + b, 0)} missing${refused.size ? `, of which answered ${[...refused].map(([st, n]) => `${st}: ${n}`).join(', ')}` : ''}); webhook sent -> records received by the agency: ${summary(latencies)} (${load()})`);
      console.log(`  ratio hub p99 / BullMQ p99: ${(p99(latencies) / p99(floor)).toFixed(1)}  (target <= 10)`);
      // The hub shares this process with the sender and the agency's endpoint (their part is small: signing, one HTTP request each way).
      console.log(`  in ${wall.toFixed(1)} s from the first request to the last delivery: ${cpu.line}; ${((cpu.total / Math.max(1, latencies.length)) * 1e3).toFixed(1)} ms of CPU per webhook delivered`);
      console.log(`  where the time goes (the store's own times of each step, p50 / p99 ms):`);
      for (const [stage, p50, p99] of await stages(hub, since)) console.log(`    ${stage.padEnd(58)} ${p50.padStart(6)} / ${p99.padStart(6)}`);
      sentAt.clear();
    }
  } finally {
    await hub.stop();
    await server.stop();
    await dropQueues(prefix);
    await db.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (PART !== 'latency') await throughput();
if (PART !== 'throughput') await latency();
process.exit(0);
