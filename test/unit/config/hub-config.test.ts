import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadHubConfig } from '../../../src/config/hub-config.ts';
import { ConfigProblems } from '../../../src/config/problems.ts';

const ROOT = path.resolve(import.meta.dirname, '../../..');

/** What loading a configuration of `lines`, written as cgic.yaml in a folder of its own, is refused with. */
async function refusedConfig(lines: readonly string[]): Promise<ConfigProblems> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cgic-config-'));
  try {
    const file = path.join(dir, 'cgic.yaml');
    writeFileSync(file, `${lines.join('\n')}\n`);
    const err = await loadHubConfig(file).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigProblems);
    return err as ConfigProblems;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
const BROKEN = path.join(import.meta.dirname, 'fixtures/broken.yaml');

describe('hub configuration', () => {
  it('the bundled demo configuration is valid', async () => {
    const cfg = await loadHubConfig(path.join(ROOT, 'config/cgic.yaml'));
    expect(cfg.agencies.map((a) => a.ori)).toContain('CT0006400');
    expect(cfg.connectors.length).toBeGreaterThanOrEqual(3);
  });

  it('reports an unknown agency, a bad cron and an inline secret, each once, located', async () => {
    const err = await loadHubConfig(BROKEN).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigProblems);
    const problems = (err as ConfigProblems).problems;
    const by = (s: string) => problems.filter((p) => p.message.includes(s));
    expect(by('unknown agency "CT0009999"')).toMatchObject([{ line: 16, pointer: '/connectors/0/agency' }]);
    expect(by('is not a valid cron expression')).toMatchObject([{ line: 18, pointer: '/connectors/0/schedule' }]);
    expect(by('inline secret')).toMatchObject([{ line: 12, pointer: '/agencies/0/destinations/0/options/auth/token' }]);
    expect(problems).toHaveLength(3);
    expect(problems.every((p) => p.code === 'HUB_ERR_CONFIG_INVALID' && p.hint)).toBe(true);
  });

  it('cgic validate exits 78 and prints one line per problem with file:line:col', () => {
    const r = spawnSync(process.execPath, [path.join(ROOT, 'bin/cgic.js'), 'validate', '--config', BROKEN, path.join(ROOT, 'mappings/rms-rest-json')], { encoding: 'utf8', cwd: ROOT });
    expect(r.status).toBe(78);
    const lines = r.stderr.split('\n').filter((l) => l.includes('HUB_ERR_CONFIG_INVALID'));
    expect(lines).toHaveLength(3);
    expect(lines.join('\n')).toMatch(/broken\.yaml:16:\d+: HUB_ERR_CONFIG_INVALID \/connectors\/0\/agency unknown agency "CT0009999"/);
    expect(lines.join('\n')).toMatch(/broken\.yaml:18:\d+: .*"0 25 \* \* \*" is not a valid cron expression/);
    expect(lines.join('\n')).toMatch(/broken\.yaml:12:\d+: .*inline secret in option auth\.token/);
  });

  it('a secret written inline as a number is refused without repeating it', async () => {
    const err = await refusedConfig([
      'hub:',
      '  api:',
      '    oidc:',
      '      issuer: https://login.example.gov',
      '      clientId: cgic',
      '      clientSecret: 55501234567',
      '      redirectUrl: https://cgic.example.gov/console/auth/callback',
      '  audit:',
      '    signingKey: 987654321987',
      'agencies: [{ ori: CT0006400, name: Hartford }]',
      'connectors: []',
    ]);
    const problems = err.problems;
    expect(problems.map((p) => [p.pointer, p.line, p.col, p.message])).toEqual([
      ['/hub/api/oidc/clientSecret', 6, 21, 'must be string, not a number'],
      ['/hub/audit/signingKey', 9, 17, 'must be string, not a number'],
    ]);
    const text = `${err.message}\n${JSON.stringify(problems)}`;
    expect(text).not.toContain('55501234567');
    expect(text).not.toContain('987654321987');
    expect(problems.every((p) => p.hint?.includes('${env:NAME}'))).toBe(true);
  });

  it("two enabled directory connectors that would take each other's files are refused, each at its line", async () => {
    const c = (id: string, options: string, extra = '') => `  - { id: ${id}, kind: directory, agency: CT0006400, mapping: etrace-csv${extra}, options: ${options} }`;
    const err = await refusedConfig([
      'hub: { name: t }',
      'agencies: [{ ori: CT0006400, name: Hartford }]',
      'connectors:',
      c('a', '{ path: in }'),
      c('b', '{ path: ./in/ }'),
      c('c', '{ path: in, pattern: "*.xml" }'),
      c('d', '{ path: in, pattern: "*.txt", processingDir: in/.claims-d }'),
      c('e', '{ path: other, processingDir: in/.claims-d/ }'),
      c('f', '{ path: in }', ', enabled: false'),
      c('g', '{ path: elsewhere }'),
    ]);
    const at = path.resolve('in');
    expect(err.problems.map((p) => [p.line, p.pointer, p.message])).toEqual([
      [5, '/connectors/1/options/path', `connectors "a" and "b" both read ${at} with pattern "*"`],
      [6, '/connectors/2/options/path', `connectors "a" and "c" claim files into one processing folder, ${path.join(at, '.processing')}`],
      [8, '/connectors/4/options/processingDir', `connectors "d" and "e" claim files into one processing folder, ${path.join(at, '.claims-d')}`],
    ]);
  });

  it('a secret reference where none is resolved is refused, at its line; where one is, it passes', async () => {
    const err = await refusedConfig([
      'hub:',
      '  dataDir: "${env:CGIC_DATA}"',
      '  audit: { signingKey: "${env:CGIC_AUDIT_KEY}" }',
      'agencies:',
      '  - ori: CT0006400',
      '    name: "Hartford ${file:name.txt}"',
      '    destinations: [{ id: d, kind: http, content: [records], options: { url: "https://x.example.gov/in", auth: { type: bearer, token: "${env:T}" } } }]',
      'connectors: [{ id: w, kind: webhook, agency: CT0006400, mapping: etrace-csv, options: { secret: "${file:hook.secret}" } }]',
    ]);
    expect(err.problems.map((p) => [p.line, p.pointer, p.message])).toEqual([
      [2, '/hub/dataDir', '${env:CGIC_DATA} is not resolved here: the value would be taken as written'],
      [6, '/agencies/0/name', '${file:name.txt} is not resolved here: the value would be taken as written'],
    ]);
  });

  it('an ORI in small letters is refused with the ORI in capitals as the hint', async () => {
    const { problems } = await refusedConfig(['hub: { name: t }', 'agencies: [{ ori: ct0006400, name: H }, { ori: CT00064, name: G }]', 'connectors: []']);
    expect(problems.map((p) => [p.code, p.line, p.col, p.pointer])).toEqual([
      ['HUB_ERR_CONFIG_SCHEMA', 2, 19, '/agencies/0/ori'],
      ['HUB_ERR_CONFIG_SCHEMA', 2, 48, '/agencies/1/ori'],
    ]);
    expect(problems[0]!.hint).toMatch(/^did you mean "CT0006400"\? \(in capitals\)/);
    expect(problems[1]!.hint).not.toMatch(/did you mean/);
  });
});

