/**
 * The hub's durable state over a `Db` (PostgreSQL or PGlite): one facade over the store's modules,
 * one concept a file: `records.ts` (canonical records, provenance), `transfers.ts`, `quarantine.ts`,
 * `deliveries.ts` (the outbox ledger), `cursors.ts`, `dead-letters.ts`, `leases.ts` (leases, once-claims),
 * `audit.ts` (the hash-chained audit trail), `spool.ts` (received bodies waiting for their transfer).
 *
 * Methods that write take an optional `tx` (from `store.transaction()`), so the pipeline commits a
 * chunk's records, the connector's cursor and the transfer's counts in ONE transaction: a source is
 * acknowledged only after its records are committed. Without `tx`, a method runs on its own (in its
 * own transaction when it needs several statements, retried on a deadlock or serialization failure).
 */
import type { Db } from './db.ts';
import { migrate, schemaVersion } from './migrate.ts';
import * as recordsTable from './records.ts';
import * as contributions from './contributions.ts';
import * as retractions from './retractions.ts';
import * as transfers from './transfers.ts';
import * as quarantine from './quarantine.ts';
import * as deliveries from './deliveries.ts';
import * as cursors from './cursors.ts';
import * as deadLetters from './dead-letters.ts';
import * as leases from './leases.ts';
import * as audit from './audit.ts';
import type { AuditEntry, AuditInput } from './audit-chain.ts';
import { inTx } from './sql.ts';
import { DeliveredWriter, markDeliveredBatch, type DeliveredInput } from './delivered-writer.ts';
import { HubError } from '../errors/hub-error.ts';
import * as spool from './spool.ts';
import type {
  DeadLetter,
  DeadLetterFilter,
  Delivery,
  DeliveryClaim,
  DeliveryFilter,
  Lease,
  NewDeadLetter,
  NewDelivery,
  NewTransfer,
  QuarantineEntry,
  QuarantineFilter,
  QuarantineInput,
  RecordContribution,
  RetractContext,
  RetractionInput,
  RetractResult,
  SourceRef,
  SpoolBacklog,
  SpooledBody,
  StoredRecord,
  StoreHealth,
  Transfer,
  TransferCounts,
  TransferFilter,
  TransferStatus,
  UpsertContext,
  UpsertInput,
  UpsertResult,
} from './types.ts';

export interface StoreOpenOptions {
  /** Apply pending migrations first. @defaultValue true */
  migrate?: boolean;
}

export class Store {
  readonly db: Db;
  #delivered: DeliveredWriter | undefined;

  constructor(db: Db) {
    this.db = db;
  }

  /** A store over `db`, migrated to the newest schema. */
  static async open(db: Db, options: StoreOpenOptions = {}): Promise<Store> {
    if (options.migrate !== false) await migrate(db);
    return new Store(db);
  }

  get kind(): Db['kind'] {
    return this.db.kind;
  }

