/**
 * Requests the router or the connection refuse before any route runs: a body that never finishes
 * arriving is cut off with 408 (hub.api.requestTimeoutSeconds), and a URL the router cannot take (a
 * path segment past 1000 characters, a percent-escape that is not UTF-8) is answered in the hub's own
 * error format, without repeating the URL, and recorded in the audit trail like any refusal.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labWebhookEnv, type TestEnv } from '../../support/hub-harness.ts';
import type { Hub } from '../../../src/runtime/hub.ts';
import { hashKey } from '../../../src/server/auth.ts';
import { API_BODY_LIMIT } from '../../../src/server/server.ts';


/** Sends `head`, then one byte of body every `everyMs`; resolves with the status line and when it came. */
function trickle(address: string, head: string, everyMs: number, giveUpMs: number): Promise<{ line: string | null; afterMs: number }> {
  const u = new URL(address);
  const t0 = performance.now();
  return new Promise((resolve) => {
    let drip: NodeJS.Timeout | undefined;
    const done = (line: string | null): void => {
      clearInterval(drip);
      clearTimeout(stop);
      s.destroy();
      resolve({ line, afterMs: performance.now() - t0 });
    };
    const s = net.connect(Number(u.port), u.hostname, () => {
      s.write(head);
      drip = setInterval(() => s.write('a'), everyMs);
    });
    const stop = setTimeout(() => done(null), giveUpMs);
    let got = '';
    s.on('data', (d) => {
      got += d.toString('latin1');
      if (got.includes('\r\n')) done(got.split('\r\n')[0]!);
    });
    s.on('close', () => done(got ? got.split('\r\n')[0]! : 'closed without an answer'));
    s.on('error', () => undefined);
  });
}

