import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { directoryDestination, directorySource, DirectorySource, DirectoryDestination } from './index.ts';
import { DeliveryError } from '../../src/sdk/connector.ts';
import { HubError } from '../../src/errors/hub-error.ts';
import { fileUnitId } from '../_shared/files.ts';
import { HubDeliveryError } from '../_shared/delivery-error.ts';
import { collect, testContext } from '../../test/support/context.ts';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'cgic-dir-'));
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

const execFileAsync = promisify(execFile);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function source(options: Record<string, unknown> = {}): DirectorySource {
  return directorySource.create({ path: join(root, 'in'), stableMs: 0, ...options }, testContext('lims-drop')) as DirectorySource;
}

function drop(name: string, content: string | Buffer, ageMs = 60_000): string {
  const p = join(root, 'in', name);
  mkdirSync(join(root, 'in'), { recursive: true });
  writeFileSync(p, content);
  const t = new Date(Date.now() - ageMs);
  utimesSync(p, t, t);
  return p;
}

async function readAll(src: DirectorySource, unit: Parameters<DirectorySource['read']>[0]): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for await (const part of src.read(unit, null)) out.push(await collect(part.stream));
  return out;
}

describe('directory source: options', () => {
  it('requires path and refuses unknown options, naming them', () => {
    expect(() => directorySource.create({} as never, testContext())).toThrow(/HUB_ERR_CONNECTOR_OPTIONS|must have required property 'path'/);
    try {
      directorySource.create({ path: '/x', patern: '*.csv' } as never, testContext());
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(HubError);
      expect((err as HubError).code).toBe('HUB_ERR_CONNECTOR_OPTIONS');
      expect((err as HubError).message).toContain('"patern"');
    }
  });
});

describe('directory source: a folder where nothing can be made', () => {
  it('/proc as the drop folder: check and claim report it at once instead of hanging in mkdir', async () => {
    const src = directorySource.create({ path: '/proc', stableMs: 0 }, testContext('lims-drop')) as DirectorySource;
    const checked = await src.check();
    expect(checked.ok).toBe(false);
    expect(checked.detail).toContain('ENOENT');
    await expect(src.claim()).rejects.toMatchObject({ code: 'HUB_ERR_CONNECTOR_IO', message: expect.stringContaining('/proc/.processing') });
  });
});

describe('directory source: drop (a file sent through the API)', () => {
  it('writes the file under its name without a temporary file left, never over one of that name, and the next claim takes it', async () => {
    mkdirSync(join(root, 'in'));
    const src = source({ pattern: '*.csv' });
    expect(await src.drop('fixed.csv', Buffer.from('a,b\n'))).toEqual({ file: 'fixed.csv', path: join(root, 'in', 'fixed.csv') });
    expect(readdirSync(join(root, 'in'))).toEqual(['fixed.csv']);
    await expect(src.drop('fixed.csv', Buffer.from('other\n'))).rejects.toMatchObject({ code: 'HUB_ERR_STATE_CONFLICT' });
    expect(readFileSync(join(root, 'in', 'fixed.csv'), 'utf8')).toBe('a,b\n');
    expect(readdirSync(join(root, 'in'))).toEqual(['fixed.csv']);
    for (const name of ['../up.csv', 'a/b.csv', '.hidden.csv', 'x.txt', 'x.csv.part', 'a\u0000.csv', '..csv']) {
      await expect(src.drop(name, Buffer.from('x'))).rejects.toMatchObject({ code: 'HUB_ERR_REQUEST_INVALID' });
    }
    expect(readdirSync(root).sort()).toEqual(['in']);
    const [unit] = await src.claim();
    expect(unit!.name).toBe('fixed.csv');
  });

  it('a drop folder that is not there: HUB_ERR_CONNECTOR_IO, nothing made', async () => {
    await expect(source().drop('x.csv', Buffer.from('x'))).rejects.toMatchObject({ code: 'HUB_ERR_CONNECTOR_IO' });
    expect(existsSync(join(root, 'in'))).toBe(false);
  });
});

