/** Health, readiness and metrics: unauthenticated, as probes and scrapers expect. */
import type { FastifyPluginAsync } from 'fastify';
import type { HubApi } from '../hub-api.ts';
import { feedStates } from '../feeds.ts';

export const opsRoutes: FastifyPluginAsync<{ hub: HubApi }> = async (app, { hub }) => {
  // Probes and scrapes carry no case data and come every few seconds: not in the audit trail.
  const unaudited = { config: { audit: false } };

  app.get('/healthz', { ...unaudited, schema: { summary: 'The process is alive.', tags: ['operations'], response: { 200: { type: 'object', properties: { ok: { type: 'boolean' } } } } } }, async () => ({ ok: true }));

  app.get(
    '/readyz',
    {
      ...unaudited,
      schema: {
        summary: 'Redis and the store are reachable.',
        tags: ['operations'],
        response: {
          200: { type: 'object', properties: { ok: { type: 'boolean' }, redis: { type: 'string' }, store: { type: 'string' } } },
          503: { type: 'object', properties: { ok: { type: 'boolean' }, redis: { type: 'string' }, store: { type: 'string' } } },
        },
      },
    },
    async (_req, reply) => {
      let redis = 'ok';
      try {
        await hub.pingRedis();
      } catch (err) {
        redis = (err as Error).message;
      }
      const h = await hub.store.health();
      const store = h.ok ? `ok (${h.kind}, ${h.latencyMs} ms)` : (h.error ?? 'unreachable');
      const ok = redis === 'ok' && h.ok;
      return reply.code(ok ? 200 : 503).send({ ok, redis, store });
    },
  );

  app.get('/metrics', { ...unaudited, schema: { summary: 'Prometheus metrics.', tags: ['operations'], produces: ['text/plain'] } }, async (_req, reply) => {
    // Queue depths need Redis; a scrape must not hang while Redis is away (the other metrics still answer).
    await Promise.race([Promise.all([sampleQueues(hub).catch(() => {}), sampleFeeds(hub).catch(() => {})]), new Promise((r) => setTimeout(r, 1000))]);
    return reply.type(hub.metrics.registry.contentType).send(await hub.metrics.registry.metrics());
  });
};

async function sampleQueues(hub: HubApi): Promise<void> {
  const queues = [hub.polls, hub.transfers, ...hub.cfg.agencies.flatMap((a) => a.destinations.map((d) => hub.deliveryQueue(d.id)))];
  for (const q of queues) {
    const counts = await q.getJobCounts('waiting', 'active', 'delayed', 'failed');
    for (const [state, n] of Object.entries(counts)) hub.metrics.queueDepth.set({ queue: q.name, state }, n);
  }
}

async function sampleFeeds(hub: HubApi): Promise<void> {
  for (const f of await feedStates(hub.cfg, hub.store.db)) {
    hub.metrics.connectorQuiet.set({ connector: f.connectorId }, f.quietSince ? 1 : 0);
    if (f.lastDataAt) hub.metrics.connectorLastData.set({ connector: f.connectorId }, Date.parse(f.lastDataAt) / 1000);
  }
}
