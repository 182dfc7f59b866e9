/**
 * The fixed vocabulary of the synthetic world: agencies, the crime-gun mix, the spellings each
 * system uses for makes, calibers and gun types, names and places.
 *
 * Everything here is synthetic. ORIs follow the 9-character shape (state + 5 digits + 2) built from
 * Connecticut town numbers; they are not claimed to be anyone's real ORI. Person names combine
 * placeholder surnames ("Sample", "Example", "Peña-Sample"...) so nobody real is named.
 *
 * The spelling lists are the contract with the mappings: every value a generator writes for a make,
 * caliber or type comes from these lists (the layout READMEs print them), so a mapping's synonym
 * table can cover them all and only the deliberately bad values stay unknown.
 */

export type AgencyKind = 'municipal' | 'state' | 'lab';
export type CaseNumberStyle = 'yy-n6' | 'prefix-yyyy-n5' | 'yyyy-n6' | 'cfs';

export interface Agency {
  index: number;
  ori: string;
  name: string;
  town: string;
  kind: AgencyKind;
  /** Telephone area code for synthetic 555-01xx contact numbers. */
  areaCode: string;
  caseStyle: CaseNumberStyle;
  /** Prefix for `prefix-yyyy-n5` case numbers. */
  prefix: string;
  zip: string;
  /** Relative share of the world's events. */
  weight: number;
  lat: number;
  lon: number;
}

const agencyRows: Omit<Agency, 'index'>[] = [
  { ori: 'CT0006400', name: 'Hartford Police Department', town: 'Hartford', kind: 'municipal', areaCode: '860', caseStyle: 'yy-n6', prefix: 'HPD', zip: '06103', weight: 18, lat: 41.7637, lon: -72.6851 },
  { ori: 'CT0009300', name: 'New Haven Police Department', town: 'New Haven', kind: 'municipal', areaCode: '203', caseStyle: 'prefix-yyyy-n5', prefix: 'NHPD', zip: '06510', weight: 16, lat: 41.3083, lon: -72.9279 },
  { ori: 'CT0001500', name: 'Bridgeport Police Department', town: 'Bridgeport', kind: 'municipal', areaCode: '203', caseStyle: 'yyyy-n6', prefix: 'BPD', zip: '06604', weight: 16, lat: 41.1865, lon: -73.1952 },
  { ori: 'CT0015100', name: 'Waterbury Police Department', town: 'Waterbury', kind: 'municipal', areaCode: '203', caseStyle: 'yy-n6', prefix: 'WPD', zip: '06702', weight: 10, lat: 41.5582, lon: -73.0515 },
  { ori: 'CT0008900', name: 'New Britain Police Department', town: 'New Britain', kind: 'municipal', areaCode: '860', caseStyle: 'prefix-yyyy-n5', prefix: 'NBPD', zip: '06051', weight: 7, lat: 41.6612, lon: -72.7795 },
  { ori: 'CT0008000', name: 'Meriden Police Department', town: 'Meriden', kind: 'municipal', areaCode: '203', caseStyle: 'yyyy-n6', prefix: 'MPD', zip: '06450', weight: 5, lat: 41.5382, lon: -72.8070 },
  { ori: 'CT0010300', name: 'Norwalk Police Department', town: 'Norwalk', kind: 'municipal', areaCode: '203', caseStyle: 'yy-n6', prefix: 'NPD', zip: '06850', weight: 4, lat: 41.1177, lon: -73.4082 },
  { ori: 'CT0013500', name: 'Stamford Police Department', town: 'Stamford', kind: 'municipal', areaCode: '203', caseStyle: 'prefix-yyyy-n5', prefix: 'SPD', zip: '06901', weight: 5, lat: 41.0534, lon: -73.5387 },
  { ori: 'CT0004300', name: 'East Hartford Police Department', town: 'East Hartford', kind: 'municipal', areaCode: '860', caseStyle: 'yy-n6', prefix: 'EHPD', zip: '06108', weight: 6, lat: 41.7823, lon: -72.6120 },
  { ori: 'CT0001700', name: 'Bristol Police Department', town: 'Bristol', kind: 'municipal', areaCode: '860', caseStyle: 'yyyy-n6', prefix: 'BRPD', zip: '06010', weight: 3, lat: 41.6718, lon: -72.9493 },
  { ori: 'CTCSP0000', name: 'Connecticut State Police', town: 'Middletown', kind: 'state', areaCode: '860', caseStyle: 'cfs', prefix: 'CFS', zip: '06457', weight: 10, lat: 41.5623, lon: -72.6506 },
  { ori: 'CTFSL0000', name: 'State Forensic Science Laboratory', town: 'Meriden', kind: 'lab', areaCode: '203', caseStyle: 'yy-n6', prefix: 'FSL', zip: '06450', weight: 0, lat: 41.5382, lon: -72.8070 },
];

