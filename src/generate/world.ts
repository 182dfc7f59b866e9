/**
 * The synthetic crime-gun world every generator renders.
 *
 * Input: a seed. Output: an endless sequence of **blocks**, each a small self-contained slice of
 * the world (a few latent "crime guns", the shootings they were fired in, the recoveries of some
 * of them, the lab cases, NIBIN acquisitions, leads and traces that follow). A block depends only
 * on (seed, block index) plus a handful of running counters (lab case, IBIS case, lead, trace and
 * per-agency case numbers), so:
 * - every kind (LIMS CSV, LIMS XML, NIBIN NDJSON, eTrace, RMS XML) renders the same world for the
 *   same seed, and their cross-references (lab case numbers, agency case numbers, IBIS ids, serials)
 *   agree, whatever `rows` each is asked for;
 * - memory stays flat: one block (a few dozen items) is alive at a time.
 *
 * Times are local wall-clock minutes (see time.ts). Block b's events start within 45 days of
 * 2023-01-02 + (b mod 150) weeks and run on for a few months, so any amount of output stays within
 * 2023-2026 (lab case, IBIS, lead and trace numbers stay unique: they come from the running counters).
 */
import {
  AGENCIES,
  DEALERS,
  FIRST_NAMES,
  GUN_MODELS,
  LAB,
  LAST_NAMES,
  NO_SERIAL_SPELLINGS,
  OFFENSES,
  STATE_POLICE_TOWNS,
  STREETS,
  SUBMITTERS,
  type Agency,
  type Caliber,
  type Dealer,
  type EventKind,
  type GunModel,
} from './catalog.ts';
import { Rng, WeightedTable, rngFor } from './prng.ts';
import { MINUTES_PER_DAY, existingLocal, localMinutes, yearOf } from './time.ts';

// --- stream ids: one per independent random stream ------------------------------------------------
export const STREAM = {
  block: 1,
  limsCsv: 2,
  limsCsvBad: 3,
  limsXml: 4,
  nibin: 5,
  etrace: 6,
  rms: 7,
  ndex: 8,
  nibrs: 9,
} as const;

const DAY = MINUTES_PER_DAY;
const HOUR = 60;
const WORLD_START = localMinutes(2023, 1, 2);
const WINDOW_WEEKS = 150;

// --- the world's records -------------------------------------------------------------------------

export type ItemType = 'CONTAINER' | 'CARTRIDGE CASE' | 'BULLET' | 'BULLET FRAGMENT' | 'FIREARM' | 'MAGAZINE' | 'LIVE CARTRIDGE' | 'TEST FIRE';

export interface Firearm {
  /** World-unique id of the physical gun (`F<block>.<n>`); not printed in any export. */
  uid: string;
  model: GunModel;
  /** Serial as stamped on the frame; '' for a privately made gun without one. */
  serial: string;
  obliterated: boolean;
  /** The lab restored an obliterated serial (then `serial` is the restored one). */
  restored: boolean;
  /** LIMS spellings, chosen once per gun so the CSV and XML agree. */
  makeText: string;
  typeText: string;
  caliberText: string;
  /** LIMS SERIAL_NO as written: the serial, a no-serial placeholder, or '' when obliterated and not restored. */
  serialText: string;
}

export interface Acquisition {
  ibisCaseId: string;
  exhibitId: string;
  acquiredAt: number;
}

export interface Item {
  number: string;
  parent: string;
  agencyItem: string;
  type: ItemType;
  description: string;
  caliber: Caliber | null;
  caliberText: string;
  headstamp: string;
  firearm: Firearm | null;
  nibin: Acquisition | null;
  /** Index of the latent gun that fired (casings, bullets, test fires) or is (firearm); -1 if none. */
  gun: number;
}

export interface Submission {
  number: number;
  receivedAt: number;
  items: Item[];
}

export interface AgencyCase {
  agency: Agency;
  caseNumber: string;
  kind: EventKind;
  offense: string;
  occurredAt: number;
  /** When the RMS report was written (the N-DEx/NIEM report date). */
  reportedAt: number;
  town: string;
  zip: string;
  address: string;
  lat: number;
  lon: number;
  investigator: string;
  phone: string;
  labCaseNumber: string;
  submissions: Submission[];
  /** '' when nothing of this case was entered into NIBIN. */
  ibisCaseId: string;
  role: 'scene' | 'test-fire';
  /** Guns recovered in this case (recovery events). */
  firearms: Firearm[];
}

export interface LabCase {
  number: string;
  agencyCases: AgencyCase[];
}

export type LinkStatus = 'LEAD_UNCONFIRMED' | 'CONFIRMED_HIT' | 'ELIMINATED' | 'INCONCLUSIVE';
export type LeadStatus = 'LEAD_UNCONFIRMED' | 'CONFIRMED_HIT' | 'WITHDRAWN';
export type LeadChange = 'LEAD_CREATED' | 'EVENT_ADDED' | 'LINK_CONCLUDED' | 'LEAD_WITHDRAWN';

