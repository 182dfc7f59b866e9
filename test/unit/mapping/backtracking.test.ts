/**
 * A value made to backtrack a mapping's own pattern does not hold the worker (src/runtime/regexp-guard.ts).
 *
 * Each pattern below tries every way of splitting a run of 40 characters that ends in one it cannot
 * match: about 2^40 steps, days, without the guard. With it, the match goes on in linear time after
 * 50,000 backtracks and gives the answer the pattern means.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ignoringCaseMatters, linearTime } from '../../../src/runtime/regexp-guard.ts';
import type { MappingSpec } from '../../../src/mapping/spec.ts';
import { cgic } from '../../support/cli.ts';
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
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cgic-backtrack-'));
    try {
      writeFileSync(path.join(dir, 'mapping.yaml'), JSON.stringify(spec));
      writeFileSync(path.join(dir, 'in.csv'), `ORI,CASE,TOWN,STREET\r\nCT0006400,${'1'.repeat(40)}x,${RUN}!,${RUN}\r\nCT0006400,12345,Hartford,aab Main\r\n`);
      const r = await cgic(['map', '-m', path.join(dir, 'mapping.yaml'), path.join(dir, 'in.csv')], {}, 30_000);
      expect(r.stderr).toMatch(/rows mapped +2\n/);
      expect(r.code).toBe(0);
      const cases = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { key: string; location?: unknown }).map((c) => ({ key: c.key, location: c.location }));
      expect(cases).toEqual([
        // No match: the town is left empty and nothing is replaced in the street; "1...1x" is not all digits, so the second record is not made.
        { key: `CT0006400|${'1'.repeat(40)}x`, location: { address: RUN } },
        { key: 'CT0006400|12345', location: { town: 'Hartford', address: 'x Main' } },
        { key: 'CT0006400|N-12345', location: undefined },
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
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

  it('every regexExtract and regexReplace pattern of the shipped mappings is covered but one lookahead (nibrs-flat, ^0+(?=\\d), linear as written)', () => {
    const patterns: string[] = [];
    const walk = (v: unknown): void => {
      if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === 'object') {
        for (const [k, x] of Object.entries(v)) {
          if ((k === 'regexExtract' || k === 'regexReplace') && x && typeof x === 'object') patterns.push((x as { pattern: string }).pattern);
          walk(x);
        }
      }
    };
    const files = readdirSync(path.join(PROJECT_ROOT, 'mappings')).map((d) => path.join(PROJECT_ROOT, 'mappings', d, 'mapping.yaml')).filter(existsSync);
    for (const f of files) walk(parse(readFileSync(f, 'utf8')));
    expect(patterns.length).toBeGreaterThan(10);
    expect([...new Set(patterns.filter((p) => !linearTime(p)))]).toEqual(['^0+(?=\\d)']);
  });
});

describe('ignoringCaseMatters: where flag i changes nothing', () => {
  it.each([
    ['^(\\d+)+$', false],
    ['^\\d+(\\.\\d+)*$', false],
    ['^[0-9]+$', true], // a range: conservative
    ['^\\d{4}\\/\\d\\d$', false],
    ['^NONE$', true],
    ['^x$', true],
    ['^é$', true],
    ['^\\x41$', true], // "A"
    ['^(\\d)\\1$', true], // a back-reference compares text
    ['^(?<n>\\d)$', true], // a group name has letters: conservative
    ['^\\\\d$', true], // a backslash, then the letter d
  ])('%s: %s', (pattern, matters) => {
    expect(ignoringCaseMatters(pattern)).toBe(matters);
  });

  it('where it says false, the pattern matches the same with and without i on every character of the first 64K', () => {
    for (const pattern of ['^\\d+(\\.\\d+)*$', '^[\\s\\W]*$', '^\\w$']) {
      expect(ignoringCaseMatters(pattern)).toBe(false);
      const plain = new RegExp(pattern);
      const ic = new RegExp(pattern, 'i');
      for (let c = 0; c < 0x10000; c++) {
        const s = String.fromCharCode(c);
        for (const v of [s, s.toUpperCase(), `1${s}`]) if (plain.test(v) !== ic.test(v)) throw new Error(`${pattern} on U+${c.toString(16)}`);
      }
    }
  });
});
