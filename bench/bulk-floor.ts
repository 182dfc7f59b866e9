/**
 * The floor of the store stage: a bare bulk load of what a transfer stored, into the store's own tables.
 *
 * Input: a database the hub has just filled (its `records` and `record_sources`, in the default schema).
 * Output: how long PostgreSQL takes to `COPY` exactly those rows (the records with their merged bodies,
 * and their provenance rows) into a scratch schema built by the store's own migrations, so the tables,
 * constraints, foreign keys and indexes are those the hub writes to and cannot drift from them.
 *
 * Method: both tables are dumped with `COPY ... TO STDOUT` into memory first (not timed); then, per
 * run, one transaction `COPY records FROM STDIN`, `COPY record_sources FROM STDIN`, `COMMIT` (timed:
 * BEGIN to COMMIT), on one connection of its own; the tables are emptied between runs. Nothing else is
 * done: no mapping, no merge, no contributions, no deliveries. It is what the hub would take if storing
 * were free of everything but writing its result.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { PostgresDb } from '../src/store/postgres-db.ts';
import { migrate, loadMigrations } from '../src/store/migrate.ts';
import { median } from './support.ts';

const RECORD_COLUMNS = 'id, type, natural_key, version, content_hash, classification, body, created_at, updated_at, deleted_at';
const SOURCE_COLUMNS = 'record_id, transfer_id, system, source_record_id, mapping, file, pointer, received_at, payload_hash, dedupe_key, created_at, source, action';

export interface FloorResult {
  records: number;
  sources: number;
  /** Seconds of each run, BEGIN to COMMIT. */
  runs: number[];
  /** The median run. */
  seconds: number;
  /** The migrations the scratch schema was built with. */
  migrations: string;
  /** Size of the COPY text loaded, in bytes. */
  bytes: number;
}

async function dump(client: pg.Client, sql: string): Promise<Buffer[]> {
  const parts: Buffer[] = [];
  const stream = client.query(copyTo(`COPY (${sql}) TO STDOUT`));
  for await (const chunk of stream) parts.push(chunk as Buffer);
  return parts;
}

async function load(client: pg.Client, table: string, columns: string, parts: readonly Buffer[]): Promise<void> {
  await pipeline(Readable.from(parts), client.query(copyFrom(`COPY ${table} (${columns}) FROM STDIN`)));
}

/** Bulk-load the records and provenance the hub stored in `databaseUrl` into a scratch schema, `runs` times. */
export async function bulkLoadFloor(databaseUrl: string, runs = 3): Promise<FloorResult> {
  const schema = `bulk_floor_${process.pid}`;
  const source = new pg.Client({ connectionString: databaseUrl });
  await source.connect();
  const scratch = new PostgresDb({ databaseUrl, schema, poolSize: 1 });
  const target = new pg.Client({ connectionString: databaseUrl, options: `-c search_path=${schema}` });
  try {
    const records = await dump(source, `SELECT ${RECORD_COLUMNS} FROM records`);
    const sources = await dump(source, `SELECT ${SOURCE_COLUMNS} FROM record_sources`);
    const [counts] = (await source.query(`SELECT (SELECT count(*) FROM records) AS r, (SELECT count(*) FROM record_sources) AS s`)).rows as { r: string; s: string }[];
    await migrate(scratch);
    // Provenance rows name their transfer (a foreign key): the scratch schema gets the same transfer rows.
    await source.query(`INSERT INTO ${schema}.transfers SELECT * FROM public.transfers`);
    await target.connect();
    const seconds: number[] = [];
    for (let i = 0; i < runs; i++) {
      await target.query('TRUNCATE records, record_sources, record_contributions');
      await target.query('CHECKPOINT').catch(() => {}); // needs superuser; evens out the runs where allowed
      const t = performance.now();
      await target.query('BEGIN');
      await load(target, 'records', RECORD_COLUMNS, records);
      await load(target, 'record_sources', SOURCE_COLUMNS, sources);
      await target.query('COMMIT');
      seconds.push((performance.now() - t) / 1000);
    }
    const m = loadMigrations();
    return {
      records: Number(counts!.r),
      sources: Number(counts!.s),
      runs: seconds,
      seconds: median(seconds),
      migrations: `${m[0]!.name} .. ${m.at(-1)!.name}`,
      bytes: [...records, ...sources].reduce((n, b) => n + b.length, 0),
    };
  } finally {
    await source.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => {});
    await source.end();
    await target.end().catch(() => {});
    await scratch.close();
  }
}
