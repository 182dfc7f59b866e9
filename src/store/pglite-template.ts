/**
 * How the embedded store makes a new database: by copying a template made once per machine.
 *
 * PGlite's own way (initdb) needs two PostgreSQL instances of at least 128 MiB of WebAssembly memory
 * each, a 128 MiB copy of one to restart it between initdb's steps, and a tarball of the new 39 MB
 * data folder: about 600 MiB, whatever the hub does next (`npm run bench:footprint` prints it). A copy
 * of a data folder PGlite made earlier and shut down cleanly is the same database, made with no
 * PostgreSQL running; opening it is a restart.
 *
 * The template is made by `npm install` (the `postinstall` script runs `prepareTemplate`), so a
 * laptop's first `npm start` pays for a copy, not for initdb. It lives under
 * `node_modules/.cache/cgic-hub-pglite/<key>`, the key naming PGlite's version and the initdb
 * parameters, so an upgrade of PGlite or a change of parameters makes a new one. Without a template
 * (installed with `--ignore-scripts`) the first new database makes it; where it cannot be written
 * (a read-only install), initdb runs on the data folder itself, as before.
 *
 * initdb always runs in a child process that ends once the database is made: the memory above is
 * garbage then, but V8 collected it only when the hub's small heap next needed it (a hub idled at
 * 820 MiB after its first start), and a worker thread kept about 170 MiB of it in the allocator.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { closeSync, copyFileSync, existsSync, fsyncSync, openSync, readdirSync, readFileSync, renameSync, rmdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { makeDirsSync } from '../sdk/make-dirs.ts';

/**
 * V8 compiles PGlite's WebAssembly (an 8.7 MB module: PostgreSQL) with its baseline compiler only.
 * By default it also recompiles the functions it finds hot with its optimizing compiler, on background
 * threads whose memory the allocator keeps afterwards: about 40 MiB more resident memory after a
 * start, and 120 MiB more at the peak of creating a database, for no gain measured in the store's
 * work (an insert of 100,000 JSON rows, a scan and 2,000 lookups took as long or less). The flag is
 * the process's: it applies to any WebAssembly compiled after the embedded store is opened.
 */
export const WASM_FLAGS = ['--liftoff-only'];

/**
 * PostgreSQL's buffer cache inside PGlite. PGlite's own default (about 160 MB) is allocated and zeroed
 * in its WebAssembly memory at every start, and a WebAssembly memory never gives memory back: it was
 * most of the embedded store's resident memory. The cache only saves reads of pages the operating
 * system still has cached; a smaller one changes no guarantee (PGlite's durability settings are
 * kept as they are: the start parameters below are PGlite's own, plus this one).
 */
export const PGLITE_SHARED_BUFFERS = '16MB';

/** What the hub adds to PGlite's own start parameters (which it keeps), and to initdb's. */
export const EXTRA_START_PARAMS = ['-c', `shared_buffers=${PGLITE_SHARED_BUFFERS}`];
/** initdb runs with the same cache, and writes it in postgresql.conf. */
export const INITDB_PARAMS = ['--set', `shared_buffers=${PGLITE_SHARED_BUFFERS}`];

const require = createRequire(import.meta.url);

/** PGlite's entry module (…/node_modules/@electric-sql/pglite/dist/index.cjs). */
function pgliteEntry(): string {
  return require.resolve('@electric-sql/pglite');
}

/** Where templates are kept: `node_modules/.cache/cgic-hub-pglite` beside PGlite's own package. */
export function defaultTemplatesDir(): string | null {
  const nodeModules = path.resolve(pgliteEntry(), '../../../..');
  return path.basename(nodeModules) === 'node_modules' ? path.join(nodeModules, '.cache', 'cgic-hub-pglite') : null;
}

/** The template's name: PGlite's version and the initdb parameters, so either change makes another. */
export function templateKey(): string {
  const { version } = JSON.parse(readFileSync(path.resolve(pgliteEntry(), '../../package.json'), 'utf8')) as { version: string };
  const params = createHash('sha256').update(JSON.stringify(INITDB_PARAMS)).digest('hex').slice(0, 12);
  return `${version}-${params}`;
}

