import { describe, expect, it } from 'vitest';
import { ENTITY_TYPES } from '../../../src/canonical/schemas.ts';
import { MAX_ISSUES, validateLeadPackage, validateRecord } from '../../../src/canonical/validator.ts';
import { VALID, VALID_PACKAGE, copyOf } from './fixtures.ts';

describe('validateRecord: valid records', () => {
  it.each(ENTITY_TYPES)('%s fixture passes', (type) => {
    expect(validateRecord(VALID[type])).toEqual([]);
  });

  it('returns one shared empty array on the valid path', () => {
    expect(validateRecord(VALID.Case)).toBe(validateRecord(VALID.Firearm));
    expect(Object.isFrozen(validateRecord(VALID.Case))).toBe(true);
  });

  it('accepts a record with only its type and natural key', () => {
    expect(validateRecord({ type: 'Case', agencyOri: 'CT0015100', agencyCaseNumber: '24-1' })).toEqual([]);
    expect(validateRecord({ type: 'Firearm', make: { code: 'SW', system: 'NCIC-MAK', text: 'S&W' }, serial: { raw: 'x1', normalized: 'X1' } })).toEqual([]);
    expect(validateRecord({ type: 'Person', agencyOri: 'CT0015100', agencyCaseNumber: '24-1', role: 'victim', name: { first: 'A', last: 'B' } })).toEqual([]);
  });

  it('accepts a coded value with a null code (unknown value, original text kept)', () => {
    const r = copyOf('Firearm');
    r.make = { code: null, system: 'NCIC-MAK', text: 'Smyth and Wessen' };
    expect(validateRecord(r)).toEqual([]);
  });
});

describe('validateRecord: invalid records', () => {
  it('missing natural-key field: points at the field', () => {
    const r = copyOf('Case');
    delete (r as Record<string, unknown>).agencyCaseNumber;
    expect(validateRecord(r)).toEqual([{ pointer: '/agencyCaseNumber', reason: 'is required' }]);
  });

  it('empty natural-key field', () => {
    const r = copyOf('EvidenceItem');
    r.itemNumber = '';
    expect(validateRecord(r)).toEqual([{ pointer: '/itemNumber', reason: 'must not be empty' }]);
  });

  it('bad ORI: says what an ORI looks like', () => {
    const r = copyOf('Case');
    r.agencyOri = 'CT00151';
    const issues = validateRecord(r);
    expect(issues).toHaveLength(1);
    expect(issues[0]!.pointer).toBe('/agencyOri');
    expect(issues[0]!.reason).toMatch(/9-character ORI/);
  });

  it('bad ORI nested in an array', () => {
    const r = copyOf('LabCase');
    r.agencies![1]!.ori = 'ct0015100';
    expect(validateRecord(r).map((i) => i.pointer)).toEqual(['/agencies/1/ori']);
  });

  it('unknown property at the top level and inside a shared shape', () => {
    const r = copyOf('Firearm');
    r.colour = 'black';
    (r.make as unknown as Record<string, unknown>).manufacturer = 'S&W';
    const issues = validateRecord(r);
    expect(issues).toContainEqual({ pointer: '/colour', reason: 'unknown property "colour" (not in the canonical schema)' });
    expect(issues).toContainEqual({ pointer: '/make/manufacturer', reason: 'unknown property "manufacturer" (not in the canonical schema)' });
  });

  it('date-time without an offset, and a date in a date-time field', () => {
    const r = copyOf('Case');
    r.occurredAt = '2024-02-28T23:41:00';
    expect(validateRecord(r)).toEqual([{ pointer: '/occurredAt', reason: expect.stringMatching(/^must be a valid date-time/) }]);
    r.occurredAt = '2024-02-30T23:41:00Z';
    expect(validateRecord(r).map((i) => i.pointer)).toEqual(['/occurredAt']);
    const t = copyOf('Trace');
    t.purchaseDate = '08/14/2023';
    expect(validateRecord(t)).toEqual([{ pointer: '/purchaseDate', reason: expect.stringMatching(/^must be a valid date/) }]);
  });

  it('coded value without text', () => {
    const r = copyOf('Case');
    r.offenses = [{ code: '13A', system: 'NIBRS-OFFENSE' } as never];
    expect(validateRecord(r)).toEqual([{ pointer: '/offenses/0/text', reason: 'is required' }]);
    const f = copyOf('Firearm');
    f.caliber = { code: '9', system: 'NCIC-CAL', text: '' };
    expect(validateRecord(f)).toEqual([{ pointer: '/caliber/text', reason: 'must not be empty' }]);
  });

  it('enum and const violations name the allowed values', () => {
    const r = copyOf('Case');
    r.eventKind = 'drive-by' as never;
    expect(validateRecord(r)).toEqual([{ pointer: '/eventKind', reason: expect.stringContaining('"shooting", "shots-fired"') }]);
    const l = copyOf('NibinLead');
    l.links![0]!.status = 'WITHDRAWN' as never;
    expect(validateRecord(l).map((i) => i.pointer)).toEqual(['/links/0/status']);
  });

  it('a Firearm with no complete natural-key alternative: one issue naming them', () => {
    const r = {
      type: 'Firearm',
      labCaseNumber: 'FS24-1',
      make: { code: null, system: 'NCIC-MAK', text: 'unknown maker' },
      serial: { raw: 'X1', normalized: 'X1' },
    };
    expect(validateRecord(r)).toEqual([
      {
        pointer: '',
        reason: 'has no complete natural key: needs labCaseNumber + itemNumber or agencyOri + agencyCaseNumber + agencyItemNumber or make.code + serial.normalized',
      },
    ]);
  });

  it('a Person with neither an RMS person id nor role and names', () => {
    const r = { type: 'Person', agencyOri: 'CT0015100', agencyCaseNumber: '24-1', role: 'victim', name: { last: 'Example' } };
    expect(validateRecord(r)).toEqual([{ pointer: '', reason: expect.stringMatching(/^has no complete natural key/) }]);
  });

  it('envelope fields are checked too', () => {
    const r = copyOf('Case');
    r.version = 0;
    r.classification = 'secret' as never;
    r.id = 'not-a-uuid';
    r.sourceRefs = [{ system: 'lims', mapping: 'no-version', receivedAt: '2024-03-02T06:00:04Z' }];
    expect(validateRecord(r).map((i) => i.pointer).sort()).toEqual(['/classification', '/id', '/sourceRefs/0/mapping', '/version']);
  });

  it('reports at most MAX_ISSUES issues', () => {
    const r: Record<string, unknown> = { type: 'Case', agencyOri: 'CT0015100', agencyCaseNumber: '1' };
    for (let i = 0; i < 20; i++) r[`extra${i}`] = i;
    const issues = validateRecord(r);
    expect(issues).toHaveLength(MAX_ISSUES);
    expect(issues[0]).toEqual({ pointer: '/extra0', reason: 'unknown property "extra0" (not in the canonical schema)' });
  });

  it('unknown or missing type, and non-objects: one issue', () => {
    expect(validateRecord({ type: 'Gun', serial: 'x' })).toEqual([{ pointer: '/type', reason: expect.stringMatching(/^"Gun" is not a canonical record type/) }]);
    expect(validateRecord({ serial: 'x' })).toEqual([{ pointer: '/type', reason: expect.stringMatching(/^is required/) }]);
    expect(validateRecord({ type: 'toString' })).toHaveLength(1);
    expect(validateRecord(null)).toEqual([{ pointer: '', reason: 'must be an object (a canonical record)' }]);
    expect(validateRecord([VALID.Case])).toHaveLength(1);
  });

  it('a record of one type does not pass as another', () => {
    expect(validateRecord({ ...VALID.Trace, type: 'Firearm' }).length).toBeGreaterThan(0);
  });
});

