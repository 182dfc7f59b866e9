/**
 * Every mapping operation, driven through its own `compile(args, env)` with the real code tables.
 * The table below must hold a normal case, an edge case and the error path (or the reason the operation
 * cannot fail) for each operation of OPERATIONS: a new operation without cases fails the first test.
 * List inputs of elementwise operations go through `compileOps`, which is how the engine applies them.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { loadCodeTables } from '../../../src/codes/index.ts';
import { compileOps } from '../../../src/mapping/compile.ts';
import { OPERATIONS, OPERATIONS_BY_NAME, type CompileEnv } from '../../../src/mapping/ops/index.ts';
import { FAIL, RunContext, type FieldSite } from '../../../src/mapping/runtime.ts';
import type { ErrorCode } from '../../../src/errors/registry.ts';
import type { OpSpec } from '../../../src/mapping/spec.ts';

interface Case {
  what: string;
  /** The operation's arguments; absent: written as a bare name. */
  args?: unknown;
  input: unknown;
  /** Expected result when the operation succeeds. */
  out?: unknown;
  /** Expected record error: the result is FAIL and exactly this error is reported. */
  fail?: ErrorCode;
  /** Expected warning (the result is still `out`). */
  warn?: ErrorCode;
  /** A value expected to be counted as unknown: [table, original text]. */
  unknown?: [string, string];
  /** Expected compile-time error (bad arguments). */
  throws?: RegExp;
  /** RunContext time zone (the agency's). */
  tz?: string;
}

interface OpCases {
  normal: Case[];
  edge: Case[];
  /** Cases where the operation fails, or why it cannot. */
  error: Case[] | { cannotFail: string };
}

const MAKE_SW = { code: 'SW', system: 'NCIC-MAK', text: 'Smith and Wesson' };

