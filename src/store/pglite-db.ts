/**
 * `Db` over PGlite: PostgreSQL compiled to WebAssembly, running inside this process on a data
 * directory (or `memory://`). It is the zero-setup default store for one hub process.
 *
 * PGlite is a single connection, so this driver keeps one mutex per PGlite instance: a transaction
 * holds it from BEGIN to COMMIT, and a statement outside a transaction waits for it, so concurrent
 * callers never interleave statements inside another caller's transaction. Several `PgliteDb`
 * wrappers may share one instance (each with its own schema); the driver switches `search_path` when
 * the mutex passes from one to another.
 *
 * A data directory belongs to one process: a lock file beside it (`<dataDir>.lock`, holding the pid)
 * makes a second process (or a second open in this one) fail with HUB_ERR_STORE_LOCKED instead of
 * corrupting it. A lock file left by a process that no longer runs is taken over.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { existsSync, openSync, readFileSync, rmSync, writeSync, closeSync } from 'node:fs';
import path from 'node:path';
import v8 from 'node:v8';
import type { PGlite, Transaction } from '@electric-sql/pglite';
import { HubError } from '../errors/hub-error.ts';
import { Mutex } from './mutex.ts';
import { createDatabase, EXTRA_START_PARAMS, INITDB_PARAMS, WASM_FLAGS } from './pglite-template.ts';
import { inSavepoint, quoteSchema, toStoreError, type Db, storableParams } from './db.ts';
import { makeDirsSync } from '../sdk/make-dirs.ts';

export interface PgliteDbOptions {
  /** Data directory, resolved from the current directory, or `memory://` for a throw-away database. @defaultValue `var/pglite` */
  dataDir?: string;
  /** Schema to work in (`search_path`). @defaultValue `public` */
  schema?: string;
}

export const DEFAULT_DATA_DIR = 'var/pglite';

/** Per PGlite instance: the mutex and the search_path currently set on its one session. */
interface InstanceState {
  readonly mutex: Mutex;
  searchPath: string | undefined;
}
const instances = new WeakMap<PGlite, InstanceState>();

/** Marks the async call chain running inside an exclusive section, to catch a forgotten `tx`. */
interface Section {
  readonly state: InstanceState;
  active: boolean;
}
const sectionContext = new AsyncLocalStorage<Section>();

/** Lock files this process holds (absolute paths). */
const heldLocks = new Set<string>();

function isMemory(dataDir: string): boolean {
  return dataDir.startsWith('memory://');
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function acquireDirLock(dataDir: string): string {
  const lockFile = `${dataDir}.lock`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lockFile, 'wx');
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      heldLocks.add(lockFile);
      return lockFile;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new HubError('HUB_ERR_STORE_UNAVAILABLE', { target: dataDir, reason: (err as Error).message }, undefined, { cause: err });
      }
      const pid = Number.parseInt(readFileSync(lockFile, 'utf8').trim(), 10);
      const held = Number.isInteger(pid) && (pid === process.pid ? heldLocks.has(lockFile) : processAlive(pid));
      if (held) throw new HubError('HUB_ERR_STORE_LOCKED', { dataDir, pid, lockFile });
      rmSync(lockFile, { force: true }); // stale: its process is gone
    }
  }
  throw new HubError('HUB_ERR_STORE_LOCKED', { dataDir, pid: 'unknown', lockFile });
}

function releaseDirLock(lockFile: string | undefined): void {
  if (!lockFile) return;
  heldLocks.delete(lockFile);
  rmSync(lockFile, { force: true });
}

class PgliteTx implements Db {
  readonly kind = 'pglite' as const;
  constructor(
    private readonly tx: Transaction,
    readonly schema: string | undefined,
    private readonly target: string,
  ) {}

  async query<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<T[]> {
    try {
      const result = await this.tx.query<T>(sql, storableParams(params));
      return result.rows;
    } catch (err) {
      throw toStoreError(err, this.target);
    }
  }

  async exec(sql: string): Promise<void> {
    try {
      await this.tx.exec(sql);
    } catch (err) {
      throw toStoreError(err, this.target);
    }
  }

  transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
    return inSavepoint(this, fn);
  }

  async close(): Promise<void> {}
}

export class PgliteDb implements Db {
  readonly kind = 'pglite' as const;
  readonly schema: string | undefined;
  /** The data directory (absolute), or `memory://...`, or `(shared instance)`. */
  readonly target: string;
  readonly #pg: PGlite;
  readonly #state: InstanceState;
  readonly #owns: boolean;
  readonly #lockFile: string | undefined;
  #closed = false;

