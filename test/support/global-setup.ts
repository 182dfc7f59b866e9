/**
 * Before the tests: Redis on 127.0.0.1:6379 and PostgreSQL on 127.0.0.1:5432 must answer. When one
 * does not and it is installed here, start it (as .ci/run does); otherwise stop with a message saying
 * what to install, instead of a hundred connection errors.
 */
import { execFileSync, execSync } from 'node:child_process';
import net from 'node:net';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';

function reachable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    s.setTimeout(500, () => (s.destroy(), resolve(false)));
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}

async function waitPort(port: number, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await reachable(port)) return true;
    await new Promise((r) => setTimeout(r, 200));
  }
  return false;
}

export default async function setup(): Promise<void> {
  if (!process.env.TEST_REDIS_URL && !(await reachable(6379))) {
    try {
      mkdirSync('/var/lib/redis', { recursive: true });
      execFileSync('redis-server', ['--daemonize', 'yes', '--bind', '127.0.0.1', '--port', '6379', '--save', '', '--appendonly', 'no', '--dir', '/var/lib/redis'], { stdio: 'ignore' });
    } catch {
      /* reported below */
    }
    if (!(await waitPort(6379, 5000))) throw new Error('The tests need Redis on 127.0.0.1:6379 (or TEST_REDIS_URL): install it (apt-get install redis-server) or start it.');
  }
  if (!process.env.TEST_DATABASE_URL && !(await reachable(5432))) {
    try {
      if (existsSync('/etc/postgresql')) {
        const version = readdirSync('/etc/postgresql')[0];
        execSync(`pg_ctlcluster --skip-systemctl-redirect ${version} main start`, { stdio: 'ignore' });
      }
    } catch {
      /* reported below */
    }
    if (!(await waitPort(5432, 10000))) {
      throw new Error('The tests need PostgreSQL on 127.0.0.1:5432 with trust auth for user postgres (or TEST_DATABASE_URL): install it (apt-get install postgresql) or start it.');
    }
  }
}
