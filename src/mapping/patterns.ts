/**
 * The regular expressions a mapping brings, and which of them the backtracking guard covers
 * (src/runtime/regexp-guard.ts): `cgic validate` names those it does not and that repeat a quantified
 * group, so their author can rewrite them.
 *
 * Only `cgic validate` loads this module (and safe-regex2 with it); compiling a mapping needs none of it.
 *
 * Input: a mapping specification as parsed. Output: each pattern with its place in the file and the
 * flags it runs with; `unguardedRisk` says why one is at risk, or nothing.
 */
import safeRegex from 'safe-regex2';
import { linearTime } from '../runtime/regexp-guard.ts';
import { LINE_MATCH_FLAGS, lineMatchSource } from '../formats/fixed-width-reader.ts';
import { matchesFlags } from './compile.ts';

export interface AuthorPattern {
  /** Where it is in the mapping file. */
  path: (string | number)[];
  /** What the hub compiles. */
  source: string;
  flags: string;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Every pattern of the specification: `matches` conditions, `regexExtract` and `regexReplace` operations, a fixed-width `match`. */
export function authorPatterns(spec: unknown): AuthorPattern[] {
  const out: AuthorPattern[] = [];
  const fixedWidth = isObject(spec) && isObject(spec.source) && isObject(spec.source.fixedWidth) ? spec.source.fixedWidth : undefined;
  if (fixedWidth && typeof fixedWidth.match === 'string') {
    out.push({ path: ['source', 'fixedWidth', 'match'], source: lineMatchSource(fixedWidth.match), flags: LINE_MATCH_FLAGS });
  }
  const walk = (v: unknown, path: (string | number)[]): void => {
    if (Array.isArray(v)) {
      v.forEach((x, i) => walk(x, [...path, i]));
      return;
    }
    if (!isObject(v)) return;
    if (typeof v.matches === 'string' && v.field !== undefined) {
      out.push({ path: [...path, 'matches'], source: v.matches, flags: matchesFlags(v.matches, v.ignoreCase as boolean | undefined) });
    }
    for (const op of ['regexExtract', 'regexReplace']) {
      const args = v[op];
      if (isObject(args) && typeof args.pattern === 'string') out.push({ path: [...path, op, 'pattern'], source: args.pattern, flags: typeof args.flags === 'string' ? args.flags : '' });
    }
    for (const [k, x] of Object.entries(v)) walk(x, [...path, k]);
  };
  walk(spec, []);
  return out;
}

/**
 * Why a pattern is at risk, when it is: the fallback cannot run it (`flag i`, `flag u`, `a back-reference
 * or a lookaround`) and it repeats a quantified group (`(\w+\s?)*`: star height above 1, safe-regex2's
 * test), so a value can make it take time exponential in its length. Undefined otherwise, and when the
 * guard is off in this process.
 */
export function unguardedRisk(p: Pick<AuthorPattern, 'source' | 'flags'>): string | undefined {
  if (linearTime(p.source, p.flags) !== false || safeRegex(p.source, { limit: Infinity })) return undefined;
  const flag = ['i', 'u'].find((f) => p.flags.includes(f) && linearTime(p.source, p.flags.replace(f, '')));
  return flag ? `flag ${flag}` : 'a back-reference or a lookaround';
}
