/**
 * Types of the canonical crime-gun records, generated from schemas/canonical/*.schema.json by
 * scripts/generate-types.ts. Do not edit: change the schemas and run `npm run gen:types`.
 */

/**
 * Any canonical record; `type` tells which.
 */
export type CanonicalRecord =
  Agency | Case | LabCase | EvidenceItem | Firearm | WeaponInvolved | BallisticAcquisition | NibinLead | Trace | Person;

/**
 * A law-enforcement agency, lab or prosecutor's office taking part in the CGIC, identified by its ORI.
 */
export interface Agency {
  /**
   * Always "Agency".
   */
  type: 'Agency';
  /**
   * Hub id: a UUID derived deterministically from `type` and `key` (src/canonical/keys.ts recordId), so the same record mapped twice has the same id.
   */
  id?: string;
  /**
   * Natural key: the values of the first complete alternative of the entity's x-natural-key joined by `|`, prefixed with `<alternative>:` when the entity has more than one alternative.
   */
  key?: string;
  /**
   * Handling class: `cji` criminal justice information (the default), `les` law-enforcement sensitive, `public` releasable.
   */
  classification?: 'cji' | 'les' | 'public';
  /**
   * 1 when first stored; the store increments it on every content change.
   */
  version?: number;
  /**
   * Provenance: one entry per source record that contributed to this record.
   *
   * @minItems 1
   */
  sourceRefs?: SourceRef[];
  /**
   * When the hub first stored the record (set by the store).
   */
  createdAt?: IsoDateTime;
  /**
   * When the hub last changed the record (set by the store).
   */
  updatedAt?: IsoDateTime;
  /**
   * The agency's ORI (natural key).
   */
  ori: Ori;
  /**
   * The agency's name, e.g. "Hartford Police Department".
   */
  name?: string;
  /**
   * What kind of agency it is.
   */
  kind?: 'municipal' | 'state' | 'county' | 'federal' | 'tribal' | 'campus' | 'lab' | 'prosecutor' | 'other';
  /**
   * Who receives leads and questions for the agency.
   */
  contact?: Contact;
  /**
   * IANA time zone of the agency, e.g. "America/New_York"; local times in its exports are read in this zone.
   */
  timeZone?: string;
}

/**
 * An agency's case (incident) in which a gun was fired or recovered; the event a NIBIN lead links.
 */
export interface Case {
  /**
   * Always "Case".
   */
  type: 'Case';
  /**
   * Hub id: a UUID derived deterministically from `type` and `key` (src/canonical/keys.ts recordId), so the same record mapped twice has the same id.
   */
  id?: string;
  /**
   * Natural key: the values of the first complete alternative of the entity's x-natural-key joined by `|`, prefixed with `<alternative>:` when the entity has more than one alternative.
   */
  key?: string;
  /**
   * Handling class: `cji` criminal justice information (the default), `les` law-enforcement sensitive, `public` releasable.
   */
  classification?: 'cji' | 'les' | 'public';
  /**
   * 1 when first stored; the store increments it on every content change.
   */
  version?: number;
  /**
   * Provenance: one entry per source record that contributed to this record.
   *
   * @minItems 1
   */
  sourceRefs?: SourceRef[];
  /**
   * When the hub first stored the record (set by the store).
   */
  createdAt?: IsoDateTime;
  /**
   * When the hub last changed the record (set by the store).
   */
  updatedAt?: IsoDateTime;
  /**
   * ORI of the agency that owns the case.
   */
  agencyOri: Ori;
  /**
   * The agency's case number (NCIC: OCA), as the agency writes it.
   */
  agencyCaseNumber: string;
  /**
   * CAD or RMS incident number, when the agency keeps one apart from the case number.
   */
  incidentNumber?: string;
  /**
   * Lab case numbers under which the lab handles evidence of this case.
   */
  labCaseNumbers?: string[];
  /**
   * Offenses of the case (e.g. NIBRS offense codes or the agency's statute codes), each with its original text.
   */
  offenses?: CodedValue[];
  /**
   * When the incident happened (start), as an incident report (or the lab's submission) gives it; never an arrest's date.
   */
  occurredAt?: IsoDateTime;
  /**
   * When an arrest in the case was made, as an arrest report gives it (an N-DEx arrest report): not when the incident happened. Several arrest reports of one case: the latest received.
   */
  arrestedAt?: IsoDateTime;
  /**
   * Where the incident happened.
   */
  location?: Location;
  /**
   * What kind of event the case is, as far as guns are concerned.
   */
  eventKind?: EventKind;
}

/**
 * A forensic lab case: one lab case number tying together submissions from one or more agencies and the services requested on them.
 */
