/**
 * A run of rows that restate one record (a lab case's rows each carry its Case) is never split between
 * two batches, so the store sees it as one change: re-ingesting the file then changes nothing, even
 * when the rows word the record differently (a date with and without its time).
 */
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emptySummary, mapStream, type MappedBatch } from '../../../src/mapping/run.ts';
import type { MappingSpec } from '../../../src/mapping/spec.ts';
import { openStore } from '../../../src/store/open-store.ts';
import type { Store } from '../../../src/store/store.ts';
import { inbound } from './helpers.ts';

const SPEC: MappingSpec = {
  id: 'chunks-test',
  version: 1,
  direction: 'inbound',
  timezone: 'America/New_York',
  source: { format: 'csv' },
  records: [
    { type: 'EvidenceItem', fields: { labCaseNumber: { from: 'LAB', required: true }, itemNumber: { from: 'ITEM', required: true } } },
    {
      type: 'Case',
      fields: {
        agencyOri: { from: 'ORI' },
        agencyCaseNumber: { from: 'CASE', required: true },
        occurredAt: { from: 'WHEN', ops: [{ date: { formats: ['MM/dd/yyyy HH:mm', 'MM/dd/yyyy'], timezone: 'agency', dateOnly: 'midnight' } }] },
      },
    },
  ],
};

// Case B's four rows (3-6) straddle the first boundary when batches hold 4 rows; its date is given
// without a time on rows 3, 5 and 6 and with one on row 4.
const ROWS = [
  ['L1', '1', 'C-A', '03/01/2024'],
  ['L1', '2', 'C-A', '03/01/2024'],
  ['L2', '1', 'C-B', '03/05/2024'],
  ['L2', '2', 'C-B', '03/05/2024 14:30'],
  ['L2', '3', 'C-B', '03/05/2024'],
  ['L2', '4', 'C-B', '03/05/2024'],
  ['L3', '1', 'C-C', '03/09/2024'],
  ['L3', '2', 'C-C', '03/09/2024'],
  ['L3', '3', 'C-C', 'not a date'],
  ['L4', '1', 'C-D', '03/11/2024'],
];
const CSV = `LAB,ITEM,CASE,WHEN,ORI\n${ROWS.map((r) => `${r.join(',')},CT0015100`).join('\n')}\n`;

async function batches(batchSize: number): Promise<MappedBatch[]> {
  const m = await inbound(SPEC);
  const out: MappedBatch[] = [];
  for await (const b of mapStream(m, Readable.from([Buffer.from(CSV)]), emptySummary(), { file: 'x.csv', batchSize, receivedAt: '2026-01-01T00:00:00.000Z' })) out.push(b);
  return out;
}

const rowsOf = (b: MappedBatch): number[] => [...new Set(b.records.map((r) => r.sourceRefs[0]!.pointer!.row!))];

describe('batches keep runs of rows that restate a record together', () => {
  let store: Store;
  beforeAll(async () => {
    store = await openStore({ dataDir: 'memory://' });
  });
  afterAll(async () => {
    await store?.close();
  });

  it('moves the records of a run that straddles a boundary into the next batch; rows, invalid rows and order stay', async () => {
    const bs = await batches(4);
    expect(bs.map((b) => b.rows)).toEqual([4, 4, 2]);
    expect(bs.map(rowsOf)).toEqual([[1, 2], [3, 4, 5, 6, 7, 8], [10]]);
    expect(bs.map((b) => b.invalid.map((i) => i.row))).toEqual([[], [], [9]]);
    const all = bs.flatMap((b) => b.records.map((r) => `${r.sourceRefs[0]!.pointer!.row}:${r.type}`));
    const one = (await batches(100)).flatMap((b) => b.records.map((r) => `${r.sourceRefs[0]!.pointer!.row}:${r.type}`));
    expect(all).toEqual(one);
  });

  it('leaves a batch alone when the run is the whole batch', async () => {
    const bs = await batches(2);
    expect(bs.map(rowsOf)).toEqual([[1, 2], [3, 4], [5, 6], [7, 8], [10]]);
  });

  it('re-ingesting the file, chunk by chunk as the pipeline does, changes nothing', async () => {
    const ingest = async (): Promise<string[]> => {
      const statuses: string[] = [];
      for (const b of await batches(4)) for (const r of await store.upsertRecords(b.records)) if (r.type === 'Case') statuses.push(`${r.key.split('|').pop()}:${r.status}`);
      return statuses;
    };
    await ingest();
    const again = await ingest();
    expect(again.filter((s) => !s.endsWith(':unchanged'))).toEqual([]);
    expect((await store.getRecord('Case', (await batches(100))[0]!.records.find((r) => r.agencyCaseNumber === 'C-B')!.key))!.version).toBe(1);
  });
});
