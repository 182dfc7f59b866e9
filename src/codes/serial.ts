/**
 * Firearm serial numbers: a normalized form for matching, the raw text always kept.
 *
 * Input: the serial field as written ("ab-123 456", "OBLITERATED", "A123456 (restored)").
 * Output:
 *   - `normalized`: upper case, letters and digits only (spaces, dashes, dots, slashes and other
 *     separators removed). Empty when the serial is obliterated or absent.
 *   - `obliterated`: the text says the number is missing or destroyed (OBLITERATED, OBLIT, DEFACED,
 *     GROUND, FILED OFF, NONE, NO SERIAL, UNKNOWN, N/A...).
 *   - `restored`: the text says the lab restored an obliterated number ("A123456 (RESTORED)"); then
 *     `obliterated` is true as well and `normalized` is built from the parts of the text that carry
 *     digits (the restored number), the annotation words left out.
 * `isSerialPlaceholder` tells a value that stands where no serial is known (NONE, UNKNOWN, UNK, N/A,
 * NO SERIAL, PMF - NO SERIAL, 0, 00000, "-"...): no serial at all, as NCIC leaves the field out, not an
 * obliterated one (nothing says the number was destroyed). `normalizeSerial` still reads the placeholder
 * words as obliterated, as it always has, so that mappings written for it read as they did; the `serial`
 * operation with `placeholders: absent` asks this function first and gives no value for a placeholder.
 * `ncicMatchKey` goes one step further, the way NCIC compares serials: letter O read as zero, and
 * letters embedded between digits ignored (369J257 matches 369257); prefix and suffix letters count.
 */

export interface NormalizedSerial {
  raw: string;
  normalized: string;
  obliterated: boolean;
  restored: boolean;
}

/** Words that, anywhere in the value, say the number was destroyed. */
const DESTROYED = /\b(?:OBLITERATED|OBLITERATION|OBLIT|DEFACED|GROUND(?: OFF)?|FILED(?: OFF)?|REMOVED|SCRATCHED OFF|ALTERED|NO SERIAL(?: NUMBER)?|NO SER|NO S\/?N|SERIAL NUMBER NOT (?:PRESENT|VISIBLE|LEGIBLE)|NOT LEGIBLE|ILLEGIBLE)\b/;

/** Values that, when they are the whole field, say there is no number. */
const ABSENT = new Set(['NONE', 'NONE VISIBLE', 'UNKNOWN', 'UNK', 'N/A', 'NA', 'NO', 'NULL', 'NIL', 'NOSN', 'NO SN', 'NOSERIAL']);

const RESTORED = /\bRESTORED\b/;

/** Words that, anywhere in the value, say the number was destroyed on the gun: a forensic fact. */
const DEFACED = /\b(?:OBLITERATED|OBLITERATION|OBLIT|DEFACED|GROUND(?: OFF)?|FILED(?: OFF)?|REMOVED|SCRATCHED OFF|ALTERED|SERIAL NUMBER NOT (?:VISIBLE|LEGIBLE)|NOT LEGIBLE|ILLEGIBLE)\b/;

/** Values that, when they are the whole field, stand where no serial is known. */
const PLACEHOLDERS = new Set([
  'NONE', 'NONE VISIBLE', 'UNKNOWN', 'UNK', 'UNKN', 'UNKWN', 'N/A', 'N A', 'NA', 'NO', 'NULL', 'NIL',
  'NOSN', 'NO SN', 'NO S/N', 'NOSERIAL', 'NO SERIAL', 'NO SERIAL NUMBER', 'NO SERIAL #', 'NO SER', 'NO NUMBER',
  'NOT KNOWN', 'NOT RECORDED', 'NOT AVAILABLE', 'SERIAL NUMBER NOT PRESENT', 'NOT PRESENT',
]);

/** Words that, anywhere in a value, say the gun has no serial ("PMF - NO SERIAL"). */
const NO_SERIAL = /\b(?:NO SERIAL(?: NUMBER)?|NOSERIAL|NO SER|NO S\/?N|NOSN)\b/;

function alnumUpper(text: string): string {
  return text.toUpperCase().replace(/[^A-Z0-9]/g, '');
}

/**
 * `text` (white space already collapsed to single spaces) without its trailing dots and spaces: "N/A."
 * is N/A. A scan from the end: the pattern /[.\s]+$/ tried again from every place in a run of them that
 * does not end the text, so a long run followed by a letter took time in the square of its length
 * (". " 40,000 times: 4.6 s; a 1 MiB field: about 13 minutes).
 */
function withoutTrailingDots(text: string): string {
  let end = text.length;
  while (end > 0 && (text[end - 1] === '.' || text[end - 1] === ' ')) end--;
  return text.slice(0, end);
}

/**
 * The value stands where no serial is known: a placeholder word (NONE, UNKNOWN, UNK, N/A...), words
 * saying the gun has none (NO SERIAL, PMF - NO SERIAL), only zeros (0, 00000) or no letter or digit at
 * all ("-", "?"). False for a value that also says the number was destroyed or restored
 * ("NO SERIAL - GROUND OFF" is obliterated), and for an empty value (nothing was written).
 */
export function isSerialPlaceholder(raw: string): boolean {
  const upper = (typeof raw === 'string' ? raw : '').toUpperCase().replace(/\s+/g, ' ').trim();
  if (upper === '' || RESTORED.test(upper) || DEFACED.test(upper)) return false;
  const bare = withoutTrailingDots(upper);
  return PLACEHOLDERS.has(bare) || NO_SERIAL.test(upper) || /^0+$/.test(bare) || !/[A-Z0-9]/.test(bare);
}

export function normalizeSerial(raw: string): NormalizedSerial {
  const text = typeof raw === 'string' ? raw : '';
  const upper = text.toUpperCase().replace(/\s+/g, ' ').trim();

  if (RESTORED.test(upper)) {
    // Keep only the tokens that carry a digit: "OBLITERATED - RESTORED AS A123-456" -> "A123456".
    const tokens = upper.split(/[^A-Z0-9-]+/).filter((t) => /\d/.test(t));
    return { raw: text, normalized: alnumUpper(tokens.join('')), obliterated: true, restored: true };
  }
  const bare = withoutTrailingDots(upper);
  if (ABSENT.has(bare) || DESTROYED.test(upper)) {
    return { raw: text, normalized: '', obliterated: true, restored: false };
  }
  return { raw: text, normalized: alnumUpper(upper), obliterated: false, restored: false };
}

/**
 * NCIC's matching form of a serial: the normalized serial with letter O read as zero and letters
 * embedded between digits dropped. Empty for an obliterated serial that was not restored.
 */
export function ncicMatchKey(raw: string): string {
  const { normalized } = normalizeSerial(raw);
  if (normalized === '') return '';
  const s = normalized.replace(/O/g, '0');
  // Drop each run of letters that has a digit on both sides.
  return s.replace(/(?<=\d)[A-Z]+(?=\d)/g, '');
}
