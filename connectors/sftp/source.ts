/**
 * SFTP source: picks up export files from a remote folder.
 *
 * Input: remote files in `remotePath` matching `pattern` (no dotfiles, no partial uploads), ready
 * once two looks at least `stableMs` apart saw the same size and modification time (remote clocks
 * are not trusted). Output: one unit per file, claimed by a remote `rename` into `processingPath`
 * (SFTP rename never replaces a target, and for a second claimer the source is gone). `read` streams
 * the download; `ack` renames into `archivePath`, `reject` into `rejectedPath` and uploads
 * `<name>.errors.json` beside it (and returns it there, for `restore` to claim again on a replay);
 * neither overwrites (a timestamp is added on collision). Claims left by a crashed process are
 * re-offered after `reclaimAfterMs`. A name too long for the claim prefix is claimed under a shortened
 * name. A name the server sends that is not UTF-8 (it arrives with U+FFFD in it and cannot be renamed
 * by that name) and any other file that cannot be claimed are reported once each, not on every run.
 */
import { posix } from 'node:path';
import { randomBytes } from 'node:crypto';
import { pipeline, Readable, Transform } from 'node:stream';
import type SftpClient from 'ssh2-sftp-client';
import type { CheckResult, ConnectorContext, SourceConnector, SourcePart, SourceUnit } from '../../src/sdk/connector.ts';
import { HubError } from '../../src/errors/hub-error.ts';
import type { OptionsResolved } from '../_shared/schema.ts';
import { candidateMatcher, claimedName, collisionName, errorsFileName, errorsJson, fileUnitId, parseClaimedName } from '../_shared/files.ts';
import { classifySftpError, connectionProperties, credentialRule, guardedStream, SftpSession } from './session.ts';

export const sftpSourceSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'sftp source options',
  description: 'Picks up export files from a folder on an SFTP server.',
  type: 'object',
  additionalProperties: false,
  required: ['host', 'username', 'remotePath'],
  anyOf: credentialRule,
  properties: {
    ...connectionProperties,
    pattern: {
      type: 'string',
      minLength: 1,
      default: '*',
      description: 'Glob (picomatch) the file names must match. Dotfiles and partial uploads (.tmp, .part, .filepart) never match.',
      examples: ['*.csv', 'NIBIN_*.xml'],
    },
    stableMs: {
      type: 'integer',
      minimum: 0,
      default: 2000,
      description:
        'A file is ready when two looks at least this many milliseconds apart saw the same size and modification time (0: at the first look). Each claim run is one look.',
      examples: [2000, 60000],
    },
    archivePath: {
      type: 'string',
      minLength: 1,
      description: 'Remote folder a file is moved to once its records are committed. Default: <remotePath>/archive.',
      examples: ['/exports/lims/archive'],
    },
    rejectedPath: {
      type: 'string',
      minLength: 1,
      description: 'Remote folder a file that cannot be processed goes to, with <name>.errors.json. Default: <remotePath>/rejected.',
      examples: ['/exports/lims/rejected'],
    },
    processingPath: {
      type: 'string',
      minLength: 1,
      description: 'Remote folder claimed files wait in; on the same remote filesystem as remotePath. Default: <remotePath>/.processing.',
      examples: ['/exports/lims/.processing'],
    },
    reclaimAfterMs: {
      type: 'integer',
      minimum: 1000,
      default: 600000,
      description: 'A file claimed longer ago than this is considered left behind by a crashed process and is offered again.',
      examples: [600000],
    },
    maxFilesPerClaim: {
      type: 'integer',
      minimum: 1,
      default: 100,
      description: 'At most this many files are claimed per run (oldest first).',
      examples: [100],
    },
  },
} as const;

export type SftpSourceOptions = OptionsResolved<typeof sftpSourceSchema>;

interface SftpRef {
  path: string;
  size: number;
  mtimeMs: number;
  claimedAt: number;
}

