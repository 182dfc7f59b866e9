/**
 * POST /hooks/:connector: a signed body from a sender. The body is read raw (the signature is over the
 * bytes), checked by the webhook connector, and queued as one transfer: 202 with the transfer id. A
 * bad or stale signature is 401 and nothing is queued; a body over the connector's maxBytes is 413
 * HUB_ERR_CONNECTOR_WEBHOOK_TOO_LARGE, whatever its size.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { HubApi } from '../hub-api.ts';
import { WebhookSource } from '../../../connectors/webhook/index.ts';
import { errorSchema } from '../schemas.ts';
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
        description: 'Sign with HMAC-SHA256 over "<timestamp>.<body>" (connectors/webhook/README.md). Answers 202 with the transfer id once queued.',
        tags: ['webhooks'],
        params: { type: 'object', properties: { connector: { type: 'string' } }, required: ['connector'] },
        response: { 202: { type: 'object', properties: { transferId: { type: 'string' } }, required: ['transferId'] }, 401: errorSchema, 404: errorSchema, 413: errorSchema },
      },
    },
    async (req, reply) => {
      const conn = hub.cfg.connectors.find((c) => c.id === req.params.connector && c.kind === 'webhook' && c.enabled);
      if (!conn) return reply.code(404).send({ code: 'HUB_ERR_NOT_FOUND', message: `No webhook connector "${req.params.connector}"` });
      const source = hub.source(conn.id) as WebhookSource;
      const body = Buffer.isBuffer(req.body) ? req.body : Buffer.from((req.body as string | undefined) ?? '');
      const r = source.accept({ headers: req.headers, body });
      if (!r.ok) return reply.code(r.error.status).send({ code: r.error.code, message: r.error.message });
      const transferId = await hub.runConnector(conn.id, { trigger: 'webhook', unit: r.unit });
      return reply.code(202).send({ transferId });
    },
  );
};
