/**
 * A file with a great many problems (150,000 unknown keys, pasted or generated) is checked in time
 * linear in its size and listed in a bounded number of lines: each file's first 100 problems, then one
 * more problem that counts the rest; `cgic validate` still counts them all and exits 78.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { isMap, type Pair } from 'yaml';
import { capProblems, ConfigProblems, MAX_PROBLEMS_PER_FILE, problemCount, YamlSource, type ConfigProblem } from '../../../src/config/problems.ts';
import { loadMappingText, PROJECT_ROOT } from '../../../src/mapping/load.ts';
import { problemsOf } from '../../support/config-problems.ts';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'cgic-many-problems-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

const MAPPING = 'id: m\nversion: 1\ndirection: inbound\nsource: { format: csv }\nrecords:\n  - type: Firearm\n    fields:\n      model: MODEL\n';
const unknownKeys = (n: number): string => MAPPING + Array.from({ length: n }, (_, i) => `zz${i}: 1`).join('\n') + '\n';


describe('a mapping with more problems than are listed', () => {
  it('lists its first 100 problems, in line order, then one more problem that counts the rest', async () => {
    const problems = await problemsOf(loadMappingText('m.yaml', unknownKeys(150)));
    expect(MAX_PROBLEMS_PER_FILE).toBe(100);
    expect(problems).toHaveLength(101);
    expect(problems.slice(0, 100).map((p) => [p.line, p.message])).toEqual(Array.from({ length: 100 }, (_, i) => [9 + i, `has an unknown key "zz${i}"`]));
    // At the first problem not listed.
    expect(problems[100]).toMatchObject({ code: 'HUB_ERR_MAPPING_SCHEMA', file: 'm.yaml', line: 109, col: 1, message: '50 more problems in this file, not listed', omitted: 50 });
    expect(problemCount(problems)).toBe(150);
  });

  it('a list of 100 is not cut', async () => {
    const problems = await problemsOf(loadMappingText('m.yaml', unknownKeys(100)));
    expect(problems).toHaveLength(100);
    expect(problems.some((p) => p.omitted !== undefined)).toBe(false);
  });

  it('a list cut once is the same cut again (the API passes it on to cgic)', async () => {
    const problems = await problemsOf(loadMappingText('m.yaml', unknownKeys(250)));
    expect(new ConfigProblems(problems).problems).toEqual(problems);
    expect(new ConfigProblems([...problems, { ...problems[0]!, message: 'another' }]).problems.at(-1)).toMatchObject({ message: '151 more problems in this file, not listed', omitted: 151 });
  });

  it('is cut file by file: the other files of the list keep all their problems, in place', () => {
    const p = (file: string, line: number): ConfigProblem => ({ code: 'HUB_ERR_CONFIG_INVALID', file, line, col: 1, pointer: '', message: `at ${line}` });
    const list = [...Array.from({ length: 3 }, (_, i) => p('cgic.yaml', i + 1)), ...Array.from({ length: 120 }, (_, i) => p('m.yaml', i + 1)), p('n.yaml', 1)];
    const cut = capProblems(list);
    expect(cut.map((q) => `${q.file}:${q.line}`)).toEqual(['cgic.yaml:1', 'cgic.yaml:2', 'cgic.yaml:3', ...Array.from({ length: 100 }, (_, i) => `m.yaml:${i + 1}`), 'm.yaml:101', 'n.yaml:1']);
    expect(cut[103]).toMatchObject({ message: '20 more problems in this file, not listed', omitted: 20 });
    expect(problemCount(cut)).toBe(124);
  });
});

describe('the cost of locating many problems', () => {
  it('locating every key of a mapping goes through its pairs once, not once a key', () => {
    const n = 3000;
    const src = new YamlSource('m.yaml', Array.from({ length: n }, (_, i) => `k${i}: ${i}`).join('\n') + '\n');
    const map = src.doc.contents;
    if (!isMap(map)) throw new Error('expected a mapping');
    let reads = 0;
    map.items = new Proxy(map.items, {
      get(target, prop, receiver) {
        if (typeof prop === 'string' && /^\d+$/.test(prop)) reads++;
        return Reflect.get(target, prop, receiver) as Pair;
      },
    });
    for (let i = 0; i < n; i++) expect(src.locate([`k${i}`], true)).toEqual({ line: i + 1, col: 1 });
    expect(src.locate(['absent'])).toEqual({ line: 1, col: 1 });
    // Going through the pairs for each key read them n * n / 2 times (4.5 million here).
    expect(reads).toBeLessThanOrEqual(2 * n);
  });

  it('the file is converted to values once for all its schema errors, not once an error', async () => {
    const toJS = vi.spyOn(YamlSource.prototype, 'toJS');
    // Each value a number where the schema wants a text or a field specification: a type error each.
    const problems = await problemsOf(loadMappingText('m.yaml', MAPPING + Array.from({ length: 500 }, (_, i) => `      model${i}: ${i}`).join('\n') + '\n'));
    expect(problemCount(problems)).toBe(1000); // each also an unknown canonical field
    expect(problems.filter((p) => p.message.startsWith('must be string or object, not number'))).not.toHaveLength(0);
    // Once by the loader, once for the schema's messages.
    expect(toJS.mock.calls.length).toBeLessThanOrEqual(2);
  });
});

describe('cgic validate on a mapping with 2,000 unknown keys', () => {
  it('prints 100 problems and a line counting the other 1,900, counts all 2,000, and exits 78', () => {
    const file = path.join(tmp, 'unknown-keys.yaml');
    writeFileSync(file, unknownKeys(2000));
    const r = spawnSync(process.execPath, [path.join(PROJECT_ROOT, 'bin/cgic.js'), 'validate', file], { encoding: 'utf8', cwd: PROJECT_ROOT });
    expect(r.status, r.stderr.slice(0, 500)).toBe(78);
    const rel = path.relative(PROJECT_ROOT, file);
    const lines = r.stderr.trimEnd().split('\n');
    const problems = lines.filter((l) => l.startsWith(`${rel}:`));
    expect(problems).toHaveLength(101);
    expect(problems[100]).toBe(`${rel}:109:1: HUB_ERR_MAPPING_SCHEMA 1900 more problems in this file, not listed`);
    expect(lines.at(-1)).toBe('0 valid, 1 invalid (2000 problems)');
  });
});
