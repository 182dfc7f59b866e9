import { beforeAll, describe, expect, it } from 'vitest';
import { loadCodeTables, type CodeTable, type CodeTables } from '../../../src/codes/index.ts';
import { ncicJson } from './ncic-data.ts';

let tables: CodeTables;
let make: CodeTable;
let caliber: CodeTable;
let gunType: CodeTable;

beforeAll(async () => {
  tables = await loadCodeTables();
  make = tables.get('ncic-make')!;
  caliber = tables.get('ncic-caliber')!;
  gunType = tables.get('ncic-gun-type')!;
});

describe('loadCodeTables', () => {
  it('offers the five NCIC tables with their systems and every NCIC code', () => {
    expect(tables.names()).toEqual(['ncic-make', 'ncic-caliber', 'ncic-gun-type', 'ncic-gun-type-1', 'ncic-gun-type-2']);
    const systems = Object.fromEntries(tables.names().map((n) => [n, tables.get(n)!.system]));
    expect(systems).toEqual({
      'ncic-make': 'NCIC-MAK',
      'ncic-caliber': 'NCIC-CAL',
      'ncic-gun-type': 'NCIC-TYP',
      'ncic-gun-type-1': 'NCIC-GTYP',
      'ncic-gun-type-2': 'NCIC-GTYP2',
    });
    expect(make.size).toBe(Object.keys(ncicJson('MAK')).length);
    expect(caliber.size).toBe(Object.keys(ncicJson('CAL')).length);
    const typ = new Set([...Object.keys(ncicJson('GTYP3')), ...Object.keys(ncicJson('GTYP'))]);
    expect(gunType.size).toBe(typ.size);
    expect(tables.get('ncic-gun-type-1')!.size).toBe(Object.keys(ncicJson('GTYP')).length);
    expect(tables.get('ncic-gun-type-2')!.size).toBe(Object.keys(ncicJson('GTYP2')).length);
    expect(tables.get('nope')).toBeUndefined();
  });

  it('is memoized: one load per process', async () => {
    expect(await loadCodeTables()).toBe(tables);
  });

  it('describes and knows codes', () => {
    expect(make.describe('HEC')).toBe('HECKLER & KOCH');
    expect(make.describe('hk')).toMatch(/^HONG KONG/);
    expect(make.has('SWT')).toBe(true);
    expect(make.has('GLOK')).toBe(false);
    expect(caliber.describe('380')).toMatch(/^\.380 ACP/);
    expect(gunType.describe('PI')).toBe('PISTOL, SEMIAUTOMATIC');
    expect(gunType.describe('P')).toBe('PISTOL');
    expect(tables.get('ncic-gun-type-2')!.describe('R')).toBe('REVOLVER');
  });
});