const CASES: Record<string, OpCases> = {
  trim: {
    normal: [{ what: 'both ends', input: '  HPD-26-0012 ', out: 'HPD-26-0012' }],
    edge: [
      { what: 'a JSON number becomes text', input: 12, out: '12' },
      { what: 'list: each element, empty results dropped', input: [' a ', '   ', ' b'], out: ['a', 'b'] },
    ],
    error: { cannotFail: 'any text can be trimmed' },
  },
  collapseSpaces: {
    normal: [{ what: 'tabs and line breaks', input: ' Smith  &\tWesson\n ', out: 'Smith & Wesson' }],
    edge: [{ what: 'list', input: [' a  b ', 'c\t\td'], out: ['a b', 'c d'] }],
    error: { cannotFail: 'any text can be collapsed' },
  },
  upper: {
    normal: [{ what: 'ORI', input: 'ct0015100', out: 'CT0015100' }],
    edge: [
      { what: 'a JSON boolean becomes text', input: true, out: 'TRUE' },
      { what: 'list', input: ['ct1', 'ct2'], out: ['CT1', 'CT2'] },
    ],
    error: { cannotFail: 'any text has an upper case' },
  },
  lower: {
    normal: [{ what: 'enum value', input: 'SHOOTING', out: 'shooting' }],
    edge: [{ what: 'list', input: ['SHOTS FIRED', 'Homicide'], out: ['shots fired', 'homicide'] }],
    error: { cannotFail: 'any text has a lower case' },
  },
  title: {
    normal: [{ what: 'town', input: 'NEW HAVEN', out: 'New Haven' }],
    edge: [
      { what: 'after apostrophes, dashes and parentheses', input: "o'NEIL-SMITH (jr)", out: "O'Neil-Smith (Jr)" },
      { what: 'list', input: ['EAST HARTFORD', 'west haven'], out: ['East Hartford', 'West Haven'] },
    ],
    error: { cannotFail: 'any text can be title-cased' },
  },
  pad: {
    normal: [{ what: 'left with zeros', args: { length: 6, char: '0' }, input: '1234', out: '001234' }],
    edge: [
      { what: 'a longer value is kept whole', args: { length: 3 }, input: '12345', out: '12345' },
      { what: 'right side, another character', args: { length: 5, char: '-', side: 'right' }, input: 'ab', out: 'ab---' },
      { what: 'list', args: { length: 3 }, input: ['1', '22'], out: ['001', '022'] },
    ],
    error: { cannotFail: 'any text pads; a missing length is refused by the schema (load.test.ts)' },
  },
  nullIf: {
    normal: [{ what: 'a placeholder, trimmed and ignoring case', args: ['N/A', 'UNK', 'NONE'], input: ' n/a ', out: undefined }],
    edge: [
      { what: 'a value that only contains a placeholder is kept', args: ['N/A'], input: 'N/A2', out: 'N/A2' },
      { what: 'list: placeholders dropped', args: ['UNK', 'NONE'], input: ['UNK', 'L1', 'none'], out: ['L1'] },
    ],
    error: { cannotFail: 'a value is either a placeholder or kept' },
  },
  regexExtract: {
    normal: [
      { what: 'first group by default', args: { pattern: '^(\\d+(\\.\\d+)*)' }, input: '1.2 (casing)', out: '1.2' },
      { what: 'whole match without a group', args: { pattern: '\\d+' }, input: 'abc123def', out: '123' },
    ],
    edge: [
      { what: 'chosen group', args: { pattern: '(\\w+)-(\\w+)', group: 2 }, input: 'HPD-0012', out: '0012' },
      { what: 'flags', args: { pattern: 'item (\\d+)', flags: 'i' }, input: 'ITEM 7', out: '7' },
      { what: 'no match without required: empty', args: { pattern: '^(\\d+)' }, input: 'abc', out: undefined },
      { what: 'list', args: { pattern: '(\\d+)' }, input: ['a1', 'b', 'c22'], out: ['1', '22'] },
    ],
    error: [
      { what: 'required, no match', args: { pattern: '^(\\d+)', required: true }, input: 'abc', fail: 'HUB_ERR_RECORD_PATTERN' },
      { what: 'required, the group did not take part', args: { pattern: '(a)|(b)', group: 2, required: true }, input: 'a', fail: 'HUB_ERR_RECORD_PATTERN' },
      { what: 'a pattern that does not compile', args: { pattern: '(' }, input: 'x', throws: /Invalid regular expression/ },
    ],
  },
  regexReplace: {
    normal: [{ what: 'every match', args: { pattern: '[^0-9A-Z]', replacement: '' }, input: 'ABC-12 34', out: 'ABC1234' }],
    edge: [
      { what: 'groups in the replacement', args: { pattern: '(\\w+)-(\\w+)', replacement: '$2/$1' }, input: 'ab-cd', out: 'cd/ab' },
      { what: 'flags besides g', args: { pattern: 'x', replacement: '', flags: 'i' }, input: 'AxXb', out: 'Ab' },
      { what: 'list', args: { pattern: '-', replacement: '' }, input: ['a-b', 'c-d'], out: ['ab', 'cd'] },
    ],
    error: [{ what: 'a pattern that does not compile', args: { pattern: '[', replacement: '' }, input: 'x', throws: /Invalid regular expression/ }],
  },
  split: {
    normal: [{ what: 'at a separator, trimmed', args: { separator: ';' }, input: 'L26-0001; L26-0002', out: ['L26-0001', 'L26-0002'] }],
    edge: [
      { what: 'empty parts dropped', args: { separator: ';' }, input: 'a; ;b;', out: ['a', 'b'] },
      { what: 'only separators: an empty list', args: { separator: ';' }, input: ';;', out: [] },
      { what: 'the separator is text, not a pattern', args: { separator: '.' }, input: '1.2.3', out: ['1', '2', '3'] },
    ],
    error: { cannotFail: 'any text splits' },
  },
  join: {
    normal: [{ what: 'a list', args: { separator: '; ' }, input: ['PI', 'RI'], out: 'PI; RI' }],
    edge: [
      { what: 'empty elements skipped', args: { separator: '|' }, input: ['PI', '', null, 'RI'], out: 'PI|RI' },
      { what: 'a single value passes through', args: { separator: ';' }, input: 'x', out: 'x' },
    ],
    error: { cannotFail: 'any list joins' },
  },
  first: {
    normal: [{ what: 'first non-empty element', input: ['', 'L26-0001', 'L26-0002'], out: 'L26-0001' }],
    edge: [
      { what: 'an empty list: empty', input: [], out: undefined },
      { what: 'a single value passes through', input: 'x', out: 'x' },
    ],
    error: { cannotFail: 'any list has a first element or none' },
  },
  number: {
    normal: [
      { what: 'decimal', input: '4.25', out: 4.25 },
      { what: 'thousands separator ignored', input: '1,234.50', out: 1234.5 },
    ],
    edge: [
      { what: 'European separators', args: { decimal: ',', thousands: '.' }, input: '1.234,5', out: 1234.5 },
      { what: 'sign and exponent', input: '-1e3', out: -1000 },
      { what: 'a JSON number passes through', input: 7.5, out: 7.5 },
      { what: 'list', input: ['1', '2.5'], out: [1, 2.5] },
    ],
    error: [
      { what: 'trailing letter', input: '12a', fail: 'HUB_ERR_RECORD_NUMBER' },
      { what: 'two decimal points', input: '1.2.3', fail: 'HUB_ERR_RECORD_NUMBER' },
      { what: 'NaN is not a number', input: 'NaN', fail: 'HUB_ERR_RECORD_NUMBER' },
      { what: 'one bad element fails the list', input: ['1', 'x'], fail: 'HUB_ERR_RECORD_NUMBER' },
    ],
  },
  integer: {
    normal: [{ what: 'leading zeros', input: '0042', out: 42 }],
    edge: [
      { what: 'thousands separator', input: '1,000', out: 1000 },
      { what: 'list', input: ['1', '02'], out: [1, 2] },
    ],
    error: [
      { what: 'a fraction', input: '1.5', fail: 'HUB_ERR_RECORD_NUMBER' },
      { what: 'a fractional JSON number', input: 3.5, fail: 'HUB_ERR_RECORD_NUMBER' },
      { what: 'text', input: 'two', fail: 'HUB_ERR_RECORD_NUMBER' },
    ],
  },
  boolean: {
    normal: [
      { what: 'default true spelling', input: 'y', out: true },
      { what: 'default false spelling, trimmed', input: ' No ', out: false },
    ],
    edge: [
      { what: 'own spellings', args: { true: ['OBLITERATED'], false: ['INTACT', ''] }, input: 'obliterated', out: true },
      { what: 'a JSON boolean passes through', input: false, out: false },
      { what: 'list', input: ['Y', 'N', 'X'], out: [true, false, true] },
    ],
    error: [
      { what: 'not a listed spelling', input: 'maybe', fail: 'HUB_ERR_RECORD_BOOLEAN' },
      { what: 'own spellings replace the defaults', args: { true: ['OBLITERATED'], false: ['INTACT'] }, input: 'Y', fail: 'HUB_ERR_RECORD_BOOLEAN' },
    ],
  },
  date: {
    normal: [{ what: 'local time with the zone offset', args: { formats: ['MM/dd/yyyy HH:mm'] }, input: '03/14/2026 14:22', out: '2026-03-14T14:22:00-04:00' }],
    edge: [
      { what: 'formats tried in order', args: { formats: ['MM/dd/yyyy HH:mm', 'yyyy-MM-dd'] }, input: '2026-01-14', out: '2026-01-14T00:00:00-05:00' },
      { what: 'list', args: { formats: ['MM/dd/yyyy'], output: 'date' }, input: ['03/14/2026', '12/31/2025'], out: ['2026-03-14', '2025-12-31'] },
    ],
    error: [
      { what: 'an impossible date', args: { formats: ['MM/dd/yyyy'] }, input: '02/30/2026', fail: 'HUB_ERR_RECORD_DATE' },
      { what: 'no format matches', args: { formats: ['MM/dd/yyyy'] }, input: '2026-03-14', fail: 'HUB_ERR_RECORD_DATE' },
      { what: 'an unsupported token', args: { formats: ['yyyy-MM-dd QQ'] }, input: 'x', throws: /unsupported token "Q"/ },
      { what: 'an unknown time zone', args: { formats: ['yyyy-MM-dd'], timezone: 'Mars/Olympus' }, input: 'x', throws: /unknown time zone "Mars\/Olympus"/ },
    ],
  },
  formatDate: {
    normal: [{ what: 'in the recipient zone', args: { format: 'MM/dd/yyyy HH:mm' }, input: '2026-03-14T18:22:00Z', out: '03/14/2026 14:22' }],
    edge: [
      { what: 'a calendar date is not shifted', args: { format: 'MM/dd/yyyy' }, input: '2026-03-14', out: '03/14/2026', tz: 'Pacific/Honolulu' },
      { what: 'a fixed zone', args: { format: 'yyyy-MM-dd HH:mm', timezone: 'UTC' }, input: '2026-03-14T14:22:00-04:00', out: '2026-03-14 18:22' },
      { what: 'list', args: { format: 'HH:mm' }, input: ['2026-01-14T19:22:00Z', '2026-07-14T18:22:00Z'], out: ['14:22', '14:22'] },
    ],
    error: [
      { what: 'not ISO-8601', args: { format: 'MM/dd/yyyy' }, input: 'yesterday', fail: 'HUB_ERR_RECORD_DATE' },
      { what: 'an unknown time zone', args: { format: 'HH:mm', timezone: 'Mars/Olympus' }, input: 'x', throws: /unknown time zone/ },
    ],
  },
  map: {
    normal: [
      {
        what: 'a listed value, trimmed and ignoring case',
        args: { values: { SHOOTING: 'shooting', 'SHOTS FIRED': 'shots-fired' } },
        input: ' Shots Fired ',
        out: 'shots-fired',
      },
    ],
    edge: [
      { what: 'default for anything else', args: { values: { SHOOTING: 'shooting' }, default: 'other' }, input: 'burglary', out: 'other' },
      { what: 'keepUnknown passes it through', args: { values: { SHOOTING: 'shooting' }, keepUnknown: true }, input: 'Burglary', out: 'Burglary' },
      { what: 'non-text targets', args: { values: { Y: true, '1': 1 } }, input: 'y', out: true },
      { what: 'list', args: { values: { A: 'a', B: 'b' } }, input: ['a', 'B'], out: ['a', 'b'] },
    ],
    error: [{ what: 'not listed, no default', args: { values: { SHOOTING: 'shooting' } }, input: 'burglary', fail: 'HUB_ERR_RECORD_ENUM' }],
  },
  lookup: {
    normal: [
      { what: 'a synonym', args: { table: 'ncic-make' }, input: 'Smith and Wesson', out: MAKE_SW },
      { what: 'an examiner\'s HK is Heckler & Koch in text mode', args: { table: 'ncic-make' }, input: 'HK', out: { code: 'HEC', system: 'NCIC-MAK', text: 'HK' } },
      { what: 'a caliber keeps the cartridge the synonym table names', args: { table: 'ncic-caliber' }, input: '40 S&W', out: { code: '40', system: 'NCIC-CAL', text: '40 S&W', cartridge: '.40 S&W' } },
    ],
    edge: [
      { what: 'code mode: only the exact code (HK is Hong Kong)', args: { table: 'ncic-make', mode: 'code' }, input: 'HK', out: { code: 'HK', system: 'NCIC-MAK', text: 'HK' } },
      { what: 'white space only: empty', args: { table: 'ncic-make' }, input: '   ', out: undefined },
      { what: 'list', args: { table: 'ncic-make' }, input: ['S&W', 'SW'], out: [{ code: 'SW', system: 'NCIC-MAK', text: 'S&W' }, { code: 'SW', system: 'NCIC-MAK', text: 'SW' }] },
      {
        what: 'unknown with onUnknown warn: kept with code null, warned and counted',
        args: { table: 'ncic-make' },
        input: 'Zzyzx Arms',
        out: { code: null, system: 'NCIC-MAK', text: 'Zzyzx Arms' },
        warn: 'HUB_ERR_CODE_UNKNOWN',
        unknown: ['ncic-make', 'Zzyzx Arms'],
      },
    ],
    error: [
      { what: 'unknown with onUnknown error', args: { table: 'ncic-make', onUnknown: 'error' }, input: 'Zzyzx Arms', fail: 'HUB_ERR_CODE_UNKNOWN', unknown: ['ncic-make', 'Zzyzx Arms'] },
      { what: 'code mode does not read text', args: { table: 'ncic-make', mode: 'code', onUnknown: 'error' }, input: 'Smith and Wesson', fail: 'HUB_ERR_CODE_UNKNOWN', unknown: ['ncic-make', 'Smith and Wesson'] },
      { what: 'an unknown table', args: { table: 'ncic-maek' }, input: 'x', throws: /unknown code table "ncic-maek"/ },
    ],
  },
  coded: {
    normal: [{ what: 'a local code', args: { system: 'NIBRS-OFFENSE' }, input: '13A', out: { code: '13A', system: 'NIBRS-OFFENSE', text: '13A' } }],
    edge: [
      { what: 'the code is trimmed', args: { system: 'CT-OFFENSE' }, input: ' 53a-217 ', out: { code: '53a-217', system: 'CT-OFFENSE', text: ' 53a-217 ' } },
      { what: 'list', args: { system: 'S' }, input: ['A', 'B'], out: [{ code: 'A', system: 'S', text: 'A' }, { code: 'B', system: 'S', text: 'B' }] },
    ],
    error: { cannotFail: 'any text can be wrapped' },
  },
  serial: {
    normal: [{ what: 'normalized, raw kept', input: 'abc-123 45', out: { raw: 'abc-123 45', normalized: 'ABC12345', obliterated: false, restored: false } }],
    edge: [
      { what: 'obliterated', input: 'OBLITERATED', out: { raw: 'OBLITERATED', normalized: '', obliterated: true, restored: false } },
      { what: 'list', input: ['a-1', 'b 2'], out: [
        { raw: 'a-1', normalized: 'A1', obliterated: false, restored: false },
        { raw: 'b 2', normalized: 'B2', obliterated: false, restored: false },
      ] },
    ],
    error: { cannotFail: 'any text is some serial, possibly obliterated' },
  },
};

