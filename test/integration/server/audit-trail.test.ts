/**
 * The audit trail on real Redis and PostgreSQL: the demo scenario, then every route of the OpenAPI
 * document called by every kind of caller (today's answers kept, keys checked before any body is
 * read), then `cgic audit verify` on the result; what a reviewer finds in GET /api/audit; tampering with
 * the table (a changed, a deleted, an inserted row) named by `cgic audit verify`; a read refused when
 * its entry cannot be written.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { randomUUID } from 'node:crypto';
import { stringify } from 'yaml';
import { AgencyServers, PROJECT_ROOT, runOnce, testEnv, waitFor, type TestEnv } from '../../support/hub-harness.ts';
import { headOnly } from '../../support/raw-request.ts';
import { hashKey } from '../../../src/server/auth.ts';
import { chain, entryHash, type AuditEntry } from '../../../src/store/audit-chain.ts';
import { insertLeadPackage } from '../../../src/store/lead-ledger.ts';
import type { Hub } from '../../../src/runtime/hub.ts';

const LAB = 'CTFSL0000';
const HFD = 'CT0006400';
const EHPD = 'CT0004300';
const CSP = 'CTCSP0000';
const NHPD = 'CT0009300';
const SCENARIO = path.join(PROJECT_ROOT, 'fixtures/scenario');
const NOTICE = readFileSync(path.join(SCENARIO, 'nibin-leads.ndjson'), 'utf8').trim().split('\n')[0]!;
const SIGNING_KEY = 'audit-test-signing-key-0123456789abcdef0123456789';
const run = promisify(execFile);

const KEYS = {
  admin: 'admin-key',
  analyst: 'analyst-key',
  hfd: 'hfd-key',
  nhpd: 'nhpd-key',
  auditor: 'auditor-key',
};
const keys = [
  { id: 'admin', role: 'admin', sha256: hashKey(KEYS.admin) },
  { id: 'analyst', role: 'analyst', sha256: hashKey(KEYS.analyst) },
  { id: 'hfd', role: 'agency', ori: HFD, sha256: hashKey(KEYS.hfd) },
  { id: 'nhpd', role: 'agency', ori: NHPD, sha256: hashKey(KEYS.nhpd) },
  { id: 'auditor', role: 'auditor', sha256: hashKey(KEYS.auditor) },
];

/** `cgic audit <args>` against the test hub's configuration and database. */
async function cgicAudit(env: TestEnv, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(process.execPath, [path.join(PROJECT_ROOT, 'bin/cgic.js'), 'audit', ...args, '-c', env.configFile], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, DATABASE_URL: env.db!.url, LOG_LEVEL: 'warn', CGIC_TEST_AUDIT_KEY: SIGNING_KEY },
    });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

const servers = new AgencyServers();

interface Demo {
  env: TestEnv;
  hub: Hub;
  get(p: string, key?: string): Promise<Response>;
}

/** The README's demo: the lab's export, the eTrace results, the NIBIN notice linking three agencies. */
async function demo(): Promise<Demo> {
  process.env.CGIC_TEST_AUDIT_KEY = SIGNING_KEY;
  process.env.TEST_WEBHOOK_SECRET = 'test-webhook-secret-0123456789abcdef0123456789';
  const http = Object.fromEntries(await Promise.all([HFD, EHPD, CSP, NHPD].map(async (o) => [o, await servers.start()] as const)));
  const env = await testEnv({
    agencies: [
      { ori: LAB, name: 'State Forensic Science Laboratory', kind: 'lab' },
      ...[HFD, EHPD, CSP, NHPD].map((ori) => ({ ori, name: `Agency ${ori}`, destinations: [{ id: `${ori.toLowerCase()}-rms`, kind: 'http', content: ['leads'], options: { url: http[ori]!.url } }] })),
    ],
    connectors: [
      ...['lims', 'etrace', 'nibin'].map((c) => ({ id: c, kind: 'directory', agency: c === 'etrace' ? CSP : LAB, allowOtherAgencies: true, mapping: c === 'lims' ? 'lims-csv' : c === 'etrace' ? 'etrace-csv' : 'nibin-lead', options: { path: `DIR-${c}`, stableMs: 0 } })),
      { id: 'hook', kind: 'webhook', agency: LAB, allowOtherAgencies: true, mapping: 'lims-csv', options: { secret: '${env:TEST_WEBHOOK_SECRET}' } },
    ],
    keys,
    audit: { signingKey: '${env:CGIC_TEST_AUDIT_KEY}' },
    // The route x caller matrix sends three anonymous requests per route from one address: more than
    // the default anonymous rate allows once there are 20-odd routes (rate limits have their own tests).
    api: { rateLimit: { anonymous: 1000 } },
  });
  let cfg = readFileSync(env.configFile, 'utf8');
  for (const c of ['lims', 'etrace', 'nibin']) {
    mkdirSync(path.join(env.dir, c), { recursive: true });
    cfg = cfg.replace(`path: DIR-${c}`, `path: ${path.join(env.dir, c)}`);
  }
  cfg += stringify({ leads: { enrichmentWaitSeconds: 0 } });
  writeFileSync(env.configFile, cfg);
  const hub = await env.start();
  const ingest = async (c: string, name: string, content: string | Buffer): Promise<void> => {
    writeFileSync(path.join(env.dir, c, name), content);
    const id = await runOnce(hub, c);
    await waitFor(`transfer of ${name}`, async () => {
      const t = await hub.store.getTransfer(id);
      return t && !['queued', 'running'].includes(t.status);
    });
  };
  await ingest('lims', 'lims.csv', readFileSync(path.join(SCENARIO, 'lims.csv')));
  await ingest('etrace', 'etrace.csv', readFileSync(path.join(SCENARIO, 'etrace.csv')));
  await ingest('nibin', 'notice.ndjson', NOTICE + '\n');
  await waitFor('the lead delivered to Hartford', () => http[HFD]!.okRequests().length === 1, 30_000);
  const get = (p: string, key?: string): Promise<Response> => fetch(`${hub.address}${p}`, { headers: key ? { authorization: `Bearer ${key}` } : {} });
  return { env, hub, get };
}

