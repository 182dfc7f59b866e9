/**
 * What the audit trail costs a request: appends to ONE hash chain from several API processes on one
 * PostgreSQL, against a baseline measured in the same run.
 *
 * Method: P stores (each its own connection pool, as P API processes would have) append N entries
 * each, C requests in flight per store, each request awaiting its entry's commit (as the audit plugin
 * does before answering). Three ways, same entries, same database:
 *   A  baseline: one plain INSERT per entry into a table of the same shape, no chain, no lock;
 *   B  the hub's way: the chain (head row locked), entries of concurrent requests grouped per commit (AuditWriter);
 *   C  the chain without grouping: one transaction per entry.
 * Reported: entries/s and the latency a request waits for its entry (p50, p99), and B/A, C/A.
 *
 *   node bin/run-ts.js bench/audit.bench.ts [P] [C] [N]      (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/postgres)
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openStore, AuditWriter, type AuditInput, type Store } from '../src/store/index.ts';
import { machine, percentile } from './support.ts';

const URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const [P, C, N] = [Number(process.argv[2] ?? 4), Number(process.argv[3] ?? 16), Number(process.argv[4] ?? 1500)];

const entry = (p: number, i: number): AuditInput => ({
  category: 'request',
  action: 'GET /api/leads/:id',
  actor: `agency-key-${p}`,
  client: `agency-${p}`,
  role: 'agency',
  ori: 'CT0006400',
  subjects: [{ type: 'lead', id: `NL24-${String(i).padStart(6, '0')}`, version: 1 }],
  outcome: 'ok',
  status: 200,
  source: '10.20.0.15',
  requestId: `00000000-0000-4000-8000-${String(p * 1e6 + i).padStart(12, '0')}`,
  detail: { params: { id: `NL24-${i}` }, userAgent: 'rms-client/2.1' },
});

async function measure(label: string, stores: Store[], append: (s: Store, p: number, i: number) => Promise<unknown>): Promise<{ label: string; perSecond: number; p50: number; p99: number }> {
  const latencies: number[] = [];
  const t0 = performance.now();
  await Promise.all(
    stores.map(async (s, p) => {
      let next = 0;
      await Promise.all(
        Array.from({ length: C }, async () => {
          for (let i = next++; i < N; i = next++) {
            const t = performance.now();
            await append(s, p, i);
            latencies.push(performance.now() - t);
          }
        }),
      );
    }),
  );
  const s = (performance.now() - t0) / 1000;
  return { label, perSecond: (P * N) / s, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

async function main(): Promise<void> {
  const schema = `audit_bench_${randomBytes(4).toString('hex')}`;
  const stores: Store[] = [];
  for (let p = 0; p < P; p++) stores.push(await openStore({ databaseUrl: URL, schema, poolSize: 4 }));
  try {
    await stores[0]!.db.exec(`CREATE TABLE audit_plain (LIKE audit_log INCLUDING DEFAULTS); ALTER TABLE audit_plain ADD PRIMARY KEY (request_id)`);
    console.log(`audit trail appends: ${P} processes x ${C} requests in flight x ${N} entries; ${machine()}`);
    console.log('the machine is shared with other work: compare the ratios, not the absolute figures');
    const runs = [];
    runs.push(
      await measure('A plain INSERT, no chain', stores, (s, p, i) => {
        const e = entry(p, i);
        return s.db.query(
          `INSERT INTO audit_plain (position, at, category, action, actor, client, role, ori, subjects, outcome, status, source, request_id, detail, prev_hash, hash)
           VALUES ($1, now(), $2, $3, $4, $5, $6, $7, $8::jsonb, $9, $10, $11, $12, $13::jsonb, '', '')`,
          [p * N + i + 1, e.category, e.action, e.actor, e.client, e.role, e.ori, JSON.stringify(e.subjects), e.outcome, e.status, e.source, e.requestId, JSON.stringify(e.detail)],
        );
      }),
    );
    const writers = stores.map((s) => new AuditWriter(s));
    runs.push(await measure('B chain, grouped commits (the hub)', stores, (_s, p, i) => writers[p]!.record(entry(p, i))));
    runs.push(await measure('C chain, one commit per entry', stores, (s, p, i) => s.appendAudit([entry(p, i)])));
    const base = runs[0]!;
    for (const r of runs) {
      console.log(`${r.label.padEnd(38)} ${r.perSecond.toFixed(0).padStart(7)} entries/s  wait p50 ${r.p50.toFixed(2)} ms  p99 ${r.p99.toFixed(2)} ms  throughput ${(r.perSecond / base.perSecond).toFixed(2)} x A`);
    }
    const v = await stores[0]!.verifyAudit(undefined);
    console.log(`chain after the run: ${v.ok ? `intact, ${v.entries} entries` : `BROKEN at ${v.badPosition}: ${v.problem}`}`);
  } finally {
    for (const s of stores) await s.close();
    const c = new pg.Client({ connectionString: URL });
    await c.connect();
    await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await c.end();
  }
}

await main();