let env: CompileEnv;
const SITE: FieldSite = { field: 'f', source: 'COL' };

beforeAll(async () => {
  env = { codeTables: await loadCodeTables(), timezone: 'America/New_York' };
});

function opSpec(name: string, args: unknown): OpSpec {
  return args === undefined ? name : { [name]: args };
}

function runCase(name: string, c: Case): void {
  const def = OPERATIONS_BY_NAME.get(name)!;
  if (c.throws) {
    expect(() => def.compile(c.args, env)).toThrow(c.throws);
    // The compiler turns the same problem into a located MappingCompileError.
    expect(() => compileOps([opSpec(name, c.args)], env, ['fields', 'x'])).toThrow(c.throws);
    return;
  }
  const run = new RunContext(c.tz ?? 'America/New_York');
  // Lists reach elementwise operations through the compiler's wrapper, as in a real mapping.
  const fn = Array.isArray(c.input) && def.elementwise ? compileOps([opSpec(name, c.args)], env, [])[0]! : def.compile(c.args, env);
  const result = fn(c.input, run, SITE);
  if (c.fail) {
    expect(result).toBe(FAIL);
    expect(run.errors).toHaveLength(1);
    const e = run.errors[0]!;
    expect(e.code).toBe(c.fail);
    expect(e.class).toBe('record');
    expect(e.field).toBe('f');
    expect(e.pointer).toEqual({ column: 'COL' });
    if (typeof c.input === 'string' || typeof c.input === 'number') expect(e.value).toBe(String(c.input));
    expect(e.message).not.toMatch(/\{\w+\}/); // every placeholder of the message filled
  } else {
    expect(result).toStrictEqual(c.out);
    expect(run.errors).toEqual([]);
  }
  if (c.warn) {
    expect(run.warnings.map((w) => w.code)).toEqual([c.warn]);
    expect(run.warnings[0]!.pointer).toEqual({ column: 'COL' });
  } else expect(run.warnings).toEqual([]);
  if (c.unknown) {
    const [table, value] = c.unknown;
    expect([...run.unknownCodes.keys()]).toEqual([table]);
    expect(run.unknownCodes.get(table)!.get(value)).toBe(1);
  } else expect(run.unknownCodes.size).toBe(0);
}

