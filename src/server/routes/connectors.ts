/**
 * Steering a connector: pause and resume its schedule, its effective configuration as the hub runs it
 * (validated, defaults filled in, secrets masked), and a corrected file sent to a directory
 * connector's drop folder (the console's "Re-run a corrected file"). Pauses and files are on the audit
 * trail (the request's entry, with the reason given, or the file's name, size and SHA-256); the run,
 * list and poll routes are in admin.ts.
 */
import { createHash } from 'node:crypto';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { HubApi } from '../hub-api.ts';
import { access } from '../auth.ts';
import { auditDetail, auditSubjects } from '../audit-plugin.ts';
import { security, errorSchema, namedBy } from '../schemas.ts';
import { HubError } from '../../errors/hub-error.ts';
import { SECRET_REF, secretPaths } from '../../config/secrets.ts';
import { findConnector } from '../../../connectors/index.ts';
import type { DirectorySource } from '../../../connectors/directory/source.ts';
import { MAX_FILE_NAME_BYTES } from '../../../connectors/_shared/files.ts';

/** The largest file an administrator may send to a drop folder: a webhook body's default limit (maxBytes). */
export const MAX_DROPPED_FILE_BYTES = 10 * 1024 * 1024;
const tooLarge = (connector: string): HubError => new HubError('HUB_ERR_CONNECTOR_FILE_TOO_LARGE', { connector, maxBytes: MAX_DROPPED_FILE_BYTES, size: `${MAX_DROPPED_FILE_BYTES / 1024 / 1024} MiB` });
/** Its base64 in the request's JSON, and room for the rest of the body. */
const DROPPED_FILE_BASE64 = 4 * Math.ceil(MAX_DROPPED_FILE_BYTES / 3);
const DROP_BODY_LIMIT = DROPPED_FILE_BASE64 + 64 * 1024;

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

  app.post<{ Params: { id: string }; Body: { name: string; content: string } }>(
    '/connectors/:id/files',
    {
      ...admin,
      bodyLimit: DROP_BODY_LIMIT,
      // A body so large the server stops reading it is refused as a file over the limit is, with the
      // same code and figure, not as a generic request error.
      errorHandler: (err, req) => {
        if ((err as { code?: string }).code === 'FST_ERR_CTP_BODY_TOO_LARGE') throw tooLarge((req.params as { id: string }).id);
        throw err;
      },
      schema: {
        summary:
          'Send a file (a corrected export) to a directory connector: written into its drop folder under its own name, atomically, never over a file of that name waiting there (409). ' +
          `The connector's next run reads it as a new transfer (its schedule, or POST /api/connectors/:id/run once it has been still for stableMs). At most ${MAX_DROPPED_FILE_BYTES} bytes; other kinds of connector: 409.`,
        tags: ['connectors'],
        security,
        params,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['name', 'content'],
          properties: {
            name: { type: 'string', minLength: 1, maxLength: MAX_FILE_NAME_BYTES, description: 'The file\'s name: one plain segment (no / or \\, no "..", no control characters, not starting with "."), at most 255 bytes, that the connector\'s pattern takes.' },
            // Its size is bounded by the route's bodyLimit, and once decoded: 413 HUB_ERR_CONNECTOR_FILE_TOO_LARGE either way.
            content: { type: 'string', description: `The file's bytes in base64 (at most ${MAX_DROPPED_FILE_BYTES} bytes once decoded).` },
          },
        },
        response: {
          201: {
            type: 'object',
            properties: {
              connectorId: { type: 'string' },
              file: { type: 'string', description: 'The name it was written under in the drop folder.' },
              bytes: { type: 'integer' },
              sha256: { type: 'string' },
              nextRun: { type: ['string', 'null'], description: 'When the connector\'s schedule runs next (null: no schedule, or paused: run it by hand).' },
            },
          },
          400: errorSchema,
          401: errorSchema,
          403: errorSchema,
          404: errorSchema,
          409: errorSchema,
          413: errorSchema,
          503: errorSchema,
        },
      },
    },
    async (req, reply) => {
      const { name, content } = req.body;
      auditSubjects(req, [{ type: 'connector', id: req.params.id }]);
      auditDetail(req, { file: name });
      const c = hub.cfg.connectors.find((x) => x.id === req.params.id);
      if (!c) throw new HubError('HUB_ERR_NOT_FOUND', { what: 'connector', id: req.params.id });
      if (c.kind !== 'directory') {
        throw new HubError('HUB_ERR_STATE_CONFLICT', { reason: `Connector ${c.id} is a ${c.kind} connector: only a directory connector (a drop folder) takes a file sent here. Have the source send the corrected data again through its own channel` });
      }
      if (!c.enabled) throw new HubError('HUB_ERR_STATE_CONFLICT', { reason: `Connector ${c.id} is disabled: nothing would read the file. Enable it first` });
      const body = Buffer.from(content, 'base64');
      if (body.toString('base64') !== content) throw new HubError('HUB_ERR_REQUEST_INVALID', { reason: 'body/content must be the file\'s bytes in base64 (A-Z, a-z, 0-9, +, /, padded with =)' });
      if (body.length > MAX_DROPPED_FILE_BYTES) throw tooLarge(c.id);
      if (body.length === 0) throw new HubError('HUB_ERR_REQUEST_INVALID', { reason: 'The file is empty' });
      const sha256 = createHash('sha256').update(body).digest('hex');
      auditDetail(req, { bytes: body.length, sha256 });
      const dropped = await (hub.source(c.id) as DirectorySource).drop(name, body);
      const paused = (await hub.pausedSchedules()).has(c.id);
      return reply.code(201).send({ connectorId: c.id, file: dropped.file, bytes: body.length, sha256, nextRun: paused ? null : (hub.nextRun(c.id)?.toISOString() ?? null) });
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
