/**
 * Against a real OpenSSH server (test/support/sshd.ts) on a loopback port. internal-sftp runs without
 * chroot, so remote paths are local paths and the test can look at the server's files directly.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, statSync, utimesSync, writeFileSync, appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { sftpDestination, sftpSource, type SftpDestination, type SftpSource } from './index.ts';
import { DeliveryError, type SourceUnit } from '../../src/sdk/connector.ts';
import { HubError } from '../../src/errors/hub-error.ts';
import { fileUnitId } from '../_shared/files.ts';
import { collect, testContext } from '../../test/support/context.ts';
import { deadPort } from '../../test/support/http-peer.ts';
import { startSshd, type Sshd } from '../../test/support/sshd.ts';

let sshd: Sshd;
let dir: string;
const opened: Array<{ close(): Promise<void> }> = [];

beforeAll(async () => {
  sshd = await startSshd();
});
afterAll(async () => {
  await sshd?.stop();
});
beforeEach(() => {
  dir = mkdtempSync(join(sshd.dir, 'case-'));
  mkdirSync(join(dir, 'in'));
  mkdirSync(join(dir, 'out'));
});
afterEach(async () => {
  for (const o of opened.splice(0)) await o.close();
  rmSync(dir, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function login(): Record<string, unknown> {
  return { host: sshd.host, port: sshd.port, username: sshd.username, privateKey: sshd.privateKey, hostFingerprint: sshd.hostFingerprint };
}

function source(options: Record<string, unknown> = {}): SftpSource {
  const o = { ...login(), remotePath: join(dir, 'in'), stableMs: 0, ...options } as Parameters<typeof sftpSource.create>[0];
  const s = sftpSource.create(o, testContext('lab-sftp')) as SftpSource;
  opened.push(s);
  return s;
}

function destination(options: Record<string, unknown> = {}): SftpDestination {
  const o = { ...login(), remotePath: join(dir, 'out'), ...options } as Parameters<typeof sftpDestination.create>[0];
  const d = sftpDestination.create(o, testContext('hpd-sftp')) as SftpDestination;
  opened.push(d);
  return d;
}

function drop(name: string, content: string | Buffer): string {
  const p = join(dir, 'in', name);
  writeFileSync(p, content);
  const t = new Date(Date.now() - 60_000);
  utimesSync(p, t, t);
  return p;
}

async function readAll(src: SftpSource, unit: SourceUnit): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for await (const part of src.read(unit, null)) out.push(await collect(part.stream));
  return out;
}

describe('sftp source', () => {
  it('claims matching files by a remote rename and reads their exact bytes', async () => {
    const bytes = Buffer.concat([Buffer.from('LAB_CASE_NO,ITEM\n25-00042,1\n'), Buffer.from([0x00, 0xff, 0xc3])]);
    const p = drop('lims-1.csv', bytes);
    const st = statSync(p);
    drop('.hidden.csv', 'x');
    drop('upload.csv.part', 'x');
    drop('notes.txt', 'x');
    mkdirSync(join(dir, 'in', 'folder.csv'));
    const src = source({ pattern: '*.csv' });
    const units = await src.claim();
    expect(units.map((u) => u.name)).toEqual(['lims-1.csv']);
    expect(units[0]!.id).toBe(fileUnitId('lims-1.csv', st.size, Math.floor(st.mtimeMs / 1000) * 1000));
    expect(readdirSync(join(dir, 'in')).sort()).toEqual(['.hidden.csv', '.processing', 'folder.csv', 'notes.txt', 'upload.csv.part']);
    const parts = await readAll(src, units[0]!);
    expect(parts).toHaveLength(1);
    expect(parts[0]!.equals(bytes)).toBe(true);
  });

  it('claims a file only when two looks stableMs apart saw the same size and mtime', async () => {
    drop('growing.csv', 'a\n');
    const src = source({ stableMs: 300 });
    expect(await src.claim()).toEqual([]); // first look
    await sleep(350);
    appendFileSync(join(dir, 'in', 'growing.csv'), 'b\n');
    expect(await src.claim()).toEqual([]); // size changed: the wait starts again
    await sleep(350);
    const units = await src.claim();
    expect(units.map((u) => u.name)).toEqual(['growing.csv']);
    expect((await readAll(src, units[0]!))[0]!.toString()).toBe('a\nb\n');
  });

  it('two hub processes claiming at once never get the same file', async () => {
    for (let i = 0; i < 40; i++) drop(`f-${String(i).padStart(2, '0')}.xml`, `<r n="${i}"/>`);
    const results = await Promise.all([source(), source(), source()].map((s) => s.claim()));
    const names = results.flat().map((u) => u.name);
    expect(names).toHaveLength(40);
    expect(new Set(names).size).toBe(40);
  });

  it('ack renames into the archive, never over an archived file of the same name', async () => {
    mkdirSync(join(dir, 'in', 'archive'));
    writeFileSync(join(dir, 'in', 'archive', 'lims.csv'), 'yesterday\n');
    drop('lims.csv', 'today\n');
    const src = source();
    const [unit] = await src.claim();
    await src.ack(unit!);
    const archived = readdirSync(join(dir, 'in', 'archive')).sort();
    expect(archived).toHaveLength(2);
    expect(readFileSync(join(dir, 'in', 'archive', 'lims.csv'), 'utf8')).toBe('yesterday\n');
    const other = archived.find((n) => n !== 'lims.csv')!;
    expect(other).toMatch(/^lims\.\d{8}T\d{9}Z\.csv$/);
    expect(readFileSync(join(dir, 'in', 'archive', other), 'utf8')).toBe('today\n');
    expect(readdirSync(join(dir, 'in', '.processing'))).toEqual([]);
    await expect(src.ack(unit!)).resolves.toBeUndefined(); // a retried ack is harmless
  });

  it('release puts a claimed file back under its name (a dry run), beside a newer file of that name', async () => {
    drop('lims.csv', 'claimed\n');
    const src = source();
    const [unit] = await src.claim();
    expect(readdirSync(join(dir, 'in')).filter((n) => n.endsWith('.csv'))).toEqual([]);
    await src.release!(unit!);
    expect(readFileSync(join(dir, 'in', 'lims.csv'), 'utf8')).toBe('claimed\n');
    expect(readdirSync(join(dir, 'in', '.processing'))).toEqual([]);
    const [second] = await source().claim(); // the real run finds it
    expect(second!.name).toBe('lims.csv');

    drop('lims.csv', 'newer\n'); // meanwhile a newer export of the same name arrives
    await src.release!(second!);
    const names = readdirSync(join(dir, 'in')).filter((n) => n.startsWith('lims.csv')).sort();
    expect(names).toHaveLength(2);
    expect(readFileSync(join(dir, 'in', 'lims.csv'), 'utf8')).toBe('newer\n');
    expect(names[1]).toMatch(/^lims\.csv\.released-\d+$/);
    expect(readFileSync(join(dir, 'in', names[1]!), 'utf8')).toBe('claimed\n');
  });

  it('ack and reject use custom remote folders', async () => {
    drop('a.csv', 'a');
    drop('b.csv', 'b');
    const src = source({ archivePath: join(dir, 'done'), rejectedPath: join(dir, 'bad') });
    const units = await src.claim();
    await src.ack(units.find((u) => u.name === 'a.csv')!);
    await src.reject(units.find((u) => u.name === 'b.csv')!, [new Error('boom')]);
    expect(readdirSync(join(dir, 'done'))).toEqual(['a.csv']);
    expect(readdirSync(join(dir, 'bad')).sort()).toEqual(['b.csv', 'b.csv.errors.json']);
  });

  it('reject renames into rejected and uploads <name>.errors.json beside it', async () => {
    drop('bad.xml', '<unclosed>');
    const src = source();
    const [unit] = await src.claim();
    await src.reject(unit!, [new HubError('HUB_ERR_SOURCE_XML', { reason: 'unexpected end of file' })]);
    const rejected = join(dir, 'in', 'rejected');
    expect(readdirSync(rejected).sort()).toEqual(['bad.xml', 'bad.xml.errors.json']);
    const text = readFileSync(join(rejected, 'bad.xml.errors.json'), 'utf8');
    expect(JSON.parse(text)).toEqual([expect.objectContaining({ code: 'HUB_ERR_SOURCE_XML', class: 'record' })]);
    expect(text).toContain('\n  {');
  });

  it('re-offers a file left in processing after reclaimAfterMs, with the same unit id', async () => {
    drop('lims.csv', 'a\n');
    const [unit] = await source().claim(); // the claiming process dies here
    const survivor = source({ reclaimAfterMs: 10_000 }); // well above a session's set-up, even without native crypto
    expect(await survivor.claim()).toEqual([]);
    renameSync(String(unit!.ref.path), join(dir, 'in', '.processing', `${Date.now() - 20_000}-0000beef--lims.csv`));
    const again = await survivor.claim();
    expect(again.map((u) => [u.id, u.name])).toEqual([[unit!.id, 'lims.csv']]);
    expect((await readAll(survivor, again[0]!))[0]!.toString()).toBe('a\n');
  });

  it('reading a unit whose file was taken away fails with HUB_ERR_CONNECTOR_UNIT_MISSING', async () => {
    drop('gone.csv', 'x');
    const src = source();
    const [unit] = await src.claim();
    rmSync(String(unit!.ref.path));
    await expect(readAll(src, unit!)).rejects.toMatchObject({ code: 'HUB_ERR_CONNECTOR_UNIT_MISSING' });
  });

  it('a download the server stops answering (the session stays alive) fails after timeoutMs, and the next run gets a new session', async () => {
    drop('a-stuck.csv', Buffer.alloc(8 * 1024 * 1024, 0x41));
    drop('b-next.csv', 'LAB_CASE_NO\n25-00042\n');
    const src = source({ timeoutMs: 500, maxFilesPerClaim: 1 });
    const [unit] = await src.claim();
    let thaw: (() => void) | undefined;
    try {
      const started = Date.now();
      const err = await (async () => {
        for await (const part of src.read(unit!, null)) {
          for await (const _chunk of part.stream) thaw ??= sshd.freezeSessions(); // the server stops mid-download
        }
      })().then(() => null, (e: unknown) => e);
      expect(thaw).toBeDefined();
      expect(err).toBeInstanceOf(HubError);
      expect(err).toMatchObject({ code: 'HUB_ERR_CONNECTOR_IO' });
      expect((err as Error).message).toContain('the server sent nothing for 500 ms');
      expect(Date.now() - started).toBeLessThan(5000);
      const [next] = await src.claim();
      expect(next!.name).toBe('b-next.csv');
      expect((await readAll(src, next!)).map(String)).toEqual(['LAB_CASE_NO\n25-00042\n']);
    } finally {
      thaw?.();
    }
  });

  it('a server that stops answering fails claim, ack and reject within timeoutMs, naming the operation and the connector; the next call opens a new session', async () => {
    drop('a.csv', 'a\n');
    drop('b.csv', 'b\n');
    const src = source({ timeoutMs: 1500 }); // well above a session's set-up on a loaded machine
    const [a, b] = await src.claim();
    drop('c.csv', 'c\n');
    for (const [operation, call] of [
      ['claim', () => src.claim()],
      ['archive', () => src.ack(a!)],
      ['reject', () => src.reject(b!, [new Error('boom')])],
    ] as const) {
      expect((await src.check()).ok).toBe(true); // a session is open (the failure before closed the last one)
      const thaw = sshd.freezeSessions(); // the session's server process stops; its connection stays up
      try {
        const started = Date.now();
        const err = await (call as () => Promise<unknown>)().then(() => null, (e: unknown) => e);
        expect(Date.now() - started).toBeLessThan(10_000); // not the 45-60 s of SSH keepalive
        expect(err).toBeInstanceOf(HubError);
        expect(err).toMatchObject({ code: 'HUB_ERR_CONNECTOR_IO', errorClass: 'transient' });
        expect((err as Error).message).toMatch(new RegExp(`^lab-sftp: ${operation} sftp://`));
        expect((err as Error).message).toMatch(/the server did not answer \w+ within 1500 ms \(timeoutMs\)/);
      } finally {
        thaw();
      }
    }
    // Each failure closed its session; the calls again get new ones and do their work.
    expect((await src.claim()).map((u) => u.name)).toEqual(['c.csv']);
    await src.ack(a!);
    await src.reject(b!, [new Error('boom')]);
    expect(readdirSync(join(dir, 'in', 'archive'))).toEqual(['a.csv']);
    expect(readdirSync(join(dir, 'in', 'rejected')).sort()).toEqual(['b.csv', 'b.csv.errors.json']);
  });

  it('reads a file as it was claimed: one that changed since is refused unread, and an empty one reads empty', async () => {
    drop('empty.csv', '');
    drop('late.csv', 'a\n');
    const src = source();
    const units = await src.claim();
    const late = units.find((u) => u.name === 'late.csv')!;
    expect((await readAll(src, units.find((u) => u.name === 'empty.csv')!)).map(String)).toEqual(['']);
    appendFileSync(String(late.ref.path), 'b\n'); // the sender was still writing
    const err = await readAll(src, late).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(HubError);
    expect(err).toMatchObject({ code: 'HUB_ERR_SOURCE_FILE_CHANGED', errorClass: 'config' });
    expect((err as Error).message).toContain(`lab-sftp: sftp://`);
    expect((err as Error).message).toContain(`${String(late.ref.path)} changed after it was claimed (size 2 -> 4 bytes`);
  });

  it('a file that keeps growing while it is downloaded is read up to its claimed size, then refused, never to an end that keeps moving', async () => {
    const claimed = Buffer.alloc(256 * 1024, 0x41);
    drop('growing.csv', claimed);
    const src = source();
    const [unit] = await src.claim();
    const path = String(unit!.ref.path);
    const more = Buffer.alloc(64 * 1024, 0x42);
    let appending = true;
    let appender: Promise<void> | undefined;
    let received = 0;
    let err: unknown = null;
    try {
      for await (const part of src.read(unit!, null)) {
        for await (const chunk of part.stream) {
          // Once the download is under way, the sender writes on, faster than the hub reads.
          appender ??= (async () => {
            while (appending) {
              appendFileSync(path, more);
              await sleep(5);
            }
          })();
          received += (chunk as Buffer).length;
          if (received > claimed.length + 4 * 1024 * 1024) break; // read on and on: stop the test here
          await sleep(2); // a consumer slower than the writer
        }
      }
    } catch (e) {
      err = e;
    } finally {
      appending = false;
      await appender;
    }
    expect(appender).toBeDefined();
    // Never a byte past the claimed size (the failure may come before the last buffered bytes are taken).
    expect(received).toBeGreaterThan(0);
    expect(received).toBeLessThanOrEqual(claimed.length);
    expect(err).toMatchObject({ code: 'HUB_ERR_SOURCE_FILE_CHANGED' });
    expect((err as Error).message).toContain(`size ${claimed.length} -> `);
  });

  it('a consumer slower than timeoutMs is not a stalled download', async () => {
    const bytes = Buffer.alloc(4 * 1024 * 1024, 0x41);
    drop('big.csv', bytes);
    const src = source({ timeoutMs: 300 });
    const [unit] = await src.claim();
    const chunks: Buffer[] = [];
    for await (const part of src.read(unit!, null)) {
      for await (const chunk of part.stream) {
        if (chunks.length === 0) await sleep(1500); // the buffers fill up while the consumer is busy
        chunks.push(chunk as Buffer);
      }
    }
    expect(Buffer.concat(chunks).equals(bytes)).toBe(true);
  });

  it('reconnects after the session was closed', async () => {
    const src = source();
    expect(await src.claim()).toEqual([]);
    await src.close();
    drop('late.csv', 'x');
    expect((await src.claim()).map((u) => u.name)).toEqual(['late.csv']);
  });

  it('check is ok against the server and not ok (no throw) against a missing server, a wrong host key or a missing folder', async () => {
    const ok = await source().check();
    expect(ok.ok).toBe(true);
    expect(ok.detail).toContain('host key pinned');

    const port = await deadPort();
    const down = await source({ port }).check();
    expect(down.ok).toBe(false);
    expect(down.detail).toMatch(/refused|ECONNREFUSED/i);

    const wrongKey = await source({ hostFingerprint: 'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }).check();
    expect(wrongKey.ok).toBe(false);

    const noFolder = await source({ remotePath: join(dir, 'missing') }).check();
    expect(noFolder.ok).toBe(false);
  });

  it('claim against a missing server is transient; a refused login or host key is the operator\'s', async () => {
    const port = await deadPort();
    await expect(source({ port }).claim()).rejects.toMatchObject({ code: 'HUB_ERR_CONNECTOR_UNAVAILABLE', errorClass: 'transient' });
    await expect(source({ hostFingerprint: 'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }).claim()).rejects.toMatchObject({
      code: 'HUB_ERR_CONNECTOR_ACCESS',
      errorClass: 'config',
    });
    await expect(source({ username: 'nobody-here' }).claim()).rejects.toMatchObject({ code: 'HUB_ERR_CONNECTOR_ACCESS' });
  });

  it('a missing remotePath fails the claim (transient) and is not created', async () => {
    await expect(source({ remotePath: join(dir, 'no-such') }).claim()).rejects.toMatchObject({ code: 'HUB_ERR_CONNECTOR_IO' });
    expect(existsSync(join(dir, 'no-such'))).toBe(false);
  });

  it('needs a password or a private key', () => {
    const { privateKey: _k, ...noCredentials } = login();
    expect(() => sftpSource.create({ ...noCredentials, remotePath: '/x' } as never, testContext())).toThrow(/needs one of: password, privateKey/);
  });
});

describe('sftp destination', () => {
  const delivery = (fileName: string, body: string) => ({ deliveryId: `d-${fileName}`, body, mediaType: 'text/csv', fileName });

  it('uploads the exact bytes under a temporary name, then renames into place with the configured mode', async () => {
    const body = 'LEAD_ID,ORI\nL-2025-0042,CT0015100\n©\n';
    const receipt = await destination().deliver(delivery('leads-2025-11-25.csv', body));
    expect(receipt.status).toBe(0);
    const file = join(dir, 'out', 'leads-2025-11-25.csv');
    expect(readFileSync(file).equals(Buffer.from(body, 'utf8'))).toBe(true);
    expect(statSync(file).mode & 0o777).toBe(0o640);
    expect(readdirSync(join(dir, 'out'))).toEqual(['leads-2025-11-25.csv']);
  });

  it('is idempotent for the same bytes and replaces the file for new bytes', async () => {
    const d = destination({ mode: '0644' });
    await d.deliver(delivery('lead.json', 'v1'));
    const file = join(dir, 'out', 'lead.json');
    const past = new Date(Math.floor(Date.now() / 1000) * 1000 - 3_600_000); // whole seconds: exact through utimes
    utimesSync(file, past, past);
    expect((await d.deliver(delivery('lead.json', 'v1'))).detail).toContain('unchanged');
    expect(statSync(file).mtimeMs).toBe(past.getTime());
    await d.deliver(delivery('lead.json', 'version 2'));
    expect(readFileSync(file, 'utf8')).toBe('version 2');
    expect(statSync(file).mode & 0o777).toBe(0o644);
    expect(readdirSync(join(dir, 'out'))).toEqual(['lead.json']);
  });

  it('refuses a file name that is not one plain segment, without retry', async () => {
    const err = await destination().deliver(delivery('../up.csv', 'x')).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(DeliveryError);
    expect(err).toMatchObject({ retryable: false, code: 'HUB_ERR_DELIVERY_FILE_NAME' });
    expect(existsSync(join(dir, 'up.csv'))).toBe(false);
  });

  it('a missing remote folder or server is retryable; a refused login is not', async () => {
    const noFolder = await destination({ remotePath: join(dir, 'nope') }).deliver(delivery('a.csv', 'x')).then(() => null, (e: unknown) => e);
    expect(noFolder).toMatchObject({ retryable: true, code: 'HUB_ERR_DELIVERY_WRITE' });
    const port = await deadPort();
    const down = await destination({ port }).deliver(delivery('a.csv', 'x')).then(() => null, (e: unknown) => e);
    expect(down).toMatchObject({ retryable: true });
    const badUser = await destination({ username: 'nobody-here' }).deliver(delivery('a.csv', 'x')).then(() => null, (e: unknown) => e);
    expect(badUser).toMatchObject({ retryable: false, code: 'HUB_ERR_DELIVERY_ACCESS' });
  });

  it('a server that stops answering fails the delivery within timeoutMs (retried), and the next delivery opens a new session', async () => {
    const d = destination({ timeoutMs: 1500 });
    await d.deliver(delivery('first.csv', 'x'));
    const thaw = sshd.freezeSessions();
    try {
      const started = Date.now();
      const err = await d.deliver(delivery('second.csv', 'y')).then(() => null, (e: unknown) => e);
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(err).toMatchObject({ retryable: true, code: 'HUB_ERR_DELIVERY_WRITE' });
      expect((err as Error).message).toMatch(/the server did not answer \w+ within 1500 ms \(timeoutMs\)/);
    } finally {
      thaw();
    }
    await d.deliver(delivery('second.csv', 'y'));
    expect(readFileSync(join(dir, 'out', 'second.csv'), 'utf8')).toBe('y');
  });

  it('check writes and removes a probe; not ok (no throw) against a missing server', async () => {
    const r = await destination().check();
    expect(r.ok).toBe(true);
    expect(readdirSync(join(dir, 'out'))).toEqual([]);
    const port = await deadPort();
    expect((await destination({ port }).check()).ok).toBe(false);
  });
});
