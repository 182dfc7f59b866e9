/**
 * Streaming CSV reader.
 *
 * Input: a byte stream (any encoding `normalizeEncoding` knows; BOM removed), the CSV dialect, the limits.
 * Output: batches of rows as string arrays with their 1-based data row number and the physical line the
 * row starts on, plus the header. A malformed row (unclosed quote, wrong column count) or a row past
 * `limits.csv` (CsvLimitGuard) becomes a `SourceFailure` in its place: the file goes on, nothing is
 * dropped. A header past the limits refuses the file (HUB_ERR_SOURCE_LIMIT_CSV_HEADER).
 *
 * csv-parse does the parsing; this class only batches its output and keeps line numbers right. csv-parse's
 * `info.lines` counts the CR and the LF of a CRLF inside a quoted field as two lines, so the reader
 * corrects for the CRLFs it sees in multi-line fields. CRLF, LF and a lone CR all end a row (and a line),
 * mixed in one file as they come.
 */
import { Transform, type Readable } from 'node:stream';
import { Parser, type CsvError, type Options } from 'csv-parse';
import { normalizeEncoding, type EncodingChooser } from './decode.ts';
import { HubError, errorReport } from '../errors/hub-error.ts';
import { excerpt } from '../errors/excerpt.ts';
import { CsvLimitGuard } from './csv-limits.ts';
import { DEFAULT_LIMITS, type CsvLimits } from './limits.ts';
import type { SourceBatch, SourceItem } from './source-record.ts';

export interface CsvDialect {
  /** @defaultValue "," */
  delimiter?: string;
  /** @defaultValue '"' */
  quote?: string;
  /** @defaultValue same as quote */
  escape?: string;
  /** 1-based line that holds the header; lines above it are ignored. @defaultValue 1 */
  headerRow?: number;
  /** Accept rows whose column count differs from the header's. @defaultValue false */
  relaxColumnCount?: boolean;
  /** Lines starting with this are comments. */
  comment?: string;
}

export interface CsvReadOptions extends CsvDialect {
  file?: string;
  /** A name, or a chooser that reads it from the start of the bytes (sender-charset.ts). @defaultValue 'utf-8' */
  encoding?: string | EncodingChooser;
  /** Rows per batch. @defaultValue 500 */
  batchSize?: number;
  /** @defaultValue DEFAULT_LIMITS.csv */
  limits?: CsvLimits;
}

class BatchingParser extends Parser {
  header: string[] | null = null;
  batch: SourceItem[] = [];
  private dataRow = 0;
  private prevLines = 0;
  private crExtra = 0;

  constructor(
    options: Options,
    private readonly file: string | undefined,
    private readonly relaxColumnCount: boolean,
    private readonly batchSize: number,
    /** Lines dropped above the header (headerRow - 1): added to every line number reported. */
    private readonly lineOffset: number,
    /** Rows the limit guard replaced by line breaks: they become failures in their place. */
    private readonly guard: CsvLimitGuard,
    private readonly limits: CsvLimits,
  ) {
    super(options);
    this.on('skip', (err: CsvError) => {
      // The line csv-parse found the error on; the row began on the line after the one before it ended.
      const end = Number(err.lines) - this.crExtra + this.lineOffset;
      // csv-parse reads on to the end of a malformed row and reports every error it meets there (a
      // stray quote puts it out of step for the rest of the line): one row, one failure, the first.
      if (end === this.lastSkipLine && !this.pushedSinceSkip) return;
      this.lastSkipLine = end;
      this.pushedSinceSkip = false;
      const line = Math.min(end, this.lastRowEnd + 1);
      this.lastRowEnd = end;
      this.dataRow++;
      let reason = csvProblem(err);
      // A quote opened and not closed on its line makes csv-parse read the next lines into the same
      // row until a quote closes it: those lines' rows are inside this failure, not lost. Say so.
      if (line < end) {
        const swallowed = end === line + 1 ? `line ${end} was` : `lines ${line + 1}-${end} were`;
        reason += `; the row runs from line ${line} to line ${end}: a quote opened on line ${line} is not closed there, so ${swallowed} read as part of it`;
      }
      this.batch.push({
        format: 'failure',
        row: this.dataRow,
        line,
        error: errorReport('HUB_ERR_SOURCE_CSV', { reason }, { file: this.file, row: this.dataRow, line, ...this.columnOf(err) }),
      });
    });
  }

