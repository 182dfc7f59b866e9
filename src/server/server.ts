/**
 * The HTTP API (fastify). Every route declares its schema; the OpenAPI document is generated from them
 * and served at /docs (JSON at /docs/json). Order of a request: identified, rate-limited and checked
 * against its route's roles in onRequest hooks (before any body is read: access-plugin.ts), then the
 * route, then its audit entry is committed before the response is sent (audit-plugin.ts). Webhooks are
 * authenticated by their signature, not by key; people in the console by a session cookie (session.ts). With `hub.api.tls` the API serves HTTPS itself (tls.ts).
 */
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Ajv, SchemaValidateFunction } from 'ajv';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { HubApi } from './hub-api.ts';
import { HubError } from '../errors/hub-error.ts';
import { hookRoutes } from './routes/hooks.ts';
import { adminRoutes } from './routes/admin.ts';
import { opsRoutes } from './routes/ops.ts';
import { leadRoutes } from './routes/leads.ts';
import { auditRoutes } from './routes/audit.ts';
import { meRoutes } from './routes/me.ts';
import { overviewRoutes } from './routes/overview.ts';
import { destinationRoutes } from './routes/destinations.ts';
import { liveRoutes } from './routes/live.ts';
import { playgroundRoutes } from './routes/playground.ts';
import { leadPackageRoutes } from './routes/lead-packages.ts';
import { errorCodeRoutes } from './routes/error-codes.ts';
import { connectorRoutes } from './routes/connectors.ts';
import { reloadRoutes } from './routes/reload.ts';
import { consolePlugin } from '../console/plugin.ts';
import { accessPlugin } from './access-plugin.ts';
import { auditPlugin, refuseUnrouted, requestIdOf } from './audit-plugin.ts';
import { httpsOptions, watchTls } from './tls.ts';
import { storableTimes } from './schemas.ts';
import { MemorySessionBackend, RedisSessionBackend, Sessions } from './session.ts';

/**
 * The API of a process with the api role; with `opsOnly`, only /healthz, /readyz and /metrics (a worker
 * or scheduler process, so its counters can be scraped: hub.api.metricsPort), over plain HTTP.
 */
/**
 * The `x-finite` keyword: a number must be finite. A query string such as `offset=1e400` is coerced to
 * Infinity after ajv's type check, and its range checks pass over non-finite numbers, so Infinity got
 * through `maximum` and failed later (a 500 while serializing the answer).
 */
function finiteNumbers(ajv: Ajv): Ajv {
  const validate: SchemaValidateFunction = (on: boolean, n: unknown) => {
    if (!on || typeof n !== 'number' || Number.isFinite(n)) return true;
    validate.errors = [{ keyword: 'x-finite', message: 'must be a finite number', params: {} }];
    return false;
  };
  ajv.addKeyword({ keyword: 'x-finite', schemaType: 'boolean', errors: true, validate });
  return ajv;
}

/** The largest request body any route takes unless it says otherwise (a connector's file, a webhook: their own limits). */
export const API_BODY_LIMIT = 16 * 1024 * 1024;