export const AGENCIES: readonly Agency[] = agencyRows.map((a, index) => ({ ...a, index }));
export const LAB: Agency = AGENCIES.find((a) => a.kind === 'lab') as Agency;
/** Agencies that submit evidence and own cases (every one but the lab). */
export const SUBMITTERS: readonly Agency[] = AGENCIES.filter((a) => a.kind !== 'lab');

/** Towns State Police troops cover (no municipal department of their own in this world). */
export const STATE_POLICE_TOWNS: readonly { town: string; zip: string; lat: number; lon: number }[] = [
  { town: 'Plainfield', zip: '06374', lat: 41.6762, lon: -71.9151 },
  { town: 'Enfield', zip: '06082', lat: 41.9762, lon: -72.5918 },
  { town: 'Windham', zip: '06280', lat: 41.6998, lon: -72.1570 },
  { town: 'Killingly', zip: '06239', lat: 41.8384, lon: -71.8695 },
  { town: 'Montville', zip: '06353', lat: 41.4531, lon: -72.1534 },
  { town: 'Griswold', zip: '06351', lat: 41.5937, lon: -71.9268 },
  { town: 'Tolland', zip: '06084', lat: 41.8715, lon: -72.3687 },
];

// --- calibers ---------------------------------------------------------------------------------------

export type CaliberKey = '9MM' | '380' | '40' | '45' | '22LR' | '38SPL' | '357' | '556' | '12GA';

export interface Caliber {
  key: CaliberKey;
  /** Canonical text, as the NIBIN feed and NIEM 6 bore-size text print it. */
  name: string;
  /** NCIC CAL code. */
  ncic: string;
  /** How the eTrace feed prints it. */
  etrace: string;
  /** Whether the lab enters this caliber's casings/test fires into NIBIN (rimfire and shotshells: no). */
  nibin: boolean;
  /** Spellings the LIMS uses (CSV and XML). */
  spellings: readonly string[];
  headstamps: readonly string[];
  /** Typical magazine capacity text for descriptions. */
  capacity: number;
}

