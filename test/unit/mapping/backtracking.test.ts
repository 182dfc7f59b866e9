/**
 * A value made to backtrack a mapping's own pattern does not hold the worker (src/runtime/regexp-guard.ts).
 *
 * Each pattern below tries every way of splitting a run of 40 characters that ends in one it cannot
 * match: about 2^39 steps, some 12 hours, without the guard. With it, the match goes on in linear time
 * after 50,000 backtracks and gives the answer the pattern means.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { ignoringCaseMatters, linearTime } from '../../../src/runtime/regexp-guard.ts';
import { authorPatterns, unguardedRisk } from '../../../src/mapping/patterns.ts';
import type { MappingSpec } from '../../../src/mapping/spec.ts';
import { cgic, cgicMap } from '../../support/cli.ts';
import { PROJECT_ROOT } from '../../support/hub-harness.ts';

const RUN = 'a'.repeat(40);

const spec: MappingSpec = {
  id: 'backtracking',
  version: 1,
  direction: 'inbound',
  source: { format: 'csv' },
  records: [
    {
      type: 'Case',
      fields: {
        agencyOri: { from: 'ORI', required: true },
        agencyCaseNumber: { from: 'CASE', required: true },
        // Exponential in the length of a run of word characters that ends in "!".
        'location.town': { from: 'TOWN', ops: [{ regexExtract: { pattern: '^((\\w+\\s?)*)$', group: 1 } }] },
        'location.address': { from: 'STREET', ops: [{ regexReplace: { pattern: '(a+)+b', replacement: 'x' } }] },
      },
    },
    // `matches` ignores case by default; this pattern names no letter, so it runs without flag i, guarded.
    { type: 'Case', when: { field: 'CASE', matches: '^(\\d+)+$' }, fields: { agencyOri: 'ORI', agencyCaseNumber: { from: 'CASE', ops: [{ regexReplace: { pattern: '^', replacement: 'N-' } }] } } },
  ],
};

describe('patterns that backtrack: the value is matched in linear time', () => {
  // In a child process (`cgic map`, as an operator runs it): were the guard off, the match would hold
  // that process, not the test runner, and the run is stopped after 30 s, failing the test.
  it('regexExtract, regexReplace and matches on crafted values give their answers, and the row after them is mapped', async () => {
    const r = await cgicMap(spec, 'in.csv', `ORI,CASE,TOWN,STREET\r\nCT0006400,${'1'.repeat(40)}x,${RUN}!,${RUN}\r\nCT0006400,12345,Hartford,aab Main\r\n`);
    expect(r.stderr).toMatch(/rows mapped +2\n/);
    expect(r.code).toBe(0);
    const cases = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { key: string; location?: unknown }).map((c) => ({ key: c.key, location: c.location }));
    expect(cases).toEqual([
      // No match: the town is left empty and nothing is replaced in the street; "1...1x" is not all digits, so the second record is not made.
      { key: `CT0006400|${'1'.repeat(40)}x`, location: { address: RUN } },
      { key: 'CT0006400|12345', location: { town: 'Hartford', address: 'x Main' } },
      { key: 'CT0006400|N-12345', location: undefined },
    ]);
  });
});

describe('linearTime: which patterns the guard covers', () => {
  it('plain patterns, and flags m and s, fall back; back-references, lookaround and flags i and u do not (Node 20)', () => {
    expect(linearTime('^((\\w+\\s?)*)$')).toBe(true);
    expect(linearTime('^a.b$', 'ms')).toBe(true);
    expect(linearTime('(a)\\1')).toBe(false);
    expect(linearTime('^0+(?=\\d)')).toBe(false);
    expect(linearTime('(?<=a)b')).toBe(false);
    expect(linearTime('^[A-Z]+$', 'i')).toBe(false);
    expect(linearTime('^\\p{L}+$', 'u')).toBe(false);
  });

  it('every pattern of the shipped mappings (matches, regexExtract, regexReplace) is guarded; a fixed-width match is read with u', () => {
    const files = readdirSync(path.join(PROJECT_ROOT, 'mappings')).map((d) => path.join(PROJECT_ROOT, 'mappings', d, 'mapping.yaml')).filter(existsSync);
    const found = files.flatMap((f) => authorPatterns(parse(readFileSync(f, 'utf8'))));
    expect(found.length).toBeGreaterThan(30);
    const unguarded = found.filter((p) => !linearTime(p.source, p.flags)).map((p) => `${p.flags} ${p.source}`);
    expect([...new Set(unguarded)]).toEqual(['u ^(?:\\d{4}[0-7][IAMRDW])']);
    expect(found.filter((p) => unguardedRisk(p))).toEqual([]);
  });
});

describe('ignoringCaseMatters: where flag i changes nothing on upper-cased text', () => {
  it.each([
    ['^(\\d+)+$', false],
    ['^\\d+(\\.\\d+)*$', false],
    ['^[A-Z]{2}[A-Z0-9]{7}$', false],
    ['^(NONE|NO SERIAL|PMF - NO SERIAL)$', false],
    ['^\\d{4}[0-7][IAMRDW]$', false],
    ['^[0-9]+$', false],
    ['^É$', false],
    ['^x$', true], // lower case: "X" matches only with i
    ['^[!-~]$', true], // a range over both cases
    ['^[A-z]$', true],
    ['^\\x61$', true], // "a"
    ['^(\\d)\\1$', true], // a back-reference compares text
    ['^(?<n>\\d)$', true], // a group name: conservative
    ['^\\\\d$', true], // a backslash, then the letter d
  ])('%s: %s', (pattern, matters) => {
    expect(ignoringCaseMatters(pattern)).toBe(matters);
  });

  it('where it says false, the pattern matches upper-cased text the same with and without i, for every character of the BMP', () => {
    const patterns = ['^\\d+(\\.\\d+)*$', '^[\\s\\W]*$', '^\\w+$', '^[A-Z0-9]$', '^[^A-Z]$', '^(NONE|K|SS)$', '^É.?$', '^[ÉA-F]\\b'];
    for (const pattern of patterns) {
      expect(ignoringCaseMatters(pattern)).toBe(false);
      const plain = new RegExp(pattern);
      const ic = new RegExp(pattern, 'i');
      for (let c = 0; c < 0x10000; c++) {
        const s = String.fromCharCode(c);
        for (const v of [s, `${s}1`, `NON${s}`, `${s}S`].map((x) => x.toUpperCase())) {
          if (plain.test(v) !== ic.test(v)) throw new Error(`${pattern} on U+${c.toString(16)}`);
        }
      }
    }
  });
});

describe('cgic validate names the patterns a value can make take exponential time', () => {
  const risky: MappingSpec = {
    ...spec,
    records: [
      { type: 'Case', when: { field: 'TOWN', matches: '^([a-z]+\\s?)*$' }, fields: { agencyOri: 'ORI', agencyCaseNumber: 'CASE' } },
      { type: 'Case', when: { field: 'TOWN', matches: '^([a-z]+\\s?)*$', ignoreCase: false }, fields: { agencyOri: 'ORI', agencyCaseNumber: 'CASE' } },
      { type: 'Case', fields: { agencyOri: 'ORI', agencyCaseNumber: { from: 'CASE', ops: [{ regexExtract: { pattern: '^((?=\\d)\\d+)+$', group: 0 } }, { regexReplace: { pattern: '^0+(?=\\d)', replacement: '' } }] } } },
    ],
  };

  it('at risk: a matches that keeps i, a lookahead in a repeated group; not at risk: the same matches without i (guarded), a lookahead not repeated', () => {
    const risks = authorPatterns(risky).map((p) => [p.path.join('/'), unguardedRisk(p) ?? null]);
    expect(risks).toEqual([
      ['records/0/when/matches', 'flag i'],
      ['records/1/when/matches', null],
      ['records/2/fields/agencyCaseNumber/ops/0/regexExtract/pattern', 'a back-reference or a lookaround'],
      ['records/2/fields/agencyCaseNumber/ops/1/regexReplace/pattern', null],
    ]);
    expect(unguardedRisk({ source: '^(?:(\\d+)+)', flags: 'u' })).toBe('flag u');
  });

  it('as notes under the mapping, each at its line and column; the mapping stays valid', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cgic-backtrack-'));
    try {
      const file = path.join(dir, 'mapping.yaml');
      writeFileSync(file, stringify(risky));
      const r = await cgic(['validate', file], {}, 30_000);
      expect(r.code).toBe(0);
      const notes = r.stdout.split('\n').filter((l) => l.includes(' note '));
      expect(notes.map((n) => n.replace(/^.*mapping\.yaml:/, ''))).toEqual([
        expect.stringMatching(/^\d+:\d+: \/records\/0\/when\/matches: flag i keeps this pattern from the linear-time fallback, and it repeats a quantified group: /),
        expect.stringMatching(/^\d+:\d+: \/records\/2\/fields\/agencyCaseNumber\/ops\/0\/regexExtract\/pattern: a back-reference or a lookaround keeps/),
      ]);
      const [line] = notes[0]!.replace(/^.*mapping\.yaml:/, '').split(':').map(Number);
      expect(readFileSync(file, 'utf8').split('\n')[line! - 1]).toContain('matches:');
      expect(r.stdout).toContain('1 valid, 0 invalid');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
