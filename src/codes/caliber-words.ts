/**
 * The words of cartridge designations and their abbreviations, for the caliber table's matching key.
 *
 * SAAMI and CIP names, NCIC's CAL descriptions and LIMS exports write the same designation with
 * different words: ".41 REMINGTON MAGNUM" (NCIC), ".41 Rem Mag" (a headstamp), ".41 Remington Magnum"
 * (SAAMI). Every abbreviation below is replaced by its word before the key is taken, in synonyms,
 * descriptions and looked-up text alike, so the three meet. Only abbreviations that mean one thing in
 * any cartridge designation are listed: "ACP" is always "Auto" (SAAMI renamed the ACP cartridges
 * ".25 Auto", ".32 Auto", ".380 Auto", ".45 Auto"), but "PARA" is not listed (9mm and 7.65mm
 * Parabellum are different cartridges: their spellings are synonyms of each cartridge instead).
 *
 * Each row: the words (as the key spells them: upper case, letters and digits, "&" kept) and the
 * abbreviations that mean them. A row's abbreviation may be several words ("S & W"); the longest
 * abbreviation that matches at a position wins. Spacing needs no row: the key leaves spaces out, so
 * "RIM FIRE" and "RIMFIRE", "AUTO RIM" and "AUTORIM" already meet. Abbreviations that mean two
 * things are left out: ".300 WM" is Winchester Magnum to some, Weatherby Magnum to others, and "WSM"
 * is Winchester Short Magnum in ".300 WSM" but Winchester Super Magnum in ".17 WSM".
 */
export const CALIBER_WORDS: readonly (readonly [words: string, abbreviations: readonly string[]])[] = [
  ['AUTO', ['ACP', 'AUTOMATIC']],
  ['AUTOMAG', ['AUTO MAG', 'AUTO MAGNUM']],
  ['ACTION EXPRESS', ['AE']],
  ['BROWNING MACHINE GUN', ['BMG']],
  ['FEDERAL', ['FED']],
  ['GAUGE', ['GA', 'GAGE']],
  ['GOVERNMENT', ['GOVT', 'GOV']],
  ['HARRINGTON & RICHARDSON', ['H & R']],
  ['HOLLAND & HOLLAND', ['H & H']],
  ['LONG RIFLE', ['LR']],
  ['MAGNUM', ['MAG']],
  ['NITRO EXPRESS', ['NE']],
  ['PRECISION RIFLE CARTRIDGE', ['PRC']],
  ['REMINGTON', ['REM']],
  ['REMINGTON ULTRA MAGNUM', ['RUM']],
  ['RIMFIRE', ['RF']],
  ['SMITH & WESSON', ['S & W']],
  ['SPECIAL', ['SPL', 'SPEC', 'SPCL']],
  ['SPRINGFIELD', ['SPRG', 'SPFD', 'SPRGFLD']],
  ['WEATHERBY', ['WBY']],
  ['WINCHESTER', ['WIN']],
  ['WINCHESTER CENTERFIRE', ['WCF']],
  ['WINCHESTER MAGNUM RIMFIRE', ['WMR']],
  ['WINCHESTER RIMFIRE', ['WRF']],
  ['WINCHESTER SUPER SHORT MAGNUM', ['WSSM']],
];