describe('directory source: claim', () => {
  it('claims matching, stable files only: not folders, dotfiles, partial uploads or other patterns', async () => {
    drop('lims-1.csv', 'a\n');
    drop('lims-2.csv', 'b\n');
    drop('.hidden.csv', 'c\n');
    drop('upload.csv.part', 'd\n');
    drop('upload.csv.tmp', 'e\n');
    drop('notes.txt', 'f\n');
    mkdirSync(join(root, 'in', 'sub.csv'));
    const src = source({ pattern: '*.csv' });
    const units = await src.claim();
    expect(units.map((u) => u.name).sort()).toEqual(['lims-1.csv', 'lims-2.csv']);
    expect(readdirSync(join(root, 'in')).sort()).toEqual(['.hidden.csv', '.processing', 'notes.txt', 'sub.csv', 'upload.csv.part', 'upload.csv.tmp']);
    expect(await src.claim()).toEqual([]);
  });

  it('gives a stable id from name, size and mtime', async () => {
    const p = drop('lims.csv', 'a,b\n1,2\n');
    const st = statSync(p);
    const [unit] = await source().claim();
    expect(unit!.id).toBe(fileUnitId('lims.csv', st.size, st.mtimeMs));
    // The same file offered again (e.g. put back by hand) is the same unit.
    const again = drop('lims.csv', 'a,b\n1,2\n');
    utimesSync(again, st.atime, st.mtime);
    const [unit2] = await source().claim();
    expect(unit2!.id).toBe(unit!.id);
    expect(unit2!.ref.path).not.toBe(unit!.ref.path);
  });

  it('waits until size and mtime have not changed for stableMs', async () => {
    drop('growing.csv', 'a\n', 0);
    const src = source({ stableMs: 800 });
    expect(await src.claim()).toEqual([]);
    await sleep(300);
    appendFileSync(join(root, 'in', 'growing.csv'), 'b\n');
    await sleep(300);
    expect(await src.claim()).toEqual([]); // changed ~300 ms ago (generous margin for a loaded machine)
    await sleep(600);
    const units = await src.claim();
    expect(units.map((u) => u.name)).toEqual(['growing.csv']);
    expect((await readAll(src, units[0]!))[0]!.toString()).toBe('a\nb\n');
  });

  it('with several hub processes claiming at once, every file is claimed exactly once', async () => {
    for (let i = 0; i < 150; i++) drop(`f-${String(i).padStart(3, '0')}.csv`, `row ${i}\n`);
    const claimers = Array.from({ length: 4 }, () => source({ maxFilesPerClaim: 1000 }));
    const results = await Promise.all(claimers.map((c) => c.claim()));
    const names = results.flat().map((u) => u.name);
    expect(names.length).toBe(150);
    expect(new Set(names).size).toBe(150);
    expect(readdirSync(join(root, 'in', '.processing')).length).toBe(150);
  });

  it('separate hub processes claiming at the same moment never claim the same file', async () => {
    for (let i = 0; i < 400; i++) drop(`p-${String(i).padStart(3, '0')}.csv`, `row ${i}\n`);
    const worker = fileURLToPath(new URL('../../test/support/claim-worker.ts', import.meta.url));
    const options = JSON.stringify({ path: join(root, 'in'), stableMs: 0, maxFilesPerClaim: 1000 });
    const start = join(root, 'go');
    const runs = Array.from({ length: 3 }, () => execFileAsync(process.execPath, ['--import', 'tsx', worker, options, start], { cwd: process.cwd() }));
    // Go once all three are loaded and waiting.
    while (readdirSync(root).filter((n) => n.startsWith('go.ready-')).length < 3) await sleep(10);
    writeFileSync(start, '');
    const outputs = await Promise.all(runs);
    const perProcess = outputs.map((o) => JSON.parse(o.stdout) as string[]);
    const names = perProcess.flat();
    expect(names).toHaveLength(400);
    expect(new Set(names).size).toBe(400);
  }, 60_000);

  it('claims at most maxFilesPerClaim files, oldest first', async () => {
    drop('new.csv', 'n\n', 10_000);
    drop('old.csv', 'o\n', 90_000);
    drop('mid.csv', 'm\n', 50_000);
    const src = source({ maxFilesPerClaim: 2 });
    expect((await src.claim()).map((u) => u.name)).toEqual(['old.csv', 'mid.csv']);
    expect((await src.claim()).map((u) => u.name)).toEqual(['new.csv']);
  });

  it('fails with a transient error when the folder is missing, and does not create it', async () => {
    const src = source({ path: join(root, 'not-mounted') });
    await expect(src.claim()).rejects.toMatchObject({ code: 'HUB_ERR_CONNECTOR_IO', errorClass: 'transient' });
    expect(existsSync(join(root, 'not-mounted'))).toBe(false);
  });
});

