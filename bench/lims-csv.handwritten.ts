/**
 * The lims-csv mapping written by hand in TypeScript: the baseline the declarative mapping is compared
 * with. It uses the same building blocks (code tables, date parser, serial normalization, natural keys,
 * canonical validation), so the difference measured is the cost of the mapping language itself. The
 * benchmark checks that both give the same records before it times them.
 */
import type { CodeTables } from '../src/codes/index.ts';
import { normalizeSerial } from '../src/codes/serial.ts';
import { naturalKey, recordId } from '../src/canonical/keys.ts';
import { validateRecord } from '../src/canonical/validator.ts';
import { compileDateFormat, formatIsoDateTime, zoneOffset } from '../src/mapping/ops/date-parser.ts';

const FORMATS = ['MM/dd/yyyy HH:mm', 'MM/dd/yyyy', 'M/d/yy', 'yyyy-MM-dd', 'dd-MMM-yyyy'].map((f) => compileDateFormat(f, 50));
const ORI = /^[A-Z]{2}[A-Z0-9]{7}$/;
const ITEM = /^\d+(\.\d+)*$/;
const PLACEHOLDER = /^(NONE|NO SERIAL|PMF - NO SERIAL)$/i;
const KIND: Record<string, string> = { CONTAINER: 'other', 'CARTRIDGE CASE': 'cartridge-case', BULLET: 'bullet', 'BULLET FRAGMENT': 'fragment', FIREARM: 'firearm', MAGAZINE: 'magazine', 'LIVE CARTRIDGE': 'live-cartridge', 'TEST FIRE': 'test-fire' };
const EVENT: Record<string, string> = {
  SHOOTING: 'shooting', 'ASSAULT 1ST, FIREARM': 'assault', 'ATTEMPTED MURDER': 'assault', 'SHOTS FIRED': 'shots-fired', 'DISCHARGE OF FIREARM': 'shots-fired',
  'RECKLESS ENDANGERMENT, SHOTS FIRED': 'shots-fired', HOMICIDE: 'homicide', MURDER: 'homicide', 'WEAPONS VIOLATION': 'recovery-only', 'RECOVERED FIREARM': 'recovery-only',
  'CARRYING PISTOL W/O PERMIT': 'recovery-only', 'FOUND PROPERTY - FIREARM': 'recovery-only', 'STOLEN FIREARM RECOVERED': 'recovery-only',
};
const PMF = new Set(['POLYMER80', 'POLYMER80INC', 'P80', 'P80TACTICAL', 'PRIVATELYMADEFIREARM', 'PRIVATELYMADEFIREARMPMF', 'PRIVATELYMADE', 'PMF', 'GHOSTGUN', 'HOMEMADE', 'HOMEBUILT', 'SELFMANUFACTURED', 'ASSEMBLEDFROMPARTS', '80%LOWER', '80PERCENTLOWER', '80%FRAME']);

const collapse = (s: string): string => s.replace(/\s+/g, ' ').trim();

function date(s: string, zone: string): string | null {
  const t = s.trim();
  for (const m of FORMATS) {
    const d = m(t);
    if (d) return formatIsoDateTime(d, zoneOffset(zone, d));
  }
  return null;
}

export type Row = readonly string[];
export type Out = Record<string, unknown>[];

