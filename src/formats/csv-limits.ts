/**
 * Field and row size limits of a CSV stream, enforced before csv-parse buffers anything.
 *
 * Input: the decoded UTF-8 bytes of a CSV file (after any lines above the header are dropped), its
 * dialect (delimiter, quote, escape, comment) and `limits.csv`.
 * Output: the same bytes, except that a row with a field longer than `maxFieldBytes`, or longer than
 * `maxLineBytes` as a whole, is replaced by the line breaks it held, CR and LF as they were (csv-parse
 * skips them as blank lines, so the line numbers of every later row stay right). Each such row is listed in
 * `dropped`, in order, with its first line, the limit it went past and its first bytes; the CSV reader
 * turns them into failures in their place.
 *
 * The guard follows the quoting as csv-parse does (a quote opens a field only at its start, a doubled
 * quote or the escape character stays inside it), so a line break inside a quoted field does not end
 * the row. It holds at most one row's bytes, up to the limit: a 50 MB line costs the limit, not 50 MB.
 * (csv-parse's own `max_record_size` cannot be used: with `skip_records_with_error` it silently stops
 * parsing the rest of the chunk after the first oversized record.)
 */
import { Transform, type TransformCallback } from 'node:stream';
import { PAYLOAD_MAX_CHARS } from '../errors/excerpt.ts';
import type { CsvLimits } from './limits.ts';

export interface CsvDropped {
  /** 1-based line of the guard's input where the row starts. */
  line: number;
  limit: 'maxFieldBytes' | 'maxLineBytes';
  /** 1-based field that went past maxFieldBytes (the field being read for maxLineBytes). */
  field: number;
  /** The row's first bytes (at most PAYLOAD_MAX_CHARS), as text. */
  head: string;
}

export interface CsvGuardDialect {
  delimiter: string;
  quote: string;
  escape: string;
  comment?: string;
}

const LF = 0x0a;
const CR = 0x0d;

export class CsvLimitGuard extends Transform {
  /** Rows replaced by line breaks, oldest first; the reader takes them off the front. */
  readonly dropped: CsvDropped[] = [];

  private readonly delim: Buffer;
  private readonly quote: Buffer;
  private readonly escape: Buffer;
  private readonly comment: Buffer | null;
  private readonly escapeIsQuote: boolean;
  private readonly lookahead: number;

  private carry: Buffer | null = null;
  /** Scanned bytes of the current row from earlier chunks, not yet passed on. */
  private held: Buffer[] = [];
  private line = 1;
  /** The last byte counted for lines was a CR: an LF right after it ends the same line. */
  private afterCR = false;
  private rowLine = 1;
  private rowBytes = 0;
  private fieldBytes = 0;
  private field = 1;
  /** CR and LF bytes of the dropped row not yet passed on. */
  private breaks: number[] = [];
  private atFieldStart = true;
  private atRowStart = true;
  private inQuotes = false;
  private quotePending = false;
  private escapePending = false;
  private inComment = false;
  /** The current row went past a limit: its bytes are dropped until it ends. */
  private dropping = false;

  constructor(
    dialect: CsvGuardDialect,
    private readonly limits: CsvLimits,
  ) {
    super();
    this.delim = Buffer.from(dialect.delimiter, 'utf8');
    this.quote = Buffer.from(dialect.quote, 'utf8');
    this.escape = Buffer.from(dialect.escape, 'utf8');
    this.comment = dialect.comment ? Buffer.from(dialect.comment, 'utf8') : null;
    this.escapeIsQuote = this.escape.equals(this.quote);
    this.lookahead = Math.max(this.delim.length, this.quote.length, this.escape.length, this.comment?.length ?? 1);
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    const buf = this.carry ? Buffer.concat([this.carry, chunk]) : chunk;
    this.carry = null;
    const stopped = this.scan(buf, Math.max(0, buf.length - (this.lookahead - 1)));
    if (stopped < buf.length) this.carry = Buffer.from(buf.subarray(stopped));
    cb();
  }

  override _flush(cb: TransformCallback): void {
    if (this.carry) {
      const buf = this.carry;
      this.carry = null;
      this.scan(buf, buf.length);
    }
    if (this.dropping) this.push(Buffer.from(this.breaks));
    else if (this.held.length) this.push(Buffer.concat(this.held));
    this.breaks = [];
    this.held = [];
    cb();
  }

  private isAt(tok: Buffer, buf: Buffer, i: number): boolean {
    if (tok.length === 1) return buf[i] === tok[0];
    return i + tok.length <= buf.length && buf.compare(tok, 0, tok.length, i, i + tok.length) === 0;
  }

