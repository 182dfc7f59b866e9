/**
 * Golden tests of mappings (`runGoldenTests`) on mapping folders written to a temporary directory:
 * inline expectations, sidecar expectations written by --update, the first-difference messages, and
 * case files that cannot be read (nesting 100,000 levels, an alias bomb): located problems, exit 78.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { recordId } from '../../../src/canonical/keys.ts';
import { firstDifference, GOLDEN_RECEIVED_AT, runGoldenTests } from '../../../src/mapping/golden.ts';
import { PROJECT_ROOT } from '../../../src/mapping/load.ts';
import { problemsOf } from '../../support/config-problems.ts';

const MAPPING = `id: golden-fixture
version: 4
direction: inbound
source: { format: csv }
records:
  - type: EvidenceItem
    fields:
      labCaseNumber: { from: LAB, ops: [trim, upper], required: true }
      itemNumber: { from: ITEM, required: true }
`;

const OUTBOUND = `id: golden-out
version: 1
direction: outbound
output:
  format: csv
  forEach: events
  fields:
    Lead: $/leadId
    Case: { from: caseNumber, required: true }
`;

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A mapping folder with its tests/ cases; returns the folder. */
function mappingFolder(mapping: string, cases: Record<string, string>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cgic-golden-'));
  dirs.push(dir);
  mkdirSync(path.join(dir, 'tests'));
  writeFileSync(path.join(dir, 'mapping.yaml'), mapping);
  for (const [name, text] of Object.entries(cases)) writeFileSync(path.join(dir, 'tests', `${name}.test.yaml`), text);
  return dir;
}

const INLINE_OK = `description: a good row and a row without its lab case number
input: { text: "LAB,ITEM\\n l1 ,1\\n,2\\n" }
expect:
  records:
    - type: EvidenceItem
      id: 4b7f2b8a-0000-0000-0000-000000000000
      key: L1|1
      classification: cji
      version: 1
      sourceRefs:
        - { system: golden-fixture, mapping: golden-fixture@4, file: input, pointer: { file: input, row: 1, line: 2 }, receivedAt: "${GOLDEN_RECEIVED_AT}" }
      labCaseNumber: L1
      itemNumber: "1"
  invalid: [{ row: 2, codes: [HUB_ERR_RECORD_REQUIRED] }]
  summary: { rowsRead: 2, rowsMapped: 1, rowsInvalid: 1 }
`;

/** The inline case above with the record's id, derived from its type and key as the hub does. */
function inlineCase(): string {
  return INLINE_OK.replace('4b7f2b8a-0000-0000-0000-000000000000', recordId('EvidenceItem', 'L1|1'));
}

describe('inline expectations', () => {
  it('pass when the records, invalid rows and summary figures are as expected', async () => {
    const dir = mappingFolder(MAPPING, { good: inlineCase() });
    const results = await runGoldenTests(dir);
    expect(results.map((r) => [r.mapping, r.case, r.passed, r.failures])).toEqual([['golden-fixture@4', 'good', true, []]]);
  });

  it('fail on a wrong expected record, naming the path of the difference', async () => {
    const dir = mappingFolder(MAPPING, { wrong: inlineCase().replace('itemNumber: "1"', 'itemNumber: "01"') });
    const [r] = await runGoldenTests(dir);
    expect(r!.passed).toBe(false);
    expect(r!.failures).toEqual(['records/0/itemNumber: expected "01", got "1"']);
  });

  it('fail on wrong invalid rows and summary figures, one message each', async () => {
    const text = inlineCase().replace('codes: [HUB_ERR_RECORD_REQUIRED]', 'codes: [HUB_ERR_RECORD_DATE]').replace('rowsMapped: 1', 'rowsMapped: 2');
    const [r] = await runGoldenTests(mappingFolder(MAPPING, { wrong: text }));
    expect(r!.failures).toHaveLength(2);
    expect(r!.failures[0]).toBe('invalid/0/codes/0: expected "HUB_ERR_RECORD_DATE", got "HUB_ERR_RECORD_REQUIRED"');
    expect(r!.failures[1]).toMatch(/^summary\/rowsMapped\/?: expected 2, got 1$/);
  });

  it('read input from a file beside the case and name it in the provenance', async () => {
    const dir = mappingFolder(MAPPING, { fromfile: 'input: { file: export.csv }\nexpect:\n  summary: { rowsRead: 1, recordsOut: 1 }\n' });
    writeFileSync(path.join(dir, 'tests', 'export.csv'), 'LAB,ITEM\nL9,3\n');
    const [r] = await runGoldenTests(dir);
    expect(r!.failures).toEqual([]);
    const noExpect = mappingFolder(MAPPING, { side: 'input: { file: export.csv }\n' });
    writeFileSync(path.join(noExpect, 'tests', 'export.csv'), 'LAB,ITEM\nL9,3\n');
    await runGoldenTests(noExpect, { update: true });
    const side = JSON.parse(readFileSync(path.join(noExpect, 'tests', 'side.expected.json'), 'utf8')) as { records: { sourceRefs: { file: string }[] }[] };
    expect(side.records[0]!.sourceRefs[0]!.file).toBe('export.csv');
  });

  it('check outbound output text and error codes', async () => {
    const dir = mappingFolder(OUTBOUND, {
      ok: 'input: { document: { leadId: L1, events: [{ caseNumber: C1 }, { caseNumber: C2 }] } }\nexpect:\n  output: "Lead,Case\\r\\nL1,C1\\r\\nL1,C2\\r\\n"\n  errors: []\n',
      missing: 'input: { document: { leadId: L1, events: [{}] } }\nexpect:\n  output: ""\n  errors: [HUB_ERR_RECORD_REQUIRED]\n',
      wrongline: 'input: { document: { leadId: L1, events: [{ caseNumber: C1 }] } }\nexpect:\n  output: "Lead,Case\\r\\nL1,C9\\r\\n"\n',
    });
    const results = await runGoldenTests(dir);
    expect(results.map((r) => [r.case, r.passed, r.failures])).toEqual([
      ['missing', true, []],
      ['ok', true, []],
      ['wrongline', false, ['output line 2: expected "L1,C9\\r", got "L1,C1\\r"']],
    ]);
  });

  it('report a case whose mapping run throws as a failure, not a crash', async () => {
    const dir = mappingFolder(MAPPING, { nohead: 'input: { text: "OTHER\\nx\\n" }\nexpect: { records: [] }\n' });
    const [r] = await runGoldenTests(dir);
    expect(r!.passed).toBe(false);
    expect(r!.failures[0]).toContain('no column named "LAB"');
  });
});

