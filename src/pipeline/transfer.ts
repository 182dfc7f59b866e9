/**
 * One transfer: one unit (a file, a poll's pages, a webhook body) of one source connector.
 *
 * Input: the transfer job (connector id, trigger, the unit). Output: records committed to the store
 * chunk by chunk, invalid source records in quarantine, deliveries written to the store's ledger
 * (outbox) in the same transaction as the records they carry and then queued, and the unit
 * acknowledged once all its records are committed. A unit that cannot be read at all (a config-class
 * error: a required column missing, an unusable file name) is set aside at once with its reason.
 *
 * Each chunk's transaction also records the chunk as committed (`transfer_chunks`: unit, part, chunk
 * index). A transfer that dies half way is re-run by BullMQ: it reads its unit again, skips the chunks
 * committed before, and commits the rest, so its counts and quarantine are exactly those of one run;
 * on PostgreSQL two chunks are written side by side, but a chunk commits only after the one before it,
 * so the chunks committed are always the first ones of their part;
 * upserts and deliveries are idempotent besides (unchanged records route nowhere; delivery ids are
 * derived from content), so nothing is stored or sent twice.
 *
 * A unit that keeps failing with an unexpected error is the caller's to set aside after its last
 * attempt (`setAsideUnit`): rejected with its errors, a quarantine entry and a dead letter to replay.
 */
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { HubConfig, ConnectorConfig, DestinationConfig } from '../config/hub-config.ts';
import type { Db, Store } from '../store/index.ts';
import type { DeadLetterAttempt, QuarantineInput, TransferCounts } from '../store/types.ts';
import type { SourceConnector, SourceUnit } from '../sdk/connector.ts';
import { InboundMapping, type MappedRecord } from '../mapping/inbound.ts';
import { emptySummary, mapStream, type MappedBatch, type MapSummary } from '../mapping/run.ts';
import { HubError } from '../errors/hub-error.ts';
import { canonicalJson } from '../store/canonical-json.ts';
import type { Router } from './routing.ts';
import { applyRetractions } from './retraction-step.ts';
import type { Metrics } from './metrics.ts';
import { rowIdentity, type RowIdentity } from './row-identity.ts';
import { screenUnstorable } from './unstorable.ts';
import { derivedUuid } from './ids.ts';

