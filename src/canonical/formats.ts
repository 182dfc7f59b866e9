/**
 * The `date-time` and `date` formats of the canonical schemas, checked without allocating.
 *
 * Canonical records carry instants as RFC 3339 / ISO-8601 `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`,
 * as the mapping's date operations write them. These checks are stricter than ajv-formats' (upper-case
 * `T` and `Z` only, a colon in the offset, at most 9 fraction digits) and several times faster: they
 * run on every date of every record. Calendar validity is checked (no 2024-02-30); a leap second
 * (:60) is accepted only at 23:59 UTC, as ajv-formats does.
 */

const DATE_TIME_SHAPE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/;
const DATE_SHAPE = /^\d{4}-\d{2}-\d{2}$/;

/** Two ASCII digits at `i` as a number (the shape regex has already checked they are digits). */
function two(s: string, i: number): number {
  return (s.charCodeAt(i) - 48) * 10 + (s.charCodeAt(i + 1) - 48);
}

function validYmd(s: string): boolean {
  const year = two(s, 0) * 100 + two(s, 2);
  const month = two(s, 5);
  const day = two(s, 8);
  if (month < 1 || month > 12 || day < 1) return false;
  if (day <= 28) return true;
  if (month === 2) return day === 29 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return day <= (month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31);
}

/** RFC 3339 full-date: `2024-03-01`. */
export function isIsoDate(s: string): boolean {
  return DATE_SHAPE.test(s) && validYmd(s);
}

/** RFC 3339 date-time with a mandatory offset: `2024-03-01T14:05:00-05:00`, `2024-03-01T19:05:00.123Z`. */
export function isIsoDateTime(s: string): boolean {
  if (!DATE_TIME_SHAPE.test(s) || !validYmd(s)) return false;
  const hour = two(s, 11);
  const minute = two(s, 14);
  const second = two(s, 17);
  let offsetMinutes = 0;
  if (s.charCodeAt(s.length - 1) !== 90 /* Z */) {
    const at = s.length - 6;
    const oh = two(s, at + 1);
    const om = two(s, at + 4);
    if (oh > 23 || om > 59) return false;
    offsetMinutes = (s.charCodeAt(at) === 45 /* - */ ? -1 : 1) * (oh * 60 + om);
  }
  if (hour > 23 || minute > 59) return false;
  if (second < 60) return true;
  if (second > 60) return false;
  // A leap second exists only at 23:59:60 UTC.
  const utc = (((hour * 60 + minute - offsetMinutes) % 1440) + 1440) % 1440;
  return utc === 23 * 60 + 59;
}
