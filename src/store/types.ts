/** The store's public data shapes: what its methods take and return. Times are ISO 8601 strings (UTC). */
import type { SourcePointer } from '../formats/source-pointer.ts';
import type { CanonicalRecord } from '../canonical/types.generated.ts';

export type Classification = 'cji' | 'les' | 'public';
export const CLASSIFICATIONS: readonly Classification[] = ['cji', 'les', 'public'];

/** Provenance of a record: one element of the envelope's `sourceRefs[]`, one row of `record_sources`. */
export interface SourceRef {
  /** Connector or mapping source that produced the record. */
  system?: string;
  /** The record's id in the source system, when it has one. */
  recordId?: string;
  /** `mappingId@version`. */
  mapping?: string;
  file?: string;
  pointer?: SourcePointer;
  receivedAt?: string;
  payloadHash?: string;
  /** The transfer that carried it (filled from the upsert context when absent). */
  transferId?: string;
  /** The source whose contribution it was (see `UpsertContext.source`); set by the store. */
  source?: string;
  /** `replace` or `delete` when the sighting was a source record's instruction to retract; set by the store. */
  action?: 'replace' | 'delete';
}

/**
 * A record to upsert: envelope fields and entity fields side by side. The canonical types of
 * src/canonical (`CanonicalRecord`) are accepted as they are; this looser shape serves callers and
 * tests that build records by hand.
 */
export interface RecordInput {
  type: string;
  /** Natural key (see docs/architecture.md). Derived with src/canonical `naturalKey` when absent. */
  key?: string;
  /** Hub id (UUID, deterministic from type and key). Derived by the store when absent; an existing row keeps its id. */
  id?: string;
  classification?: Classification | string;
  sourceRefs?: readonly SourceRef[];
  [field: string]: unknown;
}

/** What `upsertRecords` takes. */
export type UpsertInput = RecordInput | CanonicalRecord;

/** A stored record: the body plus the envelope the store maintains. */
export interface StoredRecord {
  type: string;
  key: string;
  id: string;
  classification: Classification;
  version: number;
  createdAt: string;
  updatedAt: string;
  /** Provenance, oldest first (the newest `sourceLimit` of them). Left out by findRecords. */
  sourceRefs?: SourceRef[];
  /** A tombstone: every contribution was withdrawn (docs/corrections.md). Only with `includeDeleted`. */
  deleted?: true;
  deletedAt?: string;
  [field: string]: unknown;
}

/** What one source says about a record: its latest statement (see `Store.listRecordContributions`). */
export interface RecordContribution {
  /** The connector that delivered it (or the mapping's system, or `legacy` for records stored before contributions existed). */
  source: string;
  /** The source's own id of the source record (mapping `source.recordId`); null when the mapping names none. */
  sourceRecordId: string | null;
  /** The transfer that last changed it. */
  transferId: string | null;
  updatedAt: string;
  /** The entity fields this source gives (without type, key and classification). */
  fields: Record<string, unknown>;
}

export type UpsertStatus = 'inserted' | 'updated' | 'unchanged';

export interface UpsertResult {
  id: string;
  type: string;
  key: string;
  status: UpsertStatus;
  /** The record's version after this input was applied. */
  version: number;
  /** The stored body after the merge (entity fields and envelope), for routing and delivery. */
  body: Record<string, unknown>;
}

export interface UpsertContext {
  /** The transfer carrying the chunk; recorded in the provenance rows. Rows of one transfer add up to one contribution. */
  transferId?: string;
  /**
   * Who says it: the connector id. A source's newer statement about a record (from a later transfer)
   * replaces what the same source said before under the same source record id; other sources'
   * statements stay (docs/corrections.md). @defaultValue each record's first source ref's `system`, else `unknown`
   */
  source?: string;
  /** Used for source refs that carry no `receivedAt`. @defaultValue the transaction's time */
  receivedAt?: string;
  /**
   * Called once the chunk's records are locked (existing rows locked, new rows inserted), before they are
   * written: a later chunk may start then, and waits on these rows in the database (pipelined commits).
   */
  onLocked?: () => void;
}

