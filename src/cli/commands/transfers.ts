/**
 * `cgic transfers`: the transfers the console lists (newest first, filtered by connector, status and
 * time; paged), with the same fields. From the store in this process, or, while the hub holds the
 * embedded store (or with --url), from the running hub's GET /api/transfers.
 */
import { Hub } from '../../runtime/hub.ts';
import type { Transfer, TransferStatus } from '../../store/types.ts';
import { EXIT } from '../exit-codes.ts';
import { cliLogger, out } from '../output.ts';
import { operatorEntry } from '../operator.ts';
import { localOrApi, type ClientOptions } from '../hub-client.ts';
import { checkConnectorFilter, configConnectors, hubConnectors, type Connectors } from '../connector-ids.ts';
import { transferLines } from '../views.ts';
import { timeArg } from '../time-arg.ts';

export interface TransfersOptions extends ClientOptions {
  connector?: string;
  status?: TransferStatus;
  since?: string;
  until?: string;
  limit: string;
  offset: string;
  json?: boolean;
}

interface Page {
  total: number;
  limit: number;
  offset: number;
  items: Transfer[];
}

export async function transfersCommand(opts: TransfersOptions): Promise<number> {
  const filter = {
    ...(opts.connector ? { connectorId: opts.connector } : {}),
    ...(opts.status ? { status: opts.status } : {}),
    ...(opts.since ? { since: timeArg(opts.since, '--since') } : {}),
    ...(opts.until ? { until: timeArg(opts.until, '--until') } : {}),
  };
  const limit = Number(opts.limit);
  const offset = Number(opts.offset);
  const { page, connectors } = await localOrApi<{ page: Page; connectors: Connectors }>(
    opts,
    async () => {
      const hub = await Hub.start({ configFile: opts.config, roles: [], logger: await cliLogger() });
      try {
        const [items, total] = await Promise.all([hub.store.listTransfers({ ...filter, limit, offset }), hub.store.countTransfers(filter)]);
        await hub.audit.record(operatorEntry('cgic transfers', items.map((t) => ({ type: 'transfer', id: t.id })), 'ok'));
        return { page: { total, limit, offset, items }, connectors: configConnectors(hub.cfg) };
      } finally {
        await hub.stop();
      }
    },
    async (c) => {
      const q = new URLSearchParams({ limit: String(limit), offset: String(offset) });
      if (filter.connectorId) q.set('connector', filter.connectorId);
      if (filter.status) q.set('status', filter.status);
      if (filter.since) q.set('since', filter.since);
      if (filter.until) q.set('until', filter.until);
      return { page: await c.request<Page>('GET', `/api/transfers?${q}`), connectors: hubConnectors(c) };
    },
  );
  await checkConnectorFilter(opts.connector, page.total, connectors, 'transfers');
  if (opts.json) out(JSON.stringify(page, null, 2));
  else for (const l of transferLines(page)) out(l);
  return EXIT.OK;
}