  /** The header column csv-parse was in when it met the error, when it knows it (the file's name for it, bounded as source text is). */
  private columnOf(err: CsvError): { column?: string } {
    const i = (err as CsvError & { index?: unknown }).index;
    const name = typeof i === 'number' ? this.header?.[i] : undefined;
    return name ? { column: excerpt(name) } : {};
  }

  /** The line of the last malformed row reported, and whether a row was read since. */
  private lastSkipLine = -1;
  /** The line the last row (header, row or malformed row) ended on. */
  private lastRowEnd = 0;
  private pushedSinceSkip = true;

  override push(record: unknown): boolean {
    if (record === null) {
      if (!this.takeDropped(Infinity)) return false;
      this.flushBatch();
      // A file with a header and no rows still shows its header, so a missing column is reported.
      if (!this.emitted && this.header !== null) super.push({ header: this.header, items: [] } satisfies SourceBatch);
      return super.push(null);
    }
    const values = record as string[];
    this.pushedSinceSkip = true;
    const lines = this.info.lines;
    let start: number;
    if (lines - this.prevLines === 1) {
      start = lines - this.crExtra;
    } else {
      // A multi-line record or skipped blank lines: count the line breaks the fields span (CRLF, LF
      // or a lone CR: one each), of which csv-parse counted a CRLF twice.
      let breaks = 0;
      let crlf = 0;
      for (const v of values) {
        if (v.length === 0) continue;
        for (let i = v.indexOf('\n'); i !== -1; i = v.indexOf('\n', i + 1)) {
          breaks++;
          if (v.charCodeAt(i - 1) === 13) crlf++;
        }
        for (let i = v.indexOf('\r'); i !== -1; i = v.indexOf('\r', i + 1)) if (v.charCodeAt(i + 1) !== 10) breaks++;
      }
      this.crExtra += crlf;
      start = lines - this.crExtra - breaks;
    }
    this.prevLines = lines;
    start += this.lineOffset;
    this.lastRowEnd = lines - this.crExtra + this.lineOffset;
    if (!this.takeDropped(start)) return false;
    if (this.header === null) {
      this.header = values.map((h) => h.trim());
      return true;
    }
    this.dataRow++;
    if (!this.relaxColumnCount && values.length !== this.header.length) {
      this.batch.push({
        format: 'failure',
        row: this.dataRow,
        line: start,
        raw: values.join(','),
        error: errorReport(
          'HUB_ERR_SOURCE_CSV',
          { reason: `row has ${values.length} columns, the header has ${this.header.length}` },
          { file: this.file, row: this.dataRow, line: start },
        ),
      });
    } else {
      this.batch.push({ format: 'csv', values, row: this.dataRow, line: start });
    }
    if (this.batch.length >= this.batchSize) this.flushBatch();
    return true;
  }

  /**
   * The rows the guard dropped that start before line `before`, as failures in their place; false when
   * the dropped row is the header (the parser is then destroyed with HUB_ERR_SOURCE_LIMIT_CSV_HEADER).
   */
  private takeDropped(before: number): boolean {
    const q = this.guard.dropped;
    while (q.length && q[0]!.line + this.lineOffset < before) {
      const d = q.shift()!;
      const line = d.line + this.lineOffset;
      const limit = this.limits[d.limit];
      if (this.header === null) {
        this.destroy(new HubError('HUB_ERR_SOURCE_LIMIT_CSV_HEADER', { line, limit: d.limit, bytes: limit }, { file: this.file, line }));
        return false;
      }
      this.dataRow++;
      const name = this.header[d.field - 1];
      const pointer = { file: this.file, row: this.dataRow, line, ...(d.limit === 'maxFieldBytes' && name !== undefined ? { column: name } : {}) };
      const error =
        d.limit === 'maxFieldBytes'
          ? errorReport('HUB_ERR_SOURCE_LIMIT_CSV_FIELD', { field: name === undefined ? `#${d.field}` : `${name} (#${d.field})`, limit }, pointer)
          : errorReport('HUB_ERR_SOURCE_LIMIT_CSV_LINE', { limit }, pointer);
      this.batch.push({ format: 'failure', row: this.dataRow, line, raw: d.head, error });
      if (this.batch.length >= this.batchSize) this.flushBatch();
    }
    return true;
  }

