/**
 * Fixed-width segment files: one line a segment, its fields at fixed character positions, a record made
 * of the lines from a line of an opening segment up to the next (the NIBRS flat file: an Administrative
 * segment, then that incident's Offense, Property, Victim, Offender and Arrestee segments).
 *
 * Input: a byte stream, the mapping's layout (`source.fixedWidth`, compiled by `compileLayout`) and the
 * limits (src/formats/limits.ts).
 * Output: batches of records read as JSON values, so the mapping's JSON paths apply: the opening line's
 * `common` fields at the top, and each segment under its name, an object (a segment once per record) or
 * an array of them (`repeats`), each with its `common` fields too. Positions are 1-based characters,
 * "38-45" or "46", as the record layouts of such specifications print them; a value is its text without
 * the padding spaces, and a field left blank is absent. A list of positions (`["42", "43", "44"]`) gives
 * the values that are there, in order; a repeated group (`{ repeat: 3, every: 3, fields: ... }`, the
 * positions of its first occurrence) gives one object per occurrence that has any value.
 *
 * Nothing is dropped silently. A line the layout cannot place becomes a failure of its own (its text kept
 * for the quarantine) and the lines after it are read: a segment the layout does not name, a line of a
 * record's segment before any opening line, a line whose `key` fields differ from its record's opening
 * line. A record with a second line of a segment that is not `repeats` fails whole. Limits: a line past
 * `maxLineBytes` (the rest of it is never held; its first characters say where it belongs) and a record
 * past `maxRecordLines` lines or `maxRecordBytes` characters fail, with their first characters; the lines
 * of a record past a limit are counted, not kept, so a record never holds more than the limits allow.
 *
 * A file of another kind is refused whole (HUB_ERR_SOURCE_FIXED_LAYOUT) rather than line by line: when
 * none of its first FIRST_LINES lines (or of all its lines, if it has fewer) has a segment code the
 * layout names and the start the layout's `match` describes. A line of a known segment out of place
 * does not count against the file.
 *
 * Rows number the items in the order they are emitted, which is the order records end: a record ends at
 * the next opening line, so a line refused on its own inside it comes (and is numbered) before it. Lines
 * are the file's own: a record's is its opening line.
 */
import type { Readable } from 'node:stream';
import { normalizeEncoding, type EncodingChooser } from './decode.ts';
import { errorReport, HubError } from '../errors/hub-error.ts';
import { PAYLOAD_MAX_CHARS } from '../errors/excerpt.ts';
import { LineSplitter } from './line-splitter.ts';
import { DEFAULT_LIMITS, type FixedWidthLimits } from './limits.ts';
import type { SourceBatch, SourceItem } from './source-record.ts';

/** Characters of a line, counted from 1: "38-45" (first and last), "46" or 46. */
export type FixedPosition = string | number;

/** A field's place: a position, a list of them, or a group repeated every `every` characters. */
export type FieldLayoutSpec = FixedPosition | FixedPosition[] | { repeat: number; every: number; fields: Record<string, FixedPosition> };

export interface SegmentLayoutSpec {
  /** The name the segment's fields are found under in the record. */
  name: string;
  /** A line of this segment begins a new record. */
  starts?: boolean;
  /** The segment may appear more than once in a record (an array); otherwise at most once (an object). */
  repeats?: boolean;
  fields?: Record<string, FieldLayoutSpec>;
}

export interface FixedWidthSpec {
  /** Positions of the code that says which segment a line is. */
  segment: FixedPosition;
  /**
   * What the start of every line of this layout looks like, as a regular expression tested from the
   * line's first character (NIBRS: `\d{4}[0-7][IAMRDW]`, its length, level and action). A line that does
   * not match is no segment of the layout, whatever its segment code.
   */
  match?: string;
  /** Fields every segment has at the same positions. The record's own are those of its opening line. */
  common?: Record<string, FixedPosition>;
  /** Common fields a record's every line repeats from its opening line (its ORI and incident number). */
  key?: string[];
  /** Segment code -> its layout. */
  segments: Record<string, SegmentLayoutSpec>;
}

