/**
 * A hub on real Redis and real PostgreSQL (or PGlite) for integration tests, isolated per test: its own
 * database, its own queue prefix, its own folders; and real local HTTP servers standing in for agencies.
 */
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import pg from 'pg';
import { Redis } from 'ioredis';
import pino from 'pino';
import { stringify } from 'yaml';
import { Hub, type HubOptions } from '../../src/runtime/hub.ts';

export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const PG_ADMIN_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const PROJECT_ROOT = path.resolve(import.meta.dirname, '../..');
export const CASE_MAPPING = path.join(PROJECT_ROOT, 'test/integration/fixtures/case-csv/mapping.yaml');

/** A fresh PostgreSQL database; dropped by `drop()`. */
export async function freshDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `cgic_test_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  try {
    await admin.connect();
  } catch (err) {
    throw new Error(`PostgreSQL is not reachable at ${PG_ADMIN_URL} (${(err as Error).message}); start it: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start`);
  }
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = PG_ADMIN_URL.replace(/\/[^/]*$/, `/${name}`);
  return {
    url,
    async drop() {
      const c = new pg.Client({ connectionString: PG_ADMIN_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

/** Remove every Redis key of a queue prefix. */
export async function dropQueues(prefix: string): Promise<void> {
  const r = new Redis(REDIS_URL, { maxRetriesPerRequest: 2 });
  let cursor = '0';
  do {
    const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length) await r.del(...keys);
  } while (cursor !== '0');
  r.disconnect();
}

export interface ReceivedRequest {
  method: string;
  idempotencyKey: string | undefined;
  body: string;
  at: number;
  /** The status the server answered. */
  status: number;
}

/** A real HTTP server standing in for an agency's endpoint; `answer` decides each response. */
export class AgencyServer {
  readonly received: ReceivedRequest[] = [];
  answer: (req: ReceivedRequest, n: number) => number | { status: number; headers?: Record<string, string> } = () => 200;
  private server: http.Server | null = null;
  url = '';

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const r: ReceivedRequest = {
          method: req.method ?? '',
          idempotencyKey: req.headers['idempotency-key'] as string | undefined,
          body: Buffer.concat(chunks).toString('utf8'),
          at: Date.now(),
          status: 0,
        };
        this.received.push(r);
        const a = this.answer(r, this.received.length);
        const { status, headers } = typeof a === 'number' ? { status: a, headers: {} } : a;
        r.status = status;
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify({ ok: status < 300 }));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const addr = this.server.address() as { port: number };
    this.url = `http://127.0.0.1:${addr.port}/intake`;
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** Requests the server accepted (2xx). */
  okRequests(): ReceivedRequest[] {
    return this.received.filter((r) => r.status >= 200 && r.status < 300);
  }

  /** Records received in accepted requests, by record id, counted. */
  recordCounts(): Map<string, number> {
    const m = new Map<string, number>();
    for (const r of this.okRequests()) {
      for (const rec of (JSON.parse(r.body) as { records: { id: string }[] }).records) m.set(rec.id, (m.get(rec.id) ?? 0) + 1);
    }
    return m;
  }
}

/** The agency servers a test file starts: `start()` in a test, `stopAll()` in afterEach. */
export class AgencyServers {
  private readonly running: AgencyServer[] = [];

  async start(): Promise<AgencyServer> {
    const s = await new AgencyServer().start();
    this.running.push(s);
    return s;
  }

  async stopAll(): Promise<void> {
    for (const s of this.running.splice(0)) await s.stop();
  }
}

export interface TestHubSpec {
  /** Agencies and their destinations, connectors: the config's agencies/connectors sections. */
  agencies: Record<string, unknown>[];
  connectors: Record<string, unknown>[];
  delivery?: Record<string, unknown>;
  /** hub.transfers, over the tests' defaults (concurrency 2, chunkSize 500, backoffMs 200). */
  transfers?: Record<string, unknown>;
  keys?: Record<string, unknown>[];
  /** hub.api.metricsPort: where a process without the api role serves /metrics. */
  metricsPort?: number;
  /** More keys of hub.api (rateLimit, tls, trustProxy). */
  api?: Record<string, unknown>;
  /** hub.audit. */
  audit?: Record<string, unknown>;
}

export interface TestEnv {
  dir: string;
  configFile: string;
  prefix: string;
  db: { url: string; drop(): Promise<void> } | null;
  hubs: Hub[];
  children: ChildProcess[];
  start(opts?: Partial<HubOptions>): Promise<Hub>;
  spawnHub(roles: string[], extraEnv?: Record<string, string>): ChildProcess;
  cleanup(): Promise<void>;
}

/** Write a config for the spec into a temp dir and prepare an isolated store and queue prefix. */
/** The webhook secret of `labWebhookEnv`'s connector. */
export const LAB_WEBHOOK_SECRET = 'test-webhook-secret-0123456789abcdef0123456789';

/**
 * A hub whose only source is the lab's webhook `hook` (LIMS CSV, lab CTFSL0000), signed with
 * LAB_WEBHOOK_SECRET: for the tests of what the API and the webhook route answer.
 */