export interface LeadEvent {
  eventId: string;
  agencyCase: AgencyCase;
  ibisExhibitIds: string[];
  acquiredAt: number;
  addedAt: number;
}

export interface LeadLink {
  from: string;
  to: string;
  status: LinkStatus;
  conclusion: string | null;
  examiner: string | null;
  concludedAt: number | null;
}

export interface LeadMessage {
  leadId: string;
  version: number;
  type: 'LEAD_NOTICE' | 'LEAD_UPDATE';
  sentAt: number;
  change: LeadChange;
  /** Events added or links concluded by this message. */
  changedEvents: string[];
  changedLinks: { from: string; to: string }[];
  status: LeadStatus;
  caliber: Caliber;
  events: LeadEvent[];
  links: LeadLink[];
}

export interface Lead {
  leadId: string;
  caliber: Caliber;
  messages: LeadMessage[];
}

export type TraceStatus = 'COMPLETED' | 'IN PROGRESS' | 'NO RECORD' | 'INCOMPLETE';

export interface Trace {
  traceNumber: string;
  status: TraceStatus;
  requestedAt: number;
  completedAt: number | null;
  agencyCase: AgencyCase;
  firearm: Firearm;
  /** The serial as the requesting agency typed it (may differ in spaces/dashes/case from the LIMS). */
  serialText: string;
  dealer: Dealer | null;
  purchasedAt: number | null;
}

export interface Block {
  index: number;
  labCases: LabCase[];
  /** Every agency case of the block, ordered by occurredAt. */
  agencyCases: AgencyCase[];
  leads: Lead[];
  /** Lead messages of the block ordered by sentAt. */
  leadMessages: LeadMessage[];
  traces: Trace[];
}

interface Counters {
  labCase: number;
  ibisCase: number;
  lead: number;
  trace: number;
  agencyCase: number[];
}

// --- helpers --------------------------------------------------------------------------------------

const modelTable = new WeightedTable(GUN_MODELS.map((m) => [m, m.weight] as const));
const nibinModels = GUN_MODELS.filter((m) => m.caliber.nibin);
const nibinModelTable = new WeightedTable(nibinModels.map((m) => [m, m.weight] as const));
const agencyTable = new WeightedTable(SUBMITTERS.map((a) => [a, a.weight] as const));
const dealerTable = new WeightedTable(DEALERS.map((d) => [d, d.weight] as const));
const offenseTables = Object.fromEntries(
  Object.entries(OFFENSES).map(([k, v]) => [k, new WeightedTable(v)]),
) as Record<EventKind, WeightedTable<string>>;
/** Shootings cluster at night. */
const hourTable = new WeightedTable(
  [3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 4, 4, 5, 5, 5, 4].map((w, h) => [h, w] as const),
);
const sceneKindTable = new WeightedTable<EventKind>([['shooting', 40], ['shots-fired', 48], ['homicide', 12]]);
const casingCountTable = new WeightedTable([[1, 15], [2, 20], [3, 20], [4, 15], [5, 10], [6, 8], [8, 7], [12, 5]] as const);
const EXAMINERS = ['Testwell, Kim', 'Peña-Sample, Ana', 'Mockford, Lee', 'Müller-Example, Björn', 'Démo, Renée'];

const UPPER = 'ABCDEFGHJKLMNPRSTUVWXYZ';
const UPPER_O = 'ABCDEFGHKLMNOPRSTVWXYZ';

function serialFor(rng: Rng, m: GunModel): string {
  switch (m.serial) {
    case 'glock':
      return rng.chars(UPPER, rng.chance(0.5) ? 3 : 4) + rng.digits(3);
    case 'sw':
      return rng.chars(UPPER, 3) + rng.digits(4);
    case 'ruger':
      return `${rng.int(1, 9)}${rng.digits(rng.chance(0.5) ? 2 : 3)}-${rng.digits(5)}`;
    case 'taurus':
      return 'T' + rng.chars(UPPER_O, 2) + rng.digits(5);
    case 'hipoint':
      return rng.pick(['P', 'X', 'H']) + rng.digits(7);
    case 'sig':
      return rng.digits(2) + rng.chars('ABC', 1) + rng.digits(6);
    case 'sccy':
      return 'C' + rng.digits(6);
    case 'keltec':
      return rng.chars(UPPER, 2) + rng.digits(1) + rng.chars(UPPER, 1) + rng.digits(2);
    case 'canik':
      return `T6472-${rng.int(18, 23)} ${rng.chars(UPPER, 2)} ${rng.digits(5)}`;
    case 'beretta':
      return 'BER' + rng.digits(6);
    case 'mossberg':
      return rng.pick(['U', 'V', 'T']) + rng.digits(6);
    case 'digits6':
      return String(rng.int(100000, 999999));
    case 'anderson':
      return rng.chars(UPPER, 2) + rng.digits(6);
    case 'heritage':
      return rng.chars(UPPER, 1) + rng.digits(5);
    case 'none':
      return '';
  }
}

