import { describe, expect, it } from 'vitest';
import { NDEX_NS as NS } from '../../../src/generate/ndex-xml.ts';
import { NIBRS_BATCH_ROOT, NIBRS_NS as NB } from '../../../src/generate/nibrs-xml.ts';
import { LIMS_XML_NAMESPACE } from '../../../src/generate/lims-xml.ts';
import { findAll, generateToBuffer, parseXml, textAt, type XmlElement } from './helpers.ts';

const L = LIMS_XML_NAMESPACE;

describe('lims-xml', () => {
  it('is well-formed, namespaced, one LabCase per row, items nested by number', async () => {
    const { buf, summary } = await generateToBuffer('lims-xml', { rows: 150, seed: 12 });
    const doc = parseXml(buf.toString('utf8'));
    const root = doc.children[0] as XmlElement;
    expect(root.uri).toBe(L);
    expect(root.local).toBe('LimsExport');
    const cases = root.children.filter((c) => c.local === 'LabCase');
    expect(cases).toHaveLength(150);
    expect(summary.counts.labCases).toBe(150);
    let items = 0;
    for (const lc of cases) {
      expect(lc.attributes.number).toMatch(/^L\d{2}-\d{6}$/);
      const agencies = lc.children.filter((c) => c.local === 'Agency');
      expect(agencies.length).toBeGreaterThan(0);
      for (const a of agencies) expect(a.attributes.ori).toMatch(/^CT[A-Z0-9]{7}$/);
      for (const sub of lc.children.filter((c) => c.local === 'Submission')) {
        expect(agencies.map((a) => a.attributes.ori)).toContain(sub.attributes.agencyOri);
        const walk = (el: XmlElement, parentNo: string): void => {
          for (const it of el.children.filter((c) => c.local === 'Item')) {
            items++;
            const no = it.attributes.number as string;
            expect(no.split('.').slice(0, -1).join('.')).toBe(parentNo);
            walk(it, no);
          }
        };
        walk(sub, '');
      }
    }
    expect(items).toBe(summary.counts.items);
    const nibin = findAll(root, L, 'Nibin');
    expect(nibin.length).toBeGreaterThan(20);
    for (const n of nibin) expect(textAt(n, [L, 'AcquiredDate'])).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:00$/);
  });
});

const S_ID = `{${NS.s}}id`;
const S_REF = `{${NS.s}}ref`;
const LIB_REF = `{${NS.lexslib}}ref`;
const WEAPON_CODES = /^(1[1-5]A?|16|17|20|30|35|40|50|60|65|70|85|90|95|99|01)$/;

describe('ndex-xml', () => {
  it('LEXS publish messages, one DataItemPackage per row, the submitter owning its packages, Insert or Delete', async () => {
    const { buf, summary } = await generateToBuffer('ndex-xml', { rows: 1500, seed: 12 });
    const root = parseXml(buf.toString('utf8')).children[0] as XmlElement;
    expect([root.uri, root.local]).toEqual([NS.lexspd, 'doPublish']);
    let packages = 0;
    for (const m of findAll(root, NS.lexs, 'PublishMessage')) {
      const ori = textAt(m, [NS.lexs, 'DataSubmitterMetadata'], [NS.lexs, 'SystemIdentifier'], [NS.lexs, 'ORI']);
      expect(ori).toMatch(/^CT[A-Z0-9]{7}$/);
      for (const p of m.children.filter((c) => c.local === 'DataItemPackage')) {
        packages++;
        const meta: [string, string] = [NS.lexs, 'PackageMetadata'];
        const instruction = textAt(p, meta, [NS.lexs, 'DataItemPublishInstruction']);
        expect(['Insert', 'Delete']).toContain(instruction);
        expect(textAt(p, meta, [NS.lexs, 'DataOwnerMetadata'], [NS.lexs, 'DataOwnerIdentifier'], [NS.lexs, 'ORI'])).toBe(ori);
        expect(findAll(p, NS.lexs, 'Digest').length).toBe(instruction === 'Delete' ? 0 : 1);
      }
    }
    expect(packages).toBe(1500);
    const c = summary.counts as Record<string, number>;
    expect((c.insert ?? 0) + (c.replace ?? 0) + (c.delete ?? 0)).toBe(1500);
    expect(c.replace).toBeGreaterThan(0);
    expect(c.delete).toBeGreaterThan(0);
  });

  it('what a mapping must get right: the Incident not always first, narratives with SSN-shaped numbers, .0Z dates, P + I type letters', async () => {
    const { buf } = await generateToBuffer('ndex-xml', { rows: 400, seed: 12 });
    const doc = parseXml(buf.toString('utf8'));
    let notFirst = 0;
    for (const digest of findAll(doc, NS.lexs, 'Digest')) {
      const categories = findAll(digest, NS.nc, 'ActivityCategoryText').map((c) => c.text);
      expect(categories.filter((c) => c === 'Incident')).toHaveLength(1);
      if (categories[0] !== 'Incident') notFirst++;
    }
    expect(notFirst).toBeGreaterThan(20);
    const narratives = findAll(doc, NS.nc, 'ActivityDescriptionText').map((n) => n.text);
    expect(narratives.filter((n) => /\b000-?\d{2}-?\d{4}\b/.test(n)).length).toBeGreaterThan(100);
    for (const d of findAll(doc, NS.nc, 'DateTime')) expect(d.text).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.0Z$/);
    for (const f of findAll(doc, NS.nc, 'Firearm')) {
      expect(textAt(f, [NS.nc, 'FirearmMakeCode'])).toMatch(/^[A-Z0-9]{2,3}$/);
      expect(textAt(f, [NS.nc, 'FirearmCategoryCode'])).toMatch(/^[PRS]$/);
      expect(textAt(f, [NS.nc, 'FirearmCategoryDescriptionCode'])).toMatch(/^[IRP]$/);
    }
    for (const code of [...findAll(doc, NS.j, 'ForceCategoryCode'), ...findAll(doc, NS.ndexia, 'ArresteeArmedWithCode')]) expect(code.text).toMatch(WEAPON_CODES);
  });

  it('a firearm without a caliber in the digest has it in the payload, pointing back at the digest firearm by id', async () => {
    const { buf, summary } = await generateToBuffer('ndex-xml', { rows: 400, seed: 12 });
    const doc = parseXml(buf.toString('utf8'));
    let joined = 0;
    for (const p of findAll(doc, NS.lexs, 'DataItemPackage')) {
      const payload = findAll(p, NS.ndexia, 'FirearmAugmentation');
      for (const f of findAll(p, NS.nc, 'Firearm')) {
        const id = f.attributes[S_ID] as string;
        const detail = payload.filter((a) => findAll(a, NS.lexslib, 'SameAsDigestReference')[0]?.attributes[LIB_REF] === id);
        const inDigest = textAt(f, [NS.nc, 'FirearmCaliberCode']);
        expect(detail.length + (inDigest ? 1 : 0)).toBe(1);
        if (detail.length) {
          joined++;
          expect(textAt(detail[0] as XmlElement, [NS.ndexia, 'FirearmCaliberCode'])).toMatch(/^\d+$/);
        }
      }
    }
    expect(summary.counts.firearms).toBeGreaterThan(30);
    expect(joined).toBeGreaterThan(10);
  });
});