/** Column indexes by name, resolved once per file. */
export function handwrittenMapper(header: readonly string[], tables: CodeTables, zone = 'America/New_York') {
  const c = (name: string): number => header.indexOf(name);
  const [LAB, SUB, AORI, ANAME, ACASE, OFF, ODATE, TOWN, RDATE, ITEMNO, PARENT, AITEM, TYPE, DESC, CAL, HEAD, MAKE, MODEL, SER, GTYPE, OBL, NIBIN, IBIS, EXH, ADATE] = [
    'LAB_CASE_NO', 'SUBMISSION_NO', 'AGENCY_ORI', 'AGENCY_NAME', 'AGENCY_CASE_NO', 'OFFENSE', 'OFFENSE_DATE', 'TOWN', 'RECEIVED_DATE', 'ITEM_NO', 'PARENT_ITEM_NO',
    'AGENCY_ITEM_NO', 'ITEM_TYPE', 'ITEM_DESC', 'CALIBER', 'HEADSTAMP', 'MAKE', 'MODEL', 'SERIAL_NO', 'GUN_TYPE', 'OBLITERATED', 'NIBIN_ENTERED', 'IBIS_CASE_ID', 'IBIS_EXHIBIT_ID', 'ACQUIRED_DATE',
  ].map(c) as [number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number];
  const cal = tables.get('ncic-caliber')!;
  const mak = tables.get('ncic-make')!;
  const typ = tables.get('ncic-gun-type')!;
  const coded = (t: ReturnType<typeof tables.get>, v: string) => (v.trim() ? t!.lookup(v, 'text').value : undefined);
  const env = (type: string, ref: object) => ({ type, id: '', key: '', classification: 'cji', version: 1, sourceRefs: [ref] });

  /** Returns the records of a row, or null when the row is invalid (the error count is what matters here). */
  return (row: Row, rowRef: object): Out | null => {
    const v = (i: number): string => row[i] ?? '';
    const out: Out = [];
    // source.recordId [LAB_CASE_NO, ITEM_NO]: the trimmed texts joined by |, | and \ escaped.
    const idPart = (i: number): string => v(i).trim().replace(/[|\\]/g, '\\$&');
    const ref = v(LAB).trim() && v(ITEMNO).trim() ? { ...rowRef, recordId: `${idPart(LAB)}|${idPart(ITEMNO)}` } : rowRef;
    const lab = v(LAB).trim().toUpperCase();
    const itemNo = v(ITEMNO).trim();
    const ori = v(AORI).trim().toUpperCase();
    const oriOk = ORI.test(v(AORI));
    const type = collapse(v(TYPE));
    if (!lab || !ITEM.test(itemNo) || !ori || !ORI.test(ori)) return null;
    const kind = KIND[type.toUpperCase()];
    if (type && kind === undefined) return null;
    const item: Record<string, unknown> = env('EvidenceItem', ref);
    item.labCaseNumber = lab;
    item.itemNumber = itemNo;
    if (v(PARENT).trim()) item.parentItemNumber = v(PARENT).trim();
    if (v(AITEM).trim()) item.agencyItemNumber = v(AITEM).trim();
    if (kind) item.kind = kind;
    if (v(DESC).trim()) item.description = v(DESC).trim();
    if (type.toUpperCase() !== 'FIREARM') {
      const cv = coded(cal, v(CAL));
      if (cv) item.caliber = cv;
    }
    if (collapse(v(HEAD))) item.headstamp = collapse(v(HEAD));
    item.agencyOri = ori;
    if (v(ACASE).trim()) item.agencyCaseNumber = v(ACASE).trim();
    out.push(item);

    if (oriOk) {
      const cs: Record<string, unknown> = env('Case', ref);
      cs.agencyOri = ori;
      const acase = v(ACASE).trim();
      if (!acase) return null;
      cs.agencyCaseNumber = acase;
      cs.labCaseNumbers = [lab];
      const off = collapse(v(OFF));
      if (off) cs.offenses = [{ code: off, system: 'LIMS-OFFENSE', text: off }];
      if (v(ODATE).trim()) {
        const d = date(v(ODATE), zone);
        if (!d) return null;
        cs.occurredAt = d;
      }
      if (collapse(v(TOWN))) cs.location = { town: collapse(v(TOWN)) };
      if (off) cs.eventKind = EVENT[off.toUpperCase()] ?? 'other';
      out.push(cs);
    }

    const lc: Record<string, unknown> = env('LabCase', ref);
    lc.labCaseNumber = lab;
    if (oriOk && v(ACASE).trim()) lc.agencies = [{ ori, agencyCaseNumber: v(ACASE).trim(), ...(collapse(v(ANAME)) ? { agencyName: collapse(v(ANAME)) } : {}) }];
    if (v(SUB).trim()) {
      const sub: Record<string, unknown> = { submissionNumber: v(SUB).trim() };
      if (oriOk) sub.agencyOri = ori;
      if (v(RDATE).trim()) {
        const d = date(v(RDATE), zone);
        if (!d) return null;
        sub.receivedAt = d;
      }
      lc.submissions = [sub];
    }
    out.push(lc);

    if (type.toUpperCase() === 'FIREARM') {
      const fa: Record<string, unknown> = env('Firearm', ref);
      fa.labCaseNumber = lab;
      fa.itemNumber = itemNo;
      if (oriOk) fa.agencyOri = ori;
      if (v(ACASE).trim()) fa.agencyCaseNumber = v(ACASE).trim();
      if (v(AITEM).trim()) fa.agencyItemNumber = v(AITEM).trim();
      if (oriOk) fa.recoveredBy = ori;
      const mk = coded(mak, collapse(v(MAKE)));
      if (mk) fa.make = mk;
      if (collapse(v(MODEL))) fa.model = collapse(v(MODEL));
      const gt = coded(typ, collapse(v(GTYPE)));
      if (gt) fa.gunType = gt;
      const cv = coded(cal, v(CAL));
      if (cv) fa.caliber = cv;
      const serialRaw = v(SER).trim();
      const hasSerial = serialRaw !== '' && !PLACEHOLDER.test(v(SER).trim());
      const obl = v(OBL).trim().toUpperCase();
      if (hasSerial) {
        const s: Record<string, unknown> = { ...normalizeSerial(serialRaw) };
        if (obl === 'Y') s.obliterated = true;
        else if (obl === 'N') s.obliterated = false;
        else if (obl) return null;
        if (obl === 'Y') s.restored = true;
        fa.serial = s;
      } else if (obl === 'Y') fa.serial = { raw: '', normalized: '', obliterated: true };
      if (v(MAKE).trim()) fa.privatelyMade = PMF.has(v(MAKE).toUpperCase().replace(/[^A-Z0-9%]/g, ''));
      out.push(fa);
    }

    const nibin = v(NIBIN).trim().toUpperCase();
    if (nibin !== 'N') {
      if (nibin !== 'Y' && nibin !== '') return null;
      const ba: Record<string, unknown> = env('BallisticAcquisition', ref);
      if (v(IBIS).trim()) ba.ibisCaseId = v(IBIS).trim().toUpperCase();
      if (v(EXH).trim()) ba.ibisExhibitId = v(EXH).trim().toUpperCase();
      ba.labCaseNumber = lab;
      ba.itemNumber = itemNo;
      if (v(ADATE).trim()) {
        const d = date(v(ADATE), zone);
        if (!d) return null;
        ba.acquiredAt = d;
      }
      out.push(ba);
    }

    for (const r of out) {
      const k = naturalKey(r as { type: string });
      if (!k.ok) return null;
      r.key = k.key;
      r.id = recordId(r.type as string, k.key);
      if (validateRecord(r).length) return null;
    }
    return out;
  };
}
