/**
 * Sign-in to the console through the state's identity provider, with OpenID Connect (openid-client):
 * the authorization code flow with PKCE (S256), a state bound to the browser by a short-lived cookie
 * and a nonce checked in the ID token.
 *
 * `GET /console/auth/sign-in?return=<console hash>` sends the browser to the provider;
 * `GET /console/auth/callback` takes the code back, checks the ID token (openid-client: signature,
 * issuer, audience, expiry, nonce), reads the user's claims (ID token, then the userinfo answer for
 * what it lacks), and decides (`decideUser`): the provider must have asserted multi-factor
 * authentication when hub.api.oidc.requireMfa (amr holds one of mfa.amr, or acr is one of mfa.acr),
 * the role claim must give exactly one hub role (through roleMap), and an agency user must carry the
 * ORI of a configured agency. Then a session is opened (session.ts) and the browser goes back to the
 * console; otherwise a page says what was refused and what to do, with the code. Every callback is on
 * the audit trail: the signed-in user, or the refusal with who was refused.
 */
import * as client from 'openid-client';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { OidcConfig } from '../config/hub-config.ts';
import { resolveSecrets } from '../config/secrets.ts';
import { HubError } from '../errors/hub-error.ts';
import { ROLES, type Role } from './auth.ts';
import { auditDetail, auditRefusal } from './audit-plugin.ts';
import { SESSION_COOKIE, sessionCookieOptions, type SessionUser, type Sessions } from './session.ts';

export const SIGN_IN_PATH = '/console/auth/sign-in';
export const CALLBACK_PATH = '/console/auth/callback';
const STATE_COOKIE = 'cgic_sign_in';
const SIGN_IN_TTL_SECONDS = 600;

/** What a sign-in in progress keeps server-side, under its state, until the provider sends the browser back. */
interface PendingSignIn {
  verifier: string;
  nonce: string;
  returnTo: string;
}

/** The provider's metadata (discovered once, again after a failure) and the client registered there. */
export class OidcClient {
  #config: Promise<client.Configuration> | null = null;
  readonly #secret: string | undefined;

  constructor(
    readonly cfg: OidcConfig,
    baseDir: string,
  ) {
    this.#secret = cfg.clientSecret !== undefined ? resolveSecrets(cfg.clientSecret, baseDir) : undefined;
  }

  config(): Promise<client.Configuration> {
    this.#config ??= client
      .discovery(new URL(this.cfg.issuer), this.cfg.clientId, this.#secret, undefined, {
        ...(new URL(this.cfg.issuer).protocol === 'http:' ? { execute: [client.allowInsecureRequests] } : {}),
        timeout: 10,
      })
      .catch((err: unknown) => {
        this.#config = null;
        throw err;
      });
    return this.#config;
  }
}

/** A claim by dotted path (`realm_access.roles`). */
export function claimAt(claims: Record<string, unknown>, p: string): unknown {
  if (p in claims) return claims[p];
  let v: unknown = claims;
  for (const k of p.split('.')) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined;
  return v;
}

const list = (v: unknown): string[] => (Array.isArray(v) ? v : v === undefined || v === null || v === '' ? [] : [v]).filter((x): x is string => typeof x === 'string');

/** A person's name for messages: their name, user name or e-mail, else their subject id. */
export function userLabel(claims: Record<string, unknown>, cfg: OidcConfig): string {
  for (const k of [cfg.claims.name, 'name', 'preferred_username', 'email']) {
    const v = claimAt(claims, k);
    if (typeof v === 'string' && v) return v.slice(0, 120);
  }
  return `subject ${String(claims.sub).slice(0, 120)}`;
}

/** Whether the claims assert multi-factor authentication, by the configured rule. */
export function mfaAsserted(claims: Record<string, unknown>, cfg: OidcConfig): boolean {
  const amr = list(claims.amr);
  return amr.some((m) => cfg.mfa.amr.includes(m)) || (typeof claims.acr === 'string' && cfg.mfa.acr.includes(claims.acr));
}