/** How many lines without a known segment code, before any with one, refuse a file as not of its layout. */
export const FIRST_LINES = 10;

/** A span of a line, 0-based, end exclusive. */
interface Span {
  readonly from: number;
  readonly to: number;
}

type CompiledField =
  | { readonly kind: 'one'; readonly name: string; readonly span: Span }
  | { readonly kind: 'list'; readonly name: string; readonly spans: readonly Span[] }
  | { readonly kind: 'group'; readonly name: string; readonly occurrences: readonly (readonly [string, Span])[][] };

interface CompiledSegment {
  readonly code: string;
  readonly name: string;
  readonly starts: boolean;
  readonly repeats: boolean;
  readonly fields: readonly CompiledField[];
}

export interface FixedWidthLayout {
  readonly segment: Span;
  /** `match`, anchored at the line's start; null when the layout has none. */
  readonly match: RegExp | null;
  readonly common: readonly CompiledField[];
  readonly key: readonly string[];
  readonly segments: ReadonlyMap<string, CompiledSegment>;
}

/** A layout mistake, with where in `source.fixedWidth` it is (the mapping loader locates it). */
export class LayoutError extends Error {
  constructor(
    readonly path: (string | number)[],
    message: string,
  ) {
    super(message);
  }
}

/** Every mistake of a layout, found in one pass. */
export class LayoutErrors extends Error {
  constructor(readonly errors: readonly LayoutError[]) {
    super(errors.map((e) => e.message).join('; '));
  }
}

const POSITIONS = /^([1-9]\d{0,5})(?:-([1-9]\d{0,5}))?$/;

/** A layout being compiled: its mistakes are noted, and a placeholder stands in for what was wrong. */
class LayoutCompiler {
  readonly problems: LayoutError[] = [];

  problem(path: (string | number)[], message: string): void {
    this.problems.push(new LayoutError(path, message));
  }

  span(position: FixedPosition, path: (string | number)[]): Span {
    const text = String(position).trim();
    const m = POSITIONS.exec(text);
    if (!m) {
      this.problem(path, `"${text}" is not a position: write "38-45" (first and last character, counted from 1) or "46"`);
      return { from: 0, to: 0 };
    }
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    if (to < from) this.problem(path, `"${text}" ends before it starts: write the first character, then the last`);
    return { from: from - 1, to };
  }

  field(name: string, spec: FieldLayoutSpec, path: (string | number)[]): CompiledField {
    if (typeof spec === 'string' || typeof spec === 'number') return { kind: 'one', name, span: this.span(spec, path) };
    if (Array.isArray(spec)) return { kind: 'list', name, spans: spec.map((s, i) => this.span(s, [...path, i])) };
    const first = Object.entries(spec.fields).map(([n, s]) => [n, this.span(s, [...path, 'fields', n])] as const);
    const occurrences: (readonly [string, Span])[][] = [];
    for (let i = 0; i < spec.repeat; i++) {
      const shift = i * spec.every;
      occurrences.push(first.map(([n, s]) => [n, { from: s.from + shift, to: s.to + shift }] as const));
    }
    return { kind: 'group', name, occurrences };
  }

  fields(fields: Record<string, FieldLayoutSpec> | undefined, path: (string | number)[]): CompiledField[] {
    return Object.entries(fields ?? {}).map(([name, spec]) => this.field(name, spec, [...path, name]));
  }
}

/** A layout's `match` is read at the start of each line, with flag u (strict syntax). */
export const LINE_MATCH_FLAGS = 'u';
export const lineMatchSource = (match: string): string => `^(?:${match})`;

