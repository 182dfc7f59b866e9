/**
 * The two drivers' own behaviour: PGlite's serialization, data directory, lock file and misuse
 * detection, and its new databases (copies of a template made once, or initdb where none can be
 * kept); PostgreSQL's error when the server is unreachable; backend selection by openStore.
 */
import { loadMigrations } from '../../../src/store/index.ts';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PGlite } from '@electric-sql/pglite';
import { HubError } from '../../../src/errors/hub-error.ts';
import { openStore } from '../../../src/store/open-store.ts';
import { PgliteDb } from '../../../src/store/pglite-db.ts';
import { createDatabase, templateKey } from '../../../src/store/pglite-template.ts';
import { PostgresDb } from '../../../src/store/postgres-db.ts';
import { Store } from '../../../src/store/store.ts';
import { toStoreError } from '../../../src/store/db.ts';
import { BACKENDS, PG_URL, sleep, useBackend } from './backends.ts';
import { TcpProxy } from '../../support/tcp-proxy.ts';

async function rejection(p: Promise<unknown>): Promise<HubError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(HubError);
  return err as HubError;
}

const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'cgic-store-'));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function openIn(dataDir: string): Promise<Store> {
  const store = await openStore({ dataDir });
  cleanup.push(() => store.close());
  return store;
}

describe('PGlite driver', () => {
  it('opens a data directory, refuses a second opener, and keeps data across reopen', async () => {
    const dataDir = path.join(tempDir(), 'pglite');
    const first = await openStore({ dataDir });
    cleanup.push(() => first.close());
    expect(first.kind).toBe('pglite');
    await first.upsertRecords([{ type: 'Agency', key: 'CT0015100', name: 'Hartford PD' }]);
    expect(existsSync(`${dataDir}.lock`)).toBe(true);

    const err = await rejection(openStore({ dataDir }));
    expect(err.code).toBe('HUB_ERR_STORE_LOCKED');
    expect(err.message).toContain(String(process.pid));

    await first.close();
    expect(existsSync(`${dataDir}.lock`)).toBe(false);
    const again = await openStore({ dataDir });
    cleanup.push(() => again.close());
    expect(await again.getRecord('Agency', 'CT0015100')).toMatchObject({ name: 'Hartford PD', version: 1 });
    const applied = await again.db.query<{ name: string }>('SELECT name FROM schema_migrations ORDER BY version');
    expect(applied.map((r) => r.name)).toEqual(loadMigrations().map((m) => m.name));
  });

  it('takes over a lock file left by a process that is gone', async () => {
    const dataDir = path.join(tempDir(), 'pglite');
    const gone = spawnSync(process.execPath, ['-e', '0']).pid!;
    writeFileSync(`${dataDir}.lock`, `${gone}\n`);
    const store = await openStore({ dataDir });
    cleanup.push(() => store.close());
    expect((await store.health()).ok).toBe(true);
  });

  it('defaults to var/pglite under the current directory when no DATABASE_URL is set', async () => {
    const dir = tempDir();
    const cwd = process.cwd();
    const saved = process.env.DATABASE_URL;
    delete process.env.DATABASE_URL;
    process.chdir(dir);
    cleanup.push(() => {
      process.chdir(cwd);
      if (saved !== undefined) process.env.DATABASE_URL = saved;
    });
    const store = await openStore();
    cleanup.push(() => store.close());
    expect(store.kind).toBe('pglite');
    expect(existsSync(path.join(dir, 'var', 'pglite', 'PG_VERSION'))).toBe(true);
  });

  it('serializes transactions: a concurrent caller never runs inside another caller\'s transaction', async () => {
    const store = await openStore({ dataDir: 'memory://' });
    cleanup.push(() => store.close());
    const order: string[] = [];
    const t1 = store.transaction(async (tx) => {
      order.push('t1 begin');
      await store.setCursor('t1', 'x', tx);
      await sleep(100);
      order.push('t1 fail');
      throw new Error('t1 rolls back');
    });
    await sleep(10);
    const t2 = store.transaction(async (tx) => {
      order.push('t2 begin');
      await store.setCursor('t2', 'y', tx);
    });
    const outside = store.setCursor('outside', 'z').then(() => order.push('outside done'));
    await expect(t1).rejects.toThrow('t1 rolls back');
    await Promise.all([t2, outside]);
    expect(order).toEqual(['t1 begin', 't1 fail', 't2 begin', 'outside done']);
    expect(await store.getCursor('t1')).toBeUndefined();
    expect(await store.getCursor('t2')).toBe('y');
    expect(await store.getCursor('outside')).toBe('z');
  });

  it('reports a store call that forgot its tx inside a transaction instead of hanging', async () => {
    const store = await openStore({ dataDir: 'memory://' });
    cleanup.push(() => store.close());
    const err = await rejection(store.transaction(async () => store.getCursor('x')));
    expect(err.code).toBe('HUB_ERR_STORE_TX_MISUSE');
    expect(await store.getCursor('x')).toBeUndefined(); // the store is still usable
  });

  it('works in a named schema and rejects a schema name that is not a plain identifier', async () => {
    const store = await openStore({ dataDir: 'memory://', schema: 'cgic' });
    cleanup.push(() => store.close());
    const rows = await store.db.query<{ s: string }>('SELECT current_schema() AS s');
    expect(rows[0]!.s).toBe('cgic');
    expect((await rejection(openStore({ dataDir: 'memory://', schema: 'x; DROP TABLE y' }))).code).toBe('HUB_ERR_STORE_OPTIONS');
    expect(() => new PostgresDb({ databaseUrl: 'postgres://localhost/x', schema: 'bad-name' })).toThrow(HubError);
  });

  it('lets wrappers share one instance, each in its own schema, without closing it', async () => {
    const pglite = await PGlite.create('memory://');
    cleanup.push(() => pglite.close());
    const a = await Store.open(PgliteDb.wrap(pglite, { schema: 'tenant_a' }));
    const b = await Store.open(PgliteDb.wrap(pglite, { schema: 'tenant_b' }));
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).setCursor(`c${i}`, i % 2 ? 'a' : 'b')),
    );
    const schemaOf = async (s: Store) => (await s.db.query<{ s: string }>('SELECT current_schema() AS s'))[0]!.s;
    expect([await schemaOf(a), await schemaOf(b), await schemaOf(a)]).toEqual(['tenant_a', 'tenant_b', 'tenant_a']);
    expect(await a.getCursor('c1')).toBe('a');
    expect(await a.getCursor('c2')).toBeUndefined();
    expect(await b.getCursor('c2')).toBe('b');
    await a.close();
    expect(await b.getCursor('c4')).toBe('b'); // the instance is still open
    await expect(a.getCursor('c1')).rejects.toThrow(HubError);
  });
});