/** The user the claims describe, or the coded reason they may not sign in. */
export function decideUser(claims: Record<string, unknown>, cfg: OidcConfig, issuer: string, agencies: ReadonlySet<string>): SessionUser | HubError {
  const user = userLabel(claims, cfg);
  if (cfg.requireMfa && !mfaAsserted(claims, cfg)) {
    const amr = list(claims.amr);
    const said = `amr ${amr.length ? `[${amr.join(', ')}]` : 'absent'}, acr ${typeof claims.acr === 'string' ? claims.acr : 'absent'}`;
    const wanted = [cfg.mfa.amr.length ? `amr with one of ${cfg.mfa.amr.join(', ')}` : '', cfg.mfa.acr.length ? `acr ${cfg.mfa.acr.join(' or ')}` : ''].filter(Boolean).join(', or ');
    return new HubError('HUB_ERR_AUTH_MFA_REQUIRED', { user, reason: `it said ${said}; the hub needs ${wanted}` });
  }
  const values = list(claimAt(claims, cfg.claims.role));
  const roles = [...new Set(values.map((v) => (cfg.roleMap ? cfg.roleMap[v] : (ROLES as readonly string[]).includes(v) ? (v as Role) : undefined)).filter((r): r is Role => r !== undefined))];
  const shown = values.length ? values.slice(0, 10).map((v) => `"${v.slice(0, 60)}"`).join(', ') : 'nothing';
  if (roles.length === 0) return new HubError('HUB_ERR_AUTH_ROLE', { user, reason: `the claim ${cfg.claims.role} holds ${shown}, which gives no hub role (${cfg.roleMap ? `known: ${Object.keys(cfg.roleMap).join(', ')}` : `the claim must be one of ${ROLES.join(', ')}`})` });
  if (roles.length > 1) return new HubError('HUB_ERR_AUTH_ROLE', { user, reason: `the claim ${cfg.claims.role} holds ${shown}, which gives several hub roles (${roles.join(', ')}); a user has one` });
  const role = roles[0]!;
  let ori: string | undefined;
  // An agency user needs their agency. An auditor with one is that agency's own auditor and reads its
  // entries only; without one, the whole trail. A claim the hub cannot read as a configured agency
  // refuses the sign-in rather than be read as "no agency", which would show an auditor everything.
  const v = claimAt(claims, cfg.claims.agency);
  const given = v !== undefined && v !== null && v !== '';
  if (role === 'agency' || (role === 'auditor' && given)) {
    if (role === 'agency' && !given) return new HubError('HUB_ERR_AUTH_ROLE', { user, reason: `an agency user needs the ORI of their agency in the claim ${cfg.claims.agency}, which is absent` });
    if (typeof v !== 'string') return new HubError('HUB_ERR_AUTH_ROLE', { user, reason: `the claim ${cfg.claims.agency} holds ${Array.isArray(v) ? 'a list' : `a ${typeof v}`}, not the ORI of one agency` });
    if (!agencies.has(v)) return new HubError('HUB_ERR_AUTH_ROLE', { user, reason: `the claim ${cfg.claims.agency} names agency "${v.slice(0, 20)}", which is not configured in this hub` });
    ori = v;
  }
  const name = userLabel(claims, cfg);
  const amr = list(claims.amr);
  return {
    sub: String(claims.sub),
    issuer,
    name,
    role,
    ...(ori ? { ori } : {}),
    ...(amr.length ? { amr } : {}),
    ...(typeof claims.acr === 'string' ? { acr: claims.acr } : {}),
  };
}

