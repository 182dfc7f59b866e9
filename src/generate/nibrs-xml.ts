/**
 * `nibrs-xml`: agency RMS reports as NIBRS 2019.1 XML submissions. Layout: mappings/nibrs-2019/README.md.
 *
 * Input: the world (seed), `rows` = reports. Output, UTF-8 XML: one `nibrs:Submission` (message
 * metadata + one `nibrs:Report`) per report, gathered under a `NibrsSubmissions` root of no namespace
 * (the IEPD sends one submission per message; this container only lets one file hold many, and the
 * mapping reads `//nibrs:Report` wherever it sits). Reports, in publication order (`rows` counts them):
 * - a Group A incident report (`I`) per agency case (rms-packages.ts), `R` when a preliminary report is
 *   corrected, `D` for a duplicate withdrawn: offenses with weapon/force codes (automatic now and then),
 *   a property item of description 13 (firearms) per recovered gun, the carrier's arrest with the
 *   weapon code the arrestee was armed with;
 * - now and then a Group B arrest report (`A`): a DUI, trespass or disorderly arrest, mostly unarmed;
 * - now and then a zero report (`A`) of an agency with nothing to report.
 * The offenses and weapon codes are those the N-DEx generator (ndex-xml.ts) writes for the same seed.
 */
import { SUBMITTERS, type Agency } from './catalog.ts';
import { rngFor, type Rng } from './prng.ts';
import { rmsPackages, type RmsPackage } from './rms-packages.ts';
import { Sink, checkRows, xmlText as x } from './sink.ts';
import { isoDate, isoLocal } from './time.ts';
import type { GenerateOptions, GenerateSummary } from './types.ts';
import { STREAM, World, type AgencyCase } from './world.ts';

export const NIBRS_NS = {
  nibrs: 'http://fbi.gov/cjis/nibrs/2019',
  cjis: 'http://fbi.gov/cjis/2.0',
  j: 'http://release.niem.gov/niem/domains/jxdm/5.2/',
  nc: 'http://release.niem.gov/niem/niem-core/3.0/',
  s: 'http://release.niem.gov/niem/structures/3.0/',
} as const;

/** Root element of a generated file: a container of submissions, not part of the IEPD. */
export const NIBRS_BATCH_ROOT = 'NibrsSubmissions';

const ACTION = { insert: 'I', replace: 'R', delete: 'D' } as const;

type Report =
  | { kind: 'A'; at: number; ac: AgencyCase; p: RmsPackage }
  | { kind: 'B'; at: number; ac: AgencyCase; arrestId: string; charge: string; armedWith: string }
  | { kind: 'Z'; at: number; ac: AgencyCase; agency: Agency };

interface Counts {
  groupA: number;
  replace: number;
  delete: number;
  groupB: number;
  zero: number;
  offenses: number;
  weapons: number;
  arrests: number;
}

/** The block's reports: Group A from the RMS packages, some Group B arrests and zero reports. */
function reportsOf(seed: number, block: ReturnType<World['next']>, rng: Rng): Report[] {
  const out: Report[] = rmsPackages(seed, block).map((p) => ({ kind: 'A' as const, at: p.at, ac: p.ac, p }));
  for (const ac of block.agencyCases) {
    if (!rng.chance(0.1)) continue;
    const at = ac.reportedAt + rng.int(60, 3 * 1440);
    out.push({ kind: 'B', at, ac, arrestId: `${ac.caseNumber}-B${rng.int(1, 9)}`, charge: rng.pick(['90D', '90D', '90J', '90C', '90Z'] as const), armedWith: rng.chance(0.9) ? '01' : rng.pick(['12', '13', '14'] as const) });
  }
  const busy = new Set(block.agencyCases.map((ac) => ac.agency.ori));
  const idle = SUBMITTERS.filter((a) => !busy.has(a.ori));
  const first = block.agencyCases[0];
  if (first && idle.length && rng.chance(0.3)) out.push({ kind: 'Z', at: first.reportedAt, ac: first, agency: rng.pick(idle) });
  return out.sort((a, b) => a.at - b.at);
}