export interface LabCase {
  /**
   * Always "LabCase".
   */
  type: 'LabCase';
  /**
   * Hub id: a UUID derived deterministically from `type` and `key` (src/canonical/keys.ts recordId), so the same record mapped twice has the same id.
   */
  id?: string;
  /**
   * Natural key: the values of the first complete alternative of the entity's x-natural-key joined by `|`, prefixed with `<alternative>:` when the entity has more than one alternative.
   */
  key?: string;
  /**
   * Handling class: `cji` criminal justice information (the default), `les` law-enforcement sensitive, `public` releasable.
   */
  classification?: 'cji' | 'les' | 'public';
  /**
   * 1 when first stored; the store increments it on every content change.
   */
  version?: number;
  /**
   * Provenance: one entry per source record that contributed to this record.
   *
   * @minItems 1
   */
  sourceRefs?: SourceRef[];
  /**
   * When the hub first stored the record (set by the store).
   */
  createdAt?: IsoDateTime;
  /**
   * When the hub last changed the record (set by the store).
   */
  updatedAt?: IsoDateTime;
  /**
   * The lab's case number (natural key), e.g. "FS24-001234".
   */
  labCaseNumber: string;
  /**
   * The agencies whose cases this lab case serves, with their case numbers.
   */
  agencies?: LabCaseAgency[];
  /**
   * Evidence submissions received under this lab case.
   */
  submissions?: LabSubmission[];
  /**
   * Services requested of the lab (firearms examination, NIBIN entry, DNA...), with their status.
   */
  requests?: LabServiceRequest[];
}

/**
 * A lab item (exhibit) of firearms interest: a cartridge case, bullet, fragment, firearm, test fire, live cartridge, magazine. Items nest (1, 1.1, 1.2).
 */
export interface EvidenceItem {
  /**
   * Always "EvidenceItem".
   */
  type: 'EvidenceItem';
  /**
   * Hub id: a UUID derived deterministically from `type` and `key` (src/canonical/keys.ts recordId), so the same record mapped twice has the same id.
   */
  id?: string;
  /**
   * Natural key: the values of the first complete alternative of the entity's x-natural-key joined by `|`, prefixed with `<alternative>:` when the entity has more than one alternative.
   */
  key?: string;
  /**
   * Handling class: `cji` criminal justice information (the default), `les` law-enforcement sensitive, `public` releasable.
   */
  classification?: 'cji' | 'les' | 'public';
  /**
   * 1 when first stored; the store increments it on every content change.
   */
  version?: number;
  /**
   * Provenance: one entry per source record that contributed to this record.
   *
   * @minItems 1
   */
  sourceRefs?: SourceRef[];
  /**
   * When the hub first stored the record (set by the store).
   */
  createdAt?: IsoDateTime;
  /**
   * When the hub last changed the record (set by the store).
   */
  updatedAt?: IsoDateTime;
  /**
   * The lab case the item belongs to.
   */
  labCaseNumber: string;
  /**
   * The lab's item number within the lab case; nested items use dots, e.g. "1.2".
   */
  itemNumber: string;
  /**
   * The item this one was taken from (e.g. "1" for item "1.2"), when nested.
   */
  parentItemNumber?: string;
  /**
   * The agency's property/evidence number for the item.
   */
  agencyItemNumber?: string;
  /**
   * What the item is.
   */
  kind?: EvidenceKind;
  /**
   * The lab's description of the item, as written.
   */
  description?: string;
  /**
   * Caliber as marked or determined (NCIC-CAL code with the original text).
   */
  caliber?: CodedValue;
  /**
   * Headstamp of a cartridge case or cartridge, e.g. "WIN 9MM LUGER".
   */
  headstamp?: string;
  /**
   * When the item was collected.
   */
  collectedAt?: IsoDateTime;
  /**
   * Where or from whom the item was recovered, e.g. "scene", "vehicle", "person", "autopsy".
   */
  recoveredFrom?: string;
  /**
   * ORI of the agency that submitted the item.
   */
  agencyOri?: Ori;
  /**
   * The submitting agency's case number.
   */
  agencyCaseNumber?: string;
}

/**
 * A recovered firearm: what it is (NCIC make, type and caliber, each with the original text), its serial, where it was recovered and when the lab test-fired it.
 */
export interface Firearm {
  /**
   * Always "Firearm".
   */
  type: 'Firearm';
  /**
   * Hub id: a UUID derived deterministically from `type` and `key` (src/canonical/keys.ts recordId), so the same record mapped twice has the same id.
   */
  id?: string;
  /**
   * Natural key: the values of the first complete alternative of the entity's x-natural-key joined by `|`, prefixed with `<alternative>:` when the entity has more than one alternative.
   */
  key?: string;
  /**
   * Handling class: `cji` criminal justice information (the default), `les` law-enforcement sensitive, `public` releasable.
   */
  classification?: 'cji' | 'les' | 'public';
  /**
   * 1 when first stored; the store increments it on every content change.
   */
  version?: number;
  /**
   * Provenance: one entry per source record that contributed to this record.
   *
   * @minItems 1
   */
  sourceRefs?: SourceRef[];
  /**
   * When the hub first stored the record (set by the store).
   */
  createdAt?: IsoDateTime;
  /**
   * When the hub last changed the record (set by the store).
   */
  updatedAt?: IsoDateTime;
  /**
   * Serial number, raw and normalized, with obliterated/restored flags.
   */
  serial?: Serial;
  /**
   * Manufacturer (NCIC-MAK code, e.g. "SW" for Smith & Wesson, with the original text).
   */
  make?: CodedValue;
  /**
   * Model name as marked, e.g. "M&P 9 Shield".
   */
  model?: string;
  /**
   * Importer as marked on the firearm.
   */
  importer?: string;
  /**
   * Country of manufacture as marked or recorded.
   */
  country?: string;
  /**
   * Type (NCIC-TYP code, e.g. "PI" semiautomatic pistol, "PR" revolver, with the original text).
   */
  gunType?: CodedValue;
  /**
   * Caliber (NCIC-CAL code, e.g. "9", with the original text, e.g. "9mm Luger").
   */
  caliber?: CodedValue;
  /**
   * Barrel length in inches.
   */
  barrelLength?: number;
  /**
   * When the firearm was recovered.
   */
  recoveredAt?: IsoDateTime;
  /**
   * ORI of the agency that recovered the firearm.
   */
  recoveredBy?: Ori;
  /**
   * A privately made firearm ("ghost gun"): no manufacturer serial, no trace possible through an FFL.
   */
  privatelyMade?: boolean;
  /**
   * When the lab test-fired the firearm.
   */
  testFiredAt?: IsoDateTime;
  /**
   * The lab case the firearm is an item of.
   */
  labCaseNumber?: string;
  /**
   * The firearm's lab item number within the lab case, e.g. "2".
   */
  itemNumber?: string;
  /**
   * ORI of the agency whose case the firearm belongs to.
   */
  agencyOri?: Ori;
  /**
   * The agency's case number.
   */
  agencyCaseNumber?: string;
  /**
   * The agency's property/evidence number for the firearm.
   */
  agencyItemNumber?: string;
}

