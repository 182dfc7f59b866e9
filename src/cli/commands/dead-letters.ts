/**
 * `cgic dead-letters list|replay`: deliveries and source units that failed every attempt. `replay`
 * takes one id, or replays every pending dead letter a filter matches (destination, connector, kind,
 * time range; --all for every one), each once; --dry-run only counts them. In this process, or, while
 * the hub holds the embedded store (or with --url), through the running hub's API.
 */
import { Hub } from '../../runtime/hub.ts';
import { EXIT } from '../exit-codes.ts';
import { cliLogger, out } from '../output.ts';
import { operatorEntry } from '../operator.ts';
import { HubError } from '../../errors/hub-error.ts';
import type { BulkReplayFilter, BulkReplayResult } from '../../server/hub-api.ts';
import type { DeadLetter } from '../../store/types.ts';
import { localOrApi, type ClientOptions, type HubClient } from '../hub-client.ts';
import { checkConnectorFilter, configConnectors, hubConnectors, type Connectors } from '../connector-ids.ts';
import { deadLetterLines } from '../views.ts';
import { timeArg } from '../time-arg.ts';

export interface DeadLettersOptions extends ClientOptions {
  json?: boolean;
  all?: boolean;
  dryRun?: boolean;
  destination?: string;
  connector?: string;
  kind?: 'delivery' | 'unit';
  since?: string;
  until?: string;
}

/** The list is cut here (the API's page size at most). */
const LIST_LIMIT = 1000;

/** What the command needs, from the store in this process or from the running hub's API. */
interface DeadLetterDriver {
  /** The connectors configured, to refuse a --connector that names none of them. */
  connectors: Connectors;
  list(filter: BulkReplayFilter, pending: boolean | undefined): Promise<{ total: number; items: DeadLetter[] }>;
  replayOne(id: string): Promise<{ jobId: string; transferId?: string }>;
  replayMany(filter: BulkReplayFilter, dryRun: boolean, all: boolean): Promise<BulkReplayResult>;
}

export async function deadLettersCommand(action: 'list' | 'replay', id: string | undefined, opts: DeadLettersOptions): Promise<number> {
  const filter: BulkReplayFilter = {
    kind: opts.kind,
    destinationId: opts.destination,
    connectorId: opts.connector,
    since: opts.since === undefined ? undefined : timeArg(opts.since, '--since', { durations: false }),
    until: opts.until === undefined ? undefined : timeArg(opts.until, '--until', { durations: false }),
  };
  return localOrApi(
    opts,
    async () => {
      const hub = await Hub.start({ configFile: opts.config, roles: [], logger: await cliLogger() });
      try {
        return await act(action, id, opts, filter, localDriver(hub));
      } finally {
        await hub.stop();
      }
    },
    (c) => act(action, id, opts, filter, apiDriver(c)),
  );
}

function localDriver(hub: Hub): DeadLetterDriver {
  return {
    connectors: configConnectors(hub.cfg),
    async list(filter, pending) {
      const [items, total] = await Promise.all([hub.store.listDeadLetters({ ...filter, pending, limit: LIST_LIMIT }), hub.store.countDeadLetters({ ...filter, pending })]);
      await hub.audit.record(operatorEntry('cgic dead-letters list', items.map((d) => ({ type: 'dead-letter', id: d.id })), 'ok'));
      return { total, items };
    },
    async replayOne(id) {
      const subjects = [{ type: 'dead-letter', id }];
      try {
        const r = await hub.replayDeadLetter(id);
        await hub.audit.record(operatorEntry('cgic dead-letters replay', subjects, 'ok', { detail: { jobId: r.jobId, ...(r.transferId ? { transferId: r.transferId } : {}) } }));
        return r;
      } catch (e) {
        await hub.audit.record(operatorEntry('cgic dead-letters replay', subjects, 'refused', { code: e instanceof HubError ? e.code : undefined, reason: (e as Error).message }));
        throw e;
      }
    },
    async replayMany(filter, dryRun) {
      const r = await hub.replayDeadLetters(filter, { dryRun });
      await hub.audit.record(
        operatorEntry('cgic dead-letters replay', r.ids.map((id) => ({ type: 'dead-letter', id })), r.failed.length ? 'failed' : 'ok', { detail: { ...filter, dryRun: r.dryRun, matched: r.matched, replayed: r.replayed, skipped: r.skipped, failed: r.failed.length } }),
      );
      return r;
    },
  };
}

function apiDriver(c: HubClient): DeadLetterDriver {
  const query = (filter: BulkReplayFilter) => {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries({ kind: filter.kind, destination: filter.destinationId, connector: filter.connectorId, since: filter.since, until: filter.until })) if (v !== undefined) q.set(k, v);
    return q;
  };
  return {
    connectors: hubConnectors(c),
    async list(filter, pending) {
      const q = query(filter);
      if (pending !== undefined) q.set('pending', String(pending));
      q.set('limit', String(LIST_LIMIT));
      return c.request<{ total: number; items: DeadLetter[] }>('GET', `/api/dead-letters?${q}`);
    },
    replayOne: (id) => c.request('POST', `/api/dead-letters/${encodeURIComponent(id)}/replay`),
    replayMany: (filter, dryRun, all) => c.request('POST', '/api/dead-letters/replay', { ...Object.fromEntries(query(filter)), ...(all ? { all: true } : {}), dryRun }),
  };
}

async function act(action: 'list' | 'replay', id: string | undefined, opts: DeadLettersOptions, filter: BulkReplayFilter, d: DeadLetterDriver): Promise<number> {
  if (action === 'list') {
    const page = await d.list(filter, opts.all ? undefined : true);
    await checkConnectorFilter(opts.connector, page.total, d.connectors, 'dead letters');
    if (opts.json) out(JSON.stringify(page.items, null, 2));
    else for (const l of deadLetterLines(page.items, { all: opts.all, total: page.total })) out(l);
    return EXIT.OK;
  }
  if (id !== undefined) {
    const r = await d.replayOne(id);
    out(opts.json ? JSON.stringify(r) : `replay queued as job ${r.jobId}; a running hub's workers ${r.transferId ? `read it as transfer ${r.transferId}` : 'deliver it'}`);
    return EXIT.OK;
  }
  const r = await d.replayMany(filter, opts.dryRun === true, opts.all === true);
  await checkConnectorFilter(opts.connector, r.matched, d.connectors, 'dead letters');
  if (opts.json) out(JSON.stringify(r, null, 2));
  else if (r.dryRun) out(`${r.matched} dead letter${r.matched === 1 ? '' : 's'} would be replayed (dry run: nothing queued)`);
  else {
    out(`${r.replayed} of ${r.matched} dead letter${r.matched === 1 ? '' : 's'} replayed${r.skipped ? `, ${r.skipped} replayed by someone else meanwhile` : ''}; a running hub's workers deliver them`);
    for (const f of r.failed) out(`  ${f.id}: ${f.code} ${f.message}`);
  }
  return r.failed.length ? EXIT.FAILED : EXIT.OK;
}