export interface TransferJobData {
  transferId: string;
  connectorId: string;
  trigger: 'schedule' | 'webhook' | 'manual' | 'file';
  /** The unit this transfer reads: one transfer per unit. */
  unit?: SourceUnit;
  /** Jobs queued before transfers had one unit each carry the units their transfer claimed... */
  units?: SourceUnit[];
  /** ...and the ids of those already committed and acknowledged. */
  done?: string[];
  dryRun?: boolean;
  /** The attempts that failed so far (time, error), for the dead letter of a unit set aside. */
  history?: DeadLetterAttempt[];
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

interface Resolved {
  conn: ConnectorConfig;
  mapping: InboundMapping;
  source: SourceConnector;
}

function resolve(deps: TransferDeps, connectorId: string): Resolved {
  const conn = deps.cfg.connectors.find((c) => c.id === connectorId);
  if (!conn) throw new HubError('HUB_ERR_CONFIG_INVALID', { reason: `no connector "${connectorId}" in the configuration` });
  const mapping = deps.cfg.mappings.get(conn.mapping);
  if (!(mapping instanceof InboundMapping)) throw new HubError('HUB_ERR_CONFIG_INVALID', { reason: `connector ${conn.id}: mapping ${conn.mapping} is not inbound` });
  return { conn, mapping, source: deps.source(conn.id) };
}

/** The units a job reads: its one unit; for jobs queued before, the units claimed (or to claim) less those done. */
async function unitsOf(data: TransferJobData, source: SourceConnector, progress: TransferProgress): Promise<SourceUnit[]> {
  if (data.unit) return [data.unit];
  let units = data.units;
  if (!units) {
    units = await source.claim();
    await progress.save({ units, done: [] });
  }
  return units;
}

/** A chunk's counts of what was read: rows read, mapped, invalid, and mapped with encoding damage (stored as read). */
function readCounts(batch: MappedBatch): Pick<TransferCounts, 'read' | 'mapped' | 'invalid' | 'damaged'> {
  return {
    read: batch.rows,
    mapped: batch.rows - batch.invalid.length,
    invalid: batch.invalid.length,
    damaged: batch.warnings.filter((w) => w.code === 'HUB_ERR_SOURCE_ENCODING_MISMATCH').length,
  };
}

export async function runTransfer(deps: TransferDeps, data: TransferJobData, progress: TransferProgress): Promise<MapSummary> {
  const { store } = deps;
  const { conn, mapping, source } = resolve(deps, data.connectorId);
  const log = progress.log;
  const summary = emptySummary();
  let started;
  try {
    started = await store.startTransfer(data.transferId);
  } catch (err) {
    // Its request was refused after the job was queued (see runtime/webhook-intake.ts): nothing to do.
    if (err instanceof HubError && err.code === 'HUB_ERR_STORE_NOT_FOUND') {
      log.warn('transfer: no such transfer in the store (its request was refused); nothing to do');
      return summary;
    }
    throw err;
  }
  // A job run again after its transfer finished (its lock was lost while Redis was away, so BullMQ took
  // it for stalled): its unit was committed and acknowledged, or set aside, already. Read again, a file
  // would be gone and the finished transfer marked failed with a unit it had stored.
  if (started.finishedAt) {
    log.warn({ status: started.status }, 'transfer: run again after it finished (its job was taken for stalled); nothing to do');
    return summary;
  }
  const units = await unitsOf(data, source, progress);
  const done = new Set(data.done ?? []);
  const identity = rowIdentity(mapping);
  let failedUnits = 0;
  let lastError: string | undefined;
  for (const unit of units) {
    if (done.has(unit.id)) continue;
    try {
      await readUnit(deps, { conn, mapping, source, identity }, data, unit, summary, log);
    } catch (err) {
      if (!(err instanceof HubError && err.errorClass === 'config')) throw err;
      // The unit as a whole cannot be read (a required column is missing, an unusable name): set it aside, go on.
      failedUnits++;
      lastError = err.message;
      log.warn({ unit: unit.name, code: err.code }, err.logMessage);
      if (data.dryRun) await source.release?.(unit);
      else {
        await store.addQuarantine([unitQuarantine(data.transferId, conn.id, unit, err)]);
        await source.reject(unit, [err.toReport()]);
      }
    }
    if (data.units) {
      done.add(unit.id);
      await progress.save({ done: [...done] });
    }
  }
  const { status } = await store.concludeTransfer(data.transferId, { failed: failedUnits, total: units.length }, lastError);
  deps.metrics.transfers.inc({ connector: conn.id, status });
  return summary;
}

interface UnitContext extends Resolved {
  identity: RowIdentity;
}

async function readUnit(deps: TransferDeps, ctx: UnitContext, data: TransferJobData, unit: SourceUnit, summary: MapSummary, log: Logger): Promise<void> {
  const { cfg, store } = deps;
  const { conn, mapping, source } = ctx;
  const pipelined = store.concurrentChunks;
  if (unit.refused) throw new HubError(unit.refused.code, unit.refused.params);
  const agency = cfg.agencies.find((a) => a.ori === conn.agency);
  const timezone = agency?.timezone ?? cfg.hub.timezone;
  let cursor = source.resumes === false ? null : ((await store.getCursor(conn.id)) ?? null);
  for await (const part of source.read(unit, cursor)) {
    // A part is named by where it starts (the cursor before it), so a resumed run names it the same.
    const partKey = createHash('sha256').update(`${unit.id}\u0000${cursor ?? ''}`).digest('hex').slice(0, 24);
    let index = 0;
    const agencyOpts = { agency: { ori: conn.agency, timeZone: timezone }, allowOtherAgencies: conn.allowOtherAgencies };
    // Two chunks at work at a time, so the CPU maps or prepares one while the database writes the
    // other. On PostgreSQL (`pipelined`) two chunks commit side by side: the next one writes its records
    // while this one finishes, and commits only after it; the chunk after them is read once this one is
    // done. On PGlite the next chunk is read and mapped ahead while this one commits.
    const batches = mapStream(mapping, part.stream, summary, { file: part.name, charset: part.charset, timezone, batchSize: cfg.hub.transfers.chunkSize, limits: conn.limits, ...agencyOpts });
    let previous: InFlightChunk | undefined;
    try {
      for await (const batch of pipelined ? batches : readAhead(batches)) {
        const moved = screenUnstorable(batch);
        if (moved) {
          summary.rowsMapped -= moved;
          summary.rowsInvalid += moved;
          summary.errorsByCode.HUB_ERR_RECORD_UNSTORABLE_CHARACTER = (summary.errorsByCode.HUB_ERR_RECORD_UNSTORABLE_CHARACTER ?? 0) + moved;
        }
        const chunkKey = `${partKey}:${index++}`;
        if (!data.dryRun) {
          const before = previous;
          if (before) await (pipelined && !before.retracts && batch.retractions.length === 0 ? before.locked : before.done);
          previous = startChunk(deps, ctx, data.transferId, chunkKey, batch, pipelined ? before : undefined, log);
          await before?.done; // at most two chunks in flight
        } else {
          await store.transaction(async (tx) => {
            if (await store.claimChunk(data.transferId, chunkKey, tx)) {
              await store.addTransferCounts(data.transferId, readCounts(batch), tx);
            }
          });
        }
        deps.metrics.records.inc({ connector: conn.id, stage: 'mapped', outcome: 'ok' }, batch.rows - batch.invalid.length);
        if (batch.invalid.length) deps.metrics.records.inc({ connector: conn.id, stage: 'mapped', outcome: 'invalid' }, batch.invalid.length);
      }
      await previous?.done;
    } catch (err) {
      // Never leave a chunk's transaction running behind the error: it ends (it cannot commit after a
      // chunk before it failed) before the transfer reports the failure.
      await previous?.done.catch(() => {});
      throw err;
    }
    if (part.cursor !== undefined) {
      if (!data.dryRun) await store.setCursor(conn.id, part.cursor, undefined, data.transferId);
      cursor = part.cursor;
    }
  }
  if (!data.dryRun) await source.ack(unit);
  else await source.release?.(unit);
  log.info({ unit: unit.name, rows: summary.rowsRead, invalid: summary.rowsInvalid }, 'unit committed');
}

/**
 * The items of `source`, asking for the next one as soon as one is handed out, so the producer works
 * while the consumer awaits. At most one item waits ahead. Stopping early (a break, an error) ends the
 * source; an error of the item read ahead is then dropped, as the consumer's own error stands.
 */
export async function* readAhead<T>(source: AsyncIterable<T>): AsyncGenerator<T> {
  const it = source[Symbol.asyncIterator]();
  let next = it.next();
  let done = false;
  try {
    for (;;) {
      const r = await next;
      if (r.done) {
        done = true;
        return;
      }
      next = it.next();
      yield r.value;
    }
  } finally {
    if (!done) {
      next.catch(() => {});
      await it.return?.().catch(() => {});
    }
  }
}

/** The quarantine entry of a unit that cannot be read at all: one entry however often the unit comes back. */
function unitQuarantine(transferId: string, connectorId: string, unit: SourceUnit, err: HubError): QuarantineInput {
  return {
    transferId,
    connectorId,
    code: err.code,
    message: err.message,
    pointer: err.pointer ?? { file: unit.name },
    fingerprint: fingerprintOf(err.code, 'unit', err.message),
    sightingKey: `${transferId}|unit|${unit.id}`,
  };
}

function fingerprintOf(...parts: unknown[]): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 40);
}

