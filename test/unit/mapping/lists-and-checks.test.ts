import { describe, expect, it } from 'vitest';
import type { MappingSpec } from '../../../src/mapping/spec.ts';
import { fieldsOf, mapText } from './helpers.ts';

const spec = (records: MappingSpec['records']): MappingSpec => ({ id: 't', version: 1, direction: 'inbound', source: { format: 'csv' }, records });

describe('forEach "." and record checks', () => {
  it('forEach "." builds a one-element list of objects from a CSV row', async () => {
    const r = await mapText(
      spec([
        {
          type: 'LabCase',
          fields: {
            labCaseNumber: 'LAB',
            agencies: { forEach: '.', fields: { ori: 'ORI', agencyCaseNumber: 'CASE' } },
            submissions: { forEach: '.', fields: { submissionNumber: 'SUB' } },
          },
        },
      ]),
      'LAB,ORI,CASE,SUB\nL1,CT0006400,24-1,\n',
    );
    expect(r.invalid).toEqual([]);
    expect(fieldsOf(r.records[0]!)).toEqual({ labCaseNumber: 'L1', agencies: [{ ori: 'CT0006400', agencyCaseNumber: '24-1' }] });
  });

  it('a failing check makes the row invalid though the value is written nowhere', async () => {
    const r = await mapText(
      spec([
        {
          type: 'BallisticAcquisition',
          when: { not: { field: 'NIBIN', equals: 'N' } },
          checks: { nibinEntered: { from: 'NIBIN', ops: [{ boolean: { true: ['Y'], false: ['N'] } }] } },
          fields: { ibisCaseId: 'IBIS', ibisExhibitId: 'EX' },
        },
      ]),
      'NIBIN,IBIS,EX\nY,IB1,CC01\nN,,\nX,IB3,CC01\n',
    );
    expect(r.records.map((x) => x.key)).toEqual(['IB1|CC01']);
    expect(r.records[0]).not.toHaveProperty('nibinEntered');
    expect(r.invalid.map((i) => [i.row, i.errors.map((e) => [e.code, e.pointer?.column])])).toEqual([[3, [['HUB_ERR_RECORD_BOOLEAN', 'NIBIN']]]]);
    expect(r.summary).toMatchObject({ rowsRead: 3, rowsMapped: 2, rowsInvalid: 1 });
  });
});
