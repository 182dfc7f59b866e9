/**
 * Patient with agencies: the default retry policy rides out a 30-minute outage (time compressed here by
 * configuration: every wait divided by 1,000), also when Redis restarts in the middle of it, and dead
 * letters are replayed in bulk, once each. After each, the transfer's counts and its quarantine rows
 * are exactly those of a run without trouble: 43 rows read, 3 bad ones quarantined once each at their
 * rows, 40 stored and delivered. The database unreachable for longer than a transfer's attempts holds
 * its units until it is back: nothing is set aside for it, nothing stays running, nothing is lost.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { AgencyServer, AgencyServers, CASE_MAPPING, caseCsv, mkdirs, pollNow, PROJECT_ROOT, REDIS_URL, runOnce, testEnv, waitFor, type TestEnv } from '../../support/hub-harness.ts';
import { loadHubConfig } from '../../../src/config/hub-config.ts';
import { retrySpanMs } from '../../../src/pipeline/backoff.ts';
import type { Hub } from '../../../src/runtime/hub.ts';
import { PrivateRedis } from '../../support/redis-server.ts';
import { TcpProxy } from '../../support/tcp-proxy.ts';

const HFD = 'CT0006400';
const LAB = 'CTFSL0000';
const ADMIN = { authorization: 'Bearer demo-admin-key', 'content-type': 'application/json' };
/** Real time / test time. */
const COMPRESSION = 1000;

let env: TestEnv | null = null;
const servers = new AgencyServers();
afterEach(async () => {
  await env?.cleanup();
  env = null;
  await servers.stopAll();
});

/** The rows of forty.csv with a date that does not exist: quarantined, never delivered. */
const BAD_ROWS = [7, 19, 33];

/**
 * The lab's drop folder (and, with `webhook`, its webhook) delivering to Hartford's endpoint: `env` set,
 * the folder made. Returns the folder.
 */
async function labToHartford(
  http: AgencyServer,
  opts: { webhook?: boolean; schedule?: string; delivery?: Record<string, unknown>; transfers?: Record<string, unknown> } = {},
): Promise<string> {
  env = await testEnv({
    agencies: [
      { ori: LAB, name: 'Lab', kind: 'lab' },
      { ori: HFD, name: 'Hartford PD', destinations: [{ id: 'hfd-rms', kind: 'http', content: ['records'], options: { url: http.url } }] },
    ],
    connectors: [
      ...(opts.webhook ? [{ id: 'lims-hook', kind: 'webhook', agency: LAB, allowOtherAgencies: true, mapping: CASE_MAPPING, options: { secret: '${env:TEST_WEBHOOK_SECRET}' } }] : []),
      { id: 'lims-drop', kind: 'directory', agency: LAB, allowOtherAgencies: true, mapping: CASE_MAPPING, ...(opts.schedule ? { schedule: opts.schedule } : {}), options: { path: 'IN', stableMs: 0 } },
    ],
    ...(opts.delivery ? { delivery: opts.delivery } : {}),
    ...(opts.transfers ? { transfers: opts.transfers } : {}),
  });
  const dir = path.join(env.dir, 'in');
  writeFileSync(env.configFile, readFileSync(env.configFile, 'utf8').replace(/path: IN/, `path: ${dir}`));
  mkdirs(dir);
  return dir;
}

/** The hub started with its PostgreSQL reached through a proxy the test cuts (`proxy.down()`) and mends. */
async function hubBehindDatabaseProxy(): Promise<{ hub: Hub; proxy: TcpProxy }> {
  const url = new URL(env!.db!.url);
  const proxy = new TcpProxy(Number(url.port || 5432), url.hostname);
  await proxy.up();
  url.host = `127.0.0.1:${proxy.port}`;
  return { hub: await env!.start({ databaseUrl: url.toString() }), proxy };
}

