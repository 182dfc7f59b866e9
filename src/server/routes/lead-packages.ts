/**
 * `GET /api/leads/:id/packages`: what each recipient of a lead received, version by version: the
 * package as it was sent (its own events in full, the others' as the sharing rules allow), the fields
 * disclosed and why it was sent. For analysts and administrators; an agency reads its own package at
 * `GET /api/leads/:id`.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { HubApi } from '../hub-api.ts';
import { access } from '../auth.ts';
import { auditSubjects } from '../audit-plugin.ts';
import { security, errorSchema, namedBy } from '../schemas.ts';
import { HubError } from '../../errors/hub-error.ts';
import { listLeadPackages } from '../../store/lead-ledger.ts';

export const leadPackageRoutes: FastifyPluginAsync<{ hub: HubApi }> = async (app, { hub }) => {
  app.get<{ Params: { id: string }; Querystring: { version?: number; recipient?: string } }>(
    '/leads/:id/packages',
    {
      ...access('admin', 'analyst'),
      schema: {
        summary: 'The packages a lead was sent as, per version and recipient, with the fields disclosed and the reason; filter by version and recipient ORI.',
        tags: ['leads'],
        security,
        params: namedBy('id'),
        querystring: { type: 'object', additionalProperties: false, properties: { version: { type: 'integer', minimum: 1, maximum: 2147483647, 'x-finite': true }, recipient: { type: 'string', description: 'Recipient ORI.' } } },
        response: {
          200: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                version: { type: 'integer' },
                recipientOri: { type: 'string' },
                reason: { type: 'string' },
                fieldsDisclosed: { type: 'object', additionalProperties: { type: 'array', items: { type: 'string' } } },
                createdAt: { type: 'string' },
                package: { type: 'object', additionalProperties: true },
              },
            },
          },
          401: errorSchema,
          403: errorSchema,
          404: errorSchema,
        },
      },
    },
    async (req) => {
      const { id } = req.params;
      const rows = (await listLeadPackages(hub.store.db, { leadId: id, ...(req.query.recipient ? { recipientOri: req.query.recipient } : {}) })).filter(
        (p) => req.query.version === undefined || p.version === req.query.version,
      );
      auditSubjects(req, rows.length ? rows.map((p) => ({ type: 'lead', id, version: p.version })) : [{ type: 'lead', id }]);
      if (!rows.length) throw new HubError('HUB_ERR_NOT_FOUND', { what: 'lead package', id });
      return rows.map((p) => ({ version: p.version, recipientOri: p.recipientOri, reason: p.reason, fieldsDisclosed: p.fieldsDisclosed, createdAt: p.createdAt, package: p.package }));
    },
  );
};
