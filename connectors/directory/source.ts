/**
 * Directory source: picks up files dropped in a local or mounted folder.
 *
 * Input: files in `path` matching `pattern` (no dotfiles, no `.tmp`/`.part`/`.filepart` uploads),
 * ready once unchanged for `stableMs`. Output: one unit per file, claimed by an atomic `rename` into
 * `processingDir` (two hub processes never both claim a file: for the loser the rename ENOENTs).
 * `ack` moves the file to `archiveDir`, `reject` to `rejectedDir` with `<name>.errors.json` (and
 * returns it there, for `restore` to claim again on a replay); neither ever overwrites (a timestamp is
 * added to the name on collision). Files left in `processingDir` by a process that died are
 * re-offered once their claim is older than `reclaimAfterMs`.
 *
 * File names are read as bytes. A name that is not valid UTF-8 is claimed under a UTF-8 name (invalid
 * bytes as `%XX`) as a unit its transfer refuses at once (HUB_ERR_SOURCE_FILE_NAME): it lands in
 * `rejectedDir` with its reason, reported once. A name too long for the claim prefix is claimed under
 * a shortened name and read as usual. A file that cannot be claimed for another reason is logged
 * once per name, not on every run.
 */
import { constants as fsc } from 'node:fs';
import { copyFile, link, lstat, open, readdir, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { CheckResult, ConnectorContext, SourceConnector, SourcePart, SourceUnit } from '../../src/sdk/connector.ts';
import { HubError } from '../../src/errors/hub-error.ts';
import type { OptionsResolved } from '../_shared/schema.ts';
import {
  candidateMatcher,
  claimedName,
  collisionName,
  displayName,
  droppedNameProblem,
  errorsFileName,
  errorsJson,
  fileUnitId,
  parseClaimedName,
} from '../_shared/files.ts';
import { isErrno, sourceFsError } from '../_shared/fs-errors.ts';
import { makeDirs } from '../../src/sdk/make-dirs.ts';

export const directorySourceSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'directory source options',
  description: 'Picks up export files dropped in a local or mounted folder.',
  type: 'object',
  additionalProperties: false,
  required: ['path'],
  properties: {
    path: {
      type: 'string',
      minLength: 1,
      description: 'Folder the exports are dropped in. Relative paths are resolved from the hub\'s working directory.',
      examples: ['/srv/cgic/inbound/lims'],
    },
    pattern: {
      type: 'string',
      minLength: 1,
      default: '*',
      description: 'Glob (picomatch) the file names must match. Dotfiles and partial uploads (.tmp, .part, .filepart) never match.',
      examples: ['*.csv', 'LIMS_EXPORT_*.{csv,xml}'],
    },
    stableMs: {
      type: 'integer',
      minimum: 0,
      default: 2000,
      description: 'A file is ready once its size and modification time have not changed for this many milliseconds (0: at once).',
      examples: [2000, 30000],
    },
    archiveDir: {
      type: 'string',
      minLength: 1,
      description: 'Where a file goes once all its records are committed. Default: <path>/archive.',
      examples: ['/srv/cgic/archive/lims'],
    },
    rejectedDir: {
      type: 'string',
      minLength: 1,
      description: 'Where a file that cannot be processed at all goes, with <name>.errors.json beside it. Default: <path>/rejected.',
      examples: ['/srv/cgic/rejected/lims'],
    },
    processingDir: {
      type: 'string',
      minLength: 1,
      description: 'Where claimed files wait while they are processed; must be on the same filesystem as path (claims are renames). Default: <path>/.processing.',
      examples: ['/srv/cgic/inbound/lims/.processing'],
    },
    reclaimAfterMs: {
      type: 'integer',
      minimum: 1000,
      default: 600000,
      description: 'A file claimed longer ago than this is considered left behind by a crashed process and is offered again. Keep it above the longest time from claim to acknowledgement.',
      examples: [600000, 3600000],
    },
    maxFilesPerClaim: {
      type: 'integer',
      minimum: 1,
      default: 100,
      description: 'At most this many files are claimed per run (oldest first); the rest wait for the next run, so claims do not sit queued past reclaimAfterMs.',
      examples: [100, 10],
    },
  },
} as const;

export type DirectorySourceOptions = OptionsResolved<typeof directorySourceSchema>;

/** What a claimed unit carries (serializable). */
interface DirectoryRef {
  path: string;
  size: number;
  mtimeMs: number;
  claimedAt: number;
}

