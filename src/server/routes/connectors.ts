/**
 * Steering a connector: pause and resume its schedule, and its effective configuration as the hub
 * runs it (validated, defaults filled in, secrets masked). Pauses are on the audit trail (the request's
 * entry, with the reason given); the run, list and poll routes are in admin.ts.
 */
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { HubApi } from '../hub-api.ts';
import { access } from '../auth.ts';
import { auditDetail, auditSubjects } from '../audit-plugin.ts';
import { security, errorSchema, namedBy } from '../schemas.ts';
import { HubError } from '../../errors/hub-error.ts';
import { SECRET_REF, secretPaths } from '../../config/secrets.ts';
import { findConnector } from '../../../connectors/index.ts';

export const pauseSchema = {
  type: ['object', 'null'],
  description: 'Set while the schedule is paused: since when, by whom (null: it runs on its schedule).',
  properties: { at: { type: 'string', format: 'date-time' }, by: { type: 'string' } },
} as const;

/** A secret, as the configuration refers to it, without its name: `[secret from env]`. */
function masked(v: unknown): string {
  const m = typeof v === 'string' ? SECRET_REF.exec(v) : null;
  return m ? `[secret from ${m[1]}]` : '[secret]';
}

/**
 * Options with every value the connector's schema marks secret masked, and any other secret
 * reference too (a header holding a token): what is shown says where a secret comes from, never its
 * name or value.
 */
export function maskSecrets(kind: string, direction: 'source' | 'destination', options: Record<string, unknown>): { options: Record<string, unknown>; secrets: string[] } {
  const copy = structuredClone(options);
  const paths = secretPaths(findConnector(kind, direction)?.optionsSchema, copy);
  for (const p of paths) {
    let o = copy as Record<string | number, unknown>;
    for (const k of p.slice(0, -1)) o = o[k] as Record<string | number, unknown>;
    const last = p[p.length - 1]!;
    o[last] = masked(o[last]);
  }
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return SECRET_REF.test(v) ? masked(v) : v;
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return { options: walk(copy) as Record<string, unknown>, secrets: paths.map((p) => `options.${p.join('.')}`) };
}

const byOf = (req: FastifyRequest): string => req.caller?.keyId ?? 'unknown';

export const connectorRoutes: FastifyPluginAsync<{ hub: HubApi }> = async (app, { hub }) => {
  const admin = access('admin');
  const reader = access('admin', 'analyst');
  const params = namedBy('id');

  app.get<{ Params: { id: string } }>(
    '/connectors/:id/config',
    {
      ...reader,
      schema: {
        summary: 'A connector\'s effective configuration, as the hub runs it now: checked, defaults filled in, secrets masked ("[secret from env]"), its agency and its schedule\'s pause.',
        tags: ['connectors'],
        security,
        params,
        response: {
          200: {
            type: 'object',
            properties: {
              id: { type: 'string' },
              kind: { type: 'string' },
              agency: { type: 'object', properties: { ori: { type: 'string' }, name: { type: 'string' }, timezone: { type: 'string' } } },
              mapping: { type: 'string' },
              enabled: { type: 'boolean' },
              schedule: { type: ['string', 'null'] },
              expectEvery: { type: ['string', 'null'], description: 'As configured; null: from the schedule.' },
              expectEverySeconds: { type: ['integer', 'null'], description: 'Seconds without data after which the feed is quiet; null: never.' },
              options: { type: 'object', additionalProperties: true, description: 'The connector\'s options with the secrets masked.' },
              secrets: { type: 'array', items: { type: 'string' }, description: 'Where the masked secrets are.' },
              limits: { type: 'object', additionalProperties: true, description: 'Limits on hostile input in force (hub.limits with the connector\'s own over them).' },
              paused: pauseSchema,
              configFile: { type: 'string' },
            },
          },
          401: errorSchema,
          403: errorSchema,
          404: errorSchema,
        },
      },
    },
    async (req) => {
      const c = hub.cfg.connectors.find((x) => x.id === req.params.id);
      if (!c) throw new HubError('HUB_ERR_NOT_FOUND', { what: 'connector', id: req.params.id });
      auditSubjects(req, [{ type: 'connector', id: c.id }]);
      const agency = hub.cfg.agencies.find((a) => a.ori === c.agency);
      const { options, secrets } = maskSecrets(c.kind, 'source', c.options);
      return {
        id: c.id,
        kind: c.kind,
        agency: { ori: c.agency, name: agency?.name ?? c.agency, timezone: agency?.timezone ?? hub.cfg.hub.timezone },
        mapping: c.mapping,
        enabled: c.enabled,
        schedule: c.schedule ?? null,
        expectEvery: c.expectEvery ?? null,
        expectEverySeconds: c.expectEverySeconds,
        options,
        secrets,
        limits: c.limits,
        paused: (await hub.pausedSchedules()).get(c.id) ?? null,
        configFile: hub.cfg.file,
      };
    },
  );

  const reasonBody = {
    type: ['object', 'null'],
    additionalProperties: false,
    properties: { reason: { type: 'string', maxLength: 500, description: 'Why, for the audit trail.' } },
  } as const;

  app.post<{ Params: { id: string }; Body: { reason?: string } | null }>(
    '/connectors/:id/pause',
    {
      ...admin,
      schema: {
        summary: 'Pause a connector\'s schedule: its ticks poll nothing until it is resumed (a run by hand still runs; transfers under way finish). Shared by every hub process, kept across restarts. 409 when it has no schedule or is paused already.',
        tags: ['connectors'],
        security,
        params,
        body: reasonBody,
        response: { 200: { type: 'object', properties: { id: { type: 'string' }, paused: pauseSchema } }, 401: errorSchema, 403: errorSchema, 404: errorSchema, 409: errorSchema },
      },
    },
    async (req) => {
      auditSubjects(req, [{ type: 'connector', id: req.params.id }]);
      if (req.body?.reason) auditDetail(req, { reason: req.body.reason });
      const paused = await hub.pauseSchedule(req.params.id, byOf(req));
      return { id: req.params.id, paused };
    },
  );

  app.post<{ Params: { id: string }; Body: { reason?: string } | null }>(
    '/connectors/:id/resume',
    {
      ...admin,
      schema: {
        summary: 'Resume a paused schedule: its next tick polls again. 409 when it is not paused.',
        tags: ['connectors'],
        security,
        params,
        body: reasonBody,
        response: { 200: { type: 'object', properties: { id: { type: 'string' }, paused: pauseSchema, resumed: pauseSchema } }, 401: errorSchema, 403: errorSchema, 404: errorSchema, 409: errorSchema },
      },
    },
    async (req) => {
      auditSubjects(req, [{ type: 'connector', id: req.params.id }]);
      if (req.body?.reason) auditDetail(req, { reason: req.body.reason });
      const ended = await hub.resumeSchedule(req.params.id, byOf(req));
      auditDetail(req, { pausedAt: ended.at, pausedBy: ended.by });
      return { id: req.params.id, paused: null, resumed: ended };
    },
  );
};