/**
 * A weapon or force category involved in an offense or an arrest (NIBRS weapon/force codes: 11 firearm, 12 handgun, 13 rifle, 14 shotgun, 15 other firearm...), as an RMS reports it. A fact about the offense or arrest, never an identified gun: NIBIN correlation and lead packages never read it as a Firearm. When the agency identified the gun, `firearmKey` links the Firearm record.
 */
export interface WeaponInvolved {
  /**
   * Always "WeaponInvolved".
   */
  type: 'WeaponInvolved';
  /**
   * Hub id: a UUID derived deterministically from `type` and `key` (src/canonical/keys.ts recordId), so the same record mapped twice has the same id.
   */
  id?: string;
  /**
   * Natural key: the values of the first complete alternative of the entity's x-natural-key joined by `|`, prefixed with `<alternative>:` when the entity has more than one alternative.
   */
  key?: string;
  /**
   * Handling class: `cji` criminal justice information (the default), `les` law-enforcement sensitive, `public` releasable.
   */
  classification?: 'cji' | 'les' | 'public';
  /**
   * 1 when first stored; the store increments it on every content change.
   */
  version?: number;
  /**
   * Provenance: one entry per source record that contributed to this record.
   *
   * @minItems 1
   */
  sourceRefs?: SourceRef[];
  /**
   * When the hub first stored the record (set by the store).
   */
  createdAt?: IsoDateTime;
  /**
   * When the hub last changed the record (set by the store).
   */
  updatedAt?: IsoDateTime;
  /**
   * ORI of the agency that owns the case.
   */
  agencyOri: Ori;
  /**
   * The agency's case number (NCIC: OCA) of the offense or arrest.
   */
  agencyCaseNumber: string;
  /**
   * What the weapon is involved in: an offense of the case, or an arrest.
   */
  context: 'offense' | 'arrest';
  /**
   * The offense or arrest within the case, as the source identifies it, e.g. the NIBRS offense's segment id or the arrest's transaction number.
   */
  contextId: string;
  /**
   * 1-based position of this weapon among the weapons of the offense or arrest (NIBRS allows up to three).
   */
  sequence: number;
  /**
   * The weapon/force category (NIBRS-WEAPON code without the automatic suffix, e.g. "12" Handgun, with the original text).
   */
  category?: CodedValue;
  /**
   * The weapon was automatic (the NIBRS `A` suffix, e.g. 13A automatic rifle).
   */
  automatic?: boolean;
  /**
   * The offense the weapon is linked to (NIBRS-OFFENSE code, e.g. "13A" Aggravated Assault, with its name), when known.
   */
  offense?: CodedValue;
  /**
   * Natural key of the identified Firearm record this weapon is, when the source links one (e.g. "serial:SW|AB12345").
   */
  firearmKey?: string;
}

/**
 * A NIBIN entry: the IBIS acquisition (imaging) of one evidence item, a crime-scene cartridge case or a test fire.
 */
export interface BallisticAcquisition {
  /**
   * Always "BallisticAcquisition".
   */
  type: 'BallisticAcquisition';
  /**
   * Hub id: a UUID derived deterministically from `type` and `key` (src/canonical/keys.ts recordId), so the same record mapped twice has the same id.
   */
  id?: string;
  /**
   * Natural key: the values of the first complete alternative of the entity's x-natural-key joined by `|`, prefixed with `<alternative>:` when the entity has more than one alternative.
   */
  key?: string;
  /**
   * Handling class: `cji` criminal justice information (the default), `les` law-enforcement sensitive, `public` releasable.
   */
  classification?: 'cji' | 'les' | 'public';
  /**
   * 1 when first stored; the store increments it on every content change.
   */
  version?: number;
  /**
   * Provenance: one entry per source record that contributed to this record.
   *
   * @minItems 1
   */
  sourceRefs?: SourceRef[];
  /**
   * When the hub first stored the record (set by the store).
   */
  createdAt?: IsoDateTime;
  /**
   * When the hub last changed the record (set by the store).
   */
  updatedAt?: IsoDateTime;
  /**
   * The lab case of the imaged item.
   */
  labCaseNumber?: string;
  /**
   * The lab item number of the imaged item.
   */
  itemNumber?: string;
  /**
   * The NIBIN site (IBIS installation) that made the acquisition, e.g. "CT State Forensic Lab".
   */
  nibinSite?: string;
  /**
   * The IBIS case identifier.
   */
  ibisCaseId: string;
  /**
   * The IBIS exhibit identifier within the IBIS case.
   */
  ibisExhibitId: string;
  /**
   * When the item was imaged.
   */
  acquiredAt?: IsoDateTime;
}

