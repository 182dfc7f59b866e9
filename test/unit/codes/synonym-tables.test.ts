import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SYNONYM_DIR, isPlaceMakeCode, matchKey, parseSynonyms, type SynonymEntry } from '../../../src/codes/index.ts';
import { repairedNcicJson, SYNONYM_FILES } from './ncic-data.ts';

function load(file: string): { text: string; entries: SynonymEntry[] } {
  const text = readFileSync(join(DEFAULT_SYNONYM_DIR, file), 'utf8');
  return { text, entries: parseSynonyms(text, file) };
}

describe.each(SYNONYM_FILES)('synonym table $file', ({ file, ncic, key: keyOf }) => {
  const { text, entries } = load(file);
  const codes: Record<string, string> = Object.assign({}, ...ncic.map((t) => repairedNcicJson(t)));

  it('opens with a header saying what it is and how an administrator adds a spelling', () => {
    const header = text
      .split('\n')
      .filter((l) => l.startsWith('#'))
      .map((l) => l.replace(/^#\s?/, ''))
      .join(' ')
      .replace(/\s+/g, ' ');
    expect(text.startsWith('# NCIC')).toBe(true);
    expect(header).toMatch(/How an administrator adds a spelling/);
    expect(header).toMatch(/nothing is ever guessed/);
  });

  it('has entries, each with one code or two or more distinct candidates', () => {
    expect(entries.length).toBeGreaterThan(20);
    for (const e of entries) {
      expect(e.spellings.length).toBeGreaterThan(0);
      if (e.code === undefined) {
        expect(e.candidates!.length).toBeGreaterThanOrEqual(2);
        expect(new Set(e.candidates).size).toBe(e.candidates!.length);
      }
    }
  });

  it(`uses only codes that exist in NCIC ${ncic.join(' + ')} (read from the package JSON, damaged entries repaired)`, () => {
    const missing = entries.flatMap((e) => [...(e.code ? [e.code] : []), ...(e.candidates ?? [])]).filter((c) => !(c in codes));
    expect(missing).toEqual([]);
  });

  it('never gives one spelling two meanings (compared as the lookup compares them)', () => {
    const meaning = new Map<string, { m: string; where: string }>();
    const conflicts: string[] = [];
    for (const e of entries) {
      const m = `${e.code ?? `?${e.candidates!.join('|')}`}#${e.cartridge ?? ''}`;
      for (const s of e.spellings) {
        const key = keyOf(s.trim());
        expect(key, `spelling "${s}" has a key`).not.toBe('');
        const prior = meaning.get(key);
        if (prior && prior.m !== m) conflicts.push(`"${s}" (${m}) vs ${prior.where} (${prior.m})`);
        if (!prior) meaning.set(key, { m, where: `"${s}"` });
      }
    }
    expect(conflicts).toEqual([]);
  });

  it('never takes over another code\'s own spelling, except an NCIC place code (HK, FN, CZ)', () => {
    const takenOver: string[] = [];
    for (const e of entries) {
      for (const s of e.spellings) {
        const key = keyOf(s.trim());
        if (!(key in codes) || key === e.code || e.candidates?.includes(key)) continue;
        if (file === 'ncic-make.synonyms.yaml' && isPlaceMakeCode(key, codes[key]!)) continue;
        takenOver.push(`${s} -> ${e.code} (but ${key} is "${codes[key]}")`);
      }
    }
    expect(takenOver).toEqual([]);
  });
});

describe('synonym table contents', () => {
  const make = load('ncic-make.synonyms.yaml').entries;
  const caliber = load('ncic-caliber.synonyms.yaml').entries;
  const codeOf = (entries: SynonymEntry[], spelling: string) =>
    entries.find((e) => e.spellings.some((s) => matchKey(s) === matchKey(spelling)));

  it('covers the common crime-gun makers', () => {
    const expected: Record<string, string> = {
      'SMITH & WESSON': 'SW', GLOCK: 'GLC', RUGER: 'SR', TAURUS: 'TAS', 'HI-POINT': 'HIH', 'SIG SAUER': 'SIG',
      POLYMER80: 'POR', 'PRIVATELY MADE FIREARM': 'PMG', 'SPRINGFIELD ARMORY': 'SGD', 'KEL-TEC': 'KTC', MOSSBERG: 'MOS',
      REMINGTON: 'REM', BERETTA: 'BER', COLT: 'CLT', SCCY: 'SKY', KIMBER: 'KIE', CANIK: 'CNK', 'JIMENEZ ARMS': 'JMZ',
      LORCIN: 'LCN', BRYCO: 'BRY', JENNINGS: 'JEI', RAVEN: 'RAV', 'PHOENIX ARMS': 'PHE', 'DAVIS INDUSTRIES': 'DAB',
      'HI-STANDARD': 'HS', SAVAGE: 'SAV', MARLIN: 'MAR', 'WINCHESTER REPEATING ARMS': 'WIN', NORINCO: 'NON',
      ZASTAVA: 'ZAS', 'FN HERSTAL': 'FNB', WALTHER: 'WAL', 'CESKA ZBROJOVKA': 'CZU', 'HECKLER & KOCH': 'HEC',
      'CHARTER ARMS': 'CAC', ROSSI: 'AMR', KAHR: 'KHR', 'PALMETTO STATE ARMORY': 'PAA', ANDERSON: 'ADM',
      DIAMONDBACK: 'DBK', 'CENTURY ARMS': 'CAI', INTRATEC: 'INC', 'COBRA ENTERPRISES': 'CBR', 'SWAT FIREARMS': 'SWT',
    };
    const wrong = Object.entries(expected).filter(([s, c]) => codeOf(make, s)?.code !== c);
    expect(wrong).toEqual([]);
  });

  it('notes the privately made firearm code and the lossy calibers', () => {
    expect(codeOf(make, 'GHOST GUN')?.note).toMatch(/PRIVATELY MADE FIREARM \(PMF\)/);
    expect(codeOf(caliber, '.40 S&W')?.note).toMatch(/Lossy/);
    expect(codeOf(caliber, '.380 ACP')?.note).toMatch(/CAL 380/);
  });

  it('gives every caliber entry with one cartridge a cartridge name', () => {
    expect(codeOf(caliber, '9MM')).toMatchObject({ code: '9', cartridge: '9mm Luger' });
    expect(codeOf(caliber, '.45 CAL')?.cartridge).toBeUndefined();
    const counts = caliber.filter((e) => e.cartridge).length;
    expect(counts).toBeGreaterThan(30);
  });
});