  private constructor(pg: PGlite, schema: string | undefined, target: string, owns: boolean, lockFile: string | undefined) {
    if (schema !== undefined) quoteSchema(schema);
    this.#pg = pg;
    this.schema = schema;
    this.target = target;
    this.#owns = owns;
    this.#lockFile = lockFile;
    let state = instances.get(pg);
    if (!state) {
      state = { mutex: new Mutex(), searchPath: undefined };
      instances.set(pg, state);
    }
    this.#state = state;
  }

  /** Open (creating if needed) the database at `dataDir`. */
  static async open(options: PgliteDbOptions = {}): Promise<PgliteDb> {
    if (options.schema !== undefined) quoteSchema(options.schema);
    const raw = options.dataDir ?? DEFAULT_DATA_DIR;
    const dataDir = isMemory(raw) ? raw : path.resolve(raw);
    let lockFile: string | undefined;
    if (!isMemory(dataDir)) {
      try {
        makeDirsSync(path.dirname(dataDir));
      } catch (err) {
        throw new HubError('HUB_ERR_STORE_UNAVAILABLE', { target: dataDir, reason: (err as Error).message }, undefined, { cause: err });
      }
      lockFile = acquireDirLock(dataDir);
    }
    try {
      // Loaded here, not at the top: a hub on PostgreSQL never loads PGlite (its module alone is tens of MiB).
      for (const flag of WASM_FLAGS) v8.setFlagsFromString(flag);
      const { PGlite } = await import('@electric-sql/pglite');
      if (!isMemory(dataDir) && !existsSync(path.join(dataDir, 'PG_VERSION'))) await createDatabase(dataDir);
      const pg = await PGlite.create(dataDir, { startParams: [...PGlite.defaultStartParams, ...EXTRA_START_PARAMS], initDbStartParams: INITDB_PARAMS });
      return new PgliteDb(pg, options.schema, dataDir, true, lockFile);
    } catch (err) {
      releaseDirLock(lockFile);
      throw new HubError('HUB_ERR_STORE_UNAVAILABLE', { target: dataDir, reason: (err as Error).message ?? String(err) }, undefined, { cause: err });
    }
  }

  /** Use an instance opened elsewhere (tests share one across schemas); close() leaves it open. */
  static wrap(pg: PGlite, options: { schema?: string } = {}): PgliteDb {
    return new PgliteDb(pg, options.schema, '(shared PGlite instance)', false, undefined);
  }

  /** Run `fn` holding the instance's mutex, with this wrapper's search_path in effect. */
  async #exclusive<T>(fn: () => Promise<T>): Promise<T> {
    if (this.#closed) throw new HubError('HUB_ERR_STORE_UNAVAILABLE', { target: this.target, reason: 'the store is closed' });
    const current = sectionContext.getStore();
    if (current?.active && current.state === this.#state) throw new HubError('HUB_ERR_STORE_TX_MISUSE');
    return this.#state.mutex.run(async () => {
      const section: Section = { state: this.#state, active: true };
      try {
        return await sectionContext.run(section, async () => {
          await this.#applySearchPath();
          return await fn();
        });
      } finally {
        section.active = false;
      }
    });
  }

  async #applySearchPath(): Promise<void> {
    if (this.#state.searchPath === this.schema) return;
    try {
      await this.#pg.exec(this.schema === undefined ? 'RESET search_path' : `SET search_path TO ${quoteSchema(this.schema)}`);
    } catch (err) {
      throw toStoreError(err, this.target);
    }
    this.#state.searchPath = this.schema;
  }

  query<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<T[]> {
    return this.#exclusive(async () => {
      try {
        const result = await this.#pg.query<T>(sql, storableParams(params));
        return result.rows;
      } catch (err) {
        throw toStoreError(err, this.target);
      }
    });
  }

  exec(sql: string): Promise<void> {
    return this.#exclusive(async () => {
      try {
        await this.#pg.exec(sql);
      } catch (err) {
        throw toStoreError(err, this.target);
      }
    });
  }

  transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
    return this.#exclusive(async () => {
      let fromFn: { error: unknown } | undefined;
      try {
        return await this.#pg.transaction(async (tx) => {
          try {
            return await fn(new PgliteTx(tx, this.schema, this.target));
          } catch (error) {
            fromFn = { error };
            throw error;
          }
        });
      } catch (err) {
        // The callback's own errors pass through untouched; BEGIN/COMMIT failures are mapped.
        throw fromFn && fromFn.error === err ? err : toStoreError(err, this.target);
      }
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    if (this.#owns) {
      await this.#state.mutex.run(async () => {
        this.#closed = true;
        await this.#pg.close();
      });
      releaseDirLock(this.#lockFile);
    }
    this.#closed = true;
  }
}
