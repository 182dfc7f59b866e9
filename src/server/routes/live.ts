/**
 * `GET /api/events`: server-sent events for screens that stay open. Each event names the topics that
 * changed (`transfers`, `quarantine`, `deadLetters`, `leads`), never their content: the
 * screen re-reads what it shows through the ordinary routes, scoped to its caller. An agency key hears
 * only `leads`. A comment line every HEARTBEAT_MS keeps proxies from closing an idle stream.
 *
 * The request is audited when the stream opens (one entry per open console, not per event).
 */
import { PassThrough } from 'node:stream';
import type { FastifyPluginAsync } from 'fastify';
import type { HubApi } from '../hub-api.ts';
import { access } from '../auth.ts';
import { security, errorSchema } from '../schemas.ts';
import { LiveFeed, LIVE_POLL_MS } from '../live-feed.ts';
import { LIVE_TOPICS, type LiveTopic } from '../../store/activity.ts';

export const HEARTBEAT_MS = 15_000;

export const liveRoutes: FastifyPluginAsync<{ hub: HubApi }> = async (app, { hub }) => {
  const feed = new LiveFeed(hub.store.db, hub.log);
  const streams = new Set<PassThrough>();
  // Open streams would keep the server from closing: end them first.
  app.addHook('preClose', async () => {
    feed.close();
    for (const s of streams) s.end();
  });

  app.get(
    '/events',
    {
      ...access('admin', 'analyst', 'agency'),
      schema: {
        summary: `Server-sent events: "change" events naming the topics that changed (${LIVE_TOPICS.join(', ')}; an agency key: leads only), checked every ${LIVE_POLL_MS / 1000} s. Re-read the routes you show when one arrives.`,
        tags: ['console'],
        security,
        produces: ['text/event-stream'],
        response: { 200: { type: 'string', description: 'text/event-stream: `event: change` with `data: {"topics":[...],"at":"<ISO time>"}`; `: keep-alive` comments.' }, 401: errorSchema },
      },
    },
    async (req, reply) => {
      // An agency follows its own leads only: told of a change when a package for its ORI is made.
      const agency = req.caller!.role === 'agency';
      const ownOri = req.caller!.ori ?? '';
      const allowed: readonly LiveTopic[] = agency ? ['leads'] : LIVE_TOPICS;
      const stream = new PassThrough();
      streams.add(stream);
      stream.write(`retry: 3000\nevent: ready\ndata: ${JSON.stringify({ topics: allowed })}\n\n`);
      const unsubscribe = feed.subscribe((moved, leadsOf) => {
        const topics = moved.filter((t) => allowed.includes(t) && (t !== 'leads' || !agency || leadsOf.has(ownOri)));
        if (topics.length) stream.write(`event: change\ndata: ${JSON.stringify({ topics, at: new Date().toISOString() })}\n\n`);
      });
      const heartbeat = setInterval(() => stream.write(': keep-alive\n\n'), HEARTBEAT_MS);
      heartbeat.unref();
      const done = (): void => {
        clearInterval(heartbeat);
        unsubscribe();
        streams.delete(stream);
        stream.end();
      };
      reply.raw.on('close', done);
      stream.on('close', done);
      return reply
        .header('content-type', 'text/event-stream; charset=utf-8')
        .header('cache-control', 'no-store')
        .header('x-accel-buffering', 'no')
        .send(stream);
    },
  );
};
