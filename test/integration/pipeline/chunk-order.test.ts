/**
 * Chunks of one file commit side by side on PostgreSQL (src/pipeline/transfer.ts): the next chunk writes
 * its records while the one before it finishes. What must not change, on real Redis and PostgreSQL:
 * - a record restated by consecutive chunks takes their changes in file order, one version step each,
 *   exactly as when the chunks commit one at a time (PGlite, which has one connection, does that);
 * - a chunk commits only after the chunk before it: when that one fails, the chunks a run leaves
 *   committed are the first ones of the file, so a resumed run (which skips them) misses nothing.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CASE_MAPPING, mkdirs, runOnce, testEnv, waitFor, type TestEnv } from '../../support/hub-harness.ts';
import type { Hub } from '../../../src/runtime/hub.ts';

const HFD = 'CT0006400';
const LAB = 'CTFSL0000';

let env: TestEnv | null = null;
afterEach(async () => {
  await env?.cleanup();
  env = null;
});

async function hubWithFile(store: 'postgres' | 'pglite', csv: string, transfers: Record<string, unknown> = {}): Promise<Hub> {
  env = await testEnv(
    {
      agencies: [
        { ori: LAB, name: 'Lab', kind: 'lab' },
        { ori: HFD, name: 'Hartford PD', destinations: [] },
      ],
      connectors: [{ id: 'cases', kind: 'directory', agency: LAB, allowOtherAgencies: true, mapping: CASE_MAPPING, options: { path: 'IN', stableMs: 0 } }],
      transfers: { chunkSize: 1, ...transfers },
    },
    { store },
  );
  writeFileSync(env.configFile, readFileSync(env.configFile, 'utf8').replace(/path: IN/, `path: ${path.join(env.dir, 'in')}`));
  mkdirs(path.join(env.dir, 'in'));
  writeFileSync(path.join(env.dir, 'in', 'cases.csv'), csv);
  return env.start();
}

async function finished(hub: Hub, id: string) {
  return waitFor(`transfer ${id}`, async () => {
    const t = await hub.store.getTransfer(id);
    return t && !['queued', 'running'].includes(t.status) ? t : null;
  }, 60_000);
}

/** Rows A, B, A, B, ...: each case restated `times` times, its town T1..Tn; then case C `times` times in a row. */
function restated(times: number): string {
  const lines = ['ORI,CASE,DATE,TOWN'];
  for (let i = 1; i <= times; i++) for (const c of ['A', 'B']) lines.push(`${HFD},${c},03/14/2026 14:22,T${i}`);
  for (let i = 1; i <= times; i++) lines.push(`${HFD},C,03/14/2026 14:22,T${i}`);
  return lines.join('\r\n') + '\r\n';
}

describe('chunks committed side by side', () => {
  for (const store of ['postgres', 'pglite'] as const) {
    it(`${store}: a record restated by consecutive one-row chunks ends with the last row's value, one version per row`, async () => {
      const times = 15;
      const hub = await hubWithFile(store, restated(times));
      if (store === 'postgres') {
        // Every other chunk is slow to start its transaction: a chunk that did not wait for the one before
        // it to lock its records would lock a shared record first and the two would deadlock.
        await hub.store.db.exec(`
          CREATE FUNCTION slow_even_chunks() RETURNS trigger LANGUAGE plpgsql AS $$
          BEGIN
            IF split_part(NEW.chunk_key, ':', 2)::int % 2 = 0 THEN PERFORM pg_sleep(0.05); END IF;
            RETURN NEW;
          END $$;
          CREATE TRIGGER slow_even_chunks BEFORE INSERT ON transfer_chunks FOR EACH ROW EXECUTE FUNCTION slow_even_chunks();`);
      }
      const t = await finished(hub, await runOnce(hub, 'cases'));
      expect({ status: t.status, read: t.counts.read, stored: t.counts.stored, changed: t.counts.changed }).toEqual({ status: 'succeeded', read: 3 * times, stored: 3 * times, changed: 3 * times });
      for (const c of ['A', 'B', 'C']) {
        const [rec] = await hub.store.findRecords('Case', { agencyCaseNumber: c });
        expect({ case: c, town: (rec?.location as { town?: string } | undefined)?.town, version: rec?.version }).toEqual({ case: c, town: `T${times}`, version: times });
      }
      const chunks = await hub.store.db.query(`SELECT count(*)::int AS n FROM transfer_chunks WHERE transfer_id = $1`, [t.id]);
      expect(chunks[0]!.n).toBe(3 * times);
      if (store === 'postgres') {
        await new Promise((r) => setTimeout(r, 1500)); // a backend reports its statistics at most once a second
        const [db] = await hub.store.db.query(`SELECT deadlocks::int AS n FROM pg_stat_database WHERE datname = current_database()`);
        expect(db!.n).toBe(0);
      }
    });
  }

  it('a chunk whose predecessor fails does not commit: the committed chunks are the first ones of the file', async () => {
    const lines = ['ORI,CASE,DATE,TOWN'];
    for (let i = 1; i <= 12; i++) lines.push(`${HFD},K-${i},03/14/2026 14:22,Hartford`);
    const hub = await hubWithFile('postgres', lines.join('\r\n') + '\r\n', { attempts: 1 });
    // Row 6's provenance fails half a second after its chunk locked its record: by then the chunk after it
    // has written its own records and waits to commit.
    await hub.store.db.exec(`
      CREATE FUNCTION fail_row_six() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.pointer->>'row' = '6' THEN PERFORM pg_sleep(0.5); RAISE EXCEPTION 'row six refused'; END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER fail_row_six BEFORE INSERT ON record_sources FOR EACH ROW EXECUTE FUNCTION fail_row_six();`);
    const t = await finished(hub, await runOnce(hub, 'cases'));
    expect(t.status).toBe('failed');
    const rows = await hub.store.db.query<{ chunk_key: string }>(`SELECT chunk_key FROM transfer_chunks WHERE transfer_id = $1`, [t.id]);
    const committed = rows.map((r) => Number(r.chunk_key.split(':').pop())).sort((a, b) => a - b);
    expect(committed).toEqual([0, 1, 2, 3, 4]);
    const stored = await hub.store.findRecords('Case', {}, 100);
    expect(stored.map((r) => r.agencyCaseNumber).sort()).toEqual(['K-1', 'K-2', 'K-3', 'K-4', 'K-5']);
  });
});
