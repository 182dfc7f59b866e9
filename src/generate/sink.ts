/**
 * Batched, encoded, backpressure-aware writing for the generators.
 *
 * Generators append small strings (a row, an element); the sink collects them into ~256 K-character
 * batches, encodes each batch once (UTF-8 or, through iconv-lite, Windows-1252) and writes it, waiting for
 * 'drain' whenever the destination says its buffer is full. The sink never ends the destination:
 * the caller owns it (it may be stdout).
 */
import { once } from 'node:events';
import iconv from 'iconv-lite';
import { HubError } from '../errors/hub-error.ts';

export type TextEncoding = 'utf-8' | 'windows-1252';

/**
 * Windows-1252 equals Latin-1 except for bytes 0x80-0x9F (€, ‚, ’, Œ...). Those characters are
 * swapped for the Latin-1 character with the same byte value, then Node's native latin1 encoder
 * does the rest: byte-for-byte what iconv-lite writes (the table comes from iconv-lite itself),
 * several times faster. Characters Windows-1252 lacks become "?", as iconv-lite makes them.
 */
const CP1252_HIGH = new Map<string, string>();
for (let b = 0x80; b <= 0x9f; b++) {
  const ch = iconv.decode(Buffer.from([b]), 'windows-1252');
  if (ch !== '\ufffd' && ch.charCodeAt(0) > 0xff) CP1252_HIGH.set(ch, String.fromCharCode(b));
}
const NOT_LATIN1_PRINTABLE = /[^\x00-\x7f\xa0-\xff]/g;

export function encodeWindows1252(s: string): Buffer {
  return Buffer.from(s.replace(NOT_LATIN1_PRINTABLE, (ch) => CP1252_HIGH.get(ch) ?? '?'), 'latin1');
}

const BATCH_CHARS = 1 << 18;

export class Sink {
  private text = '';
  /** Bytes written so far (after encoding). */
  bytes = 0;
  private readonly encode: (s: string) => Buffer;

  constructor(
    private readonly out: NodeJS.WritableStream,
    encoding: TextEncoding = 'utf-8',
  ) {
    this.encode = encoding === 'utf-8' ? (s) => Buffer.from(s, 'utf8') : encodeWindows1252;
  }

  /** Append text; when {@link full} turns true the caller must `await flush()`. */
  add(s: string): void {
    this.text += s;
  }

  get full(): boolean {
    return this.text.length >= BATCH_CHARS;
  }

  /** Encode and write what is buffered; resolves once the destination can take more. */
  async flush(): Promise<void> {
    if (this.text.length === 0) return;
    const buf = this.encode(this.text);
    this.text = '';
    this.bytes += buf.length;
    if (!this.out.write(buf)) await once(this.out as NodeJS.EventEmitter, 'drain');
  }
}

/** A generator option the caller got wrong (HUB_ERR_CLI_USAGE: `cgic generate` exits 2). */
export function usageError(reason: string): HubError {
  return new HubError('HUB_ERR_CLI_USAGE', { reason });
}

/** The `rows` option must be a whole number >= 0. */
export function checkRows(rows: number): void {
  if (!Number.isInteger(rows) || rows < 0) throw usageError(`rows must be a whole number >= 0, not ${rows}`);
}

/** Quote a CSV field when it holds a comma, a quote or a line break (RFC 4180); quotes are doubled. */
export function csvField(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 44 || c === 34 || c === 10 || c === 13) return '"' + s.replace(/"/g, '""') + '"';
  }
  return s;
}

const XML_SPECIAL = /[&<>"'\r]/;
const XML_REPLACE: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;', '\r': '&#13;' };

/** Escape text for an XML attribute value (a CR is kept as `&#13;`, which parsers would otherwise drop). */
export function xmlEscape(s: string): string {
  return XML_SPECIAL.test(s) ? s.replace(/[&<>"'\r]/g, (c) => XML_REPLACE[c] as string) : s;
}

const XML_TEXT_SPECIAL = /[&<>\r]/;

/** Escape element text: only `&`, `<`, `>` (and CR); quotes stay as typed. */
export function xmlText(s: string): string {
  return XML_TEXT_SPECIAL.test(s) ? s.replace(/[&<>\r]/g, (c) => XML_REPLACE[c] as string) : s;
}
