/**
 * The hub end to end on real Redis and a real PostgreSQL (and PGlite for the first case): drop folders,
 * webhooks, retries, dead letters, idempotency, quarantine, isolation between agencies.
 */
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import pino from 'pino';
import { AgencyServer, AgencyServers, CASE_MAPPING, caseCsv, mkdirs, runOnce, testEnv, waitFor, type TestEnv } from '../../support/hub-harness.ts';
import { sign } from '../../../connectors/webhook/index.ts';

const HFD = 'CT0006400';
const EHPD = 'CT0004300';
const LAB = 'CTFSL0000';
const ADMIN = { authorization: 'Bearer demo-admin-key' };

let env: TestEnv | null = null;
const servers = new AgencyServers();
afterEach(async () => {
  await env?.cleanup();
  env = null;
  await servers.stopAll();
});

const agency = (): Promise<AgencyServer> => servers.start();

/** Two agencies: Hartford over HTTP, East Hartford into a folder; a lab drop folder and a webhook. */
async function twoAgencies(store: 'postgres' | 'pglite', http: AgencyServer, extra: { delivery?: Record<string, unknown> } = {}) {
  const e = await testEnv(
    {
      agencies: [
        { ori: LAB, name: 'Lab', kind: 'lab' },
        { ori: HFD, name: 'Hartford PD', destinations: [{ id: 'hfd-rms', kind: 'http', content: ['records'], options: { url: http.url } }] },
        { ori: EHPD, name: 'East Hartford PD', destinations: [{ id: 'ehpd-files', kind: 'directory', content: ['records'], options: { path: 'OUT' } }] },
      ],
      connectors: [
        { id: 'lims-drop', kind: 'directory', agency: LAB, allowOtherAgencies: true, mapping: CASE_MAPPING, options: { path: 'IN', stableMs: 0 } },
        { id: 'lims-hook', kind: 'webhook', agency: LAB, allowOtherAgencies: true, mapping: CASE_MAPPING, options: { secret: '${env:TEST_WEBHOOK_SECRET}' } },
      ],
      ...(extra.delivery ? { delivery: extra.delivery } : {}),
    },
    { store },
  );
  // Folders live in the test's temp dir: rewrite the placeholders now that it exists.
  const cfg = readFileSync(e.configFile, 'utf8').replace(/path: IN/, `path: ${path.join(e.dir, 'in')}`).replace(/path: OUT/, `path: ${path.join(e.dir, 'out')}`);
  writeFileSync(e.configFile, cfg);
  mkdirs(path.join(e.dir, 'in'), path.join(e.dir, 'out'));
  process.env.TEST_WEBHOOK_SECRET = 'test-webhook-secret-0123456789abcdef0123456789';
  return e;
}

async function finished(e: TestEnv, hubIndex: number, transferId: string) {
  return waitFor(`transfer ${transferId} to finish`, async () => {
    const t = await e.hubs[hubIndex]!.store.getTransfer(transferId);
    return t && !['queued', 'running'].includes(t.status) ? t : null;
  });
}

function outFiles(e: TestEnv): string[] {
  const dir = path.join(e.dir, 'out');
  return existsSync(dir) ? readdirSync(dir).filter((f) => !f.startsWith('.')) : [];
}

function recordsInFolder(e: TestEnv): string[] {
  return outFiles(e).flatMap((f) => (JSON.parse(readFileSync(path.join(e.dir, 'out', f), 'utf8')) as { records: { id: string }[] }).records.map((r) => r.id));
}

describe.each(['postgres', 'pglite'] as const)('drop folder to agencies (%s store)', (store) => {
  it('a dropped file is stored and delivered to a real HTTP endpoint and to a folder', async () => {
    const http = await agency();
    env = await twoAgencies(store, http);
    const hub = await env.start();
    writeFileSync(path.join(env.dir, 'in', 'export.csv'), caseCsv(40, [HFD, EHPD]));
    const id = await runOnce(hub, 'lims-drop');
    const t = await finished(env, 0, id);
    expect(t).toMatchObject({ status: 'succeeded', counts: { read: 40, mapped: 40, invalid: 0, stored: 40, changed: 40 } });
    expect(await hub.store.getRecord('Case', `${HFD}|C-000002`)).toMatchObject({ agencyOri: HFD, version: 1 });
    await waitFor('Hartford to receive its 20 cases', () => http.recordCounts().size === 20);
    await waitFor('East Hartford files', () => recordsInFolder(env!).length === 20);
    expect([...http.recordCounts().values()].every((n) => n === 1)).toBe(true);
    expect(http.okRequests()[0]!.idempotencyKey).toMatch(/^rec-/);
    expect(existsSync(path.join(env.dir, 'in', 'archive', 'export.csv'))).toBe(true);
  });
});