export const CALIBERS: Record<CaliberKey, Caliber> = {
  '9MM': {
    key: '9MM', name: '9mm Luger', ncic: '9', etrace: '9MM', nibin: true, capacity: 15,
    spellings: ['9MM', '9 mm Luger', '9x19', '9mm Luger', '9MM LUGER', '9mm Para', '9 MM'],
    headstamps: ['WIN 9MM LUGER', 'FC 9MM LUGER', 'R-P 9MM LUGER', 'CCI 9MM LUGER', 'BLAZER 9MM LUGER', 'S&B 9MM LUGER', 'HORNADY 9MM LUGER', 'PMC 9MM LUGER'],
  },
  '380': {
    key: '380', name: '.380 Auto', ncic: '380', etrace: '.380', nibin: true, capacity: 6,
    spellings: ['.380', '.380 ACP', '380 AUTO', '9mm Kurz', '.380 AUTO'],
    headstamps: ['WIN 380 AUTO', 'FC 380 AUTO', 'R-P 380 AUTO', 'BLAZER 380 AUTO'],
  },
  '40': {
    key: '40', name: '.40 S&W', ncic: '40', etrace: '.40', nibin: true, capacity: 13,
    spellings: ['.40 S&W', '40 S&W', '40 CAL', '.40', '40SW', '.40 CAL'],
    headstamps: ['WIN 40 S&W', 'FC 40 S&W', 'S&B 40 S&W', 'R-P 40 S&W'],
  },
  '45': {
    key: '45', name: '.45 Auto', ncic: '45', etrace: '.45', nibin: true, capacity: 8,
    spellings: ['.45 ACP', '45 AUTO', '.45', '45ACP', '.45 AUTO'],
    headstamps: ['WIN 45 AUTO', 'FC 45 AUTO', 'R-P 45 AUTO', 'BLAZER 45 AUTO'],
  },
  '22LR': {
    key: '22LR', name: '.22 LR', ncic: '22', etrace: '.22', nibin: false, capacity: 6,
    spellings: ['.22 LR', '22 LONG RIFLE', '.22', '22LR'],
    headstamps: ['C', 'F', 'H', 'R'],
  },
  '38SPL': {
    key: '38SPL', name: '.38 Special', ncic: '38', etrace: '.38', nibin: true, capacity: 5,
    spellings: ['.38 SPL', '38 SPECIAL', '.38 Special', '.38'],
    headstamps: ['WIN 38 SPL', 'R-P 38 SPL', 'FC 38 SPL'],
  },
  '357': {
    key: '357', name: '.357 Magnum', ncic: '357', etrace: '.357', nibin: true, capacity: 6,
    spellings: ['.357 MAG', '357 Magnum', '.357'],
    headstamps: ['WIN 357 MAG', 'FC 357 MAG', 'R-P 357 MAG'],
  },
  '556': {
    key: '556', name: '5.56x45mm NATO', ncic: '556', etrace: '5.56', nibin: true, capacity: 30,
    spellings: ['5.56x45', '5.56 NATO', '5.56MM', '5.56X45MM'],
    headstamps: ['LC 18', 'LC 21', 'FC 5.56', 'PMC 5.56'],
  },
  '12GA': {
    key: '12GA', name: '12 gauge', ncic: '12', etrace: '12GA', nibin: false, capacity: 5,
    spellings: ['12 GA', '12 GAUGE', '12GA', '12 ga.'],
    headstamps: ['WINCHESTER 12 GA', 'REMINGTON 12 GA', 'FEDERAL 12 GA'],
  },
};

// --- gun types --------------------------------------------------------------------------------------

export type GunTypeKey = 'PISTOL' | 'REVOLVER' | 'RIFLE' | 'SHOTGUN';

export interface GunType {
  key: GunTypeKey;
  name: string;
  /** NCIC GTYP3 (type + action). */
  ncic: string;
  etrace: string;
  spellings: readonly string[];
}

export const GUN_TYPES: Record<GunTypeKey, GunType> = {
  PISTOL: {
    key: 'PISTOL', name: 'Semi-automatic pistol', ncic: 'PI', etrace: 'PISTOL',
    spellings: ['Semi-Auto Pistol', 'PISTOL', 'SEMI-AUTOMATIC PISTOL', 'Pistol, semiautomatic', 'HANDGUN', 'Semi Automatic Pistol'],
  },
  REVOLVER: {
    key: 'REVOLVER', name: 'Revolver', ncic: 'PR', etrace: 'REVOLVER',
    spellings: ['REVOLVER', 'Revolver', 'PISTOL, REVOLVER', 'DA REVOLVER'],
  },
  RIFLE: {
    key: 'RIFLE', name: 'Semi-automatic rifle', ncic: 'RI', etrace: 'RIFLE',
    spellings: ['RIFLE', 'Semi-Auto Rifle', 'SEMI-AUTOMATIC RIFLE', 'Rifle, semiautomatic'],
  },
  SHOTGUN: {
    key: 'SHOTGUN', name: 'Pump-action shotgun', ncic: 'SP', etrace: 'SHOTGUN',
    spellings: ['SHOTGUN', 'Pump Shotgun', 'SHOTGUN, PUMP'],
  },
};

