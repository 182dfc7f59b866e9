/**
 * A real OpenID provider in the test process (`oidc-provider`, the certified implementation), on a
 * free port of 127.0.0.1, with the people the console's tests sign in as: a lab administrator,
 * Hartford's investigator (agency role, Hartford's ORI from the demo configuration), East Hartford's,
 * an analyst, an administrator whose sign-in asserted no second factor, and a user whose group gives
 * no hub role. Roles come as groups (claim `groups`, through the hub's roleMap) and the agency as
 * `cgic_ori`, both released with the `cgic` scope at the userinfo endpoint (the ID token carries sub,
 * amr, acr), as many state providers do.
 *
 * Its login page is the provider's interaction: a form asking for a user name (no password: the
 * people are fixtures). Also: `HttpSession`, fetch with a cookie jar that follows redirects across
 * the hub and the provider, as a browser would, and the hub configuration block for this provider.
 */
import http from 'node:http';
import net from 'node:net';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import Provider from 'oidc-provider';

export interface TestUser {
  name: string;
  groups: string[];
  ori?: string;
  /** The second factor asserted at sign-in: amr [pwd, otp]; false: amr [pwd]. */
  mfa: boolean;
}

export const OIDC_USERS = {
  'lab-admin': { name: 'Dana Reyes', groups: ['CGIC-Administrators'], mfa: true },
  'hartford-investigator': { name: 'Sam Ortiz (Hartford PD)', groups: ['CGIC-Investigators', 'HPD-All-Staff'], ori: 'CT0006400', mfa: true },
  'east-hartford-investigator': { name: 'Lee Park (East Hartford PD)', groups: ['CGIC-Investigators'], ori: 'CT0004300', mfa: true },
  analyst: { name: 'Robin Shaw (CGIC)', groups: ['CGIC-Analysts'], mfa: true },
  'hartford-auditor': { name: 'Alex Kim (Hartford PD security officer)', groups: ['CGIC-Auditors'], ori: 'CT0006400', mfa: true },
  'admin-without-mfa': { name: 'Pat Quinn (no second factor)', groups: ['CGIC-Administrators'], mfa: false },
  'parking-clerk': { name: 'Jo Lane (parking)', groups: ['Parking-Enforcement'], mfa: true },
} satisfies Record<string, TestUser>;
export type TestUserName = keyof typeof OIDC_USERS;

export const OIDC_CLIENT_ID = 'cgic-hub-console';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function readForm(req: http.IncomingMessage): Promise<URLSearchParams> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => resolve(new URLSearchParams(body)));
    req.on('error', reject);
  });
}

export interface TestProvider {
  issuer: string;
  clientSecret: string;
  /** The hub's hub.api.oidc block for this provider (the secret written to `secretFile`). */
  hubConfig(redirectUrl: string, secretFile: string): Record<string, unknown>;
  stop(): Promise<void>;
}

