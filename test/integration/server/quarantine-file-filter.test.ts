/**
 * GET /api/quarantine?file=<name>: the quarantined rows of one source file, as the console's
 * Quarantine screen asks for them (its "File" filter). The name is matched exactly, in any sighting.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CASE_MAPPING, caseCsv, mkdirs, runOnce, testEnv, waitFor, type TestEnv } from '../../support/hub-harness.ts';
import type { Hub } from '../../../src/runtime/hub.ts';
import { hashKey } from '../../../src/server/auth.ts';

const HFD = 'CT0006400';

describe('the quarantine of one file', () => {
  let env: TestEnv;
  let hub: Hub;
  beforeAll(async () => {
    env = await testEnv({
      agencies: [{ ori: HFD, name: 'Hartford PD' }],
      connectors: [{ id: 'drop', kind: 'directory', agency: HFD, mapping: CASE_MAPPING, options: { path: 'IN', stableMs: 0 } }],
      keys: [{ id: 'analyst', role: 'analyst', sha256: hashKey('analyst-key') }],
    });
    const inbox = path.join(env.dir, 'in');
    mkdirs(inbox);
    writeFileSync(env.configFile, readFileSync(env.configFile, 'utf8').replace('path: IN', `path: ${inbox}`));
    hub = await env.start();
    for (const [name, bad] of [['hfd-0314.csv', [2]], ['hfd-0315.csv', [1, 3]]] as const) {
      writeFileSync(path.join(inbox, name), caseCsv(4, [HFD], { bad: [...bad], prefix: name.slice(4, 8) }));
      const id = await runOnce(hub, 'drop');
      await waitFor(`transfer of ${name}`, async () => ((await hub.store.getTransfer(id))?.finishedAt ? true : null));
    }
  }, 90_000);
  afterAll(async () => {
    await env?.cleanup();
  });

  const get = async (q: string) => {
    const res = await fetch(`${hub.address}/api/quarantine?${q}`, { headers: { authorization: 'Bearer analyst-key' } });
    return { status: res.status, body: (await res.json()) as { total: number; items: { pointer: { file: string; row: number } }[]; code?: string; message?: string } };
  };

  it('lists the rows quarantined from a file of exactly that name, with the other filters', async () => {
    expect((await get('')).body.total).toBe(3);
    const first = await get('file=hfd-0314.csv');
    expect(first.status).toBe(200);
    expect(first.body.items.map((i) => [i.pointer.file, i.pointer.row])).toEqual([['hfd-0314.csv', 2]]);
    const second = await get('file=hfd-0315.csv&connector=drop&limit=1');
    expect([second.body.total, second.body.items.length, second.body.items[0]!.pointer.file]).toEqual([2, 1, 'hfd-0315.csv']);
    // Exactly: not a prefix, not another case, not a path.
    for (const other of ['hfd-', 'HFD-0314.CSV', `${env.dir}/in/hfd-0314.csv`, 'none.csv']) expect([other, (await get(`file=${encodeURIComponent(other)}`)).body.total]).toEqual([other, 0]);
    const empty = await get('file=');
    expect([empty.status, empty.body.code]).toEqual([400, 'HUB_ERR_REQUEST_INVALID']);
    // The filter is on the request's audit entry.
    await hub.audit.drain();
    const entries = await hub.store.listAudit({ actor: 'analyst', limit: 50 });
    expect(entries.some((e) => (e.detail as { query?: { file?: string } } | null)?.query?.file === 'hfd-0314.csv')).toBe(true);
  });
});
