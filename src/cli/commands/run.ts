/**
 * `cgic run <connector>`: one transfer now, in this process (a worker), with progress on a terminal
 * and a summary; deliveries it causes are attempted before the command returns (up to --wait seconds).
 */
import { Hub } from '../../runtime/hub.ts';
import { EXIT } from '../exit-codes.ts';
import { err, out } from '../output.ts';
import { operatorEntry } from '../operator.ts';

export interface RunOptions {
  config?: string;
  dryRun?: boolean;
  json?: boolean;
  wait: string;
}

export async function runCommand(connectorId: string, opts: RunOptions): Promise<number> {
  const hub = await Hub.start({ configFile: opts.config, roles: ['worker'], logger: (await import('pino')).default({ level: process.env.LOG_LEVEL ?? 'warn' }) });
  try {
    const id = await hub.runConnector(connectorId, { trigger: 'manual', dryRun: opts.dryRun });
    await hub.audit.record(operatorEntry('cgic run', [{ type: 'connector', id: connectorId }, { type: 'transfer', id }], 'ok', opts.dryRun ? { detail: { dryRun: true } } : {}));
    const tty = process.stderr.isTTY && !opts.json;
    let t = await hub.store.getTransfer(id);
    const started = Date.now();
    while (t && (t.status === 'queued' || t.status === 'running')) {
      if (tty) {
        const c = t.counts;
        process.stderr.write(`\r${spinner(Date.now() - started)} ${connectorId}: ${t.status}  read ${c.read}  mapped ${c.mapped}  invalid ${c.invalid}  changed ${c.changed}   `);
      }
      await new Promise((r) => setTimeout(r, 200));
      t = await hub.store.getTransfer(id);
    }
    if (tty) process.stderr.write('\n');
    // Let the deliveries the transfer queued go out before stopping.
    const deadline = Date.now() + Number(opts.wait) * 1000;
    let pending = await pendingDeliveries(hub);
    while (pending > 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
      pending = await pendingDeliveries(hub);
    }
    if (!t) return EXIT.FAILED;
    if (opts.json) out(JSON.stringify({ ...t, pendingDeliveries: pending }, null, 2));
    else {
      const c = t.counts;
      err(`transfer ${t.id} ${t.status}${opts.dryRun ? ' (dry run: nothing stored, delivered or acknowledged)' : ''}`);
      err(`  read ${c.read}, mapped ${c.mapped}, invalid ${c.invalid} (see GET /api/quarantine?transfer=${t.id}), stored ${c.stored}, changed ${c.changed}, unchanged ${c.unchanged}`);
      if (t.error) err(`  error: ${t.error}`);
      if (pending) err(`  ${pending} deliveries still queued (they continue when the hub runs)`);
    }
    return t.status === 'succeeded' ? EXIT.OK : EXIT.FAILED;
  } finally {
    await hub.stop();
  }
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
