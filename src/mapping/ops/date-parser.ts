/**
 * Compiles date formats (luxon token syntax, a documented subset) into matchers, once per mapping.
 * Parsing is hand-compiled for speed: exports carry millions of dates. Time zones are resolved by luxon,
 * with the offset cached per zone and local hour, so DST rules stay luxon's (and the IANA database's).
 *
 * Supported tokens: yyyy yy MMMM MMM MM M dd d HH H hh h mm ss S SS SSS (any run of S: exactly that many
 * fraction digits, kept to the millisecond) a ZZ Z, quoted literals ('T'), any other character is literal.
 * Two named presets stand for the XML Schema lexical forms, so nobody has to spell them: `xs:dateTime`
 * (any number of fraction digits, offset Z, +hh:mm or none, 24:00:00 as the end of the day) and
 * `xs:date` (with an optional offset). A gap in local time (spring forward) moves forward by the gap;
 * an ambiguous time (fall back) takes the earlier offset, as luxon does.
 */
import { IANAZone } from 'luxon';

export interface ParsedDate {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millis: number;
  hasTime: boolean;
  /** Minutes east of UTC when the input carried an offset; null otherwise. */
  offset: number | null;
  /** Set by an AM/PM marker; applied after every token is read, wherever the marker stands. */
  pm: boolean | null;
}

type Setter = (d: ParsedDate, s: string) => boolean;

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const MONTHS_LONG = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];

interface TokenSpec {
  re: string;
  set: Setter;
  time?: boolean;
}

function tokenSpec(tok: string, pivot: number): TokenSpec | null {
  switch (tok) {
    case 'yyyy':
      return { re: '(\\d{4})', set: (d, s) => ((d.year = +s), true) };
    case 'yy':
      return { re: '(\\d{2})', set: (d, s) => ((d.year = +s < pivot ? 2000 + +s : 1900 + +s), true) };
    case 'MMMM':
      return { re: '([A-Za-z]+)', set: (d, s) => ((d.month = MONTHS_LONG.indexOf(s.toLowerCase()) + 1), d.month > 0) };
    case 'MMM':
      return { re: '([A-Za-z]{3})', set: (d, s) => ((d.month = MONTHS.indexOf(s.toLowerCase()) + 1), d.month > 0) };
    case 'MM':
      return { re: '(\\d{2})', set: (d, s) => ((d.month = +s), true) };
    case 'M':
      return { re: '(\\d{1,2})', set: (d, s) => ((d.month = +s), true) };
    case 'dd':
      return { re: '(\\d{2})', set: (d, s) => ((d.day = +s), true) };
    case 'd':
      return { re: '(\\d{1,2})', set: (d, s) => ((d.day = +s), true) };
    case 'HH':
      return { re: '(\\d{2})', set: (d, s) => ((d.hour = +s), true), time: true };
    case 'H':
      return { re: '(\\d{1,2})', set: (d, s) => ((d.hour = +s), true), time: true };
    case 'hh':
      return { re: '(\\d{2})', set: (d, s) => ((d.hour = +s % 12), +s >= 1 && +s <= 12), time: true };
    case 'h':
      return { re: '(\\d{1,2})', set: (d, s) => ((d.hour = +s % 12), +s >= 1 && +s <= 12), time: true };
    case 'a':
      return { re: '([AaPp][Mm])', set: (d, s) => ((d.pm = s[0] === 'P' || s[0] === 'p'), true), time: true };
    case 'mm':
      return { re: '(\\d{2})', set: (d, s) => ((d.minute = +s), true), time: true };
    case 'ss':
      return { re: '(\\d{2})', set: (d, s) => ((d.second = +s), true), time: true };
    case 'ZZ':
    case 'Z':
      return {
        re: '(Z|[+-]\\d{2}:?\\d{2})',
        set: (d, s) => {
          if (s === 'Z') d.offset = 0;
          else {
            const sign = s[0] === '-' ? -1 : 1;
            const digits = s.slice(1).replace(':', '');
            d.offset = sign * (+digits.slice(0, 2) * 60 + +digits.slice(2, 4));
          }
          return true;
        },
      };
    default:
      if (/^S+$/.test(tok)) return { re: `(\\d{${tok.length}})`, set: (d, s) => ((d.millis = fractionToMillis(s)), true), time: true };
      return null;
  }
}

/** `5` -> 500, `05` -> 50, `1234567` -> 123: a decimal fraction of a second, kept to the millisecond. */
function fractionToMillis(digits: string): number {
  return digits.length >= 3 ? +digits.slice(0, 3) : +digits.padEnd(3, '0');
}

