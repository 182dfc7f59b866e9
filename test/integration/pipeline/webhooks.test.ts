/**
 * Webhook intake: bodies spooled in the store (never in Redis job data), replay protection, and
 * answers a sender can act on when the hub cannot take more (429) or a dependency is down (503).
 */
import { afterEach, describe, expect, it } from 'vitest';
import pg from 'pg';
import iconv from 'iconv-lite';
import { Redis } from 'ioredis';
import { AgencyServers, CASE_MAPPING, caseCsv, REDIS_URL, testEnv, waitFor, type TestEnv } from '../../support/hub-harness.ts';
import { sign } from '../../../connectors/webhook/index.ts';
import type { Hub } from '../../../src/runtime/hub.ts';
import { PrivateRedis } from '../../support/redis-server.ts';

const HFD = 'CT0006400';
const LAB = 'CTFSL0000';
const SECRET = 'test-webhook-secret-0123456789abcdef0123456789';

let env: TestEnv | null = null;
let redis: PrivateRedis | null = null;
const servers = new AgencyServers();
afterEach(async () => {
  await env?.cleanup();
  env = null;
  await servers.stopAll();
  await redis?.stop('SIGKILL');
  redis = null;
});

async function hookEnv(options: Record<string, unknown> = {}, store: 'postgres' | 'pglite' = 'postgres') {
  process.env.TEST_WEBHOOK_SECRET = SECRET;
  const http = await servers.start();
  env = await testEnv({
    agencies: [
      { ori: LAB, name: 'Lab', kind: 'lab' },
      { ori: HFD, name: 'Hartford PD', destinations: [{ id: 'hfd-rms', kind: 'http', content: ['records'], options: { url: http.url } }] },
    ],
    connectors: [{ id: 'lims-hook', kind: 'webhook', agency: LAB, allowOtherAgencies: true, mapping: CASE_MAPPING, options: { secret: '${env:TEST_WEBHOOK_SECRET}', ...options } }],
  }, { store });
  return { http, env };
}

function signed(body: string, ts = Math.floor(Date.now() / 1000)): Record<string, string> {
  return { 'content-type': 'text/csv', 'x-cgic-timestamp': String(ts), 'x-cgic-signature': sign(SECRET, ts, body) };
}

async function post(hub: Hub, body: string, headers = signed(body)): Promise<{ status: number; ms: number; retryAfter: string | null; json: Record<string, unknown> }> {
  const t0 = performance.now();
  const res = await fetch(`${hub.address}/hooks/lims-hook`, { method: 'POST', headers, body });
  const json = (await res.json()) as Record<string, unknown>;
  return { status: res.status, ms: performance.now() - t0, retryAfter: res.headers.get('retry-after'), json };
}

