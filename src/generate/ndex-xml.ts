/**
 * `ndex-xml`: agency RMS reports as N-DEx IncidentArrest 2.1 publish messages (LEXS 3.1 digest +
 * structured payload, NIEM 2.0). Layout: mappings/ndex-2.1-lexs/README.md.
 *
 * Input: the world (seed), `rows` = data item packages. Output, UTF-8 XML: `lexspd:doPublish` >
 * `lexs:PublishMessageContainer` > one `lexs:PublishMessage` per submitting agency and world block >
 * one `lexs:DataItemPackage` per report (rms-packages.ts): `Insert` for a new report and for a
 * corrected one (N-DEx replaces a data item published again), `Delete` for a duplicate withdrawn.
 * A package carries what real ones do and what a mapping must get right: activities in varying order
 * (an Arrest or a Warrant before the Incident), narratives holding a placeholder name and an
 * SSN-shaped number (000-xx-xxxx, never issued), firearms whose caliber is sometimes only in the
 * payload (joined by `lexslib:SameAsDigestReference`), NCIC gun types split in two letters, dates in
 * UTC with a `.0Z` fraction, payload offenses with NIBRS weapon/force codes and armed arrestees.
 */
import { FIRST_NAMES, LAST_NAMES } from './catalog.ts';
import { rngFor, type Rng } from './prng.ts';
import { byAgency, rmsPackages, type RmsPackage } from './rms-packages.ts';
import { Sink, checkRows, xmlText as x } from './sink.ts';
import { isoLocal, isoUtc } from './time.ts';
import type { GenerateOptions, GenerateSummary } from './types.ts';
import { STREAM, World, type AgencyCase } from './world.ts';

export const NDEX_NS = {
  lexspd: 'http://usdoj.gov/leisp/lexs/publishdiscover/3.1',
  lexs: 'http://usdoj.gov/leisp/lexs/3.1',
  lexsdigest: 'http://usdoj.gov/leisp/lexs/digest/3.1',
  lexslib: 'http://usdoj.gov/leisp/lexs/library/3.1',
  nc: 'http://niem.gov/niem/niem-core/2.0',
  j: 'http://niem.gov/niem/domains/jxdm/4.0',
  s: 'http://niem.gov/niem/structures/2.0',
  ndexia: 'http://fbi.gov/cjis/N-DEx/IncidentArrest/2.1',
} as const;

/** `2024-03-02T03:14:00.0Z`: a local time in UTC with the one-digit fraction the IEPD's samples use. */
function utc0(minutes: number): string {
  return isoUtc(minutes).replace(/Z$/, '.0Z');
}

interface Counts {
  insert: number;
  replace: number;
  delete: number;
  firearms: number;
  offenses: number;
  weapons: number;
  arrests: number;
  messages: number;
}

function activity(id: string, category: string, idText: string, when: string, narrative: string, i: string): string {
  return (
    `${i}<lexsdigest:EntityActivity>\n` +
    `${i}  <nc:Activity s:id="${id}">\n` +
    (idText ? `${i}    <nc:ActivityIdentification><nc:IdentificationID>${x(idText)}</nc:IdentificationID></nc:ActivityIdentification>\n` : '') +
    `${i}    <nc:ActivityCategoryText>${category}</nc:ActivityCategoryText>\n` +
    (when ? `${i}    <nc:ActivityDate><nc:DateTime>${when}</nc:DateTime></nc:ActivityDate>\n` : '') +
    (narrative ? `${i}    <nc:ActivityDescriptionText>${x(narrative)}</nc:ActivityDescriptionText>\n` : '') +
    `${i}  </nc:Activity>\n` +
    `${i}</lexsdigest:EntityActivity>\n`
  );
}