  // Batches fill across input chunks (a batch is `batchSize` rows, whatever the read size) and the
  // last one is flushed at the end, so a file always splits into the same chunks.


  private emitted = false;

  flushBatch(): void {
    if (this.batch.length === 0) return;
    this.emitted = true;
    const batch: SourceBatch = { header: this.header ?? [], items: this.batch };
    this.batch = [];
    super.push(batch);
  }
}

/**
 * Drops the first `n` physical lines before the CSV parser sees the bytes: report titles above the
 * header are not CSV (a quote in "Report "Items" March" would otherwise open a quoted field).
 */
/**
 * What is wrong with a row, in words of our own: csv-parse's messages quote the source (the field read so
 * far, the character after a quote), and a row's text must not reach a message or a log.
 */
export function csvProblem(err: CsvError): string {
  const column = typeof (err as CsvError & { index?: unknown }).index === 'number' ? ` in field ${(err as CsvError & { index: number }).index + 1}` : '';
  switch (err.code) {
    case 'INVALID_OPENING_QUOTE':
      return `a quote inside a field that does not begin with one${column} (quote the whole field, and double a quote inside it)`;
    case 'CSV_INVALID_CLOSING_QUOTE':
    case 'CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE':
      return `text after a field's closing quote${column} (a quote inside a quoted field must be doubled)`;
    case 'CSV_QUOTE_NOT_CLOSED':
      return 'a quote opened and never closed before the end of the file';
    case 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH':
    case 'CSV_RECORD_INCONSISTENT_COLUMNS':
      return 'the row has a different number of fields from the header';
    case 'CSV_MAX_RECORD_SIZE':
      return 'the row is longer than the reader allows';
    default:
      return `the row cannot be read as CSV (${err.code})`;
  }
}

export function skipLines(n: number): Transform {
  let left = n;
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      if (left === 0) return cb(null, chunk);
      let i = 0;
      while (left > 0) {
        const nl = chunk.indexOf(0x0a, i);
        if (nl === -1) return cb();
        i = nl + 1;
        left--;
      }
      cb(null, chunk.subarray(i));
    },
  });
}

export async function* readCsv(input: Readable, opts: CsvReadOptions = {}): AsyncGenerator<SourceBatch> {
  const skipped = Math.max(0, (opts.headerRow ?? 1) - 1);
  const limits = opts.limits ?? DEFAULT_LIMITS.csv;
  const dialect = { delimiter: opts.delimiter ?? ',', quote: opts.quote ?? '"', escape: opts.escape ?? opts.quote ?? '"', comment: opts.comment };
  const guard = new CsvLimitGuard(dialect, limits);
  const parser = new BatchingParser(
    {
      ...dialect,
      // Every line ending ends a row, whatever the first one was: csv-parse would otherwise take the
      // first it meets as the only one, and a file whose header ends in CRLF and rows in LF (an export
      // appended to by another tool) would be read as one enormous row.
      record_delimiter: ['\r\n', '\n', '\r'],
      skip_empty_lines: true,
      relax_column_count: true,
      skip_records_with_error: true,
    },
    opts.file,
    opts.relaxColumnCount ?? false,
    opts.batchSize ?? 500,
    skipped,
    guard,
    limits,
  );
  const decoded = normalizeEncoding(input, opts.encoding);
  const source = skipped ? decoded.pipe(skipLines(skipped)) : decoded;
  decoded.on('error', (err) => parser.destroy(err));
  source.on('error', (err) => parser.destroy(err));
  guard.on('error', (err) => parser.destroy(err));
  // A refused header ends the reading: stop the bytes too.
  parser.on('close', () => {
    if (!parser.readableEnded) decoded.destroy();
  });
  source.pipe(guard).pipe(parser);
  for await (const batch of parser) yield batch as SourceBatch;
}
