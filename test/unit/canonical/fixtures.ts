/**
 * One valid, synthetic (PII-free) record per canonical entity, plus a lead package. Typed with the
 * generated types, so `tsc` also checks that the types and the schemas agree on them.
 */
import type { CanonicalRecord, EntityType, LeadPackage, RecordOfType, SourceRef } from '../../../src/canonical/types.generated.ts';

const sourceRef: SourceRef = {
  system: 'state-lab-lims',
  mapping: 'lims-plus-csv@3',
  file: 'lims-export-20240302.csv',
  pointer: { file: 'lims-export-20240302.csv', row: 12, line: 13, column: 'ITEM_NO' },
  recordId: 'LIMS-778812',
  receivedAt: '2024-03-02T06:00:04Z',
  payloadHash: 'sha256:4c1f0b3a9e',
};

const agency: RecordOfType<'Agency'> = {
  type: 'Agency',
  ori: 'CT0015100',
  name: 'Example City Police Department',
  kind: 'municipal',
  contact: { name: 'Det. Example', title: 'Detective', phone: '+1 860 555 0100', email: 'detective@example.org' },
  timeZone: 'America/New_York',
  classification: 'les',
  sourceRefs: [sourceRef],
};

const caseRecord: RecordOfType<'Case'> = {
  type: 'Case',
  id: '7d0b3f8e-2c41-5a6e-9b1f-0c2d3e4f5a6b',
  key: 'CT0015100|24-001234',
  classification: 'cji',
  version: 1,
  agencyOri: 'CT0015100',
  agencyCaseNumber: '24-001234',
  incidentNumber: 'I24-88812',
  labCaseNumbers: ['FS24-000101'],
  offenses: [{ code: '13A', system: 'NIBRS-OFFENSE', text: 'Aggravated Assault' }],
  occurredAt: '2024-02-28T23:41:00-05:00',
  location: { address: '100 Main St', town: 'Example City', state: 'CT', postalCode: '06100', lat: 41.76, lon: -72.68 },
  eventKind: 'shooting',
  sourceRefs: [sourceRef],
  createdAt: '2024-03-02T06:00:05Z',
  updatedAt: '2024-03-02T06:00:05Z',
};

const labCase: RecordOfType<'LabCase'> = {
  type: 'LabCase',
  labCaseNumber: 'FS24-000101',
  agencies: [
    { ori: 'CT0015100', agencyCaseNumber: '24-001234', agencyName: 'Example City PD' },
    { ori: 'CTCSP0000', agencyCaseNumber: 'CFS2400555' },
  ],
  submissions: [{ submissionNumber: '1', agencyOri: 'CT0015100', receivedAt: '2024-03-01T09:15:00-05:00', submittedBy: 'Ofc. Example' }],
  requests: [{ service: 'NIBIN', status: 'completed', requestedAt: '2024-03-01T09:15:00-05:00', completedAt: '2024-03-01T16:00:00-05:00' }],
  sourceRefs: [sourceRef],
};

const evidenceItem: RecordOfType<'EvidenceItem'> = {
  type: 'EvidenceItem',
  labCaseNumber: 'FS24-000101',
  itemNumber: '1.2',
  parentItemNumber: '1',
  agencyItemNumber: 'P24-0042',
  kind: 'cartridge-case',
  description: 'One fired cartridge case',
  caliber: { code: '9', system: 'NCIC-CAL', text: '9mm Luger' },
  headstamp: 'WIN 9MM LUGER',
  collectedAt: '2024-02-29T01:10:00-05:00',
  recoveredFrom: 'scene',
  agencyOri: 'CT0015100',
  agencyCaseNumber: '24-001234',
  sourceRefs: [sourceRef],
};

