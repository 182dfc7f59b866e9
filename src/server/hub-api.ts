/**
 * What the HTTP API needs of a hub process: the routes depend on this small interface, never on the
 * runtime that starts them (`runtime/hub.ts` implements it and passes itself in), so the server and the
 * runtime do not import each other.
 */
import type { Queue } from 'bullmq';
import type { Logger } from 'pino';
import type { HubConfig } from '../config/hub-config.ts';
import type { Store } from '../store/index.ts';
import type { Metrics } from '../pipeline/metrics.ts';
import type { SourceConnector, SourceUnit } from '../sdk/connector.ts';
import type { TransferJobData } from '../pipeline/transfer.ts';

export interface HubApi {
  readonly cfg: HubConfig;
  readonly store: Store;
  readonly log: Logger;
  readonly metrics: Metrics;
  /** The transfers queue (for its depth in /metrics). */
  readonly transfers: Queue;
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
