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

/** A connection for BullMQ (workers need maxRetriesPerRequest: null). */
export function redisConnection(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: true, lazyConnect: false });
}