type Caller = 'none' | 'wrong' | 'basic' | 'hfd' | 'nhpd' | 'analyst' | 'admin' | 'auditor';
const CALLERS: Caller[] = ['none', 'wrong', 'basic', 'hfd', 'nhpd', 'analyst', 'admin', 'auditor'];
const authOf = (c: Caller): Record<string, string> =>
  c === 'none' ? {} : c === 'wrong' ? { authorization: 'Bearer not-a-key' } : c === 'basic' ? { authorization: `Basic ${Buffer.from(`admin:${KEYS.admin}`).toString('base64')}` } : { authorization: `Bearer ${KEYS[c]}` };

/** Today's answers, by route: 401 without a valid key, 403 for a role the route does not admit. */
function expected(route: string, c: Caller): number {
  if (['GET /healthz', 'GET /readyz', 'GET /metrics'].includes(route)) return 200;
  if (route === 'POST /hooks/{connector}') return 401; // signed, not keyed: no signature here
  if (c === 'none' || c === 'wrong' || c === 'basic') return 401;
  const ok = (roles: Caller[], status = 200): number => (roles.includes(c) ? status : 403);
  switch (route) {
    case 'GET /api/connectors':
    case 'GET /api/transfers':
    case 'GET /api/transfers/{id}':
    case 'GET /api/quarantine':
    case 'GET /api/dead-letters':
      return ok(['analyst', 'admin']);
    case 'POST /api/connectors/{id}/run':
      return ok(['admin'], 202);
    case 'POST /api/dead-letters/{id}/replay':
      return ok(['admin'], 404); // an unknown dead letter
    case 'GET /api/polls/{id}':
      return ok(['analyst', 'admin'], 404); // an unknown poll
    case 'POST /api/dead-letters/replay':
      return ok(['admin'], 400); // no filter: refused, nothing replayed
    case 'GET /api/leads':
      return ok(['hfd', 'nhpd', 'analyst', 'admin']);
    case 'GET /api/leads/{id}':
      return c === 'nhpd' ? 404 : ok(['hfd', 'analyst', 'admin']); // New Haven is not part of the lead: as if it did not exist
    case 'GET /api/audit':
      return ok(['auditor']);
    case 'GET /api/overview':
    case 'GET /api/destinations':
    case 'GET /api/playground/mappings':
    case 'GET /api/leads/{id}/packages':
      return ok(['analyst', 'admin']);
    case 'POST /api/playground/map':
      return ok(['analyst', 'admin'], 400); // no body: the sample is required
    case 'GET /api/events':
      return ok(['hfd', 'nhpd', 'analyst', 'admin']);
    case 'GET /api/me':
    case 'GET /api/error-codes':
      return ok(['hfd', 'nhpd', 'analyst', 'admin', 'auditor']);
    case 'GET /api/connectors/{id}/config':
      return ok(['analyst', 'admin']);
    case 'POST /api/connectors/{id}/pause':
    case 'POST /api/connectors/{id}/resume':
      return ok(['admin'], 409); // lims has no schedule: nothing to pause
    case 'POST /api/connectors/{id}/files':
      return ok(['admin'], 400); // no body: the file is required
    case 'POST /api/reload':
      return ok(['admin']); // the same file: nothing changes
    default:
      throw new Error(`no expectation for ${route}: a new route needs its row here`);
  }
}

