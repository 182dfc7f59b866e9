/**
 * Configuration and mapping files nesting deeper than any real one are refused before the YAML parser
 * recurses through them (a 100,000-level file aborted the process); every file the project ships passes.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAX_YAML_DEPTH, yamlTooDeep } from '../../../src/config/yaml-depth.ts';
import { PROJECT_ROOT } from '../../../src/mapping/load.ts';

const N = 100_000;
const HOSTILE: Record<string, string> = {
  'flow sequences': `hub: ${'['.repeat(N)}${']'.repeat(N)}\n`,
  'flow maps': `hub: ${'{a: '.repeat(N)}1${'}'.repeat(N)}\n`,
  'block sequences on one line': `hub:\n  ${'- '.repeat(N)}x\n`,
  'one more space of indentation per line': `hub:\n${Array.from({ length: 3000 }, (_, i) => `${' '.repeat(i + 1)}k${i}:`).join('\n')} 1\n`,
};

describe('YAML nesting depth', () => {
  it('every YAML file the project ships nests well under the limit', () => {
    const files = execFileSync('git', ['ls-files', '*.yaml', '*.yml'], { cwd: PROJECT_ROOT, encoding: 'utf8' }).split('\n').filter(Boolean);
    expect(files.length).toBeGreaterThan(50);
    for (const f of files) expect(yamlTooDeep(readFileSync(path.join(PROJECT_ROOT, f), 'utf8'), 20), f).toBeNull();
  });

  it('counts block levels, dashes and flow collections, not brackets inside quotes, comments or block scalars', () => {
    expect(yamlTooDeep('a:\n  b:\n    c: 1\n', 2)).toEqual({ depth: 3, line: 3, col: 5 });
    expect(yamlTooDeep('a:\n  b:\n    c: 1\n', 3)).toBeNull();
    expect(yamlTooDeep('a: [[[1]]]\n', 3)).toEqual({ depth: 4, line: 1, col: 6 });
    expect(yamlTooDeep('a: - - - x\n', 3)).toBeNull(); // a plain scalar, not a sequence
    expect(yamlTooDeep('- - - x\n', 3)).toEqual({ depth: 4, line: 1, col: 5 });
    const quiet = ['a: "[[[[[[["', "b: '{{{{{{{'", 'c: x # [[[[[[[', 'd: ^[A-Z]{3}[[[[[$', 'e: |', '  [[[[[[[[', '  - - - - - -', 'f: 1'].join('\n');
    expect(yamlTooDeep(quiet, 3)).toBeNull();
  });

  for (const [shape, text] of Object.entries(HOSTILE)) {
    it(`refuses ${shape} with the place they pass ${MAX_YAML_DEPTH} levels, without parsing them`, () => {
      const t = performance.now();
      const found = yamlTooDeep(text);
      expect(found).not.toBeNull();
      expect(found!.depth).toBe(MAX_YAML_DEPTH + 1);
      expect(performance.now() - t).toBeLessThan(2000);
    });
  }

  it('cgic validate reports such a file as a located problem (exit 78) instead of aborting, as a mapping and as a configuration', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cgic-deep-'));
    try {
      const config = path.join(dir, 'deep.yaml');
      writeFileSync(config, HOSTILE['flow sequences']!);
      const mapping = path.join(dir, 'mapping.yaml');
      writeFileSync(mapping, `source: ${'{a: '.repeat(N)}1${'}'.repeat(N)}\n`);
      // Too deep to be parsed, a file cannot be told a configuration by its keys: as a path it is checked as a mapping.
      const runs = [
        [['-c', config], 'HUB_ERR_CONFIG_YAML'],
        [[config], 'HUB_ERR_MAPPING_YAML'],
        [[mapping], 'HUB_ERR_MAPPING_YAML'],
      ] as const;
      for (const [args, code] of runs) {
        const r = spawnSync(process.execPath, [path.join(PROJECT_ROOT, 'bin/cgic.js'), 'validate', ...args], { encoding: 'utf8', timeout: 60_000 });
        expect(r.status, r.stderr.slice(0, 500)).toBe(78);
        expect(r.stderr).toContain(`${code} nests more than ${MAX_YAML_DEPTH} levels deep`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