describe('the traps', () => {
  it('"SW" is Smith & Wesson, as a code', () => {
    expect(make.lookup('SW')).toEqual({ ok: true, value: { code: 'SW', system: 'NCIC-MAK', text: 'SW' }, via: 'code' });
  });

  it('"S&W" is Smith & Wesson, through a synonym', () => {
    expect(make.lookup('S&W')).toEqual({ ok: true, value: { code: 'SW', system: 'NCIC-MAK', text: 'S&W' }, via: 'synonym' });
  });

  it('"SWT" is SWAT Firearms in text and in code mode, never Smith & Wesson', () => {
    for (const mode of ['text', 'code'] as const) {
      const r = make.lookup('SWT', mode);
      expect(r.value.code).toBe('SWT');
      expect(r.ok && r.via).toBe('code');
    }
    expect(make.lookup('SWAT Firearms').value.code).toBe('SWT');
  });

  it('"HK" in code mode is Hong Kong, exactly as the code says; in text mode it is Heckler & Koch', () => {
    expect(make.lookup('HK', 'code')).toEqual({ ok: true, value: { code: 'HK', system: 'NCIC-MAK', text: 'HK' }, via: 'code' });
    expect(make.lookup('HK')).toEqual({ ok: true, value: { code: 'HEC', system: 'NCIC-MAK', text: 'HK' }, via: 'synonym' });
    expect(make.lookup('Heckler & Koch')).toEqual({
      ok: true,
      value: { code: 'HEC', system: 'NCIC-MAK', text: 'Heckler & Koch' },
      via: 'synonym',
    });
  });

  it('place codes are not taken as bare codes from text: CK (Czechoslovakia), CT (Connecticut)', () => {
    expect(make.lookup('CK')).toMatchObject({ ok: false, reason: 'unknown', value: { code: null, text: 'CK' } });
    expect(make.lookup('CT')).toMatchObject({ ok: false, reason: 'unknown' });
    expect(make.lookup('CK', 'code').value.code).toBe('CK');
    // The full description still says what it says.
    expect(make.lookup('Czechoslovakia')).toMatchObject({ ok: true, via: 'description', value: { code: 'CK' } });
    // FN and CZ are place codes too; as make text they are the makers, as codes the places.
    expect(make.lookup('FN').value.code).toBe('FNB');
    expect(make.lookup('FN', 'code').value.code).toBe('FN');
    expect(make.lookup('CZ').value.code).toBe('CZU');
    expect(make.lookup('CZ', 'code').value.code).toBe('CZ');
  });

  it('"9mm" is CAL 9, the text kept as written and the cartridge named', () => {
    expect(caliber.lookup('9mm')).toEqual({
      ok: true,
      value: { code: '9', system: 'NCIC-CAL', text: '9mm', cartridge: '9mm Luger' },
      via: 'synonym',
    });
  });

  it('".40 S&W" is CAL 40 (lossy: CAL 40 and CAL 10 both cover .40 S&W and 10mm), cartridge kept', () => {
    expect(caliber.lookup('.40 S&W')).toEqual({
      ok: true,
      value: { code: '40', system: 'NCIC-CAL', text: '.40 S&W', cartridge: '.40 S&W' },
      via: 'synonym',
    });
    expect(caliber.lookup('10mm Auto')).toMatchObject({ value: { code: '10', cartridge: '10mm Auto' } });
    expect(caliber.describe('40')).toMatch(/10 MM/);
    expect(caliber.describe('10')).toMatch(/\.40 S&W/);
  });

  it('".380 ACP" has its own CAL code 380, though CAL 9 also lists 9mm Kurz', () => {
    for (const s of ['.380 ACP', '380 Auto', '9mm Kurz', '9x17', '.380']) {
      expect(caliber.lookup(s), s).toMatchObject({ ok: true, value: { code: '380', cartridge: '.380 ACP' } });
    }
  });

  it('"GLOK" is unknown: no guessing', () => {
    expect(make.lookup('GLOK')).toEqual({ ok: false, value: { code: null, system: 'NCIC-MAK', text: 'GLOK' }, reason: 'unknown' });
  });

  it('"PISTOL" is GTYP P (action unknown), not PI', () => {
    expect(gunType.lookup('Pistol').value.code).toBe('P');
    expect(gunType.lookup('Semi-Auto Pistol').value.code).toBe('PI');
    expect(gunType.lookup('Revolver').value.code).toBe('PR');
  });

  it('a synonym outranks a code that is another maker\'s: "PMF", "EAA" are ambiguous, not guessed', () => {
    expect(make.lookup('PMF')).toMatchObject({ ok: false, reason: 'ambiguous', candidates: ['PMG', 'PMF'] });
    expect(make.lookup('PMF', 'code').value.code).toBe('PMF');
    expect(make.lookup('EAA')).toMatchObject({ ok: false, reason: 'ambiguous', candidates: ['EAB', 'EAA'] });
  });
});

