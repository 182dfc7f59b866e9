/**
 * Bounded excerpts of source content.
 *
 * Input: text (or a source record) of any size. Output: at most a fixed number of characters of it,
 * with the original size said, so an error message, a quarantine row or an `errors.json` never grows
 * with its input. Messages quote source values through `excerpt`; quarantine keeps a source record
 * through `boundedPayload`. Logs never quote source content at all (docs/hostile-input.md).
 */

/** Longest source value quoted in an error message, in characters. */
export const VALUE_EXCERPT_CHARS = 200;
/** Longest message parameter other than a source value (a reason, a list of accepted values). */
export const PARAM_EXCERPT_CHARS = 1000;
/** Longest error message, in characters. */
export const MESSAGE_MAX_CHARS = 2000;
/** Largest source record kept in a quarantine row, in characters of its JSON (or text) form. */
export const PAYLOAD_MAX_CHARS = 2000;

/**
 * `text` if it has at most `max` characters; otherwise its first characters followed by
 * `… (N characters)`, the whole within `max` (a surrogate pair is never split).
 */
export function excerpt(text: string, max: number = VALUE_EXCERPT_CHARS): string {
  if (text.length <= max) return text;
  const tail = `… (${text.length} characters)`;
  return headOf(text, Math.max(0, max - tail.length)) + tail;
}

/** The first `end` UTF-16 units of `text`, one fewer when the last would be the first half of a surrogate pair. */
export function headOf(text: string, end: number): string {
  const c = text.charCodeAt(end - 1);
  return text.slice(0, c >= 0xd800 && c <= 0xdbff ? end - 1 : end);
}

/** What a quarantine row keeps of a source record too large to keep whole. */
export interface PayloadExcerpt {
  /** The first characters of the record (its JSON form for a CSV row or a JSON value, its markup for XML). */
  excerpt: string;
  truncated: true;
  /** Characters of the whole record in that form. */
  chars: number;
}

/**
 * The record as is when its text or JSON form has at most `max` characters, else a `PayloadExcerpt`.
 * Serializing stops early: a huge record is never turned into one huge string first.
 */
export function boundedPayload(raw: unknown, max: number = PAYLOAD_MAX_CHARS): unknown {
  if (raw === undefined || raw === null) return raw;
  if (typeof raw === 'string') return raw.length <= max ? raw : { excerpt: excerpt(raw, max), truncated: true, chars: raw.length } satisfies PayloadExcerpt;
  // The estimate never exceeds the JSON's length: past the bound, the record is too large for sure;
  // within it, the JSON is at most a few times the bound and is measured exactly.
  const text = jsonLengthUpTo(raw, max) <= max ? JSON.stringify(raw) : null;
  if (text !== null && text.length <= max) return raw;
  const json = text ?? JSON.stringify(raw);
  return { excerpt: excerpt(json, max), truncated: true, chars: json.length } satisfies PayloadExcerpt;
}

/**
 * A lower bound of `JSON.stringify(value)`'s length, counted without building the string and without
 * recursion, up to `limit + 1` (a value larger than `limit` stops the count there). Strings count as
 * their length plus quotes (escapes only make the JSON longer).
 */
function jsonLengthUpTo(value: unknown, limit: number): number {
  let n = 0;
  const stack: unknown[] = [value];
  while (stack.length && n <= limit) {
    const v = stack.pop();
    if (typeof v === 'string') n += v.length + 2;
    else if (v === undefined || typeof v === 'function') continue; // left out of JSON
    else if (v === null || typeof v !== 'object') n += String(v).length;
    else if (Array.isArray(v)) {
      n += 2 + Math.max(0, v.length - 1);
      for (const x of v) stack.push(x);
    } else {
      const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined && typeof x !== 'function');
      n += 2 + Math.max(0, entries.length - 1);
      for (const [k, x] of entries) {
        n += k.length + 3;
        stack.push(x);
      }
    }
  }
  return n;
}