describe('webhook intake', () => {
  it('the same signed request twice: one transfer, the second answered with the first transfer id; the job carries no body', async () => {
    const { http } = await hookEnv();
    const hub = await env!.start();
    const body = caseCsv(3, [HFD]);
    const headers = signed(body);
    const first = await post(hub, body, headers);
    const second = await post(hub, body, headers);
    expect(first).toMatchObject({ status: 202, json: { transferId: expect.any(String) } });
    expect(second).toMatchObject({ status: 202, json: { transferId: first.json.transferId, duplicate: true } });
    // Signed again (a new timestamp), the same body is a new request: the sender means it.
    const third = await post(hub, body, signed(body, Number(headers['x-cgic-timestamp']) - 30));
    expect(third.status).toBe(202);
    expect(third.json.transferId).not.toBe(first.json.transferId);
    expect((await hub.store.listTransfers({ connectorId: 'lims-hook' })).length).toBe(2);
    const job = await hub.transfers.getJob(String(first.json.transferId));
    expect(JSON.stringify(job?.data ?? {})).not.toContain('C-000001'); // a reference to the spool, not the body
    await waitFor('delivered', () => http.recordCounts().size === 3);
    await waitFor('both transfers committed and their bodies out of the spool', async () => (await hub.store.spoolBacklog('lims-hook')).bodies === 0);
    expect(await hub.metrics.registry.getSingleMetricAsString('cgic_webhooks_total')).toMatch(/outcome="duplicate"\} 1/);
  });

  it('a body in the charset its Content-Type names is read in it (ISO-8859-1 as Windows-1252); one the hub cannot decode is answered 415 and nothing is queued', async () => {
    await hookEnv();
    const hub = await env!.start();
    const town = 'Peña \u201cElm\u201d';
    const body = iconv.encode(`ORI,CASE,DATE,TOWN\r\n${HFD},C-000001,03/14/2026 14:22,${town}\r\n`, 'windows-1252');
    const send = async (contentType: string): Promise<{ status: number; json: Record<string, unknown> }> => {
      const ts = Math.floor(Date.now() / 1000);
      const res = await fetch(`${hub.address}/hooks/lims-hook`, { method: 'POST', headers: { 'content-type': contentType, 'x-cgic-timestamp': String(ts), 'x-cgic-signature': sign(SECRET, ts, body) }, body });
      return { status: res.status, json: (await res.json()) as Record<string, unknown> };
    };
    const refused = await send('text/csv; charset=x-klingon');
    expect([refused.status, refused.json.code]).toEqual([415, 'HUB_ERR_CONNECTOR_WEBHOOK_CHARSET']);
    expect(await hub.store.spoolBacklog('lims-hook')).toEqual({ bodies: 0, bytes: 0 });

    const taken = await send('text/csv; charset="ISO-8859-1"');
    expect(taken.status).toBe(202);
    const id = String(taken.json.transferId);
    await waitFor('the transfer to finish', async () => (await hub.store.getTransfer(id))?.status === 'succeeded', 30_000);
    const t = await hub.store.getTransfer(id);
    expect(t!.counts).toMatchObject({ read: 1, mapped: 1, damaged: 0 });
    const [row] = await hub.store.db.query<{ town: string }>(`SELECT body->'location'->>'town' AS town FROM records WHERE type = 'Case'`);
    expect(row!.town).toBe(town);
  }, 60_000);

  it('a body of 9 MiB is taken on the embedded store, its records stored and delivered (it was answered 503 for good past about 1 MiB)', async () => {
    const { http } = await hookEnv({}, 'pglite');
    const hub = await env!.start();
    // Ten rows, each with a note of 0.9 MiB (under csv.maxFieldBytes) the mapping does not read.
    const note = 'n'.repeat(0.9 * 1024 * 1024);
    const body = ['ORI,CASE,DATE,TOWN,NOTE', ...Array.from({ length: 10 }, (_, i) => `${HFD},C-${String(i + 1).padStart(6, '0')},03/14/2026 14:22,Hartford,${note}`)].join('\r\n') + '\r\n';
    expect(body.length).toBeGreaterThan(9 * 1024 * 1024);
    const r = await post(hub, body);
    expect([r.status, r.json.code]).toEqual([202, undefined]);
    await waitFor('the 10 records delivered', () => http.recordCounts().size === 10, 60_000);
    expect(await hub.store.spoolBacklog('lims-hook')).toEqual({ bodies: 0, bytes: 0 });
  }, 90_000);

  it('429 with Retry-After once the backlog is reached, nothing queued for those; every 202 is delivered once the workers drain', async () => {
    const { http } = await hookEnv({ maxBacklog: 3, retryAfterSeconds: 7 });
    const api = await env!.start({ roles: ['api'] }); // nothing drains yet
    const bodies = Array.from({ length: 5 }, (_, i) => caseCsv(2, [HFD], { prefix: `B${i}` }));
    const answers = [];
    for (const b of bodies) answers.push(await post(api, b));
    expect(answers.map((a) => a.status)).toEqual([202, 202, 202, 429, 429]);
    expect(answers[3]).toMatchObject({ retryAfter: '7', json: { code: 'HUB_ERR_CONNECTOR_WEBHOOK_BACKLOG' } });
    const bytes = bodies.slice(0, 3).reduce((n, b) => n + Buffer.byteLength(b), 0);
    expect(answers[3]!.json.message).toBe(`Webhook lims-hook: 3 bodies (${bytes} bytes) are waiting to be processed, at or over the limit (maxBacklog 3 bodies); retry after 7 s`);
    expect((await api.store.listTransfers({ connectorId: 'lims-hook' })).length).toBe(3);
    await env!.start({ roles: ['worker'] });
    await waitFor('the three accepted bodies delivered', () => http.recordCounts().size === 6, 30_000);
    await waitFor('the backlog drained', async () => (await api.store.spoolBacklog('lims-hook')).bodies === 0);
    expect((await post(api, bodies[3]!)).status).toBe(202); // the sender's retry after Retry-After
    await waitFor('the retried body delivered', () => http.recordCounts().size === 8, 30_000);
  });

  it('Redis stopped: 503 with Retry-After within 1 s, nothing queued then; taken again once Redis is back', async () => {
    await hookEnv();
    redis = await PrivateRedis.start();
    const hub = await env!.start({ roles: ['api'], redisUrl: redis.url });
    expect((await post(hub, caseCsv(1, [HFD], { prefix: 'UP' }))).status).toBe(202);

    await redis.stop('SIGKILL');
    const down = await post(hub, caseCsv(1, [HFD], { prefix: 'DOWN' }));
    expect(down).toMatchObject({ status: 503, retryAfter: '5', json: { code: 'HUB_ERR_CONNECTOR_WEBHOOK_UNAVAILABLE' } });
    expect(down.ms).toBeLessThan(1000);
    console.log(`Redis stopped: 503 in ${down.ms.toFixed(0)} ms`);
    expect((await hub.store.listTransfers({ connectorId: 'lims-hook' })).length).toBe(1);
    expect(await hub.store.spoolBacklog('lims-hook')).toMatchObject({ bodies: 1 });

    await redis.restart();
    const back = await waitFor('a 202 once Redis is back', async () => {
      const r = await post(hub, caseCsv(1, [HFD], { prefix: 'BACK' }));
      return r.status === 202 ? r : null;
    }, 20_000, 200);
    expect(back.ms).toBeLessThan(1000);
    // The request refused while Redis was down was not queued behind the sender's back.
    const sources = (await hub.store.listTransfers({ connectorId: 'lims-hook' })).length;
    expect(sources).toBe(2);
  });

  it('the database unavailable: 503 with Retry-After within 1 s', async () => {
    await hookEnv();
    const hub = await env!.start({ roles: ['api'] });
    const name = new URL(env!.db!.url).pathname.slice(1);
    const admin = new pg.Client({ connectionString: env!.db!.url.replace(/\/[^/]*$/, '/postgres') });
    await admin.connect();
    try {
      await admin.query(`ALTER DATABASE ${name} WITH ALLOW_CONNECTIONS false`);
      await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [name]);
      const down = await post(hub, caseCsv(1, [HFD]));
      // The intake refuses (nothing queued), and the audit trail that records the decision cannot be
      // written either: the answer is the audit's own 503 (fail closed), with Retry-After all the same.
      expect(down).toMatchObject({ status: 503, retryAfter: '5', json: { code: expect.stringMatching(/^HUB_ERR_(CONNECTOR_WEBHOOK|AUDIT)_UNAVAILABLE$/) } });
      expect(down.ms).toBeLessThan(1000);
      console.log(`database unavailable: 503 in ${down.ms.toFixed(0)} ms`);
      // Nothing was queued for it, and the replay key is released (as the answer goes, well before the
      // sender's retry 5 s later), so that retry is taken.
      const r = new Redis(REDIS_URL);
      await waitFor('the replay key released', async () => (await r.keys(`${env!.prefix}:webhook-seen:*`)).length === 0, 3000, 50);
      r.disconnect();
    } finally {
      await admin.query(`ALTER DATABASE ${name} WITH ALLOW_CONNECTIONS true`);
      await admin.end();
    }
    expect((await waitFor('202 once the database is back', async () => {
      const r = await post(hub, caseCsv(1, [HFD]));
      return r.status === 202 ? r : null;
    }, 20_000, 200)).status).toBe(202);
  });
});
