/**
 * Runs a store test suite against both backends, each test in a freshly created schema that is
 * dropped afterwards:
 * - `pglite`: one in-memory PGlite instance per test file, a schema per test;
 * - `postgres`: the real server at TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres).
 * The PostgreSQL half FAILS (it never skips) when the server cannot be reached.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import pg from 'pg';
import { PGlite } from '@electric-sql/pglite';
import { PgliteDb } from '../../../src/store/pglite-db.ts';
import { openStore } from '../../../src/store/open-store.ts';
import { Store } from '../../../src/store/store.ts';
import type { Db } from '../../../src/store/db.ts';

export type BackendName = 'pglite' | 'postgres';
export const BACKENDS: readonly BackendName[] = ['pglite', 'postgres'];

export const PG_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export function freshSchemaName(): string {
  return `store_test_${randomBytes(6).toString('hex')}`;
}

/** Fails with a message that says what to do, instead of skipping. */
export async function assertPostgresReachable(): Promise<void> {
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (err) {
    throw new Error(
      `PostgreSQL is not reachable at ${PG_URL} (${(err as Error).message}). The store suite runs against a real ` +
        'PostgreSQL 15+ and does not skip: start it on 127.0.0.1:5432 with trust auth for user postgres, ' +
        'or point TEST_DATABASE_URL at a server where this user may create schemas.',
    );
  } finally {
    await client.end().catch(() => {});
  }
}

export interface BackendContext {
  readonly name: BackendName;
  /** The store of the current test, on its own fresh schema. */
  store: Store;
  schema: string;
  /** Another store on the same database and schema (a second process, as far as PostgreSQL goes). */
  openAnother(): Promise<Store>;
  /** A Db on a brand-new schema that is NOT migrated yet (dropped after the test). */
  openUnmigrated(schema?: string): Promise<Db>;
}

/** Register the hooks of one backend in the enclosing `describe` and return its per-test context. */
export function useBackend(name: BackendName): BackendContext {
  let shared: PGlite | undefined;
  const opened: Array<{ close(): Promise<void> }> = [];
  const schemas: string[] = [];

  const ctx: BackendContext = {
    name,
    store: undefined as unknown as Store,
    schema: '',
    async openAnother() {
      const s = name === 'postgres'
        ? await openStore({ databaseUrl: PG_URL, schema: ctx.schema, poolSize: 4 })
        : await Store.open(PgliteDb.wrap(shared!, { schema: ctx.schema }));
      opened.push(s);
      return s;
    },
    async openUnmigrated(schema = freshSchemaName()) {
      if (!schemas.includes(schema)) schemas.push(schema);
      const db = name === 'postgres'
        ? (await openStore({ databaseUrl: PG_URL, schema, migrate: false, poolSize: 4 })).db
        : PgliteDb.wrap(shared!, { schema });
      opened.push(db);
      return db;
    },
  };

  // Unreachable PostgreSQL fails every test of the half (vitest would report a failing beforeAll's tests as skipped).
  let unreachable: Error | undefined;
  beforeAll(async () => {
    if (name === 'postgres') await assertPostgresReachable().catch((err: Error) => (unreachable = err));
    else shared = await PGlite.create('memory://');
  });

  beforeEach(async () => {
    if (unreachable) throw unreachable;
    ctx.schema = freshSchemaName();
    schemas.push(ctx.schema);
    ctx.store = name === 'postgres'
      ? await openStore({ databaseUrl: PG_URL, schema: ctx.schema, poolSize: 4 })
      : await Store.open(PgliteDb.wrap(shared!, { schema: ctx.schema }));
    opened.push(ctx.store);
  });

  afterEach(async () => {
    for (const o of opened.splice(0)) await o.close();
    const drop = schemas.splice(0).map((s) => `DROP SCHEMA IF EXISTS "${s}" CASCADE;`).join('\n');
    if (!drop) return;
    if (name === 'postgres') {
      const client = new pg.Client({ connectionString: PG_URL });
      await client.connect();
      try {
        await client.query(drop);
      } finally {
        await client.end();
      }
    } else {
      await PgliteDb.wrap(shared!).exec(drop);
    }
  });

  afterAll(async () => {
    await shared?.close();
  });

  return ctx;
}

/** A Db that counts the statements sent through it (and through its transactions). */
export function countingDb(inner: Db): Db & { statements: number } {
  const wrap = (db: Db, counter: { statements: number }): Db => ({
    kind: db.kind,
    schema: db.schema,
    query(sql, params) {
      counter.statements++;
      return db.query(sql, params);
    },
    exec(sql) {
      counter.statements++;
      return db.exec(sql);
    },
    transaction(fn) {
      return db.transaction((tx) => fn(wrap(tx, counter)));
    },
    close: () => db.close(),
  });
  const counter = { statements: 0 };
  const db = wrap(inner, counter) as Db & { statements: number };
  Object.defineProperty(db, 'statements', { get: () => counter.statements });
  return db;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