describe('directory source: read, ack, reject', () => {
  it('reads the claimed file as one part with its exact bytes', async () => {
    const bytes = Buffer.from([0xef, 0xbb, 0xbf, 0x41, 0x2c, 0x42, 0x0d, 0x0a, 0x00, 0xff]);
    drop('bom.csv', bytes);
    const src = source();
    const [unit] = await src.claim();
    const parts = await readAll(src, unit!);
    expect(parts).toHaveLength(1);
    expect(parts[0]!.equals(bytes)).toBe(true);
  });

  it('ack moves the file to the archive and never overwrites an archived file of the same name', async () => {
    mkdirSync(join(root, 'in', 'archive'), { recursive: true });
    writeFileSync(join(root, 'in', 'archive', 'lims.csv'), 'earlier export\n');
    drop('lims.csv', 'today\n');
    const src = source();
    const [unit] = await src.claim();
    await src.ack(unit!);
    const archived = readdirSync(join(root, 'in', 'archive')).sort();
    expect(archived).toHaveLength(2);
    expect(readFileSync(join(root, 'in', 'archive', 'lims.csv'), 'utf8')).toBe('earlier export\n');
    const renamed = archived.find((n) => n !== 'lims.csv')!;
    expect(renamed).toMatch(/^lims\.\d{8}T\d{9}Z\.csv$/);
    expect(readFileSync(join(root, 'in', 'archive', renamed), 'utf8')).toBe('today\n');
    expect(readdirSync(join(root, 'in', '.processing'))).toEqual([]);
    // A second ack (a retried job) is harmless.
    await expect(src.ack(unit!)).resolves.toBeUndefined();
  });

  it('ack uses a custom archiveDir', async () => {
    drop('x.csv', 'x\n');
    const src = source({ archiveDir: join(root, 'archive-elsewhere') });
    const [unit] = await src.claim();
    await src.ack(unit!);
    expect(readFileSync(join(root, 'archive-elsewhere', 'x.csv'), 'utf8')).toBe('x\n');
  });

  it('reject moves the file to rejectedDir with <name>.errors.json beside it', async () => {
    drop('bad.csv', 'no header\n');
    const src = source();
    const [unit] = await src.claim();
    const err = new HubError('HUB_ERR_SOURCE_HEADER', { column: 'LAB_CASE_NO', header: 'no header' });
    await src.reject(unit!, [err, { code: 'X', message: 'plain object' }]);
    const rejected = join(root, 'in', 'rejected');
    expect(readdirSync(rejected).sort()).toEqual(['bad.csv', 'bad.csv.errors.json']);
    const text = readFileSync(join(rejected, 'bad.csv.errors.json'), 'utf8');
    expect(text).toContain('\n  {'); // pretty
    const errors = JSON.parse(text);
    expect(errors[0]).toMatchObject({ code: 'HUB_ERR_SOURCE_HEADER', class: 'config' });
    expect(errors[0].message).toContain('LAB_CASE_NO');
    expect(errors[1]).toEqual({ code: 'X', message: 'plain object' });
  });

  it('reject returns the unit where it lies; restore claims it again from there (a replay) and drops its errors file', async () => {
    drop('poison.csv', 'a,b\n1,2\n');
    const src = source();
    const [unit] = await src.claim();
    const aside = await src.reject(unit!, [{ code: 'HUB_ERR_PIPELINE_UNIT_FAILED' }]);
    expect(aside).toMatchObject({ id: unit!.id, name: 'poison.csv', ref: { path: join(root, 'in', 'rejected', 'poison.csv'), rejected: true } });
    const again = await src.restore(aside!);
    expect(readdirSync(join(root, 'in', 'rejected'))).toEqual([]);
    expect(again.name).toBe('poison.csv');
    expect(String(again.ref.path)).toMatch(/\.processing\/\d+-[0-9a-f]{8}--poison\.csv$/);
    expect(Buffer.concat(await readAll(src, again)).toString()).toBe('a,b\n1,2\n');
    await src.ack(again);
    expect(readdirSync(join(root, 'in', 'archive'))).toEqual(['poison.csv']);
    await expect(src.restore(aside!)).rejects.toMatchObject({ code: 'HUB_ERR_CONNECTOR_UNIT_MISSING' });
    expect(await src.reject(again, [])).toBeNull(); // gone (archived): nothing to set aside
  });

  it('reading a unit whose file was taken away fails with HUB_ERR_CONNECTOR_UNIT_MISSING', async () => {
    drop('gone.csv', 'x\n');
    const src = source();
    const [unit] = await src.claim();
    rmSync(String(unit!.ref.path));
    await expect(readAll(src, unit!)).rejects.toMatchObject({ code: 'HUB_ERR_CONNECTOR_UNIT_MISSING' });
  });
});

