/**
 * The README's demo as the console's browser tests and benchmark run it: the bundled configuration
 * (config/cgic.yaml, its agencies, connectors, keys and sharing rules), with its folders in a temp
 * dir, its own database and queue prefix, folders read every second, and one more destination: East
 * Hartford's RMS API, a real local HTTP server whose answers a test decides (to make a dead letter);
 * with `hartfordApi`, Hartford's records go to that server too (the console benchmark times them).
 * With `oidc`, people sign in through a real local OpenID provider (support/oidc-provider.ts) with its
 * test users; without, the console asks for the demo's API keys, as `npm start` does.
 */
import { copyFileSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { parse, stringify } from 'yaml';
import { Hub } from '../../src/runtime/hub.ts';
import { AgencyServer, PROJECT_ROOT, REDIS_URL, dropQueues, freshDatabase, waitFor } from './hub-harness.ts';
import { freePort, startTestProvider, type TestProvider } from './oidc-provider.ts';

export const DEMO_KEYS = { admin: 'demo-admin-key', analyst: 'demo-analyst-key', hartford: 'demo-hartford-key', eastHartford: 'demo-east-hartford-key' } as const;
export const SCENARIO = path.join(PROJECT_ROOT, 'fixtures/scenario');

export interface DemoHub {
  hub: Hub;
  url: string;
  dir: string;
  /** East Hartford's RMS API (destination `east-hartford-api`, lead packages). */
  rms: AgencyServer;
  /** The identity provider people sign in with (with `oidc`). */
  provider?: TestProvider;
  inbox(connector: 'lims' | 'nibin' | 'etrace'): string;
  /** Drop a file into a connector's folder the way a sender does (written, then renamed in). */
  drop(connector: 'lims' | 'nibin' | 'etrace', name: string, content: string | Buffer): void;
  stop(): Promise<void>;
}

export async function startDemoHub(opts: { deliveryAttempts?: number; hartfordApi?: boolean; oidc?: boolean; sessions?: { idleMinutes?: number; maxHours?: number } } = {}): Promise<DemoHub> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cgic-console-'));
  const prefix = `cgic-console-${randomUUID().slice(0, 8)}`;
  const db = await freshDatabase();
  const rms = await new AgencyServer().start();
  const cfg = parse(readFileSync(path.join(PROJECT_ROOT, 'config/cgic.yaml'), 'utf8')) as Record<string, any>;
  for (const f of ['demo-webhook.secret', 'demo-audit.key']) copyFileSync(path.join(PROJECT_ROOT, 'config', f), path.join(dir, f));
  const local = (p: string): string => path.join(dir, p.replace(/^demo\//, ''));
  cfg.hub.dataDir = path.join(dir, 'var');
  cfg.hub.api.port = 0;
  let provider: TestProvider | undefined;
  let port = 0;
  if (opts.oidc) {
    // The callback address is registered at the provider before the hub starts: pick the hub's port now.
    port = await freePort();
    const redirectUrl = `http://127.0.0.1:${port}/console/auth/callback`;
    provider = await startTestProvider([redirectUrl]);
    cfg.hub.api.oidc = provider.hubConfig(redirectUrl, path.join(dir, 'oidc-client.secret'));
  }
  if (opts.sessions) cfg.hub.api.sessions = opts.sessions;
  cfg.hub.delivery = { attempts: opts.deliveryAttempts ?? 2, backoffMs: 50, maxBackoffMs: 200, concurrency: 2 };
  for (const a of cfg.agencies) {
    for (const d of a.destinations ?? []) {
      if (!d.options?.path) continue;
      d.options.path = local(d.options.path);
      mkdirSync(d.options.path, { recursive: true });
    }
    if (a.ori === 'CT0004300') a.destinations.push({ id: 'east-hartford-api', kind: 'http', content: ['leads'], leadFormat: 'out-lead-json', options: { url: rms.url } });
    // For the console benchmark: Hartford's records also to the local server, to time webhook -> delivered.
    if (a.ori === 'CT0006400' && opts.hartfordApi) a.destinations.push({ id: 'hartford-api', kind: 'http', content: ['records'], options: { url: rms.url } });
  }
  for (const c of cfg.connectors) {
    if (c.options?.path) {
      c.options.path = local(c.options.path);
      mkdirSync(c.options.path, { recursive: true });
      c.options.stableMs = 200;
    }
    if (c.schedule) c.schedule = '* * * * * *';
  }
  cfg.leads = { ...(cfg.leads ?? {}), enrichmentWaitSeconds: 0 };
  const configFile = path.join(dir, 'cgic.yaml');
  writeFileSync(configFile, stringify(cfg));
  const hub = await Hub.start({ configFile, redisUrl: REDIS_URL, queuePrefix: prefix, port, databaseUrl: db.url, stalledIntervalMs: 1000, lockDurationMs: 2000, logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }) });
  const inbox = (c: 'lims' | 'nibin' | 'etrace'): string => local(`demo/inbox/${c}`);
  return {
    hub,
    url: hub.address!,
    dir,
    rms,
    ...(provider ? { provider } : {}),
    inbox,
    drop(c, name, content) {
      const tmp = path.join(dir, `.${name}.part`);
      writeFileSync(tmp, content);
      renameSync(tmp, path.join(inbox(c), name));
    },
    async stop() {
      await hub.stop().catch(() => {});
      await rms.stop();
      await provider?.stop();
      await dropQueues(prefix);
      await db.drop().catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Wait until no lead job and no delivery is outstanding. */
export async function settled(hub: Hub, timeoutMs = 30_000): Promise<void> {
  await waitFor('leads and deliveries to settle', async () => {
    const l = await hub.leads.getJobCounts('waiting', 'active', 'delayed');
    const [d] = await hub.store.db.query<{ n: string }>(`SELECT count(*) AS n FROM deliveries WHERE status IN ('pending', 'failed')`);
    return (l.waiting ?? 0) + (l.active ?? 0) + (l.delayed ?? 0) === 0 && Number(d!.n) === 0;
  }, timeoutMs, 100);
}