/** The raw row as JSON text, or undefined when it cannot be serialized (nested deeper than the stack allows). */
function serialized(raw: unknown): string | undefined {
  try {
    return canonicalJson(raw);
  } catch {
    return undefined;
  }
}

const UNSERIALIZABLE = '(not kept: the source record is nested too deeply to store)';

/**
 * Quarantine inputs of a chunk's invalid rows: one per error, fingerprinted by code, field and raw row.
 * A failure the reader has no raw text for (malformed XML or JSON, a DOCTYPE, a CSV row csv-parse could
 * not split) is known by its message and place instead: without them every such failure of a connector
 * shared one fingerprint, and a second file's error overwrote the first one's entry.
 */
function chunkQuarantine(transferId: string, conn: ConnectorConfig, chunkKey: string, batch: MappedBatch, identity: RowIdentity): QuarantineInput[] {
  return batch.invalid.flatMap((inv, n) => {
    const absent = inv.raw === undefined;
    const raw = absent ? undefined : serialized(inv.raw);
    const rowId = raw === undefined ? undefined : identity.ofRaw(inv.raw);
    return inv.errors.map((e, i) => {
      const pointer = e.pointer ?? inv.pointer;
      // The same bad row is one entry wherever it sits; a row that cannot be serialized is told apart by its place.
      const seen = absent ? ['(no source row)', e.message, pointer.file ?? null, pointer.line ?? null, inv.row] : (raw ?? [UNSERIALIZABLE, inv.pointer.file ?? null, inv.row]);
      return {
        transferId,
        connectorId: conn.id,
        code: e.code,
        message: e.message,
        field: e.field,
        value: e.value,
        pointer,
        payload: i === 0 && !absent ? (raw === undefined ? UNSERIALIZABLE : inv.raw) : undefined,
        fingerprint: fingerprintOf(e.code, e.field ?? null, seen),
        ...(rowId ? { rowIdentity: rowId } : {}),
        sightingKey: `${transferId}|${chunkKey}|${n}|${i}`,
      };
    });
  });
}

