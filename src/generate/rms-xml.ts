/**
 * `rms-xml`: agency RMS incidents with recovered firearms, as NIEM XML.
 *
 * Input: the world (seed), `rows` = incident packages, `niem` = 2 (default) or 6.
 * Output, UTF-8 XML:
 * - NIEM 2.0 in N-DEx style: LEXS 3.1 `lexspd:doPublish` > `lexs:PublishMessageContainer` >
 *   `lexs:PublishMessage` (one per submitting agency and world block, with `lexs:DataSubmitterMetadata`
 *   carrying the ORI) > `lexs:DataItemPackage` (one per incident, with `lexs:PublishInstruction`
 *   insert | replace | delete), the incident as `nc:Activity`, recovered guns as `nc:Firearm`.
 *   Layout: mappings/rms-niem2-xml/README.md.
 * - NIEM 6.0: `rms:IncidentExport` > `rms:IncidentReport` with `nc:Incident` and `j:Firearm` (bore size
 *   as `j:FirearmBoreSizeText`/`Code`). Layout: mappings/rms-niem6-xml/README.md.
 * Both releases render the same incidents and the same firearms for a seed.
 */
import { rngFor, type Rng } from './prng.ts';
import { Sink, checkRows, usageError, xmlEscape as a, xmlText as x } from './sink.ts';
import { existingLocal, isoLocal, isoOffset, MINUTES_PER_DAY } from './time.ts';
import type { GenerateOptions, GenerateSummary } from './types.ts';
import { STREAM, World, type AgencyCase, type Block, type Firearm } from './world.ts';

export const NS = {
  lexspd: 'http://usdoj.gov/leisp/lexs/publishdiscover/3.1',
  lexs: 'http://usdoj.gov/leisp/lexs/3.1',
  lexsdigest: 'http://usdoj.gov/leisp/lexs/digest/3.1',
  nc2: 'http://niem.gov/niem/niem-core/2.0',
  j4: 'http://niem.gov/niem/domains/jxdm/4.0',
  s2: 'http://niem.gov/niem/structures/2.0',
  nc6: 'https://docs.oasis-open.org/niemopen/ns/model/niem-core/6.0/',
  j6: 'https://docs.oasis-open.org/niemopen/ns/model/domains/justice/6.0/',
  structures6: 'https://docs.oasis-open.org/niemopen/ns/model/structures/6.0/',
  rms6: 'urn:example:rms:niem6:export:1',
} as const;

type Instruction = 'insert' | 'replace' | 'delete';

/** One incident package as the RMS publishes it. */
export interface RmsPackage {
  instruction: Instruction;
  at: number;
  ac: AgencyCase;
  /** The incident id as published (the agency case number; a duplicate entered in error has a suffix). */
  incidentId: string;
  offense: string;
  /** Firearms with the fields this package carries. */
  firearms: { f: Firearm; serial: string; model: string }[];
}

/** The RMS's view of one block: inserts, later replaces, and a few duplicates entered in error then deleted. */
export function rmsPackages(seed: number, block: Block): RmsPackage[] {
  const rng: Rng = rngFor(seed, STREAM.rms, block.index);
  const out: RmsPackage[] = [];
  for (const ac of block.agencyCases) {
    const firearms = ac.firearms.map((f) => {
      let serial = f.obliterated && !f.restored ? '' : f.serial;
      if (serial !== '' && rng.chance(0.1)) serial = serial.replace(/[-\s]/g, '');
      return { f, serial, model: f.model.model };
    });
    const preliminary = ac.kind !== 'recovery' && rng.chance(0.05);
    const incomplete = ac.kind === 'recovery' && firearms.length > 0 && rng.chance(0.08);
    out.push({
      instruction: 'insert',
      at: ac.reportedAt,
      ac,
      incidentId: ac.caseNumber,
      offense: preliminary ? 'INVESTIGATION' : ac.offense,
      firearms: incomplete ? firearms.map((g) => ({ ...g, model: '', serial: '' })) : firearms,
    });
    if (preliminary || incomplete) {
      out.push({ instruction: 'replace', at: existingLocal(ac.reportedAt + rng.int(1, 10) * MINUTES_PER_DAY + rng.int(0, 480)), ac, incidentId: ac.caseNumber, offense: ac.offense, firearms });
    }
    if (rng.chance(0.01)) {
      const dupAt = existingLocal(ac.reportedAt + rng.int(5, 60));
      const incidentId = `${ac.caseNumber}-DUP`;
      out.push({ instruction: 'insert', at: dupAt, ac, incidentId, offense: ac.offense, firearms });
      out.push({ instruction: 'delete', at: existingLocal(dupAt + rng.int(1, 3) * MINUTES_PER_DAY), ac, incidentId, offense: ac.offense, firearms: [] });
    }
  }
  return out.sort((a, b) => a.at - b.at);
}