/**
 * A NIBIN lead: events (cases) whose ballistic evidence correlated, the examiner's conclusion per pair of events, and the lead's overall status. Leads grow: events are added over time. A lead is investigative information, not a confirmed identification.
 */
export interface NibinLead {
  /**
   * Always "NibinLead".
   */
  type: 'NibinLead';
  /**
   * Hub id: a UUID derived deterministically from `type` and `key` (src/canonical/keys.ts recordId), so the same record mapped twice has the same id.
   */
  id?: string;
  /**
   * Natural key: the values of the first complete alternative of the entity's x-natural-key joined by `|`, prefixed with `<alternative>:` when the entity has more than one alternative.
   */
  key?: string;
  /**
   * Handling class: `cji` criminal justice information (the default), `les` law-enforcement sensitive, `public` releasable.
   */
  classification?: 'cji' | 'les' | 'public';
  /**
   * 1 when first stored; the store increments it on every content change.
   */
  version?: number;
  /**
   * Provenance: one entry per source record that contributed to this record.
   *
   * @minItems 1
   */
  sourceRefs?: SourceRef[];
  /**
   * When the hub first stored the record (set by the store).
   */
  createdAt?: IsoDateTime;
  /**
   * When the hub last changed the record (set by the store).
   */
  updatedAt?: IsoDateTime;
  /**
   * The lead's identifier as issued by the NIBIN site.
   */
  leadId: string;
  /**
   * Lead-level status.
   */
  status?: LeadStatus;
  /**
   * Caliber of the correlated evidence (NCIC-CAL code with the original text).
   */
  caliber?: CodedValue;
  /**
   * The events (cases) the lead links.
   */
  events?: LeadEvent[];
  /**
   * Pairwise results between events.
   */
  links?: LeadLink[];
  /**
   * When the lead was first issued.
   */
  issuedAt?: IsoDateTime;
  /**
   * The NIBIN site that issued the lead.
   */
  nibinSite?: string;
  /**
   * The sender's version of this lead snapshot (NIBIN notice/update sequence). Each message carries the whole lead; a snapshot older than the stored one is ignored.
   */
  revision?: number;
}

/**
 * An ATF eTrace request and its result: the firearm as described by the requester, the first retail sale (FFL, purchase date) and the derived time-to-crime. Law-enforcement-only.
 */
export interface Trace {
  /**
   * Always "Trace".
   */
  type: 'Trace';
  /**
   * Hub id: a UUID derived deterministically from `type` and `key` (src/canonical/keys.ts recordId), so the same record mapped twice has the same id.
   */
  id?: string;
  /**
   * Natural key: the values of the first complete alternative of the entity's x-natural-key joined by `|`, prefixed with `<alternative>:` when the entity has more than one alternative.
   */
  key?: string;
  /**
   * Handling class: `cji` criminal justice information (the default), `les` law-enforcement sensitive, `public` releasable.
   */
  classification?: 'cji' | 'les' | 'public';
  /**
   * 1 when first stored; the store increments it on every content change.
   */
  version?: number;
  /**
   * Provenance: one entry per source record that contributed to this record.
   *
   * @minItems 1
   */
  sourceRefs?: SourceRef[];
  /**
   * When the hub first stored the record (set by the store).
   */
  createdAt?: IsoDateTime;
  /**
   * When the hub last changed the record (set by the store).
   */
  updatedAt?: IsoDateTime;
  /**
   * The ATF trace number, e.g. "T20240012345".
   */
  traceNumber: string;
  /**
   * ORI of the agency that requested the trace.
   */
  requestingOri?: Ori;
  /**
   * The requesting agency's case number.
   */
  agencyCaseNumber?: string;
  /**
   * Serial number as submitted for the trace.
   */
  serial?: Serial;
  /**
   * Manufacturer as submitted (NCIC-MAK code with the original text).
   */
  make?: CodedValue;
  /**
   * Model as submitted.
   */
  model?: string;
  /**
   * Type as submitted (NCIC-TYP code with the original text).
   */
  gunType?: CodedValue;
  /**
   * Caliber as submitted (NCIC-CAL code with the original text).
   */
  caliber?: CodedValue;
  /**
   * Where the trace stands.
   */
  status?: TraceStatus;
  /**
   * Date of the first retail sale.
   */
  purchaseDate?: IsoDate;
  /**
   * The dealer of the first retail sale.
   */
  ffl?: Ffl;
  /**
   * Two-letter state of the purchaser's address.
   */
  purchaserState?: string;
  /**
   * When the firearm was recovered, as given on the trace.
   */
  recoveredAt?: IsoDateTime;
  /**
   * Days from the purchase date to the recovery (derived by the hub from purchaseDate and recoveredAt; under 365 suggests trafficking).
   */
  timeToCrimeDays?: number;
  /**
   * Importer as submitted.
   */
  importer?: string;
  /**
   * Country of manufacture as submitted.
   */
  country?: string;
}

