/**
 * `source.recordId` and `source.action`: the source's own id of each source record goes into its
 * records' provenance; a delete produces a retraction instead of records; a replace produces both;
 * an instruction the mapping does not know, or a replace/delete without an id, quarantines the row.
 */
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ConfigProblems } from '../../../src/config/problems.ts';
import { HubError } from '../../../src/errors/hub-error.ts';
import { emptySummary, mapStream, type MappedBatch, type Retraction } from '../../../src/mapping/run.ts';
import type { MappingSpec } from '../../../src/mapping/spec.ts';
import { inbound, RECEIVED_AT } from './helpers.ts';

const CASE_FIELDS = { agencyOri: { from: 'ORI', required: true }, agencyCaseNumber: { from: 'CASE', required: true } };

const csvSpec = (source: Partial<NonNullable<MappingSpec['source']>>): MappingSpec => ({
  id: 'identity-test',
  version: 1,
  direction: 'inbound',
  source: { format: 'csv', ...source },
  records: [{ type: 'Case', fields: CASE_FIELDS }],
});

async function run(
  spec: MappingSpec,
  text: string,
  batchSize?: number,
  agency?: { ori: string; allowOtherAgencies?: boolean },
): Promise<{ batches: MappedBatch[]; retractions: Retraction[]; summary: ReturnType<typeof emptySummary> }> {
  const m = await inbound(spec);
  const summary = emptySummary();
  const batches: MappedBatch[] = [];
  const as = agency ? { agency: { ori: agency.ori }, allowOtherAgencies: agency.allowOtherAgencies === true } : {};
  for await (const b of mapStream(m, Readable.from([Buffer.from(text)]), summary, { file: 'in.x', receivedAt: RECEIVED_AT, ...(batchSize ? { batchSize } : {}), ...as })) batches.push(b);
  return { batches, retractions: batches.flatMap((b) => b.retractions), summary };
}

const CSV = ['ORI,CASE,INC,ACT', 'CT0015100,24-1,I-1,insert', 'CT0015100,24-2,I-2,delete', 'CT0015100,24-3,I-3,REPLACE', 'CT0015100,24-4,,', ''].join('\n');

