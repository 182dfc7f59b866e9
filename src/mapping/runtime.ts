/**
 * What compiled mapping functions share at run time: the per-record context they report into, and the
 * scope chain that paths are resolved against.
 */
import { detached } from '../formats/detached.ts';
import { errorReport, type ErrorReport } from '../errors/hub-error.ts';
import type { ErrorCode } from '../errors/registry.ts';
import type { SourcePointer } from '../formats/source-pointer.ts';
import type { XmlElement } from '../formats/xml-tree.ts';

/** Where a path is evaluated: the record itself, or an element of a `forEach`, with its parent scope. */
export interface Scope {
  readonly node: unknown;
  readonly parent: Scope | null;
  /** JSON: pointer of this scope's node relative to the source record (for error pointers). */
  readonly path?: string;
}

/**
 * Where the value an accessor read last sits (set by the path accessors, reset by each field before it
 * reads): the XML element that held it, or its JSON pointer below the source record. Lets an error point
 * at the value, in the document's own names, even when predicates or id() chose it.
 */
export const valueTrace: { last: XmlElement | string | null } = { last: null };

/** `/p:Item[2]/p:Serial[1]`: an element's path below its source record's root element. */
export function relativeXPath(el: XmlElement): string {
  const parts: string[] = [];
  for (let e: XmlElement | null = el; e && e.parent; e = e.parent) {
    let pos = 0;
    for (const sib of e.parent.children) {
      if (sib.ns === e.ns && sib.local === e.local) pos++;
      if (sib === e) break;
    }
    parts.push(`${e.qname}[${pos}]`);
  }
  return parts.length ? '/' + parts.reverse().join('/') : '';
}

/** Returned by an operation that failed (it has already reported why). */
export const FAIL: unique symbol = Symbol('mapping-failure');
export type Fail = typeof FAIL;

/** What a failing field contributes to its error's pointer: the source column, XPath or JSON pointer. */
export interface FieldSite {
  /** Output field, dotted (e.g. `serial.raw`). */
  readonly field: string;
  /** The source path the value came from (of alternates, the one that gave the value; a CSV column as the file spells it). */
  source: string | undefined;
  /** Where the value read last for this field sits (see `valueTrace`), for errors found after the field (schema, key). */
  at?: XmlElement | string | null;
}

/**
 * One record's run: errors fail the source row (it is quarantined whole); warnings (unknown code values
 * with `onUnknown: warn`) are reported and counted but the row goes on. Reused between records.
 */
export class RunContext {
  errors: ErrorReport[] = [];
  warnings: ErrorReport[] = [];
  /** table -> raw value -> count, across the whole run. */
  readonly unknownCodes = new Map<string, Map<string, number>>();
  base: SourcePointer = {};
  /** The lines of the record's parts, by JSON pointer (JsonRecord.lines), when it has them. */
  lines: ReadonlyMap<string, number> | undefined;
  /** The file being read, for pointers. */
  file: string | undefined;
  timezone: string;
  format: 'csv' | 'xml' | 'json' = 'csv';
  /** The scope of the field being evaluated (set by each compiled field). */
  scope: Scope | null = null;
  /**
   * Errors, warnings and unknown codes reported so far (never reset): a field whose evaluation left it
   * unchanged had no side effect, so its result may be reused for the same input (see `ValueMemo`).
   */
  effects = 0;
  /**
   * For the "nothing matched" report: source records the record types were tried on, and the elements
   * each record `forEach` matched across the run (by index in `records:`).
   */
  recordsTried = 0;
  /** The connector's agency, for `{ context: agency.ori }` / `agency.timeZone` and the agency check. */
  agency: { ori?: string; timeZone?: string } | undefined;
  /** Refuse records whose agencyOri is not `agency.ori` (HUB_ERR_RECORD_AGENCY): a connector without allowOtherAgencies. */
  checkAgency = false;
  readonly forEachMatched = new Map<number, number>();

  constructor(timezone: string, file?: string) {
    this.timezone = timezone;
    this.file = file;
  }

  reset(base: SourcePointer, lines?: ReadonlyMap<string, number>): void {
    this.base = base;
    this.lines = lines;
    if (this.errors.length) this.errors = [];
    if (this.warnings.length) this.warnings = [];
  }

  /** The pointer of a scope's own node (a forEach element): its XPath or JSON pointer below the record's. */
  scopePointer(scope: Scope): SourcePointer {
    if (this.format === 'xml') {
      const el = scope.node as XmlElement | undefined;
      return el && typeof el === 'object' && 'children' in el ? { ...this.base, xpath: `${this.base.xpath ?? ''}${relativeXPath(el)}` } : this.base;
    }
    if (this.format === 'json' && scope.path) return this.atJson(scope.path);
    return this.base;
  }

  /** The record's pointer with a JSON pointer below it, and the line of the part it is in, where known. */
  private atJson(at: string): SourcePointer {
    const p: SourcePointer = { ...this.base, jsonPointer: `${this.base.jsonPointer ?? ''}${at}` };
    if (this.lines) {
      for (let prefix = at; prefix; prefix = prefix.slice(0, prefix.lastIndexOf('/'))) {
        const line = this.lines.get(prefix);
        if (line !== undefined) {
          p.line = line;
          break;
        }
      }
    }
    return p;
  }