interface Observation {
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  since: number;
}

export class DirectorySource implements SourceConnector {
  readonly kind = 'directory';
  /** A file is read whole: no cursor. */
  readonly resumes = false;
  private readonly dir: string;
  private readonly archiveDir: string;
  private readonly rejectedDir: string;
  private readonly processingDir: string;
  private readonly matches: (name: string) => boolean;
  private readonly seen = new Map<string, Observation>();
  /** Files the last claim left because they had not settled yet. */
  private unsettled: { name: string; reason: string }[] = [];
  /** Names whose claim failed, reported once each (until the file is gone or claimed). */
  private readonly reported = new Set<string>();

  constructor(
    private readonly o: DirectorySourceOptions,
    private readonly ctx: ConnectorContext,
  ) {
    this.dir = resolve(o.path);
    this.archiveDir = resolve(o.archiveDir ?? join(this.dir, 'archive'));
    this.rejectedDir = resolve(o.rejectedDir ?? join(this.dir, 'rejected'));
    this.processingDir = resolve(o.processingDir ?? join(this.dir, '.processing'));
    this.matches = candidateMatcher(o.pattern);
  }

  async check(): Promise<CheckResult> {
    try {
      const st = await stat(this.dir);
      if (!st.isDirectory()) return { ok: false, detail: `${this.dir} is not a folder` };
      const names = (await readdir(this.dir, { withFileTypes: true })).filter((e) => e.isFile() && this.matches(e.name));
      await makeDirs(this.processingDir);
      const pst = await stat(this.processingDir);
      if (pst.dev !== st.dev) {
        return {
          ok: false,
          detail: `processingDir ${this.processingDir} is on another filesystem than ${this.dir}: claims must be atomic renames, put it on the same filesystem`,
        };
      }
      const probe = join(this.processingDir, `.check-${randomBytes(4).toString('hex')}.tmp`);
      await writeFile(probe, '');
      await unlink(probe);
      return { ok: true, detail: `${this.dir} is readable and writable; ${names.length} file(s) match "${this.o.pattern}"` };
    } catch (err) {
      return { ok: false, detail: `${this.dir}: ${(err as Error).message}` };
    }
  }

  async claim(): Promise<SourceUnit[]> {
    const now = Date.now();
    try {
      // The folder itself is never created: a missing mount must fail, not turn into an empty local folder.
      if (!(await stat(this.dir)).isDirectory()) throw Object.assign(new Error('not a folder'), { code: 'ENOTDIR' });
    } catch (err) {
      throw sourceFsError(this.ctx.id, 'list', this.dir, err);
    }
    try {
      await makeDirs(this.processingDir);
    } catch (err) {
      throw sourceFsError(this.ctx.id, 'create folder', this.processingDir, err);
    }
    const units = await this.reclaimStale(now);

    let entries;
    try {
      // As bytes: a name that is not UTF-8 must still be found, renamed and reported.
      entries = await readdir(this.dir, { withFileTypes: true, encoding: 'buffer' });
    } catch (err) {
      throw sourceFsError(this.ctx.id, 'list', this.dir, err);
    }
    const dirBytes = Buffer.from(this.dir + sep);
    const candidates: { name: string; path: Buffer; valid: boolean; size: number; mtimeMs: number }[] = [];
    const present = new Set<string>();
    const unsettled: { name: string; reason: string }[] = [];
    for (const e of entries) {
      const { name, valid } = displayName(e.name);
      if (!e.isFile() || !this.matches(name)) continue;
      present.add(name);
      const full = Buffer.concat([dirBytes, e.name]);
      let st;
      try {
        st = await stat(full);
      } catch {
        continue; // gone since the listing
      }
      if (this.isStable(name, st, now)) candidates.push({ name, path: full, valid, size: st.size, mtimeMs: st.mtimeMs });
      else unsettled.push({ name, reason: `not settled yet: changed ${Math.max(0, Math.round(now - Math.max(st.mtimeMs, st.ctimeMs)))} ms ago, stableMs is ${this.o.stableMs}; a later run takes it` });
    }
    this.unsettled = unsettled;
    for (const name of this.seen.keys()) if (!present.has(name)) this.seen.delete(name);
    for (const name of this.reported) if (!present.has(name)) this.reported.delete(name);
    candidates.sort((a, b) => a.mtimeMs - b.mtimeMs || (a.name < b.name ? -1 : 1));

    const failures: unknown[] = [];
    for (const c of candidates) {
      if (units.length >= this.o.maxFilesPerClaim) break;
      const target = join(this.processingDir, claimedName(c.name, now));
      try {
        await rename(c.path, target);
      } catch (err) {
        if (!isErrno(err, 'ENOENT')) failures.push({ name: c.name, error: sourceFsError(this.ctx.id, 'claim (rename)', join(this.dir, c.name), err) });
        continue; // ENOENT: another process claimed it first
      }
      this.seen.delete(c.name);
      this.reported.delete(c.name);
      const st = await stat(target);
      const unit = this.unit(c.name, target, st.size, st.mtimeMs, now);
      if (!c.valid) {
        this.ctx.log.warn({ file: c.name }, 'directory: a file name is not valid UTF-8; it is set aside in the rejected folder');
        units.push({ ...unit, refused: { code: 'HUB_ERR_SOURCE_FILE_NAME', params: { connector: this.ctx.id, name: JSON.stringify(c.name), reason: 'it is not valid UTF-8 (its invalid bytes are shown as %XX, the name it was set aside under)' } } });
      } else units.push(unit);
    }
    // Each file that cannot be claimed is reported once (it is tried again on every run, quietly); a
    // run that could claim nothing at all, for a new reason, fails with the first one.
    const fresh = (failures as { name: string; error: HubError }[]).filter((f) => !this.reported.has(f.name));
    for (const f of fresh) {
      this.reported.add(f.name);
      this.ctx.log.error({ file: f.name, code: f.error.code, err: f.error.message }, 'directory: could not claim a file (reported once; tried again on every run)');
    }
    if (fresh.length > 0 && units.length === 0 && failures.length === candidates.length) throw fresh[0]!.error;
    return units;
  }

