/**
 * The hub process: configuration, store, queues, workers, scheduler and API, in any combination of
 * roles. `npm start` runs them all in one process on the embedded store; `cgic start --role worker` on
 * several machines shares one Redis and one PostgreSQL (the embedded store is one process's only).
 *
 * Queues (BullMQ, prefix `CGIC_QUEUE_PREFIX`, default `cgic`):
 * - `polls`: one job per run of a source (schedule tick, API or CLI): it claims what is ready and
 *   queues one transfer per claimed unit; a poll that claims nothing makes no transfer.
 * - `transfers`: one job per transfer, one unit each (job id = transfer id), so a unit that fails
 *   holds no other. A unit that fails its last attempt with an unexpected error is set aside
 *   (rejected, quarantine entry, dead letter to replay).
 * - `deliver.<destination>`: one queue per destination, so one agency's outage never delays another's;
 *   job id = delivery id; retries with exponential backoff and equal jitter; the last failure is a dead letter.
 *
 * Webhook bodies are spooled in the store (runtime/webhook-intake.ts); jobs carry a reference.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import path from 'node:path';
import { DelayedError, Job, Queue, Worker, UnrecoverableError, type JobsOptions } from 'bullmq';
import { Redis as IORedis, type Redis } from 'ioredis';
import pino, { type Logger } from 'pino';
import cron, { type ScheduledTask } from 'node-cron';
import { loadHubConfig, DEFAULT_CONFIG, type HubConfig, type DestinationConfig } from '../config/hub-config.ts';
import { resolveSecrets, SecretError } from '../config/secrets.ts';
import { openStore, AuditWriter, type OpenStoreOptions, type Store } from '../store/index.ts';
import { KeyRing, hashKey } from '../server/auth.ts';
import type { ApiKeyConfig, ConnectorConfig } from '../config/hub-config.ts';
import { LOCAL_KEY_ID, removeRuntimeFile, writeRuntimeFile } from './runtime-file.ts';
import { diffConfigs, type ReloadResult } from './reload.ts';
import { maintainAudit, MIN_SIGNING_KEY_LENGTH } from './audit-maintenance.ts';
import { CONNECTORS, findConnector, secretOptionPaths } from '../../connectors/index.ts';
import type { BodySpool, CheckResult, DestinationConnector, SourceConnector, SourceUnit } from '../sdk/connector.ts';
import { DeliveryError } from '../sdk/connector.ts';
import { HubError } from '../errors/hub-error.ts';
import { Router } from '../pipeline/routing.ts';
import { createMetrics, type Metrics } from '../pipeline/metrics.ts';
import { briefReason, loggedReason, runTransfer, setAsideUnit, type PendingDelivery, type TransferDeps, type TransferJobData } from '../pipeline/transfer.ts';
import { runPoll, type PollJobData, type PollResult } from '../pipeline/poll.ts';
import { derivedUuid } from '../pipeline/ids.ts';
import { runDelivery, transferOf } from '../pipeline/delivery.ts';
import { backoffDelay, deliveryRetryDelay } from '../pipeline/backoff.ts';
import { leadLogFields, processLead, type LeadDeps } from '../enrich/leads.ts';
import { leadsReferencing } from '../store/lead-ledger.ts';
import { checkRedis, findRedis, redactedRedisUrl, redisConnection, type RedisHandle } from './redis.ts';
import { receiveWebhook, type IntakeResult, type WebhookRequestIn } from './webhook-intake.ts';
import type { BulkReplayFilter, BulkReplayResult, HubApi, PollStatus, SchedulePause } from '../server/hub-api.ts';
import { spooledWebhookUnit } from '../../connectors/webhook/index.ts';
import type { DeadLetter } from '../store/types.ts';
import { makeDirsSync } from '../sdk/make-dirs.ts';

export type Role = 'api' | 'worker' | 'scheduler';

/** What a dry run does, said wherever one is reported (transfer.ts: release; docs/adding-an-agency.md). */
export const DRY_RUN_NOTE =
  'dry run: the records are read and mapped and the transfer keeps the counts; no record is stored, quarantined or delivered, no cursor moves. A file is put back in its folder under its own name, so the next run (scheduled or by hand) reads it for real: pause the schedule first to only look, and use cgic map to see the bad rows.';
export const ALL_ROLES: readonly Role[] = ['api', 'worker', 'scheduler'];

export interface HubOptions {
  configFile?: string;
  roles?: readonly Role[];
  /** Default: REDIS_URL, else a local one (see runtime/redis.ts). */
  redisUrl?: string;
  /** Default: DATABASE_URL, else PGlite under the config's dataDir. */
  databaseUrl?: string;
  /** PostgreSQL schema (tests isolate themselves in one). */
  databaseSchema?: string;
  /** Default: CGIC_QUEUE_PREFIX, else "cgic". */
  queuePrefix?: string;
  logger?: Logger;
  /** Override the API port (0: any free port). */
  port?: number;
  /** How often BullMQ looks for jobs of dead workers. @defaultValue 30000 */
  stalledIntervalMs?: number;
  lockDurationMs?: number;
  /** Filled in by start(): the resolved audit signing key. */
  auditKey?: string;
}

/** The store a hub of this configuration uses: DATABASE_URL (or the option), else PGlite under the data folder. */
export function storeOptionsFor(cfg: HubConfig, opts: Pick<HubOptions, 'databaseUrl' | 'databaseSchema'> = {}): OpenStoreOptions {
  const databaseUrl = opts.databaseUrl ?? process.env.DATABASE_URL;
  // Each transfer writes up to two chunks at once, each in a transaction holding a connection; the rest
  // (deliveries, the API, leads) takes short turns on what is left.
  const poolSize = Math.max(10, 2 * cfg.hub.transfers.concurrency + 2);
  return databaseUrl ? { databaseUrl, schema: opts.databaseSchema, poolSize } : { dataDir: path.join(cfg.hub.dataDir, 'pglite') };
}

/** hub.audit.signingKey resolved; a key that cannot be read, or is too short, stops the start. */
export function auditSigningKey(cfg: HubConfig): string | undefined {
  const ref = cfg.hub.audit.signingKey;
  if (ref === undefined) return undefined;
  let key: string;
  try {
    key = resolveSecrets(ref, cfg.baseDir);
  } catch (err) {
    throw new HubError('HUB_ERR_AUDIT_KEY', { reason: `hub.audit.signingKey: ${(err as SecretError).message}` });
  }
  if (key.length < MIN_SIGNING_KEY_LENGTH) throw new HubError('HUB_ERR_AUDIT_KEY', { reason: `hub.audit.signingKey has ${key.length} characters; it needs at least ${MIN_SIGNING_KEY_LENGTH}` });
  return key;
}

interface DeliveryJobData {
  deliveryId: string;
  history?: { at: string; error: string; status?: number }[];
}

/** Transfer jobs: hub.transfers.attempts, backoff from hub.transfers.backoffMs; then a unit is set aside (or re-offered, see transferFailedForGood). */
function transferJobOptions(cfg: HubConfig): JobsOptions {
  const { attempts, backoffMs } = cfg.hub.transfers;
  return { attempts, backoff: { type: 'exponential', delay: backoffMs }, removeOnComplete: { age: 86400, count: 1000 }, removeOnFail: { age: 7 * 86400 } };
}
/** The longest wait between runs of a transfer whose last attempt failed while the store could not be reached. */
const STORE_WAIT_MAX_MS = 60_000;
/** Poll jobs: claims are cheap and atomic; results are kept a day for GET /api/polls/:id. */
const POLL_JOB_OPTIONS: JobsOptions = { attempts: 3, backoff: { type: 'exponential', delay: 2000 }, removeOnComplete: { age: 86400, count: 5000 }, removeOnFail: { age: 7 * 86400 } };

