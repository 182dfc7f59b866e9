/**
 * Running an inbound mapping over a source stream.
 *
 * Input: a compiled inbound mapping, a byte stream, the file name (for pointers), the agency's time zone.
 * Output: batches of canonical records and of invalid source records (each with all its errors and the
 * raw source, for quarantine), and a running summary. Every source record read is either mapped or
 * invalid: `rowsRead = rowsMapped + rowsInvalid`, always.
 *
 * The raw source kept for quarantine is bounded (boundedPayload: PAYLOAD_MAX_CHARS), and so is every
 * message (formatMessage); a header problem names the mapping's columns and counts fields, never
 * quoting the line, which may be data. Records whose text shows a wrong encoding are counted in the
 * summary and warned about, or quarantined when the mapping says `source.encodingErrors: refuse`.
 */
import type { Readable } from 'node:stream';
import { readCsv } from '../formats/csv-reader.ts';
import { readXml, type XmlReadOptions, type XmlRootElement } from '../formats/xml-reader.ts';
import type { XmlEncodingChoice } from '../formats/xml-encoding.ts';
import { sameEncoding } from '../formats/encoding-names.ts';
import { charsetChooser, type CharsetChoice } from '../formats/sender-charset.ts';
import { readJson, readNdjson } from '../formats/json-reader.ts';
import { readFixedWidth } from '../formats/fixed-width-reader.ts';
import { recordPointer, type SourceBatch, type SourceItem } from '../formats/source-record.ts';
import type { SourcePointer } from '../formats/source-pointer.ts';
import { serializeElement } from '../formats/xml-tree.ts';
import { detached } from '../formats/detached.ts';
import { DEFAULT_LIMITS, type ReaderLimits } from '../formats/limits.ts';
import { describeFindings, encodingCheck } from '../formats/encoding-check.ts';
import { HubError, errorReport, type ErrorReport } from '../errors/hub-error.ts';
import { boundedPayload, PAYLOAD_MAX_CHARS } from '../errors/excerpt.ts';
import { RunContext } from './runtime.ts';
import { InboundMapping, type MappedRecord } from './inbound.ts';
import { mappingNamespaces } from './namespaces.ts';

/**
 * A source record that withdraws (`delete`) or replaces (`replace`) what the source published under its
 * id before (source.recordId / source.action, docs/corrections.md). A delete produces no records; a
 * replace also produces its records, in the same batch.
 */
export interface Retraction {
  sourceRecordId: string;
  action: 'replace' | 'delete';
  row: number;
  pointer: SourcePointer;
}

/** A source record that could not be mapped: quarantined with its raw content, or an excerpt of it when large. */
export interface InvalidSource {
  row: number;
  pointer: SourcePointer;
  errors: ErrorReport[];
  raw: unknown;
}

export interface MappedBatch {
  records: MappedRecord[];
  /** Replace and delete instructions of this batch's source records, in source order. */
  retractions: Retraction[];
  invalid: InvalidSource[];
  warnings: ErrorReport[];
  /** Source records read in this batch. */
  rows: number;
}

export interface MapSummary {
  rowsRead: number;
  rowsMapped: number;
  rowsInvalid: number;
  recordsOut: number;
  recordsByType: Record<string, number>;
  errorsByCode: Record<string, number>;
  warnings: number;
  /** Source records that asked to delete what they published (source.action); absent when none did. */
  deletes?: number;
  /**
   * table -> original text -> count, for values no code table knew: the first UNKNOWN_LISTED distinct
   * values of each table (a file of a million different unknown values must not hold them all).
   */
  unknownCodes: Record<string, Record<string, number>>;
  /** table -> how many times values past the first UNKNOWN_LISTED were seen; absent when none were. */
  unknownCodesUnlisted?: Record<string, number>;
  /** Records whose text shows a wrong encoding (src/formats/encoding-check.ts), and how much of it. */
  encoding: {
    rows: number;
    replacement: number;
    mojibake: number;
    /**
     * XML: the encoding the document declares (bounded) and the one it was read with
     * (src/formats/xml-encoding.ts), when the declaration decided something other than UTF-8 or the
     * mapping's stated encoding overrode it. CSV, JSON, NDJSON (`by: 'content-type'`): the charset the
     * sender's request named and the one the body was read with (src/formats/sender-charset.ts), when
     * it decided something other than UTF-8 or the bytes were UTF-8 instead. Absent otherwise.
     */
    declared?: { name: string; readAs: string; by?: 'content-type' };
  };
  /**
   * Fields marked `warnIfEmpty` that were empty: how many, by field, and the warnings of the first
   * EMPTY_LISTED of them (with their pointers) for the summary. Absent when none was.
   */
  emptyValues?: { count: number; byField: Record<string, number>; first: ErrorReport[] };
  /** The connector's agency the run had (MapOptions.agency), and whether other agencies' records were refused. */
  agency?: { ori: string; timeZone?: string; othersRefused: boolean };
  /** XML: the root element of the document read (its name as written and its namespace URI). */
  document?: { root: string; namespace: string };
  /**
   * What the mapping looked for and never found, for the summary: the record path, when no source
   * record was read from a document (`record`); a record type's `forEach` that matched no element in
   * any source record (`forEach`). Absent when everything matched something.
   */
  nothingMatched?: NothingMatched[];
}

