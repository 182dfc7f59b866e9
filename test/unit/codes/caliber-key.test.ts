import { beforeAll, describe, expect, it } from 'vitest';
import {
  caliberDescriptionSpellings,
  caliberKey,
  createCodeTable,
  loadCodeTables,
  parseSynonyms,
  shotshellDesignation,
  type CodeTable,
} from '../../../src/codes/index.ts';
import { ncicJson } from './ncic-data.ts';

describe('shotshellDesignation', () => {
  it.each([
    ['12 Gauge', '12 GAUGE'],
    ['12 Gauge 2 3/4', '12 GAUGE'],
    ['12 gauge 2¾"', '12 GAUGE'],
    ['12 GA 3" MAG', '12 GAUGE'],
    ['12GA 3 1/2IN', '12 GAUGE'],
    ['12 Gauge, 3-inch', '12 GAUGE'],
    ['12 GA. 2-3/4"', '12 GAUGE'],
    ['12 ga 70mm', '12 GAUGE'],
    ['12-gauge', '12 GAUGE'],
    ['12 BORE', '12 GAUGE'],
    ['12 2 3/4', '12 GAUGE'],
    ['12/70', '12 GAUGE'],
    ['12/89', '12 GAUGE'],
    ['16/67.5', '16 GAUGE'],
    ['16/67,5', '16 GAUGE'],
    ['20ga 2-3/4in', '20 GAUGE'],
    ['10 GA SHOTGUN', '10 GAUGE'],
    ['24 GAUGE SHOTGUN', '24 GAUGE'],
    ['410/76', '.410 BORE'],
    ['.410 Bore 2 1/2"', '.410 BORE'],
    ['410 3"', '.410 BORE'],
    ['.410 GAUGE SHOTGUN', '.410 BORE'],
    ['14 Gauge', '14 GAUGE'],
  ])('%j -> %j', (text, gauge) => {
    expect(shotshellDesignation(text)).toBe(gauge);
  });

  it.each(['12', '.410', '9mm', '12 3/4', '14/221', '30/30', '7/08', '28 Nosler', '20 Vartarg', '12.7x99', '410 2', ''])(
    '%j is not a shotshell designation',
    (text) => {
      expect(shotshellDesignation(text)).toBeUndefined();
    },
  );
});

describe('caliberKey', () => {
  it.each([
    ['.41 Rem Mag', '41 Remington Magnum'],
    ['.380 ACP', '.380 Auto'],
    ['.45 A.C.P.', '.45 Automatic'],
    ['7.62x39mm', '7.62X39'],
    ['7.62x54mmR', '7.62x54R'],
    ['9 x 19 mm', '9x19'],
    ['12/70', '12 GA'],
    ['12 Gauge 2 3/4', '12 gauge'],
    ['.410 bore 3"', '410/76'],
    ['.22 LR', '22 Long Rifle'],
    ['22LR', '.22 long rifle'],
    ['.300 H&H Mag', '.300 Holland & Holland Magnum'],
    ['45-70 Gov\'t', '.45-70 Government'],
    ['.44 Auto Mag', '.44 AutoMag'],
    ['.22 WMR', '.22 Winchester Magnum Rimfire'],
    ['.40 S & W', '.40 Smith & Wesson'],
  ])('%j meets %j', (a, b) => {
    expect(caliberKey(a)).toBe(caliberKey(b));
  });

  it.each([
    ['9mm', '9'],
    ['7.62', '762'],
    ['.17 WSM', '.17 Winchester Short Magnum'],
    ['.300 WM', '.300 Winchester Magnum'],
    ['.40 Smith and Wesson', '.40 Smith & Wesson'],
    ['9mm Para', '9mm Luger'],
    ['.45 Auto Rim', '.45 Auto'],
  ])('%j does not meet %j (no equivalence is invented)', (a, b) => {
    expect(caliberKey(a)).not.toBe(caliberKey(b));
  });
});

