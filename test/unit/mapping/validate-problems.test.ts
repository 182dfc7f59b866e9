/**
 * `cgic validate` lists every problem of every mapping in one run, each at file:line:col with a hint:
 * field names the canonical schema lacks (with "did you mean"), compile problems of every field (not
 * only the first), YAML's own error on an unquoted cron schedule, and aliases the conversion to values
 * fails on (one expanding the file a billion times, one naming no anchor, one inside what it names).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { MAX_YAML_BYTES, YamlSource } from '../../../src/config/problems.ts';
import { loadMappingFile, loadMappingText, PROJECT_ROOT } from '../../../src/mapping/load.ts';
import { loadHubConfig } from '../../../src/config/hub-config.ts';
import { problemsOf } from '../../support/config-problems.ts';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'cgic-validate-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));


/** The shipped etrace-csv mapping's text with `from` replaced by `to`: a mapping with one mistake. */
const etraceWith = (from: string, to: string): string => readFileSync(path.join(PROJECT_ROOT, 'mappings/etrace-csv/mapping.yaml'), 'utf8').replace(from, to);
const cgic = (...args: string[]) => spawnSync(process.execPath, [path.join(PROJECT_ROOT, 'bin/cgic.js'), ...args], { encoding: 'utf8', cwd: PROJECT_ROOT });

describe('an encoding the hub cannot read', () => {
  it('is a problem at load, located at source.encoding (it used to pass validate and refuse every file)', async () => {
    for (const encoding of ['windows-1253x', 'base64']) {
      const text = `id: enc\nversion: 1\ndirection: inbound\nsource:\n  format: csv\n  encoding: ${encoding}\nrecords:\n  - type: Case\n    fields:\n      agencyOri: ORI\n`;
      const problems = await problemsOf(loadMappingText('enc.yaml', text));
      expect(problems.map((p) => [p.code, p.line, p.pointer])).toEqual([['HUB_ERR_MAPPING_INVALID', 6, '/source/encoding']]);
      expect(problems[0]!.message).toContain(`"${encoding}" is not a text encoding the hub can read`);
    }
    // A name it knows, in any spelling, is fine.
    await expect(loadMappingText('ok.yaml', 'id: ok\nversion: 1\ndirection: inbound\nsource:\n  format: csv\n  encoding: ISO-8859-1\nrecords:\n  - type: Case\n    fields:\n      agencyOri: ORI\n')).resolves.toBeDefined();
  });
});