function offsetMinutes(s: string): number | null {
  if (s === 'Z') return 0;
  const h = +s.slice(1, 3);
  const m = +s.slice(4, 6);
  if (h > 14 || m > 59 || (h === 14 && m > 0)) return null;
  return (s[0] === '-' ? -1 : 1) * (h * 60 + m);
}

/** The named presets of the `formats` list. */
export const DATE_PRESETS = ['xs:dateTime', 'xs:date'] as const;

const XS_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})?$/;
const XS_DATE = /^(\d{4})-(\d{2})-(\d{2})(Z|[+-]\d{2}:\d{2})?$/;

function presetMatcher(name: string): DateMatcher | null {
  if (name === 'xs:dateTime') {
    return (s) => {
      const m = XS_DATE_TIME.exec(s);
      if (!m) return null;
      const offset = m[8] === undefined ? null : offsetMinutes(m[8]);
      if (m[8] !== undefined && offset === null) return null;
      const d: ParsedDate = { year: +m[1]!, month: +m[2]!, day: +m[3]!, hour: +m[4]!, minute: +m[5]!, second: +m[6]!, millis: m[7] ? fractionToMillis(m[7]) : 0, hasTime: true, offset, pm: null };
      // 24:00:00 is the end of the day in XML Schema: the next day's midnight.
      if (d.hour === 24 && d.minute === 0 && d.second === 0 && !/[1-9]/.test(m[7] ?? '')) {
        d.hour = 0;
        if (!isValid(d)) return null;
        const t = new Date(Date.UTC(d.year, d.month - 1, d.day + 1));
        d.year = t.getUTCFullYear();
        d.month = t.getUTCMonth() + 1;
        d.day = t.getUTCDate();
      }
      return isValid(d) ? d : null;
    };
  }
  if (name === 'xs:date') {
    return (s) => {
      const m = XS_DATE.exec(s);
      if (!m) return null;
      const offset = m[4] === undefined ? null : offsetMinutes(m[4]);
      if (m[4] !== undefined && offset === null) return null;
      const d: ParsedDate = { year: +m[1]!, month: +m[2]!, day: +m[3]!, hour: 0, minute: 0, second: 0, millis: 0, hasTime: false, offset, pm: null };
      return isValid(d) ? d : null;
    };
  }
  return null;
}

const TOKEN_RE = /'([^']*)'|(yyyy|yy|MMMM|MMM|MM|M|dd|d|HH|H|hh|h|mm|ss|S{1,9}|ZZ|Z|a)|([A-Za-z])|([^A-Za-z']+)/g;

export type DateMatcher = (s: string) => ParsedDate | null;