// --- makes and models -------------------------------------------------------------------------------

export type SerialStyle = 'glock' | 'sw' | 'ruger' | 'taurus' | 'hipoint' | 'sig' | 'none' | 'sccy' | 'keltec' | 'canik' | 'beretta' | 'mossberg' | 'digits6' | 'anderson' | 'heritage';

export interface Make {
  key: string;
  /** Canonical text. */
  name: string;
  /** NCIC MAK code. */
  ncic: string;
  /** How the eTrace feed prints the manufacturer. */
  etrace: string;
  country: string;
  /** Importer of record for foreign-made guns ('' when made in the USA). */
  importer: string;
  spellings: readonly string[];
}

const makeList: Make[] = [
  { key: 'GLOCK', name: 'Glock', ncic: 'GLC', etrace: 'GLOCK', country: 'AUSTRIA', importer: 'GLOCK INC, SMYRNA, GA', spellings: ['GLOCK', 'Glock', 'GLOCK INC', 'Glock Ges.m.b.H.'] },
  { key: 'SW', name: 'Smith & Wesson', ncic: 'SW', etrace: 'SMITH & WESSON', country: 'UNITED STATES', importer: '', spellings: ['S&W', 'SMITH & WESSON', 'Smith and Wesson', 'SMITH&WESSON', 'S & W', 'Smith & Wesson'] },
  { key: 'RUGER', name: 'Sturm, Ruger & Co.', ncic: 'SR', etrace: 'STURM, RUGER & CO.', country: 'UNITED STATES', importer: '', spellings: ['RUGER', 'Ruger', 'STURM RUGER', 'Sturm, Ruger & Co.'] },
  { key: 'TAURUS', name: 'Taurus', ncic: 'TAS', etrace: 'TAURUS', country: 'BRAZIL', importer: 'TAURUS INTERNATIONAL MFG, MIAMI, FL', spellings: ['TAURUS', 'Taurus', 'FORJAS TAURUS', 'Taurus Intl'] },
  { key: 'HIPOINT', name: 'Hi-Point', ncic: 'HIH', etrace: 'HI-POINT', country: 'UNITED STATES', importer: '', spellings: ['HI-POINT', 'Hi Point', 'HIPOINT', 'Hi-Point Firearms', 'HI POINT'] },
  { key: 'SIG', name: 'Sig Sauer', ncic: 'SIG', etrace: 'SIG SAUER', country: 'UNITED STATES', importer: '', spellings: ['SIG SAUER', 'Sig Sauer', 'SIG', 'SIG-SAUER', 'SIGARMS'] },
  { key: 'P80', name: 'Polymer80', ncic: 'POR', etrace: 'POLYMER80', country: 'UNITED STATES', importer: '', spellings: ['POLYMER80', 'Polymer 80', 'P80', 'POLYMER-80'] },
  { key: 'SCCY', name: 'SCCY Industries', ncic: 'SKY', etrace: 'SCCY', country: 'UNITED STATES', importer: '', spellings: ['SCCY', 'SCCY Industries', 'Skyy'] },
  { key: 'KELTEC', name: 'Kel-Tec', ncic: 'KTC', etrace: 'KEL-TEC CNC', country: 'UNITED STATES', importer: '', spellings: ['KEL-TEC', 'Kel Tec', 'KELTEC', 'Kel-Tec CNC'] },
  { key: 'CANIK', name: 'Canik', ncic: 'CNK', etrace: 'CANIK', country: 'TURKEY', importer: 'CENTURY ARMS, DELRAY BEACH, FL', spellings: ['CANIK', 'Canik', 'CANIK 55'] },
  { key: 'BERETTA', name: 'Beretta', ncic: 'BER', etrace: 'BERETTA', country: 'ITALY', importer: 'BERETTA USA CORP, ACCOKEEK, MD', spellings: ['BERETTA', 'Beretta', 'Pietro Beretta'] },
  { key: 'MOSSBERG', name: 'Mossberg', ncic: 'MOS', etrace: 'MOSSBERG', country: 'UNITED STATES', importer: '', spellings: ['MOSSBERG', 'Mossberg', 'O.F. Mossberg & Sons'] },
  { key: 'JIMENEZ', name: 'Jimenez Arms', ncic: 'JMZ', etrace: 'JIMENEZ ARMS', country: 'UNITED STATES', importer: '', spellings: ['JIMENEZ ARMS', 'Jimenez', 'JIMENEZ'] },
  { key: 'ANDERSON', name: 'Anderson Manufacturing', ncic: 'ADM', etrace: 'ANDERSON MANUFACTURING', country: 'UNITED STATES', importer: '', spellings: ['ANDERSON', 'Anderson Mfg', 'ANDERSON MANUFACTURING'] },
  { key: 'HERITAGE', name: 'Heritage Manufacturing', ncic: 'HRT', etrace: 'HERITAGE MFG', country: 'UNITED STATES', importer: '', spellings: ['HERITAGE', 'Heritage Mfg'] },
];