export class SftpSource implements SourceConnector {
  readonly kind = 'sftp';
  /** A file is read whole: no cursor. */
  readonly resumes = false;
  private readonly session: SftpSession;
  private readonly root: string;
  private readonly archivePath: string;
  private readonly rejectedPath: string;
  private readonly processingPath: string;
  private readonly matches: (name: string) => boolean;
  private readonly seen = new Map<string, { size: number; mtimeMs: number; since: number }>();
  private readonly ensured = new Set<string>();
  /** Names whose claim failed, reported once each (until the file is gone or claimed). */
  private readonly reported = new Set<string>();

  constructor(
    private readonly o: SftpSourceOptions,
    private readonly ctx: ConnectorContext,
  ) {
    this.session = new SftpSession(o, ctx.log, ctx.id);
    this.root = o.remotePath.replace(/\/+$/, '') || '/';
    this.archivePath = o.archivePath ?? posix.join(this.root, 'archive');
    this.rejectedPath = o.rejectedPath ?? posix.join(this.root, 'rejected');
    this.processingPath = o.processingPath ?? posix.join(this.root, '.processing');
    this.matches = candidateMatcher(o.pattern);
  }

  async check(): Promise<CheckResult> {
    try {
      return await this.session.run(async (c) => {
        const st = await c.stat(this.root);
        if (!st.isDirectory) return { ok: false, detail: `${this.session.target}${this.root} is not a folder` };
        const files = (await c.list(this.root)).filter((f) => f.type === '-' && this.matches(f.name));
        const pin = this.o.hostFingerprint ? 'host key pinned' : 'host key NOT pinned (set hostFingerprint)';
        return { ok: true, detail: `${this.session.target}${this.root}: ${files.length} file(s) match "${this.o.pattern}"; ${pin}` };
      });
    } catch (err) {
      return { ok: false, detail: `${this.session.target}${this.root}: ${(err as Error).message}` };
    }
  }

  async claim(): Promise<SourceUnit[]> {
    const now = Date.now();
    return this.remote('claim', this.root, async (c) => {
      // remotePath itself is never created (a wrong path must fail, not turn into an empty folder).
      if ((await c.exists(this.root)) !== 'd') throw Object.assign(new Error(`No such folder: ${this.root}`), { code: 2 });
      await this.ensureDir(c, this.processingPath);
      const units = await this.reclaimStale(c, now);
      const listing = await c.list(this.root);
      const present = new Set<string>();
      const ready: { name: string; size: number; mtimeMs: number }[] = [];
      for (const f of listing) {
        if (f.type !== '-' || !this.matches(f.name)) continue;
        present.add(f.name);
        if (this.isStable(f.name, f.size, f.modifyTime, now)) ready.push({ name: f.name, size: f.size, mtimeMs: f.modifyTime });
      }
      for (const name of this.seen.keys()) if (!present.has(name)) this.seen.delete(name);
      for (const name of this.reported) if (!present.has(name)) this.reported.delete(name);
      ready.sort((a, b) => a.mtimeMs - b.mtimeMs || (a.name < b.name ? -1 : 1));

      const failures: { name: string; error: unknown }[] = [];
      for (const f of ready) {
        if (units.length >= this.o.maxFilesPerClaim) break;
        if (f.name.includes('\ufffd')) {
          // Listed as text, the name lost its invalid bytes: there is no way to rename it by this name.
          failures.push({ name: f.name, error: new HubError('HUB_ERR_SOURCE_FILE_NAME', { connector: this.ctx.id, name: JSON.stringify(f.name), reason: 'it is not valid UTF-8, so it cannot be claimed over SFTP: rename it on the server' }) });
          continue;
        }
        const from = posix.join(this.root, f.name);
        const to = posix.join(this.processingPath, claimedName(f.name, now));
        try {
          await c.rename(from, to);
        } catch (err) {
          if (classifySftpError(err) !== 'missing') failures.push({ name: f.name, error: err }); // missing: another process claimed it
          continue;
        }
        this.seen.delete(f.name);
        this.reported.delete(f.name);
        const st = await c.stat(to);
        units.push(unitOf(f.name, to, st.size, st.modifyTime, now));
      }
      // Each file that cannot be claimed is reported once; a run that could claim nothing at all, for
      // a new reason, fails with the first one.
      const fresh = failures.filter((f) => !this.reported.has(f.name));
      for (const f of fresh) {
        this.reported.add(f.name);
        this.ctx.log.error({ file: f.name, err: f.error }, 'sftp: could not claim a file (reported once; tried again on every run)');
      }
      const claimable = fresh.filter((f) => !(f.error instanceof HubError && f.error.code === 'HUB_ERR_SOURCE_FILE_NAME'));
      if (claimable.length > 0 && units.length === 0 && failures.length === ready.length) throw claimable[0]!.error;
      return units;
    });
  }

