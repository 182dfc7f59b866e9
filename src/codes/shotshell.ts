/**
 * Shotshell designations: the gauge (or bore) with whatever chamber length the source adds.
 *
 * Input: one designation as written ("12 Gauge 2 3/4", "12 GA 3\" MAG", "20ga 2-3/4in", "12/70",
 * "410/76", ".410 Bore 2 1/2\"", "16 GA 70mm", "12 BORE", "10 GA SHOTGUN").
 * Output: the gauge alone, as "<n> GAUGE" (".410 BORE" for the .410), which the caliber table then
 * looks up like any other spelling; undefined when the text is not a shotshell designation.
 *
 * Why a chamber length can be dropped: NCIC CAL codes a shotgun by its gauge alone (4, 10, 12, 16,
 * 20, 24, 28, 410); 2 3/4", 3" and 3 1/2" shells of one gauge share the code, and the text is kept.
 *
 * What counts as a shotshell designation, so that no rifle or pistol name is ever read as one:
 *   - a gauge number (4, 8, 10, 12, 14, 16, 20, 24, 28, 32, 36, .410) followed by a gauge word
 *     (GAUGE, GA, GAGE, G, BORE), then optionally a chamber length, MAG/MAGNUM, SHOTGUN/SHOTSHELL;
 *   - a gauge number followed by a chamber length with its unit ("410 3\"", "12 2 3/4 IN", "20 76MM");
 *   - the CIP form gauge/chamber in millimetres, with a CIP chamber length: "12/70", "12/76",
 *     "12/89", "16/67.5", "20/70", "28/70", "410/76" (a wildcat such as ".14/221" is not one).
 * Which gauge has an NCIC code is the table's business: "14 GAUGE" or "32 GAUGE" stay unknown.
 */

const GAUGES = '(?:4|8|10|12|14|16|20|24|28|32|36|\\.?410)';
/** Inch lengths: 2, 2.5, 2 1/2, 2-3/4, 3, 3.5, 3 1/2... */
const INCHES = '(?:[23](?:\\.\\d{1,2})?(?:[ -]?[13]/[248])?)';
const INCH_UNIT = '(?:IN(?:CH(?:ES)?)?\\.?|")';
const MM_LENGTHS = '(?:50|60|63|63\\.5|65|67|67\\.5|70|73|76|89)';
const CHAMBER = `(?:X ?)?(?:${INCHES} ?${INCH_UNIT}?|${MM_LENGTHS} ?MM)`;
const CHAMBER_WITH_UNIT = `(?:X ?)?(?:${INCHES} ?${INCH_UNIT}|[23] [13]/[248]|${MM_LENGTHS} ?MM)`;
const TAIL = `(?: ?(?:MAG|MAGNUM))?(?: ?(?:SHOTGUN|SHOTSHELL)S?)?`;

const WITH_WORD = new RegExp(`^(${GAUGES}) ?(?:GAUGE|GAGE|GA|G|BORE)(?: ?(?:SHOTGUN|SHOTSHELL)S?)?(?: ?${CHAMBER})?${TAIL}$`);
const WITH_CHAMBER = new RegExp(`^(${GAUGES}) ${CHAMBER_WITH_UNIT}${TAIL}$`);
const CIP = new RegExp(`^(${GAUGES}) ?/ ?${MM_LENGTHS}(?: ?MM)?$`);

/** Upper case, unicode fractions and inch marks spelled out, hyphen and comma runs as one space. */
function tidy(text: string): string {
  return text
    .toUpperCase()
    .replace(/(\d),(\d)/g, '$1.$2')
    .replace(/\s*¼/g, ' 1/4')
    .replace(/\s*½/g, ' 1/2')
    .replace(/\s*¾/g, ' 3/4')
    .replace(/[″”“]|''/g, '"')
    .replace(/(\d)\s*-\s*(\d\/)/g, '$1 $2')
    .replace(/[\s,]+-?\s*|\s*-\s*(?=[A-Z])/g, ' ')
    .replace(/\.(?=\s|$)/g, (m, i: number, s: string) => (/\d/.test(s[i - 1] ?? '') ? m : ''))
    .trim();
}

/** The gauge a shotshell designation names, as "<n> GAUGE" or ".410 BORE"; undefined if it is none. */
export function shotshellDesignation(text: string): string | undefined {
  if (typeof text !== 'string' || text.length > 64) return undefined;
  const s = tidy(text);
  const m = WITH_WORD.exec(s) ?? WITH_CHAMBER.exec(s) ?? CIP.exec(s);
  if (!m) return undefined;
  const gauge = m[1]!.replace('.', '');
  return gauge === '410' ? '.410 BORE' : `${gauge} GAUGE`;
}
