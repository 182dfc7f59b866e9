/**
 * A hub whose Redis does not answer at start fails at once, saying which Redis (password masked) and
 * why, with exit 69, instead of retrying for ever without serving (its connections retry only once it
 * has started, so a Redis restart does not stop a running hub).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { HubError } from '../../../src/errors/hub-error.ts';
import { checkRedis, freePort } from '../../../src/runtime/redis.ts';
import { PROJECT_ROOT, REDIS_URL } from '../../support/hub-harness.ts';

describe('Redis unreachable at start', () => {
  it('checkRedis names the URL with its password masked and gives up after its time', async () => {
    const port = await freePort();
    const t = performance.now();
    const err = await checkRedis(`redis://:hunter2@127.0.0.1:${port}`, 1000).then(() => undefined, (e: unknown) => e);
    expect(performance.now() - t).toBeLessThan(4000);
    expect(err).toBeInstanceOf(HubError);
    expect((err as HubError).code).toBe('HUB_ERR_REDIS_UNAVAILABLE');
    expect((err as HubError).message).toContain(`redis://***@127.0.0.1:${port}`);
    expect((err as HubError).message).toMatch(/ECONNREFUSED/);
    expect((err as HubError).message).not.toContain('hunter2');
    await expect(checkRedis(REDIS_URL)).resolves.toBeUndefined();
  });

  it('cgic start exits 69 with HUB_ERR_REDIS_UNAVAILABLE when REDIS_URL points nowhere', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cgic-redis-down-'));
    try {
      const config = path.join(dir, 'cgic.yaml');
      writeFileSync(config, `hub: { name: redis-down, dataDir: ${JSON.stringify(path.join(dir, 'var'))}, api: { port: 0 } }\nagencies: []\nconnectors: []\n`);
      const port = await freePort();
      const t = performance.now();
      const r = spawnSync(process.execPath, [path.join(PROJECT_ROOT, 'bin/cgic.js'), 'start', '--config', config], {
        cwd: dir,
        env: { ...process.env, REDIS_URL: `redis://127.0.0.1:${port}`, DATABASE_URL: '', LOG_LEVEL: 'warn' },
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect(r.status, r.stderr).toBe(69);
      expect(performance.now() - t).toBeLessThan(45_000);
      expect(r.stderr).toContain('HUB_ERR_REDIS_UNAVAILABLE');
      expect(r.stderr).toContain(`127.0.0.1:${port} does not answer`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
