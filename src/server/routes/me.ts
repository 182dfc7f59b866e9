/**
 * `GET /api/me`: who the caller is (key or person, client, role, agency; for a console session its CSRF
 * token) and the hub's name and time zone, so a
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
              ori: { type: ['string', 'null'], description: "The agency of an agency key, or of an agency's own auditor." },
              agencyName: { type: ['string', 'null'] },
              name: { type: ['string', 'null'], description: 'The person, when the identity provider signed them in to the console.' },
              signedInWith: { type: 'string', enum: ['key', 'console-key', 'identity-provider'], description: 'key: this request carried an API key; console-key: a console session opened with an API key (demo mode); identity-provider: a console session of a person the provider signed in.' },
              csrfToken: { type: ['string', 'null'], description: 'For a console session: the token to send as X-CSRF-Token on every request that changes something.' },
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
        name: c.user?.name ?? null,
        signedInWith: c.via !== 'session' ? 'key' : c.user ? 'identity-provider' : 'console-key',
        csrfToken: req.identity?.kind === 'caller' ? (req.identity.session?.csrf ?? null) : null,
        hub: { name: hub.cfg.hub.name, timezone: hub.cfg.hub.timezone },
      };
    },
  );
};