describe('the audit trail after the demo and the route x caller matrix', () => {
  let d: Demo;
  beforeAll(async () => {
    d = await demo();
  }, 120_000);
  afterAll(async () => {
    await d?.env.cleanup();
    await servers.stopAll();
  });

  it('every OpenAPI route answers each caller as before; an unauthenticated request is refused before its body is read', async () => {
    const { hub } = d;
    const transfer = (await hub.store.listTransfers({ limit: 1 }))[0]!;
    const doc = (await (await d.get('/docs/json')).json()) as { paths: Record<string, Record<string, unknown>> };
    const routes = Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`));
    expect(routes).toEqual(expect.arrayContaining(['GET /api/audit', 'GET /api/transfers', 'GET /api/leads/{id}', 'POST /hooks/{connector}']));
    const fill = (p: string): string =>
      p
        .replace('{connector}', 'hook')
        .replace('/connectors/{id}', '/connectors/lims')
        .replace('/transfers/{id}', `/transfers/${transfer.id}`)
        .replace('/dead-letters/{id}', `/dead-letters/${randomUUID()}`)
        .replace('/leads/{id}', '/leads/NL24-000057');
    const got: Record<string, Record<string, number>> = {};
    const want: Record<string, Record<string, number>> = {};
    for (const route of routes) {
      const [method, p] = route.split(' ') as [string, string];
      for (const c of CALLERS) {
        // The event stream stays open: its status is all this needs.
        const abort = new AbortController();
        const res = await fetch(`${hub.address}${fill(p)}`, { method, headers: authOf(c), signal: abort.signal });
        if (p === '/api/events' && res.ok) abort.abort();
        else await res.arrayBuffer();
        (got[route] ??= {})[c] = res.status;
        (want[route] ??= {})[c] = expected(route, c);
      }
    }
    expect(got).toEqual(want);

    // A wrong key, no key and a header of another scheme are told apart, to the caller and in the trail.
    const messages: Record<string, string> = {};
    for (const c of ['none', 'wrong', 'basic'] as const) {
      const res = await fetch(`${hub.address}/api/transfers?limit=1`, { headers: authOf(c) });
      const body = (await res.json()) as { code: string; message: string };
      expect([res.status, body.code]).toEqual([401, 'HUB_ERR_AUTH_REQUIRED']);
      messages[c] = body.message;
    }
    expect(messages.none).toMatch(/^A valid API key is required/);
    expect(messages.wrong).toMatch(/^The API key sent is not one of this hub's keys/);
    expect(messages.basic).toMatch(/^The Authorization header is not "Bearer <key>"/);
    expect(Object.values(messages).join(' ')).not.toContain('not-a-key');
    await hub.audit.drain();
    const refused = (await hub.store.listAudit({ category: 'request', limit: 50 })).filter((e) => e.status === 401 && e.action === 'GET /api/transfers');
    expect(refused.map((e) => e.actor)).toContain('anonymous');
    expect(refused.some((e) => e.reason?.startsWith("The API key sent is not one of this hub's keys"))).toBe(true);

    // The answer for a lead that is not the agency's own is the answer for a lead that does not exist.
    const notOwn = await d.get('/api/leads/NL24-000057', KEYS.nhpd);
    const none = await d.get('/api/leads/NL99-999999', KEYS.nhpd);
    expect([notOwn.status, none.status]).toEqual([404, 404]);
    expect((await notOwn.json()) as object).toEqual({ code: 'HUB_ERR_NOT_FOUND', message: 'No lead "NL24-000057"' });
    expect(((await none.json()) as { code: string }).code).toBe('HUB_ERR_NOT_FOUND');

    // An empty id names no lead: refused, never read as "every lead" (it once answered every lead's
    // packages, audited as lead ""), and so for every route named by an id.
    const asked = [...['/api/leads/', '/api/leads//packages', '/api/transfers/', '/api/polls/', '/api/connectors//config'].map((p) => [p, KEYS.analyst] as const), ['/api/leads/', KEYS.hfd] as const];
    for (const [path, key] of asked) {
      const res = await d.get(path, key);
      const text = await res.text();
      expect([path, res.status, (JSON.parse(text) as { code: string }).code]).toEqual([path, 400, 'HUB_ERR_REQUEST_INVALID']);
      expect(text).not.toMatch(/NL24-|CT00/);
    }
    // The playground loads a shipped mapping by its id, never by a path: a file of the hub's own (a
    // key, a secret, a system file) cannot be read through it and echoed in a problem message.
    const secretFile = path.join(d.env.dir, 'not-a-mapping.key');
    writeFileSync(secretFile, 'a: 6dda24ca636dfb30acdc8e54677c2348f5505549\n');
    const play = (mapping: string) =>
      fetch(`${hub.address}/api/playground/map`, { method: 'POST', headers: { ...authOf('analyst'), 'content-type': 'application/json' }, body: JSON.stringify({ mapping, sample: '' }) });
    for (const [mapping, status] of [[secretFile, 400], ['/etc/passwd', 400], ['../../etc/passwd', 400], ['lims-csv/../../etc/passwd', 400], ['package.json', 404], ['no-such-mapping', 404]] as const) {
      const res = await play(mapping);
      const text = await res.text();
      expect([mapping, res.status]).toEqual([mapping, status]);
      expect(text).not.toMatch(/6dda24ca|root:/);
    }
    expect((await play('lims-csv')).status).toBe(200);

    // The connectors' list shows each one's last transfer: recorded with them.
    const connectorsRes = await d.get('/api/connectors', KEYS.analyst);
    const lastRuns = ((await connectorsRes.json()) as { lastRun: { id: string } | null }[]).flatMap((c) => (c.lastRun ? [c.lastRun.id] : []));
    expect(lastRuns.length).toBeGreaterThan(0);
    await hub.audit.drain();
    const [listed] = await hub.store.listAudit({ action: 'GET /api/connectors', actor: 'analyst', limit: 1 });
    expect(listed!.subjects.filter((x) => x.type === 'transfer').map((x) => x.id).sort()).toEqual([...lastRuns].sort());

    await hub.audit.drain();
    const empties = (await hub.store.listAudit({ category: 'request', limit: 100 })).filter((e) => e.status === 400 && e.action.includes(':id'));
    expect(empties.length).toBeGreaterThanOrEqual(asked.length);
    expect(empties.every((e) => e.outcome === 'refused' && e.subjects.length === 0)).toBe(true);

    // 16 MiB announced, 5 bytes sent, a Content-Type no parser knows: 401 at once (no 415, no wait for the body).
    const line = await headOnly(hub.address!, `POST /api/connectors/lims/run HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-unknown\r\nContent-Length: ${16 * 1024 * 1024}\r\n\r\nhello`);
    expect(line).toBe('HTTP/1.1 401 Unauthorized');
    // The same with the admin key: the body is awaited (the route would read it), so no answer comes.
    const keyed = await headOnly(hub.address!, `POST /api/connectors/lims/run HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${KEYS.admin}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{`, 1000);
    expect(keyed).toBeNull();
  }, 120_000);

  it('a reviewer finds who read a lead, a refused webhook with its sender, and a replay with the dead letter', async () => {
    const { hub } = d;
    expect((await d.get('/api/leads/NL24-000057', KEYS.hfd)).status).toBe(200);
    const hook = await fetch(`${hub.address}/hooks/hook`, { method: 'POST', headers: { 'content-type': 'text/csv', 'x-cgic-timestamp': String(Math.floor(Date.now() / 1000)), 'x-cgic-signature': `sha256=${'0'.repeat(64)}` }, body: 'a,b\n' });
    expect(hook.status).toBe(401);
    const delivered = (await hub.store.listDeliveries({ status: 'delivered', limit: 1 }))[0]!;
    const dl = await hub.store.addDeadLetter({ queue: `deliver.${delivered.destinationId}`, jobId: delivered.deliveryId, destinationId: delivered.destinationId, payload: { deliveryId: delivered.deliveryId }, attempts: [{ at: new Date().toISOString(), error: 'test' }] });
    const replay = await fetch(`${hub.address}/api/dead-letters/${dl.id}/replay`, { method: 'POST', headers: authOf('admin') });
    expect(replay.status).toBe(202);
    const { jobId } = (await replay.json()) as { jobId: string };

    const audit = async (q: string) => (await (await d.get(`/api/audit?${q}`, KEYS.auditor)).json()) as { total: number; items: AuditEntry[] };
    const read = await audit('subject=NL24-000057&actor=hfd&action=' + encodeURIComponent('GET /api/leads/:id'));
    expect(read.items[0]).toMatchObject({
      category: 'request',
      actor: 'hfd',
      role: 'agency',
      ori: HFD,
      subjects: [{ type: 'lead', id: 'NL24-000057', version: 1 }],
      outcome: 'ok',
      status: 200,
      source: '127.0.0.1',
    });
    expect(read.items[0]!.requestId).toMatch(/^[0-9a-f-]{36}$/);
    // New Haven asking for the same lead: refused, and recorded as such.
    const refusedRead = await audit('subject=NL24-000057&actor=nhpd');
    expect(refusedRead.items[0]).toMatchObject({ outcome: 'refused', status: 404, code: 'HUB_ERR_NOT_FOUND' });

    const hooks = await audit('category=webhook&outcome=refused');
    expect(hooks.items[0]).toMatchObject({ action: 'POST /hooks/:connector', actor: 'anonymous', source: '127.0.0.1', status: 401, code: 'HUB_ERR_CONNECTOR_WEBHOOK_SIGNATURE', detail: { params: { connector: 'hook' } } });
    expect(hooks.items[0]!.reason).toMatch(/signature/);

    const replays = await audit(`subject=${dl.id}&subjectType=dead-letter`);
    expect(replays.items[0]).toMatchObject({ category: 'admin', action: 'POST /api/dead-letters/:id/replay', actor: 'admin', outcome: 'ok', status: 202, detail: { jobId } });

    // Disseminations are in the trail with the ledger's key (lead, version, recipient), and deliveries with theirs.
    const sent = await audit('category=dissemination&subject=NL24-000057');
    expect(sent.items.map((e) => e.ori).sort()).toEqual([CSP, EHPD, HFD].sort());
    expect(sent.items[0]!.subjects).toEqual([{ type: 'lead', id: 'NL24-000057', version: 1 }]);
    expect((await audit('category=delivery')).total).toBeGreaterThanOrEqual(3);

    // Reading the trail is recorded too.
    const own = await audit(`actor=auditor&action=${encodeURIComponent('GET /api/audit')}`);
    expect(own.total).toBeGreaterThan(0);
  }, 60_000);

  it('`cgic audit verify` passes on everything the demo and the matrix recorded', async () => {
    await d.hub.audit.drain();
    const r = await cgicAudit(d.env, 'verify');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^audit trail intact: entries 1\.\.\d+ \(\d+\), 0 signed checkpoints, head \d+\n$/);
    const n = Number(/\((\d+)\)/.exec(r.stdout)![1]);
    expect(n).toBeGreaterThan(CALLERS.length * 12);
  }, 60_000);
});

describe('cgic audit verify names the first entry that does not fit', () => {
  let env: TestEnv;
  let hub: Hub;
  const sql = (q: string, params: unknown[] = []) => hub.store.db.query<Record<string, unknown>>(q, params);
  beforeAll(async () => {
    process.env.CGIC_TEST_AUDIT_KEY = SIGNING_KEY;
    env = await testEnv({ agencies: [{ ori: HFD, name: 'Hartford' }, { ori: NHPD, name: 'New Haven' }], connectors: [], keys, audit: { signingKey: '${env:CGIC_TEST_AUDIT_KEY}' } });
    hub = await env.start();
    for (let i = 0; i < 6; i++) await fetch(`${hub.address}/api/leads`, { headers: authOf('hfd') });
    await hub.audit.drain();
    expect((await cgicAudit(env, 'verify')).code).toBe(0);
  }, 60_000);
  afterAll(async () => {
    await env?.cleanup();
  });
  afterEach(async () => {
    await sql('ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only');
    expect((await cgicAudit(env, 'verify')).code).toBe(0); // each test puts the table back as it was
  });

  it('cgic audit export: NDJSON a SIEM can verify on its own, CSV for people, and where to go on from', async () => {
    const nd = await cgicAudit(env, 'export', '--since', '1h', '--format', 'ndjson');
    expect(nd.code).toBe(0);
    const lines = nd.stdout.trim().split('\n').map((l) => JSON.parse(l) as AuditEntry);
    expect(lines.map((e) => e.position)).toEqual(lines.map((_, i) => i + 1));
    let prev = '0'.repeat(64);
    for (const e of lines) {
      const { hash, prevHash, ...content } = e;
      expect(prevHash).toBe(prev);
      expect(entryHash(prevHash, content)).toBe(hash);
      prev = hash;
    }
    expect(nd.stderr).toBe(`${lines.length} entries exported (last position ${lines.length}: continue with --after-position ${lines.length})\n`);
    const csv = await cgicAudit(env, 'export', '--after-position', '2', '--format', 'csv');
    const rows = csv.stdout.trim().split('\r\n');
    expect(rows[0]).toBe('position,at,category,action,actor,client,role,ori,subjects,outcome,status,code,reason,source,requestId,detail,prevHash,hash');
    expect(rows[1]).toMatch(/^3,/);
    // The exports themselves are in the trail, each written before it read: the NDJSON export's own
    // entry is the one right after the last line it wrote.
    const exports = await hub.store.listAudit({ action: 'cgic audit export', limit: 2 });
    expect(exports[1]).toMatchObject({ position: lines.length + 1, category: 'operator', detail: { format: 'ndjson' } });
    expect(exports[0]).toMatchObject({ category: 'operator', actor: expect.stringMatching(/^cli:/), detail: { format: 'csv', afterPosition: 2 } });
    expect(Number(rows[rows.length - 1]!.split(',')[0])).toBe(exports[0]!.position - 1);
  }, 60_000);

  it('cgic audit export whose own entry cannot be written exports nothing', async () => {
    const [head] = await sql('SELECT position, hash FROM audit_head WHERE id = 1');
    await sql('DELETE FROM audit_head');
    try {
      const r = await cgicAudit(env, 'export', '--format', 'ndjson');
      expect(r.code).not.toBe(0);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/HUB_ERR_AUDIT_UNAVAILABLE/);
    } finally {
      await sql('INSERT INTO audit_head (id, position, hash) VALUES (1, $1, $2)', [head!.position, head!.hash]);
    }
  }, 60_000);

  it('cgic audit export writes the control characters a caller put in an entry as escapes, in NDJSON with the same value', async () => {
    // An agency asks for a "lead" whose id clears the screen (ESC, C1 CSI) and reverses the line (RLO).
    const id = 'X\u001b[2J\u009b31m\u202eDEL\u007f';
    const r = await fetch(`${hub.address}/api/leads/${encodeURIComponent(id)}`, { headers: authOf('hfd') });
    expect(r.status).toBe(404);
    await hub.audit.drain();
    const [entry] = await hub.store.listAudit({ subject: { type: 'lead', id }, limit: 1 });
    expect(entry!.reason).toBe(`No lead "${id}"`);
    const after = String(entry!.position - 1);
    const raw = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e]/;
    const nd = await cgicAudit(env, 'export', '--after-position', after, '--format', 'ndjson');
    expect(nd.code).toBe(0);
    expect(nd.stdout).not.toMatch(raw);
    const line = JSON.parse(nd.stdout.split('\n')[0]!) as AuditEntry;
    expect(line).toEqual(entry);
    const { hash, prevHash, ...content } = line;
    expect(entryHash(prevHash, content)).toBe(hash);
    const csv = await cgicAudit(env, 'export', '--after-position', after, '--format', 'csv');
    expect(csv.code).toBe(0);
    expect(csv.stdout).not.toMatch(raw);
    expect(csv.stdout.split('\r\n')[1]).toContain('"No lead ""X\\u001b[2J\\u009b31m\\u202eDEL\\u007f"""');
  }, 60_000);

  it('a changed row', async () => {
    await expect(sql(`UPDATE audit_log SET source = '10.9.9.9' WHERE position = 3`)).rejects.toThrow(/append-only/);
    await sql('ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only');
    await sql(`UPDATE audit_log SET source = '10.9.9.9' WHERE position = 3`);
    const r = await cgicAudit(env, 'verify');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('HUB_ERR_AUDIT_BROKEN entry 3: entry 3 was changed: its content does not match its hash (2 entries before it verified)\n');
    await sql(`UPDATE audit_log SET source = '127.0.0.1' WHERE position = 3`);
  }, 60_000);

  it('a deleted row', async () => {
    await expect(sql('DELETE FROM audit_log WHERE position = 4')).rejects.toThrow(/append-only/);
    await sql('ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only');
    const [row] = await sql('DELETE FROM audit_log WHERE position = 4 RETURNING *');
    const r = await cgicAudit(env, 'verify');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^HUB_ERR_AUDIT_BROKEN entry 5: entry 5 follows entry 3: entry 4 was deleted/);
    const cols = Object.keys(row!);
    await sql(`INSERT INTO audit_log (${cols.join(', ')}) SELECT * FROM jsonb_populate_record(NULL::audit_log, $1::jsonb)`, [JSON.stringify(row)]);
  }, 60_000);

  it('an inserted row, its hash computed as the hub would', async () => {
    const [last] = await hub.store.listAudit({ limit: 1 });
    const { hash: _h, prevHash: _p, ...content } = last!;
    const forged = chain(last!.hash, { ...content, position: last!.position + 1, actor: 'analyst', role: 'analyst', reason: null });
    await sql(
      `INSERT INTO audit_log (position, at, category, action, actor, client, role, ori, subjects, outcome, status, code, reason, source, request_id, detail, prev_hash, hash)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10, $11, $12, $13, $14, $15, $16::jsonb, $17, $18)`,
      [forged.position, forged.at, forged.category, forged.action, forged.actor, forged.client, forged.role, forged.ori, JSON.stringify(forged.subjects), forged.outcome, forged.status, forged.code, forged.reason, forged.source, forged.requestId, JSON.stringify(forged.detail), forged.prevHash, forged.hash],
    );
    const r = await cgicAudit(env, 'verify');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^HUB_ERR_AUDIT_BROKEN entry ${forged.position}: entry ${forged.position} is past the head \\(entry ${last!.position}\\): it was inserted`));
    await sql('ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only');
    await sql('DELETE FROM audit_log WHERE position = $1', [forged.position]);
  }, 60_000);
});