/**
 * What every logger of a hub hides: each option path a connector marks secret (e.g. options.auth.token,
 * options.tls.key), wherever an options object is logged, and authorization headers. For a logger made
 * outside (`HubOptions.logger`), pass this as pino's `redact`.
 */
export function logRedaction(): { paths: string[]; censor: string } {
  const secret = [...new Set(CONNECTORS.flatMap((c) => secretOptionPaths(c.optionsSchema)))].flatMap((p) => [`options.${p}`, `*.options.${p}`]);
  return { paths: [...secret, 'req.headers.authorization', '*.authorization'], censor: '[redacted]' };
}

export class Hub implements HubApi {
  /** The configuration in force; replaced whole by reload() (a job keeps the one it started with). */
  private current: HubConfig;
  readonly store: Store;
  readonly log: Logger;
  readonly metrics: Metrics;
  readonly roles: ReadonlySet<Role>;
  readonly prefix: string;
  private currentRouter: Router;
  readonly transfers: Queue<TransferJobData>;
  readonly polls: Queue<PollJobData>;
  readonly leads: Queue<{ leadId: string }>;
  readonly keys: KeyRing;
  readonly audit: AuditWriter;
  /** The resolved hub.audit.signingKey, if set: signs checkpoints, checks them. */
  readonly auditKey: string | undefined;
  private auditTimer: NodeJS.Timeout | null = null;
  private apiRedisConnection: Redis | null = null;
  /** Webhook intake: a Redis connection that fails at once while Redis is down, and the transfers queue over it. */
  private intake: { redis: Redis; transfers: Queue<TransferJobData> } | null = null;
  private readonly deliveryQueues = new Map<string, Queue<DeliveryJobData>>();
  private readonly workers: Worker[] = [];
  private readonly tasks = new Map<string, ScheduledTask>();
  private readonly sources = new Map<string, SourceConnector>();
  private readonly destinations = new Map<string, { config: DestinationConfig; connector: DestinationConnector }>();
  private readonly connections: Redis[] = [];
  private server: { close(): Promise<void>; address: string } | null = null;
  /** Without the api role: /metrics, /healthz and /readyz alone (hub.api.metricsPort). */
  private metricsServer: { close(): Promise<void>; address: string } | null = null;
  private stopping = false;
  private lastPrune = 0;
  /** An admin key for `cgic` on this machine, valid while this process runs (runtime-file.ts); api role only. */
  private readonly localKey: ApiKeyConfig & { secret: string } | null;
  /** Delivery workers by destination, so a reload can start and stop them one by one. */
  private readonly deliveryWorkers = new Map<string, Worker<DeliveryJobData>>();
  /**
   * Connectors a reload replaced or removed: their transfers queued or running finish on the instance
   * and configuration they started with; each is closed once none is left.
   */
  private readonly retired: { id: string; connector: SourceConnector | DestinationConnector; cfg: HubConfig; kind: 'source' | 'destination' }[] = [];
  private retiredTimer: NodeJS.Timeout | null = null;
  /** Work a reload started in the background (workers of removed destinations finishing their jobs). */
  private readonly draining = new Set<Promise<unknown>>();
  private reloadChain: Promise<unknown> = Promise.resolve();

  private constructor(
    cfg: HubConfig,
    store: Store,
    readonly redis: RedisHandle,
    opts: HubOptions,
    log: Logger,
  ) {
    this.current = cfg;
    this.store = store;
    this.log = log;
    this.metrics = createMetrics();
    this.roles = new Set(opts.roles ?? ALL_ROLES);
    this.prefix = opts.queuePrefix ?? process.env.CGIC_QUEUE_PREFIX ?? 'cgic';
    this.currentRouter = new Router(cfg);
    const secret = randomBytes(32).toString('base64url');
    this.localKey = this.roles.has('api') ? { id: LOCAL_KEY_ID, role: 'admin', sha256: hashKey(secret), secret } : null;
    this.keys = new KeyRing(this.keysOf(cfg));
    this.audit = new AuditWriter(store);
    this.auditKey = opts.auditKey;
    this.transfers = new Queue<TransferJobData>('transfers', { connection: this.connection(), prefix: this.prefix });
    this.polls = new Queue<PollJobData>('polls', { connection: this.connection(), prefix: this.prefix });
    this.leads = new Queue<{ leadId: string }>('leads', { connection: this.connection(), prefix: this.prefix });
    for (const q of [this.transfers, this.polls, this.leads]) q.on('error', (err) => this.log.warn({ queue: q.name, err: err.message }, 'queue error'));
    this.openIntake();
  }

  get cfg(): HubConfig {
    return this.current;
  }

  get router(): Router {
    return this.currentRouter;
  }

  /** The configured API keys, and this process's local operator key (never in the configuration). */
  private keysOf(cfg: HubConfig): ApiKeyConfig[] {
    if (!this.localKey) return cfg.hub.api.keys;
    const { secret: _secret, ...local } = this.localKey;
    return [...cfg.hub.api.keys, local];
  }

  /** The webhook intake, once there is a webhook connector and this process has the api role. */
  private openIntake(): void {
    if (this.intake || !this.roles.has('api') || !this.cfg.connectors.some((c) => c.kind === 'webhook')) return;
    // Commands fail at once while Redis is down (no offline queue, one try), so a webhook is answered
    // 503 within its time budget instead of waiting for Redis to come back.
    const redis = new IORedis(this.redis.url, { maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 1000, lazyConnect: false });
    let down = false;
    redis.on('error', (err) => {
      if (!down) this.log.warn({ err: err.message }, 'webhook intake: Redis connection error; webhooks are answered 503 until it is back');
      down = true;
    });
    redis.on('ready', () => (down = false));
    this.connections.push(redis);
    const transfers = new Queue<TransferJobData>('transfers', { connection: redis, prefix: this.prefix });
    transfers.on('error', () => {});
    this.intake = { redis, transfers };
  }

  private connection(): Redis {
    const c = redisConnection(this.redis.url);
    c.on('error', (err) => this.log.warn({ err: err.message }, 'redis connection error'));
    this.connections.push(c);
    return c;
  }