describe('pipeline on PostgreSQL', () => {
  it('a webhook with a bad or stale signature gets 401 and nothing is queued; a good one 202', async () => {
    const http = await agency();
    env = await twoAgencies('postgres', http);
    const hub = await env.start();
    const body = caseCsv(3, [HFD]);
    const now = Math.floor(Date.now() / 1000);
    const post = (headers: Record<string, string>) => fetch(`${hub.address}/hooks/lims-hook`, { method: 'POST', headers: { 'content-type': 'text/csv', ...headers }, body });
    const bad = await post({ 'x-cgic-timestamp': String(now), 'x-cgic-signature': sign('wrong-secret-wrong-secret-wrong-secret', now, body) });
    const stale = await post({ 'x-cgic-timestamp': String(now - 3600), 'x-cgic-signature': sign(process.env.TEST_WEBHOOK_SECRET!, now - 3600, body) });
    const missing = await post({});
    expect([bad.status, stale.status, missing.status]).toEqual([401, 401, 401]);
    expect((await bad.json()) as object).toMatchObject({ code: 'HUB_ERR_CONNECTOR_WEBHOOK_SIGNATURE' });
    // A compressed body, signed as sent: refused as such (415), not read as garbled text.
    const gzipped = gzipSync(body);
    const compressed = await fetch(`${hub.address}/hooks/lims-hook`, {
      method: 'POST',
      headers: { 'content-type': 'text/csv', 'content-encoding': 'gzip', 'x-cgic-timestamp': String(now), 'x-cgic-signature': sign(process.env.TEST_WEBHOOK_SECRET!, now, gzipped) },
      body: gzipped,
    });
    expect([compressed.status, ((await compressed.json()) as { code: string }).code]).toEqual([415, 'HUB_ERR_CONNECTOR_WEBHOOK_ENCODING']);
    expect(await hub.transfers.getJobCounts('waiting', 'active', 'completed', 'delayed', 'failed')).toEqual({ waiting: 0, active: 0, completed: 0, delayed: 0, failed: 0 });
    expect(await hub.store.listTransfers({ connectorId: 'lims-hook' })).toHaveLength(0);

    const good = await post({ 'x-cgic-timestamp': String(now), 'x-cgic-signature': sign(process.env.TEST_WEBHOOK_SECRET!, now, body) });
    expect(good.status).toBe(202);
    const { transferId } = (await good.json()) as { transferId: string };
    expect(await finished(env, 0, transferId)).toMatchObject({ status: 'succeeded', trigger: 'webhook', counts: { read: 3 } });
    await waitFor('the webhook records delivered', () => http.recordCounts().size === 3);
  });

  it('a webhook body over maxBytes gets 413 with the connector\'s own code, however large it is', async () => {
    const http = await agency();
    env = await twoAgencies('postgres', http);
    const hub = await env.start();
    const maxBytes = (hub.source('lims-hook') as unknown as { maxBytes: number }).maxBytes;
    const post = (size: number) =>
      fetch(`${hub.address}/hooks/lims-hook`, { method: 'POST', headers: { 'content-type': 'text/csv' }, body: Buffer.alloc(size, 0x41) });
    for (const size of [maxBytes + 1, maxBytes + 5 * 1024 * 1024]) {
      const res = await post(size);
      expect(res.status).toBe(413);
      expect(await res.json()).toEqual({ code: 'HUB_ERR_CONNECTOR_WEBHOOK_TOO_LARGE', message: `Webhook lims-hook: the body is larger than maxBytes (${maxBytes} bytes)` });
    }
    expect(await hub.store.listTransfers({ connectorId: 'lims-hook' })).toHaveLength(0);
    const notFound = await fetch(`${hub.address}/hooks/no-such-hook`, { method: 'POST', body: Buffer.alloc(maxBytes + 5 * 1024 * 1024, 0x41) });
    expect(notFound.status).toBe(404); // no such connector: answered before the body is read
  });

  it('an endpoint answering 500 three times, then 200, gets the delivery exactly once', async () => {
    const http = await agency();
    http.answer = (_r, n) => (n <= 3 ? 500 : 200);
    env = await twoAgencies('postgres', http, { delivery: { attempts: 5, backoffMs: 20, maxBackoffMs: 100 } });
    const hub = await env.start();
    writeFileSync(path.join(env.dir, 'in', 'a.csv'), caseCsv(5, [HFD]));
    await finished(env, 0, await runOnce(hub, 'lims-drop'));
    await waitFor("a 200", () => http.okRequests().length === 1).catch((e) => { console.log("RECEIVED", http.received.map((r) => [r.status, r.idempotencyKey])); throw e; });
    await new Promise((r) => setTimeout(r, 500));
    expect(http.received.map((r) => r.status)).toEqual([500, 500, 500, 200]);
    expect(new Set(http.received.map((r) => r.idempotencyKey)).size).toBe(1);
    const [d] = await hub.store.listDeliveries({ destinationId: 'hfd-rms' });
    expect(d).toMatchObject({ status: 'delivered', attempts: 4, responseStatus: 200 });
    expect(await hub.store.listDeadLetters({})).toHaveLength(0);
  });

  it('an endpoint down past every retry makes a dead letter; replay delivers it once', async () => {
    const http = await agency();
    let up = false;
    http.answer = () => (up ? 200 : 503);
    env = await twoAgencies('postgres', http, { delivery: { attempts: 3, backoffMs: 20, maxBackoffMs: 50 } });
    const hub = await env.start();
    writeFileSync(path.join(env.dir, 'in', 'a.csv'), caseCsv(4, [HFD]));
    await finished(env, 0, await runOnce(hub, 'lims-drop'));
    const [dl] = await waitFor('a dead letter', async () => {
      const l = await hub.store.listDeadLetters({ destinationId: 'hfd-rms' });
      return l.length ? l : null;
    });
    expect(dl!.attempts).toHaveLength(3);
    expect(dl!.attempts.map((a) => a.status)).toEqual([503, 503, 503]);
    expect((await hub.store.listDeliveries({ destinationId: 'hfd-rms' }))[0]).toMatchObject({ status: 'dead', attempts: 3 });

    up = true;
    const res = await fetch(`${hub.address}/api/dead-letters/${dl!.id}/replay`, { method: 'POST', headers: ADMIN });
    expect(res.status).toBe(202);
    await waitFor('the replay delivered', () => http.okRequests().length === 1);
    const again = await fetch(`${hub.address}/api/dead-letters/${dl!.id}/replay`, { method: 'POST', headers: ADMIN });
    expect(again.status).toBe(409);
    await new Promise((r) => setTimeout(r, 300));
    expect(http.okRequests()).toHaveLength(1);
    expect([...http.recordCounts().values()]).toEqual([1, 1, 1, 1]);
    expect((await hub.store.listDeliveries({ destinationId: 'hfd-rms' }))[0]).toMatchObject({ status: 'delivered' });
  });

  it('an endpoint whose error answers echo the records sent: no log line carries them; the ledger and the dead letter keep the answer', async () => {
    // Answers 503, then 422, each quoting the case number of the first record it was sent.
    let n = 0;
    const echo = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const first = (JSON.parse(body) as { records: { agencyCaseNumber: string }[] }).records[0]!;
        res.writeHead(++n === 1 ? 503 : 422, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: `case ${first.agencyCaseNumber} refused` }));
      });
    });
    await new Promise<void>((r) => echo.listen(0, '127.0.0.1', () => r()));
    try {
      env = await twoAgencies('postgres', await agency(), { delivery: { attempts: 3, backoffMs: 20, maxBackoffMs: 50 } });
      writeFileSync(env.configFile, readFileSync(env.configFile, 'utf8').replace(/url: http:\/\/127\.0\.0\.1:\d+\/intake/, `url: http://127.0.0.1:${(echo.address() as AddressInfo).port}/intake`));
      const lines: string[] = [];
      const hub = await env.start({ logger: pino({ level: 'debug' }, new Writable({ write: (c: Buffer, _e, cb) => (lines.push(c.toString()), cb()) })) });
      writeFileSync(path.join(env.dir, 'in', 'a.csv'), caseCsv(1, [HFD], { prefix: 'ECHOED' }));
      await finished(env, 0, await runOnce(hub, 'lims-drop'));
      const [dl] = await waitFor('a dead letter', async () => {
        const l = await hub.store.listDeadLetters({ destinationId: 'hfd-rms' });
        return l.length ? l : null;
      });
      expect(dl!.attempts.map((a) => a.status)).toEqual([503, 422]);
      expect(dl!.lastError).toContain('case ECHOED-000001 refused');
      expect((await hub.store.listDeliveries({ destinationId: 'hfd-rms' }))[0]!.lastError).toContain('case ECHOED-000001 refused');
      const failures = lines.filter((l) => /delivery failed/.test(l));
      expect(failures.map((l) => (JSON.parse(l) as { err: string }).err)).toEqual([
        expect.stringMatching(/^HUB_ERR_DELIVERY_UNAVAILABLE: hfd-rms: .* is unavailable: HTTP 503 \(its answer is kept with the delivery and its dead letter, not logged\)$/),
        expect.stringMatching(/^HUB_ERR_DELIVERY_REJECTED: hfd-rms: .* rejected the delivery with HTTP 422: \(its answer is kept with the delivery and its dead letter, not logged\)$/),
      ]);
      expect(lines.filter((l) => l.includes('ECHOED'))).toEqual([]);
    } finally {
      echo.close();
    }
  });

  it('a dry run maps and counts but stores, delivers and acknowledges nothing; the file stays for the real run', async () => {
    const http = await agency();
    env = await twoAgencies('postgres', http);
    const hub = await env.start();
    writeFileSync(path.join(env.dir, 'in', 'x.csv'), caseCsv(6, [HFD], { bad: [2] }));
    const res = await fetch(`${hub.address}/api/connectors/lims-drop/run?dryRun=true&wait=20`, { method: 'POST', headers: ADMIN });
    expect(res.status).toBe(202);
    const poll = (await res.json()) as { pollId: string; state: string; dryRun: boolean; transferIds: string[] };
    expect(poll).toMatchObject({ state: 'claimed', dryRun: true });
    const [transferId] = poll.transferIds as [string];
    expect(await finished(env, 0, transferId)).toMatchObject({ counts: { read: 6, mapped: 5, invalid: 1, stored: 0 } });
    expect(await hub.store.getRecord('Case', `${HFD}|C-000001`)).toBeUndefined();
    expect(readdirSync(path.join(env.dir, 'in')).filter((f) => !f.startsWith('.'))).toEqual(['x.csv']);
    const real = await finished(env, 0, await runOnce(hub, 'lims-drop'));
    expect(real.counts).toMatchObject({ read: 6, stored: 5 });
    await waitFor('delivered and counted on the transfer', async () => (await hub.store.getTransfer(real.id))!.counts.delivered === 5);
    expect(http.okRequests()).toHaveLength(1);
  });

  it('GET /api/connectors lists last run, next run and health, checking each connector at most once per 30 s', async () => {
    const http = await agency();
    const feed = await agency();
    env = await testEnv({
      agencies: [
        { ori: LAB, name: 'Lab', kind: 'lab' },
        { ori: HFD, name: 'Hartford PD', timezone: 'America/New_York', destinations: [{ id: 'hfd-rms', kind: 'http', content: ['records'], options: { url: http.url } }] },
      ],
      connectors: [
        { id: 'hfd-feed', kind: 'http-poll', agency: HFD, mapping: CASE_MAPPING, schedule: '30 2 * * *', options: { url: feed.url } },
        { id: 'lims-drop', kind: 'directory', agency: LAB, allowOtherAgencies: true, mapping: CASE_MAPPING, options: { path: '/nonexistent/cgic-drop', stableMs: 0 } },
      ],
    });
    const hub = await env.start();
    const list = async () => {
      const res = await fetch(`${hub.address}/api/connectors`, { headers: ADMIN });
      expect(res.status).toBe(200);
      return (await res.json()) as { id: string; kind: string; schedule: string | null; nextRun: string | null; lastRun: unknown; health: { ok: boolean; detail: string; checkedAt: string } }[];
    };
    const first = await list();
    const byId = new Map(first.map((c) => [c.id, c]));
    expect(byId.get('hfd-feed')).toMatchObject({ kind: 'http-poll', schedule: '30 2 * * *', lastRun: null, health: { ok: true } });
    expect(new Date(byId.get('hfd-feed')!.nextRun!).getTime()).toBeGreaterThan(Date.now());
    expect(byId.get('lims-drop')).toMatchObject({ kind: 'directory', nextRun: null, health: { ok: false } });
    expect(byId.get('lims-drop')!.health.detail).toContain('/nonexistent/cgic-drop');
    const second = await list();
    expect(feed.received.filter((r) => r.method === 'GET')).toHaveLength(1); // the second list reused the check
    expect(second.map((c) => c.health.checkedAt)).toEqual(first.map((c) => c.health.checkedAt));
    await expect(fetch(`${hub.address}/api/connectors`).then((r) => r.status)).resolves.toBe(401);
  });

  it('the same file dropped twice delivers nothing the second time', async () => {
    const http = await agency();
    env = await twoAgencies('postgres', http);
    const hub = await env.start();
    const csv = caseCsv(10, [HFD, EHPD]);
    writeFileSync(path.join(env.dir, 'in', 'x.csv'), csv);
    await finished(env, 0, await runOnce(hub, 'lims-drop'));
    await waitFor('first deliveries', () => http.recordCounts().size === 5 && recordsInFolder(env!).length === 5);
    writeFileSync(path.join(env.dir, 'in', 'x.csv'), csv);
    const second = await finished(env, 0, await runOnce(hub, 'lims-drop'));
    expect(second.counts).toMatchObject({ read: 10, stored: 10, changed: 0, unchanged: 10 });
    await new Promise((r) => setTimeout(r, 500));
    expect(http.received.map((r) => [r.status, r.idempotencyKey, r.body.length])).toHaveLength(1);
    expect(outFiles(env)).toHaveLength(1);
    expect(readdirSync(path.join(env.dir, 'in', 'archive'))).toHaveLength(2);
  });

  it('bad rows are quarantined with pointers; the good rows are delivered', async () => {
    const http = await agency();
    env = await twoAgencies('postgres', http);
    const hub = await env.start();
    writeFileSync(path.join(env.dir, 'in', 'mixed.csv'), caseCsv(12, [HFD], { bad: [3, 7] }));
    const t = await finished(env, 0, await runOnce(hub, 'lims-drop'));
    expect(t).toMatchObject({ status: 'partial', counts: { read: 12, mapped: 10, invalid: 2 } });
    const res = await fetch(`${hub.address}/api/quarantine?transfer=${t.id}`, { headers: ADMIN });
    const q = (await res.json()) as { total: number; items: { code: string; pointer: { file: string; row: number; line: number; column: string }; payload: unknown }[] };
    expect(q.total).toBe(2);
    expect(q.items.map((i) => [i.code, i.pointer.file, i.pointer.row, i.pointer.line, i.pointer.column]).sort()).toEqual([
      ['HUB_ERR_RECORD_DATE', 'mixed.csv', 3, 4, 'DATE'],
      ['HUB_ERR_RECORD_DATE', 'mixed.csv', 7, 8, 'DATE'],
    ]);
    expect(q.items.find((i) => i.pointer.row === 3)!.payload).toMatchObject({ ORI: HFD, CASE: 'C-000003', DATE: '02/30/2026' });
    await waitFor('the 10 good rows delivered', () => http.recordCounts().size === 10);
    expect(http.recordCounts().size).toBe(10);
  });

  it('the same bad row in a re-sent file is one quarantine entry with a count and its last sighting; a later export with the row corrected resolves it', async () => {
    const http = await agency();
    env = await twoAgencies('postgres', http);
    const hub = await env.start();
    const q = async (transfer?: string) => {
      const res = await fetch(`${hub.address}/api/quarantine${transfer ? `?transfer=${transfer}` : ''}`, { headers: ADMIN });
      return (await res.json()) as { total: number; items: { count: number; transferId: string; pointer: { file: string; row: number }; resolvedAt: string | null; resolvedBy: string | null; createdAt: string; lastSeenAt: string }[] };
    };
    writeFileSync(path.join(env.dir, 'in', 'monday.csv'), caseCsv(8, [HFD], { bad: [3] }));
    const first = await finished(env, 0, await runOnce(hub, 'lims-drop'));
    expect((await q()).items).toMatchObject([{ count: 1, transferId: first.id, pointer: { file: 'monday.csv', row: 3 }, resolvedAt: null }]);
    // Re-sent under another name, the bad row on another line: the same entry, counted twice.
    writeFileSync(path.join(env.dir, 'in', 'tuesday.csv'), caseCsv(8, [HFD], { bad: [3] }).replace(/^(ORI,CASE,DATE,TOWN\r\n)/, '$1CT0006400,X-000001,03/14/2026 14:22,Hartford\r\n'));
    const second = await finished(env, 0, await runOnce(hub, 'lims-drop'));
    const again = await q();
    expect(again.total).toBe(1);
    expect(again.items).toMatchObject([{ count: 2, transferId: second.id, pointer: { file: 'tuesday.csv', row: 4 }, resolvedAt: null }]);
    expect((await q(first.id)).total).toBe(1); // each transfer still lists what it saw
    expect((await q(second.id)).total).toBe(1);
    // The next export carries row 3 corrected (same agency and case number, a valid date): resolved by it.
    writeFileSync(path.join(env.dir, 'in', 'wednesday.csv'), caseCsv(8, [HFD]));
    const third = await finished(env, 0, await runOnce(hub, 'lims-drop'));
    expect(third).toMatchObject({ status: 'succeeded', counts: { invalid: 0 } });
    const resolved = await q();
    expect(resolved.items).toMatchObject([{ count: 2, resolvedBy: third.id }]);
    expect(resolved.items[0]!.resolvedAt).not.toBeNull();
    const open = (await (await fetch(`${hub.address}/api/quarantine?status=open`, { headers: ADMIN })).json()) as { total: number };
    expect(open.total).toBe(0);
  });

  it("one agency's endpoint being down does not delay another agency's delivery", async () => {
    const down = await agency();
    down.answer = () => 503;
    const up = await agency();
    env = await testEnv({
      agencies: [
        { ori: LAB, name: 'Lab', kind: 'lab' },
        { ori: HFD, name: 'Hartford PD', destinations: [{ id: 'hfd-rms', kind: 'http', content: ['records'], options: { url: down.url } }] },
        { ori: EHPD, name: 'East Hartford PD', destinations: [{ id: 'ehpd-rms', kind: 'http', content: ['records'], options: { url: up.url } }] },
      ],
      connectors: [{ id: 'lims-drop', kind: 'directory', agency: LAB, allowOtherAgencies: true, mapping: CASE_MAPPING, options: { path: 'IN', stableMs: 0 } }],
      delivery: { attempts: 20, backoffMs: 200, maxBackoffMs: 400, concurrency: 1 },
    });
    writeFileSync(env.configFile, readFileSync(env.configFile, 'utf8').replace(/path: IN/, `path: ${path.join(env.dir, 'in')}`));
    mkdirs(path.join(env.dir, 'in'));
    const hub = await env.start();
    // Many chunks for the failing agency first, so a shared queue would hold East Hartford's behind them.
    writeFileSync(path.join(env.dir, 'in', 'a.csv'), caseCsv(3000, [HFD, HFD, HFD, HFD, HFD, EHPD]));
    const started = Date.now();
    await finished(env, 0, await runOnce(hub, 'lims-drop'));
    await waitFor('East Hartford delivered', () => up.recordCounts().size === 500, 15_000);
    const latency = Date.now() - started;
    expect(down.okRequests()).toHaveLength(0);
    expect(down.received.length).toBeGreaterThan(0);
    // East Hartford's deliveries went out while Hartford's were still failing and backing off.
    expect((await hub.store.listDeliveries({ destinationId: 'hfd-rms', status: 'delivered' })).length).toBe(0);
    expect(latency).toBeLessThan(15_000);
  });
});

