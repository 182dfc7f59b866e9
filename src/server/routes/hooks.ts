/**
 * POST /hooks/:connector: a signed body from a sender. The body is read raw (the signature is over the
 * bytes) and handed to the hub's webhook intake (runtime/webhook-intake.ts): 202 with the transfer id
 * once the body is spooled and its transfer queued; the same signed request again: 202 with the first
 * request's transfer id, nothing queued; 401 bad or stale signature; 413 a body over the connector's
 * maxBytes (HUB_ERR_CONNECTOR_WEBHOOK_TOO_LARGE, whatever its size); 429 + Retry-After when the
 * connector's backlog is full; 503 + Retry-After when Redis or the store does not answer in time.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { HubApi } from '../hub-api.ts';
import { WebhookSource } from '../../../connectors/webhook/index.ts';
import { errorSchema, namedBy } from '../schemas.ts';
import { HubError } from '../../errors/hub-error.ts';

export const hookRoutes: FastifyPluginAsync<{ hub: HubApi }> = async (app, { hub }) => {
  // Read up to the largest body a webhook connector accepts (plus one byte), so the connector itself
  // answers 413 with its own error code for anything larger.
  const maxBytes = Math.max(1024 * 1024, ...hub.cfg.connectors.filter((c) => c.kind === 'webhook').map((c) => (hub.source(c.id) as WebhookSource).maxBytes + 1));
  // A body past even that limit is cut off by the server before the connector sees it: answer with
  // the connector's own code and limit all the same, not a generic request error.
  app.setErrorHandler((err, req, reply) => {
    const id = (req.params as { connector?: string } | undefined)?.connector;
    const conn = id === undefined ? undefined : hub.cfg.connectors.find((c) => c.id === id && c.kind === 'webhook');
    if ((err as { code?: string }).code === 'FST_ERR_CTP_BODY_TOO_LARGE' && conn) {
      const e = new HubError('HUB_ERR_CONNECTOR_WEBHOOK_TOO_LARGE', { connector: conn.id, maxBytes: (hub.source(conn.id) as WebhookSource).maxBytes });
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
      if (refused.retryAfter !== undefined) void reply.header('retry-after', String(refused.retryAfter));
      return reply.code(refused.status).send({ code: refused.error.code, message: refused.error.message });
    },
  );
};
