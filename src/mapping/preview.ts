/**
 * A mapping previewed on a sample: what `cgic map` prints and what the console's mapping playground
 * shows (`POST /api/playground/map`) come from this one loop, so the two never disagree.
 *
 * Input: a compiled inbound mapping, the sample as a byte stream, its file name (for pointers), a time zone.
 * Output: every batch's records and each bad row's errors and warnings handed to a sink as they are
 * mapped, each problem with the line `cgic map` writes for it; then the summary and its lines.
 * Nothing is stored.
 */
import path from 'node:path';
import type { Readable } from 'node:stream';
import { formatReport, type ErrorReport } from '../errors/hub-error.ts';
import type { InboundMapping, MappedRecord } from './inbound.ts';
import { emptySummary, mapStream, type InvalidSource, type MapSummary, type NothingMatched, type Retraction } from './run.ts';

export interface PreviewSink {
  records(records: readonly MappedRecord[]): void;
  /** A source record that withdraws or replaces what it published, with the line `cgic map` writes. */
  retraction(r: Retraction, line: string): void;
  /** A bad row: all its errors, each with the line `cgic map` writes to stderr for it. */
  invalid(row: InvalidSource, lines: readonly string[]): void;
  /** A warning (a field left empty by `warnIfEmpty`, a column the file lacks), with its line. */
  warning(report: ErrorReport, line: string): void;
}

export interface PreviewOptions {
  /** The sample's name, as pointers show it. */
  file: string;
  timezone?: string;
  /** The connector's agency (context values, agency check) and whether other agencies' records pass: see MapOptions. */
  agency?: { ori: string; timeZone?: string };
  allowOtherAgencies?: boolean;
}

/** Map the sample, feeding the sink batch by batch; the summary when the sample is read. */
export async function previewMapping(mapping: InboundMapping, input: Readable, sink: PreviewSink, opts: PreviewOptions): Promise<MapSummary> {
  const summary = emptySummary();
  for await (const b of mapStream(mapping, input, summary, { file: opts.file, timezone: opts.timezone, agency: opts.agency, allowOtherAgencies: opts.allowOtherAgencies })) {
    if (b.records.length) sink.records(b.records);
    for (const r of b.retractions) {
      sink.retraction(r, `${r.action}  row ${r.row}: source record "${r.sourceRecordId}" ${r.action === 'delete' ? 'withdraws what it published (its records lose this contribution)' : 'replaces what it published before'}`);
    }
    for (const inv of b.invalid) sink.invalid(inv, inv.errors.map(formatReport));
    for (const w of b.warnings) sink.warning(w, `warning: ${formatReport(w)}`);
  }
  return summary;
}

/** The summary block `cgic map` prints after the rows, line by line. */
export function summaryLines(s: MapSummary, label: string, file: string): string[] {
  const lines: string[] = [];
  const types = Object.entries(s.recordsByType).map(([t, n]) => `${t} ${n}`).join(', ') || 'none';
  lines.push('');
  lines.push(`summary  ${path.basename(file)} with ${label}`);
  lines.push(`  rows read      ${s.rowsRead}`);
  lines.push(`  rows mapped    ${s.rowsMapped}`);
  // Rows on the left, errors by code in brackets: one invalid row can carry several errors.
  lines.push(`  rows invalid   ${s.rowsInvalid}${s.rowsInvalid ? '  (errors: ' + Object.entries(s.errorsByCode).map(([c, n]) => `${c} ${n}`).join(', ') + ')' : ''}`);
  lines.push(`  records out    ${s.recordsOut}  (${types})`);
  if (s.deletes) lines.push(`  deletes        ${s.deletes}`);
  const unknown = Object.entries(s.unknownCodes);
  const unlisted = s.unknownCodesUnlisted ?? {};
  const nUnknown = unknown.reduce((a, [table, v]) => a + Object.values(v).reduce((x, y) => x + y, 0) + (unlisted[table] ?? 0), 0);
  lines.push(`  unknown codes  ${nUnknown}`);
  for (const [table, values] of unknown) {
    const top = Object.entries(values).sort((a, b) => b[1] - a[1]);
    const more = unlisted[table] ? `, ... (more than ${top.length} distinct: ${unlisted[table]} more seen, not listed)` : top.length > 10 ? `, ... (${top.length} distinct)` : '';
    lines.push(`    ${table}: ${top.slice(0, 10).map(([v, n]) => `"${v}" x${n}`).join(', ')}${more}`);
  }
  if (s.agency) {
    const a = s.agency;
    lines.push(`  agency         ${a.ori}${a.timeZone ? ` (${a.timeZone})` : ''}: ${a.othersRefused ? "other agencies' records refused (HUB_ERR_RECORD_AGENCY)" : "other agencies' records accepted (allowOtherAgencies)"}`);
  }
  if (s.emptyValues) {
    const ev = s.emptyValues;
    lines.push(`  empty values   ${ev.count}  (${Object.entries(ev.byField).map(([f, n]) => `${f} ${n}`).join(', ')}; warnIfEmpty: the records are kept)`);
    for (const w of ev.first) lines.push(`    ${formatReport(w)}`);
    if (ev.count > ev.first.length) lines.push(`    ... ${ev.count - ev.first.length} more (--warnings lists them all)`);
  }
  const e = s.encoding;
  const declared = e.declared ? `${e.declared.by === 'content-type' ? 'the sender\'s charset' : 'declared'} ${e.declared.name}, read as ${e.declared.readAs}; ` : '';
  lines.push(`  encoding       ${declared}${e.rows ? `${e.rows} record${e.rows === 1 ? '' : 's'} damaged: ${e.replacement} replacement characters, ${e.mojibake} UTF-8 sequences read as single bytes (--warnings lists them)` : 'no damage seen'}`);
  if (s.document) lines.push(`  document       root element ${rootText(s.document)}`);
  if (s.nothingMatched?.length) {
    lines.push(`  nothing matched`);
    for (const n of s.nothingMatched) lines.push(`    ${nothingMatchedLine(n, s)}`);
  }
  const ok = s.rowsRead === s.rowsMapped + s.rowsInvalid;
  lines.push(`  check          read ${s.rowsRead} = mapped ${s.rowsMapped} + invalid ${s.rowsInvalid}${ok ? '' : '  MISMATCH'}`);
  return lines;
}

/** One "nothing matched" line: what the mapping looked for, and the document it did not find it in. */
export function nothingMatchedLine(n: NothingMatched, s: MapSummary): string {
  const root = s.document ? rootText(s.document) : '';
  if (n.what === 'record') {
    return root
      ? `record path ${n.path}: no element of the document matched; its root element is ${root} (check the mapping's source.xml.record and namespaces against it, or whether this is the mapping for this file)`
      : `${n.path}: never reached; the file has fewer lines, or its encoding leaves no line break`;
  }
  return `records[${n.record}] ${n.type}: forEach ${n.path} matched no element in ${n.rows === 1 ? 'the only source record' : `any of ${n.rows} source records`}`;
}

/** `nibrs:Submission {http://fbi.gov/cjis/nibrs/2019}`: the name as the document writes it, and its namespace URI. */
function rootText(d: NonNullable<MapSummary['document']>): string {
  return `${d.root} ${d.namespace ? `{${d.namespace}}` : '(no namespace)'}`;
}
