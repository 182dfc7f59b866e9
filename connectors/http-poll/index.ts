/**
 * http-poll source: pages through a JSON API with a cursor.
 *
 * Input: `url`, answered with JSON pages carrying the next cursor at `nextCursorPath`. Output: one
 * unit per run ("poll"); `read(unit, resumeFrom)` requests page after page starting at the committed
 * cursor and yields each page as one part whose `cursor` is where the next run resumes after that
 * page's records are committed (the page's next cursor; on the last page, the cursor that fetched it,
 * so records appended later are picked up). It stops at a page without a new next cursor (none, or
 * one this run already asked with: a cycle), an empty page, or after `maxPages`.
 *
 * A page is never parsed here: its next cursor, whether it is empty and whether it is JSON are found by
 * JsonPathScan as its bytes arrive (no objects built), and the mapping's reader parses it, once.
 *
 * Errors: network failures, timeouts, 408, 429 and 5xx throw HUB_ERR_CONNECTOR_UNAVAILABLE
 * (transient: the run is retried); other non-2xx answers throw HUB_ERR_CONNECTOR_REJECTED (config).
 * A page that is not JSON is still yielded (the mapping reports it), and the run ends there.
 */
import { Readable } from 'node:stream';
import { request, type Agent } from 'undici';
import { defineConnector, type CheckResult, type ConnectorContext, type SourceConnector, type SourcePart, type SourceUnit } from '../../src/sdk/connector.ts';
import { HubError } from '../../src/errors/hub-error.ts';
import { JsonPathScan, type JsonPathValue } from '../../src/formats/json-path-scan.ts';
import { resolveOptions } from '../_shared/options.ts';
import type { OptionsInput, OptionsResolved } from '../_shared/schema.ts';
import {
  authHeaders,
  authSchema,
  buildAgent,
  displayUrl,
  excerpt,
  headersSchema,
  networkReason,
  parseRetryAfter,
  readLimited,
  tlsSchema,
} from '../_shared/http.ts';

export const httpPollSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'http-poll source options',
  description: 'Pages through a JSON API with a cursor; the cursor is committed with each page\'s records.',
  type: 'object',
  additionalProperties: false,
  required: ['url'],
  properties: {
    url: {
      type: 'string',
      pattern: '^https?://[^\\s]+$',
      description: 'URL of the first page. Fixed query parameters (filters) may be part of it.',
      examples: ['https://rms.hpd.example.gov/api/v2/firearms?status=recovered'],
    },
    method: {
      enum: ['GET', 'POST'],
      default: 'GET',
      description: 'GET sends the cursor and page size as query parameters; POST sends them as a JSON body.',
      examples: ['GET'],
    },
    headers: headersSchema,
    auth: authSchema,
    tls: tlsSchema,
    pageSize: {
      type: 'integer',
      minimum: 1,
      description: 'Records per page, sent as pageSizeParam. Left out of the request when not set.',
      examples: [500],
    },
    pageSizeParam: {
      type: 'string',
      minLength: 1,
      default: 'limit',
      description: 'Name of the parameter carrying pageSize.',
      examples: ['limit', 'page_size'],
    },
    cursorParam: {
      type: 'string',
      minLength: 1,
      default: 'cursor',
      description: 'Name of the parameter carrying the cursor. The first page of the first run is requested without it.',
      examples: ['cursor', 'after'],
    },
    nextCursorPath: {
      type: 'string',
      minLength: 1,
      default: 'next_cursor',
      description: 'Dotted path in the JSON response to the next cursor (a string or number); absent, null or "" means no further page.',
      examples: ['next_cursor', 'meta.next'],
    },
    recordsPath: {
      type: 'string',
      minLength: 1,
      description:
        'Dotted path to the array of records in a page, used only to recognize an empty page (the mapping reads the whole page). Without it a page is empty when it is [] or has no bytes.',
      examples: ['items', 'data.records'],
    },
    maxPages: {
      type: 'integer',
      minimum: 1,
      default: 100,
      description: 'At most this many pages per run; the next run continues from the committed cursor.',
      examples: [100],
    },
    maxPageBytes: {
      type: 'integer',
      minimum: 1024,
      default: 52428800,
      description: 'A page larger than this fails the run (HUB_ERR_CONNECTOR_RESPONSE_TOO_LARGE): a page is held in memory (as bytes) until its cursor is known.',
      examples: [52428800],
    },
    timeoutMs: {
      type: 'integer',
      minimum: 100,
      default: 30000,
      description: 'Time allowed for each page (connect, headers and body), in milliseconds.',
      examples: [30000],
    },
  },
} as const;