describe('nibrs-xml', () => {
  it('one submission per row, each with one report of the three categories and four actions', async () => {
    const { buf, summary } = await generateToBuffer('nibrs-xml', { rows: 1500, seed: 12 });
    const root = parseXml(buf.toString('utf8')).children[0] as XmlElement;
    expect([root.uri, root.local]).toEqual(['', NIBRS_BATCH_ROOT]);
    const subs = root.children.filter((c) => c.uri === NB.nibrs && c.local === 'Submission');
    expect(subs).toHaveLength(1500);
    const seen = new Set<string>();
    for (const sub of subs) {
      const reports = sub.children.filter((c) => c.local === 'Report');
      expect(reports).toHaveLength(1);
      const h: [string, string] = [NB.nibrs, 'ReportHeader'];
      const category = textAt(reports[0] as XmlElement, h, [NB.nibrs, 'NIBRSReportCategoryCode']);
      const action = textAt(reports[0] as XmlElement, h, [NB.nibrs, 'ReportActionCategoryCode']);
      seen.add(`${category} ${action}`);
      expect(textAt(reports[0] as XmlElement, h, [NB.nibrs, 'ReportingAgency'], [NB.j, 'OrganizationAugmentation'], [NB.j, 'OrganizationORIIdentification'], [NB.nc, 'IdentificationID'])).toMatch(/^CT[A-Z0-9]{7}$/);
    }
    expect([...seen].sort()).toEqual(['GROUP A INCIDENT REPORT D', 'GROUP A INCIDENT REPORT I', 'GROUP A INCIDENT REPORT R', 'GROUP B ARREST REPORT A', 'ZERO REPORT A']);
    const c = summary.counts as Record<string, number>;
    expect(['groupA', 'replace', 'delete', 'groupB', 'zero'].reduce((n, k) => n + (c[k] ?? 0), 0)).toBe(1500);
  });

  it('weapon codes are NIBRS codes, some automatic; recovered guns are property items, never an identified firearm; every arrestee has its arrest', async () => {
    const { buf } = await generateToBuffer('nibrs-xml', { rows: 600, seed: 12 });
    const doc = parseXml(buf.toString('utf8'));
    const codes = [...findAll(doc, NB.j, 'ForceCategoryCode'), ...findAll(doc, NB.j, 'ArresteeArmedWithCode')].map((c) => c.text);
    for (const c of codes) expect(c).toMatch(WEAPON_CODES);
    expect(codes.some((c) => c.endsWith('A'))).toBe(true);
    expect(findAll(doc, NB.j, 'ItemCategoryNIBRSPropertyCategoryCode').map((c) => c.text)).toContain('13');
    expect(findAll(doc, NB.nc, 'Firearm')).toHaveLength(0);
    expect(findAll(doc, NB.j, 'Firearm')).toHaveLength(0);
    for (const r of findAll(doc, NB.nibrs, 'Report')) {
      const arrests = new Set(r.children.filter((c) => c.local === 'Arrest').map((a) => a.attributes[`{${NB.s}}id`]));
      for (const a of r.children.filter((c) => c.local === 'Arrestee')) {
        const assoc = r.children.filter((c) => c.local === 'ArrestSubjectAssociation' && findAll(c, NB.j, 'Subject')[0]?.attributes[`{${NB.s}}ref`] === a.attributes[`{${NB.s}}id`]);
        expect(assoc).toHaveLength(1);
        expect(arrests.has(findAll(assoc[0] as XmlElement, NB.nc, 'Activity')[0]?.attributes[`{${NB.s}}ref`] as string)).toBe(true);
      }
    }
  });
});
