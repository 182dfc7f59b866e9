/**
 * Error pointers of rms-rest-json: golden cases (tests/*.test.yaml) compare only error codes, so the
 * JSON pointer each error points at is asserted here, on the same inputs (the golden cases' inline text).
 */
import { describe, expect, it } from 'vitest';
import { runGoldenCase, type GoldenCaseRun } from '../../test/support/golden-case.ts';

const run = (caseName: string): Promise<GoldenCaseRun> => runGoldenCase('rms-rest-json', caseName);

describe('rms-rest-json error pointers', () => {
  it('missing report_number: the Case error points at /data/0/report_number', async () => {
    const { invalid } = await run('missing-report-number');
    expect(invalid.map((i) => i.row)).toEqual([1, 3]);
    expect(invalid[0]!.errors[0]).toMatchObject({
      code: 'HUB_ERR_RECORD_REQUIRED',
      field: 'agencyCaseNumber',
      pointer: { file: 'input', row: 1, jsonPointer: '/data/0/report_number' },
    });
  });

  // A field read from the enclosing record ($/ or ../) inside a forEach points at that record's path.
  it('missing report_number: the Firearm error points at the incident\'s report_number, not into the weapon', async () => {
    const { invalid } = await run('missing-report-number');
    expect(invalid[0]!.errors[1]).toMatchObject({ code: 'HUB_ERR_RECORD_REQUIRED', field: 'agencyCaseNumber' });
    expect(invalid[0]!.errors[1]!.pointer?.jsonPointer).toBe('/data/0/report_number');
  });

  it('a bad recovered_at points at the weapon that has it', async () => {
    const { invalid } = await run('missing-report-number');
    expect(invalid[1]!.errors).toHaveLength(1);
    expect(invalid[1]!.errors[0]).toMatchObject({
      code: 'HUB_ERR_RECORD_DATE',
      field: 'recoveredAt',
      pointer: { file: 'input', row: 3, jsonPointer: '/data/2/weapons/1/recovered_at' },
    });
  });

  it('unknown codes: warnings point at the typed words of the weapon', async () => {
    const { invalid, warnings } = await run('unknown-code');
    expect(invalid).toEqual([]);
    expect(warnings.map((w) => [w.code, w.field, w.pointer?.jsonPointer])).toEqual([
      ['HUB_ERR_CODE_UNKNOWN', 'make', '/data/0/weapons/0/make'],
      ['HUB_ERR_CODE_UNKNOWN', 'caliber', '/data/0/weapons/0/caliber'],
    ]);
  });

  it('every recovered weapon becomes a Firearm, however many; an unrecovered one none', async () => {
    const { invalid, records } = await run('many-weapons');
    expect(invalid).toHaveLength(0);
    expect(records.filter((r) => r.type === 'Firearm').map((r) => r.agencyItemNumber)).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9', '10', '11', '1', '3']);
  });
});
