import { beforeAll, describe, expect, it } from 'vitest';
import {
  applyNcicRepairs,
  findDamagedEntries,
  loadCodeTables,
  NCIC_GUN_CODE_TYPES,
  NCIC_REPAIRS,
  type CodeTable,
  type NcicCodeType,
} from '../../../src/codes/index.ts';
import { ncicJson } from './ncic-data.ts';

const upstream = Object.fromEntries(NCIC_GUN_CODE_TYPES.map((t) => [t, ncicJson(t)])) as Record<NcicCodeType, Record<string, string>>;

/**
 * The code a GTYP3 description "<characteristic 1>, <characteristic 2>" spells, read from the GTYP and
 * GTYP2 tables themselves: "PISTOL, AUTOMATIC" is P ("PISTOL") + A ("AUTOMATIC ACTION").
 */
function spelledTypeCode(description: string): string | undefined {
  const [first, second] = description.split(', ');
  const c1 = Object.entries(upstream.GTYP).find(([, d]) => d === first)?.[0];
  const c2 = Object.entries(upstream.GTYP2).find(([, d]) => second !== undefined && d.split(' ')[0] === second)?.[0];
  return c1 && c2 ? c1 + c2 : undefined;
}

let gunType: CodeTable;
beforeAll(async () => {
  gunType = (await loadCodeTables()).get('ncic-gun-type')!;
});

describe('damaged upstream NCIC entries', () => {
  it('the check lists exactly the entries the hub repairs, in MAK, CAL, GTYP, GTYP2 and GTYP3', () => {
    const damaged = findDamagedEntries(upstream);
    expect(damaged.map((d) => `${d.type} ${d.code} ${d.description}`)).toEqual(
      NCIC_REPAIRS.map((r) => `${r.type} ${r.damagedCode} ${r.description}`),
    );
    expect(damaged.map((d) => d.problem)).toEqual(['a GTYP3 code is one or two letters']);
  });

  it('leaves no damaged entry in the tables the hub builds', () => {
    const repaired = Object.fromEntries(NCIC_GUN_CODE_TYPES.map((t) => [t, applyNcicRepairs(t, upstream[t])]));
    expect(findDamagedEntries(repaired)).toEqual([]);
  });

  it.each(NCIC_REPAIRS.map((r) => [`${r.type} "${r.damagedCode}" (${r.description}) is restored as ${r.code}`, r] as const))(
    '%s',
    (_name, repair) => {
      expect(upstream[repair.type][repair.damagedCode]).toBe(repair.description);
      expect(upstream[repair.type][repair.code], 'the package does not carry the code already').toBeUndefined();
      // A gun type code is characteristic 1 followed by characteristic 2: the description spells it.
      if (repair.type === 'GTYP3') expect(spelledTypeCode(repair.description)).toBe(repair.code);
      const fixed = applyNcicRepairs(repair.type, upstream[repair.type]);
      expect(fixed[repair.code]).toBe(repair.description);
      expect(fixed[repair.damagedCode]).toBeUndefined();
      expect(Object.keys(fixed)).toHaveLength(Object.keys(upstream[repair.type]).length);
      expect(repair.reason).toMatch(new RegExp(`\\b${repair.code}\\b`));
    },
  );

  it('PA is pistol, automatic: as an NCIC code, as NCIC words, and as NIEM 2.0 category P + description A', () => {
    expect(gunType.describe('PA')).toBe('PISTOL, AUTOMATIC');
    expect(gunType.lookup('PA', 'code')).toEqual({ ok: true, value: { code: 'PA', system: 'NCIC-TYP', text: 'PA' }, via: 'code' });
    expect(gunType.lookup('pa')).toMatchObject({ ok: true, via: 'code', value: { code: 'PA' } });
    expect(gunType.lookup('Pistol, Automatic')).toMatchObject({ ok: true, via: 'description', value: { code: 'PA' } });
    expect(gunType.lookup(['P', 'A'].join(''), 'code').value.code).toBe('PA');
    // The damage itself is no code any more, and loose words stay ambiguous between PI, PA and B.
    expect(gunType.lookup('--', 'code')).toMatchObject({ ok: false, reason: 'unknown' });
    expect(gunType.lookup('--')).toMatchObject({ ok: false, reason: 'unknown' });
    expect(gunType.lookup('Automatic pistol')).toMatchObject({ ok: false, reason: 'ambiguous', candidates: ['PI', 'PA', 'B'] });
  });

  it('never changes the package\'s own objects', () => {
    const before = JSON.stringify(upstream.GTYP3);
    applyNcicRepairs('GTYP3', upstream.GTYP3);
    expect(JSON.stringify(upstream.GTYP3)).toBe(before);
    expect(ncicJson('GTYP3')['--']).toBe('PISTOL, AUTOMATIC');
  });

  it('applies a repair only while the package still carries the entry as it was', () => {
    expect(applyNcicRepairs('GTYP3', { '--': 'SOMETHING ELSE', PI: 'PISTOL, SEMIAUTOMATIC' })).toEqual({
      '--': 'SOMETHING ELSE',
      PI: 'PISTOL, SEMIAUTOMATIC',
    });
    expect(applyNcicRepairs('GTYP3', { PA: 'PISTOL, AUTOMATIC' })).toEqual({ PA: 'PISTOL, AUTOMATIC' });
  });

  it('finds every form of damage it names', () => {
    const found = findDamagedEntries({
      MAK: { GLC: 'GLOCK', glc: 'GLOCK AGAIN', 'glk ': 'GLOCK LOWER CASE', X: 'TOO SHORT', SW: '' },
      CAL: { '9': '9MM', '9A': 'NOT DIGITS', '-': '.22' },
      GTYP: { P: 'PISTOL', '1': 'DIGIT' },
      GTYP2: { A: 'AUTOMATIC ACTION' },
      GTYP3: { PA: 'PISTOL, AUTOMATIC', PZ: 'PISTOL, UNKNOWN', ZA: 'UNKNOWN, AUTOMATIC', '--': 'PISTOL, AUTOMATIC' },
    });
    expect(found.map((d) => `${d.type} ${JSON.stringify(d.code)}: ${d.problem}`)).toEqual([
      'MAK "glc": the code carries spaces or lower-case letters',
      'MAK "glc": the same code as "GLC" once trimmed and upper-cased',
      'MAK "glk ": the code carries spaces or lower-case letters',
      'MAK "X": a MAK code is two to four letters or digits',
      'MAK "SW": the description is empty',
      'CAL "9A": a CAL code is one to four digits',
      'CAL "-": a CAL code is one to four digits',
      'GTYP "1": a GTYP code is one letter',
      'GTYP3 "PZ": "Z" is not a GTYP2 (characteristic 2) code',
      'GTYP3 "ZA": "Z" is not a GTYP (characteristic 1) code',
      'GTYP3 "--": a GTYP3 code is one or two letters',
    ]);
  });
});