describe('directory source: file names', () => {
  it('a name that is not UTF-8 is claimed under a %XX name as a unit to refuse; rejected, it keeps that name', async () => {
    mkdirSync(join(root, 'in'), { recursive: true });
    writeFileSync(Buffer.from(join(root, 'in') + '/caf\xe9.csv', 'latin1'), 'x\n');
    const src = source();
    const [unit] = await src.claim();
    expect(unit).toMatchObject({ name: 'caf%E9.csv', refused: { code: 'HUB_ERR_SOURCE_FILE_NAME', params: { name: '"caf%E9.csv"' } } });
    expect(Buffer.concat(await readAll(src, unit!)).toString()).toBe('x\n');
    await src.reject(unit!, [new HubError(unit!.refused!.code, unit!.refused!.params)]);
    expect(readdirSync(join(root, 'in', 'rejected')).sort()).toEqual(['caf%E9.csv', 'caf%E9.csv.errors.json']);
    expect(await src.claim()).toEqual([]);
  });

  it('a name of 255 bytes is claimed (under a shortened name), read, archived and rejected under its own name', async () => {
    const long = `${'é'.repeat(100)}${'x'.repeat(44)}-export.csv`;
    expect(Buffer.byteLength(long)).toBe(255);
    drop(long, 'y\n');
    const src = source();
    const [unit] = await src.claim();
    expect(unit!.name).toBe(long);
    expect(Buffer.byteLength(String(unit!.ref.path).split('/').at(-1)!)).toBeLessThanOrEqual(255);
    expect(String(unit!.ref.path)).toMatch(/~[0-9a-f]{8}\.csv$/);
    expect(Buffer.concat(await readAll(src, unit!)).toString()).toBe('y\n');
    await src.reject(unit!, [{ code: 'X' }]);
    const rejected = readdirSync(join(root, 'in', 'rejected')).sort();
    expect(rejected[0]).toBe(long);
    expect(rejected[1]).toMatch(/~[0-9a-f]{8}\.csv\.errors\.json$/);
    expect(rejected.every((n) => Buffer.byteLength(n) <= 255)).toBe(true);
  });

  it('a file that cannot be claimed is reported once, not on every run', async () => {
    drop('a.csv', 'x\n');
    const errors: unknown[] = [];
    const ctx = testContext('lims-drop');
    const log = Object.assign(Object.create(ctx.log) as typeof ctx.log, { error: (o: unknown) => void errors.push(o) });
    // A processing folder on another filesystem: every claim (a rename) fails with EXDEV.
    const processingDir = mkdtempSync(join('/dev/shm', 'cgic-dir-'));
    try {
      const src = directorySource.create({ path: join(root, 'in'), stableMs: 0, processingDir }, { ...ctx, log }) as DirectorySource;
      await expect(src.claim()).rejects.toMatchObject({ code: 'HUB_ERR_CONNECTOR_IO' });
      expect(await src.claim()).toEqual([]);
      expect(await src.claim()).toEqual([]);
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatchObject({ file: 'a.csv', code: 'HUB_ERR_CONNECTOR_IO' });
      drop('b.csv', 'y\n'); // a new file is reported in its turn
      await expect(src.claim()).rejects.toMatchObject({ code: 'HUB_ERR_CONNECTOR_IO' });
      expect(await src.claim()).toEqual([]);
      expect(errors).toHaveLength(2);
    } finally {
      rmSync(processingDir, { recursive: true, force: true });
    }
  });
});