describe('sidecar expectations', () => {
  const CASE = 'description: expectation in the sidecar\ninput: { text: "LAB,ITEM\\nl1,1\\nl1,\\n" }\n';

  it('without a sidecar, fail telling to run --update', async () => {
    const dir = mappingFolder(MAPPING, { side: CASE });
    const [r] = await runGoldenTests(dir);
    expect(r!.passed).toBe(false);
    expect(r!.failures[0]).toMatch(/^no expectation: add expect: to the case or run `cgic test --update .*side\.test\.yaml` and review side\.expected\.json$/);
  });

  it('--update writes <name>.expected.json, which then passes; editing it makes the case fail', async () => {
    const dir = mappingFolder(MAPPING, { side: CASE });
    const sidecar = path.join(dir, 'tests', 'side.expected.json');
    const [u] = await runGoldenTests(dir, { update: true });
    expect([u!.passed, u!.updated]).toEqual([true, true]);
    expect(existsSync(sidecar)).toBe(true);
    const written = JSON.parse(readFileSync(sidecar, 'utf8')) as { records: { key: string }[]; invalid: unknown[]; summary: { rowsRead: number } };
    expect(written.records.map((x) => x.key)).toEqual(['L1|1']);
    expect(written.invalid).toEqual([{ row: 2, codes: ['HUB_ERR_RECORD_REQUIRED'] }]);
    expect(written.summary.rowsRead).toBe(2);

    const [again] = await runGoldenTests(dir);
    expect([again!.passed, again!.updated, again!.failures]).toEqual([true, undefined, []]);

    writeFileSync(sidecar, readFileSync(sidecar, 'utf8').replace('"key": "L1|1"', '"key": "L1|2"'));
    const [edited] = await runGoldenTests(dir);
    expect(edited!.passed).toBe(false);
    expect(edited!.failures).toEqual(['records/0/key: expected "L1|2", got "L1|1"']);
  });

  it('runs only the case named when given a .test.yaml file', async () => {
    const dir = mappingFolder(MAPPING, { a: CASE, b: CASE });
    const results = await runGoldenTests(path.join(dir, 'tests', 'b.test.yaml'), { update: true });
    expect(results.map((r) => r.case)).toEqual(['b']);
    expect(existsSync(path.join(dir, 'tests', 'a.expected.json'))).toBe(false);
    expect(existsSync(path.join(dir, 'tests', 'b.expected.json'))).toBe(true);
  });
});