function addressXml(nc: string, ac: AgencyCase, indent: string): string {
  return (
    `${indent}<${nc}:LocationAddress>\n` +
    `${indent}  <${nc}:StructuredAddress>\n` +
    `${indent}    <${nc}:LocationStreet><${nc}:StreetFullText>${x(ac.address)}</${nc}:StreetFullText></${nc}:LocationStreet>\n` +
    `${indent}    <${nc}:LocationCityName>${x(ac.town)}</${nc}:LocationCityName>\n` +
    `${indent}    <${nc}:LocationStateUSPostalServiceCode>CT</${nc}:LocationStateUSPostalServiceCode>\n` +
    `${indent}    <${nc}:LocationPostalCode>${x(ac.zip)}</${nc}:LocationPostalCode>\n` +
    `${indent}  </${nc}:StructuredAddress>\n` +
    `${indent}</${nc}:LocationAddress>\n`
  );
}

function firearmDescription(f: Firearm): string {
  const m = f.model;
  return `${m.type.etrace}, ${m.make.etrace} ${m.model.toUpperCase()}, ${m.caliber.etrace}${f.obliterated ? ', SERIAL OBLITERATED' : ''}${m.privatelyMade ? ', PRIVATELY MADE' : ''}`;
}

// --- NIEM 2.0 / LEXS 3.1 -------------------------------------------------------------------------

function niem2Package(p: RmsPackage, n: number): string {
  const ac = p.ac;
  const i = '        ';
  let s = `      <lexs:DataItemPackage>\n`;
  s += `${i}<lexs:PublishInstruction>${p.instruction}</lexs:PublishInstruction>\n`;
  s += `${i}<lexs:PackageMetadata>\n`;
  s += `${i}  <lexs:DataItemID>${x(`${ac.agency.ori}-${p.incidentId}`)}</lexs:DataItemID>\n`;
  s += `${i}  <lexs:DataItemDate>${isoLocal(p.at).slice(0, 10)}</lexs:DataItemDate>\n`;
  s += `${i}  <lexs:DataItemCategoryText>Incident</lexs:DataItemCategoryText>\n`;
  s += `${i}  <lexs:DataOwnerMetadata>\n${i}    <lexs:DataOwnerIdentifier>\n${i}      <lexs:ORI>${ac.agency.ori}</lexs:ORI>\n${i}    </lexs:DataOwnerIdentifier>\n${i}  </lexs:DataOwnerMetadata>\n`;
  s += `${i}</lexs:PackageMetadata>\n`;
  if (p.instruction !== 'delete') {
    const act = `ACT-${n}`;
    const loc = `LOC-${n}`;
    s += `${i}<lexs:Digest>\n`;
    s += `${i}  <lexsdigest:EntityActivity>\n`;
    s += `${i}    <nc:Activity s:id="${act}">\n`;
    s += `${i}      <nc:ActivityIdentification><nc:IdentificationID>${x(p.incidentId)}</nc:IdentificationID></nc:ActivityIdentification>\n`;
    s += `${i}      <nc:ActivityCategoryText>Incident</nc:ActivityCategoryText>\n`;
    s += `${i}      <nc:ActivityDescriptionText>${x(p.offense)}</nc:ActivityDescriptionText>\n`;
    s += `${i}      <nc:ActivityDate><nc:DateTime>${isoLocal(ac.occurredAt)}</nc:DateTime></nc:ActivityDate>\n`;
    s += `${i}    </nc:Activity>\n`;
    s += `${i}  </lexsdigest:EntityActivity>\n`;
    s += `${i}  <lexsdigest:EntityLocation>\n${i}    <nc:Location s:id="${loc}">\n`;
    s += addressXml('nc', ac, `${i}      `);
    s += `${i}    </nc:Location>\n${i}  </lexsdigest:EntityLocation>\n`;
    p.firearms.forEach((g, k) => {
      const f = g.f;
      const m = f.model;
      s += `${i}  <lexsdigest:EntityProperty>\n`;
      s += `${i}    <nc:Firearm s:id="FA-${n}-${k + 1}">\n`;
      s += `${i}      <nc:ItemDescriptionText>${x(firearmDescription(f))}</nc:ItemDescriptionText>\n`;
      s += `${i}      <nc:ItemStatus><nc:StatusDescriptionText>RECOVERED</nc:StatusDescriptionText></nc:ItemStatus>\n`;
      if (g.model !== '') s += `${i}      <nc:ItemModelName>${x(g.model)}</nc:ItemModelName>\n`;
      if (g.serial !== '') s += `${i}      <nc:ItemSerialIdentification><nc:IdentificationID>${x(g.serial)}</nc:IdentificationID></nc:ItemSerialIdentification>\n`;
      s += `${i}      <nc:FirearmCaliberCode>${m.caliber.ncic}</nc:FirearmCaliberCode>\n`;
      s += `${i}      <nc:FirearmCategoryCode>${m.type.ncic}</nc:FirearmCategoryCode>\n`;
      s += `${i}      <nc:FirearmMakeCode>${m.make.ncic}</nc:FirearmMakeCode>\n`;
      s += `${i}    </nc:Firearm>\n`;
      s += `${i}  </lexsdigest:EntityProperty>\n`;
    });
    s += `${i}  <lexsdigest:Associations>\n`;
    s += `${i}    <lexsdigest:ActivityLocationAssociation>\n${i}      <nc:ActivityReference s:ref="${act}"/>\n${i}      <nc:LocationReference s:ref="${loc}"/>\n${i}    </lexsdigest:ActivityLocationAssociation>\n`;
    p.firearms.forEach((_, k) => {
      s += `${i}    <lexsdigest:ActivityPropertyAssociation>\n${i}      <nc:ActivityReference s:ref="${act}"/>\n${i}      <nc:PropertyReference s:ref="FA-${n}-${k + 1}"/>\n${i}    </lexsdigest:ActivityPropertyAssociation>\n`;
    });
    s += `${i}  </lexsdigest:Associations>\n`;
    s += `${i}</lexs:Digest>\n`;
  }
  s += `      </lexs:DataItemPackage>\n`;
  return s;
}