const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The page a refused or failed sign-in shows: what happened (with the code), what to do, a way back. */
export function refusalPage(title: string, e: HubError, fix: string): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${esc(title)} · cgic-hub console</title><link rel="stylesheet" href="/console/styles.css"></head>
<body>
<main id="main" class="sign-in">
<h1 id="screen-title">${esc(title)}</h1>
<div class="error" role="alert">
<p>What happened: ${esc(e.message)} <code>${esc(e.code)}</code></p>
<p>What to do: ${esc(fix)}</p>
</div>
<p><a href="/console/">Back to the console's sign-in</a></p>
</main>
</body>
</html>
`;
}

/** Only a console address is a place to come back to (never another site). */
function safeReturn(v: unknown): string {
  return typeof v === 'string' && /^#\/[\w\-/?=&.%:~]*$/.test(v) && v.length <= 300 ? v : '';
}

export async function oidcRoutes(app: FastifyInstance, opts: { agencies: () => readonly { ori: string }[]; oidc: OidcClient; sessions: Sessions; log: Logger; refusalFix: (code: string) => string }): Promise<void> {
  const { oidc, sessions, log } = opts;
  const ocfg = oidc.cfg;
  const secure = ocfg.redirectUrl.startsWith('https:');
  const scope = [...new Set(['openid', ...ocfg.scopes])].join(' ');

  const refuse = (req: FastifyRequest, reply: FastifyReply, e: HubError, title: string): FastifyReply => {
    auditRefusal(req, e);
    return reply
      .code(e.status)
      .type('text/html; charset=utf-8')
      .header('content-security-policy', "default-src 'none'; style-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'")
      .header('cache-control', 'no-store')
      .send(refusalPage(title, e, opts.refusalFix(e.code)));
  };

  app.get(SIGN_IN_PATH, { config: { signIn: true }, schema: { hide: true } }, async (req, reply) => {
    let config: client.Configuration;
    try {
      config = await oidc.config();
    } catch (err) {
      log.warn({ err: (err as Error).message, issuer: ocfg.issuer }, 'identity provider not reachable');
      return refuse(req, reply, new HubError('HUB_ERR_AUTH_OIDC', { reason: `the provider ${ocfg.issuer} could not be reached (${(err as Error).message})` }), 'Sign-in is not available');
    }
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    await sessions.putSignIn(state, { verifier, nonce, returnTo: safeReturn((req.query as Record<string, unknown>)?.return) } satisfies PendingSignIn, SIGN_IN_TTL_SECONDS * 1000);
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: ocfg.redirectUrl,
      scope,
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
      ...(ocfg.requireMfa && ocfg.mfa.acr.length ? { acr_values: ocfg.mfa.acr.join(' ') } : {}),
    });
    reply.setCookie(STATE_COOKIE, state, { path: '/console/auth', httpOnly: true, sameSite: 'lax', secure, maxAge: SIGN_IN_TTL_SECONDS });
    return reply.code(302).header('cache-control', 'no-store').redirect(url.href);
  });

  app.get(CALLBACK_PATH, { config: { signIn: true }, schema: { hide: true } }, async (req, reply) => {
    const q = req.query as Record<string, string | undefined>;
    reply.clearCookie(STATE_COOKIE, { path: '/console/auth' });
    if (q.error) {
      return refuse(req, reply, new HubError('HUB_ERR_AUTH_OIDC', { reason: `the provider answered ${String(q.error).slice(0, 60)}${q.error_description ? `: ${String(q.error_description).slice(0, 200)}` : ''}` }), 'Sign-in refused by the identity provider');
    }
    const state = q.state ?? '';
    const cookieState = req.cookies[STATE_COOKIE];
    const pending = state && cookieState === state ? await sessions.takeSignIn<PendingSignIn>(state) : null;
    if (!pending) {
      return refuse(req, reply, new HubError('HUB_ERR_AUTH_OIDC', { reason: 'this sign-in was not started in this browser, took longer than 10 minutes, or was already used' }), 'Sign-in could not be completed');
    }
    let claims: Record<string, unknown>;
    let config: client.Configuration;
    try {
      config = await oidc.config();
      const current = new URL(ocfg.redirectUrl);
      current.search = new URL(req.url, 'http://x').search;
      const tokens = await client.authorizationCodeGrant(config, current, { pkceCodeVerifier: pending.verifier, expectedState: state, expectedNonce: pending.nonce, idTokenExpected: true });
      claims = { ...(tokens.claims() as Record<string, unknown>) };
      // Claims the ID token lacks (many providers give groups and custom claims only at userinfo).
      const missing = [ocfg.claims.role, ocfg.claims.agency, ocfg.claims.name].some((c) => claimAt(claims, c) === undefined);
      if (missing && config.serverMetadata().userinfo_endpoint) {
        const info = await client.fetchUserInfo(config, tokens.access_token, String(claims.sub));
        // The ID token's own claims (sub, amr, acr, auth_time) win over the userinfo answer's.
        claims = { ...(info as Record<string, unknown>), ...claims };
      }
    } catch (err) {
      log.warn({ err: (err as Error).message }, 'sign-in through the identity provider failed');
      return refuse(req, reply, new HubError('HUB_ERR_AUTH_OIDC', { reason: (err as Error).message.slice(0, 200) }), 'Sign-in could not be completed');
    }
    // The agencies in force now (a reloaded configuration may have added one).
    const agencies = new Set(opts.agencies().map((a) => a.ori));
    const decided = decideUser(claims, ocfg, config.serverMetadata().issuer, agencies);
    if (decided instanceof HubError) {
      auditDetail(req, { user: { sub: String(claims.sub).slice(0, 200), name: userLabel(claims, ocfg) } });
      const title = decided.code === 'HUB_ERR_AUTH_MFA_REQUIRED' ? 'Multi-factor authentication required' : 'Signed in, but not allowed in the console';
      return refuse(req, reply, decided, title);
    }
    const { id, session } = await sessions.create({ kind: 'user', user: decided });
    const caller = { keyId: `user:${decided.sub}`, client: `user:${decided.sub}`, role: decided.role, ...(decided.ori ? { ori: decided.ori } : {}), via: 'session' as const, user: { sub: decided.sub, issuer: decided.issuer, ...(decided.name ? { name: decided.name } : {}) } };
    req.identity = { kind: 'caller', caller, session: { id, csrf: session.csrf } };
    req.caller = caller;
    auditDetail(req, { signIn: { amr: decided.amr ?? [], ...(decided.acr ? { acr: decided.acr } : {}) } });
    reply.setCookie(SESSION_COOKIE, id, sessionCookieOptions(secure));
    return reply.code(303).header('cache-control', 'no-store').redirect(`/console/${pending.returnTo}`);
  });
}
