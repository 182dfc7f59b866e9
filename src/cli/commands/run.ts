/**
 * `cgic run <connector>`: one run of a source now, in this process (a worker), with progress on a
 * terminal and a summary: the poll claims what is ready, each claimed unit is one transfer; deliveries
 * they cause are attempted before the command returns (up to --wait seconds).
 */
import { Hub } from '../../runtime/hub.ts';
import type { Transfer } from '../../store/types.ts';
import { EXIT } from '../exit-codes.ts';
import { err, out } from '../output.ts';
import { operatorEntry } from '../operator.ts';

export interface RunOptions {
  config?: string;
  dryRun?: boolean;
  json?: boolean;
  wait: string;
}

const finished = (t: Transfer | undefined): boolean => t !== undefined && t.status !== 'queued' && t.status !== 'running';

export async function runCommand(connectorId: string, opts: RunOptions): Promise<number> {
  const hub = await Hub.start({ configFile: opts.config, roles: ['worker'], logger: (await import('pino')).default({ level: process.env.LOG_LEVEL ?? 'warn' }) });
  try {
    const { pollId } = await hub.pollConnector(connectorId, { trigger: 'manual', dryRun: opts.dryRun });
    await hub.audit.record(operatorEntry('cgic run', [{ type: 'connector', id: connectorId }, { type: 'poll', id: pollId }], 'ok', opts.dryRun ? { detail: { dryRun: true } } : {}));
    const tty = process.stderr.isTTY && !opts.json;
    const started = Date.now();
    let poll = await hub.pollStatus(pollId);
    while (poll.state === 'pending') {
      if (tty) process.stderr.write(`\r${spinner(Date.now() - started)} ${connectorId}: claiming   `);
      poll = await hub.pollStatus(pollId, 200);
    }
    let transfers = await Promise.all(poll.transferIds.map((id) => hub.store.getTransfer(id)));
    while (!transfers.every(finished)) {
      if (tty) {
        const c = sum(transfers);
        process.stderr.write(`\r${spinner(Date.now() - started)} ${connectorId}: ${transfers.filter(finished).length}/${transfers.length} transfers  read ${c.read}  mapped ${c.mapped}  invalid ${c.invalid}  changed ${c.changed}   `);
      }
      await new Promise((r) => setTimeout(r, 200));
      transfers = await Promise.all(poll.transferIds.map((id) => hub.store.getTransfer(id)));
    }
    if (tty) process.stderr.write('\n');
    // Let the deliveries the transfers queued go out before stopping.
    const deadline = Date.now() + Number(opts.wait) * 1000;
    let pending = await pendingDeliveries(hub);
    while (pending > 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
      pending = await pendingDeliveries(hub);
    }
    const list = transfers.filter((t): t is Transfer => t !== undefined);
    if (opts.json) out(JSON.stringify({ poll, transfers: list, pendingDeliveries: pending }, null, 2));
    else {
      if (poll.state === 'failed') err(`${connectorId}: the claim failed: ${poll.error ?? 'unknown error'}`);
      else if (list.length === 0) err(`${connectorId}: nothing to read (no transfer)`);
      for (const t of list) {
        const c = t.counts;
        err(`transfer ${t.id} ${t.source ?? ''}: ${t.status}${opts.dryRun ? ' (nothing stored, delivered or acknowledged)' : ''}`);
        err(`  read ${c.read}, mapped ${c.mapped}, invalid ${c.invalid} (see GET /api/quarantine?transfer=${t.id}), stored ${c.stored}, changed ${c.changed}, unchanged ${c.unchanged}`);
        if (t.error) err(`  error: ${t.error}`);
      }
      if (pending) err(`  ${pending} deliveries still queued (they continue when the hub runs)`);
    }
    return poll.state !== 'failed' && list.every((t) => t.status === 'succeeded') ? EXIT.OK : EXIT.FAILED;
  } finally {
    await hub.stop();
  }
}

function sum(transfers: readonly (Transfer | undefined)[]): Transfer['counts'] {
  const c = { read: 0, mapped: 0, invalid: 0, stored: 0, changed: 0, unchanged: 0, delivered: 0, failed: 0 };
  for (const t of transfers) if (t) for (const k of Object.keys(c) as (keyof typeof c)[]) c[k] += t.counts[k];
  return c;
}

async function pendingDeliveries(hub: Hub): Promise<number> {
  let n = 0;
  for (const a of hub.cfg.agencies) {
    for (const d of a.destinations) {
      const c = await hub.deliveryQueue(d.id).getJobCounts('waiting', 'active', 'delayed');
      n += (c.waiting ?? 0) + (c.active ?? 0) + (c.delayed ?? 0);
    }
  }
  return n;
}

function spinner(ms: number): string {
  return '|/-\\'[Math.floor(ms / 200) % 4]!;
}
