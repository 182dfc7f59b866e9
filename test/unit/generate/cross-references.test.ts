import { beforeAll, describe, expect, it } from 'vitest';
import iconv from 'iconv-lite';
import { parse } from 'csv-parse/sync';
import { DateTime } from 'luxon';
import { MAKES } from '../../../src/generate/catalog.ts';
import { NDEX_NS as NS } from '../../../src/generate/ndex-xml.ts';
import { NIBRS_NS as NB } from '../../../src/generate/nibrs-xml.ts';
import { LIMS_XML_NAMESPACE as L } from '../../../src/generate/lims-xml.ts';
import { findAll, generateToBuffer, parseXml, textAt, type XmlElement } from './helpers.ts';

type Row = Record<string, string>;
const SEED = 2024;
const serialKey = (s: string): string => s.toUpperCase().replace(/[\s-]/g, '');
const makeOfSpelling = new Map(Object.values(MAKES).flatMap((m) => m.spellings.map((s) => [s, m.key] as const)));
const makeOfEtrace = new Map(Object.values(MAKES).map((m) => [m.etrace, m.key] as const));
const makeOfNcic = new Map(Object.values(MAKES).map((m) => [m.ncic, m.key] as const));

let rows: Row[] = [];
/** Lab cases the CSV holds completely (the last one may be cut off by `rows`). */
let complete = new Set<string>();
const byCase = (ori: string, caseNo: string): Row[] => rows.filter((r) => r.AGENCY_ORI === ori && r.AGENCY_CASE_NO === caseNo);

beforeAll(async () => {
  const { buf } = await generateToBuffer('lims-csv', { rows: 12_000, seed: SEED, badRowRate: 0 });
  rows = parse(iconv.decode(buf, 'windows-1252'), { columns: true }) as Row[];
  complete = new Set(rows.map((r) => r.LAB_CASE_NO as string));
  complete.delete(rows[rows.length - 1]?.LAB_CASE_NO as string);
});