describe('a misspelled canonical field and two compile errors', () => {
  it('are all three reported at once, each at its line and column with a hint', async () => {
    const problems = await problemsOf(loadMappingFile(path.join(FIXTURES, 'three-problems.yaml')));
    expect(problems.map((p) => [p.code, p.line, p.col, p.pointer])).toEqual([
      ['HUB_ERR_MAPPING_UNKNOWN_FIELD', 19, 7, '/records/0/fields/modle'],
      ['HUB_ERR_MAPPING_INVALID', 20, 19, '/records/0/fields/serial.raw/from'],
      ['HUB_ERR_MAPPING_INVALID', 22, 15, '/records/0/fields/caliber/from'],
    ]);
    expect(problems[0]!.message).toBe('Firearm has no field "modle"');
    expect(problems[0]!.hint).toMatch(/^did you mean "model"\? Firearm fields: serial, make, model, /);
    expect(problems[1]!.message).toContain('namespace prefix "x" is not declared');
    expect(problems[1]!.hint).toContain('declare it under namespaces');
    expect(problems[2]!.message).toContain('expected "]"');
    expect(problems[2]!.hint).toContain('Predicates');
  });

  it('cgic validate prints the three with file:line:col and a hint each, and exits 78', () => {
    const r = cgic('validate', 'test/unit/mapping/fixtures/three-problems.yaml');
    expect(r.status).toBe(78);
    const lines = r.stderr.trimEnd().split('\n');
    const file = 'test/unit/mapping/fixtures/three-problems.yaml';
    expect(lines.filter((l) => l.startsWith(`${file}:`)).map((l) => l.split(': ')[0])).toEqual([`${file}:19:7`, `${file}:20:19`, `${file}:22:15`]);
    // Each problem line is followed by its hint.
    lines.forEach((l, i) => {
      if (l.startsWith(`${file}:`)) expect(lines[i + 1]).toMatch(/^ {4}hint: \S/);
    });
    expect(lines.at(-1)).toBe('0 valid, 1 invalid (3 problems)');
  });

  it('problems of several mappings are listed in one run', () => {
    const second = path.join(tmp, 'second.yaml');
    writeFileSync(second, 'id: second\nversion: 1\ndirection: inbound\nsource: { format: csv }\nrecords:\n  - type: Case\n    fields:\n      agencyOri: ORI\n      occuredAt: DATE\n');
    const r = cgic('validate', 'test/unit/mapping/fixtures/three-problems.yaml', second);
    expect(r.status).toBe(78);
    expect(r.stderr).toContain('second.yaml:9:7: HUB_ERR_MAPPING_UNKNOWN_FIELD /records/0/fields/occuredAt Case has no field "occuredAt"');
    expect(r.stderr).toContain('hint: did you mean "occurredAt"?');
    expect(r.stderr.trimEnd().split('\n').at(-1)).toBe('0 valid, 2 invalid (4 problems)');
  });
});

