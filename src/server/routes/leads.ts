/**
 * NIBIN leads for agencies and analysts, scoped by the caller's key.
 * - An agency key sees only the leads it is part of, and only as its own package shows them (the same
 *   sharing rules as the deliveries); any other lead is 404, as if it did not exist.
 * - Analyst and admin keys see every lead in full, its versions, the dissemination ledger (who got which
 *   version, which fields, when, with which delivery) and the turnaround from lead stored to delivered.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { HubApi } from '../hub-api.ts';
import { access } from '../auth.ts';
import { auditSubjects } from '../audit-plugin.ts';
import { security, errorSchema, pageOf, pageQuery, type PageQuery, namedBy } from '../schemas.ts';
import { HubError } from '../../errors/hub-error.ts';
import { countLeadPackages, countLeads, getPending, listLeadPackages, listLeadVersions } from '../../store/lead-ledger.ts';

const anyObject = { type: 'object', additionalProperties: true } as const;

export const leadRoutes: FastifyPluginAsync<{ hub: HubApi }> = async (app, { hub }) => {
  const anyRole = access('admin', 'analyst', 'agency');

  app.get<{ Querystring: PageQuery }>(
    '/leads',
    {
      ...anyRole,
      schema: {
        summary: 'Leads the caller may see, ordered by lead id: an agency its own (the latest package of each, as it shows them), analysts all (latest versions); paged.',
        tags: ['leads'],
        security,
        querystring: { type: 'object', additionalProperties: false, properties: { ...pageQuery } },
        response: {
          200: pageOf({
            type: 'object',
            properties: {
              leadId: { type: 'string' },
              version: { type: 'integer' },
              status: { type: 'string' },
              complete: { type: 'boolean' },
              reason: { type: 'string' },
              updatedAt: { type: 'string' },
              package: anyObject,
            },
          }),
          401: errorSchema,
        },
      },
    },
    async (req) => {
      const caller = req.caller!;
      const { limit, offset } = req.query;
      if (caller.role === 'agency') {
        const f = { recipientOri: caller.ori, latestOnly: true };
        const [rows, total] = await Promise.all([listLeadPackages(hub.store.db, { ...f, limit, offset }), countLeadPackages(hub.store.db, f)]);
        auditSubjects(req, rows.map((p) => ({ type: 'lead', id: p.leadId, version: p.version })));
        return { total, limit, offset, items: rows.map((p) => ({ leadId: p.leadId, version: p.version, status: String(p.package.status), reason: p.reason, updatedAt: p.createdAt, package: p.package })) };
      }
      const [versions, total] = await Promise.all([listLeadVersions(hub.store.db, undefined, limit, offset), countLeads(hub.store.db)]);
      auditSubjects(req, versions.map((v) => ({ type: 'lead', id: v.leadId, version: v.version })));
      return { total, limit, offset, items: versions.map((v) => ({ leadId: v.leadId, version: v.version, status: String(v.enriched.status), complete: v.complete, reason: v.reason, updatedAt: v.createdAt })) };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/leads/:id',
    {
      ...anyRole,
      schema: {
        summary: 'One lead: for an agency its latest package (404 if it is not part of the lead); for analysts the full lead, versions, ledger and turnaround.',
        tags: ['leads'],
        security,
        params: namedBy('id'),
        response: { 200: anyObject, 401: errorSchema, 404: errorSchema },
      },
    },
    async (req) => {
      const caller = req.caller!;
      const id = req.params.id;
      if (caller.role === 'agency') {
        const [latest] = await listLeadPackages(hub.store.db, { leadId: id, recipientOri: caller.ori, latestOnly: true });
        // Recorded either way (a refused read names the lead asked for), with no version when refused.
        auditSubjects(req, [{ type: 'lead', id, ...(latest ? { version: latest.version } : {}) }]);
        if (!latest) throw new HubError('HUB_ERR_NOT_FOUND', { what: 'lead', id });
        return latest.package;
      }
      const versions = await listLeadVersions(hub.store.db, id);
      const pending = await getPending(hub.store.db, id);
      if (!versions.length && !pending) {
        auditSubjects(req, [{ type: 'lead', id }]);
        throw new HubError('HUB_ERR_NOT_FOUND', { what: 'lead', id });
      }
      const packages = await listLeadPackages(hub.store.db, { leadId: id });
      const deliveries = await hub.store.db.query<Record<string, unknown>>(
        `SELECT delivery_id, destination_id, package_ref, status, attempts, delivered_at, response_status, last_error FROM deliveries WHERE package_ref LIKE $1 ORDER BY created_at`,
        [`lead:${id}@%`],
      );
      const isoOf = (v: unknown): string => (v instanceof Date ? v.toISOString() : new Date(String(v)).toISOString());
      const storedAt = new Map(versions.map((v) => [v.version, v.leadStoredAt]));
      const ledger = packages.map((p) => {
        const ds = deliveries.filter((d) => d.package_ref === `lead:${id}@${p.version}:${p.recipientOri}`);
        const deliveredAt = ds.map((d) => d.delivered_at).filter(Boolean).map(isoOf).sort()[0];
        const stored = storedAt.get(p.version);
        return {
          version: p.version,
          recipientOri: p.recipientOri,
          reason: p.reason,
          fieldsDisclosed: p.fieldsDisclosed,
          createdAt: p.createdAt,
          deliveredAt: deliveredAt ?? null,
          turnaroundSeconds: deliveredAt && stored ? (Date.parse(deliveredAt) - Date.parse(stored)) / 1000 : null,
          deliveries: ds.map((d) => ({
            deliveryId: String(d.delivery_id),
            destinationId: String(d.destination_id),
            status: String(d.status),
            attempts: Number(d.attempts),
            deliveredAt: d.delivered_at ? isoOf(d.delivered_at) : null,
            responseStatus: d.response_status === null ? null : Number(d.response_status),
            lastError: d.last_error ?? null,
          })),
        };
      });
      const latest = versions[versions.length - 1];
      auditSubjects(req, [{ type: 'lead', id, ...(latest ? { version: latest.version } : {}) }]);
      return {
        leadId: id,
        version: latest?.version ?? null,
        lead: latest?.enriched ?? null,
        pending: pending ?? null,
        versions: versions.map((v) => ({ version: v.version, reason: v.reason, complete: v.complete, leadStoredAt: v.leadStoredAt, createdAt: v.createdAt })),
        dissemination: ledger,
      };
    },
  );
};
