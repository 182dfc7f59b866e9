import { describe, expect, it } from 'vitest';
import { isPlaceMakeCode } from '../../../src/codes/index.ts';
import { hasPlaceWording, MAKER_AND_PLACE_CODES, PLACE_CODES_WITHOUT_WORDING } from '../../../src/codes/ncic-place-codes.ts';
import { ncicJson } from './ncic-data.ts';

const mak = ncicJson('MAK');
const place = (code: string) => isPlaceMakeCode(code, mak[code]!);

describe('NCIC MAK place codes', () => {
  it('recognizes countries, states and nations used when the make cannot be determined', () => {
    for (const code of ['HK', 'CK', 'EZ', 'CZ', 'FN', 'CT', 'MM', 'RA', 'CN', 'YG', 'UN']) expect(place(code), code).toBe(true);
  });

  it('keeps codes that name a maker first: SW, HR, HS, and every three-letter code', () => {
    for (const code of ['SW', 'HR', 'HS', 'SR', 'IJ', 'AC', 'US']) expect(place(code), code).toBe(false);
    expect(Object.keys(mak).filter((c) => c.length === 3 && place(c))).toEqual([]);
  });

  it('excludes about six hundred codes, all of them two letters', () => {
    const excluded = Object.keys(mak).filter(place);
    expect(excluded.length).toBeGreaterThan(550);
    expect(excluded.length).toBeLessThan(650);
  });

  it('keeps its hand-made lists honest against the NCIC descriptions', () => {
    for (const code of MAKER_AND_PLACE_CODES) {
      expect(mak[code], code).toBeDefined();
      expect(hasPlaceWording(mak[code]!), `${code} still carries the place wording`).toBe(true);
    }
    for (const code of PLACE_CODES_WITHOUT_WORDING) {
      expect(mak[code], code).toBeDefined();
      expect(hasPlaceWording(mak[code]!), `${code} lacks the wording`).toBe(false);
    }
    // Every "<maker> OR <place>" description is either a listed maker-and-place code or a pure place
    // ("ENGLAND OR UN FOR UNITED KINGDOM").
    const orPlaces = Object.entries(mak).filter(([c, d]) => c.length === 2 && hasPlaceWording(d) && / OR /.test(d));
    const unlisted = orPlaces.filter(([c]) => !MAKER_AND_PLACE_CODES.has(c)).map(([c]) => c);
    expect(unlisted.sort()).toEqual(['EN', 'NI', 'RC', 'SS', 'UV', 'WL']);
  });
});