/**
 * A person involved in an agency's case, kept minimal (role, name, date of birth) and only where a lead package may need it. Shared with other agencies only where a sharing rule allows.
 */
export interface Person {
  /**
   * Always "Person".
   */
  type: 'Person';
  /**
   * Hub id: a UUID derived deterministically from `type` and `key` (src/canonical/keys.ts recordId), so the same record mapped twice has the same id.
   */
  id?: string;
  /**
   * Natural key: the values of the first complete alternative of the entity's x-natural-key joined by `|`, prefixed with `<alternative>:` when the entity has more than one alternative.
   */
  key?: string;
  /**
   * Handling class: `cji` criminal justice information (the default), `les` law-enforcement sensitive, `public` releasable.
   */
  classification?: 'cji' | 'les' | 'public';
  /**
   * 1 when first stored; the store increments it on every content change.
   */
  version?: number;
  /**
   * Provenance: one entry per source record that contributed to this record.
   *
   * @minItems 1
   */
  sourceRefs?: SourceRef[];
  /**
   * When the hub first stored the record (set by the store).
   */
  createdAt?: IsoDateTime;
  /**
   * When the hub last changed the record (set by the store).
   */
  updatedAt?: IsoDateTime;
  /**
   * The person's role in the case.
   */
  role?: PersonRole;
  /**
   * The person's name.
   */
  name?: PersonName;
  /**
   * Date of birth.
   */
  dob?: IsoDate;
  /**
   * ORI of the agency whose case names the person.
   */
  agencyOri: Ori;
  /**
   * The agency's case number.
   */
  agencyCaseNumber: string;
  /**
   * The agency RMS's identifier of the person (or of the person's involvement) in the case, when the export has one.
   */
  agencyPersonId?: string;
}

/**
 * What the hub sends one recipient agency about one NIBIN lead: the input of the outbound mappings. Each event is disclosed in full to the agency that owns it and, to other agencies, only in the fields a sharing rule allows (`restricted`). Not a stored canonical record: it has no envelope.
 */
export interface LeadPackage {
  /**
   * Deterministic identifier of this package (lead, recipient, version), used as the delivery's idempotency key.
   */
  packageId: string;
  /**
   * The NIBIN lead's identifier.
   */
  leadId: string;
  /**
   * Version of the package for this recipient: 1 for the first, +1 each time the lead changes.
   */
  version: number;
  /**
   * The version this package replaces, or null for the first package.
   */
  supersedesVersion: number | null;
  /**
   * Lead-level status.
   */
  status: LeadStatus;
  /**
   * Caliber of the correlated evidence.
   */
  caliber?: CodedValue;
  /**
   * The statement every package carries: a NIBIN lead is investigative information, not a confirmed identification, until an examiner confirms it.
   */
  caveat: string;
  /**
   * When the hub generated this package.
   */
  generatedAt: IsoDateTime;
  /**
   * The agency the package is for.
   */
  recipient: {
    /**
     * The recipient's ORI.
     */
    ori: Ori;
    /**
     * The recipient agency's name.
     */
    name?: string;
  };
  /**
   * The events (cases) of the lead, as disclosed to this recipient.
   *
   * @minItems 1
   */
  events: LeadPackageEvent[];
  /**
   * Pairwise results between the events.
   */
  links: LeadPackageLink[];
  /**
   * Whether every record the lead names was available when the package was made. A package sent when the wait for late records ran out says what was missing; a later version completes it. Every lead format carries both.
   */
  enrichment: {
    /**
     * True when every lab case and agency case of the lead was known.
     */
    complete: boolean;
    /**
     * Records not received yet, e.g. "LabCase L24-000301", "Case CT0006400|24-004512"; a number the sharing rules do not show this recipient is withheld ("Case of CT0006400 (case number withheld)", "LabCase of CT0004300 (number withheld)").
     */
    missing?: string[];
  };
  /**
   * Why this version was made: new lead, event added, link confirmed, enrichment completed...
   */
  reason?: string;
}

/**
 * Envelope fields of a canonical record. Only `type` is required here: `id` and `key` are derived from the natural key, `version`, `createdAt` and `updatedAt` are set by the store.
 */
export interface EnvelopeFields {
  /**
   * Entity name, e.g. "Firearm"; each entity schema narrows it to its own constant.
   */
  type: string;
  /**
   * Hub id: a UUID derived deterministically from `type` and `key` (src/canonical/keys.ts recordId), so the same record mapped twice has the same id.
   */
  id?: string;
  /**
   * Natural key: the values of the first complete alternative of the entity's x-natural-key joined by `|`, prefixed with `<alternative>:` when the entity has more than one alternative.
   */
  key?: string;
  /**
   * Handling class: `cji` criminal justice information (the default), `les` law-enforcement sensitive, `public` releasable.
   */
  classification?: 'cji' | 'les' | 'public';
  /**
   * 1 when first stored; the store increments it on every content change.
   */
  version?: number;
  /**
   * Provenance: one entry per source record that contributed to this record.
   *
   * @minItems 1
   */
  sourceRefs?: SourceRef[];
  /**
   * When the hub first stored the record (set by the store).
   */
  createdAt?: IsoDateTime;
  /**
   * When the hub last changed the record (set by the store).
   */
  updatedAt?: IsoDateTime;
}

