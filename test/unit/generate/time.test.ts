import { describe, expect, it } from 'vitest';
import { DateTime } from 'luxon';
import { civil, existingLocal, formatDate, isoOffset, isoUtc, localMinutes } from '../../../src/generate/time.ts';
import { rngFor } from '../../../src/generate/prng.ts';

describe('generator time arithmetic agrees with luxon (America/New_York)', () => {
  it('calendar fields, all five LIMS date styles, UTC and offsets across DST changes', () => {
    const rng = rngFor(1, 99);
    const start = localMinutes(2022, 12, 1);
    const end = localMinutes(2027, 1, 1);
    const samples = Array.from({ length: 3000 }, () => rng.int(start, end));
    // The hours around the 2024 switches, where a wrong rule shows.
    for (const [m, d] of [[3, 10], [11, 3]] as const) for (let h = 0; h < 4; h++) samples.push(localMinutes(2024, m, d, h, 30));
    for (const t of samples) {
      const c = civil(t);
      const local = DateTime.fromObject({ year: c.y, month: c.m, day: c.d, hour: c.hh, minute: c.mi }, { zone: 'America/New_York' });
      if (local.hour !== c.hh) {
        // 02:xx on the spring-forward day does not exist: the world moves such times an hour on.
        expect(existingLocal(t)).toBe(t + 60);
        continue;
      }
      expect(existingLocal(t)).toBe(t);
      expect(formatDate(t, 'MM/DD/YYYY HH:MM')).toBe(local.toFormat('MM/dd/yyyy HH:mm'));
      expect(formatDate(t, 'M/D/YY')).toBe(local.toFormat('M/d/yy'));
      expect(formatDate(t, 'DD-MON-YYYY')).toBe(local.toFormat('dd-LLL-yyyy').toUpperCase());
      expect(formatDate(t, 'YYYY-MM-DD')).toBe(local.toISODate());
      expect(isoOffset(t)).toBe(local.toISO({ suppressMilliseconds: true }));
      expect(isoUtc(t)).toBe(local.toUTC().toISO({ suppressMilliseconds: true })?.replace('.000', ''));
    }
  });

  it('the PRNG is reproducible and roughly uniform', () => {
    const a = rngFor(7, 1, 2);
    const b = rngFor(7, 1, 2);
    const xs = Array.from({ length: 20000 }, () => a.float());
    expect(Array.from({ length: 20000 }, () => b.float())).toEqual(xs);
    const buckets = new Array(10).fill(0) as number[];
    for (const x of xs) buckets[Math.floor(x * 10)]!++;
    for (const n of buckets) expect(Math.abs(n - 2000)).toBeLessThan(200);
    expect(rngFor(7, 1, 3).float()).not.toBe(rngFor(7, 1, 2).float());
  });
});
