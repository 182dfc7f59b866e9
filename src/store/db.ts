/**
 * The store's driver interface: the few things it needs from a PostgreSQL connection, implemented
 * over a `pg` Pool (`postgres-db.ts`) and over embedded PGlite (`pglite-db.ts`). The same SQL runs on
 * both: parameters are `$1..$n`; JSON goes in as text cast to `jsonb` (`$1::jsonb`), and batches are
 * one JSON array parameter unpacked with `jsonb_to_recordset`, so no driver-specific array encoding
 * is involved.
 *
 * A list of ids or keys to look up is `col = ANY(ARRAY(SELECT jsonb_array_elements_text($1::jsonb)))`,
 * never `col IN (SELECT jsonb_array_elements_text(...))`. The planner cannot see how many elements a
 * JSON parameter holds; with `IN` it weighed a hash join against the whole table and, on a store of
 * 600,000 records, read all of `record_contributions` for every chunk (0.3 s a chunk, growing with the
 * store). `= ANY(ARRAY(...))` is an index lookup per element whatever the statistics say.
 *
 * Result rows come back as plain objects. Driver differences the caller must absorb: `bigint` columns
 * are strings on `pg` and numbers on PGlite (use `Number()`), `timestamptz` columns are `Date`s on both.
 */
import { HubError } from '../errors/hub-error.ts';

export type DbKind = 'postgres' | 'pglite';

export interface Db {
  readonly kind: DbKind;
  /** The schema this connection works in (`search_path`), or undefined for the server default. */
  readonly schema: string | undefined;
  /** One statement with `$n` parameters; resolves to its rows (empty for statements without RETURNING). */
  query<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  /** Several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
  /**
   * Run `fn` in a transaction on one connection: committed when `fn` resolves, rolled back when it
   * throws. Called on a transaction handle it opens a savepoint, so a nested unit can fail alone.
   */
  transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T>;
  /** Release the connection(s). A transaction handle's close() does nothing. */
  close(): Promise<void>;
}

const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** A schema name as a quoted identifier, after checking it is a plain one. */
export function quoteSchema(schema: string): string {
  if (!SCHEMA_NAME.test(schema)) {
    throw new HubError('HUB_ERR_STORE_OPTIONS', {
      option: 'schema',
      reason: `"${schema}" is not a plain identifier (letters, digits, underscore; at most 63 characters; not starting with a digit)`,
    });
  }
  return `"${schema}"`;
}

/** SQLSTATEs after which the whole transaction can simply be run again. */
const RETRYABLE = new Set(['40001', '40P01']);
/** SQLSTATE classes that mean the server is gone or refusing us. */
const UNAVAILABLE_CLASSES = ['08', '53', '57'];
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'ETIMEDOUT', 'EHOSTUNREACH', 'EPIPE', 'EAI_AGAIN']);

/**
 * The driver error as a cause that is safe to log: message, SQLSTATE and the names of the objects
 * involved, but not the statement's parameters or the `detail` line, which carry record values.
 */
function safeCause(err: unknown, code: string, reason: string): Error {
  const cause = new Error(reason) as Error & Record<string, unknown>;
  cause.name = err instanceof Error ? err.name : 'Error';
  if (code) cause.code = code;
  const e = err as Record<string, unknown> | null;
  for (const k of ['schema', 'table', 'column', 'constraint', 'routine']) {
    if (typeof e?.[k] === 'string') cause[k] = e[k];
  }
  if (err instanceof Error && err.stack) cause.stack = err.stack;
  return cause;
}