/**
 * A chunk whose transaction is under way. The next chunk of the part starts once this one's records are
 * locked (`locked`), so where the two share a record the database makes the next one wait for this
 * one's commit, and each record takes the chunks' changes in file order. A chunk that retracts source
 * records (`retracts`) is written alone: its retractions may lock any record of the source.
 */
interface InFlightChunk {
  key: string;
  retracts: boolean;
  /** Settles once the chunk's records are locked, or its commit has ended either way. */
  locked: Promise<void>;
  /** The chunk committed and its deliveries were queued; rejects with what failed it. */
  done: Promise<void>;
}

function startChunk(deps: TransferDeps, ctx: UnitContext, transferId: string, chunkKey: string, batch: MappedBatch, after: InFlightChunk | undefined, log: Logger): InFlightChunk {
  let signal!: () => void;
  const locked = new Promise<void>((resolve) => (signal = resolve));
  const done = commitChunk(deps, ctx, transferId, chunkKey, batch, log, { after, onLocked: signal }).finally(signal);
  done.catch(() => {}); // awaited by the loop; meanwhile a failure is not an unhandled rejection
  return { key: chunkKey, retracts: batch.retractions.length > 0, locked, done };
}

/**
 * Commit one chunk: its records, retractions, quarantine, outbox and counts in one transaction, then
 * queue its deliveries. With `after` (the chunk before it, still committing), its records are written
 * first and the rest waits, in the database, for `after`'s transaction: it commits only if `after`
 * committed, so the chunks a crash leaves committed are always the first ones of the part. Should
 * `after` fail or the two deadlock, this chunk's transaction is rolled back and run again once `after`
 * has committed (or fails with `after`'s error).
 */
async function commitChunk(
  deps: TransferDeps,
  ctx: UnitContext,
  transferId: string,
  chunkKey: string,
  batch: MappedBatch,
  log: Logger,
  order: { after?: InFlightChunk; onLocked?: () => void } = {},
): Promise<void> {
  const { store, router } = deps;
  const { conn, identity } = ctx;
  const hold = store.concurrentChunks;
  let after = order.after;
  let pending: PendingDelivery[] = [];
  let changedRecords: MappedRecord[] = [];
  let skipped = false;
  const write = async (tx: Db): Promise<void> => {
    pending = [];
    changedRecords = [];
    skipped = false;
    if (!(await store.claimChunk(transferId, chunkKey, tx, { hold }))) {
      skipped = true; // committed by an earlier run of this transfer
      return;
    }
    // upsertRecords calls onLocked once the records are locked; a chunk of invalid rows only has none to lock.
    const results = batch.records.length ? await store.upsertRecords(batch.records, { transferId, source: conn.id, onLocked: order.onLocked }, tx) : [];
    if (!batch.records.length) order.onLocked?.();
    if (after && !(await store.chunkCommitted(transferId, after.key, tx))) {
      throw new HubError('HUB_ERR_STORE_CONFLICT', { sqlstate: 'none', reason: `chunk ${after.key} before this one has not committed` });
    }
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
    if (batch.invalid.length) await store.addQuarantine(chunkQuarantine(transferId, conn, chunkKey, batch, identity), tx);
    // Rows stored now that were quarantined by an earlier export: the correction resolves their entries.
    await store.resolveQuarantine(conn.id, identity.ofRecords(batch.records), transferId, tx);
    const outbox = [...router.route(changed)].map(([dest, recs]) => ({
      deliveryId: recordsDeliveryId(dest.id, recs),
      destinationId: dest.id,
      packageRef: `records:${transferId}`,
      content: 'records' as const,
      payload: { records: recs.map(retracted.asDelivered) },
    }));
    const fresh = await store.createDeliveries(outbox, tx);
    for (const d of outbox) if (fresh.has(d.deliveryId)) pending.push({ deliveryId: d.deliveryId, destinationId: d.destinationId });
    await store.addTransferCounts(
      transferId,
      { ...readCounts(batch), stored: results.length, changed: changed.length, unchanged },
      tx,
    );
  };
  for (;;) {
    try {
      await store.transaction(write);
      break;
    } catch (err) {
      if (!after || !(err instanceof HubError && err.code === 'HUB_ERR_STORE_CONFLICT')) throw err;
      await after.done; // rejects with its own error if it failed
      after = undefined; // it has committed: run again on its own
    }
  }
  // Deliveries and lead lookups in chunk order too: the chunk before this one has queued its own.
  await order.after?.done.catch(() => {});
  if (skipped) {
    log.debug({ chunk: chunkKey }, 'chunk committed by an earlier run: skipped');
    return;
  }
  if (pending.length) await deps.enqueueDeliveries(pending);
  if (changedRecords.length && deps.onChanged) await deps.onChanged(changedRecords);
  log.debug({ records: batch.records.length, invalid: batch.invalid.length, deliveries: pending.length }, 'chunk committed');
}

