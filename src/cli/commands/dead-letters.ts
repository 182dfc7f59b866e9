/** `cgic dead-letters list|replay`: deliveries that failed every attempt. */
import { Hub } from '../../runtime/hub.ts';
import { EXIT } from '../exit-codes.ts';
import { out } from '../output.ts';
import { operatorEntry } from '../operator.ts';
import { HubError } from '../../errors/hub-error.ts';

export async function deadLettersCommand(action: 'list' | 'replay', id: string | undefined, opts: { config?: string; json?: boolean; all?: boolean }): Promise<number> {
  const hub = await Hub.start({ configFile: opts.config, roles: [], logger: (await import('pino')).default({ level: 'warn' }) });
  try {
    if (action === 'list') {
      const list = await hub.store.listDeadLetters({ pending: opts.all ? undefined : true, limit: 1000 });
      await hub.audit.record(operatorEntry('cgic dead-letters list', list.map((d) => ({ type: 'dead-letter', id: d.id })), 'ok'));
      if (opts.json) out(JSON.stringify(list, null, 2));
      else {
        for (const d of list) {
          out(`${d.id}  ${d.destinationId ?? '-'}  ${d.createdAt}  ${d.attempts.length} attempts  ${d.replayedAt ? 'replayed ' + d.replayedAt : 'pending'}  ${d.lastError ?? ''}`);
        }
        out(`${list.length} dead letter${list.length === 1 ? '' : 's'}${opts.all ? '' : ' not replayed'}`);
      }
      return EXIT.OK;
    }
    const subjects = [{ type: 'dead-letter', id: id! }];
    let r: { jobId: string };
    try {
      r = await hub.replayDeadLetter(id!);
    } catch (e) {
      await hub.audit.record(operatorEntry('cgic dead-letters replay', subjects, 'refused', { code: e instanceof HubError ? e.code : undefined, reason: (e as Error).message }));
      throw e;
    }
    await hub.audit.record(operatorEntry('cgic dead-letters replay', subjects, 'ok', { detail: { jobId: r.jobId } }));
    out(opts.json ? JSON.stringify(r) : `replay queued as job ${r.jobId}; a running hub's workers deliver it`);
    return EXIT.OK;
  } finally {
    await hub.stop();
  }
}