/** Map a driver error to a registered one, keeping a sanitized copy as `cause`. HubErrors pass through. */
export function toStoreError(err: unknown, target: string): Error {
  if (err instanceof HubError) return err;
  const e = err as { code?: unknown; message?: unknown } | null;
  const code = typeof e?.code === 'string' ? e.code : '';
  const reason = typeof e?.message === 'string' && e.message ? e.message : String(err);
  if (!code && !(err instanceof Error && /Connection terminated|timeout exceeded/i.test(reason))) {
    return err instanceof Error ? err : new Error(reason); // not from the database: e.g. thrown by a transaction's callback
  }
  const cause = safeCause(err, code, reason);
  if (RETRYABLE.has(code)) return new HubError('HUB_ERR_STORE_CONFLICT', { sqlstate: code, reason }, undefined, { cause });
  if (NETWORK_CODES.has(code) || UNAVAILABLE_CLASSES.some((c) => code.startsWith(c)) || /Connection terminated|timeout exceeded/i.test(reason)) {
    return new HubError('HUB_ERR_STORE_UNAVAILABLE', { target, reason: code && !reason.includes(code) ? `${code} ${reason}` : reason }, undefined, { cause });
  }
  if (/^[0-9A-Z]{5}$/.test(code)) return new HubError('HUB_ERR_STORE_QUERY', { sqlstate: code, reason }, undefined, { cause });
  return err instanceof Error ? err : new Error(reason);
}

/** Savepoint names for nested transactions; unique per connection is enough. */
let savepointCounter = 0;
export function nextSavepoint(): string {
  savepointCounter = (savepointCounter + 1) % 1_000_000_000;
  return `cgic_sp_${savepointCounter}`;
}

/**
 * PostgreSQL text and jsonb cannot hold NUL (U+0000), which a garbled export can carry into a message,
 * a quarantined payload or a record, and jsonb refuses an unpaired UTF-16 surrogate (U+D800-U+DFFF),
 * which a JSON source can write as an escape (`"\ud800"`) and JSON.stringify writes back the same way.
 * Parameters are cleaned on the way in: NUL becomes U+FFFD, in plain strings and in JSON text (the
 * escape \u0000), and so does an escaped unpaired surrogate (a plain string's is already written as
 * U+FFFD by the UTF-8 encoder), so a garbage file is quarantined instead of failing the transfer.
 */
export function storableParams(params: readonly unknown[] | undefined): unknown[] | undefined {
  if (!params) return undefined;
  return params.map((p) => (typeof p === 'string' ? storableText(p) : p));
}

// An escape preceded by an even number of backslashes (a backslash escaped is not an escape's start).
const ESCAPED_NUL = /(?<!\\)((?:\\\\)*)\\u0000/g;
// A high surrogate escape with the low one that completes it (kept), or either half alone (replaced).
const ESCAPED_SURROGATE = /(?<!\\)((?:\\\\)*)(\\u[dD][89abAB][0-9a-fA-F]{2}(\\u[dD][c-fC-F][0-9a-fA-F]{2})?|\\u[dD][c-fC-F][0-9a-fA-F]{2})/g;

/**
 * A parameter as the store can hold it. Escapes are rewritten only in JSON text (what JSON.stringify
 * made of an object, a list or a string: it starts with `{`, `[` or `"`): in plain text, a backslash
 * and `ud800` are characters like any other (a file name `C:\ud800.csv` is looked up as it is).
 */
function storableText(p: string): string {
  let out = p;
  if (out.includes('\u0000')) out = out.replace(/\u0000/g, '\ufffd');
  const c = out.charCodeAt(0);
  if (c !== 0x7b && c !== 0x5b && c !== 0x22) return out;
  if (out.includes('\\u0000')) out = out.replace(ESCAPED_NUL, '$1\\ufffd');
  if (out.includes('\\ud') || out.includes('\\uD')) {
    out = out.replace(ESCAPED_SURROGATE, (whole: string, backslashes: string, _escape: string, low: string | undefined) =>
      low !== undefined ? whole : `${backslashes}\\ufffd`,
    );
  }
  return out;
}

/** A nested transaction inside an open one: a savepoint, rolled back alone if `fn` fails. */
export async function inSavepoint<T>(tx: Db, fn: (tx: Db) => Promise<T>): Promise<T> {
  const sp = nextSavepoint();
  await tx.exec(`SAVEPOINT ${sp}`);
  try {
    const result = await fn(tx);
    await tx.exec(`RELEASE SAVEPOINT ${sp}`);
    return result;
  } catch (err) {
    await tx.exec(`ROLLBACK TO SAVEPOINT ${sp}`);
    throw err;
  }
}
