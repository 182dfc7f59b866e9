/**
 * The connector SDK: what a connector kind provides and what the pipeline asks of it.
 *
 * A connector kind is one folder in `connectors/` exporting one `ConnectorDescriptor`: its kind, its
 * direction, a description, a JSON Schema of its options (secrets marked `"x-secret": true`, so the
 * log redaction list and the "no inline secret" check derive from the marks) and a factory.
 *
 * Sources hand the pipeline **units** (one file, one poll, one webhook body): each unit becomes one
 * transfer of its own, processed and acknowledged on its own. A unit is acknowledged (`ack`: file
 * archived, cursor advanced) only after its records are committed, and set aside (`reject`) when it
 * cannot be read at all or failed every attempt; `restore` takes a set-aside unit back for a replay.
 * Destinations deliver one rendered body with a deterministic delivery id, and say whether a failure
 * is worth retrying.
 */
import type { Readable } from 'node:stream';
import type { Logger } from 'pino';
import type { ErrorCode } from '../errors/registry.ts';

export type Direction = 'source' | 'destination';

export interface CheckResult {
  ok: boolean;
  /** What was checked and what was found, for `GET /api/connectors` and `cgic validate --check`. */
  detail: string;
}

/** Given to every connector instance. */
export interface ConnectorContext {
  /** The connector or destination id from the hub configuration. */
  readonly id: string;
  readonly log: Logger;
  /** Folder for the connector's own state (e.g. downloaded files), under the hub's data dir. */
  readonly stateDir: string;
  /** Durable storage for bodies the connector receives (webhooks), shared by every hub process. */
  readonly spool?: BodySpool;
}

/**
 * Bodies a source received, kept by the hub (in its store) until their unit is acknowledged, so a
 * queue job carries a reference instead of the body. Ids are the connector's (a unit's `ref`).
 */
export interface BodySpool {
  put(id: string, body: Buffer, meta: { sha256: string; receivedAt: string; transferId?: string }): Promise<void>;
  /** The body, or undefined when it is gone. */
  read(id: string): Promise<Buffer | undefined>;
  /** The unit was acknowledged: the body is no longer needed. */
  remove(id: string): Promise<void>;
  /** Keep the body aside with its errors (the rejected spool); false when it is gone. */
  reject(id: string, errors: unknown[]): Promise<boolean>;
  /** A rejected body is queued again (a replay); false when it is gone. */
  restore(id: string): Promise<boolean>;
}

/** One piece of work a source offers: becomes one transfer. Serializable (it travels in a job). */
export interface SourceUnit {
  /** Stable id of the unit (e.g. a file's claimed name): the same unit offered twice has the same id. */
  readonly id: string;
  /** Human name (the file name, "poll", "webhook"). */
  readonly name: string;
  /** Connector-private data needed to read, ack or reject the unit. */
  readonly ref: Record<string, unknown>;
  /**
   * The connector claimed this unit only to set it aside (e.g. a file name that is not UTF-8): its
   * transfer rejects it at once with this error, reported once, instead of failing a claim every run.
   */
  readonly refused?: { readonly code: ErrorCode; readonly params: Record<string, string | number> };
}

/** A part of a unit with its own resume point: an API page with the cursor after it. */
export interface SourcePart {
  readonly stream: Readable;
  /** File name for pointers. */
  readonly name: string;
  /**
   * The charset the sender named for these bytes (a webhook's `Content-Type: ...; charset=`), one the
   * hub can decode: read with it unless the mapping states `source.encoding` (src/formats/sender-charset.ts).
   */
  readonly charset?: string;
  /** Committed with this part's records; the next run resumes after it. */
  readonly cursor?: string;
}

