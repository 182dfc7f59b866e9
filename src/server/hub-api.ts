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
import type { CheckResult } from '../sdk/connector.ts';
import type { KeyRing } from './auth.ts';
import type { SourceConnector } from '../sdk/connector.ts';
import type { DeadLetterKind } from '../store/types.ts';
import type { IntakeResult, WebhookRequestIn } from '../runtime/webhook-intake.ts';
import type { ReloadResult } from '../runtime/reload.ts';

/** What a poll (a run of a source) came to. */
export interface PollStatus {
  pollId: string;
  connectorId: string;
  dryRun: boolean;
  /** pending: not finished yet; claimed: one transfer per unit; empty: nothing was ready (no transfer); failed: the claim failed. */
  state: 'pending' | 'claimed' | 'empty' | 'failed';
  transferIds: string[];
  /** What the claim saw but left for a later run, with why (a file not settled yet). */
  skipped?: { name: string; reason: string }[];
  /** A dry run: what it did with what it read. */
  note?: string;
  error?: string;
}

/** Which pending dead letters a bulk replay takes; no field set: all of them. */
export interface BulkReplayFilter {
  kind?: DeadLetterKind;
  destinationId?: string;
  connectorId?: string;
  /** Created at or after (ISO 8601). */
  since?: string;
  /** Created before (ISO 8601). */
  until?: string;
}

export interface BulkReplayResult {
  /** Pending dead letters that matched. */
  matched: number;
  replayed: number;
  /** Replayed by someone else meanwhile. */
  skipped: number;
  failed: { id: string; code: string; message: string }[];
  dryRun: boolean;
  /** The dead letters replayed, oldest first (their audit entry's subjects). */
  ids: string[];
}

/** A paused schedule: when and by whom. */
export interface SchedulePause {
  at: string;
  by: string;
}

export interface HubApi {
  readonly cfg: HubConfig;
  readonly store: Store;
  readonly log: Logger;
  readonly metrics: Metrics;
  /** The transfers and polls queues (for their depth in /metrics). */
  readonly transfers: Queue;
  readonly polls: Queue;
  /** The API keys in force (refilled when the configuration is reloaded). */
  readonly keys: KeyRing;
  /** The audit trail: `record` resolves once the entry is committed, or rejects (the request is then refused). */
  readonly audit: { record(entry: AuditInput): Promise<AuditEntry> };
  /** A Redis connection for the API's shared counters (rate limits), and the key prefix to use in it. */
  apiRedis(): { redis: Redis; prefix: string } | undefined;
  deliveryQueue(destinationId: string): Queue;
  /** Every queue of the hub (transfers, leads, one per destination), for Bull Board. */
  allQueues(): Queue[];
  source(connectorId: string): SourceConnector;
  /** Run a source now: a poll that queues one transfer per claimed unit; the poll id. */
  pollConnector(connectorId: string, opts?: { trigger?: 'manual' | 'schedule'; dryRun?: boolean }): Promise<{ pollId: string }>;
  /** What a poll claimed, waiting up to waitMs for it. */
  pollStatus(pollId: string, waitMs?: number): Promise<PollStatus>;
  /** Take in a signed webhook (spool, backpressure, replay protection). */
  receiveWebhook(connectorId: string, req: WebhookRequestIn): Promise<IntakeResult>;
  /** Replay a dead letter, once. */
  replayDeadLetter(id: string): Promise<{ jobId: string; transferId?: string }>;
  /** Replay every pending dead letter matching the filter (or count them: dryRun). */
  replayDeadLetters(filter: BulkReplayFilter, opts?: { dryRun?: boolean }): Promise<BulkReplayResult>;
  /** A destination's own check (folder writable, server reachable, login accepted). */
  checkDestination(destinationId: string): Promise<CheckResult>;
  /** The next scheduled run of a connector in this process, if it schedules one. */
  nextRun(connectorId: string): Date | null;
  /** For /readyz: a PING that fails fast. */
  pingRedis(): Promise<void>;
  /** Paused schedules by connector id (shared by every hub process). */
  pausedSchedules(): Promise<Map<string, SchedulePause>>;
  /** Pause a connector's schedule (HUB_ERR_STATE_CONFLICT if it has none, or is paused already). */
  pauseSchedule(connectorId: string, by: string): Promise<SchedulePause>;
  /** Resume it (HUB_ERR_STATE_CONFLICT if it is not paused); the pause it ends. */
  resumeSchedule(connectorId: string, by: string): Promise<SchedulePause>;
  /** Read the configuration file again and apply it; refused whole (ConfigProblems) if it has problems. */
  reload(): Promise<ReloadResult>;
}
