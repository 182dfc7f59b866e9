/**
 * Small helpers shared by the store's modules: row value conversions, paging bounds, WHERE clauses and
 * the store's own retried transactions.
 */
import { HubError } from '../errors/hub-error.ts';
import type { Db } from './db.ts';

export type Row = Record<string, unknown>;

/** Attempts for a transaction the store runs itself, when the database reports a conflict. */
export const CONFLICT_ATTEMPTS = 5;

export function iso(v: unknown): string {
  return (v instanceof Date ? v : new Date(String(v))).toISOString();
}
export function isoOrNull(v: unknown): string | null {
  return v === null || v === undefined ? null : iso(v);
}
export function strOrNull(v: unknown): string | null {
  return v === null || v === undefined ? null : String(v);
}
export function numOrNull(v: unknown): number | null {
  return v === null || v === undefined ? null : Number(v);
}
export function limitOf(limit: number | undefined, fallback: number): number {
  const n = limit ?? fallback;
  return Number.isInteger(n) && n > 0 ? Math.min(n, 10_000) : fallback;
}
export function offsetOf(offset: number | undefined): number {
  return Number.isInteger(offset) && (offset as number) > 0 ? (offset as number) : 0;
}
function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** `WHERE a = $1 AND b = $2` from the defined entries of a filter. */
export function where(conditions: Array<[column: string, value: unknown]>, params: unknown[]): string {
  const parts: string[] = [];
  for (const [column, value] of conditions) {
    if (value === undefined) continue;
    params.push(value);
    parts.push(`${column} = $${params.length}`);
  }
  return parts.length ? `WHERE ${parts.join(' AND ')}` : '';
}

/** Inside the caller's transaction, or in a transaction of our own that is retried on conflicts. */
export async function inTx<T>(db: Db, tx: Db | undefined, fn: (tx: Db) => Promise<T>): Promise<T> {
  if (tx) return fn(tx);
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction(fn);
    } catch (err) {
      if (!(err instanceof HubError && err.code === 'HUB_ERR_STORE_CONFLICT') || attempt >= CONFLICT_ATTEMPTS) throw err;
      await sleep(attempt * 10 + Math.random() * 40);
    }
  }
}
