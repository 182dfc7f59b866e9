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

describe('XML: ".." is the parent element, "present" means an element with content', () => {
  it('routes per repeated element and reads the enclosing element', async () => {
    const xml = `<e:X xmlns:e="urn:x"><e:Case n="L1"><e:Sub ori="CT0006400" case="24-1"><e:Item n="1"><e:Gun><e:Make>S&amp;W</e:Make></e:Gun></e:Item><e:Item n="2"/></e:Sub></e:Case></e:X>`;
    const r = await mapText(
      {
        id: 't',
        version: 1,
        direction: 'inbound',
        namespaces: { l: 'urn:x' },
        source: { format: 'xml', xml: { record: '//l:Case' } },
        records: [
          {
            type: 'Firearm',
            forEach: 'l:Sub/l:Item',
            when: { field: 'l:Gun', present: true },
            fields: { labCaseNumber: '$/@n', itemNumber: '@n', agencyOri: '../@ori', agencyCaseNumber: '../@case', make: { from: 'l:Gun/l:Make', ops: [{ lookup: { table: 'ncic-make' } }] } },
          },
        ],
      },
      xml,
      { file: 'x.xml' },
    );
    expect(r.invalid).toEqual([]);
    expect(r.records.map(fieldsOf)).toEqual([
      { labCaseNumber: 'L1', itemNumber: '1', agencyOri: 'CT0006400', agencyCaseNumber: '24-1', make: { code: 'SW', system: 'NCIC-MAK', text: 'S&W' } },
    ]);
  });
});
