/**
 * Regular expressions that cannot hold a worker, whatever the value.
 *
 * A pattern like `^(\w+\s?)*$` tries every way of splitting a value that almost matches: 30 characters
 * take 40 s, 40 take days. A mapping's patterns (`regexExtract`, `regexReplace`, `matches`, a fixed-width
 * layout's `match`) run on every source value, so one crafted or merely unlucky value would block its
 * worker's event loop, and the unit, taken up again by the next worker after its lock expires, would
 * block that one too.
 *
 * V8 can run a pattern with a second engine whose time is linear in the value's length. With these flags,
 * a match that has backtracked `BACKTRACK_LIMIT` times starts again on that engine and gives the same
 * result: the value above takes 2 ms. The linear engine does not run every pattern: not one with a
 * back-reference (`\1`), a lookahead or lookbehind, or the flags `i` or `u` (Node 20). Those run as
 * written; `linearTime` tells which is which (docs/hostile-input.md). A pattern that names no letter
 * means the same without `i`, so a mapping's `matches`, which ignores case by default, drops the flag
 * where `ignoringCaseMatters` says it changes nothing, and is guarded.
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

/** Escapes that match the same with or without flag i: digits, spaces, word characters, boundaries, control characters, escaped punctuation. */
const CASELESS_ESCAPE = /\\[dDsSwWbBtnrfv0.\\/^$*+?()[\]{}|]/g;

/**
 * Whether flag i can change what `pattern` matches. False only when it names no character that has a
 * case (`^\d+(\.\d+)*$`), has no range (`[!-~]` spans letters without naming one) and no other escape
 * (`\x41` is a letter, `\1` compares text): then the pattern means the same without the flag.
 */
export function ignoringCaseMatters(pattern: string): boolean {
  const rest = pattern.replace(CASELESS_ESCAPE, '');
  if (rest.includes('\\') || rest.includes('-')) return true;
  for (const ch of rest) if (ch.toLowerCase() !== ch || ch.toUpperCase() !== ch) return true;
  return false;
}