describe('directory source: recovery after a crash', () => {
  it('re-offers a file left in processing once its claim is older than reclaimAfterMs, with the same unit id', async () => {
    drop('lims.csv', 'a\n');
    const crashed = source();
    const [unit] = await crashed.claim(); // ...and the process dies before ack
    const survivor = source({ reclaimAfterMs: 1000 });
    expect(await survivor.claim()).toEqual([]); // claimed just now: still someone's
    const claimedAt = Date.now() - 5000;
    const oldName = join(root, 'in', '.processing', `${claimedAt}-0000beef--lims.csv`);
    const { renameSync } = await import('node:fs');
    renameSync(String(unit!.ref.path), oldName);
    const again = await survivor.claim();
    expect(again).toHaveLength(1);
    expect(again[0]!.id).toBe(unit!.id);
    expect(again[0]!.name).toBe('lims.csv');
    expect((await readAll(survivor, again[0]!))[0]!.toString()).toBe('a\n');
    await survivor.ack(again[0]!);
    expect(readFileSync(join(root, 'in', 'archive', 'lims.csv'), 'utf8')).toBe('a\n');
    // Two survivors racing for the same stale claim: only one gets it.
    drop('two.csv', 'b\n');
    const [u2] = await crashed.claim();
    renameSync(String(u2!.ref.path), join(root, 'in', '.processing', `${claimedAt}-0000cafe--two.csv`));
    const both = await Promise.all([source({ reclaimAfterMs: 1000 }).claim(), source({ reclaimAfterMs: 1000 }).claim()]);
    expect(both.flat().map((u) => u.name)).toEqual(['two.csv']);
  });
});

describe('directory source: check', () => {
  it('is ok for a readable, writable folder and says how many files match', async () => {
    drop('a.csv', 'a\n');
    const r = await source({ pattern: '*.csv' }).check();
    expect(r.ok).toBe(true);
    expect(r.detail).toContain('1 file(s)');
  });

  it('is not ok, without throwing, when the folder is missing', async () => {
    const r = await source({ path: join(root, 'missing') }).check();
    expect(r.ok).toBe(false);
    expect(r.detail).toContain('missing');
  });
});

