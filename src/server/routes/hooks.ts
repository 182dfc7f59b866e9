/**
 * POST /hooks/:connector: a signed body from a sender. The body is read raw (the signature is over the
 * bytes), checked by the webhook connector, and queued as one transfer: 202 with the transfer id. A
 * bad or stale signature is 401 and nothing is queued.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { Hub } from '../../runtime/hub.ts';
import { WebhookSource } from '../../../connectors/webhook/index.ts';
import { errorSchema } from '../schemas.ts';

export const hookRoutes: FastifyPluginAsync<{ hub: Hub }> = async (app, { hub }) => {
  // Read up to the largest body a webhook connector accepts (plus one byte), so the connector itself
  // answers 413 with its own error code for anything larger.
  const maxBytes = Math.max(1024 * 1024, ...hub.cfg.connectors.filter((c) => c.kind === 'webhook').map((c) => (hub.source(c.id) as WebhookSource).maxBytes + 1));
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