/** PGlite's initdb on `dataDir`, in a child process (see the module's comment). */
export async function initdbInChild(dataDir: string): Promise<void> {
  const args = JSON.stringify({ pglite: pathToFileURL(pgliteEntry()).href, dataDir, startParams: EXTRA_START_PARAMS, initDbStartParams: INITDB_PARAMS });
  const code = `const w = JSON.parse(process.argv[1]);
const { PGlite } = await import(w.pglite);
const pg = await PGlite.create(w.dataDir, { startParams: [...PGlite.defaultStartParams, ...w.startParams], initDbStartParams: w.initDbStartParams });
await pg.close();`;
  const child = spawn(process.execPath, [...WASM_FLAGS, '--input-type=module', '-e', code, args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
  const [status, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
  if (status !== 0) throw new Error(`creating the database failed (${signal ?? `exit code ${status}`}): ${stderr.trim()}`);
}

/** Copy a folder, every file written to disk before this returns (PostgreSQL expects its files durable). */
function copyDurably(from: string, to: string): void {
  makeDirsSync(to, 0o700);
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    const src = path.join(from, entry.name);
    const dst = path.join(to, entry.name);
    if (entry.isDirectory()) {
      copyDurably(src, dst);
    } else {
      copyFileSync(src, dst);
      const fd = openSync(dst, 'r+'); // writable: Windows flushes only a handle that may write
      try {
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
    }
  }
}

function isEmptyDir(dir: string): boolean {
  return statSync(dir).isDirectory() && readdirSync(dir).length === 0;
}

/**
 * The template's data folder under `templatesDir`, made first if it is not there (initdb in a child
 * process, into a scratch folder renamed into place: two processes making it at once both succeed,
 * and a crash leaves no half-made template). Templates of other keys, older than an hour, are removed.
 */
export async function prepareTemplate(templatesDir: string): Promise<string> {
  const key = templateKey();
  const dir = path.join(templatesDir, key);
  const data = path.join(dir, 'data');
  if (existsSync(path.join(dir, 'complete'))) {
    if (existsSync(path.join(data, 'PG_VERSION'))) return data;
    rmSync(dir, { recursive: true, force: true }); // emptied by hand or by a cleaner: made again
  }
  makeDirsSync(templatesDir);
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  try {
    makeDirsSync(tmp);
    await initdbInChild(path.join(tmp, 'data'));
    writeFileSync(path.join(tmp, 'complete'), `${new Date().toISOString()}\n`);
    try {
      renameSync(tmp, dir);
    } catch (err) {
      // Another process made the same template first: use its copy.
      if (!existsSync(path.join(dir, 'complete'))) throw err;
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  const hourAgo = Date.now() - 3600_000;
  for (const e of readdirSync(templatesDir)) {
    const p = path.join(templatesDir, e);
    try {
      if (e !== key && statSync(p).mtimeMs < hourAgo) rmSync(p, { recursive: true, force: true });
    } catch {
      // removed meanwhile by another process doing the same
    }
  }
  return data;
}

/** How `createDatabase` made the database. */
export type CreatedFrom = 'template' | 'initdb';

/**
 * Make a new database in `dataDir` (absent, or an empty folder; the caller holds its lock): a copy of
 * the template (made first if needed), written to a scratch folder beside `dataDir` and renamed into
 * place, so a crash midway leaves no half-made database. Where there is no template folder (`templatesDir` null, or it
 * cannot be written) or `dataDir` holds other files, PGlite's initdb runs on `dataDir` itself.
 */
export async function createDatabase(dataDir: string, templatesDir: string | null = defaultTemplatesDir()): Promise<CreatedFrom> {
  const fresh = !existsSync(dataDir) || isEmptyDir(dataDir);
  let template: string | undefined;
  if (fresh && templatesDir) {
    try {
      template = await prepareTemplate(templatesDir);
    } catch {
      template = undefined; // a read-only install: initdb below, as PGlite does it
    }
  }
  if (!template) {
    await initdbInChild(dataDir);
    return 'initdb';
  }
  // The caller holds the data folder's lock: a scratch folder beside it is a crashed creation's.
  const prefix = `${path.basename(dataDir)}.creating-`;
  for (const e of readdirSync(path.dirname(dataDir))) if (e.startsWith(prefix)) rmSync(path.join(path.dirname(dataDir), e), { recursive: true, force: true });
  const scratch = `${dataDir}.creating-${process.pid}`;
  try {
    copyDurably(template, scratch);
    if (existsSync(dataDir)) rmdirSync(dataDir);
    renameSync(scratch, dataDir);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return 'template';
}