  notReady(): { name: string; reason: string }[] {
    return this.unsettled;
  }

  async *read(unit: SourceUnit, _resumeFrom: string | null): AsyncIterable<SourcePart> {
    const ref = unit.ref as unknown as DirectoryRef;
    let handle;
    try {
      handle = await open(ref.path, 'r');
    } catch (err) {
      if (isErrno(err, 'ENOENT')) {
        throw new HubError('HUB_ERR_CONNECTOR_UNIT_MISSING', { connector: this.ctx.id, unit: unit.name, path: ref.path });
      }
      throw sourceFsError(this.ctx.id, 'open', ref.path, err);
    }
    yield { stream: handle.createReadStream(), name: unit.name };
  }

  /**
   * Put a file in the drop folder, as a sender would (a corrected export an administrator sends from
   * the console): written to a hidden temporary file in the folder, fsynced, then linked under its
   * name, which fails if the name is taken, so a file is never overwritten and never seen half
   * written. The next run takes it once it has been still for `stableMs`. `name` must be a plain name
   * (droppedNameProblem) that the connector's pattern takes, else HUB_ERR_REQUEST_INVALID; a file of
   * that name already in the folder: HUB_ERR_STATE_CONFLICT.
   */
  async drop(name: string, body: Buffer): Promise<{ file: string; path: string }> {
    const problem = droppedNameProblem(name);
    if (problem) throw new HubError('HUB_ERR_REQUEST_INVALID', { reason: `The file name ${problem}` });
    if (!this.matches(name)) {
      throw new HubError('HUB_ERR_REQUEST_INVALID', { reason: `The file name does not match the pattern of connector ${this.ctx.id} ("${this.o.pattern}"; names ending in .tmp, .part or .filepart never do): it would never be read` });
    }
    const target = join(this.dir, name);
    const tmp = join(this.dir, `.cgic-drop-${randomBytes(8).toString('hex')}.tmp`);
    try {
      if (!(await stat(this.dir)).isDirectory()) throw Object.assign(new Error('not a folder'), { code: 'ENOTDIR' });
    } catch (err) {
      throw sourceFsError(this.ctx.id, 'list', this.dir, err);
    }
    try {
      const fh = await open(tmp, 'wx', 0o640);
      try {
        await fh.writeFile(body);
        await fh.sync();
      } finally {
        await fh.close();
      }
      await placeNew(tmp, target);
    } catch (err) {
      await unlink(tmp).catch(() => {});
      if (isErrno(err, 'EEXIST')) {
        throw new HubError('HUB_ERR_STATE_CONFLICT', { reason: `A file named "${name}" is already in the drop folder of connector ${this.ctx.id}, waiting to be read: it is not replaced. Send the corrected file under another name the pattern takes, or once the waiting one has been read` });
      }
      throw sourceFsError(this.ctx.id, 'write', target, err);
    }
    await unlink(tmp).catch(() => {});
    await syncDir(this.dir);
    this.ctx.log.info({ file: name, bytes: body.length }, 'directory: file dropped through the API');
    return { file: name, path: target };
  }