  /** Load and check the configuration, open the store, connect Redis, start the roles asked for. */
  static async start(opts: HubOptions = {}): Promise<Hub> {
    const cfg = await loadHubConfig(opts.configFile ?? DEFAULT_CONFIG);
    const auditKey = auditSigningKey(cfg);
    const log = opts.logger ?? pino({ name: cfg.hub.name, level: process.env.LOG_LEVEL ?? 'info', redact: logRedaction() });
    try {
      makeDirsSync(cfg.hub.dataDir);
    } catch (err) {
      if (typeof (err as NodeJS.ErrnoException).code !== 'string') throw err;
      throw new HubError('HUB_ERR_CONFIG_INVALID', { reason: `hub.dataDir: the folder ${cfg.hub.dataDir} cannot be made (${(err as Error).message})` });
    }
    const store = await openStore(storeOptionsFor(cfg, opts));
    let redis: RedisHandle;
    try {
      redis = opts.redisUrl ? { url: opts.redisUrl, stop: async () => {} } : await findRedis(cfg.hub.dataDir);
    } catch (err) {
      await store.close();
      throw err;
    }
    try {
      await checkRedis(redis.url);
    } catch (err) {
      await redis.stop();
      await store.close();
      throw err;
    }
    const hub = new Hub(cfg, store, redis, { ...opts, auditKey }, log);
    try {
      hub.createConnectors();
      if (hub.intake) await hub.intake.transfers.waitUntilReady();
      if (hub.roles.has('worker')) await hub.startWorkers(opts);
      if (hub.roles.has('scheduler')) {
        hub.startScheduler();
        hub.startAuditMaintenance();
      }
      if (hub.roles.has('api')) {
        await hub.connectApiRedis();
        const { startServer } = await import('../server/server.ts');
        hub.server = await startServer(hub, { port: opts.port });
        if (hub.localKey) {
          writeRuntimeFile(cfg.hub.dataDir, { pid: process.pid, url: hub.server.address, key: hub.localKey.secret, startedAt: new Date().toISOString(), configFile: cfg.file, hubName: cfg.hub.name });
        }
      } else if (cfg.hub.api.metricsPort !== undefined && (hub.roles.has('worker') || hub.roles.has('scheduler'))) {
        const { startServer } = await import('../server/server.ts');
        hub.metricsServer = await startServer(hub, { port: cfg.hub.api.metricsPort, opsOnly: true });
      }
    } catch (err) {
      await hub.stop();
      throw err;
    }
    log.info({ roles: [...hub.roles], api: hub.server?.address, metrics: hub.metricsServer?.address, store: store.db.kind, redis: redactedRedisUrl(redis.url) }, 'hub started');
    return hub;
  }

  /**
   * The Redis connection the API's rate-limit counters share across processes. Unlike the queues'
   * connections it fails fast (no offline queue, one retry, 1 s per command): while Redis is away a
   * request is let through uncounted instead of waiting for Redis.
   */
  apiRedis(): { redis: Redis; prefix: string } {
    if (!this.apiRedisConnection) {
      const c = new IORedis(this.redis.url, { maxRetriesPerRequest: 1, enableOfflineQueue: false, commandTimeout: 1000 });
      c.on('error', (err) => this.log.debug({ err: err.message }, 'rate-limit redis connection error'));
      this.connections.push(c);
      this.apiRedisConnection = c;
    }
    return { redis: this.apiRedisConnection, prefix: this.prefix };
  }