/**
 * Where (part of) a record came from.
 */
export interface SourceRef {
  /**
   * The connector or source system that delivered the record, e.g. "state-lab-lims".
   */
  system: string;
  /**
   * The mapping that produced the record, as `id@version`, e.g. "lims-plus-csv@3".
   */
  mapping: string;
  /**
   * Name of the source file, when the record came from a file.
   */
  file?: string;
  /**
   * Where in the source the record starts.
   */
  pointer?: SourcePointer;
  /**
   * The source system's own identifier of the record, when it has one.
   */
  recordId?: string;
  /**
   * When the hub received the source record (the transfer's start).
   */
  receivedAt: IsoDateTime;
  /**
   * Hash of the source record's bytes as `<algorithm>:<hex>`, e.g. "sha256:9f86d0..."; unchanged hash, unchanged record.
   */
  payloadHash?: string;
}

/**
 * A position in a source: enough for an operator to open the file and put a finger on the value (src/formats/source-pointer.ts).
 */
export interface SourcePointer {
  /**
   * Source file name.
   */
  file?: string;
  /**
   * 1-based data row (CSV; the header is not a row) or record index (XML/JSON).
   */
  row?: number;
  /**
   * 1-based physical line where the record starts.
   */
  line?: number;
  /**
   * CSV column header, or 1-based column number.
   */
  column?: string | number;
  /**
   * XML element path, e.g. /lims:Export/lims:Case[3]/lims:Item[2].
   */
  xpath?: string;
  /**
   * RFC 6901 pointer into the JSON document (or into the NDJSON line).
   */
  jsonPointer?: string;
}

/**
 * A coded value with its original text always kept. `code` is null when the text matched no code in the table (the value is reported, never guessed).
 */
export interface CodedValue {
  /**
   * The code in `system`, e.g. "SW"; null when unknown.
   */
  code?: string | null;
  /**
   * The code table, e.g. "NCIC-MAK", "NCIC-CAL", "NCIC-TYP", "NIBRS-OFFENSE", or a hub/agency table name.
   */
  system: string;
  /**
   * The original text from the source (or, when the source gave only a code, the table's description of it).
   */
  text: string;
  /**
   * Calibers only (system NCIC-CAL): the normalized cartridge designation the hub's caliber synonym table names for the text, e.g. "9mm Luger" for "9MM", ".40 S&W" for "40 S&W", "12 gauge" for "12/70". It says what the lossy CAL code cannot (CAL 9 covers 9mm Luger and .380 ACP alike). Absent when the text does not name one cartridge (".45 CAL"), in code mode, and for codes found through NCIC's own descriptions. May be present with a null code when the designation is known but no single CAL code fits.
   */
  cartridge?: string;
}

/**
 * An instant as ISO-8601 date-time with a UTC offset, e.g. 2024-03-01T14:05:00-05:00.
 */
export type IsoDateTime = string;

/**
 * A calendar date, ISO-8601 YYYY-MM-DD.
 */
export type IsoDate = string;

/**
 * A firearm serial number: the raw text as read, and the normalized form used for matching (upper case, spaces and dashes removed, letter O read as zero).
 */
export interface Serial {
  /**
   * The serial exactly as the source gave it.
   */
  raw: string;
  /**
   * The serial normalized for matching (src/codes serial normalization); empty when nothing readable remains.
   */
  normalized: string;
  /**
   * The serial was found obliterated (ground off, defaced).
   */
  obliterated?: boolean;
  /**
   * An obliterated serial was restored by the lab; `raw` holds the restored reading.
   */
  restored?: boolean;
}

/**
 * A person or desk to contact about a case or lead.
 */
export interface Contact {
  /**
   * Name of the person or unit, e.g. "Det. J. Rivera" or "Detective Bureau".
   */
  name?: string;
  /**
   * Rank or role, e.g. "Detective", "CGIC analyst".
   */
  title?: string;
  /**
   * Unit or division.
   */
  unit?: string;
  /**
   * Telephone number as written, e.g. "+1 860 555 0100".
   */
  phone?: string;
  /**
   * E-mail address.
   */
  email?: string;
}

/**
 * Where something happened or was found.
 */
export interface Location {
  /**
   * Street address or description of the place, e.g. "100 Main St" or "Main St & Elm St".
   */
  address?: string;
  /**
   * Town or city.
   */
  town?: string;
  /**
   * Two-letter USPS state code.
   */
  state?: string;
  /**
   * ZIP code, 5 digits or ZIP+4.
   */
  postalCode?: string;
  /**
   * Latitude in decimal degrees (WGS 84).
   */
  lat?: number;
  /**
   * Longitude in decimal degrees (WGS 84).
   */
  lon?: number;
}

