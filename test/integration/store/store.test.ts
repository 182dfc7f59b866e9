/**
 * The store's contract, run against BOTH backends (embedded PGlite and a real PostgreSQL), each test
 * in its own fresh schema. PostgreSQL-only concurrency tests live in concurrency.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { HubError } from '../../../src/errors/hub-error.ts';
import { loadMigrations, migrate } from '../../../src/store/migrate.ts';
import { deliveryIdFor, recordId } from '../../../src/store/ids.ts';
import type { Firearm } from '../../../src/canonical/types.generated.ts';
import { contentHash, recordBody } from '../../../src/store/merge.ts';
import type { RecordInput } from '../../../src/store/types.ts';
import { BACKENDS, countingDb, sleep, useBackend } from './backends.ts';
import { Store } from '../../../src/store/store.ts';

const TABLES = ['audit_checkpoints', 'audit_head', 'audit_log', 'cursors', 'dead_letters', 'deliveries', 'lead_packages', 'lead_pending', 'lead_versions', 'leases', 'once_claims', 'quarantine', 'quarantine_sightings', 'record_contributions', 'record_sources', 'records', 'schema_migrations', 'spool', 'transfer_chunks', 'transfers'];

function firearm(i: number, extra: Record<string, unknown> = {}): RecordInput {
  const serial = `SN${String(i).padStart(6, '0')}`;
  return {
    type: 'Firearm',
    key: `${serial}|SW`,
    classification: 'cji',
    serial: { raw: serial, normalized: serial },
    make: { code: 'SW', system: 'NCIC-MAK', text: 'Smith & Wesson' },
    model: 'M&P9',
    caliber: { code: '9', system: 'NCIC-CAL', text: '9mm Luger' },
    labCaseNumbers: [`L24-${String(i % 100).padStart(4, '0')}`],
    sourceRefs: [{ system: 'lims-csv', mapping: 'lims-firearms@1', file: 'firearms.csv', pointer: { file: 'firearms.csv', row: i + 1, line: i + 2 } }],
    ...extra,
  };
}

async function expectHubError(p: Promise<unknown>, code: string): Promise<HubError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(HubError);
  expect((err as HubError).code).toBe(code);
  return err as HubError;
}

describe.each(BACKENDS)('store on %s', (backend) => {
  const ctx = useBackend(backend);

  describe('migrations', () => {
    it('creates every table and is idempotent when run again', async () => {
      const { store } = ctx;
      const tables = await store.db.query<{ table_name: string }>(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name`,
        [ctx.schema],
      );
      expect(tables.map((t) => t.table_name)).toEqual(TABLES);
      expect(await migrate(store.db)).toEqual([]);
      expect(await migrate(store.db)).toEqual([]);
      const applied = await store.db.query<{ version: number; name: string }>('SELECT version, name FROM schema_migrations');
      expect(applied.map((r) => r.name)).toEqual(loadMigrations().map((m) => m.name));
      expect((await store.health()).schemaVersion).toBe(loadMigrations().at(-1)!.name);
    });

    it('lets two migrators start at once on a new schema: one applies, the other finds nothing to do', async () => {
      const schema = `${ctx.schema}_m`;
      const a = await ctx.openUnmigrated(schema);
      const b = await ctx.openUnmigrated(schema);
      const [ra, rb] = await Promise.all([migrate(a), migrate(b)]);
      expect([...ra, ...rb]).toEqual(loadMigrations().map((m) => m.name));
      expect(await migrate(a)).toEqual([]);
    });

    it('refuses an edited applied migration and a database migrated by a newer hub', async () => {
      const db = await ctx.openUnmigrated();
      const migrations = loadMigrations();
      await migrate(db, migrations);
      const edited = migrations.map((m, i) => (i === 0 ? { ...m, checksum: 'f'.repeat(64) } : m));
      await expectHubError(migrate(db, edited), 'HUB_ERR_STORE_MIGRATION_CHANGED');
      await migrate(db, [...migrations, { version: 999, name: '999-future', sql: 'CREATE TABLE future (id int);', checksum: 'x' }]);
      await expectHubError(migrate(db, migrations), 'HUB_ERR_STORE_SCHEMA_NEWER');
    });

    it('rolls a failing migration back whole', async () => {
      const db = await ctx.openUnmigrated();
      const bad = [...loadMigrations(), { version: 500, name: '500-broken', sql: 'CREATE TABLE half (id int); SELECT no_such_function();', checksum: 'y' }];
      await expectHubError(migrate(db, bad), 'HUB_ERR_STORE_MIGRATION');
      const rows = await db.query(`SELECT 1 FROM information_schema.tables WHERE table_schema = $1`, [db.schema]);
      expect(rows).toEqual([]);
    });
  });

  describe('records', () => {
    it('inserts, then reports unchanged (version kept), then updated (version + 1)', async () => {
      const { store } = ctx;
      const [first] = await store.upsertRecords([firearm(1)]);
      expect(first).toMatchObject({ id: recordId('Firearm', 'SN000001|SW'), type: 'Firearm', key: 'SN000001|SW', status: 'inserted', version: 1 });
      expect(first!.body).toMatchObject({ type: 'Firearm', model: firearm(1).model });

      // Same content, keys in another order, different envelope values: unchanged.
      const shuffled = Object.fromEntries(Object.entries(firearm(1)).reverse()) as RecordInput;
      const [again] = await store.upsertRecords([{ ...shuffled, version: 7, createdAt: '2001-01-01T00:00:00Z', sourceRefs: [] }]);
      expect(again).toMatchObject({ status: 'unchanged', version: 1, id: first!.id });

      const [changed] = await store.upsertRecords([firearm(1, { model: 'M&P9 Shield' })]);
      expect(changed).toMatchObject({ status: 'updated', version: 2 });

      const stored = await store.getRecord('Firearm', 'SN000001|SW');
      expect(stored).toMatchObject({ type: 'Firearm', key: 'SN000001|SW', id: first!.id, version: 2, model: 'M&P9 Shield', classification: 'cji' });
      expect(stored!.updatedAt >= stored!.createdAt).toBe(true);
      const hashRow = await store.db.query<{ content_hash: string }>('SELECT content_hash FROM records WHERE id = $1', [first!.id]);
      const { id: _id, version: _v, createdAt: _c, updatedAt: _u, sourceRefs: _s, ...body } = stored!;
      expect(hashRow[0]!.content_hash).toBe(contentHash(recordBody(body)));
      expect(await store.getRecordById(first!.id)).toMatchObject({ version: 2 });
      expect(await store.getRecordById('not-a-uuid')).toBeUndefined();
      expect(await store.getRecord('Firearm', 'nope')).toBeUndefined();
    });

    it('merges two sources: the later one\'s present fields overwrite, absent and null fields keep, arrays union, nested objects replace', async () => {
      const { store } = ctx;
      await store.upsertRecords([
        {
          type: 'Case',
          key: 'CT0015100|24-001',
          agencyOri: 'CT0015100',
          agencyCaseNumber: '24-001',
          offense: 'shooting',
          location: { town: 'Hartford', address: '1 Main St' },
          labCaseNumbers: ['L24-0001'],
          persons: [{ role: 'victim', name: 'A' }],
        },
      ], { source: 'rms' });
      const [r] = await store.upsertRecords([
        {
          type: 'Case',
          key: 'CT0015100|24-001',
          offense: 'homicide',
          occurredAt: null,
          location: { town: 'Hartford' },
          labCaseNumbers: ['L24-0002', 'L24-0001', 'L24-0002'],
          // same object, other key order: equal by canonical JSON, not duplicated
          persons: [{ name: 'A', role: 'victim' }, { role: 'witness', name: 'B' }],
          classification: 'les',
        },
      ], { source: 'lims' });
      expect(r).toMatchObject({ status: 'updated', version: 2 });
      const stored = await store.getRecord('Case', 'CT0015100|24-001');
      expect(stored).toMatchObject({
        agencyOri: 'CT0015100', // absent: kept
        agencyCaseNumber: '24-001',
        offense: 'homicide', // present: overwritten
        location: { town: 'Hartford' }, // nested object: replaced whole
        labCaseNumbers: ['L24-0001', 'L24-0002'], // union, stored order first, de-duplicated
        persons: [{ role: 'victim', name: 'A' }, { role: 'witness', name: 'B' }],
        classification: 'les',
      });
      expect(stored).not.toHaveProperty('occurredAt');
      expect(stored!.location).not.toHaveProperty('address');

      // A third source's partial record that only repeats known values changes nothing.
      const [same] = await store.upsertRecords([{ type: 'Case', key: 'CT0015100|24-001', labCaseNumbers: ['L24-0001'], offense: 'homicide' }], { source: 'trace-feed' });
      expect(same).toMatchObject({ status: 'unchanged', version: 2 });
      expect((await store.listRecordContributions(r!.id)).map((c) => [c.source, c.fields.offense ?? null])).toEqual([
        ['rms', 'shooting'],
        ['lims', 'homicide'],
        ['trace-feed', 'homicide'],
      ]);
    });

    it('applies inputs with the same key inside one chunk in order, as one change', async () => {
      const { store } = ctx;
      const results = await store.upsertRecords([
        { type: 'Trace', key: 'T-1', status: 'requested', ffl: [] },
        { type: 'Trace', key: 'T-2', status: 'requested' },
        { type: 'Trace', key: 'T-1', status: 'requested' },
        { type: 'Trace', key: 'T-1', status: 'completed', ffl: ['1-23-456-78-9A-12345'] },
      ]);
      // A record new in this chunk is version 1 however many rows of the chunk shaped it.
      expect(results.map((r) => [r.key, r.status, r.version])).toEqual([
        ['T-1', 'inserted', 1],
        ['T-2', 'inserted', 1],
        ['T-1', 'unchanged', 1],
        ['T-1', 'updated', 1],
      ]);
      expect(await store.getRecord('Trace', 'T-1')).toMatchObject({ version: 1, status: 'completed', ffl: ['1-23-456-78-9A-12345'] });
    });

    it('inputs of one chunk that end where the stored record is change nothing (re-ingesting an export)', async () => {
      const { store } = ctx;
      const rows = [
        { type: 'Case', key: 'CT0006400|24-1', agencyOri: 'CT0006400', agencyCaseNumber: '24-1', occurredAt: '2024-03-01T22:14:00-05:00' },
        { type: 'Case', key: 'CT0006400|24-1', agencyOri: 'CT0006400', agencyCaseNumber: '24-1', occurredAt: '2024-03-01T00:00:00-05:00' },
      ];
      await store.upsertRecords(rows);
      const again = await store.upsertRecords(rows);
      expect(again.map((r) => [r.status, r.version])).toEqual([
        ['unchanged', 1],
        ['unchanged', 1],
      ]);
      const changed = await store.upsertRecords([{ ...rows[0]!, occurredAt: '2024-03-02T01:00:00-05:00' }]);
      expect(changed.map((r) => [r.status, r.version])).toEqual([['updated', 2]]);
    });

    it('upserts a chunk of 500 in a constant number of statements', async () => {
      const db = countingDb(ctx.store.db);
      const store = new Store(db);
      const chunk = Array.from({ length: 500 }, (_, i) => firearm(i));
      const inserted = await store.upsertRecords(chunk);
      expect(inserted.every((r) => r.status === 'inserted' && r.version === 1)).toBe(true);
      expect(db.statements).toBeLessThanOrEqual(4);

      const before = db.statements;
      const unchanged = await store.upsertRecords(chunk);
      expect(unchanged.every((r) => r.status === 'unchanged')).toBe(true);
      expect(db.statements - before).toBeLessThanOrEqual(4);

      const mixed = chunk.map((r, i) => (i % 2 ? { ...r, model: 'changed' } : r));
      mixed.push(firearm(10_000));
      const res = await store.upsertRecords(mixed);
      expect(res.filter((r) => r.status === 'updated')).toHaveLength(250);
      expect(res.filter((r) => r.status === 'unchanged')).toHaveLength(250);
      expect(res.filter((r) => r.status === 'inserted')).toHaveLength(1);
      expect(res.filter((r) => r.status === 'updated').every((r) => r.version === 2)).toBe(true);
      expect(res.map((r) => r.key)).toEqual(mixed.map((r) => r.key)); // input order
      const count = await ctx.store.db.query<{ n: unknown }>('SELECT count(*) AS n FROM records');
      expect(Number(count[0]!.n)).toBe(501);
    });

    it('measures upsert throughput: 10,000 records in chunks of 500', async () => {
      const { store } = ctx;
      const all = Array.from({ length: 10_000 }, (_, i) => firearm(i));
      const pass = async (): Promise<{ perSecond: number; statuses: Set<string> }> => {
        const statuses = new Set<string>();
        const t0 = performance.now();
        for (let i = 0; i < all.length; i += 500) {
          for (const r of await store.upsertRecords(all.slice(i, i + 500))) statuses.add(r.status);
        }
        return { perSecond: Math.round(all.length / ((performance.now() - t0) / 1000)), statuses };
      };
      const insert = await pass();
      const again = await pass();
      console.log(`[store throughput] ${backend}: insert ${insert.perSecond} records/s, unchanged re-upsert ${again.perSecond} records/s (10,000 records, chunks of 500, node ${process.version})`);
      expect([...insert.statuses]).toEqual(['inserted']);
      expect([...again.statuses]).toEqual(['unchanged']);
      const count = await store.db.query<{ n: unknown }>('SELECT count(*) AS n FROM records');
      expect(Number(count[0]!.n)).toBe(10_000);
    }, 120_000);

    it('records provenance for every sighting, once per (record, transfer, pointer)', async () => {
      const { store } = ctx;
      const t1 = await store.createTransfer({ connectorId: 'lims', trigger: 'file', source: 'firearms.csv' });
      const t2 = await store.createTransfer({ connectorId: 'lims', trigger: 'file', source: 'firearms.csv' });
      const rec = firearm(5, {
        sourceRefs: [{ system: 'lims-csv', recordId: 'ITEM-5', mapping: 'lims-firearms@1', file: 'firearms.csv', pointer: { file: 'firearms.csv', row: 6, line: 7 }, receivedAt: '2024-05-01T12:00:00.000Z', payloadHash: 'abc' }],
      });
      await store.upsertRecords([rec], { transferId: t1.id });
      await store.upsertRecords([rec], { transferId: t1.id }); // a re-run chunk: no new provenance
      const [res] = await store.upsertRecords([rec], { transferId: t2.id }); // seen again in a new transfer
      expect(res!.status).toBe('unchanged');
      await store.upsertRecords([{ type: 'Firearm', key: rec.key! }], { transferId: t2.id }); // no refs: one bare row

      const stored = await store.getRecord('Firearm', rec.key!);
      expect(stored!.sourceRefs).toHaveLength(3);
      expect(stored!.sourceRefs![0]).toEqual({
        system: 'lims-csv',
        recordId: 'ITEM-5',
        mapping: 'lims-firearms@1',
        file: 'firearms.csv',
        pointer: { file: 'firearms.csv', row: 6, line: 7 },
        receivedAt: '2024-05-01T12:00:00.000Z',
        payloadHash: 'abc',
        transferId: t1.id,
        source: 'lims-csv', // no source in the context: the ref's system
      });
      expect(stored!.sourceRefs!.map((s) => s.transferId)).toEqual([t1.id, t2.id, t2.id]);
      expect(stored!.sourceRefs![2]).not.toHaveProperty('pointer');
      expect(await store.listRecordSources(stored!.id, { limit: 1 })).toHaveLength(1);
      expect((await store.getRecord('Firearm', rec.key!, { sourceLimit: 2 }))!.sourceRefs!.map((s) => s.transferId)).toEqual([t2.id, t2.id]);
    });

    it('finds records by body fields, array elements and nested paths, using the GIN index', async () => {
      const { store } = ctx;
      await store.upsertRecords([
        { type: 'EvidenceItem', key: 'L24-0001|1', labCaseNumber: 'L24-0001', itemNumber: '1', kind: 'cartridge case', count: 3 },
        { type: 'EvidenceItem', key: 'L24-0001|1.1', labCaseNumber: 'L24-0001', itemNumber: '1.1', kind: 'bullet', count: 1 },
        { type: 'EvidenceItem', key: 'L24-0002|1', labCaseNumber: 'L24-0002', itemNumber: '1', kind: 'firearm', count: 1 },
        { type: 'Case', key: 'CT0015100|24-9', labCaseNumber: 'L24-0001' },
        {
          type: 'NibinLead',
          key: 'NL-1',
          events: [
            { agencyOri: 'CT0015100', agencyCaseNumber: '24-9', labCaseNumber: 'L24-0001' },
            { agencyOri: 'CT0064000', agencyCaseNumber: 'NH-7', labCaseNumber: 'L24-0002' },
          ],
          labCaseNumbers: ['L24-0001', 'L24-0002'],
          caliber: { code: '9', text: '9mm Luger' },
        },
      ]);
      const byLab = await store.findRecords('EvidenceItem', { labCaseNumber: 'L24-0001' });
      expect(byLab.map((r) => r.key)).toEqual(['L24-0001|1', 'L24-0001|1.1']);
      expect(byLab[0]).not.toHaveProperty('sourceRefs');
      expect((await store.findRecords('EvidenceItem', { labCaseNumber: 'L24-0001', count: 3 })).map((r) => r.key)).toEqual(['L24-0001|1']);
      expect((await store.findRecords('EvidenceItem', {}, 2)).map((r) => r.key)).toEqual(['L24-0001|1', 'L24-0001|1.1']);
      expect(await store.findRecords('NibinLead', { labCaseNumbers: 'L24-0002' })).toHaveLength(1);
      expect(await store.findRecords('NibinLead', { 'events.agencyOri': 'CT0064000' })).toHaveLength(1);
      expect(await store.findRecords('NibinLead', { 'events.agencyOri': 'CT0000000' })).toHaveLength(0);
      expect(await store.findRecords('NibinLead', { 'caliber.code': '9' })).toHaveLength(1);
      expect(await store.findRecords('EvidenceItem', { 'weird "field"': 'x\'"\\' })).toEqual([]);

      const plan = await store.transaction(async (tx) => {
        await tx.exec('SET LOCAL enable_seqscan = off');
        return tx.query<Record<string, string>>(`EXPLAIN SELECT * FROM records WHERE body @@ $1::jsonpath`, ['$."labCaseNumber" == "L24-0001"']);
      });
      expect(plan.map((r) => Object.values(r)[0]).join('\n')).toContain('records_body_path_idx');
    });

    it('accepts canonical records as typed by src/canonical and derives a missing natural key', async () => {
      const { store } = ctx;
      const gun: Firearm = {
        type: 'Firearm',
        serial: { raw: 'ab-12 345', normalized: 'AB12345' },
        make: { code: 'SW', system: 'NCIC-MAK', text: 'Smith & Wesson' },
        sourceRefs: [{ system: 'state-lab-lims', mapping: 'lims-plus-csv@3', receivedAt: '2024-05-01T12:00:00.000Z', pointer: { file: 'guns.csv', row: 1 } }],
      };
      const [res] = await store.upsertRecords([gun]);
      expect(res).toMatchObject({ key: 'serial:SW|AB12345', status: 'inserted', id: recordId('Firearm', 'serial:SW|AB12345') });
      expect(await store.getRecord('Firearm', 'serial:SW|AB12345')).toMatchObject({ serial: { raw: 'ab-12 345' }, sourceRefs: [{ system: 'state-lab-lims' }] });
      await expectHubError(store.upsertRecords([{ type: 'Firearm', model: 'no key fields' }]), 'HUB_ERR_STORE_RECORD_INVALID');
    });

    it('refuses a malformed record without storing any of the chunk', async () => {
      const { store } = ctx;
      const err = await expectHubError(store.upsertRecords([firearm(1), { type: 'Firearm', key: '' }]), 'HUB_ERR_STORE_RECORD_INVALID');
      expect(err.message).toContain('Record 1');
      await expectHubError(store.upsertRecords([{ ...firearm(2), classification: 'secret' }]), 'HUB_ERR_STORE_RECORD_INVALID');
      await expectHubError(store.upsertRecords([{ ...firearm(3), id: 'x' }]), 'HUB_ERR_STORE_RECORD_INVALID');
      expect(await store.findRecords('Firearm')).toEqual([]);
    });
  });

  describe('transfers', () => {
    it('concludes a transfer with the status its units and its stored invalid count give', async () => {
      const { store } = ctx;
      const make = async (invalid: number): Promise<string> => {
        const t = await store.createTransfer({ connectorId: 'lims', trigger: 'manual', status: 'running' });
        if (invalid) await store.addTransferCounts(t.id, { read: 5, mapped: 5 - invalid, invalid });
        return t.id;
      };
      expect(await store.concludeTransfer(await make(0), { failed: 0, total: 2 })).toMatchObject({ status: 'succeeded', error: null });
      expect(await store.concludeTransfer(await make(1), { failed: 0, total: 2 })).toMatchObject({ status: 'partial' });
      expect(await store.concludeTransfer(await make(0), { failed: 1, total: 2 }, 'unit b: no header')).toMatchObject({ status: 'partial', error: 'unit b: no header' });
      const failed = await store.concludeTransfer(await make(1), { failed: 2, total: 2 }, 'every unit failed');
      expect(failed).toMatchObject({ status: 'failed', error: 'every unit failed' });
      expect(failed.finishedAt).not.toBeNull();
      await expectHubError(store.concludeTransfer('missing', { failed: 0, total: 1 }), 'HUB_ERR_STORE_NOT_FOUND');
    });

    it('creates, starts, counts, finishes, lists', async () => {
      const { store } = ctx;
      const t = await store.createTransfer({ connectorId: 'lims', trigger: 'schedule', source: 'sftp://lab/exports/2024-05-01.csv' });
      expect(t).toMatchObject({ connectorId: 'lims', trigger: 'schedule', status: 'queued', startedAt: null, finishedAt: null, error: null });
      expect(t.counts).toEqual({ read: 0, mapped: 0, invalid: 0, damaged: 0, stored: 0, changed: 0, unchanged: 0, delivered: 0, failed: 0 });
      expect((await store.startTransfer(t.id)).status).toBe('running');
      expect(await store.addTransferCounts(t.id, { read: 10, mapped: 9, invalid: 1 })).toMatchObject({ read: 10, mapped: 9, invalid: 1, stored: 0 });
      const done = await store.finishTransfer(t.id, 'partial', '1 record quarantined');
      expect(done).toMatchObject({ status: 'partial', error: '1 record quarantined' });
      expect(done.finishedAt).not.toBeNull();
      expect(await store.getTransfer(t.id)).toEqual(done);
      expect(await store.getTransfer('missing')).toBeUndefined();

      await sleep(5);
      const t2 = await store.createTransfer({ id: 'manual-1', connectorId: 'lims', trigger: 'manual', status: 'running' });
      expect(t2.startedAt).not.toBeNull();
      await store.createTransfer({ connectorId: 'rms-hartford', trigger: 'webhook' });
      expect((await store.listTransfers({ connectorId: 'lims' })).map((x) => x.id)).toEqual(['manual-1', t.id]);
      expect(await store.listTransfers({ limit: 10 })).toHaveLength(3);
      expect((await store.lastTransfer('lims'))!.id).toBe('manual-1');
      expect((await store.lastTransfer('lims', { status: 'partial' }))!.id).toBe(t.id);
      expect(await store.lastTransfer('nobody')).toBeUndefined();
      await expectHubError(store.addTransferCounts('missing', { read: 1 }), 'HUB_ERR_STORE_NOT_FOUND');
      await expectHubError(store.addTransferCounts(t.id, { bogus: 1 } as never), 'HUB_ERR_STORE_OPTIONS');
    });

    it('records each committed chunk once: a resumed run finds it (claimChunk), and a refused transfer is dropped only while queued', async () => {
      const { store } = ctx;
      const t = await store.createTransfer({ connectorId: 'lims', trigger: 'file' });
      expect(await store.claimChunk(t.id, 'part-a:0')).toBe(true);
      expect(await store.claimChunk(t.id, 'part-a:0')).toBe(false);
      expect(await store.claimChunk(t.id, 'part-a:1')).toBe(true);
      // A chunk whose transaction rolled back was never claimed.
      await store.transaction(async (tx) => {
        expect(await store.claimChunk(t.id, 'part-a:2', tx)).toBe(true);
        throw new Error('rolled back');
      }).catch(() => {});
      expect(await store.claimChunk(t.id, 'part-a:2')).toBe(true);
      // The same id twice: an error, unless asked to keep the existing one.
      await expectHubError(store.createTransfer({ id: t.id, connectorId: 'lims', trigger: 'file' }), 'HUB_ERR_STORE_QUERY');
      expect(await store.createTransfer({ id: t.id, connectorId: 'other', trigger: 'manual', ifAbsent: true })).toMatchObject({ id: t.id, connectorId: 'lims' });
      const q = await store.createTransfer({ connectorId: 'hook', trigger: 'webhook' });
      expect(await store.dropQueuedTransfer(q.id)).toBe(true);
      expect(await store.getTransfer(q.id)).toBeUndefined();
      await store.startTransfer(t.id);
      expect(await store.dropQueuedTransfer(t.id)).toBe(false);
    });

    it('increments counts atomically under concurrency (two store instances)', async () => {
      const { store } = ctx;
      const other = await ctx.openAnother();
      const t = await store.createTransfer({ connectorId: 'lims', trigger: 'file' });
      await Promise.all(
        Array.from({ length: 40 }, (_, i) => (i % 2 ? store : other).addTransferCounts(t.id, { read: 5, stored: 3, changed: 1 })),
      );
      expect((await store.getTransfer(t.id))!.counts).toMatchObject({ read: 200, stored: 120, changed: 40, failed: 0 });
    });
  });

  describe('quarantine', () => {
    it('keeps a garbled entry whose text holds NUL characters (as U+FFFD) instead of failing', async () => {
      const { store } = ctx;
      const [id] = await store.addQuarantine([{ code: 'HUB_ERR_SOURCE_HEADER', message: 'header found: \u0000\u0001garbage', value: 'a\u0000b', payload: { raw: 'x\u0000y' } }]);
      const [entry] = await store.listQuarantine({ code: 'HUB_ERR_SOURCE_HEADER' });
      expect(entry).toMatchObject({ id, message: 'header found: \ufffd\u0001garbage', value: 'a\ufffdb', payload: { raw: 'x\ufffdy' } });
    });

    it('keeps an entry whose text holds unpaired surrogates (as U+FFFD), and a pair or an escaped backslash as they are', async () => {
      // A JSON source can write "\ud800"; JSON.stringify writes it back as that escape, which jsonb refuses.
      const { store } = ctx;
      const payload = { status: 'x\ud800y', low: '\udc00', pair: 'gun \ud83d\udd2b', text: 'a \\ud800 b', both: '\udc00\ud800' };
      const [id] = await store.addQuarantine([{ code: 'HUB_ERR_RECORD_PATTERN', message: 'status: "x\ud800y" does not match', value: 'x\ud800y', payload }]);
      const [entry] = await store.listQuarantine({ code: 'HUB_ERR_RECORD_PATTERN' });
      expect(entry).toMatchObject({
        id,
        message: 'status: "x\ufffdy" does not match',
        value: 'x\ufffdy',
        payload: { status: 'x\ufffdy', low: '\ufffd', pair: 'gun 🔫', text: 'a \\ud800 b', both: '\ufffd\ufffd' },
      });
    });

    it('stores entries with code, pointer and raw payload; lists, filters, pages and counts them', async () => {
      const { store } = ctx;
      const t = await store.createTransfer({ connectorId: 'lims', trigger: 'file' });
      const ids = await store.addQuarantine([
        { transferId: t.id, connectorId: 'lims', code: 'HUB_ERR_RECORD_DATE', message: 'COLLECTED: "31/02/2024" matches none of the date formats', field: 'COLLECTED', value: '31/02/2024', pointer: { file: 'items.csv', row: 3, line: 4, column: 'COLLECTED' }, payload: 'L24-0001,1,"cartridge case",31/02/2024' },
        { transferId: t.id, connectorId: 'lims', code: 'HUB_ERR_CODE_UNKNOWN', message: 'MAKE: "Smyth" is not in code table NCIC-MAK', field: 'MAKE', value: 'Smyth', pointer: { file: 'items.csv', row: 4 }, payload: { MAKE: 'Smyth', SERIAL: 'X1' } },
        { connectorId: 'rms', code: 'HUB_ERR_SOURCE_XML', message: 'Malformed XML', pointer: { file: 'a.xml', xpath: '/r:Report[2]' } },
      ]);
      expect(ids).toHaveLength(3);
      expect(await store.addQuarantine([])).toEqual([]);

      const lims = await store.listQuarantine({ connectorId: 'lims' });
      expect(lims.map((q) => q.code)).toEqual(['HUB_ERR_CODE_UNKNOWN', 'HUB_ERR_RECORD_DATE']); // newest first
      expect(lims[1]).toMatchObject({
        id: ids[0],
        transferId: t.id,
        field: 'COLLECTED',
        value: '31/02/2024',
        pointer: { file: 'items.csv', row: 3, line: 4, column: 'COLLECTED' },
        payload: 'L24-0001,1,"cartridge case",31/02/2024',
      });
      expect(lims[0]!.payload).toEqual({ MAKE: 'Smyth', SERIAL: 'X1' });
      expect(await store.listQuarantine({ transferId: t.id, code: 'HUB_ERR_RECORD_DATE' })).toHaveLength(1);
      expect((await store.listQuarantine({ limit: 1, offset: 1 })).map((q) => q.code)).toEqual(['HUB_ERR_CODE_UNKNOWN']);
      expect((await store.listQuarantine({ connectorId: 'rms' }))[0]).toMatchObject({ transferId: null, field: null, payload: null });
      expect(await store.countQuarantine()).toBe(3);
      expect(await store.countQuarantine({ transferId: t.id })).toBe(2);
      expect(await store.countQuarantine({ code: 'HUB_ERR_SOURCE_XML' })).toBe(1);
      // By the source file's name, exactly (not a prefix, not another case).
      expect((await store.listQuarantine({ file: 'items.csv' })).map((q) => q.id).sort()).toEqual([ids[0], ids[1]].sort());
      expect(await store.countQuarantine({ file: 'items.csv', code: 'HUB_ERR_CODE_UNKNOWN' })).toBe(1);
      expect(await store.countQuarantine({ file: 'a.xml' })).toBe(1);
      expect(await store.countQuarantine({ file: 'items' })).toBe(0);
      expect(await store.countQuarantine({ file: 'ITEMS.CSV' })).toBe(0);
    });
  });

  describe('quarantine: one entry per bad row, counted, resolved', () => {
    const bad = (transferId: string, sighting: string, row: number, extra: Record<string, unknown> = {}) => ({
      transferId,
      connectorId: 'lims',
      code: 'HUB_ERR_RECORD_DATE',
      message: 'DATE: "02/30/2026" matches none of the date formats',
      field: 'DATE',
      pointer: { file: 'x.csv', row },
      payload: { CASE: 'C-1', DATE: '02/30/2026' },
      fingerprint: 'fp-1',
      rowIdentity: 'id-1',
      sightingKey: sighting,
      ...extra,
    });

    it('the same row seen again is one entry with its count and last sighting; the same sighting twice counts once', async () => {
      const { store } = ctx;
      const t1 = await store.createTransfer({ connectorId: 'lims', trigger: 'file' });
      const t2 = await store.createTransfer({ connectorId: 'lims', trigger: 'file' });
      const [a] = await store.addQuarantine([bad(t1.id, `${t1.id}|c0|0|0`, 3)]);
      expect(await store.addQuarantine([bad(t1.id, `${t1.id}|c0|0|0`, 3)])).toEqual([a]); // a re-run writes the same sighting
      const [b, c] = await store.addQuarantine([bad(t2.id, `${t2.id}|c0|4|0`, 5), bad(t2.id, `${t2.id}|c0|9|0`, 10)]); // the file repeats the row
      expect([b, c]).toEqual([a, a]);
      const [entry] = await store.listQuarantine({ connectorId: 'lims' });
      expect(entry).toMatchObject({ id: a, count: 3, transferId: t2.id, pointer: { file: 'x.csv', row: 10 }, resolvedAt: null });
      expect(Date.parse(entry!.lastSeenAt)).toBeGreaterThanOrEqual(Date.parse(entry!.createdAt));
      expect(await store.countQuarantine({ transferId: t1.id })).toBe(1);
      expect(await store.countQuarantine({ transferId: t2.id })).toBe(1);
      expect(await store.countQuarantine()).toBe(1);
      // The file filter, as the transfer filter, takes any sighting: the row seen in y.csv is still the one seen in x.csv.
      await store.addQuarantine([{ ...bad(t2.id, `${t2.id}|c1|0|0`, 2), pointer: { file: 'y.csv', row: 2 } }]);
      expect([await store.countQuarantine({ file: 'x.csv' }), await store.countQuarantine({ file: 'y.csv' }), await store.countQuarantine({ file: 'z.csv' })]).toEqual([1, 1, 0]);
      // Another connector's identical row is its own entry; an entry without a fingerprint is never merged.
      await store.addQuarantine([{ ...bad(t1.id, 'x', 3), connectorId: 'rms' }]);
      await store.addQuarantine([{ ...bad(t1.id, 'y', 3), fingerprint: undefined }, { ...bad(t1.id, 'z', 3), fingerprint: undefined }]);
      expect(await store.countQuarantine()).toBe(4);
    });

    it('a later transfer storing the row resolves the entry; seeing the bad row again reopens it', async () => {
      const { store } = ctx;
      const t1 = await store.createTransfer({ connectorId: 'lims', trigger: 'file' });
      const t2 = await store.createTransfer({ connectorId: 'lims', trigger: 'file' });
      const t3 = await store.createTransfer({ connectorId: 'lims', trigger: 'file' });
      const [id] = await store.addQuarantine([bad(t1.id, 's1', 3)]);
      expect(await store.resolveQuarantine('lims', ['id-1'], t1.id)).toBe(0); // the same transfer: not a correction
      expect(await store.resolveQuarantine('rms', ['id-1'], t2.id)).toBe(0);
      expect(await store.resolveQuarantine('lims', ['id-2'], t2.id)).toBe(0);
      expect(await store.resolveQuarantine('lims', ['id-1', 'id-1'], t2.id)).toBe(1);
      expect(await store.listQuarantine({ status: 'resolved' })).toMatchObject([{ id, resolvedBy: t2.id }]);
      expect(await store.countQuarantine({ status: 'open' })).toBe(0);
      expect(await store.resolveQuarantine('lims', ['id-1'], t3.id)).toBe(0); // resolved already
      await store.addQuarantine([bad(t3.id, 's3', 3)]);
      expect(await store.listQuarantine({ status: 'open' })).toMatchObject([{ id, count: 2, resolvedAt: null, resolvedBy: null }]);
    });
  });

  describe('spool', () => {
    it('keeps a body until it is removed, sets it aside with its errors, restores it, and counts the backlog', async () => {
      const { store } = ctx;
      const body = Buffer.from([0, 1, 2, 0xff, 0xfe, 0x80, 0x41]);
      await store.putSpooled({ id: 's-1', connectorId: 'hook', transferId: 't-1', body, sha256: 'abc', receivedAt: '2026-03-14T10:00:00.000Z' });
      await store.putSpooled({ id: 's-2', connectorId: 'hook', body: Buffer.alloc(1000, 0x41), sha256: 'def' });
      await store.putSpooled({ id: 's-3', connectorId: 'other', body: Buffer.alloc(5), sha256: 'ghi' });
      expect((await store.readSpooled('s-1'))!.equals(body)).toBe(true);
      expect(await store.getSpooled('s-1')).toMatchObject({ connectorId: 'hook', transferId: 't-1', bytes: 7, sha256: 'abc', status: 'queued', receivedAt: '2026-03-14T10:00:00.000Z' });
      expect(await store.spoolBacklog('hook')).toEqual({ bodies: 2, bytes: 1007 });
      expect(await store.rejectSpooled('s-1', [{ code: 'HUB_ERR_PIPELINE_UNIT_FAILED' }])).toBe(true);
      expect(await store.getSpooled('s-1')).toMatchObject({ status: 'rejected', errors: [{ code: 'HUB_ERR_PIPELINE_UNIT_FAILED' }] });
      expect(await store.spoolBacklog('hook')).toEqual({ bodies: 1, bytes: 1000 });
      expect((await store.listSpooledQueued(new Date(Date.now() + 1000).toISOString())).map((b) => b.id).sort()).toEqual(['s-2', 's-3']);
      expect(await store.restoreSpooled('s-1')).toBe(true);
      expect(await store.spoolBacklog('hook')).toEqual({ bodies: 2, bytes: 1007 });
      expect(await store.removeSpooled('s-1')).toBe(true);
      expect(await store.readSpooled('s-1')).toBeUndefined();
      expect(await store.removeSpooled('s-1')).toBe(false);
      expect(await store.rejectSpooled('s-1', [])).toBe(false);
      expect(await store.restoreSpooled('s-1')).toBe(false);
    });

    it('writes a body with its queued transfer in one statement while the backlog has room, and nothing when it is full', async () => {
      const db = countingDb(ctx.store.db);
      const store = new Store(db);
      const limits = { maxBodies: 2, maxBytes: 1000 };
      const body = (id: string, bytes: number) => ({ id, connectorId: 'hook', transferId: `t-${id}`, source: 'webhook', body: Buffer.alloc(bytes, 0x41), sha256: id });
      expect(await store.spoolWithTransfer(body('a', 600), limits)).toEqual({ spooled: true });
      expect(db.statements).toBe(1);
      expect(await store.getSpooled('a')).toMatchObject({ connectorId: 'hook', transferId: 't-a', bytes: 600, status: 'queued', charset: null });
      expect(await store.getTransfer('t-a')).toMatchObject({ id: 't-a', connectorId: 'hook', trigger: 'webhook', source: 'webhook', status: 'queued', startedAt: null });
      // 600 + 401 bytes would pass maxBytes: refused, nothing written, the backlog returned.
      expect(await store.spoolWithTransfer(body('b', 401), limits)).toEqual({ spooled: false, backlog: { bodies: 1, bytes: 600 } });
      expect(await store.spoolWithTransfer(body('c', 400), limits)).toEqual({ spooled: true });
      // Two bodies queued: maxBodies reached, whatever the size.
      expect(await store.spoolWithTransfer(body('d', 1), limits)).toEqual({ spooled: false, backlog: { bodies: 2, bytes: 1000 } });
      for (const id of ['b', 'd']) {
        expect(await store.getSpooled(id)).toBeUndefined();
        expect(await store.getTransfer(`t-${id}`)).toBeUndefined();
      }
      // A body set aside no longer counts against the backlog.
      await store.rejectSpooled('a', []);
      expect(await store.spoolWithTransfer(body('e', 10), limits)).toEqual({ spooled: true });
      expect(await store.spoolBacklog('hook')).toEqual({ bodies: 2, bytes: 410 });
      // The charset the request named is kept with the body, for a transfer queued again after a restart.
      expect(await store.spoolWithTransfer({ ...body('f', 1), charset: 'windows-1252' }, { maxBodies: 9, maxBytes: 9000 })).toEqual({ spooled: true });
      expect(await store.getSpooled('f')).toMatchObject({ charset: 'windows-1252' });
      expect((await store.listSpooledQueued(new Date(Date.now() + 1000).toISOString())).find((b) => b.id === 'f')).toMatchObject({ charset: 'windows-1252' });
    });
  });

  describe('deliveries', () => {
    it('claims a delivery until it is delivered, then never again', async () => {
      const { store } = ctx;
      const [rec] = await store.upsertRecords([firearm(1)]);
      const target = { destinationId: 'hartford-pd', recordId: rec!.id, recordVersion: rec!.version };
      const deliveryId = deliveryIdFor(target);
      expect(deliveryIdFor({ ...target })).toBe(deliveryId);
      expect(deliveryIdFor({ ...target, recordVersion: 2 })).not.toBe(deliveryId);

      expect(await store.claimDelivery({ deliveryId, ...target })).toBe(true);
      expect(await store.claimDelivery({ deliveryId, ...target })).toBe(true); // still pending: retry
      expect(await store.beginAttempt(deliveryId)).toMatchObject({ status: 'pending', attempts: 1 });
      await store.markDeliveryFailed(deliveryId, 'HTTP 503 from agency', { dead: false, responseStatus: 503 });
      expect(await store.getDelivery(deliveryId)).toMatchObject({ status: 'failed', attempts: 1, lastError: 'HTTP 503 from agency', responseStatus: 503 });
      expect(await store.claimDelivery({ deliveryId, ...target })).toBe(true);
      expect(await store.beginAttempt(deliveryId)).toMatchObject({ status: 'failed', attempts: 2 });
      await store.markDelivered(deliveryId, { responseStatus: 201 });
      // Delivered: returned as it is, no attempt counted.
      expect(await store.beginAttempt(deliveryId)).toMatchObject({ status: 'delivered', attempts: 2 });
      expect(await store.beginAttempt('rec-0000000000000000000000000000000000000000')).toBeUndefined();
      expect(await store.claimDelivery({ deliveryId, ...target })).toBe(false);
      await store.markDeliveryFailed(deliveryId, 'late duplicate report', { dead: true });
      const d = await store.getDelivery(deliveryId);
      expect(d).toMatchObject({ status: 'delivered', responseStatus: 201, attempts: 2, recordId: rec!.id, recordVersion: 1 });
      expect(d!.deliveredAt).not.toBeNull();
      expect(d!.firstAttemptAt).not.toBeNull();

      const pkg = { destinationId: 'new-haven-pd', packageRef: 'lead:NL-1@3' };
      const pkgId = deliveryIdFor(pkg);
      expect(await store.claimDelivery({ deliveryId: pkgId, ...pkg })).toBe(true);
      await store.markDeliveryFailed(pkgId, 'gave up', { dead: true });
      expect(await store.claimDelivery({ deliveryId: pkgId, ...pkg })).toBe(true); // a replayed dead delivery may try again

      expect((await store.listDeliveries({ destinationId: 'hartford-pd' })).map((x) => x.deliveryId)).toEqual([deliveryId]);
      expect((await store.listDeliveries({ status: 'dead' })).map((x) => x.packageRef)).toEqual(['lead:NL-1@3']);
      expect(await store.listDeliveries({ recordId: rec!.id })).toHaveLength(1);
      expect(await store.listDeliveries()).toHaveLength(2);
      await expectHubError(store.markDelivered('missing'), 'HUB_ERR_STORE_NOT_FOUND');
      await expectHubError(store.markDeliveryFailed('missing', 'x', { dead: false }), 'HUB_ERR_STORE_NOT_FOUND');
      await expectHubError(store.claimDelivery({ deliveryId: 'x', destinationId: 'd' }), 'HUB_ERR_STORE_OPTIONS');
    });
  });

  describe('cursors and transactions', () => {
    it('commits records, cursor and counts together, and rolls them back together on error', async () => {
      const { store } = ctx;
      const t = await store.createTransfer({ connectorId: 'rms-poll', trigger: 'schedule' });
      await store.setCursor('rms-poll', '2024-05-01T00:00:00Z');

      await expect(
        store.transaction(async (tx) => {
          await store.upsertRecords([firearm(1), firearm(2)], { transferId: t.id }, tx);
          await store.setCursor('rms-poll', '2024-05-02T00:00:00Z', tx, t.id);
          await store.addTransferCounts(t.id, { stored: 2, changed: 2 }, tx);
          expect(await store.getCursor('rms-poll', tx)).toBe('2024-05-02T00:00:00Z');
          throw new Error('worker crashed before the commit');
        }),
      ).rejects.toThrow('worker crashed');
      expect(await store.getCursor('rms-poll')).toBe('2024-05-01T00:00:00Z');
      expect(await store.findRecords('Firearm')).toEqual([]);
      expect((await store.getTransfer(t.id))!.counts.stored).toBe(0);
      expect(await store.db.query('SELECT * FROM record_sources')).toEqual([]);

      await store.transaction(async (tx) => {
        await store.upsertRecords([firearm(1), firearm(2)], { transferId: t.id }, tx);
        await store.setCursor('rms-poll', '2024-05-02T00:00:00Z', tx, t.id);
        await store.addTransferCounts(t.id, { stored: 2, changed: 2 }, tx);
      });
      expect(await store.getCursor('rms-poll')).toBe('2024-05-02T00:00:00Z');
      expect(await store.findRecords('Firearm')).toHaveLength(2);
      expect((await store.getTransfer(t.id))!.counts).toMatchObject({ stored: 2, changed: 2 });
      expect(await store.getCursor('unknown')).toBeUndefined();
    });

    it('nests a transaction as a savepoint: the inner unit fails alone', async () => {
      const { store } = ctx;
      await store.transaction(async (tx) => {
        await store.setCursor('a', '1', tx);
        await expect(
          tx.transaction(async (inner) => {
            await store.setCursor('b', '1', inner);
            throw new Error('inner failure');
          }),
        ).rejects.toThrow('inner failure');
        await store.setCursor('c', '1', tx);
      });
      expect([await store.getCursor('a'), await store.getCursor('b'), await store.getCursor('c')]).toEqual(['1', undefined, '1']);
    });
  });

  describe('dead letters', () => {
    it('keeps a dead job with its attempt history and replays it once', async () => {
      const { store } = ctx;
      const dl = await store.addDeadLetter({
        queue: 'deliver.hartford-pd',
        jobId: 'job-42',
        destinationId: 'hartford-pd',
        payload: { deliveryId: 'abc', recordId: 'r1' },
        attempts: [
          { at: '2024-05-01T00:00:00.000Z', error: 'ECONNREFUSED', status: 'error' },
          { at: '2024-05-01T00:00:30.000Z', error: 'HTTP 503', status: 503 },
        ],
      });
      expect(dl).toMatchObject({ queue: 'deliver.hartford-pd', jobId: 'job-42', lastError: 'HTTP 503', replayedAt: null, replayJobId: null });
      await store.addDeadLetter({ queue: 'transfer', jobId: 'job-7', payload: 'ref', attempts: [] });
      expect(await store.getDeadLetter(dl.id)).toEqual(dl);
      expect(dl.attempts).toHaveLength(2);
      expect(await store.listDeadLetters({ queue: 'deliver.hartford-pd' })).toEqual([dl]);
      expect(await store.listDeadLetters({ pending: true })).toHaveLength(2);

      expect(await store.markReplayed(dl.id, 'job-42-replay-1')).toBe(true);
      expect(await store.markReplayed(dl.id, 'job-42-replay-2')).toBe(false);
      expect(await store.getDeadLetter(dl.id)).toMatchObject({ replayJobId: 'job-42-replay-1' });
      expect((await store.listDeadLetters({ pending: true })).map((d) => d.jobId)).toEqual(['job-7']);
      expect((await store.listDeadLetters({ pending: false })).map((d) => d.jobId)).toEqual(['job-42']);
      expect(await store.getDeadLetter('00000000-0000-0000-0000-000000000000')).toBeUndefined();
      expect(await store.getDeadLetter('nope')).toBeUndefined();
      await expectHubError(store.markReplayed('00000000-0000-0000-0000-000000000000', 'j'), 'HUB_ERR_STORE_NOT_FOUND');
    });
  });

  describe('dead letters: kinds, filters, bulk', () => {
    it('filters by kind, destination, connector and time; counts; writes an id once; a replay can be undone', async () => {
      const { store } = ctx;
      const d1 = await store.addDeadLetter({ queue: 'deliver.hfd', jobId: 'j1', destinationId: 'hfd', payload: { deliveryId: 'a' }, attempts: [] });
      await sleep(20);
      const mid = new Date().toISOString();
      await sleep(20);
      const d2 = await store.addDeadLetter({ queue: 'deliver.ehpd', jobId: 'j2', destinationId: 'ehpd', payload: { deliveryId: 'b' }, attempts: [] });
      const u1 = await store.addDeadLetter({ id: '6f1d2c3b-0000-5000-8000-000000000001', kind: 'unit', queue: 'transfers', jobId: 't1', connectorId: 'lims', payload: { unit: { id: 'file:x' } }, attempts: [{ at: mid, error: 'TypeError: boom' }] });
      expect(u1).toMatchObject({ kind: 'unit', connectorId: 'lims', destinationId: null, lastError: 'TypeError: boom' });
      expect(d1).toMatchObject({ kind: 'delivery', connectorId: null });
      expect(await store.addDeadLetter({ id: u1.id, kind: 'unit', queue: 'transfers', jobId: 'other', payload: null, attempts: [] })).toEqual(u1);
      expect((await store.listDeadLetters({ kind: 'unit' })).map((d) => d.id)).toEqual([u1.id]);
      expect((await store.listDeadLetters({ destinationId: 'hfd' })).map((d) => d.id)).toEqual([d1.id]);
      expect((await store.listDeadLetters({ connectorId: 'lims' })).map((d) => d.id)).toEqual([u1.id]);
      expect((await store.listDeadLetters({ since: mid })).map((d) => d.id).sort()).toEqual([d2.id, u1.id].sort());
      expect((await store.listDeadLetters({ until: mid })).map((d) => d.id)).toEqual([d1.id]);
      expect(await store.countDeadLetters({ kind: 'delivery', pending: true })).toBe(2);
      expect(await store.markReplayed(d1.id, 'r1')).toBe(true);
      expect(await store.countDeadLetters({ kind: 'delivery', pending: true })).toBe(1);
      await store.unmarkReplayed(d1.id, 'another-job'); // not ours: stays replayed
      expect(await store.getDeadLetter(d1.id)).toMatchObject({ replayJobId: 'r1' });
      await store.unmarkReplayed(d1.id, 'r1');
      expect(await store.getDeadLetter(d1.id)).toMatchObject({ replayedAt: null, replayJobId: null });
    });
  });

  describe('leases and once-claims', () => {
    it('acquires, renews, refuses others, expires, is taken over and released', async () => {
      const { store } = ctx;
      expect(await store.tryAcquireLease('scheduler', 'proc-a', 400)).toBe(true);
      expect(await store.tryAcquireLease('scheduler', 'proc-b', 400)).toBe(false);
      const first = await store.getLease('scheduler');
      expect(first).toMatchObject({ holder: 'proc-a' });
      await sleep(20);
      expect(await store.tryAcquireLease('scheduler', 'proc-a', 400)).toBe(true); // renew
      const renewed = await store.getLease('scheduler');
      expect(renewed!.acquiredAt).toBe(first!.acquiredAt);
      expect(renewed!.expiresAt > first!.expiresAt).toBe(true);

      await sleep(500);
      expect(await store.getLease('scheduler')).toBeUndefined();
      expect(await store.tryAcquireLease('scheduler', 'proc-b', 60_000)).toBe(true); // take over
      expect(await store.tryAcquireLease('scheduler', 'proc-a', 60_000)).toBe(false);
      expect(await store.releaseLease('scheduler', 'proc-a')).toBe(false);
      expect(await store.releaseLease('scheduler', 'proc-b')).toBe(true);
      expect(await store.tryAcquireLease('scheduler', 'proc-a', 60_000)).toBe(true);
      await expectHubError(store.tryAcquireLease('x', 'y', 0), 'HUB_ERR_STORE_OPTIONS');
    });

    it('lets exactly one of many concurrent contenders take a free lease', async () => {
      const other = await ctx.openAnother();
      const wins = await Promise.all(
        Array.from({ length: 12 }, (_, i) => (i % 2 ? ctx.store : other).tryAcquireLease('leader', `proc-${i}`, 60_000)),
      );
      expect(wins.filter(Boolean)).toHaveLength(1);
    });

    it('claims a schedule firing once across two store instances', async () => {
      const a = ctx.store;
      const b = await ctx.openAnother();
      const name = 'schedule:lims-nightly:2024-05-01T02:00:00.000Z';
      const claims = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).tryClaimOnce(name, `proc-${i % 2}`)));
      expect(claims.filter(Boolean)).toHaveLength(1);
      expect(await a.tryClaimOnce(name)).toBe(false);
      expect(await b.tryClaimOnce(name)).toBe(false);
      expect(await b.tryClaimOnce('schedule:lims-nightly:2024-05-02T02:00:00.000Z')).toBe(true);
      expect(await a.pruneOnceClaims(60_000)).toBe(0);
      await sleep(20);
      expect(await a.pruneOnceClaims(1)).toBe(2);
      expect(await a.tryClaimOnce(name)).toBe(true);
    });
  });

  it('reports health', async () => {
    const h = await ctx.store.health();
    expect(h).toMatchObject({ ok: true, kind: backend });
    expect(h.latencyMs).toBeGreaterThanOrEqual(0);
  });
});
