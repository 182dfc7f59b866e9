/**
 * `cgic map`: preview a mapping on a file. Records to stdout, errors with pointers and a summary to stderr.
 * Exit 0; 1 (EXIT.FAILED) when a row is invalid or when nothing at all was read from a non-empty file
 * (an XML document whose root matches no record path: the summary names the root); 66 when the file
 * does not exist or cannot be read; 78 when the mapping or the file as a whole is refused (a header
 * without a required column).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { loadMapping } from '../../mapping/load.ts';
import { DEFAULT_CONFIG, loadHubConfig, type HubConfig } from '../../config/hub-config.ts';
import { InboundMapping } from '../../mapping/inbound.ts';
import type { MapSummary } from '../../mapping/run.ts';
import { previewMapping, summaryLines } from '../../mapping/preview.ts';
import { HubError } from '../../errors/hub-error.ts';
import { EXIT } from '../exit-codes.ts';
import { err, out } from '../output.ts';
import { openInputFile } from '../input-file.ts';
import { configConnectors, unknownConnector } from '../connector-ids.ts';

export interface MapOptions {
  mapping: string;
  out?: 'ndjson' | 'json' | 'table';
  timezone?: string;
  warnings?: boolean;
  quiet?: boolean;
  /** The connector's agency, as the hub would run the mapping: `{ context: agency.ori }` reads it, other agencies' records are refused. */
  agency?: string;
  /** With `agency`: accept other agencies' records (a lab's feed). */
  allowOtherAgencies?: boolean;
  /** Run as this connector of the configuration runs: its agency, time zone and allowOtherAgencies. */
  connector?: string;
  /** The hub configuration to read the connector or agency from (default config/cgic.yaml). */
  config?: string;
}

/** The agency a preview runs as, and where it came from (said in the summary). */
interface RunAgency {
  ori: string;
  timeZone?: string;
  allowOtherAgencies: boolean;
  from: string;
}

/**
 * `--agency` (its time zone from the configuration when it lists the agency), else `--connector`, else,
 * for a mapping that reads `{ context: ... }`, the configuration's connectors using this mapping when
 * they share one agency. None: the preview runs without an agency (context values empty, no check).
 */
async function runAgency(opts: MapOptions, mapping: InboundMapping): Promise<RunAgency | undefined> {
  const want = opts.agency !== undefined || opts.connector !== undefined || mapping.readsContext;
  if (!want) return undefined;
  const configFile = opts.config ?? DEFAULT_CONFIG;
  let cfg: HubConfig | undefined;
  if (opts.connector !== undefined || opts.config !== undefined || existsSync(configFile)) {
    try {
      cfg = await loadHubConfig(configFile);
    } catch (e) {
      // An explicit connector needs the configuration; otherwise its problems are cgic validate's to report.
      if (opts.connector !== undefined) throw e;
    }
  }
  const zoneOf = (ori: string): string | undefined => {
    if (!cfg) return opts.timezone;
    return cfg.agencies.find((a) => a.ori === ori)?.timezone ?? opts.timezone ?? cfg.hub.timezone;
  };
  if (opts.agency !== undefined) {
    const ori = opts.agency.trim().toUpperCase();
    const timeZone = zoneOf(ori);
    return { ori, ...(timeZone ? { timeZone } : {}), allowOtherAgencies: opts.allowOtherAgencies === true, from: '--agency' };
  }
  if (opts.connector !== undefined) {
    const conn = cfg!.connectors.find((c) => c.id === opts.connector);
    if (!conn) throw await unknownConnector(opts.connector, configConnectors(cfg!));
    const timeZone = zoneOf(conn.agency);
    return { ori: conn.agency, ...(timeZone ? { timeZone } : {}), allowOtherAgencies: conn.allowOtherAgencies, from: `connector ${conn.id}` };
  }
  const using = (cfg?.connectors ?? []).filter((c) => c.mapping === mapping.id || path.resolve(c.mapping) === path.resolve(opts.mapping));
  const agencies = new Set(using.map((c) => `${c.agency}|${c.allowOtherAgencies}`));
  if (using.length === 0 || agencies.size !== 1) return undefined;
  const conn = using[0]!;
  const timeZone = zoneOf(conn.agency);
  return { ori: conn.agency, ...(timeZone ? { timeZone } : {}), allowOtherAgencies: conn.allowOtherAgencies, from: `connector ${using.map((c) => c.id).join(', ')}` };
}

export async function mapCommand(file: string, opts: MapOptions): Promise<number> {
  const mapping = await loadMapping(opts.mapping);
  if (!(mapping instanceof InboundMapping)) {
    throw new HubError('HUB_ERR_CLI_USAGE', { reason: `${mapping.label} is an outbound mapping; cgic map previews inbound mappings` });
  }
  const format = opts.out ?? 'ndjson';
  const all: unknown[] = [];
  const table: string[][] = [];
  const agency = await runAgency(opts, mapping);
  const { handle, stat } = await openInputFile(file, `${file} is a folder; cgic map reads one file (for each file of a folder: for f in ${file}/*; do cgic map -m ${opts.mapping} "$f"; done)`);
  if (!agency && mapping.readsContext) {
    err(`note: ${mapping.label} reads { context: agency.* } and no agency is given: those fields are empty (use --agency <ORI> or --connector <id>)`);
  }
  const summary = await previewMapping(
    mapping,
    handle.createReadStream({ highWaterMark: 256 * 1024 }),
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
    {
      file: path.basename(file),
      timezone: opts.timezone ?? agency?.timeZone,
      ...(agency ? { agency: { ori: agency.ori, ...(agency.timeZone ? { timeZone: agency.timeZone } : {}) }, allowOtherAgencies: agency.allowOtherAgencies } : {}),
    },
  ).finally(() => handle.close()); // the stream closes it when read to the end; not when the file is refused on the way
  if (format === 'json' && !opts.quiet) out(JSON.stringify(all, null, 2));
  if (format === 'table' && !opts.quiet) printTable(['row', 'type', 'key'], table);
  printSummary(summary, mapping.label, file);
  if (agency) err(`  (agency from ${agency.from})`);
  // A non-empty file from which nothing at all was read (its root matches no record path): failed work.
  const nothingRead = summary.rowsRead === 0 && stat.size > 0 && (summary.nothingMatched ?? []).some((n) => n.what === 'record');
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
