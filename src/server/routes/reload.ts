/**
 * POST /api/reload: apply the configuration file without a restart (what SIGHUP and `cgic reload`
 * do). A file with problems is refused whole with each problem located (400, nothing changes); else
 * the answer says what started, stopped and changed, and which settings wait for a restart. On the
 * audit trail as every admin request is, with those counts.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { HubApi } from '../hub-api.ts';
import { access } from '../auth.ts';
import { auditDetail } from '../audit-plugin.ts';
import { security, errorSchema } from '../schemas.ts';
import { ConfigProblems, problemCount } from '../../config/problems.ts';

const changes = {
  type: 'object',
  properties: { added: { type: 'array', items: { type: 'string' } }, removed: { type: 'array', items: { type: 'string' } }, changed: { type: 'array', items: { type: 'string' } } },
} as const;

export const reloadRoutes: FastifyPluginAsync<{ hub: HubApi }> = async (app, { hub }) => {
  app.post(
    '/reload',
    {
      ...access('admin'),
      schema: {
        summary:
          'Read the configuration file again and apply it without a restart: checked whole first (refused with every problem, nothing changed); added connectors and agencies start, removed ones stop taking work, changed schedules take effect, API keys are replaced; transfers and deliveries under way finish. This API process and what it runs only: send each other hub process SIGHUP.',
        tags: ['configuration'],
        security,
        response: {
          200: {
            type: 'object',
            properties: {
              file: { type: 'string' },
              connectors: changes,
              agencies: changes,
              destinations: changes,
              keys: { type: 'integer', description: 'API keys configured (in force).' },
              restartNeeded: { type: 'array', items: { type: 'string' }, description: 'Settings that changed but apply only at the next start.' },
            },
          },
          400: {
            type: 'object',
            properties: {
              ...errorSchema.properties,
              problems: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: { code: { type: 'string' }, file: { type: 'string' }, line: { type: 'integer' }, col: { type: 'integer' }, pointer: { type: 'string' }, message: { type: 'string' }, hint: { type: 'string' }, omitted: { type: 'integer', description: 'On the problem that ends a cut list: how many problems of the file it stands for (100 are listed a file).' } },
                },
              },
            },
          },
          401: errorSchema,
          403: errorSchema,
        },
      },
    },
    async (req, reply) => {
      try {
        const r = await hub.reload();
        auditDetail(req, Object.fromEntries(['connectors', 'agencies', 'destinations'].flatMap((k) => Object.entries(r[k as 'connectors']).map(([what, ids]) => [`${k}${what[0]!.toUpperCase()}${what.slice(1)}`, ids.length]))));
        return r;
      } catch (err) {
        if (!(err instanceof ConfigProblems)) throw err;
        const n = problemCount(err.problems);
        return reply.code(400).send({
          code: 'HUB_ERR_CONFIG_INVALID',
          message: `${hub.cfg.file}: ${n} problem${n === 1 ? '' : 's'}; the configuration in force is unchanged`,
          problems: err.problems,
        });
      }
    },
  );
};