/** What a transfer's last attempt failed with, as its dead letter keeps it. */
export interface UnitFailure {
  /** The job that failed (its id, for the dead letter). */
  jobId: string;
  /** Attempts made, with their errors. */
  attempts: DeadLetterAttempt[];
}

/** A short one-line reason from an error, for messages that people read (never a stack). */
export function briefReason(err: unknown): string {
  const e = err as { name?: unknown; message?: unknown } | null;
  const text = `${typeof e?.name === 'string' ? e.name : 'Error'}: ${typeof e?.message === 'string' ? e.message : String(err)}`;
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 200 ? `${line.slice(0, 199)}…` : line;
}

/** `briefReason` as log lines show it: an error's `logMessage` (without what a peer's answer quoted) when it has one. */
export function loggedReason(err: unknown): string {
  const logged = (err as { logMessage?: unknown } | null)?.logMessage;
  return typeof logged === 'string' ? briefReason({ name: (err as { name?: unknown }).name, message: logged }) : briefReason(err);
}

/**
 * A transfer failed its last attempt with an unexpected error: set its unit aside so it holds nothing
 * and is not offered again. The unit goes where the connector rejects units (`rejected/` with
 * `<name>.errors.json`, the rejected spool), gets a quarantine entry and a dead letter (kind `unit`)
 * an operator can replay, and the transfer is marked failed. Safe to run twice for one transfer.
 */
export async function setAsideUnit(deps: TransferDeps, data: TransferJobData, failure: UnitFailure, log: Logger): Promise<void> {
  const { store } = deps;
  const { conn, source } = resolve(deps, data.connectorId);
  const done = new Set(data.done ?? []);
  const units = data.unit ? [data.unit] : (data.units ?? []).filter((u) => !done.has(u.id));
  const reason = failure.attempts.at(-1)?.error ?? 'unknown error';
  let message = reason;
  for (const unit of units) {
    const err = new HubError('HUB_ERR_PIPELINE_UNIT_FAILED', { connector: conn.id, unit: unit.name, attempts: failure.attempts.length, reason });
    message = err.message;
    let aside: SourceUnit | null = unit;
    try {
      const r = await source.reject(unit, [err.toReport()]);
      if (r !== undefined) aside = r;
    } catch (rejectErr) {
      log.error({ unit: unit.name, err: briefReason(rejectErr) }, 'transfer: the failed unit could not be moved aside; it stays where it is');
    }
    await store.addQuarantine([
      {
        transferId: data.transferId,
        connectorId: conn.id,
        code: err.code,
        message: err.message,
        pointer: { file: unit.name },
        fingerprint: fingerprintOf(err.code, 'unit', unit.id),
        sightingKey: `${data.transferId}|set-aside|${unit.id}`,
      },
    ]);
    await store.addDeadLetter({
      id: derivedUuid(`unit\u0000${data.transferId}\u0000${unit.id}`),
      kind: 'unit',
      queue: 'transfers',
      jobId: failure.jobId,
      connectorId: conn.id,
      payload: { transferId: data.transferId, connectorId: conn.id, trigger: data.trigger, unit: aside ?? unit, gone: aside === null },
      attempts: failure.attempts,
    });
    deps.metrics.unitsSetAside.inc({ connector: conn.id });
    log.error({ unit: unit.name, attempts: failure.attempts.length, reason }, 'transfer: unit failed every attempt; set aside with a dead letter');
  }
  await store.finishTransfer(data.transferId, 'failed', message);
  deps.metrics.transfers.inc({ connector: conn.id, status: 'failed' });
}

export type { DestinationConfig };
