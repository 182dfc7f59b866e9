/**
 * The spellings an NCIC CAL description lists.
 *
 * Input: one CAL description, e.g. "9MM LUGER/PARABELLUM/9X19, 9MM KURZ/CORTO/9X17 (.380ACP), ...
 * 9X23 ETC" or ".380 ACP IN U.S.; ALSO KNOWN IN EUROPE AS THE 9 MM KURZ/CORTO/SHORT, AND THE 9X17".
 * Output: the designations it names, as NCIC writes them ("9MM LUGER", "9MM PARABELLUM", "9X19",
 * "9MM KURZ", "9MM CORTO", "9X17", ".380ACP", ... / ".380 ACP", "9 MM KURZ", "9 MM CORTO",
 * "9 MM SHORT", "9X17"). The caliber table indexes each of them for its code; a spelling that two
 * codes list stays ambiguous there (reported, never coded).
 *
 * How a description is read (NCIC's own punctuation, nothing guessed about the cartridges):
 *   - ";" separates clauses, "," and " OR " separate items;
 *   - "/" separates alternatives, except between two digits ("14/221" is one designation);
 *   - parentheses holding a designation (starting with a number) are an item of their own
 *     ("(.30 SPRINGFIELD)"); holding words, they are optional ("(S&W) SPECIAL");
 *   - words before the first number are prose and dropped ("ALSO", "ALSO USED FOR", "AND THE"), and
 *     so is everything from a joining word on (" IN U.S.", " IS METRIC FOR ...", " USED IN ...",
 *     " ON BLACK-POWDER ...", ". USE THE MIS FIELD ..."), and a closing "ETC";
 *   - an alternative or item with no number takes the number of the first one of its group
 *     ("9MM LUGER/PARABELLUM" -> "9MM PARABELLUM"; ".204 RUGER, REMINGTON" -> ".204 REMINGTON");
 *   - what has no number after that is prose ("TYPICALLY USED IN BLACK-POWDER FIREARMS") and dropped.
 */

const STARTS_WITH_NUMBER = /^\.?\d/;
const HAS_NUMBER = /\d/;

/** The number that opens a designation, with its unit: "9MM", "9 MM", ".22", "7.62X39" -> "7.62". */
function leadingNumber(spelling: string): string | undefined {
  return /^(\.?\d[\d.]*(?:\s?MM\b)?)/.exec(spelling)?.[1];
}

/** Drops leading prose, trailing prose and a closing ETC; "" if nothing of a designation is left. */
function trimProse(item: string): string {
  let s = item.trim();
  const words = s.split(/\s+/);
  const first = words.findIndex((w) => STARTS_WITH_NUMBER.test(w));
  if (first > 0) s = words.slice(first).join(' ');
  s = s.replace(/\s+(?:IN|IS|USED|ON)\s.*$/, '');
  s = s.replace(/(?<=[A-Z]{3})\.\s.*$/, '');
  s = s.replace(/[\s,]*\bETC\.?$/, '');
  return s.trim();
}

/** Splits an item on "/" (not between digits) and gives number-less alternatives the first one's number. */
function alternatives(item: string): string[] {
  const parts = item.split(/(?<!\d)\/|\/(?!\d)/).map((p) => p.trim()).filter((p) => p !== '');
  const lead = parts.length > 0 ? leadingNumber(parts[0]!) : undefined;
  return parts.map((p) => (HAS_NUMBER.test(p) || lead === undefined ? p : `${lead} ${p}`));
}

/** The designations one CAL description lists, in order, without repeats. */
export function caliberDescriptionSpellings(description: string): string[] {
  const out: string[] = [];
  const add = (s: string) => {
    const t = s.replace(/\s+/g, ' ').trim();
    if (HAS_NUMBER.test(t) && !out.includes(t)) out.push(t);
  };
  for (const clause of description.toUpperCase().split(';')) {
    let groupNumber: string | undefined;
    for (const rawItem of clause.split(/,|\s+OR\s+/)) {
      // Parentheses: a designation inside is an item of its own; words inside are optional.
      const variants: string[] = [];
      const asides: string[] = [];
      const plain = rawItem.replace(/\(([^)]*)\)/g, (_m, inner: string) => {
        if (STARTS_WITH_NUMBER.test(inner.trim())) {
          asides.push(inner);
          return ' ';
        }
        return `\u0000${inner}\u0000`;
      });
      variants.push(plain.replace(/\u0000/g, ' '), plain.replace(/\u0000[^\u0000]*\u0000/g, ' '));
      for (const variant of new Set(variants)) {
        let item = trimProse(variant);
        if (item === '') continue;
        if (!HAS_NUMBER.test(item)) {
          if (groupNumber === undefined) continue;
          item = `${groupNumber} ${item}`;
        }
        groupNumber ??= leadingNumber(item);
        for (const a of alternatives(item)) add(a);
      }
      for (const aside of asides) for (const a of alternatives(trimProse(aside))) add(a);
    }
  }
  return out;
}
