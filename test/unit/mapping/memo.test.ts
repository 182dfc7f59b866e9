/**
 * Repeated values: a field's results are remembered per input text (ValueMemo), a condition keeps its
 * answer for the last text, a record keeps the id of its last key. None of it may change what a mapping
 * produces or reports: every repeated bad value is reported on every row, every unknown code counted.
 */
import { liveBytes } from '../../support/memory.ts';
import { describe, expect, it } from 'vitest';
import { MEMO_MAX_CHARS, MISS, RunContext, ValueMemo } from '../../../src/mapping/runtime.ts';
import { recordId } from '../../../src/canonical/keys.ts';
import type { MappingSpec, RecordSpec } from '../../../src/mapping/spec.ts';
import { inbound, mapText } from './helpers.ts';

function csvSpec(records: RecordSpec[]): MappingSpec {
  return { id: 'memo-test', version: 1, direction: 'inbound', timezone: 'America/New_York', source: { format: 'csv' }, records };
}

const ITEM: RecordSpec = {
  type: 'EvidenceItem',
  fields: {
    labCaseNumber: { from: 'LAB', ops: ['trim', 'upper'], required: true },
    itemNumber: { from: 'ITEM', required: true },
    caliber: { from: 'CAL', ops: [{ lookup: { table: 'ncic-caliber' } }] },
  },
};

const WITH_DATE: RecordSpec = {
  type: 'Case',
  fields: {
    agencyOri: { from: 'ORI', ops: ['trim', 'upper'] },
    agencyCaseNumber: { from: 'CASE', required: true },
    occurredAt: { from: 'WHEN', ops: [{ date: { formats: ['MM/dd/yyyy HH:mm'], timezone: 'agency' } }] },
  },
};

