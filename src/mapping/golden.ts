/**
 * Golden tests of mappings: an input fixture and what the mapping must make of it.
 *
 * A case is `mappings/<id>/tests/<name>.test.yaml`:
 *   description: what the case shows
 *   input: { file: <path relative to the case> } | { text: <inline source> } | { document: <inline JSON, outbound> }
 *   timezone: America/New_York        # optional: the agency's time zone
 *   agency: CT0015100                 # optional: the connector's agency ({ context: agency.ori }; other agencies' records refused)
 *   allowOtherAgencies: true          # optional: with agency, accept other agencies' records (a lab's feed)
 *   expect:                           # optional; without it the sidecar <name>.expected.json is the expectation
 *     records: [...]                  #   exactly these canonical records
 *     invalid: [{ row: 3, codes: [HUB_ERR_RECORD_DATE] }]   # exactly these invalid rows
 *     retractions: [{ row: 2, action: delete, sourceRecordId: X }]  # exactly these replace/delete instructions
 *     summary: { rowsRead: 4 }        #   these summary figures (others not checked)
 *     output: "..."                   #   outbound: exactly this text
 *     errors: [HUB_ERR_RECORD_REQUIRED]  # outbound: exactly these error codes
 * Provenance is made deterministic: receivedAt is 2026-01-01T00:00:00.000Z and the file is the input's name.
 * `cgic test --update` rewrites the sidecars from the current output: review the diff before committing.
 * A case file is read as every YAML file a person supplies is (`YamlSource`): one that cannot be read
 * (a YAML error, nesting past 100 levels, an alias bomb), or has a key this header does not name, is a
 * located problem, and no case runs.
 */
import { readFileSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { Readable } from 'node:stream';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { ConfigProblems, newAjv, schemaProblems, YamlSource, type ConfigProblem } from '../config/problems.ts';
import { findMappingFiles, loadMappingFile, type Mapping } from './load.ts';
import { emptySummary, mapStream, type InvalidSource, type MapSummary, type Retraction } from './run.ts';
import { InboundMapping, type MappedRecord } from './inbound.ts';
import { RunContext } from './runtime.ts';

export const GOLDEN_RECEIVED_AT = '2026-01-01T00:00:00.000Z';

export interface GoldenCase {
  file: string;
  name: string;
  description?: string;
  input: { file?: string; text?: string; document?: unknown };
  timezone?: string;
  agency?: string;
  allowOtherAgencies?: boolean;
  expect?: {
    records?: unknown[];
    invalid?: { row: number; codes: string[] }[];
    retractions?: { row: number; action: string; sourceRecordId: string }[];
    summary?: Partial<MapSummary>;
    output?: string;
    errors?: string[];
  };
}

export interface GoldenResult {
  mapping: string;
  case: string;
  file: string;
  passed: boolean;
  failures: string[];
  updated?: boolean;
}

interface Actual {
  records?: MappedRecord[];
  invalid?: { row: number; codes: string[] }[];
  retractions?: { row: number; action: string; sourceRecordId: string }[];
  summary?: MapSummary;
  output?: string;
  errors?: string[];
}

export function findCases(mappingFile: string): string[] {
  const dir = path.join(path.dirname(mappingFile), 'tests');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.test.yaml'))
    .sort()
    .map((f) => path.join(dir, f));
}

function sidecarOf(caseFile: string): string {
  return caseFile.replace(/\.test\.yaml$/, '.expected.json');
}

async function runCase(mapping: Mapping, c: GoldenCase): Promise<Actual> {
  const base = path.dirname(c.file);
  if (mapping instanceof InboundMapping) {
    const bytes = c.input.file !== undefined ? readFileSync(path.resolve(base, c.input.file)) : Buffer.from(c.input.text ?? '', 'utf8');
    const fileName = c.input.file !== undefined ? path.basename(c.input.file) : 'input';
    const summary = emptySummary();
    const records: MappedRecord[] = [];
    const invalid: InvalidSource[] = [];
    const retractions: Retraction[] = [];
    for await (const b of mapStream(mapping, Readable.from([bytes]), summary, {
      file: fileName,
      timezone: c.timezone,
      receivedAt: GOLDEN_RECEIVED_AT,
      ...(c.agency ? { agency: { ori: c.agency, ...(c.timezone ? { timeZone: c.timezone } : {}) }, allowOtherAgencies: c.allowOtherAgencies === true } : {}),
    })) {
      records.push(...b.records);
      invalid.push(...b.invalid);
      retractions.push(...b.retractions);
    }
    const actual: Actual = { records, invalid: invalid.map((i) => ({ row: i.row, codes: i.errors.map((e) => e.code) })), summary };
    if (retractions.length) actual.retractions = retractions.map((r) => ({ row: r.row, action: r.action, sourceRecordId: r.sourceRecordId }));
    return actual;
  }
  const doc = c.input.document !== undefined ? c.input.document : JSON.parse(readFileSync(path.resolve(base, c.input.file!), 'utf8'));
  const run = new RunContext(c.timezone ?? mapping.spec.timezone ?? 'America/New_York');
  const r = mapping.render(doc, run);
  return { output: r.body, errors: r.errors.map((e) => e.code) };
}

/** The first difference between two values, as `path: expected X, got Y`. */
export function firstDifference(expected: unknown, actual: unknown, at = ''): string | null {
  if (isDeepStrictEqual(expected, actual)) return null;
  if (Array.isArray(expected) && Array.isArray(actual)) {
    for (let i = 0; i < Math.max(expected.length, actual.length); i++) {
      if (i >= expected.length) return `${at}/${i}: unexpected extra element ${short(actual[i])}`;
      if (i >= actual.length) return `${at}/${i}: missing element ${short(expected[i])}`;
      const d = firstDifference(expected[i], actual[i], `${at}/${i}`);
      if (d) return d;
    }
  }
  if (expected && actual && typeof expected === 'object' && typeof actual === 'object' && !Array.isArray(expected) && !Array.isArray(actual)) {
    const keys = new Set([...Object.keys(expected), ...Object.keys(actual)]);
    for (const k of keys) {
      const e = (expected as Record<string, unknown>)[k];
      const a = (actual as Record<string, unknown>)[k];
      if (!(k in expected)) return `${at}/${k}: unexpected ${short(a)}`;
      if (!(k in actual)) return `${at}/${k}: missing (expected ${short(e)})`;
      const d = firstDifference(e, a, `${at}/${k}`);
      if (d) return d;
    }
  }
  return `${at || '/'}: expected ${short(expected)}, got ${short(actual)}`;
}

function short(v: unknown): string {
  const s = JSON.stringify(v);
  return s === undefined ? 'nothing' : s.length > 160 ? s.slice(0, 157) + '...' : s;
}

function compare(expect: NonNullable<GoldenCase['expect']>, actual: Actual): string[] {
  const failures: string[] = [];
  const check = (what: string, e: unknown, a: unknown): void => {
    const d = firstDifference(e, a, what);
    if (d) failures.push(d);
  };
  if (expect.records !== undefined) check('records', expect.records, actual.records);
  if (expect.invalid !== undefined) check('invalid', expect.invalid, actual.invalid);
  if (expect.retractions !== undefined) check('retractions', expect.retractions, actual.retractions ?? []);
  if (expect.summary !== undefined) {
    for (const [k, v] of Object.entries(expect.summary)) check(`summary/${k}`, v, (actual.summary as unknown as Record<string, unknown> | undefined)?.[k]);
  }
  if (expect.output !== undefined) {
    if (expect.output !== actual.output) {
      const el = expect.output.split('\n');
      const al = (actual.output ?? '').split('\n');
      const i = el.findIndex((l, j) => l !== al[j]);
      const line = i === -1 ? el.length : i;
      failures.push(`output line ${line + 1}: expected ${JSON.stringify(el[line] ?? '')}, got ${JSON.stringify(al[line] ?? '')}`);
    }
  }
  if (expect.errors !== undefined) check('errors', expect.errors, actual.errors);
  return failures;
}

/**
 * The keys a case file may have (the header of this file). Unknown keys are refused: a misspelt
 * `expect` key (`recrods:`) was ignored, and its case passed whatever the mapping made.
 */
const CASE_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['input'],
  properties: {
    description: { type: 'string' },
    input: {
      type: 'object',
      additionalProperties: false,
      minProperties: 1,
      properties: { file: { type: 'string', minLength: 1 }, text: { type: 'string' }, document: {} },
    },
    timezone: { type: 'string', minLength: 1 },
    agency: { type: 'string', minLength: 1 },
    allowOtherAgencies: { type: 'boolean' },
    expect: {
      type: 'object',
      additionalProperties: false,
      properties: {
        records: { type: 'array' },
        invalid: {
          type: 'array',
          items: { type: 'object', additionalProperties: false, required: ['row', 'codes'], properties: { row: { type: 'integer', minimum: 1 }, codes: { type: 'array', items: { type: 'string' } } } },
        },
        retractions: { type: 'array', items: { type: 'object' } },
        summary: { type: 'object' },
        output: { type: 'string' },
        errors: { type: 'array', items: { type: 'string' } },
      },
    },
  },
} as const;

const EXPECT_KEYS: readonly string[] = Object.keys(CASE_SCHEMA.properties.expect.properties);

