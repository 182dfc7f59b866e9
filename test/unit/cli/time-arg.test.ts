/** Time filters of cgic audit export, cgic transfers and cgic dead-letters: refused as usage errors before the store sees them. */
import { describe, expect, it } from 'vitest';
import { timeArg } from '../../../src/cli/time-arg.ts';

const now = Date.parse('2026-12-05T12:00:00Z');

describe('timeArg', () => {
  it('takes ISO times and durations back from now', () => {
    expect(timeArg('7d', '--since', { now })).toBe('2026-11-28T12:00:00.000Z');
    expect(timeArg('36h', '--since', { now })).toBe('2026-12-04T00:00:00.000Z');
    expect(timeArg('90m', '--since', { now })).toBe('2026-12-05T10:30:00.000Z');
    expect(timeArg('2026-12-01T00:00:00-05:00', '--since', { now })).toBe('2026-12-01T05:00:00.000Z');
  });

  it('refuses anything else as a usage error naming the option', () => {
    expect(() => timeArg('last week', '--until', { now })).toThrow(/--until "last week" is neither an ISO time/);
  });

  it('takes no duration where the command takes ISO times only', () => {
    expect(() => timeArg('7d', '--since', { durations: false, now })).toThrow(/--since "7d" is not a time \(ISO 8601/);
    expect(timeArg('2026-03-14T08:00:00Z', '--since', { durations: false })).toBe('2026-03-14T08:00:00.000Z');
  });

  it('refuses a year the store cannot hold, instead of a database error', () => {
    for (const v of ['0000-01-01T00:00:00Z', '+010000-01-01T00:00:00Z', '-000001-01-01T00:00:00Z']) {
      expect(() => timeArg(v, '--since', { now }), v).toThrow(/--since ".*" is outside the years 0001-9999/);
    }
    expect(timeArg('0001-01-01T00:00:00Z', '--since', { now })).toBe('0001-01-01T00:00:00.000Z');
    expect(timeArg('0000-12-31T23:00:00-05:00', '--since', { now })).toBe('0001-01-01T04:00:00.000Z'); // year 0001 in UTC, as the store compares
    expect(timeArg('9999-12-31T23:59:59Z', '--until', { now })).toBe('9999-12-31T23:59:59.000Z');
    expect(() => timeArg('999999d', '--since', { now })).toThrow(/outside the years 0001-9999/);
  });
});