describe('source.recordId and source.action', () => {
  it('puts the source record id into every record\'s sourceRefs, and leaves it out when the source has none', async () => {
    const { batches } = await run(csvSpec({ recordId: 'INC' }), CSV);
    const refs = batches.flatMap((b) => b.records.map((r) => [r.agencyCaseNumber, r.sourceRefs[0]!.recordId ?? null]));
    expect(refs).toEqual([
      ['24-1', 'I-1'],
      ['24-2', 'I-2'],
      ['24-3', 'I-3'],
      ['24-4', null],
    ]);
  });

  it('an id made of several columns joins their values with |, escaping a | inside one; a blank part means no id', async () => {
    const text = ['ORI,CASE,LAB,ITEM', 'CT0015100,24-1,L24-1,3', 'CT0015100,24-2,L|X,1', 'CT0015100,24-3,L24-3,', ''].join('\n');
    const { batches } = await run(csvSpec({ recordId: ['LAB', 'ITEM'] }), text);
    expect(batches.flatMap((b) => b.records.map((r) => r.sourceRefs[0]!.recordId ?? null))).toEqual(['L24-1|3', 'L\\|X|1', null]);
  });

  it('a delete gives a retraction and no records; a replace gives both; upsert (or an empty value) only records', async () => {
    const { batches, retractions, summary } = await run(csvSpec({ recordId: 'INC', action: { from: 'ACT' } }), CSV);
    expect(batches.flatMap((b) => b.records.map((r) => r.agencyCaseNumber))).toEqual(['24-1', '24-3', '24-4']);
    expect(retractions).toEqual([
      { sourceRecordId: 'I-2', action: 'delete', row: 2, pointer: { file: 'in.x', row: 2, line: 3 } },
      { sourceRecordId: 'I-3', action: 'replace', row: 3, pointer: { file: 'in.x', row: 3, line: 4 } },
    ]);
    expect(summary).toMatchObject({ rowsRead: 4, rowsMapped: 4, rowsInvalid: 0, deletes: 1, recordsOut: 3 });
  });

  it('reads the values the mapping lists (exact, then ignoring case), and refuses any other with HUB_ERR_RECORD_ACTION', async () => {
    const spec = csvSpec({ recordId: 'INC', action: { from: 'ACT', values: { I: 'upsert', R: 'replace', D: 'delete' } } });
    const text = ['ORI,CASE,INC,ACT', 'CT0015100,24-1,I-1,I', 'CT0015100,24-2,I-2,d', 'CT0015100,24-3,I-3,purge', ''].join('\n');
    const { batches, retractions, summary } = await run(spec, text);
    expect(batches.flatMap((b) => b.records.map((r) => r.agencyCaseNumber))).toEqual(['24-1']);
    expect(retractions.map((r) => [r.sourceRecordId, r.action])).toEqual([['I-2', 'delete']]);
    const invalid = batches.flatMap((b) => b.invalid);
    expect(invalid.map((i) => [i.row, i.errors.map((e) => e.code)])).toEqual([[3, ['HUB_ERR_RECORD_ACTION']]]);
    expect(invalid[0]!.errors[0]).toMatchObject({ field: 'source.action', pointer: { row: 3, column: 'ACT' } });
    expect(invalid[0]!.errors[0]!.message).toContain('"purge"');
    expect(invalid[0]!.errors[0]!.message).toContain('"I", "R", "D"');
    expect(summary).toMatchObject({ rowsRead: 3, rowsMapped: 2, rowsInvalid: 1 });
  });

  it('a replace or delete without an id is quarantined with HUB_ERR_RECORD_SOURCE_ID, never applied to nothing', async () => {
    const text = ['ORI,CASE,INC,ACT', 'CT0015100,24-1,,delete', 'CT0015100,24-2,  ,replace', ''].join('\n');
    const { batches, retractions } = await run(csvSpec({ recordId: 'INC', action: { from: 'ACT' } }), text);
    expect(retractions).toEqual([]);
    expect(batches.flatMap((b) => b.records)).toEqual([]);
    expect(batches.flatMap((b) => b.invalid).map((i) => [i.row, i.errors[0]!.code, i.errors[0]!.pointer?.column])).toEqual([
      [1, 'HUB_ERR_RECORD_SOURCE_ID', 'INC'],
      [2, 'HUB_ERR_RECORD_SOURCE_ID', 'INC'],
    ]);
  });

  it("source.agency: a connector's run refuses another agency's replace or delete (its id holds no ORI), never applies it", async () => {
    const text = ['ORI,CASE,INC,ACT', 'CT0004300,24-1,I-1,delete', 'ct0015100 ,24-2,I-2,delete', 'CT0004300,24-3,I-3,replace', ',24-4,I-4,delete', ''].join('\n');
    const spec = csvSpec({ recordId: 'INC', action: { from: 'ACT' }, agency: 'ORI' });
    const { batches, retractions } = await run(spec, text, undefined, { ori: 'CT0015100' });
    // Its own ORI in any case and spacing, and a source record that names no agency, are applied.
    expect(retractions.map((r) => [r.row, r.action, r.sourceRecordId])).toEqual([
      [2, 'delete', 'I-2'],
      [4, 'delete', 'I-4'],
    ]);
    const invalid = batches.flatMap((b) => b.invalid);
    expect(invalid.map((i) => [i.row, i.errors.map((e) => e.code), i.errors[0]!.pointer?.column])).toEqual([
      [1, ['HUB_ERR_RECORD_SOURCE_AGENCY'], 'ORI'],
      [3, ['HUB_ERR_RECORD_SOURCE_AGENCY'], 'ORI'],
    ]);
    expect(invalid[0]!.errors[0]!.message).toContain("delete as agency CT0004300 (at ORI), not as the connector's agency CT0015100");
    // A feed of many agencies (allowOtherAgencies), and a run without an agency, apply them all.
    for (const agency of [{ ori: 'CT0015100', allowOtherAgencies: true }, undefined]) {
      const all = await run(spec, text, undefined, agency);
      expect(all.retractions.map((r) => r.row)).toEqual([1, 2, 3, 4]);
    }
  });

  it('refuses source.agency without source.action at compile time', async () => {
    const err = await inbound(csvSpec({ recordId: 'INC', agency: 'ORI' })).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ConfigProblems);
    expect((err as ConfigProblems).problems[0]).toMatchObject({ code: 'HUB_ERR_MAPPING_INVALID', pointer: '/source/agency' });
  });

  it('refuses source.action without source.recordId at compile time', async () => {
    const err = await inbound(csvSpec({ action: { from: 'ACT' } })).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ConfigProblems);
    expect((err as ConfigProblems).problems[0]).toMatchObject({ code: 'HUB_ERR_MAPPING_INVALID', pointer: '/source/action' });
    expect((err as ConfigProblems).problems[0]!.message).toContain('source.recordId');
  });

  it('a file without the recordId or action column is refused whole: its deletes would otherwise become upserts', async () => {
    for (const header of ['ORI,CASE,ACT', 'ORI,CASE,INC']) {
      const err = await run(csvSpec({ recordId: 'INC', action: { from: 'ACT' } }), `${header}\nCT0015100,24-1,x\n`).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(HubError);
      expect((err as HubError).code).toBe('HUB_ERR_SOURCE_HEADER');
    }
  });

  it('XML: reads the id and the instruction by path, matched by namespace URI whatever the prefix', async () => {
    const spec: MappingSpec = {
      id: 'identity-xml',
      version: 1,
      direction: 'inbound',
      namespaces: { p: 'urn:example:publish:1' },
      source: { format: 'xml', xml: { record: '/p:Publish/p:Package' }, recordId: 'p:Meta/p:ItemID', action: { from: 'p:Meta/p:Instruction', values: { insert: 'upsert', replace: 'replace', delete: 'delete' } } },
      records: [{ type: 'Case', fields: { agencyOri: { from: 'p:Case/@ori', required: true }, agencyCaseNumber: { from: 'p:Case/@number', required: true } } }],
    };
    const xml = `<q:Publish xmlns:q="urn:example:publish:1">
  <q:Package><q:Meta><q:ItemID>P-1</q:ItemID><q:Instruction>insert</q:Instruction></q:Meta><q:Case ori="CT0015100" number="24-1"/></q:Package>
  <q:Package><q:Meta><q:ItemID> P-2 </q:ItemID><q:Instruction>delete</q:Instruction></q:Meta></q:Package>
  <q:Package><q:Meta><q:ItemID>P-3</q:ItemID><q:Instruction>Replace</q:Instruction></q:Meta><q:Case ori="CT0015100" number="24-3"/></q:Package>
</q:Publish>`;
    const { batches, retractions } = await run(spec, xml);
    expect(batches.flatMap((b) => b.records.map((r) => [r.key, r.sourceRefs[0]!.recordId]))).toEqual([
      ['CT0015100|24-1', 'P-1'],
      ['CT0015100|24-3', 'P-3'],
    ]);
    expect(retractions.map((r) => [r.row, r.action, r.sourceRecordId])).toEqual([
      [2, 'delete', 'P-2'],
      [3, 'replace', 'P-3'],
    ]);
  });

  it('an instruction moves with the records of its rows when a run of rows straddles two batches', async () => {
    // Case 24-1 on rows 2-4 straddles the boundary after row 3 (batches of 3 rows); row 3 is a delete.
    const text = ['ORI,CASE,INC,ACT', 'CT0015100,24-0,I-0,', 'CT0015100,24-1,I-1,', 'CT0015100,24-9,I-9,delete', 'CT0015100,24-1,I-1,', 'CT0015100,24-5,I-5,', ''].join('\n');
    const spec: MappingSpec = { ...csvSpec({ recordId: 'INC', action: { from: 'ACT' } }), records: [{ type: 'Case', fields: CASE_FIELDS }] };
    const { batches } = await run(spec, text, 3);
    expect(batches.map((b) => b.records.map((r) => r.sourceRefs[0]!.pointer!.row))).toEqual([[1], [2, 4, 5]]);
    expect(batches.map((b) => b.retractions.map((r) => r.row))).toEqual([[], [3]]);
  });
});
