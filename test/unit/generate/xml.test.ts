import { describe, expect, it } from 'vitest';
import { NS } from '../../../src/generate/rms-xml.ts';
import { LIMS_XML_NAMESPACE } from '../../../src/generate/lims-xml.ts';
import { child, findAll, generateToBuffer, parseXml, textAt, type XmlElement } from './helpers.ts';

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

describe('rms-xml', () => {
  it('NIEM 2.0: LEXS publish messages with submitter ORI, one DataItemPackage per row, nc:Firearm by namespace', async () => {
    const { buf, summary } = await generateToBuffer('rms-xml', { rows: 300, seed: 12 });
    const doc = parseXml(buf.toString('utf8'));
    const root = doc.children[0] as XmlElement;
    expect([root.uri, root.local]).toEqual([NS.lexspd, 'doPublish']);
    const messages = findAll(root, NS.lexs, 'PublishMessage');
    let packages = 0;
    for (const m of messages) {
      const ori = textAt(m, [NS.lexs, 'DataSubmitterMetadata'], [NS.lexs, 'SystemIdentifier'], [NS.lexs, 'ORI']);
      expect(ori).toMatch(/^CT[A-Z0-9]{7}$/);
      for (const p of m.children.filter((c) => c.local === 'DataItemPackage')) {
        packages++;
        expect(['insert', 'replace', 'delete']).toContain(textAt(p, [NS.lexs, 'PublishInstruction']));
        expect(textAt(p, [NS.lexs, 'PackageMetadata'], [NS.lexs, 'DataOwnerMetadata'], [NS.lexs, 'DataOwnerIdentifier'], [NS.lexs, 'ORI'])).toBe(ori);
      }
    }
    expect(packages).toBe(300);
    expect(summary.counts.replace).toBeGreaterThan(0);
    const firearms = findAll(root, NS.nc2, 'Firearm');
    expect(firearms.length).toBe(summary.counts.firearms);
    expect(firearms.length).toBeGreaterThan(10);
    for (const f of firearms) {
      expect(textAt(f, [NS.nc2, 'FirearmMakeCode'])).toMatch(/^[A-Z0-9]{2,3}$/);
      expect(textAt(f, [NS.nc2, 'FirearmCaliberCode'])).toMatch(/^\d+$/);
      expect(textAt(f, [NS.nc2, 'FirearmCategoryCode'])).toMatch(/^(PI|PR|RI|SP)$/);
    }
  });

  it('NIEM 6.0: j:Firearm with bore size, the same firearms as NIEM 2.0 for the seed', async () => {
    const two = parseXml((await generateToBuffer('rms-xml', { rows: 300, seed: 12 })).buf.toString('utf8'));
    const six = parseXml((await generateToBuffer('rms-xml', { rows: 300, seed: 12, niem: 6 })).buf.toString('utf8'));
    const root6 = six.children[0] as XmlElement;
    expect([root6.uri, root6.local]).toEqual([NS.rms6, 'IncidentExport']);
    expect(root6.children.filter((c) => c.local === 'IncidentReport')).toHaveLength(300);
    expect(findAll(six, NS.nc6, 'Firearm')).toHaveLength(0);
    const key = (f: XmlElement, nc: string, caliber: string): string =>
      [textAt(f, [nc, 'ItemSerialIdentification'], [nc, 'IdentificationID']) ?? '', textAt(f, [nc, 'ItemModelName']) ?? '', caliber].join('|');
    const f2 = findAll(two, NS.nc2, 'Firearm').map((f) => key(f, NS.nc2, textAt(f, [NS.nc2, 'FirearmCaliberCode']) as string));
    const f6 = findAll(six, NS.j6, 'Firearm').map((f) => {
      expect(textAt(f, [NS.j6, 'FirearmBoreSizeText'])).not.toBe('');
      return key(f, NS.nc6, textAt(f, [NS.j6, 'FirearmBoreSizeCode']) as string);
    });
    expect(f6).toEqual(f2);
    const incidents = findAll(six, NS.nc6, 'Incident');
    for (const i of incidents) expect(textAt(i, [NS.nc6, 'ActivityDate'], [NS.nc6, 'DateTime'])).toMatch(/[-+]\d{2}:\d{2}$/);
    expect(child(root6.children[0] as XmlElement, NS.rms6, 'SubmittingOrganization')).toBeDefined();
  });
});