function personName(rng: Rng): string {
  return `${rng.pick(LAST_NAMES)}, ${rng.pick(FIRST_NAMES)}`;
}

function caseNumber(agency: Agency, at: number, n: number): string {
  const y = yearOf(at);
  const yy = String(y % 100).padStart(2, '0');
  switch (agency.caseStyle) {
    case 'yy-n6':
      return `${yy}-${String(n).padStart(6, '0')}`;
    case 'prefix-yyyy-n5':
      return `${agency.prefix}${y}-${String(n).padStart(5, '0')}`;
    case 'yyyy-n6':
      return `${y}${String(n).padStart(6, '0')}`;
    case 'cfs':
      return `CFS${yy}${String(n).padStart(8, '0')}`;
  }
}

/** A working-hours instant on the day `days` after `from`. */
function businessTime(rng: Rng, from: number, minDays: number, maxDays: number): number {
  const day = Math.floor(from / DAY) + rng.int(minDays, maxDays);
  const t = day * DAY + rng.int(8 * 60, 16 * 60 + 59);
  return existingLocal(t > from ? t : from + rng.int(2 * HOUR, 6 * HOUR));
}

// --- intermediate structures (block construction only) ----------------------------------------

interface Gun {
  index: number;
  firearm: Firearm;
  scenes: number;
  recovered: boolean;
}

interface Draft {
  order: number;
  kind: EventKind;
  agency: Agency;
  occurredAt: number;
  /** Latent guns fired at this scene. */
  sceneGuns: number[];
  /** Latent guns recovered here. */
  recoveredGuns: number[];
  /** Recoveries by other agencies within hours, filed in the same lab case. */
  companions: Draft[];
}

/**
 * Iterates the world block by block. All generators use one cursor each, starting at block 0, so
 * the running counters (and therefore every number printed) are the same for every kind.
 */
export class World {
  readonly seed: number;
  private nextIndex = 0;
  private readonly counters: Counters = {
    labCase: 0,
    ibisCase: 0,
    lead: 0,
    trace: 0,
    agencyCase: AGENCIES.map(() => 0),
  };

  constructor(seed: number) {
    this.seed = seed >>> 0;
  }

  /** Build and return the next block. */
  next(): Block {
    const b = this.nextIndex++;
    return buildBlock(this.seed, b, this.counters);
  }

  *blocks(): Generator<Block> {
    for (;;) yield this.next();
  }
}

function newFirearm(rng: Rng, uid: string, model: GunModel): Firearm {
  const serial = serialFor(rng, model);
  const obliterated = serial !== '' && rng.chance(0.05);
  const restored = obliterated && rng.chance(0.5);
  let serialText = serial;
  if (serial === '') serialText = rng.pick(NO_SERIAL_SPELLINGS);
  else if (obliterated && !restored) serialText = '';
  return {
    uid,
    model,
    serial,
    obliterated,
    restored,
    makeText: rng.pick(model.make.spellings),
    typeText: rng.pick(model.type.spellings),
    caliberText: rng.pick(model.caliber.spellings),
    serialText,
  };
}