export type HttpPollOptions = OptionsResolved<typeof httpPollSchema>;

/** What log lines show instead of an error answer, which can carry records. */
const ANSWER_NOT_LOGGED = "(its answer is kept with the transfer and shown by the connector's check, not logged)";

interface Page {
  status: number;
  body: Buffer;
  /** The body is one JSON document (found by JsonPathScan, without parsing it). */
  json: boolean;
  /** The next cursor at nextCursorPath (a string, or a number as text), when the body is JSON. */
  next: string | undefined;
  /** The body is JSON and its records (at recordsPath, or the whole body) are an empty array. */
  empty: boolean;
}

export class HttpPollSource implements SourceConnector {
  readonly kind = 'http-poll';
  private readonly agent: Agent;
  private readonly cursorPath: string[];
  /** [] (the whole page) when recordsPath is not set. */
  private readonly recordsPath: string[];

  constructor(
    private readonly o: HttpPollOptions,
    private readonly ctx: ConnectorContext,
  ) {
    this.agent = buildAgent(o.tls, o.timeoutMs);
    this.cursorPath = o.nextCursorPath.split('.');
    this.recordsPath = o.recordsPath ? o.recordsPath.split('.') : [];
  }

  async check(): Promise<CheckResult> {
    try {
      const page = await this.fetchPage(null);
      return { ok: true, detail: `${this.o.method} ${displayUrl(this.o.url)} answered HTTP ${page.status} (${page.body.length} bytes)` };
    } catch (err) {
      return { ok: false, detail: (err as Error).message };
    }
  }

  /**
   * One unit per run. Given where the run would resume (the committed cursor, as a poll passes it),
   * the first page is asked for first: when it is empty and names no further page there is nothing to
   * read, and the run claims nothing (no transfer).
   */
  async claim(resumeFrom?: string | null): Promise<SourceUnit[]> {
    const startedAt = new Date().toISOString();
    if (resumeFrom !== undefined) {
      const { body, json, next, empty } = await this.fetchPage(resumeFrom);
      if (body.length === 0) return [];
      // A page that is not JSON is claimed: the run reads it, and the mapping reports it.
      if (json && empty && (next === undefined || next === resumeFrom)) return [];
    }
    return [{ id: `poll:${startedAt}`, name: 'poll', ref: { startedAt } }];
  }

  async *read(_unit: SourceUnit, resumeFrom: string | null): AsyncIterable<SourcePart> {
    let cursor = resumeFrom;
    // The cursors this run asked with: an API whose next cursor points back at one of them (1 -> 2 -> 1)
    // would otherwise be read round and round up to maxPages on every run.
    const asked = new Set<string>(cursor !== null ? [cursor] : []);
    for (let n = 1; n <= this.o.maxPages; n++) {
      const { body, next, empty } = await this.fetchPage(cursor);
      if (body.length === 0) return;
      const advances = next !== undefined && !asked.has(next);
      if (next !== undefined && next !== cursor && !advances) {
        this.ctx.log.warn({ page: n }, 'http-poll: the next cursor points back at a page this run already read; the run stops here');
      }
      const partCursor = advances ? next : (cursor ?? undefined);
      if (!empty || advances) {
        const part: SourcePart = { stream: Readable.from([body]), name: `page-${n}.json`, ...(partCursor !== undefined ? { cursor: partCursor } : {}) };
        yield part;
      }
      if (empty || !advances) return;
      cursor = next;
      asked.add(next);
    }
    this.ctx.log.info({ maxPages: this.o.maxPages, cursor }, 'http-poll: maxPages reached; the next run continues from the committed cursor');
  }

  async ack(_unit: SourceUnit): Promise<void> {
    // The cursor was committed with each page's records: nothing left to acknowledge.
  }

  async reject(unit: SourceUnit, errors: unknown[]): Promise<SourceUnit> {
    this.ctx.log.warn({ unit: unit.id, errors: errors.length }, 'http-poll: run rejected; the cursor stays at the last committed page');
    return unit;
  }

