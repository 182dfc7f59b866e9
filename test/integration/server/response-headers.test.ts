/**
 * Every answer under /api and /hooks carries `Cache-Control: no-store` and
 * `X-Content-Type-Options: nosniff`, whatever its status: criminal-justice data is never kept by a
 * browser or proxy cache, and an answer is never read as another type than the one it says. Errors
 * (400, 401, 404, 414, 429) carry them too: they may name leads, keys and connectors.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labWebhookEnv, type TestEnv } from '../../support/hub-harness.ts';
import type { Hub } from '../../../src/runtime/hub.ts';
import { hashKey } from '../../../src/server/auth.ts';


describe('headers of API answers', () => {
  let env: TestEnv;
  let hub: Hub;
  beforeAll(async () => {
    env = await labWebhookEnv({
      keys: [{ id: 'analyst', role: 'analyst', sha256: hashKey('analyst-key') }],
      api: { rateLimit: { windowSeconds: 60, perKey: 100, anonymous: 3 } },
    });
    hub = await env.start();
  }, 60_000);
  afterAll(async () => {
    await env?.cleanup();
  });

  it('carry no-store and nosniff on success, refusal and error alike', async () => {
    const analyst = { authorization: 'Bearer analyst-key' };
    const asked: { what: string; status: number; res: Response }[] = [];
    const ask = async (what: string, status: number, p: string, init: RequestInit = {}): Promise<void> => {
      const res = await fetch(`${hub.address}${p}`, init);
      await res.arrayBuffer();
      asked.push({ what, status, res });
    };
    await ask('a list', 200, '/api/transfers', { headers: analyst });
    await ask('the connectors', 200, '/api/connectors', { headers: analyst });
    await ask('a thing that is not there', 404, '/api/transfers/none', { headers: analyst });
    await ask('a bad query', 400, '/api/transfers?limit=0', { headers: analyst });
    await ask('an unknown path under /api', 404, '/api/nothing-here', { headers: analyst });
    await ask('an URL the router cannot take', 414, `/api/transfers/${'x'.repeat(1500)}`, { headers: analyst });
    await ask('a webhook without a signature', 401, '/hooks/hook', { method: 'POST', body: 'a,b\n' });
    await ask('a webhook of no connector', 404, '/hooks/none', { method: 'POST', body: 'a,b\n' });
    await ask('no key', 401, '/api/transfers');
    for (let i = 0; i < 5; i++) await ask('past the anonymous limit', 429, '/api/transfers');
    for (const a of asked.filter((x, i) => x.what !== 'past the anonymous limit' || i === asked.length - 1)) {
      expect([a.what, a.res.status, a.res.headers.get('cache-control'), a.res.headers.get('x-content-type-options')]).toEqual([a.what, a.status, 'no-store', 'nosniff']);
    }
    // The probes and the OpenAPI pages are not CJI: they keep their own caching.
    expect((await fetch(`${hub.address}/healthz`)).headers.get('cache-control')).toBeNull();
  });
});
