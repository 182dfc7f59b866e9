/** Options and results shared by every generator kind. */
import type { TextEncoding } from './sink.ts';

export const GENERATOR_KINDS = ['lims-csv', 'lims-xml', 'nibin-leads', 'etrace', 'ndex-xml', 'nibrs-xml'] as const;
export type GeneratorKind = (typeof GENERATOR_KINDS)[number];

/** What kind of defect a deliberately bad LIMS CSV row carries (mappings/lims-csv/README.md, "Known quirks"). */
export type BadRowKind = 'date-impossible' | 'ori-missing' | 'ori-length' | 'caliber-unparseable' | 'make-unknown' | 'boolean-invalid';

export interface BadRow {
  /** 1-based data row (the header is not a row). */
  row: number;
  kind: BadRowKind;
  /** The one column that carries the defect. */
  column: string;
  /** The value written there. */
  value: string;
}

export interface GenerateOptions {
  /**
   * How much to write: data rows (lims-csv, etrace), lab cases (lims-xml), NDJSON lines
   * (nibin-leads), data item packages (ndex-xml), reports (nibrs-xml).
   */
  rows: number;
  /** Same seed, same rows, same options: byte-identical output. A string is hashed to a number. */
  seed: number | string;
  /** lims-csv: text encoding. @defaultValue `'windows-1252'` */
  encoding?: TextEncoding;
  /** lims-csv: start with a byte order mark (only with `encoding: 'utf-8'`). @defaultValue `false` */
  bom?: boolean;
  /** lims-csv: share of deliberately bad rows, one per block of `round(1 / badRowRate)` rows; 0 for none. @defaultValue `0.01` */
  badRowRate?: number;
  /** lims-csv: called once per deliberately bad row, in row order (for golden tests that want the detail). */
  onBadRow?: (bad: BadRow) => void;
}

export interface GenerateSummary {
  kind: GeneratorKind;
  /** The numeric seed used (a string seed is shown hashed). */
  seed: number;
  /** Units written, in the kind's unit (see {@link GenerateOptions.rows}). */
  rows: number;
  bytes: number;
  encoding: TextEncoding;
  /** World blocks rendered. */
  blocks: number;
  /** 1-based data row numbers of the deliberately bad rows (lims-csv; empty for the other kinds). */
  badRowNumbers: number[];
  /** How many bad rows of each kind. */
  badRowKinds: Partial<Record<BadRowKind, number>>;
  /** Kind-specific counts: labCases, items, leads, traces, incidents... */
  counts: Record<string, number>;
}
