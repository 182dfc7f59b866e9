/**
 * Access to the API, before any body is read: every request is identified (onRequest) from its
 * Authorization header, or, without one, from the console's session cookie (session.ts); counted
 * against its caller's rate limit (per client of a key or per signed-in person, per address without
 * either; in Redis, so all API processes share the count), then checked against its route's
 * `config.access` roles. An unauthenticated request is answered 401 whatever its body or
 * Content-Type, without reading the body.
 *
 * CSRF: a request authenticated by the session cookie that may change something (any method but GET,
 * HEAD, OPTIONS) must carry the session's token in X-CSRF-Token, else 403 HUB_ERR_AUTH_CSRF. A cookie
 * is sent by the browser whoever made the page; the token is only known to the hub's own pages. API
 * keys come in a header no other site can make a browser send, so they need no token.
 *
 * Requests that name no caller and fail without one are counted too, in the same per-address count as
 * anonymous /api calls: a path no route takes (404, counted here before its answer) and a webhook with
 * a missing or bad signature or of no connector (counted by the webhook route through `countRefusal`,
 * as only it can tell a bad signature from a good one). A correctly signed webhook is never counted
 * nor refused by it: webhooks are held back by their connector's backlog alone.
 *
 * Input: the keys (a KeyRing the hub may refill on reload), the sessions, the rate limits, the TLS mode.
 * Output: `req.caller` on routes that admit the caller; a coded 401/403/429 otherwise.
 */
import fp from 'fastify-plugin';
import rateLimit from '@fastify/rate-limit';
import cookie from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { TLSSocket } from 'node:tls';
import type { Redis } from 'ioredis';
import type { RateLimitConfig, TlsConfig } from '../config/hub-config.ts';
import { HubError } from '../errors/hub-error.ts';
import type { Identity, KeyRing } from './auth.ts';
import { csrfHolds, sessionIdentity, type Sessions } from './session.ts';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface AccessOptions {
  keys: KeyRing;
  /** Console sessions; none: only API keys are accepted. */
  sessions?: Sessions;
  rateLimit: RateLimitConfig;
  tls?: TlsConfig;
  /** Where the rate-limit counters live; none: in this process. */
  redis?: Redis;
  /** Prefix of the counters' keys in Redis. */
  redisPrefix?: string;
}

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * Count a refused request of a route that names no caller (a webhook's bad signature) against its
     * sender's rate limit: the 429 to answer instead once it is past it (its headers set on `reply`),
     * else null.
     */
    countRefusal(req: FastifyRequest, reply: FastifyReply): Promise<HubError | null>;
  }
}

/** Who a request is counted as, for the rate limit. */
export function limitKey(req: FastifyRequest): string {
  return req.caller ? `client:${req.caller.client}` : `address:${req.ip}`;
}

/** Why a request names no caller, by what it sent: the key's value is never repeated. */
const NO_CALLER = {
  nothing: 'A valid API key is required: Authorization: Bearer <key> (or a console session: sign in at /console)',
  'not-bearer': 'The Authorization header is not "Bearer <key>": send the API key as Authorization: Bearer <key> (or sign in at /console)',
  'unknown-key': "The API key sent is not one of this hub's keys (mistyped, removed, or another hub's): send a configured key as Authorization: Bearer <key>",
} as const;

