import { describe, expect, it } from 'vitest';
import { isSerialPlaceholder, ncicMatchKey, normalizeSerial } from '../../../src/codes/index.ts';

describe('normalizeSerial', () => {
  it('upper-cases and strips spaces, dashes, dots, slashes and other separators; keeps the raw text', () => {
    expect(normalizeSerial(' ab-123 456 ')).toEqual({ raw: ' ab-123 456 ', normalized: 'AB123456', obliterated: false, restored: false });
    expect(normalizeSerial('DX1.234/5_6')).toMatchObject({ normalized: 'DX123456', obliterated: false });
    expect(normalizeSerial('RJK#4401')).toMatchObject({ normalized: 'RJK4401' });
  });

  it('keeps letter O as written (only the NCIC match key reads it as zero)', () => {
    expect(normalizeSerial('BO12').normalized).toBe('BO12');
  });

  it.each([
    'OBLITERATED',
    'Obliterated',
    'SERIAL OBLITERATED',
    'OBLIT',
    'oblit.',
    'GROUND OFF',
    'ground',
    'DEFACED',
    'FILED OFF',
    'NONE',
    'None.',
    'NO SERIAL',
    'NO SERIAL NUMBER',
    'NO S/N',
    'UNKNOWN',
    'UNK',
    'N/A',
    'NA',
  ])('%j is obliterated: normalized empty, raw kept', (raw) => {
    expect(normalizeSerial(raw)).toEqual({ raw, normalized: '', obliterated: true, restored: false });
  });

  it('does not mistake serials that merely contain those letters', () => {
    expect(normalizeSerial('NA12345')).toMatchObject({ normalized: 'NA12345', obliterated: false });
    expect(normalizeSerial('UNK4411')).toMatchObject({ normalized: 'UNK4411', obliterated: false });
    expect(normalizeSerial('NONE1')).toMatchObject({ obliterated: false });
  });

  it('flags a restored serial and keeps the restored number', () => {
    expect(normalizeSerial('A123456 (RESTORED)')).toEqual({
      raw: 'A123456 (RESTORED)',
      normalized: 'A123456',
      obliterated: true,
      restored: true,
    });
    expect(normalizeSerial('Obliterated - restored as KBX-4471')).toMatchObject({ normalized: 'KBX4471', restored: true });
    expect(normalizeSerial('RESTORED')).toMatchObject({ normalized: '', obliterated: true, restored: true });
  });

  it('treats an empty serial as absent', () => {
    expect(normalizeSerial('')).toEqual({ raw: '', normalized: '', obliterated: false, restored: false });
  });
});

describe('isSerialPlaceholder', () => {
  it.each(['UNKNOWN', 'Unknown', 'UNK', 'unk.', 'NONE', 'None.', 'N/A', 'NA', 'NOSERIAL', 'NO SERIAL', 'NO SERIAL NUMBER', 'NO S/N', 'PMF - NO SERIAL', '0', '00000', '-', '?', 'NONE VISIBLE'])(
    '%j stands where no serial is known',
    (raw) => expect(isSerialPlaceholder(raw)).toBe(true),
  );

  it.each(['OBLITERATED', 'DEFACED', 'GROUND OFF', 'SERIAL FILED OFF', 'NO SERIAL - GROUND OFF', 'A123456 (RESTORED)', 'BXRT812', 'NA12345', 'UNK4411', 'NONE1', '0012', ''])(
    '%j is no placeholder (a serial, a destroyed one, or nothing written)',
    (raw) => expect(isSerialPlaceholder(raw)).toBe(false),
  );
});

describe('ncicMatchKey', () => {
  it('reads letter O as zero', () => {
    expect(ncicMatchKey('BO12')).toBe('B012');
    expect(ncicMatchKey('OO12-3')).toBe('00123');
  });

  it('ignores letters embedded between digits, keeps prefix and suffix letters', () => {
    expect(ncicMatchKey('369J257')).toBe('369257');
    expect(ncicMatchKey('369-M-257')).toBe('369257');
    expect(ncicMatchKey('AB12CD34E')).toBe('AB1234E');
  });

  it('makes the spellings NCIC treats as one serial equal', () => {
    const a = ncicMatchKey('369J257');
    for (const s of ['369257', '369M257', '369 j 257']) expect(ncicMatchKey(s)).toBe(a);
    expect(ncicMatchKey('A369257')).not.toBe(a);
  });

  it('is empty for an obliterated serial', () => {
    expect(ncicMatchKey('OBLITERATED')).toBe('');
    expect(ncicMatchKey('A123O56 (restored)')).toBe('A123056');
  });
});
