/**
 * JSON nesting depth, measured before anything parses the text.
 *
 * Input: the bytes of a JSON document or NDJSON line, in as many pieces as they arrive.
 * Output: where the nesting of arrays and objects first goes past a limit (line and column), or nothing.
 *
 * A linear scan without recursion: it follows strings (and their escapes) so brackets inside them do
 * not count, and it counts nothing else; syntax is JSON.parse's business afterwards. JSON.parse itself
 * copes with any depth, but everything that walks the parsed value recursively afterwards (the mapping,
 * JSON.stringify, the store) does not: 100,000 levels ended in `Maximum call stack size exceeded`.
 */

export interface TooDeep {
  /** 1-based line of the bracket that went past the limit. */
  line: number;
  /** 1-based column (characters) of that bracket. */
  column: number;
}

export class JsonNesting {
  private depth = 0;
  private inString = false;
  private escaped = false;
  private line = 1;
  private column = 0;

  constructor(private readonly maxDepth: number) {}

  /** Scan the next piece; the first place past the limit, or null. */
  scan(bytes: Uint8Array): TooDeep | null {
    const max = this.maxDepth;
    let { depth, inString, escaped, line, column } = this;
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i]!;
      if ((b & 0xc0) !== 0x80) column++; // a UTF-8 continuation byte is not a new character
      if (inString) {
        if (escaped) escaped = false;
        else if (b === 0x5c) escaped = true; // backslash
        else if (b === 0x22) inString = false;
        else if (b === 0x0a) {
          line++;
          column = 0;
        }
        continue;
      }
      if (b === 0x22) inString = true;
      else if (b === 0x5b || b === 0x7b) {
        if (++depth > max) return { line, column };
      } else if (b === 0x5d || b === 0x7d) {
        if (depth > 0) depth--;
      } else if (b === 0x0a) {
        line++;
        column = 0;
      }
    }
    Object.assign(this, { depth, inString, escaped, line, column });
    return null;
  }
}

/**
 * JSON.parse's message for a syntax error, without the piece of the input V8 quotes in some of them
 * (`Unexpected token 'J', "John Smith"... is not valid JSON`), and with a line and column where V8
 * gives an offset.
 */
export function jsonSyntaxReason(err: unknown, text: string): string {
  let reason = err instanceof Error ? err.message : String(err);
  reason = reason.replace(/, (?:\.\.\.)?".*"(?:\.\.\.)? is not valid JSON$/s, ' (not valid JSON)');
  const m = / in JSON at position (\d+)/.exec(reason);
  if (m) {
    const pos = Math.min(Number(m[1]), text.length);
    let line = 1;
    let lineStart = 0;
    for (let i = text.indexOf('\n'); i !== -1 && i < pos; i = text.indexOf('\n', i + 1)) {
      line++;
      lineStart = i + 1;
    }
    reason = reason.replace(m[0], ` at line ${line} column ${pos - lineStart + 1}`);
  }
  return reason;
}
