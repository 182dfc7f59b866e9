/**
 * Signing in to the console, over HTTP, against the README's demo hub and a real OpenID provider
 * running in this process (oidc-provider, support/oidc-provider.ts): the authorization code flow with
 * PKCE end to end with a cookie jar; refusals (no second factor asserted, a group that gives no role)
 * with their codes and audit entries; the session cookie's attributes; every read under the person
 * on the audit trail; CSRF refused without the session's token (API keys need none); idle lock,
 * absolute end and sign-out; Bull Board for a signed-in administrator only. Then the demo mode:
 * without a provider, the console signs in with an API key, into the same kind of session.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_KEYS, startDemoHub, type DemoHub } from '../../support/console-demo.ts';
import { HttpSession } from '../../support/oidc-provider.ts';
import { SESSION_COOKIE, sessionKey } from '../../../src/server/session.ts';

const AUDITOR = 'demo-auditor-key';

async function json(res: Response): Promise<any> {
  return JSON.parse(await res.text());
}

async function signedIn(demo: DemoHub, user: string): Promise<{ http: HttpSession; me: any }> {
  const http = new HttpSession();
  const done = await http.signIn(demo.url, user);
  expect(done.res.status).toBe(200);
  const me = await json((await http.request(`${demo.url}/api/me`)).res);
  return { http, me };
}

/** The session record in Redis, to age it as time would. */
async function ageSession(demo: DemoHub, http: HttpSession, change: (s: { createdAt: number; lastActiveAt: number }) => void): Promise<void> {
  const { redis, prefix } = demo.hub.apiRedis();
  const id = http.cookies(demo.url).get(SESSION_COOKIE)!;
  const key = `${prefix}:console:${sessionKey(id)}`;
  const s = JSON.parse((await redis.get(key))!);
  change(s);
  await redis.set(key, JSON.stringify(s), 'KEEPTTL');
}

async function audit(demo: DemoHub, query: Record<string, string>): Promise<any[]> {
  const res = await fetch(`${demo.url}/api/audit?${new URLSearchParams({ limit: '50', ...query })}`, { headers: { authorization: `Bearer ${AUDITOR}` } });
  expect(res.status).toBe(200);
  return (await json(res)).items;
}

