/**
 * Which NCIC MAK codes are place codes rather than makers.
 *
 * NCIC MAK mixes makers with ~600 two-letter codes for countries, US states, Canadian provinces,
 * Mexican states and tribal nations, to be used "IF MAKE CAN NOT BE DETERMINED" (HK Hong Kong, CK
 * Czechoslovakia, FN France, CZ Canal Zone, CT Connecticut...). In free text those two letters are
 * almost always an abbreviated maker ("HK" is Heckler & Koch, "FN" is FN Herstal), so in text mode a
 * place code is never taken as a bare code; in code mode it is exactly what the code says.
 *
 * Some two-letter codes are shared by a maker and a place ("SMITH & WESSON OR ESWATINI",
 * "HARRINGTON & RICHARDSON OR CHRISTMAS ISLAND", "HIGH STANDARD OR SAINT HELENA"): NCIC names the
 * maker first, so they stay accepted as codes.
 */

/** The wording NCIC uses on place codes: "USE COUNTRY CODE IF MAKE...", "CODE BY COUNTRY IF...", with its typos. */
const PLACE_WORDING = /\bUSE (?:THE )?(?:COUNTRY|COUNTY|COUNRY|COUTNRY|COUNTRYCODE|CODE|STATE)\b|\bCODE BY COUNT/;

/** Place codes whose NIEM description lacks that wording. */
export const PLACE_CODES_WITHOUT_WORDING: ReadonlySet<string> = new Set([
  'CK', // CZECHOSLOVAKIA
  'CN', // CHINESE
  'VM', // VIETNAM
  'VN', // NORTH VIETNAM
  'JY', // MUCKLESHOOT INDIAN TRIBE...
  'QQ', // SEMINOLE TRIBE OF FLORIDA...
  'UW', // WASHOE TRIBE OF NEVADA & CALIFORNIA...
]);

/** Two-letter codes that carry the place wording but whose description names a maker first. */
export const MAKER_AND_PLACE_CODES: ReadonlySet<string> = new Set([
  'AM', // AMERICAN ARMS CO OR AMERICAN SAMOA
  'BH', // BABY HAMMERLESS MODEL OF SEDGLEY ... BELIZE
  'BM', // BM MFG OF SHOTGUNS OR BERMUDA
  'BW', // BOHNMISCHE WAFFENFABRIK OR BALEARIC ISLANDS
  'CB', // COLOMBIA FUERZAS MILITARES MILITARY WEAPON
  'CH', // C. H. OR CHIHUAHUA
  'CO', // COAST-TO-COAST STORES OR COLORADO
  'ER', // ERIKA OR EUROPA ISLAND
  'FW', // BULLSEYE MFG. CO. (FOREHAND & WADSWORTH) ... FLANDREAU SANTEE SIOUX
  'GE', // DANZIG ROYAL ARSENAL OR GERMANY
  'HR', // HARRINGTON & RICHARDSON OR CHRISTMAS ISLAND
  'HS', // HIGH STANDARD OR SAINT HELENA
  'JA', // HAMADA JAPAN MILITARY ARSENAL OR JAPAN
  'LA', // J. H. LAU & CO. OR LOUISIANA
  'LB', // LOB SINGLE-SHOT PISTOLS OR LIBERIA
  'LU', // LUNEBRUG OR SAINT LUCIA
  'ME', // AUGUST MENZ OR MAINE
  'MH', // MERWIN & HULBERT OR MARSHALL ISLANDS
  'MS', // MODESTO SANTOS OR MISSISSIPPI
  'MT', // MOUNTAINEER RIFLE OR MONTANA
  'NE', // ARTILLERIE INRICHTINGEN (MILITARY ARSENAL) OR HOLLAND
  'OM', // OM BRAND OF OJANGUREN Y MARCAIDE OR OMAN
  'PG', // PAXTON & GALLEGHER OR GUINEA-BISSAU
  'SD', // SACO DEFENSE ... SOUTH DAKOTA
  'SE', // R. F. SEDGLEY, INC. ... SEYCHELLES
  'SW', // SMITH & WESSON OR ESWATINI
  'TS', // TS MODEL OF SHOTGUN ... ST KITTS
  'VL', // VOL BRAND NAME OF BLUMENFIELD IMPORTS ... NAVASSA ISLAND
  'WE', // WEHER ... WHITE EARTH BAND OF CHIPPEWA
  'WI', // WEDMER ... WISCONSIN
  'WS', // SCOTT MFD BY WEBLEY & SCOTT ... WESTERN SAMOA
  'ZB', // Z-B ... MARTINIQUE
]);

/** True if NCIC says this MAK code stands for a place, not a maker. */
export function isPlaceMakeCode(code: string, description: string): boolean {
  if (code.length !== 2) return false;
  if (PLACE_CODES_WITHOUT_WORDING.has(code)) return true;
  return PLACE_WORDING.test(description) && !MAKER_AND_PLACE_CODES.has(code);
}

/** True if the description carries NCIC's place wording (used by tests to keep the lists above honest). */
export function hasPlaceWording(description: string): boolean {
  return PLACE_WORDING.test(description);
}
