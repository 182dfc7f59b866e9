/**
 * A connector named on the command line (`cgic run <id>`, `pause`, `resume`, `--connector <id>` of
 * `transfers`, `dead-letters` and `map`) that the configuration does not have: a usage error (exit 2)
 * naming it and the connectors there are, the same for every command, whether the command reads the
 * configuration itself or asks the running hub's API.
 *
 * As a filter, an unknown id is refused only when nothing matches it: a typo would otherwise read as
 * "0 transfers match", while the transfers and dead letters of a connector since removed from the
 * configuration stay listed by its id.
 */
import path from 'node:path';
import type { HubConfig } from '../config/hub-config.ts';
import { HubError } from '../errors/hub-error.ts';
import type { HubClient } from './hub-client.ts';

/** The message names at most this many connectors. */
const LISTED = 20;

/** The connectors of a configuration: read by this process, or by the running hub. */
export interface Connectors {
  /** Where they are configured, for the message: the configuration file, or the hub at its URL. */
  readonly where: string;
  has(id: string): Promise<boolean>;
  ids(): Promise<readonly string[]>;
}

/** The connectors of a configuration this process read. */
export function configConnectors(cfg: Pick<HubConfig, 'file' | 'connectors'>): Connectors {
  const ids = cfg.connectors.map((c) => c.id);
  return {
    where: path.relative(process.cwd(), cfg.file) || cfg.file,
    has: async (id) => ids.includes(id),
    ids: async () => ids,
  };
}

/**
 * The connectors of the running hub, through its API: GET /api/connectors/:id/config answers 404 for a
 * connector it does not have; GET /api/connectors lists them (asked only then, for the message: it
 * checks every connector's health).
 */
export function hubConnectors(c: HubClient): Connectors {
  return {
    where: `the hub at ${c.url}`,
    async has(id) {
      try {
        await c.request('GET', `/api/connectors/${encodeURIComponent(id)}/config`);
        return true;
      } catch (e) {
        if (e instanceof HubError && e.code === 'HUB_ERR_NOT_FOUND') return false;
        throw e;
      }
    },
    ids: async () => (await c.request<{ id: string }[]>('GET', '/api/connectors')).map((x) => x.id),
  };
}

/** The usage error for connector `id`, which `connectors` does not have; `also` is said after the list. */
export async function unknownConnector(id: string, connectors: Connectors, also = ''): Promise<HubError> {
  const ids = await connectors.ids();
  const listed = ids.length === 0 ? 'it has none' : `connectors: ${ids.slice(0, LISTED).join(', ')}${ids.length > LISTED ? `, and ${ids.length - LISTED} more` : ''}`;
  return new HubError('HUB_ERR_CLI_USAGE', { reason: `no connector "${id}" in ${connectors.where} (${listed})${also}` });
}

/**
 * `--connector <id>` as a filter that matched `matched` items (`what`: "transfers"): refused when it
 * matched none and names no connector of the configuration.
 */
export async function checkConnectorFilter(id: string | undefined, matched: number, connectors: Connectors, what: string): Promise<void> {
  if (id === undefined || matched > 0 || (await connectors.has(id))) return;
  throw await unknownConnector(id, connectors, `, and no ${what} of it match`);
}

/**
 * Act on connector `id` (run it, pause or resume its schedule): the "No connector" (HUB_ERR_NOT_FOUND)
 * of the hub or its API becomes the usage error naming the connectors there are.
 */
export async function onConnector<T>(id: string, connectors: Connectors, act: () => Promise<T>): Promise<T> {
  try {
    return await act();
  } catch (e) {
    if (e instanceof HubError && e.code === 'HUB_ERR_NOT_FOUND' && !(await connectors.has(id))) throw await unknownConnector(id, connectors);
    throw e;
  }
}