/** See MapSummary.nothingMatched. */
export type NothingMatched =
  | { what: 'record'; path: string }
  | { what: 'forEach'; record: number; type: string; path: string; rows: number };

export interface MapOptions {
  file?: string;
  /** Time zone of the agency the data comes from; the mapping's default otherwise. */
  timezone?: string;
  /** Provenance timestamp; now by default (golden tests fix it). */
  receivedAt?: string;
  /** Source records per batch (a chunk committed to the store). @defaultValue 500 (XML: 200) */
  batchSize?: number;
  /** Limits on hostile input (the connector's, from the hub configuration). @defaultValue DEFAULT_LIMITS */
  limits?: ReaderLimits;
  /**
   * The connector's agency: what `{ context: agency.ori }` and `{ context: agency.timeZone }` read, and,
   * unless `allowOtherAgencies`, the only agencyOri a record may have (else HUB_ERR_RECORD_AGENCY makes
   * its source record invalid).
   */
  agency?: { ori: string; timeZone?: string };
  /** Records of other agencies are accepted (a lab's feed). @defaultValue false */
  allowOtherAgencies?: boolean;
  /**
   * The charset the sender named for these bytes (a webhook's Content-Type), one the hub can decode: a
   * CSV, JSON, NDJSON or fixed-width source is read in it when the mapping states no source.encoding (sender-charset.ts).
   */
  charset?: string;
}

export function emptySummary(): MapSummary {
  return {
    rowsRead: 0,
    rowsMapped: 0,
    rowsInvalid: 0,
    recordsOut: 0,
    recordsByType: {},
    errorsByCode: {},
    warnings: 0,
    unknownCodes: {},
    encoding: { rows: 0, replacement: 0, mojibake: 0 },
  };
}

/** Distinct unknown values listed per code table in a summary; the rest are only counted. */
export const UNKNOWN_LISTED = 1000;
/** An unknown value longer than this is listed by its beginning and "…" (a field may be a megabyte). */
export const UNKNOWN_LISTED_CHARS = 200;

function addUnknown(summary: MapSummary, table: string, values: ReadonlyMap<string, number>): void {
  const t = (summary.unknownCodes[table] ??= {});
  let listed = Object.keys(t).length;
  for (const [value, n] of values) {
    const v = value.length > UNKNOWN_LISTED_CHARS ? `${detached(value.slice(0, UNKNOWN_LISTED_CHARS))}…` : value;
    if (Object.hasOwn(t, v)) t[v]! += n;
    else if (listed < UNKNOWN_LISTED) {
      // Defined, not assigned: an unknown value may be any text, "__proto__" included.
      Object.defineProperty(t, v, { value: n, writable: true, enumerable: true, configurable: true });
      listed++;
    } else {
      const unlisted = (summary.unknownCodesUnlisted ??= {});
      unlisted[table] = (unlisted[table] ?? 0) + n;
    }
  }
}

/** How readSource reads: MapOptions' reading part, and what it tells of the source as it reads. */
interface SourceReading extends Pick<MapOptions, 'file' | 'batchSize' | 'limits' | 'charset'>, Pick<XmlReadOptions, 'onRoot' | 'onEncoding'> {
  /** Told how a body is read when its sender's charset decides (no source.encoding in the mapping). */
  onCharset?: (choice: CharsetChoice) => void;
}

