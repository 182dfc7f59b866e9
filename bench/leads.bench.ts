/**
 * Lead turnaround benchmark (issue: NIBIN leads reach every linked agency).
 *
 * 200 NIBIN leads, each linking 3-5 of 20 agencies, arrive one by one as signed webhooks (20 per second)
 * at a hub on PostgreSQL and Redis; every agency's destination is a local HTTP endpoint. For each lead:
 * lead stored -> the last of its recipients delivered (and each recipient separately). p50 / p99.
 *
 * Run: node bin/run-ts.js bench/leads.bench.ts [-- --leads 200 --rate 20]
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { stringify } from 'yaml';
import { Hub } from '../src/runtime/hub.ts';
import { AgencyServer, dropQueues, freshDatabase, REDIS_URL } from '../test/support/hub-harness.ts';
import { leadLine, oriOf } from '../test/support/leads.ts';
import { machine, percentile, postSigned } from './support.ts';
import { limitHeapGrowth } from '../src/runtime/heap.ts';

limitHeapGrowth(); // as bin/cgic.js does for the hub (src/runtime/heap.ts)

const { values: args } = parseArgs({ options: { leads: { type: 'string', default: '200' }, rate: { type: 'string', default: '20' } } });
const LEADS = Number(args.leads);
const RATE = Number(args.rate);
const SECRET = 'bench-leads-secret-0123456789abcdef0123456789';
process.env.BENCH_LEADS_SECRET = SECRET;

console.log(`machine: ${machine()}`);
console.log(`method: ${LEADS} leads of 3-5 agencies (of 20) as signed webhooks at ${RATE}/s; PostgreSQL store, Redis on loopback, one hub process; every destination a local HTTP endpoint; turnaround = deliveries.delivered_at - lead_versions.lead_stored_at`);

const server = await new AgencyServer().start();
const dir = path.join(os.tmpdir(), `cgic-bench-leads-${process.pid}`);
mkdirSync(dir, { recursive: true });
const db = await freshDatabase();
const prefix = `cgic-bench-leads-${process.pid}`;
const agencies = Array.from({ length: 20 }, (_, i) => ({
  ori: oriOf(i),
  name: `Agency ${i}`,
  destinations: [{ id: `rms-${i}`, kind: 'http', content: ['leads'], leadFormat: i % 3 === 0 ? 'out-lead-csv' : i % 3 === 1 ? 'out-lead-json' : 'out-lead-niem-xml', options: { url: `${server.url}?ori=${oriOf(i)}` } }],
}));
const file = path.join(dir, 'cgic.yaml');
writeFileSync(
  file,
  stringify({
    hub: { name: 'bench-leads', dataDir: path.join(dir, 'var'), api: { host: '127.0.0.1', port: 0, keys: [] }, delivery: { attempts: 5, backoffMs: 100, maxBackoffMs: 1000, concurrency: 2 } },
    agencies: [{ ori: 'CTFSL0000', name: 'Lab', kind: 'lab' }, ...agencies],
    connectors: [{ id: 'leads-hook', kind: 'webhook', agency: 'CTFSL0000', allowOtherAgencies: true, mapping: 'nibin-lead', options: { secret: '${env:BENCH_LEADS_SECRET}' } }],
    leads: { enrichmentWaitSeconds: 0 },
  }),
);
const hub = await Hub.start({ configFile: file, redisUrl: REDIS_URL, databaseUrl: db.url, queuePrefix: prefix, port: 0, logger: pino({ level: 'warn' }) });
let seed = 12345;
const rnd = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
try {
  let recipients = 0;
  const start = performance.now();
  for (let n = 0; n < LEADS; n++) {
    const wait = start + (n * 1000) / RATE - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const k = 3 + Math.floor(rnd() * 3);
    const picks = new Set<number>();
    while (picks.size < k) picks.add(Math.floor(rnd() * 20));
    recipients += k;
    const body = leadLine(n, [...picks].map(oriOf)) + '\n';
    const res = await postSigned(`${hub.address}/hooks/leads-hook`, SECRET, body, 'application/x-ndjson');
    if (res.status !== 202) throw new Error(`webhook answered ${res.status}`);
  }
  for (;;) {
    if (server.okRequests().length >= recipients) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const rows = await hub.store.db.query<{ lead_id: string; per: number[]; last: number }>(
    `SELECT v.lead_id,
            array_agg(EXTRACT(EPOCH FROM (d.delivered_at - v.lead_stored_at)) * 1000) AS per,
            EXTRACT(EPOCH FROM (max(d.delivered_at) - v.lead_stored_at)) * 1000 AS last
     FROM lead_versions v JOIN deliveries d ON d.package_ref LIKE 'lead:' || v.lead_id || '@' || v.version || ':%'
     WHERE d.status = 'delivered' GROUP BY v.lead_id, v.lead_stored_at`,
  );
  const all = rows.map((r) => Number(r.last));
  const each = rows.flatMap((r) => r.per.map(Number));
  console.log(`\n${rows.length} leads, ${each.length} packages delivered (expected ${recipients}), ${server.received.length} HTTP requests`);
  console.log(`lead stored -> all its recipients delivered: p50 ${percentile(all, 50).toFixed(0)} ms, p99 ${percentile(all, 99).toFixed(0)} ms, max ${Math.max(...all).toFixed(0)} ms`);
  console.log(`lead stored -> one recipient delivered:      p50 ${percentile(each, 50).toFixed(0)} ms, p99 ${percentile(each, 99).toFixed(0)} ms`);
} finally {
  await hub.stop();
  await server.stop();
  await dropQueues(prefix);
  await db.drop();
  rmSync(dir, { recursive: true, force: true });
}
process.exit(0);