/** Start the provider; `redirectUrls`: the hub's callback addresses (registered for the client). */
export async function startTestProvider(redirectUrls: string[]): Promise<TestProvider> {
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const clientSecret = randomBytes(24).toString('hex');
  const users: Record<string, TestUser> = OIDC_USERS;
  const provider = new Provider(issuer, {
    clients: [{ client_id: OIDC_CLIENT_ID, client_secret: clientSecret, redirect_uris: redirectUrls, grant_types: ['authorization_code'], response_types: ['code'], token_endpoint_auth_method: 'client_secret_post' }],
    claims: { acr: null, amr: null, auth_time: null, sid: null, openid: ['sub', 'acr', 'amr', 'auth_time'], profile: ['name', 'preferred_username'], email: ['email'], cgic: ['groups', 'cgic_ori'] },
    scopes: ['openid', 'profile', 'email', 'cgic'],
    cookies: { keys: [randomBytes(32).toString('hex')] },
    jwks: { keys: [{ ...generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' }), kid: 'test', use: 'sig', alg: 'RS256' } as never] },
    ttl: { Interaction: 600, Session: 3600, Grant: 3600, AccessToken: 600, IdToken: 600, AuthorizationCode: 60 },
    pkce: { required: () => true },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    async findAccount(_ctx, sub) {
      const u = users[sub];
      if (!u) return undefined;
      return {
        accountId: sub,
        claims: async () => ({ sub, name: u.name, preferred_username: sub, email: `${sub}@example.gov`, groups: u.groups, ...(u.ori ? { cgic_ori: u.ori } : {}) }),
      };
    },
    // A first-party client: no consent screen (the state's provider grants the hub's scopes itself).
    async loadExistingGrant(ctx) {
      const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session!.grantIdFor(ctx.oidc.client!.clientId);
      if (grantId) return ctx.oidc.provider.Grant.find(grantId);
      const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client!.clientId, accountId: ctx.oidc.session!.accountId! });
      grant.addOIDCScope('openid profile email cgic');
      await grant.save();
      return grant;
    },
  });
  const handle = provider.callback();
  const server = http.createServer(async (req, res) => {
    const m = /^\/interaction\/([\w-]+)(\/login)?$/.exec(req.url ?? '');
    if (!m) return handle(req, res);
    try {
      const details = await provider.interactionDetails(req, res);
      if (req.method === 'POST' && m[2]) {
        const form = await readForm(req);
        const who = form.get('username') ?? '';
        const u = users[who];
        if (!u) {
          res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
          return res.end(loginPage(details.uid, `No user "${who}" at this provider.`));
        }
        return await provider.interactionFinished(req, res, { login: { accountId: who, amr: u.mfa ? ['pwd', 'otp'] : ['pwd'], acr: u.mfa ? 'urn:test:mfa' : 'urn:test:pwd' } }, { mergeWithLastSubmission: false });
      }
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      return res.end(loginPage(details.uid));
    } catch (err) {
      res.writeHead(400, { 'content-type': 'text/plain' });
      return res.end(`interaction failed: ${(err as Error).message}`);
    }
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    issuer,
    clientSecret,
    hubConfig(redirectUrl, secretFile) {
      writeFileSync(secretFile, clientSecret + '\n', { mode: 0o600 });
      return {
        issuer,
        clientId: OIDC_CLIENT_ID,
        clientSecret: `\${file:${path.basename(secretFile)}}`,
        redirectUrl,
        scopes: ['openid', 'profile', 'email', 'cgic'],
        providerName: 'Test State ID',
        claims: { role: 'groups', agency: 'cgic_ori' },
        roleMap: { 'CGIC-Administrators': 'admin', 'CGIC-Analysts': 'analyst', 'CGIC-Investigators': 'agency', 'CGIC-Auditors': 'auditor' },
      };
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function loginPage(uid: string, problem?: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Test State ID: sign in</title></head><body><main>
<h1>Test State ID</h1>${problem ? `<p role="alert">${esc(problem)}</p>` : ''}
<form method="post" action="/interaction/${esc(uid)}/login">
<label for="username">User name</label> <input id="username" name="username" autocomplete="username" required>
<button type="submit">Continue</button>
</form></main></body></html>`;
}

/**
 * fetch as a browser tab would for these tests: one cookie jar per host (names and values; paths and
 * expiry beyond deletion are not needed here), redirects followed by hand so each hop's cookies are
 * kept. Returns the last response and the URLs visited.
 */
export class HttpSession {
  readonly jar = new Map<string, Map<string, string>>();

  cookies(url: string): Map<string, string> {
    const host = new URL(url).host;
    let j = this.jar.get(host);
    if (!j) this.jar.set(host, (j = new Map()));
    return j;
  }

  async request(url: string, init: { method?: string; body?: string; headers?: Record<string, string>; follow?: boolean } = {}): Promise<{ res: Response; url: string; visited: string[] }> {
    let current = url;
    let method = init.method ?? 'GET';
    let body = init.body;
    let headers = init.headers ?? {};
    const visited: string[] = [];
    for (let hop = 0; hop < 20; hop++) {
      visited.push(current);
      const jar = this.cookies(current);
      const cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
      const res = await fetch(current, { method, body, headers: { ...headers, ...(cookie ? { cookie } : {}) }, redirect: 'manual' });
      for (const sc of res.headers.getSetCookie()) {
        const [pair, ...attrs] = sc.split(';');
        const i = pair!.indexOf('=');
        const name = pair!.slice(0, i).trim();
        const value = pair!.slice(i + 1).trim();
        const gone = attrs.some((a) => /^\s*max-age=0\s*$/i.test(a) || (/^\s*expires=/i.test(a) && Date.parse(a.split('=')[1]!) < Date.now()));
        if (gone || value === '') jar.delete(name);
        else jar.set(name, value);
      }
      const location = res.headers.get('location');
      if (init.follow === false || res.status < 300 || res.status >= 400 || !location) return { res, url: current, visited };
      await res.arrayBuffer();
      current = new URL(location, current).href;
      if (res.status !== 307 && res.status !== 308) {
        method = 'GET';
        body = undefined;
        headers = {};
      }
    }
    throw new Error(`too many redirects from ${url}`);
  }

  /** Sign in to the hub at `hubUrl` as `user` of the test provider; the final response (the console page, or a refusal page). */
  async signIn(hubUrl: string, user: string, returnTo = '#/overview'): Promise<{ res: Response; url: string; visited: string[] }> {
    const first = await this.request(`${hubUrl}/console/auth/sign-in?return=${encodeURIComponent(returnTo)}`);
    const login = new URL(first.url);
    if (!/^\/interaction\//.test(login.pathname)) throw new Error(`expected the provider's login page, got ${first.url} (${first.res.status})`);
    await first.res.arrayBuffer();
    return this.request(`${login.origin}${login.pathname}/login`, { method: 'POST', body: new URLSearchParams({ username: user }).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  }
}
