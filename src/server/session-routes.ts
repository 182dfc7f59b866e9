/**
 * The console's sign-in and sign-out, outside /api (they are for browsers, not scripts):
 *
 * - `GET /console/auth/mode`: how people sign in here: `oidc` (the state's identity provider, when
 *   hub.api.oidc is set: oidc.ts has its routes) or `key` (demo mode: an API key, when it is not), and
 *   the session's idle limit.
 * - `POST /console/auth/key` `{ "key": "..." }` (key mode only): opens a session for that key; the
 *   key itself never goes back to the browser and each request checks the key still holds.
 * - `POST /console/auth/sign-out`: ends the session (CSRF token required, as for any change).
 *
 * Sign-in routes are rate-limited per address like anonymous API calls, and audited. The provider's
 * settings are read when the API starts (a change needs a restart of the API processes); the agencies
 * an agency user may belong to are those in force at each sign-in.
 */
import type { FastifyInstance } from 'fastify';
import type { HubConfig } from '../config/hub-config.ts';
import { HubError } from '../errors/hub-error.ts';
import { ERRORS, type ErrorCode } from '../errors/registry.ts';
import { ROLES, type KeyRing } from './auth.ts';
import { OidcClient, oidcRoutes } from './oidc.ts';
import { SESSION_COOKIE, sessionCookieOptions, type Sessions } from './session.ts';
import type { Logger } from 'pino';

export const AUTH_PATH = '/console/auth';

export async function sessionRoutes(app: FastifyInstance, opts: { cfg: HubConfig; agencies: () => readonly { ori: string }[]; keys: KeyRing; sessions: Sessions; log: Logger }): Promise<void> {
  const { cfg, keys, sessions } = opts;
  const oidc = cfg.hub.api.oidc;
  const secureOf = (protocol: string): boolean => protocol === 'https' || Boolean(cfg.hub.api.tls) || Boolean(oidc?.redirectUrl.startsWith('https:'));

  app.get(`${AUTH_PATH}/mode`, { config: { audit: false }, schema: { hide: true } }, async () => ({
    mode: oidc ? 'oidc' : 'key',
    ...(oidc ? { providerName: oidc.providerName } : {}),
    idleMinutes: sessions.cfg.idleMinutes,
  }));

  app.post(
    `${AUTH_PATH}/key`,
    {
      config: { signIn: true },
      schema: { hide: true, body: { type: 'object', additionalProperties: false, required: ['key'], properties: { key: { type: 'string', minLength: 1, maxLength: 512 } } } },
    },
    async (req, reply) => {
      if (oidc) throw new HubError('HUB_ERR_AUTH_FORBIDDEN', { reason: `People sign in to this hub's console through ${oidc.providerName}; API keys are for machines (Authorization: Bearer)` });
      const id = keys.identify(`Bearer ${(req.body as { key: string }).key}`);
      if (id.kind === 'expired') throw new HubError('HUB_ERR_AUTH_KEY_EXPIRED', { keyId: id.caller.keyId, expiresAt: id.expiresAt });
      if (id.kind !== 'caller') throw new HubError('HUB_ERR_AUTH_REQUIRED', { reason: 'That API key is not accepted' });
      const { id: sid, session } = await sessions.create({ kind: 'key', keyId: id.caller.keyId });
      const caller = { ...id.caller, via: 'session' as const };
      req.identity = { kind: 'caller', caller, session: { id: sid, csrf: session.csrf } };
      req.caller = caller;
      reply.setCookie(SESSION_COOKIE, sid, sessionCookieOptions(secureOf(req.protocol)));
      return reply.code(204).header('cache-control', 'no-store').send();
    },
  );

  app.post(`${AUTH_PATH}/sign-out`, { config: { access: [...ROLES] }, schema: { hide: true } }, async (req, reply) => {
    const session = req.identity?.kind === 'caller' ? req.identity.session : undefined;
    if (session) await sessions.destroy(session.id);
    reply.clearCookie(SESSION_COOKIE, sessionCookieOptions(secureOf(req.protocol)));
    return reply.code(204).header('cache-control', 'no-store').send();
  });

  if (oidc) {
    const fixOf = (code: string): string => ERRORS[code as ErrorCode]?.fix ?? 'Sign in again; if it keeps failing, tell the hub administrator.';
    await oidcRoutes(app, { agencies: opts.agencies, oidc: new OidcClient(oidc, cfg.baseDir), sessions, log: opts.log, refusalFix: fixOf });
  }
}
