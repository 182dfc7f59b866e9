/**
 * POST /api/connectors/:id/files: an administrator sends a corrected file to a directory connector
 * (the console's "Re-run a corrected file"). It is written into the drop folder under its own name,
 * atomically and never over a waiting file of that name; the connector's next run reads it and a
 * corrected row resolves its quarantine entry. Names that are not one plain segment, files too large,
 * other kinds of connector and other roles are refused; every attempt is on the audit trail.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CASE_MAPPING, caseCsv, mkdirs, runOnce, testEnv, waitFor, type TestEnv } from '../../support/hub-harness.ts';
import type { Hub } from '../../../src/runtime/hub.ts';
import { hashKey } from '../../../src/server/auth.ts';
import { MAX_DROPPED_FILE_BYTES } from '../../../src/server/routes/connectors.ts';

const HFD = 'CT0006400';
const ADMIN = { authorization: 'Bearer admin-key' };

describe('a corrected file sent to a connector', () => {
  let env: TestEnv;
  let hub: Hub;
  let inbox: string;
  beforeAll(async () => {
    process.env.TEST_WEBHOOK_SECRET = 'test-webhook-secret-0123456789abcdef0123456789';
    env = await testEnv({
      agencies: [{ ori: HFD, name: 'Hartford PD' }],
      connectors: [
        { id: 'drop', kind: 'directory', agency: HFD, mapping: CASE_MAPPING, options: { path: 'IN', pattern: '*.csv', stableMs: 0 } },
        { id: 'off', kind: 'directory', agency: HFD, mapping: CASE_MAPPING, enabled: false, options: { path: 'IN' } },
        { id: 'hook', kind: 'webhook', agency: HFD, mapping: CASE_MAPPING, options: { secret: '${env:TEST_WEBHOOK_SECRET}' } },
      ],
      keys: [
        { id: 'admin', role: 'admin', sha256: hashKey('admin-key') },
        { id: 'analyst', role: 'analyst', sha256: hashKey('analyst-key') },
      ],
    });
    inbox = path.join(env.dir, 'in');
    mkdirs(inbox);
    writeFileSync(env.configFile, readFileSync(env.configFile, 'utf8').replaceAll('path: IN', `path: ${inbox}`));
    hub = await env.start();
  }, 60_000);
  afterAll(async () => {
    await env?.cleanup();
  });

  const send = (id: string, body: unknown, headers: Record<string, string> = ADMIN) =>
    fetch(`${hub.address}/api/connectors/${id}/files`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  const file = (name: string, text: string) => ({ name, content: Buffer.from(text).toString('base64') });
  const finished = (id: string) => waitFor(`transfer ${id}`, async () => {
    const t = await hub.store.getTransfer(id);
    return t?.finishedAt ? t : null;
  });
  /** The folder's entries, but the connector's own folders. */
  const inFolder = () => readdirSync(inbox).filter((n) => !['.processing', 'archive', 'rejected'].includes(n)).sort();

  it('is written into the drop folder, read by the next run, and resolves the quarantine of the row it corrects', async () => {
    writeFileSync(path.join(inbox, 'hfd-0314.csv'), caseCsv(4, [HFD], { bad: [2] }));
    await finished(await runOnce(hub, 'drop'));
    const quarantined = async (status: string) => (await (await fetch(`${hub.address}/api/quarantine?file=hfd-0314.csv&status=${status}`, { headers: ADMIN })).json()) as { total: number };
    expect((await quarantined('open')).total).toBe(1);

    const corrected = caseCsv(4, [HFD]);
    const res = await send('drop', file('hfd-0314.csv', corrected));
    expect(res.status).toBe(201);
    const sha256 = createHash('sha256').update(corrected).digest('hex');
    expect(await res.json()).toEqual({ connectorId: 'drop', file: 'hfd-0314.csv', bytes: Buffer.byteLength(corrected), sha256, nextRun: null });
    // The bytes as sent, under their name, and no temporary file left beside them.
    expect(inFolder()).toEqual(['hfd-0314.csv']);
    expect(readFileSync(path.join(inbox, 'hfd-0314.csv'), 'utf8')).toBe(corrected);

    // A second file of that name while the first waits: refused, the waiting one untouched.
    const again = await send('drop', file('hfd-0314.csv', 'ORI,CASE,DATE,TOWN\r\n'));
    expect([again.status, ((await again.json()) as { code: string }).code]).toEqual([409, 'HUB_ERR_STATE_CONFLICT']);
    expect(readFileSync(path.join(inbox, 'hfd-0314.csv'), 'utf8')).toBe(corrected);
    expect(inFolder()).toEqual(['hfd-0314.csv']);

    const t = await finished(await runOnce(hub, 'drop'));
    expect(t).toMatchObject({ status: 'succeeded', source: 'hfd-0314.csv', counts: { invalid: 0 } });
    expect([(await quarantined('open')).total, (await quarantined('resolved')).total]).toEqual([0, 1]);

    // On the audit trail: who, which connector, the file's name, size and hash; never its content.
    await hub.audit.drain();
    const entries = await hub.store.listAudit({ actor: 'admin', category: 'admin', limit: 10 });
    const taken = entries.find((e) => e.action === 'POST /api/connectors/:id/files' && e.status === 201)!;
    expect(taken).toMatchObject({ outcome: 'ok', subjects: [{ type: 'connector', id: 'drop' }], detail: { file: 'hfd-0314.csv', bytes: Buffer.byteLength(corrected), sha256 } });
    expect(JSON.stringify(taken)).not.toContain(file('x', corrected).content);
    expect(entries.find((e) => e.action === 'POST /api/connectors/:id/files' && e.status === 409)).toMatchObject({ outcome: 'refused', code: 'HUB_ERR_STATE_CONFLICT' });
  }, 60_000);

  it('refuses a name that is not one plain segment, or that the connector would never read, writing nothing', async () => {
    const before = readdirSync(env.dir).sort();
    const names = ['../escape.csv', 'sub/x.csv', 'sub\\x.csv', '..', '..csv', '.hidden.csv', 'nul\u0000.csv', 'bell\u0007.csv', 'rtl\u202Evsc.csv', 'c1\u0085.csv', 'lone\uD800.csv', `${'é'.repeat(126)}.csv`, 'notes.txt', 'upload.csv.part', 'upload.csv.tmp', ''];
    for (const name of names) {
      const res = await send('drop', file(name, 'ORI,CASE,DATE,TOWN\r\n'));
      const body = (await res.json()) as { code: string; message: string };
      expect([JSON.stringify(name), res.status, body.code]).toEqual([JSON.stringify(name), 400, 'HUB_ERR_REQUEST_INVALID']);
    }
    expect(inFolder()).toEqual([]);
    expect(readdirSync(env.dir).sort()).toEqual(before);
    // The content must be base64 of something.
    for (const content of ['not base64!', 'QR==', '', 'YWJj\nZGVm']) {
      const res = await send('drop', { name: 'x.csv', content });
      expect([content, res.status]).toEqual([content, 400]);
    }
    expect((await send('drop', { name: 'x.csv' })).status).toBe(400);
    expect((await send('drop', { ...file('x.csv', 'a'), path: '/etc' })).status).toBe(400);
    expect(inFolder()).toEqual([]);
    // A long name in bytes but within 255 is taken (and the pattern is the connector's).
    const long = `${'é'.repeat(125)}.csv`;
    expect((await send('drop', file(long, 'ORI,CASE,DATE,TOWN\r\n'))).status).toBe(201);
    expect(inFolder()).toEqual([long]);
  });

  it('refuses a file over the limit with 413, other kinds of connector and disabled ones with 409, other roles', async () => {
    const big = Buffer.alloc(MAX_DROPPED_FILE_BYTES + 1, 0x41);
    // Over the limit once decoded, and so large the server stops reading the body: the same coded
    // answer, naming the limit and its figure.
    const refusal = {
      code: 'HUB_ERR_CONNECTOR_FILE_TOO_LARGE',
      message: 'Connector drop: the file sent is larger than the 10485760 bytes (10 MiB) a file sent through the API may be; it was not written',
    };
    const tooLarge = await send('drop', { name: 'big.csv', content: big.toString('base64') });
    expect([tooLarge.status, await tooLarge.json()]).toEqual([413, refusal]);
    const wayTooLarge = await send('drop', { name: 'big.csv', content: Buffer.alloc(MAX_DROPPED_FILE_BYTES * 2).toString('base64') });
    expect([wayTooLarge.status, await wayTooLarge.json()]).toEqual([413, refusal]);
    expect(existsSync(path.join(inbox, 'big.csv'))).toBe(false);
    await hub.audit.drain();
    const refused = (await hub.store.listAudit({ action: 'POST /api/connectors/:id/files', outcome: 'refused', limit: 2 })).map((e) => [e.status, e.code]);
    expect(refused).toEqual([[413, refusal.code], [413, refusal.code]]);
    // Exactly the limit is taken.
    expect((await send('drop', { name: 'big.csv', content: big.subarray(1).toString('base64') })).status).toBe(201);

    const hook = await send('hook', file('x.csv', 'a'));
    expect([hook.status, ((await hook.json()) as { message: string }).message]).toEqual([409, expect.stringContaining('only a directory connector')]);
    const off = await send('off', file('x.csv', 'a'));
    expect([off.status, ((await off.json()) as { message: string }).message]).toEqual([409, expect.stringContaining('disabled')]);
    expect((await send('nope', file('x.csv', 'a'))).status).toBe(404);
    expect((await send('drop', file('x.csv', 'a'), { authorization: 'Bearer analyst-key' })).status).toBe(403);
    expect((await send('drop', file('x.csv', 'a'), {})).status).toBe(401);
    expect(existsSync(path.join(inbox, 'x.csv'))).toBe(false);
  }, 60_000);
});