/**
 * A 9-character ORI (originating agency identifier): two-letter state code and seven letters or digits, e.g. CT0015100.
 */
export type Ori = string;

/**
 * A person's name as recorded.
 */
export interface PersonName {
  /**
   * Given name.
   */
  first?: string;
  /**
   * Middle name or initial.
   */
  middle?: string;
  /**
   * Family name.
   */
  last?: string;
  /**
   * Suffix, e.g. "JR", "III".
   */
  suffix?: string;
}

/**
 * The federal firearms licensee (dealer) that first sold the traced firearm at retail.
 */
export interface Ffl {
  /**
   * Business name of the FFL.
   */
  name?: string;
  /**
   * Federal firearms license number, e.g. "6-06-009-01-5K-12345".
   */
  licenseNumber?: string;
  /**
   * City of the licensed premises.
   */
  city?: string;
  /**
   * Two-letter state code of the licensed premises.
   */
  state?: string;
}

/**
 * Kind of gun event: a shooting with injury, shots fired without injury, a homicide, another assault with a gun, or a gun recovered without a shooting.
 */
export type EventKind = 'shooting' | 'shots-fired' | 'homicide' | 'assault' | 'recovery-only' | 'other';

/**
 * Kind of evidence item.
 */
export type EvidenceKind =
  'cartridge-case' | 'bullet' | 'fragment' | 'firearm' | 'test-fire' | 'live-cartridge' | 'magazine' | 'other';

/**
 * One agency's case under a lab case.
 */
export interface LabCaseAgency {
  /**
   * The agency's ORI.
   */
  ori: Ori;
  /**
   * The agency's case number.
   */
  agencyCaseNumber: string;
  /**
   * The agency's name as the lab records it.
   */
  agencyName?: string;
}

/**
 * One delivery of evidence to the lab.
 */
export interface LabSubmission {
  /**
   * The lab's submission number within the lab case, e.g. "1" or "S002".
   */
  submissionNumber: string;
  /**
   * ORI of the submitting agency.
   */
  agencyOri?: Ori;
  /**
   * When the lab received the submission.
   */
  receivedAt?: IsoDateTime;
  /**
   * Name of the officer who delivered it.
   */
  submittedBy?: string;
}

/**
 * One service requested of the lab.
 */
export interface LabServiceRequest {
  /**
   * The service, as the lab names it, e.g. "Firearms", "NIBIN", "DNA", "Latent prints".
   */
  service: string;
  /**
   * Where the request stands.
   */
  status?: RequestStatus;
  /**
   * When the service was requested.
   */
  requestedAt?: IsoDateTime;
  /**
   * When the lab completed (reported) the request.
   */
  completedAt?: IsoDateTime;
}

/**
 * Status of a lab service request.
 */
export type RequestStatus = 'requested' | 'in-progress' | 'completed' | 'cancelled';

/**
 * One event of the lead as this recipient may see it.
 */
export interface LeadPackageEvent {
  /**
   * The event's identifier within the lead.
   */
  eventId: string;
  /**
   * `full`: the recipient's own case, every field; `restricted`: another agency's case, only the fields sharing rules allow.
   */
  disclosure: 'full' | 'restricted';
  /**
   * The agency whose case the event is.
   */
  agency: LeadPackageAgency;
  /**
   * That agency's case number.
   */
  agencyCaseNumber?: string;
  /**
   * Lab case numbers of the event's evidence.
   */
  labCaseNumbers?: string[];
  /**
   * Scene evidence or a test fire.
   */
  role: EventRole;
  /**
   * When the event happened.
   */
  occurredAt?: IsoDateTime;
  /**
   * The case's principal offense.
   */
  offense?: CodedValue;
  /**
   * What kind of event the case is.
   */
  eventKind?: EventKind;
  /**
   * Town where the event happened.
   */
  town?: string;
  /**
   * Where the event happened, when disclosed.
   */
  location?: Location;
  /**
   * The event's evidence in the lead (scene cartridge cases, test fires).
   */
  evidence?: LeadPackageEvidence[];
  /**
   * The firearm, when one was recovered in this event.
   */
  firearm?: LeadPackageFirearm;
  /**
   * The firearm's trace, when one exists.
   */
  trace?: LeadPackageTrace;
  /**
   * A firearm was recovered in this event but never traced: a flag for the investigator to request a trace.
   */
  recoveredNotTraced?: boolean;
  /**
   * Other forensic hits the lab has on the event (DNA/CODIS, prints/AFIS).
   */
  otherHits?: LeadPackageOtherHit[];
  /**
   * Persons of the event, only where sharing rules allow.
   */
  persons?: LeadPackagePerson[];
}

/**
 * An agency as shown in a package.
 */
export interface LeadPackageAgency {
  /**
   * The agency's ORI.
   */
  ori: Ori;
  /**
   * The agency's name.
   */
  name?: string;
  /**
   * Whom to call about the case.
   */
  contact?: Contact;
}

/**
 * An evidence item as shown in a package.
 */
export interface LeadPackageEvidence {
  /**
   * The lab item number.
   */
  itemNumber: string;
  /**
   * What the item is.
   */
  kind?: EvidenceKind;
  /**
   * The item's caliber.
   */
  caliber?: CodedValue;
}

