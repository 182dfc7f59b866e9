/**
 * Limits on hostile input: how deep, how large and how long a source may be before a reader refuses
 * it with a coded error instead of spending memory and time on it. Set in the hub configuration
 * (`hub.limits`, overridable per connector with `connectors[].limits`); every reader takes them and
 * stays linear in its input up to them. docs/hostile-input.md says what each one guards and what an
 * operator does when one is hit.
 */

export interface XmlLimits {
  /** Deepest element nesting of a document (the root is depth 1). */
  maxDepth: number;
  /** Largest source record (the record element with everything in it), in characters of text. */
  maxRecordBytes: number;
  /** Most elements in one source record, the record element included. */
  maxRecordElements: number;
  /** Most attributes on one element, namespace declarations included. */
  maxAttributes: number;
}

export interface JsonLimits {
  /** Deepest nesting of arrays and objects (a value at the top level is depth 0, `[1]` is depth 1). */
  maxDepth: number;
  /** Largest JSON document, in bytes. */
  maxDocumentBytes: number;
  /** Longest NDJSON line, in bytes. */
  maxLineBytes: number;
}

export interface CsvLimits {
  /** Largest field, in bytes. */
  maxFieldBytes: number;
  /** Longest row, in bytes: one line, or all the lines of a row whose quoted field spans lines. */
  maxLineBytes: number;
}

export interface FixedWidthLimits {
  /** Longest line (one segment), in bytes. */
  maxLineBytes: number;
  /** Most lines in one source record (its opening line and the segments after it). */
  maxRecordLines: number;
  /** Largest source record (all its lines), in characters of text. */
  maxRecordBytes: number;
}

export interface ReaderLimits {
  xml: XmlLimits;
  json: JsonLimits;
  csv: CsvLimits;
  fixedWidth: FixedWidthLimits;
}

const MiB = 1024 * 1024;

/** The defaults: far above any real export seen, far below what hurts a worker. */
export const DEFAULT_LIMITS: ReaderLimits = {
  // An element of a real export has a handful of attributes; a NIEM root declares a few dozen namespaces at most.
  xml: { maxDepth: 256, maxRecordBytes: 8 * MiB, maxRecordElements: 100_000, maxAttributes: 1000 },
  json: { maxDepth: 256, maxDocumentBytes: 64 * MiB, maxLineBytes: 8 * MiB },
  csv: { maxFieldBytes: 1 * MiB, maxLineBytes: 4 * MiB },
  // A NIBRS segment is at most 307 characters, an incident at most about 1,300 segments.
  fixedWidth: { maxLineBytes: 64 * 1024, maxRecordLines: 10_000, maxRecordBytes: 8 * MiB },
};

export type ReaderLimitsInput = { [K in keyof ReaderLimits]?: Partial<ReaderLimits[K]> };

/** `base` with the keys `override` sets replaced, format by format. */
export function mergeLimits(base: ReaderLimits, override: ReaderLimitsInput | undefined): ReaderLimits {
  return {
    xml: { ...base.xml, ...override?.xml },
    json: { ...base.json, ...override?.json },
    csv: { ...base.csv, ...override?.csv },
    fixedWidth: { ...base.fixedWidth, ...override?.fixedWidth },
  };
}