export interface SourceConnector {
  readonly kind: string;
  /**
   * Whether a unit left unacknowledged (its transfer failed for a transient reason) is offered again
   * by a later claim: files after reclaimAfterMs, polls from the committed cursor. @defaultValue true.
   * Sources whose units arrive once (webhooks) say false: such a unit is set aside for a replay.
   */
  readonly reclaims?: boolean;
  /**
   * Whether `read` resumes from the connector's committed cursor (an API poll) @defaultValue true.
   * Sources whose units are whole in themselves (a file, a webhook body) say false: their transfers do
   * not read the cursor.
   */
  readonly resumes?: boolean;
  check(): Promise<CheckResult>;
  /**
   * Claim what is ready now; each unit is then read by a transfer of its own. Claiming is atomic
   * (rename, lock). `resumeFrom` is the connector's committed cursor (null: none yet), for a source that
   * can tell from it that nothing is new: it then claims nothing, and the run makes no transfer.
   */
  claim(resumeFrom?: string | null): Promise<SourceUnit[]>;
  /** The unit's content, as one or more parts (a file is one part; a poll is one part per page). */
  read(unit: SourceUnit, resumeFrom: string | null): AsyncIterable<SourcePart>;
  /** All records of the unit are committed: archive the file, delete the remote file, etc. */
  ack(unit: SourceUnit): Promise<void>;
  /**
   * The unit cannot be processed (the header lacks a required column, or it failed every attempt):
   * set it aside with its errors (`rejected/` with `<name>.errors.json`, the rejected spool). Returns
   * the unit as it lies now, for `restore`, or null when it was gone.
   */
  reject(unit: SourceUnit, errors: unknown[]): Promise<SourceUnit | null | void>;
  /** Take a unit `reject` set aside back for another try (a replay): a claimed unit, ready to read. */
  restore?(unit: SourceUnit): Promise<SourceUnit>;
  /**
   * What the last claim saw but left for a later one, with why (a file still being written: not
   * settled for stableMs yet). A run reports them, so a dry run says it skipped a file.
   */
  notReady?(): { name: string; reason: string }[];
  /** Give a claimed unit back untouched, to be claimed again later (after a dry run). */
  release?(unit: SourceUnit): Promise<void>;
  close?(): Promise<void>;
}

/** A rendered body to deliver. */
export interface Delivery {
  /** Deterministic: the same content for the same destination always has the same id. */
  readonly deliveryId: string;
  readonly body: string;
  readonly mediaType: string;
  /** Deterministic file name for file-based destinations (e.g. `lead-L1-v2-CT0015100.json`). */
  readonly fileName: string;
}

export interface DeliveryReceipt {
  /** HTTP status, or 0 for file destinations. */
  readonly status: number;
  readonly detail?: string;
}

/** A delivery failure. `retryable: false` goes straight to dead letters (e.g. HTTP 400). */
export class DeliveryError extends Error {
  /**
   * The message as log lines show it. The message itself goes to the delivery's ledger row and its
   * dead letter, behind the API's keys, and may quote what was sent (a destination's answer echoing
   * the records, a value a lead format refused); this says the same without it.
   */
  readonly logMessage: string;

  constructor(
    message: string,
    readonly retryable: boolean,
    /** Wait at least this long before the next attempt (HTTP 429/503 Retry-After), in ms. */
    readonly retryAfterMs?: number,
    readonly status?: number,
    logMessage?: string,
  ) {
    super(message);
    this.name = 'DeliveryError';
    this.logMessage = logMessage ?? message;
  }
}

export interface DestinationConnector {
  readonly kind: string;
  check(): Promise<CheckResult>;
  deliver(d: Delivery): Promise<DeliveryReceipt>;
  close?(): Promise<void>;
}

export interface ConnectorDescriptor<O = Record<string, unknown>> {
  readonly kind: string;
  readonly direction: Direction;
  /** One sentence for `GET /api/connectors` and the docs. */
  readonly description: string;
  /** JSON Schema 2020-12 of the options: additionalProperties false, descriptions, defaults, examples; secrets marked "x-secret": true. */
  readonly optionsSchema: Record<string, unknown>;
  create(options: O, ctx: ConnectorContext): SourceConnector | DestinationConnector;
}

export function defineConnector<O>(d: ConnectorDescriptor<O>): ConnectorDescriptor<O> {
  return d;
}
