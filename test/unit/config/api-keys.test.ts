/**
 * hub.api.keys as `cgic validate` checks them: an agency key naming no configured agency is refused
 * (it would silently see nothing), keys of one client agree on role and ori, ids are unique, expiries
 * are times; a configuration written before keys had clients and expiries stays valid.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { loadHubConfig } from '../../../src/config/hub-config.ts';
import { ConfigProblems } from '../../../src/config/problems.ts';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const H = (c: string) => c.repeat(64);

function configWith(keys: Record<string, unknown>[], extra: Record<string, unknown> = {}): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cgic-keys-'));
  const file = path.join(dir, 'cgic.yaml');
  writeFileSync(file, stringify({ hub: { api: { keys }, ...extra }, agencies: [{ ori: 'CT0006400', name: 'Hartford' }], connectors: [] }));
  return file;
}

async function problemsOf(file: string): Promise<string[]> {
  const err = await loadHubConfig(file).then(() => null, (e: unknown) => e);
  if (err === null) return [];
  expect(err).toBeInstanceOf(ConfigProblems);
  return (err as ConfigProblems).problems.map((p) => `${p.pointer} ${p.message}`);
}

describe('API keys in the configuration', () => {
  it('a configuration with keys as they were written before (id, role, ori, sha256) stays valid', async () => {
    const file = configWith([
      { id: 'ops', role: 'admin', sha256: H('a') },
      { id: 'hpd', role: 'agency', ori: 'CT0006400', sha256: H('b') },
    ]);
    expect(await problemsOf(file)).toEqual([]);
    const cfg = await loadHubConfig(file);
    expect(cfg.hub.api.rateLimit).toEqual({ windowSeconds: 60, perKey: 600, anonymous: 60, roles: {} });
    expect(cfg.hub.audit).toEqual({ retentionDays: 400, checkpointMinutes: 60 });
  });

  it('refuses a key whose ORI names no configured agency, with a suggestion', async () => {
    expect(await problemsOf(configWith([{ id: 'hpd', role: 'agency', ori: 'CT0006500', sha256: H('b') }]))).toEqual([
      '/hub/api/keys/0/ori key "hpd" names agency CT0006500, which is not listed under agencies',
    ]);
  });

  it('refuses keys of one client with different roles, a duplicate id, an expiry that is not a time, an inline signing key', async () => {
    const file = configWith(
      [
        { id: 'hpd-1', client: 'hpd', role: 'agency', ori: 'CT0006400', sha256: H('b'), expiresAt: '2026-06-30T00:00:00Z' },
        { id: 'hpd-2', client: 'hpd', role: 'analyst', sha256: H('c') },
        { id: 'hpd-2', role: 'auditor', sha256: H('d') },
      ],
      { audit: { signingKey: 'written-right-here-0123456789abcdef0123' } },
    );
    const problems = await problemsOf(file);
    expect(problems).toEqual(
      expect.arrayContaining([
        '/hub/api/keys/1/client key "hpd-2" of client "hpd" has role analyst, but key "hpd-1" of the same client has role agency (CT0006400)',
        '/hub/api/keys/2/id key id "hpd-2" is used twice',
        '/hub/audit/signingKey inline secret in hub.audit.signingKey',
      ]),
    );
    expect(await problemsOf(configWith([{ id: 'x', role: 'admin', sha256: H('e'), expiresAt: 'next tuesday' }]))).toEqual([expect.stringMatching(/^\/hub\/api\/keys\/0\/expiresAt .*date-time/)]);
  });

  it('cgic validate exits 78 naming the key and its line', () => {
    const file = configWith([{ id: 'hpd', role: 'agency', ori: 'CT0006500', sha256: H('b') }]);
    const r = spawnSync(process.execPath, [path.join(ROOT, 'bin/cgic.js'), 'validate', '--config', file, path.join(ROOT, 'mappings/rms-rest-json')], { encoding: 'utf8', cwd: ROOT });
    expect(r.status).toBe(78);
    expect(r.stderr).toMatch(/cgic\.yaml:\d+:\d+: HUB_ERR_CONFIG_INVALID \/hub\/api\/keys\/0\/ori key "hpd" names agency CT0006500, which is not listed under agencies/);
  });
});
