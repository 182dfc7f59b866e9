/** The admin API: connectors, polls, transfers, quarantine, dead letters. API key required. */
import type { FastifyPluginAsync } from 'fastify';
import type { HubApi } from '../hub-api.ts';
import { access } from '../auth.ts';
import { auditDetail, auditSubjects } from '../audit-plugin.ts';
import { security, errorSchema, pointerSchema, transferSchema, pageOf, pageQuery, isoTime, type PageQuery, namedBy } from '../schemas.ts';
import { HubError } from '../../errors/hub-error.ts';
import { HealthChecks, HEALTH_TTL_MS } from '../health-checks.ts';
import type { TransferStatus } from '../../store/index.ts';
import { pauseSchema } from './connectors.ts';


export const adminRoutes: FastifyPluginAsync<{ hub: HubApi }> = async (app, { hub }) => {
  const admin = access('admin');
  const reader = access('admin', 'analyst');

  const checks = new HealthChecks((id) => hub.source(id).check());

  app.get(
    '/connectors',
    {
      ...reader,
      schema: {
        summary: `Every source connector with its last run, next run, counts and health (checked at most every ${HEALTH_TTL_MS / 1000} s).`,
        tags: ['connectors'],
        security,
        response: {
          200: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                id: { type: 'string' },
                kind: { type: 'string' },
                agency: { type: 'string' },
                mapping: { type: 'string' },
                enabled: { type: 'boolean' },
                schedule: { type: ['string', 'null'] },
                nextRun: { type: ['string', 'null'] },
                paused: pauseSchema,
                lastRun: { anyOf: [transferSchema, { type: 'null' }] },
                health: {
                  type: 'object',
                  description: `The connector's own check (folder, server, login), at most ${HEALTH_TTL_MS / 1000} s old.`,
                  properties: { ok: { type: 'boolean' }, detail: { type: 'string' }, checkedAt: { type: 'string', format: 'date-time' } },
                },
              },
            },
          },
          401: errorSchema,
        },
      },
    },
    async (req) => {
      auditSubjects(req, hub.cfg.connectors.map((c) => ({ type: 'connector', id: c.id })));
      const paused = await hub.pausedSchedules();
      return Promise.all(
        hub.cfg.connectors.map(async (c) => {
          const [last, health] = await Promise.all([hub.store.lastTransfer(c.id), checks.of(c.id)]);
          if (last) auditSubjects(req, [{ type: 'transfer', id: last.id }]);
          return {
            id: c.id,
            kind: c.kind,
            agency: c.agency,
            mapping: c.mapping,
            enabled: c.enabled,
            schedule: c.schedule ?? null,
            nextRun: hub.nextRun(c.id)?.toISOString() ?? null,
            paused: paused.get(c.id) ?? null,
            lastRun: last ?? null,
            health,
          };
        }),
      );
    },
  );

  const pollSchema = {
    type: 'object',
    properties: {
      pollId: { type: 'string' },
      connectorId: { type: 'string' },
      dryRun: { type: 'boolean' },
      state: { type: 'string', enum: ['pending', 'claimed', 'empty', 'failed'], description: 'claimed: one transfer per unit; empty: nothing was ready, no transfer; pending: not claimed yet.' },
      transferIds: { type: 'array', items: { type: 'string' } },
      skipped: {
        type: 'array',
        description: 'What the claim saw but left for a later run, with why (a file not settled for stableMs yet).',
        items: { type: 'object', properties: { name: { type: 'string' }, reason: { type: 'string' } } },
      },
      note: { type: 'string', description: 'A dry run: what it does with what it reads.' },
      error: { type: 'string' },
    },
  } as const;

  app.post<{ Params: { id: string }; Querystring: { dryRun?: boolean; wait: number }; Body: { dryRun?: boolean } | null }>(
    '/connectors/:id/run',
    {
      ...admin,
      schema: {
        summary: 'Run a connector now: a poll claims what is ready and queues one transfer per unit (none when nothing is ready). 202 with the poll; its transfer ids once claimed (waits up to `wait` seconds).',
        tags: ['connectors'],
        security,
        params: namedBy('id'),
        querystring: {
          type: 'object',
          properties: {
            dryRun: { type: 'boolean', default: false, description: 'Map without storing, delivering or acknowledging the source.' },
            wait: { type: 'integer', minimum: 0, maximum: 30, default: 5, description: 'Seconds to wait for the claim before answering (0: at once).' },
          },
          additionalProperties: false,
        },
        body: {
          type: ['object', 'null'],
          additionalProperties: false,
          properties: { dryRun: { type: 'boolean', description: 'As the query parameter: map without storing, delivering or acknowledging the source (a file goes back to its folder; see `note`).' } },
        },
        response: { 202: pollSchema, 401: errorSchema, 403: errorSchema, 404: errorSchema, 409: errorSchema },
      },
    },
    async (req, reply) => {
      auditSubjects(req, [{ type: 'connector', id: req.params.id }]);
      const dryRun = req.query.dryRun === true || req.body?.dryRun === true;
      if (dryRun) auditDetail(req, { dryRun: true });
      const { pollId } = await hub.pollConnector(req.params.id, { trigger: 'manual', dryRun });
      const status = await hub.pollStatus(pollId, req.query.wait * 1000);
      auditSubjects(req, [{ type: 'poll', id: pollId }, ...status.transferIds.map((id) => ({ type: 'transfer', id }))]);
      return reply.code(202).send(status);
    },
  );

  app.get<{ Params: { id: string } }>(
    '/polls/:id',
    {
      ...reader,
      schema: {
        summary: 'A poll (a run of a connector): pending, or what it claimed (one transfer id per unit; none when it was empty). Kept a day.',
        tags: ['connectors'],
        security,
        params: namedBy('id'),
        response: { 200: pollSchema, 401: errorSchema, 404: errorSchema },
      },
    },
    async (req) => {
      auditSubjects(req, [{ type: 'poll', id: req.params.id }]);
      return hub.pollStatus(req.params.id);
    },
  );

  app.get<{ Params: { id: string } }>(
    '/transfers/:id',
    {
      ...reader,
      schema: { summary: 'A transfer with its live counts.', tags: ['transfers'], security, params: namedBy('id'), response: { 200: transferSchema, 401: errorSchema, 404: errorSchema } },
    },
    async (req) => {
      // The id asked for is recorded whether or not it exists, as for polls and dead letters.
      auditSubjects(req, [{ type: 'transfer', id: req.params.id }]);
      const t = await hub.store.getTransfer(req.params.id);
      if (!t) throw new HubError('HUB_ERR_NOT_FOUND', { what: 'transfer', id: req.params.id });
      return t;
    },
  );

  app.get<{ Querystring: PageQuery & { connector?: string; status?: TransferStatus; since?: string; until?: string } }>(
    '/transfers',
    {
      ...reader,
      schema: {
        summary: 'Transfers, newest first, with their counts: filter by connector, status and creation time; paged.',
        tags: ['transfers'],
        security,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            connector: { type: 'string', description: 'Connector id.' },
            status: { type: 'string', enum: ['queued', 'running', 'succeeded', 'failed', 'partial'] },
            since: { ...isoTime, description: 'Created at or after this time (ISO 8601).' },
            until: { ...isoTime, description: 'Created before this time (ISO 8601).' },
            ...pageQuery,
          },
        },
        response: { 200: pageOf(transferSchema), 401: errorSchema, 403: errorSchema },
      },
    },
    async (req) => {
      const q = req.query;
      const f = { connectorId: q.connector, status: q.status, since: q.since, until: q.until };
      const [items, total] = await Promise.all([hub.store.listTransfers({ ...f, limit: q.limit, offset: q.offset }), hub.store.countTransfers(f)]);
      auditSubjects(req, items.map((t) => ({ type: 'transfer', id: t.id })));
      return { total, limit: q.limit, offset: q.offset, items };
    },
  );

  app.get<{ Querystring: PageQuery & { connector?: string; transfer?: string; file?: string; code?: string; status?: 'open' | 'resolved' } }>(
    '/quarantine',
    {
      ...reader,
      schema: {
        summary:
          'Records that could not be mapped, last seen first, with the error code and a pointer to their source. The same bad row seen again is one entry with its count and last sighting; it is resolved when a later export carries the row corrected.',
        tags: ['quarantine'],
        security,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            connector: { type: 'string' },
            transfer: { type: 'string', description: 'Entries seen in this transfer (any sighting).' },
            file: { type: 'string', minLength: 1, maxLength: 1000, description: 'Entries seen in a source file of exactly this name (`pointer.file`, any sighting): `LIMS_20251125.csv`, not a path nor a part of the name.' },
            code: { type: 'string' },
            status: { type: 'string', enum: ['open', 'resolved'] },
            ...pageQuery,
          },
        },
        response: {
          200: pageOf({
            type: 'object',
            properties: {
              id: { type: 'string' },
              transferId: { type: ['string', 'null'] },
              connectorId: { type: ['string', 'null'] },
              code: { type: 'string' },
              message: { type: 'string' },
              field: { type: ['string', 'null'] },
              value: { type: ['string', 'null'] },
              pointer: pointerSchema,
              payload: {},
              createdAt: { type: 'string', description: 'First sighting.' },
              count: { type: 'integer', description: 'Sightings of this row (transferId and pointer are the last one\'s).' },
              lastSeenAt: { type: 'string' },
              resolvedAt: { type: ['string', 'null'], description: 'When a later transfer stored the row corrected.' },
              resolvedBy: { type: ['string', 'null'], description: 'That transfer.' },
            },
          }),
          401: errorSchema,
        },
      },
    },
    async (req) => {
      const q = req.query;
      const f = { connectorId: q.connector, transferId: q.transfer, file: q.file, code: q.code, status: q.status };
      const [items, total] = await Promise.all([hub.store.listQuarantine({ ...f, limit: q.limit, offset: q.offset }), hub.store.countQuarantine(f)]);
      auditSubjects(req, items.map((i) => ({ type: 'quarantine', id: i.id })));
      return { total, limit: q.limit, offset: q.offset, items };
    },
  );

  const deadLetterSchema = {
    type: 'object',
    properties: {
      id: { type: 'string' },
      kind: { type: 'string', enum: ['delivery', 'unit'], description: 'delivery: failed every attempt to reach its destination; unit: a source unit (file, body) that failed every attempt, set aside.' },
      queue: { type: 'string' },
      jobId: { type: 'string' },
      destinationId: { type: ['string', 'null'] },
      connectorId: { type: ['string', 'null'] },
      payload: {},
      attempts: { type: 'array', items: { type: 'object', properties: { at: { type: 'string' }, error: { type: 'string' }, status: { type: ['integer', 'string'] } } } },
      lastError: { type: ['string', 'null'] },
      createdAt: { type: 'string' },
      replayedAt: { type: ['string', 'null'] },
      replayJobId: { type: ['string', 'null'] },
    },
  } as const;

  const replayFilter = {
    kind: { type: 'string', enum: ['delivery', 'unit'] },
    destination: { type: 'string', description: 'Deliveries to this destination.' },
    connector: { type: 'string', description: 'Units of this source connector.' },
    since: { ...isoTime, description: 'Dead at or after this time (ISO 8601).' },
    until: { ...isoTime, description: 'Dead before this time (ISO 8601).' },
  } as const;
  interface FilterIn {
    kind?: 'delivery' | 'unit';
    destination?: string;
    connector?: string;
    since?: string;
    until?: string;
  }
  const filterOf = (q: FilterIn) => ({ kind: q.kind, destinationId: q.destination, connectorId: q.connector, since: q.since, until: q.until });

  app.get<{ Querystring: PageQuery & FilterIn & { pending?: boolean } }>(
    '/dead-letters',
    {
      ...reader,
      schema: {
        summary: 'Deliveries, and source units, that failed every attempt, newest first, with their attempt history; paged.',
        tags: ['dead letters'],
        security,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { ...replayFilter, pending: { type: 'boolean', description: 'true: not replayed yet' }, ...pageQuery },
        },
        response: { 200: pageOf(deadLetterSchema), 401: errorSchema },
      },
    },
    async (req) => {
      const q = req.query;
      const f = { ...filterOf(q), pending: q.pending };
      const [items, total] = await Promise.all([hub.store.listDeadLetters({ ...f, limit: q.limit, offset: q.offset }), hub.store.countDeadLetters(f)]);
      auditSubjects(req, items.map((d) => ({ type: 'dead-letter', id: d.id })));
      return { total, limit: q.limit, offset: q.offset, items };
    },
  );

  app.post<{ Body: FilterIn & { all?: boolean; dryRun?: boolean } }>(
    '/dead-letters/replay',
    {
      ...admin,
      schema: {
        summary: 'Replay every pending dead letter matching the filter (destination, connector, time range), or all: each once. dryRun: true only counts them.',
        tags: ['dead letters'],
        security,
        body: {
          type: 'object',
          additionalProperties: false,
          properties: { ...replayFilter, all: { type: 'boolean', description: 'Required (true) when no filter is given, so an empty body never replays everything.' }, dryRun: { type: 'boolean', default: false } },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              matched: { type: 'integer' },
              replayed: { type: 'integer' },
              skipped: { type: 'integer', description: 'Replayed by someone else meanwhile.' },
              failed: { type: 'array', items: { type: 'object', properties: { id: { type: 'string' }, code: { type: 'string' }, message: { type: 'string' } } } },
              dryRun: { type: 'boolean' },
              ids: { type: 'array', items: { type: 'string' }, description: 'The dead letters replayed, oldest first.' },
            },
          },
          400: errorSchema,
          401: errorSchema,
          403: errorSchema,
        },
      },
    },
    async (req) => {
      const b = req.body ?? {};
      const filter = filterOf(b);
      if (!Object.values(filter).some((v) => v !== undefined) && b.all !== true) {
        throw new HubError('HUB_ERR_REQUEST_INVALID', { reason: 'give a filter (kind, destination, connector, since, until) or "all": true' });
      }
      const r = await hub.replayDeadLetters(filter, { dryRun: b.dryRun === true });
      auditSubjects(req, r.ids.map((id) => ({ type: 'dead-letter', id })));
      auditDetail(req, { ...filter, dryRun: r.dryRun, matched: r.matched, replayed: r.replayed });
      return r;
    },
  );

  app.post<{ Params: { id: string } }>(
    '/dead-letters/:id/replay',
    {
      ...admin,
      schema: {
        summary: 'Replay a dead letter (once): a delivery is queued again; a unit is taken back from rejected/ and read by a new transfer. 202 with the new job id (and the transfer id of a unit).',
        tags: ['dead letters'],
        security,
        params: namedBy('id'),
        response: { 202: { type: 'object', properties: { jobId: { type: 'string' }, transferId: { type: 'string' } } }, 401: errorSchema, 403: errorSchema, 404: errorSchema, 409: errorSchema },
      },
    },
    async (req, reply) => {
      auditSubjects(req, [{ type: 'dead-letter', id: req.params.id }]);
      const r = await hub.replayDeadLetter(req.params.id);
      auditDetail(req, { jobId: r.jobId, ...(r.transferId ? { transferId: r.transferId } : {}) });
      return reply.code(202).send(r);
    },
  );
};
