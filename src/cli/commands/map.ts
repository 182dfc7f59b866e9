/**
 * `cgic map`: preview a mapping on a file. Records to stdout, errors with pointers and a summary to stderr.
 * Exit 0; 1 (EXIT.FAILED) when a row is invalid or when nothing at all was read from a non-empty file
 * (an XML document whose root matches no record path: the summary names the root); 78 when the mapping
 * or the file as a whole is refused (a header without a required column).
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { loadMapping } from '../../mapping/load.ts';
import { InboundMapping } from '../../mapping/inbound.ts';
import type { MapSummary } from '../../mapping/run.ts';
import { previewMapping, summaryLines } from '../../mapping/preview.ts';
import { HubError } from '../../errors/hub-error.ts';
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
  const format = opts.out ?? 'ndjson';
  const all: unknown[] = [];
  const table: string[][] = [];
  const input = createReadStream(file, { highWaterMark: 256 * 1024 });
  const summary = await previewMapping(
    mapping,
    input,
    {
      records(records) {
        if (opts.quiet) return;
        if (format === 'ndjson') process.stdout.write(records.map((r) => JSON.stringify(r)).join('\n') + '\n');
        else if (format === 'json') all.push(...records);
        else for (const r of records) table.push([r.sourceRefs[0]?.pointer?.row?.toString() ?? '', r.type, r.key]);
      },
      retraction: (_r, line) => err(line),
      invalid: (_row, lines) => lines.forEach((l) => err(l)),
      warning: (_w, line) => opts.warnings && err(line),
    },
    { file: path.basename(file), timezone: opts.timezone },
  );
  if (format === 'json' && !opts.quiet) out(JSON.stringify(all, null, 2));
  if (format === 'table' && !opts.quiet) printTable(['row', 'type', 'key'], table);
  printSummary(summary, mapping.label, file);
  // A non-empty file from which nothing at all was read (its root matches no record path): failed work.
  const nothingRead = summary.rowsRead === 0 && statSync(file).size > 0 && (summary.nothingMatched ?? []).some((n) => n.what === 'record');
  return summary.rowsInvalid > 0 || nothingRead ? EXIT.FAILED : EXIT.OK;
}

function printTable(head: string[], rows: string[][]): void {
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]): string => r.map((c, i) => c.padEnd(w[i]!)).join('  ');
  out(line(head));
  for (const r of rows) out(line(r));
}

/** The summary block, on stderr. */
export function printSummary(s: MapSummary, label: string, file: string): void {
  for (const line of summaryLines(s, label, file)) err(line);
}
