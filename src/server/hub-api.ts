/**
 * What the HTTP API needs of a hub process: the routes depend on this small interface, never on the
 * runtime that starts them (`runtime/hub.ts` implements it and passes itself in), so the server and the
 * runtime do not import each other.
 */
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { HubConfig } from '../config/hub-config.ts';
import type { AuditEntry, AuditInput, Store } from '../store/index.ts';
import type { Metrics } from '../pipeline/metrics.ts';
import type { SourceConnector, SourceUnit } from '../sdk/connector.ts';
import type { TransferJobData } from '../pipeline/transfer.ts';
import type { KeyRing } from './auth.ts';

export interface HubApi {
  readonly cfg: HubConfig;
  readonly store: Store;
  readonly log: Logger;
  readonly metrics: Metrics;
  /** The transfers queue (for its depth in /metrics). */
  readonly transfers: Queue;
  /** The API keys in force (refilled when the configuration is reloaded). */
  readonly keys: KeyRing;
  /** The audit trail: `record` resolves once the entry is committed, or rejects (the request is then refused). */
  readonly audit: { record(entry: AuditInput): Promise<AuditEntry> };
  /** A Redis connection for the API's shared counters (rate limits), and the key prefix to use in it. */
  apiRedis(): { redis: Redis; prefix: string } | undefined;
  deliveryQueue(destinationId: string): Queue;
  source(connectorId: string): SourceConnector;
  /** Queue a transfer of a connector now; the transfer id. */
  runConnector(connectorId: string, opts?: { trigger?: TransferJobData['trigger']; dryRun?: boolean; unit?: SourceUnit; source?: string }): Promise<string>;
  /** Deliver a dead letter again, once. */
  replayDeadLetter(id: string): Promise<{ jobId: string }>;
  /** The next scheduled run of a connector in this process, if it schedules one. */
  nextRun(connectorId: string): Date | null;
  /** For /readyz: a PING that fails fast. */
  pingRedis(): Promise<void>;
}