describe('caliberDescriptionSpellings', () => {
  const cal = ncicJson('CAL');
  it.each([
    ['9', ['9MM LUGER', '9MM PARABELLUM', '9X19', '9MM KURZ', '9MM CORTO', '9X17', '.380ACP', '9MM WINCHESATER MAGNUM', '9MM BROWNING LONG', '9MM STEYR', '9MM BERGMAN-BAYARD', '9MM MAKAROV', '9X18', '9X21', '9X23']],
    ['380', ['.380 ACP', '9 MM KURZ', '9 MM CORTO', '9 MM SHORT', '9X17']],
    ['10', ['10 MM', '.40 S&W PISTOL CARTRIDGES', '10 GAUGE SHOTGUN']],
    ['12', ['12.5 MM', '12 GAUGE SHOTGUN']],
    ['14', ['.14 WALKER HORNET', '14/221', '14-222']],
    ['38', ['.38 S&W', '.38 S&W SPECIAL', '.38 SPECIAL', '.38 ACP', '.38 SUPER']],
    ['75', ['7.5 MM', '.75 CALIBER']],
    ['204', ['.204 RUGER', '.204 REMINGTON', '.204 SAVAGE']],
    ['455', ['.455 WEBLEY', '.455 MANSTOPPER']],
    ['3006', ['.30-06 U.S.', '.30 SPRINGFIELD']],
    ['4570', ['.45-70 U.S. GOVERNMENT']],
    ['54', []],
    ['9999', []],
  ])('CAL %s lists %j', (code, spellings) => {
    expect(caliberDescriptionSpellings(cal[code]!)).toEqual(spellings);
  });

  it('indexes a spelling one description lists for its code, and leaves one two descriptions list ambiguous', () => {
    const codes = new Map(Object.entries(cal));
    const bare = createCodeTable({ name: 'c', system: 'NCIC-CAL', codes, keyOf: caliberKey, descriptionSpellings: caliberDescriptionSpellings });
    expect(bare.lookup('.41 Remington Magnum')).toEqual({ ok: true, value: { code: '41', system: 'NCIC-CAL', text: '.41 Remington Magnum' }, via: 'description' });
    expect(bare.lookup('7mm Rem Mag')).toMatchObject({ ok: true, via: 'description', value: { code: '7' } });
    expect(bare.lookup('12/70')).toMatchObject({ ok: true, via: 'description', value: { code: '12' } });
    expect(bare.lookup('.30 Springfield')).toMatchObject({ ok: true, via: 'description', value: { code: '3006' } });
    // Named by two codes: reported, never coded.
    expect(bare.lookup('.32 ACP')).toMatchObject({ ok: false, reason: 'ambiguous', candidates: ['32', '735'] });
    expect(bare.lookup('.223 Remington')).toMatchObject({ ok: false, reason: 'ambiguous', candidates: ['22', '223', '556'] });
    expect(bare.lookup('9mm Kurz')).toMatchObject({ ok: false, reason: 'ambiguous', candidates: ['9', '380'] });
    expect(bare.lookup('10mm')).toMatchObject({ ok: false, reason: 'ambiguous', candidates: ['10', '40'] });
    // Prose is not a spelling (a whole description still is, as NCIC wrote it).
    expect(bare.lookup('also used in black-powder firearms')).toMatchObject({ ok: false, reason: 'unknown' });
    expect(bare.lookup('9mm Luger/Parabellum')).toMatchObject({ ok: false, reason: 'unknown' });
  });
});

describe('synonyms compared by the caliber key', () => {
  it('refuses one designation given two codes under two spellings that meet only once abbreviations are written out', () => {
    const synonyms = parseSynonyms('- code: "41"\n  spellings: [".41 REMINGTON MAGNUM"]\n- code: "44"\n  spellings: [".41 Rem. Mag."]\n', 'cal.yaml');
    const codes = new Map([['41', '.41'], ['44', '.44']]);
    expect(() => createCodeTable({ name: 'c', system: 'NCIC-CAL', codes, synonyms, keyOf: caliberKey })).toThrow(
      /cal\.yaml entry 2 \(44\): spelling "\.41 Rem\. Mag\." already means something else in cal\.yaml entry 1 \(41\)/,
    );
    // Compared by matchKey alone, the two would not meet.
    expect(() => createCodeTable({ name: 'c', system: 'NCIC-CAL', codes, synonyms })).not.toThrow();
  });
});

describe('the caliber table on the designations of the report', () => {
  let caliber: CodeTable;
  beforeAll(async () => {
    caliber = (await loadCodeTables()).get('ncic-caliber')!;
  });

  it.each([
    ['45-70 Government', '4570', '.45-70 Government'],
    ['41 Remington Magnum', '41', '.41 Remington Magnum'],
    ['327 Federal Magnum', '327', '.327 Federal Magnum'],
    ['12 Gauge 2 3/4', '12', '12 gauge'],
    ['12/70', '12', '12 gauge'],
    ['410/76', '410', '.410 bore'],
    ['7mm Remington Magnum', '7', '7mm Remington Magnum'],
  ])('%j is CAL %s, cartridge %j, text kept', (text, code, cartridge) => {
    expect(caliber.lookup(text)).toEqual({ ok: true, value: { code, system: 'NCIC-CAL', text, cartridge }, via: 'synonym' });
  });

  it('keeps the synonym table first: a spelling two descriptions list takes the table\'s choice', () => {
    expect(caliber.lookup('.32 ACP').value).toMatchObject({ code: '32', cartridge: '.32 ACP' });
    expect(caliber.lookup('9mm Kurz').value).toMatchObject({ code: '380', cartridge: '.380 ACP' });
    expect(caliber.lookup('.455 Webley').value).toMatchObject({ code: '455', cartridge: '.455 Webley' });
  });

  it('reports a designation no single code fits, with the cartridge it knows', () => {
    expect(caliber.lookup('7.65 Browning')).toEqual({
      ok: false,
      value: { code: null, system: 'NCIC-CAL', text: '7.65 Browning', cartridge: '.32 ACP' },
      reason: 'ambiguous',
      candidates: ['32', '735', '765'],
    });
    expect(caliber.lookup('.17 HMR')).toMatchObject({ ok: false, reason: 'ambiguous', candidates: ['17', '177'] });
    for (const s of ['14 gauge', '8 GA', '.338 Lapua Magnum', '6.5 Creedmoor', '36 gauge']) {
      expect(caliber.lookup(s), s).toMatchObject({ ok: false, reason: 'unknown', value: { code: null } });
    }
  });
});
