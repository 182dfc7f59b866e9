/**
 * The statements a chunk runs look rows up by index, whatever the table's size (docs/running-at-scale.md,
 * "A store that grows"): a lookup that reads a whole table costs every chunk more as the store grows.
 * On a store of 4,000 records with fresh statistics, none of the lookups by a list of keys or ids
 * scans records, record_contributions or quarantine (with `IN (SELECT ...)` every one of them did). And
 * the PostgreSQL driver turns JIT compilation off in its transactions.
 */
import { describe, expect, it } from 'vitest';
import { SELECT_FULL, SELECT_META } from '../../../src/store/contributions.ts';
import type { Db } from '../../../src/store/db.ts';
import { RESOLVE } from '../../../src/store/quarantine.ts';
import { SELECT_FOR_UPDATE, SELECT_FOR_UPDATE_BY_ID } from '../../../src/store/records.ts';
import { RECORDS_OF } from '../../../src/store/retractions.ts';
import { BACKENDS, useBackend } from './backends.ts';

const N = 4000;

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  Plans?: PlanNode[];
}

/** Every table the plan of `sql` reads from start to end (a sequential scan). */
async function scannedTables(db: Db, sql: string, params: unknown[]): Promise<string[]> {
  const [row] = await db.query<{ 'QUERY PLAN': unknown }>(`EXPLAIN (FORMAT JSON) ${sql}`, params);
  const raw = row!['QUERY PLAN'];
  const plan = (typeof raw === 'string' ? JSON.parse(raw) : raw) as { Plan: PlanNode }[];
  const out: string[] = [];
  const walk = (n: PlanNode): void => {
    if (n['Node Type'] === 'Seq Scan' && n['Relation Name']) out.push(n['Relation Name']);
    n.Plans?.forEach(walk);
  };
  walk(plan[0]!.Plan);
  return out;
}

describe.each(BACKENDS)('query plans on %s', (backend) => {
  const ctx = useBackend(backend);

  it(`a chunk's lookups use indexes on a store of ${N} records`, { timeout: 120_000 }, async () => {
    const { store } = ctx;
    await store.createTransfer({ id: 't1', connectorId: 'rms', trigger: 'file' });
    const caseOf = (i: number) => ({ type: 'Case', key: `CT0015100|24-${i}`, agencyOri: 'CT0015100', agencyCaseNumber: `24-${i}`, sourceRefs: [{ system: 'rms', recordId: `R${i}` }] });
    const ids: string[] = [];
    for (let from = 0; from < N; from += 1000) {
      const results = await store.upsertRecords(Array.from({ length: 1000 }, (_, j) => caseOf(from + j)), { transferId: 't1', source: 'rms' });
      ids.push(...results.map((r) => r.id));
    }
    await store.addQuarantine(
      Array.from({ length: N }, (_, i) => ({ transferId: 't1', connectorId: 'rms', code: 'HUB_ERR_MAP_REQUIRED', message: 'm', fingerprint: `f${i}`, rowIdentity: `Case|CT0015100|25-${i}` })),
    );
    await store.db.exec('ANALYZE');

    const some = JSON.stringify([ids[7], ids[1500], ids[3999]]);
    const lookups: [string, string, unknown[]][] = [
      ['lock by key', SELECT_FOR_UPDATE, [JSON.stringify([{ t: 'Case', k: 'CT0015100|24-7' }, { t: 'Case', k: 'CT0015100|24-1500' }])]],
      ['lock by id', SELECT_FOR_UPDATE_BY_ID, [some]],
      ['contribution metadata', SELECT_META, [some]],
      ['contribution bodies', SELECT_FULL, [some]],
      ['records of source record ids', RECORDS_OF, ['rms', JSON.stringify(['R7', 'R1500'])]],
      ['quarantine resolved by identity', RESOLVE, ['rms', JSON.stringify(['Case|CT0015100|25-7']), 't2']],
    ];
    const scans = [];
    for (const [name, sql, params] of lookups) scans.push(`${name}: ${(await scannedTables(store.db, sql, params)).join(', ') || 'none'}`);
    expect(scans).toEqual(lookups.map(([name]) => `${name}: none`));
  });
});

describe('PostgreSQL transactions', () => {
  const ctx = useBackend('postgres');

  it('run without JIT compilation, on every pooled connection', async () => {
    const { store } = ctx;
    // Two transactions at once hold two connections.
    const seen = await Promise.all([0, 1].map(() => store.db.transaction(async (tx) => {
      const [row] = await tx.query<{ jit: string }>('SHOW jit');
      await tx.query('SELECT pg_sleep(0.05)');
      return row!.jit;
    })));
    expect(seen).toEqual(['off', 'off']);
  });
});
