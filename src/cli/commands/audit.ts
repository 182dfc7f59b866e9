/**
 * `cgic audit verify|export|prune`: the audit trail from the command line, straight from the store
 * (no Redis needed). verify exits 1 naming the first entry that does not fit; export streams entries in
 * position order (NDJSON keeps every field and hash, so a SIEM can verify the chain itself; CSV for
 * people); prune applies the retention now, as the scheduler does daily.
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { loadHubConfig, type HubConfig } from '../../config/hub-config.ts';
import { HubError } from '../../errors/hub-error.ts';
import { openStore, type AuditEntry, type Store } from '../../store/index.ts';
import { auditSigningKey, storeOptionsFor } from '../../runtime/hub.ts';
import { maintainAudit } from '../../runtime/audit-maintenance.ts';
import { csvCell } from '../../formats/csv-writer.ts';
import { EXIT } from '../exit-codes.ts';
import { cliLogger, err, out, printable } from '../output.ts';
import { operatorEntry } from '../operator.ts';
import { timeArg } from '../time-arg.ts';

export interface AuditCommandOptions {
  config?: string;
  json?: boolean;
  since?: string;
  until?: string;
  afterPosition?: string;
  format?: 'ndjson' | 'csv';
  out?: string;
}

const CSV_COLUMNS: (keyof AuditEntry)[] = ['position', 'at', 'category', 'action', 'actor', 'client', 'role', 'ori', 'subjects', 'outcome', 'status', 'code', 'reason', 'source', 'requestId', 'detail', 'prevHash', 'hash'];

async function withStore<T>(opts: AuditCommandOptions, fn: (store: Store, key: string | undefined, cfg: HubConfig) => Promise<T>): Promise<T> {
  const cfg = await loadHubConfig(opts.config);
  const key = auditSigningKey(cfg);
  const store = await openStore(storeOptionsFor(cfg));
  try {
    return await fn(store, key, cfg);
  } finally {
    await store.close();
  }
}

async function write(stream: Writable, text: string): Promise<void> {
  if (!stream.write(text)) await once(stream, 'drain');
}

export async function auditCommand(action: 'verify' | 'export' | 'prune', opts: AuditCommandOptions): Promise<number> {
  if (action === 'verify') {
    return withStore(opts, async (store, key, cfg) => {
      // The head is signed every checkpointMinutes: an entry unsigned for twice that (and 5 minutes) means deleted checkpoints.
      const unsignedAfterMinutes = 2 * cfg.hub.audit.checkpointMinutes + 5;
      const r = await store.verifyAudit(key, (n) => process.stderr.isTTY && process.stderr.write(`\r${n} entries checked`), { unsignedAfterMinutes });
      if (opts.json) out(JSON.stringify(r));
      if (r.ok) {
        if (!opts.json) out(r.entries ? `audit trail intact: entries ${r.first}..${r.last} (${r.entries}), ${r.checkpoints} signed checkpoint${r.checkpoints === 1 ? '' : 's'}, head ${r.head.position}` : `audit trail intact: no entries, head ${r.head.position}`);
        return EXIT.OK;
      }
      if (!opts.json) err(`HUB_ERR_AUDIT_BROKEN entry ${r.badPosition}: ${r.problem} (${r.entries} entries before it verified)`);
      return EXIT.FAILED;
    });
  }
  if (action === 'export') {
    const format = opts.format ?? 'ndjson';
    const filter = {
      ...(opts.since ? { since: timeArg(opts.since, '--since') } : {}),
      ...(opts.until ? { until: timeArg(opts.until, '--until') } : {}),
      ...(opts.afterPosition !== undefined ? { afterPosition: Number(opts.afterPosition) } : {}),
    };
    return withStore(opts, async (store) => {
      // The export is on the trail before it reads a line of it (a read that could not be recorded is
      // not made), and it ends before its own entry, which the next export starts from.
      const [own] = await store.appendAudit([operatorEntry('cgic audit export', [], 'ok', { detail: { format, ...filter } })]);
      const stream: Writable = opts.out ? createWriteStream(opts.out) : process.stdout;
      let n = 0;
      let last: number | null = null;
      if (format === 'csv') await write(stream, CSV_COLUMNS.join(',') + '\r\n');
      for await (const e of store.scanAudit({ ...filter, beforePosition: own!.position })) {
        // Entries hold what callers sent (a lead id, a message repeating it): control characters are
        // written as their escapes, in NDJSON JSON's own (the same value, the hashes still check).
        await write(stream, format === 'csv' ? CSV_COLUMNS.map((c) => printable(csvCell(e[c]))).join(',') + '\r\n' : printable(JSON.stringify(e)) + '\n');
        n++;
        last = e.position;
      }
      if (opts.out) {
        stream.end();
        await once(stream, 'finish');
      }
      err(`${n} entr${n === 1 ? 'y' : 'ies'} exported${last === null ? '' : ` (last position ${last}: continue with --after-position ${last})`}`);
      return EXIT.OK;
    });
  }
  return withStore(opts, async (store, key) => {
    if (!key) throw new HubError('HUB_ERR_AUDIT_KEY', { reason: 'pruning writes a signed checkpoint, and hub.audit.signingKey is not set' });
    const cfg = await loadHubConfig(opts.config);
    const log = await cliLogger();
    const r = await maintainAudit(store, cfg.hub.audit, key, log);
    await store.appendAudit([operatorEntry('cgic audit prune', [], 'ok', { detail: { ...r, retentionDays: cfg.hub.audit.retentionDays } })]);
    out(opts.json ? JSON.stringify(r) : `${r.pruned} entries older than ${cfg.hub.audit.retentionDays} days pruned${r.prunedThrough ? ` (through entry ${r.prunedThrough}, signed checkpoint written)` : ''}${r.anchoredAt ? `; head ${r.anchoredAt} signed` : ''}`);
    return EXIT.OK;
  });
}
