/**
 * The PostgreSQL pool a hub process opens: a transfer writes two chunks at once, each in a transaction
 * holding a connection, so the pool grows with hub.transfers.concurrency (never below 10).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadHubConfig } from '../../../src/config/hub-config.ts';
import { storeOptionsFor } from '../../../src/runtime/hub.ts';

/** storeOptionsFor over a configuration whose hub section adds `extra`; also the config's folder. */
async function optionsWith(extra: string, databaseUrl?: string): Promise<{ options: ReturnType<typeof storeOptionsFor>; dir: string }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cgic-pool-'));
  const saved = process.env.DATABASE_URL;
  delete process.env.DATABASE_URL;
  try {
    const file = path.join(dir, 'cgic.yaml');
    writeFileSync(file, `hub: { name: pool, dataDir: ./var${extra} }\nagencies: []\nconnectors: []\n`);
    return { options: storeOptionsFor(await loadHubConfig(file), databaseUrl ? { databaseUrl } : {}), dir };
  } finally {
    if (saved !== undefined) process.env.DATABASE_URL = saved;
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('store options', () => {
  const url = 'postgres://127.0.0.1/x';

  it('pool of 10 by default, 2 x transfers.concurrency + 2 above that', async () => {
    expect((await optionsWith('', url)).options.poolSize).toBe(10);
    expect((await optionsWith(', transfers: { concurrency: 4 }', url)).options.poolSize).toBe(10);
    expect((await optionsWith(', transfers: { concurrency: 16 }', url)).options.poolSize).toBe(34);
  });

  it('without a database URL: the embedded store in the data folder, no pool', async () => {
    const { options, dir } = await optionsWith(', transfers: { concurrency: 16 }');
    expect(options).toEqual({ dataDir: path.join(dir, 'var', 'pglite') });
  });
});
