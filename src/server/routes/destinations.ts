/**
 * `GET /api/destinations`: every destination with its reachability check, its ledger (last success,
 * deliveries waiting and the oldest of them, failing ones, dead letters) and its queue in Redis.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { HubApi } from '../hub-api.ts';
import { access } from '../auth.ts';
import { auditSubjects } from '../audit-plugin.ts';
import { security, errorSchema } from '../schemas.ts';
import { HealthChecks, HEALTH_TTL_MS } from '../health-checks.ts';
import { destinationLedger } from '../../store/activity.ts';

/** How long the queue counts may take before the list answers without them (Redis away). */
const QUEUE_TIMEOUT_MS = 1000;

const healthSchema = {
  type: 'object',
  description: `The destination's own check (folder writable, server reachable, login accepted), at most ${HEALTH_TTL_MS / 1000} s old.`,
  properties: { ok: { type: 'boolean' }, detail: { type: 'string' }, checkedAt: { type: 'string', format: 'date-time' } },
} as const;

export const destinationRoutes: FastifyPluginAsync<{ hub: HubApi }> = async (app, { hub }) => {
  const checks = new HealthChecks((id) => hub.checkDestination(id));

  app.get(
    '/destinations',
    {
      ...access('admin', 'analyst'),
      schema: {
        summary: 'Every destination: reachability, last success, deliveries waiting (and since when), failing, dead letters, and its queue.',
        tags: ['destinations'],
        security,
        response: {
          200: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                id: { type: 'string' },
                kind: { type: 'string' },
                agency: { type: 'string', description: 'ORI of the agency it delivers to.' },
                agencyName: { type: 'string' },
                content: { type: 'array', items: { type: 'string' } },
                leadFormat: { type: 'string' },
                enabled: { type: 'boolean' },
                health: healthSchema,
                lastDeliveredAt: { type: ['string', 'null'], description: 'The newest delivery it acknowledged.' },
                pending: { type: 'integer', description: 'Deliveries written and not delivered yet (waiting, or failed and to be retried).' },
                oldestPendingAt: { type: ['string', 'null'], description: 'When the oldest of them was written.' },
                failing: { type: 'integer', description: 'Deliveries whose last attempt failed and that will be retried.' },
                deadLetters: { type: 'integer', description: 'Dead letters not replayed yet.' },
                lastError: { type: ['string', 'null'] },
                queue: {
                  type: ['object', 'null'],
                  description: 'Jobs in its delivery queue by state; null when Redis did not answer in time.',
                  properties: { name: { type: 'string' }, waiting: { type: 'integer' }, active: { type: 'integer' }, delayed: { type: 'integer' }, failed: { type: 'integer' } },
                },
              },
            },
          },
          401: errorSchema,
          403: errorSchema,
        },
      },
    },
    async (req) => {
      const dests = hub.cfg.agencies.flatMap((a) => a.destinations.map((d) => ({ d, agency: a })));
      auditSubjects(req, dests.map(({ d }) => ({ type: 'destination', id: d.id })));
      const ledger = new Map((await destinationLedger(hub.store.db, dests.map(({ d }) => d.id))).map((l) => [l.destinationId, l]));
      return Promise.all(
        dests.map(async ({ d, agency }) => {
          const [health, queue] = await Promise.all([checks.of(d.id), queueCounts(hub, d.id)]);
          const l = ledger.get(d.id);
          return {
            id: d.id,
            kind: d.kind,
            agency: agency.ori,
            agencyName: agency.name,
            content: d.content,
            leadFormat: d.leadFormat,
            enabled: d.enabled,
            health,
            lastDeliveredAt: l?.lastDeliveredAt ?? null,
            pending: l?.pending ?? 0,
            oldestPendingAt: l?.oldestPendingAt ?? null,
            failing: l?.failing ?? 0,
            deadLetters: l?.deadLetters ?? 0,
            lastError: l?.lastError ?? null,
            queue,
          };
        }),
      );
    },
  );
};

async function queueCounts(hub: HubApi, destinationId: string): Promise<Record<string, unknown> | null> {
  const q = hub.deliveryQueue(destinationId);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), QUEUE_TIMEOUT_MS)));
  try {
    const counts = await Promise.race([q.getJobCounts('waiting', 'active', 'delayed', 'failed'), timeout]);
    return counts ? { name: q.name, ...counts } : null;
  } catch {
    return null;
  } finally {
    clearTimeout(timer);
  }
}
