/** The handmade fixtures: small, in the documented layouts, and consistent with each other. */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import iconv from 'iconv-lite';
import { parse } from 'csv-parse/sync';
import { LIMS_CSV_COLUMNS, ETRACE_COLUMNS } from '../../../src/generate/index.ts';
import { NDEX_NS as NS } from '../../../src/generate/ndex-xml.ts';
import { NIBRS_NS as NB } from '../../../src/generate/nibrs-xml.ts';
import { LIMS_XML_NAMESPACE as L } from '../../../src/generate/lims-xml.ts';
import { findAll, parseXml, textAt, type XmlElement } from './helpers.ts';
import { parseCsv, violations, type Row } from './lims-rules.ts';

const FIXTURES = fileURLToPath(new URL('../../../fixtures/', import.meta.url));
const read = (p: string): Buffer => readFileSync(join(FIXTURES, p));
const serialKey = (s: string): string => s.toUpperCase().replace(/[\s-]/g, '');
type Trace = Record<string, string>;

interface LeadEvent { eventId: string; ibisCaseId: string; ibisExhibitIds: string[]; labCaseNumber: string; agencyOri: string; agencyCaseNumber: string; role: string }
interface Lead { messageType: string; leadId: string; version: number; status: string; change: { type: string; links: { from: string; to: string }[] }; events: LeadEvent[]; links: { from: string; to: string; status: string; confirmedAt: string | null }[] }
const ndjson = (p: string): Lead[] => read(p).toString('utf8').trim().split('\n').map((l) => JSON.parse(l) as Lead);

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? files(join(dir, f)) : [join(dir, f)]));
}

/** Every lead event must point at LIMS rows of its lab case, agency case and IBIS exhibits (when the LIMS file holds that lab case). */
function expectEventsInLims(leads: Lead[], rows: Row[]): number {
  let matched = 0;
  for (const m of leads) {
    for (const e of m.events) {
      if (!rows.some((r) => r.LAB_CASE_NO === e.labCaseNumber)) continue;
      for (const ex of e.ibisExhibitIds) {
        const hit = rows.find((r) => r.LAB_CASE_NO === e.labCaseNumber && r.AGENCY_ORI === e.agencyOri && r.AGENCY_CASE_NO === e.agencyCaseNumber && r.IBIS_CASE_ID === e.ibisCaseId && r.IBIS_EXHIBIT_ID === ex);
        expect(hit, `${e.eventId} ${e.ibisCaseId} ${ex}`).toBeDefined();
        expect(hit?.ITEM_TYPE).toBe(e.role === 'scene' ? 'CARTRIDGE CASE' : 'TEST FIRE');
        matched++;
      }
    }
  }
  return matched;
}

function expectTracesInLims(traces: Trace[], rows: Row[]): number {
  let matched = 0;
  for (const t of traces) {
    const guns = rows.filter((r) => r.ITEM_TYPE === 'FIREARM' && r.AGENCY_ORI === t.REQUESTING_ORI && r.AGENCY_CASE_NO === t.AGENCY_CASE_NO && r.MODEL.toUpperCase() === t.MODEL);
    if (guns.length === 0) continue;
    matched++;
    if (t.SERIAL !== '') expect(guns.map((g) => serialKey(g.SERIAL_NO))).toContain(serialKey(t.SERIAL as string));
  }
  return matched;
}

/** A tree as URIs and local names see it (prefixes and comments left out), to compare a document with its prefix-renamed copy. */
const XMLNS = '{http://www.w3.org/2000/xmlns/}';
const byUri = (el: XmlElement): unknown => ({ n: `{${el.uri}}${el.local}`, a: Object.entries(el.attributes).filter(([k]) => !k.startsWith(XMLNS) && k !== 'xmlns'), t: el.children.length ? '' : el.text.trim(), c: el.children.map(byUri) });