export function labWebhookEnv(spec: Pick<TestHubSpec, 'keys' | 'api'>): Promise<TestEnv> {
  process.env.TEST_WEBHOOK_SECRET = LAB_WEBHOOK_SECRET;
  return testEnv({
    agencies: [{ ori: 'CTFSL0000', name: 'Lab', kind: 'lab' }],
    connectors: [{ id: 'hook', kind: 'webhook', agency: 'CTFSL0000', allowOtherAgencies: true, mapping: 'lims-csv', options: { secret: '${env:TEST_WEBHOOK_SECRET}' } }],
    ...spec,
  });
}

export async function testEnv(spec: TestHubSpec, opts: { store?: 'postgres' | 'pglite' } = {}): Promise<TestEnv> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cgic-it-'));
  const prefix = `cgic-test-${randomUUID().slice(0, 8)}`;
  const db = opts.store === 'pglite' ? null : await freshDatabase();
  const config = {
    hub: {
      name: 'test-hub',
      dataDir: path.join(dir, 'var'),
      api: { host: '127.0.0.1', port: 0, ...(spec.metricsPort !== undefined ? { metricsPort: spec.metricsPort } : {}), keys: spec.keys ?? [{ id: 'admin', role: 'admin', sha256: 'ac5bb3526d3be432ba19fb1fc0712d350c160bd2169cd24401c9fcaeaac2d860' }], ...(spec.api ?? {}) },
      ...(spec.audit ? { audit: spec.audit } : {}),
      delivery: { attempts: 4, backoffMs: 50, maxBackoffMs: 200, concurrency: 2, ...(spec.delivery ?? {}) },
      transfers: { concurrency: 2, chunkSize: 500, backoffMs: 200, ...(spec.transfers ?? {}) },
    },
    agencies: spec.agencies,
    connectors: spec.connectors,
  };
  const configFile = path.join(dir, 'cgic.yaml');
  writeFileSync(configFile, stringify(config));
  const env: TestEnv = {
    dir,
    configFile,
    prefix,
    db,
    hubs: [],
    children: [],
    async start(o = {}) {
      const hub = await Hub.start({
        configFile,
        redisUrl: REDIS_URL,
        queuePrefix: prefix,
        port: 0,
        stalledIntervalMs: 1000,
        lockDurationMs: 2000,
        logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
        ...(db ? { databaseUrl: db.url } : {}),
        ...o,
      });
      this.hubs.push(hub);
      return hub;
    },
    spawnHub(roles, extraEnv = {}) {
      const child = spawn(process.execPath, [path.join(PROJECT_ROOT, 'bin/cgic.js'), 'start', '--config', configFile, '--role', ...roles], {
        cwd: PROJECT_ROOT,
        env: {
          ...process.env,
          REDIS_URL,
          CGIC_QUEUE_PREFIX: prefix,
          CGIC_STALLED_INTERVAL_MS: '1000',
          CGIC_LOCK_DURATION_MS: '2000',
          LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
          ...(db ? { DATABASE_URL: db.url } : {}),
          ...extraEnv,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stdout?.resume();
      let errText = '';
      child.stderr?.on('data', (c: Buffer) => (errText = (errText + c.toString()).slice(-4000)));
      (child as ChildProcess & { errText: () => string }).errText = () => errText;
      this.children.push(child);
      return child;
    },
    async cleanup() {
      for (const c of this.children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
      for (const h of this.hubs) await h.stop().catch(() => {});
      await dropQueues(prefix);
      if (db) await db.drop().catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return env;
}

export function mkdirs(...dirs: string[]): void {
  for (const d of dirs) mkdirSync(d, { recursive: true });
}

/** Poll until `fn` returns a truthy value, or fail after `timeoutMs` with `what`. */
export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | null | false> | T | undefined | null | false, timeoutMs = 20_000, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v as T;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Run a source now and wait for its poll: the transfer ids it queued, one per claimed unit (none when nothing was ready). */
export async function pollNow(hub: Hub, connectorId: string, opts: { dryRun?: boolean } = {}): Promise<string[]> {
  const { pollId } = await hub.pollConnector(connectorId, { trigger: 'manual', ...opts });
  const s = await hub.pollStatus(pollId, 60_000);
  if (s.state === 'pending' || s.state === 'failed') throw new Error(`poll ${pollId} of ${connectorId}: ${s.state}${s.error ? `: ${s.error}` : ''}`);
  return s.transferIds;
}

/** Run a source that has exactly one unit ready (one dropped file, one poll of an API): its transfer id. */
export async function runOnce(hub: Hub, connectorId: string, opts: { dryRun?: boolean } = {}): Promise<string> {
  const ids = await pollNow(hub, connectorId, opts);
  if (ids.length !== 1) throw new Error(`expected one transfer from ${connectorId}, got ${ids.length}`);
  return ids[0]!;
}

/** A CSV for the case-csv mapping: `rows` rows spread over the given ORIs. */
export function caseCsv(rows: number, oris: string[], opts: { bad?: number[]; prefix?: string } = {}): string {
  const lines = ['ORI,CASE,DATE,TOWN'];
  for (let i = 1; i <= rows; i++) {
    const bad = opts.bad?.includes(i);
    lines.push(`${oris[i % oris.length]},${opts.prefix ?? 'C'}-${String(i).padStart(6, '0')},${bad ? '02/30/2026' : '03/14/2026 14:22'},Hartford`);
  }
  return lines.join('\r\n') + '\r\n';
}
