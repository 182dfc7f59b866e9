import { afterEach, describe, expect, it, vi } from 'vitest';
import { httpPollSource, type HttpPollSource } from './index.ts';
import { HubError } from '../../src/errors/hub-error.ts';
import { loggedReason } from '../../src/pipeline/transfer.ts';
import type { SourcePart } from '../../src/sdk/connector.ts';
import { collect, testContext } from '../../test/support/context.ts';
import { deadPort, startHttpPeer, type HttpPeer, type RecordedRequest } from '../../test/support/http-peer.ts';

let peer: HttpPeer | undefined;
let conn: HttpPollSource | undefined;
afterEach(async () => {
  await conn?.close();
  await peer?.close();
  peer = undefined;
  conn = undefined;
});

/** A feed of records 1..total, `per` per page; the cursor is the last id served. */
function feed(total: number, per: number) {
  return (req: RecordedRequest, res: import('node:http').ServerResponse) => {
    const url = new URL(req.url, 'http://x');
    const after = Number(url.searchParams.get('cursor') ?? 0);
    const items = [];
    for (let id = after + 1; id <= Math.min(total, after + per); id++) items.push({ id });
    const last = items.at(-1)?.id;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ items, next_cursor: last !== undefined && last < total ? String(last) : null }));
  };
}

async function start(handler: Parameters<typeof startHttpPeer>[0], options: Record<string, unknown> = {}) {
  peer = await startHttpPeer(handler);
  conn = httpPollSource.create({ url: `${peer.url}/api/firearms?status=recovered`, ...options }, testContext('hpd-feed')) as HttpPollSource;
  return conn;
}

async function readParts(c: HttpPollSource, resumeFrom: string | null): Promise<Array<{ part: SourcePart; body: string }>> {
  const out = [];
  const [unit] = await c.claim();
  for await (const part of c.read(unit!, resumeFrom)) out.push({ part, body: (await collect(part.stream)).toString() });
  return out;
}

