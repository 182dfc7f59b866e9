/**
 * `Db` over a `pg` Pool: a PostgreSQL server shared by any number of hub processes.
 * With `schema`, every pooled connection starts with `search_path` set to that schema (created by the
 * migrations if absent), so tests and side-by-side installations can isolate themselves in one database.
 */
import { createHash } from 'node:crypto';
import pg from 'pg';
import { HubError } from '../errors/hub-error.ts';
import { inSavepoint, quoteSchema, toStoreError, type Db, storableParams } from './db.ts';

export interface PostgresDbOptions {
  /** `postgres://user:password@host:port/database`; standard `PG*` variables fill what it leaves out. */
  databaseUrl: string;
  /** Schema to work in (`search_path`). @defaultValue the server's default search path */
  schema?: string;
  /** Connections in the pool. @defaultValue 10 */
  poolSize?: number;
  /** Name shown in `pg_stat_activity`. @defaultValue `cgic-hub` */
  applicationName?: string;
}

/** The URL without its password, for messages. */
export function describeUrl(databaseUrl: string): string {
  try {
    const u = new URL(databaseUrl);
    u.password = '';
    return u.toString();
  } catch {
    return '(unparseable DATABASE_URL)';
  }
}

type Queryable = pg.Pool | pg.PoolClient;

/**
 * Statements with parameters run as named prepared statements: each connection parses and plans one
 * the first time it sees it and only binds and executes it after, which is most of what a small
 * statement costs the server. The store's statements are a fixed set of texts; past MAX_PREPARED
 * distinct texts (a caller building SQL on the fly) the rest run unnamed.
 */
const MAX_PREPARED = 1000;
const prepared = new Map<string, string>();
function statementName(sql: string): string | undefined {
  let name = prepared.get(sql);
  if (name === undefined && prepared.size < MAX_PREPARED) prepared.set(sql, (name = `cgic_${createHash('sha1').update(sql).digest('hex').slice(0, 20)}`));
  return name;
}

async function run<T>(conn: Queryable, sql: string, params: readonly unknown[] | undefined, target: string): Promise<T[]> {
  try {
    const values = storableParams(params);
    const name = values ? statementName(sql) : undefined;
    const result = name ? await conn.query({ name, text: sql, values }) : await conn.query(sql, values);
    return (result.rows ?? []) as T[];
  } catch (err) {
    throw toStoreError(err, target);
  }
}

/** A transaction handle: statements go to the one client holding the transaction. */
class PostgresTx implements Db {
  readonly kind = 'postgres' as const;
  constructor(
    private readonly client: pg.PoolClient,
    readonly schema: string | undefined,
    private readonly target: string,
  ) {}

  query<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<T[]> {
    return run<T>(this.client, sql, params, this.target);
  }

  async exec(sql: string): Promise<void> {
    await run(this.client, sql, undefined, this.target);
  }

  transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
    return inSavepoint(this, fn);
  }

  async close(): Promise<void> {}
}

export class PostgresDb implements Db {
  readonly kind = 'postgres' as const;
  readonly schema: string | undefined;
  readonly target: string;
  readonly #pool: pg.Pool;

  constructor(options: PostgresDbOptions) {
    if (!options.databaseUrl) throw new HubError('HUB_ERR_STORE_OPTIONS', { option: 'databaseUrl', reason: 'is empty' });
    this.schema = options.schema;
    this.target = describeUrl(options.databaseUrl);
    const config: pg.PoolConfig = {
      connectionString: options.databaseUrl,
      max: options.poolSize ?? 10,
      application_name: options.applicationName ?? 'cgic-hub',
      connectionTimeoutMillis: 10_000,
      idleTimeoutMillis: 0,
    };
    if (options.schema !== undefined) config.options = `-c search_path=${quoteSchema(options.schema)}`;
    this.#pool = new pg.Pool(config);
    // An idle client losing its server must not crash the process; the next query reports it.
    this.#pool.on('error', () => {});
  }

  query<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<T[]> {
    return run<T>(this.#pool, sql, params, this.target);
  }

  async exec(sql: string): Promise<void> {
    await run(this.#pool, sql, undefined, this.target);
  }

  async transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.#pool.connect();
    } catch (err) {
      throw toStoreError(err, this.target);
    }
    let broken = false;
    // A checked-out client has no pool listener: a server lost mid-transaction (a restart, a network cut)
    // emits 'error' on it, which with no listener ends the process. The statement under way fails with
    // it (HUB_ERR_STORE_UNAVAILABLE), and the connection is not returned to the pool.
    const lost = (): void => {
      broken = true;
    };
    client.on('error', lost);
    try {
      // No JIT compilation in a transaction: its statements are short lookups and writes by key. While
      // a large transfer outgrows the statistics autovacuum last took, the planner over-estimates their
      // cost and PostgreSQL compiled them at every execution: locking 300 records by key on a store of
      // 645,000 took 175 ms with JIT, 2.5 ms without, the same plan. SET LOCAL in the same round trip as
      // BEGIN: a start-up option would be refused by connection poolers.
      await run(client, 'BEGIN; SET LOCAL jit = off', undefined, this.target);
      const result = await fn(new PostgresTx(client, this.schema, this.target));
      await run(client, 'COMMIT', undefined, this.target);
      return result;
    } catch (err) {
      try {
        await client.query('ROLLBACK');
      } catch {
        broken = true; // the connection is gone or unusable: do not return it to the pool
      }
      throw err;
    } finally {
      client.release(broken);
      client.removeListener('error', lost);
    }
  }

  async close(): Promise<void> {
    await this.#pool.end();
  }
}
