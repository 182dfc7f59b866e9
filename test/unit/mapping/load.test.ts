/**
 * Loading mapping files (`loadMappingFile`): YAML -> schema -> compile, every problem located at
 * file:line:col with its pointer and a hint. Fixtures are in ./fixtures.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConfigProblems, formatProblem, type ConfigProblem } from '../../../src/config/problems.ts';
import { HubError } from '../../../src/errors/hub-error.ts';
import { InboundMapping } from '../../../src/mapping/inbound.ts';
import { loadMappingFile, resolveMappingFile } from '../../../src/mapping/load.ts';
import { emptySummary, mapStream } from '../../../src/mapping/run.ts';
import { positionOf } from './helpers.ts';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');
const fixture = (name: string): string => path.join(FIXTURES, name);
const textOf = (name: string): string => readFileSync(fixture(name), 'utf8');
const shownAs = (name: string): string => path.relative(process.cwd(), fixture(name));

async function problemsOf(name: string): Promise<ConfigProblem[]> {
  const err = await loadMappingFile(fixture(name)).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err, `${name} should not load`).toBeInstanceOf(ConfigProblems);
  return (err as ConfigProblems).problems;
}

describe('a valid mapping', () => {
  it('loads and compiles, keeping its id, version, system and format', async () => {
    const m = await loadMappingFile(fixture('valid.yaml'));
    expect(m).toBeInstanceOf(InboundMapping);
    const i = m as InboundMapping;
    expect([i.label, i.system, i.format]).toEqual(['fixture-lims@2', 'lims', 'csv']);
  });

  it('maps a file once loaded', async () => {
    const m = (await loadMappingFile(fixture('valid.yaml'))) as InboundMapping;
    const csv = 'LAB_CASE_NO,ITEM_NO,COLLECTED,ITEM_TYPE,MAKE,SERIAL\n l26-1 ,7,03/14/2026 14:22,FIREARM,Glock,abc-1\n';
    const out = [];
    for await (const b of mapStream(m, Readable.from([Buffer.from(csv)]), emptySummary(), { file: 'x.csv' })) out.push(...b.records);
    expect(out.map((r) => [r.type, r.key])).toEqual([
      ['EvidenceItem', 'L26-1|007'],
      ['Firearm', 'lab:L26-1|007'],
    ]);
    expect(out[0]!.collectedAt).toBe('2026-03-14T14:22:00-04:00');
  });

  it('is found by folder or by file path, and a missing file is HUB_ERR_FILE_NOT_FOUND', async () => {
    expect(resolveMappingFile(fixture('valid.yaml'))).toBe(fixture('valid.yaml'));
    const err = await loadMappingFile(fixture('no-such.yaml')).catch((e: unknown) => e);
    expect((err as HubError).code).toBe('HUB_ERR_FILE_NOT_FOUND');
    expect(() => resolveMappingFile('no-such-mapping', FIXTURES)).toThrow(HubError);
  });
});

describe('unknown operations', () => {
  it('a misspelt bare operation: HUB_ERR_MAPPING_UNKNOWN_OP at its line and column, with a suggestion', async () => {
    const [p, ...rest] = await problemsOf('typo-op.yaml');
    expect(rest).toEqual([]);
    expect(p!.code).toBe('HUB_ERR_MAPPING_UNKNOWN_OP');
    expect(p!.file).toBe(shownAs('typo-op.yaml'));
    expect({ line: p!.line, col: p!.col }).toEqual(positionOf(textOf('typo-op.yaml'), 'trimm'));
    expect(p!.pointer).toBe('/records/0/fields/itemNumber/ops/0');
    expect(p!.message).toBe('unknown operation "trimm"');
    expect(p!.hint).toContain('did you mean "trim"?');
  });

  it('a misspelt operation with arguments: located at its name, with a suggestion', async () => {
    const [p, ...rest] = await problemsOf('typo-op-args.yaml');
    expect(rest).toEqual([]);
    expect(p!.code).toBe('HUB_ERR_MAPPING_UNKNOWN_OP');
    expect({ line: p!.line, col: p!.col }).toEqual(positionOf(textOf('typo-op-args.yaml'), 'regexExtrct'));
    expect(p!.pointer).toBe('/records/0/fields/itemNumber/ops/1');
    expect(p!.message).toBe('unknown operation "regexExtrct"');
    expect(p!.hint).toContain('did you mean "regexExtract"?');
  });

  it('formats as file:line:col: CODE pointer message, then the hint', async () => {
    const [p] = await problemsOf('typo-op.yaml');
    const { line, col } = positionOf(textOf('typo-op.yaml'), 'trimm');
    expect(formatProblem(p!)).toMatch(
      new RegExp(`^${shownAs('typo-op.yaml').replace(/[.]/g, '\\.')}:${line}:${col}: HUB_ERR_MAPPING_UNKNOWN_OP /records/0/fields/itemNumber/ops/0 unknown operation "trimm"\n    hint: did you mean "trim"\\?`),
    );
  });
});

describe('schema problems', () => {
  it('an operation argument of the wrong type: HUB_ERR_MAPPING_SCHEMA naming the pointer and line', async () => {
    const [p, ...rest] = await problemsOf('bad-pad-length.yaml');
    expect(rest).toEqual([]);
    expect(p!.code).toBe('HUB_ERR_MAPPING_SCHEMA');
    expect(p!.pointer).toBe('/records/0/fields/itemNumber/ops/0/pad/length');
    expect({ line: p!.line, col: p!.col }).toEqual(positionOf(textOf('bad-pad-length.yaml'), '"ten"'));
    expect(p!.message).toBe('must be integer, not string "ten"');
  });

  it('a version that is not a number', async () => {
    const [p, ...rest] = await problemsOf('bad-version.yaml');
    expect(rest).toEqual([]);
    expect([p!.code, p!.pointer, p!.message]).toEqual(['HUB_ERR_MAPPING_SCHEMA', '/version', 'must be integer, not string "one"']);
    expect({ line: p!.line, col: p!.col }).toEqual(positionOf(textOf('bad-version.yaml'), '"one"'));
  });

  it('an enum value with a typo gets a suggestion', async () => {
    const problems = await problemsOf('enum-typos.yaml');
    const text = textOf('enum-typos.yaml');
    expect(problems.map((p) => [p.pointer, p.line, p.hint])).toEqual([
      ['/direction', positionOf(text, 'inbund').line, 'did you mean "inbound"?'],
      ['/records/0/type', positionOf(text, 'Firearms').line, 'did you mean "Firearm"?'],
    ]);
  });

  // BUG (src/config/problems.ts schemaProblems + newAjv): the unknown-key branch reads the allowed keys
  // from `e.parentSchema`, which ajv fills only with the `verbose: true` option that newAjv does not
  // set. The hint comes out as "allowed keys: " (empty), without the suggestion; the same missing
  // parentSchema drops the description hint of type errors.
  it('an unknown key: located at the key, with "did you mean" the right key', async () => {
    const [p, ...rest] = await problemsOf('unknown-key.yaml');
    expect(rest).toEqual([]);
    expect(p!.code).toBe('HUB_ERR_MAPPING_SCHEMA');
    expect(p!.pointer).toBe('/records/0/fields/labCaseNumber');
    expect(p!.message).toBe('has an unknown key "requird"');
    expect({ line: p!.line, col: p!.col }).toEqual(positionOf(textOf('unknown-key.yaml'), 'requird'));
    expect(p!.hint).toContain('did you mean "required"');
  });
});

describe('YAML syntax', () => {
  it('is HUB_ERR_MAPPING_YAML at the line of the error', async () => {
    const [p, ...rest] = await problemsOf('yaml-syntax.yaml');
    expect(rest).toEqual([]);
    expect(p!.code).toBe('HUB_ERR_MAPPING_YAML');
    expect(p!.line).toBe(positionOf(textOf('yaml-syntax.yaml'), ' records').line);
    expect(p!.message.length).toBeGreaterThan(0);
  });
});

describe('compile problems', () => {
  it('an undeclared namespace prefix in an XML path: HUB_ERR_MAPPING_INVALID located at the path', async () => {
    const [p, ...rest] = await problemsOf('xml-undeclared-prefix.yaml');
    expect(rest).toEqual([]);
    expect(p!.code).toBe('HUB_ERR_MAPPING_INVALID');
    expect(p!.pointer).toBe('/records/0/fields/labCaseNumber/from');
    expect({ line: p!.line, col: p!.col }).toEqual(positionOf(textOf('xml-undeclared-prefix.yaml'), 'q:No'));
    expect(p!.message).toContain('namespace prefix "q" is not declared');
  });

  // BUG (src/mapping/paths.ts xmlPath): the prefix of an attribute step (`@q:id`) is resolved outside
  // the try that turns resolveStep's error into a PathError, so a plain Error escapes compileSpec:
  // no ConfigProblems, no code, no file:line:col.
  it('an undeclared namespace prefix in an attribute path: HUB_ERR_MAPPING_INVALID located at the path', async () => {
    const [p] = await problemsOf('xml-undeclared-attr-prefix.yaml');
    expect(p!.code).toBe('HUB_ERR_MAPPING_INVALID');
    expect(p!.pointer).toBe('/records/0/fields/labCaseNumber/from');
    expect(p!.line).toBe(positionOf(textOf('xml-undeclared-attr-prefix.yaml'), 'l:No/@q:id').line);
  });

  // BUG (src/mapping/inbound.ts bind: `const acc = compilePath(r.forEach, ctx.paths)`): a record's
  // forEach path is compiled without the accessor() wrapper that turns a PathError into a located
  // MappingCompileError, so an undeclared prefix there escapes compileSpec as a plain PathError.
  it('an undeclared namespace prefix in a record forEach: HUB_ERR_MAPPING_INVALID located at forEach', async () => {
    const [p] = await problemsOf('xml-undeclared-foreach-prefix.yaml');
    expect(p!.code).toBe('HUB_ERR_MAPPING_INVALID');
    expect(p!.pointer).toBe('/records/0/forEach');
    expect(p!.line).toBe(positionOf(textOf('xml-undeclared-foreach-prefix.yaml'), 'q:Item').line);
  });

  it('a regular expression that does not compile (JSON source): located at the operation', async () => {
    const [p, ...rest] = await problemsOf('bad-regex-json.yaml');
    expect(rest).toEqual([]);
    expect(p!.code).toBe('HUB_ERR_MAPPING_INVALID');
    expect(p!.pointer).toBe('/records/0/fields/itemNumber/ops/0/regexExtract');
    expect(p!.line).toBe(positionOf(textOf('bad-regex-json.yaml'), 'regexExtract').line);
    expect(p!.message).toMatch(/^Invalid regular expression/);
  });

  it('an unknown code table (JSON source): located at the operation, listing the known tables', async () => {
    const [p, ...rest] = await problemsOf('unknown-table-json.yaml');
    expect(rest).toEqual([]);
    expect(p!.code).toBe('HUB_ERR_MAPPING_INVALID');
    expect(p!.pointer).toBe('/records/0/fields/make/ops/0/lookup');
    expect(p!.line).toBe(positionOf(textOf('unknown-table-json.yaml'), 'ncic-maek').line);
    expect(p!.message).toBe('unknown code table "ncic-maek" (known: ncic-make, ncic-caliber, ncic-gun-type, ncic-gun-type-1, ncic-gun-type-2)');
  });

  // BUG (src/mapping/inbound.ts constructor: `if (this.format !== 'csv') this.bind(undefined)`): a CSV
  // mapping is compiled only when a file's header arrives, so loadMappingFile (and `cgic validate`)
  // accepts a CSV mapping whose operations cannot compile; the problem surfaces later, inside
  // mapStream, as an unlocated MappingCompileError instead of a ConfigProblems at file:line:col.
  it.each([
    ['bad-regex-csv.yaml', 'regexExtract', /^Invalid regular expression/],
    ['unknown-table-csv.yaml', 'ncic-maek', /^unknown code table "ncic-maek"/],
  ])('%s (CSV source) is refused at load, located at the operation', async (name, token, message) => {
    const [p] = await problemsOf(name);
    expect(p!.code).toBe('HUB_ERR_MAPPING_INVALID');
    expect(p!.line).toBe(positionOf(textOf(name), token).line);
    expect(p!.message).toMatch(message);
  });
});