describe('console sign-in through the identity provider', () => {
  let demo: DemoHub;
  beforeAll(async () => {
    demo = await startDemoHub({ oidc: true });
  }, 120_000);
  afterAll(async () => {
    await demo?.stop();
  });

  it("signs Hartford's investigator in (code + PKCE), with a secure session cookie, and every read is on the trail under that person", async () => {
    const http = new HttpSession();
    const first = await http.request(`${demo.url}/console/auth/sign-in?return=${encodeURIComponent('#/leads')}`, { follow: false });
    expect(first.res.status).toBe(302);
    const authorize = new URL(first.res.headers.get('location')!);
    expect(authorize.origin).toBe(demo.provider!.issuer);
    expect(Object.fromEntries(authorize.searchParams)).toMatchObject({ response_type: 'code', code_challenge_method: 'S256', client_id: 'cgic-hub-console', redirect_uri: `${demo.url}/console/auth/callback` });
    expect(authorize.searchParams.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    expect(first.res.headers.get('set-cookie')).toMatch(/^cgic_sign_in=[\w-]+; Max-Age=600; Path=\/console\/auth; HttpOnly; SameSite=Lax$/);

    const done = await http.signIn(demo.url, 'hartford-investigator', '#/leads');
    expect(done.res.status).toBe(200);
    expect(done.url).toBe(`${demo.url}/console/#/leads`);
    expect(done.visited.some((u) => u.startsWith(`${demo.url}/console/auth/callback?code=`))).toBe(true);
    expect(http.cookies(demo.url).get(SESSION_COOKIE)).toMatch(/^[\w-]{43}$/);

    const me = await json((await http.request(`${demo.url}/api/me`)).res);
    expect(me).toMatchObject({ keyId: 'user:hartford-investigator', role: 'agency', ori: 'CT0006400', agencyName: 'Hartford Police Department', name: 'Sam Ortiz (Hartford PD)', signedInWith: 'identity-provider' });
    expect(me.csrfToken).toMatch(/^[\w-]{32}$/);
    const leads = await http.request(`${demo.url}/api/leads`);
    expect(leads.res.status).toBe(200);
    const overview = await http.request(`${demo.url}/api/overview`);
    expect(overview.res.status).toBe(403);

    const trail = await audit(demo, { actor: 'user:hartford-investigator', order: 'asc' });
    expect(trail.map((e) => [e.action, e.outcome, e.role, e.ori])).toEqual([
      ['GET /console/auth/callback', 'ok', 'agency', 'CT0006400'],
      ['GET /api/me', 'ok', 'agency', 'CT0006400'],
      ['GET /api/leads', 'ok', 'agency', 'CT0006400'],
      ['GET /api/overview', 'refused', 'agency', 'CT0006400'],
    ]);
    expect(trail[0].detail.signIn).toEqual({ amr: ['pwd', 'otp'], acr: 'urn:test:mfa' });
    for (const e of trail) expect(e.detail.session).toEqual({ issuer: demo.provider!.issuer, name: 'Sam Ortiz (Hartford PD)' });
  });

  it("an auditor whose agency claim names Hartford reads Hartford's entries of the trail only, page and total", async () => {
    const { http, me } = await signedIn(demo, 'hartford-auditor');
    expect(me).toMatchObject({ keyId: 'user:hartford-auditor', role: 'auditor', ori: 'CT0006400' });
    const read = async (query: string) => {
      const r = await http.request(`${demo.url}/api/audit?${query}`);
      expect(r.res.status).toBe(200);
      return (await json(r.res)) as { total: number; items: { ori: string | null; actor: string }[] };
    };
    const own = await read('limit=1000');
    expect(own.total).toBe(own.items.length);
    expect(own.total).toBeGreaterThan(0);
    expect(own.items.filter((e) => e.ori !== 'CT0006400')).toEqual([]);
    expect(await read('ori=CT0004300')).toMatchObject({ total: 0, items: [] });
    // The state's auditor (a key without an ori) reads the entries Hartford's does not.
    expect((await audit(demo, { limit: '1000' })).filter((e) => e.ori !== 'CT0006400').length).toBeGreaterThan(0);
    const [entry] = await audit(demo, { actor: 'user:hartford-auditor', action: 'GET /api/audit', limit: '1' });
    expect(entry).toMatchObject({ role: 'auditor', ori: 'CT0006400', outcome: 'ok', detail: { query: { ori: 'CT0004300' } } });
  });

  it('the session cookie is HttpOnly, SameSite=Lax, for the whole hub, and Secure when the hub is on https', async () => {
    const http = new HttpSession();
    const started = await http.request(`${demo.url}/console/auth/sign-in`, { follow: false });
    const login = await http.request(started.res.headers.get('location')!);
    const back = await http.request(`${new URL(login.url).origin}${new URL(login.url).pathname}/login`, { method: 'POST', body: 'username=lab-admin', headers: { 'content-type': 'application/x-www-form-urlencoded' }, follow: false });
    // The provider's answer leads (through its resume step) to the hub's callback.
    let next = back;
    while (!next.res.headers.get('location')?.startsWith(`${demo.url}/console/auth/callback`)) next = await http.request(new URL(next.res.headers.get('location')!, next.url).href, { follow: false });
    const callback = await http.request(next.res.headers.get('location')!, { follow: false });
    expect(callback.res.status).toBe(303);
    expect(callback.res.headers.get('location')).toBe('/console/');
    const cookies = callback.res.headers.getSetCookie();
    expect(cookies.find((c) => c.startsWith(`${SESSION_COOKIE}=`))).toMatch(/^cgic_session=[\w-]{43}; Path=\/; HttpOnly; SameSite=Lax$/);
    // http here (a loopback test provider); an https redirectUrl or hub.api.tls adds Secure (sessionCookieOptions).
  });

  it('refuses a user the provider did not assert a second factor for, with a page saying so and the code, on the audit trail', async () => {
    const http = new HttpSession();
    const done = await http.signIn(demo.url, 'admin-without-mfa');
    expect(done.res.status).toBe(403);
    expect(done.url).toMatch(/\/console\/auth\/callback\?/);
    const page = await done.res.text();
    expect(page).toContain('<h1 id="screen-title">Multi-factor authentication required</h1>');
    expect(page).toContain('HUB_ERR_AUTH_MFA_REQUIRED');
    expect(page).toContain('The identity provider did not assert multi-factor authentication for Pat Quinn (no second factor): it said amr [pwd], acr urn:test:pwd');
    expect(page).toMatch(/What to do: CJIS requires multi-factor authentication/);
    expect(http.cookies(demo.url).has(SESSION_COOKIE)).toBe(false);
    expect((await http.request(`${demo.url}/api/me`)).res.status).toBe(401);
    const [entry] = await audit(demo, { action: 'GET /console/auth/callback', outcome: 'refused' }).then((es) => es.filter((e) => e.code === 'HUB_ERR_AUTH_MFA_REQUIRED'));
    expect(entry).toMatchObject({ actor: 'anonymous', status: 403, code: 'HUB_ERR_AUTH_MFA_REQUIRED', detail: { user: { sub: 'admin-without-mfa', name: 'Pat Quinn (no second factor)' } } });
  });

  it('refuses a user whose groups give no hub role, saying which claim held what', async () => {
    const http = new HttpSession();
    const done = await http.signIn(demo.url, 'parking-clerk');
    expect(done.res.status).toBe(403);
    const page = await done.res.text();
    expect(page).toContain('HUB_ERR_AUTH_ROLE');
    expect(page).toContain('the claim groups holds &#34;Parking-Enforcement&#34;, which gives no hub role');
    expect(http.cookies(demo.url).has(SESSION_COOKIE)).toBe(false);
  });

  it('a callback not started in this browser, or replayed, is refused', async () => {
    const http = new HttpSession();
    const done = await http.request(`${demo.url}/console/auth/callback?code=abc&state=forged`);
    expect(done.res.status).toBe(502);
    expect(await done.res.text()).toContain('HUB_ERR_AUTH_OIDC');
  });

  it('refuses a change made with the session cookie without the CSRF token (403, coded); with it, or with an API key, it goes through', async () => {
    const { http, me } = await signedIn(demo, 'lab-admin');
    expect(me.role).toBe('admin');
    const body = JSON.stringify({ all: true, dryRun: true });
    const bare = await http.request(`${demo.url}/api/dead-letters/replay`, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
    expect(bare.res.status).toBe(403);
    expect(await json(bare.res)).toMatchObject({ code: 'HUB_ERR_AUTH_CSRF' });
    const wrong = await http.request(`${demo.url}/api/dead-letters/replay`, { method: 'POST', body, headers: { 'content-type': 'application/json', 'x-csrf-token': 'x'.repeat(32) } });
    expect(wrong.res.status).toBe(403);
    const good = await http.request(`${demo.url}/api/dead-letters/replay`, { method: 'POST', body, headers: { 'content-type': 'application/json', 'x-csrf-token': me.csrfToken } });
    expect(good.res.status).toBe(200);
    const key = await fetch(`${demo.url}/api/dead-letters/replay`, { method: 'POST', body, headers: { 'content-type': 'application/json', authorization: `Bearer ${DEMO_KEYS.admin}` } });
    expect(key.status).toBe(200);
    const refused = await audit(demo, { actor: 'user:lab-admin', action: 'POST /api/dead-letters/replay', order: 'asc' });
    expect(refused.map((e) => [e.status, e.code])).toEqual([[403, 'HUB_ERR_AUTH_CSRF'], [403, 'HUB_ERR_AUTH_CSRF'], [200, null]]);
  });

  it('locks a session after 30 minutes without activity; background refreshes are not activity', async () => {
    const { http, me } = await signedIn(demo, 'analyst');
    expect(me.keyId).toBe('user:analyst');
    await ageSession(demo, http, (s) => (s.lastActiveAt -= 60_000));
    const before = Date.now() - 60_000;
    expect((await http.request(`${demo.url}/api/overview`, { headers: { 'x-cgic-background': '1' } })).res.status).toBe(200);
    await ageSession(demo, http, (s) => expect(s.lastActiveAt).toBeLessThanOrEqual(before + 1000));
    expect((await http.request(`${demo.url}/api/overview`)).res.status).toBe(200);
    await ageSession(demo, http, (s) => expect(s.lastActiveAt).toBeGreaterThan(before + 30_000));

    await ageSession(demo, http, (s) => (s.lastActiveAt -= 31 * 60_000));
    const locked = await http.request(`${demo.url}/api/overview`);
    expect(locked.res.status).toBe(401);
    expect(await json(locked.res)).toEqual({ code: 'HUB_ERR_AUTH_SESSION_ENDED', message: 'Your console session ended: it was locked after 30 minutes without activity' });
    const again = await http.request(`${demo.url}/api/overview`);
    expect(await json(again.res)).toMatchObject({ code: 'HUB_ERR_AUTH_SESSION_ENDED', message: expect.stringMatching(/signed out, or ended/) });
    // The refusal is on the audit trail under the person whose session was locked; once the session's
    // record is gone nobody is known, and the next refusal is anonymous.
    const refusals = (await audit(demo, { action: 'GET /api/overview', outcome: 'refused' })).filter((e) => e.code === 'HUB_ERR_AUTH_SESSION_ENDED');
    const byRequest = new Map(refusals.map((e) => [e.requestId, e.actor]));
    expect(byRequest.get(locked.res.headers.get('x-request-id'))).toBe(me.keyId);
    expect(byRequest.get(again.res.headers.get('x-request-id'))).toBe('anonymous');
  });

  it('ends a session 12 hours after sign-in however active, and at sign-out (which needs the token)', async () => {
    const a = await signedIn(demo, 'analyst');
    await ageSession(demo, a.http, (s) => ((s.createdAt -= 12 * 3_600_000), (s.lastActiveAt = Date.now())));
    const ended = await a.http.request(`${demo.url}/api/me`);
    expect(await json(ended.res)).toEqual({ code: 'HUB_ERR_AUTH_SESSION_ENDED', message: 'Your console session ended: it reached its limit of 12 h after sign-in' });

    const b = await signedIn(demo, 'analyst');
    const forged = await b.http.request(`${demo.url}/console/auth/sign-out`, { method: 'POST' });
    expect(forged.res.status).toBe(403);
    expect((await b.http.request(`${demo.url}/api/me`)).res.status).toBe(200);
    const out = await b.http.request(`${demo.url}/console/auth/sign-out`, { method: 'POST', headers: { 'x-csrf-token': b.me.csrfToken } });
    expect(out.res.status).toBe(204);
    expect(b.http.cookies(demo.url).has(SESSION_COOKIE)).toBe(false);
  });

  it('Bull Board: an administrator signed in only; its changes only from the hub\'s own pages', async () => {
    expect((await fetch(`${demo.url}/console/queues`)).status).toBe(401);
    expect((await fetch(`${demo.url}/console/queues`, { headers: { authorization: `Bearer ${DEMO_KEYS.admin}` } })).status).toBe(401);
    const hartford = await signedIn(demo, 'hartford-investigator');
    const refused = await hartford.http.request(`${demo.url}/console/queues`);
    expect(refused.res.status).toBe(403);
    expect(await json(refused.res)).toMatchObject({ code: 'HUB_ERR_AUTH_FORBIDDEN' });

    const admin = await signedIn(demo, 'lab-admin');
    const page = await admin.http.request(`${demo.url}/console/queues`);
    expect(page.res.status).toBe(200);
    expect(await page.res.text()).toMatch(/<html/i);
    const queues = await admin.http.request(`${demo.url}/console/queues/api/queues`);
    expect(queues.res.status).toBe(200);
    // Its page and its answers name transfers and files: no cache keeps them, no other site frames them,
    // and its page runs no inline script and loads nothing from another site.
    for (const [what, r] of [['page', page], ['queues', queues], ['refusal', refused]] as const) {
      expect([what, r.res.headers.get('cache-control'), r.res.headers.get('x-content-type-options')]).toEqual([what, 'no-store', 'nosniff']);
      const csp = r.res.headers.get('content-security-policy') ?? '';
      expect([what, csp.includes("frame-ancestors 'none'"), /(^|; )script-src 'self'(;|$)/.test(csp), /(^|; )default-src 'self'(;|$)/.test(csp)]).toEqual([what, true, true, true]);
    }
    const cross = await admin.http.request(`${demo.url}/console/queues/api/queues/pause`, { method: 'PUT', headers: { origin: 'https://evil.example' } });
    expect(cross.res.status).toBe(403);
    expect(await json(cross.res)).toMatchObject({ code: 'HUB_ERR_AUTH_CSRF' });
    const trail = await audit(demo, { actor: 'user:lab-admin', action: 'GET /console/queues/api/queues' });
    expect(trail.length).toBeGreaterThan(0);
    // A page of jobs is recorded with the jobs it showed: a transfer's job is the transfer.
    const probe = await demo.hub.transfers.add('transfer', { transferId: 'probe', connectorId: 'lims', trigger: 'manual' } as never, { jobId: 'audit-probe-transfer', delay: 3_600_000 });
    const list = await admin.http.request(`${demo.url}/console/queues/api/queues?activeQueue=transfers&status=delayed&page=1`);
    const shown = ((await json(list.res)) as { queues: { name: string; jobs: { id: string }[] }[] }).queues.find((q) => q.name === 'transfers')!.jobs.map((j) => j.id);
    expect(shown.length).toBeGreaterThan(0);
    const [entry] = await audit(demo, { actor: 'user:lab-admin', action: 'GET /console/queues/api/queues', limit: '1' });
    expect(entry.subjects.filter((x: { type: string }) => x.type === 'transfer').map((x: { id: string }) => x.id).sort()).toEqual([...shown].sort());
    expect(shown).toContain('audit-probe-transfer');
    await probe.remove();
  });

  it("the console's page forbids inline script and framing; the page and every asset it loads are never sniffed as another type", async () => {
    const index = await fetch(`${demo.url}/console/`);
    const csp = index.headers.get('content-security-policy')!;
    expect(csp).toMatch(/script-src 'self' 'sha256-[A-Za-z0-9+/=]+'(;|$)/);
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
    expect(csp).toContain("frame-ancestors 'none'");
    const html = await index.text();
    const assets = [...html.matchAll(/(?:src|href)="(\/console\/[^"]+)"/g)].map((m) => m[1]!);
    assets.push(...Object.values(JSON.parse(/<script type="importmap">(.*?)<\/script>/.exec(html)![1]!).imports as Record<string, string>), '/console/lib/api.js');
    expect(assets.length).toBeGreaterThanOrEqual(6);
    for (const p of ['/console/', ...assets]) {
      const res = await fetch(`${demo.url}${p}`);
      await res.arrayBuffer();
      expect([p, res.status, res.headers.get('x-content-type-options')]).toEqual([p, 200, 'nosniff']);
    }
  });

  it('with a provider configured, API keys do not open console sessions (they stay for machines)', async () => {
    const res = await fetch(`${demo.url}/console/auth/key`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ key: DEMO_KEYS.admin }) });
    expect(res.status).toBe(403);
    expect(await json(res)).toMatchObject({ code: 'HUB_ERR_AUTH_FORBIDDEN', message: expect.stringContaining('Test State ID') });
    expect(await json(await fetch(`${demo.url}/console/auth/mode`))).toEqual({ mode: 'oidc', providerName: 'Test State ID', idleMinutes: 30 });
  });
});

