/**
 * Contributions and retractions in the store, on both backends (docs/corrections.md): a source's later
 * statement replaces its earlier one, rows of one transfer add up, other sources' statements stay, a
 * withdrawn record becomes a tombstone and comes back when published again, and records stored before
 * contributions existed keep everything they had.
 */
import { describe, expect, it } from 'vitest';
import { loadMigrations, migrate } from '../../../src/store/migrate.ts';
import { Store } from '../../../src/store/store.ts';
import { mergeContributions } from '../../../src/store/merge.ts';
import type { RecordInput } from '../../../src/store/types.ts';
import { BACKENDS, useBackend } from './backends.ts';

const KEY = 'CT0015100|24-1';
const theCase = (fields: Record<string, unknown>, recordId?: string): RecordInput => ({
  type: 'Case',
  key: KEY,
  agencyOri: 'CT0015100',
  agencyCaseNumber: '24-1',
  ...fields,
  ...(recordId ? { sourceRefs: [{ system: 'rms', recordId }] } : {}),
});

describe.each(BACKENDS)('contributions on %s', (backend) => {
  const ctx = useBackend(backend);

  it('a later transfer replaces the source\'s statement; rows of one transfer add up; another source stays', async () => {
    const { store } = ctx;
    const t = (id: string) => store.createTransfer({ id, connectorId: 'rms', trigger: 'file' });
    await t('t1');
    await t('t2');
    await t('t3');
    await store.upsertRecords([theCase({ offenses: ['SHOTS FIRED'], incidentNumber: 'CAD-1' })], { transferId: 't1', source: 'rms' });
    // A later chunk of the same transfer adds to it (a case restated further down the export).
    await store.upsertRecords([theCase({ labCaseNumbers: ['L1', 'L2'] })], { transferId: 't1', source: 'rms' });
    await store.upsertRecords([theCase({ labCaseNumbers: ['L9'], eventKind: 'shooting' })], { transferId: 't2', source: 'lab' });
    expect(await store.getRecord('Case', KEY)).toMatchObject({ version: 3, offenses: ['SHOTS FIRED'], incidentNumber: 'CAD-1', labCaseNumbers: ['L1', 'L2', 'L9'], eventKind: 'shooting' });

    const [r] = await store.upsertRecords([theCase({ offenses: ['SHOOTING'], labCaseNumbers: ['L1'] })], { transferId: 't3', source: 'rms' });
    expect(r).toMatchObject({ status: 'updated', version: 4 });
    const now = (await store.getRecord('Case', KEY))!;
    expect(now).toMatchObject({ offenses: ['SHOOTING'], labCaseNumbers: ['L9', 'L1'], eventKind: 'shooting' });
    expect(now).not.toHaveProperty('incidentNumber');
    expect((await store.listRecordContributions(now.id)).map((c) => [c.source, c.transferId])).toEqual([
      ['lab', 't2'],
      ['rms', 't3'],
    ]);

    // The same statement again, in yet another transfer or none: nothing changes, the order stays.
    const [again] = await store.upsertRecords([theCase({ offenses: ['SHOOTING'], labCaseNumbers: ['L1'] })], { source: 'rms' });
    expect(again).toMatchObject({ status: 'unchanged', version: 4 });
    const [lab] = await store.upsertRecords([theCase({ labCaseNumbers: ['L9'], eventKind: 'shooting' })], { source: 'lab' });
    expect(lab).toMatchObject({ status: 'unchanged', version: 4 });
  });

  it('a statement that is the whole record is stored without a second copy of the body, and keeps its body when the record changes', async () => {
    const { store } = ctx;
    // One source record stating the whole record, and a second restating it word for word: both
    // contributions have the record's own content hash.
    const whole = { classification: 'cji', offenses: ['SHOTS FIRED'], incidentNumber: 'CAD-7' };
    await store.upsertRecords([theCase(whole, 'row-1'), theCase(whole, 'row-2')], { source: 'rms' });
    const rec = (await store.getRecord('Case', KEY))!;
    const stored = () =>
      store.db.query<{ source_record_id: string; body: Record<string, unknown> | null }>(
        `SELECT source_record_id, body FROM record_contributions WHERE record_id = $1 ORDER BY 1`,
        [rec.id],
      );
    expect(await stored()).toEqual([
      { source_record_id: 'row-1', body: null },
      { source_record_id: 'row-2', body: null },
    ]);
    const wholeFields = { agencyOri: 'CT0015100', agencyCaseNumber: '24-1', offenses: ['SHOTS FIRED'], incidentNumber: 'CAD-7' };
    expect((await store.listRecordContributions(rec.id)).map((c) => c.fields)).toEqual([wholeFields, wholeFields]);
    // row-2 now says less: the record is the merge of row-1's body and row-2's new one. The record's
    // content changed, so row-1 now holds its own body (what the record said before), not the new one.
    await store.upsertRecords([theCase({ classification: 'cji', offenses: ['SHOOTING'] }, 'row-2')], { source: 'rms' });
    expect(await store.getRecord('Case', KEY)).toMatchObject({ offenses: ['SHOTS FIRED', 'SHOOTING'], incidentNumber: 'CAD-7' });
    const [row1, row2] = await stored();
    expect(row1!.body).toMatchObject({ offenses: ['SHOTS FIRED'], incidentNumber: 'CAD-7' });
    expect(row2!.body).toMatchObject({ offenses: ['SHOOTING'] });
    expect((await store.listRecordContributions(rec.id)).map((c) => c.fields)).toEqual([
      wholeFields,
      { agencyOri: 'CT0015100', agencyCaseNumber: '24-1', offenses: ['SHOOTING'] },
    ]);
    // A record written outside the store's functions keeps the rule too (the trigger is in the database).
    await store.db.query(`UPDATE records SET body = body || '{"narrative":"x"}', content_hash = 'edited' WHERE id = $1`, [rec.id]);
    expect((await stored()).every((r) => r.body !== null)).toBe(true);
  });

  it('source records of one source are separate statements: each is replaced by its own newer version', async () => {
    const { store } = ctx;
    await store.upsertRecords([theCase({ offenses: ['A'] }, 'row-1'), theCase({ offenses: ['B'] }, 'row-2')], { source: 'rms' });
    expect((await store.getRecord('Case', KEY))!.offenses).toEqual(['A', 'B']);
    await store.upsertRecords([theCase({ offenses: ['B2'] }, 'row-2')], { source: 'rms' });
    expect((await store.getRecord('Case', KEY))!.offenses).toEqual(['A', 'B2']);
  });

  it('a delete makes a tombstone of what only it said, skipped by lookups, revived by a new statement', async () => {
    const { store } = ctx;
    const [gun] = await store.upsertRecords([{ type: 'Firearm', key: 'G-1', labCaseNumber: 'L1', model: '19', sourceRefs: [{ system: 'rms', recordId: 'I-1' }] }], { source: 'rms' });
    await store.upsertRecords([theCase({ offenses: ['X'] }, 'I-1')], { source: 'rms' });
    await store.upsertRecords([theCase({ eventKind: 'shooting' })], { source: 'lab' });

    expect(await store.retractSourceRecords([{ sourceRecordId: 'NEVER-SEEN', action: 'delete' }], { source: 'rms' })).toEqual([]);
    expect(await store.retractSourceRecords([{ sourceRecordId: 'I-1', action: 'delete' }], { source: 'other-source' })).toEqual([]);
    const out = await store.retractSourceRecords([{ sourceRecordId: 'I-1', action: 'delete' }], { source: 'rms' });
    expect(out.map((r) => [r.type, r.status, r.version])).toEqual([
      ['Case', 'updated', 3],
      ['Firearm', 'deleted', 2],
    ]);
    const notice = out.find((r) => r.type === 'Firearm')!;
    expect(notice.body).toEqual({ type: 'Firearm', id: gun!.id, key: 'G-1', classification: 'cji', version: 2, deleted: true, deletedAt: expect.any(String) });
    expect(notice.previous).toMatchObject({ model: '19', labCaseNumber: 'L1' });

    expect(await store.getRecord('Firearm', 'G-1')).toBeUndefined();
    expect(await store.getRecordById(gun!.id)).toBeUndefined();
    expect(await store.findRecords('Firearm', { labCaseNumber: 'L1' })).toEqual([]);
    expect(await store.getRecord('Firearm', 'G-1', { includeDeleted: true })).toMatchObject({ version: 2, deleted: true, deletedAt: notice.body.deletedAt });
    expect(await store.getRecord('Case', KEY)).toMatchObject({ version: 3, eventKind: 'shooting' });
    expect(await store.getRecord('Case', KEY)).not.toHaveProperty('offenses');
    // Withdrawing it again changes nothing.
    expect(await store.retractSourceRecords([{ sourceRecordId: 'I-1', action: 'delete' }], { source: 'rms' })).toEqual([]);

    const [back] = await store.upsertRecords([{ type: 'Firearm', key: 'G-1', model: '19X', sourceRefs: [{ system: 'rms', recordId: 'I-1' }] }], { source: 'rms' });
    expect(back).toMatchObject({ status: 'updated', version: 3 });
    const revived = await store.getRecord('Firearm', 'G-1');
    expect(revived).toMatchObject({ version: 3, model: '19X' });
    expect(revived).not.toHaveProperty('deleted');
    expect(await store.findRecords('Firearm', { model: '19X' })).toHaveLength(1);
  });

  it('a record restated by many sources is always the merge of all its contributions, new ones merged in without re-reading the old', async () => {
    const { store } = ctx;
    // 30 statements, each a new (source, source record), some in one chunk, one source restating its
    // own earlier row in the middle (that one re-merges everything), and a snapshot-free mix of lists,
    // keyed items and scalars: after each, the record equals the fold of its stored contributions.
    const bodiesOf = async (id: string) =>
      (await store.db.query(`SELECT COALESCE(c.body, r.body) AS body FROM record_contributions c JOIN records r ON r.id = c.record_id WHERE c.record_id = $1 ORDER BY c.seq`, [id])).map((r) => r.body as Record<string, unknown>);
    for (let i = 0; i < 30; i++) {
      const source = i % 3 === 0 ? 'lab' : `rms-${i % 4}`;
      const fields = { labCaseNumbers: [`L${i % 7}`], offenses: i % 5 === 0 ? ['SHOOTING'] : ['SHOTS FIRED', `O${i}`], ...(i % 4 === 0 ? { eventKind: i % 8 ? 'shooting' : 'recovery' } : {}), ...(i === 9 ? { classification: 'les' } : {}) };
      const batch = i % 6 === 5 ? [theCase(fields, `row-${i}`), theCase({ incidentNumber: `CAD-${i}` }, `row-${i}b`)] : [theCase(fields, i === 20 ? 'row-2' : `row-${i}`)];
      await store.upsertRecords(batch, { source });
      const rec = (await store.getRecord('Case', KEY))!;
      const { id, version: _v, sourceRefs: _s, createdAt: _c, updatedAt: _u, deleted: _d, deletedAt: _da, ...body } = rec as unknown as Record<string, unknown>;
      expect(body, `after statement ${i}`).toEqual(mergeContributions(await bodiesOf(String(id))));
    }
    expect((await bodiesOf(String((await store.getRecord('Case', KEY))!.id))).length).toBeGreaterThan(30);
  });

  it('a replace keeps the records its new version gives and withdraws the others', async () => {
    const { store } = ctx;
    const refs = [{ system: 'rms', recordId: 'I-3' }];
    const [g1, g2] = await store.upsertRecords([
      { type: 'Firearm', key: 'G-1', model: '26', sourceRefs: refs },
      { type: 'Firearm', key: 'G-2', model: '43', sourceRefs: refs },
    ], { source: 'rms' });
    const out = await store.retractSourceRecords([{ sourceRecordId: 'I-3', action: 'replace', keep: [g1!.id] }], { source: 'rms' });
    expect(out.map((r) => [r.id, r.status])).toEqual([[g2!.id, 'deleted']]);
    expect(await store.getRecord('Firearm', 'G-1')).toMatchObject({ version: 1, model: '26' });
  });

  it('migration 004 turns every stored record into one contribution: of its only connector, else "legacy"', async () => {
    const db = await ctx.openUnmigrated();
    await migrate(db, loadMigrations().filter((m) => m.version < 4));
    await db.exec(`
      INSERT INTO transfers (id, connector_id, trigger) VALUES ('t-a', 'rms-a', 'file'), ('t-b', 'lab-b', 'file');
      INSERT INTO records (id, type, natural_key, content_hash, body) VALUES
        ('00000000-0000-5000-8000-000000000001', 'Case', 'K1', 'h1', '{"type":"Case","key":"K1","classification":"cji","offenses":["SHOTS FIRED","SHOOTING"]}'),
        ('00000000-0000-5000-8000-000000000002', 'Case', 'K2', 'h2', '{"type":"Case","key":"K2","classification":"cji","eventKind":"shooting"}');
      INSERT INTO record_sources (record_id, transfer_id, dedupe_key) VALUES
        ('00000000-0000-5000-8000-000000000001', 't-a', 'd1'), ('00000000-0000-5000-8000-000000000001', 't-a', 'd2'),
        ('00000000-0000-5000-8000-000000000002', 't-a', 'd3'), ('00000000-0000-5000-8000-000000000002', 't-b', 'd4');
    `);
    await migrate(db);
    const store = new Store(db);
    const one = await store.listRecordContributions('00000000-0000-5000-8000-000000000001');
    expect(one).toEqual([{ source: 'rms-a', sourceRecordId: null, transferId: null, updatedAt: expect.any(String), fields: { offenses: ['SHOTS FIRED', 'SHOOTING'] } }]);
    expect((await store.listRecordContributions('00000000-0000-5000-8000-000000000002')).map((c) => c.source)).toEqual(['legacy']);
    // The connector's next export corrects the record it owned alone; the mixed one keeps the legacy values.
    const [r1] = await store.upsertRecords([{ type: 'Case', key: 'K1', classification: 'cji', offenses: ['SHOOTING'] }], { source: 'rms-a' });
    expect(r1).toMatchObject({ status: 'updated', version: 2, body: { offenses: ['SHOOTING'] } });
    await store.upsertRecords([{ type: 'Case', key: 'K2', offenses: ['X'] }], { source: 'rms-a' });
    expect(await store.getRecord('Case', 'K2')).toMatchObject({ eventKind: 'shooting', offenses: ['X'] });
  });
});