/**
 * Whether a source is read in the charset its sender named (MapOptions.charset): a CSV, JSON, NDJSON or
 * fixed-width mapping that states no source.encoding. (XML: the document's declaration decides.)
 */
export function readsSenderCharset(mapping: unknown): boolean {
  if (!(mapping instanceof InboundMapping)) return false;
  const src = mapping.spec.source!;
  return src.encoding === undefined && src.format !== 'xml';
}

export function readSource(mapping: InboundMapping, input: Readable, how: SourceReading = {}): AsyncGenerator<SourceBatch> {
  const src = mapping.spec.source!;
  const { file, batchSize, limits = DEFAULT_LIMITS, onRoot, onEncoding } = how;
  // CSV, JSON, NDJSON, fixed-width: the sender's charset when the mapping states none (XML reads its declaration).
  const textEncoding = how.charset && readsSenderCharset(mapping) ? charsetChooser(how.charset, how.onCharset ?? (() => {})) : src.encoding;
  const common = { file, ...(batchSize ? { batchSize } : {}) };
  switch (src.format) {
    case 'csv':
      return readCsv(input, { ...common, encoding: textEncoding, ...src.csv, limits: limits.csv });
    case 'xml': {
      const ns = mappingNamespaces(mapping.spec.namespaces);
      return readXml(input, { ...common, encoding: src.encoding, record: src.xml!.record, namespaces: ns.uris, namespaceReadAs: ns.readAs, leadingComments: src.xml!.leadingComments, limits: limits.xml, onRoot, onEncoding });
    }
    case 'json':
      return readJson(input, { ...common, encoding: textEncoding, records: src.json?.records, limits: limits.json });
    case 'ndjson':
      return readNdjson(input, { ...common, encoding: textEncoding, limits: limits.json });
    case 'fixed-width':
      return readFixedWidth(input, mapping.layout!, { ...common, encoding: textEncoding, limits: limits.fixedWidth });
  }
}

/**
 * Maps a stream. `summary` is filled as the source is read, up to one batch ahead of the batches
 * yielded (a batch is held until the next is mapped: see keepRunsTogether); it is complete when the
 * stream ends.
 */
