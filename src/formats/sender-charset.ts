/**
 * The charset a sender names for a body it posts (`Content-Type: text/csv; charset=windows-1252`), and
 * how the body is read with it.
 *
 * A webhook body has no file name or declaration of its own to say how its bytes are written; its
 * Content-Type can. When the mapping states no `source.encoding`, a CSV, JSON, NDJSON or fixed-width body is read in
 * the charset its request named (an XML document's own declaration decides for XML, as in a file:
 * `text/xml` long defaulted to US-ASCII, so its charset is the weaker witness). The mapping's stated
 * encoding still wins, and a byte-order mark wins over both (decode.ts).
 *
 * As for a declaration (encoding-names.ts): ISO-8859-1 is read as Windows-1252 and US-ASCII as UTF-8;
 * and a single-byte charset over a body whose first CHOOSER_MAX_BYTES hold bytes above 7F that all
 * form UTF-8 is read as UTF-8: many HTTP stacks label every text body ISO-8859-1 whatever they send.
 */
import { CHOOSER_MAX_BYTES, type EncodingChooser } from './decode.ts';
import { asciiCompatible, meant, sameEncoding, textEncodingExists, writtenInUtf8 } from './encoding-names.ts';

/** The longest charset name taken from a header; registered names are shorter. */
export const CHARSET_NAME_MAX = 40;
const CHARSET_NAME = /^[A-Za-z0-9._:-]+$/;
const CHARSET_PARAM = /;\s*charset\s*=\s*(?:"([^"]*)"|([^;\s]*))/i;

/**
 * The charset parameter of a Content-Type value: undefined when there is none; else its name (lower
 * case, at most CHARSET_NAME_MAX characters of letters, digits and `._:-`; a value that is not such a
 * name is cut to CHARSET_NAME_MAX characters, each outside printable ASCII shown as `?`, for messages)
 * and whether the hub can decode it.
 */
export function contentTypeCharset(contentType: string | undefined): { name: string; known: boolean } | undefined {
  if (!contentType) return undefined;
  const m = CHARSET_PARAM.exec(contentType);
  if (!m) return undefined;
  const raw = (m[1] ?? m[2] ?? '').trim();
  const wellFormed = raw.length > 0 && raw.length <= CHARSET_NAME_MAX && CHARSET_NAME.test(raw);
  return { name: wellFormed ? raw.toLowerCase() : raw.slice(0, CHARSET_NAME_MAX).replace(/[^\x20-\x7e]/g, '?'), known: wellFormed && textEncodingExists(raw) };
}

/** How a body whose sender named `charset` is read. */
export interface CharsetChoice {
  /** The charset as the sender named it. */
  named: string;
  /** The encoding it is decoded with. */
  used: string;
  /** A single-byte charset over bytes that are UTF-8: read as UTF-8. */
  utf8Instead: boolean;
}

/** The chooser for a body the sender said is in `charset` (one the hub knows); `onChoice` is told before any text is decoded. */
export function charsetChooser(charset: string, onChoice: (choice: CharsetChoice) => void): EncodingChooser {
  const read = meant(charset);
  const asciiBased = asciiCompatible(read) && !sameEncoding(read, 'utf-8');
  return (held, whole) => {
    let used = read;
    if (asciiBased) {
      const head = held.length > CHOOSER_MAX_BYTES ? held.subarray(0, CHOOSER_MAX_BYTES) : held;
      const final = whole && head === held;
      if (!final && head.length < CHOOSER_MAX_BYTES) return null;
      if (writtenInUtf8(head, final)) used = 'utf-8';
    }
    onChoice({ named: charset, used, utf8Instead: used !== read });
    return used;
  };
}
