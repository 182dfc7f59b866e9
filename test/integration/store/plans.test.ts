/**
 * The statements a chunk runs look rows up by index, whatever the table's size (docs/running-at-scale.md,
 * "A store that grows"): a lookup that reads a whole table costs every chunk more as the store grows.
 * On a store of 4,000 records with fresh statistics, none of the lookups by a list of keys or ids
 * scans records, record_contributions or quarantine (with `IN (SELECT ...)` every one of them did), and
 * the leads that name a case are found by their own index among 2,000 leads (and migration 008 indexes
 * the leads a store held before it). And the PostgreSQL driver turns JIT compilation off in its
 * transactions.
 */
import { describe, expect, it } from 'vitest';
import { SELECT_FULL, SELECT_META } from '../../../src/store/contributions.ts';
import type { Db } from '../../../src/store/db.ts';
import { LEADS_REFERENCING, leadsReferencing } from '../../../src/store/lead-ledger.ts';
import { loadMigrations, migrate } from '../../../src/store/migrate.ts';
import { RESOLVE, quarantineWhere } from '../../../src/store/quarantine.ts';
import { SELECT_FOR_UPDATE, SELECT_FOR_UPDATE_BY_ID } from '../../../src/store/records.ts';
import { RECORDS_OF } from '../../../src/store/retractions.ts';
import { BACKENDS, useBackend } from './backends.ts';

const N = 4000;

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

/** The plan of `sql`: the tables it reads from start to end (sequential scans) and the indexes it uses. */
async function planOf(db: Db, sql: string, params: unknown[]): Promise<{ scanned: string[]; indexes: string[] }> {
  const [row] = await db.query<{ 'QUERY PLAN': unknown }>(`EXPLAIN (FORMAT JSON) ${sql}`, params);
  const raw = row!['QUERY PLAN'];
  const plan = (typeof raw === 'string' ? JSON.parse(raw) : raw) as { Plan: PlanNode }[];
  const out = { scanned: [] as string[], indexes: [] as string[] };
  const walk = (n: PlanNode): void => {
    if (n['Node Type'] === 'Seq Scan' && n['Relation Name']) out.scanned.push(n['Relation Name']);
    if (n['Index Name']) out.indexes.push(n['Index Name']);
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
      Array.from({ length: N }, (_, i) => ({ transferId: 't1', connectorId: 'rms', code: 'HUB_ERR_MAP_REQUIRED', message: 'm', fingerprint: `f${i}`, rowIdentity: `Case|CT0015100|25-${i}`, pointer: { file: `export-${i % 400}.csv`, row: i } })),
    );
    const LEADS = 2000;
    for (let from = 0; from < LEADS; from += 1000) {
      await store.upsertRecords(
        Array.from({ length: 1000 }, (_, j) => {
          const i = from + j;
          return { type: 'NibinLead', key: `LEAD-${i}`, leadId: `LEAD-${i}`, events: [{ eventId: 'e1', role: 'shooting', labCaseNumber: `L-${i}`, agencyOri: 'CT0015100', agencyCaseNumber: `24-${i}` }] };
        }),
        { transferId: 't1', source: 'lab' },
      );
    }
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
    const byFile: unknown[] = [];
    const whereFile = quarantineWhere({ file: 'export-7.csv' }, byFile);
    lookups.push(['quarantine of a file', `SELECT count(*) FROM quarantine q ${whereFile}`, byFile]);
    const scans = [];
    for (const [name, sql, params] of lookups) scans.push(`${name}: ${(await planOf(store.db, sql, params)).scanned.join(', ') || 'none'}`);
    expect(scans).toEqual(lookups.map(([name]) => `${name}: none`));

    // The leads naming a lab case or an agency case: by the index of lead events' references, not by
    // reading all 2,000 leads (which the type's index alone would do).
    expect((await planOf(store.db, LEADS_REFERENCING, [JSON.stringify(['lab|L-7', 'case|CT0015100|24-9'])])).indexes).toEqual(['records_lead_refs_idx']);
    expect((await leadsReferencing(store.db, ['L-7', 'L-none'], ['CT0015100|24-9', 'CT0015100|L-7'])).sort()).toEqual(['LEAD-7', 'LEAD-9']);
  });

  it('migration 008 indexes the leads a store already holds, whatever the shape of their events', async () => {
    const db = await ctx.openUnmigrated();
    await migrate(db, loadMigrations().filter((m) => m.version < 8));
    const lead = (n: number, events: unknown) => `('00000000-0000-5000-8000-00000000000${n}', 'NibinLead', 'NL-${n}', 'h', '${JSON.stringify({ type: 'NibinLead', key: `NL-${n}`, leadId: `NL-${n}`, events })}')`;
    await db.exec(`INSERT INTO records (id, type, natural_key, content_hash, body) VALUES
      ${lead(1, [{ eventId: 'e1', labCaseNumber: 'L-1', agencyOri: 'CT0015100', agencyCaseNumber: '24-1' }, { eventId: 'e2', labCaseNumber: 'L-2' }])},
      ${lead(2, [{ eventId: 'e1', agencyOri: 'CT0015100' }, 'not an event', 7, null])},
      ${lead(3, { labCaseNumber: 'L-1' })},
      ${lead(4, [{ eventId: 'e1', labCaseNumber: 3 }])},
      ('00000000-0000-5000-8000-000000000005', 'Case', 'CT0015100|24-1', 'h', '{"type":"Case","key":"CT0015100|24-1","labCaseNumber":"L-1","events":[{"labCaseNumber":"L-1"}]}')`);
    await migrate(db);
    expect(await leadsReferencing(db, ['L-1'], [])).toEqual(['NL-1']);
    expect((await leadsReferencing(db, ['L-2', '3'], [])).sort()).toEqual(['NL-1', 'NL-4']);
    expect(await leadsReferencing(db, [], ['CT0015100|24-1'])).toEqual(['NL-1']);
    // An event without its case number names no agency case; events that are not a list name nothing.
    expect(await leadsReferencing(db, [], ['CT0015100|', 'CT0015100|null'])).toEqual([]);
  });

  it('a lead naming a case number longer than an index entry holds is stored and found', async () => {
    const { store } = ctx;
    // 14,000 characters that do not compress: the index keeps a digest of each reference, not the text.
    const long = Array.from({ length: 2000 }, (_, i) => ((i * 7919) % 100003).toString(36)).join('');
    await store.upsertRecords([{ type: 'NibinLead', key: 'NL-long', leadId: 'NL-long', events: [{ eventId: 'e1', labCaseNumber: long, agencyOri: 'CT0015100', agencyCaseNumber: long }] }]);
    expect(await leadsReferencing(store.db, [long], [])).toEqual(['NL-long']);
    expect(await leadsReferencing(store.db, [], [`CT0015100|${long}`])).toEqual(['NL-long']);
    expect(await leadsReferencing(store.db, [`${long}x`], [])).toEqual([]);
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
