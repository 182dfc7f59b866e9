/**
 * Several hub processes on one Redis and one PostgreSQL: a schedule fires once, and a worker killed with
 * SIGKILL mid-transfer loses nothing and sends nothing twice once another worker takes over.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Queue } from 'bullmq';
import { openStore, type Store } from '../../../src/store/index.ts';
import { derivedUuid } from '../../../src/pipeline/ids.ts';
import { AgencyServer, AgencyServers, CASE_MAPPING, caseCsv, mkdirs, REDIS_URL, runOnce, testEnv, waitFor, type TestEnv } from '../../support/hub-harness.ts';
import { deadPort } from '../../support/http-peer.ts';
import { PrivateRedis } from '../../support/redis-server.ts';

const HFD = 'CT0006400';
const LAB = 'CTFSL0000';

let env: TestEnv | null = null;
let store: Store | null = null;
const servers = new AgencyServers();
afterEach(async () => {
  await store?.close();
  store = null;
  await env?.cleanup();
  env = null;
  await servers.stopAll();
});

async function setup(schedule?: string, metricsPort?: number): Promise<{ http: AgencyServer }> {
  const http = await servers.start();
  env = await testEnv({
    agencies: [
      { ori: LAB, name: 'Lab', kind: 'lab' },
      { ori: HFD, name: 'Hartford PD', destinations: [{ id: 'hfd-rms', kind: 'http', content: ['records'], options: { url: http.url } }] },
    ],
    connectors: [{ id: 'lims-drop', kind: 'directory', agency: LAB, allowOtherAgencies: true, mapping: CASE_MAPPING, ...(schedule ? { schedule } : {}), options: { path: 'IN', stableMs: 0 } }],
    delivery: { attempts: 5, backoffMs: 50, maxBackoffMs: 200, concurrency: 4 },
    ...(metricsPort !== undefined ? { metricsPort } : {}),
  });
  writeFileSync(env.configFile, readFileSync(env.configFile, 'utf8').replace(/path: IN/, `path: ${path.join(env.dir, 'in')}`));
  mkdirs(path.join(env.dir, 'in'));
  store = await openStore({ databaseUrl: env.db!.url });
  return { http };
}

function exited(child: import('node:child_process').ChildProcess): Promise<void> {
  return new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r() : child.once('exit', () => r())));
}

describe('hub processes', () => {
  it('with two hub processes running the scheduler, each scheduled run fires once; a run that finds nothing makes no transfer', async () => {
    await setup('* * * * * *'); // every second
    const a = env!.spawnHub(['scheduler', 'worker']);
    const b = env!.spawnHub(['scheduler', 'worker']);
    const claims = async () => (await store!.db.query<{ name: string }>(`SELECT name FROM once_claims WHERE name LIKE 'schedule:lims-drop:%'`)).map((r) => r.name);
    await waitFor('six scheduled ticks claimed by the running processes', async () => (await claims()).length >= 6, 40_000, 200);
    expect(await store!.listTransfers({ connectorId: 'lims-drop' })).toEqual([]); // empty polls: no transfer at all
    writeFileSync(path.join(env!.dir, 'in', 'one.csv'), caseCsv(3, [HFD]));
    await waitFor('the dropped file transferred', async () => (await store!.listTransfers({ connectorId: 'lims-drop' })).some((t) => t.status === 'succeeded'), 30_000, 200);
    await new Promise((r) => setTimeout(r, 2500)); // a few more ticks, with nothing left to read
    a.kill('SIGTERM');
    b.kill('SIGTERM');
    await Promise.all([exited(a), exited(b)]);
    expect(a.exitCode ?? 0).toBe(0);
    const transfers = await store!.listTransfers({ connectorId: 'lims-drop', limit: 1000 });
    expect(transfers.map((t) => [t.trigger, t.source, t.status])).toEqual([['schedule', 'one.csv', 'succeeded']]);
    // Each tick's poll is named after its slot: two schedulers firing the same tick would make one poll
    // job anyway, and every poll job belongs to a tick claimed once.
    const slots = new Set((await claims()).map((c) => derivedUuid(c)));
    const polls = new Queue('polls', { connection: { url: REDIS_URL }, prefix: env!.prefix });
    try {
      const jobs = await polls.getJobs(['completed', 'failed', 'waiting', 'active', 'delayed']);
      expect(jobs.length).toBeGreaterThanOrEqual(6);
      expect(jobs.every((j) => slots.has(String(j.id)))).toBe(true);
      expect(jobs.filter((j) => j.returnvalue?.transferIds?.length).length).toBe(1);
    } finally {
      await polls.close();
    }
  }, 90_000);

  it('a worker-only process serves its own counters on hub.api.metricsPort, and nothing else', async () => {
    const port = await deadPort();
    const { http } = await setup(undefined, port);
    writeFileSync(path.join(env!.dir, 'in', 'small.csv'), caseCsv(7, [HFD]));
    env!.spawnHub(['worker']);
    const hub = await env!.start({ roles: [] }); // queues the transfer; the child does the work (this process serves nothing)
    await runOnce(hub, 'lims-drop');
    await waitFor('7 records delivered by the worker process', () => http.recordCounts().size === 7, 30_000);
    const base = `http://127.0.0.1:${port}`;
    const metrics = await waitFor('the worker counted its deliveries', async () => {
      const text = await (await fetch(`${base}/metrics`)).text();
      return /cgic_deliveries_total\{destination="hfd-rms",outcome="delivered"\} [1-9]/.test(text) ? text : null;
    });
    expect(metrics).toMatch(/cgic_records_total\{connector="lims-drop",stage="mapped",outcome="ok"\} 7/);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/api/connectors`, { headers: { authorization: 'Bearer demo-admin-key' } })).status).toBe(404);
    expect((await fetch(`${base}/hooks/lims-drop`, { method: 'POST', body: 'x' })).status).toBe(404);
  }, 60_000);

  it('a port already in use stops the start with HUB_ERR_SERVER_LISTEN naming the address and the setting', async () => {
    await setup();
    const { createServer } = await import('node:net');
    const holder = createServer();
    await new Promise<void>((r) => holder.listen(0, '127.0.0.1', r));
    const port = (holder.address() as import('node:net').AddressInfo).port;
    try {
      const err = await env!.start({ port }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'HUB_ERR_SERVER_LISTEN', message: `Cannot listen on 127.0.0.1:${port} (cgic start --port): the port is in use` });
    } finally {
      await new Promise((r) => holder.close(r));
    }
  });

  it('a worker killed with SIGKILL mid-transfer: after restart every record is stored and delivered exactly once, and the counts and quarantine rows are exactly those of one run', async () => {
    const { http } = await setup();
    const rows = 30_000;
    const bad = Array.from({ length: rows }, (_, i) => i + 1).filter((i) => i % 181 === 0); // 165 bad rows, spread over the file
    writeFileSync(path.join(env!.dir, 'in', 'big.csv'), caseCsv(rows, [HFD], { bad }));
    const api = env!.spawnHub(['worker']);
    // Queue the transfer from this process (no worker role here: the child does the work).
    const hub = await env!.start({ roles: [] });
    const id = await runOnce(hub, 'lims-drop');
    await waitFor('the worker to be half way', async () => {
      const t = await store!.getTransfer(id);
      return t && t.counts.stored >= 3000 && t.counts.stored < rows - bad.length ? t : null;
    }, 60_000, 20);
    api.kill('SIGKILL');
    await exited(api);
    const atKill = (await store!.getTransfer(id))!;
    expect(atKill.status).toBe('running');
    expect(atKill.counts.invalid).toBeGreaterThan(0); // quarantine rows were written before the kill

    const second = env!.spawnHub(['worker']);
    const done = await waitFor('the transfer to finish in the new worker', async () => {
      const t = await store!.getTransfer(id);
      return t && t.status !== 'running' && t.status !== 'queued' ? t : null;
    }, 90_000, 200);
    // Exactly as one run without the kill: every row read once, every bad row quarantined once.
    expect(done).toMatchObject({ status: 'partial', counts: { read: rows, mapped: rows - bad.length, invalid: bad.length, stored: rows - bad.length, changed: rows - bad.length, unchanged: 0 } });
    expect(await store!.countQuarantine({ transferId: id })).toBe(bad.length);
    const [q] = await store!.db.query<{ entries: string; sightings: string }>(
      `SELECT count(*) AS entries, sum(seen_count) AS sightings FROM quarantine WHERE connector_id = 'lims-drop'`,
    );
    expect([Number(q!.entries), Number(q!.sightings)]).toEqual([bad.length, bad.length]);
    const rowsQuarantined = (await store!.listQuarantine({ transferId: id, limit: 1000 })).map((e) => e.pointer?.row).sort((a, b) => a! - b!);
    expect(rowsQuarantined).toEqual(bad);
    const [stored] = await store!.db.query<{ n: string }>(`SELECT count(*) AS n FROM records WHERE type = 'Case'`);
    expect(Number(stored!.n)).toBe(rows - bad.length);
    await waitFor('every record delivered', () => http.recordCounts().size === rows - bad.length, 60_000, 200);
    // Exactly once, as an agency honouring Idempotency-Key sees it: every record arrives in exactly one
    // delivery id. A POST the killed worker had sent but not yet recorded may be sent again, and then
    // carries the same key, so the agency keeps one copy.
    const byKey = new Map<string, string[]>();
    for (const r of http.okRequests()) byKey.set(r.idempotencyKey!, (JSON.parse(r.body) as { records: { id: string }[] }).records.map((x) => x.id));
    const perRecord = new Map<string, number>();
    for (const ids of byKey.values()) for (const rid of ids) perRecord.set(rid, (perRecord.get(rid) ?? 0) + 1);
    expect(perRecord.size).toBe(rows - bad.length);
    expect([...perRecord.values()].filter((c) => c !== 1)).toEqual([]);
    const resent = http.okRequests().length - byKey.size;
    expect(resent).toBeLessThanOrEqual(4); // at most the deliveries in flight at the kill (concurrency 4)
    await waitFor('delivered counted once per record', async () => (await store!.getTransfer(id))!.counts.delivered === rows - bad.length, 30_000, 200);
    console.log(`SIGKILL at ${atKill.counts.stored}/${rows} records stored (${atKill.counts.invalid} bad rows quarantined); after the re-run read ${done.counts.read}, invalid ${done.counts.invalid}, quarantine rows ${bad.length}; ${byKey.size} deliveries, ${resent} re-sent with the same Idempotency-Key`);
    const [left] = await store!.db.query<{ pending: string }>(`SELECT count(*) AS pending FROM deliveries WHERE status <> 'delivered'`);
    expect(Number(left!.pending)).toBe(0);
    second.kill('SIGTERM');
    await exited(second);
  }, 180_000);

  it('Redis restarted mid-transfer: the hub heals by itself; counts, quarantine rows and deliveries are exactly those of one run', async () => {
    const { http } = await setup();
    const redis = await PrivateRedis.start(mkdtempSync(path.join(env!.dir, 'redis-')));
    try {
      const rows = 20_000;
      const bad = Array.from({ length: rows }, (_, i) => i + 1).filter((i) => i % 121 === 0); // 165 bad rows
      writeFileSync(path.join(env!.dir, 'in', 'big.csv'), caseCsv(rows, [HFD], { bad }));
      const hub = await env!.start({ redisUrl: redis.url });
      const id = await runOnce(hub, 'lims-drop');
      await waitFor('the transfer to be under way', async () => {
        const t = await store!.getTransfer(id);
        return t && t.counts.stored >= 2000 ? t : null;
      }, 60_000, 20);
      await redis.stop('SIGTERM');
      const atStop = (await store!.getTransfer(id))!;
      await new Promise((r) => setTimeout(r, 1500));
      await redis.restart();
      const done = await waitFor('the transfer to finish after the restart', async () => {
        const t = await store!.getTransfer(id);
        return t && t.status !== 'running' && t.status !== 'queued' ? t : null;
      }, 120_000, 200);
      expect(done).toMatchObject({ status: 'partial', counts: { read: rows, mapped: rows - bad.length, invalid: bad.length, stored: rows - bad.length } });
      expect(await store!.countQuarantine({ transferId: id })).toBe(bad.length);
      const [q] = await store!.db.query<{ n: string }>(`SELECT sum(seen_count) AS n FROM quarantine`);
      expect(Number(q!.n)).toBe(bad.length);
      await waitFor('every record delivered', () => http.recordCounts().size === rows - bad.length, 60_000, 200);
      const perRecord = new Map<string, Set<string>>();
      for (const r of http.okRequests()) for (const x of (JSON.parse(r.body) as { records: { id: string }[] }).records) perRecord.set(x.id, (perRecord.get(x.id) ?? new Set()).add(r.idempotencyKey!));
      expect([...perRecord.values()].filter((keys) => keys.size !== 1)).toEqual([]);
      expect(await store!.listDeadLetters({})).toEqual([]);
      console.log(`Redis restarted at ${atStop.counts.stored}/${rows} records stored; after: read ${done.counts.read}, invalid ${done.counts.invalid}, quarantine rows ${bad.length}, ${http.okRequests().length} deliveries`);
    } finally {
      await env?.cleanup();
      env = null;
      await redis.stop('SIGKILL');
    }
  }, 180_000);
});
