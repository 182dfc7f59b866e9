/**
 * GET /api/audit: the audit trail for the auditor role (reading it is itself recorded). An auditor
 * with an ori (its key's, or the agency claim of a person signed in) is an agency's own auditor: it
 * reads the entries whose `ori` is its agency's (its people's requests, what was disseminated to it),
 * in the store's query, so the page and its total hold nothing else.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { HubApi } from '../hub-api.ts';
import { access } from '../auth.ts';
import { auditDetail } from '../audit-plugin.ts';
import { security, errorSchema, pageOf, pageQuery, isoTime, type PageQuery } from '../schemas.ts';
import { AUDIT_CATEGORIES, AUDIT_OUTCOMES, type AuditCategory, type AuditOutcome } from '../../store/index.ts';

const nullableString = { type: ['string', 'null'] } as const;

export const auditEntrySchema = {
  type: 'object',
  properties: {
    position: { type: 'integer', description: 'Place in the chain, from 1, without gaps.' },
    at: { type: 'string', format: 'date-time' },
    category: { type: 'string', enum: [...AUDIT_CATEGORIES] },
    action: { type: 'string', description: 'Method and route (`GET /api/leads/:id`), or what the hub did (`lead package`, `delivered`).' },
    actor: { type: 'string', description: 'Key id, `webhook:<connector>`, `cli:<user>`, `hub`, or `anonymous`.' },
    client: nullableString,
    role: nullableString,
    ori: nullableString,
    subjects: {
      type: 'array',
      description: 'What was returned or acted on.',
      items: { type: 'object', properties: { type: { type: 'string' }, id: { type: 'string' }, version: { type: 'integer' } }, required: ['type', 'id'] },
    },
    outcome: { type: 'string', enum: [...AUDIT_OUTCOMES] },
    status: { type: ['integer', 'null'] },
    code: nullableString,
    reason: nullableString,
    source: { ...nullableString, description: "The caller's address." },
    requestId: nullableString,
    detail: { type: ['object', 'null'], additionalProperties: true },
    prevHash: { type: 'string' },
    hash: { type: 'string' },
  },
} as const;

interface AuditQuery extends PageQuery {
  since?: string;
  until?: string;
  category?: AuditCategory;
  actor?: string;
  client?: string;
  ori?: string;
  outcome?: AuditOutcome;
  subject?: string;
  subjectType?: string;
  action?: string;
  source?: string;
  requestId?: string;
  afterPosition?: number;
  order: 'asc' | 'desc';
}

export const auditRoutes: FastifyPluginAsync<{ hub: HubApi }> = async (app, { hub }) => {
  app.get<{ Querystring: AuditQuery }>(
    '/audit',
    {
      ...access('auditor'),
      schema: {
        summary: 'The audit trail: who read or did what, when, from where, with what outcome; filtered and paged (newest first unless order=asc).',
        tags: ['audit'],
        security,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            since: { ...isoTime, description: 'At or after this time.' },
            until: { ...isoTime, description: 'Before this time.' },
            category: { type: 'string', enum: [...AUDIT_CATEGORIES] },
            actor: { type: 'string', description: 'Key id (or `anonymous`, `hub`, `cli:<user>`, `webhook:<connector>`).' },
            client: { type: 'string' },
            ori: { type: 'string' },
            outcome: { type: 'string', enum: [...AUDIT_OUTCOMES] },
            subject: { type: 'string', description: 'Entries about this id (a lead id, a dead letter id...).' },
            subjectType: { type: 'string', description: 'With subject: its type (lead, record, transfer, dead-letter, quarantine, connector, delivery).' },
            action: { type: 'string', description: 'Exactly, e.g. `GET /api/leads/:id`.' },
            source: { type: 'string', description: "The caller's address." },
            requestId: { type: 'string' },
            afterPosition: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER, 'x-finite': true, description: 'Only entries after this position (to read on from where an export stopped).' },
            order: { type: 'string', enum: ['asc', 'desc'], default: 'desc' },
            ...pageQuery,
          },
        },
        response: { 200: pageOf(auditEntrySchema), 401: errorSchema, 403: errorSchema },
      },
    },
    async (req) => {
      const q = req.query;
      const f = {
        ...(req.caller?.ori ? { agencyScope: req.caller.ori } : {}),
        since: q.since,
        until: q.until,
        category: q.category,
        actor: q.actor,
        client: q.client,
        ori: q.ori,
        outcome: q.outcome,
        action: q.action,
        source: q.source,
        requestId: q.requestId,
        afterPosition: q.afterPosition,
        ...(q.subject ? { subject: { id: q.subject, ...(q.subjectType ? { type: q.subjectType } : {}) } } : {}),
      };
      const [items, total] = await Promise.all([hub.store.listAudit({ ...f, order: q.order, limit: q.limit, offset: q.offset }), hub.store.countAudit(f)]);
      if (items.length) auditDetail(req, { returnedPositions: [Math.min(...items.map((e) => e.position)), Math.max(...items.map((e) => e.position))], returned: items.length });
      return { total, limit: q.limit, offset: q.offset, items };
    },
  );
};