/** The layout as the reader uses it; LayoutErrors names every mistake (the schema checks the shape). */
export function compileLayout(spec: FixedWidthSpec): FixedWidthLayout {
  const c = new LayoutCompiler();
  const base = ['source', 'fixedWidth'];
  const common = c.fields(spec.common, [...base, 'common']);
  const commonNames = new Set(common.map((f) => f.name));
  (spec.key ?? []).forEach((k, i) => {
    if (!commonNames.has(k)) c.problem([...base, 'key', i], `key "${k}" is not one of the common fields (${[...commonNames].join(', ') || 'none declared'})`);
  });
  const segments = new Map<string, CompiledSegment>();
  const names = new Map<string, string>();
  for (const [code, seg] of Object.entries(spec.segments)) {
    const at = [...base, 'segments', code];
    const clash = names.get(seg.name);
    if (clash !== undefined) c.problem([...at, 'name'], `segments "${clash}" and "${code}" are both named "${seg.name}"`);
    if (commonNames.has(seg.name)) c.problem([...at, 'name'], `segment name "${seg.name}" is also a common field's: the record could not hold both`);
    names.set(seg.name, code);
    const fields = c.fields(seg.fields, [...at, 'fields']);
    for (const f of fields) {
      if (commonNames.has(f.name)) c.problem([...at, 'fields', f.name], `field "${f.name}" is also a common field: name it otherwise`);
    }
    segments.set(code, { code, name: seg.name, starts: seg.starts === true, repeats: seg.repeats === true, fields });
  }
  if (![...segments.values()].some((s) => s.starts)) c.problem([...base, 'segments'], 'no segment starts a record: mark the opening segment(s) with starts: true');
  const segment = c.span(spec.segment, [...base, 'segment']);
  let match: RegExp | null = null;
  if (spec.match !== undefined) {
    try {
      match = new RegExp(lineMatchSource(spec.match), LINE_MATCH_FLAGS);
    } catch (err) {
      c.problem([...base, 'match'], `"${spec.match}" is not a regular expression: ${(err as Error).message}`);
    }
  }
  if (c.problems.length) throw new LayoutErrors(c.problems);
  return { segment, match, common, key: spec.key ?? [], segments };
}

/**
 * A line as its positions count it: one entry per character. A line of the Basic Multilingual Plane is
 * its own string (a UTF-16 unit is a character); a line with a character beyond it (an emoji, a rare CJK
 * ideograph), which JavaScript holds as two units, is split into characters, so the fields after it keep
 * their places.
 */
type Columns = string | readonly string[];
const ASTRAL = /[\ud800-\udfff]/;
const columnsOf = (line: string): Columns => (ASTRAL.test(line) ? Array.from(line) : line);

function cut(line: Columns, s: Span): string | undefined {
  if (s.from >= line.length) return undefined;
  const part = line.slice(s.from, s.to);
  const v = (typeof part === 'string' ? part : part.join('')).trim();
  return v === '' ? undefined : v;
}

function readFields(line: Columns, fields: readonly CompiledField[], into: Record<string, unknown>): Record<string, unknown> {
  for (const f of fields) {
    if (f.kind === 'one') {
      const v = cut(line, f.span);
      if (v !== undefined) into[f.name] = v;
    } else if (f.kind === 'list') {
      const vs: string[] = [];
      for (const s of f.spans) {
        const v = cut(line, s);
        if (v !== undefined) vs.push(v);
      }
      if (vs.length) into[f.name] = vs;
    } else {
      const groups: Record<string, string>[] = [];
      for (const occ of f.occurrences) {
        const g: Record<string, string> = {};
        let any = false;
        for (const [n, s] of occ) {
          const v = cut(line, s);
          if (v !== undefined) {
            g[n] = v;
            any = true;
          }
        }
        if (any) groups.push(g);
      }
      if (groups.length) into[f.name] = groups;
    }
  }
  return into;
}

export interface FixedWidthReadOptions {
  file?: string;
  /** A name, or a chooser that reads it from the start of the bytes (sender-charset.ts). @defaultValue 'utf-8' */
  encoding?: string | EncodingChooser;
  /** @defaultValue 500 */
  batchSize?: number;
  /** @defaultValue DEFAULT_LIMITS.fixedWidth */
  limits?: FixedWidthLimits;
}

/** Why a record fails: its error, made when the record is emitted (its row is known then). */
interface RecordFailure {
  code: 'HUB_ERR_SOURCE_FIXED_SEGMENT' | 'HUB_ERR_SOURCE_LIMIT_FIXED_LINE' | 'HUB_ERR_SOURCE_LIMIT_FIXED_RECORD';
  params: Record<string, unknown>;
  line: number;
}