describe('http-poll: paging', () => {
  it('claims one unit per run', async () => {
    const c = await start(feed(0, 1));
    const units = await c.claim();
    expect(units).toHaveLength(1);
    expect(units[0]!.name).toBe('poll');
  });

  it('given where it resumes, claims nothing when the first page is empty and names no further page (an empty poll makes no transfer)', async () => {
    const c = await start(feed(4, 2), { recordsPath: 'items' });
    expect(await c.claim('4')).toEqual([]); // the feed is read up to 4: nothing new
    expect(await c.claim('2')).toHaveLength(1);
    expect(await c.claim(null)).toHaveLength(1);
    expect(peer!.requests.map((r) => r.url)).toEqual(['/api/firearms?status=recovered&cursor=4', '/api/firearms?status=recovered&cursor=2', '/api/firearms?status=recovered']);
    const restored = await c.restore({ id: 'poll:x', name: 'poll', ref: {} });
    expect(restored.name).toBe('poll');
  });

  it('yields page after page, each with the cursor to resume after it, and stops at the last page', async () => {
    const c = await start(feed(5, 2), { recordsPath: 'items' });
    const parts = await readParts(c, null);
    expect(parts.map((p) => JSON.parse(p.body).items.map((i: { id: number }) => i.id))).toEqual([[1, 2], [3, 4], [5]]);
    // The last page has no next cursor: resume from the cursor that fetched it, so later records are picked up.
    expect(parts.map((p) => p.part.cursor)).toEqual(['2', '4', '4']);
    expect(peer!.requests.map((r) => r.url)).toEqual([
      '/api/firearms?status=recovered',
      '/api/firearms?status=recovered&cursor=2',
      '/api/firearms?status=recovered&cursor=4',
    ]);
  });

  it('starts from the committed cursor', async () => {
    const c = await start(feed(5, 2));
    const parts = await readParts(c, '3');
    expect(JSON.parse(parts[0]!.body).items).toEqual([{ id: 4 }, { id: 5 }]);
    expect(peer!.requests[0]!.url).toBe('/api/firearms?status=recovered&cursor=3');
  });

  it('stops at an empty page without yielding it when it moves no cursor', async () => {
    const c = await start(feed(4, 2), { recordsPath: 'items' });
    const parts = await readParts(c, '4');
    expect(parts).toEqual([]);
    expect(peer!.requests).toHaveLength(1);
  });

  it('yields an empty page that moves the cursor (so it is committed), then stops', async () => {
    const c = await start((_req, res) => res.end(JSON.stringify({ data: { records: [] }, meta: { next: 'abc' } })), {
      recordsPath: 'data.records',
      nextCursorPath: 'meta.next',
    });
    const parts = await readParts(c, 'xyz');
    expect(parts.map((p) => p.part.cursor)).toEqual(['abc']);
    expect(peer!.requests).toHaveLength(1);
  });

  it('stops after maxPages; the committed cursor carries the next run on', async () => {
    const c = await start(feed(100, 1), { maxPages: 3 });
    const parts = await readParts(c, null);
    expect(parts.map((p) => p.part.cursor)).toEqual(['1', '2', '3']);
    expect(peer!.requests).toHaveLength(3);
  });

  it('stops when the API hands back the same cursor (no endless loop)', async () => {
    const c = await start((_req, res) => res.end(JSON.stringify({ items: [{ id: 1 }], next_cursor: 'same' })));
    const parts = await readParts(c, 'same');
    expect(parts).toHaveLength(1);
    expect(parts[0]!.part.cursor).toBe('same');
    expect(peer!.requests).toHaveLength(1);
  });

  it('stops when the next cursor points back at a page the run already read (1 -> 2 -> 1), instead of going round up to maxPages', async () => {
    const c = await start((req, res) => {
      const cursor = new URL(req.url, 'http://x').searchParams.get('cursor');
      res.end(JSON.stringify({ items: [{ id: req.url }], next_cursor: cursor === 'p1' ? 'p2' : 'p1' }));
    });
    const parts = await readParts(c, null);
    expect(parts.map((p) => p.part.cursor)).toEqual(['p1', 'p2', 'p2']);
    expect(peer!.requests.map((r) => r.url)).toEqual(['/api/firearms?status=recovered', '/api/firearms?status=recovered&cursor=p1', '/api/firearms?status=recovered&cursor=p2']);
    // Resumed from a committed cursor, a cycle back to it ends the run too.
    peer!.requests.length = 0;
    expect((await readParts(c, 'p2')).map((p) => p.part.cursor)).toEqual(['p1', 'p1']);
    expect(peer!.requests.map((r) => r.url)).toEqual(['/api/firearms?status=recovered&cursor=p2', '/api/firearms?status=recovered&cursor=p1']);
  });

  it('sends pageSize, custom parameter names, headers and auth', async () => {
    const c = await start(feed(1, 1), {
      pageSize: 500,
      pageSizeParam: 'page_size',
      cursorParam: 'after',
      headers: { 'X-Agency-ORI': 'CT0015100' },
      auth: { type: 'bearer', token: 's3cret-token' },
    });
    await readParts(c, 'c9');
    const r = peer!.requests[0]!;
    expect(r.url).toBe('/api/firearms?status=recovered&after=c9&page_size=500');
    expect(r.headers.authorization).toBe('Bearer s3cret-token');
    expect(r.headers['x-agency-ori']).toBe('CT0015100');
    expect(r.headers.accept).toBe('application/json');
  });

  it('basic and header auth', async () => {
    let c = await start(feed(1, 1), { auth: { type: 'basic', username: 'hub', password: 'p@ss:word' } });
    await readParts(c, null);
    expect(peer!.requests[0]!.headers.authorization).toBe(`Basic ${Buffer.from('hub:p@ss:word').toString('base64')}`);
    await conn!.close();
    await peer!.close();
    c = await start(feed(1, 1), { auth: { type: 'header', header: 'X-API-Key', token: 'k-123' } });
    await readParts(c, null);
    expect(peer!.requests[0]!.headers['x-api-key']).toBe('k-123');
  });

  it('POST sends the cursor and page size as a JSON body', async () => {
    const c = await start((_req, res) => res.end('{"items":[],"next_cursor":null}'), { method: 'POST', pageSize: 10 });
    await readParts(c, 'c1');
    const r = peer!.requests[0]!;
    expect(r.method).toBe('POST');
    expect(r.headers['content-type']).toBe('application/json');
    expect(JSON.parse(r.body.toString())).toEqual({ cursor: 'c1', limit: 10 });
  });

  it('a page that is not JSON is still yielded as is, and the run ends there', async () => {
    const garbage = Buffer.from([0x00, 0xff, 0xfe, 0x7b, 0x80, 0x81]);
    const c = await start((_req, res) => res.end(garbage));
    const [unit] = await c.claim();
    const parts = [];
    for await (const part of c.read(unit!, 'c1')) parts.push({ cursor: part.cursor, bytes: await collect(part.stream) });
    expect(parts).toHaveLength(1);
    expect(parts[0]!.bytes.equals(garbage)).toBe(true);
    expect(parts[0]!.cursor).toBe('c1');
  });
});