function buildBlock(seed: number, b: number, counters: Counters): Block {
  const rng = rngFor(seed, STREAM.block, b);
  const windowStart = WORLD_START + (b % WINDOW_WEEKS) * 7 * DAY;

  // 1. latent guns: what was fired where, and whether it was recovered.
  const guns: Gun[] = [];
  let firearmSeq = 0;
  const gunCount = rng.int(4, 7);
  for (let g = 0; g < gunCount; g++) {
    const model = g === 0 ? nibinModelTable.pick(rng) : modelTable.pick(rng);
    let scenes: number = rng.weighted([[0, 10], [1, 40], [2, 25], [3, 15], [4, 10]] as const);
    let recovered = scenes === 0 ? true : rng.chance(0.45);
    if (g === 0 && scenes + (recovered ? 1 : 0) < 2) {
      scenes = Math.max(scenes, 1);
      recovered = true;
    }
    guns.push({ index: g, firearm: newFirearm(rng, `F${b}.${firearmSeq++}`, model), scenes, recovered });
  }

  // 2. events (drafts) along each gun's timeline.
  const drafts: Draft[] = [];
  let order = 0;
  const pickAgency = (avoid: Agency | null): Agency => {
    let a = agencyTable.pick(rng);
    if (avoid && rng.chance(0.6)) {
      for (let i = 0; i < 6 && a === avoid; i++) a = agencyTable.pick(rng);
    }
    return a;
  };
  const atHour = (day: number): number => existingLocal(day * DAY + hourTable.pick(rng) * HOUR + rng.int(0, 59));
  for (const gun of guns) {
    let day = Math.floor(windowStart / DAY) + rng.int(0, 45);
    let last: Agency | null = null;
    for (let s = 0; s < gun.scenes; s++) {
      const agency = pickAgency(last);
      last = agency;
      const kind = sceneKindTable.pick(rng);
      drafts.push({ order: order++, kind, agency, occurredAt: atHour(day), sceneGuns: [gun.index], recoveredGuns: [], companions: [] });
      day += rng.int(2, 25);
    }
    if (gun.recovered) {
      const agency = pickAgency(last);
      drafts.push({ order: order++, kind: 'recovery', agency, occurredAt: atHour(day + rng.int(0, 20)), sceneGuns: [], recoveredGuns: [gun.index], companions: [] });
    }
  }
  // A second shooter at some scenes (a gun seen once, never recovered).
  for (const d of drafts.slice()) {
    if (d.kind !== 'recovery' && rng.chance(0.1)) {
      const idx = guns.length;
      guns.push({ index: idx, firearm: newFirearm(rng, `F${b}.${firearmSeq++}`, modelTable.pick(rng)), scenes: 1, recovered: false });
      d.sceneGuns.push(idx);
    }
  }
  // Multi-agency lab cases: a neighbouring agency recovers a different gun within hours of a scene.
  for (const d of drafts.slice()) {
    if (d.kind === 'recovery' || !rng.chance(0.16)) continue;
    const n = rng.chance(0.25) ? 2 : 1;
    const used = new Set<Agency>([d.agency]);
    for (let i = 0; i < n; i++) {
      let a = agencyTable.pick(rng);
      for (let t = 0; t < 8 && used.has(a); t++) a = agencyTable.pick(rng);
      if (used.has(a)) break;
      used.add(a);
      const idx = guns.length;
      guns.push({ index: idx, firearm: newFirearm(rng, `F${b}.${firearmSeq++}`, modelTable.pick(rng)), scenes: 0, recovered: true });
      const c: Draft = { order: order++, kind: 'recovery', agency: a, occurredAt: existingLocal(d.occurredAt + rng.int(30, 36 * HOUR)), sceneGuns: [], recoveredGuns: [idx], companions: [] };
      d.companions.push(c);
    }
  }
  // Sometimes a recovery holds two guns.
  for (const d of drafts) {
    if (d.kind === 'recovery' && rng.chance(0.08)) {
      const idx = guns.length;
      guns.push({ index: idx, firearm: newFirearm(rng, `F${b}.${firearmSeq++}`, modelTable.pick(rng)), scenes: 0, recovered: true });
      d.recoveredGuns.push(idx);
    }
  }

  // 3. group into lab cases: primaries in time order; a latent gun's recovery shortly after another
  //    agency's scene can join that scene's lab case.
  drafts.sort((x, y) => x.occurredAt - y.occurredAt || x.order - y.order);
  const groups: Draft[][] = [];
  for (const d of drafts) {
    if (d.kind === 'recovery') {
      const host = groups.find((g) => {
        const p = g[0] as Draft;
        return p.kind !== 'recovery' && p.agency !== d.agency && d.occurredAt - p.occurredAt >= 0 && d.occurredAt - p.occurredAt < 48 * HOUR && g.length < 3;
      });
      if (host && rng.chance(0.5)) {
        host.push(d);
        continue;
      }
    }
    groups.push([d, ...d.companions]);
  }

  // 4. agency cases with their submissions and items.
  const caseOf = new Map<Draft, AgencyCase>();
  const allDrafts = groups.flat().sort((x, y) => x.occurredAt - y.occurredAt || x.order - y.order);
  for (const d of allDrafts) {
    const n = ++counters.agencyCase[d.agency.index]!;
    let town = d.agency.town;
    let zip = d.agency.zip;
    let lat = d.agency.lat;
    let lon = d.agency.lon;
    if (d.agency.kind === 'state') {
      const t = rng.pick(STATE_POLICE_TOWNS);
      ({ town, zip, lat, lon } = t);
    }
    caseOf.set(d, {
      agency: d.agency,
      caseNumber: caseNumber(d.agency, d.occurredAt, 1000 + n * 3 + rng.int(0, 2)),
      kind: d.kind,
      offense: offenseTables[d.kind].pick(rng),
      occurredAt: d.occurredAt,
      reportedAt: existingLocal(d.occurredAt + rng.int(20, 6 * HOUR)),
      town,
      zip,
      address: `${rng.int(1, 250) * 10 + rng.int(0, 9)} ${rng.pick(STREETS)}`,
      lat: Math.round((lat + (rng.float() - 0.5) * 0.04) * 1e5) / 1e5,
      lon: Math.round((lon + (rng.float() - 0.5) * 0.04) * 1e5) / 1e5,
      investigator: personName(rng),
      phone: `${d.agency.areaCode}-555-01${rng.digits(2)}`,
      labCaseNumber: '',
      submissions: [],
      ibisCaseId: '',
      role: d.kind === 'recovery' ? 'test-fire' : 'scene',
      firearms: [],
    });
  }

  // Receipt times decide the lab case order (and numbers).
  const firstReceipt = new Map<Draft, number>();
  for (const d of allDrafts) firstReceipt.set(d, businessTime(rng, d.occurredAt, 0, d.kind === 'recovery' ? 12 : 7));
  const labGroups = groups
    .map((g) => ({ g, at: Math.min(...g.map((d) => firstReceipt.get(d) as number)) }))
    .sort((x, y) => x.at - y.at || (x.g[0] as Draft).order - (y.g[0] as Draft).order);

  const labCases: LabCase[] = [];
  /** Per latent gun: the (agency case, exhibits) pairs that were entered into NIBIN. */
  const gunEvents = new Map<number, { ac: AgencyCase; exhibits: Acquisition[] }[]>();
  for (const { g, at } of labGroups) {
    const labNo = `L${String(yearOf(at) % 100).padStart(2, '0')}-${String(++counters.labCase).padStart(6, '0')}`;
    const lc: LabCase = { number: labNo, agencyCases: [] };
    let itemNo = 0;
    for (const d of g) {
      const ac = caseOf.get(d) as AgencyCase;
      ac.labCaseNumber = labNo;
      lc.agencyCases.push(ac);
      const received = firstReceipt.get(d) as number;
      const sub: Submission = { number: 0, receivedAt: received, items: [] };
      ac.submissions.push(sub);
      const entered: { gun: number; acq: Acquisition }[] = [];
      let exhibitSeq = 0;
      let tfSeq = 0;
      let agencyItem = 0;
      const agencyItemStyle = rng.int(0, 2);
      const nextAgencyItem = (): string => {
        agencyItem++;
        return agencyItemStyle === 0 ? String(agencyItem) : agencyItemStyle === 1 ? `A${agencyItem}` : `E-${String(agencyItem).padStart(2, '0')}`;
      };
      const acquire = (gun: number, prefix: 'CC' | 'TF'): Acquisition => {
        const n = prefix === 'CC' ? ++exhibitSeq : ++tfSeq;
        const acq: Acquisition = { ibisCaseId: '', exhibitId: `${prefix}${String(n).padStart(2, '0')}`, acquiredAt: businessTime(rng, received, 1, 9) };
        entered.push({ gun, acq });
        return acq;
      };

      if (d.kind !== 'recovery') {
        for (const gi of d.sceneGuns) {
          const gun = guns[gi] as Gun;
          const cal = gun.firearm.model.caliber;
          const n = casingCountTable.pick(rng);
          const top = String(++itemNo);
          const calText = rng.pick(cal.spellings);
          const place = rng.pick(['roadway', 'sidewalk', 'parking lot', 'front yard', 'rear porch', 'intersection']);
          sub.items.push({
            number: top, parent: '', agencyItem: nextAgencyItem(), type: 'CONTAINER',
            description: `Envelope containing ${n} fired cartridge case${n > 1 ? 's' : ''}, collected from ${place}`,
            caliber: null, caliberText: '', headstamp: '', firearm: null, nibin: null, gun: gi,
          });
          const stamps = [rng.pick(cal.headstamps), rng.pick(cal.headstamps)];
          const enterCount = cal.nibin ? (n >= 3 && rng.chance(0.5) ? 2 : 1) : 0;
          for (let k = 1; k <= n; k++) {
            const stamp = k <= Math.ceil(n * 0.7) ? stamps[0] as string : stamps[1] as string;
            sub.items.push({
              number: `${top}.${k}`, parent: top, agencyItem: '', type: 'CARTRIDGE CASE',
              description: `Fired cartridge case, "${stamp}"`,
              caliber: cal, caliberText: calText, headstamp: stamp, firearm: null,
              nibin: k <= enterCount ? acquire(gi, 'CC') : null, gun: gi,
            });
          }
        }
        const bulletChance = d.kind === 'shots-fired' ? 0.25 : 0.7;
        if (rng.chance(bulletChance)) {
          const gi = d.sceneGuns[0] as number;
          const cal = (guns[gi] as Gun).firearm.model.caliber;
          const frag = rng.chance(0.3);
          sub.items.push({
            number: String(++itemNo), parent: '', agencyItem: nextAgencyItem(), type: frag ? 'BULLET FRAGMENT' : 'BULLET',
            description: frag ? 'Bullet fragment(s), jacket and core' : `Fired bullet recovered from ${rng.pick(['vehicle door', 'wall', 'victim, per hospital', 'ceiling'])}`,
            caliber: rng.chance(0.6) ? cal : null, caliberText: '', headstamp: '', firearm: null, nibin: null, gun: gi,
          });
          const last = sub.items[sub.items.length - 1] as Item;
          if (last.caliber) last.caliberText = rng.pick(last.caliber.spellings);
        }
        if (d.kind === 'homicide') {
          const sub2: Submission = { number: 0, receivedAt: businessTime(rng, received, 3, 14), items: [] };
          const gi = d.sceneGuns[0] as number;
          const cal = (guns[gi] as Gun).firearm.model.caliber;
          const k = rng.int(1, 3);
          for (let i = 0; i < k; i++) {
            sub2.items.push({
              number: String(++itemNo), parent: '', agencyItem: nextAgencyItem(), type: 'BULLET',
              description: `Fired bullet from autopsy, per OCME (${i + 1} of ${k})`,
              caliber: cal, caliberText: rng.pick(cal.spellings), headstamp: '', firearm: null, nibin: null, gun: gi,
            });
          }
          ac.submissions.push(sub2);
        }
      } else {
        for (const gi of d.recoveredGuns) {
          const gun = guns[gi] as Gun;
          const f = gun.firearm;
          const m = f.model;
          ac.firearms.push(f);
          const top = String(++itemNo);
          const loaded = rng.chance(0.6);
          const extra = f.obliterated ? ', serial number obliterated' : m.privatelyMade ? ', no serial number (privately made)' : '';
          const gen = m.make.key === 'GLOCK' && rng.chance(0.5) ? `, "GEN ${rng.int(3, 5)}"` : '';
          const multiline = rng.chance(0.004) ? '\r\nrecovered with holster' : '';
          sub.items.push({
            number: top, parent: '', agencyItem: nextAgencyItem(), type: 'FIREARM',
            description: `${m.make.name} ${m.model} ${m.caliber.name} ${m.type.name.toLowerCase()}${gen}${loaded ? ', loaded' : ''}${extra}${multiline}`,
            caliber: m.caliber, caliberText: f.caliberText, headstamp: '', firearm: f, nibin: null, gun: gi,
          });
          let child = 0;
          if (m.type.key === 'PISTOL' || m.type.key === 'RIFLE') {
            sub.items.push({
              number: `${top}.${++child}`, parent: top, agencyItem: '', type: 'MAGAZINE',
              description: `Magazine, ${m.caliber.capacity} round capacity`,
              caliber: null, caliberText: '', headstamp: '', firearm: null, nibin: null, gun: gi,
            });
          }
          if (loaded) {
            const k = rng.int(1, m.caliber.capacity);
            const stamp = rng.pick(m.caliber.headstamps);
            sub.items.push({
              number: `${top}.${++child}`, parent: top, agencyItem: '', type: 'LIVE CARTRIDGE',
              description: `${k} live cartridge${k > 1 ? 's' : ''}, "${stamp}"`,
              caliber: m.caliber, caliberText: rng.pick(m.caliber.spellings), headstamp: stamp, firearm: null, nibin: null, gun: gi,
            });
          }
          if (m.caliber.nibin) {
            const stamp = rng.pick(m.caliber.headstamps);
            sub.items.push({
              number: `${top}.${++child}`, parent: top, agencyItem: '', type: 'TEST FIRE',
              description: `Test fired cartridge cases (2) from item ${top}`,
              caliber: m.caliber, caliberText: rng.pick(m.caliber.spellings), headstamp: stamp, firearm: null,
              nibin: acquire(gi, 'TF'), gun: gi,
            });
          }
        }
      }
      ac.submissions.forEach((s, i) => (s.number = i + 1));
      if (entered.length > 0) {
        ac.ibisCaseId = `IB${String(yearOf(received) % 100).padStart(2, '0')}-${String(++counters.ibisCase).padStart(6, '0')}`;
        for (const e of entered) {
          e.acq.ibisCaseId = ac.ibisCaseId;
          let list = gunEvents.get(e.gun);
          if (!list) gunEvents.set(e.gun, (list = []));
          let ev = list.find((x) => x.ac === ac);
          if (!ev) list.push((ev = { ac, exhibits: [] }));
          ev.exhibits.push(e.acq);
        }
      }
    }
    labCases.push(lc);
  }
  // Submission numbers are per lab case, in receipt order; items are then numbered 1, 2, ... across
  // the lab case in submission order (children keep their parent's number as prefix).
  for (const lc of labCases) {
    const subs = lc.agencyCases.flatMap((ac) => ac.submissions).sort((x, y) => x.receivedAt - y.receivedAt);
    subs.forEach((s, i) => (s.number = i + 1));
    let top = 0;
    for (const s of subs) {
      const renamed = new Map<string, string>();
      for (const item of s.items) {
        if (item.parent === '') {
          renamed.set(item.number, String(++top));
          item.number = String(top);
        } else {
          const parent = renamed.get(item.parent) as string;
          item.number = parent + item.number.slice(item.parent.length);
          item.parent = parent;
          if (item.type === 'TEST FIRE') item.description = `Test fired cartridge cases (2) from item ${parent}`;
        }
      }
    }
  }

  // 5. NIBIN leads.
  const leads = buildLeads(rng, guns, gunEvents, counters);
  const leadMessages = leads
    .flatMap((l) => l.messages)
    .sort((x, y) => x.sentAt - y.sentAt || (x.leadId < y.leadId ? -1 : x.leadId > y.leadId ? 1 : x.version - y.version));

  // 6. eTrace: about half the recovered guns get traced.
  const traces: Trace[] = [];
  const agencyCases = allDrafts.map((d) => caseOf.get(d) as AgencyCase);
  for (const ac of agencyCases) {
    for (const f of ac.firearms) {
      const traceable = f.serial !== '' && (!f.obliterated || f.restored);
      if (!rng.chance(traceable ? 0.5 : 0.3)) continue;
      const requestedAt = businessTime(rng, ac.occurredAt, 0, 20);
      const status: TraceStatus = !traceable
        ? 'INCOMPLETE'
        : rng.weighted([['COMPLETED', 72], ['IN PROGRESS', 14], ['NO RECORD', 14]] as const);
      const completedAt = status === 'IN PROGRESS' ? null : businessTime(rng, requestedAt, 1, 14);
      let dealer: Dealer | null = null;
      let purchasedAt: number | null = null;
      if (status === 'COMPLETED') {
        dealer = dealerTable.pick(rng);
        const band = rng.float();
        const ttcDays = band < 0.25 ? rng.int(20, 364) : band < 0.6 ? rng.int(365, 3 * 365) : rng.int(3 * 365, 15 * 365);
        purchasedAt = Math.floor((ac.occurredAt - ttcDays * DAY) / DAY) * DAY + rng.int(10 * 60, 18 * 60);
      }
      let serialText = f.serial;
      if (!traceable) serialText = f.serial === '' ? rng.pick(['', 'NONE']) : '';
      else if (rng.chance(0.15)) {
        serialText = rng.chance(0.5) ? f.serial.replace(/[-\s]/g, '') : f.serial.toLowerCase();
        if (serialText === f.serial) serialText = f.serial.length > 4 ? `${f.serial.slice(0, 3)} ${f.serial.slice(3)}` : f.serial;
      }
      traces.push({
        traceNumber: `T${yearOf(requestedAt)}${String(++counters.trace).padStart(7, '0')}`,
        status,
        requestedAt,
        completedAt,
        agencyCase: ac,
        firearm: f,
        serialText,
        dealer,
        purchasedAt,
      });
    }
  }

  return { index: b, labCases, agencyCases, leads, leadMessages, traces };
}

