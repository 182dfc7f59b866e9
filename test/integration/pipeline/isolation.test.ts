/**
 * Units are independent: every claimed file is a transfer of its own, a unit that fails every attempt
 * with an unexpected error is set aside (rejected/, errors.json, a quarantine entry, a dead letter to
 * replay) and never offered again, and the units claimed with it go through in their normal time.
 * Text the store cannot hold (NUL in a key column) is a record error, not a unit failure. File names
 * that are not UTF-8, or near 255 bytes, are handled on the first run.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { AgencyServer, AgencyServers, CASE_MAPPING, caseCsv, mkdirs, pollNow, PROJECT_ROOT, testEnv, waitFor, type TestEnv } from '../../support/hub-harness.ts';
import type { Hub } from '../../../src/runtime/hub.ts';
import { UnrecoverableError, type Worker } from 'bullmq';

const HFD = 'CT0006400';
const LAB = 'CTFSL0000';
const ADMIN = { authorization: 'Bearer demo-admin-key' };
const NDJSON_MAPPING = path.join(PROJECT_ROOT, 'test/integration/fixtures/case-ndjson/mapping.yaml');

let env: TestEnv | null = null;
const servers = new AgencyServers();
afterEach(async () => {
  await env?.cleanup();
  env = null;
  await servers.stopAll();
});

async function setup(http: AgencyServer): Promise<{ hub: Hub; csvIn: string; jsonIn: string }> {
  env = await testEnv({
    agencies: [
      { ori: LAB, name: 'Lab', kind: 'lab' },
      { ori: HFD, name: 'Hartford PD', destinations: [{ id: 'hfd-rms', kind: 'http', content: ['records'], options: { url: http.url } }] },
    ],
    connectors: [
      { id: 'lims-drop', kind: 'directory', agency: LAB, allowOtherAgencies: true, mapping: CASE_MAPPING, options: { path: 'CSV_IN', stableMs: 0, reclaimAfterMs: 1000 } },
      { id: 'case-feed', kind: 'directory', agency: LAB, allowOtherAgencies: true, mapping: NDJSON_MAPPING, options: { path: 'JSON_IN', stableMs: 0 } },
    ],
    transfers: { attempts: 3, backoffMs: 100 },
  });
  const csvIn = path.join(env.dir, 'csv-in');
  const jsonIn = path.join(env.dir, 'json-in');
  writeFileSync(env.configFile, readFileSync(env.configFile, 'utf8').replace('path: CSV_IN', `path: ${csvIn}`).replace('path: JSON_IN', `path: ${jsonIn}`));
  mkdirs(csvIn, jsonIn);
  return { hub: await env.start(), csvIn, jsonIn };
}

/** Rows that make the database itself fail (a trigger raising an error): a stand-in for any unexpected error. */
async function poisonKeys(hub: Hub, marker: string): Promise<void> {
  await hub.store.db.exec(`
    CREATE FUNCTION cgic_test_poison() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.natural_key LIKE '%${marker}%' THEN RAISE EXCEPTION 'test poison'; END IF;
      RETURN NEW;
    END $$;
    CREATE TRIGGER cgic_test_poison BEFORE INSERT ON records FOR EACH ROW EXECUTE FUNCTION cgic_test_poison();`);
}

async function finished(hub: Hub, id: string) {
  return waitFor(`transfer ${id} to finish`, async () => {
    const t = await hub.store.getTransfer(id);
    return t && !['queued', 'running'].includes(t.status) ? t : null;
  }, 60_000);
}

const names = (dir: string): string[] => (existsSync(dir) ? readdirSync(dir).filter((f) => !f.startsWith('.')).sort() : []);