describe('canonical field names', () => {
  const mapping = (fields: string, type = 'Firearm') =>
    `id: f\nversion: 1\ndirection: inbound\nsource: { format: json }\nrecords:\n  - type: ${type}\n    fields:\n${fields}`;

  it('are checked level by level: dotted names, nested fields and list items', async () => {
    const problems = await problemsOf(
      loadMappingText('m.yaml', mapping('      agencyOri: ori\n      serial.rwa: s\n      make: { fields: { code: c, txt: t } }\n')),
    );
    expect(problems.map((p) => [p.message, p.hint?.split('?')[0]])).toEqual([
      ['Firearm has no field "rwa" (in serial.rwa)', 'did you mean "raw"'],
      ['Firearm has no field "txt" (in make.txt)', 'did you mean "text"'],
    ]);
    const items = await problemsOf(loadMappingText('m.yaml', mapping('      labCaseNumber: n\n      agencies: { forEach: a, fields: { ori: o, agencyCaseNum: c } }\n', 'LabCase')));
    expect(items.map((p) => p.message)).toEqual(['LabCase has no field "agencyCaseNum" (in agencies.agencyCaseNum)']);
    expect(items[0]!.hint).toContain('did you mean "agencyCaseNumber"?');
  });

  it('are reported with the problems of the mapping schema, not after them', async () => {
    const problems = await problemsOf(loadMappingText('m.yaml', mapping('      modle: m\n      model: { form: m }\n')));
    expect(problems.map((p) => p.code).sort()).toEqual(['HUB_ERR_MAPPING_SCHEMA', 'HUB_ERR_MAPPING_UNKNOWN_FIELD']);
  });

  it('every shipped mapping and the shipped configuration pass', () => {
    const r = cgic('validate');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});

describe("YAML's error on an unquoted cron schedule", () => {
  it('is said once per line, at the value, with the line as it should be written', () => {
    const src = new YamlSource('c.yaml', 'connectors:\n  - id: x\n    schedule: * * * * *\n  - id: y\n    schedule: */5 * * * *   # every 5 minutes\n');
    const problems = src.yamlProblems();
    expect(problems.map((p) => [p.line, p.col, p.hint])).toEqual([
      [3, 15, 'a value that starts with "*" is read as a YAML alias; quote it: schedule: "* * * * *"'],
      [5, 15, 'a value that starts with "*" is read as a YAML alias; quote it: schedule: "*/5 * * * *"'],
    ]);
  });

  it('cgic validate on a configuration with one prints the hint and exits 78', () => {
    const cfg = path.join(tmp, 'cgic.yaml');
    writeFileSync(cfg, 'hub: { name: t }\nagencies: []\nconnectors:\n  - id: x\n    kind: directory\n    agency: CT0015100\n    mapping: lims-csv\n    schedule: * * * * *\n');
    const r = cgic('validate', '-c', cfg);
    expect(r.status).toBe(78);
    expect(r.stderr).toContain('cgic.yaml:8:15: HUB_ERR_CONFIG_YAML');
    expect(r.stderr).toContain('hint: a value that starts with "*" is read as a YAML alias; quote it: schedule: "* * * * *"');
  });
});

describe('a file with a YAML error on every line', () => {
  it('lists the first 20 errors and counts the rest in one more problem', () => {
    const problems = new YamlSource('f.yaml', 'a: 1\n'.repeat(5000)).yamlProblems();
    expect(problems).toHaveLength(21);
    expect(problems.slice(0, 20).every((p) => p.message === 'the key "a" appears twice at this level (first at 1:1)')).toBe(true);
    expect(problems[20]).toMatchObject({ code: 'HUB_ERR_MAPPING_YAML', line: 22, col: 1, message: '4979 more YAML errors from here on, not listed' });
  });
});

describe('aliases the conversion to values fails on', () => {
  // Nine levels of nine aliases: 9^9 (387 million) values once converted.
  const bomb = ['a0: &a0 x', ...Array.from({ length: 9 }, (_, i) => `a${i + 1}: &a${i + 1} [${Array(9).fill(`*a${i}`).join(',')}]`)].join('\n') + '\n';
  const problem = 'the alias *a2 repeats anchored values more than 100 times; the file is not read further';

  it('are a YAML problem at the alias where the count passes the limit, in a mapping and in a configuration', async () => {
    expect((await problemsOf(loadMappingText('m.yaml', bomb))).map((p) => [p.code, p.line, p.col, p.message])).toEqual([['HUB_ERR_MAPPING_YAML', 4, 10, problem]]);
    const cfg = path.join(tmp, 'bomb-config.yaml');
    writeFileSync(cfg, `hub: { name: t }\n${bomb}`);
    expect((await problemsOf(loadHubConfig(cfg))).map((p) => [p.code, p.line, p.col, p.message])).toEqual([['HUB_ERR_CONFIG_YAML', 5, 10, problem]]);
    // One anchor used 100 times is refused the same way, at the alias that passes the count.
    const many = `a: &a x\n${Array.from({ length: 101 }, (_, i) => `b${i}: *a`).join('\n')}\n`;
    expect((await problemsOf(loadMappingText('m.yaml', many))).map((p) => [p.line, p.message])).toEqual([[101, problem.replace('*a2', '*a')]]);
  });

  it('an alias naming no anchor, and one inside the node it names (its value would repeat without end), are YAML problems at the alias', async () => {
    const mapping = (fields: string) => `id: f\nversion: 1\ndirection: inbound\nsource: { format: csv }\nrecords:\n  - type: Firearm\n    fields:\n${fields}`;
    const unresolved = await problemsOf(loadMappingText('m.yaml', mapping('      make: *MAKE\n')));
    expect(unresolved.map((p) => [p.code, p.line, p.col, p.message])).toEqual([['HUB_ERR_MAPPING_YAML', 8, 13, 'the alias *MAKE names no anchor before it']]);
    expect(unresolved[0]!.hint).toContain('put such a value in quotes');
    // A condition that holds itself: read whole, it would recurse until the stack ran out.
    const loop = await problemsOf(loadMappingText('m.yaml', mapping('      make: { from: MAKE, when: &c { all: [*c] } }\n')));
    expect(loop.map((p) => [p.code, p.line, p.col, p.message])).toEqual([['HUB_ERR_MAPPING_YAML', 8, 44, 'the alias *c is inside the node it names: its value would repeat without end']]);
  });

  it('cgic validate reports them at file:line and exits 78, for a mapping and for a configuration', () => {
    const mapping = path.join(tmp, 'bomb.yaml');
    writeFileSync(mapping, bomb);
    const cfg = path.join(tmp, 'bomb-cgic.yaml');
    writeFileSync(cfg, `hub: { name: t }\n${bomb}`);
    for (const [args, at] of [[[mapping], `bomb.yaml:4:10: HUB_ERR_MAPPING_YAML ${problem}`], [['-c', cfg], `bomb-cgic.yaml:5:10: HUB_ERR_CONFIG_YAML ${problem}`]] as const) {
      const r = cgic('validate', ...args);
      expect(r.status, r.stderr.slice(0, 500)).toBe(78);
      expect(r.stderr).toContain(at);
      expect(r.stderr).not.toContain('HUB_ERR_SYSTEM_INTERNAL');
    }
  });
});

describe('a file that is not UTF-8 text', () => {
  const mapping = readFileSync(path.join(PROJECT_ROOT, 'mappings/etrace-csv/mapping.yaml'));

  it('a UTF-16 mapping, with or without its byte-order mark, is one problem naming the encoding, not the garbled text', async () => {
    const le = Buffer.from(mapping.toString('utf8'), 'utf16le');
    const be = Buffer.from(le).swap16();
    for (const [name, bytes] of [
      ['bom-le.yaml', Buffer.concat([Buffer.from([0xff, 0xfe]), le])],
      ['bom-be.yaml', Buffer.concat([Buffer.from([0xfe, 0xff]), be])],
      ['le.yaml', le],
      ['be.yaml', be],
    ] as const) {
      const file = path.join(tmp, name);
      writeFileSync(file, bytes);
      const problems = await problemsOf(loadMappingFile(file));
      expect(problems.map((p) => [p.code, p.line, p.col, p.message])).toEqual([['HUB_ERR_MAPPING_YAML', 1, 1, 'is UTF-16 text, not UTF-8; the file is not read further']]);
      expect(problems[0]!.hint).toMatch(/save it as UTF-8/);
    }
  });

  it('a NUL byte is located and the file not read further', async () => {
    const problems = await problemsOf(loadMappingText('nul.yaml', 'id: x\r\nversion: 1\ndescription: "a\0b"\n'));
    expect(problems.map((p) => [p.code, p.line, p.col, p.message])).toEqual([['HUB_ERR_MAPPING_YAML', 3, 16, 'holds a NUL byte: it is not a text file; the file is not read further']]);
  });

  it('a Windows-1252 mapping is refused at its first byte that is not UTF-8, with the byte and the iconv line (its map table never matched)', async () => {
    // A map table holding Ü, saved by an editor in Windows-1252: read as UTF-8, the key became
    // "\uFFFDBERPR\uFFFDFT" and no value ever matched it.
    const text = mapping.toString('utf8').replace('"NO RECORD": no-record\n', '"NO RECORD": no-record\n                "ÜBERPRÜFT": completed\n');
    expect(text).toContain('ÜBERPRÜFT');
    const file = path.join(tmp, 'cp1252.yaml');
    writeFileSync(file, Buffer.from(text, 'latin1')); // Ü is 0xDC in Latin-1 and Windows-1252 alike
    const problems = await problemsOf(loadMappingFile(file));
    expect(problems.map((p) => [p.code, p.line, p.col, p.message])).toEqual([
      ['HUB_ERR_MAPPING_YAML', 33, 18, 'is not UTF-8 text: byte 0xDC here is not valid UTF-8 (in Windows-1252, "Ü"); the file is not read further'],
    ]);
    expect(problems[0]!.hint).toBe(`save it as UTF-8 (in an editor, "Save with encoding"; or: iconv -f windows-1252 -t utf-8 ${path.relative(process.cwd(), file)} > utf8.yaml)`);
    // Saved as UTF-8, the same mapping loads.
    writeFileSync(file, text);
    await expect(loadMappingFile(file)).resolves.toBeDefined();
  });

  it('the first bad byte is located past valid multi-byte characters and a U+FFFD the file really holds', async () => {
    const file = path.join(tmp, 'mixed.yaml');
    // Line 2: "é" (two bytes) and "\uFFFD" (three bytes, valid UTF-8), then 0x92 (a Windows-1252 apostrophe) at column 16.
    writeFileSync(file, Buffer.concat([Buffer.from('id: mixed\n# café \uFFFD ok, it'), Buffer.from([0x92]), Buffer.from('s bad\nversion: 1\n')]));
    expect((await problemsOf(loadMappingFile(file))).map((p) => [p.line, p.col, p.message])).toEqual([
      [2, 16, 'is not UTF-8 text: byte 0x92 here is not valid UTF-8 (in Windows-1252, "\u2019"); the file is not read further'],
    ]);
    // A byte Windows-1252 leaves undefined is named by its value alone; a sequence cut short too.
    writeFileSync(file, Buffer.concat([Buffer.from('id: x\r\nversion: 1\r\ndescription: "'), Buffer.from([0x81]), Buffer.from('"\r\n')]));
    expect((await problemsOf(loadMappingFile(file))).map((p) => [p.line, p.col, p.message])).toEqual([[3, 15, 'is not UTF-8 text: byte 0x81 here is not valid UTF-8; the file is not read further']]);
    writeFileSync(file, Buffer.concat([Buffer.from('id: x\nversion: 1 # '), Buffer.from([0xe2, 0x82])]));
    expect((await problemsOf(loadMappingFile(file))).map((p) => [p.line, p.col])).toEqual([[2, 14]]);
  });

  it('a Windows-1252 configuration is refused the same way, under the configuration code, and cgic validate says where', async () => {
    const file = path.join(tmp, 'cgic-cp1252.yaml');
    writeFileSync(file, Buffer.from('hub: { name: t }\nagencies:\n  - { ori: CT0006400, name: "Département de police" }\nconnectors: []\n', 'latin1'));
    const problems = await problemsOf(loadHubConfig(file));
    expect(problems.map((p) => [p.code, p.line, p.col, p.message])).toEqual([['HUB_ERR_CONFIG_YAML', 3, 31, 'is not UTF-8 text: byte 0xE9 here is not valid UTF-8 (in Windows-1252, "é"); the file is not read further']]);
    expect(problems[0]!.hint).toContain('iconv -f windows-1252 -t utf-8');
    const r = cgic('validate', '-c', file);
    expect(r.status, r.stderr.slice(0, 500)).toBe(78);
    expect(r.stderr).toContain('cgic-cp1252.yaml:3:31: HUB_ERR_CONFIG_YAML is not UTF-8 text: byte 0xE9 here');
  });

  it('a UTF-16 configuration is refused the same way, under the configuration code', async () => {
    const file = path.join(tmp, 'cgic-utf16.yaml');
    writeFileSync(file, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('hub: { name: t }\nagencies: []\nconnectors: []\n', 'utf16le')]));
    const problems = await problemsOf(loadHubConfig(file));
    expect(problems.map((p) => [p.code, p.line, p.col, p.message])).toEqual([['HUB_ERR_CONFIG_YAML', 1, 1, 'is UTF-16 text, not UTF-8; the file is not read further']]);
  });
});