describe('operation table', () => {
  it('has a normal, an edge and an error case (or a reason it cannot fail) for every operation', () => {
    const missing: string[] = [];
    for (const op of OPERATIONS) {
      const c = CASES[op.name];
      if (!c) {
        missing.push(`${op.name}: no cases`);
        continue;
      }
      if (c.normal.length === 0) missing.push(`${op.name}: no normal case`);
      if (c.edge.length === 0) missing.push(`${op.name}: no edge case`);
      if (Array.isArray(c.error) ? c.error.length === 0 : !c.error.cannotFail) missing.push(`${op.name}: no error case`);
      if (op.elementwise && !c.edge.some((e) => Array.isArray(e.input))) missing.push(`${op.name}: elementwise but no list case`);
    }
    expect(missing).toEqual([]);
    expect(Object.keys(CASES).filter((n) => !OPERATIONS_BY_NAME.has(n))).toEqual([]);
  });

  it('has unique operation names', () => {
    expect(OPERATIONS_BY_NAME.size).toBe(OPERATIONS.length);
  });
});

for (const op of OPERATIONS) {
  describe(`op ${op.name}`, () => {
    const c = CASES[op.name];
    if (!c) return; // reported by the table test
    const all = [
      ...c.normal.map((x) => ['normal', x] as const),
      ...c.edge.map((x) => ['edge', x] as const),
      ...(Array.isArray(c.error) ? c.error.map((x) => ['error', x] as const) : []),
    ];
    for (const [kind, x] of all) {
      it(`${kind}: ${x.what}`, () => runCase(op.name, x));
    }

    it('leaves an absent value absent, reporting nothing', () => {
      const args = [...c.normal, ...c.edge].find((x) => x.args !== undefined)?.args;
      const run = new RunContext('America/New_York');
      expect(op.compile(args, env)(undefined, run, SITE)).toBeUndefined();
      expect(run.errors).toEqual([]);
      expect(run.warnings).toEqual([]);
    });

    it('compiles its documented example', () => {
      const spec = (parseYaml(`ops:\n  ${op.example}`) as { ops: OpSpec[] }).ops;
      expect(spec).toHaveLength(1);
      const name = typeof spec[0] === 'string' ? spec[0] : Object.keys(spec[0]!)[0];
      expect(name).toBe(op.name);
      expect(compileOps(spec, env, [])).toHaveLength(1);
      expect(op.summary.length).toBeGreaterThan(10);
      expect(op.exampleResult).toContain('->');
    });
  });
}

