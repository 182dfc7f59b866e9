/**
 * POST /hooks/:connector: a signed body from a sender. The body is read raw (the signature is over the
 * bytes) and handed to the hub's webhook intake (runtime/webhook-intake.ts): 202 with the transfer id
 * once the body is spooled and its transfer queued; the same signed request again: 202 with the first
 * request's transfer id, nothing queued; 401 bad or stale signature; 413 a body over the connector's
 * maxBytes (HUB_ERR_CONNECTOR_WEBHOOK_TOO_LARGE, whatever its size); 429 + Retry-After when the
 * connector's backlog is full; 503 + Retry-After when Redis or the store does not answer in time.
 *
 * Refusals that no signature stands behind count against the sender's address, as anonymous /api
 * calls do (hub.api.rateLimit.anonymous), and are answered 429 HUB_ERR_API_RATE_LIMITED past it: a
 * connector id that is not an enabled webhook connector (404, answered before the body is read) and a
 * missing, malformed, stale or wrong signature (401), and a body over the connector's maxBytes (413) or
 * with a Content-Encoding (415), both refused before the signature is checked. A request whose headers alone cannot be signed
 * is counted before its body is read, so past the limit its body is never read; one whose signature
 * is well formed is always read and checked, so a correctly signed body is never refused by this
 * limit (webhooks are held back by their connector's backlog: 429 HUB_ERR_CONNECTOR_WEBHOOK_BACKLOG).
 */
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { HubApi } from '../hub-api.ts';
import { WebhookSource } from '../../../connectors/webhook/index.ts';
import { errorSchema, namedBy } from '../schemas.ts';
import { HubError } from '../../errors/hub-error.ts';

/** Webhook refusals that count against the sender's address: none is a correctly signed request's. */
const UNSIGNED_REFUSALS: ReadonlySet<string> = new Set(['HUB_ERR_CONNECTOR_WEBHOOK_SIGNATURE', 'HUB_ERR_CONNECTOR_WEBHOOK_TOO_LARGE', 'HUB_ERR_CONNECTOR_WEBHOOK_ENCODING']);

export const hookRoutes: FastifyPluginAsync<{ hub: HubApi }> = async (app, { hub }) => {
  const enabledHook = (id: string) => hub.cfg.connectors.find((c) => c.id === id && c.kind === 'webhook' && c.enabled);
  // Requests counted against their sender's rate limit before their body was read.
  const counted = new WeakSet<FastifyRequest>();
  // Read up to the largest body a webhook connector accepts (plus one byte), so the connector itself
  // answers 413 with its own error code for anything larger.
  const maxBytes = Math.max(1024 * 1024, ...hub.cfg.connectors.filter((c) => c.kind === 'webhook').map((c) => (hub.source(c.id) as WebhookSource).maxBytes + 1));
  // A body past even that limit is cut off by the server before the connector sees it: answer with
  // the connector's own code and limit all the same, not a generic request error.
  // It counts against the sender's address as the connector's own 413 does (429 past the limit).
  app.setErrorHandler(async (err, req, reply) => {
    const id = (req.params as { connector?: string } | undefined)?.connector;
    const conn = id === undefined ? undefined : hub.cfg.connectors.find((c) => c.id === id && c.kind === 'webhook');
    if ((err as { code?: string }).code === 'FST_ERR_CTP_BODY_TOO_LARGE' && conn) {
      const limited = counted.has(req) ? null : await app.countRefusal(req, reply);
      const e = limited ?? new HubError('HUB_ERR_CONNECTOR_WEBHOOK_TOO_LARGE', { connector: conn.id, maxBytes: (hub.source(conn.id) as WebhookSource).maxBytes });
      return reply.code(e.status).send({ code: e.code, message: e.message });
    }
    throw err; // the server's handler
  });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  app.post<{ Params: { connector: string } }>(
    '/hooks/:connector',
    {
      bodyLimit: maxBytes,
      // Before the body is read: no such connector, or headers no body can make a good signature of.
      onRequest: async (req, reply) => {
        const id = req.params.connector;
        const conn = enabledHook(id);
        if (!conn) throw (await app.countRefusal(req, reply)) ?? new HubError('HUB_ERR_NOT_FOUND', { what: 'webhook connector', id });
        if (!(hub.source(conn.id) as WebhookSource).unsignable(req.headers)) return;
        counted.add(req);
        const limited = await app.countRefusal(req, reply);
        if (limited) {
          hub.metrics.webhooks.inc({ connector: conn.id, outcome: 'refused' });
          throw limited;
        }
      },
      schema: {
        summary: 'Receive a signed webhook body; it becomes one transfer.',
        description:
          'Sign with HMAC-SHA256 over "<timestamp>.<body>" (connectors/webhook/README.md). Answers 202 with the transfer id once the body is stored and queued; ' +
          'the same signed request again within its window: 202 with the first transfer id and duplicate: true (nothing queued); ' +
          '429 with Retry-After when the connector\'s backlog is full; 503 with Retry-After when Redis or the database does not answer within a second.',
        tags: ['webhooks'],
        params: namedBy('connector'),
        response: {
          202: { type: 'object', properties: { transferId: { type: 'string' }, duplicate: { type: 'boolean' } }, required: ['transferId'] },
          401: errorSchema,
          404: errorSchema,
          413: errorSchema,
          429: errorSchema,
          503: errorSchema,
        },
      },
    },
    async (req, reply) => {
      const body = Buffer.isBuffer(req.body) ? req.body : Buffer.from((req.body as string | undefined) ?? '');
      const r = await hub.receiveWebhook(req.params.connector, {
        headers: req.headers,
        body,
        clientGone: () => req.raw.socket?.destroyed === true || reply.raw.destroyed,
      });
      if (r.status === 202 && 'transferId' in r) return reply.code(202).send({ transferId: r.transferId, ...(r.duplicate ? { duplicate: true } : {}) });
      if (r.status === 'gone') return reply.code(503).send({ code: 'HUB_ERR_CONNECTOR_WEBHOOK_UNAVAILABLE', message: 'the sender went away before the body was queued' });
      const refused = r as { status: number; error: HubError; retryAfter?: number };
      // Refusals no good signature stands behind: a wrong signature, and a body too large or encoded,
      // which are refused before the signature is checked. Past the sender's limit: 429.
      if (UNSIGNED_REFUSALS.has(refused.error.code)) {
        const limited = counted.has(req) ? null : await app.countRefusal(req, reply);
        if (limited) return reply.code(limited.status).send({ code: limited.code, message: limited.message });
      }
      // No log line past the limit (its audit entry says it).
      if (refused.error.code === 'HUB_ERR_CONNECTOR_WEBHOOK_SIGNATURE') {
        hub.log.warn({ connector: req.params.connector, reason: refused.error.message, bytes: body.length, source: req.ip }, 'webhook: request refused');
      }
      if (refused.retryAfter !== undefined) void reply.header('retry-after', String(refused.retryAfter));
      return reply.code(refused.status).send({ code: refused.error.code, message: refused.error.message });
    },
  );
};
