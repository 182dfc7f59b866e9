/**
 * What `cgic transfers`, `cgic dead-letters list` and `cgic run` print: the fields the console's
 * screens show (src/console/public/screens), one line per item, the same whether the command read the
 * store itself or asked the running hub's API.
 */
import type { DeadLetter, Transfer } from '../store/types.ts';
import { oneLine } from './output.ts';

const took = (t: Transfer): string => {
  if (!t.startedAt || !t.finishedAt) return '-';
  const s = (Date.parse(t.finishedAt) - Date.parse(t.startedAt)) / 1000;
  return s < 60 ? `${s.toFixed(1)} s` : `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
};

/** The console's transfers table: transfer, connector, source and trigger, status, started, took, read, invalid, stored, delivered. */
export function transferLines(page: { total: number; offset: number; items: Transfer[] }): string[] {
  const rows = page.items.map((t) => [t.id, t.connectorId, `${oneLine(t.source ?? '-')} (${t.trigger})`, t.status, t.startedAt ?? t.createdAt, took(t), String(t.counts.read), String(t.counts.invalid), String(t.counts.damaged), String(t.counts.stored), String(t.counts.delivered)]);
  const head = ['TRANSFER', 'CONNECTOR', 'SOURCE (TRIGGER)', 'STATUS', 'STARTED', 'TOOK', 'READ', 'INVALID', 'DAMAGED', 'STORED', 'DELIVERED'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => (i >= 6 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  const out = rows.length ? [line(head), ...rows.map(line)] : [];
  const shown = rows.length ? `${page.offset + 1}-${page.offset + rows.length} of ${page.total}` : `none of ${page.total}`;
  out.push(`${page.total} transfer${page.total === 1 ? ' matches' : 's match'} (showing ${shown}, newest first; invalid rows: cgic-hub console or GET /api/quarantine?transfer=<id>)`);
  return out;
}

/** The console's dead-letter cards: id, destination (or unit of a connector), when, attempts, pending or replayed, last error. */
export function deadLetterLines(list: readonly DeadLetter[], opts: { all?: boolean; total?: number } = {}): string[] {
  const out = list.map((d) => {
    const target = d.kind === 'unit' ? `unit of ${d.connectorId ?? '-'}` : (d.destinationId ?? '-');
    return `${d.id}  ${target}  ${d.createdAt}  ${d.attempts.length} attempts  ${d.replayedAt ? 'replayed ' + d.replayedAt : 'pending'}  ${oneLine(d.lastError ?? '')}`.trimEnd();
  });
  const n = opts.total ?? list.length;
  out.push(`${n} dead letter${n === 1 ? '' : 's'}${opts.all ? '' : ' not replayed'}${n > list.length ? ` (showing ${list.length})` : ''}`);
  return out;
}

/** A transfer's summary after `cgic run`: its status, then its counts, each named (rows read; records stored). */
export function runLines(t: Transfer, opts: { dryRun?: boolean } = {}): string[] {
  const c = t.counts;
  const out = [`transfer ${t.id} ${oneLine(t.source ?? '')}: ${t.status}`];
  out.push(
    opts.dryRun
      ? `  rows read ${c.read}, mapped ${c.mapped}, invalid ${c.invalid}; nothing stored or delivered (dry run)`
      : `  rows read ${c.read}, mapped ${c.mapped}, invalid ${c.invalid}${c.invalid ? ` (see GET /api/quarantine?transfer=${t.id})` : ''}` +
        (c.damaged ? `, ${c.damaged} with text damaged by a wrong encoding, stored as read (see the mapping's source.encoding)` : '') +
        '; ' +
        // Statements, not records: the rows of an export can state one record several times.
        `record statements stored ${c.stored} (${c.unchanged} changed nothing); records changed ${c.changed}, delivered ${c.delivered}, failed ${c.failed}`,
  );
  if (t.error) out.push(`  error: ${oneLine(t.error)}`);
  return out;
}
