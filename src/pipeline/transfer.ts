/**
 * One transfer: one run of one source connector.
 *
 * Input: the transfer job (connector id, trigger, the units it claimed, the units already done).
 * Output: records committed to the store chunk by chunk, invalid source records in quarantine,
 * deliveries written to the store's ledger (outbox) in the same transaction as the records they carry
 * and then queued, and the source acknowledged after the records of each unit are committed.
 *
 * A transfer that dies half way is re-run by BullMQ: it finds its claimed units in the job data, reads
 * them again, and its upserts and deliveries are idempotent (unchanged records route nowhere; delivery
 * ids are derived from content), so nothing is stored or sent twice.
 */
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { HubConfig, ConnectorConfig, DestinationConfig } from '../config/hub-config.ts';
import type { Store } from '../store/index.ts';
import type { SourceConnector, SourceUnit } from '../sdk/connector.ts';
import { InboundMapping, type MappedRecord } from '../mapping/inbound.ts';
import { emptySummary, mapStream, type MappedBatch, type MapSummary } from '../mapping/run.ts';
import { HubError } from '../errors/hub-error.ts';
import type { Router } from './routing.ts';
import { applyRetractions } from './retraction-step.ts';
import type { Metrics } from './metrics.ts';

export interface TransferJobData {
  transferId: string;
  connectorId: string;
  trigger: 'schedule' | 'webhook' | 'manual' | 'file';
  /** Units claimed by this transfer (saved before reading, so a re-run finds them). */
  units?: SourceUnit[];
  /** Unit ids already committed and acknowledged. */
  done?: string[];
  dryRun?: boolean;
}

export interface PendingDelivery {
  deliveryId: string;
  destinationId: string;
}

export interface TransferDeps {
  readonly cfg: HubConfig;
  readonly store: Store;
  readonly router: Router;
  readonly metrics: Metrics;
  source(connectorId: string): SourceConnector;
  /** Queue deliveries already written to the ledger (idempotent: job id = delivery id). */
  enqueueDeliveries(list: readonly PendingDelivery[]): Promise<void>;
  /** Committed records that changed (after the commit): leads and the records leads name are looked at again. */
  onChanged?(records: readonly MappedRecord[]): Promise<void>;
}

export interface TransferProgress {
  save(data: Partial<TransferJobData>): Promise<void>;
  log: Logger;
}

/** Delivery id of a chunk of records for a destination: the same records at the same versions, the same id. */
export function recordsDeliveryId(destinationId: string, records: readonly { id: string; version: number }[]): string {
  const h = createHash('sha256');
  h.update(destinationId);
  for (const r of [...records].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))) h.update(`\n${r.id}@${r.version}`);
  return `rec-${h.digest('hex').slice(0, 40)}`;
}