  /**
   * Scan buf from 0 up to at least `end` (a token that starts before `end` is read whole); pass on every
   * complete row, hold the bytes of the incomplete one. Returns where it stopped.
   */
  private scan(buf: Buffer, end: number): number {
    const { maxFieldBytes, maxLineBytes } = this.limits;
    const out: Buffer[] = [];
    let segStart = 0; // buf[segStart, segEnd) are complete rows not yet passed on
    let segEnd = 0;
    let rowStart = 0; // where the current row starts in buf (0 when it started in an earlier chunk)
    let i = 0;
    for (; i < end; i++) {
      const b = buf[i]!;
      let len = 1;
      let rowEnds = false;
      if (this.inComment) {
        if (b === LF || b === CR) rowEnds = true;
      } else if (this.inQuotes) {
        if (this.escapePending) this.escapePending = false;
        else if (this.quotePending) {
          this.quotePending = false;
          if (this.isAt(this.quote, buf, i)) len = this.quote.length; // a doubled quote: still inside
          else {
            this.inQuotes = false;
            i--; // this byte is outside the field: look at it again
            continue;
          }
        } else if (!this.escapeIsQuote && this.isAt(this.escape, buf, i)) {
          this.escapePending = true;
          len = this.escape.length;
        } else if (this.isAt(this.quote, buf, i)) {
          len = this.quote.length;
          if (this.escapeIsQuote) this.quotePending = true;
          else this.inQuotes = false;
        }
      } else if (this.atFieldStart && this.isAt(this.quote, buf, i)) {
        this.inQuotes = true;
        len = this.quote.length;
      } else if (this.atRowStart && this.comment && this.isAt(this.comment, buf, i)) {
        this.inComment = true;
        len = this.comment.length;
      } else if (this.isAt(this.delim, buf, i)) {
        this.field++;
        this.fieldBytes = -this.delim.length; // the delimiter is not part of the next field
        this.atFieldStart = true;
        this.atRowStart = false;
        this.rowBytes += this.delim.length;
        this.fieldBytes += this.delim.length;
        this.afterCR = false;
        i += this.delim.length - 1;
        continue;
      } else if (b === LF || b === CR) rowEnds = true;

      // Lines as csv-reader.ts numbers them: CRLF, LF and a lone CR end one line each.
      if (b === CR || (b === LF && !this.afterCR)) this.line++;
      this.afterCR = b === CR;
      if (this.dropping && (b === LF || b === CR)) this.breaks.push(b);
      if (rowEnds) {
        if (this.dropping) {
          out.push(Buffer.from(this.breaks));
          this.breaks = [];
          segStart = segEnd = i + 1;
        } else {
          if (this.held.length) {
            out.push(...this.held);
            this.held = [];
          }
          segEnd = i + 1;
        }
        this.newRow();
        rowStart = i + 1;
        continue;
      }
      this.atFieldStart = false;
      this.atRowStart = false;
      this.rowBytes += len;
      this.fieldBytes += len;
      i += len - 1;
      if (!this.dropping) {
        const over = this.fieldBytes > maxFieldBytes ? 'maxFieldBytes' : this.rowBytes > maxLineBytes ? 'maxLineBytes' : null;
        if (over) {
          if (!this.inComment) this.dropped.push({ line: this.rowLine, limit: over, field: this.field, head: this.headOf(buf, rowStart, i + 1) });
          if (segEnd > segStart) out.push(buf.subarray(segStart, segEnd));
          segStart = segEnd = i + 1;
          this.breaks = breaksIn([...this.held, buf.subarray(rowStart, i + 1)]);
          this.held = [];
          this.dropping = true;
        }
      }
    }
    if (segEnd > segStart) out.push(buf.subarray(segStart, segEnd));
    if (this.dropping && this.breaks.length) {
      out.push(Buffer.from(this.breaks));
      this.breaks = [];
    }
    // The incomplete row's bytes wait for the rest of it (or are dropped with it).
    const from = Math.max(segEnd, rowStart);
    if (!this.dropping && i > from) this.held.push(Buffer.from(buf.subarray(from, i)));
    if (out.length) this.push(out.length === 1 ? out[0] : Buffer.concat(out));
    return i;
  }

  private newRow(): void {
    this.rowLine = this.line;
    this.rowBytes = 0;
    this.fieldBytes = 0;
    this.field = 1;
    this.atFieldStart = true;
    this.atRowStart = true;
    this.inQuotes = false;
    this.quotePending = false;
    this.escapePending = false;
    this.inComment = false;
    this.dropping = false;
  }

  /** The first bytes of the current row: what it held from earlier chunks, then buf[from, to). */
  private headOf(buf: Buffer, from: number, to: number): string {
    const parts: Buffer[] = [];
    let need = PAYLOAD_MAX_CHARS;
    for (const p of [...this.held, buf.subarray(from, to)]) {
      if (need <= 0) break;
      parts.push(p.subarray(0, need));
      need -= p.length;
    }
    return Buffer.concat(parts).toString('utf8').replace(/\uFFFD$/, '');
  }
}

function breaksIn(parts: readonly Buffer[]): number[] {
  const out: number[] = [];
  for (const p of parts) for (const b of p) if (b === LF || b === CR) out.push(b);
  return out;
}