describe('case files that cannot be read', () => {
  const DEEP = `description: nests 100,000 levels\ninput: { text: "LAB,ITEM\\nL1,1\\n" }\nexpect: { extra: ${'['.repeat(100_000)}${']'.repeat(100_000)} }\n`;
  // Nine levels of nine aliases: 9^9 (387 million) values once converted.
  const BOMB = `description: an alias bomb\n${['a0: &a0 x', ...Array.from({ length: 9 }, (_, i) => `a${i + 1}: &a${i + 1} [${Array(9).fill(`*a${i}`).join(',')}]`)].join('\n')}\ninput: { text: "LAB,ITEM\\nL1,1\\n" }\n`;


  it('a case nesting 100,000 levels is HUB_ERR_MAPPING_YAML at its file and line, not a stack overflow', async () => {
    const dir = mappingFolder(MAPPING, { deep: DEEP });
    const problems = await problemsOf(runGoldenTests(dir));
    expect(problems.map((p) => [p.code, path.basename(p.file), p.line, p.message])).toEqual([['HUB_ERR_MAPPING_YAML', 'deep.test.yaml', 3, 'nests more than 100 levels deep; the file is not read further']]);
  });

  it('a case saved in Windows-1252 is HUB_ERR_MAPPING_YAML at its first byte that is not UTF-8, not a case whose input silently differs', async () => {
    const dir = mappingFolder(MAPPING, {});
    writeFileSync(path.join(dir, 'tests', 'cp1252.test.yaml'), Buffer.from('description: Münster lab row\ninput: { text: "LAB,ITEM\\nl1,1\\n" }\n', 'latin1'));
    const problems = await problemsOf(runGoldenTests(dir));
    expect(problems.map((p) => [p.code, path.basename(p.file), p.line, p.col, p.message])).toEqual([
      ['HUB_ERR_MAPPING_YAML', 'cp1252.test.yaml', 1, 15, 'is not UTF-8 text: byte 0xFC here is not valid UTF-8 (in Windows-1252, "ü"); the file is not read further'],
    ]);
  });

  it('a case with a nine-level alias bomb is HUB_ERR_MAPPING_YAML at the alias that passes the count', async () => {
    const dir = mappingFolder(MAPPING, { bomb: BOMB });
    const problems = await problemsOf(runGoldenTests(dir));
    expect(problems.map((p) => [p.code, path.basename(p.file), p.line, p.col, p.message])).toEqual([
      ['HUB_ERR_MAPPING_YAML', 'bomb.test.yaml', 5, 10, 'the alias *a2 repeats anchored values more than 100 times; the file is not read further'],
    ]);
  });

  it('every unreadable case of the run is listed before any case runs', async () => {
    // Without expect: run with --update, it would write its sidecar.
    const dir = mappingFolder(MAPPING, { a: 'description: sidecar\ninput: { text: "LAB,ITEM\\nl1,1\\n" }\n', bomb: BOMB, deep: DEEP, z: 'description: a YAML error\ninput: { text: x }\ninput: { text: y }\n' });
    const problems = await problemsOf(runGoldenTests(dir, { update: true }));
    expect(problems.map((p) => `${path.basename(p.file)}:${p.line}`)).toEqual(['bomb.test.yaml:5', 'deep.test.yaml:3', 'z.test.yaml:3']);
    expect(existsSync(path.join(dir, 'tests', 'a.expected.json'))).toBe(false);
  });

  it('a case that is not a mapping with an input is HUB_ERR_MAPPING_SCHEMA, not a JavaScript error', async () => {
    const dir = mappingFolder(MAPPING, { empty: '', list: '- a\n- b\n', noinput: 'description: no input\n', scalar: 'input: x\n' });
    const problems = await problemsOf(runGoldenTests(dir));
    expect(problems.map((p) => [path.basename(p.file), p.code, p.pointer, p.message])).toEqual([
      ['empty.test.yaml', 'HUB_ERR_MAPPING_SCHEMA', '', 'must be a mapping of keys to values (description, input, expect...), not empty'],
      ['list.test.yaml', 'HUB_ERR_MAPPING_SCHEMA', '', 'must be a mapping of keys to values (description, input, expect...), not a list'],
      ['noinput.test.yaml', 'HUB_ERR_MAPPING_SCHEMA', '/', 'is missing the required key "input"'],
      ['scalar.test.yaml', 'HUB_ERR_MAPPING_SCHEMA', '/input', 'must be object, not string "x"'],
    ]);
  });

  it('a misspelt key is a located problem, not a case that passes whatever the mapping makes', async () => {
    // `recrods:` was ignored: the case compared nothing and passed.
    const dir = mappingFolder(MAPPING, {
      typo: 'description: misspelt\ninput: { text: "LAB,ITEM\\nl1,1\\n" }\nexpect:\n  recrods: []\n  invalid: [{ row: 1 }]\n',
      top: 'description: misspelt\ninput: { text: x }\ntimzone: America/New_York\n',
      two: 'description: two inputs\ninput: { text: x, file: y.csv }\n',
    });
    const problems = await problemsOf(runGoldenTests(dir));
    expect(problems.map((p) => [path.basename(p.file), p.line, p.code, p.pointer, p.message])).toEqual([
      ['top.test.yaml', 3, 'HUB_ERR_MAPPING_SCHEMA', '/', 'has an unknown key "timzone"'],
      ['two.test.yaml', 2, 'HUB_ERR_MAPPING_SCHEMA', '/input', 'has text and file: a case reads one input'],
      ['typo.test.yaml', 4, 'HUB_ERR_MAPPING_SCHEMA', '/expect', 'has an unknown key "recrods"'],
      ['typo.test.yaml', 5, 'HUB_ERR_MAPPING_SCHEMA', '/expect/invalid/0', 'is missing the required key "codes"'],
    ]);
    expect(problems.find((p) => p.message.includes('recrods'))!.hint).toContain('did you mean "records"?');
  });

  it('a sidecar with a misspelt key fails its case instead of comparing nothing', async () => {
    const dir = mappingFolder(MAPPING, { a: 'description: sidecar\ninput: { text: "LAB,ITEM\\nl1,1\\n" }\n' });
    writeFileSync(path.join(dir, 'tests', 'a.expected.json'), JSON.stringify({ recrods: [] }));
    const [r] = await runGoldenTests(dir);
    expect(r).toMatchObject({ passed: false, failures: ['a.expected.json: unknown key "recrods"; an expectation has records, invalid, retractions, summary, output, errors'] });
  });

  it('cgic test of a path that is not there exits 78 naming it, not "no golden cases"', () => {
    const r = spawnSync(process.execPath, [path.join(PROJECT_ROOT, 'bin/cgic.js'), 'test', 'mappings/no-such-mapping'], { encoding: 'utf8', cwd: PROJECT_ROOT });
    expect(r.status).toBe(78);
    expect(r.stderr).toContain('HUB_ERR_FILE_NOT_FOUND No such file: mappings/no-such-mapping');
  });

  it('cgic test prints each at file:line:col and exits 78', () => {
    const dir = mappingFolder(MAPPING, { bomb: BOMB, deep: DEEP });
    const r = spawnSync(process.execPath, [path.join(PROJECT_ROOT, 'bin/cgic.js'), 'test', dir], { encoding: 'utf8', cwd: PROJECT_ROOT });
    expect(r.status, r.stderr.slice(0, 500)).toBe(78);
    const rel = path.relative(PROJECT_ROOT, path.join(dir, 'tests'));
    expect(r.stderr).toContain(`${rel}/bomb.test.yaml:5:10: HUB_ERR_MAPPING_YAML the alias *a2 repeats anchored values more than 100 times`);
    expect(r.stderr).toContain(`${rel}/deep.test.yaml:3:`);
    expect(r.stderr).not.toContain('HUB_ERR_SYSTEM_INTERNAL');
    expect(r.stderr).not.toContain('RangeError');
  });
});

