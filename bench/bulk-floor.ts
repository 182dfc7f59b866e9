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
 *
 * The design floor, in the same call: the least a store with the hub's guarantees writes. The same
 * records and provenance rows and the records' contributions (`record_contributions`: what each source
 * said, kept so a source's correction or delete replaces its own statement), in as many transactions as
 * the transfer committed chunks (each chunk commits with its records, so a crash loses no acknowledged
 * row and a transfer shows its progress): per chunk, `COPY` of its records, their contributions and
 * their provenance, `COMMIT`. Still no mapping, merge, lock, lookup, delivery or audit.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { PostgresDb } from '../src/store/postgres-db.ts';
import { migrate, loadMigrations } from '../src/store/migrate.ts';
import { cpuSince, cpuTotals, median } from './support.ts';

const RECORD_COLUMNS = 'id, type, natural_key, version, content_hash, classification, body, created_at, updated_at, deleted_at';
const CONTRIBUTION_COLUMNS = 'record_id, source, source_record_id, seq, content_hash, body, transfer_id, updated_at';
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
  /** The design floor: records, contributions and provenance, one transaction per chunk. */
  design: { chunks: number; contributions: number; runs: number[]; seconds: number; cpu: string };
  /** CPU of the bare runs, read around them (one connection, open throughout). */
  cpu: string;
}

async function dump(client: pg.Client, sql: string): Promise<Buffer[]> {
  const parts: Buffer[] = [];
  const stream = client.query(copyTo(`COPY (${sql}) TO STDOUT`));
  for await (const chunk of stream) parts.push(chunk as Buffer);
  return parts;
}

async function load(client: pg.Client, table: string, columns: string, parts: readonly (Buffer | string)[]): Promise<void> {
  await pipeline(Readable.from(parts), client.query(copyFrom(`COPY ${table} (${columns}) FROM STDIN`)));
}

/** COPY text (each row's first column a record id, rows in record id order) as one string per row. */
function rowsOf(parts: readonly Buffer[]): string[] {
  const rows = Buffer.concat(parts).toString('utf8').split('\n');
  if (rows.at(-1) === '') rows.pop();
  return rows;
}

/**
 * Rows of records (by id), and of the tables that name them (by record id), split into `n` chunks of
 * consecutive records, each with every row that names one of its records: chunk i's COPY texts.
 */
function chunksOf(records: readonly string[], named: readonly (readonly string[])[], n: number): string[][] {
  const size = Math.ceil(records.length / n);
  const cursors = named.map(() => 0);
  const out: string[][] = [];
  for (let i = 0; i < records.length; i += size) {
    const mine = records.slice(i, i + size);
    const last = mine.at(-1)!.slice(0, 36); // a uuid's text sorts as its bytes do
    const texts = [mine.join('\n') + '\n'];
    named.forEach((rows, t) => {
      const from = cursors[t]!;
      let to = from;
      while (to < rows.length && rows[to]!.slice(0, 36) <= last) to++;
      cursors[t] = to;
      texts.push(to > from ? rows.slice(from, to).join('\n') + '\n' : '');
    });
    out.push(texts);
  }
  return out;
}

/**
 * Bulk-load the records and provenance the hub stored in `databaseUrl` into a scratch schema, `runs`
 * times; then the design floor (records, contributions, provenance) in `chunks` transactions, `runs` times.
 */
export async function bulkLoadFloor(databaseUrl: string, chunks: number, runs = 3): Promise<FloorResult> {
  const schema = `bulk_floor_${process.pid}`;
  const source = new pg.Client({ connectionString: databaseUrl });
  await source.connect();
  const scratch = new PostgresDb({ databaseUrl, schema, poolSize: 1 });
  const target = new pg.Client({ connectionString: databaseUrl, options: `-c search_path=${schema}` });
  try {
    const records = await dump(source, `SELECT ${RECORD_COLUMNS} FROM records`);
    const sources = await dump(source, `SELECT ${SOURCE_COLUMNS} FROM record_sources`);
    const [counts] = (await source.query(`SELECT (SELECT count(*) FROM records) AS r, (SELECT count(*) FROM record_sources) AS s`)).rows as { r: string; s: string }[];
    const byRecord = chunksOf(
      rowsOf(await dump(source, `SELECT ${RECORD_COLUMNS} FROM records ORDER BY id`)),
      [
        rowsOf(await dump(source, `SELECT ${CONTRIBUTION_COLUMNS} FROM record_contributions ORDER BY record_id`)),
        rowsOf(await dump(source, `SELECT ${SOURCE_COLUMNS} FROM record_sources ORDER BY record_id`)),
      ],
      chunks,
    );
    const [contributions] = (await source.query(`SELECT count(*) AS n FROM record_contributions`)).rows as { n: string }[];
    await migrate(scratch);
    // Provenance rows name their transfer (a foreign key): the scratch schema gets the same transfer rows.
    await source.query(`INSERT INTO ${schema}.transfers SELECT * FROM public.transfers`);
    await target.connect();
    const seconds: number[] = [];
    const cpu0 = cpuTotals();
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
    const cpu = cpuSince(cpu0).line;
    const design: number[] = [];
    const designCpu0 = cpuTotals();
    for (let i = 0; i < runs; i++) {
      await target.query('TRUNCATE records, record_sources, record_contributions');
      await target.query('CHECKPOINT').catch(() => {});
      const t = performance.now();
      for (const [recordRows, contributionRows, sourceRows] of byRecord) {
        await target.query('BEGIN');
        await load(target, 'records', RECORD_COLUMNS, [recordRows!]);
        if (contributionRows) await load(target, 'record_contributions', CONTRIBUTION_COLUMNS, [contributionRows]);
        if (sourceRows) await load(target, 'record_sources', SOURCE_COLUMNS, [sourceRows]);
        await target.query('COMMIT');
      }
      design.push((performance.now() - t) / 1000);
    }
    const designCpu = cpuSince(designCpu0).line;
    const m = loadMigrations();
    return {
      records: Number(counts!.r),
      sources: Number(counts!.s),
      runs: seconds,
      seconds: median(seconds),
      migrations: `${m[0]!.name} .. ${m.at(-1)!.name}`,
      bytes: [...records, ...sources].reduce((n, b) => n + b.length, 0),
      design: { chunks: byRecord.length, contributions: Number(contributions!.n), runs: design, seconds: median(design), cpu: designCpu },
      cpu,
    };
  } finally {
    await source.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => {});
    await source.end();
    await target.end().catch(() => {});
    await scratch.close();
  }
}