  /**
   * The file as it was claimed: at most the size the claim saw (a file that keeps growing is never read
   * to an end that keeps moving). A file whose size or modification time is no longer what the claim
   * saw, before the download or once it is done, was still being written: the read fails with
   * HUB_ERR_SOURCE_FILE_CHANGED (config: the file is set aside; replayed once complete), and the bytes
   * read so far never reach their end of file, so a last line cut short is never taken as a record.
   */
  async *read(unit: SourceUnit, _resumeFrom: string | null): AsyncIterable<SourcePart> {
    const ref = unit.ref as unknown as SftpRef;
    const stream = await this.remote('download', ref.path, async (c) => {
      let st;
      try {
        st = await c.stat(ref.path);
      } catch (err) {
        if (classifySftpError(err) === 'missing') {
          throw new HubError('HUB_ERR_CONNECTOR_UNIT_MISSING', { connector: this.ctx.id, unit: unit.name, path: ref.path });
        }
        throw err;
      }
      const changed = this.changedSinceClaim(ref, st.size, st.modifyTime);
      if (changed) throw changed;
      // An empty file has no byte range to ask for (end is inclusive).
      const remote = ref.size === 0 ? Readable.from([]) : (c.createReadStream(ref.path, { start: 0, end: ref.size - 1 }) as unknown as Readable);
      const checked = this.checkedAtEnd(ref);
      pipeline(remote, checked, () => {}); // an error of either reaches the consumer through `checked`
      return guardedStream(
        checked,
        (err) => this.ctx.log.warn({ err, unit: unit.id, path: ref.path }, 'sftp: download stream failed'),
        {
          ms: this.o.timeoutMs,
          onStall: () => this.session.reset(),
          error: () =>
            new HubError('HUB_ERR_CONNECTOR_IO', {
              connector: this.ctx.id,
              operation: 'download',
              path: `${this.session.target}${ref.path}`,
              reason: `the server sent nothing for ${this.o.timeoutMs} ms (timeoutMs)`,
            }),
        },
      );
    });
    yield { stream, name: unit.name };
  }

  /** HUB_ERR_SOURCE_FILE_CHANGED when the file's size or modification time is not what the claim saw. */
  private changedSinceClaim(ref: SftpRef, size: number, mtimeMs: number): HubError | null {
    if (size === ref.size && mtimeMs === ref.mtimeMs) return null;
    const change = [
      size !== ref.size ? `size ${ref.size} -> ${size} bytes` : '',
      mtimeMs !== ref.mtimeMs ? `modified ${new Date(ref.mtimeMs).toISOString()} -> ${new Date(mtimeMs).toISOString()}` : '',
    ]
      .filter(Boolean)
      .join(', ');
    return new HubError('HUB_ERR_SOURCE_FILE_CHANGED', { connector: this.ctx.id, path: `${this.session.target}${ref.path}`, change });
  }

  /**
   * Passes the download through; at its end, before the consumer sees it, checks that the claimed size
   * was received and that the file still has the size and time the claim saw.
   */
  private checkedAtEnd(ref: SftpRef): Transform {
    let received = 0;
    return new Transform({
      transform(chunk: Buffer, _enc, cb) {
        received += chunk.length;
        cb(null, chunk);
      },
      flush: (cb) => {
        this.session
          .run((c) => c.stat(ref.path))
          .then(
            (st) => {
              const changed = this.changedSinceClaim(ref, received !== ref.size ? received : st.size, st.modifyTime);
              cb(changed ?? undefined);
            },
            (err: unknown) =>
              cb(
                classifySftpError(err) === 'missing'
                  ? new HubError('HUB_ERR_CONNECTOR_UNIT_MISSING', { connector: this.ctx.id, unit: posix.basename(ref.path), path: ref.path })
                  : new HubError('HUB_ERR_CONNECTOR_IO', { connector: this.ctx.id, operation: 'download', path: `${this.session.target}${ref.path}`, reason: (err as Error).message }, undefined, { cause: err }),
              ),
          );
      },
    });
  }