describe('PGlite database template', () => {
  it('makes the template once, then copies it: each copy is a database of its own', async () => {
    const dir = tempDir();
    const templates = path.join(dir, 'templates');
    // Templates of an earlier PGlite: the one untouched for two hours goes, a recent one stays (a
    // process started from the older install may be copying it).
    mkdirSync(path.join(templates, '0.0.1-old', 'data'), { recursive: true });
    const twoHoursAgo = new Date(Date.now() - 7200_000);
    utimesSync(path.join(templates, '0.0.1-old'), twoHoursAgo, twoHoursAgo);
    mkdirSync(path.join(templates, '0.0.2-recent', 'data'), { recursive: true });
    expect(await createDatabase(path.join(dir, 'a'), templates)).toBe('template');
    expect(readdirSync(templates).sort()).toEqual(['0.0.2-recent', templateKey()].sort());
    rmSync(path.join(templates, '0.0.2-recent'), { recursive: true });
    expect(existsSync(path.join(templates, templateKey(), 'complete'))).toBe(true);
    // An empty folder made beforehand (a volume mounted for it) is filled the same way, and a
    // creation that crashed midway left nothing but its scratch folder, removed now.
    mkdirSync(path.join(dir, 'b'));
    mkdirSync(path.join(dir, 'b.creating-99999', 'base'), { recursive: true });
    expect(await createDatabase(path.join(dir, 'b'), templates)).toBe('template');
    // No scratch folder is left beside the data folders or the template.
    expect(readdirSync(dir).sort()).toEqual(['a', 'b', 'templates']);
    expect(readdirSync(templates)).toEqual([templateKey()]);

    // A template whose data folder went (a cleaner emptied the cache) is made again, not copied empty.
    rmSync(path.join(templates, templateKey(), 'data'), { recursive: true });
    expect(await createDatabase(path.join(dir, 'c'), templates)).toBe('template');
    expect(existsSync(path.join(dir, 'c', 'PG_VERSION'))).toBe(true);

    const a = await openIn(path.join(dir, 'a'));
    await a.upsertRecords([{ type: 'Agency', key: 'CT0015100', name: 'Hartford PD' }]);
    const b = await openIn(path.join(dir, 'b'));
    expect(await b.getRecord('Agency', 'CT0015100')).toBeUndefined();
    await b.upsertRecords([{ type: 'Agency', key: 'CT0015100', name: 'Hartford Police Department' }]);
    expect(await a.getRecord('Agency', 'CT0015100')).toMatchObject({ name: 'Hartford PD', version: 1 });
    // A copy runs with the buffer cache the hub sets, as a database made by initdb does.
    expect(await b.db.query<{ shared_buffers: string }>('SHOW shared_buffers')).toEqual([{ shared_buffers: '16MB' }]);
  });

  it('runs initdb on the data folder itself where no template can be kept', async () => {
    const dir = tempDir();
    // The template folder cannot be made: a file stands where its parent should be.
    writeFileSync(path.join(dir, 'not-a-folder'), '');
    expect(await createDatabase(path.join(dir, 'db'), path.join(dir, 'not-a-folder', 'templates'))).toBe('initdb');
    expect(await createDatabase(path.join(dir, 'db2'), null)).toBe('initdb');
    expect(readdirSync(dir).sort()).toEqual(['db', 'db2', 'not-a-folder']);
    const store = await openIn(path.join(dir, 'db'));
    await store.upsertRecords([{ type: 'Agency', key: 'CT0015100', name: 'Hartford PD' }]);
    expect(await store.getRecord('Agency', 'CT0015100')).toMatchObject({ version: 1 });
  });
});