function header(category: string, action: string, ori: string, at: number, i: string): string {
  return (
    `${i}<nibrs:ReportHeader>\n` +
    `${i}  <nibrs:NIBRSReportCategoryCode>${category}</nibrs:NIBRSReportCategoryCode>\n` +
    `${i}  <nibrs:ReportActionCategoryCode>${action}</nibrs:ReportActionCategoryCode>\n` +
    `${i}  <nibrs:ReportDate><nc:YearMonthDate>${isoDate(at).slice(0, 7)}</nc:YearMonthDate></nibrs:ReportDate>\n` +
    `${i}  <nibrs:ReportingAgency><j:OrganizationAugmentation><j:OrganizationORIIdentification><nc:IdentificationID>${ori}</nc:IdentificationID></j:OrganizationORIIdentification></j:OrganizationAugmentation></nibrs:ReportingAgency>\n` +
    `${i}</nibrs:ReportHeader>\n`
  );
}

function arrestXml(n: number, arrestId: string, at: number, charge: string, armedWith: string, category: string, i: string): { arrestee: string; arrest: string; association: string } {
  return {
    arrestee:
      `${i}<j:Arrestee s:id="Arrestee${n}">\n` +
      `${i}  <j:ArrestSequenceID>${n}</j:ArrestSequenceID>\n` +
      `${i}  <j:ArresteeArmedWithCode>${armedWith}</j:ArresteeArmedWithCode>\n` +
      `${i}  <j:ArrestSubjectCountCode>N</j:ArrestSubjectCountCode>\n` +
      `${i}</j:Arrestee>\n`,
    arrest:
      `${i}<j:Arrest s:id="Arrest${n}">\n` +
      `${i}  <nc:ActivityIdentification><nc:IdentificationID>${x(arrestId)}</nc:IdentificationID></nc:ActivityIdentification>\n` +
      `${i}  <nc:ActivityDate><nc:Date>${isoDate(at)}</nc:Date></nc:ActivityDate>\n` +
      `${i}  <j:ArrestCharge><nibrs:ChargeUCRCode>${charge}</nibrs:ChargeUCRCode></j:ArrestCharge>\n` +
      `${i}  <j:ArrestCategoryCode>${category}</j:ArrestCategoryCode>\n` +
      `${i}</j:Arrest>\n`,
    association: `${i}<j:ArrestSubjectAssociation><nc:Activity s:ref="Arrest${n}"/><j:Subject s:ref="Arrestee${n}"/></j:ArrestSubjectAssociation>\n`,
  };
}

function groupA(p: RmsPackage, counts: Counts, i: string): string {
  const ac = p.ac;
  let s = header('GROUP A INCIDENT REPORT', ACTION[p.instruction], ac.agency.ori, p.at, i);
  s += `${i}<nc:Incident>\n${i}  <nc:ActivityIdentification><nc:IdentificationID>${x(p.incidentId)}</nc:IdentificationID></nc:ActivityIdentification>\n`;
  s += `${i}  <nc:ActivityDate><nc:DateTime>${isoLocal(ac.occurredAt)}</nc:DateTime></nc:ActivityDate>\n`;
  if (p.instruction === 'delete') {
    counts.delete++;
    return s + `${i}</nc:Incident>\n`;
  }
  counts[p.instruction === 'replace' ? 'replace' : 'groupA']++;
  s += `${i}  <cjis:IncidentAugmentation><cjis:IncidentReportDateIndicator>false</cjis:IncidentReportDateIndicator></cjis:IncidentAugmentation>\n`;
  s += `${i}</nc:Incident>\n`;
  p.offenses.forEach((o, k) => {
    s += `${i}<j:Offense s:id="Offense${k + 1}">\n${i}  <nibrs:OffenseUCRCode>${o.nibrs}</nibrs:OffenseUCRCode>\n`;
    s += `${i}  <j:OffenseFactorBiasMotivationCode>NONE</j:OffenseFactorBiasMotivationCode>\n`;
    for (const code of o.forces) {
      s += `${i}  <j:OffenseForce><j:ForceCategoryCode>${code}</j:ForceCategoryCode></j:OffenseForce>\n`;
      counts.weapons++;
    }
    s += `${i}  <j:OffenseAttemptedIndicator>false</j:OffenseAttemptedIndicator>\n${i}</j:Offense>\n`;
    counts.offenses++;
  });
  s += `${i}<nc:Location s:id="Location1"><nibrs:LocationCategoryCode>${ac.kind === 'recovery' ? '13' : '20'}</nibrs:LocationCategoryCode></nc:Location>\n`;
  // A recovered gun is property of description 13 (firearms): no make, no serial, never a Firearm.
  s += `${i}<nc:Item><nc:ItemStatus><cjis:ItemStatusCode>SEIZED</cjis:ItemStatusCode></nc:ItemStatus><nc:ItemValue><nc:ItemValueAmount><nc:Amount>400</nc:Amount></nc:ItemValueAmount><nc:ItemValueDate><nc:Date>${isoDate(ac.occurredAt)}</nc:Date></nc:ItemValueDate></nc:ItemValue><j:ItemCategoryNIBRSPropertyCategoryCode>13</j:ItemCategoryNIBRSPropertyCategoryCode><nc:ItemQuantity>1</nc:ItemQuantity></nc:Item>\n`.repeat(p.firearms.length);
  if (p.arrest) {
    const a = arrestXml(1, `${p.incidentId}-A1`, ac.reportedAt, p.offenses[0]?.nibrs ?? '520', p.arrest.armedWith, 'T', i);
    s += a.arrestee + a.arrest + a.association;
    counts.arrests++;
    if (p.arrest.armedWith !== '01') counts.weapons++;
  }
  p.offenses.forEach((_, k) => {
    s += `${i}<j:OffenseLocationAssociation><j:Offense s:ref="Offense${k + 1}"/><nc:Location s:ref="Location1"/></j:OffenseLocationAssociation>\n`;
  });
  return s;
}