function packageMetadata(p: RmsPackage, i: string): string {
  const ac = p.ac;
  return (
    `${i}<lexs:PackageMetadata>\n` +
    `${i}  <lexs:DataItemID>${x(`${ac.agency.ori}-${p.incidentId}`)}</lexs:DataItemID>\n` +
    `${i}  <lexs:DataItemDate>${isoLocal(p.at).slice(0, 10)}</lexs:DataItemDate>\n` +
    `${i}  <lexs:DataItemReferenceID>${x(p.incidentId)}</lexs:DataItemReferenceID>\n` +
    `${i}  <lexs:DataItemPublishInstruction>${p.instruction === 'delete' ? 'Delete' : 'Insert'}</lexs:DataItemPublishInstruction>\n` +
    `${i}  <lexs:DataItemStatus>Active</lexs:DataItemStatus>\n` +
    `${i}  <lexs:DataOwnerMetadata>\n` +
    `${i}    <lexs:DataOwnerIdentifier>\n` +
    `${i}      <lexs:ORI>${ac.agency.ori}</lexs:ORI>\n` +
    `${i}      <nc:OrganizationName>${x(ac.agency.name)}</nc:OrganizationName>\n` +
    `${i}      <lexs:SystemID>RMS</lexs:SystemID>\n` +
    `${i}    </lexs:DataOwnerIdentifier>\n` +
    `${i}  </lexs:DataOwnerMetadata>\n` +
    `${i}  <lexs:DisseminationCriteriaValue>\n` +
    `${i}    <lexs:DisseminationCriteriaDomainText>N-DEx</lexs:DisseminationCriteriaDomainText>\n` +
    `${i}    <lexs:DisseminationCriteriaText>Green</lexs:DisseminationCriteriaText>\n` +
    `${i}  </lexs:DisseminationCriteriaValue>\n` +
    `${i}  <lexs:DataItemCategory><lexs:DataItemCategoryText>Incident Report</lexs:DataItemCategoryText></lexs:DataItemCategory>\n` +
    `${i}</lexs:PackageMetadata>\n`
  );
}

