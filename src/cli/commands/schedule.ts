/**
 * `cgic pause <connector>` and `cgic resume <connector>`: stop a connector's schedule from polling,
 * and start it again, through the running hub's API (POST /api/connectors/:id/pause|resume): the
 * pause is the hub's state, shared by its processes, and on its audit trail.
 */
import type { SchedulePause } from '../../server/hub-api.ts';
import { EXIT } from '../exit-codes.ts';
import { out } from '../output.ts';
import { HubClient, type ClientOptions } from '../hub-client.ts';
import { hubConnectors, onConnector } from '../connector-ids.ts';

export async function scheduleCommand(action: 'pause' | 'resume', connectorId: string, opts: ClientOptions & { reason?: string; json?: boolean }): Promise<number> {
  const c = HubClient.require(opts);
  const r = await onConnector(connectorId, hubConnectors(c), () =>
    c.request<{ id: string; paused: SchedulePause | null; resumed?: SchedulePause }>('POST', `/api/connectors/${encodeURIComponent(connectorId)}/${action}`, opts.reason ? { reason: opts.reason } : {}),
  );
  if (opts.json) out(JSON.stringify(r));
  else if (r.paused) out(`${connectorId}: schedule paused (since ${r.paused.at}, by ${r.paused.by}); runs by hand still run; cgic resume ${connectorId} ends it`);
  else out(`${connectorId}: schedule resumed${r.resumed ? ` (it was paused since ${r.resumed.at}, by ${r.resumed.by})` : ''}`);
  return EXIT.OK;
}