/** Compile one format; throws with a readable message on a token it does not support. */
export function compileDateFormat(format: string, pivot: number): DateMatcher {
  const preset = presetMatcher(format);
  if (preset) return preset;
  if (format.startsWith('xs:')) throw new Error(`date format "${format}": unknown preset (presets: ${DATE_PRESETS.join(', ')})`);
  let re = '^';
  const setters: Setter[] = [];
  let hasTime = false;
  for (const m of format.matchAll(TOKEN_RE)) {
    if (m[1] !== undefined) re += escapeRe(m[1]);
    else if (m[2] !== undefined) {
      const spec = tokenSpec(m[2], pivot)!;
      re += spec.re;
      setters.push(spec.set);
      if (spec.time) hasTime = true;
    } else if (m[3] !== undefined) {
      throw new Error(`date format "${format}": unsupported token "${m[3]}" (supported: yyyy yy MMMM MMM MM M dd d HH H hh h mm ss S SS SSS (one S per fraction digit) a Z; quote literal letters like 'T'; or a preset: ${DATE_PRESETS.join(', ')})`);
    } else re += escapeRe(m[4]!);
  }
  const regex = new RegExp(re + '$');
  return (s) => {
    const m = regex.exec(s);
    if (!m) return null;
    const d: ParsedDate = { year: 0, month: 1, day: 1, hour: 0, minute: 0, second: 0, millis: 0, hasTime, offset: null, pm: null };
    for (let i = 0; i < setters.length; i++) if (!setters[i]!(d, m[i + 1]!)) return null;
    if (d.pm !== null) d.hour = (d.hour % 12) + (d.pm ? 12 : 0);
    return isValid(d) ? d : null;
  };
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
function isValid(d: ParsedDate): boolean {
  if (d.month < 1 || d.month > 12 || d.day < 1) return false;
  const leap = (d.year % 4 === 0 && d.year % 100 !== 0) || d.year % 400 === 0;
  const max = d.month === 2 && leap ? 29 : DAYS[d.month - 1]!;
  return d.day <= max && d.hour < 24 && d.minute < 60 && d.second < 60;
}

interface LocalResolution {
  /** UTC offset in minutes. */
  offset: number;
  /** Minutes to move the wall-clock time forward (a time in a spring-forward gap). */
  shift: number;
}

const resolutionCache = new Map<string, LocalResolution>();
const zones = new Map<string, IANAZone>();

function zoneOf(name: string): IANAZone {
  let z = zones.get(name);
  if (!z) zones.set(name, (z = IANAZone.create(name)));
  return z;
}

/**
 * How a local wall-clock hour in a zone maps to UTC, decided from the zone's rules alone (never from
 * today's date): the offsets in force 14 hours before and after are the candidates; an offset that
 * reproduces the wall time is a solution. Two solutions (fall back): the earlier instant, i.e. the
 * larger offset. None (spring forward): the offset before the gap, which moves the wall time forward.
 */
function resolveLocal(zone: string, d: ParsedDate): LocalResolution {
  // Most days have one offset all day: cache those per day; resolve transition days per hour.
  const dayKey = `${zone}|${d.year}|${d.month}|${d.day}`;
  let r = resolutionCache.get(dayKey);
  if (r !== undefined) return r;
  const hourKey = `${dayKey}|${d.hour}`;
  r = resolutionCache.get(hourKey);
  if (r !== undefined) return r;
  const z = zoneOf(zone);
  const dayStart = Date.UTC(d.year, d.month - 1, d.day);
  const morning = z.offset(dayStart - 14 * 3_600_000);
  const evening = z.offset(dayStart + 38 * 3_600_000);
  if (morning === evening && z.offset(dayStart + 12 * 3_600_000) === morning) {
    r = { offset: morning, shift: 0 };
    if (resolutionCache.size > 200_000) resolutionCache.clear();
    resolutionCache.set(dayKey, r);
    return r;
  }
  const asUtc = Date.UTC(d.year, d.month - 1, d.day, d.hour, 30);
  const before = z.offset(asUtc - 14 * 3_600_000);
  const after = z.offset(asUtc + 14 * 3_600_000);
  const solutions = [...new Set([before, after])].filter((o) => z.offset(asUtc - o * 60_000) === o);
  if (solutions.length) r = { offset: Math.max(...solutions), shift: 0 };
  else {
    const instant = asUtc - before * 60_000;
    const actual = z.offset(instant);
    r = { offset: actual, shift: actual - before };
  }
  if (resolutionCache.size > 200_000) resolutionCache.clear();
  resolutionCache.set(hourKey, r);
  return r;
}

/**
 * The UTC offset (minutes) of a local time in an IANA zone. A time that does not exist (spring-forward
 * gap) is first moved forward by the gap, in place.
 */
export function zoneOffset(zone: string, d: ParsedDate): number {
  const r = resolveLocal(zone, d);
  if (r.shift) {
    const t = new Date(Date.UTC(d.year, d.month - 1, d.day, d.hour, d.minute + r.shift, d.second));
    d.year = t.getUTCFullYear();
    d.month = t.getUTCMonth() + 1;
    d.day = t.getUTCDate();
    d.hour = t.getUTCHours();
    d.minute = t.getUTCMinutes();
  }
  return r.offset;
}

export function isValidZone(zone: string): boolean {
  return IANAZone.isValidZone(zone);
}

const p2 = (n: number): string => (n < 10 ? '0' + n : String(n));
const p4 = (n: number): string => String(n).padStart(4, '0');

export function formatIsoDate(d: ParsedDate): string {
  return `${p4(d.year)}-${p2(d.month)}-${p2(d.day)}`;
}

/** ISO-8601 with the offset, e.g. 2026-03-14T14:22:00-04:00; milliseconds only when the input had them. */
export function formatIsoDateTime(d: ParsedDate, offset: number): string {
  const sign = offset < 0 ? '-' : '+';
  const a = Math.abs(offset);
  const ms = d.millis ? '.' + String(d.millis).padStart(3, '0') : '';
  return `${formatIsoDate(d)}T${p2(d.hour)}:${p2(d.minute)}:${p2(d.second)}${ms}${sign}${p2(Math.floor(a / 60))}:${p2(a % 60)}`;
}
