import { describe, expect, it } from 'vitest';
import addFormatsModule from 'ajv-formats';
import { isIsoDate, isIsoDateTime } from '../../../src/canonical/formats.ts';

type FormatsPlugin = { get: (name: string, mode?: 'fast' | 'full') => { validate: (s: string) => boolean } | ((s: string) => boolean) };
const plugin = ((addFormatsModule as unknown as { default?: FormatsPlugin }).default ?? addFormatsModule) as unknown as FormatsPlugin;
function reference(name: string): (s: string) => boolean {
  const f = plugin.get(name, 'full');
  return typeof f === 'function' ? f : f.validate;
}

const DATE_TIMES_BOTH_ACCEPT = [
  '2024-03-01T14:05:00-05:00',
  '2024-03-01T19:05:00Z',
  '2024-03-01T19:05:00.123Z',
  '2024-03-01T19:05:00.123456789+05:30',
  '2024-02-29T00:00:00Z',
  '2000-02-29T23:59:59+14:00',
  '1998-12-31T23:59:60Z',
  '1998-12-31T18:59:60-05:00',
];
const DATE_TIMES_BOTH_REJECT = [
  '2024-03-01T14:05:00',
  '2024-03-01',
  '2023-02-29T00:00:00Z',
  '1900-02-29T00:00:00Z',
  '2024-04-31T00:00:00Z',
  '2024-13-01T00:00:00Z',
  '2024-00-10T00:00:00Z',
  '2024-03-00T00:00:00Z',
  '2024-03-01T24:00:00Z',
  '2024-03-01T23:60:00Z',
  '2024-03-01T12:00:60Z',
  '2024-03-01T12:00:00+24:00',
  '2024-03-01T12:00:00+05:60',
  '03/01/2024 14:05',
  '',
  '2024-03-01T14:05-05:00',
];
/** Accepted by ajv-formats but not canonical: lower-case separators, a space, an offset without colon. */
const DATE_TIMES_ONLY_LAX = ['2024-03-01t14:05:00z', '2024-03-01 14:05:00Z', '2024-03-01T14:05:00-0500'];

describe('isIsoDateTime', () => {
  it.each(DATE_TIMES_BOTH_ACCEPT)('accepts %s (as ajv-formats does)', (s) => {
    expect(isIsoDateTime(s)).toBe(true);
    expect(reference('date-time')(s)).toBe(true);
  });
  it.each(DATE_TIMES_BOTH_REJECT)('rejects %j (as ajv-formats does)', (s) => {
    expect(isIsoDateTime(s)).toBe(false);
    expect(reference('date-time')(s)).toBe(false);
  });
  it.each(DATE_TIMES_ONLY_LAX)('rejects the non-canonical spelling %s', (s) => {
    expect(isIsoDateTime(s)).toBe(false);
    expect(reference('date-time')(s)).toBe(true);
  });
  it('rejects more than 9 fraction digits', () => {
    expect(isIsoDateTime('2024-03-01T14:05:00.1234567890Z')).toBe(false);
  });
});

describe('isIsoDate', () => {
  it('agrees with ajv-formats on every day of 1999-2001 and on malformed input', () => {
    const ref = reference('date');
    for (let y = 1999; y <= 2001; y++) {
      for (let m = 0; m <= 13; m++) {
        for (let d = 0; d <= 32; d++) {
          const s = `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
          expect(isIsoDate(s), s).toBe(ref(s));
        }
      }
    }
    for (const s of ['2024-3-1', '20240301', '2024-03-01T00:00:00Z', '', '2000-02-29', '2100-02-29']) {
      expect(isIsoDate(s), s).toBe(ref(s));
    }
  });
});