interface OpenRecord {
  line: number;
  value: Record<string, unknown>;
  /** The line of each segment, by its JSON pointer in `value`. */
  lines: Map<string, number>;
  keyOf: Record<string, unknown>;
  /** Its lines so far. */
  count: number;
  /** Characters of its lines. */
  chars: number;
  /** Its first lines, for the quarantine when it fails. */
  raw: string[];
  rawChars: number;
  failure: RecordFailure | null;
}

export async function* readFixedWidth(input: Readable, layout: FixedWidthLayout, opts: FixedWidthReadOptions = {}): AsyncGenerator<SourceBatch> {
  const limits = opts.limits ?? DEFAULT_LIMITS.fixedWidth;
  const batchSize = opts.batchSize ?? 500;
  const file = opts.file;
  // A lone CR ends a line too: segment files from older systems end lines so, and read as one line
  // the file would lose every record after the first without a word (a line past the layout's last
  // position is filler).
  const splitter = new LineSplitter(limits.maxLineBytes, PAYLOAD_MAX_CHARS, true);
  const items: SourceItem[] = [];
  // Rows are numbered as items are emitted, so they come in order: a line refused on its own while a
  // record is open is emitted (and numbered) before that record, which ends only at the next one.
  let row = 0;
  let open: OpenRecord | null = null;
  const known = [...layout.segments.keys()].map((c) => `"${c}"`).join(', ');
  /** Lines read before the first with a segment code the layout names; -1 once one was seen. */
  let unplaced = 0;
  const notThisLayout = (lines: number): HubError => new HubError('HUB_ERR_SOURCE_FIXED_LAYOUT', { lines, known }, { file });

  /** A record's lines for the quarantine, up to PAYLOAD_MAX_CHARS in all. */
  const keep = (rec: OpenRecord, text: string): void => {
    const room = PAYLOAD_MAX_CHARS - rec.rawChars - (rec.raw.length ? 1 : 0);
    if (room <= 0) return;
    const kept = text.length > room ? text.slice(0, room) : text;
    rec.raw.push(kept);
    rec.rawChars += kept.length + (rec.raw.length > 1 ? 1 : 0);
  };
  const close = (): void => {
    if (!open) return;
    const rec = open;
    open = null;
    row++;
    if (!rec.failure) {
      items.push({ format: 'json', value: rec.value, row, line: rec.line, jsonPointer: '', lines: rec.lines });
      return;
    }
    const { code, params, line } = rec.failure;
    items.push({ format: 'failure', row, line: rec.line, error: errorReport(code, params, { file, row, line }), raw: rec.raw.join('\n') });
  };
  /** A line that belongs to no record: a failure of its own, as a row of its own. */
  const stray = (line: number, raw: string, code: RecordFailure['code'], params: Record<string, unknown>): void => {
    row++;
    items.push({ format: 'failure', row, line, raw, error: errorReport(code, params, { file, row, line }) });
  };
  const fail = (rec: OpenRecord, failure: RecordFailure): void => {
    rec.failure ??= failure;
  };
  const place = (rec: OpenRecord, seg: CompiledSegment, fields: Record<string, unknown>, line: number): void => {
    if (rec.failure) return;
    if (seg.repeats) {
      const list = (rec.value[seg.name] ??= []) as unknown[];
      rec.lines.set(`/${seg.name}/${list.length}`, line);
      list.push(fields);
      return;
    }
    if (rec.value[seg.name] !== undefined) {
      fail(rec, { code: 'HUB_ERR_SOURCE_FIXED_SEGMENT', params: { line, reason: `a second "${seg.code}" (${seg.name}) segment in the record opened at line ${rec.line}, which the layout allows once (repeats: true allows more)` }, line });
      return;
    }
    rec.value[seg.name] = fields;
    rec.lines.set(`/${seg.name}`, line);
  };
  /**
   * One line: where it goes is decided on its text, or on the first characters of a line past the limit
   * (they hold the segment code and the common fields), so a line too long fails the record it belongs
   * to, not the one before it.
   */
  const takeLine = (line: number, text: string, oversized: boolean): void => {
    const tooLong: RecordFailure = { code: 'HUB_ERR_SOURCE_LIMIT_FIXED_LINE', params: { limit: limits.maxLineBytes, line }, line };
    /** This line refused on its own: as too long when it is, else for the reason given. */
    const refuse = (reason: string): void =>
      oversized ? stray(line, text, tooLong.code, tooLong.params) : stray(line, text, 'HUB_ERR_SOURCE_FIXED_SEGMENT', { line, reason });
    const matches = layout.match === null || layout.match.test(text);
    const cols = columnsOf(text);
    const code = matches ? (cut(cols, layout.segment) ?? '') : '';
    const seg = matches ? layout.segments.get(code) : undefined;
    if (unplaced >= 0) {
      if (seg) unplaced = -1;
      else if (++unplaced >= FIRST_LINES) throw notThisLayout(unplaced);
    }
    if (!matches) return refuse("its start is not that of a line of the mapping's layout (source.fixedWidth.match)");
    if (!seg) {
      // The code is shown as a segment code is (a character or two); anything longer is source text.
      const named = code.length <= 4 && /^[\x21-\x7e]+$/.test(code) ? `segment "${code}"` : `the text at ${positionsOf(layout.segment)}`;
      return refuse(code === '' ? `it has no segment code at ${positionsOf(layout.segment)}` : `${named} is not a segment the mapping's layout names (${known})`);
    }
    const common = readFields(cols, layout.common, {});
    if (seg.starts) {
      close();
      const keyOf: Record<string, unknown> = {};
      for (const k of layout.key) keyOf[k] = common[k];
      const rec: OpenRecord = { line, value: { ...common }, lines: new Map(), keyOf, count: 1, chars: text.length, raw: [], rawChars: 0, failure: null };
      open = rec;
      keep(rec, text);
      if (oversized) fail(rec, tooLong);
      else place(rec, seg, readFields(cols, seg.fields, { ...common }), line);
      return;
    }
    const rec = open as OpenRecord | null;
    if (!rec) return refuse(`segment "${code}" (${seg.name}) comes before any line that starts a record`);
    const differs = layout.key.find((k) => common[k] !== rec.keyOf[k]);
    if (differs !== undefined) return refuse(`its ${differs} differs from that of the record opened at line ${rec.line}: a segment of another record, whose opening line is missing`);
    rec.count++;
    rec.chars += text.length;
    const past =
      rec.count > limits.maxRecordLines ? { limitName: 'maxRecordLines', limit: `${limits.maxRecordLines} lines` } : rec.chars > limits.maxRecordBytes ? { limitName: 'maxRecordBytes', limit: `${limits.maxRecordBytes} characters` } : null;
    if (past) {
      fail(rec, { code: 'HUB_ERR_SOURCE_LIMIT_FIXED_RECORD', params: { ...past, line: rec.line }, line: rec.line });
      // A record past a limit keeps nothing more: its value is dropped, its lines are only counted.
      rec.value = {};
      rec.lines.clear();
      return;
    }
    keep(rec, text);
    if (oversized) fail(rec, tooLong);
    else place(rec, seg, readFields(cols, seg.fields, { ...common }), line);
  };
  const take = (lines: ReturnType<LineSplitter['push']>): void => {
    for (const l of lines) {
      if (l.oversized) takeLine(l.line, l.head.toString('utf8'), true);
      else {
        const text = l.bytes.toString('utf8');
        if (text.trim() !== '') takeLine(l.line, text, false);
      }
    }
  };

  for await (const chunk of normalizeEncoding(input, opts.encoding)) {
    take(splitter.push(chunk as Buffer));
    // A record is complete only when the next one starts: hold the open one back. Nothing is given out
    // before the file is known to be of this layout.
    while (unplaced < 0 && items.length >= batchSize) yield { items: items.splice(0, batchSize) };
  }
  take(splitter.end());
  if (unplaced > 0) throw notThisLayout(unplaced);
  close();
  while (items.length) yield { items: items.splice(0, batchSize) };
}

function positionsOf(s: Span): string {
  return s.to - s.from === 1 ? `position ${s.to}` : `positions ${s.from + 1}-${s.to}`;
}