function niem2MessageOpen(ac: AgencyCase, at: number, seq: number): string {
  return (
    `    <lexs:PublishMessage>\n` +
    `      <lexs:PDMessageMetadata>\n` +
    `        <lexs:LEXSVersion>3.1.4</lexs:LEXSVersion>\n` +
    `        <lexs:MessageDateTime>${isoLocal(at)}</lexs:MessageDateTime>\n` +
    `        <lexs:MessageSequenceNumber>${seq}</lexs:MessageSequenceNumber>\n` +
    `        <lexs:DataSensitivity>SBU</lexs:DataSensitivity>\n` +
    `      </lexs:PDMessageMetadata>\n` +
    `      <lexs:DataSubmitterMetadata>\n` +
    `        <lexs:SystemIdentifier>\n` +
    `          <nc:OrganizationName>${x(ac.agency.name)}</nc:OrganizationName>\n` +
    `          <lexs:ORI>${ac.agency.ori}</lexs:ORI>\n` +
    `          <lexs:SystemID>RMS</lexs:SystemID>\n` +
    `        </lexs:SystemIdentifier>\n` +
    `        <lexs:SystemContact>\n` +
    `          <nc:PersonName><nc:PersonFullName>Records Unit</nc:PersonFullName></nc:PersonName>\n` +
    `          <nc:ContactTelephoneNumber><nc:FullTelephoneNumber><nc:TelephoneNumberFullID>${ac.agency.areaCode}-555-0100</nc:TelephoneNumberFullID></nc:FullTelephoneNumber></nc:ContactTelephoneNumber>\n` +
    `        </lexs:SystemContact>\n` +
    `      </lexs:DataSubmitterMetadata>\n`
  );
}

// --- NIEM 6.0 ------------------------------------------------------------------------------------