export async function runTransfer(deps: TransferDeps, data: TransferJobData, progress: TransferProgress): Promise<MapSummary> {
  const { cfg, store } = deps;
  const conn = cfg.connectors.find((c) => c.id === data.connectorId);
  if (!conn) throw new HubError('HUB_ERR_CONFIG_INVALID', { reason: `no connector "${data.connectorId}" in the configuration` });
  const mapping = cfg.mappings.get(conn.mapping);
  if (!(mapping instanceof InboundMapping)) throw new HubError('HUB_ERR_CONFIG_INVALID', { reason: `connector ${conn.id}: mapping ${conn.mapping} is not inbound` });
  const agency = cfg.agencies.find((a) => a.ori === conn.agency);
  const timezone = agency?.timezone ?? cfg.hub.timezone;
  const source = deps.source(conn.id);
  const log = progress.log;
  const summary = emptySummary();

  await store.startTransfer(data.transferId);
  let units = data.units;
  if (!units) {
    units = await source.claim();
    await progress.save({ units, done: [] });
  }
  const done = new Set(data.done ?? []);
  let failedUnits = 0;
  let lastError: string | undefined;
  for (const unit of units) {
    if (done.has(unit.id)) continue;
    try {
      const cursor = (await store.getCursor(conn.id)) ?? null;
      for await (const part of source.read(unit, cursor)) {
        for await (const batch of mapStream(mapping, part.stream, summary, { file: part.name, timezone, batchSize: cfg.hub.transfers.chunkSize })) {
          if (!data.dryRun) await commitChunk(deps, conn, data.transferId, batch, log);
          else await store.addTransferCounts(data.transferId, { read: batch.rows, mapped: batch.rows - batch.invalid.length, invalid: batch.invalid.length });
          deps.metrics.records.inc({ connector: conn.id, stage: 'mapped', outcome: 'ok' }, batch.rows - batch.invalid.length);
          if (batch.invalid.length) deps.metrics.records.inc({ connector: conn.id, stage: 'mapped', outcome: 'invalid' }, batch.invalid.length);
        }
        if (part.cursor !== undefined && !data.dryRun) await store.setCursor(conn.id, part.cursor, undefined, data.transferId);
      }
      if (!data.dryRun) await source.ack(unit);
      else await source.release?.(unit);
      done.add(unit.id);
      await progress.save({ done: [...done] });
      log.info({ unit: unit.name, rows: summary.rowsRead, invalid: summary.rowsInvalid }, 'unit committed');
    } catch (err) {
      if (err instanceof HubError && err.errorClass === 'config') {
        // The unit as a whole cannot be read (e.g. a required column is missing): set it aside, go on.
        failedUnits++;
        lastError = err.message;
        log.warn({ unit: unit.name, code: err.code }, err.message);
        if (data.dryRun) await source.release?.(unit);
        else {
          await store.addQuarantine([{ transferId: data.transferId, connectorId: conn.id, code: err.code, message: err.message, pointer: err.pointer }]);
          await source.reject(unit, [err.toReport()]);
        }
        done.add(unit.id);
        await progress.save({ done: [...done] });
        continue;
      }
      throw err;
    }
  }
  const status = failedUnits && failedUnits === units.length ? 'failed' : failedUnits || summary.rowsInvalid ? 'partial' : 'succeeded';
  await store.finishTransfer(data.transferId, status, lastError);
  deps.metrics.transfers.inc({ connector: conn.id, status });
  return summary;
}

async function commitChunk(deps: TransferDeps, conn: ConnectorConfig, transferId: string, batch: MappedBatch, log: Logger): Promise<void> {
  const { store, router } = deps;
  const pending: PendingDelivery[] = [];
  let changedRecords: MappedRecord[] = [];
  await store.transaction(async (tx) => {
    const results = batch.records.length ? await store.upsertRecords(batch.records, { transferId, source: conn.id }, tx) : [];
    // Records that changed, once each (several rows of a chunk may touch one record), as stored after the merge.
    const changedById = new Map<string, MappedRecord>();
    let unchanged = 0;
    results.forEach((r) => {
      if (r.status === 'unchanged') unchanged++;
      else changedById.set(r.id, { ...(r.body as object), id: r.id, version: r.version } as MappedRecord);
    });
    // Source records that replace or delete what they published: after the upserts, in this transaction.
    const retracted = await applyRetractions(store, batch, { transferId, source: conn.id }, tx);
    for (const r of retracted.changed) changedById.set(r.id, r);
    const changed = [...changedById.values()];
    changedRecords = changed;
    if (batch.invalid.length) {
      await store.addQuarantine(
        batch.invalid.flatMap((inv) =>
          inv.errors.map((e, i) => ({
            transferId,
            connectorId: conn.id,
            code: e.code,
            message: e.message,
            field: e.field,
            value: e.value,
            pointer: e.pointer ?? inv.pointer,
            payload: i === 0 ? inv.raw : undefined,
          })),
        ),
        tx,
      );
    }
    for (const [dest, recs] of router.route(changed)) {
      const deliveryId = recordsDeliveryId(dest.id, recs);
      const fresh = await store.createDelivery(
        { deliveryId, destinationId: dest.id, packageRef: `records:${transferId}`, content: 'records', payload: { records: recs.map(retracted.asDelivered) } },
        tx,
      );
      if (fresh) pending.push({ deliveryId, destinationId: dest.id });
    }
    await store.addTransferCounts(
      transferId,
      { read: batch.rows, mapped: batch.rows - batch.invalid.length, invalid: batch.invalid.length, stored: results.length, changed: changed.length, unchanged },
      tx,
    );
  });
  if (pending.length) await deps.enqueueDeliveries(pending);
  if (changedRecords.length && deps.onChanged) await deps.onChanged(changedRecords);
  log.debug({ records: batch.records.length, invalid: batch.invalid.length, deliveries: pending.length }, 'chunk committed');
}

export type { DestinationConfig };
