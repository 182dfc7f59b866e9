/**
 * The cartridge sample (fixtures/cartridges/designations.csv, see its README): real SAAMI and CIP
 * cartridge designations, each with the one NCIC CAL code that fits it or none. The caliber table must
 * resolve at least 95% of the designations that have a code, to that code, with the text kept; give
 * no wrong code; and leave every designation without a single fitting code null, reported.
 * The figures are held exactly, so that a change to the tables that moves them is seen and reviewed.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCodeTables, type CodeTable, type LookupResult } from '../../../src/codes/index.ts';
import { OPERATIONS_BY_NAME } from '../../../src/mapping/ops/index.ts';
import { RunContext } from '../../../src/mapping/runtime.ts';
import { ncicJson } from './ncic-data.ts';

interface Row {
  designation: string;
  expected_code: string;
  note: string;
}

const SAMPLE = new URL('../../../fixtures/cartridges/designations.csv', import.meta.url);
const rows = parse(readFileSync(SAMPLE), { columns: true, skip_empty_lines: true }) as Row[];

let caliber: CodeTable;
let results: { row: Row; r: LookupResult }[];
beforeAll(async () => {
  const tables = await loadCodeTables();
  caliber = tables.get('ncic-caliber')!;
  results = rows.map((row) => ({ row, r: caliber.lookup(row.designation) }));
});

function figures() {
  const fitting = results.filter((x) => x.row.expected_code !== '');
  const none = results.filter((x) => x.row.expected_code === '');
  const resolved = fitting.filter((x) => x.r.value.code === x.row.expected_code && x.r.value.text === x.row.designation.trim());
  const wrong = results.filter((x) => x.r.value.code !== null && x.r.value.code !== x.row.expected_code);
  const missed = fitting.filter((x) => x.r.value.code === null);
  const leftNull = none.filter((x) => !x.r.ok);
  const ambiguous = leftNull.filter((x) => !x.r.ok && x.r.reason === 'ambiguous');
  const unknown = leftNull.filter((x) => !x.r.ok && x.r.reason === 'unknown');
  const withCartridge = resolved.filter((x) => x.r.value.cartridge !== undefined);
  return { fitting, none, resolved, wrong, missed, leftNull, ambiguous, unknown, withCartridge };
}

describe('the cartridge sample', () => {
  it('holds at least 200 real designations, each once, each expected code an NCIC CAL code, each with a note', () => {
    expect(rows.length).toBeGreaterThanOrEqual(200);
    expect(new Set(rows.map((r) => r.designation)).size).toBe(rows.length);
    const cal = ncicJson('CAL');
    expect(rows.filter((r) => r.expected_code !== '' && !(r.expected_code in cal))).toEqual([]);
    expect(rows.filter((r) => r.note.trim() === '')).toEqual([]);
    // Both kinds are there: names with a fitting code, and names with none.
    expect(rows.filter((r) => r.expected_code === '').length).toBeGreaterThanOrEqual(30);
  });

  it('resolves the names that have a code (at least 95%, text kept), gives no wrong code, leaves the rest null', () => {
    const f = figures();
    const share = f.resolved.length / f.fitting.length;
    console.log(
      `cartridge sample: ${rows.length} designations; ${f.fitting.length} with a fitting NCIC CAL code: ` +
        `${f.resolved.length} resolved (${(share * 100).toFixed(1)}%, text kept, ${f.withCartridge.length} with the cartridge named), ` +
        `${f.missed.length} left null; wrong codes: ${f.wrong.length}; ` +
        `${f.none.length} with no single fitting code: ${f.leftNull.length} left null and reported ` +
        `(${f.ambiguous.length} ambiguous, ${f.unknown.length} unknown)`,
    );
    console.log(`  ambiguous: ${f.ambiguous.map((x) => `${x.row.designation} [${!x.r.ok ? x.r.candidates?.join(' ') : ''}]`).join('; ')}`);
    if (f.missed.length > 0) console.log(`  missed: ${f.missed.map((x) => x.row.designation).join('; ')}`);

    expect(f.wrong.map((x) => `${x.row.designation} -> ${x.r.value.code} (expected ${x.row.expected_code || 'none'})`)).toEqual([]);
    expect(share).toBeGreaterThanOrEqual(0.95);
    expect(f.leftNull.length).toBe(f.none.length);
    // The figures, held: a change to the tables that moves them must update them here and in the docs.
    expect({
      designations: rows.length,
      fitting: f.fitting.length,
      resolved: f.resolved.length,
      wrong: f.wrong.length,
      noSingleCode: f.none.length,
      ambiguous: f.ambiguous.length,
      unknown: f.unknown.length,
      withCartridge: f.withCartridge.length,
    }).toEqual({
      designations: 275,
      fitting: 223,
      resolved: 223,
      wrong: 0,
      noSingleCode: 52,
      ambiguous: 8,
      unknown: 44,
      withCartridge: 218,
    });
  });

  it('through the lookup operation: each coded value keeps the text and the cartridge, each null one is counted and warned', () => {
    const op = OPERATIONS_BY_NAME.get('lookup')!.compile({ table: 'ncic-caliber' }, { codeTables: { get: () => caliber, names: () => ['ncic-caliber'] }, timezone: 'UTC' });
    const run = new RunContext('UTC');
    const values = rows.map((row) => op(row.designation, run, { field: 'caliber', source: 'CALIBER' }));
    const f = figures();
    values.forEach((v, i) => {
      const { r } = results[i]!;
      expect(v, rows[i]!.designation).toEqual(r.value);
    });
    expect(values.filter((v) => (v as { cartridge?: string }).cartridge !== undefined).length).toBeGreaterThanOrEqual(f.withCartridge.length);
    const reported = run.unknownCodes.get('ncic-caliber') ?? new Map<string, number>();
    expect([...reported.keys()].sort()).toEqual(f.leftNull.map((x) => x.row.designation).sort());
  });
});