/** Where a case file's problems send its author. */
const GOLDEN_HINT = 'docs/mapping-language.md, "Lock it in with golden tests": a case has description, input ({ file }, { text } or { document }), timezone, agency, allowOtherAgencies and expect (records, invalid, retractions, summary, output, errors)';

let validateCase: ReturnType<ReturnType<typeof newAjv>['compile']> | null = null;

/** A case file's case, or the problems that keep it from being read (each at its line and column). */
function readCase(cf: string): { case?: GoldenCase; problems: ConfigProblem[] } {
  const file = path.relative(process.cwd(), cf) || cf;
  const src = new YamlSource(file, readFileSync(cf));
  const yamlProblems = src.yamlProblems();
  if (yamlProblems.length) return { problems: yamlProblems };
  const values = src.toJS();
  if (!isObject(values)) {
    const message = `must be a mapping of keys to values (description, input, expect...), not ${values === null || values === undefined ? 'empty' : Array.isArray(values) ? 'a list' : typeof values}`;
    return { problems: [{ code: 'HUB_ERR_MAPPING_SCHEMA', file, line: 1, col: 1, pointer: '', message, hint: GOLDEN_HINT }] };
  }
  validateCase ??= newAjv().compile(CASE_SCHEMA);
  if (!validateCase(values)) return { problems: schemaProblems(src, validateCase.errors ?? []).map((p) => ({ ...p, hint: p.hint || GOLDEN_HINT })) };
  const inputs = Object.keys(values.input as object);
  if (inputs.length > 1) {
    const at = src.locate(['input']);
    return { problems: [{ code: 'HUB_ERR_MAPPING_SCHEMA', file, line: at.line, col: at.col, pointer: '/input', message: `has ${inputs.join(' and ')}: a case reads one input`, hint: GOLDEN_HINT }] };
  }
  return { case: { ...(values as Omit<GoldenCase, 'file' | 'name'>), file: cf, name: path.basename(cf, '.test.yaml') }, problems: [] };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Run the golden cases of the mappings under `target` (all of mappings/, a folder, or one case file).
 * Throws `ConfigProblems` for a mapping that does not load, and for case files that cannot be read:
 * every case file is read before any case runs, and all their problems are listed together.
 */
export async function runGoldenTests(target?: string, opts: { update?: boolean } = {}): Promise<GoldenResult[]> {
  const results: GoldenResult[] = [];
  let files: string[];
  let only: string | null = null;
  if (target && target.endsWith('.test.yaml')) {
    only = path.resolve(target);
    files = [path.join(path.dirname(path.dirname(only)), 'mapping.yaml')];
  } else files = findMappingFiles(target ? path.resolve(target) : undefined);
  const runs: { mapping: Mapping; cases: GoldenCase[] }[] = [];
  const problems: ConfigProblem[] = [];
  for (const mf of files) {
    const mapping = await loadMappingFile(mf);
    const cases: GoldenCase[] = [];
    for (const cf of findCases(mf)) {
      if (only && path.resolve(cf) !== only) continue;
      const read = readCase(cf);
      for (const p of read.problems) problems.push(p);
      if (read.case) cases.push(read.case);
    }
    runs.push({ mapping, cases });
  }
  if (problems.length) throw new ConfigProblems(problems);
  for (const { mapping, cases } of runs) {
    for (const c of cases) {
      const { file: cf, name } = c;
      const res: GoldenResult = { mapping: mapping.label, case: name, file: path.relative(process.cwd(), cf), passed: false, failures: [] };
      try {
        const actual = await runCase(mapping, c);
        const sidecar = sidecarOf(cf);
        if (c.expect) {
          res.failures = compare(c.expect, actual);
        } else if (opts.update) {
          writeFileSync(sidecar, JSON.stringify(actual, null, 2) + '\n');
          res.updated = true;
        } else if (!existsSync(sidecar)) {
          res.failures = [`no expectation: add expect: to the case or run \`cgic test --update ${path.relative(process.cwd(), cf)}\` and review ${path.basename(sidecar)}`];
        } else {
          const expected = JSON.parse(readFileSync(sidecar, 'utf8')) as NonNullable<GoldenCase['expect']>;
          const unknown = isObject(expected) ? Object.keys(expected).filter((k) => !EXPECT_KEYS.includes(k)) : ['(not an object)'];
          res.failures = unknown.length
            ? [`${path.basename(sidecar)}: unknown key ${unknown.map((k) => JSON.stringify(k)).join(', ')}; an expectation has ${EXPECT_KEYS.join(', ')}`]
            : compare(expected, actual);
        }
      } catch (err) {
        res.failures = [(err as Error).message];
      }
      res.passed = res.failures.length === 0;
      results.push(res);
    }
  }
  return results;
}