  async ack(unit: SourceUnit): Promise<void> {
    const ref = unit.ref as unknown as DirectoryRef;
    const moved = await this.moveAside(unit, this.archiveDir, 'archive');
    if (moved) this.ctx.log.info({ unit: unit.id, file: unit.name, to: moved, size: ref.size }, 'directory: archived');
  }

  /** Back into the drop folder under its own name (a dry run read it); never over a newer file of that name. */
  async release(unit: SourceUnit): Promise<void> {
    const ref = unit.ref as unknown as DirectoryRef;
    let target = join(this.dir, unit.name);
    if (await stat(target).then(() => true, () => false)) target = join(this.dir, `${unit.name}.released-${Date.now()}`);
    try {
      await rename(ref.path, target);
    } catch (err) {
      if (!isErrno(err, 'ENOENT')) throw sourceFsError(this.ctx.id, 'release (rename)', ref.path, err);
    }
    this.ctx.log.info({ unit: unit.id, file: unit.name }, 'directory: released (dry run)');
  }

  async reject(unit: SourceUnit, errors: unknown[]): Promise<SourceUnit | null> {
    const moved = await this.moveAside(unit, this.rejectedDir, 'reject');
    if (!moved) return null;
    const errorsFile = join(dirname(moved), errorsFileName(basename(moved)));
    const tmp = join(dirname(errorsFile), `.${randomBytes(4).toString('hex')}.errors.json.tmp`);
    try {
      await writeFile(tmp, errorsJson(errors), { flag: 'wx' });
      await rename(tmp, errorsFile);
    } catch (err) {
      await unlink(tmp).catch(() => {});
      throw sourceFsError(this.ctx.id, 'write', errorsFile, err);
    }
    this.ctx.log.warn({ unit: unit.id, file: unit.name, to: moved, errors: errors.length }, 'directory: rejected');
    const { refused: _refused, ...kept } = unit;
    return { ...kept, ref: { ...unit.ref, path: moved, rejected: true } };
  }

  /** A file `reject` set aside, claimed again from the rejected folder (a replay); its errors file goes. */
  async restore(unit: SourceUnit): Promise<SourceUnit> {
    const ref = unit.ref as unknown as DirectoryRef;
    const now = Date.now();
    const target = join(this.processingDir, claimedName(unit.name, now));
    try {
      await makeDirs(this.processingDir);
      await rename(ref.path, target);
    } catch (err) {
      if (isErrno(err, 'ENOENT')) throw new HubError('HUB_ERR_CONNECTOR_UNIT_MISSING', { connector: this.ctx.id, unit: unit.name, path: ref.path });
      throw sourceFsError(this.ctx.id, 'restore (rename)', ref.path, err);
    }
    await unlink(join(dirname(ref.path), errorsFileName(basename(ref.path)))).catch(() => {});
    const st = await stat(target);
    this.ctx.log.info({ unit: unit.id, file: unit.name }, 'directory: claimed again from the rejected folder (replay)');
    return this.unit(unit.name, target, st.size, st.mtimeMs, now);
  }

  /** Re-offer files a crashed process left in processingDir, under a fresh claim (atomic, like any claim). */
  private async reclaimStale(now: number): Promise<SourceUnit[]> {
    const units: SourceUnit[] = [];
    let names: string[];
    try {
      names = await readdir(this.processingDir);
    } catch (err) {
      throw sourceFsError(this.ctx.id, 'list', this.processingDir, err);
    }
    for (const name of names.sort()) {
      if (units.length >= this.o.maxFilesPerClaim) break;
      const parsed = parseClaimedName(name);
      if (!parsed || now - parsed.claimedAtMs < this.o.reclaimAfterMs) continue;
      const from = join(this.processingDir, name);
      const to = join(this.processingDir, claimedName(parsed.originalName, now));
      try {
        await rename(from, to);
      } catch {
        continue; // another process re-claimed it first
      }
      const st = await stat(to);
      this.ctx.log.warn(
        { file: parsed.originalName, claimedAt: new Date(parsed.claimedAtMs).toISOString() },
        'directory: re-offering a file left in processing by a process that did not finish it',
      );
      units.push(this.unit(parsed.originalName, to, st.size, st.mtimeMs, now));
    }
    return units;
  }