describe('modes and outcomes', () => {
  it('code mode matches only an exact code (trimmed, upper-cased)', () => {
    expect(make.lookup(' hec ', 'code')).toEqual({ ok: true, value: { code: 'HEC', system: 'NCIC-MAK', text: 'hec' }, via: 'code' });
    expect(make.lookup('Heckler & Koch', 'code')).toMatchObject({ ok: false, reason: 'unknown', value: { code: null } });
    expect(make.lookup('S&W', 'code')).toMatchObject({ ok: false, reason: 'unknown' });
    expect(caliber.lookup('.380', 'code')).toMatchObject({ ok: false, reason: 'unknown' });
    expect(caliber.lookup('380', 'code')).toMatchObject({ ok: true, value: { code: '380' }, via: 'code' });
    expect(gunType.lookup('PA', 'code')).toMatchObject({ ok: true, value: { code: 'PA' } });
    expect(gunType.lookup('--', 'code')).toMatchObject({ ok: false, reason: 'unknown' });
  });

  it('text mode falls back to an exact description', () => {
    expect(make.lookup('Heckler and Koch').value.code).toBe('HEC');
    expect(make.lookup('Sturm, Ruger and Company, Inc. AKA Ruger Southport, CT')).toMatchObject({
      ok: true,
      via: 'description',
      value: { code: 'SR' },
    });
    expect(gunType.lookup('Shotgun, over and under')).toMatchObject({ ok: true, via: 'description', value: { code: 'SO' } });
    expect(tables.get('ncic-gun-type-2')!.lookup('Pump action')).toMatchObject({ ok: true, via: 'description', value: { code: 'P' } });
  });

  it('single GTYP characters are accepted by ncic-gun-type', () => {
    for (const c of ['P', 'R', 'S', 'M', 'Z']) expect(gunType.lookup(c)).toMatchObject({ ok: true, via: 'code', value: { code: c } });
  });

  it('empty input is "empty", with the (empty) text kept', () => {
    for (const raw of ['', '   ', '\t']) {
      expect(make.lookup(raw)).toEqual({ ok: false, value: { code: null, system: 'NCIC-MAK', text: '' }, reason: 'empty' });
    }
    expect(caliber.lookup('', 'code')).toMatchObject({ ok: false, reason: 'empty' });
  });

  it('unknown values come back unknown, code null, text kept as written (trimmed)', () => {
    const cases: [CodeTable, string][] = [
      [make, '  Glok 19  '],
      [make, 'SMITH'],
      [make, 'UNKNOWN'],
      [make, '???'],
      [caliber, '5.7x28'],
      [caliber, '6.5 Creedmoor'],
      [gunType, 'Frame'],
      [gunType, 'Air pistol'],
    ];
    for (const [table, raw] of cases) {
      expect(table.lookup(raw), raw).toEqual({ ok: false, value: { code: null, system: table.system, text: raw.trim() }, reason: 'unknown' });
    }
  });

  it('ambiguous spellings are reported with their candidates, code null', () => {
    expect(make.lookup('Springfield')).toEqual({
      ok: false,
      value: { code: null, system: 'NCIC-MAK', text: 'Springfield' },
      reason: 'ambiguous',
      candidates: ['SGD', 'SPR', 'SII', 'USA'],
    });
    expect(make.lookup('WINCHESTER')).toMatchObject({ reason: 'ambiguous', candidates: ['WIN', 'WNT'] });
    expect(caliber.lookup('7.62mm')).toMatchObject({ reason: 'ambiguous', candidates: ['762', '308', '763'] });
    expect(caliber.lookup('7.65')).toMatchObject({ reason: 'ambiguous' });
    expect(gunType.lookup('Automatic pistol')).toMatchObject({ reason: 'ambiguous' });
  });

  it('value.text is always the source text, never the NCIC description', () => {
    const r = make.lookup('Glock, Inc.');
    expect(r.value).toEqual({ code: 'GLC', system: 'NCIC-MAK', text: 'Glock, Inc.' });
    expect(make.lookup('Sturm, Ruger and Company, Inc. AKA Ruger Southport, CT').value.text).toBe(
      'Sturm, Ruger and Company, Inc. AKA Ruger Southport, CT',
    );
  });

  it('each lookup returns its own objects (safe to keep on a record)', () => {
    const a = make.lookup('Glock');
    const b = make.lookup('Glock');
    expect(a).toEqual(b);
    expect(a).not.toBe(b);
    expect(a.value).not.toBe(b.value);
  });
});