  /** Run `fn` in one transaction; pass its `tx` to the store methods called inside. */
  transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
    return this.db.transaction(fn);
  }

  async close(): Promise<void> {
    await this.db.close();
  }

  /**
   * Insert or merge a chunk of canonical records by natural key. What the chunk's source (`ctx.source`,
   * the connector) says about a record replaces what it said before under the same source record id
   * (rows of one transfer add up); other sources' statements stay; the record is the merge of them all
   * (`contributions.ts`, `merge.ts`, docs/corrections.md). Returns one result per input, in input order.
   * Inputs with the same type and key within a chunk apply in order, as if upserted one after another.
   * Every input adds provenance rows (one per source ref, or one bare row), de-duplicated on (record,
   * transfer, system, mapping, file, pointer). A constant number of statements per chunk (records.ts).
   */
  upsertRecords(records: readonly UpsertInput[], ctx: UpsertContext = {}, tx?: Db): Promise<UpsertResult[]> {
    return recordsTable.upsertRecords(this.db, records, ctx, tx);
  }

  /**
   * Withdraw what source records published (a `delete`), or what a `replace` no longer gives: the
   * source's contributions under those source record ids are removed; a record left with none becomes a
   * tombstone (`retractions.ts`). Returns the records that changed. Pass the chunk's `tx`.
   */
  retractSourceRecords(items: readonly RetractionInput[], ctx: RetractContext, tx?: Db): Promise<RetractResult[]> {
    return retractions.retractSourceRecords(this.db, items, ctx, tx);
  }

  /** Who says what about a record: each source's latest statement, oldest change first. */
  listRecordContributions(recordId: string): Promise<RecordContribution[]> {
    return contributions.listRecordContributions(this.db, recordId);
  }

  /** A record by type and natural key, with its newest `sourceLimit` source refs (default 100); tombstones only with `includeDeleted`. */
  getRecord(type: string, key: string, options: recordsTable.GetRecordOptions = {}): Promise<StoredRecord | undefined> {
    return recordsTable.getRecord(this.db, type, key, options);
  }

  getRecordById(id: string, options: recordsTable.GetRecordOptions = {}): Promise<StoredRecord | undefined> {
    return recordsTable.getRecordById(this.db, id, options);
  }

  /** Provenance of a record, oldest first within the newest `limit`. */
  listRecordSources(recordId: string, options: { limit?: number } = {}): Promise<SourceRef[]> {
    return recordsTable.listRecordSources(this.db, recordId, options);
  }

  /**
   * Records of a type whose fields equal the filter's values, e.g. `{ labCaseNumber: 'L24-0012' }`.
   * A field may be a dotted path (`make.code`, `events.agencyCaseNumber`); a path through an array
   * matches when any element does. Uses the GIN index on the body. Ordered by natural key; sourceRefs
   * are left out (use getRecord or listRecordSources). Tombstones are never found.
   */
  findRecords(type: string, filter: Record<string, string | number> = {}, limit = 100): Promise<StoredRecord[]> {
    return recordsTable.findRecords(this.db, type, filter, limit);
  }

  createTransfer(input: NewTransfer, tx?: Db): Promise<Transfer> {
    return transfers.createTransfer(tx ?? this.db, input);
  }

  /** Mark a queued transfer running (sets started_at once). */
  startTransfer(id: string, tx?: Db): Promise<Transfer> {
    return transfers.startTransfer(tx ?? this.db, id);
  }

  /** Add to a transfer's counts atomically (`n = n + delta`); returns the counts after. */
  addTransferCounts(id: string, deltas: Partial<TransferCounts>, tx?: Db): Promise<TransferCounts> {
    return transfers.addTransferCounts(tx ?? this.db, id, deltas);
  }

  /**
   * Record that a transfer committed the chunk `chunkKey` (unit, part, chunk index), inside the chunk's
   * transaction: true the first time, false when a resumed run reaches a chunk committed before.
   */
  claimChunk(transferId: string, chunkKey: string, tx?: Db, options: { hold?: boolean } = {}): Promise<boolean> {
    return transfers.claimChunk(tx ?? this.db, transferId, chunkKey, options);
  }

  /**
   * Chunks of a transfer can be written side by side, each in its own transaction (PostgreSQL; PGlite
   * has one connection). A chunk claimed with `hold: true` keeps a lock until its transaction ends;
   * `chunkCommitted` waits for that end and says whether the chunk committed.
   */
  get concurrentChunks(): boolean {
    return this.db.kind === 'postgres';
  }

  /** Whether chunk `chunkKey` committed, after waiting for the transaction that claimed it with `hold` (see above). */
  chunkCommitted(transferId: string, chunkKey: string, tx: Db): Promise<boolean> {
    return transfers.chunkCommitted(tx, transferId, chunkKey);
  }

  /** Forget a transfer that never ran (its request was refused after it was written); false when it ran. */
  dropQueuedTransfer(id: string, tx?: Db): Promise<boolean> {
    return transfers.dropQueuedTransfer(tx ?? this.db, id);
  }

  finishTransfer(id: string, status: 'succeeded' | 'failed' | 'partial', error?: string, tx?: Db): Promise<Transfer> {
    return transfers.finishTransfer(tx ?? this.db, id, status, error);
  }

  /** Finish a transfer whose units were all read: failed, partial or succeeded by its units and its invalid count. */
  concludeTransfer(id: string, units: { failed: number; total: number }, error?: string, tx?: Db): Promise<Transfer> {
    return transfers.concludeTransfer(tx ?? this.db, id, units, error);
  }

  getTransfer(id: string): Promise<Transfer | undefined> {
    return transfers.getTransfer(this.db, id);
  }

  /** Newest first. */
  listTransfers(filter: TransferFilter = {}): Promise<Transfer[]> {
    return transfers.listTransfers(this.db, filter);
  }

  countTransfers(filter: Omit<TransferFilter, 'limit' | 'offset'> = {}): Promise<number> {
    return transfers.countTransfers(this.db, filter);
  }

  /** The connector's newest transfer (optionally: the newest with that status). */
  lastTransfer(connectorId: string, options: { status?: TransferStatus } = {}): Promise<Transfer | undefined> {
    return transfers.lastTransfer(this.db, connectorId, options);
  }

  /** Store quarantined records in one statement; returns their ids in input order. */
  addQuarantine(entries: readonly QuarantineInput[], tx?: Db): Promise<string[]> {
    return quarantine.addQuarantine(tx ?? this.db, entries);
  }

  /** A later transfer stored rows with these identities: their open entries from other transfers are resolved. */
  resolveQuarantine(connectorId: string, identities: readonly string[], transferId: string, tx?: Db): Promise<number> {
    return quarantine.resolveQuarantine(tx ?? this.db, connectorId, identities, transferId);
  }

  /** Newest sighting first. */
  listQuarantine(filter: QuarantineFilter = {}): Promise<QuarantineEntry[]> {
    return quarantine.listQuarantine(this.db, filter);
  }

  countQuarantine(filter: Omit<QuarantineFilter, 'limit' | 'offset'> = {}): Promise<number> {
    return quarantine.countQuarantine(this.db, filter);
  }

  /**
   * Register a delivery attempt-to-be. True when it should be attempted: the row is new, or still
   * pending, failed or dead (a replay); false when it was already delivered, so a re-run or a
   * re-ingested file delivers nothing twice. The id comes from `deliveryIdFor`.
   */
  claimDelivery(claim: DeliveryClaim, tx?: Db): Promise<boolean> {
    return deliveries.claimDelivery(tx ?? this.db, claim);
  }

  /**
   * Write a delivery with its content to the ledger (the outbox), in the caller's transaction.
   * True when it is new; false when a delivery with this id exists already (the same content was
   * routed to the same destination before), so nothing is queued twice.
   */
  /** Write several deliveries with their content in one statement; returns the ids that are new (see `createDelivery`). */
  createDeliveries(list: readonly NewDelivery[], tx?: Db): Promise<Set<string>> {
    return deliveries.createDeliveries(tx ?? this.db, list);
  }

  createDelivery(d: NewDelivery, tx?: Db): Promise<boolean> {
    return deliveries.createDelivery(tx ?? this.db, d);
  }

  /** Deliveries written but not delivered (pending or failed and not dead), oldest first, to queue again. */
  listUndelivered(limit = 1000): Promise<{ deliveryId: string; destinationId: string }[]> {
    return deliveries.listUndelivered(this.db, limit);
  }

  /** Count an attempt at a delivery not delivered yet; its row (as delivered, uncounted, when it was), or undefined. */
  beginAttempt(deliveryId: string, tx?: Db): Promise<Delivery | undefined> {
    return deliveries.beginAttempt(tx ?? this.db, deliveryId);
  }

  /**
   * Mark a delivery delivered and record it in the audit trail (category `delivery`: destination,
   * delivery id, package ref), in one transaction: content that left the hub is never unrecorded.
   * True when this call marked it delivered; false when it was already (a repeat is recorded too).
   */
  markDelivered(deliveryId: string, result: { responseStatus?: number } = {}, tx?: Db): Promise<boolean> {
    return inTx(this.db, tx, async (t) => {
      const first = (await markDeliveredBatch(t, [{ deliveryId, ...(result.responseStatus !== undefined ? { responseStatus: result.responseStatus } : {}) }])).get(deliveryId);
      if (first === undefined) throw new HubError('HUB_ERR_STORE_NOT_FOUND', { what: 'Delivery', id: deliveryId });
      return first;
    });
  }

  /**
   * `markDelivered` for a delivery job, grouped with the other deliveries this process marks at the same
   * time into one transaction (delivered-writer.ts), with the delivered records counted on `count`'s
   * transfer the first time. Resolves true when this call marked it delivered.
   */
  recordDelivered(input: DeliveredInput): Promise<boolean> {
    this.#delivered ??= new DeliveredWriter(this.db);
    return this.#delivered.record(input);
  }

  /** Record a failed attempt; `dead` when no attempt is left. A delivered row stays delivered. */
  markDeliveryFailed(deliveryId: string, error: string, options: { dead: boolean; responseStatus?: number }, tx?: Db): Promise<void> {
    return deliveries.markDeliveryFailed(tx ?? this.db, deliveryId, error, options);
  }

  getDelivery(deliveryId: string, tx?: Db): Promise<Delivery | undefined> {
    return deliveries.getDelivery(tx ?? this.db, deliveryId);
  }

  /** Newest first. */
  listDeliveries(filter: DeliveryFilter = {}): Promise<Delivery[]> {
    return deliveries.listDeliveries(this.db, filter);
  }

  getCursor(connectorId: string, tx?: Db): Promise<string | undefined> {
    return cursors.getCursor(tx ?? this.db, connectorId);
  }

  /** Advance a connector's cursor; pass the chunk's `tx` so it commits with the records it covers. */
  setCursor(connectorId: string, value: string, tx?: Db, transferId?: string): Promise<void> {
    return cursors.setCursor(tx ?? this.db, connectorId, value, transferId);
  }

  addDeadLetter(input: NewDeadLetter, tx?: Db): Promise<DeadLetter> {
    return deadLetters.addDeadLetter(tx ?? this.db, input);
  }

  /** Newest first. */
  listDeadLetters(filter: DeadLetterFilter = {}): Promise<DeadLetter[]> {
    return deadLetters.listDeadLetters(this.db, filter);
  }

  countDeadLetters(filter: Omit<DeadLetterFilter, 'limit' | 'offset'> = {}): Promise<number> {
    return deadLetters.countDeadLetters(this.db, filter);
  }

  getDeadLetter(id: string): Promise<DeadLetter | undefined> {
    return deadLetters.getDeadLetter(this.db, id);
  }

  /**
   * Record that a dead letter was re-queued as job `jobId`. True only for the first caller, so an API
   * call and a CLI command replaying the same letter at once re-queue it once; false when it was
   * already replayed. Unknown id: HUB_ERR_STORE_NOT_FOUND.
   */
  markReplayed(id: string, jobId: string, tx?: Db): Promise<boolean> {
    return deadLetters.markReplayed(tx ?? this.db, id, jobId);
  }

  /** Undo `markReplayed` when the replay could not be queued after all. */
  unmarkReplayed(id: string, jobId: string): Promise<void> {
    return deadLetters.unmarkReplayed(this.db, id, jobId);
  }

  // --- spool: received bodies waiting for their transfer ----------------------------------------

  putSpooled(body: spool.NewSpooledBody, tx?: Db): Promise<void> {
    return spool.putSpooled(tx ?? this.db, body);
  }

  /** The body, or undefined when it is gone (its transfer committed). */
  readSpooled(id: string): Promise<Buffer | undefined> {
    return spool.readSpooled(this.db, id);
  }

  getSpooled(id: string): Promise<SpooledBody | undefined> {
    return spool.getSpooled(this.db, id);
  }

  removeSpooled(id: string, tx?: Db): Promise<boolean> {
    return spool.removeSpooled(tx ?? this.db, id);
  }

  rejectSpooled(id: string, errors: unknown): Promise<boolean> {
    return spool.rejectSpooled(this.db, id, errors);
  }

  restoreSpooled(id: string): Promise<boolean> {
    return spool.restoreSpooled(this.db, id);
  }

  /** A received body with its queued transfer, if the connector's backlog has room (see spool.ts). */
  spoolWithTransfer(body: spool.NewSpooledBody & { transferId: string; source: string }, limits: spool.SpoolLimits): Promise<spool.SpoolOutcome> {
    return spool.spoolWithTransfer(this.db, body, limits);
  }

  /** Bodies of a connector waiting for their transfer, and their bytes. */
  spoolBacklog(connectorId: string): Promise<SpoolBacklog> {
    return spool.spoolBacklog(this.db, connectorId);
  }

  /** Queued bodies received before `before`, oldest first. */
  listSpooledQueued(before: string, limit?: number): Promise<SpooledBody[]> {
    return spool.listSpooledQueued(this.db, before, limit);
  }

  /**
   * Take the lease `name` for `ttlMs`: true when it was free, expired (taken over) or already ours
   * (renewed). One statement, so two contenders cannot both win. Times are the database's clock.
   */
  tryAcquireLease(name: string, holder: string, ttlMs: number): Promise<boolean> {
    return leases.tryAcquireLease(this.db, name, holder, ttlMs);
  }

  /** Give the lease up; true when `holder` held it. */
  releaseLease(name: string, holder: string): Promise<boolean> {
    return leases.releaseLease(this.db, name, holder);
  }

  /** The current (unexpired) holder of a lease. */
  getLease(name: string): Promise<Lease | undefined> {
    return leases.getLease(this.db, name);
  }

  /** True only for the first caller ever to claim `name` (e.g. `schedule:<connector>:<fire-time-iso>`). */
  tryClaimOnce(name: string, holder?: string): Promise<boolean> {
    return leases.tryClaimOnce(this.db, name, holder);
  }

  /** Forget claims older than `olderThanMs`; returns how many. */
  pruneOnceClaims(olderThanMs: number): Promise<number> {
    return leases.pruneOnceClaims(this.db, olderThanMs);
  }

  // --- audit trail (audit.ts) ------------------------------------------------------------------

  /** Append entries to the audit chain: in `tx` (append at the end of it: the chain's lock is held to its commit), or in a transaction of their own. */
  appendAudit(entries: readonly AuditInput[], tx?: Db): Promise<AuditEntry[]> {
    return inTx(this.db, tx, (t) => audit.appendAudit(t, entries));
  }

  listAudit(filter: audit.AuditFilter = {}): Promise<AuditEntry[]> {
    return audit.listAudit(this.db, filter);
  }

  countAudit(filter: audit.AuditFilter = {}): Promise<number> {
    return audit.countAudit(this.db, filter);
  }

  /** Every matching entry in position order, paged by position (for exports). */
  scanAudit(filter: Omit<audit.AuditFilter, 'order' | 'offset' | 'limit'> = {}): AsyncGenerator<AuditEntry> {
    return audit.scanAudit(this.db, filter);
  }

  /** Walk the chain; the first entry that does not fit, or ok. `key` checks the checkpoints' signatures. */
  verifyAudit(key: string | undefined, onProgress?: (n: number) => void, opts?: audit.VerifyOptions): Promise<audit.AuditVerification> {
    return audit.verifyAudit(this.db, key, onProgress, opts);
  }

  /** Delete entries older than `before` under a signed checkpoint, in one transaction. */
  pruneAudit(key: string, before: Date): Promise<{ pruned: number; checkpoint: audit.AuditCheckpoint | null }> {
    return inTx(this.db, undefined, (t) => audit.pruneAudit(t, key, before));
  }

  /** Sign the chain's head as a checkpoint (if it moved since the last one). */
  anchorAudit(key: string): Promise<audit.AuditCheckpoint | null> {
    return inTx(this.db, undefined, (t) => audit.anchorAudit(t, key));
  }

  // --- health -----------------------------------------------------------------------------------

  /** Ping the database; never throws. */
  async health(): Promise<StoreHealth> {
    const started = performance.now();
    try {
      await this.db.query('SELECT 1');
      const version = await schemaVersion(this.db);
      const h: StoreHealth = { ok: true, kind: this.db.kind, latencyMs: Math.round((performance.now() - started) * 100) / 100 };
      if (version) h.schemaVersion = version;
      return h;
    } catch (err) {
      return {
        ok: false,
        kind: this.db.kind,
        latencyMs: Math.round((performance.now() - started) * 100) / 100,
        error: err instanceof Error ? err.message : String(err),
      };
    }
  }
}