export async function* mapStream(mapping: InboundMapping, input: Readable, summary: MapSummary, opts: MapOptions = {}): AsyncGenerator<MappedBatch> {
  const run = new RunContext(opts.timezone ?? mapping.spec.timezone ?? 'America/New_York', opts.file);
  if (opts.agency) {
    run.agency = { ori: opts.agency.ori, ...(opts.agency.timeZone ? { timeZone: opts.agency.timeZone } : {}) };
    run.checkAgency = opts.allowOtherAgencies !== true;
    summary.agency = { ...run.agency, ori: opts.agency.ori, othersRefused: run.checkAgency };
  }
  const receivedAt = opts.receivedAt ?? new Date().toISOString();
  let header: readonly string[] | undefined;
  const pendingWarnings: ErrorReport[] = [];
  let mapper = mapping.format === 'csv' ? null : mapping.bind(undefined).mapper;
  // An XML document may choose its own encoding (src/formats/xml-encoding.ts): the check follows it.
  let encoding = mapping.spec.source?.encoding ?? 'utf-8';
  let checkEncoding = encodingCheck(encoding);
  /** The encoding as damage reports name it. */
  let encodingNamed = encoding;
  const refuseEncoding = mapping.spec.source?.encodingErrors === 'refuse';
  // Each batch is yielded when the next one is mapped (or the source ends): see keepRunsTogether.
  let pending: MappedBatch | null = null;
  let sawHeader = false;
  const onRoot = (root: XmlRootElement): void => {
    summary.document ??= { root: root.name, namespace: root.namespace };
  };
  const onCharset = (choice: CharsetChoice): void => {
    encoding = choice.used;
    checkEncoding = encodingCheck(encoding);
    encodingNamed = `${choice.used} (the sender's Content-Type names charset ${choice.named}${choice.utf8Instead ? ', but the bytes are UTF-8' : ''})`;
    if (choice.utf8Instead || !sameEncoding(choice.used, 'utf-8')) summary.encoding.declared = { name: choice.named, readAs: choice.used, by: 'content-type' };
  };
  const onEncoding = (choice: XmlEncodingChoice): void => {
    if (choice.used !== encoding) {
      encoding = encodingNamed = choice.used;
      checkEncoding = encodingCheck(encoding);
    }
    // Shown where the declaration decided (a document read as UTF-8 says nothing new) or was overridden.
    if (choice.declared && (choice.ignored || !sameEncoding(choice.used, 'utf-8'))) summary.encoding.declared = { name: choice.declared.name, readAs: choice.used };
    // The mapping's stated encoding overriding the declaration is no warning of its own (it is how a
    // wrong declaration is corrected, file after file): damage it leads to names the declaration.
    if (choice.ignored === 'mapping') encodingNamed = `${choice.used} (the document declares ${choice.declared!.name}; the mapping's source.encoding overrides it)`;
    if (choice.ignored === 'not-single-byte') {
      const { name, line } = choice.declared!;
      summary.warnings++;
      pendingWarnings.push(errorReport('HUB_ERR_SOURCE_XML_ENCODING_IGNORED', { declared: name, line, used: choice.used, reason: 'a declaration written in single-byte text cannot name a UTF-16 or UTF-32 encoding' }, { file: opts.file, line }));
    }
  };
  for await (const batch of readSource(mapping, input, { file: opts.file, batchSize: opts.batchSize, limits: opts.limits, charset: opts.charset, onRoot, onEncoding, onCharset })) {
    if (batch.header) sawHeader = true;
    if (mapping.format === 'csv' && batch.header !== header) {
      header = batch.header;
      const bound = mapping.bind(header);
      const headerWarnings = checkHeader(mapping, bound, header ?? [], opts.file);
      summary.warnings += headerWarnings.length;
      pendingWarnings.push(...headerWarnings);
      mapper = bound.mapper;
    }
    const out: MappedBatch = { records: [], retractions: [], invalid: [], warnings: pendingWarnings.splice(0), rows: batch.items.length };
    for (const item of batch.items) {
      summary.rowsRead++;
      if (item.format === 'failure') {
        addInvalid(out, summary, item.row, item.error.pointer ?? { file: opts.file, row: item.row }, [item.error], item.raw);
        continue;
      }
      const damage = checkEncoding(item);
      if (damage) {
        summary.encoding.rows++;
        summary.encoding.replacement += damage.replacement;
        summary.encoding.mojibake += damage.mojibake;
        const report = errorReport('HUB_ERR_SOURCE_ENCODING_MISMATCH', { problem: describeFindings(damage, encoding), encoding: encodingNamed }, recordPointer(item, opts.file));
        if (refuseEncoding) {
          addInvalid(out, summary, item.row, report.pointer!, [report], rawOf(item, header));
          continue;
        }
        summary.warnings++;
        out.warnings.push(report);
      }
      const r = mapper!(item, run, receivedAt);
      if (r.warnings.length) {
        summary.warnings += r.warnings.length;
        out.warnings.push(...r.warnings);
        for (const w of r.warnings) if (w.code === 'HUB_ERR_RECORD_EMPTY') countEmpty(summary, w);
      }
      if (r.errors.length) {
        addInvalid(out, summary, item.row, run.base, r.errors, rawOf(item, header));
        continue;
      }
      summary.rowsMapped++;
      if (r.identity && r.identity.action !== 'upsert') {
        out.retractions.push({ sourceRecordId: r.identity.recordId, action: r.identity.action, row: item.row, pointer: run.base });
        if (r.identity.action === 'delete') summary.deletes = (summary.deletes ?? 0) + 1;
      }
      for (const rec of r.records) {
        out.records.push(rec);
        summary.recordsOut++;
        summary.recordsByType[rec.type] = (summary.recordsByType[rec.type] ?? 0) + 1;
      }
    }
    for (const [table, values] of run.unknownCodes) addUnknown(summary, table, values);
    run.unknownCodes.clear();
    if (pending) {
      keepRunsTogether(pending, out);
      yield pending;
    }
    pending = out;
  }
  const nothing = nothingMatched(mapping, summary, run, sawHeader);
  if (nothing.length) summary.nothingMatched = nothing;
  if (pending) yield pending;
}