  async ack(unit: SourceUnit): Promise<void> {
    const moved = await this.moveAside(unit, this.archivePath, 'archive');
    if (moved) this.ctx.log.info({ unit: unit.id, file: unit.name, to: moved }, 'sftp: archived');
  }

  async reject(unit: SourceUnit, errors: unknown[]): Promise<SourceUnit | null> {
    const moved = await this.moveAside(unit, this.rejectedPath, 'reject');
    if (!moved) return null;
    const target = posix.join(posix.dirname(moved), errorsFileName(posix.basename(moved)));
    await this.remote('upload', target, async (c) => {
      const tmp = posix.join(posix.dirname(target), `.${randomBytes(4).toString('hex')}.errors.json.tmp`);
      await c.put(Buffer.from(errorsJson(errors), 'utf8'), tmp);
      await c.rename(tmp, target);
    });
    this.ctx.log.warn({ unit: unit.id, file: unit.name, to: moved, errors: errors.length }, 'sftp: rejected');
    return { ...unit, ref: { ...unit.ref, path: moved, rejected: true } };
  }

  /** A file `reject` set aside, claimed again from the rejected folder (a replay); its errors file goes. */
  async restore(unit: SourceUnit): Promise<SourceUnit> {
    const ref = unit.ref as unknown as SftpRef;
    const now = Date.now();
    const to = posix.join(this.processingPath, claimedName(unit.name, now));
    const st = await this.remote('restore', ref.path, async (c) => {
      if ((await c.exists(ref.path)) === false) throw new HubError('HUB_ERR_CONNECTOR_UNIT_MISSING', { connector: this.ctx.id, unit: unit.name, path: ref.path });
      await this.ensureDir(c, this.processingPath);
      await c.rename(ref.path, to);
      await c.delete(posix.join(posix.dirname(ref.path), errorsFileName(posix.basename(ref.path))), true).catch(() => {});
      return c.stat(to);
    });
    this.ctx.log.info({ unit: unit.id, file: unit.name }, 'sftp: claimed again from the rejected folder (replay)');
    return unitOf(unit.name, to, st.size, st.modifyTime, now);
  }

  async close(): Promise<void> {
    await this.session.end();
  }

