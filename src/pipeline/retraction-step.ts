/**
 * The retraction step of a chunk: its source records' replace and delete instructions applied to the
 * store, after the chunk's upserts and in the same transaction (docs/corrections.md).
 *
 * Input: the mapped batch (its retractions and records), the connector (the source) and transfer.
 * Output: the records that changed, to route and to pass to lead enrichment like upserted ones; a
 * tombstone is routed by what it was (its previous body names the agencies that received it) and
 * delivered as its deletion notice (`asDelivered`).
 *
 * Order within a chunk: a replace or delete takes effect on what the source record published before,
 * and on records the same source record gave in earlier rows of this chunk; records it gives in its own
 * row (a replace) or later rows keep their contribution.
 */
import type { MappedRecord } from '../mapping/inbound.ts';
import type { MappedBatch } from '../mapping/run.ts';
import type { Db, Store } from '../store/index.ts';
import type { RetractionInput } from '../store/types.ts';

export interface RetractionOutcome {
  /** Changed records as routing and enrichment see them (a tombstone: its previous body, new version). */
  changed: MappedRecord[];
  /** What a destination receives for a routed record: a tombstone's deletion notice, else the record itself. */
  asDelivered<R extends Record<string, unknown>>(record: R): Record<string, unknown>;
}

/** The store's retraction requests for a batch: per instruction, the records its source record keeps. */
export function retractionsOf(batch: MappedBatch): RetractionInput[] {
  return batch.retractions.map((r) => {
    const keep = batch.records
      .filter((rec) => rec.sourceRefs[0]?.recordId === r.sourceRecordId && (rec.sourceRefs[0]?.pointer?.row ?? 0) >= r.row)
      .map((rec) => rec.id);
    return { sourceRecordId: r.sourceRecordId, action: r.action, ...(keep.length ? { keep: [...new Set(keep)] } : {}) };
  });
}

const IDENTITY: RetractionOutcome['asDelivered'] = (r) => r;

export async function applyRetractions(store: Store, batch: MappedBatch, ctx: { source: string; transferId: string }, tx: Db): Promise<RetractionOutcome> {
  if (batch.retractions.length === 0) return { changed: [], asDelivered: IDENTITY };
  const results = await store.retractSourceRecords(retractionsOf(batch), ctx, tx);
  const notices = new Map<string, Record<string, unknown>>();
  const changed = results.map((r) => {
    if (r.status === 'deleted') notices.set(r.id, r.body);
    return { ...(r.status === 'deleted' ? r.previous : r.body), id: r.id, version: r.version } as MappedRecord;
  });
  return { changed, asDelivered: notices.size ? (r) => notices.get(r.id as string) ?? r : IDENTITY };
}
