/**
 * `cgic dead-letters list|replay`: deliveries and source units that failed every attempt. `replay`
 * takes one id, or replays every pending dead letter a filter matches (destination, connector, kind,
 * time range; --all for every one), each once; --dry-run only counts them.
 */
import { Hub } from '../../runtime/hub.ts';
import { EXIT } from '../exit-codes.ts';
import { out } from '../output.ts';
import { operatorEntry } from '../operator.ts';
import { HubError } from '../../errors/hub-error.ts';

export interface DeadLettersOptions {
  config?: string;
  json?: boolean;
  all?: boolean;
  dryRun?: boolean;
  destination?: string;
  connector?: string;
  kind?: 'delivery' | 'unit';
  since?: string;
  until?: string;
}

export async function deadLettersCommand(action: 'list' | 'replay', id: string | undefined, opts: DeadLettersOptions): Promise<number> {
  const hub = await Hub.start({ configFile: opts.config, roles: [], logger: (await import('pino')).default({ level: 'warn' }) });
  const filter = {
    kind: opts.kind,
    destinationId: opts.destination,
    connectorId: opts.connector,
    since: opts.since === undefined ? undefined : new Date(opts.since).toISOString(),
    until: opts.until === undefined ? undefined : new Date(opts.until).toISOString(),
  };
  try {
    if (action === 'list') {
      const list = await hub.store.listDeadLetters({ ...filter, pending: opts.all ? undefined : true, limit: 1000 });
      await hub.audit.record(operatorEntry('cgic dead-letters list', list.map((d) => ({ type: 'dead-letter', id: d.id })), 'ok'));
      if (opts.json) out(JSON.stringify(list, null, 2));
      else {
        for (const d of list) {
          const target = d.kind === 'unit' ? `unit of ${d.connectorId ?? '-'}` : (d.destinationId ?? '-');
          out(`${d.id}  ${target}  ${d.createdAt}  ${d.attempts.length} attempts  ${d.replayedAt ? 'replayed ' + d.replayedAt : 'pending'}  ${d.lastError ?? ''}`);
        }
        out(`${list.length} dead letter${list.length === 1 ? '' : 's'}${opts.all ? '' : ' not replayed'}`);
      }
      return EXIT.OK;
    }
    if (id !== undefined) {
      const subjects = [{ type: 'dead-letter', id }];
      let r: { jobId: string; transferId?: string };
      try {
        r = await hub.replayDeadLetter(id);
      } catch (e) {
        await hub.audit.record(operatorEntry('cgic dead-letters replay', subjects, 'refused', { code: e instanceof HubError ? e.code : undefined, reason: (e as Error).message }));
        throw e;
      }
      await hub.audit.record(operatorEntry('cgic dead-letters replay', subjects, 'ok', { detail: { jobId: r.jobId, ...(r.transferId ? { transferId: r.transferId } : {}) } }));
      out(opts.json ? JSON.stringify(r) : `replay queued as job ${r.jobId}; a running hub's workers ${r.transferId ? `read it as transfer ${r.transferId}` : 'deliver it'}`);
      return EXIT.OK;
    }
    const r = await hub.replayDeadLetters(filter, { dryRun: opts.dryRun });
    await hub.audit.record(
      operatorEntry('cgic dead-letters replay', [], r.failed.length ? 'failed' : 'ok', { detail: { ...filter, dryRun: r.dryRun, matched: r.matched, replayed: r.replayed, skipped: r.skipped, failed: r.failed.length } }),
    );
    if (opts.json) out(JSON.stringify(r, null, 2));
    else if (r.dryRun) out(`${r.matched} dead letter${r.matched === 1 ? '' : 's'} would be replayed (dry run: nothing queued)`);
    else {
      out(`${r.replayed} of ${r.matched} dead letter${r.matched === 1 ? '' : 's'} replayed${r.skipped ? `, ${r.skipped} replayed by someone else meanwhile` : ''}; a running hub's workers deliver them`);
      for (const f of r.failed) out(`  ${f.id}: ${f.code} ${f.message}`);
    }
    return r.failed.length ? EXIT.FAILED : EXIT.OK;
  } finally {
    await hub.stop();
  }
}