for (const store of ['postgres', 'pglite'] as const) {
  describe(`an auditor key with an ori reads its own agency's entries only (${store})`, () => {
    const HFD_AUDITOR = 'hfd-auditor-key';
    let env: TestEnv;
    let hub: Hub;
    type Page = { total: number; limit: number; offset: number; items: AuditEntry[] };
    const audit = async (q: string, key = HFD_AUDITOR): Promise<Page> => {
      const res = await fetch(`${hub.address}/api/audit?${q}`, { headers: { authorization: `Bearer ${key}` } });
      expect(res.status).toBe(200);
      return (await res.json()) as Page;
    };
    beforeAll(async () => {
      env = await testEnv(
        { agencies: [{ ori: HFD, name: 'Hartford' }, { ori: NHPD, name: 'New Haven' }], connectors: [], keys: [...keys, { id: 'hfd-auditor', role: 'auditor', ori: HFD, sha256: hashKey(HFD_AUDITOR) }] },
        { store },
      );
      hub = await env.start();
      const pkg = { packageId: `NL24-000001.${HFD}.v1`, leadId: 'NL24-000001', version: 1, recipient: { ori: HFD }, events: [{ eventId: 'E1', agencyCaseNumber: '24-000001' }] };
      await insertLeadPackage(hub.store.db, { leadId: 'NL24-000001', version: 1, recipientOri: HFD, package: pkg, fieldsDisclosed: {}, reason: 'new lead' });
      // The lead disseminated to Hartford, another to New Haven.
      await hub.store.appendAudit(
        [HFD, NHPD].map((ori, i) => ({ category: 'dissemination', action: 'lead package', actor: 'hub', ori, subjects: [{ type: 'lead', id: `NL24-00000${i + 1}`, version: 1 }], outcome: 'ok' })),
      );
      // Each agency's people read their leads; the state's analyst asks for Hartford's lead (only its
      // package is stored here, so the analyst's read is refused, and names the lead all the same).
      const reads = [['hfd', '/api/leads', 200], ['hfd', '/api/leads/NL24-000001', 200], ['nhpd', '/api/leads', 200], ['nhpd', '/api/leads', 200], ['analyst', '/api/leads/NL24-000001', 404]] as const;
      for (const [c, p, status] of reads) expect([c, p, (await fetch(`${hub.address}${p}`, { headers: authOf(c) })).status]).toEqual([c, p, status]);
      await hub.audit.drain();
    }, 60_000);
    afterAll(async () => {
      await env?.cleanup();
    });

    it('the page and its total hold only entries whose ori is the key\'s; filters narrow, never widen', async () => {
      const own = await hub.store.countAudit({ ori: HFD });
      expect(own).toBe(3); // the dissemination and Hartford's two reads
      const page = await audit('limit=1000');
      expect(page.total).toBe(own);
      expect(page.items.map((e) => [e.actor, e.ori, e.action])).toEqual([
        ['hfd', HFD, 'GET /api/leads/:id'],
        ['hfd', HFD, 'GET /api/leads'],
        ['hub', HFD, 'lead package'],
      ]);
      // Paged: the total counts what the key may see, and the pages cover exactly that.
      const first = await audit('limit=2&order=asc');
      const rest = await audit('limit=2&offset=2&order=asc');
      expect([first.total, rest.total]).toEqual([own + 1, own + 2]); // its own earlier reads of the trail
      expect([...first.items, ...rest.items].every((e) => e.ori === HFD)).toBe(true);
      expect(rest.items.map((e) => e.action)).toEqual(['GET /api/leads/:id', 'GET /api/audit']);
      // Another agency, or the state analyst's read of Hartford's own lead: nothing.
      expect(await audit(`ori=${NHPD}`)).toMatchObject({ total: 0, items: [] });
      expect(await audit('actor=nhpd')).toMatchObject({ total: 0, items: [] });
      expect(await audit('actor=analyst')).toMatchObject({ total: 0, items: [] });
      // Hartford's list and its read of the lead both name it; the analyst's read of it is not Hartford's to see.
      expect((await audit('subject=NL24-000001&subjectType=lead')).items.map((e) => e.actor).sort()).toEqual(['hfd', 'hfd', 'hub']);
      expect((await audit('subject=NL24-000001&subjectType=lead', KEYS.auditor)).items.map((e) => e.actor).sort()).toEqual(['analyst', 'hfd', 'hfd', 'hub']);
    });

    it('an auditor key without an ori reads every agency; every read of the trail is itself recorded, under the ori of its key', async () => {
      const all = await audit('category=request&action=' + encodeURIComponent('GET /api/leads'), KEYS.auditor);
      expect(all.items.map((e) => e.ori)).toEqual([NHPD, NHPD, HFD]);
      expect((await audit('actor=analyst', KEYS.auditor)).total).toBe(1);
      const mine = { action: 'GET /api/audit', actor: 'hfd-auditor' };
      await hub.audit.drain();
      const before = await hub.store.countAudit(mine);
      await audit(`ori=${NHPD}&limit=5`);
      await hub.audit.drain();
      const reads = await hub.store.listAudit(mine);
      expect(reads.length).toBe(before + 1);
      expect(reads[0]).toMatchObject({ category: 'request', role: 'auditor', ori: HFD, outcome: 'ok', status: 200, detail: { query: { ori: NHPD } } });
    });
  });
}

