/**
 * The matching key of a free-text value for code-table lookups (text mode).
 *
 * Input: a trimmed, non-empty string from an export ("Hi-Point", "S & W", ".380 ACP", "9 mm").
 * Output: upper case, with only letters, digits and "&" kept ("+" counts as "&"), and a period kept
 * only as a decimal point between two digits:
 *
 *   "Hi-Point" -> "HIPOINT"    "S & W" -> "S&W"     "H+K" -> "H&K"      "Glock, Inc." -> "GLOCKINC"
 *   ".380 ACP" -> "380ACP"     "9 mm"  -> "9MM"     "7.62x39" -> "7.62X39"   ".30-06" -> "3006"
 *
 * Why these choices: exports differ mostly in case, spacing and punctuation, and those carry no meaning
 * in a make, caliber or type name. Two things do: "&" (so "SMITH & WESSON" and "SMITH AND WESSON" stay
 * two listed spellings rather than one guessed equivalence) and a decimal point between digits ("7.62"
 * is a bore, "762" is the CAL code 762; ".380" and "380" are the same caliber, as NCIC's own codes
 * show: CAL 380, 3006 for .30-06, 3220 for .32-20). Letters with diacritics are folded to ASCII
 * ("Česká" -> "CESKA"). The key is never a fuzzy match: two spellings meet only if they are equal here.
 *
 * Runs per row: a value that is already a key is returned as is (no allocation); otherwise one pass.
 */
export function matchKey(text: string): string {
  const n = text.length;
  let clean = true;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (!((c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 38)) {
      clean = false;
      break;
    }
  }
  if (clean) return text;
  return build(text, false);
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function build(text: string, folded: boolean): string {
  const n = text.length;
  let out = '';
  let lastDigit = false;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c >= 97 && c <= 122) {
      out += String.fromCharCode(c - 32);
      lastDigit = false;
    } else if ((c >= 65 && c <= 90) || c === 38) {
      out += text[i];
      lastDigit = false;
    } else if (c >= 48 && c <= 57) {
      out += text[i];
      lastDigit = true;
    } else if (c === 43) {
      out += '&';
      lastDigit = false;
    } else if (c === 46) {
      // A decimal point survives only between two digits; lastDigit is left as is so "9.MM" stays "9MM".
      if (lastDigit && i + 1 < n && isDigit(text.charCodeAt(i + 1))) {
        out += '.';
        lastDigit = false;
      }
    } else if (c >= 128 && !folded) {
      // Rare: fold diacritics once ("É" -> "E"), then rebuild; what still is not ASCII is dropped.
      return build(text.normalize('NFKD').replace(/[\u0300-\u036f]/g, ''), true);
    }
    // Anything else (spaces, hyphens, commas, slashes, apostrophes, brackets...) is not part of the key.
  }
  return out;
}
