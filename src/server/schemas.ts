import type { Ajv, SchemaValidateFunction } from 'ajv';
import { TRANSFER_COUNT_NAMES } from '../store/types.ts';

/** Routes that need an API key declare this, so /docs shows the lock. */
export const security = [{ apiKey: [] }];

/**
 * The path parameter of a route that names one thing (a lead, a transfer, a connector...): never empty,
 * so `/api/leads/` is refused (400) instead of reaching the route as the id "" (which a filter could
 * take for "every lead"), and at most 200 characters.
 */
export function namedBy<N extends string>(name: N) {
  return { type: 'object', properties: { [name]: { type: 'string', minLength: 1, maxLength: 200 } }, required: [name] } as const;
}

/** Response schemas shared by routes (they also document the API in /docs). */
export const errorSchema = {
  type: 'object',
  properties: { code: { type: 'string' }, message: { type: 'string' } },
  required: ['code', 'message'],
} as const;

export const countsSchema = {
  type: 'object',
  properties: Object.fromEntries(TRANSFER_COUNT_NAMES.map((k) => [k, { type: 'integer' }])),
} as const;

export const transferSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    connectorId: { type: 'string' },
    trigger: { type: 'string' },
    source: { type: ['string', 'null'] },
    status: { type: 'string', enum: ['queued', 'running', 'succeeded', 'failed', 'partial'] },
    counts: countsSchema,
    error: { type: ['string', 'null'] },
    createdAt: { type: 'string' },
    startedAt: { type: ['string', 'null'] },
    finishedAt: { type: ['string', 'null'] },
  },
} as const;

export const pointerSchema = {
  type: ['object', 'null'],
  properties: {
    file: { type: 'string' },
    row: { type: 'integer' },
    line: { type: 'integer' },
    column: { type: ['string', 'integer'] },
    xpath: { type: 'string' },
    jsonPointer: { type: 'string' },
  },
} as const;

/**
 * Paging, the same on every list route: `limit` (1-1000, default 100) and `offset` (default 0) in the
 * query; the answer is `{ total, limit, offset, items }`, `total` counting every match of the filters.
 * Each route orders by a unique key, so pages neither repeat nor skip an item while nothing changes.
 */
export const pageQuery = {
  limit: { type: 'integer', minimum: 1, maximum: 1000, 'x-finite': true, default: 100, description: 'Items per page (1-1000).' },
  offset: { type: 'integer', minimum: 0, maximum: 1_000_000_000, 'x-finite': true, default: 0, description: 'Items to skip (0-1,000,000,000): the next page starts at offset + limit.' },
} as const;

export interface PageQuery {
  limit: number;
  offset: number;
}

export function pageOf<T extends object>(item: T) {
  return {
    type: 'object',
    required: ['total', 'limit', 'offset', 'items'],
    properties: {
      total: { type: 'integer', description: 'Items matching the filters, on every page.' },
      limit: { type: 'integer' },
      offset: { type: 'integer' },
      items: { type: 'array', items: item },
    },
  } as const;
}

/**
 * ISO times for time-range filters: an RFC 3339 date-time (`format`) that the store's timestamptz
 * columns can compare with (`x-storable-time`). PostgreSQL has no year 0000 and refuses UTC offsets
 * past ±15:59; ajv's date-time takes both (years 0000-9999, offsets to ±23:59), so such a value got
 * through and failed in the database (500, with the database's own message).
 */
export const isoTime = { type: 'string', format: 'date-time', 'x-storable-time': true } as const;

/** The largest UTC offset a time filter takes, in minutes: ±14:00, the widest offset in use (Kiribati). */
export const MAX_OFFSET_MINUTES = 14 * 60;

/** Why a date-time string is out of the range the store takes (year 0001-9999, offset within ±14:00); null when it is in it. */
export function storableTimeProblem(s: string): string | null {
  if (s.startsWith('0000')) return 'year 0000 does not exist (years 0001-9999)';
  const m = /([+-])(\d{2}):(\d{2})$/.exec(s);
  if (m && Number(m[2]) * 60 + Number(m[3]) > MAX_OFFSET_MINUTES) return 'UTC offsets go from -14:00 to +14:00';
  return null;
}

/** The `x-storable-time` keyword (isoTime): a time the store can compare with. */
export function storableTimes(ajv: Ajv): Ajv {
  const validate: SchemaValidateFunction = (on: boolean, s: unknown) => {
    const problem = on && typeof s === 'string' ? storableTimeProblem(s) : null;
    if (problem === null) return true;
    validate.errors = [{ keyword: 'x-storable-time', message: `must be an ISO 8601 time in the years 0001-9999 with a UTC offset within ±14:00: ${problem}`, params: {} }];
    return false;
  };
  ajv.addKeyword({ keyword: 'x-storable-time', schemaType: 'boolean', errors: true, validate });
  return ajv;
}