/**
 * A recovered firearm as shown in a package.
 */
export interface LeadPackageFirearm {
  /**
   * Manufacturer (NCIC-MAK).
   */
  make?: CodedValue;
  /**
   * Model.
   */
  model?: string;
  /**
   * Serial number.
   */
  serial?: Serial;
  /**
   * Type (NCIC-TYP).
   */
  gunType?: CodedValue;
  /**
   * Caliber (NCIC-CAL).
   */
  caliber?: CodedValue;
}

/**
 * A trace as shown in a package.
 */
export interface LeadPackageTrace {
  /**
   * Where the trace stands.
   */
  status?: TraceStatus;
  /**
   * The ATF trace number.
   */
  traceNumber?: string;
  /**
   * The dealer of the first retail sale.
   */
  ffl?: Ffl;
  /**
   * Date of the first retail sale.
   */
  purchaseDate?: IsoDate;
  /**
   * Days from purchase to recovery.
   */
  timeToCrimeDays?: number;
}

/**
 * A non-NIBIN forensic hit on the event.
 */
export interface LeadPackageOtherHit {
  /**
   * Which system produced the hit.
   */
  kind: 'CODIS' | 'AFIS' | 'other';
  /**
   * The lab's reference for the hit (report or hit number).
   */
  reference?: string;
  /**
   * What the hit is, in words.
   */
  description?: string;
}

/**
 * A person as shown in a package.
 */
export interface LeadPackagePerson {
  /**
   * The person's role in the case.
   */
  role: PersonRole;
  /**
   * The person's name.
   */
  name?: PersonName;
  /**
   * Date of birth.
   */
  dob?: IsoDate;
}

/**
 * The result for one pair of events.
 */
export interface LeadPackageLink {
  /**
   * eventId of the first event.
   */
  fromEventId: string;
  /**
   * eventId of the second event.
   */
  toEventId: string;
  /**
   * The pair's status.
   */
  status: LinkStatus;
  /**
   * When an examiner confirmed (or eliminated) the pair.
   */
  confirmedAt?: IsoDateTime;
}

/**
 * Lead status: LEAD_UNCONFIRMED (correlation reviewed, not yet examined), CONFIRMED_HIT (an examiner identified it under the microscope), ELIMINATED, INCONCLUSIVE, WITHDRAWN.
 */
export type LeadStatus = 'LEAD_UNCONFIRMED' | 'CONFIRMED_HIT' | 'ELIMINATED' | 'INCONCLUSIVE' | 'WITHDRAWN';

/**
 * Status of one pair of events: LEAD_UNCONFIRMED, CONFIRMED_HIT, ELIMINATED or INCONCLUSIVE.
 */
export type LinkStatus = 'LEAD_UNCONFIRMED' | 'CONFIRMED_HIT' | 'ELIMINATED' | 'INCONCLUSIVE';

/**
 * How an event's evidence entered NIBIN: crime-scene evidence (`scene`) or the test fire of a recovered firearm (`test-fire`).
 */
export type EventRole = 'scene' | 'test-fire';

/**
 * One event (case) in a lead.
 */
export interface LeadEvent {
  /**
   * Identifier of the event within the lead (stable as the lead grows).
   */
  eventId: string;
  /**
   * ORI of the agency whose case it is.
   */
  agencyOri?: Ori;
  /**
   * The agency's case number.
   */
  agencyCaseNumber?: string;
  /**
   * The lab case number of the evidence.
   */
  labCaseNumber?: string;
  /**
   * Scene evidence or a test fire.
   */
  role: EventRole;
  /**
   * The IBIS case identifier of the event's acquisitions.
   */
  ibisCaseId?: string;
  /**
   * IBIS exhibit identifiers of the event's acquisitions in the lead.
   */
  ibisExhibitIds?: string[];
  /**
   * When the event happened, when the lead source says.
   */
  occurredAt?: IsoDateTime;
  /**
   * When the event was added to the lead.
   */
  addedAt?: IsoDateTime;
}

/**
 * The result for one pair of events.
 */
export interface LeadLink {
  /**
   * eventId of the first event.
   */
  fromEventId: string;
  /**
   * eventId of the second event.
   */
  toEventId: string;
  /**
   * The pair's status.
   */
  status: LinkStatus;
  /**
   * The examiner's conclusion as written.
   */
  conclusion?: string;
  /**
   * Name or identifier of the examiner.
   */
  examiner?: string;
  /**
   * When the examiner reached the conclusion.
   */
  confirmedAt?: IsoDateTime;
}

/**
 * A person's role in a case.
 */
export type PersonRole = 'suspect' | 'arrestee' | 'victim' | 'witness' | 'possessor' | 'owner' | 'purchaser' | 'other';

/**
 * Status of a trace: requested, in-progress, completed (a purchaser/FFL found), no-record (traced without result), cancelled.
 */
export type TraceStatus = 'requested' | 'in-progress' | 'completed' | 'no-record' | 'cancelled';

/** The name of a canonical entity. */
export type EntityType = CanonicalRecord['type'];

/** The record type of one entity, e.g. `RecordOfType<'Firearm'>`. */
export type RecordOfType<T extends EntityType> = Extract<CanonicalRecord, { type: T }>;