const firearm: RecordOfType<'Firearm'> = {
  type: 'Firearm',
  serial: { raw: 'ab-123 456', normalized: 'AB123456', obliterated: false },
  make: { code: 'SW', system: 'NCIC-MAK', text: 'Smith & Wesson' },
  model: 'M&P 9 Shield',
  importer: '',
  country: 'USA',
  gunType: { code: 'PI', system: 'NCIC-TYP', text: 'Pistol, semiautomatic' },
  caliber: { code: '9', system: 'NCIC-CAL', text: '9mm Luger' },
  barrelLength: 3.1,
  recoveredAt: '2024-03-05T13:00:00-05:00',
  recoveredBy: 'CT0015100',
  privatelyMade: false,
  testFiredAt: '2024-03-06T10:00:00-05:00',
  labCaseNumber: 'FS24-000150',
  itemNumber: '1',
  agencyOri: 'CT0015100',
  agencyCaseNumber: '24-001400',
  agencyItemNumber: 'P24-0101',
  sourceRefs: [sourceRef],
};

const weapon: RecordOfType<'WeaponInvolved'> = {
  type: 'WeaponInvolved',
  agencyOri: 'CT0015100',
  agencyCaseNumber: '24-001234',
  context: 'offense',
  contextId: 'OFF-1',
  sequence: 1,
  category: { code: '12', system: 'NIBRS-WEAPON', text: 'Handgun' },
  automatic: false,
  offense: { code: '13A', system: 'NIBRS-OFFENSE', text: 'Aggravated Assault' },
  firearmKey: 'lab:FS24-000150|1',
  sourceRefs: [sourceRef],
};

const acquisition: RecordOfType<'BallisticAcquisition'> = {
  type: 'BallisticAcquisition',
  labCaseNumber: 'FS24-000101',
  itemNumber: '1.2',
  nibinSite: 'Example State Forensic Lab',
  ibisCaseId: 'EXL-2024-000321',
  ibisExhibitId: '2',
  acquiredAt: '2024-03-01T11:30:00-05:00',
  sourceRefs: [sourceRef],
};

const lead: RecordOfType<'NibinLead'> = {
  type: 'NibinLead',
  leadId: 'L-2024-0077',
  status: 'LEAD_UNCONFIRMED',
  caliber: { code: '9', system: 'NCIC-CAL', text: '9mm Luger' },
  events: [
    {
      eventId: 'E1',
      agencyOri: 'CT0015100',
      agencyCaseNumber: '24-001234',
      labCaseNumber: 'FS24-000101',
      role: 'scene',
      ibisCaseId: 'EXL-2024-000321',
      ibisExhibitIds: ['2'],
      occurredAt: '2024-02-28T23:41:00-05:00',
      addedAt: '2024-03-02T10:00:00-05:00',
    },
    { eventId: 'E2', agencyOri: 'CTCSP0000', agencyCaseNumber: 'CFS2400555', role: 'test-fire', addedAt: '2024-03-07T10:00:00-05:00' },
  ],
  links: [{ fromEventId: 'E1', toEventId: 'E2', status: 'CONFIRMED_HIT', conclusion: 'Identification', examiner: 'FE-12', confirmedAt: '2024-03-20T15:00:00-04:00' }],
  issuedAt: '2024-03-02T10:00:00-05:00',
  nibinSite: 'Example State Forensic Lab',
  sourceRefs: [sourceRef],
};

const trace: RecordOfType<'Trace'> = {
  type: 'Trace',
  traceNumber: 'T20240012345',
  requestingOri: 'CT0015100',
  agencyCaseNumber: '24-001400',
  serial: { raw: 'AB123456', normalized: 'AB123456' },
  make: { code: 'SW', system: 'NCIC-MAK', text: 'SMITH & WESSON' },
  model: 'M&P 9 SHIELD',
  gunType: { code: 'PI', system: 'NCIC-TYP', text: 'PISTOL' },
  caliber: { code: '9', system: 'NCIC-CAL', text: '9MM' },
  status: 'completed',
  purchaseDate: '2023-08-14',
  ffl: { name: 'Example Sporting Goods', licenseNumber: '6-06-000-00-0X-00000', city: 'Example Town', state: 'CT' },
  purchaserState: 'CT',
  recoveredAt: '2024-03-05T13:00:00-05:00',
  timeToCrimeDays: 204,
  importer: '',
  country: 'USA',
  sourceRefs: [sourceRef],
};