/**
 * What never matched in this run: the record path of an XML document from which no source record was
 * read, a CSV header row below line 1 never reached, and record types whose `forEach` found no element in any source
 * record. An empty source (no root element, no line) matched nothing and is not reported.
 */
function nothingMatched(mapping: InboundMapping, summary: MapSummary, run: RunContext, sawHeader: boolean): NothingMatched[] {
  const out: NothingMatched[] = [];
  const src = mapping.spec.source!;
  if (summary.rowsRead === 0) {
    if (src.format === 'xml' && summary.document) out.push({ what: 'record', path: src.xml!.record });
    // A file shorter than a headerRow below line 1 (a title block cut off, or no line break decoded).
    if (src.format === 'csv' && !sawHeader && (src.csv?.headerRow ?? 1) > 1) out.push({ what: 'record', path: `header row ${src.csv?.headerRow ?? 1}` });
  }
  if (run.recordsTried > 0) {
    (mapping.spec.records ?? []).forEach((r, i) => {
      if (r.forEach !== undefined && r.forEach !== '.' && !run.forEachMatched.get(i)) out.push({ what: 'forEach', record: i, type: r.type, path: r.forEach, rows: run.recordsTried });
    });
  }
  return out;
}

/**
 * Consecutive source rows often restate one record (the rows of a lab case each carry its Case and
 * LabCase, sometimes worded differently: a date with and without its time). A chunk is one change in
 * the store, so such a run must not straddle two chunks: the record would change twice, and again on
 * every re-ingest of the same file. The records of `prev`'s trailing rows that share a record (type and
 * key) with `next`'s first row, directly or through each other, move to the start of `next`, and with
 * them the replace and delete instructions of those rows and of the rows after them, so a batch applies
 * them in source order after its records. Only records and instructions move; rows, invalid rows and
 * warnings stay where they were read, and the order of records across the stream is unchanged. A run as
 * long as the whole batch is left where it is.
 */
function keepRunsTogether(prev: MappedBatch, next: MappedBatch): void {
  const recs = prev.records;
  if (recs.length === 0 || next.records.length === 0) return;
  const rowOf = (r: MappedRecord): number | undefined => r.sourceRefs[0]?.pointer?.row;
  const idOf = (r: MappedRecord): string => `${r.type}\u0000${r.key}`;
  const firstRow = rowOf(next.records[0]!);
  const shared = new Set<string>();
  for (const r of next.records) {
    if (rowOf(r) !== firstRow) break;
    shared.add(idOf(r));
  }
  let start = recs.length;
  while (start > 0) {
    const row = rowOf(recs[start - 1]!);
    let j = start;
    while (j > 0 && rowOf(recs[j - 1]!) === row) j--;
    let linked = false;
    for (let k = j; k < start && !linked; k++) linked = shared.has(idOf(recs[k]!));
    if (!linked) break;
    for (let k = j; k < start; k++) shared.add(idOf(recs[k]!));
    start = j;
  }
  if (start === 0 || start === recs.length) return;
  const fromRow = rowOf(recs[start]!) ?? Infinity;
  next.records = recs.splice(start).concat(next.records);
  const moved = prev.retractions.filter((r) => r.row >= fromRow);
  if (moved.length) {
    prev.retractions = prev.retractions.filter((r) => r.row < fromRow);
    next.retractions = moved.concat(next.retractions);
  }
}

/** Empty values listed in the summary with their pointers; the rest are counted (`cgic map --warnings` lists them all). */
export const EMPTY_LISTED = 10;

function countEmpty(summary: MapSummary, w: ErrorReport): void {
  const e = (summary.emptyValues ??= { count: 0, byField: {}, first: [] });
  e.count++;
  const field = w.field ?? '?';
  e.byField[field] = (e.byField[field] ?? 0) + 1;
  if (e.first.length < EMPTY_LISTED) e.first.push(w);
}

function addInvalid(out: MappedBatch, summary: MapSummary, row: number, pointer: SourcePointer, errors: ErrorReport[], raw: unknown): void {
  summary.rowsInvalid++;
  for (const e of errors) summary.errorsByCode[e.code] = (summary.errorsByCode[e.code] ?? 0) + 1;
  out.invalid.push({ row, pointer, errors, raw: boundedPayload(raw) });
}

