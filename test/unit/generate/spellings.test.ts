/**
 * The contract between the generator and the code tables (mappings/code-tables/): every spelling the
 * generator writes in a good row resolves to the NCIC code the world means (or, for type words that
 * do not state the action, to the bare GTYP letter), and every deliberately bad value stays unknown.
 */
import { describe, expect, it } from 'vitest';
import { loadCodeTables } from '../../../src/codes/index.ts';
import { CALIBERS, GUN_TYPES, MAKES } from '../../../src/generate/catalog.ts';
import { BAD_VALUES } from '../../../src/generate/index.ts';

describe('generator spellings and the code tables agree', async () => {
  const tables = await loadCodeTables();
  const make = tables.get('ncic-make');
  const caliber = tables.get('ncic-caliber');
  const type = tables.get('ncic-gun-type');

  it('every make spelling codes to the make’s NCIC MAK code', () => {
    for (const m of Object.values(MAKES)) {
      for (const s of m.spellings) {
        const r = make?.lookup(s);
        expect(r?.ok ? r.value.code : r, `${m.key} "${s}"`).toBe(m.ncic);
      }
      expect(make?.has(m.ncic), m.ncic).toBe(true);
    }
  });

  it('every caliber spelling codes to the caliber’s NCIC CAL code', () => {
    for (const c of Object.values(CALIBERS)) {
      for (const s of c.spellings) {
        const r = caliber?.lookup(s);
        expect(r?.ok ? r.value.code : r, `${c.key} "${s}"`).toBe(c.ncic);
      }
    }
  });

  it('every gun type spelling codes to the type’s GTYP3 code, or to its first letter when the words omit the action', () => {
    for (const t of Object.values(GUN_TYPES)) {
      for (const s of t.spellings) {
        const r = type?.lookup(s);
        expect([t.ncic, t.ncic[0]], `${t.key} "${s}"`).toContain(r?.ok ? r.value.code : r);
      }
    }
  });

  it('the bad make and caliber values of the LIMS CSV are unknown', () => {
    for (const s of BAD_VALUES['make-unknown']) expect(make?.lookup(s).ok, s).toBe(false);
    for (const s of BAD_VALUES['caliber-unparseable']) expect(caliber?.lookup(s).ok, s).toBe(false);
  });
});
