/**
 * The matching key of a caliber or cartridge designation, for the `ncic-caliber` table.
 *
 * Input: a trimmed, non-empty designation (".41 Rem Mag", "41 Remington Magnum", "12 GA 2 3/4",
 * "12/70", "7.62x39mm"). Output: the `matchKey` of the designation after two normalizations, applied
 * alike to synonyms, NCIC descriptions and looked-up text, so that equal designations meet:
 *   1. a shotshell designation becomes its gauge alone ("12 GA 2 3/4" and "12/70" -> "12 GAUGE"),
 *      see shotshell.ts;
 *   2. each abbreviation of caliber-words.ts becomes its words ("REM" -> "REMINGTON", "MAG" ->
 *      "MAGNUM", "ACP" -> "AUTO", "S & W" -> "SMITH & WESSON"); words are read as matchKey reads them
 *      (case, spacing and punctuation ignored, a decimal point between digits kept), and a number
 *      glued to a word counts as two words ("12GA", "22LR", "45ACP");
 *   3. "mm" after a metric case length is dropped ("7.62x39mm" = "7.62x39", "7.62x54mmR" =
 *      "7.62x54R"); "mm" after a bore alone stays ("9mm" is not the CAL code "9").
 *   ".41 Rem Mag" -> "41REMINGTONMAGNUM"   "12 ga 3\"" -> "12GAUGE"   ".380 ACP" -> "380AUTO"
 * Like matchKey it never guesses: two designations meet only if they are the same words.
 *
 * The abbreviation index is built once, at module load; a key costs one pass over the text.
 */
import { CALIBER_WORDS } from './caliber-words.ts';
import { matchKey } from './match-key.ts';
import { shotshellDesignation } from './shotshell.ts';

/** The words of a text: matchKey's characters, split at spaces, punctuation, "&" and letter/digit edges. */
function words(text: string): string[] {
  const out: string[] = [];
  // Chunks end where matchKey drops a character; apostrophes and periods stay inside ("GOV'T", "A.C.P.").
  for (const chunk of text.split(/[^\p{L}\p{N}&+.'’]+/u)) {
    const key = matchKey(chunk);
    if (key === '') continue;
    const parts = key.match(/&|[A-Z]+|[0-9][0-9.]*/g);
    if (parts) out.push(...parts);
  }
  return out;
}

interface Abbreviation {
  readonly from: readonly string[];
  readonly to: readonly string[];
}

/** Abbreviations by their first word, longest first. */
const ABBREVIATIONS: ReadonlyMap<string, readonly Abbreviation[]> = (() => {
  const index = new Map<string, Abbreviation[]>();
  for (const [expanded, abbreviations] of CALIBER_WORDS) {
    const to = words(expanded);
    for (const a of abbreviations) {
      const from = words(a);
      const list = index.get(from[0]!) ?? [];
      list.push({ from, to });
      index.set(from[0]!, list);
    }
  }
  for (const list of index.values()) list.sort((a, b) => b.from.length - a.from.length);
  return index;
})();

function expand(ws: readonly string[]): string {
  let out = '';
  for (let i = 0; i < ws.length; ) {
    // "7.62x39mm" is "7.62x39", "7.62x54mmR" is "7.62x54R": mm after a case length says nothing more.
    if ((ws[i] === 'MM' || ws[i] === 'MMR') && i >= 2 && ws[i - 2] === 'X' && /^\d/.test(ws[i - 1]!)) {
      if (ws[i] === 'MMR') out += 'R';
      i++;
      continue;
    }
    const candidates = ABBREVIATIONS.get(ws[i]!);
    const hit = candidates?.find((a) => a.from.every((w, j) => ws[i + j] === w));
    if (hit) {
      out += hit.to.join('');
      i += hit.from.length;
    } else {
      out += ws[i];
      i++;
    }
  }
  return out;
}

/** The caliber table's matching key of a designation (see the module header). */
export function caliberKey(text: string): string {
  return expand(words(shotshellDesignation(text) ?? text));
}