describe('poison units', () => {
  it('the NUL-in-key CSV, a 100,000-deep NDJSON, a failing file and a valid file dropped together: the valid file and every good row delivered; the failing unit set aside in rejected/ with its reason, a quarantine entry and a dead letter; nothing offered again; its replay delivers it', async () => {
    const http = await servers.start();
    const { hub, csvIn, jsonIn } = await setup(http);
    await poisonKeys(hub, 'POISON');

    writeFileSync(path.join(csvIn, 'valid.csv'), caseCsv(20, [HFD], { prefix: 'V' }));
    // Row 3 carries a NUL byte inside its case number (the key column).
    writeFileSync(path.join(csvIn, 'nul-key.csv'), caseCsv(10, [HFD], { prefix: 'N' }).replace('N-000003', 'N-00\u00000003'));
    writeFileSync(path.join(csvIn, 'poison.csv'), caseCsv(6, [HFD], { prefix: 'POISON' }));
    const depth = 100_000;
    const deep = `{"x":${'['.repeat(depth)}${']'.repeat(depth)}}`; // no case number: a bad row whose raw form is 100,000 deep
    const line = (n: number) => JSON.stringify({ ori: HFD, case: `D-${n}`, date: '03/14/2026 14:22', town: 'Hartford' });
    writeFileSync(path.join(jsonIn, 'deep.ndjson'), [line(1), line(2), deep, line(3), line(4)].join('\n') + '\n');

    const started = Date.now();
    const csvTransfers = await pollNow(hub, 'lims-drop');
    const [jsonTransfer] = await pollNow(hub, 'case-feed');
    expect(csvTransfers).toHaveLength(3); // one transfer per file
    const all = await Promise.all([...csvTransfers, jsonTransfer!].map((id) => finished(hub, id)));
    const bySource = new Map(all.map((t) => [t.source, t]));

    // The valid file: delivered in its normal time, whatever the poison file did meanwhile.
    expect(bySource.get('valid.csv')).toMatchObject({ status: 'succeeded', counts: { read: 20, stored: 20 } });
    expect(Date.parse(bySource.get('valid.csv')!.finishedAt!)).toBeLessThan(Date.parse(bySource.get('poison.csv')!.finishedAt!));
    // NUL in a key column: that row is a record error; the other nine rows are stored.
    expect(bySource.get('nul-key.csv')).toMatchObject({ status: 'partial', counts: { read: 10, mapped: 9, invalid: 1, stored: 9 } });
    const [nul] = await hub.store.listQuarantine({ transferId: bySource.get('nul-key.csv')!.id });
    expect(nul).toMatchObject({ code: 'HUB_ERR_RECORD_UNSTORABLE_CHARACTER', field: 'Case.agencyCaseNumber', pointer: { file: 'nul-key.csv', row: 3, line: 4 } });
    expect(nul!.message).toBe('Case.agencyCaseNumber: the value contains a NUL character (U+0000), which the store cannot hold');
    // The 100,000-deep line: quarantined; the four good lines around it stored.
    expect(bySource.get('deep.ndjson')).toMatchObject({ status: 'partial', counts: { read: 5, invalid: 1, stored: 4 } });
    expect(await hub.store.countQuarantine({ transferId: bySource.get('deep.ndjson')!.id })).toBeGreaterThanOrEqual(1);
    expect(names(path.join(csvIn, 'archive'))).toEqual(['nul-key.csv', 'valid.csv']);
    expect(names(path.join(jsonIn, 'archive'))).toEqual(['deep.ndjson']);

    // Every good row of every file delivered, once.
    await waitFor('33 good records delivered', () => http.recordCounts().size === 20 + 9 + 4, 30_000);
    expect([...http.recordCounts().values()].every((n) => n === 1)).toBe(true);

    // The failing file: set aside after its 3 attempts, with its reason, a quarantine entry and a dead letter.
    const poison = bySource.get('poison.csv')!;
    expect(poison.status).toBe('failed');
    expect(poison.error).toMatch(/^lims-drop: unit poison\.csv failed 3 time\(s\) with an unexpected error \(HubError: Database statement failed \(P0001\)/);
    expect(names(path.join(csvIn, 'rejected'))).toEqual(['poison.csv', 'poison.csv.errors.json']);
    const errorsJson = JSON.parse(readFileSync(path.join(csvIn, 'rejected', 'poison.csv.errors.json'), 'utf8')) as { code: string; class: string }[];
    expect(errorsJson).toMatchObject([{ code: 'HUB_ERR_PIPELINE_UNIT_FAILED', class: 'system' }]);
    expect(await hub.store.listQuarantine({ transferId: poison.id })).toMatchObject([{ code: 'HUB_ERR_PIPELINE_UNIT_FAILED', pointer: { file: 'poison.csv' }, count: 1 }]);
    const dead = await hub.store.listDeadLetters({ kind: 'unit' });
    expect(dead).toHaveLength(1);
    expect(dead[0]).toMatchObject({ connectorId: 'lims-drop', queue: 'transfers', replayedAt: null });
    expect(dead[0]!.attempts).toHaveLength(3);
    expect(names(path.join(csvIn, '.processing'))).toEqual([]);
    console.log(`poison unit set aside ${Date.now() - started} ms after the drop; the valid file finished ${Date.parse(bySource.get('valid.csv')!.finishedAt!) - started} ms after it`);

    // Nothing offered again: later runs (past reclaimAfterMs) claim nothing.
    await new Promise((r) => setTimeout(r, 1200));
    expect(await pollNow(hub, 'lims-drop')).toEqual([]);
    expect((await hub.store.listTransfers({ connectorId: 'lims-drop' })).length).toBe(3);

    // Once the cause is gone, the dead letter's replay reads the file again from rejected/: delivered, archived.
    await hub.store.db.exec('DROP TRIGGER cgic_test_poison ON records');
    const res = await fetch(`${hub.address}/api/dead-letters/${dead[0]!.id}/replay`, { method: 'POST', headers: ADMIN });
    expect(res.status).toBe(202);
    const { transferId } = (await res.json()) as { transferId: string };
    expect(await finished(hub, transferId)).toMatchObject({ status: 'succeeded', source: 'poison.csv (replay)', counts: { read: 6, stored: 6 } });
    await waitFor('the replayed file delivered', () => http.recordCounts().size === 33 + 6, 30_000);
    expect(names(path.join(csvIn, 'rejected'))).toEqual([]);
    expect(names(path.join(csvIn, 'archive'))).toEqual(['nul-key.csv', 'poison.csv', 'valid.csv']);
    expect((await fetch(`${hub.address}/api/dead-letters/${dead[0]!.id}/replay`, { method: 'POST', headers: ADMIN })).status).toBe(409);
  }, 120_000);

  it('a webhook body that fails every attempt is kept in the rejected spool with a dead letter; its replay processes it', async () => {
    const http = await servers.start();
    env = await testEnv({
      agencies: [
        { ori: LAB, name: 'Lab', kind: 'lab' },
        { ori: HFD, name: 'Hartford PD', destinations: [{ id: 'hfd-rms', kind: 'http', content: ['records'], options: { url: http.url } }] },
      ],
      connectors: [{ id: 'lims-hook', kind: 'webhook', agency: LAB, allowOtherAgencies: true, mapping: CASE_MAPPING, options: { secret: '${env:TEST_WEBHOOK_SECRET}' } }],
      transfers: { attempts: 2, backoffMs: 100 },
    });
    process.env.TEST_WEBHOOK_SECRET = 'test-webhook-secret-0123456789abcdef0123456789';
    const hub = await env.start();
    await poisonKeys(hub, 'POISON');
    const { sign } = await import('../../../connectors/webhook/index.ts');
    const body = caseCsv(4, [HFD], { prefix: 'POISON' });
    const ts = Math.floor(Date.now() / 1000);
    const res = await fetch(`${hub.address}/hooks/lims-hook`, { method: 'POST', headers: { 'x-cgic-timestamp': String(ts), 'x-cgic-signature': sign(process.env.TEST_WEBHOOK_SECRET!, ts, body) }, body });
    expect(res.status).toBe(202);
    const { transferId } = (await res.json()) as { transferId: string };
    expect(await finished(hub, transferId)).toMatchObject({ status: 'failed' });
    const [dl] = await hub.store.listDeadLetters({ kind: 'unit', connectorId: 'lims-hook' });
    expect(dl!.attempts).toHaveLength(2);
    const spoolId = (dl!.payload as { unit: { ref: { spool: string } } }).unit.ref.spool;
    expect(await hub.store.getSpooled(spoolId)).toMatchObject({ status: 'rejected', errors: [{ code: 'HUB_ERR_PIPELINE_UNIT_FAILED' }] });
    expect(await hub.store.spoolBacklog('lims-hook')).toEqual({ bodies: 0, bytes: 0 });
    expect(await hub.store.listQuarantine({ connectorId: 'lims-hook' })).toMatchObject([{ code: 'HUB_ERR_PIPELINE_UNIT_FAILED' }]);

    await hub.store.db.exec('DROP TRIGGER cgic_test_poison ON records');
    const { transferId: again } = await hub.replayDeadLetter(dl!.id);
    expect(await finished(hub, again!)).toMatchObject({ status: 'succeeded', trigger: 'webhook', counts: { read: 4, stored: 4 } });
    await waitFor('the replayed body delivered', () => http.recordCounts().size === 4);
    expect(await hub.store.getSpooled(spoolId)).toBeUndefined(); // committed: it left the spool
  }, 60_000);
});

describe('a job taken for stalled after its transfer finished', () => {
  it('run again, or failed for good by BullMQ, it changes nothing: the transfer stays succeeded, no quarantine entry, no dead letter, nothing delivered twice', async () => {
    const http = await servers.start();
    const { hub, csvIn } = await setup(http);
    writeFileSync(path.join(csvIn, 'done.csv'), caseCsv(4, [HFD], { prefix: 'S' }));
    const [id] = await pollNow(hub, 'lims-drop');
    expect(await finished(hub, id!)).toMatchObject({ status: 'succeeded', counts: { read: 4, stored: 4 } });
    await waitFor('the file delivered', () => http.recordCounts().size === 4);
    const job = (await hub.transfers.getJob(id!))!;

    // Its lock was lost while Redis was away: BullMQ runs the job once more...
    await job.remove();
    await hub.transfers.add('transfer', job.data, { jobId: id });
    await waitFor('the job run again', async () => (await hub.transfers.getJob(id!).then((j) => j?.getState())) === 'completed');
    // ...or gives up on it as stalled too often.
    const worker = (hub as unknown as { workers: Worker[] }).workers.find((w) => w.name === 'transfers')!;
    worker.emit('failed', job, new UnrecoverableError('job stalled more than allowable limit'), 'active');
    await new Promise((r) => setTimeout(r, 500));

    expect(await hub.store.getTransfer(id!)).toMatchObject({ status: 'succeeded', error: null, counts: { read: 4, stored: 4 } });
    expect(await hub.store.listQuarantine({ connectorId: 'lims-drop' })).toEqual([]);
    expect(await hub.store.listDeadLetters({})).toEqual([]);
    expect(names(path.join(csvIn, 'archive'))).toEqual(['done.csv']);
    expect(names(path.join(csvIn, 'rejected'))).toEqual([]);
    expect([...http.recordCounts().values()]).toEqual([1, 1, 1, 1]);
  }, 60_000);
});

describe('file names', () => {
  it('a name that is not UTF-8 is set aside in rejected/ on the first run with its reason; a name near 255 bytes is read like any other', async () => {
    const http = await servers.start();
    const { hub, csvIn } = await setup(http);
    const latin1 = Buffer.concat([Buffer.from(csvIn + '/'), Buffer.from('caf'), Buffer.from([0xe9]), Buffer.from('-export.csv')]);
    writeFileSync(latin1, caseCsv(2, [HFD], { prefix: 'L' }));
    const long = `${'x'.repeat(246)}-long.csv`; // 255 bytes: no room for the claim prefix
    expect(Buffer.byteLength(long)).toBe(255);
    writeFileSync(path.join(csvIn, long), caseCsv(3, [HFD], { prefix: 'LONG' }));

    const ids = await pollNow(hub, 'lims-drop');
    expect(ids).toHaveLength(2);
    const ts = await Promise.all(ids.map((id) => finished(hub, id)));
    const bad = ts.find((t) => t.source === 'caf%E9-export.csv')!;
    expect(bad).toMatchObject({ status: 'failed' });
    expect(bad.error).toBe('lims-drop: the file name "caf%E9-export.csv" cannot be used: it is not valid UTF-8 (its invalid bytes are shown as %XX, the name it was set aside under)');
    expect(await hub.store.listQuarantine({ transferId: bad.id })).toMatchObject([{ code: 'HUB_ERR_SOURCE_FILE_NAME' }]);
    expect(names(path.join(csvIn, 'rejected'))).toEqual(['caf%E9-export.csv', 'caf%E9-export.csv.errors.json']);
    expect(ts.find((t) => t.source === long)).toMatchObject({ status: 'succeeded', counts: { read: 3, stored: 3 } });
    expect(names(path.join(csvIn, 'archive'))).toEqual([long]);
    expect(names(csvIn).filter((n) => !['archive', 'rejected'].includes(n))).toEqual([]);
    await waitFor('the long-named file delivered', () => http.recordCounts().size === 3);
    expect(await pollNow(hub, 'lims-drop')).toEqual([]); // reported once: nothing is left to fail again
  }, 60_000);
});