describe('elementwise application', () => {
  it('skips empty elements and stops the list at the first failing element with one error', () => {
    const [fn] = compileOps(['number'], env, []);
    const run = new RunContext('America/New_York');
    expect(fn!(['1', '', null, '3'], run, SITE)).toEqual([1, 3]);
    expect(fn!(['x', 'y'], run, SITE)).toBe(FAIL);
    expect(run.errors.map((e) => e.value)).toEqual(['x']);
  });

  it('hands the whole list to operations that are not elementwise', () => {
    const [fn] = compileOps([{ join: { separator: '+' } }], env, []);
    expect(fn!(['a', 'b'], new RunContext('America/New_York'), SITE)).toBe('a+b');
  });

  it('locates a compile-time problem at the operation inside the mapping', () => {
    let err: unknown;
    try {
      compileOps(['trim', { regexExtract: { pattern: '(' } }], env, ['records', 0, 'fields', 'itemNumber']);
    } catch (e) {
      err = e;
    }
    expect((err as { name: string }).name).toBe('MappingCompileError');
    expect((err as { path: unknown[] }).path).toEqual(['records', 0, 'fields', 'itemNumber', 'ops', 1, 'regexExtract']);
  });

  it('refuses an operation that does not exist', () => {
    expect(() => compileOps(['trimm'], env, ['f'])).toThrow('unknown operation "trimm"');
  });
});

describe('lookup counting', () => {
  it('counts each unknown value per table across records of one run', () => {
    const run = new RunContext('America/New_York');
    const make = OPERATIONS_BY_NAME.get('lookup')!.compile({ table: 'ncic-make' }, env);
    const caliber = OPERATIONS_BY_NAME.get('lookup')!.compile({ table: 'ncic-caliber' }, env);
    make('Zzyzx Arms', run, SITE);
    run.reset({ row: 2 });
    make('Zzyzx Arms', run, SITE);
    caliber('.999 Blaster', run, SITE);
    expect(run.warnings).toHaveLength(2); // the first record's warning was reset with the record
    expect(Object.fromEntries([...run.unknownCodes].map(([t, m]) => [t, Object.fromEntries(m)]))).toEqual({
      'ncic-make': { 'Zzyzx Arms': 2 },
      'ncic-caliber': { '.999 Blaster': 1 },
    });
  });
});