  private async reclaimStale(c: SftpClient, now: number): Promise<SourceUnit[]> {
    const units: SourceUnit[] = [];
    const entries = (await c.list(this.processingPath)).sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const f of entries) {
      if (units.length >= this.o.maxFilesPerClaim) break;
      const parsed = f.type === '-' ? parseClaimedName(f.name) : null;
      if (!parsed || now - parsed.claimedAtMs < this.o.reclaimAfterMs) continue;
      const to = posix.join(this.processingPath, claimedName(parsed.originalName, now));
      try {
        await c.rename(posix.join(this.processingPath, f.name), to);
      } catch {
        continue; // re-claimed by another process first
      }
      this.ctx.log.warn(
        { file: parsed.originalName, claimedAt: new Date(parsed.claimedAtMs).toISOString() },
        'sftp: re-offering a file left in processing by a process that did not finish it',
      );
      units.push(unitOf(parsed.originalName, to, f.size, f.modifyTime, now));
    }
    return units;
  }

  private isStable(name: string, size: number, mtimeMs: number, now: number): boolean {
    if (this.o.stableMs === 0) return true;
    const prev = this.seen.get(name);
    if (!prev || prev.size !== size || prev.mtimeMs !== mtimeMs) {
      this.seen.set(name, { size, mtimeMs, since: now });
      return false;
    }
    return now - prev.since >= this.o.stableMs;
  }

  private async ensureDir(c: SftpClient, dir: string): Promise<void> {
    if (this.ensured.has(dir)) return;
    if ((await c.exists(dir)) !== 'd') {
      try {
        await c.mkdir(dir, true);
      } catch (err) {
        // Another hub process may have made it a moment ago (the servers answer "permission denied" or
        // "failure" rather than "exists"): only a folder that is still missing is an error.
        if ((await c.exists(dir)) !== 'd') throw err;
      }
    }
    this.ensured.add(dir);
  }

  /**
   * Back into the remote folder under its own name (a dry run read it), so the real run finds it; never
   * over a newer file of that name (then `<name>.released-<ms>`).
   */
  async release(unit: SourceUnit): Promise<void> {
    const ref = unit.ref as unknown as SftpRef;
    const released = await this.remote('release', ref.path, async (c) => {
      let target = posix.join(this.root, unit.name);
      if ((await c.exists(target)) !== false) target = posix.join(this.root, `${unit.name}.released-${Date.now()}`);
      try {
        await c.rename(ref.path, target);
        return target;
      } catch (err) {
        if ((await c.exists(ref.path)) === false) return null; // already gone: nothing to give back
        throw err;
      }
    });
    if (released) this.ctx.log.info({ unit: unit.id, file: unit.name, to: released }, 'sftp: released (dry run)');
  }

  /** Rename the claimed file into `dir`, never over an existing name; null when it is already gone. */
  private async moveAside(unit: SourceUnit, dir: string, what: string): Promise<string | null> {
    const ref = unit.ref as unknown as SftpRef;
    return this.remote(what, ref.path, async (c) => {
      await this.ensureDir(c, dir);
      const now = new Date();
      for (let attempt = 0; attempt < 1000; attempt++) {
        const target = posix.join(dir, collisionName(unit.name, attempt, now));
        try {
          await c.rename(ref.path, target);
          return target;
        } catch (err) {
          if ((await c.exists(ref.path)) === false) {
            this.ctx.log.warn(
              { unit: unit.id, file: unit.name, path: ref.path },
              `sftp: ${what}: the claimed file is already gone (moved before, or re-claimed by another process)`,
            );
            return null;
          }
          if ((await c.exists(target)) === false) throw err; // not a name collision
        }
      }
      throw new Error(`no free name for ${unit.name} in ${dir}`);
    });
  }

  /** Run a remote operation; failures become HUB_ERR_CONNECTOR_* with who must act. */
  private async remote<T>(operation: string, path: string, fn: (c: SftpClient) => Promise<T>): Promise<T> {
    await connectOrThrow(this.session, this.ctx.id);
    try {
      return await this.session.run(fn);
    } catch (err) {
      this.ensured.clear();
      if (err instanceof HubError) throw err;
      const reason = (err as Error).message;
      const connector = this.ctx.id;
      const kind = classifySftpError(err);
      if (kind === 'access') throw new HubError('HUB_ERR_CONNECTOR_ACCESS', { connector, operation, path, reason }, undefined, { cause: err });
      if (kind === 'login') {
        throw new HubError('HUB_ERR_CONNECTOR_ACCESS', { connector, operation: 'log in to', path: this.session.target, reason }, undefined, { cause: err });
      }
      throw new HubError('HUB_ERR_CONNECTOR_IO', { connector, operation, path: `${this.session.target}${path}`, reason }, undefined, { cause: err });
    }
  }
}

/** Connect (or reuse the session); a refused login is the operator's, anything else is retried. */
export async function connectOrThrow(session: SftpSession, connector: string): Promise<void> {
  try {
    await session.get();
  } catch (err) {
    const reason = (err as Error).message;
    if (classifySftpError(err) === 'login' || classifySftpError(err) === 'access') {
      throw new HubError('HUB_ERR_CONNECTOR_ACCESS', { connector, operation: 'log in to', path: session.target, reason }, undefined, { cause: err });
    }
    throw new HubError('HUB_ERR_CONNECTOR_UNAVAILABLE', { connector, target: session.target, reason }, undefined, { cause: err });
  }
}

function unitOf(name: string, path: string, size: number, mtimeMs: number, claimedAt: number): SourceUnit {
  const ref: SftpRef = { path, size, mtimeMs, claimedAt };
  return { id: fileUnitId(name, size, mtimeMs), name, ref: { ...ref } };
}