export const accessPlugin = fp<AccessOptions>(
  async (app, opts) => {
    const { keys, rateLimit: limits } = opts;
    app.decorateRequest('caller', undefined);
    app.decorateRequest('identity', undefined);

    await app.register(cookie);

    // Identify first (refuses only when sessions cannot be read): the rate limit counts by caller, the
    // audit names the key or the person. A session is looked up only for a route that needs a caller.
    app.addHook('onRequest', async (req) => {
      let identity: Identity = keys.identify(req.headers.authorization);
      if (req.headers.authorization === undefined && opts.sessions && req.routeOptions.config?.access) {
        identity = (await sessionIdentity(req, opts.sessions, keys)) ?? identity;
      }
      req.identity = identity;
      if (identity.kind === 'caller') req.caller = identity.caller;
    });

    // Fail closed: a route under /api that forgot to say who may call it cannot be registered.
    app.addHook('onRoute', (route) => {
      if (route.url.startsWith('/api') && !route.config?.access) throw new Error(`route ${route.method} ${route.url} declares no access roles`);
    });

    const limitedError = (req: FastifyRequest, max: number, ttl: number): HubError =>
      new HubError('HUB_ERR_API_RATE_LIMITED', {
        who: req.caller ? `key ${req.caller.keyId}` : `address ${req.ip}`,
        max,
        window: `${limits.windowSeconds} s`,
        retryAfter: Math.max(1, Math.ceil(ttl / 1000)),
      });
    // Requests being counted by countRefusal: routes without roles are otherwise not counted.
    const refusals = new WeakSet<FastifyRequest>();
    await app.register(rateLimit, {
      global: true,
      hook: 'onRequest',
      timeWindow: limits.windowSeconds * 1000,
      skipOnError: true,
      ...(opts.redis ? { redis: opts.redis, nameSpace: `${opts.redisPrefix ?? 'cgic'}:rate-limit:` } : {}),
      allowList: (req) => !refusals.has(req) && !req.routeOptions.config?.access && !req.routeOptions.config?.signIn,
      keyGenerator: limitKey,
      max: async (req) => {
        const c = req.caller;
        if (!c) return limits.anonymous;
        return keys.rateLimitOf(c.keyId) ?? limits.roles[c.role] ?? limits.perKey;
      },
      errorResponseBuilder: (req, ctx) => limitedError(req, ctx.max, ctx.ttl),
    });

    // The same counts as the routes' own (same store, same keys), asked for by hand.
    const limiter = app.createRateLimit();
    const ask = async (req: FastifyRequest, increment: boolean) => {
      refusals.add(req);
      try {
        return await limiter(req, { increment });
      } finally {
        refusals.delete(req);
      }
    };
    app.decorate('countRefusal', async (req: FastifyRequest, reply: FastifyReply): Promise<HubError | null> => {
      const r = await ask(req, true);
      if (r.isAllowed) return null;
      void reply.header('x-ratelimit-limit', r.max).header('x-ratelimit-remaining', r.remaining).header('x-ratelimit-reset', r.ttlInSeconds);
      if (!r.isExceeded) return null;
      void reply.header('retry-after', Math.max(1, r.ttlInSeconds));
      return limitedError(req, r.max, r.ttl);
    });

    // A path no route takes (404) is counted as any request of its caller (per address without a
    // key), and refused with 429 past the limit: unknown paths cost an audit entry each too.
    app.addHook('onRequest', async (req, reply) => {
      if (!req.is404) return;
      const limited = await app.countRefusal(req, reply);
      if (limited) throw limited;
    });

    // After the rate limit (routes' hooks run in the order the plugins added them): refuse whoever may not call the route.
    app.addHook('onRoute', (route) => {
      const roles = route.config?.access;
      if (!roles) return;
      const check = async (req: FastifyRequest): Promise<void> => {
        const id = req.identity ?? { kind: 'none' };
        if (id.kind === 'expired') throw new HubError('HUB_ERR_AUTH_KEY_EXPIRED', { keyId: id.caller.keyId, expiresAt: id.expiresAt });
        if (id.kind === 'ended') throw new HubError('HUB_ERR_AUTH_SESSION_ENDED', { reason: id.reason });
        if (id.kind !== 'caller') throw new HubError('HUB_ERR_AUTH_REQUIRED', { reason: NO_CALLER[id.presented ?? 'nothing'] });
        if (id.session && !SAFE_METHODS.has(req.method) && !csrfHolds(req, id.session.csrf)) {
          throw new HubError('HUB_ERR_AUTH_CSRF', { reason: `${req.method} with the console's session cookie needs the session's token in the X-CSRF-Token header` });
        }
        const caller = id.caller;
        if (opts.tls?.requireClientCert === 'agency' && caller.role === 'agency' && !(req.raw.socket as TLSSocket).authorized) {
          throw new HubError('HUB_ERR_AUTH_CLIENT_CERT', { reason: `Agency key ${caller.keyId} must be used with a client certificate signed by the hub's client CA` });
        }
        if (!roles.includes(caller.role)) throw new HubError('HUB_ERR_AUTH_FORBIDDEN', { reason: `Role ${caller.role} may not do this (needs ${roles.join(' or ')})` });
      };
      const existing = route.onRequest;
      route.onRequest = existing === undefined ? [check] : Array.isArray(existing) ? [...existing, check] : [existing, check];
    });
  },
  { name: 'cgic-access', fastify: '5.x' },
);