describe('a file larger than any configuration or mapping', () => {
  it('is refused unread, at 1:1, saying its size (a 50 MB file took 22 s and 1.7 GB to read)', async () => {
    const mapping = readFileSync(path.join(PROJECT_ROOT, 'mappings/etrace-csv/mapping.yaml'), 'utf8');
    const file = path.join(tmp, 'huge.yaml');
    writeFileSync(file, `${mapping}description2: "${'y'.repeat(MAX_YAML_BYTES)}"\n`);
    const problems = await problemsOf(loadMappingFile(file));
    expect(problems.map((p) => [p.code, p.line, p.col])).toEqual([['HUB_ERR_MAPPING_YAML', 1, 1]]);
    expect(problems[0]!.message).toMatch(/^is 4\.1 MiB, more than the 4 MiB a configuration or a mapping may have; the file is not read$/);
    const config = path.join(tmp, 'huge-cgic.yaml');
    writeFileSync(config, `hub: { name: t }\nagencies: []\nconnectors: []\n# ${'x'.repeat(MAX_YAML_BYTES)}\n`);
    expect((await problemsOf(loadHubConfig(config))).map((p) => [p.code, p.line, p.col])).toEqual([['HUB_ERR_CONFIG_YAML', 1, 1]]);
  });
});

describe('a YAML 1.1 merge key', () => {
  it('is an unknown key whose hint says merge keys are not read and what to write instead', async () => {
    const text = etraceWith(
      'traceNumber: { from: TRACE_NUMBER, ops: [trim, upper], required: true }',
      'traceNumber: { <<: { ops: [trim, upper] }, from: TRACE_NUMBER, required: true }',
    );
    const problems = await problemsOf(loadMappingText('merge.yaml', text));
    expect(problems.map((p) => [p.code, p.line, p.col, p.pointer, p.message])).toEqual([['HUB_ERR_MAPPING_SCHEMA', 22, 22, '/records/0/fields/traceNumber', 'has an unknown key "<<"']]);
    expect(problems[0]!.hint).toMatch(/^a merge key \(<<: \*anchor\) is not read \(YAML 1\.2 has none\): write the keys out/);
  });
});

