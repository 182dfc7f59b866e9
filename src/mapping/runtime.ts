/**
 * What compiled mapping functions share at run time: the per-record context they report into, and the
 * scope chain that paths are resolved against.
 */
import { errorReport, type ErrorReport } from '../errors/hub-error.ts';
import type { ErrorCode } from '../errors/registry.ts';
import type { SourcePointer } from '../formats/source-pointer.ts';

/** Where a path is evaluated: the record itself, or an element of a `forEach`, with its parent scope. */
export interface Scope {
  readonly node: unknown;
  readonly parent: Scope | null;
}

/** Returned by an operation that failed (it has already reported why). */
export const FAIL: unique symbol = Symbol('mapping-failure');
export type Fail = typeof FAIL;

/** What a failing field contributes to its error's pointer: the source column, XPath or JSON pointer. */
export interface FieldSite {
  /** Output field, dotted (e.g. `serial.raw`). */
  readonly field: string;
  /** The source path the value came from, as written in the mapping. */
  readonly source: string | undefined;
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
  /** The file being read, for pointers. */
  file: string | undefined;
  timezone: string;
  format: 'csv' | 'xml' | 'json' = 'csv';

  constructor(timezone: string, file?: string) {
    this.timezone = timezone;
    this.file = file;
  }

  reset(base: SourcePointer): void {
    this.base = base;
    if (this.errors.length) this.errors = [];
    if (this.warnings.length) this.warnings = [];
  }

  pointerFor(site: FieldSite | undefined): SourcePointer {
    if (!site?.source) return this.base;
    if (this.format === 'csv') return { ...this.base, column: site.source };
    if (this.format === 'xml') return { ...this.base, xpath: `${this.base.xpath ?? ''}/${site.source}` };
    return { ...this.base, jsonPointer: `${this.base.jsonPointer ?? ''}/${site.source.replace(/^\$?\//, '')}` };
  }

  fail(code: ErrorCode, params: Record<string, unknown>, site?: FieldSite): Fail {
    this.errors.push(errorReport(code, { field: site?.field, ...params }, this.pointerFor(site)));
    return FAIL;
  }

  warn(code: ErrorCode, params: Record<string, unknown>, site?: FieldSite): void {
    this.warnings.push(errorReport(code, { field: site?.field, ...params }, this.pointerFor(site)));
  }

  countUnknown(table: string, value: string): void {
    let m = this.unknownCodes.get(table);
    if (!m) this.unknownCodes.set(table, (m = new Map()));
    m.set(value, (m.get(value) ?? 0) + 1);
  }
}

export function isEmpty(v: unknown): boolean {
  return v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0);
}

/** Values reach string operations as strings: numbers and booleans from JSON are converted. */
export function asText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}