/** Paths whose answers carry (or name) criminal-justice data: /api and /hooks. */
const CJI_PATH = /^\/(?:api|hooks)(?:[/?#]|$)/;

/** An answer under /api or /hooks is never cached nor sniffed (set for every answer: the onSend hook, and URLs no route took). */
function cjiHeaders(req: FastifyRequest, reply: FastifyReply): void {
  if (CJI_PATH.test(req.url)) void reply.header('cache-control', 'no-store').header('x-content-type-options', 'nosniff');
}

export async function buildServer(hub: HubApi, opts: { opsOnly?: boolean } = {}): Promise<FastifyInstance> {
  const api = hub.cfg.hub.api;
  const tls = !opts.opsOnly && api.tls ? api.tls : undefined;
  // A request must arrive whole in hub.api.requestTimeoutSeconds (408 after it), so a body sent a byte at
  // a time holds no connection for ever. Node applies it only while the headers' own timeout is not
  // longer, and looks every connectionsCheckingInterval (30 s by default: 5 s here).
  const requestTimeout = api.requestTimeoutSeconds * 1000;
  const timeouts = { requestTimeout, headersTimeout: Math.min(60_000, requestTimeout), connectionsCheckingInterval: 5_000 };
  const app = Fastify({
    logger: false,
    bodyLimit: API_BODY_LIMIT,
    requestTimeout,
    http: timeouts,
    // Path parameters are ids (at most 200 characters: namedBy in schemas.ts); longer ones reach the
    // route's validation, answered and audited like any bad request, up to this.
    routerOptions: { maxParamLength: 1000 },
    // A URL the router cannot take (bad percent-encoding, a parameter past maxParamLength): answered in
    // the hub's error format, without repeating the URL, and audited as any refusal.
    frameworkErrors: (err, req, reply) => {
      const long = err.code === 'FST_ERR_MAX_PARAM_LENGTH';
      const e = new HubError('HUB_ERR_REQUEST_INVALID', { reason: long ? 'a path segment is longer than 1000 characters' : 'the path is not valid (a percent-escape that is not UTF-8?)' });
      // No hook runs for a request no route took.
      cjiHeaders(req, reply as FastifyReply);
      void refuseUnrouted(hub.audit, hub.log, hub.metrics.auditEntries, req, reply as FastifyReply, long ? 414 : 400, e);
    },
    genReqId: requestIdOf,
    trustProxy: api.trustProxy.length ? api.trustProxy : false,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: false }, plugins: [finiteNumbers, storableTimes] },
    ...(tls ? { https: { ...httpsOptions(tls), ...timeouts } } : {}),
  }) as unknown as FastifyInstance;
  app.setErrorHandler((err, req, reply) => {
    if (err instanceof HubError) {
      // A coded failure of the hub's own (the store, Redis) is logged as an uncoded one is.
      if (err.status >= 500 && err.status !== 503) hub.log.error({ code: err.code, err: err.message, route: req.routeOptions.url }, 'request failed');
      return reply.code(err.status).send({ code: err.code, message: err.message });
    }
    const e = err as { validation?: unknown; statusCode?: number; message: string; code?: string };
    if (e.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      const tooLarge = new HubError('HUB_ERR_REQUEST_TOO_LARGE', { limit: API_BODY_LIMIT, size: `${API_BODY_LIMIT / 1048576} MiB` });
      return reply.code(tooLarge.status).send({ code: tooLarge.code, message: tooLarge.message });
    }
    if (e.validation) return reply.code(400).send({ code: 'HUB_ERR_REQUEST_INVALID', message: e.message });
    if (e.statusCode && e.statusCode < 500) return reply.code(e.statusCode).send({ code: 'HUB_ERR_REQUEST_INVALID', message: e.message });
    hub.log.error({ err: e.message, url: req.url }, 'request failed');
    return reply.code(500).send({ code: 'HUB_ERR_SYSTEM_INTERNAL', message: 'Internal error; see the hub log' });
  });

  if (opts.opsOnly) {
    await app.register(opsRoutes, { hub });
    return app;
  }
  // Answers under /api and /hooks carry criminal-justice data, or name it in their errors: no cache
  // (browser or proxy) keeps them, and none is read as another type than it says. One hook for every
  // answer, refusals and 404s included.
  app.addHook('onSend', async (req, reply, payload) => {
    cjiHeaders(req, reply);
    return payload;
  });
  if (tls) watchTls(app, tls, hub.log);
  await app.register(auditPlugin, { sink: hub.audit, log: hub.log, counter: hub.metrics.auditEntries });
  const shared = hub.apiRedis();
  // Console sessions in Redis (every API process sees them), else in this process.
  const sessions = new Sessions(shared ? new RedisSessionBackend(shared.redis, shared.prefix) : new MemorySessionBackend(), api.sessions);
  await app.register(accessPlugin, { keys: hub.keys, sessions, rateLimit: api.rateLimit, ...(tls ? { tls } : {}), ...(shared ? { redis: shared.redis, redisPrefix: shared.prefix } : {}) });
  await app.register(swagger, {
    openapi: {
      info: { title: 'cgic-hub API', version: '1', description: 'Webhooks, transfers, quarantine, dead letters, leads, the audit trail, health and metrics of a Crime Gun Intelligence Center hub.' },
      components: { securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'An API key from the hub configuration (hub.api.keys).' } } },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  await app.register(opsRoutes, { hub });
  await app.register(hookRoutes, { hub });
  await app.register(adminRoutes, { hub, prefix: '/api' });
  await app.register(leadRoutes, { hub, prefix: '/api' });
  await app.register(auditRoutes, { hub, prefix: '/api' });
  for (const routes of [meRoutes, overviewRoutes, destinationRoutes, liveRoutes, playgroundRoutes, leadPackageRoutes, errorCodeRoutes, connectorRoutes, reloadRoutes]) await app.register(routes, { hub, prefix: '/api' });
  await app.register(consolePlugin, { hub, sessions });
  return app;
}

export async function startServer(hub: HubApi, opts: { port?: number; opsOnly?: boolean } = {}): Promise<{ close(): Promise<void>; address: string; app: FastifyInstance }> {
  const app = await buildServer(hub, { opsOnly: opts.opsOnly });
  const host = hub.cfg.hub.api.host;
  const port = opts.port ?? hub.cfg.hub.api.port;
  let address: string;
  try {
    address = await app.listen({ host, port });
  } catch (err) {
    await app.close().catch(() => {});
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
      const setting = opts.opsOnly ? 'hub.api.metricsPort' : opts.port !== undefined ? 'cgic start --port' : 'hub.api.port';
      throw new HubError('HUB_ERR_SERVER_LISTEN', { address: `${host}:${port}`, setting, reason: code === 'EADDRINUSE' ? 'the port is in use' : (err as Error).message }, undefined, { cause: err });
    }
    throw err;
  }
  return { app, address, close: () => app.close() };
}
