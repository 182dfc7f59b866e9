/**
 * Each connector's recent data and whether it has gone quiet past its cadence (`expectEvery`,
 * config/cadence.ts): read by the overview (`GET /api/overview`) and by /metrics
 * (`cgic_connector_quiet`, `cgic_connector_last_data_timestamp_seconds`), so the two always agree.
 *
 * A connector that has never brought data counts from the time this process started: a hub started
 * today does not call a nightly feed quiet before a night has passed.
 */
import type { HubConfig } from '../config/hub-config.ts';
import type { Db } from '../store/index.ts';
import { feedActivity } from '../store/activity.ts';

export interface FeedState {
  connectorId: string;
  rowsReadLast24h: number;
  recordsLast24h: number;
  transfersLast24h: number;
  lastDataAt: string | null;
  expectEverySeconds: number | null;
  /** Quiet past its cadence: when the quiet began counting (the last data, or this process's start). */
  quietSince: string | null;
}

const DAY_MS = 86_400_000;
const processStartedAt = Date.now() - process.uptime() * 1000;

export async function feedStates(cfg: HubConfig, db: Db, now = Date.now()): Promise<FeedState[]> {
  const activity = await feedActivity(db, cfg.connectors.map((c) => c.id), new Date(now - DAY_MS));
  const byId = new Map(activity.map((a) => [a.connectorId, a]));
  return cfg.connectors.map((c) => {
    const a = byId.get(c.id);
    const lastDataAt = a?.lastDataAt ?? null;
    const from = lastDataAt ? Date.parse(lastDataAt) : processStartedAt;
    const quiet = c.enabled && c.expectEverySeconds !== null && now - from > c.expectEverySeconds * 1000;
    return {
      connectorId: c.id,
      rowsReadLast24h: a?.rowsRead ?? 0,
      recordsLast24h: a?.recordsStored ?? 0,
      transfersLast24h: a?.transfers ?? 0,
      lastDataAt,
      expectEverySeconds: c.expectEverySeconds,
      quietSince: quiet ? new Date(from).toISOString() : null,
    };
  });
}
