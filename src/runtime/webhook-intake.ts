/**
 * Taking in a signed webhook: from the request to a queued transfer, or a refusal the sender can act on.
 *
 * Input: the connector, the request's headers and raw body, and whether the client is still there.
 * Output, in this order of checks:
 * - 404 no such webhook connector; 401 / 413 / 415 from the connector's own check (signature, size,
 *   Content-Encoding); 415 when the Content-Type names a charset the hub cannot decode and the
 *   connector's mapping would read the body in it (any but an XML mapping, without source.encoding);
 * - 202 with the FIRST request's transfer id when the same signed request (connector + signature) was
 *   taken within its signature window: nothing is queued again (the key lives in Redis until the
 *   request's timestamp leaves the window, after which the request is refused as stale anyway);
 * - 429 + Retry-After when the connector's spooled bodies reach `maxBacklog` or `maxBacklogBytes`;
 * - 503 + Retry-After when Redis or the store does not answer within the time budget (800 ms, and
 *   250 ms more per MiB of body);
 * - else the body is spooled in the store with its transfer row (one statement, which also checks the
 *   backlog), the transfer job queued with a reference to it, and 202 with the transfer id: the 202 is
 *   only sent once both are durable. A client that went away before the job was queued gets nothing
 *   queued either.
 * On any refusal after the body was written, what was written is removed again.
 */
import { randomUUID } from 'node:crypto';
import type { JobsOptions, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { HubConfig } from '../config/hub-config.ts';
import type { Store } from '../store/index.ts';
import type { Metrics } from '../pipeline/metrics.ts';
import type { TransferJobData } from '../pipeline/transfer.ts';
import type { SourceConnector } from '../sdk/connector.ts';
import { HubError } from '../errors/hub-error.ts';
import type { WebhookSource } from '../../connectors/webhook/index.ts';
import { readsSenderCharset } from '../mapping/run.ts';

/** The whole intake of a small body must answer within this; what is left of it bounds each step. */
export const INTAKE_BUDGET_MS = 800;
/** More time per MiB of body: writing it to the store takes time in proportion (the embedded store: about 90 ms a MiB). */
export const INTAKE_BUDGET_MS_PER_MIB = 250;

/** The time budget of a body of `bytes`: 800 ms, and 250 ms more per MiB (3.3 s for the default 10 MiB maxBytes). */
export function intakeBudgetMs(bytes: number): number {
  return INTAKE_BUDGET_MS + Math.ceil((bytes / 1048576) * INTAKE_BUDGET_MS_PER_MIB);
}
/** Retry-After of a 503 (Redis or the store not answering). */
export const UNAVAILABLE_RETRY_AFTER_S = 5;

export interface WebhookRequestIn {
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  /** True once the client has gone away (closed the connection). */
  clientGone(): boolean;
}

export type IntakeResult =
  | { status: 202; transferId: string; duplicate: boolean }
  | { status: 'gone' }
  | { status: number; error: HubError; retryAfter?: number };

export interface IntakeDeps {
  readonly cfg: HubConfig;
  readonly store: Store;
  readonly metrics: Metrics;
  readonly log: Logger;
  /** Key prefix for the replay keys (the queue prefix). */
  readonly prefix: string;
  source(connectorId: string): SourceConnector;
  /** A Redis connection that fails at once while Redis is down (no offline queue). */
  readonly redis: Redis;
  /** The transfers queue over that connection. */
  readonly transfers: Queue<TransferJobData>;
  readonly transferJobOptions: JobsOptions;
}

class OutOfTime extends Error {
  constructor(
    readonly what: string,
    /** The budget was spent before the step was asked (by the steps before it), not waiting for it. */
    readonly before: boolean,
  ) {
    super(`${what} did not answer in time`);
  }
}

function within<T>(deadline: number, what: string, p: Promise<T>): Promise<T> {
  const left = deadline - Date.now();
  if (left <= 0) return Promise.reject(new OutOfTime(what, true));
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new OutOfTime(what, false)), left);
    }),
  ]).finally(() => clearTimeout(timer));
}

const PENDING = 'pending';