describe('firstDifference', () => {
  it('is null for deeply equal values', () => {
    expect(firstDifference({ a: [1, { b: 'x' }] }, { a: [1, { b: 'x' }] })).toBeNull();
  });

  it('names the path of the first differing value', () => {
    expect(firstDifference({ a: { b: [1, 2, 3] } }, { a: { b: [1, 5, 4] } })).toBe('/a/b/1: expected 2, got 5');
    expect(firstDifference('x', 'y')).toBe('/: expected "x", got "y"');
  });

  it('reports missing and unexpected keys', () => {
    expect(firstDifference({ a: 1, b: 2 }, { a: 1 })).toBe('/b: missing (expected 2)');
    expect(firstDifference({ a: 1 }, { a: 1, c: [true] })).toBe('/c: unexpected [true]');
  });

  it('reports missing and extra list elements', () => {
    expect(firstDifference([1, 2], [1])).toBe('/1: missing element 2');
    expect(firstDifference([1], [1, { k: 'v' }])).toBe('/1: unexpected extra element {"k":"v"}');
  });

  it('reports a change of shape at the value', () => {
    expect(firstDifference({ a: [1] }, { a: { 0: 1 } })).toBe('/a: expected [1], got {"0":1}');
    expect(firstDifference({ a: 1 }, { a: undefined })).toBe('/a: expected 1, got nothing');
  });

  it('shortens long values', () => {
    const d = firstDifference('a'.repeat(300), 'b')!;
    expect(d.length).toBeLessThan(200);
    expect(d).toContain('...');
  });
});
