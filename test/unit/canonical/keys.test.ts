import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { naturalKey, recordId } from '../../../src/canonical/keys.ts';
import { ENTITY_TYPES } from '../../../src/canonical/schemas.ts';
import { validateRecord } from '../../../src/canonical/validator.ts';
import { VALID, copyOf } from './fixtures.ts';

const UUID_V5 = /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('naturalKey', () => {
  it.each(ENTITY_TYPES)('%s fixture has a key', (type) => {
    expect(naturalKey(VALID[type])).toMatchObject({ ok: true });
  });

  it('single alternative: values joined by |, no prefix', () => {
    expect(naturalKey(VALID.Case)).toEqual({ ok: true, key: 'CT0015100|24-001234', alternative: 'case' });
    expect(naturalKey(VALID.EvidenceItem)).toEqual({ ok: true, key: 'FS24-000101|1.2', alternative: 'lab' });
    expect(naturalKey(VALID.Agency)).toEqual({ ok: true, key: 'CT0015100', alternative: 'ori' });
    expect(naturalKey(VALID.NibinLead)).toEqual({ ok: true, key: 'L-2024-0077', alternative: 'lead' });
    expect(naturalKey(VALID.Trace)).toEqual({ ok: true, key: 'T20240012345', alternative: 'trace' });
    expect(naturalKey(VALID.BallisticAcquisition)).toEqual({ ok: true, key: 'EXL-2024-000321|2', alternative: 'ibis' });
    expect(naturalKey(VALID.WeaponInvolved)).toEqual({ ok: true, key: 'CT0015100|24-001234|offense|OFF-1|1', alternative: 'weapon' });
  });

  describe('Firearm alternatives', () => {
    it('lab first when lab case and item are known', () => {
      expect(naturalKey(VALID.Firearm)).toEqual({ ok: true, key: 'lab:FS24-000150|1', alternative: 'lab' });
    });

    it('agency when the lab fields are missing or empty', () => {
      const r = copyOf('Firearm');
      delete r.labCaseNumber;
      r.itemNumber = '';
      expect(naturalKey(r)).toEqual({ ok: true, key: 'agency:CT0015100|24-001400|P24-0101', alternative: 'agency' });
    });

    it('serial (make code + normalized serial) when neither lab nor agency item is known', () => {
      const r = { type: 'Firearm', make: { code: 'SW', system: 'NCIC-MAK', text: 'S&W' }, serial: { raw: 'ab-12 3', normalized: 'AB123' } };
      expect(naturalKey(r)).toEqual({ ok: true, key: 'serial:SW|AB123', alternative: 'serial' });
    });

    it('an unknown make (code null) gives no serial key', () => {
      const r = { type: 'Firearm', make: { code: null, system: 'NCIC-MAK', text: 'Smyth' }, serial: { raw: 'AB123', normalized: 'AB123' } };
      expect(naturalKey(r)).toEqual({ ok: false, needs: ['make.code'] });
    });

    it('needs: the missing fields of the alternative closest to complete', () => {
      expect(naturalKey({ type: 'Firearm' })).toEqual({ ok: false, needs: ['labCaseNumber', 'itemNumber'] });
      expect(naturalKey({ type: 'Firearm', agencyOri: 'CT0015100', agencyCaseNumber: '24-1' })).toEqual({ ok: false, needs: ['agencyItemNumber'] });
    });
  });

  it('Person: RMS person id first, else role and names', () => {
    expect(naturalKey(VALID.Person)).toEqual({ ok: true, key: 'agency:CT0015100|24-001234|V1', alternative: 'agency' });
    const r = copyOf('Person');
    delete r.agencyPersonId;
    expect(naturalKey(r)).toEqual({ ok: true, key: 'name:CT0015100|24-001234|victim|Example|Alex', alternative: 'name' });
  });

  it('escapes | and \\ inside values so different values never share a key', () => {
    const a = naturalKey({ type: 'Case', agencyOri: 'CT0015100', agencyCaseNumber: '24|001' });
    const b = naturalKey({ type: 'EvidenceItem', labCaseNumber: 'FS|1', itemNumber: '2' });
    const c = naturalKey({ type: 'EvidenceItem', labCaseNumber: 'FS', itemNumber: '1|2' });
    expect(a).toEqual({ ok: true, key: 'CT0015100|24\\|001', alternative: 'case' });
    expect(b.ok && c.ok && b.key !== c.key).toBe(true);
    expect(naturalKey({ type: 'Trace', traceNumber: 'T1\\' })).toMatchObject({ key: 'T1\\\\' });
  });

  it('unknown type needs a type', () => {
    expect(naturalKey({ type: 'Gun' })).toEqual({ ok: false, needs: ['type'] });
  });

  it('does not depend on property order or unrelated fields', () => {
    const r = copyOf('Case');
    const reordered = { agencyCaseNumber: r.agencyCaseNumber, incidentNumber: 'other', type: 'Case', agencyOri: r.agencyOri };
    expect(naturalKey(reordered)).toEqual(naturalKey(r));
  });
});

describe('recordId', () => {
  it('is a version-5-layout UUID, SHA-1 over type NUL key', () => {
    const id = recordId('Case', 'CT0015100|24-001234');
    expect(id).toMatch(UUID_V5);
    expect(id).toBe('d1e20972-eb98-5418-adfb-a4305f690e7c');
    const hex = createHash('sha1').update('Case\u0000CT0015100|24-001234').digest('hex');
    expect(id.replace(/-/g, '').slice(0, 12)).toBe(hex.slice(0, 12));
    expect(id.replace(/-/g, '').slice(17)).toBe(hex.slice(17, 32));
  });

  it('is deterministic and distinguishes type and key', () => {
    expect(recordId('Firearm', 'serial:SW|AB123456')).toBe(recordId('Firearm', 'serial:SW|AB123456'));
    const ids = new Set([recordId('Case', 'a|b'), recordId('Person', 'a|b'), recordId('Case', 'a|c'), recordId('Casea', '|b')]);
    expect(ids.size).toBe(4);
  });

  it('fits the envelope: a record with its id and key still validates', () => {
    for (const type of ENTITY_TYPES) {
      const r = copyOf(type);
      const k = naturalKey(r);
      if (!k.ok) throw new Error(`${type} fixture has no key`);
      r.key = k.key;
      r.id = recordId(type, k.key);
      expect(validateRecord(r), type).toEqual([]);
    }
  });

  it('many ids are UUID-shaped and unique', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 5000; i++) {
      const id = recordId('EvidenceItem', `FS24-${i}|1`);
      expect(id).toMatch(UUID_V5);
      seen.add(id);
    }
    expect(seen.size).toBe(5000);
  });
});