/** The source record as it was, for quarantine: a CSV row as header -> value, XML as markup, JSON as is. */
export function rawOf(item: SourceItem, header: readonly string[] | undefined): unknown {
  switch (item.format) {
    case 'csv': {
      const o: Record<string, string> = {};
      item.values.forEach((v, i) => (o[header?.[i] ?? String(i + 1)] = v));
      return o;
    }
    case 'xml':
      // Serializing stops past the bound: a large record is never turned into one large string.
      return serializeElement(item.element, PAYLOAD_MAX_CHARS + 1);
    case 'json':
      return item.value;
    case 'failure':
      return item.raw;
  }
}

/**
 * A CSV file's header against the mapping. Fatal (thrown, the file is refused): a column a required
 * field reads is missing; a column the mapping reads is named twice. Returned as warnings: a missing
 * column of an optional field (it stays empty), a duplicated column the mapping does not read. The
 * messages name the mapping's columns and count the header's fields; they never quote the header line,
 * which in a file exported without one is a data row.
 */
/** Field positions for a message: the first ten, then how many more (a header may repeat a name 100,000 times). */
function positionList(at: readonly number[]): string {
  return at.length <= 10 ? at.join(', ') : `${at.slice(0, 10).join(', ')} and ${at.length - 10} more`;
}

function checkHeader(mapping: InboundMapping, bound: ReturnType<InboundMapping['bind']>, header: readonly string[], file: string | undefined): ErrorReport[] {
  const line = mapping.spec.source?.csv?.headerRow ?? 1;
  const pointer = { file, line };
  const expected = [...bound.columns.keys()].map((c) => `"${c}"`).join(', ');
  const missingParams = (m: (typeof bound.missing)[number]) => ({ line, fields: `${header.length} field${header.length === 1 ? '' : 's'}`, column: m.column.map((c) => `"${c}"`).join(' or '), expected });
  const fatal = bound.missing.find((m) => m.required);
  if (fatal) throw new HubError('HUB_ERR_SOURCE_HEADER', missingParams(fatal), pointer);
  const warnings: ErrorReport[] = [];
  // Named twice. A column the mapping reads is ambiguous when the rule that finds it (the exact name,
  // else the name trimmed and ignoring case) matches two fields: the file is refused. Other duplicates
  // are said once.
  const where = (match: (h: string) => boolean): number[] => header.flatMap((h, i) => (match(h) ? [i + 1] : []));
  for (const name of bound.columns.keys()) {
    const exact = where((h) => h === name);
    const want = name.trim().toUpperCase();
    const at = exact.length ? exact : where((h) => h.trim().toUpperCase() === want);
    if (at.length > 1) throw new HubError('HUB_ERR_SOURCE_HEADER_DUPLICATE', { line, column: `"${name}"`, count: at.length, positions: positionList(at) }, { ...pointer, column: name });
  }
  const read = new Set([...bound.columns.values()].map((c) => c.trim().toUpperCase()));
  const groups = new Map<string, number[]>();
  header.forEach((h, i) => {
    const k = h.trim().toUpperCase();
    if (k === '' || read.has(k)) return;
    const at = groups.get(k);
    if (at) at.push(i + 1);
    else groups.set(k, [i + 1]);
  });
  for (const at of groups.values()) {
    if (at.length < 2) continue;
    const name = header[at[0]! - 1]!.trim();
    const w = errorReport('HUB_ERR_SOURCE_HEADER_DUPLICATE', { line, column: `"${name}"`, count: at.length, positions: positionList(at) }, { ...pointer, column: name });
    warnings.push({ ...w, message: `${w.message}; the mapping does not read it` });
  }
  // A column an optional field names that the file lacks: the field stays empty in every row. Say so once.
  for (const m of bound.missing.filter((x) => !x.required)) {
    const w = errorReport('HUB_ERR_SOURCE_HEADER', missingParams(m), pointer);
    warnings.push({ ...w, field: m.field, message: `${w.message}; field ${m.field} stays empty` });
  }
  return warnings;
}
