/**
 * `openStore`: the one way the hub gets its store. PostgreSQL when a database URL is given, else the
 * embedded PGlite on a data directory; migrated before it is returned.
 *
 * Which backend: `databaseUrl` if given; else PGlite if `dataDir` is given; else `DATABASE_URL` from
 * the environment if set; else PGlite at `var/pglite` (relative to the current directory).
 */
import type { Db } from './db.ts';
import { PgliteDb, DEFAULT_DATA_DIR } from './pglite-db.ts';
import { PostgresDb } from './postgres-db.ts';
import { Store } from './store.ts';

export interface OpenStoreOptions {
  /** `postgres://user:password@host:port/database`. @defaultValue `process.env.DATABASE_URL` unless `dataDir` is given */
  databaseUrl?: string;
  /** PGlite data directory, or `memory://`. @defaultValue `var/pglite` */
  dataDir?: string;
  /** Schema to keep the hub's tables in (created if missing). @defaultValue `public` */
  schema?: string;
  /** PostgreSQL connections per process. @defaultValue 10 */
  poolSize?: number;
  /** Apply pending migrations. @defaultValue true */
  migrate?: boolean;
}

export async function openDb(options: OpenStoreOptions = {}): Promise<Db> {
  const databaseUrl = options.databaseUrl ?? (options.dataDir === undefined ? process.env.DATABASE_URL : undefined);
  if (databaseUrl) {
    const pgOptions: ConstructorParameters<typeof PostgresDb>[0] = { databaseUrl };
    if (options.schema !== undefined) pgOptions.schema = options.schema;
    if (options.poolSize !== undefined) pgOptions.poolSize = options.poolSize;
    return new PostgresDb(pgOptions);
  }
  const liteOptions: Parameters<typeof PgliteDb.open>[0] = { dataDir: options.dataDir ?? DEFAULT_DATA_DIR };
  if (options.schema !== undefined) liteOptions.schema = options.schema;
  return PgliteDb.open(liteOptions);
}

export async function openStore(options: OpenStoreOptions = {}): Promise<Store> {
  const db = await openDb(options);
  try {
    return await Store.open(db, { migrate: options.migrate ?? true });
  } catch (err) {
    await db.close().catch(() => {});
    throw err;
  }
}
