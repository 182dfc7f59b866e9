import { describe, expect, it } from 'vitest';
import { screenUnstorable, unstorableField } from '../../../src/pipeline/unstorable.ts';
import type { MappedBatch } from '../../../src/mapping/run.ts';
import type { MappedRecord } from '../../../src/mapping/inbound.ts';

function rec(type: string, fields: Record<string, unknown>, ref: object): MappedRecord {
  return { type, id: 'x', key: 'k', classification: 'cji', version: 1, sourceRefs: [ref as MappedRecord['sourceRefs'][0]], ...fields };
}

describe('text the store cannot hold', () => {
  it('finds NUL and unpaired surrogates in nested fields, naming the field; paired surrogates and the envelope are fine', () => {
    expect(unstorableField({ a: 'ok', b: { c: ['x', 'y\u0000z'] } })).toEqual({ field: 'b.c.1', character: 'a NUL character (U+0000)' });
    expect(unstorableField({ town: 'Hart\ud800ford' })).toEqual({ field: 'town', character: 'an unpaired surrogate (U+D800-U+DFFF)' });
    expect(unstorableField({ town: 'end\udc00' })).toMatchObject({ field: 'town' });
    expect(unstorableField({ name: 'gun 🔫 emoji', n: 3, flag: true, none: null })).toBeUndefined();
    expect(unstorableField({ key: 'a\u0000b', id: '\u0000', sourceRefs: [{ file: '\u0000' }] })).toBeUndefined();
  });

  it('moves every record of a row carrying such text out of the batch, as one invalid row with a coded error and its pointer', () => {
    const row2 = { pointer: { file: 'x.csv', row: 2, line: 3 } };
    const row3 = { pointer: { file: 'x.csv', row: 3, line: 4 } };
    const batch: MappedBatch = {
      records: [rec('Case', { agencyCaseNumber: 'C-1' }, row2), rec('Case', { agencyCaseNumber: 'C-\u00002' }, row3), rec('LabCase', { labCaseNumber: 'L-1' }, row3)],
      invalid: [],
      warnings: [],
      retractions: [],
      rows: 2,
    };
    expect(screenUnstorable(batch)).toBe(1);
    expect(batch.records.map((r) => r.agencyCaseNumber ?? r.labCaseNumber)).toEqual(['C-1']);
    expect(batch.invalid).toHaveLength(1);
    expect(batch.invalid[0]).toMatchObject({ row: 3, pointer: { file: 'x.csv', row: 3, line: 4 }, errors: [{ code: 'HUB_ERR_RECORD_UNSTORABLE_CHARACTER', class: 'record', field: 'Case.agencyCaseNumber' }] });
    // What quarantine keeps shows the NUL as text, so the store can hold it.
    expect(batch.invalid[0]!.raw).toMatchObject({ type: 'Case', agencyCaseNumber: 'C-\\u00002' });
    expect(screenUnstorable(batch)).toBe(0);
  });
});
