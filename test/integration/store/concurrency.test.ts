/**
 * Two workers (two connection pools: as far as PostgreSQL can tell, two processes) upserting the same
 * natural keys at once must not lose an update. Each writer is its own source, so what every one of
 * them says stays in the merged record (docs/corrections.md). Real PostgreSQL only: PGlite is one
 * connection and serializes everything by construction (see drivers.test.ts).
 */
import { describe, expect, it } from 'vitest';
import type { UpsertResult } from '../../../src/store/types.ts';
import { sleep, useBackend } from './backends.ts';

describe('concurrent upserts on postgres', () => {
  const ctx = useBackend('postgres');

  it('waits for a worker holding the row and merges on top of its committed update', async () => {
    const a = ctx.store;
    const b = await ctx.openAnother();
    await a.upsertRecords([{ type: 'Case', key: 'NL-1', status: 'LEAD_UNCONFIRMED', events: ['E1'] }], { source: 'first' });

    let aCommitted = 0;
    let bDone = 0;
    let releaseA!: () => void;
    const aHolding = new Promise<void>((resolve) => (releaseA = resolve));
    const workerA = a.transaction(async (tx) => {
      await a.upsertRecords([{ type: 'Case', key: 'NL-1', events: ['E2'] }], { source: 'a' }, tx);
      releaseA();
      await sleep(300); // hold the row lock while B tries
    }).then(() => (aCommitted = performance.now()));
    await aHolding;
    const workerB = b.upsertRecords([{ type: 'Case', key: 'NL-1', events: ['E3'], status: 'CONFIRMED_HIT' }], { source: 'b' }).then((r) => {
      bDone = performance.now();
      return r;
    });
    const [, [resB]] = await Promise.all([workerA, workerB]);

    expect(bDone).toBeGreaterThanOrEqual(aCommitted); // B waited for A's commit
    expect(resB).toMatchObject({ status: 'updated', version: 3 });
    expect(await a.getRecord('Case', 'NL-1')).toMatchObject({ version: 3, status: 'CONFIRMED_HIT', events: ['E1', 'E2', 'E3'] });
  });

  it('merges into a row another worker inserted after our SELECT (insert race)', async () => {
    const a = ctx.store;
    const b = await ctx.openAnother();
    let releaseA!: () => void;
    const aInserted = new Promise<void>((resolve) => (releaseA = resolve));
    const workerA = a.transaction(async (tx) => {
      const r = await a.upsertRecords([{ type: 'Case', key: 'CT0015100|24-77', offense: 'shots fired', labCaseNumbers: ['L1'] }], { source: 'a' }, tx);
      releaseA();
      await sleep(300); // B's SELECT finds nothing; its INSERT waits on our uncommitted row
      return r;
    });
    await aInserted;
    const workerB = b.upsertRecords([{ type: 'Case', key: 'CT0015100|24-77', town: 'Hartford', labCaseNumbers: ['L2'] }], { source: 'b' });
    const [[resA], [resB]] = await Promise.all([workerA, workerB]);

    expect(resA).toMatchObject({ status: 'inserted', version: 1 });
    expect(resB).toMatchObject({ status: 'updated', version: 2, id: resA!.id });
    expect(await a.getRecord('Case', 'CT0015100|24-77')).toMatchObject({
      version: 2,
      offense: 'shots fired',
      town: 'Hartford',
      labCaseNumbers: ['L1', 'L2'],
    });
  });

  it('never fails when writers insert the same new keys at the same instant (primary-key race)', async () => {
    // Record ids derive from (type, key), so two workers inserting one new record collide on the
    // primary key as well as on (type, natural_key); the loser must merge, not fail with 23505.
    const stores = [ctx.store, await ctx.openAnother(), await ctx.openAnother()];
    const rounds = 30;
    const writers = 6;
    for (let round = 0; round < rounds; round++) {
      const keys = Array.from({ length: 60 }, (_, i) => `R${round}-K${i}`);
      const results = await Promise.all(
        Array.from({ length: writers }, (_, w) =>
          stores[w % stores.length]!.upsertRecords(keys.map((k) => ({ type: 'Firearm', key: k, [`seenBy${w}`]: true })), { source: `w${w}` }),
        ),
      );
      expect(results.flat().filter((r) => r.status === 'inserted')).toHaveLength(keys.length);
    }
    const rec = await ctx.store.getRecord('Firearm', `R${rounds - 1}-K0`);
    expect(rec!.version).toBe(writers);
  }, 60_000);

  it('loses nothing when two pools hammer overlapping keys in shuffled orders', async () => {
    const stores = [ctx.store, await ctx.openAnother()];
    const keys = Array.from({ length: 40 }, (_, i) => `K${String(i).padStart(3, '0')}`);
    const writers = 16;
    const shuffled = (seed: number): string[] => {
      const out = [...keys];
      let x = seed * 7919 + 1;
      for (let i = out.length - 1; i > 0; i--) {
        x = (x * 1103515245 + 12345) % 2147483648;
        const j = x % (i + 1);
        [out[i], out[j]] = [out[j]!, out[i]!];
      }
      return out;
    };
    const all: UpsertResult[][] = await Promise.all(
      Array.from({ length: writers }, (_, w) =>
        stores[w % 2]!.upsertRecords(shuffled(w).map((k) => ({ type: 'Firearm', key: k, tags: [`w${w}`], [`seenBy${w}`]: true })), { source: `w${w}` }),
      ),
    );

    const flat = all.flat();
    expect(flat.filter((r) => r.status === 'inserted')).toHaveLength(keys.length); // each key inserted once
    expect(flat.filter((r) => r.status === 'unchanged')).toHaveLength(0); // every writer changed every key
    for (const key of keys) {
      const rec = await ctx.store.getRecord('Firearm', key);
      expect(rec!.version).toBe(writers);
      expect([...(rec!.tags as string[])].sort()).toEqual(Array.from({ length: writers }, (_, w) => `w${w}`).sort());
      for (let w = 0; w < writers; w++) expect(rec![`seenBy${w}`]).toBe(true);
      // versions handed out for this key are exactly 1..writers: no two writers saw the same base
      const versions = flat.filter((r) => r.key === key).map((r) => r.version).sort((x, y) => x - y);
      expect(versions).toEqual(Array.from({ length: writers }, (_, i) => i + 1));
    }
  }, 60_000);
});
