/**
 * Configuration and mapping files nesting deeper than any real one are refused before the YAML parser
 * recurses through them (a 100,000-level file aborted the process), in whatever form the nesting comes
 * (anchors, tags, flow keys, text the parser's error recovery nests); every file the project ships
 * passes, and no level of any YAML the library writes is missed.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { MAX_YAML_DEPTH, MAX_YAML_ENTRIES, yamlTooLarge } from '../../../src/config/yaml-depth.ts';
import { PROJECT_ROOT } from '../../../src/mapping/load.ts';

const N = 100_000;
const HOSTILE: Record<string, string> = {
  'flow sequences': `hub: ${'['.repeat(N)}${']'.repeat(N)}\n`,
  'flow maps': `hub: ${'{a: '.repeat(N)}1${'}'.repeat(N)}\n`,
  'block sequences on one line': `hub:\n  ${'- '.repeat(N)}x\n`,
  'one more space of indentation per line': `hub:\n${Array.from({ length: 3000 }, (_, i) => `${' '.repeat(i + 1)}k${i}:`).join('\n')} 1\n`,
  'flow sequences after an anchor': `hub: &x ${'['.repeat(N)}${']'.repeat(N)}\n`,
  'flow maps after an anchor': `hub: &x ${'{a: '.repeat(N)}1${'}'.repeat(N)}\n`,
  'flow sequences after a tag': `hub: !!seq ${'['.repeat(N)}${']'.repeat(N)}\n`,
  'a flow sequence as a key': `${'['.repeat(N)}${']'.repeat(N)}: 1\n`,
  'a flow map as a key': `${'{a: '.repeat(N)}1${'}'.repeat(N)}: 1\n`,
  'block sequences with anchors': `hub:\n  ${'- &a '.repeat(N)}x\n`,
  'complex keys': `${'? '.repeat(N)}x\n`,
  'complex keys in a value (not YAML)': `hub: ${'? '.repeat(N)}x\n`,
  'a block sequence of flow maps': `hub:\n  - ${'{a: '.repeat(N)}1${'}'.repeat(N)}\n`,
  'flow sequences after ---': `--- ${'['.repeat(N)}${']'.repeat(N)}\n`,
  'keys on one line (not YAML)': `hub: ${'a: '.repeat(N)}1\n`,
  'keys over two lines (not YAML)': `hub: v\n${'  a: b\n'.repeat(N)}`,
};

describe('YAML nesting depth', () => {
  it('every YAML file the project ships nests well under the limit', () => {
    const files = execFileSync('git', ['ls-files', '*.yaml', '*.yml'], { cwd: PROJECT_ROOT, encoding: 'utf8' }).split('\n').filter(Boolean);
    expect(files.length).toBeGreaterThan(50);
    for (const f of files) expect(yamlTooLarge(readFileSync(path.join(PROJECT_ROOT, f), 'utf8'), 20), f).toBeNull();
  });

  it('counts block levels, dashes and flow collections, not brackets inside quotes, comments or block scalars', () => {
    expect(yamlTooLarge('a:\n  b:\n    c: 1\n', 2)).toEqual({ depth: 3, line: 3, col: 5 });
    expect(yamlTooLarge('a:\n  b:\n    c: 1\n', 3)).toBeNull();
    expect(yamlTooLarge('a: [[[1]]]\n', 3)).toEqual({ depth: 4, line: 1, col: 6 });
    expect(yamlTooLarge('a: - - - x\n', 3)).toBeNull(); // a plain scalar, not a sequence
    expect(yamlTooLarge('- - - x\n', 3)).toEqual({ depth: 4, line: 1, col: 5 });
    const quiet = ['a: "[[[[[[["', "b: '{{{{{{{'", 'c: x # [[[[[[[', 'd: ^[A-Z]{3}[[[[[$', 'e: |', '  [[[[[[[[', '  - - - - - -', 'f: 1'].join('\n');
    expect(yamlTooLarge(quiet, 3)).toBeNull();
    // Quoted text over several lines, quoted keys, comments in flow collections, anchors on scalars.
    const quieter = ['g: "a [[[[', '  [[[[[[ b"', "h: '{{{{", "  {{{{ ''{{'''", '"[[[[": 1', 'i: [a, # ]]]]', '  "]]]]", b]', 'j: &k "[[[["', 'k: *k'].join('\n');
    expect(yamlTooLarge(quieter, 3)).toBeNull();
    // Anchors, tags and flow keys hide no level.
    expect(yamlTooLarge('a: &x [[[1]]]\n', 3)).toMatchObject({ depth: 4, line: 1 });
    expect(yamlTooLarge('a: !!seq [[[1]]]\n', 3)).toMatchObject({ depth: 4, line: 1 });
    expect(yamlTooLarge('[[[[1]]]]: x\n', 3)).toMatchObject({ depth: 4, line: 1 });
    expect(yamlTooLarge('- &a - &b - &c x\n', 3)).toMatchObject({ depth: 4, line: 1 });
  });

  it('finds every level of any YAML the library writes (block, flow, quoted, folded, anchored)', () => {
    const depth = (v: unknown): number => (v !== null && typeof v === 'object' ? 1 + Math.max(0, ...Object.values(v as object).map(depth)) : 0);
    const text = fc.string({ unit: fc.constantFrom(...'ab []{}:#\'"-?\n|>&!*,%@`\\\t'), maxLength: 12 });
    const { value } = fc.letrec((tie) => ({
      value: fc.oneof({ depthSize: 'small' }, text, fc.integer(), fc.boolean(), fc.constant(null), tie('list'), tie('map')),
      list: fc.array(tie('value'), { maxLength: 4 }),
      map: fc.dictionary(text, tie('value'), { maxKeys: 4 }),
    }));
    const options = fc.record({
      collectionStyle: fc.constantFrom('any', 'block', 'flow'),
      defaultStringType: fc.constantFrom('PLAIN', 'QUOTE_SINGLE', 'QUOTE_DOUBLE', 'BLOCK_LITERAL', 'BLOCK_FOLDED'),
      indent: fc.integer({ min: 1, max: 4 }),
      indentSeq: fc.boolean(),
      lineWidth: fc.constantFrom(0, 8, 20, 80),
      minContentWidth: fc.constant(0),
    });
    fc.assert(
      fc.property(value, options, (v, o) => {
        // Values shared in two places are written once, with an anchor, and an alias.
        const shared = v !== null && typeof v === 'object' ? { first: v, again: v } : v;
        const yaml = stringify(shared, { ...o, aliasDuplicateObjects: true });
        const levels = depth(parse(yaml));
        if (levels > 0) expect(yamlTooLarge(yaml, levels - 1), yaml).not.toBeNull();
        expect(yamlTooLarge(yaml, 2 * levels + 2), yaml).toBeNull();
      }),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 300), seed: Number(process.env.FUZZ_SEED ?? 20260101) },
    );
  });

  for (const [shape, text] of Object.entries(HOSTILE)) {
    it(`refuses ${shape} with the place they pass ${MAX_YAML_DEPTH} levels, before composing them`, () => {
      const t = performance.now();
      const found = yamlTooLarge(text);
      expect(found).not.toBeNull();
      expect(found).toMatchObject({ depth: MAX_YAML_DEPTH + 1 });
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
      // Forms that once got past the count and overflowed the stack (an internal error, exit 1).
      const anchored = path.join(dir, 'anchored.yaml');
      writeFileSync(anchored, HOSTILE['flow maps after an anchor']!.replace('hub:', 'source:'));
      const flowKey = path.join(dir, 'flow-key.yaml');
      writeFileSync(flowKey, HOSTILE['a flow sequence as a key']!);
      const dashes = path.join(dir, 'dashes.yaml');
      writeFileSync(dashes, HOSTILE['block sequences with anchors']!.replace('hub:', 'records:'));
      // Too deep to be parsed, a file cannot be told a configuration by its keys: as a path it is checked as a mapping.
      const runs = [
        [['-c', config], 'HUB_ERR_CONFIG_YAML'],
        [[config], 'HUB_ERR_MAPPING_YAML'],
        [[mapping], 'HUB_ERR_MAPPING_YAML'],
        [[anchored], 'HUB_ERR_MAPPING_YAML'],
        [[flowKey], 'HUB_ERR_MAPPING_YAML'],
        [[dashes], 'HUB_ERR_MAPPING_YAML'],
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

  describe('entries in one mapping or list', () => {
    const M = 150_000;
    const WIDE: Record<string, { text: string; line: number }> = {
      // The entry past the limit: line numbers count the `fields:` line and the one before it.
      'keys of a mapping': { text: `records:\n  - fields:\n${Array.from({ length: M }, (_, i) => `      k${i}: v\n`).join('')}`, line: MAX_YAML_ENTRIES + 3 },
      'items of a block list': { text: `hub:\n${'  - x\n'.repeat(M)}`, line: MAX_YAML_ENTRIES + 2 },
      'items of a flow list': { text: `hub: [${'1, '.repeat(M)}1]\n`, line: 1 },
      'keys of a flow map': { text: `hub: {${Array.from({ length: M }, (_, i) => `k${i}: 1, `).join('')}}\n`, line: 1 },
    };
    for (const [shape, { text, line }] of Object.entries(WIDE)) {
      it(`refuses ${shape} past ${MAX_YAML_ENTRIES}, at the entry past it`, () => {
        expect(yamlTooLarge(text)).toMatchObject({ entries: MAX_YAML_ENTRIES + 1, line });
      });
    }

    it('a mapping or list at the limit is read', () => {
      expect(yamlTooLarge(`hub:\n${'  - x\n'.repeat(MAX_YAML_ENTRIES)}`)).toBeNull();
      expect(yamlTooLarge(`hub: {${Array.from({ length: MAX_YAML_ENTRIES }, (_, i) => `k${i}: 1`).join(', ')}}\n`)).toBeNull();
      expect(yamlTooLarge(`hub: [${Array.from({ length: MAX_YAML_ENTRIES }, () => '1').join(', ')}]\n`)).toBeNull();
    });

    it('cgic validate refuses a mapping of 150,000 keys at once with its line, exit 78', () => {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'cgic-wide-'));
      try {
        const mapping = path.join(dir, 'mapping.yaml');
        writeFileSync(mapping, WIDE['keys of a mapping']!.text);
        const r = spawnSync(process.execPath, [path.join(PROJECT_ROOT, 'bin/cgic.js'), 'validate', mapping], { encoding: 'utf8', timeout: 120_000 });
        expect(r.status, r.stderr.slice(0, 500)).toBe(78);
        expect(r.stderr).toContain(`mapping.yaml:${MAX_YAML_ENTRIES + 3}:1: HUB_ERR_MAPPING_YAML has a mapping or list of more than ${MAX_YAML_ENTRIES} entries`);
        expect(r.stderr.split('\n').filter((l) => l.includes('HUB_ERR_')).length).toBe(1);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});