export const MAKES: Record<string, Make> = Object.fromEntries(makeList.map((m) => [m.key, m]));

export interface GunModel {
  make: Make;
  model: string;
  caliber: Caliber;
  type: GunType;
  serial: SerialStyle;
  weight: number;
  privatelyMade: boolean;
  barrelIn: number;
}

type ModelRow = [make: string, model: string, caliber: CaliberKey, type: GunTypeKey, serial: SerialStyle, weight: number, barrelIn: number];

const modelRows: ModelRow[] = [
  ['GLOCK', '19', '9MM', 'PISTOL', 'glock', 8, 4.02],
  ['GLOCK', '17', '9MM', 'PISTOL', 'glock', 4, 4.49],
  ['GLOCK', '26', '9MM', 'PISTOL', 'glock', 3, 3.43],
  ['GLOCK', '43', '9MM', 'PISTOL', 'glock', 3, 3.39],
  ['GLOCK', '43X', '9MM', 'PISTOL', 'glock', 2, 3.41],
  ['GLOCK', '22', '40', 'PISTOL', 'glock', 3, 4.49],
  ['GLOCK', '23', '40', 'PISTOL', 'glock', 3, 4.02],
  ['GLOCK', '27', '40', 'PISTOL', 'glock', 2, 3.43],
  ['GLOCK', '21', '45', 'PISTOL', 'glock', 1, 4.61],
  ['GLOCK', '42', '380', 'PISTOL', 'glock', 1, 3.25],
  ['SW', 'M&P9 Shield', '9MM', 'PISTOL', 'sw', 4, 3.1],
  ['SW', 'M&P40', '40', 'PISTOL', 'sw', 2, 4.25],
  ['SW', 'SD9VE', '9MM', 'PISTOL', 'sw', 3, 4.0],
  ['SW', 'SD40VE', '40', 'PISTOL', 'sw', 2, 4.0],
  ['SW', 'Bodyguard 380', '380', 'PISTOL', 'sw', 1, 2.75],
  ['SW', '642', '38SPL', 'REVOLVER', 'sw', 1, 1.875],
  ['SW', 'M&P15', '556', 'RIFLE', 'sw', 1, 16],
  ['RUGER', 'LCP', '380', 'PISTOL', 'ruger', 3, 2.75],
  ['RUGER', 'LC9s', '9MM', 'PISTOL', 'ruger', 2, 3.12],
  ['RUGER', 'SR9c', '9MM', 'PISTOL', 'ruger', 2, 3.4],
  ['RUGER', 'P95', '9MM', 'PISTOL', 'ruger', 2, 3.9],
  ['RUGER', 'Security-9', '9MM', 'PISTOL', 'ruger', 2, 4.0],
  ['RUGER', 'EC9s', '9MM', 'PISTOL', 'ruger', 2, 3.12],
  ['RUGER', 'GP100', '357', 'REVOLVER', 'ruger', 1, 4.2],
  ['RUGER', '10/22', '22LR', 'RIFLE', 'ruger', 1, 18.5],
  ['TAURUS', 'G2C', '9MM', 'PISTOL', 'taurus', 5, 3.2],
  ['TAURUS', 'PT111 Millennium G2', '9MM', 'PISTOL', 'taurus', 3, 3.2],
  ['TAURUS', 'G3', '9MM', 'PISTOL', 'taurus', 2, 4.0],
  ['TAURUS', 'PT140', '40', 'PISTOL', 'taurus', 1, 3.25],
  ['TAURUS', '85', '38SPL', 'REVOLVER', 'taurus', 1, 2.0],
  ['HIPOINT', 'C9', '9MM', 'PISTOL', 'hipoint', 5, 3.5],
  ['HIPOINT', 'JCP', '40', 'PISTOL', 'hipoint', 2, 4.5],
  ['HIPOINT', 'JHP', '45', 'PISTOL', 'hipoint', 2, 4.5],
  ['HIPOINT', 'CF380', '380', 'PISTOL', 'hipoint', 2, 3.5],
  ['HIPOINT', '995TS', '9MM', 'RIFLE', 'hipoint', 1, 16.5],
  ['SIG', 'P365', '9MM', 'PISTOL', 'sig', 4, 3.1],
  ['SIG', 'P320', '9MM', 'PISTOL', 'sig', 3, 3.9],
  ['SIG', 'P238', '380', 'PISTOL', 'sig', 1, 2.7],
  ['SIG', 'P226', '9MM', 'PISTOL', 'sig', 1, 4.4],
  ['P80', 'PF940C', '9MM', 'PISTOL', 'none', 4, 4.02],
  ['P80', 'PF940SC', '9MM', 'PISTOL', 'none', 2, 3.43],
  ['P80', 'PF45', '45', 'PISTOL', 'none', 1, 4.61],
  ['SCCY', 'CPX-2', '9MM', 'PISTOL', 'sccy', 3, 3.1],
  ['SCCY', 'CPX-1', '9MM', 'PISTOL', 'sccy', 1, 3.1],
  ['KELTEC', 'PF-9', '9MM', 'PISTOL', 'keltec', 2, 3.1],
  ['KELTEC', 'P-3AT', '380', 'PISTOL', 'keltec', 2, 2.75],
  ['KELTEC', 'Sub-2000', '9MM', 'RIFLE', 'keltec', 1, 16.25],
  ['CANIK', 'TP9SF', '9MM', 'PISTOL', 'canik', 2, 4.46],
  ['CANIK', 'TP9 Elite SC', '9MM', 'PISTOL', 'canik', 1, 3.6],
  ['BERETTA', '92FS', '9MM', 'PISTOL', 'beretta', 2, 4.9],
  ['BERETTA', 'PX4 Storm', '9MM', 'PISTOL', 'beretta', 1, 4.0],
  ['MOSSBERG', '500', '12GA', 'SHOTGUN', 'mossberg', 2, 18.5],
  ['JIMENEZ', 'JA Nine', '9MM', 'PISTOL', 'digits6', 1, 4.0],
  ['JIMENEZ', 'JA 380', '380', 'PISTOL', 'digits6', 1, 3.0],
  ['ANDERSON', 'AM-15', '556', 'RIFLE', 'anderson', 1, 16],
  ['HERITAGE', 'Rough Rider', '22LR', 'REVOLVER', 'heritage', 1, 4.75],
];

