/**
 * A retired mapping is named with its replacement, never reported as a bare "not found": by the loader,
 * by `cgic map`, and as a located problem of a configuration that still names it.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { HubError } from '../../../src/errors/hub-error.ts';
import { loadHubConfig } from '../../../src/config/hub-config.ts';
import { ConfigProblems } from '../../../src/config/problems.ts';
import { PROJECT_ROOT, resolveMappingFile } from '../../../src/mapping/load.ts';
import { RETIRED_MAPPINGS } from '../../../src/mapping/retired.ts';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'cgic-retired-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('retired mappings', () => {
  it('every retired id names a replacement that is shipped, and is itself no longer shipped', () => {
    for (const [id, r] of Object.entries(RETIRED_MAPPINGS)) {
      expect(resolveMappingFile(r.replacement)).toBe(path.join(PROJECT_ROOT, 'mappings', r.replacement, 'mapping.yaml'));
      expect(() => resolveMappingFile(id)).toThrow(HubError);
    }
  });

  it('the loader refuses rms-niem2-xml and rms-niem6-xml with HUB_ERR_MAPPING_RETIRED naming ndex-2.1-lexs', () => {
    for (const id of ['rms-niem2-xml', 'rms-niem6-xml']) {
      const err = (() => {
        try {
          resolveMappingFile(id);
        } catch (e) {
          return e as HubError;
        }
        return null;
      })();
      expect(err?.code).toBe('HUB_ERR_MAPPING_RETIRED');
      expect(err?.errorClass).toBe('config');
      expect(err?.message).toMatch(new RegExp(`^Mapping "${id}" is retired: .+\\. Use "ndex-2\\.1-lexs" instead$`));
    }
    expect(() => resolveMappingFile('no-such-mapping')).toThrow(expect.objectContaining({ code: 'HUB_ERR_MAPPING_NOT_FOUND' }));
  });

  it('an operator\'s own folder of a retired name still loads', () => {
    const dir = path.join(tmp, 'mappings');
    mkdirSync(path.join(dir, 'rms-niem2-xml'), { recursive: true });
    copyFileSync(path.join(PROJECT_ROOT, 'mappings/rms-rest-json/mapping.yaml'), path.join(dir, 'rms-niem2-xml/mapping.yaml'));
    expect(resolveMappingFile('rms-niem2-xml', dir)).toBe(path.join(dir, 'rms-niem2-xml/mapping.yaml'));
  });

  it('a configuration naming one fails with a located HUB_ERR_MAPPING_RETIRED problem; cgic map exits 78 saying the same', async () => {
    const file = path.join(tmp, 'cgic.yaml');
    writeFileSync(
      file,
      ['hub: { name: t }', 'agencies:', '  - { ori: CTCSP0000, name: State Police }', 'connectors:', '  - id: sp-rms', '    kind: directory', '    agency: CTCSP0000', '    mapping: rms-niem6-xml', `    options: { path: ${JSON.stringify(tmp)} }`, ''].join('\n'),
    );
    const err = await loadHubConfig(file).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigProblems);
    expect((err as ConfigProblems).problems).toMatchObject([
      { code: 'HUB_ERR_MAPPING_RETIRED', line: 8, col: 14, pointer: '/connectors/0/mapping', message: expect.stringContaining('Use "ndex-2.1-lexs" instead') },
    ]);
    const r = spawnSync(process.execPath, [path.join(PROJECT_ROOT, 'bin/cgic.js'), 'map', '-m', 'rms-niem2-xml', path.join(PROJECT_ROOT, 'fixtures/ndex/incident-arrest.xml')], { encoding: 'utf8', cwd: PROJECT_ROOT });
    expect(r.status).toBe(78);
    expect(r.stderr).toContain('HUB_ERR_MAPPING_RETIRED Mapping "rms-niem2-xml" is retired');
    expect(r.stderr).toContain('docs/migrations.md');
  });
});
