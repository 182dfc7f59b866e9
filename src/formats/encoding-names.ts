/**
 * Encoding names a sender gives (an XML declaration: xml-encoding.ts; an HTTP Content-Type charset:
 * sender-charset.ts) and what the hub reads them as: which labels name one encoding, what a writer of
 * ISO-8859-1 or US-ASCII means, and whether bytes said to be single-byte were written in UTF-8.
 */
import { isUtf8 } from 'node:buffer';
import iconv from 'iconv-lite';

/** Names iconv-lite decodes that are not text encodings: Node's buffer codecs (`charset=base64`). */
const NOT_TEXT = new Set(['base64', 'base64url', 'hex']);

/** Whether `name` is a text encoding the hub can decode (iconv-lite's name rule: case and punctuation do not count). */
export function textEncodingExists(name: string): boolean {
  return !NOT_TEXT.has(name.toLowerCase().replace(/[^0-9a-z]/g, '')) && iconv.encodingExists(name);
}

/** Bytes whose decoding tells encodings apart: every byte value, then pairs of high bytes. */
const PROBE = Buffer.from([...Array.from({ length: 256 }, (_, i) => i), ...Array.from({ length: 128 }, (_, i) => [0x80 + i, 0xff - i]).flat()]);

/** Whether two encoding names decode the same (labels of one encoding: "latin1" and "ISO-8859-1"). */
export function sameEncoding(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase() || iconv.decode(PROBE, a) === iconv.decode(PROBE, b);
}

/** ASCII-compatible: `<?` are the bytes 3C 3F, as in the single-byte text a declaration is read from (not UTF-16 or UTF-32). */
export function asciiCompatible(name: string): boolean {
  const lt = iconv.encode('<?', name);
  return lt.length === 2 && lt[0] === 0x3c && lt[1] === 0x3f;
}

/**
 * What a declared name is read as. ISO-8859-1's writers mean Windows-1252. US-ASCII is read as UTF-8,
 * its superset: a writer that keeps its promise escapes every other character (`&#233;`), so the two
 * read the same, and one that does not more likely wrote UTF-8 (every US-ASCII sample of the public
 * N-DEx and NIBRS exchanges is pure ASCII).
 */
export function meant(name: string): string {
  if (sameEncoding(name, 'ascii')) return 'utf-8';
  return sameEncoding(name, 'latin1') ? 'windows-1252' : name;
}

/**
 * Whether text declared in a single-byte encoding was written in UTF-8: its bytes above 7F are there
 * and all form UTF-8 sequences (a sequence cut at the end of what is held aside, unless it is the end).
 * Windows-1252 or Latin-1 text almost never does: a letter like "é" would have to follow "Ã" each
 * time. Senders whose export template declares ISO-8859-1 while writing UTF-8 exist; their documents
 * read right, as they did before the declaration was followed.
 */
export function writtenInUtf8(head: Buffer, final: boolean): boolean {
  if (!head.some((b) => b >= 0x80)) return false;
  let end = head.length;
  if (!final) {
    // Back to the start of a sequence the held bytes may cut: at most 3 continuation bytes.
    let i = end - 1;
    while (i > end - 4 && i >= 0 && (head[i]! & 0xc0) === 0x80) i--;
    const lead = head[i] ?? 0;
    const needs = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
    if (i + needs > end) end = i;
  }
  return isUtf8(head.subarray(0, end));
}