  /** A replayed run reads again from the committed cursor. */
  async restore(_unit: SourceUnit): Promise<SourceUnit> {
    const startedAt = new Date().toISOString();
    return { id: `poll:${startedAt}`, name: 'poll', ref: { startedAt } };
  }

  async close(): Promise<void> {
    await this.agent.close();
  }

  private async fetchPage(cursor: string | null): Promise<Page> {
    const o = this.o;
    const url = new URL(o.url);
    const params: Record<string, string | number> = {};
    if (cursor !== null) params[o.cursorParam] = cursor;
    if (o.pageSize !== undefined) params[o.pageSizeParam] = o.pageSize;
    const headers: Record<string, string> = {
      accept: 'application/json',
      'user-agent': 'cgic-hub',
      ...lowerKeys(o.headers ?? {}),
      ...authHeaders(o.auth),
    };
    let body: string | undefined;
    if (o.method === 'GET') {
      for (const [k, v] of Object.entries(params)) url.searchParams.set(k, String(v));
    } else {
      body = JSON.stringify(params);
      headers['content-type'] = 'application/json';
    }
    const target = displayUrl(o.url);
    let res;
    try {
      res = await request(url, {
        method: o.method,
        headers,
        ...(body !== undefined ? { body } : {}),
        dispatcher: this.agent,
        signal: AbortSignal.timeout(o.timeoutMs),
      });
    } catch (err) {
      throw new HubError('HUB_ERR_CONNECTOR_UNAVAILABLE', { connector: this.ctx.id, target, reason: networkReason(err) }, undefined, { cause: err });
    }
    const status = res.statusCode;
    // A page is read for two facts, its next cursor and whether it is empty: scanned as it arrives,
    // never parsed here (the mapping parses it, once).
    const scan = status >= 200 && status < 300 ? new JsonPathScan([this.cursorPath, this.recordsPath]) : undefined;
    let page;
    try {
      page = await readLimited(res.body, o.maxPageBytes, scan && ((chunk) => scan.scan(chunk)));
    } catch (err) {
      throw new HubError('HUB_ERR_CONNECTOR_UNAVAILABLE', { connector: this.ctx.id, target, reason: networkReason(err) }, undefined, { cause: err });
    }
    if (status === 408 || status === 429 || status >= 500) {
      const retryAfterMs = parseRetryAfter(res.headers['retry-after']);
      throw new HubError(
        'HUB_ERR_CONNECTOR_UNAVAILABLE',
        {
          connector: this.ctx.id,
          target,
          reason: `HTTP ${status}: ${excerpt(page.buf)}`,
          status,
          ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
        },
        undefined,
        { logged: { reason: `HTTP ${status} ${ANSWER_NOT_LOGGED}` } },
      );
    }
    if (status < 200 || status >= 300) {
      throw new HubError('HUB_ERR_CONNECTOR_REJECTED', { connector: this.ctx.id, target, status, reason: excerpt(page.buf) }, undefined, {
        logged: { reason: ANSWER_NOT_LOGGED },
      });
    }
    if (page.truncated) {
      throw new HubError('HUB_ERR_CONNECTOR_RESPONSE_TOO_LARGE', { connector: this.ctx.id, target, maxPageBytes: o.maxPageBytes });
    }
    const { valid, values } = scan!.end();
    const [cursorValue, records] = values as [JsonPathValue, JsonPathValue];
    return {
      status,
      body: page.buf,
      json: valid,
      next: valid ? cursorOf(cursorValue) : undefined,
      empty: valid && records.kind === 'array' && records.empty,
    };
  }
}

function lowerKeys(h: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]));
}

/** The cursor a page names: a string that is not empty, or a finite number written as text. */
function cursorOf(v: JsonPathValue): string | undefined {
  if (v.kind !== 'scalar') return undefined;
  if (typeof v.value === 'number' && Number.isFinite(v.value)) return String(v.value);
  return typeof v.value === 'string' && v.value !== '' ? v.value : undefined;
}

export const httpPollSource = defineConnector<OptionsInput<typeof httpPollSchema>>({
  kind: 'http-poll',
  direction: 'source',
  description: 'Pages through a JSON API with a cursor, one part per page, committing the cursor with each page\'s records.',
  optionsSchema: httpPollSchema,
  create: (options, ctx) => new HttpPollSource(resolveOptions<HttpPollOptions>('http-poll', httpPollSchema, options, ctx.id), ctx),
});
