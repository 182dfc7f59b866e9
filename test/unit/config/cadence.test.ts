import { describe, expect, it } from 'vitest';
import { expectedEverySeconds, parseDuration } from '../../../src/config/cadence.ts';

describe('a feed\'s cadence (connectors[].expectEvery)', () => {
  it('reads durations and off', () => {
    expect(parseDuration('26h')).toBe(26 * 3600);
    expect(parseDuration('90m')).toBe(5400);
    expect(parseDuration('1.5d')).toBe(1.5 * 86400);
    expect(parseDuration('off')).toBeNull();
    expect(parseDuration('26 hours')).toBeUndefined();
  });

  it('defaults from the schedule: its longest gap plus 2 h, when that gap is an hour or more', () => {
    expect(expectedEverySeconds(undefined, '0 2 * * *', 'America/New_York')).toBe(26 * 3600);
    // Weekdays only: Friday night to Monday night is the longest gap.
    expect(expectedEverySeconds(undefined, '0 2 * * 1-5', 'America/New_York')).toBe(3 * 86400 + 2 * 3600);
    expect(expectedEverySeconds(undefined, '*/5 * * * * *', 'America/New_York')).toBeNull();
    expect(expectedEverySeconds(undefined, undefined, 'America/New_York')).toBeNull();
  });

  it('a configured value wins, and off means no expectation', () => {
    expect(expectedEverySeconds('8d', '0 2 * * *', 'UTC')).toBe(8 * 86400);
    expect(expectedEverySeconds('off', '0 2 * * *', 'UTC')).toBeNull();
    expect(expectedEverySeconds('3h', undefined, 'UTC')).toBe(3 * 3600);
  });
});