function ndexPackage(p: RmsPackage, rng: Rng, counts: Counts): string {
  const ac = p.ac;
  const i = '        ';
  let s = `      <lexs:DataItemPackage>\n` + packageMetadata(p, i);
  if (p.instruction === 'delete') {
    counts.delete++;
    return s + `      </lexs:DataItemPackage>\n`;
  }
  counts[p.instruction]++;
  const person = `${rng.pick(FIRST_NAMES)} ${rng.pick(LAST_NAMES)}`;
  const ssn = `000-${String(rng.int(10, 99))}-${String(rng.int(1000, 9999))}`;
  const offenses = p.offenses;
  const d = `${i}  `;
  // The digest: activities in the order this RMS happens to write them (never Incident first by rule).
  const acts: string[] = [
    activity('Incident1', 'Incident', p.incidentId, utc0(ac.occurredAt), `Reported by ${person} (SSN ${ssn}) at ${ac.address}.`, d),
    ...offenses.map((_, k) => activity(`Offense${k + 1}`, 'Offense', '', '', '', d)),
  ];
  if (p.arrest) acts.splice(rng.int(0, 1), 0, activity('Arrest1', 'Arrest', `${p.incidentId}-A1`, utc0(ac.reportedAt), `${person} arrested, SSN ${ssn.replace(/-/g, '')}.`, d));
  if (rng.chance(0.1)) acts.unshift(activity('Warrant1', 'Warrant', `W-${p.incidentId}`, utc0(ac.occurredAt - 30 * 1440), `Warrant for ${person}`, d));
  s += `${i}<lexs:Digest>\n` + acts.join('');
  if (p.arrest) {
    const [given, sur] = person.split(' ');
    s += `${d}<lexsdigest:EntityPerson>\n${d}  <lexsdigest:Person s:id="Person1">\n`;
    s += `${d}    <nc:PersonName><nc:PersonGivenName>${x(given as string)}</nc:PersonGivenName><nc:PersonSurName>${x(sur as string)}</nc:PersonSurName></nc:PersonName>\n`;
    s += `${d}    <nc:PersonSSNIdentification><nc:IdentificationID>${ssn.replace(/-/g, '')}</nc:IdentificationID></nc:PersonSSNIdentification>\n`;
    s += `${d}  </lexsdigest:Person>\n${d}  <j:ArrestSubject s:id="ArrestSubject1"><nc:RoleOfPersonReference s:ref="Person1"/></j:ArrestSubject>\n${d}</lexsdigest:EntityPerson>\n`;
  }
  s += `${d}<lexsdigest:EntityLocation>\n${d}  <nc:Location s:id="Location1">\n${d}    <nc:LocationAddress>\n${d}      <nc:StructuredAddress>\n`;
  s += `${d}        <nc:LocationStreet><nc:StreetFullText>${x(ac.address)}</nc:StreetFullText></nc:LocationStreet>\n`;
  s += `${d}        <nc:LocationCityName>${x(ac.town)}</nc:LocationCityName>\n`;
  s += `${d}        <nc:LocationStateUSPostalServiceCode>CT</nc:LocationStateUSPostalServiceCode>\n`;
  s += `${d}        <nc:LocationPostalCode>${x(ac.zip)}</nc:LocationPostalCode>\n`;
  s += `${d}      </nc:StructuredAddress>\n${d}    </nc:LocationAddress>\n${d}  </nc:Location>\n${d}</lexsdigest:EntityLocation>\n`;
  const caliberInPayload = p.firearms.map(() => rng.chance(0.4));
  p.firearms.forEach((g, k) => {
    const m = g.f.model;
    const id = `Firearm${k + 1}`;
    s += `${d}<lexsdigest:EntityFirearm>\n`;
    s += `${d}  <lexsdigest:Metadata s:id="M${id}"><nc:SourceIDText>${x(`${ac.caseNumber}-P${k + 1}`)}</nc:SourceIDText></lexsdigest:Metadata>\n`;
    s += `${d}  <nc:Firearm s:id="${id}" s:metadata="M${id}">\n`;
    if (g.serial !== '') s += `${d}    <nc:ItemSerialIdentification><nc:IdentificationID>${x(g.serial)}</nc:IdentificationID></nc:ItemSerialIdentification>\n`;
    if (g.model !== '') s += `${d}    <nc:ItemModelName>${x(g.model)}</nc:ItemModelName>\n`;
    s += `${d}    <nc:FirearmMakeCode>${m.make.ncic}</nc:FirearmMakeCode>\n`;
    s += `${d}    <nc:FirearmCategoryCode>${m.type.ncic.slice(0, 1)}</nc:FirearmCategoryCode>\n`;
    if (m.type.ncic.length > 1) s += `${d}    <nc:FirearmCategoryDescriptionCode>${m.type.ncic.slice(1)}</nc:FirearmCategoryDescriptionCode>\n`;
    if (!caliberInPayload[k]) s += `${d}    <nc:FirearmCaliberCode>${m.caliber.ncic}</nc:FirearmCaliberCode>\n`;
    s += `${d}  </nc:Firearm>\n${d}</lexsdigest:EntityFirearm>\n`;
    counts.firearms++;
  });
  s += `${d}<lexsdigest:Associations>\n`;
  s += `${d}  <lexsdigest:IncidentLocationAssociation><nc:ActivityReference s:ref="Incident1"/><nc:LocationReference s:ref="Location1"/></lexsdigest:IncidentLocationAssociation>\n`;
  offenses.forEach((_, k) => {
    s += `${d}  <lexsdigest:IncidentOffenseAssociation><nc:ActivityReference s:ref="Offense${k + 1}"/><nc:ActivityReference s:ref="Incident1"/></lexsdigest:IncidentOffenseAssociation>\n`;
  });
  p.firearms.forEach((_, k) => {
    s += `${d}  <lexsdigest:IncidentEvidenceAssociation><nc:ActivityReference s:ref="Incident1"/><nc:ItemReference s:ref="Firearm${k + 1}"/></lexsdigest:IncidentEvidenceAssociation>\n`;
  });
  s += `${d}</lexsdigest:Associations>\n${i}</lexs:Digest>\n`;
  // The structured payload: the report, pointing back at digest entities by id.
  s += `${i}<lexs:StructuredPayload>\n`;
  s += `${d}<lexs:StructuredPayloadMetadata>\n${d}  <lexs:CommunityURI>http://fbi.gov/cjis/N-DEx/IncidentArrest/2.1</lexs:CommunityURI>\n`;
  s += `${d}  <lexs:CommunityDescription>N-DEx IncidentArrest</lexs:CommunityDescription>\n${d}  <lexs:CommunityVersion>2.1</lexs:CommunityVersion>\n${d}</lexs:StructuredPayloadMetadata>\n`;
  const r = `${d}  `;
  s += `${d}<ndexia:IncidentReport>\n`;
  if (p.arrest) {
    counts.arrests++;
    s += `${r}<ndexia:Arrest>\n${r}  <ndexia:ArrestAugmentation><lexslib:SameAsDigestReference lexslib:ref="Arrest1"/><ndexia:ArrestCaseNumberText>${x(p.incidentId)}</ndexia:ArrestCaseNumberText></ndexia:ArrestAugmentation>\n${r}</ndexia:Arrest>\n`;
    s += `${r}<ndexia:ArrestSubject>\n${r}  <ndexia:ArrestSubjectAugmentation>\n${r}    <lexslib:SameAsDigestReference lexslib:ref="ArrestSubject1"/>\n`;
    s += `${r}    <j:ArrestSequenceID><nc:IdentificationID>1</nc:IdentificationID></j:ArrestSequenceID>\n`;
    s += `${r}    <j:ChargeUCRCode>520</j:ChargeUCRCode>\n`;
    s += `${r}    <ndexia:ArresteeArmedWithCode>${p.arrest.armedWith}</ndexia:ArresteeArmedWithCode>\n`;
    if (p.arrest.armedWith !== '01') counts.weapons++;
    s += `${r}  </ndexia:ArrestSubjectAugmentation>\n${r}</ndexia:ArrestSubject>\n`;
  }
  p.firearms.forEach((g, k) => {
    if (!caliberInPayload[k]) return;
    s += `${r}<ndexia:Firearm><ndexia:FirearmAugmentation><lexslib:SameAsDigestReference lexslib:ref="Firearm${k + 1}"/><ndexia:FirearmCaliberCode>${g.f.model.caliber.ncic}</ndexia:FirearmCaliberCode></ndexia:FirearmAugmentation></ndexia:Firearm>\n`;
  });
  s += `${r}<ndexia:Incident><ndexia:IncidentAugmentation><lexslib:SameAsDigestReference lexslib:ref="Incident1"/><ndexia:IncidentCaseNumberText>${x(p.incidentId)}</ndexia:IncidentCaseNumberText></ndexia:IncidentAugmentation></ndexia:Incident>\n`;
  offenses.forEach((o, k) => {
    s += `${r}<ndexia:Offense>\n${r}  <ndexia:ActivityAugmentation><lexslib:SameAsDigestReference lexslib:ref="Offense${k + 1}"/></ndexia:ActivityAugmentation>\n`;
    for (const code of o.forces) {
      s += `${r}  <j:IncidentForce><j:ForceCategoryCode>${code}</j:ForceCategoryCode></j:IncidentForce>\n`;
      counts.weapons++;
    }
    s += `${r}  <ndexia:OffenseCode>${x(o.ndex)}</ndexia:OffenseCode>\n`;
    s += `${r}  <ndexia:OffenseText>${x(`${person} seen leaving ${ac.address}`)}</ndexia:OffenseText>\n`;
    s += `${r}</ndexia:Offense>\n`;
    counts.offenses++;
  });
  s += `${d}</ndexia:IncidentReport>\n${i}</lexs:StructuredPayload>\n`;
  return s + `      </lexs:DataItemPackage>\n`;
}