describe('directory destination', () => {
  function dest(options: Record<string, unknown> = {}): DirectoryDestination {
    mkdirSync(join(root, 'out'), { recursive: true });
    return directoryDestination.create({ path: join(root, 'out'), ...options }, testContext('hpd-drop')) as DirectoryDestination;
  }
  const delivery = (fileName: string, body: string) => ({ deliveryId: `d-${fileName}`, body, mediaType: 'application/json', fileName });

  it('writes the exact bytes atomically with the configured mode, leaving no temp file', async () => {
    const d = dest();
    const body = '{"lead":"L1","agency":"CT0015100","note":"Smith & Wesson ©"}\n';
    const receipt = await d.deliver(delivery('lead-L1-v1.json', body));
    expect(receipt.status).toBe(0);
    const file = join(root, 'out', 'lead-L1-v1.json');
    expect(readFileSync(file).equals(Buffer.from(body, 'utf8'))).toBe(true);
    expect(statSync(file).mode & 0o777).toBe(0o640);
    expect(readdirSync(join(root, 'out'))).toEqual(['lead-L1-v1.json']);
  });

  it('honours mode', async () => {
    await dest({ mode: '0604' }).deliver(delivery('a.json', '{}'));
    expect(statSync(join(root, 'out', 'a.json')).mode & 0o777).toBe(0o604);
  });

  it('is idempotent for the same name and bytes, and writes a new version for other bytes', async () => {
    const d = dest();
    await d.deliver(delivery('lead.json', 'v1'));
    const file = join(root, 'out', 'lead.json');
    const past = new Date(Math.floor(Date.now() / 1000) * 1000 - 3_600_000); // whole seconds: exact through utimes
    utimesSync(file, past, past);
    const again = await d.deliver(delivery('lead.json', 'v1'));
    expect(again.detail).toContain('unchanged');
    expect(statSync(file).mtimeMs).toBe(past.getTime()); // not rewritten
    await d.deliver(delivery('lead.json', 'v2, longer'));
    expect(readFileSync(file, 'utf8')).toBe('v2, longer');
  });

  it('concurrent deliveries of one name leave one complete version and no temp files', async () => {
    const d = dest();
    const bodies = Array.from({ length: 20 }, (_, i) => `version ${i} `.repeat(2000));
    await Promise.all(bodies.map((b) => d.deliver(delivery('race.json', b))));
    expect(bodies).toContain(readFileSync(join(root, 'out', 'race.json'), 'utf8'));
    expect(readdirSync(join(root, 'out'))).toEqual(['race.json']);
  });

  it('refuses a file name that is not one plain segment, without retry', async () => {
    const d = dest();
    for (const bad of ['../escape.json', 'a/b.json', '.hidden', '', 'x\ny']) {
      const err = await d.deliver(delivery(bad, 'x')).then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(DeliveryError);
      expect(err).toMatchObject({ retryable: false, code: 'HUB_ERR_DELIVERY_FILE_NAME' });
    }
    expect(existsSync(join(root, 'escape.json'))).toBe(false);
  });

  it('a missing folder is a retryable failure and the folder is not created', async () => {
    const d = directoryDestination.create({ path: join(root, 'unmounted') }, testContext()) as DirectoryDestination;
    const err = await d.deliver(delivery('a.json', '{}')).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(HubDeliveryError);
    expect(err).toMatchObject({ retryable: true, code: 'HUB_ERR_DELIVERY_WRITE' });
    expect(existsSync(join(root, 'unmounted'))).toBe(false);
  });

  it('check is ok for a writable folder and not ok (no throw) for a missing one', async () => {
    expect((await dest().check()).ok).toBe(true);
    const missing = directoryDestination.create({ path: join(root, 'nope') }, testContext()) as DirectoryDestination;
    const r = await missing.check();
    expect(r.ok).toBe(false);
    expect(r.detail).toContain('nope');
  });

  it('a folder the hub may not write to fails without retry', async () => {
    // sysfs refuses new files with EACCES even to root, so this holds whoever runs the tests.
    const d = directoryDestination.create({ path: '/sys' }, testContext()) as DirectoryDestination;
    const err = await d.deliver(delivery('cgic-test.json', '{}')).then(() => null, (e: unknown) => e);
    expect(err).toMatchObject({ retryable: false, code: 'HUB_ERR_DELIVERY_ACCESS' });
    expect((await d.check()).ok).toBe(false);
  });
});
