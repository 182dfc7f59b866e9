import { describe, expect, it } from 'vitest';
import { matchKey } from '../../../src/codes/index.ts';

describe('matchKey', () => {
  it.each([
    ['Hi-Point', 'HIPOINT'],
    ['HI POINT', 'HIPOINT'],
    ['hipoint', 'HIPOINT'],
    ['S & W', 'S&W'],
    ['Smith&Wesson', 'SMITH&WESSON'],
    ['H+K', 'H&K'],
    ['Glock, Inc.', 'GLOCKINC'],
    ["Colt's Mfg. Co.", 'COLTSMFGCO'],
    ['Česká Zbrojovka', 'CESKAZBROJOVKA'],
    ['.380 ACP', '380ACP'],
    ['380', '380'],
    ['9 mm', '9MM'],
    ['9.MM', '9MM'],
    ['7.62x39', '7.62X39'],
    ['7.62', '7.62'],
    ['5.56 NATO', '5.56NATO'],
    ['.30-06', '3006'],
    ['12 ga.', '12GA'],
    ['AR-15', 'AR15'],
    ['PISTOL, SEMIAUTOMATIC', 'PISTOLSEMIAUTOMATIC'],
    ['--', ''],
    ['...', ''],
  ])('%j -> %j', (text, key) => {
    expect(matchKey(text)).toBe(key);
  });

  it('returns a value that already is a key unchanged', () => {
    const s = 'GLOCK';
    expect(matchKey(s)).toBe(s);
  });

  it('keeps "AND" and "&" apart (no equivalences are invented)', () => {
    expect(matchKey('SMITH AND WESSON')).not.toBe(matchKey('SMITH & WESSON'));
  });

  it('keeps a decimal point from merging with the code it would otherwise equal', () => {
    expect(matchKey('7.62')).not.toBe(matchKey('762'));
    expect(matchKey('.380')).toBe(matchKey('380'));
  });
});