describe('one seed, one world: the kinds agree', () => {
  it('every NIBIN lead event points at LIMS rows with the same lab case, agency, case number and IBIS ids', async () => {
    const { buf } = await generateToBuffer('nibin-leads', { rows: 400, seed: SEED });
    const msgs = buf.toString('utf8').trim().split('\n').map((l) => JSON.parse(l) as { events: Row[] & { ibisExhibitIds: string[] }[] });
    let checked = 0;
    for (const m of msgs) {
      for (const e of m.events as unknown as { labCaseNumber: string; agencyOri: string; agencyCaseNumber: string; ibisCaseId: string; ibisExhibitIds: string[]; role: string; occurredAt: string }[]) {
        if (!complete.has(e.labCaseNumber)) continue;
        checked++;
        const mine = byCase(e.agencyOri, e.agencyCaseNumber);
        expect(mine.length, JSON.stringify(e)).toBeGreaterThan(0);
        expect(new Set(mine.map((r) => r.LAB_CASE_NO))).toEqual(new Set([e.labCaseNumber]));
        for (const ex of e.ibisExhibitIds) {
          const hit = mine.find((r) => r.IBIS_CASE_ID === e.ibisCaseId && r.IBIS_EXHIBIT_ID === ex);
          expect(hit, `${e.ibisCaseId} ${ex}`).toBeDefined();
          expect(hit?.ITEM_TYPE).toBe(e.role === 'scene' ? 'CARTRIDGE CASE' : 'TEST FIRE');
        }
        const local = DateTime.fromISO(e.occurredAt, { setZone: true });
        const offenseDates = new Set(
          mine.map((r) => ['MM/dd/yyyy', 'M/d/yy', 'yyyy-MM-dd', 'MM/dd/yyyy HH:mm', 'dd-MMM-yyyy'].map((f) => DateTime.fromFormat(r.OFFENSE_DATE as string, f)).find((d) => d.isValid)?.toISODate()),
        );
        expect(offenseDates).toEqual(new Set([local.toISODate()]));
      }
    }
    expect(checked).toBeGreaterThan(200);
  });

  it('every eTrace result names a firearm row of the recovering agency case, by serial and make', async () => {
    const { buf } = await generateToBuffer('etrace', { rows: 300, seed: SEED });
    const traces = parse(buf.toString('utf8'), { columns: true }) as Row[];
    let checked = 0;
    for (const t of traces) {
      const mine = byCase(t.REQUESTING_ORI as string, t.AGENCY_CASE_NO as string);
      if (mine.length === 0 || !complete.has(mine[0]?.LAB_CASE_NO as string)) continue;
      checked++;
      const guns = mine.filter((r) => r.ITEM_TYPE === 'FIREARM' && makeOfSpelling.get(r.MAKE as string) === makeOfEtrace.get(t.MAKE as string) && r.MODEL?.toUpperCase() === t.MODEL);
      expect(guns.length, JSON.stringify(t)).toBeGreaterThan(0);
      if (t.SERIAL !== '' && t.SERIAL !== 'NONE') expect(guns.map((g) => serialKey(g.SERIAL_NO as string))).toContain(serialKey(t.SERIAL as string));
    }
    expect(checked).toBeGreaterThan(100);
  });

  it('the LIMS XML holds the same lab cases, agencies and items as the CSV', async () => {
    const { buf } = await generateToBuffer('lims-xml', { rows: 400, seed: SEED });
    const doc = parseXml(buf.toString('utf8'));
    let checked = 0;
    for (const lc of findAll(doc, L, 'LabCase')) {
      const no = lc.attributes.number as string;
      if (!complete.has(no)) continue;
      checked++;
      const csv = rows.filter((r) => r.LAB_CASE_NO === no).map((r) => `${r.SUBMISSION_NO}|${r.AGENCY_ORI}|${r.AGENCY_CASE_NO}|${r.ITEM_NO}|${r.ITEM_TYPE}|${r.CALIBER}|${r.IBIS_EXHIBIT_ID}|${r.SERIAL_NO}`);
      const xml: string[] = [];
      for (const sub of lc.children.filter((c) => c.local === 'Submission')) {
        const walk = (el: XmlElement): void => {
          for (const it of el.children.filter((c) => c.local === 'Item')) {
            const serial = textAt(it, [L, 'Firearm'], [L, 'SerialNumber']) ?? '';
            xml.push(`${sub.attributes.number}|${sub.attributes.agencyOri}|${sub.attributes.agencyCaseNumber}|${it.attributes.number}|${it.attributes.type}|${textAt(it, [L, 'Caliber']) ?? ''}|${textAt(it, [L, 'Nibin'], [L, 'IbisExhibitId']) ?? ''}|${serial}`);
            walk(it);
          }
        };
        walk(sub);
      }
      expect(xml).toEqual(csv);
    }
    expect(checked).toBeGreaterThan(300);
  });

  it('N-DEx incidents are the agency cases of the LIMS, and their firearms match the LIMS firearm rows', async () => {
    const { buf } = await generateToBuffer('ndex-xml', { rows: 1200, seed: SEED });
    const doc = parseXml(buf.toString('utf8'));
    let checked = 0;
    let guns = 0;
    for (const p of findAll(doc, NS.lexs, 'DataItemPackage')) {
      const ori = textAt(p, [NS.lexs, 'PackageMetadata'], [NS.lexs, 'DataOwnerMetadata'], [NS.lexs, 'DataOwnerIdentifier'], [NS.lexs, 'ORI']) as string;
      const act = findAll(p, NS.nc, 'Activity').find((a) => textAt(a, [NS.nc, 'ActivityCategoryText']) === 'Incident');
      if (!act) continue;
      const id = textAt(act, [NS.nc, 'ActivityIdentification'], [NS.nc, 'IdentificationID']) as string;
      if (id.endsWith('-DUP')) continue;
      const mine = byCase(ori, id);
      if (mine.length === 0 || !complete.has(mine[0]?.LAB_CASE_NO as string)) continue;
      checked++;
      for (const f of findAll(p, NS.nc, 'Firearm')) {
        const serial = textAt(f, [NS.nc, 'ItemSerialIdentification'], [NS.nc, 'IdentificationID']);
        const make = makeOfNcic.get(textAt(f, [NS.nc, 'FirearmMakeCode']) as string);
        const candidates = mine.filter((r) => r.ITEM_TYPE === 'FIREARM' && makeOfSpelling.get(r.MAKE as string) === make);
        expect(candidates.length).toBeGreaterThan(0);
        if (serial) {
          guns++;
          expect(candidates.map((r) => serialKey(r.SERIAL_NO as string))).toContain(serialKey(serial));
        }
      }
    }
    expect(checked).toBeGreaterThan(300);
    expect(guns).toBeGreaterThan(50);
  });

  it('N-DEx and NIBRS of one seed report the same incidents with the same offenses and weapon/force codes', async () => {
    const ndex = parseXml((await generateToBuffer('ndex-xml', { rows: 600, seed: SEED })).buf.toString('utf8'));
    const nibrs = parseXml((await generateToBuffer('nibrs-xml', { rows: 800, seed: SEED })).buf.toString('utf8'));
    // incident id -> per report about it, in order: its offenses' weapon/force codes
    const reports = (pairs: [string, string][]): Map<string, string[]> => {
      const m = new Map<string, string[]>();
      for (const [id, codes] of pairs) m.set(id, [...(m.get(id) ?? []), codes]);
      return m;
    };
    const forces = (offenses: XmlElement[], ns: string): string => offenses.map((o) => findAll(o, ns, 'ForceCategoryCode').map((c) => c.text).join('+')).join(',');
    const fromNdex = reports(
      findAll(ndex, NS.lexs, 'DataItemPackage')
        .filter((p) => findAll(p, NS.lexs, 'Digest').length > 0)
        .map((p) => [textAt(p, [NS.lexs, 'PackageMetadata'], [NS.lexs, 'DataItemReferenceID']) as string, forces(findAll(p, NS.ndexia, 'Offense'), NS.j)]),
    );
    const fromNibrs = reports(
      findAll(nibrs, NB.nibrs, 'Report')
        .map((r) => [r, r.children.filter((c) => c.uri === NB.j && c.local === 'Offense')] as const)
        .filter(([, offenses]) => offenses.length > 0)
        .map(([r, offenses]) => [textAt(r, [NB.nc, 'Incident'], [NB.nc, 'ActivityIdentification'], [NB.nc, 'IdentificationID']) as string, forces(offenses, NB.j)]),
    );
    let checked = 0;
    for (const [id, mine] of fromNdex) {
      const theirs = fromNibrs.get(id);
      if (!theirs) continue;
      const n = Math.min(mine.length, theirs.length); // a file may end between a report and its replace
      expect(theirs.slice(0, n), id).toEqual(mine.slice(0, n));
      checked++;
    }
    expect(checked).toBeGreaterThan(200);
  });
});