  private unit(name: string, path: string, size: number, mtimeMs: number, claimedAt: number): SourceUnit {
    const ref: DirectoryRef = { path, size, mtimeMs, claimedAt };
    return { id: fileUnitId(name, size, mtimeMs), name, ref: { ...ref } };
  }

  /**
   * Ready when unchanged for stableMs: by the clock (newest of mtime and ctime, which no writer can
   * set back) or, when clocks disagree (a share with its own clock), across this process's looks.
   */
  private isStable(name: string, st: { size: number; mtimeMs: number; ctimeMs: number }, now: number): boolean {
    if (this.o.stableMs === 0) return true;
    const prev = this.seen.get(name);
    let obs = prev;
    if (!prev || prev.size !== st.size || prev.mtimeMs !== st.mtimeMs || prev.ctimeMs !== st.ctimeMs) {
      obs = { size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs, since: now };
      this.seen.set(name, obs);
    }
    const age = now - Math.max(st.mtimeMs, st.ctimeMs);
    return age >= this.o.stableMs || now - obs!.since >= this.o.stableMs;
  }

  /** Move the claimed file into `dir` under its original name, never overwriting; null when it is already gone. */
  private async moveAside(unit: SourceUnit, dir: string, what: string): Promise<string | null> {
    const ref = unit.ref as unknown as DirectoryRef;
    try {
      await makeDirs(dir);
      return await moveNoOverwrite(ref.path, dir, unit.name);
    } catch (err) {
      if (isErrno(err, 'ENOENT') && !(await exists(dir))) throw sourceFsError(this.ctx.id, what, dir, err);
      if (isErrno(err, 'ENOENT')) {
        this.ctx.log.warn(
          { unit: unit.id, file: unit.name, path: ref.path },
          `directory: ${what}: the claimed file is already gone (moved before, or re-claimed by another process)`,
        );
        return null;
      }
      throw sourceFsError(this.ctx.id, what, ref.path, err);
    }
  }
}

async function exists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch {
    return false;
  }
}

/**
 * Move `src` into `dir` as `name`, or `name` with a timestamp when taken: a hard link never replaces
 * an existing name (rename would), then the old name goes. Across filesystems (or where hard links
 * are not supported) it copies with COPYFILE_EXCL, which never replaces either.
 */
export async function moveNoOverwrite(src: string, dir: string, name: string): Promise<string> {
  const now = new Date();
  for (let attempt = 0; attempt < 1000; attempt++) {
    const target = join(dir, collisionName(name, attempt, now));
    try {
      await link(src, target);
    } catch (err) {
      if (isErrno(err, 'EEXIST')) continue;
      if (!isErrno(err, 'EXDEV', 'EPERM', 'ENOTSUP', 'ENOSYS', 'EOPNOTSUPP', 'EMLINK')) throw err;
      try {
        await copyFile(src, target, fsc.COPYFILE_EXCL);
      } catch (copyErr) {
        if (isErrno(copyErr, 'EEXIST')) continue;
        throw copyErr;
      }
    }
    await unlink(src);
    return target;
  }
  throw new Error(`no free name for ${name} in ${dir}`);
}

/**
 * `tmp` under the name `target`, never over an existing file: a hard link fails with EEXIST when the
 * name is taken. Where the filesystem has no hard links (some network shares), a rename after a check
 * that the name is free (a sender writing that very name at the same instant could be replaced).
 */
async function placeNew(tmp: string, target: string): Promise<void> {
  try {
    await link(tmp, target);
    return;
  } catch (err) {
    if (!isErrno(err, 'EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EMLINK')) throw err;
  }
  if (await lstat(target).then(() => true, (e: unknown) => (isErrno(e, 'ENOENT') ? false : Promise.reject(e)))) {
    throw Object.assign(new Error(`${target} exists`), { code: 'EEXIST' });
  }
  await rename(tmp, target);
}

/** Make a new name in a folder durable; some filesystems cannot fsync a folder, which is fine. */
async function syncDir(dir: string): Promise<void> {
  let fh;
  try {
    fh = await open(dir, 'r');
    await fh.sync();
  } catch {
    // not durable on this filesystem: nothing more to do
  } finally {
    await fh?.close().catch(() => {});
  }
}