describe('PostgreSQL driver', () => {
  it('fails with HUB_ERR_STORE_UNAVAILABLE (and no password) when the server cannot be reached', async () => {
    const db = new PostgresDb({ databaseUrl: 'postgres://hub:s3cret-pw@127.0.0.1:1/cgic' });
    cleanup.push(() => db.close());
    const err = await rejection(db.query('SELECT 1'));
    expect(err.code).toBe('HUB_ERR_STORE_UNAVAILABLE');
    expect(err.errorClass).toBe('transient');
    expect(err.message).toContain('127.0.0.1:1');
    expect(err.message).not.toContain('s3cret-pw');
    const health = await new Store(db).health();
    expect(health).toMatchObject({ ok: false, kind: 'postgres' });
    expect((await rejection(openStore({ databaseUrl: 'postgres://hub@127.0.0.1:1/cgic' }))).code).toBe('HUB_ERR_STORE_UNAVAILABLE');
  });

  it('a connection lost in the middle of a transaction fails that transaction with HUB_ERR_STORE_UNAVAILABLE; the process goes on and the next statement reconnects', async () => {
    // A TCP proxy in front of PostgreSQL whose connections are cut while a statement runs.
    const url = new URL(PG_URL);
    const proxy = new TcpProxy(Number(url.port || 5432), url.hostname);
    await proxy.up();
    cleanup.push(() => proxy.down());
    url.host = `127.0.0.1:${proxy.port}`;
    const db = new PostgresDb({ databaseUrl: url.toString() });
    cleanup.push(() => db.close());
    const uncaught: unknown[] = [];
    const onUncaught = (err: unknown) => uncaught.push(err);
    process.prependListener('uncaughtException', onUncaught);
    cleanup.push(() => void process.removeListener('uncaughtException', onUncaught));

    const running = db.transaction((tx) => tx.query('SELECT pg_sleep(5)'));
    while (proxy.open === 0) await sleep(20);
    await sleep(300); // the statement is under way
    await proxy.down();
    await proxy.up();
    const err = await rejection(running);
    expect(err.code).toBe('HUB_ERR_STORE_UNAVAILABLE');
    expect(err.message).toMatch(/Connection terminated unexpectedly/);
    await sleep(100);
    expect(uncaught).toEqual([]);
    expect(await db.query<{ n: number }>('SELECT 1 AS n')).toEqual([{ n: 1 }]);
  });

  it('maps deadlocks and serialization failures to the retryable HUB_ERR_STORE_CONFLICT', () => {
    for (const code of ['40P01', '40001']) {
      const mapped = toStoreError(Object.assign(new Error('deadlock detected'), { code }), 'db');
      expect(mapped).toBeInstanceOf(HubError);
      expect((mapped as HubError).code).toBe('HUB_ERR_STORE_CONFLICT');
      expect((mapped as HubError).errorClass).toBe('transient');
    }
    const plain = new Error('callback failed');
    expect(toStoreError(plain, 'db')).toBe(plain);
  });
});

describe.each(BACKENDS)('database errors on %s', (backend) => {
  const ctx = useBackend(backend);

  it('become registered codes whose cause carries no record values', async () => {
    await ctx.store.createTransfer({ id: 'SECRET-CASE-24-001', connectorId: 'c', trigger: 'manual' });
    const err = await rejection(ctx.store.createTransfer({ id: 'SECRET-CASE-24-001', connectorId: 'c', trigger: 'manual' }));
    expect(err.code).toBe('HUB_ERR_STORE_QUERY');
    expect(err.message).toContain('23505');
    const cause = err.cause as Record<string, unknown>;
    expect(cause.code).toBe('23505');
    expect(cause.constraint).toBe('transfers_pkey');
    const everything = JSON.stringify({ message: err.message, cause: { ...cause, message: (cause as unknown as Error).message } });
    expect(everything).not.toContain('SECRET-CASE');
  });
});
