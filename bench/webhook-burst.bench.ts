/**
 * Webhook burst benchmark: signed webhooks sent faster than the workers drain them.
 *
 * Method: one hub process (api + worker roles, transfers concurrency 2) on a fresh PostgreSQL database
 * and a private redis-server started for the run (so other Redis users do not blur its memory figures);
 * a webhook connector with `maxBacklog` bodies; a local HTTP server as the agency. `--requests` signed
 * bodies (each a case CSV of `--rows` rows, distinct case numbers) are sent with `--concurrency`
 * requests in flight and no pause; a 429 is counted, not retried. Then every accepted (202) body is
 * awaited until the agency has received its records.
 *
 * Reported: 202 / 429 / other answers, the Retry-After of the 429s, accept -> delivered p50 / p99 of
 * the accepted bodies; Redis used_memory above its idle level, peak during the burst and after the
 * drain (bounded: at most maxBacklog transfer jobs wait, and completed ones are kept by count); and,
 * measured in the same run on the same Redis, the Redis bytes of one waiting transfer job as the hub
 * queues it now (a spool reference) against the baseline, the same job carrying its body (as webhook
 * jobs did before bodies were spooled in the store), as a ratio.
 *
 * Needs PostgreSQL on 127.0.0.1:5432 and redis-server on the PATH.
 * Run: npm run bench:webhooks [-- --requests 2000 --concurrency 64 --rows 100 --backlog 200]
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import pino from 'pino';
import { stringify } from 'yaml';
import { Hub } from '../src/runtime/hub.ts';
import { sign, webhookUnit } from '../connectors/webhook/index.ts';
import { CASE_MAPPING, caseCsv, freshDatabase } from '../test/support/hub-harness.ts';
import { PrivateRedis } from '../test/support/redis-server.ts';
import { limitHeapGrowth } from '../src/runtime/heap.ts';
import { machine, percentile } from './support.ts';

limitHeapGrowth();

const { values: args } = parseArgs({
  options: { requests: { type: 'string', default: '2000' }, concurrency: { type: 'string', default: '64' }, rows: { type: 'string', default: '100' }, backlog: { type: 'string', default: '200' } },
});
const REQUESTS = Number(args.requests);
const CONCURRENCY = Number(args.concurrency);
const ROWS = Number(args.rows);
const BACKLOG = Number(args.backlog);
const SECRET = 'bench-webhook-secret-0123456789abcdef0123456789';
const HFD = 'CT0006400';

console.log(`machine: ${machine()}`);
console.log(
  `method: one hub process (api+worker, transfers concurrency 2) on PostgreSQL (fresh database) and a private redis-server; ${REQUESTS} signed webhooks of ${ROWS} rows, ${CONCURRENCY} in flight, no pause; maxBacklog ${BACKLOG}; 429s not retried`,
);

async function usedMemory(r: Redis): Promise<number> {
  const info = await r.info('memory');
  return Number(/used_memory:(\d+)/.exec(info)![1]);
}

const mb = (n: number): string => `${(n / 2 ** 20).toFixed(2)} MB`;

const dir = path.join(os.tmpdir(), `cgic-bench-burst-${process.pid}`);
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });
const redis = await PrivateRedis.start();
const probe = new Redis(redis.url);
const db = await freshDatabase();

// The agency: records received, by case number, with the time they arrived.
const receivedAt = new Map<string, number>();
const agency = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const now = Date.now();
    for (const r of (JSON.parse(Buffer.concat(chunks).toString()) as { records: { agencyCaseNumber: string }[] }).records) if (!receivedAt.has(r.agencyCaseNumber)) receivedAt.set(r.agencyCaseNumber, now);
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
});
await new Promise<void>((r) => agency.listen(0, '127.0.0.1', r));
const agencyUrl = `http://127.0.0.1:${(agency.address() as { port: number }).port}/intake`;

process.env.BENCH_WEBHOOK_SECRET = SECRET;
const configFile = path.join(dir, 'cgic.yaml');
writeFileSync(
  configFile,
  stringify({
    hub: { name: 'bench-burst', dataDir: path.join(dir, 'var'), api: { host: '127.0.0.1', port: 0, keys: [] }, delivery: { concurrency: 4 }, transfers: { concurrency: 2, chunkSize: 500 } },
    agencies: [
      { ori: 'CTFSL0000', name: 'Lab', kind: 'lab' },
      { ori: HFD, name: 'Hartford PD', destinations: [{ id: 'hfd-rms', kind: 'http', content: ['records'], options: { url: agencyUrl } }] },
    ],
    connectors: [{ id: 'hook', kind: 'webhook', agency: 'CTFSL0000', allowOtherAgencies: true, mapping: CASE_MAPPING, options: { secret: '${env:BENCH_WEBHOOK_SECRET}', maxBacklog: BACKLOG } }],
  }),
);

const idle = await usedMemory(probe);
const hub = await Hub.start({ configFile, redisUrl: redis.url, databaseUrl: db.url, queuePrefix: `bench-${process.pid}`, port: 0, logger: pino({ level: 'warn' }) });
const atStart = await usedMemory(probe);
let peak = atStart;
const sampler = setInterval(() => void usedMemory(probe).then((m) => (peak = Math.max(peak, m)), () => {}), 50);

const bodies = Array.from({ length: REQUESTS }, (_, i) => caseCsv(ROWS, [HFD], { prefix: `W${String(i).padStart(6, '0')}` }));
const answers = new Map<number, number>();
const retryAfter = new Set<string>();
const accepted: { i: number; at: number }[] = [];
let next = 0;
const started = performance.now();
await Promise.all(
  Array.from({ length: CONCURRENCY }, async () => {
    for (let i = next++; i < REQUESTS; i = next++) {
      const ts = Math.floor(Date.now() / 1000);
      const res = await fetch(`${hub.address}/hooks/hook`, { method: 'POST', headers: { 'content-type': 'text/csv', 'x-cgic-timestamp': String(ts), 'x-cgic-signature': sign(SECRET, ts, bodies[i]!) }, body: bodies[i] });
      await res.arrayBuffer();
      answers.set(res.status, (answers.get(res.status) ?? 0) + 1);
      if (res.status === 429) retryAfter.add(res.headers.get('retry-after') ?? '(none)');
      if (res.status === 202) accepted.push({ i, at: Date.now() });
    }
  }),
);
const sendSeconds = (performance.now() - started) / 1000;
const peakBurst = peak;

// Every accepted body delivered: its last row's case number reached the agency.
const lastCase = (i: number): string => `W${String(i).padStart(6, '0')}-${String(ROWS).padStart(6, '0')}`;
const deadline = Date.now() + 30 * 60_000;
while (accepted.some((a) => !receivedAt.has(lastCase(a.i)))) {
  if (Date.now() > deadline) throw new Error('accepted bodies not delivered within 30 minutes');
  await new Promise((r) => setTimeout(r, 200));
}
const drainSeconds = (performance.now() - started) / 1000;
clearInterval(sampler);
const afterDrain = await usedMemory(probe);
const latencies = accepted.map((a) => receivedAt.get(lastCase(a.i))! - a.at);
const undelivered = accepted.filter((a) => !receivedAt.has(lastCase(a.i))).length;
await hub.stop();

// Baseline, same run, same Redis: waiting transfer jobs for the accepted bodies, as the hub queues them
// (a spool reference), and as webhook jobs were before bodies were spooled (the body, base64, in ref.body).
async function jobBytes(withBody: boolean): Promise<number> {
  await probe.flushall();
  const before = await usedMemory(probe);
  const q = new Queue('baseline', { connection: { url: redis.url }, prefix: 'baseline' });
  for (let k = 0; k < accepted.length; k += 500) {
    await q.addBulk(
      accepted.slice(k, k + 500).map((a) => {
        const unit = webhookUnit(Buffer.from(bodies[a.i]!));
        const ref = withBody ? { ...unit.ref, spool: undefined, body: Buffer.from(bodies[a.i]!).toString('base64') } : unit.ref;
        return { name: 'transfer', data: { transferId: `t${a.i}`, connectorId: 'hook', trigger: 'webhook', unit: { ...unit, ref } }, opts: { jobId: `t${a.i}` } };
      }),
    );
  }
  const bytes = (await usedMemory(probe)) - before;
  await q.close();
  return bytes / accepted.length;
}
const spooledJob = await jobBytes(false);
const bodyJob = await jobBytes(true);

const total = [...answers.values()].reduce((a, b) => a + b, 0);
console.log(`\nanswers: ${[...answers.entries()].sort().map(([s, n]) => `${n} x ${s}`).join(', ')} (of ${total}); Retry-After on the 429s: ${[...retryAfter].join(', ') || '-'}`);
console.log(`sent in ${sendSeconds.toFixed(1)} s (${(total / sendSeconds).toFixed(0)} requests/s); every 202 delivered: ${undelivered === 0 ? 'yes' : `NO, ${undelivered} missing`} (${accepted.length} bodies, ${accepted.length * ROWS} records) after ${drainSeconds.toFixed(1)} s`);
console.log(`accept -> delivered (accepted bodies): p50 ${percentile(latencies, 50)} ms, p99 ${percentile(latencies, 99)} ms, max ${Math.max(...latencies)} ms`);
console.log(`Redis used_memory above idle (${mb(idle)}): hub started ${mb(atStart - idle)}, peak during the burst ${mb(peakBurst - idle)}, after the drain ${mb(afterDrain - idle)}`);
console.log(`Redis per waiting transfer job: ${spooledJob.toFixed(0)} bytes with the body spooled, baseline ${bodyJob.toFixed(0)} bytes with the body (${(Buffer.byteLength(bodies[0]!) / 1024).toFixed(1)} KiB) in job data: ratio ${(spooledJob / bodyJob).toFixed(3)}`);
console.log(`the burst's bodies in job data would take ${mb(bodyJob * accepted.length)} (202s only; ${mb(bodyJob * total)} had every request been queued); the burst's peak growth was ${mb(peakBurst - atStart)}`);

probe.disconnect();
await redis.stop('SIGKILL');
await new Promise((r) => agency.close(r));
await db.drop();
rmSync(dir, { recursive: true, force: true });
process.exit(0);