const person: RecordOfType<'Person'> = {
  type: 'Person',
  role: 'victim',
  name: { first: 'Alex', middle: 'Q', last: 'Example' },
  dob: '1990-01-01',
  agencyOri: 'CT0015100',
  agencyCaseNumber: '24-001234',
  agencyPersonId: 'V1',
  sourceRefs: [sourceRef],
};

/** A valid record per entity type. */
export const VALID: { readonly [T in EntityType]: RecordOfType<T> } = {
  Agency: agency,
  Case: caseRecord,
  LabCase: labCase,
  EvidenceItem: evidenceItem,
  Firearm: firearm,
  WeaponInvolved: weapon,
  BallisticAcquisition: acquisition,
  NibinLead: lead,
  Trace: trace,
  Person: person,
};

/** A deep copy of a valid record, to break in a test. */
export function copyOf<T extends EntityType>(type: T): RecordOfType<T> & Record<string, unknown> {
  return structuredClone(VALID[type]) as unknown as RecordOfType<T> & Record<string, unknown>;
}

export const ALL_VALID: readonly CanonicalRecord[] = Object.values(VALID);

export const VALID_PACKAGE: LeadPackage = {
  packageId: 'L-2024-0077:CT0015100:v2',
  leadId: 'L-2024-0077',
  version: 2,
  supersedesVersion: 1,
  status: 'CONFIRMED_HIT',
  caliber: { code: '9', system: 'NCIC-CAL', text: '9mm Luger' },
  caveat: 'NIBIN leads are investigative information only; they are not a confirmed identification until a firearms examiner confirms the link.',
  generatedAt: '2024-03-20T15:00:03-04:00',
  recipient: { ori: 'CT0015100', name: 'Example City PD' },
  events: [
    {
      eventId: 'E1',
      disclosure: 'full',
      agency: { ori: 'CT0015100', name: 'Example City PD', contact: { name: 'Det. Example', phone: '+1 860 555 0100', email: 'detective@example.org' } },
      agencyCaseNumber: '24-001234',
      labCaseNumbers: ['FS24-000101'],
      role: 'scene',
      occurredAt: '2024-02-28T23:41:00-05:00',
      offense: { code: '13A', system: 'NIBRS-OFFENSE', text: 'Aggravated Assault' },
      eventKind: 'shooting',
      town: 'Example City',
      location: { address: '100 Main St', town: 'Example City', state: 'CT' },
      evidence: [{ itemNumber: '1.2', kind: 'cartridge-case', caliber: { code: '9', system: 'NCIC-CAL', text: '9mm Luger' } }],
      recoveredNotTraced: false,
      otherHits: [{ kind: 'CODIS', reference: 'FS24-000101-D1', description: 'DNA profile on item 1.2 matched a CODIS offender' }],
      persons: [{ role: 'victim', name: { first: 'Alex', last: 'Example' } }],
    },
    {
      eventId: 'E2',
      disclosure: 'restricted',
      agency: { ori: 'CTCSP0000', name: 'State Police', contact: { name: 'Tpr. Example', phone: '+1 860 555 0199' } },
      agencyCaseNumber: 'CFS2400555',
      role: 'test-fire',
      occurredAt: '2024-03-05T13:00:00-05:00',
      town: 'Example Town',
      firearm: {
        make: { code: 'SW', system: 'NCIC-MAK', text: 'Smith & Wesson' },
        model: 'M&P 9 Shield',
        serial: { raw: 'AB123456', normalized: 'AB123456' },
        gunType: { code: 'PI', system: 'NCIC-TYP', text: 'Pistol, semiautomatic' },
        caliber: { code: '9', system: 'NCIC-CAL', text: '9mm Luger' },
      },
      trace: { status: 'completed', traceNumber: 'T20240012345', purchaseDate: '2023-08-14', timeToCrimeDays: 204 },
      recoveredNotTraced: false,
      otherHits: [],
    },
  ],
  links: [{ fromEventId: 'E1', toEventId: 'E2', status: 'CONFIRMED_HIT', confirmedAt: '2024-03-20T15:00:00-04:00' }],
  enrichment: { complete: true },
};
