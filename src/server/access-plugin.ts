/**
 * Access to the API, before any body is read: every request is identified from its Authorization
 * header (onRequest), counted against its caller's rate limit (per client of a key, per address
 * without one; in Redis, so all API processes share the count), then checked against its route's
 * `config.access` roles. An unauthenticated request is answered 401 whatever its body or
 * Content-Type, without reading the body.
 *
 * Input: the keys (a KeyRing the hub may refill on reload), the rate limits, the TLS mode.
 * Output: `req.caller` on routes that admit the caller; a coded 401/403/429 otherwise.
 */
import fp from 'fastify-plugin';
import rateLimit from '@fastify/rate-limit';
import type { FastifyRequest } from 'fastify';
import type { TLSSocket } from 'node:tls';
import type { Redis } from 'ioredis';
import type { RateLimitConfig, TlsConfig } from '../config/hub-config.ts';
import { HubError } from '../errors/hub-error.ts';
import type { KeyRing } from './auth.ts';

export interface AccessOptions {
  keys: KeyRing;
  rateLimit: RateLimitConfig;
  tls?: TlsConfig;
  /** Where the rate-limit counters live; none: in this process. */
  redis?: Redis;
  /** Prefix of the counters' keys in Redis. */
  redisPrefix?: string;
}

/** Who a request is counted as, for the rate limit. */
export function limitKey(req: FastifyRequest): string {
  return req.caller ? `client:${req.caller.client}` : `address:${req.ip}`;
}

export const accessPlugin = fp<AccessOptions>(
  async (app, opts) => {
    const { keys, rateLimit: limits } = opts;
    app.decorateRequest('caller', undefined);
    app.decorateRequest('identity', undefined);

    // Identify first (never refuses): the rate limit counts by caller, the audit names the key.
    app.addHook('onRequest', async (req) => {
      const identity = keys.identify(req.headers.authorization);
      req.identity = identity;
      if (identity.kind === 'caller') req.caller = identity.caller;
    });

    // Fail closed: a route under /api that forgot to say who may call it cannot be registered.
    app.addHook('onRoute', (route) => {
      if (route.url.startsWith('/api') && !route.config?.access) throw new Error(`route ${route.method} ${route.url} declares no access roles`);
    });

    await app.register(rateLimit, {
      global: true,
      hook: 'onRequest',
      timeWindow: limits.windowSeconds * 1000,
      skipOnError: true,
      ...(opts.redis ? { redis: opts.redis, nameSpace: `${opts.redisPrefix ?? 'cgic'}:rate-limit:` } : {}),
      allowList: (req) => !req.routeOptions.config?.access,
      keyGenerator: limitKey,
      max: async (req) => {
        const c = req.caller;
        if (!c) return limits.anonymous;
        return keys.rateLimitOf(c.keyId) ?? limits.roles[c.role] ?? limits.perKey;
      },
      errorResponseBuilder: (req, ctx) =>
        new HubError('HUB_ERR_API_RATE_LIMITED', {
          who: req.caller ? `key ${req.caller.keyId}` : `address ${req.ip}`,
          max: ctx.max,
          window: `${limits.windowSeconds} s`,
          retryAfter: Math.max(1, Math.ceil(ctx.ttl / 1000)),
        }),
    });

    // After the rate limit (routes' hooks run in the order the plugins added them): refuse whoever may not call the route.
    app.addHook('onRoute', (route) => {
      const roles = route.config?.access;
      if (!roles) return;
      const check = async (req: FastifyRequest): Promise<void> => {
        const id = req.identity ?? { kind: 'none' };
        if (id.kind === 'expired') throw new HubError('HUB_ERR_AUTH_KEY_EXPIRED', { keyId: id.caller.keyId, expiresAt: id.expiresAt });
        if (id.kind !== 'caller') throw new HubError('HUB_ERR_AUTH_REQUIRED', { reason: 'A valid API key is required: Authorization: Bearer <key>' });
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