describe('console sign-in with an API key (demo mode: no provider configured)', () => {
  let demo: DemoHub;
  beforeAll(async () => {
    demo = await startDemoHub();
  }, 120_000);
  afterAll(async () => {
    await demo?.stop();
  });

  it('a key opens a session (the key never goes back to the browser); a wrong key is refused; reads are audited under the key', async () => {
    expect(await json(await fetch(`${demo.url}/console/auth/mode`))).toEqual({ mode: 'key', idleMinutes: 30 });
    const http = new HttpSession();
    const wrong = await http.request(`${demo.url}/console/auth/key`, { method: 'POST', body: JSON.stringify({ key: 'not-a-key' }), headers: { 'content-type': 'application/json' } });
    expect(wrong.res.status).toBe(401);
    expect(await json(wrong.res)).toEqual({ code: 'HUB_ERR_AUTH_REQUIRED', message: 'That API key is not accepted' });
    const ok = await http.request(`${demo.url}/console/auth/key`, { method: 'POST', body: JSON.stringify({ key: DEMO_KEYS.hartford }), headers: { 'content-type': 'application/json' } });
    expect(ok.res.status).toBe(204);
    const cookie = ok.res.headers.getSetCookie()[0]!;
    expect(cookie).toMatch(/^cgic_session=[\w-]{43}; Path=\/; HttpOnly; SameSite=Lax$/);
    expect(cookie).not.toContain(DEMO_KEYS.hartford);
    const me = await json((await http.request(`${demo.url}/api/me`)).res);
    expect(me).toMatchObject({ keyId: 'demo-hartford', role: 'agency', ori: 'CT0006400', signedInWith: 'console-key' });
    const trail = await audit(demo, { actor: 'demo-hartford', action: 'GET /api/me' });
    expect(trail[0].detail.session).toEqual({ key: 'demo-hartford' });
  });
});
