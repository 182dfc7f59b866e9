import type { ErrorReport } from '../errors/hub-error.ts';
import type { XmlElement } from './xml-tree.ts';
import type { SourcePointer } from './source-pointer.ts';

/** One record read from a source, before mapping. Rows and lines are 1-based. */
export type SourceRecord = CsvRow | XmlRecord | JsonRecord;

export interface CsvRow {
  readonly format: 'csv';
  readonly values: string[];
  readonly row: number;
  readonly line: number;
}

export interface XmlRecord {
  readonly format: 'xml';
  readonly element: XmlElement;
  readonly row: number;
  readonly line: number;
  /** Prefixed path as written in the document, e.g. /lims:Export/lims:LabCase[3]. */
  readonly xpath: string;
}

export interface JsonRecord {
  readonly format: 'json';
  readonly value: unknown;
  readonly row: number;
  readonly line?: number;
  /** Where the record sits in its document ('' for an NDJSON line). */
  readonly jsonPointer: string;
  /**
   * The line of each part of a record read from several lines, by JSON pointer below the record (a
   * fixed-width record's segments: `/offenses/1` -> 3), so a pointer into a part names its own line.
   */
  readonly lines?: ReadonlyMap<string, number>;
}

/** A record the reader could not read at all (malformed CSV row, XML error): quarantined as is. */
export interface SourceFailure {
  readonly format: 'failure';
  readonly row: number;
  readonly line?: number;
  readonly error: ErrorReport;
  /** The raw text, where the reader has it. */
  readonly raw?: string;
}

export type SourceItem = SourceRecord | SourceFailure;

/** Readers yield batches: a job carries a chunk, never a single record. */
export interface SourceBatch {
  /** CSV: the header row the values are indexed by. */
  readonly header?: readonly string[];
  readonly items: SourceItem[];
}

/** Where a record sits in its source: file, row, line, and its XPath or JSON pointer. */
export function recordPointer(s: SourceRecord, file: string | undefined): SourcePointer {
  const p: SourcePointer = {};
  if (file) p.file = file;
  p.row = s.row;
  if (s.line !== undefined) p.line = s.line;
  if (s.format === 'xml') p.xpath = s.xpath;
  if (s.format === 'json' && s.jsonPointer) p.jsonPointer = s.jsonPointer;
  return p;
}