  /** Open the rate-limit connection before the API listens (up to 2 s), so the first requests are counted. */
  private async connectApiRedis(): Promise<void> {
    const c = this.apiRedis().redis;
    if (c.status === 'ready') return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 2000);
      c.once('ready', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /** Read the configuration file again and put its API keys only in force (a key rotation); reload() applies everything. */
  async reloadKeys(): Promise<number> {
    const cfg = await loadHubConfig(this.cfg.file);
    this.keys.replace(this.keysOf(cfg));
    this.cfg.hub.api.keys = cfg.hub.api.keys;
    this.log.info({ keys: cfg.hub.api.keys.length }, 'API keys reloaded');
    return cfg.hub.api.keys.length;
  }

  /** Prune and anchor the audit trail every hub.audit.checkpointMinutes (one scheduler process per slot). */
  private startAuditMaintenance(): void {
    const key = this.auditKey;
    if (!key) {
      this.log.warn('hub.audit.signingKey is not set: the audit trail is neither pruned nor anchored by signed checkpoints (docs/audit.md)');
      return;
    }
    const everyMs = this.cfg.hub.audit.checkpointMinutes * 60_000;
    this.auditTimer = setInterval(() => {
      const slot = `audit:${new Date(Math.floor(Date.now() / everyMs) * everyMs).toISOString()}`;
      void this.store
        .tryClaimOnce(slot)
        .then((mine) => (mine ? maintainAudit(this.store, this.cfg.hub.audit, key, this.log) : null))
        .catch((err: Error) => this.log.error({ err: err.message }, 'audit maintenance failed; retried at the next slot'));
    }, everyMs);
    this.auditTimer.unref();
  }

  /** For /readyz: a PING over a short-lived connection, failing fast. */
  async pingRedis(): Promise<void> {
    const { Redis } = await import('ioredis');
    const c = new Redis(this.redis.url, { maxRetriesPerRequest: 1, connectTimeout: 1000, lazyConnect: true, retryStrategy: () => null });
    try {
      await c.connect();
      await c.ping();
    } finally {
      c.disconnect();
    }
  }

  get address(): string | undefined {
    return this.server?.address;
  }

  /** Where a process without the api role serves /metrics (hub.api.metricsPort), if it does. */
  get metricsAddress(): string | undefined {
    return this.metricsServer?.address;
  }

  private ctxFor(id: string) {
    const stateDir = path.join(this.cfg.hub.dataDir, 'connectors', id);
    return { id, log: this.log.child({ connector: id }), stateDir, spool: this.spoolFor(id) };
  }

  /** A connector's view of the store's spool. */
  private spoolFor(connectorId: string): BodySpool {
    const store = this.store;
    return {
      put: (id, body, meta) => store.putSpooled({ id, connectorId, body, sha256: meta.sha256, receivedAt: meta.receivedAt, ...(meta.transferId ? { transferId: meta.transferId } : {}) }),
      read: (id) => store.readSpooled(id),
      remove: async (id) => void (await store.removeSpooled(id)),
      reject: (id, errors) => store.rejectSpooled(id, errors),
      restore: (id) => store.restoreSpooled(id),
    };
  }

  /** A connector's options with its secrets resolved; a secret that cannot be read stops the start. */
  private withSecrets(options: Record<string, unknown>, owner: string): Record<string, unknown> {
    try {
      return resolveSecrets(options, this.cfg.baseDir);
    } catch (err) {
      throw new HubError('HUB_ERR_CONFIG_SECRET', { reason: `${owner}: ${(err as SecretError).message}` });
    }
  }

  private createConnectors(): void {
    for (const c of this.cfg.connectors) this.sources.set(c.id, this.createSource(c));
    for (const a of this.cfg.agencies) for (const dest of a.destinations) this.destinations.set(dest.id, { config: dest, connector: this.createDestination(dest) });
  }

  private createSource(c: ConnectorConfig): SourceConnector {
    const d = findConnector(c.kind, 'source')!;
    return d.create(this.withSecrets(c.options, `connector ${c.id}`), this.ctxFor(c.id)) as SourceConnector;
  }

  private createDestination(dest: DestinationConfig): DestinationConnector {
    const d = findConnector(dest.kind, 'destination')!;
    return d.create(this.withSecrets(dest.options, `destination ${dest.id}`), this.ctxFor(dest.id)) as DestinationConnector;
  }

  /** A source connector by id; one a reload replaced or removed while its transfers still run, until they end. */
  source(id: string): SourceConnector {
    const s = this.sources.get(id) ?? (this.retired.findLast((r) => r.kind === 'source' && r.id === id)?.connector as SourceConnector | undefined);
    if (!s) throw new HubError('HUB_ERR_NOT_FOUND', { what: 'connector', id });
    return s;
  }

  destination(id: string): { config: DestinationConfig; connector: DestinationConnector } {
    const d = this.destinations.get(id);
    if (!d) throw new DeliveryError(`no destination "${id}" in the configuration`, false);
    return d;
  }

  allQueues(): Queue[] {
    return [this.transfers, this.leads, ...[...this.destinations.keys()].map((id) => this.deliveryQueue(id))];
  }

  checkDestination(destinationId: string): Promise<CheckResult> {
    const d = this.destinations.get(destinationId);
    if (!d) throw new HubError('HUB_ERR_NOT_FOUND', { what: 'destination', id: destinationId });
    return d.connector.check();
  }

  deliveryQueue(destinationId: string): Queue<DeliveryJobData> {
    let q = this.deliveryQueues.get(destinationId);
    if (!q) {
      q = new Queue<DeliveryJobData>(`deliver.${destinationId}`, { connection: this.connection(), prefix: this.prefix });
      q.on('error', (err) => this.log.warn({ queue: q!.name, err: err.message }, 'queue error'));
      this.deliveryQueues.set(destinationId, q);
    }
    return q;
  }

  async enqueueDeliveries(list: readonly PendingDelivery[]): Promise<void> {
    const { attempts } = this.cfg.hub.delivery;
    const byDest = new Map<string, PendingDelivery[]>();
    for (const p of list) byDest.set(p.destinationId, [...(byDest.get(p.destinationId) ?? []), p]);
    for (const [dest, items] of byDest) {
      await this.deliveryQueue(dest).addBulk(
        items.map((p) => ({
          name: 'deliver',
          data: { deliveryId: p.deliveryId },
          // Job id = delivery id: a delivery queued twice while waiting is one job. Done jobs are removed at
          // once (the ledger in the store is the record), so a delivery queued again later is never
          // mistaken for one already done.
          opts: { jobId: p.deliveryId, attempts, backoff: { type: 'jitter' }, removeOnComplete: true, removeOnFail: { age: 7 * 86400 } },
        })),
      );
    }
  }

  /** Queue every delivery that is written but not delivered (after a crash between commit and queueing). */
  async requeueUndelivered(): Promise<number> {
    const list = await this.store.listUndelivered();
    const known = list.filter((d) => this.destinations.has(d.destinationId));
    if (known.length) await this.enqueueDeliveries(known);
    return known.length;
  }

  /**
   * Run a source now: a poll job claims what is ready and queues one transfer per claimed unit (none
   * when nothing is ready). Returns the poll id (202 semantics: a worker claims; see pollStatus).
   */
  async pollConnector(connectorId: string, opts: { trigger?: PollJobData['trigger']; dryRun?: boolean; pollId?: string } = {}): Promise<{ pollId: string }> {
    const conn = this.cfg.connectors.find((c) => c.id === connectorId);
    if (!conn) throw new HubError('HUB_ERR_NOT_FOUND', { what: 'connector', id: connectorId });
    if (!conn.enabled) throw new HubError('HUB_ERR_STATE_CONFLICT', { reason: `connector ${connectorId} is disabled in the configuration` });
    if (conn.kind === 'webhook') throw new HubError('HUB_ERR_STATE_CONFLICT', { reason: `connector ${connectorId} is a webhook: its bodies arrive at POST /hooks/${connectorId}, there is nothing to poll` });
    const pollId = opts.pollId ?? randomUUID();
    const data: PollJobData = { pollId, connectorId, trigger: opts.trigger ?? 'manual', ...(opts.dryRun ? { dryRun: true } : {}) };
    await this.polls.add(`poll.${connectorId}`, data, { ...POLL_JOB_OPTIONS, jobId: pollId });
    return { pollId };
  }

  /** What a poll claimed: waits up to `waitMs` for it to finish. */
  async pollStatus(pollId: string, waitMs = 0): Promise<PollStatus> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      let job = await Job.fromId<PollJobData, PollResult>(this.polls, pollId);
      if (!job) throw new HubError('HUB_ERR_NOT_FOUND', { what: 'poll', id: pollId });
      const state = await job.getState();
      // The job was read before its state: one that finished in between is read again for its result.
      if ((state === 'completed' && !job.returnvalue) || (state === 'failed' && !job.failedReason)) job = (await Job.fromId<PollJobData, PollResult>(this.polls, pollId)) ?? job;
      const base = { pollId, connectorId: job.data.connectorId, dryRun: job.data.dryRun === true, ...(job.data.dryRun ? { note: DRY_RUN_NOTE } : {}) };
      if (state === 'completed') {
        const ids = job.returnvalue?.transferIds ?? [];
        const skipped = job.returnvalue?.skipped;
        return { ...base, state: ids.length ? 'claimed' : 'empty', transferIds: ids, ...(skipped?.length ? { skipped } : {}) };
      }
      if (state === 'failed') return { ...base, state: 'failed', transferIds: [], error: job.failedReason };
      if (Date.now() >= deadline) return { ...base, state: 'pending', transferIds: [] };
      await new Promise((r) => setTimeout(r, Math.min(100, Math.max(1, deadline - Date.now()))));
    }
  }

  /** Write a transfer and queue its job; both idempotent on the transfer id. */
  async queueTransfer(data: TransferJobData, source: string): Promise<void> {
    await this.store.createTransfer({ id: data.transferId, connectorId: data.connectorId, trigger: data.trigger, source, ifAbsent: true });
    await this.transfers.add('transfer', data, { ...transferJobOptions(this.cfg), jobId: data.transferId });
  }

  /** Take in a signed webhook: 202 with the transfer id once its body is spooled and its job queued (see webhook-intake.ts). */
  async receiveWebhook(connectorId: string, req: WebhookRequestIn): Promise<IntakeResult> {
    if (!this.intake) return { status: 404, error: new HubError('HUB_ERR_NOT_FOUND', { what: 'webhook connector', id: connectorId }) };
    return receiveWebhook(
      {
        cfg: this.cfg,
        store: this.store,
        metrics: this.metrics,
        log: this.log,
        prefix: this.prefix,
        source: (id) => this.source(id),
        redis: this.intake.redis,
        transfers: this.intake.transfers,
        transferJobOptions: transferJobOptions(this.cfg),
      },
      connectorId,
      req,
    );
  }

  /**
   * What a transfer runs with: the configuration in force, or, for a connector a reload removed, the
   * last one that had it (its queued and running transfers finish).
   */
  private transferDeps(connectorId?: string): TransferDeps {
    const has = (cfg: HubConfig) => connectorId === undefined || cfg.connectors.some((c) => c.id === connectorId);
    const cfg = has(this.cfg) ? this.cfg : (this.retired.findLast((r) => r.kind === 'source' && r.id === connectorId && has(r.cfg))?.cfg ?? this.cfg);
    return {
      cfg,
      store: this.store,
      router: this.router,
      metrics: this.metrics,
      source: (id) => this.source(id),
      enqueueDeliveries: (l) => this.enqueueDeliveries(l),
      onChanged: (records) => this.leadsTouchedBy(records),
    };
  }

  /**
   * Whether a transfer that failed for good sets its unit aside: always after an unexpected error (a
   * bug, or input the hub cannot handle), and after any error when its source never offers a unit
   * again (webhooks). A file or poll that failed for a transient reason (store, network) is left to be
   * re-offered by a later claim.
   */
  private setsAside(data: TransferJobData, err: unknown): boolean {
    if (!this.sources.has(data.connectorId)) return false;
    const unexpected = !(err instanceof HubError) || err.errorClass === 'system' || err.errorClass === 'record';
    return unexpected || this.source(data.connectorId).reclaims === false;
  }

  private async transferFailedForGood(job: Job<TransferJobData>, err: Error, log: Logger): Promise<void> {
    // A job BullMQ gave up on as stalled (its lock lost while Redis was away) may have finished its
    // transfer meanwhile: its unit was committed and acknowledged, and is not to be set aside.
    const known = await this.store.getTransfer(job.data.transferId);
    if (known?.finishedAt) {
      log.warn({ status: known.status, err: loggedReason(err) }, 'transfer: its job failed after the transfer finished; nothing set aside');
      return;
    }
    const attempts = [...(job.data.history ?? []), { at: new Date().toISOString(), error: briefReason(err) }];
    if (this.setsAside(job.data, err)) await setAsideUnit(this.transferDeps(job.data.connectorId), job.data, { jobId: String(job.id), attempts }, log);
    else await this.store.finishTransfer(job.data.transferId, 'failed', briefReason(err));
  }

  private async startWorkers(opts: HubOptions): Promise<void> {
    // How soon a dead worker's jobs are taken over: BullMQ's stalled-job check and lock time.
    const stalledInterval = opts.stalledIntervalMs ?? (Number(process.env.CGIC_STALLED_INTERVAL_MS) || 30_000);
    const lockDuration = opts.lockDurationMs ?? (Number(process.env.CGIC_LOCK_DURATION_MS) || 30_000);
    const pw = new Worker<PollJobData, PollResult>(
      'polls',
      async (job) => {
        const log = this.log.child({ connector: job.data.connectorId, poll: job.data.pollId, job: job.id });
        return runPoll(
          {
            metrics: this.metrics,
            source: (id) => this.source(id),
            cursor: async (id) => (await this.store.getCursor(id)) ?? null,
            queueTransfer: (data, source) => this.queueTransfer(data, source),
          },
          job.data,
          { log, save: (d) => job.updateData({ ...job.data, ...d }) },
        );
      },
      { connection: this.connection(), prefix: this.prefix, concurrency: 2, stalledInterval, lockDuration },
    );
    pw.on('failed', (job, err) => this.log.error({ connector: job?.data.connectorId, poll: job?.data.pollId, err: loggedReason(err) }, 'poll failed'));
    this.watchWorker(pw);
    this.workers.push(pw);

    const tw = new Worker<TransferJobData>(
      'transfers',
      async (job, token) => {
        const log = this.log.child({ connector: job.data.connectorId, transfer: job.data.transferId, job: job.id });
        try {
          const summary = await runTransfer(this.transferDeps(job.data.connectorId), job.data, { log, save: (d) => job.updateData({ ...job.data, ...d }) });
          // A scheduled poll that found nothing is routine: debug, not info.
          log[summary.rowsRead ? 'info' : 'debug']({ read: summary.rowsRead, mapped: summary.rowsMapped, invalid: summary.rowsInvalid, records: summary.recordsOut }, 'transfer finished');
          // Counts only: the records and their pointers are in quarantine (refuse) or `cgic map --warnings`.
          if (summary.encoding.rows) log.warn({ code: 'HUB_ERR_SOURCE_ENCODING_MISMATCH', ...summary.encoding }, 'records whose text shows a wrong encoding (see the mapping\'s source.encoding)');
          return { rowsRead: summary.rowsRead, rowsInvalid: summary.rowsInvalid };
        } catch (err) {
          if (job.attemptsStarted >= (job.opts.attempts ?? 1) && !(await this.store.health()).ok) {
            // The last attempt failed while the store is away: its failure could be neither recorded nor
            // set aside (the transfer stayed running for good, which held its connector's schedule, and a
            // webhook body stayed spooled with no dead letter). The attempt is not counted: the job
            // waits and runs again, once the store answers it succeeds or fails for good as usual.
            const waitMs = backoffDelay(job.attemptsStarted - (job.opts.attempts ?? 1) + 1, this.cfg.hub.transfers.backoffMs, STORE_WAIT_MAX_MS);
            log.warn({ attempt: job.attemptsStarted, retryInMs: waitMs, err: loggedReason(err) }, 'transfer failed while the store cannot be reached; tried again once it can');
            await job.updateData({ ...job.data, history: [...(job.data.history ?? []), { at: new Date().toISOString(), error: briefReason(err) }] }).catch(() => {});
            await job.moveToDelayed(Date.now() + waitMs, token);
            throw new DelayedError();
          }
          if (job.attemptsStarted >= (job.opts.attempts ?? 1) && this.setsAside(job.data, err)) {
            // The last attempt: set the unit aside here, so the job ends and nothing offers the unit again.
            await this.transferFailedForGood(job, err as Error, log);
            return { setAside: true };
          }
          await job.updateData({ ...job.data, history: [...(job.data.history ?? []), { at: new Date().toISOString(), error: briefReason(err) }] }).catch(() => {});
          throw err;
        }
      },
      { connection: this.connection(), prefix: this.prefix, concurrency: this.cfg.hub.transfers.concurrency, stalledInterval, lockDuration },
    );
    tw.on('failed', (job, err) => {
      this.log.error({ transfer: job?.data.transferId, err: loggedReason(err) }, 'transfer failed');
      // Failed for good: attempts used up, or its worker died on it more often than BullMQ allows.
      if (job && (job.attemptsMade >= (job.opts.attempts ?? 1) || /stalled more than/i.test(err.message))) {
        void this.transferFailedForGood(job, err, this.log.child({ connector: job.data.connectorId, transfer: job.data.transferId })).catch((e: unknown) =>
          this.log.error({ transfer: job.data.transferId, err: briefReason(e) }, 'transfer: could not record its failure'),
        );
      }
    });
    this.watchWorker(tw);
    this.workers.push(tw);

    const lw = new Worker<{ leadId: string }>(
      'leads',
      async (job) => {
        const out = await processLead(this.leadDeps(), job.data.leadId);
        this.metrics.leadVersions.inc({ outcome: out.outcome });
        if (out.outcome !== 'unchanged') this.log.info({ lead: job.data.leadId, ...leadLogFields(out) }, `lead ${out.outcome}`);
        return out;
      },
      { connection: this.connection(), prefix: this.prefix, concurrency: 2, stalledInterval, lockDuration },
    );
    lw.on('failed', (job, err) => this.log.error({ lead: job?.data.leadId, err: err.message }, 'lead enrichment failed'));
    this.watchWorker(lw);
    this.workers.push(lw);

    this.workerTiming = { stalledInterval, lockDuration };
    for (const [destId] of this.destinations) this.startDeliveryWorker(destId);
    const requeued = await this.requeueUndelivered();
    if (requeued) this.log.info({ deliveries: requeued }, 'queued deliveries left pending');
    const spooled = await this.requeueSpooled();
    if (spooled) this.log.info({ transfers: spooled }, 'queued spooled webhook bodies whose job was missing');
  }

  private workerTiming = { stalledInterval: 30_000, lockDuration: 30_000 };

  /**
   * A worker's own errors (Redis unreachable, a job's lock lost) as log lines: without a listener BullMQ
   * writes each one to stderr as a bare stack trace, dozens a second while Redis is away.
   */
  private watchWorker(w: Worker): void {
    w.on('error', (err) => this.log.warn({ queue: w.name, err: briefReason(err) }, 'worker error'));
  }

  /** One destination's delivery worker: its own queue, so one agency's outage never delays another's. */
  private startDeliveryWorker(destId: string): void {
    const { backoffMs, maxBackoffMs, concurrency } = this.cfg.hub.delivery;
    const w = new Worker<DeliveryJobData>(
      `deliver.${destId}`,
      async (job, token) => this.processDelivery(job, destId, token),
      {
        connection: this.connection(),
        prefix: this.prefix,
        concurrency,
        ...this.workerTiming,
        settings: {
          backoffStrategy: (attemptsMade: number, _type?: string, err?: Error) =>
            deliveryRetryDelay(attemptsMade, backoffMs, maxBackoffMs, err instanceof DeliveryError ? (err.retryAfterMs ?? 0) : 0),
        },
      },
    );
    this.watchWorker(w);
    this.deliveryWorkers.set(destId, w);
  }

  /**
   * Queue the spooled bodies whose transfer job is missing (an API process died between writing the
   * body and queueing its job, or Redis lost the job): nothing received is dropped silently.
   */
  async requeueSpooled(): Promise<number> {
    let n = 0;
    for (const b of await this.store.listSpooledQueued(new Date(Date.now() - 60_000).toISOString())) {
      if (!b.transferId || !this.sources.has(b.connectorId)) continue;
      const t = await this.store.getTransfer(b.transferId);
      if (!t) {
        await this.store.removeSpooled(b.id); // its request was refused: the sender was told so
        continue;
      }
      if (t.status !== 'queued' && t.status !== 'running') continue;
      if (await this.transfers.getJob(b.transferId)) continue;
      const unit = spooledWebhookUnit(b);
      await this.transfers.add('transfer', { transferId: b.transferId, connectorId: b.connectorId, trigger: 'webhook', unit }, { ...transferJobOptions(this.cfg), jobId: b.transferId });
      n++;
    }
    return n;
  }

  private async processDelivery(job: Job<DeliveryJobData>, destId: string, token?: string): Promise<unknown> {
    const log = this.log.child({ destination: destId, delivery: job.data.deliveryId, job: job.id });
    try {
      const out = await runDelivery({ cfg: this.cfg, store: this.store, metrics: this.metrics, destination: (id) => this.destination(id) }, job.data.deliveryId);
      log.info({ outcome: out.status, attempt: job.attemptsStarted }, 'delivery done');
      return out;
    } catch (err) {
      const e = err as Error;
      // What the logs say: never the destination's answer (it can echo the records it was sent).
      const logged = err instanceof DeliveryError ? err.logMessage : e.message;
      const status = err instanceof DeliveryError ? err.status : undefined;
      const history = [...(job.data.history ?? []), { at: new Date().toISOString(), error: e.message, ...(status ? { status } : {}) }];
      await job.updateData({ ...job.data, history });
      const retryable = !(err instanceof DeliveryError) || err.retryable;
      const final = !retryable || job.attemptsStarted >= (job.opts.attempts ?? 1);
      if (final && !(await this.store.health()).ok) {
        // Its last attempt failed while the store is away: neither the dead letter nor the ledger's mark
        // could be written, and the failed job kept the delivery from being queued again. The attempt is
        // not counted: the job waits and runs again; once the store answers it is delivered or dead as usual.
        const { backoffMs, maxBackoffMs } = this.cfg.hub.delivery;
        const waitMs = backoffDelay(Math.max(1, job.attemptsStarted - (job.opts.attempts ?? 1) + 1), backoffMs, maxBackoffMs);
        log.warn({ attempt: job.attemptsStarted, retryInMs: waitMs, err: logged }, 'delivery failed while the store cannot be reached; tried again once it can');
        await job.moveToDelayed(Date.now() + waitMs, token);
        throw new DelayedError();
      }
      await this.store.markDeliveryFailed(job.data.deliveryId, e.message, { dead: final, responseStatus: status }).catch(() => {});
      if (final) {
        const row = await this.store.getDelivery(job.data.deliveryId).catch(() => undefined);
        await this.store.addDeadLetter({
          queue: job.queueName,
          jobId: String(job.id),
          destinationId: destId,
          payload: { deliveryId: job.data.deliveryId, content: row?.content, packageRef: row?.packageRef },
          attempts: history,
        });
        this.metrics.deliveries.inc({ destination: destId, outcome: 'dead' });
        const transferId = row ? transferOf(row) : null;
        if (transferId) await this.store.addTransferCounts(transferId, { failed: (row!.payload as { records: unknown[] }).records.length }).catch(() => {});
        log.error({ attempts: history.length, err: logged }, 'delivery failed for good: dead letter');
        throw new UnrecoverableError(e.message);
      }
      this.metrics.deliveries.inc({ destination: destId, outcome: 'retry' });
      log.warn({ attempt: job.attemptsStarted, err: logged }, 'delivery failed; will retry');
      throw err;
    }
  }

  leadDeps(): LeadDeps {
    return {
      cfg: this.cfg,
      store: this.store,
      log: this.log.child({ stage: 'leads' }),
      enqueueDeliveries: (l) => this.enqueueDeliveries(l),
      scheduleCheck: async (leadId, at) => {
        await this.leads.add('lead', { leadId }, { jobId: `lead.${leadId}.deadline.${at.getTime()}`, delay: Math.max(0, at.getTime() - Date.now()), removeOnComplete: true, removeOnFail: { age: 7 * 86400 }, attempts: 5, backoff: { type: 'exponential', delay: 2000 } });
      },
    };
  }

  /** Queue the leads that changed, and the leads naming records that changed (late arrivals, traces). */
  async leadsTouchedBy(records: readonly Record<string, unknown>[]): Promise<void> {
    const leadIds = new Set<string>();
    const labs = new Set<string>();
    const cases = new Set<string>();
    const serials = new Set<string>();
    for (const r of records) {
      if (r.type === 'NibinLead' && typeof r.leadId === 'string') leadIds.add(r.leadId);
      if (typeof r.labCaseNumber === 'string') labs.add(r.labCaseNumber);
      if (r.type === 'Case' && typeof r.agencyOri === 'string' && typeof r.agencyCaseNumber === 'string') cases.add(`${r.agencyOri}|${r.agencyCaseNumber}`);
      if (r.type === 'Trace') {
        const s = (r.serial as { normalized?: string } | undefined)?.normalized;
        if (s) serials.add(s);
      }
    }
    for (const s of serials) for (const f of await this.store.findRecords('Firearm', { 'serial.normalized': s }, 20)) if (typeof f.labCaseNumber === 'string') labs.add(f.labCaseNumber);
    for (const id of await leadsReferencing(this.store.db, [...labs], [...cases])) leadIds.add(id);
    if (!leadIds.size) return;
    await this.leads.addBulk(
      [...leadIds].map((leadId) => ({ name: 'lead', data: { leadId }, opts: { jobId: `lead.${leadId}.${randomUUID()}`, removeOnComplete: true, removeOnFail: { age: 7 * 86400 }, attempts: 5, backoff: { type: 'exponential', delay: 2000 } } })),
    );
  }

  /**
   * Replay a dead letter, once: a delivery is queued again (a delivery done meanwhile is not sent
   * twice: the ledger says delivered); a unit is taken back from where it was set aside and read by a
   * new transfer. A dead letter replayed already is HUB_ERR_STATE_CONFLICT.
   */
  async replayDeadLetter(id: string): Promise<{ jobId: string; transferId?: string }> {
    const dl = await this.store.getDeadLetter(id);
    if (!dl) throw new HubError('HUB_ERR_NOT_FOUND', { what: 'dead letter', id });
    if (dl.replayedAt) throw new HubError('HUB_ERR_STATE_CONFLICT', { reason: `dead letter ${id} was replayed at ${dl.replayedAt} (job ${dl.replayJobId})` });
    if (dl.kind === 'unit') return this.replayUnit(dl);
    const deliveryId = (dl.payload as { deliveryId: string }).deliveryId;
    const jobId = `${deliveryId}.replay.${Date.now()}`;
    if (!(await this.store.markReplayed(id, jobId))) throw new HubError('HUB_ERR_STATE_CONFLICT', { reason: `dead letter ${id} is being replayed already` });
    const destId = dl.destinationId!;
    try {
      await this.deliveryQueue(destId).add('deliver', { deliveryId }, { jobId, attempts: this.cfg.hub.delivery.attempts, backoff: { type: 'jitter' }, removeOnComplete: true, removeOnFail: { age: 7 * 86400 } });
    } catch (err) {
      await this.store.unmarkReplayed(id, jobId);
      throw err;
    }
    return { jobId };
  }

  private async replayUnit(dl: DeadLetter): Promise<{ jobId: string; transferId: string }> {
    const p = dl.payload as { connectorId: string; trigger?: TransferJobData['trigger']; unit: SourceUnit; gone?: boolean };
    if (p.gone) throw new HubError('HUB_ERR_STATE_CONFLICT', { reason: `dead letter ${dl.id}: unit ${p.unit.name} was already gone when it was set aside; there is nothing to replay` });
    const source = this.source(p.connectorId);
    const transferId = randomUUID();
    if (!(await this.store.markReplayed(dl.id, transferId))) throw new HubError('HUB_ERR_STATE_CONFLICT', { reason: `dead letter ${dl.id} is being replayed already` });
    try {
      const unit = source.restore ? await source.restore(p.unit) : p.unit;
      await this.queueTransfer({ transferId, connectorId: p.connectorId, trigger: p.trigger === 'webhook' ? 'webhook' : 'manual', unit }, `${unit.name} (replay)`);
    } catch (err) {
      await this.store.unmarkReplayed(dl.id, transferId);
      throw err;
    }
    return { jobId: transferId, transferId };
  }

  /**
   * Replay every pending dead letter the filter matches (destination, connector, time range; or all),
   * oldest first; `dryRun` only counts them. Each is replayed once, as replayDeadLetter does: one
   * replayed meanwhile by someone else is counted as skipped.
   */
  async replayDeadLetters(filter: BulkReplayFilter, opts: { dryRun?: boolean } = {}): Promise<BulkReplayResult> {
    const f = { kind: filter.kind, destinationId: filter.destinationId, connectorId: filter.connectorId, since: filter.since, until: filter.until, pending: true };
    const matched = await this.store.countDeadLetters(f);
    const result: BulkReplayResult = { matched, replayed: 0, skipped: 0, failed: [], dryRun: opts.dryRun === true, ids: [] };
    if (opts.dryRun || matched === 0) return result;
    // The letters that match now, taken before any is replayed: a replay that fails at once while this
    // runs makes a new dead letter, which is not this request's to replay (it was, again and again).
    const letters = [];
    for (let offset = 0; ; offset += 500) {
      const page = await this.store.listDeadLetters({ ...f, limit: 500, offset });
      letters.push(...page);
      if (page.length < 500) break;
    }
    for (const d of letters.reverse()) {
      try {
        await this.replayDeadLetter(d.id);
        result.replayed++;
        result.ids.push(d.id);
      } catch (err) {
        if (err instanceof HubError && err.code === 'HUB_ERR_STATE_CONFLICT' && !(d.payload as { gone?: boolean } | null)?.gone) result.skipped++;
        else result.failed.push({ id: d.id, code: err instanceof HubError ? err.code : 'HUB_ERR_SYSTEM_INTERNAL', message: err instanceof Error ? err.message : String(err) });
      }
    }
    return result;
  }

  private startScheduler(): void {
    for (const c of this.cfg.connectors) {
      if (!c.schedule || !c.enabled) continue;
      const agency = this.cfg.agencies.find((a) => a.ori === c.agency);
      const task = cron.schedule(
        c.schedule,
        async (ctx) => {
          // A paused schedule (pauseSchedule) ticks without polling; a run asked for by hand still runs.
          if (await this.pausedSchedule(c.id)) {
            this.log.debug({ connector: c.id }, 'schedule paused: tick skipped');
            return;
          }
          // Every hub process with the scheduler role ticks; the store lets exactly one of them run it.
          const slot = `schedule:${c.id}:${new Date(Math.floor(ctx.date.getTime() / 1000) * 1000).toISOString()}`;
          if (!(await this.store.tryClaimOnce(slot))) return;
          // Claims only matter for the tick they are about: drop those older than a day, now and then.
          if (Date.now() - this.lastPrune > 3_600_000) {
            this.lastPrune = Date.now();
            await this.store.pruneOnceClaims(86_400_000).catch(() => {});
          }
          const unfinished = [
            ...(await this.store.listTransfers({ connectorId: c.id, status: 'running', limit: 20 })),
            ...(await this.store.listTransfers({ connectorId: c.id, status: 'queued', limit: 20 })),
          ];
          const polling = (await this.polls.getJobs(['waiting', 'active', 'delayed', 'prioritized'], 0, 200)).some((j) => j?.data.connectorId === c.id);
          if (polling || (await this.anyTransferUnderWay(unfinished.map((t) => t.id)))) {
            this.log.info({ connector: c.id }, 'schedule skipped: the previous run has not finished');
            return;
          }
          // The slot names the poll, so the poll a tick queues is the same job whoever queues it.
          const { pollId } = await this.pollConnector(c.id, { trigger: 'schedule', pollId: derivedUuid(slot) });
          this.log.debug({ connector: c.id, poll: pollId }, 'scheduled poll queued');
        },
        { timezone: agency?.timezone ?? this.cfg.hub.timezone, name: c.id, noOverlap: true },
      );
      this.tasks.set(c.id, task);
    }
  }

  /**
   * Whether one of these queued or running transfers has a job still to run or running. A transfer row
   * whose job is gone (Redis lost its data) or ended without its row being finished holds nothing: it
   * held its connector's schedule for good, and the files it had claimed were never offered again.
   */
  private async anyTransferUnderWay(transferIds: readonly string[]): Promise<boolean> {
    for (const id of transferIds) {
      const state = await this.transfers.getJobState(id);
      if (state !== 'unknown' && state !== 'completed' && state !== 'failed') return true;
    }
    return false;
  }

  nextRun(connectorId: string): Date | null {
    return this.tasks.get(connectorId)?.getNextRun() ?? null;
  }

  private control: Redis | null = null;

  /** A connection for the hub's own keys in Redis (paused schedules). */
  private controlRedis(): Redis {
    return (this.control ??= this.connection());
  }

  /** Redis hash of paused schedules (connector id -> who and when), shared by every hub process. */
  private get pausedKey(): string {
    return `${this.prefix}:schedules:paused`;
  }

  private async pausedSchedule(connectorId: string): Promise<SchedulePause | null> {
    const v = await this.controlRedis().hget(this.pausedKey, connectorId);
    return v ? (JSON.parse(v) as SchedulePause) : null;
  }

  /** Every paused schedule, by connector id. */
  async pausedSchedules(): Promise<Map<string, SchedulePause>> {
    const all = await this.controlRedis().hgetall(this.pausedKey);
    return new Map(Object.entries(all).map(([id, v]) => [id, JSON.parse(v) as SchedulePause]));
  }

  /**
   * Pause a connector's schedule: its ticks poll nothing until it is resumed (a run asked for by hand
   * still runs; transfers under way finish). Kept in Redis, so every scheduler process and a restart
   * see it. A connector without a schedule cannot be paused (HUB_ERR_STATE_CONFLICT).
   */
  async pauseSchedule(connectorId: string, by: string): Promise<SchedulePause> {
    const c = this.scheduled(connectorId);
    const existing = await this.pausedSchedule(c.id);
    if (existing) throw new HubError('HUB_ERR_STATE_CONFLICT', { reason: `the schedule of ${c.id} is paused already (since ${existing.at}, by ${existing.by})` });
    const p: SchedulePause = { at: new Date().toISOString(), by };
    await this.controlRedis().hset(this.pausedKey, c.id, JSON.stringify(p));
    this.log.info({ connector: c.id, by }, 'schedule paused');
    return p;
  }

  /** Resume a paused schedule: its next tick polls again. */
  async resumeSchedule(connectorId: string, by: string): Promise<SchedulePause> {
    const c = this.scheduled(connectorId);
    const existing = await this.pausedSchedule(c.id);
    if (!existing) throw new HubError('HUB_ERR_STATE_CONFLICT', { reason: `the schedule of ${c.id} is not paused` });
    await this.controlRedis().hdel(this.pausedKey, c.id);
    this.log.info({ connector: c.id, by, pausedAt: existing.at }, 'schedule resumed');
    return existing;
  }

  private scheduled(connectorId: string): ConnectorConfig {
    const c = this.cfg.connectors.find((x) => x.id === connectorId);
    if (!c) throw new HubError('HUB_ERR_NOT_FOUND', { what: 'connector', id: connectorId });
    if (!c.schedule) throw new HubError('HUB_ERR_STATE_CONFLICT', { reason: `connector ${c.id} has no schedule (${c.kind === 'webhook' ? 'a webhook: bodies arrive when they are sent' : 'it runs when asked'}): there is nothing to pause or resume` });
    return c;
  }

  /**
   * Read the configuration file again and apply it without a restart. It is checked whole first (the
   * same checks as at start, and every new connector's secrets): a configuration with problems is
   * refused with every problem (ConfigProblems) and nothing changes. Then: added connectors and
   * destinations start, removed ones stop taking work, changed ones are replaced, schedules are set
   * again, API keys are replaced. Transfers and deliveries under way finish on the connector and
   * configuration they started with. One reload at a time.
   */
  reload(): Promise<ReloadResult> {
    const next = this.reloadChain.then(() => this.applyReload());
    this.reloadChain = next.catch(() => {});
    return next;
  }

  private async applyReload(): Promise<ReloadResult> {
    if (this.stopping) throw new HubError('HUB_ERR_STATE_CONFLICT', { reason: 'the hub is stopping' });
    const next = await loadHubConfig(this.cfg.file);
    if (next.hub.audit.signingKey !== undefined) auditSigningKey(next);
    const prev = this.cfg;
    const { result: diff, summary } = diffConfigs(prev, next);
    // Every connector that starts is created before anything changes: a secret that cannot be read refuses the reload.
    const sources = new Map<string, SourceConnector>();
    const dests = new Map<string, { config: DestinationConfig; connector: DestinationConnector }>();
    try {
      for (const id of [...diff.connectors.added, ...diff.connectors.changed]) sources.set(id, this.createSource(next.connectors.find((c) => c.id === id)!));
      for (const a of next.agencies) {
        for (const d of a.destinations) if (diff.destinations.added.includes(d.id) || diff.destinations.changed.includes(d.id)) dests.set(d.id, { config: d, connector: this.createDestination(d) });
      }
    } catch (err) {
      for (const s of sources.values()) await s.close?.().catch(() => {});
      for (const d of dests.values()) await d.connector.close?.().catch(() => {});
      throw err;
    }

    this.current = next;
    this.currentRouter = new Router(next);
    this.keys.replace(this.keysOf(next));
    for (const id of [...diff.connectors.changed, ...diff.connectors.removed]) {
      const old = this.sources.get(id);
      if (old) this.retired.push({ id, connector: old, cfg: prev, kind: 'source' });
      this.sources.delete(id);
    }
    for (const [id, s] of sources) this.sources.set(id, s);
    for (const id of diff.destinations.changed) {
      const old = this.destinations.get(id);
      if (old) this.retired.push({ id, connector: old.connector, cfg: prev, kind: 'destination' });
    }
    for (const [id, d] of dests) this.destinations.set(id, d);
    if (this.roles.has('worker')) {
      for (const id of diff.destinations.added) this.startDeliveryWorker(id);
      for (const id of diff.destinations.removed) {
        // Its worker finishes the deliveries it holds, then the destination goes; what is still queued
        // waits in its queue (delivered if the destination comes back).
        const w = this.deliveryWorkers.get(id);
        this.deliveryWorkers.delete(id);
        const done = (w ? w.close() : Promise.resolve()).then(async () => {
          const d = this.destinations.get(id);
          if (d && !next.agencies.some((a) => a.destinations.some((x) => x.id === id))) {
            this.destinations.delete(id);
            await d.connector.close?.();
          }
        });
        this.draining.add(done);
        void done.catch((err: Error) => this.log.warn({ destination: id, err: err.message }, 'reload: closing a removed destination failed')).finally(() => this.draining.delete(done));
      }
    } else {
      for (const id of diff.destinations.removed) this.destinations.delete(id);
    }
    if (this.roles.has('scheduler')) {
      for (const t of this.tasks.values()) await t.destroy();
      this.tasks.clear();
      this.startScheduler();
    }
    this.openIntake();
    this.watchRetired();
    this.log.info({ ...summary, restartNeeded: diff.restartNeeded }, 'configuration reloaded');
    return { file: next.file, ...diff, keys: next.hub.api.keys.length };
  }

  /** Close the connectors a reload retired once no transfer of theirs is queued or running. */
  private watchRetired(): void {
    if (this.retiredTimer || !this.retired.length) return;
    this.retiredTimer = setInterval(() => {
      void (async () => {
        for (const r of [...this.retired]) {
          if (r.kind === 'source') {
            const busy = (await this.store.listTransfers({ connectorId: r.id, status: 'running', limit: 1 })).length + (await this.store.listTransfers({ connectorId: r.id, status: 'queued', limit: 1 })).length;
            if (busy) continue;
          } else if (((await this.deliveryQueue(r.id).getJobCounts('active')).active ?? 0) > 0) continue;
          this.retired.splice(this.retired.indexOf(r), 1);
          await r.connector.close?.();
        }
        if (!this.retired.length && this.retiredTimer) {
          clearInterval(this.retiredTimer);
          this.retiredTimer = null;
        }
      })().catch((err: Error) => this.log.warn({ err: err.message }, 'reload: closing a replaced connector failed; tried again'));
    }, 5000);
    this.retiredTimer.unref();
  }

  /** Stop taking work, let in-flight jobs finish, close everything. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    for (const t of this.tasks.values()) await t.destroy();
    if (this.auditTimer) clearInterval(this.auditTimer);
    if (this.retiredTimer) clearInterval(this.retiredTimer);
    if (this.localKey) removeRuntimeFile(this.cfg.hub.dataDir);
    if (this.server) await this.server.close();
    if (this.metricsServer) await this.metricsServer.close();
    await Promise.all([...this.workers, ...this.deliveryWorkers.values()].map((w) => w.close()));
    await Promise.allSettled([...this.draining]);
    await this.audit.drain();
    // A process that signs the chain's head signs it once more on its way out, so a stopped hub leaves
    // no unsigned tail behind (cgic audit verify asks entries to be signed within checkpointMinutes).
    if (this.auditTimer && this.auditKey) {
      await this.store.anchorAudit(this.auditKey).catch((err: Error) => this.log.warn({ err: err.message }, 'could not sign the audit trail\'s head at stop'));
    }
    await Promise.all([this.transfers.close(), this.polls.close(), this.leads.close(), ...(this.intake ? [this.intake.transfers.close()] : []), ...[...this.deliveryQueues.values()].map((q) => q.close())]);
    for (const s of this.sources.values()) await s.close?.();
    for (const d of this.destinations.values()) await d.connector.close?.();
    for (const r of this.retired.splice(0)) await r.connector.close?.();
    for (const c of this.connections) c.disconnect();
    await this.store.close();
    await this.redis.stop();
    this.log.info('hub stopped');
  }
}
