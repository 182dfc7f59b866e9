import { Transform, type Readable } from 'node:stream';
import iconv from 'iconv-lite';
import { HubError } from '../errors/hub-error.ts';

/**
 * Input: a byte stream and the encoding the mapping declares.
 * Output: a stream of UTF-8 Buffers with any byte-order mark removed.
 *
 * A byte-order mark wins over the declared encoding (a file that starts with EF BB BF is UTF-8 whatever
 * the mapping says), as browsers do: exports are often re-saved by hand and the mark is the better witness.
 */
export function normalizeEncoding(input: Readable, declared = 'utf-8'): Readable {
  const enc = declared.toLowerCase();
  if (!iconv.encodingExists(enc)) throw new HubError('HUB_ERR_SOURCE_ENCODING', { encoding: declared });
  let decoder: ReturnType<typeof iconv.getDecoder> | null = null;
  let first = true;
  const out = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      if (first) {
        first = false;
        let actual = enc;
        if (chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) {
          actual = 'utf-8';
          chunk = chunk.subarray(3);
        } else if (chunk[0] === 0xff && chunk[1] === 0xfe) {
          actual = 'utf-16le';
          chunk = chunk.subarray(2);
        } else if (chunk[0] === 0xfe && chunk[1] === 0xff) {
          actual = 'utf-16be';
          chunk = chunk.subarray(2);
        }
        if (actual !== 'utf-8' && actual !== 'utf8') decoder = iconv.getDecoder(actual, { stripBOM: false });
      }
      if (!decoder) return cb(null, chunk);
      const text = decoder.write(chunk);
      cb(null, text ? Buffer.from(text, 'utf8') : undefined);
    },
    flush(cb) {
      const rest = decoder?.end();
      cb(null, rest ? Buffer.from(rest, 'utf8') : undefined);
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
