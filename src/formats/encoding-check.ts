/**
 * Text damaged by a wrong encoding, found in the records a reader produced.
 *
 * Input: the encoding the mapping declares, then each source record.
 * Output: for a record whose text shows damage, how much of each kind; null for a clean one.
 * - Replacement characters (U+FFFD): bytes that are not valid in the declared encoding (invalid UTF-8,
 *   bytes Windows-1252 leaves undefined) were replaced while decoding; the original value is lost.
 * - Mojibake: with a single-byte declared encoding (Windows-1252, Latin-1...), a UTF-8 multi-byte
 *   sequence read byte by byte, e.g. "é" (C3 A9) read as "Ã©": the file is UTF-8, not what was declared.
 *   A sequence counts when a lead character is followed by exactly the continuation characters UTF-8
 *   needs after it, which ordinary text in those encodings almost never has.
 *
 * Walks are iterative (a record's depth is bounded by the limits, recursion is not needed anyway), and a
 * record of plain ASCII costs one regular-expression test per value.
 */
import iconv from 'iconv-lite';
import type { SourceRecord } from './source-record.ts';
import type { XmlElement } from './xml-tree.ts';

export interface EncodingFindings {
  /** U+FFFD characters in the record's text. */
  replacement: number;
  /** UTF-8 sequences read as single-byte characters. */
  mojibake: number;
}

export type EncodingCheck = (record: SourceRecord) => EncodingFindings | null;

const REPLACEMENT = '\uFFFD';

/** The check for files declared in `encoding` (compiled once per mapping). */
export function encodingCheck(encoding = 'utf-8'): EncodingCheck {
  const mojibake = mojibakePattern(encoding);
  const any = new RegExp(mojibake ? `${REPLACEMENT}|${mojibake.source}` : REPLACEMENT);
  const mojibakeAll = mojibake ? new RegExp(mojibake.source, 'g') : null;
  const examine = (text: string, f: EncodingFindings): void => {
    if (!any.test(text)) return;
    for (let i = text.indexOf(REPLACEMENT); i !== -1; i = text.indexOf(REPLACEMENT, i + 1)) f.replacement++;
    if (mojibakeAll) f.mojibake += text.match(mojibakeAll)?.length ?? 0;
  };
  return (record) => {
    const f: EncodingFindings = { replacement: 0, mojibake: 0 };
    switch (record.format) {
      case 'csv':
        for (const v of record.values) examine(v, f);
        break;
      case 'xml':
        walkXml(record.element, (t) => examine(t, f));
        break;
      case 'json':
        walkJson(record.value, (t) => examine(t, f));
        break;
    }
    return f.replacement || f.mojibake ? f : null;
  };
}

/** Words for a finding, for the message of HUB_ERR_SOURCE_ENCODING_MISMATCH. */
export function describeFindings(f: EncodingFindings, encoding: string): string {
  const parts: string[] = [];
  if (f.replacement) parts.push(`${f.replacement} replacement character${f.replacement === 1 ? '' : 's'} (U+FFFD: bytes that are not valid ${encoding})`);
  if (f.mojibake) parts.push(`${f.mojibake} UTF-8 sequence${f.mojibake === 1 ? '' : 's'} read as ${encoding} characters (mojibake)`);
  return parts.join(' and ');
}

/**
 * For a single-byte encoding, the pattern of a UTF-8 multi-byte sequence decoded in it; null for an
 * encoding where bytes do not map one to one to characters (UTF-8, UTF-16, Shift_JIS...).
 */
function mojibakePattern(encoding: string): RegExp | null {
  if (!iconv.encodingExists(encoding)) return null;
  const high = Buffer.from(Array.from({ length: 128 }, (_, i) => 0x80 + i));
  const text = iconv.decode(high, encoding);
  if (text.length !== 128 || text.split(REPLACEMENT).length - 1 >= 16) return null;
  const cls = (from: number, to: number): string =>
    '[' +
    [...text.slice(from - 0x80, to - 0x80 + 1)]
      .filter((c) => c !== REPLACEMENT)
      .map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
      .join('') +
    ']';
  const cont = cls(0x80, 0xbf);
  return new RegExp(`(?:${cls(0xc2, 0xdf)}${cont}|${cls(0xe0, 0xef)}${cont}{2}|${cls(0xf0, 0xf4)}${cont}{3})`);
}

function walkXml(root: XmlElement, visit: (text: string) => void): void {
  const stack: XmlElement[] = [root];
  while (stack.length) {
    const el = stack.pop()!;
    if (el.text) visit(el.text);
    for (const k in el.attrs) visit(el.attrs[k]!);
    for (const c of el.children) stack.push(c);
  }
}

function walkJson(value: unknown, visit: (text: string) => void): void {
  const stack: unknown[] = [value];
  while (stack.length) {
    const v = stack.pop();
    if (typeof v === 'string') visit(v);
    else if (Array.isArray(v)) for (const x of v) stack.push(x);
    else if (v !== null && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        visit(k);
        stack.push(x);
      }
    }
  }
}
