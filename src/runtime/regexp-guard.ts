/**
 * Regular expressions that cannot hold a worker, whatever the value.
 *
 * A pattern like `^(\w+\s?)*$` tries every way of splitting a value that almost matches: 30 characters
 * take 40 s, and each one more doubles it: 40 take about 12 hours. A mapping's patterns (`regexExtract`,
 * `regexReplace`, `matches`, a fixed-width layout's `match`) run on every source value, so one crafted
 * or merely unlucky value would block its worker's event loop, and the unit, taken up again by the next
 * worker after its lock expires, would block that one too.
 *
 * V8 can run a pattern with a second engine whose time is linear in the value's length. With these flags,
 * a match that has backtracked `BACKTRACK_LIMIT` times starts again on that engine and gives the same
 * result: the value above takes 2 ms. The linear engine does not run every pattern: not one with a
 * back-reference (`\1`), a lookahead or lookbehind, or the flags `i` or `u` (Node 20). Those run as
 * written; `linearTime` tells which is which (docs/hostile-input.md). A mapping's `matches` ignores case
 * by default by upper-casing the value, and drops flag `i` where `ignoringCaseMatters` says it changes
 * nothing on upper-case text (capitals, digits, punctuation), so it is guarded too.
 *
 * Set once per process, before any value is matched: `bin/cgic.js` does it for the hub and every `cgic`
 * command, and the test runner for every test file.
 */
import v8 from 'node:v8';

/** Backtracks a match may take before it starts again on the linear-time engine (V8's default). */
export const BACKTRACK_LIMIT = 50_000;

let guarded = false;

/** Turn the fallback on for this process (and the `l` flag that `linearTime` tries). */
export function guardBacktracking(): void {
  if (guarded) return;
  v8.setFlagsFromString('--enable-experimental-regexp-engine');
  v8.setFlagsFromString('--enable-experimental-regexp-engine-on-excessive-backtracks');
  v8.setFlagsFromString(`--regexp-backtracks-before-fallback=${BACKTRACK_LIMIT}`);
  guarded = true;
}

/**
 * Whether a pattern with these flags falls back to linear time when it backtracks too long; undefined
 * when the guard is off in this process (then none does).
 */
export function linearTime(pattern: string, flags = ''): boolean | undefined {
  if (!guarded) return undefined;
  try {
    new RegExp(pattern, `${flags.replace(/[gy]/g, '')}l`);
    return true;
  } catch {
    return false;
  }
}

/** Escapes that match the same with or without flag i on upper-case text: digits, spaces, word characters, boundaries, control characters, escaped punctuation. */
const CASELESS_ESCAPE = /\\[dDsSwWbBtnrfv0.\\/^$*+?()[\]{}|-]/g;

const upper = (ch: string): boolean => ch.toUpperCase() === ch;
const ASCII_UPPER = /^[A-Z]$/;
const DIGIT = /^[0-9]$/;

/**
 * Whether flag i can change what `pattern` matches in text that is already upper case (a `matches`
 * that ignores case upper-cases the value first). It cannot when every character the pattern names is
 * its own upper case (`^[A-Z]{2}[A-Z0-9]{7}$`, `^(NONE|NO SERIAL)$`, `^\d+(\.\d+)*$`), each range of a
 * class runs between two capitals or two digits (`[!-~]` spans the lower case too), and the only escapes
 * are `\d \s \w \b`, their negations, control characters and punctuation (`\x61` is a lower-case "a",
 * `\1` compares text): then the pattern means the same without the flag.
 */
export function ignoringCaseMatters(pattern: string): boolean {
  const rest = [...pattern.replace(CASELESS_ESCAPE, '\u0000')];
  let inClass = false;
  for (let i = 0; i < rest.length; i++) {
    const ch = rest[i]!;
    if (ch === '\\') return true;
    if (!upper(ch)) return true;
    if (!inClass) {
      if (ch === '[') inClass = true;
      continue;
    }
    if (ch === ']') inClass = false;
    else if (ch === '-' && i > 0 && rest[i - 1] !== '[' && rest[i + 1] !== ']') {
      const [from, to] = [rest[i - 1]!, rest[i + 1]!];
      if (!((ASCII_UPPER.test(from) && ASCII_UPPER.test(to)) || (DIGIT.test(from) && DIGIT.test(to)))) return true;
    }
  }
  return false;
}
