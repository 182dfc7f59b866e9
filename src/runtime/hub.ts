/**
 * The hub process: configuration, store, queues, workers, scheduler and API, in any combination of
 * roles. `npm start` runs them all in one process on the embedded store; `cgic start --role worker` on
 * several machines shares one Redis and one PostgreSQL (the embedded store is one process's only).
 *
 * Queues (BullMQ, prefix `CGIC_QUEUE_PREFIX`, default `cgic`):
 * - `transfers`: one job per transfer (job id = transfer id).
 * - `deliver.<destination>`: one queue per destination, so one agency's outage never delays another's;
 *   job id = delivery id; retries with exponential backoff and full jitter; the last failure is a dead letter.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { mkdirSync } from 'node:fs';
import { Queue, Worker, UnrecoverableError, type Job } from 'bullmq';
import { Redis as IORedis, type Redis } from 'ioredis';
import pino, { type Logger } from 'pino';
import cron, { type ScheduledTask } from 'node-cron';
import { loadHubConfig, DEFAULT_CONFIG, type HubConfig, type DestinationConfig } from '../config/hub-config.ts';
import { resolveSecrets, SecretError } from '../config/secrets.ts';
import { openStore, AuditWriter, type OpenStoreOptions, type Store } from '../store/index.ts';
import { KeyRing } from '../server/auth.ts';
import { maintainAudit, MIN_SIGNING_KEY_LENGTH } from './audit-maintenance.ts';
import { CONNECTORS, findConnector, secretOptionPaths } from '../../connectors/index.ts';
import type { DestinationConnector, SourceConnector, SourceUnit } from '../sdk/connector.ts';
import { DeliveryError } from '../sdk/connector.ts';
import { HubError } from '../errors/hub-error.ts';
import { Router } from '../pipeline/routing.ts';
import { createMetrics, type Metrics } from '../pipeline/metrics.ts';
import { runTransfer, type PendingDelivery, type TransferJobData } from '../pipeline/transfer.ts';
import { runDelivery, transferOf } from '../pipeline/delivery.ts';
import { backoffDelay } from '../pipeline/backoff.ts';
import { processLead, type LeadDeps } from '../enrich/leads.ts';
import { leadsReferencing } from '../store/lead-ledger.ts';
import { findRedis, redisConnection, type RedisHandle } from './redis.ts';
import type { HubApi } from '../server/hub-api.ts';

export type Role = 'api' | 'worker' | 'scheduler';
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
  return databaseUrl ? { databaseUrl, schema: opts.databaseSchema } : { dataDir: path.join(cfg.hub.dataDir, 'pglite') };
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

export class Hub implements HubApi {
  readonly cfg: HubConfig;
  readonly store: Store;
  readonly log: Logger;
  readonly metrics: Metrics;
  readonly roles: ReadonlySet<Role>;
  readonly prefix: string;
  readonly router: Router;
  readonly transfers: Queue<TransferJobData>;
  readonly leads: Queue<{ leadId: string }>;
  readonly keys: KeyRing;
  readonly audit: AuditWriter;
  /** The resolved hub.audit.signingKey, if set: signs checkpoints, checks them. */
  readonly auditKey: string | undefined;
  private auditTimer: NodeJS.Timeout | null = null;
  private apiRedisConnection: Redis | null = null;
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

  private constructor(
    cfg: HubConfig,
    store: Store,
    readonly redis: RedisHandle,
    opts: HubOptions,
    log: Logger,
  ) {
    this.cfg = cfg;
    this.store = store;
    this.log = log;
    this.metrics = createMetrics();
    this.roles = new Set(opts.roles ?? ALL_ROLES);
    this.prefix = opts.queuePrefix ?? process.env.CGIC_QUEUE_PREFIX ?? 'cgic';
    this.router = new Router(cfg);
    this.keys = new KeyRing(cfg.hub.api.keys);
    this.audit = new AuditWriter(store);
    this.auditKey = opts.auditKey;
    this.transfers = new Queue<TransferJobData>('transfers', { connection: this.connection(), prefix: this.prefix });
    this.leads = new Queue<{ leadId: string }>('leads', { connection: this.connection(), prefix: this.prefix });
    for (const q of [this.transfers, this.leads]) q.on('error', (err) => this.log.warn({ queue: q.name, err: err.message }, 'queue error'));
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
    // Redact every option path a connector marks secret (e.g. options.auth.token, options.tls.key), wherever
    // an options object is logged, plus authorization headers.
    const redact = [...new Set(CONNECTORS.flatMap((c) => secretOptionPaths(c.optionsSchema)))].flatMap((p) => [`options.${p}`, `*.options.${p}`]);
    const log = opts.logger ?? pino({ name: cfg.hub.name, level: process.env.LOG_LEVEL ?? 'info', redact: { paths: [...redact, 'req.headers.authorization', '*.authorization'], censor: '[redacted]' } });
    mkdirSync(cfg.hub.dataDir, { recursive: true });
    const store = await openStore(storeOptionsFor(cfg, opts));
    let redis: RedisHandle;
    try {
      redis = opts.redisUrl ? { url: opts.redisUrl, stop: async () => {} } : await findRedis(cfg.hub.dataDir);
    } catch (err) {
      await store.close();
      throw err;
    }
    const hub = new Hub(cfg, store, redis, { ...opts, auditKey }, log);
    try {
      hub.createConnectors();
      if (hub.roles.has('worker')) await hub.startWorkers(opts);
      if (hub.roles.has('scheduler')) {
        hub.startScheduler();
        hub.startAuditMaintenance();
      }
      if (hub.roles.has('api')) {
        await hub.connectApiRedis();
        const { startServer } = await import('../server/server.ts');
        hub.server = await startServer(hub, { port: opts.port });
      } else if (cfg.hub.api.metricsPort !== undefined && (hub.roles.has('worker') || hub.roles.has('scheduler'))) {
        const { startServer } = await import('../server/server.ts');
        hub.metricsServer = await startServer(hub, { port: cfg.hub.api.metricsPort, opsOnly: true });
      }
    } catch (err) {
      await hub.stop();
      throw err;
    }
    log.info({ roles: [...hub.roles], api: hub.server?.address, metrics: hub.metricsServer?.address, store: store.db.kind, redis: redis.url.replace(/\/\/[^@]*@/, '//***@') }, 'hub started');
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

  /** Read the configuration file again and put its API keys in force (SIGHUP); other settings need a restart. */
  async reloadKeys(): Promise<number> {
    const cfg = await loadHubConfig(this.cfg.file);
    this.keys.replace(cfg.hub.api.keys);
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
    return { id, log: this.log.child({ connector: id }), stateDir };
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
    for (const c of this.cfg.connectors) {
      const d = findConnector(c.kind, 'source')!;
      const options = this.withSecrets(c.options, `connector ${c.id}`);
      this.sources.set(c.id, d.create(options, this.ctxFor(c.id)) as SourceConnector);
    }
    for (const a of this.cfg.agencies) {
      for (const dest of a.destinations) {
        const d = findConnector(dest.kind, 'destination')!;
        const options = this.withSecrets(dest.options, `destination ${dest.id}`);
        this.destinations.set(dest.id, { config: dest, connector: d.create(options, this.ctxFor(dest.id)) as DestinationConnector });
      }
    }
  }

  source(id: string): SourceConnector {
    const s = this.sources.get(id);
    if (!s) throw new HubError('HUB_ERR_NOT_FOUND', { what: 'connector', id });
    return s;
  }

  destination(id: string): { config: DestinationConfig; connector: DestinationConnector } {
    const d = this.destinations.get(id);
    if (!d) throw new DeliveryError(`no destination "${id}" in the configuration`, false);
    return d;
  }

  deliveryQueue(destinationId: string): Queue<DeliveryJobData> {
    let q = this.deliveryQueues.get(destinationId);
    if (!q) {
      q = new Queue<DeliveryJobData>(`deliver.${destinationId}`, { connection: this.connection(), prefix: this.prefix });
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

  /** Start a transfer of a connector now. Returns the transfer id (202 semantics: it runs in a worker). */
  async runConnector(connectorId: string, opts: { trigger?: TransferJobData['trigger']; dryRun?: boolean; unit?: SourceUnit; source?: string } = {}): Promise<string> {
    const conn = this.cfg.connectors.find((c) => c.id === connectorId);
    if (!conn) throw new HubError('HUB_ERR_NOT_FOUND', { what: 'connector', id: connectorId });
    if (!conn.enabled) throw new HubError('HUB_ERR_STATE_CONFLICT', { reason: `connector ${connectorId} is disabled in the configuration` });
    const id = randomUUID();
    const trigger = opts.trigger ?? 'manual';
    await this.store.createTransfer({ id, connectorId, trigger, source: opts.source ?? opts.unit?.name ?? (opts.dryRun ? 'dry run' : conn.kind) });
    const data: TransferJobData = { transferId: id, connectorId, trigger, ...(opts.dryRun ? { dryRun: true } : {}), ...(opts.unit ? { units: [opts.unit], done: [] } : {}) };
    await this.transfers.add('transfer', data, { jobId: id, attempts: 3, backoff: { type: 'exponential', delay: 5000 }, removeOnComplete: { age: 86400, count: 1000 }, removeOnFail: { age: 7 * 86400 } });
    return id;
  }

  private async startWorkers(opts: HubOptions): Promise<void> {
    // How soon a dead worker's jobs are taken over: BullMQ's stalled-job check and lock time.
    const stalledInterval = opts.stalledIntervalMs ?? (Number(process.env.CGIC_STALLED_INTERVAL_MS) || 30_000);
    const lockDuration = opts.lockDurationMs ?? (Number(process.env.CGIC_LOCK_DURATION_MS) || 30_000);
    const tw = new Worker<TransferJobData>(
      'transfers',
      async (job) => {
        const log = this.log.child({ connector: job.data.connectorId, transfer: job.data.transferId, job: job.id });
        const summary = await runTransfer(
          {
            cfg: this.cfg,
            store: this.store,
            router: this.router,
            metrics: this.metrics,
            source: (id) => this.source(id),
            enqueueDeliveries: (l) => this.enqueueDeliveries(l),
            onChanged: (records) => this.leadsTouchedBy(records),
          },
          job.data,
          { log, save: (d) => job.updateData({ ...job.data, ...d }) },
        );
        // A scheduled poll that found nothing is routine: debug, not info.
        log[summary.rowsRead ? 'info' : 'debug']({ read: summary.rowsRead, mapped: summary.rowsMapped, invalid: summary.rowsInvalid, records: summary.recordsOut }, 'transfer finished');
        return { rowsRead: summary.rowsRead, rowsInvalid: summary.rowsInvalid };
      },
      { connection: this.connection(), prefix: this.prefix, concurrency: this.cfg.hub.transfers.concurrency, stalledInterval, lockDuration },
    );
    tw.on('failed', (job, err) => {
      this.log.error({ transfer: job?.data.transferId, err: err.message }, 'transfer failed');
      if (job && job.attemptsMade >= (job.opts.attempts ?? 1)) void this.store.finishTransfer(job.data.transferId, 'failed', err.message).catch(() => {});
    });
    this.workers.push(tw);

    const lw = new Worker<{ leadId: string }>(
      'leads',
      async (job) => {
        const out = await processLead(this.leadDeps(), job.data.leadId);
        this.metrics.leadVersions.inc({ outcome: out.outcome });
        if (out.outcome !== 'unchanged') this.log.info({ lead: job.data.leadId, ...out }, `lead ${out.outcome}`);
        return out;
      },
      { connection: this.connection(), prefix: this.prefix, concurrency: 2, stalledInterval, lockDuration },
    );
    lw.on('failed', (job, err) => this.log.error({ lead: job?.data.leadId, err: err.message }, 'lead enrichment failed'));
    this.workers.push(lw);

    const { backoffMs, maxBackoffMs, concurrency } = this.cfg.hub.delivery;
    for (const [destId] of this.destinations) {
      const w = new Worker<DeliveryJobData>(
        `deliver.${destId}`,
        async (job) => this.processDelivery(job, destId),
        {
          connection: this.connection(),
          prefix: this.prefix,
          concurrency,
          stalledInterval,
          lockDuration,
          settings: {
            backoffStrategy: (attemptsMade: number, _type?: string, err?: Error) =>
              Math.max(backoffDelay(attemptsMade, backoffMs, maxBackoffMs), err instanceof DeliveryError ? (err.retryAfterMs ?? 0) : 0),
          },
        },
      );
      this.workers.push(w);
    }
    const requeued = await this.requeueUndelivered();
    if (requeued) this.log.info({ deliveries: requeued }, 'queued deliveries left pending');
  }

  private async processDelivery(job: Job<DeliveryJobData>, destId: string): Promise<unknown> {
    const log = this.log.child({ destination: destId, delivery: job.data.deliveryId, job: job.id });
    try {
      const out = await runDelivery({ cfg: this.cfg, store: this.store, metrics: this.metrics, destination: (id) => this.destination(id) }, job.data.deliveryId);
      log.info({ outcome: out.status, attempt: job.attemptsStarted }, 'delivery done');
      return out;
    } catch (err) {
      const e = err as Error;
      const status = err instanceof DeliveryError ? err.status : undefined;
      const history = [...(job.data.history ?? []), { at: new Date().toISOString(), error: e.message, ...(status ? { status } : {}) }];
      await job.updateData({ ...job.data, history });
      const retryable = !(err instanceof DeliveryError) || err.retryable;
      const final = !retryable || job.attemptsStarted >= (job.opts.attempts ?? 1);
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
        log.error({ attempts: history.length, err: e.message }, 'delivery failed for good: dead letter');
        throw new UnrecoverableError(e.message);
      }
      this.metrics.deliveries.inc({ destination: destId, outcome: 'retry' });
      log.warn({ attempt: job.attemptsStarted, err: e.message }, 'delivery failed; will retry');
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

  /** Deliver a dead letter again; true once per dead letter. */
  async replayDeadLetter(id: string): Promise<{ jobId: string }> {
    const dl = await this.store.getDeadLetter(id);
    if (!dl) throw new HubError('HUB_ERR_NOT_FOUND', { what: 'dead letter', id });
    if (dl.replayedAt) throw new HubError('HUB_ERR_STATE_CONFLICT', { reason: `dead letter ${id} was replayed at ${dl.replayedAt} (job ${dl.replayJobId})` });
    const deliveryId = (dl.payload as { deliveryId: string }).deliveryId;
    const jobId = `${deliveryId}.replay.${Date.now()}`;
    if (!(await this.store.markReplayed(id, jobId))) throw new HubError('HUB_ERR_STATE_CONFLICT', { reason: `dead letter ${id} is being replayed already` });
    const destId = dl.destinationId!;
    await this.deliveryQueue(destId).add('deliver', { deliveryId }, { jobId, attempts: this.cfg.hub.delivery.attempts, backoff: { type: 'jitter' }, removeOnComplete: true });
    return { jobId };
  }

  private startScheduler(): void {
    for (const c of this.cfg.connectors) {
      if (!c.schedule || !c.enabled) continue;
      const agency = this.cfg.agencies.find((a) => a.ori === c.agency);
      const task = cron.schedule(
        c.schedule,
        async (ctx) => {
          // Every hub process with the scheduler role ticks; the store lets exactly one of them run it.
          const slot = `schedule:${c.id}:${new Date(Math.floor(ctx.date.getTime() / 1000) * 1000).toISOString()}`;
          if (!(await this.store.tryClaimOnce(slot))) return;
          // Claims only matter for the tick they are about: drop those older than a day, now and then.
          if (Date.now() - this.lastPrune > 3_600_000) {
            this.lastPrune = Date.now();
            await this.store.pruneOnceClaims(86_400_000).catch(() => {});
          }
          const running = await this.store.listTransfers({ connectorId: c.id, status: 'running', limit: 1 });
          const queued = await this.store.listTransfers({ connectorId: c.id, status: 'queued', limit: 1 });
          if (running.length || queued.length) {
            this.log.info({ connector: c.id }, 'schedule skipped: the previous transfer has not finished');
            return;
          }
          const id = await this.runConnector(c.id, { trigger: 'schedule', source: `schedule ${slot.slice(`schedule:${c.id}:`.length)}` });
          this.log.debug({ connector: c.id, transfer: id }, 'scheduled transfer queued');
        },
        { timezone: agency?.timezone ?? this.cfg.hub.timezone, name: c.id, noOverlap: true },
      );
      this.tasks.set(c.id, task);
    }
  }

  nextRun(connectorId: string): Date | null {
    return this.tasks.get(connectorId)?.getNextRun() ?? null;
  }

  /** Stop taking work, let in-flight jobs finish, close everything. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    for (const t of this.tasks.values()) await t.destroy();
    if (this.auditTimer) clearInterval(this.auditTimer);
    if (this.server) await this.server.close();
    if (this.metricsServer) await this.metricsServer.close();
    await Promise.all(this.workers.map((w) => w.close()));
    await this.audit.drain();
    await Promise.all([this.transfers.close(), this.leads.close(), ...[...this.deliveryQueues.values()].map((q) => q.close())]);
    for (const s of this.sources.values()) await s.close?.();
    for (const d of this.destinations.values()) await d.connector.close?.();
    for (const c of this.connections) c.disconnect();
    await this.store.close();
    await this.redis.stop();
    this.log.info('hub stopped');
  }
}