describe('fail closed', () => {
  let env: TestEnv | null = null;
  afterEach(async () => {
    await env?.cleanup();
    env = null;
  });

  it('a lead read whose audit entry cannot be written is refused with a coded error, and discloses nothing', async () => {
    env = await testEnv({ agencies: [{ ori: HFD, name: 'Hartford' }, { ori: NHPD, name: 'New Haven' }], connectors: [], keys });
    const hub = await env.start();
    const pkg = { packageId: `NL24-000001.${HFD}.v1`, leadId: 'NL24-000001', version: 1, recipient: { ori: HFD }, events: [{ eventId: 'E1', agencyCaseNumber: '24-000001' }] };
    await insertLeadPackage(hub.store.db, { leadId: 'NL24-000001', version: 1, recipientOri: HFD, package: pkg, fieldsDisclosed: {}, reason: 'new lead' });
    const get = () => fetch(`${hub.address}/api/leads/NL24-000001`, { headers: authOf('hfd') });
    expect((await get()).status).toBe(200);
    await hub.store.db.exec('ALTER TABLE audit_log ADD CONSTRAINT audit_log_frozen CHECK (false) NOT VALID');
    const refused = await get();
    const text = await refused.text();
    expect(refused.status).toBe(503);
    expect(JSON.parse(text)).toMatchObject({ code: 'HUB_ERR_AUDIT_UNAVAILABLE' });
    expect(text).not.toContain('24-000001');
    expect((await fetch(`${hub.address}/api/leads`, { headers: authOf('hfd') })).status).toBe(503);
    const metrics = await (await fetch(`${hub.address}/metrics`)).text();
    expect(metrics).toMatch(/^cgic_api_audit_entries_total\{category="request",result="failed"\} 2$/m);
    await hub.store.db.exec('ALTER TABLE audit_log DROP CONSTRAINT audit_log_frozen');
    expect((await get()).status).toBe(200);
  }, 60_000);
});