export async function receiveWebhook(deps: IntakeDeps, connectorId: string, req: WebhookRequestIn): Promise<IntakeResult> {
  const conn = deps.cfg.connectors.find((c) => c.id === connectorId && c.kind === 'webhook' && c.enabled);
  if (!conn) return { status: 404, error: new HubError('HUB_ERR_NOT_FOUND', { what: 'webhook connector', id: connectorId }) };
  const source = deps.source(conn.id) as WebhookSource;
  const count = (outcome: string): void => deps.metrics.webhooks.inc({ connector: conn.id, outcome });
  const accepted = source.accept({ headers: req.headers, body: req.body });
  if (!accepted.ok) {
    count('refused');
    return { status: accepted.error.status, error: accepted.error };
  }
  const { unit, body, signature, timestamp } = accepted;
  // A charset the hub cannot decode matters only when the mapping would read the body in it.
  if (accepted.unreadableCharset !== undefined && readsSenderCharset(deps.cfg.mappings.get(conn.mapping))) {
    count('refused');
    const error = new HubError('HUB_ERR_CONNECTOR_WEBHOOK_CHARSET', { connector: conn.id, charset: accepted.unreadableCharset });
    return { status: error.status, error };
  }
  const opts = source.options;
  const budgetMs = intakeBudgetMs(body.length);
  const deadline = Date.now() + budgetMs;
  const unavailable = (reason: string, retryAfter = UNAVAILABLE_RETRY_AFTER_S): IntakeResult => {
    count('unavailable');
    return { status: 503, error: new HubError('HUB_ERR_CONNECTOR_WEBHOOK_UNAVAILABLE', { connector: conn.id, reason, retryAfter }), retryAfter };
  };

  // Replay protection: the first request with this signature takes the key until its timestamp is stale.
  const seenKey = `${deps.prefix}:webhook-seen:${conn.id}:${signature}`;
  const expiresAt = timestamp + opts.toleranceSeconds + 1;
  let taken: string | null;
  try {
    taken = await within(deadline, 'Redis', deps.redis.set(seenKey, PENDING, 'EXAT', Math.max(expiresAt, Math.ceil(Date.now() / 1000) + 1), 'NX'));
  } catch (err) {
    return unavailable(reasonOf(err, 'Redis', budgetMs));
  }
  if (taken === null) {
    const first = await within(deadline, 'Redis', deps.redis.get(seenKey)).catch(() => null);
    if (first && first !== PENDING) {
      count('duplicate');
      return { status: 202, transferId: first, duplicate: true };
    }
    return unavailable('the same signed request is being received', 1);
  }
  const forget = (): Promise<unknown> => deps.redis.del(seenKey).catch(() => 0);

  const transferId = randomUUID();
  const spoolId = String(unit.ref.spool);
  const undo = async (): Promise<void> => {
    await deps.store.transaction(async (tx) => {
      await deps.store.removeSpooled(spoolId, tx);
      await deps.store.dropQueuedTransfer(transferId, tx);
    }).catch((err: unknown) => deps.log.warn({ connector: conn.id, transfer: transferId, err: reasonOf(err, 'the store', budgetMs) }, 'webhook: could not remove a refused body from the spool'));
    await forget();
  };
  // Backpressure and the write in one statement: the body and its transfer row are written only while
  // the connector's backlog has room; when it is full nothing is written.
  const written = deps.store.spoolWithTransfer(
    { id: spoolId, connectorId: conn.id, transferId, source: unit.name, body, sha256: String(unit.ref.sha256), receivedAt: String(unit.ref.receivedAt), ...(typeof unit.ref.charset === 'string' ? { charset: unit.ref.charset } : {}) },
    { maxBodies: opts.maxBacklog, maxBytes: opts.maxBacklogBytes },
  );
  let outcome;
  try {
    outcome = await within(deadline, 'the store', written);
  } catch (err) {
    // Out of time, the statement may still commit: undo once it has settled, whatever it did.
    void written.then(undo, undo);
    return unavailable(reasonOf(err, 'the store', budgetMs));
  }
  if (!outcome.spooled) {
    const { backlog } = outcome;
    await forget();
    count('backlog');
    const limit = backlog.bodies >= opts.maxBacklog ? `maxBacklog ${opts.maxBacklog} bodies` : `maxBacklogBytes ${opts.maxBacklogBytes}`;
    return {
      status: 429,
      error: new HubError('HUB_ERR_CONNECTOR_WEBHOOK_BACKLOG', { connector: conn.id, bodies: backlog.bodies, bytes: backlog.bytes, limit, retryAfter: opts.retryAfterSeconds }),
      retryAfter: opts.retryAfterSeconds,
    };
  }
  if (req.clientGone()) {
    await undo();
    count('gone');
    deps.log.info({ connector: conn.id }, 'webhook: the sender went away before its body was queued; nothing queued');
    return { status: 'gone' };
  }
  const data: TransferJobData = { transferId, connectorId: conn.id, trigger: 'webhook', unit };
  const queued = deps.transfers.add('transfer', data, { ...deps.transferJobOptions, jobId: transferId });
  try {
    await within(deadline, 'Redis', queued);
  } catch (err) {
    // A job queued after the budget ran out is taken back (or finds no transfer and does nothing).
    void queued.then((job) => job.remove().catch(() => {}), () => {}).finally(() => void undo());
    return unavailable(reasonOf(err, 'Redis', budgetMs));
  }
  await deps.redis.set(seenKey, transferId, 'KEEPTTL', 'XX').catch(() => null);
  count('accepted');
  return { status: 202, transferId, duplicate: false };
}

function reasonOf(err: unknown, what: string, budgetMs: number): string {
  if (err instanceof OutOfTime) {
    return err.before ? `the request's time budget (${budgetMs} ms) was spent before ${what} was asked` : `${what} did not answer within the request's time budget (${budgetMs} ms)`;
  }
  if (err instanceof HubError) return `${what}: ${err.code}`;
  return `${what} is not available`;
}