describe('validateLeadPackage', () => {
  it('accepts a valid package', () => {
    expect(validateLeadPackage(VALID_PACKAGE)).toEqual([]);
  });

  it('rejects a package without caveat, an event without agency, and an envelope field', () => {
    const p = structuredClone(VALID_PACKAGE) as unknown as Record<string, unknown> & { events: Record<string, unknown>[] };
    delete p.caveat;
    delete p.events[1]!.agency;
    p.sourceRefs = [];
    expect(validateLeadPackage(p)).toEqual([
      { pointer: '/caveat', reason: 'is required' },
      { pointer: '/sourceRefs', reason: 'unknown property "sourceRefs" (not in the canonical schema)' },
      { pointer: '/events/1/agency', reason: 'is required' },
    ]);
  });

  it('rejects a WITHDRAWN link and a bad disclosure', () => {
    const p = structuredClone(VALID_PACKAGE);
    p.links[0]!.status = 'WITHDRAWN' as never;
    p.events[0]!.disclosure = 'partial' as never;
    expect(validateLeadPackage(p).map((i) => i.pointer).sort()).toEqual(['/events/0/disclosure', '/links/0/status']);
  });

  it('requires supersedesVersion, null for a first package', () => {
    const p = structuredClone(VALID_PACKAGE);
    p.supersedesVersion = null;
    expect(validateLeadPackage(p)).toEqual([]);
    delete (p as Partial<typeof p>).supersedesVersion;
    expect(validateLeadPackage(p)).toEqual([{ pointer: '/supersedesVersion', reason: 'is required' }]);
  });

  it('requires enrichment: every package says whether it is complete', () => {
    const p = structuredClone(VALID_PACKAGE);
    p.enrichment = { complete: false, missing: ['LabCase L24-000301'] };
    expect(validateLeadPackage(p)).toEqual([]);
    delete (p as Partial<typeof p>).enrichment;
    expect(validateLeadPackage(p)).toEqual([{ pointer: '/enrichment', reason: 'is required' }]);
  });
});