function groupB(r: Extract<Report, { kind: 'B' }>, counts: Counts, i: string): string {
  counts.groupB++;
  counts.arrests++;
  if (r.armedWith !== '01') counts.weapons++;
  const a = arrestXml(1, r.arrestId, r.at, r.charge, r.armedWith, 'O', i);
  return header('GROUP B ARREST REPORT', 'A', r.ac.agency.ori, r.at, i) + a.arrestee + a.arrest + a.association;
}

function submission(r: Report, seq: number, counts: Counts): string {
  const ori = r.kind === 'Z' ? r.agency.ori : r.ac.agency.ori;
  const i = '      ';
  const body = r.kind === 'A' ? groupA(r.p, counts, i) : r.kind === 'B' ? groupB(r, counts, i) : (counts.zero++, header('ZERO REPORT', 'A', ori, r.at, i));
  return (
    `  <nibrs:Submission>\n` +
    `    <cjis:MessageMetadata>\n` +
    `      <cjis:MessageDateTime>${isoLocal(r.at)}</cjis:MessageDateTime>\n` +
    `      <cjis:MessageIdentification><nc:IdentificationID>${ori}-${seq}</nc:IdentificationID></cjis:MessageIdentification>\n` +
    `      <cjis:MessageImplementationVersion>2019.1</cjis:MessageImplementationVersion>\n` +
    `      <cjis:MessageSubmittingOrganization><j:OrganizationAugmentation><j:OrganizationORIIdentification><nc:IdentificationID>${ori}</nc:IdentificationID></j:OrganizationORIIdentification></j:OrganizationAugmentation></cjis:MessageSubmittingOrganization>\n` +
    `    </cjis:MessageMetadata>\n` +
    `    <nibrs:Report>\n${body}    </nibrs:Report>\n` +
    `  </nibrs:Submission>\n`
  );
}

export async function generateNibrsXml(opts: GenerateOptions, seed: number, out: NodeJS.WritableStream): Promise<GenerateSummary> {
  checkRows(opts.rows);
  const sink = new Sink(out, 'utf-8');
  const world = new World(seed);
  const counts: Counts = { groupA: 0, replace: 0, delete: 0, groupB: 0, zero: 0, offenses: 0, weapons: 0, arrests: 0 };
  const xmlns = Object.entries(NIBRS_NS).map(([p, uri]) => `xmlns:${p}="${uri}"`).join(' ');
  sink.add(`<?xml version="1.0" encoding="UTF-8"?>\n<${NIBRS_BATCH_ROOT} ${xmlns}>\n`);
  let rows = 0;
  let blocks = 0;
  while (rows < opts.rows) {
    const block = world.next();
    blocks++;
    const rng = rngFor(seed, STREAM.nibrs, block.index);
    for (const r of reportsOf(seed, block, rng)) {
      if (rows >= opts.rows) break;
      sink.add(submission(r, ++rows, counts));
      if (sink.full) await sink.flush();
    }
  }
  sink.add(`</${NIBRS_BATCH_ROOT}>\n`);
  await sink.flush();
  return { kind: 'nibrs-xml', seed, rows, bytes: sink.bytes, encoding: 'utf-8', blocks, badRowNumbers: [], badRowKinds: {}, counts: { ...counts } };
}
