/**
 * Lines of a byte stream, each bounded.
 *
 * Input: UTF-8 bytes in pieces of any size; the longest line to hold.
 * Output: each line (without its LF or CRLF; in CR mode, without a lone CR either) with its 1-based number, or, for a line longer than the
 * limit, its size and its first bytes only: the rest of such a line is counted and dropped as it
 * arrives, so memory stays within the limit whatever the input (readline would hold the whole line).
 */

export type BoundedLine =
  | { line: number; bytes: Buffer; oversized: false }
  | { line: number; oversized: true; /** Size of the whole line. */ size: number; /** Its first `headBytes` bytes. */ head: Buffer };

export class LineSplitter {
  private parts: Buffer[] = [];
  private size = 0;
  private oversized = false;
  private head: Buffer = Buffer.alloc(0);
  private line = 0;

  /** A CR ended the last chunk: an LF starting the next one belongs to it (CR mode). */
  private afterCr = false;

  /**
   * @param crEndsLines a CR alone ends a line too, as in files from systems that end lines with CR
   * only (CRLF stays one break). Without it only LF does, and a CR before it is dropped.
   */
  constructor(
    private readonly maxBytes: number,
    private readonly headBytes = 2000,
    private readonly crEndsLines = false,
  ) {}

  push(chunk: Buffer): BoundedLine[] {
    return this.crEndsLines ? this.pushCr(chunk) : this.pushLf(chunk);
  }

  private pushLf(chunk: Buffer): BoundedLine[] {
    const out: BoundedLine[] = [];
    let start = 0;
    for (let nl = chunk.indexOf(0x0a); nl !== -1; nl = chunk.indexOf(0x0a, start)) {
      this.add(chunk.subarray(start, nl));
      out.push(this.take());
      start = nl + 1;
    }
    if (start < chunk.length) this.add(chunk.subarray(start));
    return out;
  }

  private pushCr(chunk: Buffer): BoundedLine[] {
    const out: BoundedLine[] = [];
    let start = 0;
    if (this.afterCr && chunk.length > 0) {
      if (chunk[0] === 0x0a) start = 1;
      this.afterCr = false;
    }
    for (let i = start; i < chunk.length; i++) {
      const b = chunk[i];
      if (b !== 0x0a && b !== 0x0d) continue;
      this.add(chunk.subarray(start, i));
      out.push(this.take());
      if (b === 0x0d) {
        if (i + 1 < chunk.length) {
          if (chunk[i + 1] === 0x0a) i++;
        } else this.afterCr = true;
      }
      start = i + 1;
    }
    if (start < chunk.length) this.add(chunk.subarray(start));
    return out;
  }

  /** The last line, if the input does not end with a line break. */
  end(): BoundedLine[] {
    return this.size > 0 ? [this.take()] : [];
  }

  private add(piece: Buffer): void {
    if (piece.length === 0) return;
    this.size += piece.length;
    if (this.oversized) return;
    if (this.size > this.maxBytes) {
      this.oversized = true;
      const head: Buffer[] = [];
      let need = this.headBytes;
      for (const p of [...this.parts, piece]) {
        if (need <= 0) break;
        head.push(p.subarray(0, need));
        need -= p.length;
      }
      this.head = Buffer.concat(head);
      this.parts = [];
      return;
    }
    this.parts.push(piece);
  }

  private take(): BoundedLine {
    this.line++;
    let r: BoundedLine;
    if (this.oversized) r = { line: this.line, oversized: true, size: this.size, head: Buffer.from(this.head) };
    else {
      let bytes = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts);
      if (bytes.length && bytes[bytes.length - 1] === 0x0d) bytes = bytes.subarray(0, bytes.length - 1);
      r = { line: this.line, bytes, oversized: false };
    }
    this.parts = [];
    this.size = 0;
    this.oversized = false;
    this.head = Buffer.alloc(0);
    return r;
  }
}