/** 43 rows of which 3 bad, one chunk each: 40 deliveries to Hartford. */
async function forty(http: AgencyServer, delivery: Record<string, unknown>, opts: { redisUrl?: string } = {}): Promise<{ hub: Hub; transferId: string }> {
  await labToHartford(http, { delivery, transfers: { chunkSize: 1 } });
  writeFileSync(path.join(env!.dir, 'in', 'forty.csv'), caseCsv(40 + BAD_ROWS.length, [HFD], { bad: BAD_ROWS }));
  const hub = await env!.start(opts.redisUrl ? { redisUrl: opts.redisUrl } : {});
  return { hub, transferId: await runOnce(hub, 'lims-drop') };
}

/**
 * The transfer's counts and quarantine exactly as one untroubled run gives them: every row read once,
 * the 3 bad rows one quarantine entry each, seen once, at their rows; `delivered` and `failed` (records
 * whose delivery became a dead letter) as given.
 */
async function expectExact(hub: Hub, transferId: string, deliveries: { delivered: number; failed: number }): Promise<void> {
  const t = await waitFor('the delivery counts on the transfer', async () => {
    const x = (await hub.store.getTransfer(transferId))!;
    return x.counts.delivered + x.counts.failed >= deliveries.delivered + deliveries.failed ? x : null;
  });
  expect({ status: t.status, counts: t.counts }).toEqual({
    status: 'partial',
    counts: { read: 43, mapped: 40, invalid: 3, damaged: 0, stored: 40, changed: 40, unchanged: 0, ...deliveries },
  });
  const rows = await hub.store.listQuarantine({ connectorId: 'lims-drop', limit: 100 });
  expect(rows.map((q) => [q.pointer?.row, q.code, q.count, q.transferId]).sort((a, b) => Number(a[0]) - Number(b[0]))).toEqual(
    BAD_ROWS.map((row) => [row, 'HUB_ERR_RECORD_DATE', 1, transferId]),
  );
  const [sightings] = await hub.store.db.query<{ n: string }>(`SELECT count(*) AS n FROM quarantine_sightings`);
  expect(Number(sightings!.n)).toBe(BAD_ROWS.length);
}

