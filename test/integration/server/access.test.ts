/**
 * Access to the API on real Redis and PostgreSQL: per-key rate limits (429 + Retry-After, counted in
 * Redis), key expiry, two keys of one client during a rotation (and a reload of the keys without a
 * restart), paging through 1,200 leads, GET /api/transfers filters, HTTPS (TLS 1.2+, client
 * certificates, certificate reload).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { writeFileSync, readFileSync } from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import tls from 'node:tls';
import { stringify, parse } from 'yaml';
import { testEnv, waitFor, type TestEnv } from '../../support/hub-harness.ts';
import { makeTestPki, type TestPki } from '../../support/tls-certs.ts';
import { hashKey } from '../../../src/server/auth.ts';
import { insertLeadPackage } from '../../../src/store/lead-ledger.ts';

const HFD = 'CT0006400';
const NHPD = 'CT0009300';
const agencies = [
  { ori: HFD, name: 'Hartford' },
  { ori: NHPD, name: 'New Haven' },
];
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

let env: TestEnv | null = null;
afterEach(async () => {
  await env?.cleanup();
  env = null;
});

describe('rate limits', () => {
  it('the request past a key\'s limit gets 429 with Retry-After; another key and the probes go on', async () => {
    env = await testEnv({
      agencies,
      connectors: [],
      keys: [
        { id: 'busy', role: 'analyst', sha256: hashKey('busy-key'), rateLimit: 3 },
        { id: 'calm', role: 'analyst', sha256: hashKey('calm-key') },
      ],
      api: { rateLimit: { windowSeconds: 60, perKey: 100, anonymous: 2 } },
    });
    const hub = await env.start();
    const get = (key?: string) => fetch(`${hub.address}/api/transfers`, { headers: key ? bearer(key) : {} });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await get('busy-key')).status);
    expect(statuses).toEqual([200, 200, 200]);
    const limited = await get('busy-key');
    expect(limited.status).toBe(429);
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(await limited.json()).toMatchObject({ code: 'HUB_ERR_API_RATE_LIMITED', message: expect.stringMatching(/key busy: at most 3 per 60 s/) });
    expect((await get('calm-key')).status).toBe(200);
    expect((await fetch(`${hub.address}/healthz`)).status).toBe(200);
    // Without a key: counted per address, 2 per window, then 429 (not another 401).
    expect([(await get()).status, (await get()).status, (await get()).status]).toEqual([401, 401, 429]);
    // The refusal is in the audit trail.
    const [entry] = await hub.store.listAudit({ actor: 'busy', outcome: 'refused' });
    expect(entry).toMatchObject({ status: 429, code: 'HUB_ERR_API_RATE_LIMITED' });
  }, 60_000);
});

describe('key expiry and rotation', () => {
  it('a key past its expiry is refused; two keys of one client both work; a reload puts a new key in force without a restart', async () => {
    const past = new Date(Date.now() - 60_000).toISOString();
    const future = new Date(Date.now() + 86_400_000).toISOString();
    env = await testEnv({
      agencies,
      connectors: [],
      keys: [
        { id: 'hfd-2025', client: 'hfd-rms', role: 'agency', ori: HFD, sha256: hashKey('old-key'), expiresAt: past },
        { id: 'hfd-2026a', client: 'hfd-rms', role: 'agency', ori: HFD, sha256: hashKey('current-key'), expiresAt: future },
        { id: 'hfd-2026b', client: 'hfd-rms', role: 'agency', ori: HFD, sha256: hashKey('next-key') },
      ],
    });
    const hub = await env.start();
    const get = (key: string) => fetch(`${hub.address}/api/leads`, { headers: bearer(key) });
    const expired = await get('old-key');
    expect(expired.status).toBe(401);
    expect(await expired.json()).toEqual({ code: 'HUB_ERR_AUTH_KEY_EXPIRED', message: `The API key hfd-2025 expired at ${past}` });
    expect((await get('current-key')).status).toBe(200);
    expect((await get('next-key')).status).toBe(200);
    const entries = await hub.store.listAudit({ client: 'hfd-rms', order: 'asc' });
    expect(entries.map((e) => [e.actor, e.outcome])).toEqual([
      ['hfd-2025', 'refused'],
      ['hfd-2026a', 'ok'],
      ['hfd-2026b', 'ok'],
    ]);

    // The rotation ends: the current key is removed from the file; SIGHUP's reload drops it in the running hub.
    const cfg = parse(readFileSync(env.configFile, 'utf8'));
    cfg.hub.api.keys = cfg.hub.api.keys.filter((k: { id: string }) => k.id !== 'hfd-2026a');
    writeFileSync(env.configFile, stringify(cfg));
    expect(await hub.reloadKeys()).toBe(2);
    expect((await get('current-key')).status).toBe(401);
    expect((await get('next-key')).status).toBe(200);
  }, 60_000);
});

describe('paging', () => {
  it('an agency with 1,200 leads pages through all of them, in lead order, with the total on every page', async () => {
    env = await testEnv({ agencies, connectors: [], keys: [{ id: 'hfd', role: 'agency', ori: HFD, sha256: hashKey('hfd-key') }, { id: 'nhpd', role: 'agency', ori: NHPD, sha256: hashKey('nhpd-key') }] });
    const hub = await env.start();
    await hub.store.transaction(async (tx) => {
      for (let i = 1; i <= 1200; i++) {
        const leadId = `NL26-${String(i).padStart(6, '0')}`;
        for (const version of i % 7 === 0 ? [1, 2] : [1]) {
          await insertLeadPackage(tx, { leadId, version, recipientOri: HFD, package: { leadId, version, recipient: { ori: HFD } }, fieldsDisclosed: {}, reason: 'new lead' });
        }
      }
      await insertLeadPackage(tx, { leadId: 'NL26-900000', version: 1, recipientOri: NHPD, package: { leadId: 'NL26-900000' }, fieldsDisclosed: {}, reason: 'new lead' });
    });
    const seen: { leadId: string; version: number }[] = [];
    let offset = 0;
    for (;;) {
      const res = await fetch(`${hub.address}/api/leads?limit=500&offset=${offset}`, { headers: bearer('hfd-key') });
      expect(res.status).toBe(200);
      const page = (await res.json()) as { total: number; limit: number; offset: number; items: { leadId: string; version: number }[] };
      expect(page).toMatchObject({ total: 1200, limit: 500, offset });
      seen.push(...page.items);
      if (page.items.length < page.limit) break;
      offset += page.limit;
    }
    expect(seen).toHaveLength(1200);
    expect(new Set(seen.map((l) => l.leadId)).size).toBe(1200);
    expect(seen.map((l) => l.leadId)).toEqual([...seen.map((l) => l.leadId)].sort());
    expect(seen.find((l) => l.leadId === 'NL26-000007')!.version).toBe(2);
    // The default page is 100; the audit entry of a page lists exactly the leads and versions it returned.
    const first = (await (await fetch(`${hub.address}/api/leads`, { headers: bearer('hfd-key') })).json()) as { items: unknown[]; total: number };
    expect([first.items.length, first.total]).toEqual([100, 1200]);
    await hub.audit.drain();
    const [entry] = await hub.store.listAudit({ actor: 'hfd', limit: 1 });
    expect(entry!.subjects).toHaveLength(100);
    expect(entry!.subjects[6]).toEqual({ type: 'lead', id: 'NL26-000007', version: 2 });
    expect((await fetch(`${hub.address}/api/leads?limit=1001`, { headers: bearer('hfd-key') })).status).toBe(400);
  }, 120_000);

  it('GET /api/transfers filters by connector, status and time, newest first, paged with a total', async () => {
    env = await testEnv({ agencies, connectors: [], keys: [{ id: 'analyst', role: 'analyst', sha256: hashKey('analyst-key') }] });
    const hub = await env.start();
    const t0 = Date.now();
    for (let i = 0; i < 5; i++) await hub.store.createTransfer({ connectorId: i % 2 ? 'odd' : 'even', trigger: 'manual' });
    const done = await hub.store.createTransfer({ connectorId: 'even', trigger: 'manual' });
    await hub.store.finishTransfer(done.id, 'succeeded');
    const get = async (q: string) => (await (await fetch(`${hub.address}/api/transfers?${q}`, { headers: bearer('analyst-key') })).json()) as { total: number; items: { id: string; connectorId: string; status: string; createdAt: string }[] };
    const even = await get('connector=even&limit=2');
    expect(even.total).toBe(4);
    expect(even.items).toHaveLength(2);
    expect(even.items[0]!.id).toBe(done.id);
    const rest = await get('connector=even&limit=2&offset=2');
    expect(new Set([...even.items, ...rest.items].map((t) => t.id)).size).toBe(4);
    expect((await get('status=succeeded')).items.map((t) => t.id)).toEqual([done.id]);
    expect((await get(`since=${new Date(t0 - 1000).toISOString()}`)).total).toBe(6);
    expect((await get(`until=${new Date(t0 - 1000).toISOString()}`)).total).toBe(0);
    const bad = await fetch(`${hub.address}/api/transfers?since=yesterday`, { headers: bearer('analyst-key') });
    expect(bad.status).toBe(400);
  }, 60_000);
});

describe('HTTPS', () => {
  let pki: TestPki;
  const files = (dir: string, p: TestPki): { cert: string; key: string; ca: string } => {
    const f = { cert: path.join(dir, 'server.pem'), key: path.join(dir, 'server.key'), ca: path.join(dir, 'client-ca.pem') };
    writeFileSync(f.cert, p.serverCert);
    writeFileSync(f.key, p.serverKey);
    writeFileSync(f.ca, p.ca);
    return f;
  };

  /** One request over TLS; the status, the protocol, and the server certificate's fingerprint. */
  function request(address: string, p: string, opts: https.RequestOptions & { ca: string }): Promise<{ status: number; protocol: string | null; fingerprint: string; body: string }> {
    const u = new URL(address);
    return new Promise((resolve, reject) => {
      const req = https.request({ host: '127.0.0.1', port: Number(u.port), path: p, agent: false, ...opts }, (res) => {
        const socket = res.socket as tls.TLSSocket;
        const protocol = socket.getProtocol();
        const fingerprint = socket.getPeerCertificate().fingerprint256;
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode!, protocol, fingerprint, body }));
      });
      req.on('error', reject);
      req.end();
    });
  }

  it('answers over TLS 1.2 or newer, refuses TLS 1.1, and asks agency keys for a client certificate', async () => {
    pki = makeTestPki();
    env = await testEnv({ agencies, connectors: [], keys: [{ id: 'hfd', role: 'agency', ori: HFD, sha256: hashKey('hfd-key') }, { id: 'analyst', role: 'analyst', sha256: hashKey('analyst-key') }] });
    const f = files(env.dir, pki);
    const cfg = parse(readFileSync(env.configFile, 'utf8'));
    cfg.hub.api.tls = { cert: f.cert, key: f.key, clientCa: f.ca, requireClientCert: 'agency', reloadSeconds: 1 };
    writeFileSync(env.configFile, stringify(cfg));
    const hub = await env.start();
    expect(hub.address).toMatch(/^https:\/\//);
    const ok = await request(hub.address!, '/api/transfers', { ca: pki.ca, headers: bearer('analyst-key') });
    expect(ok.status).toBe(200);
    expect(['TLSv1.2', 'TLSv1.3']).toContain(ok.protocol);
    // A client that offers at most TLS 1.1 (allowed on its side) gets no connection.
    await expect(request(hub.address!, '/healthz', { ca: pki.ca, maxVersion: 'TLSv1.1', minVersion: 'TLSv1', ciphers: 'DEFAULT@SECLEVEL=0' })).rejects.toThrow(/version|protocol|alert/i);
    // The agency key without a client certificate: refused; with one signed by the client CA: its leads.
    const noCert = await request(hub.address!, '/api/leads', { ca: pki.ca, headers: bearer('hfd-key') });
    expect(noCert.status).toBe(401);
    expect(JSON.parse(noCert.body)).toMatchObject({ code: 'HUB_ERR_AUTH_CLIENT_CERT' });
    const rogue = await request(hub.address!, '/api/leads', { ca: pki.ca, cert: pki.rogueClientCert, key: pki.rogueClientKey, headers: bearer('hfd-key') });
    expect(rogue.status).toBe(401);
    const withCert = await request(hub.address!, '/api/leads', { ca: pki.ca, cert: pki.clientCert, key: pki.clientKey, headers: bearer('hfd-key') });
    expect(withCert.status).toBe(200);
    const [entry] = await hub.store.listAudit({ actor: 'hfd', outcome: 'ok', limit: 1 });
    expect(entry!.detail).toMatchObject({ clientCert: expect.stringMatching(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/) });

    // New certificate files: new connections get them, without a restart.
    const before = ok.fingerprint;
    const next = makeTestPki();
    writeFileSync(f.cert, next.serverCert);
    writeFileSync(f.key, next.serverKey);
    const after = await waitFor('the new certificate in use', async () => {
      const r = await request(hub.address!, '/healthz', { ca: next.ca });
      return r.fingerprint !== before ? r : null;
    }, 15_000, 250);
    expect(after.status).toBe(200);
  }, 90_000);

  it('with requireClientCert: all, a connection without a client certificate fails its handshake', async () => {
    pki = makeTestPki();
    env = await testEnv({ agencies, connectors: [], keys: [{ id: 'analyst', role: 'analyst', sha256: hashKey('analyst-key') }] });
    const f = files(env.dir, pki);
    const cfg = parse(readFileSync(env.configFile, 'utf8'));
    cfg.hub.api.tls = { cert: f.cert, key: f.key, clientCa: f.ca, requireClientCert: 'all' };
    writeFileSync(env.configFile, stringify(cfg));
    const hub = await env.start();
    await expect(request(hub.address!, '/healthz', { ca: pki.ca })).rejects.toThrow();
    expect((await request(hub.address!, '/api/transfers', { ca: pki.ca, cert: pki.clientCert, key: pki.clientKey, headers: bearer('analyst-key') })).status).toBe(200);
  }, 60_000);
});
