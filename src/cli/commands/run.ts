/**
 * `cgic run <connector>`: one run of a source now, with progress on a terminal and a summary: the poll
 * claims what is ready, each claimed unit is one transfer; deliveries they cause are attempted before
 * the command returns (up to --wait seconds). In this process (a worker of its own), or, while the hub
 * holds the embedded store (or with --url), by the running hub through POST /api/connectors/:id/run.
 */
import { Hub } from '../../runtime/hub.ts';
import type { PollStatus } from '../../server/hub-api.ts';
import { TRANSFER_COUNT_NAMES, type Transfer } from '../../store/types.ts';
import { EXIT } from '../exit-codes.ts';
import { cliLogger, err, out } from '../output.ts';
import { operatorEntry } from '../operator.ts';
import { localOrApi, type ClientOptions, type HubClient } from '../hub-client.ts';
import { configConnectors, hubConnectors, onConnector, type Connectors } from '../connector-ids.ts';
import { runLines } from '../views.ts';

export interface RunOptions extends ClientOptions {
  dryRun?: boolean;
  json?: boolean;
  wait: string;
}

const finished = (t: Transfer | undefined): boolean => t !== undefined && t.status !== 'queued' && t.status !== 'running';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** How a run is watched: by the hub in this process, or by the running hub's API. */
interface RunDriver {
  /** The connectors configured, to name them when the one asked for is not. */
  connectors: Connectors;
  start(connectorId: string, dryRun: boolean): Promise<string>;
  poll(pollId: string, waitMs: number): Promise<PollStatus>;
  transfer(id: string): Promise<Transfer | undefined>;
  pendingDeliveries(): Promise<number>;
}

export async function runCommand(connectorId: string, opts: RunOptions): Promise<number> {
  return localOrApi(
    opts,
    async () => {
      const hub = await Hub.start({ configFile: opts.config, roles: ['worker'], logger: await cliLogger() });
      try {
        return await watch(connectorId, opts, {
          connectors: configConnectors(hub.cfg),
          async start(id, dryRun) {
            const { pollId } = await hub.pollConnector(id, { trigger: 'manual', dryRun });
            await hub.audit.record(operatorEntry('cgic run', [{ type: 'connector', id }, { type: 'poll', id: pollId }], 'ok', dryRun ? { detail: { dryRun: true } } : {}));
            return pollId;
          },
          poll: (pollId, waitMs) => hub.pollStatus(pollId, waitMs),
          transfer: (id) => hub.store.getTransfer(id),
          pendingDeliveries: () => pendingDeliveries(hub),
        });
      } finally {
        await hub.stop();
      }
    },
    (c) => watch(connectorId, opts, apiDriver(c)),
  );
}

function apiDriver(c: HubClient): RunDriver {
  const enc = encodeURIComponent;
  return {
    connectors: hubConnectors(c),
    async start(id, dryRun) {
      const s = await c.request<PollStatus>('POST', `/api/connectors/${enc(id)}/run?wait=0`, dryRun ? { dryRun: true } : {});
      return s.pollId;
    },
    async poll(pollId, waitMs) {
      const deadline = Date.now() + waitMs;
      for (;;) {
        const s = await c.request<PollStatus>('GET', `/api/polls/${enc(pollId)}`);
        if (s.state !== 'pending' || Date.now() >= deadline) return s;
        await sleep(Math.min(200, Math.max(1, deadline - Date.now())));
      }
    },
    transfer: (id) => c.request<Transfer>('GET', `/api/transfers/${enc(id)}`),
    async pendingDeliveries() {
      // What the local run counts: jobs waiting, active or to be retried in each destination's queue.
      const list = await c.request<{ pending?: number; queue: { waiting?: number; active?: number; delayed?: number } | null }[]>('GET', '/api/destinations');
      return list.reduce((n, d) => n + (d.queue ? (d.queue.waiting ?? 0) + (d.queue.active ?? 0) + (d.queue.delayed ?? 0) : (d.pending ?? 0)), 0);
    },
  };
}

async function watch(connectorId: string, opts: RunOptions, d: RunDriver): Promise<number> {
  const pollId = await onConnector(connectorId, d.connectors, () => d.start(connectorId, opts.dryRun === true));
  const tty = process.stderr.isTTY && !opts.json;
  const started = Date.now();
  let poll = await d.poll(pollId, 0);
  while (poll.state === 'pending') {
    if (tty) process.stderr.write(`\r${spinner(Date.now() - started)} ${connectorId}: claiming   `);
    poll = await d.poll(pollId, 200);
  }
  const read = () => Promise.all(poll.transferIds.map((id) => d.transfer(id)));
  let transfers = await read();
  while (!transfers.every(finished)) {
    if (tty) {
      const c = sum(transfers);
      process.stderr.write(`\r${spinner(Date.now() - started)} ${connectorId}: ${transfers.filter(finished).length}/${transfers.length} transfers  rows read ${c.read}  mapped ${c.mapped}  invalid ${c.invalid}  records changed ${c.changed}   `);
    }
    await sleep(200);
    transfers = await read();
  }
  if (tty) process.stderr.write('\n');
  // Let the deliveries the transfers queued go out before reporting (a dry run queues none).
  const deadline = Date.now() + Number(opts.wait) * 1000;
  let pending = opts.dryRun || !transfers.length ? 0 : await d.pendingDeliveries();
  while (pending > 0 && Date.now() < deadline) {
    await sleep(250);
    pending = await d.pendingDeliveries();
  }
  if (transfers.length) transfers = await read();
  const list = transfers.filter((t): t is Transfer => t !== undefined);
  if (opts.json) out(JSON.stringify({ poll, transfers: list, pendingDeliveries: pending }, null, 2));
  else {
    if (poll.state === 'failed') err(`${connectorId}: the claim failed: ${poll.error ?? 'unknown error'}`);
    else if (list.length === 0) err(`${connectorId}: nothing to read (no transfer)`);
    for (const s of poll.skipped ?? []) err(`${connectorId}: skipped ${s.name}: ${s.reason}`);
    for (const t of list) for (const l of runLines(t, { dryRun: opts.dryRun })) err(l);
    if (opts.dryRun && poll.note) err(poll.note);
    if (pending) err(`  ${pending} deliveries still queued (they continue while the hub runs)`);
  }
  return poll.state !== 'failed' && list.every((t) => t.status === 'succeeded') ? EXIT.OK : EXIT.FAILED;
}

function sum(transfers: readonly (Transfer | undefined)[]): Transfer['counts'] {
  const c = Object.fromEntries(TRANSFER_COUNT_NAMES.map((k) => [k, 0])) as Transfer['counts'];
  for (const t of transfers) if (t) for (const k of TRANSFER_COUNT_NAMES) c[k] += t.counts[k];
  return c;
}

async function pendingDeliveries(hub: Hub): Promise<number> {
  let n = 0;
  for (const a of hub.cfg.agencies) {
    for (const dst of a.destinations) {
      const c = await hub.deliveryQueue(dst.id).getJobCounts('waiting', 'active', 'delayed');
      n += (c.waiting ?? 0) + (c.active ?? 0) + (c.delayed ?? 0);
    }
  }
  return n;
}

function spinner(ms: number): string {
  return '|/-\\'[Math.floor(ms / 200) % 4]!;
}