describe('secrets at start', () => {
  it('a secret that cannot be read stops the start, naming the connector or destination and the variable', async () => {
    delete process.env.CGIC_TEST_NEVER_SET;
    const lab = { ori: LAB, name: 'Lab', kind: 'lab' };
    env = await testEnv(
      { agencies: [lab], connectors: [{ id: 'lims-hook', kind: 'webhook', agency: LAB, allowOtherAgencies: true, mapping: CASE_MAPPING, options: { secret: '${env:CGIC_TEST_NEVER_SET}' } }] },
      { store: 'pglite' },
    );
    const source = await env.start().catch((e: unknown) => e);
    expect(source).toMatchObject({ code: 'HUB_ERR_CONFIG_SECRET' });
    expect((source as Error).message).toMatch(/connector lims-hook: .*CGIC_TEST_NEVER_SET/);
    await env.cleanup();

    const http = await agency();
    env = await testEnv(
      {
        agencies: [lab, { ori: HFD, name: 'Hartford PD', destinations: [{ id: 'hfd-rms', kind: 'http', content: ['records'], options: { url: http.url, auth: { type: 'bearer', token: '${env:CGIC_TEST_NEVER_SET}' } } }] }],
        connectors: [],
      },
      { store: 'pglite' },
    );
    const destination = await env.start().catch((e: unknown) => e);
    expect(destination).toMatchObject({ code: 'HUB_ERR_CONFIG_SECRET' });
    expect((destination as Error).message).toMatch(/destination hfd-rms: .*CGIC_TEST_NEVER_SET/);
  });
});
