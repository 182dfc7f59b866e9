/**
 * Finding Redis: `REDIS_URL` when set; else 127.0.0.1:6379 when something answers there; else a private
 * `redis-server` started from PATH with its data under the hub's data dir (stopped with the hub); else
 * a clear message saying how to get one. BullMQ needs Redis >= 6.2.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { Redis } from 'ioredis';
import { HubError } from '../errors/hub-error.ts';
import { makeDirsSync } from '../sdk/make-dirs.ts';

export interface RedisHandle {
  url: string;
  /** Set when the hub started its own redis-server. */
  child?: ChildProcess;
  stop(): Promise<void>;
}

function reachable(host: string, port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    const done = (ok: boolean): void => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(timeoutMs, () => done(false));
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

/** A TCP port free on 127.0.0.1 now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

export async function findRedis(dataDir: string, env: NodeJS.ProcessEnv = process.env): Promise<RedisHandle> {
  if (env.REDIS_URL) return { url: env.REDIS_URL, stop: async () => {} };
  if (await reachable('127.0.0.1', 6379)) return { url: 'redis://127.0.0.1:6379', stop: async () => {} };
  const port = await freePort();
  const dir = path.join(dataDir, 'redis');
  makeDirsSync(dir);
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'yes'], {
    stdio: 'ignore',
  });
  const started = await new Promise<boolean>((resolve) => {
    child.once('error', () => resolve(false));
    const deadline = Date.now() + 5000;
    const poll = async (): Promise<void> => {
      if (child.exitCode !== null) return resolve(false);
      if (await reachable('127.0.0.1', port, 200)) return resolve(true);
      if (Date.now() > deadline) return resolve(false);
      setTimeout(() => void poll(), 100);
    };
    void poll();
  });
  if (!started) {
    child.kill();
    throw new HubError('HUB_ERR_REDIS_UNAVAILABLE', {
      reason: 'REDIS_URL is not set, nothing answers on 127.0.0.1:6379, and no redis-server could be started from PATH',
    });
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    child,
    stop: async () => {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await new Promise((r) => child.once('exit', r));
      }
    },
  };
}

/** A Redis URL as it may be shown: its password masked. */
export function redactedRedisUrl(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}

/**
 * Whether Redis at `url` answers, lets us in and is new enough for BullMQ, checked once at start: the
 * hub's own connections retry for ever (Redis restarting must not stop a running hub), so a wrong
 * REDIS_URL would otherwise leave a hub that never starts and never exits. Tries for `timeoutMs`
 * (Redis may be starting beside the hub), then throws HUB_ERR_REDIS_UNAVAILABLE naming the URL
 * (password masked) and what went wrong.
 */
export async function checkRedis(url: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    const c = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false, connectTimeout: 2000, retryStrategy: () => null });
    let cause = ''; // the socket's error (ECONNREFUSED...): the rejected connect only says the connection closed
    c.on('error', (err: Error) => (cause ||= err.message));
    try {
      await c.connect();
      const info = await c.info('server');
      const version = /redis_version:(\d+)\.(\d+)/.exec(info);
      if (version && (Number(version[1]) < 6 || (Number(version[1]) === 6 && Number(version[2]) < 2))) {
        throw new HubError('HUB_ERR_REDIS_UNAVAILABLE', { reason: `${redactedRedisUrl(url)} is Redis ${version[1]}.${version[2]}; the queues need 6.2 or newer` });
      }
      return;
    } catch (err) {
      if (err instanceof HubError) throw err;
      last = cause || (err as Error).message;
      // A refused password will not change by waiting.
      if (/NOAUTH|WRONGPASS|invalid password|invalid username/i.test(last) || Date.now() + 500 > deadline) break;
      await new Promise((r) => setTimeout(r, 500));
    } finally {
      c.disconnect();
    }
  }
  throw new HubError('HUB_ERR_REDIS_UNAVAILABLE', { reason: `${redactedRedisUrl(url)} does not answer (${last})` });
}

/** A connection for BullMQ (workers need maxRetriesPerRequest: null). */
export function redisConnection(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: true, lazyConnect: false });
}