interface Timeline {
  at: number;
  seq: number;
  apply: () => { change: LeadChange; events: string[]; links: { from: string; to: string }[] };
}

function buildLeads(
  rng: Rng,
  guns: Gun[],
  gunEvents: Map<number, { ac: AgencyCase; exhibits: Acquisition[] }[]>,
  counters: Counters,
): Lead[] {
  interface Candidate {
    gun: Gun;
    events: { ac: AgencyCase; exhibits: Acquisition[]; acquiredAt: number; decoy: boolean }[];
    noticeAt: number;
  }
  const byGun = [...gunEvents.entries()].sort((x, y) => x[0] - y[0]);
  const all = byGun.flatMap(([gi, evs]) => evs.map((e) => ({ gi, ...e })));
  const candidates: Candidate[] = [];
  for (const [gi, evs] of byGun) {
    if (evs.length < 2) continue;
    const gun = guns[gi] as Gun;
    const events = evs
      .map((e) => ({ ...e, acquiredAt: Math.min(...e.exhibits.map((x) => x.acquiredAt)), decoy: false }))
      .sort((x, y) => x.acquiredAt - y.acquiredAt);
    // A decoy: another gun's scene of the same caliber that the correlation ranked high; eliminated later.
    if (events.length < 5 && rng.chance(0.12)) {
      const pool = all.filter(
        (x) => x.gi !== gi && x.ac.role === 'scene' && (guns[x.gi] as Gun).firearm.model.caliber === gun.firearm.model.caliber && !events.some((e) => e.ac === x.ac),
      );
      if (pool.length > 0) {
        const x = rng.pick(pool);
        events.push({ ac: x.ac, exhibits: x.exhibits, acquiredAt: Math.min(...x.exhibits.map((e) => e.acquiredAt)), decoy: true });
        events.sort((p, q) => p.acquiredAt - q.acquiredAt);
      }
    }
    const second = events[1] as { acquiredAt: number };
    candidates.push({ gun, events, noticeAt: existingLocal(second.acquiredAt + rng.int(4 * HOUR, 72 * HOUR)) });
  }
  candidates.sort((x, y) => x.noticeAt - y.noticeAt || x.gun.index - y.gun.index);

  const leads: Lead[] = [];
  for (const c of candidates) {
    const leadId = `NL${String(yearOf(c.noticeAt) % 100).padStart(2, '0')}-${String(++counters.lead).padStart(6, '0')}`;
    const caliber = c.gun.firearm.model.caliber;
    const live: LeadEvent[] = [];
    const links: LeadLink[] = [];
    const decoyIds = new Set<string>();
    const timeline: Timeline[] = [];
    let seq = 0;
    let eventNo = 0;
    /** Adds an event and links it to every earlier event of the lead (NIBIN correlates pairwise). */
    const add = (e: Candidate['events'][number], at: number): string => {
      const id = `${leadId}-E${++eventNo}`;
      if (e.decoy) decoyIds.add(id);
      live.push({ eventId: id, agencyCase: e.ac, ibisExhibitIds: e.exhibits.map((x) => x.exhibitId), acquiredAt: e.acquiredAt, addedAt: at });
      for (const prev of live.slice(0, -1)) {
        links.push({ from: prev.eventId, to: id, status: 'LEAD_UNCONFIRMED', conclusion: null, examiner: null, concludedAt: null });
      }
      return id;
    };
    const initial = c.events.filter((e, i) => i < 2 || e.acquiredAt <= c.noticeAt);
    const later = c.events.slice(initial.length);
    timeline.push({
      at: c.noticeAt,
      seq: seq++,
      apply: () => {
        const events = initial.map((e) => add(e, c.noticeAt));
        return { change: 'LEAD_CREATED', events, links: links.map((l) => ({ from: l.from, to: l.to })) };
      },
    });
    let lastAt = c.noticeAt;
    for (const e of later) {
      const at = existingLocal(Math.max(e.acquiredAt + rng.int(4 * HOUR, 48 * HOUR), lastAt + 30));
      lastAt = at;
      timeline.push({
        at,
        seq: seq++,
        apply: () => {
          const before = links.length;
          const events = [add(e, at)];
          return { change: 'EVENT_ADDED', events, links: links.slice(before).map((l) => ({ from: l.from, to: l.to })) };
        },
      });
    }
    const hasDecoy = c.events.some((e) => e.decoy);
    const examiner = rng.pick(EXAMINERS);
    let concludeAt = 0;
    if (hasDecoy || rng.chance(0.75)) {
      concludeAt = existingLocal(Math.max(c.noticeAt + rng.int(5, 40) * DAY, lastAt + DAY) + rng.int(0, 8 * HOUR));
      const partial = rng.chance(0.35);
      const at1 = concludeAt;
      timeline.push({
        at: at1,
        seq: seq++,
        apply: () => {
          const open = links.filter((l) => l.status === 'LEAD_UNCONFIRMED');
          // A partial review concludes the decoy's links and the first half of the others.
          const chosen = partial ? open.filter((l, i) => decoyIds.has(l.from) || decoyIds.has(l.to) || i < Math.ceil(open.length / 2)) : open;
          for (const l of chosen) conclude(rng, l, decoyIds, examiner, at1);
          return { change: 'LINK_CONCLUDED', events: [], links: chosen.map((l) => ({ from: l.from, to: l.to })) };
        },
      });
      if (partial) {
        const at2 = existingLocal(at1 + rng.int(7, 30) * DAY);
        concludeAt = at2;
        timeline.push({
          at: at2,
          seq: seq++,
          apply: () => {
            const open = links.filter((l) => l.status === 'LEAD_UNCONFIRMED');
            for (const l of open) conclude(rng, l, decoyIds, examiner, at2);
            return { change: 'LINK_CONCLUDED', events: [], links: open.map((l) => ({ from: l.from, to: l.to })) };
          },
        });
      }
    }
    let withdrawn = false;
    if (rng.chance(0.03)) {
      const at = existingLocal(Math.max(lastAt, concludeAt) + rng.int(1, 20) * DAY);
      timeline.push({
        at,
        seq: seq++,
        apply: () => {
          withdrawn = true;
          return { change: 'LEAD_WITHDRAWN', events: [], links: [] };
        },
      });
    }
    timeline.sort((x, y) => x.at - y.at || x.seq - y.seq);
    const messages: LeadMessage[] = [];
    for (const t of timeline) {
      const r = t.apply();
      const status: LeadStatus = withdrawn ? 'WITHDRAWN' : links.some((l) => l.status === 'CONFIRMED_HIT') ? 'CONFIRMED_HIT' : 'LEAD_UNCONFIRMED';
      messages.push({
        leadId,
        version: messages.length + 1,
        type: messages.length === 0 ? 'LEAD_NOTICE' : 'LEAD_UPDATE',
        sentAt: t.at,
        change: r.change,
        changedEvents: r.events,
        changedLinks: r.links,
        status,
        caliber,
        events: live.slice(),
        links: links.map((l) => ({ ...l })),
      });
    }
    leads.push({ leadId, caliber, messages });
  }
  return leads;
}

function conclude(rng: Rng, l: LeadLink, decoys: Set<string>, examiner: string, at: number): void {
  if (decoys.has(l.from) || decoys.has(l.to)) {
    l.status = 'ELIMINATED';
    l.conclusion = 'ELIMINATION';
  } else if (rng.chance(0.9)) {
    l.status = 'CONFIRMED_HIT';
    l.conclusion = 'IDENTIFICATION';
  } else {
    l.status = 'INCONCLUSIVE';
    l.conclusion = 'INCONCLUSIVE';
  }
  l.examiner = examiner;
  l.concludedAt = at;
}

/** The NIBIN site that declares the leads: the state lab. */
export const NIBIN_SITE = LAB.ori;
