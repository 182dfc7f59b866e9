/**
 * `GET /api/overview`: what the overview screen shows beside `GET /api/connectors` and
 * `GET /api/destinations`: each connector's data in the last 24 h, when it last brought data and
 * whether it has gone quiet past its cadence (`connectors[].expectEvery`), and per hour of the window
 * the records read and stored and the lead turnaround. Answers are shared for OVERVIEW_TTL_MS, so
 * any number of open consoles cost the store one set of queries per window.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { HubApi } from '../hub-api.ts';
import { access } from '../auth.ts';
import { security, errorSchema } from '../schemas.ts';
import { feedStates, type FeedState } from '../feeds.ts';
import { hourlyThroughput, leadDeliveries, type HourActivity } from '../../store/activity.ts';

export const OVERVIEW_TTL_MS = 5_000;
const HOUR_MS = 3_600_000;

export interface TurnaroundHour {
  hour: string;
  /** Lead packages delivered in the hour. */
  delivered: number;
  medianSeconds: number | null;
  maxSeconds: number | null;
}

interface Overview {
  generatedAt: string;
  hours: number;
  connectors: FeedState[];
  throughput: HourActivity[];
  leadTurnaround: TurnaroundHour[];
}

const hourSchema = {
  type: 'object',
  properties: { hour: { type: 'string', description: 'Start of the hour (UTC).' }, transfers: { type: 'integer' }, rowsRead: { type: 'integer' }, recordsStored: { type: 'integer' }, rowsInvalid: { type: 'integer' } },
} as const;

export const overviewRoutes: FastifyPluginAsync<{ hub: HubApi }> = async (app, { hub }) => {
  const cache = new Map<number, { at: number; value: Promise<Overview> }>();

  const compute = async (hours: number): Promise<Overview> => {
    const now = Date.now();
    const first = Math.floor(now / HOUR_MS) * HOUR_MS - (hours - 1) * HOUR_MS;
    const since = new Date(first);
    const [connectors, hourly, leads] = await Promise.all([feedStates(hub.cfg, hub.store.db, now), hourlyThroughput(hub.store.db, since), leadDeliveries(hub.store.db, since)]);
    const byHour = new Map(hourly.map((h) => [Date.parse(h.hour), h]));
    const throughput: HourActivity[] = [];
    const leadTurnaround: TurnaroundHour[] = [];
    for (let t = first; t <= now; t += HOUR_MS) {
      const hour = new Date(t).toISOString();
      throughput.push(byHour.get(t) ?? { hour, transfers: 0, rowsRead: 0, recordsStored: 0, rowsInvalid: 0 });
      const secs = leads.filter((l) => Date.parse(l.deliveredAt) >= t && Date.parse(l.deliveredAt) < t + HOUR_MS).map((l) => l.turnaroundSeconds).sort((a, b) => a - b);
      leadTurnaround.push({ hour, delivered: secs.length, medianSeconds: secs.length ? secs[Math.floor((secs.length - 1) / 2)]! : null, maxSeconds: secs.length ? secs[secs.length - 1]! : null });
    }
    return { generatedAt: new Date(now).toISOString(), hours, connectors, throughput, leadTurnaround };
  };

  app.get<{ Querystring: { hours: number } }>(
    '/overview',
    {
      ...access('admin', 'analyst'),
      schema: {
        summary: `Each connector's data in the last 24 h and whether it has gone quiet past its cadence; records and lead turnaround per hour (shared by all callers for ${OVERVIEW_TTL_MS / 1000} s).`,
        tags: ['console'],
        security,
        querystring: { type: 'object', additionalProperties: false, properties: { hours: { type: 'integer', minimum: 1, maximum: 168, default: 12, description: 'Hours of the charts, ending with the current hour.' } } },
        response: {
          200: {
            type: 'object',
            properties: {
              generatedAt: { type: 'string' },
              hours: { type: 'integer' },
              connectors: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    connectorId: { type: 'string' },
                    rowsReadLast24h: { type: 'integer' },
                    recordsLast24h: { type: 'integer', description: 'Canonical records stored by its transfers of the last 24 h.' },
                    transfersLast24h: { type: 'integer' },
                    lastDataAt: { type: ['string', 'null'], description: 'The newest transfer that read anything.' },
                    expectEverySeconds: { type: ['integer', 'null'], description: 'connectors[].expectEvery in seconds (or from the schedule); null: no expectation.' },
                    quietSince: { type: ['string', 'null'], description: 'Set when the feed has brought no data for longer than expectEvery: since when (its last data, or the hub start).' },
                  },
                },
              },
              throughput: { type: 'array', items: hourSchema },
              leadTurnaround: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: { hour: { type: 'string' }, delivered: { type: 'integer' }, medianSeconds: { type: ['number', 'null'] }, maxSeconds: { type: ['number', 'null'] } },
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
      const hours = req.query.hours;
      const hit = cache.get(hours);
      if (hit && Date.now() - hit.at < OVERVIEW_TTL_MS) return hit.value;
      const value = compute(hours);
      cache.set(hours, { at: Date.now(), value });
      value.catch(() => cache.delete(hours));
      return value;
    },
  );
};
