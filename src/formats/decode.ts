import { Transform, type Readable } from 'node:stream';
import iconv from 'iconv-lite';
import { HubError } from '../errors/hub-error.ts';
import { textEncodingExists } from './encoding-names.ts';

/**
 * Chooses a stream's encoding from its first bytes (after a byte-order mark, which decides alone).
 * Called with the start of the stream as it grows (`final`: it is the whole stream); returns null to
 * see more, and an encoding iconv-lite knows once `final` or once the start is CHOOSER_MAX_BYTES long.
 */
export type EncodingChooser = (head: Buffer, final: boolean) => string | null;

/** How much of a stream's start an `EncodingChooser` may ask to see before it must choose. */
export const CHOOSER_MAX_BYTES = 64 * 1024;

const BOMS: readonly { bytes: readonly number[]; encoding: string }[] = [
  { bytes: [0xef, 0xbb, 0xbf], encoding: 'utf-8' },
  { bytes: [0xff, 0xfe], encoding: 'utf-16le' },
  { bytes: [0xfe, 0xff], encoding: 'utf-16be' },
];

/** The byte-order mark `head` starts with; 'maybe' while `head` is shorter than a mark it begins. */
function bomOf(head: Buffer, final: boolean): (typeof BOMS)[number] | 'maybe' | null {
  for (const bom of BOMS) {
    const n = Math.min(head.length, bom.bytes.length);
    if (bom.bytes.slice(0, n).every((b, i) => head[i] === b)) {
      if (n === bom.bytes.length) return bom;
      if (!final) return 'maybe';
    }
  }
  return null;
}

/**
 * Input: a byte stream and its encoding: the mapping's (a name), or a chooser that reads it from the
 * stream's start (an XML declaration: xml-encoding.ts).
 * Output: a stream of UTF-8 Buffers with any byte-order mark removed.
 *
 * A byte-order mark wins over the declared encoding (a file that starts with EF BB BF is UTF-8 whatever
 * the mapping says), as browsers do: exports are often re-saved by hand and the mark is the better witness.
 */
export function normalizeEncoding(input: Readable, declared: string | EncodingChooser = 'utf-8'): Readable {
  if (typeof declared === 'string' && !textEncodingExists(declared)) throw new HubError('HUB_ERR_SOURCE_ENCODING', { encoding: declared });
  let decoder: ReturnType<typeof iconv.getDecoder> | null = null;
  let decided = false;
  // The start held until it is decided, and the length at which to look again: doubling it keeps the
  // looking linear however small the chunks come.
  let held: Buffer[] = [];
  let heldBytes = 0;
  let lookAt = 16;
  const decode = (chunk: Buffer): Buffer | undefined => {
    if (!decoder) return chunk.length ? chunk : undefined;
    const text = decoder.write(chunk);
    return text ? Buffer.from(text, 'utf8') : undefined;
  };
  /** Decide on the bytes held so far; the decoded start once decided, else null. */
  const settle = (final: boolean): Buffer | undefined | null => {
    if (!final && heldBytes < lookAt) return null;
    lookAt = heldBytes * 2;
    let bytes = held.length === 1 ? held[0]! : Buffer.concat(held);
    held = [bytes];
    const bom = bomOf(bytes, final);
    if (bom === 'maybe') return null;
    let enc: string | null;
    if (bom) {
      enc = bom.encoding;
      bytes = bytes.subarray(bom.bytes.length);
    } else if (typeof declared === 'string') {
      enc = declared.toLowerCase();
    } else {
      enc = declared(bytes, final);
      // A chooser still undecided when it must decide: UTF-8, the default.
      if (enc === null && (final || bytes.length >= CHOOSER_MAX_BYTES)) enc = 'utf-8';
      if (enc === null) return null;
    }
    decided = true;
    held = [];
    if (enc !== 'utf-8' && enc !== 'utf8') decoder = iconv.getDecoder(enc, { stripBOM: false });
    return decode(bytes);
  };
  const out = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      if (decided) return cb(null, decode(chunk));
      held.push(chunk);
      heldBytes += chunk.length;
      const start = settle(false);
      cb(null, start ?? undefined);
    },
    flush(cb) {
      const start = !decided && heldBytes ? settle(true) : undefined;
      const rest = decoder?.end();
      const tail = rest ? Buffer.from(rest, 'utf8') : undefined;
      cb(null, start && tail ? Buffer.concat([start, tail]) : (start ?? tail));
    },
  });
  input.on('error', (err) => out.destroy(err));
  // A reader that stops early (a limit, a refused header) destroys this stream: the source goes too,
  // so a file is closed and a body not read on.
  out.on('close', () => {
    if (!input.readableEnded && !input.destroyed) input.destroy();
  });
  return input.pipe(out);
}
