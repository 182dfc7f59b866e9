/**
 * Retractions: a source record withdraws (`delete`) or replaces (`replace`) what it published.
 *
 * Input: the source (connector id), the source record ids, and for a replace the records its new
 * version produced (which keep their contribution). Output: the records that changed, each `updated`
 * (other contributions remain: the record is their merge) or `deleted` (none is left: a tombstone).
 *
 * - The source's contributions made under those source record ids are removed from every other record;
 *   nothing another source said is touched.
 * - A tombstone keeps its row and id: version + 1, `deleted_at` set, the body reduced to type, key and
 *   classification. Lookups (`findRecords`, `getRecord` without `includeDeleted`) and lead correlation
 *   skip it; a later contribution brings it back (version + 1 again).
 * - What destinations receive for a tombstone is a deletion notice: the envelope (type, id, key,
 *   classification, version) with `deleted: true` and `deletedAt`, routed to whoever received the record.
 * - Each changed record gets a provenance row (source, source record id, action, transfer).
 * Locks the records in (type, key) order like upserts do, then reads their contributions.
 */
import { canonicalJson, sha256Hex } from './canonical-json.ts';
import { deleteContributions, loadContributions, settle, type StoredContribution } from './contributions.ts';
import type { Db } from './db.ts';
import { insertSources, SELECT_FOR_UPDATE_BY_ID, toState, updateRecordRows } from './records.ts';
import { inTx, type Row } from './sql.ts';
import type { RetractContext, RetractionInput, RetractResult } from './types.ts';

export const RECORDS_OF = `
  SELECT DISTINCT record_id FROM record_contributions
  WHERE source = $1 AND source_record_id = ANY(ARRAY(SELECT jsonb_array_elements_text($2::jsonb)))`;

/** The deletion notice destinations receive for a tombstone. */
export function deletionNotice(r: { id: string; version: number; body: Record<string, unknown> }, deletedAt: string): Record<string, unknown> {
  return { type: r.body.type, id: r.id, key: r.body.key, classification: r.body.classification, version: r.version, deleted: true, deletedAt };
}

export async function retractSourceRecords(db: Db, retractions: readonly RetractionInput[], ctx: RetractContext, tx?: Db): Promise<RetractResult[]> {
  if (retractions.length === 0) return [];
  // The last instruction for a source record id wins (a document may name it twice).
  const bySourceRecord = new Map<string, RetractionInput>();
  for (const r of retractions) {
    bySourceRecord.delete(r.sourceRecordId);
    bySourceRecord.set(r.sourceRecordId, r);
  }
  const keepOf = new Map([...bySourceRecord].map(([id, r]) => [id, new Set(r.keep ?? [])]));
  return inTx(db, tx, async (t) => {
    const hits = await t.query<{ record_id: string }>(RECORDS_OF, [ctx.source, JSON.stringify([...bySourceRecord.keys()])]);
    if (hits.length === 0) return [];
    const rows = await t.query(SELECT_FOR_UPDATE_BY_ID, [JSON.stringify(hits.map((h) => String(h.record_id)))]);
    const contributions = await loadContributions(t, rows.map((r) => String(r.id)), true);
    const deletedAt = new Date().toISOString();
    const removed: { recordId: string; source: string; sourceRecordId: string }[] = [];
    const changed: { state: ReturnType<typeof toState>; deletedAt: string | null }[] = [];
    const provenance: Row[] = [];
    const results: RetractResult[] = [];
    for (const row of rows) {
      const base = toState(row);
      const stored = contributions.get(base.id) ?? [];
      const gone = (c: StoredContribution): boolean => c.source === ctx.source && keepOf.has(c.sourceRecordId) && !keepOf.get(c.sourceRecordId)!.has(base.id);
      const remaining = stored.filter((c) => !gone(c));
      if (remaining.length === stored.length) continue;
      for (const c of stored.filter(gone)) {
        removed.push({ recordId: base.id, source: c.source, sourceRecordId: c.sourceRecordId });
        const action = bySourceRecord.get(c.sourceRecordId)!.action;
        provenance.push({
          record_id: base.id,
          transfer_id: ctx.transferId ?? null,
          source_record_id: c.sourceRecordId,
          received_at: deletedAt,
          dedupe_key: sha256Hex(canonicalJson(['retraction', ctx.transferId ?? null, ctx.source, c.sourceRecordId, action])),
          source: ctx.source,
          action,
        });
      }
      const next = settle(base, remaining);
      if (next === base) continue;
      changed.push({ state: next, deletedAt: next.deleted ? deletedAt : null });
      results.push({
        id: base.id,
        type: String(row.type),
        key: String(row.natural_key),
        status: next.deleted ? 'deleted' : 'updated',
        version: next.version,
        body: next.deleted ? deletionNotice(next, deletedAt) : next.body,
        previous: base.body,
      });
    }
    await deleteContributions(t, removed);
    await updateRecordRows(t, changed);
    await insertSources(t, provenance);
    return results;
  });
}