export const GUN_MODELS: readonly GunModel[] = modelRows.map(([make, model, cal, type, serial, weight, barrelIn]) => ({
  make: MAKES[make] as Make,
  model,
  caliber: CALIBERS[cal],
  type: GUN_TYPES[type],
  serial,
  weight,
  privatelyMade: make === 'P80',
  barrelIn,
}));

/** LIMS SERIAL_NO placeholders meaning "the gun has no serial number" (privately made). */
export const NO_SERIAL_SPELLINGS = ['NONE', 'NO SERIAL', 'PMF - NO SERIAL', ''] as const;

// --- events -----------------------------------------------------------------------------------------

export type EventKind = 'shooting' | 'shots-fired' | 'homicide' | 'recovery';

/** LIMS/RMS offense text by event kind. */
export const OFFENSES: Record<EventKind, readonly (readonly [string, number])[]> = {
  'shooting': [['SHOOTING', 6], ['ASSAULT 1ST, FIREARM', 3], ['ATTEMPTED MURDER', 1]],
  'shots-fired': [['SHOTS FIRED', 8], ['DISCHARGE OF FIREARM', 2], ['RECKLESS ENDANGERMENT, SHOTS FIRED', 1]],
  'homicide': [['HOMICIDE', 4], ['MURDER', 1]],
  'recovery': [['WEAPONS VIOLATION', 4], ['RECOVERED FIREARM', 4], ['CARRYING PISTOL W/O PERMIT', 3], ['FOUND PROPERTY - FIREARM', 1], ['STOLEN FIREARM RECOVERED', 1]],
};