describe('http-poll: the cost of a page', () => {
  it('finds the cursor and the empty page without parsing the page: JSON.parse never sees it (the mapping parses it, once)', async () => {
    // 200,000 records, the cursor after them: what a parse builds grows with the records, a scan does not.
    const big = `{"items":[${'{"id":1},'.repeat(200_000)}{"id":2}],"meta":{"next":"after-200001"}}`;
    const last = '{"items":[],"meta":{"next":null}}';
    const c = await start((req, res) => res.end(req.url.includes('after-200001') ? last : big), { recordsPath: 'items', nextCursorPath: 'meta.next' });
    const parse = vi.spyOn(JSON, 'parse');
    try {
      expect(await c.claim(null)).toHaveLength(1);
      const parts = await readParts(c, null);
      expect(parts.map((p) => [p.part.cursor, p.body.length])).toEqual([['after-200001', big.length]]);
      expect(await c.claim('after-200001')).toEqual([]);
      const pageParses = parse.mock.calls.filter(([text]) => typeof text === 'string' && text.includes('"items"'));
      expect(pageParses.length).toBe(0);
    } finally {
      parse.mockRestore();
    }
  });
});

describe('http-poll: failures', () => {
  async function failure(c: HttpPollSource, resumeFrom: string | null = null): Promise<HubError> {
    const [unit] = await c.claim();
    try {
      for await (const part of c.read(unit!, resumeFrom)) await collect(part.stream);
    } catch (err) {
      expect(err).toBeInstanceOf(HubError);
      return err as HubError;
    }
    throw new Error('expected the read to fail');
  }

  it('5xx is transient, with Retry-After', async () => {
    const c = await start((_req, res) => {
      res.writeHead(503, { 'retry-after': '30' });
      res.end('maintenance');
    });
    const err = await failure(c);
    expect(err.code).toBe('HUB_ERR_CONNECTOR_UNAVAILABLE');
    expect(err.errorClass).toBe('transient');
    expect(err.message).toContain('HTTP 503');
    expect(err.params.retryAfterMs).toBe(30_000);
  });

  it('an error answer is kept in the message (the transfer) but not in what log lines show: it can carry records', async () => {
    const answer = '{"error":"bad page","record":{"serial":"ECHOED-SN-1"}}';
    for (const status of [500, 422]) {
      await conn?.close();
      await peer?.close();
      const c = await start((_req, res) => {
        res.statusCode = status;
        res.end(answer);
      });
      const err = await failure(c);
      expect(err.message).toContain('ECHOED-SN-1');
      expect(loggedReason(err)).not.toContain('ECHOED');
      expect(loggedReason(err)).toContain(`HTTP ${status}`);
      expect(loggedReason(err)).toContain('not logged');
    }
  });

  it('429 is transient', async () => {
    const c = await start((_req, res) => {
      res.statusCode = 429;
      res.end();
    });
    expect((await failure(c)).errorClass).toBe('transient');
  });

  it('4xx is a config error naming the status and the answer', async () => {
    const c = await start((_req, res) => {
      res.statusCode = 401;
      res.end('{"error":"invalid token"}');
    });
    const err = await failure(c);
    expect(err.code).toBe('HUB_ERR_CONNECTOR_REJECTED');
    expect(err.errorClass).toBe('config');
    expect(err.message).toContain('401');
    expect(err.message).toContain('invalid token');
  });

  it('a failure after some pages comes after those pages were yielded (their cursors get committed)', async () => {
    const c = await start((req, res) => {
      if (req.url.includes('cursor=')) {
        res.statusCode = 502;
        res.end('bad gateway');
      } else res.end('{"items":[1],"next_cursor":"p2"}');
    });
    const [unit] = await c.claim();
    const cursors: (string | undefined)[] = [];
    await expect(
      (async () => {
        for await (const part of c.read(unit!, null)) {
          await collect(part.stream);
          cursors.push(part.cursor);
        }
      })(),
    ).rejects.toMatchObject({ code: 'HUB_ERR_CONNECTOR_UNAVAILABLE' });
    expect(cursors).toEqual(['p2']);
  });

  it('a refused connection is transient', async () => {
    const port = await deadPort();
    conn = httpPollSource.create({ url: `http://127.0.0.1:${port}/feed` }, testContext()) as HttpPollSource;
    const err = await failure(conn);
    expect(err.code).toBe('HUB_ERR_CONNECTOR_UNAVAILABLE');
    expect(err.message).toContain('ECONNREFUSED');
  });

  it('a slow API times out (transient)', async () => {
    const c = await start(async (_req, res) => {
      await new Promise((r) => setTimeout(r, 1500));
      res.end('{}');
    }, { timeoutMs: 200 });
    const err = await failure(c);
    expect(err.code).toBe('HUB_ERR_CONNECTOR_UNAVAILABLE');
    expect(err.message).toContain('timed out');
  });

  it('a page above maxPageBytes fails the run', async () => {
    const c = await start((_req, res) => res.end(JSON.stringify({ items: 'x'.repeat(5000) })), { maxPageBytes: 2048 });
    expect((await failure(c)).code).toBe('HUB_ERR_CONNECTOR_RESPONSE_TOO_LARGE');
  });

  it('messages never carry the query string (it may hold a token)', async () => {
    peer = await startHttpPeer((_req, res) => {
      res.statusCode = 403;
      res.end('no');
    });
    conn = httpPollSource.create({ url: `${peer.url}/feed?api_key=SECRET123` }, testContext()) as HttpPollSource;
    const err = await failure(conn);
    expect(peer.requests[0]!.url).toBe('/feed?api_key=SECRET123');
    expect(err.message).not.toContain('SECRET123');
  });
});

describe('http-poll: check', () => {
  it('is ok when the API answers 2xx', async () => {
    const c = await start(feed(1, 1));
    const r = await c.check();
    expect(r).toMatchObject({ ok: true });
    expect(r.detail).toContain('HTTP 200');
  });

  it('is not ok (no throw) when nothing listens, or the API refuses', async () => {
    const port = await deadPort();
    conn = httpPollSource.create({ url: `http://127.0.0.1:${port}/feed` }, testContext()) as HttpPollSource;
    const r = await conn.check();
    expect(r.ok).toBe(false);
    expect(r.detail).toContain('ECONNREFUSED');
    await conn.close();
    const c = await start((_req, res) => {
      res.statusCode = 404;
      res.end();
    });
    expect((await c.check()).ok).toBe(false);
  });
});
