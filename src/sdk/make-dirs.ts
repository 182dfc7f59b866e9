/**
 * `mkdir -p` that fails instead of hanging.
 *
 * Node's own recursive mkdir (`mkdirSync(dir, { recursive: true })`, and `mkdir` of fs/promises) retries
 * for ever where the kernel answers ENOENT for a folder whose parent exists, as procfs and sysfs do
 * (`/proc/anything`): a hub whose data folder or drop folder was configured there hung at start with
 * no message. These walk up to the nearest existing ancestor and create each missing level once, so
 * such a path fails with the system's own error (ENOENT, EACCES, ENOTDIR, EROFS), which callers report
 * with the path and the setting it came from.
 */
import { mkdirSync, statSync } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';

const code = (err: unknown): unknown => (err as NodeJS.ErrnoException | null)?.code;

function existsError(dir: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`EEXIST: file already exists, mkdir '${dir}'`), { code: 'EEXIST', errno: -17, syscall: 'mkdir', path: dir });
}

/** The folders to create, outermost first: `dir` and its missing ancestors. */
function missingLevels(dir: string, isDir: (d: string) => boolean | undefined): string[] {
  const missing: string[] = [];
  for (let d = path.resolve(dir); ; ) {
    const found = isDir(d);
    if (found === false && d === path.resolve(dir)) throw existsError(d);
    if (found !== undefined) break; // an existing ancestor (a file there makes the next mkdir fail with ENOTDIR)
    missing.push(d);
    const up = path.dirname(d);
    if (up === d) break;
    d = up;
  }
  return missing.reverse();
}

/** Create `dir` and its missing parents (with `mode`), like `mkdirSync(dir, { recursive: true, mode })`. */
export function makeDirsSync(dir: string, mode?: number): void {
  const isDir = (d: string): boolean | undefined => {
    try {
      return statSync(d).isDirectory();
    } catch (err) {
      if (code(err) === 'ENOENT') return undefined;
      throw err;
    }
  };
  for (const d of missingLevels(dir, isDir)) {
    try {
      mkdirSync(d, mode === undefined ? undefined : { mode });
    } catch (err) {
      if (code(err) !== 'EEXIST' || !isDir(d)) throw err; // made meanwhile by another process: fine
    }
  }
}

/** Create `dir` and its missing parents (with `mode`), like `mkdir(dir, { recursive: true, mode })`. */
export async function makeDirs(dir: string, mode?: number): Promise<void> {
  const known = new Map<string, boolean | undefined>();
  const probe = async (d: string): Promise<boolean | undefined> => {
    try {
      return (await stat(d)).isDirectory();
    } catch (err) {
      if (code(err) === 'ENOENT') return undefined;
      throw err;
    }
  };
  // Walk up asynchronously first, then decide with what was seen.
  for (let d = path.resolve(dir); ; ) {
    const found = await probe(d);
    known.set(d, found);
    const up = path.dirname(d);
    if (found !== undefined || up === d) break;
    d = up;
  }
  for (const d of missingLevels(dir, (d) => known.get(d))) {
    try {
      await mkdir(d, mode === undefined ? undefined : { mode });
    } catch (err) {
      if (code(err) !== 'EEXIST' || !(await probe(d))) throw err;
    }
  }
}
