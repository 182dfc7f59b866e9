/**
 * `cgic run`, `cgic transfers` and `cgic dead-letters` while the hub runs on the embedded store
 * (PGlite, one process only): each finds the hub by its runtime file and asks its API, and prints what
 * the console shows. Also: a dry run through the API, a file not settled yet said to be skipped,
 * pausing and resuming a schedule on the audit trail, a connector's configuration with its secret
 * masked, and a connector the hub does not have named as a usage error.
 */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgencyServers, CASE_MAPPING, caseCsv, testEnv, waitFor, type TestEnv } from '../../support/hub-harness.ts';
import { cgic, runningHub } from '../../support/cli.ts';
import { hashKey } from '../../../src/server/auth.ts';

const HFD = 'CT0006400';
const NHPD = 'CT0009300';
const SECRET = 'cli-test-webhook-secret-0123456789abcdef';
const servers = new AgencyServers();

describe('cgic while the hub holds the embedded store', () => {
  let env: TestEnv;
  let hub: Awaited<ReturnType<typeof runningHub>>;
  const dir = (name: string) => path.join(env.dir, name);

  beforeAll(async () => {
    const down = await servers.start();
    down.answer = () => 500; // New Haven's endpoint fails every attempt: a dead letter
    env = await testEnv(
      {
        agencies: [
          { ori: HFD, name: 'Hartford PD', destinations: [{ id: 'hfd-files', kind: 'directory', content: ['records'], options: { path: 'OUT' } }] },
          { ori: NHPD, name: 'New Haven PD', destinations: [{ id: 'nhpd-rms', kind: 'http', content: ['records'], options: { url: down.url } }] },
        ],
        connectors: [
          // A feed of several agencies' rows (as the lab's are): each agency gets its own.
          { id: 'drop', kind: 'directory', agency: HFD, mapping: CASE_MAPPING, allowOtherAgencies: true, options: { path: 'IN', stableMs: 0 } },
          { id: 'nightly', kind: 'directory', agency: HFD, mapping: CASE_MAPPING, schedule: '0 2 * * *', options: { path: 'SLOW', stableMs: 600000 } },
          { id: 'hook', kind: 'webhook', agency: HFD, mapping: CASE_MAPPING, options: { secret: '${env:CLI_TEST_WEBHOOK_SECRET}' } },
        ],
        keys: [
          { id: 'admin', role: 'admin', sha256: hashKey('demo-admin-key') },
          { id: 'auditor', role: 'auditor', sha256: hashKey('test-auditor-key') },
        ],
        delivery: { attempts: 2, backoffMs: 20, maxBackoffMs: 50 },
      },
      { store: 'pglite' },
    );
    for (const d of ['in', 'out', 'slow']) mkdirSync(dir(d), { recursive: true });
    writeFileSync(env.configFile, readFileSync(env.configFile, 'utf8').replace('path: IN', `path: ${dir('in')}`).replace('path: OUT', `path: ${dir('out')}`).replace('path: SLOW', `path: ${dir('slow')}`));
    env.spawnHub(['api', 'worker', 'scheduler'], { CLI_TEST_WEBHOOK_SECRET: SECRET, CGIC_LOCK_DURATION_MS: '30000', CGIC_STALLED_INTERVAL_MS: '30000' });
    hub = await runningHub(env);
  }, 240_000);

  afterAll(async () => {
    await env?.cleanup();
    await servers.stopAll();
  });

  it('the runtime file names the API and is readable by the hub\'s account only', () => {
    expect(hub.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(statSync(path.join(env.dir, 'var', 'hub.json')).mode & 0o777).toBe(0o600);
  });

  it('cgic run --dry-run maps through the API, stores nothing and puts the file back', async () => {
    writeFileSync(dir('in/export.csv'), caseCsv(10, [HFD, NHPD], { bad: [4] }));
    const r = await cgic(['run', 'drop', '--dry-run', '--config', env.configFile]);
    expect(r.stderr).toContain(`the running hub holds the store: asking its API at ${hub.url}`);
    expect(r.stderr).toMatch(/transfer [0-9a-f-]{36} export\.csv \(dry run\): partial/);
    expect(r.stderr).toContain('rows read 10, mapped 9, invalid 1; nothing stored or delivered (dry run)');
    expect(r.stderr).toContain('A file is put back in its folder under its own name');
    expect(r.code).toBe(1); // a bad row: failed work, as without the API
    expect(existsSync(dir('in/export.csv'))).toBe(true);
    const cases = (await hub.api('GET', '/api/transfers?connector=drop')).body.items[0];
    expect(cases).toMatchObject({ source: 'export.csv (dry run)', counts: { read: 10, invalid: 1, stored: 0 } });
  }, 180_000);

  it('cgic run reads the file for real and waits for its deliveries; cgic transfers lists what the console lists', async () => {
    const r = await cgic(['run', 'drop', '--config', env.configFile, '--wait', '60']);
    expect(r.stderr).toMatch(/transfer ([0-9a-f-]{36}) export\.csv: partial/);
    expect(r.stderr).toMatch(/rows read 10, mapped 9, invalid 1 \(see GET \/api\/quarantine\?transfer=[0-9a-f-]{36}\); record statements stored 9 \(0 changed nothing\); records changed 9, delivered 4, failed 5/);
    expect(r.code).toBe(1);

    const api = (await hub.api('GET', '/api/transfers?connector=drop&limit=5')).body;
    expect(api.total).toBe(2);
    const t = await cgic(['transfers', '--connector', 'drop', '--config', env.configFile]);
    expect(t.code).toBe(0);
    const lines = t.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^TRANSFER\s+CONNECTOR\s+SOURCE \(TRIGGER\)\s+STATUS\s+STARTED\s+TOOK\s+READ\s+INVALID\s+DAMAGED\s+STORED\s+DELIVERED$/);
    expect(lines).toHaveLength(4);
    // Newest first, with the console's fields.
    for (const [i, item] of (api.items as { id: string; source: string; trigger: string; status: string; startedAt: string; counts: Record<string, number> }[]).entries()) {
      expect(lines[i + 1]!.split(/\s{2,}/)).toEqual([item.id, 'drop', `${item.source} (${item.trigger})`, item.status, item.startedAt, expect.stringMatching(/ s$/), String(item.counts.read), String(item.counts.invalid), String(item.counts.damaged), String(item.counts.stored), String(item.counts.delivered)]);
    }
    expect(lines[3]).toBe('2 transfers match (showing 1-2 of 2, newest first; invalid rows: cgic-hub console or GET /api/quarantine?transfer=<id>)');
    const none = await cgic(['transfers', '--status', 'failed', '--since', '1h', '--config', env.configFile]);
    expect(none.stdout.trim()).toBe('0 transfers match (showing none of 0, newest first; invalid rows: cgic-hub console or GET /api/quarantine?transfer=<id>)');
  }, 180_000);

  it('cgic dead-letters list and replay go through the API', async () => {
    const page = await waitFor('New Haven\'s dead letter', async () => {
      const p = (await hub.api('GET', '/api/dead-letters?pending=true')).body;
      return p.total === 1 ? p : null;
    }, 60_000, 200);
    const dl = page.items[0];
    const list = await cgic(['dead-letters', 'list', '--config', env.configFile]);
    expect(list.code).toBe(0);
    expect(list.stdout.trimEnd().split('\n')).toEqual([`${dl.id}  nhpd-rms  ${dl.createdAt}  2 attempts  pending  ${dl.lastError}`, '1 dead letter not replayed']);
    // Before the replay: cgic status names what needs someone, and exits 1 for a monitor.
    const status = await cgic(['status', '--config', env.configFile]);
    expect(status.code).toBe(1);
    const text = status.stdout;
    expect(text).toMatch(new RegExp(`^hub at ${hub.url.replace(/\./g, '\\.')}: ready \\(store ok \\(pglite, [\\d.]+ ms\\); Redis ok\\)`));
    const row = (id: string) => text.split('\n').find((l) => l.startsWith(`${id} `))?.split(/\s{2,}/);
    // 20 rows read in 24 h: the dry run's 10 and the real run's; 9 stored, by the real run.
    expect(row('drop')).toEqual(['drop', 'directory', HFD, 'ok', expect.stringMatching(/^partial \d{4}-/), 'by hand', '20', '9', expect.stringMatching(/^\d{4}-/)]);
    expect(row('nightly')).toEqual(['nightly', 'directory', HFD, 'ok', 'never run', expect.stringMatching(/^0 2 \* \* \*, next \d{4}-/), '0', '0', 'none']);
    // New Haven's endpoint answers 500 to its check too.
    expect(row('nhpd-rms')).toEqual(['nhpd-rms', 'http', NHPD, 'FAILING', '0', '0', '1', '-', 'never']);
    expect(row('hfd-files')).toEqual(['hfd-files', 'directory', HFD, 'ok', '0', '0', '0', '-', expect.stringMatching(/^\d{4}-/)]);
    expect(text).toContain('needs attention (4):');
    expect(text).toMatch(/ {2}- destination nhpd-rms: its check fails: .*500/);
    expect(text).toMatch(/ {2}- connector drop: its last run [0-9a-f-]{36} partial \(cgic transfers --connector drop\)\n/);
    expect(text).toContain('  - 1 dead letter not replayed (cgic dead-letters list)\n');
    expect(text).toContain('  - 1 row set aside and not resolved (console: Quarantine; GET /api/quarantine?status=open)\n');
    const json = JSON.parse((await cgic(['status', '--json', '--config', env.configFile])).stdout);
    expect(json).toMatchObject({ url: hub.url, ready: { ok: true }, deadLettersPending: 1, quarantineOpen: 1 });
    expect(json.destinations.find((d: { id: string }) => d.id === 'nhpd-rms')).toMatchObject({ deadLetters: 1, lastDeliveredAt: null });
    // The auditor reads the trail and nothing else.
    const auditor = await cgic(['status', '--url', hub.url, '--key', 'test-auditor-key']);
    expect(auditor.code).not.toBe(0);
    expect(auditor.stderr).toContain('HUB_ERR_AUTH_FORBIDDEN Role auditor may not do this (needs admin or analyst)');
    const replay = await cgic(['dead-letters', 'replay', dl.id, '--config', env.configFile]);
    expect(replay.code).toBe(0);
    expect(replay.stdout).toMatch(/^replay queued as job /);
    const again = await cgic(['dead-letters', 'replay', dl.id, '--config', env.configFile]);
    expect(again.code).toBe(75);
    expect(again.stderr).toContain('HUB_ERR_STATE_CONFLICT');
  }, 180_000);

  it('a run that finds a file still being written says it skipped it', async () => {
    writeFileSync(dir('slow/late.csv'), caseCsv(2, [HFD]));
    const r = await cgic(['run', 'nightly', '--dry-run', '--config', env.configFile]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('nightly: nothing to read (no transfer)');
    expect(r.stderr).toMatch(/nightly: skipped late\.csv: not settled yet: changed \d+ ms ago, stableMs is 600000; a later run takes it/);
  }, 120_000);

  it('--url with a wrong key is refused by the hub with its code', async () => {
    const r = await cgic(['transfers', '--url', hub.url, '--key', 'not-a-key']);
    expect(r.code).toBe(78); // the caller's configuration is wrong
    expect(r.stderr).toContain('HUB_ERR_AUTH_REQUIRED');
    const admin = await cgic(['transfers', '--url', hub.url, '--limit', '1'], { CGIC_API_KEY: 'demo-admin-key' });
    expect(admin.code).toBe(0);
    expect(admin.stdout).toContain('2 transfers match (showing 1-1 of 2');
  }, 60_000);

  it('a connector the hub does not have is a usage error naming the ones it has, through the API too', async () => {
    const where = `no connector "nope" in the hub at ${hub.url} (connectors: drop, nightly, hook)`;
    const transfers = await cgic(['transfers', '--connector', 'nope', '--config', env.configFile]);
    expect(transfers.code).toBe(2);
    expect(transfers.stderr).toContain(`HUB_ERR_CLI_USAGE ${where}, and no transfers of it match`);
    const known = await cgic(['transfers', '--connector', 'nightly', '--url', hub.url], { CGIC_API_KEY: 'demo-admin-key' });
    expect([known.code, known.stdout]).toEqual([0, expect.stringMatching(/^0 transfers match/)]);
    const deadLetters = await cgic(['dead-letters', 'list', '--connector', 'nope', '--config', env.configFile]);
    expect(deadLetters.code).toBe(2);
    expect(deadLetters.stderr).toContain(`${where}, and no dead letters of it match`);
    for (const args of [['run', 'nope'], ['pause', 'nope'], ['resume', 'nope']]) {
      const r = await cgic([...args, '--config', env.configFile]);
      expect([args, r.code]).toEqual([args, 2]);
      expect(r.stderr).toContain(`HUB_ERR_CLI_USAGE ${where}\n`);
    }
  }, 120_000);

  it('pauses and resumes a schedule, on the audit trail; shows a connector\'s configuration with its secret masked', async () => {
    expect((await hub.api('POST', '/api/connectors/nightly/pause', { reason: 'the lab is migrating its LIMS' })).status).toBe(200);
    expect((await hub.api('POST', '/api/connectors/nightly/pause', {})).body.code).toBe('HUB_ERR_STATE_CONFLICT');
    expect((await hub.api('POST', '/api/connectors/drop/pause', {})).body.message).toContain('has no schedule');
    const listed = (await hub.api('GET', '/api/connectors')).body as { id: string; paused: { by: string } | null }[];
    expect(listed.find((c) => c.id === 'nightly')!.paused).toMatchObject({ by: 'local-operator' });
    expect(listed.find((c) => c.id === 'drop')!.paused).toBeNull();
    expect((await hub.api('POST', '/api/connectors/nightly/resume', {})).status).toBe(200);
    expect((await hub.api('GET', '/api/connectors/nightly/config')).body.paused).toBeNull();
    const audit = (await hub.api('GET', '/api/audit?subject=nightly&subjectType=connector&category=admin&order=asc', undefined, 'test-auditor-key')).body.items as { action: string; outcome: string; detail: Record<string, unknown> }[];
    expect(audit.filter((e) => /pause|resume/.test(e.action)).map((e) => [e.action, e.outcome])).toEqual([
      ['POST /api/connectors/:id/pause', 'ok'],
      ['POST /api/connectors/:id/pause', 'refused'],
      ['POST /api/connectors/:id/resume', 'ok'],
    ]);
    expect(audit.find((e) => e.action.endsWith('/pause'))!.detail.reason).toBe('the lab is migrating its LIMS');

    const cfg = (await hub.api('GET', '/api/connectors/hook/config')).body;
    expect(cfg).toMatchObject({ id: 'hook', kind: 'webhook', agency: { ori: HFD, name: 'Hartford PD' }, options: { secret: '[secret from env]' }, secrets: ['options.secret'], paused: null });
    expect(JSON.stringify(cfg)).not.toContain('CLI_TEST_WEBHOOK_SECRET');
    expect(JSON.stringify(cfg)).not.toContain(SECRET);
  }, 60_000);
});