/** A source record withdrawn (`delete`) or replaced (`replace`): see `Store.retractSourceRecords`. */
export interface RetractionInput {
  /** The source's own id of the source record (its sourceRefs' `recordId`). */
  sourceRecordId: string;
  action: 'replace' | 'delete';
  /** Records (hub ids) that keep this source record's contribution: a replace's own new records. */
  keep?: readonly string[];
}

export interface RetractContext {
  /** The source whose contributions are withdrawn (the connector id, as given to upsertRecords). */
  source: string;
  transferId?: string;
}

/** A record a retraction changed. */
export interface RetractResult {
  id: string;
  type: string;
  key: string;
  /** `deleted`: no contribution is left, the record is a tombstone; `updated`: other sources' statements remain. */
  status: 'updated' | 'deleted';
  version: number;
  /** What destinations receive: the record as it now is, or for a tombstone the deletion notice (envelope, `deleted: true`, `deletedAt`). */
  body: Record<string, unknown>;
  /** The record before (for routing: who received it). */
  previous: Record<string, unknown>;
}

export type TransferTrigger = 'schedule' | 'webhook' | 'manual' | 'file';
export type TransferStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'partial';
/**
 * A transfer's counts: rows `read` = `mapped` + `invalid` (quarantined); `damaged`: mapped rows whose
 * text shows a wrong encoding, stored as read (the mapping's `source.encodingErrors: warn`); record
 * statements `stored`, of which `unchanged` changed nothing; records `changed`; records `delivered`
 * and `failed` (deliveries given up).
 */
export const TRANSFER_COUNT_NAMES = ['read', 'mapped', 'invalid', 'damaged', 'stored', 'changed', 'unchanged', 'delivered', 'failed'] as const;
export type TransferCountName = (typeof TRANSFER_COUNT_NAMES)[number];
export type TransferCounts = Record<TransferCountName, number>;

export interface NewTransfer {
  /** @defaultValue a random UUID */
  id?: string;
  connectorId: string;
  trigger: TransferTrigger;
  /** What was read, for people: a file name, a URL, "webhook from CT0015100". */
  source?: string;
  /** @defaultValue `queued` */
  status?: 'queued' | 'running';
  /** A transfer with this id exists already: return it as it is instead of failing. */
  ifAbsent?: boolean;
}