function messageOpen(ac: AgencyCase, at: number, seq: number): string {
  return (
    `    <lexs:PublishMessage>\n` +
    `      <lexs:PDMessageMetadata>\n` +
    `        <lexs:LEXSVersion>3.1.4</lexs:LEXSVersion>\n` +
    `        <lexs:MessageDateTime>${utc0(at)}</lexs:MessageDateTime>\n` +
    `        <lexs:MessageSequenceNumber>${seq}</lexs:MessageSequenceNumber>\n` +
    `        <lexs:DataSensitivity>SBU</lexs:DataSensitivity>\n` +
    `      </lexs:PDMessageMetadata>\n` +
    `      <lexs:DataSubmitterMetadata>\n` +
    `        <lexs:SystemIdentifier>\n` +
    `          <lexs:ORI>${ac.agency.ori}</lexs:ORI>\n` +
    `          <nc:OrganizationName>${x(ac.agency.name)}</nc:OrganizationName>\n` +
    `          <lexs:SystemID>RMS</lexs:SystemID>\n` +
    `        </lexs:SystemIdentifier>\n` +
    `      </lexs:DataSubmitterMetadata>\n`
  );
}

export async function generateNdexXml(opts: GenerateOptions, seed: number, out: NodeJS.WritableStream): Promise<GenerateSummary> {
  checkRows(opts.rows);
  const sink = new Sink(out, 'utf-8');
  const world = new World(seed);
  const counts: Counts = { insert: 0, replace: 0, delete: 0, firearms: 0, offenses: 0, weapons: 0, arrests: 0, messages: 0 };
  const xmlns = Object.entries(NDEX_NS).map(([p, uri]) => `xmlns:${p}="${uri}"`).join(' ');
  sink.add(`<?xml version="1.0" encoding="UTF-8"?>\n<lexspd:doPublish ${xmlns}>\n  <lexs:PublishMessageContainer>\n`);
  let rows = 0;
  let blocks = 0;
  while (rows < opts.rows) {
    const block = world.next();
    blocks++;
    const rng = rngFor(seed, STREAM.ndex, block.index);
    for (const list of byAgency(rmsPackages(seed, block))) {
      if (rows >= opts.rows) break;
      sink.add(messageOpen((list[0] as RmsPackage).ac, (list[list.length - 1] as RmsPackage).at, ++counts.messages));
      for (const p of list) {
        if (rows >= opts.rows) break;
        sink.add(ndexPackage(p, rng, counts));
        rows++;
      }
      sink.add(`    </lexs:PublishMessage>\n`);
      if (sink.full) await sink.flush();
    }
  }
  sink.add(`  </lexs:PublishMessageContainer>\n</lexspd:doPublish>\n`);
  await sink.flush();
  return { kind: 'ndex-xml', seed, rows, bytes: sink.bytes, encoding: 'utf-8', blocks, badRowNumbers: [], badRowKinds: {}, counts: { ...counts } };
}
