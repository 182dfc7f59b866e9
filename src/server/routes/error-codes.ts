/** `GET /api/error-codes`: the error registry (class, status, how to fix), so a screen can show the fix beside a code. */
import type { FastifyPluginAsync } from 'fastify';
import type { HubApi } from '../hub-api.ts';
import { access, ROLES } from '../auth.ts';
import { security, errorSchema } from '../schemas.ts';
import { ERRORS } from '../../errors/registry.ts';

export const errorCodeRoutes: FastifyPluginAsync<{ hub: HubApi }> = async (app) => {
  const body = Object.entries(ERRORS).map(([code, e]) => ({ code, class: e.class, status: e.status, fix: e.fix }));
  app.get(
    '/error-codes',
    {
      ...access(...ROLES),
      schema: {
        summary: 'Every error code with its class (who must act), HTTP status and how to fix it (docs/errors.md).',
        tags: ['console'],
        security,
        response: {
          200: { type: 'array', items: { type: 'object', properties: { code: { type: 'string' }, class: { type: 'string' }, status: { type: 'integer' }, fix: { type: 'string' } } } },
          401: errorSchema,
        },
      },
    },
    async () => body,
  );
};
