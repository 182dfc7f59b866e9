/**
 * The Case records of N-DEx packages in the store: an incident report and the arrest report of the
 * same agency case (golden case `arrest-of-incident`) are two data items of one Case. The incident's
 * date stays the Case's occurredAt whichever of the two the hub receives last; the arrest's date is
 * the Case's arrestedAt.
 */
import { describe, expect, it } from 'vitest';
import { BACKENDS, useBackend } from '../../test/integration/store/backends.ts';
import { runGoldenCase } from '../../test/support/golden-case.ts';

describe.each(BACKENDS)('ndex-2.1-lexs: an incident and its arrest in the store (%s)', (backend) => {
  const ctx = useBackend(backend);

  it.each([
    ['incident report first, arrest report later', ['CT0004300-RMS-24-003310', 'CT0004300-RMS-A24-0090']],
    ['arrest report first, incident report later', ['CT0004300-RMS-A24-0090', 'CT0004300-RMS-24-003310']],
  ])('%s: occurredAt is the incident\'s, arrestedAt the arrest\'s', async (_order, dataItems) => {
    const { store } = ctx;
    const run = await runGoldenCase('ndex-2.1-lexs', 'arrest-of-incident');
    expect(run.invalid).toEqual([]);
    for (const [i, dataItem] of dataItems.entries()) {
      const transferId = `t${i + 1}`;
      await store.createTransfer({ id: transferId, connectorId: 'eh-ndex', trigger: 'file' });
      const records = run.records.filter((r) => r.sourceRefs[0]!.recordId === dataItem);
      expect(records).toHaveLength(1);
      await store.upsertRecords(records, { transferId, source: 'eh-ndex' });
    }
    const theCase = await store.getRecord('Case', 'CT0004300|24-003310');
    expect(theCase).toMatchObject({ occurredAt: '2024-04-01T21:40:00-04:00', arrestedAt: '2024-04-06T02:10:00+00:00' });
    expect((await store.listRecordContributions(theCase!.id)).map((c) => c.sourceRecordId)).toEqual(dataItems);
  });
});