function cgic(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [path.join(PROJECT_ROOT, 'bin/cgic.js'), ...args, '--config', env!.configFile], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, REDIS_URL, CGIC_QUEUE_PREFIX: env!.prefix, DATABASE_URL: env!.db!.url, LOG_LEVEL: 'warn' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('agency outages', () => {
  it('the default retry policy spans more than 30 minutes before a dead letter', async () => {
    const dir = path.join(PROJECT_ROOT, 'var');
    mkdirs(dir);
    const file = path.join(dir, `defaults-${process.pid}.yaml`);
    writeFileSync(file, 'hub: { name: defaults }\nagencies: []\nconnectors: []\n');
    const { delivery } = (await loadHubConfig(file).finally(() => rmSync(file))).hub;
    const span = retrySpanMs(delivery);
    expect(delivery).toMatchObject({ attempts: 24, backoffMs: 2000, maxBackoffMs: 300_000 });
    expect(span.min).toBeGreaterThan(30 * 60_000);
    console.log(`default retry span: ${(span.min / 60_000).toFixed(1)} to ${(span.max / 60_000).toFixed(1)} minutes`);
  });

  it('an agency endpoint down 30 minutes (compressed 1,000 times): no dead letter, every delivery once afterwards', async () => {
    const http = await servers.start();
    const outageMs = (30 * 60_000) / COMPRESSION;
    // Down from the start, and for 30 (compressed) minutes more once every delivery exists: on a
    // loaded machine the transfer itself can take longer than the compressed outage.
    let outageEnds = Infinity;
    http.answer = (r) => (r.at < outageEnds ? 503 : 200);
    // The default policy (24 attempts, 2 s base, 5 min cap), every wait divided by 1,000.
    const { hub, transferId } = await forty(http, { attempts: 24, backoffMs: 2000 / COMPRESSION, maxBackoffMs: 300_000 / COMPRESSION, concurrency: 4 });
    await waitFor('the transfer committed', async () => (await hub.store.getTransfer(transferId))?.status === 'partial', 60_000);
    outageEnds = Date.now() + outageMs;
    await waitFor('40 deliveries', () => http.okRequests().length >= 40, 60_000);
    await new Promise((r) => setTimeout(r, 500));
    expect(await hub.store.listDeadLetters({})).toEqual([]);
    // Deliveries refused from the start were retried under their own key through the whole outage
    // (refused first, delivered at least 30 compressed minutes later), without becoming dead letters.
    const firstRefused = new Map<string, number>();
    for (const r of http.received) if (r.status === 503 && !firstRefused.has(r.idempotencyKey!)) firstRefused.set(r.idempotencyKey!, r.at);
    const rodeOut = http.okRequests().filter((r) => r.at - (firstRefused.get(r.idempotencyKey!) ?? Infinity) >= outageMs).length;
    expect(rodeOut).toBeGreaterThan(0);
    expect(http.okRequests()).toHaveLength(40);
    expect(new Set(http.okRequests().map((r) => r.idempotencyKey)).size).toBe(40);
    expect([...http.recordCounts().values()]).toEqual(Array(40).fill(1));
    await expectExact(hub, transferId, { delivered: 40, failed: 0 });
    const last = Math.max(...http.okRequests().map((r) => r.at));
    console.log(`outage of ${outageMs} ms (30 min / ${COMPRESSION}) after the last delivery was queued: ${http.received.length - 40} failed attempts, ${rodeOut} deliveries retried through all of it, 0 dead letters, 40 delivered once, the last ${last - outageEnds} ms after the end`);
  });

  it('Redis restarted in the middle of an agency outage: no dead letter, every delivery once afterwards, counts and quarantine rows exact', async () => {
    const http = await servers.start();
    let up = false;
    http.answer = () => (up ? 200 : 503);
    // Its data kept on disk (appendonly), as a production Redis keeps it: the delayed retries survive the restart.
    const redisDir = mkdtempSync(path.join(os.tmpdir(), 'cgic-outage-redis-'));
    const redis = await PrivateRedis.start(redisDir);
    try {
      // The default policy compressed 1,000 times, as above: the retries go on through the restart.
      const { hub, transferId } = await forty(http, { attempts: 24, backoffMs: 2000 / COMPRESSION, maxBackoffMs: 300_000 / COMPRESSION, concurrency: 4 }, { redisUrl: redis.url });
      await waitFor('the transfer committed and its deliveries retrying', async () => {
        const t = await hub.store.getTransfer(transferId);
        return t?.status === 'partial' && http.received.length >= 40;
      }, 60_000);
      await redis.stop('SIGTERM');
      await new Promise((r) => setTimeout(r, 1500));
      await redis.restart();
      const refusedBefore = http.received.length;
      up = true;
      await waitFor('40 deliveries after the restart', () => http.okRequests().length >= 40, 60_000);
      await new Promise((r) => setTimeout(r, 500));
      expect(await hub.store.listDeadLetters({})).toEqual([]);
      expect(http.okRequests()).toHaveLength(40);
      expect(new Set(http.okRequests().map((r) => r.idempotencyKey)).size).toBe(40);
      expect([...http.recordCounts().values()]).toEqual(Array(40).fill(1));
      await expectExact(hub, transferId, { delivered: 40, failed: 0 });
      console.log(`Redis restarted after ${refusedBefore} refused attempts; 40 delivered once, 0 dead letters, read 43, invalid 3, 3 quarantine rows`);
    } finally {
      await env?.cleanup();
      env = null;
      await redis.stop('SIGKILL');
      rmSync(redisDir, { recursive: true, force: true });
    }
  });

  it('40 dead letters replayed in one command (cgic dead-letters replay --destination): every delivery once, 0 duplicates', async () => {
    const http = await servers.start();
    let up = false;
    http.answer = () => (up ? 200 : 503);
    const { hub, transferId } = await forty(http, { attempts: 2, backoffMs: 5, maxBackoffMs: 10, concurrency: 4 });
    await waitFor('40 dead letters', async () => (await hub.store.countDeadLetters({ destinationId: 'hfd-rms', pending: true })) === 40, 30_000);
    await expectExact(hub, transferId, { delivered: 0, failed: 40 });
    up = true;

    // The API counts them; an empty filter is refused (no accidental replay of everything).
    const dry = await fetch(`${hub.address}/api/dead-letters/replay`, { method: 'POST', headers: ADMIN, body: JSON.stringify({ destination: 'hfd-rms', dryRun: true }) });
    expect(await dry.json()).toEqual({ matched: 40, replayed: 0, skipped: 0, failed: [], dryRun: true, ids: [] });
    expect((await fetch(`${hub.address}/api/dead-letters/replay`, { method: 'POST', headers: ADMIN, body: '{}' })).status).toBe(400);

    expect(cgic(['dead-letters', 'replay', '--destination', 'hfd-rms', '--dry-run'])).toMatchObject({ status: 0, stdout: '40 dead letters would be replayed (dry run: nothing queued)\n' });
    const since = new Date(Date.now() - 3_600_000).toISOString();
    const run = cgic(['dead-letters', 'replay', '--destination', 'hfd-rms', '--since', since]);
    expect(run).toMatchObject({ status: 0, stdout: "40 of 40 dead letters replayed; a running hub's workers deliver them\n" });
    // The trail names each dead letter the command replayed (the command works on the store itself).
    const [replayEntry] = await hub.store.listAudit({ category: 'operator', action: 'cgic dead-letters replay', limit: 1 });
    const letters = await hub.store.listDeadLetters({ destinationId: 'hfd-rms', limit: 100 });
    expect(replayEntry!.subjects.map((x) => x.id).sort()).toEqual(letters.map((l) => l.id).sort());
    expect(replayEntry!.subjects).toHaveLength(40);
    await waitFor('40 replays delivered', () => http.okRequests().length >= 40, 30_000);
    await new Promise((r) => setTimeout(r, 500));
    expect(http.okRequests()).toHaveLength(40);
    expect(new Set(http.okRequests().map((r) => r.idempotencyKey)).size).toBe(40);
    expect([...http.recordCounts().values()]).toEqual(Array(40).fill(1));
    expect(await hub.store.countDeadLetters({ pending: true })).toBe(0);
    // Replayed, each record is counted delivered once; `failed` keeps what happened before (the 40 that
    // went dead); the rows read and quarantined are untouched by the replay.
    await expectExact(hub, transferId, { delivered: 40, failed: 40 });

    // Again: nothing left to replay; one id again is a state conflict (exit 75), not a configuration error (78).
    expect(cgic(['dead-letters', 'replay', '--all'])).toMatchObject({ status: 0, stdout: "0 of 0 dead letters replayed; a running hub's workers deliver them\n" });
    const [one] = await hub.store.listDeadLetters({ destinationId: 'hfd-rms', limit: 1 });
    const again = cgic(['dead-letters', 'replay', one!.id]);
    expect(again.status).toBe(75);
    expect(again.stderr).toContain('HUB_ERR_STATE_CONFLICT');
    expect(cgic(['dead-letters', 'replay']).status).toBe(2);
    console.log(`bulk replay: 40 dead letters in one command, ${http.okRequests().length} deliveries, ${http.okRequests().length - new Set(http.okRequests().map((r) => r.idempotencyKey)).size} duplicates`);
  });
});

describe('database outages', () => {
  it('PostgreSQL unreachable mid-transfer for longer than the transfers\' attempts: once it is back, the webhook body and the file are stored and delivered once; no dead letter, nothing left running or spooled', async () => {
    const http = await servers.start();
    const dir = await labToHartford(http, { webhook: true, transfers: { attempts: 3, backoffMs: 100 } });
    process.env.TEST_WEBHOOK_SECRET = 'test-webhook-secret-0123456789abcdef0123456789';
    // The hub reaches PostgreSQL through a proxy this test cuts.
    const { hub, proxy } = await hubBehindDatabaseProxy();
    // Each chunk takes a second to commit, so both transfers are under way when the database goes.
    await hub.store.db.exec(`
      CREATE FUNCTION cgic_test_slow() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(1); RETURN NEW; END $$;
      CREATE TRIGGER cgic_test_slow BEFORE INSERT ON transfer_chunks FOR EACH ROW EXECUTE FUNCTION cgic_test_slow();`);

    const { sign } = await import('../../../connectors/webhook/index.ts');
    const body = caseCsv(4, [HFD], { prefix: 'HOOK' });
    const ts = Math.floor(Date.now() / 1000);
    const res = await fetch(`${hub.address}/hooks/lims-hook`, { method: 'POST', headers: { 'x-cgic-timestamp': String(ts), 'x-cgic-signature': sign(process.env.TEST_WEBHOOK_SECRET!, ts, body) }, body });
    expect(res.status).toBe(202);
    const { transferId: hookTransfer } = (await res.json()) as { transferId: string };
    writeFileSync(path.join(dir, 'a.csv'), caseCsv(5, [HFD], { prefix: 'FILE' }));
    const [fileTransfer] = await pollNow(hub, 'lims-drop');
    await new Promise((r) => setTimeout(r, 300));

    // Three seconds without the database: both transfers use up their three attempts meanwhile.
    await proxy.down();
    await new Promise((r) => setTimeout(r, 3000));
    await proxy.up();

    for (const id of [hookTransfer, fileTransfer!]) {
      const t = await waitFor(`transfer ${id} to finish`, async () => {
        const x = await hub.store.getTransfer(id);
        return x && !['queued', 'running'].includes(x.status) ? x : null;
      }, 30_000);
      expect(t).toMatchObject({ status: 'succeeded', error: null });
    }
    await waitFor('9 records delivered', () => http.recordCounts().size === 9, 20_000);
    expect([...http.recordCounts().values()].every((n) => n === 1)).toBe(true);
    expect(await hub.store.listDeadLetters({})).toEqual([]);
    expect(await hub.store.listQuarantine({})).toEqual([]);
    expect(await hub.store.spoolBacklog('lims-hook')).toEqual({ bodies: 0, bytes: 0 });
    expect(readdirSync(path.join(dir, 'archive'))).toEqual(['a.csv']);
    expect(readdirSync(path.join(dir, '.processing'))).toEqual([]);
    await hub.stop();
    await proxy.down();
  }, 90_000);
});

describe('database and agency down together', () => {
  it('a delivery whose last attempt fails while PostgreSQL is unreachable waits for it: once both are back it is delivered once, no dead letter', async () => {
    const http = await servers.start();
    let agencyUp = false;
    // The agency's first (refused) answer takes the database away with it, so the delivery's other
    // attempts (at most 600 ms of waits) all fail while it is gone, the last one included, however
    // slowly this machine runs.
    let cut: Promise<void> | undefined;
    http.answer = () => {
      cut ??= proxy.down();
      return agencyUp ? 200 : 503;
    };
    const dir = await labToHartford(http, { delivery: { attempts: 3, backoffMs: 200, maxBackoffMs: 400 } });
    const { hub, proxy } = await hubBehindDatabaseProxy();
    writeFileSync(path.join(dir, 'a.csv'), caseCsv(3, [HFD], { prefix: 'D' }));
    const transferId = await runOnce(hub, 'lims-drop');
    await waitFor('the first delivery attempt, and the database gone with it', () => cut !== undefined, 20_000);
    await cut;
    await new Promise((r) => setTimeout(r, 3000));
    await proxy.up();
    agencyUp = true;

    await waitFor('3 records delivered', () => http.recordCounts().size === 3, 30_000);
    expect([...http.recordCounts().values()]).toEqual([1, 1, 1]);
    expect(await hub.store.listDeadLetters({})).toEqual([]);
    const t = await waitFor('the delivery counted', async () => {
      const x = (await hub.store.getTransfer(transferId))!;
      return x.counts.delivered === 3 ? x : null;
    });
    expect(t.counts).toMatchObject({ stored: 3, delivered: 3, failed: 0 });
    await hub.stop();
    await proxy.down();
  }, 90_000);
});

describe('Redis unreachable', () => {
  it('the workers\' errors while Redis is away are log lines, not bare stack traces on stderr; a file dropped once it is back is delivered', async () => {
    const http = await servers.start();
    const dir = await labToHartford(http);
    const proxy = new TcpProxy(Number(new URL(REDIS_URL).port || 6379), new URL(REDIS_URL).hostname);
    await proxy.up();
    const lines: { level: number; msg: string; queue?: string; err?: string }[] = [];
    const logger = pino({ level: 'warn' }, new Writable({ write: (c: Buffer, _e, cb) => (lines.push(JSON.parse(c.toString()) as (typeof lines)[number]), cb()) }));
    const stderr = vi.spyOn(console, 'error');
    try {
      const hub = await env!.start({ redisUrl: `redis://127.0.0.1:${proxy.port}`, logger });
      await proxy.down();
      await new Promise((r) => setTimeout(r, 2000));
      await proxy.up();
      writeFileSync(path.join(dir, 'a.csv'), caseCsv(3, [HFD], { prefix: 'R' }));
      await waitFor('the file delivered', async () => {
        await pollNow(hub, 'lims-drop').catch(() => []);
        return http.recordCounts().size === 3;
      }, 60_000, 500);
      expect(stderr).not.toHaveBeenCalled();
      const workerErrors = lines.filter((l) => l.msg === 'worker error');
      expect(workerErrors.length).toBeGreaterThan(0);
      expect(new Set(workerErrors.map((l) => l.queue))).toContain('transfers');
      expect(workerErrors[0]!.err).toMatch(/ECONNREFUSED|ECONNRESET|Connection is closed|lock/);
      await hub.stop();
    } finally {
      stderr.mockRestore();
      await proxy.down();
    }
  }, 90_000);
});

describe('Redis losing its data', () => {
  it('a transfer row whose job is gone does not hold its connector\'s schedule: a file dropped afterwards is taken by the next tick', async () => {
    const http = await servers.start();
    const dir = await labToHartford(http, { schedule: '* * * * * *' });
    const hub = await env!.start();
    // What a Redis that lost its data leaves behind: transfers queued and running in the store, no job.
    await hub.store.createTransfer({ id: '00000000-0000-4000-8000-000000000001', connectorId: 'lims-drop', trigger: 'schedule', source: 'lost-queued.csv' });
    await hub.store.createTransfer({ id: '00000000-0000-4000-8000-000000000002', connectorId: 'lims-drop', trigger: 'schedule', source: 'lost-running.csv', status: 'running' });

    writeFileSync(path.join(dir, 'new.csv'), caseCsv(3, [HFD], { prefix: 'N' }));
    const t = await waitFor('the dropped file transferred by the schedule', async () => (await hub.store.listTransfers({ connectorId: 'lims-drop', limit: 10 })).find((x) => x.source === 'new.csv' && x.status === 'succeeded'), 20_000, 200);
    expect(t).toMatchObject({ trigger: 'schedule', counts: { read: 3, stored: 3 } });
    await waitFor('3 records delivered', () => http.recordCounts().size === 3);
  }, 60_000);
});
