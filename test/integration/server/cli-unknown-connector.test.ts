/**
 * `cgic` naming a connector the configuration does not have, in a process of its own (no hub runs):
 * `transfers --connector` and `dead-letters --connector` said "0 ... match" and exited 0, `run` exited
 * 78 with a bare "No connector". Now each is a usage error (exit 2) naming the configured connectors;
 * the transfers of a connector since removed from the configuration are still listed by its id.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CASE_MAPPING, REDIS_URL, testEnv, type TestEnv } from '../../support/hub-harness.ts';
import { cgic } from '../../support/cli.ts';
import { openStore } from '../../../src/store/index.ts';

const HFD = 'CT0006400';

describe('cgic naming an unknown connector', () => {
  let env: TestEnv;
  let run: (...args: string[]) => ReturnType<typeof cgic>;

  beforeAll(async () => {
    env = await testEnv(
      {
        agencies: [{ ori: HFD, name: 'Hartford PD', destinations: [] }],
        connectors: [
          { id: 'drop', kind: 'directory', agency: HFD, mapping: CASE_MAPPING, options: { path: 'IN' } },
          { id: 'nightly', kind: 'directory', agency: HFD, mapping: CASE_MAPPING, schedule: '0 2 * * *', options: { path: 'SLOW' } },
        ],
      },
      { store: 'pglite' },
    );
    // A transfer of a connector the configuration no longer has.
    const store = await openStore({ dataDir: path.join(env.dir, 'var', 'pglite') });
    await store.createTransfer({ connectorId: 'retired-feed', trigger: 'manual', source: 'old.csv' });
    await store.close();
    run = (...args) => cgic([...args, '--config', env.configFile], { REDIS_URL, CGIC_QUEUE_PREFIX: env.prefix });
  }, 120_000);

  afterAll(async () => {
    await env?.cleanup();
  });

  it('transfers --connector: refused naming the configured connectors; a known or removed one is listed', async () => {
    const nope = await run('transfers', '--connector', 'nope');
    expect(nope.code).toBe(2);
    expect(nope.stdout).toBe('');
    expect(nope.stderr).toContain('HUB_ERR_CLI_USAGE no connector "nope" in');
    expect(nope.stderr).toContain('cgic.yaml (connectors: drop, nightly), and no transfers of it match');
    const drop = await run('transfers', '--connector', 'drop');
    expect(drop.code).toBe(0);
    expect(drop.stdout).toMatch(/^0 transfers match/);
    const retired = await run('transfers', '--connector', 'retired-feed');
    expect(retired.code).toBe(0);
    expect(retired.stdout).toContain('old.csv');
    expect(retired.stdout).toMatch(/^1 transfers? match/m);
  }, 120_000);

  it('dead-letters list and replay --connector: refused the same way', async () => {
    for (const args of [['list'], ['replay', '--dry-run'], ['replay']]) {
      const r = await run('dead-letters', ...args, '--connector', 'nope');
      expect([args, r.code]).toEqual([args, 2]);
      expect(r.stderr).toContain('cgic.yaml (connectors: drop, nightly), and no dead letters of it match');
    }
    const known = await run('dead-letters', 'list', '--connector', 'drop');
    expect(known.code).toBe(0);
  }, 120_000);

  it('run <connector>: a usage error naming the configured connectors, not 78', async () => {
    const r = await run('run', 'nope');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('cgic.yaml (connectors: drop, nightly)');
    expect(r.stderr).not.toContain('HUB_ERR_NOT_FOUND');
  }, 120_000);
});
