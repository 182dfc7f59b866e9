/**
 * Requests that no key and no signature stand behind are counted per address, as anonymous /api calls
 * are (hub.api.rateLimit.anonymous), and answered 429 past the limit: webhooks with a missing or wrong
 * signature, webhooks of no connector, and paths no route takes. Each would otherwise write an audit
 * entry (and a bad signature a log line) without bound. A correctly signed webhook is never counted
 * nor refused by that limit, even from an address past it. A webhook of no connector is answered
 * before its body is read.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { caseCsv, LAB_WEBHOOK_SECRET as SECRET, labWebhookEnv, type TestEnv } from '../../support/hub-harness.ts';
import { headOnly } from '../../support/raw-request.ts';
import { sign } from '../../../connectors/webhook/index.ts';
import { hashKey } from '../../../src/server/auth.ts';

const LAB = 'CTFSL0000';
const LIMIT = 5;

let env: TestEnv | null = null;
afterEach(async () => {
  await env?.cleanup();
  env = null;
});

async function hubWithHook() {
  const e = await labWebhookEnv({
    keys: [{ id: 'admin', role: 'admin', sha256: hashKey('admin-key') }],
    api: { rateLimit: { windowSeconds: 60, perKey: 100, anonymous: LIMIT } },
  });
  env = e;
  return e.start();
}

const statuses = async (n: number, send: () => Promise<Response>): Promise<number[]> => {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const res = await send();
    await res.arrayBuffer();
    out.push(res.status);
  }
  return out;
};

/** Announces a body of 10 MB and sends none of it: the status line if the answer comes without it. */
async function unreadBody(address: string, p: string, headers: Record<string, string>): Promise<string> {
  const head = `POST ${p} HTTP/1.1\r\nHost: x\r\nContent-Type: text/csv\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')}Content-Length: 10485760\r\n\r\n`;
  return (await headOnly(address, head)) ?? 'no answer before the body';
}

describe('refusals without a key or a signature are rate-limited per address', () => {
  it('bad signatures: 401 up to the limit, then 429 with Retry-After; a signed body from the same address still gets 202', async () => {
    const hub = await hubWithHook();
    const now = Math.floor(Date.now() / 1000);
    const body = caseCsv(1, [LAB]);
    const post = (headers: Record<string, string>) => fetch(`${hub.address}/hooks/hook`, { method: 'POST', headers: { 'content-type': 'text/csv', ...headers }, body });
    const wrong = { 'x-cgic-timestamp': String(now), 'x-cgic-signature': `sha256=${'0'.repeat(64)}` };
    // Well-formed but wrong signatures (their bodies are read and checked), then none at all.
    expect(await statuses(LIMIT - 1, () => post(wrong))).toEqual(Array(LIMIT - 1).fill(401));
    expect(await statuses(1, () => post({}))).toEqual([401]);
    const limited = await post(wrong);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await limited.json()).toMatchObject({ code: 'HUB_ERR_API_RATE_LIMITED', message: expect.stringMatching(/address .*: at most 5 per 60 s/) });
    expect((await post({})).status).toBe(429);
    // Past the limit, a request whose headers no body can sign (none, stale) is refused unread;
    // one whose signature is well formed is still read and checked.
    expect(await unreadBody(hub.address!, '/hooks/hook', {})).toBe('HTTP/1.1 429 Too Many Requests');
    expect(await unreadBody(hub.address!, '/hooks/hook', { 'x-cgic-timestamp': String(now - 3600), 'x-cgic-signature': `sha256=${'0'.repeat(64)}` })).toBe('HTTP/1.1 429 Too Many Requests');
    expect(await unreadBody(hub.address!, '/hooks/hook', wrong)).toBe('no answer before the body');
    // The limit is the address's, shared with anonymous /api calls.
    expect((await fetch(`${hub.address}/api/transfers`)).status).toBe(429);
    // Correctly signed bodies from that address are taken, however many.
    for (let i = 0; i < LIMIT + 2; i++) {
      const b = caseCsv(1, [LAB], { prefix: `S${i}` });
      const signed = await fetch(`${hub.address}/hooks/hook`, { method: 'POST', headers: { 'content-type': 'text/csv', 'x-cgic-timestamp': String(now), 'x-cgic-signature': sign(SECRET, now, b) }, body: b });
      expect([i, signed.status]).toEqual([i, 202]);
    }
    // A key is counted as the key, not as the address.
    expect((await fetch(`${hub.address}/api/transfers`, { headers: { authorization: 'Bearer admin-key' } })).status).toBe(200);
    await hub.audit.drain();
    const refused = await hub.store.listAudit({ category: 'webhook', outcome: 'refused', limit: 100 });
    expect(refused.filter((e) => e.status === 429 && e.code === 'HUB_ERR_API_RATE_LIMITED').length).toBeGreaterThanOrEqual(2);
  }, 60_000);

  it('bodies refused before their signature is checked (compressed: 415, too large for the connector or the server: 413) count too; a signed body still gets 202', async () => {
    const hub = await hubWithHook();
    const now = Math.floor(Date.now() / 1000);
    const body = caseCsv(1, [LAB]);
    const signedHeaders = { 'content-type': 'text/csv', 'x-cgic-timestamp': String(now), 'x-cgic-signature': sign(SECRET, now, body) };
    const encoded = () => fetch(`${hub.address}/hooks/hook`, { method: 'POST', headers: { ...signedHeaders, 'content-encoding': 'gzip' }, body });
    const large = (hub.source('hook') as unknown as { maxBytes: number }).maxBytes + 1;
    // One byte past the connector's maxBytes is refused by the connector; two, by the server's body limit.
    const tooLarge = (extra: number) => () => fetch(`${hub.address}/hooks/hook`, { method: 'POST', headers: signedHeaders, body: Buffer.alloc(large + extra, 0x41) });
    expect(await statuses(LIMIT - 2, encoded)).toEqual(Array(LIMIT - 2).fill(415));
    expect(await statuses(1, tooLarge(0))).toEqual([413]);
    expect(await statuses(1, tooLarge(1))).toEqual([413]);
    expect(await statuses(2, encoded)).toEqual([429, 429]);
    expect((await fetch(`${hub.address}/hooks/hook`, { method: 'POST', headers: signedHeaders, body })).status).toBe(202);
  }, 60_000);

  it('webhooks of no connector and unknown paths: 404 up to the limit, then 429', async () => {
    const hub = await hubWithHook();
    const noHook = () => fetch(`${hub.address}/hooks/no-such-hook`, { method: 'POST', body: 'a,b\n' });
    const noPath = () => fetch(`${hub.address}/api/no-such-route`);
    expect(await statuses(3, noHook)).toEqual([404, 404, 404]);
    expect(await statuses(2, noPath)).toEqual([404, 404]);
    expect(await statuses(2, noPath)).toEqual([429, 429]);
    const limited = await noHook();
    expect([limited.status, ((await limited.json()) as { code: string }).code]).toEqual([429, 'HUB_ERR_API_RATE_LIMITED']);
    expect(limited.headers.get('retry-after')).not.toBeNull();
    expect((await fetch(`${hub.address}/nothing`)).status).toBe(429);
    // A key's caller is counted as itself: its own 404s do not touch the address's count.
    expect((await fetch(`${hub.address}/api/no-such-route`, { headers: { authorization: 'Bearer admin-key' } })).status).toBe(404);
  }, 60_000);

  it('a webhook of no connector is answered before its body is read', async () => {
    const hub = await hubWithHook();
    expect(await unreadBody(hub.address!, '/hooks/no-such-hook', {})).toBe('HTTP/1.1 404 Not Found');
  }, 30_000);
});
