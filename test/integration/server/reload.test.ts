/**
 * A configuration applied to a running hub without a restart, as an operator does it: the hub runs in
 * its own process on the embedded store (PGlite), the configuration file is edited, and `cgic reload`
 * (bin/cgic.js, through the hub's API) applies it. A new agency with a folder destination and a new
 * scheduled connector start and deliver, while a big transfer of another connector that was running at
 * the reload finishes with every row stored and delivered; a configuration with problems is refused
 * with each of them, and the hub keeps the one in force.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CASE_MAPPING, caseCsv, testEnv, waitFor, type TestEnv } from '../../support/hub-harness.ts';
import { cgic, runningHub } from '../../support/cli.ts';
import { hashKey } from '../../../src/server/auth.ts';

const HFD = 'CT0006400';
const NEW = 'CT0009900';
const ROWS = 150_000;

describe('cgic reload against a running hub', () => {
  let env: TestEnv;
  let hub: Awaited<ReturnType<typeof runningHub>>;
  const dir = (name: string) => path.join(env.dir, name);

  beforeAll(async () => {
    env = await testEnv(
      {
        agencies: [{ ori: HFD, name: 'Hartford PD', destinations: [{ id: 'hfd-files', kind: 'directory', content: ['records'], options: { path: 'OUT_HFD' } }] }],
        connectors: [{ id: 'hfd-bulk', kind: 'directory', agency: HFD, mapping: CASE_MAPPING, options: { path: 'IN_BULK', stableMs: 0 } }],
        keys: [
          { id: 'admin', role: 'admin', sha256: hashKey('demo-admin-key') },
          { id: 'auditor', role: 'auditor', sha256: hashKey('test-auditor-key') },
        ],
      },
      { store: 'pglite' },
    );
    for (const d of ['in-bulk', 'out-hfd', 'in-new', 'out-new']) mkdirSync(dir(d), { recursive: true });
    writeFileSync(env.configFile, readFileSync(env.configFile, 'utf8').replace('path: IN_BULK', `path: ${dir('in-bulk')}`).replace('path: OUT_HFD', `path: ${dir('out-hfd')}`));
    // The production lock times: a busy embedded store must not make BullMQ think a transfer was abandoned.
    env.spawnHub(['api', 'worker', 'scheduler'], { CGIC_LOCK_DURATION_MS: '30000', CGIC_STALLED_INTERVAL_MS: '30000' });
    hub = await runningHub(env);
  }, 240_000);

  afterAll(async () => {
    await env?.cleanup();
  });

  const deliveredRows = (folder: string): number =>
    readdirSync(folder)
      .filter((f) => !f.startsWith('.'))
      .reduce((n, f) => n + (JSON.parse(readFileSync(path.join(folder, f), 'utf8')) as { records: unknown[] }).records.length, 0);

  it('starts a new agency and connector while a big transfer of another runs; the transfer loses nothing', async () => {
    writeFileSync(dir('in-bulk/bulk.csv'), caseCsv(ROWS, [HFD], { prefix: 'BULK' }));
    const run = await hub.api('POST', '/api/connectors/hfd-bulk/run?wait=30', {});
    expect(run.status).toBe(202);
    expect(run.body.transferIds).toHaveLength(1);
    const bulkId = run.body.transferIds[0] as string;
    await waitFor('the bulk transfer to have stored some rows', async () => {
      const t = (await hub.api('GET', `/api/transfers/${bulkId}`)).body;
      return t.status === 'running' && t.counts.stored > 0;
    }, 120_000, 100);

    // The operator adds an agency with a folder destination, a connector for it on a schedule, and a key.
    const cfg = parse(readFileSync(env.configFile, 'utf8')) as Record<string, any>;
    cfg.agencies.push({ ori: NEW, name: 'Newtown PD', destinations: [{ id: 'new-files', kind: 'directory', content: ['records'], options: { path: dir('out-new') } }] });
    cfg.connectors.push({ id: 'new-rms', kind: 'directory', agency: NEW, mapping: CASE_MAPPING, schedule: '*/2 * * * * *', options: { path: dir('in-new'), stableMs: 0 } });
    cfg.hub.api.keys.push({ id: 'newtown', role: 'agency', ori: NEW, sha256: hashKey('test-newtown-key') });
    writeFileSync(env.configFile, stringify(cfg));
    expect((await hub.api('GET', '/api/me', undefined, 'test-newtown-key')).status).toBe(401);

    const r = await cgic(['reload', '--config', env.configFile]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`agencies: added ${NEW}`);
    expect(r.stdout).toContain('connectors: added new-rms');
    expect(r.stdout).toContain('destinations: added new-files');
    expect(r.stdout).toContain('API keys: 3 in force');
    // The reload happened while the bulk transfer ran.
    const during = (await hub.api('GET', `/api/transfers/${bulkId}`)).body;
    expect(during.status).toBe('running');
    expect(during.counts.read).toBeLessThan(ROWS);

    // The new key is in force, the new connector runs on its schedule and its agency gets its records.
    expect((await hub.api('GET', '/api/me', undefined, 'test-newtown-key')).status).toBe(200);
    writeFileSync(dir('in-new/rms.csv'), caseCsv(7, [NEW], { prefix: 'NEW' }));
    await waitFor('the new agency\'s records in its folder', () => deliveredRows(dir('out-new')) === 7, 120_000, 200);
    const newTransfers = (await hub.api('GET', '/api/transfers?connector=new-rms')).body;
    expect(newTransfers.items.map((t: { trigger: string; status: string; counts: { read: number } }) => [t.trigger, t.status, t.counts.read])).toEqual([['schedule', 'succeeded', 7]]);

    // The bulk transfer finishes on the connector it started with: every row read, stored and delivered once.
    const done = await waitFor('the bulk transfer to finish', async () => {
      const t = (await hub.api('GET', `/api/transfers/${bulkId}`)).body;
      return t.status !== 'running' && t.status !== 'queued' && t.counts.delivered === ROWS ? t : null;
    }, 300_000, 500);
    expect([done.status, done.error]).toEqual(['succeeded', null]);
    expect(done.counts).toMatchObject({ read: ROWS, mapped: ROWS, invalid: 0, stored: ROWS, changed: ROWS, delivered: ROWS, failed: 0 });
    expect(deliveredRows(dir('out-hfd'))).toBe(ROWS);
    expect(existsSync(dir('in-bulk/archive/bulk.csv'))).toBe(true);

    // On the audit trail: who reloaded, and what it changed.
    const audit = (await hub.api('GET', `/api/audit?action=${encodeURIComponent('POST /api/reload')}`, undefined, 'test-auditor-key')).body;
    expect(audit.items[0]).toMatchObject({ category: 'admin', actor: 'local-operator', outcome: 'ok', status: 200, detail: { agenciesAdded: 1, connectorsAdded: 1, destinationsAdded: 1 } });
    expect(audit.items[0].detail.userAgent).toMatch(/^cgic \(cli:/);
  }, 600_000);

  it('refuses a configuration with problems, listing each, and keeps the one in force', async () => {
    const before = (await hub.api('GET', '/api/connectors')).body.map((c: { id: string }) => c.id);
    const good = readFileSync(env.configFile, 'utf8');
    const cfg = parse(good) as Record<string, any>;
    cfg.connectors.push({ id: 'broken', kind: 'directory', agency: 'CT0000000', mapping: CASE_MAPPING, schedule: 'every night', options: { path: dir('in-broken') } });
    cfg.agencies = cfg.agencies.filter((a: { ori: string }) => a.ori !== NEW); // new-rms now names an unknown agency
    writeFileSync(env.configFile, stringify(cfg));

    const r = await cgic(['reload', '--config', env.configFile]);
    expect(r.code).toBe(78);
    expect(r.stdout).toBe('');
    const problems = r.stderr.split('\n').filter((l) => l.includes('HUB_ERR_CONFIG_INVALID'));
    expect(problems.some((l) => l.includes('/hub/api/keys/2/ori') && l.includes(`key "newtown" names agency ${NEW}, which is not listed`))).toBe(true);    expect(problems.some((l) => l.includes('/connectors/1/agency') && l.includes(`unknown agency "${NEW}"`))).toBe(true);
    expect(problems.some((l) => l.includes('/connectors/2/agency') && l.includes('unknown agency "CT0000000"'))).toBe(true);
    expect(problems.some((l) => l.includes('/connectors/2/schedule') && l.includes('"every night" is not a valid cron expression'))).toBe(true);
    expect(r.stderr).toMatch(/^cgic\.yaml:\d+:\d+: |\/cgic\.yaml:\d+:\d+: /m);
    expect(r.stderr).toContain('4 problems found');

    // Nothing changed: the same connectors, the new agency still gets what is dropped for it.
    expect((await hub.api('GET', '/api/connectors')).body.map((c: { id: string }) => c.id)).toEqual(before);
    writeFileSync(dir('in-new/more.csv'), caseCsv(3, [NEW], { prefix: 'MORE' }));
    await waitFor('the new agency\'s next records', () => deliveredRows(dir('out-new')) === 10, 120_000, 200);
    const audit = (await hub.api('GET', `/api/audit?action=${encodeURIComponent('POST /api/reload')}&outcome=refused`, undefined, 'test-auditor-key')).body;
    expect(audit.items[0]).toMatchObject({ outcome: 'refused', status: 400, code: 'HUB_ERR_CONFIG_INVALID' });
    writeFileSync(env.configFile, good);
  }, 300_000);
});
