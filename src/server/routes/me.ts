/**
 * `GET /api/me`: who the caller is (key, client, role, agency) and the hub's name and time zone, so a
 * screen can say who is signed in, offer only what the role may do, and show times in the hub's zone.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { HubApi } from '../hub-api.ts';
import { access, ROLES } from '../auth.ts';
import { security, errorSchema } from '../schemas.ts';
import { agencyOf } from '../../config/hub-config.ts';

export const meRoutes: FastifyPluginAsync<{ hub: HubApi }> = async (app, { hub }) => {
  app.get(
    '/me',
    {
      ...access(...ROLES),
      schema: {
        summary: "The caller (key, client, role, agency) and the hub's name and time zone.",
        tags: ['console'],
        security,
        response: {
          200: {
            type: 'object',
            properties: {
              keyId: { type: 'string' },
              client: { type: 'string' },
              role: { type: 'string', enum: [...ROLES] },
              ori: { type: ['string', 'null'], description: 'The agency of an agency key.' },
              agencyName: { type: ['string', 'null'] },
              hub: { type: 'object', properties: { name: { type: 'string' }, timezone: { type: 'string', description: 'IANA zone the console shows times in.' } } },
            },
          },
          401: errorSchema,
        },
      },
    },
    async (req) => {
      const c = req.caller!;
      return {
        keyId: c.keyId,
        client: c.client,
        role: c.role,
        ori: c.ori ?? null,
        agencyName: c.ori ? (agencyOf(hub.cfg, c.ori)?.name ?? null) : null,
        hub: { name: hub.cfg.hub.name, timezone: hub.cfg.hub.timezone },
      };
    },
  );
};
