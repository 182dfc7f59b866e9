/**
 * The encoding of an XML document: its declaration, the mapping, or UTF-8.
 *
 * XML names its own encoding (`<?xml version="1.0" encoding="ISO-8859-1"?>`, XML 1.0 section 4.3.3 and
 * appendix F), and RMS exports of N-DEx and NIBRS often are ISO-8859-1 or Windows-1252. The order:
 * 1. a byte-order mark (decode.ts) decides alone;
 * 2. a `source.encoding` the mapping states wins over the declaration: it is how an operator corrects
 *    a sender whose declaration is wrong, so it is no warning of its own; the summary shows both, and
 *    a record whose text the override damages is warned about naming the declaration (run.ts);
 * 3. else the declaration: ISO-8859-1 is read as Windows-1252, which is what its writers mean
 *    (browsers do the same: the bytes 80-9F are curly quotes and dashes, never the C1 control
 *    characters ISO-8859-1 puts there), US-ASCII as UTF-8 (see `meant`); an encoding the hub cannot
 *    decode refuses the document (HUB_ERR_SOURCE_XML_ENCODING), since reading it as something else
 *    would damage every name in it;
 * 4. else UTF-8, or UTF-16 when the document starts `<?` or `<!` in UTF-16 without a mark.
 * A declaration read from single-byte text that names UTF-16 or UTF-32 cannot be true; it is ignored
 * with a warning and the document read as UTF-8. A single-byte declaration over bytes that are UTF-8
 * (`writtenInUtf8`, judged on the first CHOOSER_MAX_BYTES) is not followed either: the document is read
 * as UTF-8, as it was before declarations were followed, and the summary says so.
 *
 * Only the prolog is looked at: white space and comments, then `<?xml ...?>`, within the first
 * CHOOSER_MAX_BYTES of the document.
 */
import { CHOOSER_MAX_BYTES, type EncodingChooser } from './decode.ts';
import { asciiCompatible, meant, sameEncoding, textEncodingExists, writtenInUtf8 } from './encoding-names.ts';


/** How a document's encoding was chosen, for the summary and the warnings. */
export interface XmlEncodingChoice {
  /** The encoding the document is decoded with (an iconv-lite name). */
  used: string;
  /** The document's own declaration, as written (bounded), and its 1-based line. */
  declared?: { name: string; line: number };
  /** Why a declaration is not followed. */
  ignored?: 'mapping' | 'not-single-byte' | 'bytes-are-utf8';
  /** The declaration names an encoding the hub cannot decode: the document is not read. */
  unknown?: true;
}

/** The longest encoding name read from a declaration (XML's EncName is letters, digits, `._-`). */
const NAME_MAX = 40;
const DECLARATION = /^<\?xml[\s?]/;
const ENCODING_ATTR = /\sencoding\s*=\s*(["'])([A-Za-z][A-Za-z0-9._-]*)\1/;

type Sniffed = { kind: 'more' } | { kind: 'none' } | { kind: 'utf-16'; encoding: 'utf-16le' | 'utf-16be' } | { kind: 'declared'; name: string; line: number };

/** Reads the prolog of an ASCII-compatible (or BOM-less UTF-16) document start. */
function sniff(head: Buffer, final: boolean): Sniffed {
  if (head.length >= 2 && head[0] === 0x3c && head[1] === 0x00) return { kind: 'utf-16', encoding: 'utf-16le' };
  if (head.length >= 2 && head[0] === 0x00 && head[1] === 0x3c) return { kind: 'utf-16', encoding: 'utf-16be' };
  const more: Sniffed = final ? { kind: 'none' } : { kind: 'more' };
  const text = head.toString('latin1');
  let i = 0;
  for (;;) {
    while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\r' || text[i] === '\n')) i++;
    if (i >= text.length) return more;
    const start = text.slice(i, i + 6);
    if (start.length < 6 && ('<!--'.startsWith(start.slice(0, 4)) || '<?xml '.startsWith(start))) return more;
    if (start.startsWith('<!--')) {
      const end = text.indexOf('-->', i + 4);
      if (end === -1) return more;
      i = end + 3;
      continue;
    }
    if (!DECLARATION.test(start)) return { kind: 'none' };
    const end = text.indexOf('?>', i);
    if (end === -1) return more;
    const m = ENCODING_ATTR.exec(text.slice(i, end));
    if (!m) return { kind: 'none' };
    let line = 1;
    for (let n = text.indexOf('\n'); n !== -1 && n < i; n = text.indexOf('\n', n + 1)) line++;
    return { kind: 'declared', name: m[2]!.slice(0, NAME_MAX), line };
  }
}

/**
 * The chooser for an XML document read with the mapping's `source.encoding` (undefined: not stated).
 * `onChoice` is told the choice before any text is decoded (not when a byte-order mark decides).
 */
export function xmlEncodingChooser(mapping: string | undefined, onChoice: (choice: XmlEncodingChoice) => void): EncodingChooser {
  return (held, whole) => {
    // Judged on the first CHOOSER_MAX_BYTES, however large the first chunk.
    const head = held.length > CHOOSER_MAX_BYTES ? held.subarray(0, CHOOSER_MAX_BYTES) : held;
    const final = whole && head === held;
    const s = sniff(head, final || head.length >= CHOOSER_MAX_BYTES);
    if (s.kind === 'more') return null;
    const declared = s.kind === 'declared' ? { name: s.name, line: s.line } : undefined;
    const choice = ((): XmlEncodingChoice | null => {
      if (mapping !== undefined) {
        const differs = declared && (!textEncodingExists(declared.name) || (!sameEncoding(mapping, declared.name) && !sameEncoding(mapping, meant(declared.name))));
        return { used: mapping, ...(declared ? { declared } : {}), ...(differs ? { ignored: 'mapping' as const } : {}) };
      }
      if (s.kind === 'utf-16') return { used: s.encoding };
      if (!declared) return { used: 'utf-8' };
      if (!textEncodingExists(declared.name)) return { used: 'utf-8', declared, unknown: true };
      if (!asciiCompatible(declared.name)) return { used: 'utf-8', declared, ignored: 'not-single-byte' };
      const used = meant(declared.name);
      if (sameEncoding(used, 'utf-8')) return { used, declared };
      // A single-byte declaration: look at as much of the start as is held for UTF-8 written under it.
      const seen = final || head.length >= CHOOSER_MAX_BYTES;
      if (!seen) return null;
      return writtenInUtf8(head, final) ? { used: 'utf-8', declared, ignored: 'bytes-are-utf8' } : { used, declared };
    })();
    if (choice === null) return null;
    onChoice(choice);
    return choice.used;
  };
}