describe('fixtures', () => {
  it('are small (< 20 KB each)', () => {
    const all = files(FIXTURES);
    expect(all.length).toBeGreaterThanOrEqual(14);
    for (const f of all) expect(statSync(f).size, f).toBeLessThan(20 * 1024);
  });

  const limsText = iconv.decode(read('lims-csv/submissions-win1252.csv'), 'windows-1252');
  const limsRows = parseCsv(limsText);

  it('lims-csv: real Windows-1252 bytes, CRLF, header on line 1, every row within the README rules', () => {
    const buf = read('lims-csv/submissions-win1252.csv');
    expect(buf.includes(Buffer.from([0xf1]))).toBe(true); // ñ
    expect(buf.includes(Buffer.from([0x92]))).toBe(true); // ’
    expect(buf.includes(Buffer.from('ñ', 'utf8'))).toBe(false);
    for (let i = buf.indexOf(10); i !== -1; i = buf.indexOf(10, i + 1)) expect(buf[i - 1]).toBe(13);
    expect(limsText.split('\r\n', 1)[0]).toBe(LIMS_CSV_COLUMNS.join(','));
    expect(limsRows).toHaveLength(17);
    for (const r of limsRows) expect(violations(r), JSON.stringify(r)).toEqual([]);
    expect(new Set(limsRows.filter((r) => r.LAB_CASE_NO === 'L24-000118').map((r) => r.AGENCY_ORI))).toEqual(new Set(['CT0009300', 'CT0006400']));
  });

  it('lims-csv: the UTF-8 variant has a BOM and exactly the same text', () => {
    const buf = read('lims-csv/submissions-bom-utf8.csv');
    expect([...buf.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(buf.subarray(3).toString('utf8')).toBe(limsText);
  });

  it('lims-csv: bad-rows fixture has exactly the documented defect on each row', () => {
    const rows = parseCsv(iconv.decode(read('lims-csv/bad-rows-win1252.csv'), 'windows-1252'));
    expect(rows.map(violations)).toEqual([[], ['OFFENSE_DATE'], ['AGENCY_ORI'], ['AGENCY_ORI'], ['CALIBER'], [], ['MAKE'], ['NIBIN_ENTERED']]);
  });

  it('lims-xml: well-formed, prefixed namespace, the same lab cases and items as the CSV fixture', () => {
    const doc = parseXml(read('lims-xml/export.xml').toString('utf8'));
    const root = doc.children[0] as XmlElement;
    expect([root.uri, root.local, root.prefix]).toEqual([L, 'LimsExport', 'lims']);
    for (const lc of findAll(root, L, 'LabCase')) {
      const no = lc.attributes.number as string;
      const csv = limsRows.filter((r) => r.LAB_CASE_NO === no).map((r) => [r.SUBMISSION_NO, r.AGENCY_ORI, r.AGENCY_CASE_NO, r.ITEM_NO, r.ITEM_TYPE, r.ITEM_DESC, r.CALIBER, r.SERIAL_NO, r.IBIS_EXHIBIT_ID].join('|'));
      const xml: string[] = [];
      for (const sub of lc.children.filter((c) => c.local === 'Submission')) {
        const walk = (el: XmlElement): void => {
          for (const it of el.children.filter((c) => c.local === 'Item')) {
            xml.push([sub.attributes.number, sub.attributes.agencyOri, sub.attributes.agencyCaseNumber, it.attributes.number, it.attributes.type, textAt(it, [L, 'Description']), textAt(it, [L, 'Caliber']) ?? '', textAt(it, [L, 'Firearm'], [L, 'SerialNumber']) ?? '', textAt(it, [L, 'Nibin'], [L, 'IbisExhibitId']) ?? ''].join('|'));
            walk(it);
          }
        };
        walk(sub);
      }
      expect(xml.length).toBeGreaterThan(0);
      expect(xml).toEqual(csv);
    }
  });

  it('nibin-lead: lines parse, leads grow by version, events point at the LIMS fixture', () => {
    const leads = ndjson('nibin-lead/leads.ndjson');
    expect(leads).toHaveLength(5);
    expect(new Set(leads.map((l) => l.change.type))).toEqual(new Set(['LEAD_CREATED', 'EVENT_ADDED', 'LINK_CONCLUDED', 'LEAD_WITHDRAWN']));
    for (const m of leads) {
      expect(m.links).toHaveLength((m.events.length * (m.events.length - 1)) / 2);
      expect(m.messageType).toBe(m.version === 1 ? 'LEAD_NOTICE' : 'LEAD_UPDATE');
    }
    expect(expectEventsInLims(leads, limsRows)).toBeGreaterThanOrEqual(8);
  });

  it('etrace: the documented columns; traces name firearms of the LIMS fixture', () => {
    const text = read('etrace/results.csv').toString('utf8');
    expect(text.includes('\r')).toBe(false);
    expect(text.split('\n', 1)[0]).toBe(ETRACE_COLUMNS.join(','));
    const traces = parse(text, { columns: true }) as Trace[];
    expect(traces).toHaveLength(4);
    expect(expectTracesInLims(traces, limsRows)).toBe(3);
  });

  it('ndex: the IEPD structure with the traps the README lists, and a prefix-renamed copy that is the same document', () => {
    const doc = parseXml(read('ndex/incident-arrest.xml').toString('utf8'));
    const packages = findAll(doc, NS.lexs, 'DataItemPackage');
    expect(packages).toHaveLength(2);
    for (const p of packages) {
      const categories = findAll(p, NS.nc, 'ActivityCategoryText').map((c) => c.text);
      expect(categories[0]).not.toBe('Incident');
      expect(categories.filter((c) => c === 'Incident')).toHaveLength(1);
      expect(findAll(p, NS.nc, 'ActivityDescriptionText').some((n) => /000-?\d{2}-?\d{4}/.test(n.text))).toBe(true);
    }
    const f1 = findAll(doc, NS.nc, 'Firearm')[0] as XmlElement;
    expect(textAt(f1, [NS.nc, 'FirearmCaliberCode'])).toBeUndefined();
    const joined = findAll(doc, NS.ndexia, 'FirearmAugmentation').find((a) => findAll(a, NS.lexslib, 'SameAsDigestReference')[0]?.attributes[`{${NS.lexslib}}ref`] === f1.attributes[`{${NS.s}}id`]);
    expect(textAt(joined as XmlElement, [NS.ndexia, 'FirearmCaliberCode'])).toBe('9');
    expect(findAll(doc, NS.nc, 'Firearm').map((f) => `${textAt(f, [NS.nc, 'FirearmCategoryCode'])}${textAt(f, [NS.nc, 'FirearmCategoryDescriptionCode'])}`)).toEqual(['PI', 'PA', 'PR']);
    expect(findAll(doc, NS.nc, 'DateTime').map((d) => d.text).filter((t) => t.endsWith('.0Z')).length).toBeGreaterThan(3);
    const renamed = parseXml(read('ndex/prefixes-renamed.xml').toString('utf8'));
    expect(findAll(renamed, NS.nc, 'Firearm')[0]?.prefix).toBe('');
    expect(byUri(renamed)).toEqual(byUri(doc));
    const instructions = findAll(parseXml(read('ndex/publish-instructions.xml').toString('utf8')), NS.lexs, 'DataItemPublishInstruction').map((e) => e.text);
    expect(instructions).toEqual(['Insert', 'Replace', 'Delete']);
  });

  it('nibrs: one report per submission, the actions and categories the README lists, a prefix-renamed copy that is the same document', () => {
    const header = (f: string): string[] => {
      const d = parseXml(read(`nibrs/${f}`).toString('utf8'));
      const reports = findAll(d, NB.nibrs, 'Report');
      expect(reports, f).toHaveLength(1);
      return [NB.nibrs, NB.nibrs].map((_, i) => textAt(reports[0] as XmlElement, [NB.nibrs, 'ReportHeader'], [NB.nibrs, i ? 'ReportActionCategoryCode' : 'NIBRSReportCategoryCode']) as string);
    };
    expect(['group-a-incident.xml', 'group-a-replace.xml', 'incident-delete.xml', 'group-b-arrest.xml', 'group-b-arrest-delete.xml', 'zero-report.xml'].map(header)).toEqual([
      ['GROUP A INCIDENT REPORT', 'I'], ['GROUP A INCIDENT REPORT', 'R'], ['GROUP A INCIDENT REPORT', 'D'], ['GROUP B ARREST REPORT', 'A'], ['GROUP B ARREST REPORT', 'D'], ['ZERO REPORT', 'A'],
    ]);
    const doc = parseXml(read('nibrs/group-a-incident.xml').toString('utf8'));
    expect(findAll(doc, NB.j, 'ForceCategoryCode').map((c) => c.text)).toEqual(['12', '11A', '13A', '40']);
    expect(findAll(doc, NB.nibrs, 'OffenseUCRCode').map((c) => c.text)).toEqual(['13A', '120', '290']);
    expect(byUri(parseXml(read('nibrs/prefixes-renamed.xml').toString('utf8')))).toEqual(byUri(doc));
  });

  it('the leading-comment fixtures are not well-formed only because of the comment before <?xml', () => {
    for (const f of ['ndex/leading-comment.xml', 'nibrs/leading-comment.xml']) {
      const text = read(f).toString('utf8');
      expect(() => parseXml(text), f).toThrow(/XML declaration/);
      expect(() => parseXml(text.slice(text.indexOf('-->\n') + 4)), f).not.toThrow();
    }
  });

  it('rms-rest-json: two pages joined by next_cursor, incidents with nested weapons', () => {
    const p1 = JSON.parse(read('rms-rest-json/page1.json').toString('utf8')) as { data: { agency_ori: string; weapons: unknown[] }[]; next_cursor: string | null };
    const p2 = JSON.parse(read('rms-rest-json/page2.json').toString('utf8')) as typeof p1;
    expect(typeof p1.next_cursor).toBe('string');
    expect(p2.next_cursor).toBeNull();
    expect([...p1.data, ...p2.data].flatMap((d) => d.weapons)).toHaveLength(4);
    for (const d of [...p1.data, ...p2.data]) expect(d.agency_ori).toMatch(/^CT[A-Z0-9]{7}$/);
  });

  it('scenario: three agencies, two shootings and a recovered gun; LIMS, NIBIN and eTrace agree', () => {
    const rows = parseCsv(iconv.decode(read('scenario/lims.csv'), 'windows-1252'));
    for (const r of rows) expect(violations(r), JSON.stringify(r)).toEqual([]);
    expect(new Set(rows.map((r) => r.AGENCY_ORI))).toEqual(new Set(['CT0006400', 'CT0004300', 'CTCSP0000']));
    const leads = ndjson('scenario/nibin-leads.ndjson');
    expect(leads.map((l) => [l.messageType, l.status])).toEqual([['LEAD_NOTICE', 'LEAD_UNCONFIRMED'], ['LEAD_UPDATE', 'CONFIRMED_HIT']]);
    const notice = leads[0] as Lead;
    expect(notice.events.map((e) => e.role)).toEqual(['scene', 'scene', 'test-fire']);
    const tf = notice.events[2] as LeadEvent;
    // The test fire links to both shootings; the update confirms one of those links.
    for (const scene of notice.events.slice(0, 2)) expect(notice.links.some((l) => l.from === scene.eventId && l.to === tf.eventId)).toBe(true);
    const confirmed = (leads[1] as Lead).links.filter((l) => l.status === 'CONFIRMED_HIT');
    expect(confirmed).toHaveLength(1);
    expect(confirmed[0]?.to).toBe(tf.eventId);
    expect(expectEventsInLims(leads, rows)).toBe(6);
    const traces = parse(read('scenario/etrace.csv').toString('utf8'), { columns: true }) as Trace[];
    expect(expectTracesInLims(traces, rows)).toBe(1);
    // The N-DEx fixture describes the same recovery and gun.
    const rmsSerial = textAt(findAll(parseXml(read('ndex/incident-arrest.xml').toString('utf8')), NS.nc, 'Firearm')[0] as XmlElement, [NS.nc, 'ItemSerialIdentification'], [NS.nc, 'IdentificationID']);
    expect(rmsSerial).toBe(traces[0]?.SERIAL);
    expect(rows.find((r) => r.ITEM_TYPE === 'FIREARM')?.SERIAL_NO).toBe(rmsSerial);
  });
});
