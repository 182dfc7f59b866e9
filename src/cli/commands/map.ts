/** `cgic map`: preview a mapping on a file. Records to stdout, errors with pointers and a summary to stderr. */
import { createReadStream, existsSync } from 'node:fs';
import path from 'node:path';
import { loadMapping } from '../../mapping/load.ts';
import { InboundMapping } from '../../mapping/inbound.ts';
import { emptySummary, mapStream, type MapSummary } from '../../mapping/run.ts';
import { HubError, formatReport } from '../../errors/hub-error.ts';
import { EXIT } from '../exit-codes.ts';
import { err, out } from '../output.ts';

export interface MapOptions {
  mapping: string;
  out?: 'ndjson' | 'json' | 'table';
  timezone?: string;
  warnings?: boolean;
  quiet?: boolean;
}

export async function mapCommand(file: string, opts: MapOptions): Promise<number> {
  const mapping = await loadMapping(opts.mapping);
  if (!(mapping instanceof InboundMapping)) {
    throw new HubError('HUB_ERR_CLI_USAGE', { reason: `${mapping.label} is an outbound mapping; cgic map previews inbound mappings` });
  }
  if (!existsSync(file)) throw new HubError('HUB_ERR_FILE_NOT_FOUND', { path: file });
  const summary = emptySummary();
  const format = opts.out ?? 'ndjson';
  const all: unknown[] = [];
  const table: string[][] = [];
  const input = createReadStream(file, { highWaterMark: 256 * 1024 });
  for await (const b of mapStream(mapping, input, summary, { file: path.basename(file), timezone: opts.timezone })) {
    if (!opts.quiet) {
      if (format === 'ndjson') {
        if (b.records.length) process.stdout.write(b.records.map((r) => JSON.stringify(r)).join('\n') + '\n');
      } else if (format === 'json') all.push(...b.records);
      else for (const r of b.records) table.push([r.sourceRefs[0]?.pointer?.row?.toString() ?? '', r.type, r.key]);
    }
    for (const r of b.retractions) {
      err(`${r.action}  row ${r.row}: source record "${r.sourceRecordId}" ${r.action === 'delete' ? 'withdraws what it published (its records lose this contribution)' : 'replaces what it published before'}`);
    }
    for (const inv of b.invalid) for (const e of inv.errors) err(formatReport(e));
    if (opts.warnings) for (const w of b.warnings) err(`warning: ${formatReport(w)}`);
  }
  if (format === 'json' && !opts.quiet) out(JSON.stringify(all, null, 2));
  if (format === 'table' && !opts.quiet) printTable(['row', 'type', 'key'], table);
  printSummary(summary, mapping.label, file);
  return summary.rowsInvalid > 0 ? EXIT.FAILED : EXIT.OK;
}

function printTable(head: string[], rows: string[][]): void {
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]): string => r.map((c, i) => c.padEnd(w[i]!)).join('  ');
  out(line(head));
  for (const r of rows) out(line(r));
}

export function printSummary(s: MapSummary, label: string, file: string): void {
  const types = Object.entries(s.recordsByType).map(([t, n]) => `${t} ${n}`).join(', ') || 'none';
  err('');
  err(`summary  ${path.basename(file)} with ${label}`);
  err(`  rows read      ${s.rowsRead}`);
  err(`  rows mapped    ${s.rowsMapped}`);
  err(`  rows invalid   ${s.rowsInvalid}${s.rowsInvalid ? '  (' + Object.entries(s.errorsByCode).map(([c, n]) => `${c} ${n}`).join(', ') + ')' : ''}`);
  err(`  records out    ${s.recordsOut}  (${types})`);
  if (s.deletes) err(`  deletes        ${s.deletes}`);
  const unknown = Object.entries(s.unknownCodes);
  const nUnknown = unknown.reduce((a, [, v]) => a + Object.values(v).reduce((x, y) => x + y, 0), 0);
  err(`  unknown codes  ${nUnknown}${nUnknown ? '' : ''}`);
  for (const [table, values] of unknown) {
    const top = Object.entries(values).sort((a, b) => b[1] - a[1]);
    err(`    ${table}: ${top.slice(0, 10).map(([v, n]) => `"${v}" x${n}`).join(', ')}${top.length > 10 ? `, ... (${top.length} distinct)` : ''}`);
  }
  const ok = s.rowsRead === s.rowsMapped + s.rowsInvalid;
  err(`  check          read ${s.rowsRead} = mapped ${s.rowsMapped} + invalid ${s.rowsInvalid}${ok ? '' : '  MISMATCH'}`);
}
