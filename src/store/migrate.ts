/**
 * Versioned schema migrations: plain SQL files `migrations/NNN-name.sql`, applied in number order.
 *
 * Input: a Db (its `schema`, if any, is created when missing). Output: the migrations applied now.
 * - All pending migrations run in ONE transaction, after `pg_advisory_xact_lock` on a key derived from
 *   the schema name: two processes starting at once serialize, the second finds nothing to do.
 * - Each applied migration is a row of `schema_migrations` (version, name, checksum, applied_at). The
 *   checksum (sha256 of the file with line endings normalized) catches an edited applied migration.
 * - A database that has migrations this hub does not know (a newer hub migrated it) is refused.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { HubError } from '../errors/hub-error.ts';
import { sha256Hex } from './canonical-json.ts';
import { quoteSchema, type Db } from './db.ts';

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
  readonly checksum: string;
}

const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url));
const FILE_NAME = /^(\d{3,})-([a-z0-9][a-z0-9-]*)\.sql$/;

let cached: Migration[] | undefined;

/** The migration files shipped with the hub, in order. */
export function loadMigrations(dir: string = MIGRATIONS_DIR): Migration[] {
  if (dir === MIGRATIONS_DIR && cached) return cached;
  const migrations: Migration[] = [];
  for (const file of readdirSync(dir).sort()) {
    const m = FILE_NAME.exec(file);
    if (!m) continue;
    const sql = readFileSync(`${dir}/${file}`, 'utf8').replace(/\r\n/g, '\n');
    migrations.push({ version: Number(m[1]), name: file.replace(/\.sql$/, ''), sql, checksum: sha256Hex(sql) });
  }
  migrations.sort((a, b) => a.version - b.version);
  for (let i = 1; i < migrations.length; i++) {
    if (migrations[i]!.version === migrations[i - 1]!.version) {
      throw new HubError('HUB_ERR_STORE_MIGRATION', { migration: migrations[i]!.name, reason: `two files carry version ${migrations[i]!.version}` });
    }
  }
  if (dir === MIGRATIONS_DIR) cached = migrations;
  return migrations;
}

interface AppliedRow {
  version: number;
  name: string;
  checksum: string;
}

/** Bring the database up to the newest migration; returns the names of those applied now. */
export async function migrate(db: Db, migrations: readonly Migration[] = loadMigrations()): Promise<string[]> {
  const lockKey = `cgic-hub:migrations:${db.schema ?? '(default)'}`;
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [lockKey]);
    if (tx.schema !== undefined) await tx.exec(`CREATE SCHEMA IF NOT EXISTS ${quoteSchema(tx.schema)}`);
    await tx.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY,
      name text NOT NULL,
      checksum text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const applied = await tx.query<AppliedRow>('SELECT version, name, checksum FROM schema_migrations ORDER BY version');
    const known = new Map(migrations.map((m) => [m.version, m]));
    for (const row of applied) {
      const m = known.get(Number(row.version));
      if (!m) {
        throw new HubError('HUB_ERR_STORE_SCHEMA_NEWER', { applied: row.name, known: migrations.at(-1)?.name ?? 'none' });
      }
      if (m.checksum !== row.checksum) {
        throw new HubError('HUB_ERR_STORE_MIGRATION_CHANGED', { migration: m.name, applied: row.checksum.slice(0, 12), current: m.checksum.slice(0, 12) });
      }
    }
    const done = new Set(applied.map((r) => Number(r.version)));
    const names: string[] = [];
    for (const m of migrations) {
      if (done.has(m.version)) continue;
      try {
        await tx.exec(m.sql);
      } catch (err) {
        throw new HubError('HUB_ERR_STORE_MIGRATION', { migration: m.name, reason: (err as Error).message }, undefined, { cause: err });
      }
      await tx.query('INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)', [m.version, m.name, m.checksum]);
      names.push(m.name);
    }
    return names;
  });
}

/** The newest applied migration's name, or undefined on an empty database. */
export async function schemaVersion(db: Db): Promise<string | undefined> {
  const rows = await db.query<{ name: string }>('SELECT name FROM schema_migrations ORDER BY version DESC LIMIT 1');
  return rows[0]?.name;
}