describe('live events', () => {
  let env: TestEnv | null = null;
  afterEach(async () => {
    await env?.cleanup();
    env = null;
  });

  /** Opens a caller's event stream (its `ready` event awaited through `opened`); the function returned closes it and gives the topics of each `change` event it received. */
  async function changesSeen(address: string, c: Caller, opened: Promise<void>[]): Promise<() => Promise<string[][]>> {
    const abort = new AbortController();
    const res = await fetch(`${address}/api/events`, { headers: authOf(c), signal: abort.signal });
    expect(res.status).toBe(200);
    const seen: string[][] = [];
    const reader = res.body!.getReader();
    let text = '';
    let ready!: () => void;
    opened.push(new Promise<void>((r) => (ready = r)));
    const reading = (async () => {
      for (;;) {
        const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
        if (done) return;
        text += new TextDecoder().decode(value);
        if (text.includes('event: ready')) ready();
        for (const m of text.matchAll(/event: change\ndata: (.*)\n/g)) seen.push((JSON.parse(m[1]!) as { topics: string[] }).topics);
        text = text.slice(text.lastIndexOf('\n\n') + 2);
      }
    })();
    return async () => {
      abort.abort();
      await reading;
      return seen;
    };
  }

  it('an agency is told of a change to its own leads only; an analyst of every lead', async () => {
    env = await testEnv({ agencies: [{ ori: HFD, name: 'Hartford' }, { ori: NHPD, name: 'New Haven' }], connectors: [], keys });
    const hub = await env.start();
    const opened: Promise<void>[] = [];
    const stop = { hfd: await changesSeen(hub.address!, 'hfd', opened), nhpd: await changesSeen(hub.address!, 'nhpd', opened), analyst: await changesSeen(hub.address!, 'analyst', opened) };
    await Promise.all(opened);
    await new Promise((r) => setTimeout(r, 1500)); // the feed's first look, against which changes count
    const pkg = { packageId: `NL24-000001.${HFD}.v1`, leadId: 'NL24-000001', version: 1, recipient: { ori: HFD }, events: [{ eventId: 'E1', agencyCaseNumber: '24-000001' }] };
    await insertLeadPackage(hub.store.db, { leadId: 'NL24-000001', version: 1, recipientOri: HFD, package: pkg, fieldsDisclosed: {}, reason: 'new lead' });
    await new Promise((r) => setTimeout(r, 2500));
    const seen = { hfd: await stop.hfd(), nhpd: await stop.nhpd(), analyst: await stop.analyst() };
    expect(seen.hfd).toEqual([['leads']]);
    expect(seen.nhpd).toEqual([]);
    expect(seen.analyst.flat()).toContain('leads');
  }, 60_000);
});