describe('requests refused before a route runs', () => {
  let env: TestEnv;
  let hub: Hub;
  beforeAll(async () => {
    env = await labWebhookEnv({
      keys: [
        { id: 'admin', role: 'admin', sha256: hashKey('admin-key') },
        { id: 'auditor', role: 'auditor', sha256: hashKey('auditor-key') },
      ],
      api: { requestTimeoutSeconds: 5 },
    });
    hub = await env.start();
  }, 60_000);
  afterAll(async () => {
    await env?.cleanup();
  });

  it('cuts off a webhook body sent a byte at a time with 408 (the signature cannot be checked before the body is whole)', async () => {
    const head = `POST /hooks/hook HTTP/1.1\r\nHost: x\r\nContent-Type: text/csv\r\nx-cgic-timestamp: ${Math.floor(Date.now() / 1000)}\r\nx-cgic-signature: sha256=${'0'.repeat(64)}\r\nContent-Length: 100000\r\n\r\n`;
    // The timeout is looked at every 5 s: the answer comes 5 to 10 s after the request began.
    const r = await trickle(hub.address!, head, 1000, 30_000);
    expect(r.line).toBe('HTTP/1.1 408 Request Timeout');
    expect(r.afterMs).toBeGreaterThan(4_500);
  }, 40_000);

  it('refuses paging numbers past their maximum with 400, never a database error', async () => {
    const admin = { authorization: 'Bearer admin-key' };
    const asked = ['/api/transfers?offset=99999999999999999999', '/api/transfers?offset=9223372036854775807', '/api/transfers?offset=1e400', '/api/transfers?limit=1e400', '/api/quarantine?offset=1000000001', '/api/dead-letters?offset=1e30', '/api/leads?offset=1e30', '/api/audit?afterPosition=99999999999999999999', '/api/audit?offset=1e400'];
    for (const p of asked) {
      const res = await fetch(`${hub.address}${p}`, { headers: { authorization: `Bearer ${p.startsWith('/api/audit') ? 'auditor' : 'admin'}-key` } });
      const body = (await res.json()) as { code: string };
      expect([p, res.status, body.code]).toEqual([p, 400, 'HUB_ERR_REQUEST_INVALID']);
    }
    expect((await fetch(`${hub.address}/api/transfers?offset=1000000000`, { headers: admin })).status).toBe(200);
  });

  it('refuses times the database cannot take with 400 naming the parameter, on every route with a time filter', async () => {
    const routes = [
      { p: '/api/transfers', key: 'admin' },
      { p: '/api/dead-letters', key: 'admin' },
      { p: '/api/audit', key: 'auditor' },
      { p: '/api/dead-letters/replay', key: 'admin', body: true },
    ];
    const ask = (r: (typeof routes)[number], param: string, value: string) =>
      r.body
        ? fetch(`${hub.address}${r.p}`, { method: 'POST', headers: { authorization: `Bearer ${r.key}-key`, 'content-type': 'application/json' }, body: JSON.stringify({ [param]: value, dryRun: true }) })
        : fetch(`${hub.address}${r.p}?${param}=${encodeURIComponent(value)}`, { headers: { authorization: `Bearer ${r.key}-key` } });
    const bad = ['0000-01-01T00:00:00Z', '2024-01-01T00:00:00+23:59', '2024-01-01T00:00:00+15:00', '2024-01-01T00:00:00-14:01', '0000-12-31T23:00:00-14:00'];
    const good = ['0001-01-01T00:00:00Z', '0001-01-01T00:00:00+14:00', '9999-12-31T23:59:59-14:00', '2024-01-01T00:00:00+14:00', '2024-01-01T00:00:00-12:00', '2016-12-31T23:59:60Z', '2024-01-01t00:00:00.123456789z'];
    for (const r of routes) {
      for (const param of ['since', 'until']) {
        for (const v of bad) {
          const res = await ask(r, param, v);
          const body = (await res.json()) as { code: string; message: string };
          expect([r.p, param, v, res.status, body.code]).toEqual([r.p, param, v, 400, 'HUB_ERR_REQUEST_INVALID']);
          expect(body.message).toContain(`/${param} `);
        }
        for (const v of good) expect([r.p, param, v, (await ask(r, param, v)).status]).toEqual([r.p, param, v, 200]);
      }
    }
  });

  it('refuses a body over the API\'s limit with 413 HUB_ERR_REQUEST_TOO_LARGE naming the limit, and records it', async () => {
    const res = await fetch(`${hub.address}/api/reload`, {
      method: 'POST',
      headers: { authorization: 'Bearer admin-key', 'content-type': 'application/json' },
      body: `{"pad":"${'x'.repeat(API_BODY_LIMIT)}"}`,
    });
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ code: 'HUB_ERR_REQUEST_TOO_LARGE', message: 'The request body is larger than the 16777216 bytes (16 MiB) this API takes; it was not read' });
    await hub.audit.drain();
    const [entry] = await hub.store.listAudit({ action: 'POST /api/reload', limit: 1 });
    expect(entry).toMatchObject({ status: 413, outcome: 'refused', code: 'HUB_ERR_REQUEST_TOO_LARGE' });
  });

  it('answers an URL the router cannot take in the hub\'s format, without echoing it, and records it', async () => {
    const long = 'x'.repeat(1500);
    const cases = [
      { path: `/hooks/${long}`, status: 414 },
      { path: '/hooks/%FF', status: 400 },
      { path: `/api/transfers/${long}`, status: 414 },
    ];
    for (const c of cases) {
      const res = await fetch(`${hub.address}${c.path}`, { method: c.path.startsWith('/hooks') ? 'POST' : 'GET', body: c.path.startsWith('/hooks') ? 'a' : undefined });
      const text = await res.text();
      expect([c.path.slice(0, 20), res.status, (JSON.parse(text) as { code: string }).code]).toEqual([c.path.slice(0, 20), c.status, 'HUB_ERR_REQUEST_INVALID']);
      expect(text).not.toContain('xxxxxxxxxx');
      expect(text.length).toBeLessThan(400);
    }
    // An id of 300 characters reaches the route's checks: the key is asked for first.
    expect((await fetch(`${hub.address}/api/transfers/${'y'.repeat(300)}`)).status).toBe(401);
    // A path under /docs that is not a documentation page is audited like any unknown path.
    expect((await fetch(`${hub.address}/docsX`)).status).toBe(404);
    await hub.audit.drain();
    const entries = await hub.store.listAudit({ limit: 50 });
    const refused = (status: number, prefix: string) => entries.filter((e) => e.status === status && e.outcome === 'refused' && e.action.includes(prefix));
    expect(refused(414, '/hooks/xxxx')).toHaveLength(1);
    expect(refused(414, '/api/transfers/xxxx')).toHaveLength(1);
    expect(refused(400, '/hooks/%FF')).toHaveLength(1);
    expect(refused(404, '/docsX')).toHaveLength(1);
    expect(entries.every((e) => e.action.length <= 220)).toBe(true);
  });
});