export interface Transfer {
  id: string;
  connectorId: string;
  trigger: TransferTrigger;
  source: string | null;
  status: TransferStatus;
  counts: TransferCounts;
  error: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface TransferFilter {
  connectorId?: string;
  status?: TransferStatus;
  /** Created at or after this ISO time. */
  since?: string;
  /** Created before this ISO time. */
  until?: string;
  /** @defaultValue 50 */
  limit?: number;
  offset?: number;
}

export interface QuarantineInput {
  /** @defaultValue a random UUID */
  id?: string;
  transferId?: string;
  connectorId?: string;
  code: string;
  message: string;
  field?: string;
  value?: string;
  pointer?: SourcePointer;
  /** The raw source row or element: text, or a JSON value. */
  payload?: unknown;
  /**
   * What makes two sightings "the same bad row" (with connectorId): e.g. a hash of the code, the field
   * and the raw row. Entries with a fingerprint are de-duplicated: a second sighting adds to the count.
   * Without one, every input is an entry of its own.
   */
  fingerprint?: string;
  /** The row's identity (e.g. its natural key): a later transfer storing that identity resolves the entry. */
  rowIdentity?: string;
  /** Where in a run it was seen (transfer, unit, chunk, position): the same key counts once. @defaultValue unique */
  sightingKey?: string;
}

export interface QuarantineEntry {
  id: string;
  transferId: string | null;
  connectorId: string | null;
  code: string;
  message: string;
  field: string | null;
  value: string | null;
  pointer: SourcePointer | null;
  payload: unknown;
  /** First sighting. */
  createdAt: string;
  /** How many times the row was seen (one per transfer, or more when a file repeats it). */
  count: number;
  /** Last sighting; `transferId` and `pointer` are the last sighting's. */
  lastSeenAt: string;
  /** Set when a later transfer stored the row corrected (same identity). */
  resolvedAt: string | null;
  /** The transfer that stored the corrected row. */
  resolvedBy: string | null;
}

export interface QuarantineFilter {
  connectorId?: string;
  /** Entries seen in this transfer (any sighting). */
  transferId?: string;
  /** Entries seen in a source file of exactly this name (any sighting's `pointer.file`). */
  file?: string;
  code?: string;
  /** open: not resolved yet; resolved: a later transfer carried the row corrected. */
  status?: 'open' | 'resolved';
  /** @defaultValue 100 */
  limit?: number;
  offset?: number;
}

export type DeliveryStatus = 'pending' | 'delivered' | 'failed' | 'dead';

/** What is delivered: a record version, or a package (e.g. a lead package) by reference. */
export interface DeliveryTarget {
  destinationId: string;
  recordId?: string;
  packageRef?: string;
  recordVersion?: number;
}

export interface DeliveryClaim extends DeliveryTarget {
  /** Deterministic: see `deliveryIdFor`. */
  deliveryId: string;
}

/** A delivery written to the ledger with its content (see migration 002). */
export interface NewDelivery {
  deliveryId: string;
  destinationId: string;
  content: 'records' | 'lead';
  /** What the delivery is about, for people and queries (e.g. `records:<transfer>`, `lead:<id>@<version>`). */
  packageRef: string;
  payload: unknown;
}

export interface Delivery {
  deliveryId: string;
  content: 'records' | 'lead';
  payload: unknown;
  destinationId: string;
  recordId: string | null;
  packageRef: string | null;
  recordVersion: number | null;
  status: DeliveryStatus;
  attempts: number;
  lastError: string | null;
  responseStatus: number | null;
  createdAt: string;
  firstAttemptAt: string | null;
  lastAttemptAt: string | null;
  deliveredAt: string | null;
}

export interface DeliveryFilter {
  destinationId?: string;
  status?: DeliveryStatus;
  recordId?: string;
  /** @defaultValue 100 */
  limit?: number;
  offset?: number;
}

export interface DeadLetterAttempt {
  at: string;
  error: string;
  /** e.g. the HTTP status the destination answered. */
  status?: number | string;
}

export type DeadLetterKind = 'delivery' | 'unit';

export interface NewDeadLetter {
  /** @defaultValue a random UUID. A dead letter with an id that exists already is not written twice. */
  id?: string;
  /** @defaultValue `delivery` */
  kind?: DeadLetterKind;
  queue: string;
  jobId: string;
  destinationId?: string;
  /** The source connector of a unit that failed for good. */
  connectorId?: string;
  payload: unknown;
  attempts: readonly DeadLetterAttempt[];
  /** @defaultValue the last attempt's error */
  lastError?: string;
}

export interface DeadLetter {
  id: string;
  /** delivery: a delivery that failed every attempt; unit: a source unit (file, body) that failed every attempt. */
  kind: DeadLetterKind;
  queue: string;
  jobId: string;
  destinationId: string | null;
  connectorId: string | null;
  payload: unknown;
  attempts: DeadLetterAttempt[];
  lastError: string | null;
  createdAt: string;
  replayedAt: string | null;
  replayJobId: string | null;
}

export interface DeadLetterFilter {
  queue?: string;
  kind?: DeadLetterKind;
  destinationId?: string;
  connectorId?: string;
  /** Created at or after this time (ISO 8601). */
  since?: string;
  /** Created before this time (ISO 8601). */
  until?: string;
  /** true: only those not replayed yet; false: only replayed ones. */
  pending?: boolean;
  /** @defaultValue 100 */
  limit?: number;
  offset?: number;
}

export interface Lease {
  name: string;
  holder: string;
  acquiredAt: string;
  expiresAt: string;
}

export interface StoreHealth {
  ok: boolean;
  kind: 'postgres' | 'pglite';
  latencyMs: number;
  schemaVersion?: string;
  error?: string;
}

/** A body a source received, held in the store until its transfer commits (see migration 006). */
export interface SpooledBody {
  id: string;
  connectorId: string;
  transferId: string | null;
  bytes: number;
  sha256: string;
  status: 'queued' | 'rejected';
  errors: unknown;
  receivedAt: string;
  rejectedAt: string | null;
  /** The charset the request named; null when none. */
  charset: string | null;
}

/** What a connector's bodies waiting in the spool amount to. */
export interface SpoolBacklog {
  bodies: number;
  bytes: number;
}
