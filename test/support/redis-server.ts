/**
 * A private redis-server for tests that stop or restart Redis (never the shared one on 6379): on a
 * free port, optionally persisting to a folder (appendonly), started and stopped by the test.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';
import { waitFor } from './hub-harness.ts';
import { freePort } from '../../src/runtime/redis.ts';

export class PrivateRedis {
  private child: ChildProcess | null = null;

  private constructor(
    readonly port: number,
    private readonly dir: string | undefined,
  ) {}

  /** Start one on a free port; with `dir`, its data is kept there (appendonly) across restarts. */
  static async start(dir?: string): Promise<PrivateRedis> {
    const r = new PrivateRedis(await freePort(), dir);
    await r.restart();
    return r;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** (Re)start the server on its port. */
  async restart(): Promise<void> {
    const persist = this.dir ? ['--dir', this.dir, '--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no'];
    this.child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', ...persist], { stdio: 'ignore' });
    const probe = new Redis(this.url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    probe.on('error', () => {}); // refused until the server listens
    await waitFor('the private redis-server', async () => {
      try {
        await probe.connect();
        return (await probe.ping()) === 'PONG';
      } catch {
        probe.disconnect();
        return false;
      }
    }, 10_000, 50);
    probe.disconnect();
  }

  /** Stop it: SIGTERM (a clean shutdown, data kept) or SIGKILL. */
  async stop(signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<void> {
    const c = this.child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill(signal);
    await exited;
  }
}