describe('real-world spellings from LIMS/RMS exports', () => {
  const makes: [string, string][] = [
    ['SMITH & WESSON', 'SW'], ['Smith and Wesson', 'SW'], ['S & W', 'SW'], ['Smith&Wesson', 'SW'], ['SMITH & WESSON INC', 'SW'],
    ['GLOCK GMBH', 'GLC'], ['Glock Inc', 'GLC'], ['glock', 'GLC'], ['Ruger', 'SR'], ['STURM, RUGER & CO., INC.', 'SR'],
    ['Sturm Ruger', 'SR'], ['TAURUS INTERNATIONAL', 'TAS'], ['Forjas Taurus', 'TAS'], ['HI POINT', 'HIH'], ['HIPOINT', 'HIH'],
    ['Hi-Point Firearms', 'HIH'], ['Beemiller Inc', 'HIH'], ['SIG SAUER', 'SIG'], ['SIGARMS', 'SIG'], ['Sig', 'SIG'],
    ['POLYMER 80', 'POR'], ['P80', 'POR'], ['Ghost gun', 'PMG'], ['Springfield Armory Inc.', 'SGD'], ['KEL TEC', 'KTC'],
    ['Keltec CNC', 'KTC'], ['O.F. Mossberg & Sons', 'MOS'], ['REMINGTON ARMS CO', 'REM'], ['Beretta', 'BER'],
    ['Beretta USA Corp', 'FII'], ["Colt's Mfg Co", 'CLT'], ['SCCY Industries', 'SKY'], ['Kimber Mfg', 'KIE'],
    ['Canik55', 'CNK'], ['Jimenez Arms', 'JMZ'], ['Lorcin Engineering', 'LCN'], ['Bryco Arms', 'BRY'],
    ['Jennings Firearms', 'JEI'], ['Raven Arms', 'RAV'], ['Phoenix Arms', 'PHE'], ['Davis Industries', 'DAB'],
    ['High Standard', 'HS'], ['Savage Arms', 'SAV'], ['Marlin Firearms', 'MAR'], ['Norinco', 'NON'],
    ['Zastava Arms', 'ZAS'], ['FN Herstal', 'FNB'], ['Walther', 'WAL'], ['CZ-USA', 'CZU'], ['H&K', 'HEC'],
    ['H & K', 'HEC'], ['HECKLER AND KOCH', 'HEC'], ['Charter Arms', 'CAC'], ['Rossi', 'AMR'], ['Kahr Arms', 'KHR'],
    ['Palmetto State Armory', 'PAA'], ['PSA', 'PAA'], ['Anderson Manufacturing', 'ADM'], ['Diamondback Arms', 'DBK'],
    ['Century Arms', 'CAI'], ['Century International Arms', 'CIA'], ['Intratec', 'INC'], ['Cobra Enterprises', 'CBR'],
    ['SWAT FIREARMS', 'SWT'], ['Harrington & Richardson', 'HR'], ['Bersa', 'AEI'], ['Česká zbrojovka', 'CZU'],
  ];
  const calibers: [string, string, string | undefined][] = [
    ['9MM', '9', '9mm Luger'], ['9 MM', '9', '9mm Luger'], ['9mm Luger', '9', '9mm Luger'], ['9x19', '9', '9mm Luger'],
    ['9mm Para', '9', '9mm Luger'], ['9MM PARABELLUM', '9', '9mm Luger'], ['9mm NATO', '9', '9mm Luger'],
    ['9x18 Makarov', '9', '9x18mm Makarov'], ['.380 AUTO', '380', '.380 ACP'], ['380 ACP', '380', '.380 ACP'],
    ['.40 S&W', '40', '.40 S&W'], ['40 S & W', '40', '.40 S&W'], ['.40 cal', '40', undefined], ['10MM', '10', '10mm Auto'],
    ['.45 ACP', '45', '.45 ACP'], ['45 AUTO', '45', '.45 ACP'], ['.45 Long Colt', '45', '.45 Colt'], ['.22 LR', '22', '.22 Long Rifle'],
    ['22 Long Rifle', '22', '.22 Long Rifle'], ['.22 Mag', '22', '.22 WMR'], ['.223 Rem', '223', '.223 Remington'],
    ['5.56 NATO', '556', '5.56x45mm NATO'], ['5.56x45mm', '556', '5.56x45mm NATO'], ['7.62x39', '762', '7.62x39mm'],
    ['7.62 X 39MM', '762', '7.62x39mm'], ['.308 Win', '308', '.308 Winchester'], ['.38 Special', '38', '.38 Special'],
    ['38 SPL', '38', '.38 Special'], ['.357 Magnum', '357', '.357 Magnum'], ['.25 ACP', '25', '.25 ACP'],
    ['.32 ACP', '32', '.32 ACP'], ['12 GA', '12', '12 gauge'], ['12 Gauge', '12', '12 gauge'], ['20 GA', '20', '20 gauge'],
    ['.410 bore', '410', '.410 bore'], ['.44 Magnum', '44', '.44 Magnum'], ['30-06', '3006', '.30-06 Springfield'],
    ['7.62x25 Tokarev', '763', '7.62x25mm Tokarev'], ['9', '9', undefined], ['22', '22', undefined],
  ];
  const types: [string, string][] = [
    ['PISTOL', 'P'], ['Handgun', 'P'], ['SEMI-AUTO PISTOL', 'PI'], ['Semiautomatic pistol', 'PI'], ['SEMI AUTOMATIC PISTOL', 'PI'],
    ['Pistol, Semiautomatic', 'PI'], ['REVOLVER', 'PR'], ['Derringer', 'PD'], ['RIFLE', 'R'], ['AR-15 Rifle', 'RI'],
    ['Semi-Auto Rifle', 'RI'], ['Bolt Action Rifle', 'RB'], ['SHOTGUN', 'S'], ['Pump Shotgun', 'SP'],
    ['PUMP-ACTION SHOTGUN', 'SP'], ['Double Barrel Shotgun', 'SE'], ['Sawed-off shotgun', 'S'], ['Submachine gun', 'B'],
    ['PI', 'PI'], ['PR', 'PR'], ['RI', 'RI'], ['SP', 'SP'],
  ];

  it(`resolve ${makes.length} make spellings`, () => {
    const wrong = makes.map(([s, c]) => [s, c, make.lookup(s)] as const).filter(([, c, r]) => !r.ok || r.value.code !== c);
    expect(wrong).toEqual([]);
  });

  it(`resolve ${calibers.length} caliber spellings, with their cartridges`, () => {
    for (const [s, code, cartridge] of calibers) {
      const r = caliber.lookup(s);
      expect(r.ok, s).toBe(true);
      expect(r.value, s).toEqual({ code, system: 'NCIC-CAL', text: s, ...(cartridge ? { cartridge } : {}) });
    }
  });

  it(`resolve ${types.length} gun type spellings`, () => {
    const wrong = types.map(([s, c]) => [s, c, gunType.lookup(s)] as const).filter(([, c, r]) => !r.ok || r.value.code !== c);
    expect(wrong).toEqual([]);
  });
});

describe('per-row cost', () => {
  it('one million lookups run through (a functional check, no timing asserted)', () => {
    const values = ['GLOCK', 'Smith & Wesson', 'S&W', 'hi-point', 'Ruger', 'GLOK', 'HK', 'Taurus International', '', 'SW'];
    let ok = 0;
    let unknown = 0;
    let empty = 0;
    for (let i = 0; i < 1_000_000; i++) {
      const r = make.lookup(values[i % values.length]!);
      if (r.ok) ok++;
      else if (r.reason === 'unknown') unknown++;
      else if (r.reason === 'empty') empty++;
    }
    expect(ok).toBe(800_000);
    expect(unknown).toBe(100_000);
    expect(empty).toBe(100_000);
  });
});