function niem6Report(p: RmsPackage, n: number): string {
  const ac = p.ac;
  const i = '    ';
  let s = `  <rms:IncidentReport>\n`;
  s += `${i}<rms:ActionCode>${p.instruction}</rms:ActionCode>\n`;
  s += `${i}<rms:ReportIdentification><nc:IdentificationID>${x(`${ac.agency.ori}-${p.incidentId}`)}</nc:IdentificationID></rms:ReportIdentification>\n`;
  s += `${i}<rms:ReportDate><nc:DateTime>${isoOffset(p.at)}</nc:DateTime></rms:ReportDate>\n`;
  s += `${i}<rms:SubmittingOrganization>\n`;
  s += `${i}  <nc:OrganizationName>${x(ac.agency.name)}</nc:OrganizationName>\n`;
  s += `${i}  <j:OrganizationAugmentation>\n${i}    <j:OrganizationORIIdentification><nc:IdentificationID>${ac.agency.ori}</nc:IdentificationID></j:OrganizationORIIdentification>\n${i}  </j:OrganizationAugmentation>\n`;
  s += `${i}</rms:SubmittingOrganization>\n`;
  if (p.instruction !== 'delete') {
    s += `${i}<nc:Incident structures:id="INC-${n}">\n`;
    s += `${i}  <nc:ActivityIdentification><nc:IdentificationID>${x(p.incidentId)}</nc:IdentificationID></nc:ActivityIdentification>\n`;
    s += `${i}  <nc:ActivityDescriptionText>${x(p.offense)}</nc:ActivityDescriptionText>\n`;
    s += `${i}  <nc:ActivityDate><nc:DateTime>${isoOffset(ac.occurredAt)}</nc:DateTime></nc:ActivityDate>\n`;
    s += `${i}  <nc:IncidentLocation>\n`;
    s += addressXml('nc', ac, `${i}    `);
    s += `${i}  </nc:IncidentLocation>\n`;
    s += `${i}</nc:Incident>\n`;
    p.firearms.forEach((g, k) => {
      const f = g.f;
      const m = f.model;
      s += `${i}<j:Firearm structures:id="FA-${n}-${k + 1}">\n`;
      s += `${i}  <nc:ItemDescriptionText>${x(firearmDescription(f))}</nc:ItemDescriptionText>\n`;
      if (g.model !== '') s += `${i}  <nc:ItemModelName>${x(g.model)}</nc:ItemModelName>\n`;
      if (g.serial !== '') s += `${i}  <nc:ItemSerialIdentification><nc:IdentificationID>${x(g.serial)}</nc:IdentificationID></nc:ItemSerialIdentification>\n`;
      s += `${i}  <j:FirearmBoreSizeText>${x(m.caliber.name)}</j:FirearmBoreSizeText>\n`;
      s += `${i}  <j:FirearmBoreSizeCode>${m.caliber.ncic}</j:FirearmBoreSizeCode>\n`;
      s += `${i}  <j:FirearmCategoryCode>${m.type.ncic}</j:FirearmCategoryCode>\n`;
      s += `${i}  <j:FirearmMakeCode>${m.make.ncic}</j:FirearmMakeCode>\n`;
      s += `${i}</j:Firearm>\n`;
    });
  }
  s += `  </rms:IncidentReport>\n`;
  return s;
}

export async function generateRmsXml(opts: GenerateOptions, seed: number, out: NodeJS.WritableStream): Promise<GenerateSummary> {
  checkRows(opts.rows);
  const niem = opts.niem ?? 2;
  if (niem !== 2 && niem !== 6) throw usageError(`niem must be 2 or 6, not ${String(niem)}`);
  const sink = new Sink(out, 'utf-8');
  const world = new World(seed);
  const counts = { insert: 0, replace: 0, delete: 0, firearms: 0, messages: 0 };
  if (niem === 2) {
    sink.add(
      `<?xml version="1.0" encoding="UTF-8"?>\n` +
        `<lexspd:doPublish xmlns:lexspd="${NS.lexspd}" xmlns:lexs="${NS.lexs}" xmlns:lexsdigest="${NS.lexsdigest}" xmlns:nc="${NS.nc2}" xmlns:j="${NS.j4}" xmlns:s="${NS.s2}">\n` +
        `  <lexs:PublishMessageContainer>\n`,
    );
  } else {
    sink.add(
      `<?xml version="1.0" encoding="UTF-8"?>\n` +
        `<rms:IncidentExport xmlns:rms="${NS.rms6}" xmlns:nc="${NS.nc6}" xmlns:j="${NS.j6}" xmlns:structures="${NS.structures6}">\n`,
    );
  }
  let rows = 0;
  let blocks = 0;
  while (rows < opts.rows) {
    const block = world.next();
    blocks++;
    // Packages go out grouped by submitting agency (agencies in order of their first package), in
    // both releases, so NIEM 2.0 and 6.0 files of the same seed and rows hold the same incidents.
    const byAgency = new Map<string, RmsPackage[]>();
    for (const p of rmsPackages(seed, block)) {
      let list = byAgency.get(p.ac.agency.ori);
      if (!list) byAgency.set(p.ac.agency.ori, (list = []));
      list.push(p);
    }
    for (const list of byAgency.values()) {
      if (rows >= opts.rows) break;
      if (niem === 2) sink.add(niem2MessageOpen((list[0] as RmsPackage).ac, (list[list.length - 1] as RmsPackage).at, ++counts.messages));
      for (const p of list) {
        if (rows >= opts.rows) break;
        sink.add(niem === 2 ? niem2Package(p, ++rows) : niem6Report(p, ++rows));
        counts[p.instruction]++;
        counts.firearms += p.instruction === 'delete' ? 0 : p.firearms.length;
      }
      if (niem === 2) sink.add(`    </lexs:PublishMessage>\n`);
      if (sink.full) await sink.flush();
    }
  }
  sink.add(niem === 2 ? `  </lexs:PublishMessageContainer>\n</lexspd:doPublish>\n` : `</rms:IncidentExport>\n`);
  await sink.flush();
  return { kind: 'rms-xml', seed, rows, bytes: sink.bytes, encoding: 'utf-8', blocks, badRowNumbers: [], badRowKinds: {}, counts };
}