describe('a key written twice', () => {
  it('is named, with where it first appears and a hint, at the second one', async () => {
    const text = etraceWith(
      '      model: { from: MODEL',
      '      make: { from: MAKE_2 }\n      model: { from: MODEL',
    );
    const problems = await problemsOf(loadMappingText('dup.yaml', text));
    expect(problems.map((p) => [p.code, p.line, p.col, p.message])).toEqual([['HUB_ERR_MAPPING_YAML', 42, 7, 'the key "make" appears twice at this level (first at 41:7)']]);
    expect(problems[0]!.hint).toMatch(/^keep one of the two/);
    const flow = new YamlSource('f.yaml', 'a: {x: 1, y: 2, x: 3}\n').yamlProblems();
    expect(flow.map((p) => [p.line, p.col, p.message])).toEqual([[1, 17, 'the key "x" appears twice at this level (first at 1:5)']]);
  });
});

describe('a tab as indentation', () => {
  it('is located with a hint to indent with spaces', () => {
    const problems = new YamlSource('tab.yaml', 'id: x\nsource:\n\tformat: csv\n').yamlProblems();
    expect(problems[0]).toMatchObject({ code: 'HUB_ERR_MAPPING_YAML', line: 3, col: 1, message: 'Tabs are not allowed as indentation' });
    expect(problems[0]!.hint).toMatch(/^indent with spaces/);
  });
});

describe('a code table no one ships', () => {
  it('is located at its lookup, with a "did you mean" among the tables', async () => {
    const text = etraceWith('{ lookup: { table: ncic-make } }', '{ lookup: { table: ncic-mak } }');
    const problems = await problemsOf(loadMappingText('table.yaml', text));
    expect(problems.map((p) => [p.code, p.line, p.pointer])).toEqual([['HUB_ERR_MAPPING_INVALID', 41, '/records/0/fields/make/ops/1/lookup']]);
    expect(problems[0]!.message).toMatch(/^unknown code table "ncic-mak" \(known: ncic-make, /);
    expect(problems[0]!.hint).toMatch(/^did you mean "ncic-make"\? name one of the tables listed/);
  });
});