  pointerFor(site: FieldSite | undefined): SourcePointer {
    if (this.format === 'csv') return site?.source ? { ...this.base, column: site.source } : this.base;
    // Resolve the path's start as the accessor did: `$/` the record root, each `../` one level up.
    let rest = site?.source ?? '';
    let scope = this.scope;
    let up = 0;
    if (rest.startsWith('$/')) {
      while (scope?.parent) scope = scope.parent;
      rest = rest.slice(2);
      up = -1;
    } else {
      while (rest.startsWith('../')) {
        rest = rest.slice(3);
        up++;
      }
    }
    const matched = valueTrace.last ?? site?.at ?? null;
    if (this.format === 'xml') {
      let at: string;
      if (matched !== null && typeof matched === 'object') at = relativeXPath(matched);
      else {
        let el = scope?.node as XmlElement | undefined;
        for (let i = 0; i < up && el; i++) el = el.parent ?? undefined;
        const from = el && 'children' in el ? relativeXPath(el) : '';
        at = `${from}${rest ? '/' + rest : ''}`;
      }
      return at ? { ...this.base, xpath: `${this.base.xpath ?? ''}${at}` } : this.base;
    }
    for (let i = 0; i < up && scope?.parent; i++) scope = scope.parent;
    const at = typeof matched === 'string' ? matched : `${scope?.path ?? ''}${rest ? '/' + rest.replace(/^\//, '') : ''}`;
    return at ? this.atJson(at) : this.base;
  }

  fail(code: ErrorCode, params: Record<string, unknown>, site?: FieldSite): Fail {
    this.effects++;
    this.errors.push(errorReport(code, { field: site?.field, ...params }, this.pointerFor(site)));
    return FAIL;
  }

  warn(code: ErrorCode, params: Record<string, unknown>, site?: FieldSite): void {
    this.effects++;
    this.warnings.push(errorReport(code, { field: site?.field, ...params }, this.pointerFor(site)));
  }

  countUnknown(table: string, value: string): void {
    this.effects++;
    let m = this.unknownCodes.get(table);
    if (!m) this.unknownCodes.set(table, (m = new Map()));
    m.set(value, (m.get(value) ?? 0) + 1);
  }
}

/** Missing, null, an empty list, or text that is empty or only white space. */
export function isEmpty(v: unknown): boolean {
  if (typeof v === 'string') return v.length === 0 || (v.charCodeAt(0) <= 32 && v.trim() === '');
  return v === undefined || v === null || (Array.isArray(v) && v.length === 0);
}

/** Values reach string operations as strings: numbers and booleans from JSON are converted. */
export function asText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

/** Returned by `ValueMemo.get` when the input has no remembered result. */
export const MISS: unique symbol = Symbol('memo-miss');

/**
 * Longest input text a memo keeps. Values that repeat (an agency, a date, a town) are short; a long one
 * (up to the readers' limits, megabytes) is evaluated each time rather than kept 2,048 times over.
 */
export const MEMO_MAX_CHARS = 256;

/**
 * Remembers what a field's operations made of an input text, within one run (same `RunContext`, same
 * time zone): exports repeat the same values row after row (a lab case's agency, dates, town, offense
 * on each of its items), and dates and lookups are the costly operations. Only results that are plain
 * values (text, number, boolean, empty) and whose evaluation reported nothing are kept, so a hit returns
 * exactly what evaluating again would, with no error, warning or unknown-code count to replay.
 *
 * Bounded (`capacity` entries, then it starts over) and self-disabling: after `probe` lookups with
 * fewer than one hit in four (an item number, a serial), it stops remembering for the rest of the run.
 */
export class ValueMemo {
  private map = new Map<string, unknown>();
  private run: RunContext | null = null;
  private timezone = '';
  private lookups = 0;
  private hits = 0;
  private off = false;
  private lastInput: string | null = null;
  private lastResult: unknown = undefined;

  constructor(
    private readonly capacity = 2048,
    private readonly probe = 4096,
  ) {}

  get(input: string, run: RunContext): unknown {
    if (this.run !== run || this.timezone !== run.timezone) {
      this.map.clear();
      this.run = run;
      this.timezone = run.timezone;
      this.lookups = this.hits = 0;
      this.off = false;
      this.lastInput = null;
    }
    if (this.off || input.length > MEMO_MAX_CHARS) return MISS;
    this.lookups++;
    if (input === this.lastInput) {
      this.hits++;
      return this.lastResult;
    }
    const v = this.map.get(input);
    if (v === undefined && !this.map.has(input)) {
      if (this.lookups >= this.probe && this.hits * 4 < this.lookups) {
        this.off = true;
        this.map.clear();
      }
      return MISS;
    }
    this.hits++;
    this.lastInput = input;
    this.lastResult = v;
    return v;
  }

  /** Keep `result` for `input` when it is a plain value and the evaluation reported nothing. */
  set(input: string, result: unknown, effectsBefore: number, run: RunContext): void {
    if (this.off || run.effects !== effectsBefore || this.run !== run || input.length > MEMO_MAX_CHARS) return;
    const t = typeof result;
    if (result !== undefined && t !== 'string' && t !== 'number' && t !== 'boolean') return;
    if (this.map.size >= this.capacity) this.map.clear();
    const key = detached(input);
    const value = typeof result === 'string' ? detached(result) : result;
    this.map.set(key, value);
    this.lastInput = key;
    this.lastResult = value;
  }
}