describe('repeated values', () => {
  it('reports a repeated bad date on every row, not only the first', async () => {
    const rows = Array.from({ length: 6 }, (_, i) => `CT0015100,C${i},13/45/2024 10:00`);
    const r = await mapText(csvSpec([WITH_DATE]), `ORI,CASE,WHEN\n${rows.join('\n')}\n`);
    expect(r.invalid.map((x) => x.row)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(r.invalid.every((x) => x.errors[0]!.code === 'HUB_ERR_RECORD_DATE')).toBe(true);
    expect(r.invalid.map((x) => x.errors[0]!.pointer?.row)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('counts a repeated unknown code once per row and warns on each', async () => {
    const rows = Array.from({ length: 5 }, (_, i) => `L1,${i + 1},PLASMA-9`);
    const r = await mapText(csvSpec([ITEM]), `LAB,ITEM,CAL\n${rows.join('\n')}\n`);
    expect(r.records).toHaveLength(5);
    expect(r.summary.unknownCodes).toEqual({ 'ncic-caliber': { 'PLASMA-9': 5 } });
    expect(r.warnings).toHaveLength(5);
  });

  it('gives the same date a different instant in another run time zone (the memo is per run)', async () => {
    const m = await inbound(csvSpec([WITH_DATE]));
    const text = 'ORI,CASE,WHEN\nCT0015100,C1,07/04/2024 10:00\nCT0015100,C2,07/04/2024 10:00\n';
    const east = await mapText(m, text, { timezone: 'America/New_York' });
    const west = await mapText(m, text, { timezone: 'America/Los_Angeles' });
    expect(east.records.map((x) => x.occurredAt)).toEqual(['2024-07-04T10:00:00-04:00', '2024-07-04T10:00:00-04:00']);
    expect(west.records.map((x) => x.occurredAt)).toEqual(['2024-07-04T10:00:00-07:00', '2024-07-04T10:00:00-07:00']);
  });

  it('changes a condition\'s answer when the value changes between rows', async () => {
    const spec = csvSpec([
      ITEM,
      { type: 'Firearm', when: { field: 'KIND', equals: 'FIREARM' }, fields: { labCaseNumber: { from: 'LAB' }, itemNumber: { from: 'ITEM' } } },
    ]);
    const r = await mapText({ ...spec }, 'LAB,ITEM,CAL,KIND\nL1,1,,FIREARM\nL1,2,,FIREARM\nL1,3,,BULLET\nL1,4,,firearm\n');
    expect(r.records.filter((x) => x.type === 'Firearm').map((x) => x.itemNumber)).toEqual(['1', '2', '4']);
  });

  it('gives each record the id of its own key when keys repeat and change', async () => {
    const r = await mapText(csvSpec([WITH_DATE]), 'ORI,CASE,WHEN\nCT0015100,C1,\nCT0015100,C1,\nCT0015100,C2,\nCT0015100,C1,\n');
    expect(r.records.map((x) => x.key.endsWith('C1'))).toEqual([true, true, false, true]);
    expect(r.records.map((x) => x.id)).toEqual(r.records.map((x) => recordId('Case', x.key)));
    expect(new Set(r.records.map((x) => x.id)).size).toBe(2);
  });
});

describe('ValueMemo', () => {
  it('returns what was kept for the same run and time zone, and nothing after either changes', () => {
    const memo = new ValueMemo();
    const run = new RunContext('America/New_York');
    expect(memo.get('a', run)).toBe(MISS);
    memo.set('a', 'A', run.effects, run);
    expect(memo.get('a', run)).toBe('A');
    run.timezone = 'America/Chicago';
    expect(memo.get('a', run)).toBe(MISS);
    memo.set('a', 'A2', run.effects, run);
    expect(memo.get('a', new RunContext('America/Chicago'))).toBe(MISS);
  });

  it('keeps no result whose evaluation reported something, and no object', () => {
    const memo = new ValueMemo();
    const run = new RunContext('UTC');
    expect(memo.get('x', run)).toBe(MISS);
    const before = run.effects;
    run.countUnknown('t', 'x');
    memo.set('x', 'X', before, run);
    expect(memo.get('x', run)).toBe(MISS);
    memo.set('y', { code: 'SW' }, run.effects, run);
    expect(memo.get('y', run)).toBe(MISS);
    memo.set('z', undefined, run.effects, run);
    expect(memo.get('z', run)).toBeUndefined();
  });

  it('stops remembering after the probe when fewer than one lookup in four hits', () => {
    const memo = new ValueMemo(1000, 100);
    const run = new RunContext('UTC');
    for (let i = 0; i < 100; i++) {
      if (memo.get(`v${i}`, run) === MISS) memo.set(`v${i}`, i, run.effects, run);
    }
    memo.set('kept', 1, run.effects, run);
    expect(memo.get('kept', run)).toBe(MISS);
  });

  it('holds at most its capacity', () => {
    const memo = new ValueMemo(3, 1000);
    const run = new RunContext('UTC');
    for (const v of ['a', 'b', 'c', 'd']) {
      memo.get(v, run);
      memo.set(v, v.toUpperCase(), run.effects, run);
    }
    expect(memo.get('d', run)).toBe('D');
    expect(memo.get('a', run)).toBe(MISS);
  });

  it('keeps its keys and texts without the larger strings they were cut from', () => {
    // A source value is a substring of the text it was parsed from (an XML slice of 64 KB), and V8 keeps
    // such a substring as a view that holds its whole parent alive. 40 parents of 1 MB each, one value
    // kept from each: the memo must hold 40 short strings, not 40 MB.
    const used = (): number => liveBytes({ external: true });
    const memo = new ValueMemo(1000, 1000);
    const run = new RunContext('UTC');
    const before = used();
    for (let i = 0; i < 40; i++) {
      const parent = `${String(i).padStart(8, '0')}${'0123456789'.repeat(100_000)}`;
      const value = parent.slice(0, 40); // what a field's text is: a view into the slice it was parsed from
      memo.get(value, run);
      memo.set(value, value.slice(0, 30), run.effects, run);
    }
    expect(memo.get(`${'00000039'}${'0123456789'.repeat(4)}`.slice(0, 40), run)).toBe(`${'00000039'}${'0123456789'.repeat(3)}`.slice(0, 30));
    expect(used() - before).toBeLessThan(4 * 2 ** 20);
  });

  it('keeps no text longer than MEMO_MAX_CHARS (a megabyte value is evaluated each time, not kept)', () => {
    const memo = new ValueMemo();
    const run = new RunContext('UTC');
    const long = 'x'.repeat(MEMO_MAX_CHARS + 1);
    const longest = 'y'.repeat(MEMO_MAX_CHARS);
    for (const v of [long, longest]) {
      expect(memo.get(v, run)).toBe(MISS);
      memo.set(v, 'kept', run.effects, run);
    }
    expect(memo.get(long, run)).toBe(MISS);
    expect(memo.get(longest, run)).toBe('kept');
  });
});