// --- people -----------------------------------------------------------------------------------------

export const FIRST_NAMES = ['Ana', 'José', 'Zoë', 'Renée', 'Björn', 'Chris', 'Jordan', 'Pat', 'Morgan', 'Dana', 'Sam', 'Kim', 'Lee', 'Noël', 'Inés', 'Taylor'] as const;
/** Placeholder surnames: obviously not real people, several with Windows-1252 letters. */
export const LAST_NAMES = ['Sample', 'Example', 'Testwell', 'Placeholder', 'Mockford', 'Peña-Sample', 'Müller-Example', 'Núñez-Test', 'Ødegård-Demo', 'O’Sample', 'Fauxley', 'Synthetic', 'Démo', 'Dummyson'] as const;

export const STREETS = ['Main St', 'Park Ave', 'Elm St', 'Franklin Ave', 'Broad St', 'Maple Ave', 'Washington St', 'Chestnut St', 'Grand Ave', 'Albany Ave', 'Orange St', 'Central Ave', 'Oak St', 'Laurel St', 'Howard Ave', 'Church St'] as const;

// --- eTrace dealers ---------------------------------------------------------------------------------

export interface Dealer {
  name: string;
  city: string;
  state: string;
  license: string;
  weight: number;
}

export const DEALERS: readonly Dealer[] = [
  { name: 'EXAMPLE FIREARMS & PAWN LLC', city: 'ATLANTA', state: 'GA', license: '1-58-121-01-6K-10451', weight: 5 },
  { name: 'SAMPLE SPORTING GOODS INC', city: 'COLUMBIA', state: 'SC', license: '1-57-079-01-5G-20817', weight: 4 },
  { name: 'TESTVILLE GUN SHOP', city: 'RICHMOND', state: 'VA', license: '1-54-760-01-6C-31122', weight: 4 },
  { name: 'PLACEHOLDER OUTDOORS LLC', city: 'JACKSONVILLE', state: 'FL', license: '1-59-031-01-5M-40339', weight: 4 },
  { name: 'DEMO ARMS & TACKLE', city: 'ALLENTOWN', state: 'PA', license: '8-23-077-01-6A-12873', weight: 3 },
  { name: 'MOCK RANGE AND RETAIL', city: 'MANCHESTER', state: 'NH', license: '6-02-011-01-5J-22014', weight: 2 },
  { name: 'FICTIONAL FIREARMS CO', city: 'PORTLAND', state: 'ME', license: '6-01-005-01-6D-13390', weight: 2 },
  { name: 'SYNTHETIC SPORTS CENTER', city: 'WATERFORD', state: 'CT', license: '6-06-011-01-5L-08812', weight: 3 },
  { name: 'EXEMPLAR PAWN & GUN', city: 'FAYETTEVILLE', state: 'NC', license: '1-56-051-02-6F-27741', weight: 3 },
  { name: 'SAMPLEWORTH GUNS LLC', city: 'SPRINGFIELD', state: 'MA', license: '6-04-013-01-6B-17265', weight: 2 },
];
