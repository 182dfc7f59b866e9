/**
 * Date arithmetic and formatting for the generator, without a date library in the hot path.
 *
 * The world keeps every instant as a **local wall-clock minute count** in Connecticut
 * (America/New_York): minutes since 1970-01-01T00:00 local time. LIMS and RMS exports print that
 * wall-clock time as-is (no offset, as such exports do); feeds that carry UTC (NIBIN NDJSON) convert
 * with the US daylight-saving rule (second Sunday of March 02:00 to first Sunday of November 02:00).
 */

export const MINUTES_PER_DAY = 1440;

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'] as const;

/** Days since 1970-01-01 for a proleptic Gregorian date (H. Hinnant's days_from_civil). */
export function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (m + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

export interface Civil {
  y: number;
  m: number;
  d: number;
  hh: number;
  mi: number;
}

/** Break local minutes into calendar fields. */
export function civil(minutes: number): Civil {
  const days = Math.floor(minutes / MINUTES_PER_DAY);
  const rem = minutes - days * MINUTES_PER_DAY;
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  return { y, m, d, hh: Math.floor(rem / 60), mi: rem % 60 };
}

export function localMinutes(y: number, m: number, d: number, hh = 0, mi = 0): number {
  return daysFromCivil(y, m, d) * MINUTES_PER_DAY + hh * 60 + mi;
}

const p2 = (n: number): string => (n < 10 ? '0' + n : String(n));
const p4 = (n: number): string => String(n).padStart(4, '0');

/** The date shapes the LIMS CSV mixes (see mappings/lims-csv/README.md). */
export type DateStyle = 'MM/DD/YYYY' | 'M/D/YY' | 'YYYY-MM-DD' | 'MM/DD/YYYY HH:MM' | 'DD-MON-YYYY';

export function formatDate(minutes: number, style: DateStyle): string {
  return formatCivil(civil(minutes), style);
}

export function formatCivil(c: Civil, style: DateStyle): string {
  switch (style) {
    case 'MM/DD/YYYY':
      return `${p2(c.m)}/${p2(c.d)}/${p4(c.y)}`;
    case 'M/D/YY':
      return `${c.m}/${c.d}/${p2(c.y % 100)}`;
    case 'YYYY-MM-DD':
      return `${p4(c.y)}-${p2(c.m)}-${p2(c.d)}`;
    case 'MM/DD/YYYY HH:MM':
      return `${p2(c.m)}/${p2(c.d)}/${p4(c.y)} ${p2(c.hh)}:${p2(c.mi)}`;
    case 'DD-MON-YYYY':
      return `${p2(c.d)}-${MONTHS[c.m - 1]}-${p4(c.y)}`;
  }
}

/** Remembers the last conversion: consecutive rows of one case print the same instants. */
export class CivilCache {
  private minutes = Number.NaN;
  private value: Civil = { y: 1970, m: 1, d: 1, hh: 0, mi: 0 };

  get(minutes: number): Civil {
    if (minutes !== this.minutes) {
      this.minutes = minutes;
      this.value = civil(minutes);
    }
    return this.value;
  }

  format(minutes: number, style: DateStyle): string {
    return formatCivil(this.get(minutes), style);
  }
}

/** `2024-03-01` */
export function isoDate(minutes: number): string {
  return formatDate(minutes, 'YYYY-MM-DD');
}

/** `2024-03-01T22:14:00` (local wall clock, no offset). */
export function isoLocal(minutes: number): string {
  const c = civil(minutes);
  return `${p4(c.y)}-${p2(c.m)}-${p2(c.d)}T${p2(c.hh)}:${p2(c.mi)}:00`;
}

const dstCache = new Map<number, [number, number]>();

/** [start, end) of daylight saving time in local minutes for a year (US rule since 2007). */
function dstWindow(y: number): [number, number] {
  let w = dstCache.get(y);
  if (!w) {
    const mar1 = daysFromCivil(y, 3, 1);
    const nov1 = daysFromCivil(y, 11, 1);
    // 1970-01-01 was a Thursday: weekday 0 = Sunday is (days + 4) mod 7.
    const firstSunMar = mar1 + ((7 - ((mar1 + 4) % 7)) % 7);
    const firstSunNov = nov1 + ((7 - ((nov1 + 4) % 7)) % 7);
    // Starts 02:00 local (clocks jump to 03:00); ends when 01:00 local comes round the second time:
    // the repeated hour 01:00-01:59 is read as standard time, as luxon (and so the mappings) read it.
    w = [(firstSunMar + 7) * MINUTES_PER_DAY + 120, firstSunNov * MINUTES_PER_DAY + 60];
    dstCache.set(y, w);
  }
  return w;
}

/**
 * A local time that exists: 02:00-02:59 on the spring-forward day does not, and is moved an hour on
 * (what a clock would show). The world passes every instant it prints through this.
 */
export function existingLocal(minutes: number): number {
  const [start] = dstWindow(civil(minutes).y);
  return minutes >= start && minutes < start + 60 ? minutes + 60 : minutes;
}

/** UTC offset of a Connecticut local time in minutes (-240 in summer, -300 in winter). */
export function utcOffset(minutes: number): number {
  const [start, end] = dstWindow(civil(minutes).y);
  return minutes >= start && minutes < end ? -240 : -300;
}

/** `2024-03-02T03:14:00Z`: the local time converted to UTC. */
export function isoUtc(minutes: number): string {
  const u = minutes - utcOffset(minutes);
  const c = civil(u);
  return `${p4(c.y)}-${p2(c.m)}-${p2(c.d)}T${p2(c.hh)}:${p2(c.mi)}:00Z`;
}

/** `2024-03-01T22:14:00-05:00`: local time with its offset. */
export function isoOffset(minutes: number): string {
  const off = -utcOffset(minutes);
  return `${isoLocal(minutes)}-${p2(Math.floor(off / 60))}:${p2(off % 60)}`;
}

export function yearOf(minutes: number): number {
  return civil(minutes).y;
}
