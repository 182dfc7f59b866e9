/**
 * The `date` operation in depth: time zones and DST, two-digit years, date-only values, month names,
 * 12-hour clocks, explicit offsets, the agency's time zone, and compile-time format checks.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCodeTables } from '../../../src/codes/index.ts';
import { ConfigProblems } from '../../../src/config/problems.ts';
import { compileSpec } from '../../../src/mapping/load.ts';
import { date } from '../../../src/mapping/ops/date.ts';
import { compileDateFormat } from '../../../src/mapping/ops/date-parser.ts';
import type { CompileEnv } from '../../../src/mapping/ops/index.ts';
import { FAIL, RunContext } from '../../../src/mapping/runtime.ts';
import type { MappingSpec } from '../../../src/mapping/spec.ts';
import { fieldsOf, mapText } from './helpers.ts';

let env: CompileEnv;
beforeAll(async () => {
  env = { codeTables: await loadCodeTables(), timezone: 'America/New_York' };
});

interface Parsed {
  out: unknown;
  codes: string[];
  messages: string[];
}

function parse(args: Record<string, unknown>, value: string, zone = 'America/New_York'): Parsed {
  const run = new RunContext(zone);
  const out = date.compile(args, env)(value, run, { field: 'occurredAt', source: 'OFFENSE_DATE' });
  return { out: out === FAIL ? 'FAIL' : out, codes: run.errors.map((e) => e.code), messages: run.errors.map((e) => e.message) };
}

const ok = (out: string): Parsed => ({ out, codes: [], messages: [] });
const DT = { formats: ['MM/dd/yyyy HH:mm', 'MM/dd/yyyy'] };

describe('daylight saving time (America/New_York)', () => {
  it('writes daylight time in March and standard time in January', () => {
    expect(parse(DT, '03/14/2026 14:22')).toEqual(ok('2026-03-14T14:22:00-04:00'));
    expect(parse(DT, '01/14/2026 14:22')).toEqual(ok('2026-01-14T14:22:00-05:00'));
    expect(parse(DT, '07/04/2026 23:59')).toEqual(ok('2026-07-04T23:59:00-04:00'));
  });

  it('switches at 2:00 on the second Sunday of March', () => {
    expect(parse(DT, '03/08/2026 01:59').out).toBe('2026-03-08T01:59:00-05:00');
    expect(parse(DT, '03/08/2026 03:00').out).toBe('2026-03-08T03:00:00-04:00');
  });

  // BUG (src/mapping/ops/date.ts + date-parser.ts formatIsoDateTime): 02:30 does not exist on 2026-03-08
  // in New York. The parser's contract ("a gap in local time moves forward by the gap") means 03:30-04:00;
  // the engine writes the unmoved wall time with the daylight offset, 02:30-04:00, which is the instant
  // 01:30 EST: an hour earlier than the contract, and a local time that never happened.
  it('moves a time in the spring-forward gap forward by the gap', () => {
    expect(parse(DT, '03/08/2026 02:30').out).toBe('2026-03-08T03:30:00-04:00');
  });

  it('switches back at 2:00 on the first Sunday of November', () => {
    expect(parse(DT, '11/01/2026 00:59').out).toBe('2026-11-01T00:59:00-04:00');
    expect(parse(DT, '11/01/2026 02:00').out).toBe('2026-11-01T02:00:00-05:00');
  });

  // BUG (src/mapping/ops/date-parser.ts zoneOffset): an ambiguous fall-back time is documented to take
  // "the earlier offset, as luxon does". luxon's DateTime.fromObject resolves the overlap from its guess
  // of the zone's offset *now*, so the answer depends on the day the hub runs: New York 01:30 on
  // 2026-11-01 is -04:00 when run in summer and -05:00 when run in winter, and in the same run a zone in
  // the other hemisphere (Sydney, fall-back 2026-04-05 03:00 -> 02:00) resolves the other way. Whatever
  // the season, one of these two expectations fails.
  it('resolves an ambiguous fall-back time to the earlier offset, whatever the date the hub runs on', () => {
    expect(parse(DT, '11/01/2026 01:30').out).toBe('2026-11-01T01:30:00-04:00');
    expect(parse(DT, '04/05/2026 02:30', 'Australia/Sydney').out).toBe('2026-04-05T02:30:00+11:00');
  });

  it('uses fractional offsets where the zone has them', () => {
    expect(parse(DT, '01/15/2026 12:00', 'Asia/Kathmandu').out).toBe('2026-01-15T12:00:00+05:45');
    expect(parse(DT, '01/15/2026 12:00', 'America/St_Johns').out).toBe('2026-01-15T12:00:00-03:30');
  });
});

describe('two-digit years', () => {
  const YY = { formats: ['M/d/yy'], output: 'date' };
  it('reads years below the default pivot 50 as 20yy and the others as 19yy', () => {
    expect(parse(YY, '3/14/26').out).toBe('2026-03-14');
    expect(parse(YY, '3/14/87').out).toBe('1987-03-14');
    expect(parse(YY, '3/14/49').out).toBe('2049-03-14');
    expect(parse(YY, '3/14/50').out).toBe('1950-03-14');
    expect(parse(YY, '12/1/00').out).toBe('2000-12-01');
  });

  it('follows pivotYear', () => {
    expect(parse({ ...YY, pivotYear: 30 }, '3/14/29').out).toBe('2029-03-14');
    expect(parse({ ...YY, pivotYear: 30 }, '3/14/30').out).toBe('1930-03-14');
    expect(parse({ ...YY, pivotYear: 0 }, '3/14/05').out).toBe('1905-03-14');
    expect(parse({ ...YY, pivotYear: 100 }, '3/14/99').out).toBe('2099-03-14');
  });

  it('does not take a four-digit year for yy', () => {
    expect(parse(YY, '3/14/2026').codes).toEqual(['HUB_ERR_RECORD_DATE']);
  });
});

describe('date-only values', () => {
  it('with output date, is a calendar date without time or zone', () => {
    expect(parse({ formats: ['MM/dd/yyyy'], output: 'date' }, '03/14/2026')).toEqual(ok('2026-03-14'));
  });

  it('with output date, keeps the date part of a date-time as written', () => {
    expect(parse({ formats: ['MM/dd/yyyy HH:mm'], output: 'date' }, '03/14/2026 23:30').out).toBe('2026-03-14');
    expect(parse({ formats: ["yyyy-MM-dd'T'HH:mm:ssZ"], output: 'date' }, '2026-03-14T23:22:00-05:00').out).toBe('2026-03-14');
  });

  it('with dateOnly midnight (the default), becomes local midnight with that day\'s offset', () => {
    expect(parse({ formats: ['MM/dd/yyyy'] }, '03/14/2026').out).toBe('2026-03-14T00:00:00-04:00');
    expect(parse({ formats: ['MM/dd/yyyy'], dateOnly: 'midnight' }, '01/14/2026').out).toBe('2026-01-14T00:00:00-05:00');
  });

  it('with dateOnly error, is HUB_ERR_RECORD_DATE saying a time is required', () => {
    const r = parse({ formats: ['MM/dd/yyyy HH:mm', 'MM/dd/yyyy'], dateOnly: 'error' }, '03/14/2026');
    expect(r.codes).toEqual(['HUB_ERR_RECORD_DATE']);
    expect(r.messages[0]).toContain('a time is required');
    expect(r.messages[0]).toContain('"03/14/2026"');
  });

  it('with dateOnly error, still accepts a value with a time', () => {
    expect(parse({ formats: ['MM/dd/yyyy', 'MM/dd/yyyy HH:mm'], dateOnly: 'error' }, '03/14/2026 14:22').out).toBe('2026-03-14T14:22:00-04:00');
  });
});

describe('month names', () => {
  it('reads MMM abbreviations in any case', () => {
    expect(parse({ formats: ['dd-MMM-yyyy'], output: 'date' }, '14-MAR-2026').out).toBe('2026-03-14');
    expect(parse({ formats: ['dd-MMM-yyyy'], output: 'date' }, '14-mar-2026').out).toBe('2026-03-14');
    expect(parse({ formats: ['dd-MMM-yyyy'], output: 'date' }, '01-Dec-2025').out).toBe('2025-12-01');
  });

  it('reads MMMM full names', () => {
    expect(parse({ formats: ['MMMM d, yyyy'], output: 'date' }, 'September 3, 2026').out).toBe('2026-09-03');
  });

  it('refuses a word that is no month', () => {
    expect(parse({ formats: ['dd-MMM-yyyy'] }, '14-Xyz-2026').codes).toEqual(['HUB_ERR_RECORD_DATE']);
    expect(parse({ formats: ['MMMM d, yyyy'] }, 'Marchember 3, 2026').codes).toEqual(['HUB_ERR_RECORD_DATE']);
  });
});

describe('12-hour clocks', () => {
  const H12 = { formats: ['MM/dd/yyyy hh:mm a', 'MM/dd/yyyy h:mm a'] };
  it('adds 12 hours for PM and reads 12 AM as midnight and 12 PM as noon', () => {
    expect(parse(H12, '03/14/2026 02:22 PM').out).toBe('2026-03-14T14:22:00-04:00');
    expect(parse(H12, '03/14/2026 02:22 AM').out).toBe('2026-03-14T02:22:00-04:00');
    expect(parse(H12, '03/14/2026 12:05 AM').out).toBe('2026-03-14T00:05:00-04:00');
    expect(parse(H12, '03/14/2026 12:05 PM').out).toBe('2026-03-14T12:05:00-04:00');
    expect(parse(H12, '03/14/2026 2:22 pm').out).toBe('2026-03-14T14:22:00-04:00');
  });

  it('refuses an hour outside 1-12', () => {
    expect(parse(H12, '03/14/2026 13:22 PM').codes).toEqual(['HUB_ERR_RECORD_DATE']);
    expect(parse(H12, '03/14/2026 00:22 AM').codes).toEqual(['HUB_ERR_RECORD_DATE']);
  });

  // BUG (src/mapping/ops/date-parser.ts, tokenSpec 'a' and 'hh'/'h'): setters run in format order, 'a'
  // adds 12 to d.hour and the hour token then overwrites d.hour, so a marker written before the hour is
  // lost: "PM 02:22 03/14/2026" with "a hh:mm MM/dd/yyyy" gives 02:22 instead of 14:22.
  it('reads an AM/PM marker written before the hour', () => {
    expect(parse({ formats: ['a hh:mm MM/dd/yyyy'] }, 'PM 02:22 03/14/2026').out).toBe('2026-03-14T14:22:00-04:00');
  });
});

describe('values with their own offset', () => {
  const ISO = { formats: ["yyyy-MM-dd'T'HH:mm:ss.SSSZ", "yyyy-MM-dd'T'HH:mm:ssZ"] };
  it('keeps Z and explicit offsets, whatever the zone', () => {
    expect(parse(ISO, '2026-03-14T18:22:00Z').out).toBe('2026-03-14T18:22:00+00:00');
    expect(parse(ISO, '2026-03-14T18:22:00+05:30', 'America/Chicago').out).toBe('2026-03-14T18:22:00+05:30');
    expect(parse(ISO, '2026-01-14T18:22:00-0700').out).toBe('2026-01-14T18:22:00-07:00');
  });

  it('keeps milliseconds only when the value has them', () => {
    expect(parse(ISO, '2026-03-14T18:22:00.120Z').out).toBe('2026-03-14T18:22:00.120+00:00');
    expect(parse(ISO, '2026-03-14T18:22:00Z').out).not.toContain('.');
  });
});

describe('time zones', () => {
  it('with timezone agency (the default), uses the run\'s zone: the agency\'s', () => {
    expect(parse(DT, '03/14/2026 14:22', 'America/Chicago').out).toBe('2026-03-14T14:22:00-05:00');
    expect(parse({ ...DT, timezone: 'agency' }, '03/14/2026 14:22', 'America/Chicago').out).toBe('2026-03-14T14:22:00-05:00');
    expect(parse(DT, '03/14/2026 14:22', 'America/Phoenix').out).toBe('2026-03-14T14:22:00-07:00');
  });

  it('with a fixed zone, ignores the run\'s zone', () => {
    expect(parse({ ...DT, timezone: 'America/Los_Angeles' }, '03/14/2026 14:22', 'America/Chicago').out).toBe('2026-03-14T14:22:00-07:00');
  });

  it('through mapStream: the agency zone given to the run wins over the mapping\'s timezone', async () => {
    const spec: MappingSpec = {
      id: 'tz-test',
      version: 1,
      direction: 'inbound',
      timezone: 'America/Denver',
      source: { format: 'csv' },
      records: [
        {
          type: 'Case',
          fields: {
            agencyOri: 'ORI',
            agencyCaseNumber: 'CASE',
            occurredAt: { from: 'WHEN', ops: [{ date: { formats: ['MM/dd/yyyy HH:mm'] } }] },
          },
        },
      ],
    };
    const csv = 'ORI,CASE,WHEN\nCT0015100,C1,03/14/2026 14:22\n';
    const mappingZone = await mapText(spec, csv);
    expect(fieldsOf(mappingZone.records[0]!).occurredAt).toBe('2026-03-14T14:22:00-06:00');
    const agencyZone = await mapText(spec, csv, { timezone: 'America/Chicago' });
    expect(fieldsOf(agencyZone.records[0]!).occurredAt).toBe('2026-03-14T14:22:00-05:00');
  });
});

describe('formats', () => {
  it('throws at compile time on an unsupported token, telling to quote literal letters', () => {
    expect(() => date.compile({ formats: ['yyyy-MM-ddTHH:mm'] }, env)).toThrow(/unsupported token "T".*quote literal letters/);
    expect(() => compileDateFormat('dd.MM.yyyy EEE', 50)).toThrow('unsupported token "E"');
  });

  it('accepts quoted literal letters', () => {
    expect(parse({ formats: ["yyyy-MM-dd'T'HH:mm"] }, '2026-03-14T14:22').out).toBe('2026-03-14T14:22:00-04:00');
    expect(parse({ formats: ["dd 'de' MMMM yyyy"], output: 'date' }, '14 de march 2026').out).toBe('2026-03-14');
  });

  it('reports an unsupported token as a located mapping problem', async () => {
    const spec: MappingSpec = {
      id: 'bad-format',
      version: 1,
      direction: 'inbound',
      source: { format: 'json' },
      records: [{ type: 'Case', fields: { agencyOri: 'ori', agencyCaseNumber: 'no', occurredAt: { from: 'when', ops: [{ date: { formats: ['yyyy-MM-ddTHH:mm'] } }] } } }],
    };
    const err = await compileSpec(spec).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigProblems);
    const p = (err as ConfigProblems).problems;
    expect(p.map((x) => [x.code, x.pointer])).toEqual([['HUB_ERR_MAPPING_INVALID', '/records/0/fields/occurredAt/ops/0/date']]);
    expect(p[0]!.message).toContain('unsupported token "T"');
  });

  it('tries the formats in order and names them all when none matches', () => {
    const r = parse({ formats: ['MM/dd/yyyy', 'yyyy-MM-dd'] }, '14.03.2026');
    expect(r.codes).toEqual(['HUB_ERR_RECORD_DATE']);
    expect(r.messages[0]).toBe('occurredAt: "14.03.2026" matches none of the date formats "MM/dd/yyyy", "yyyy-MM-dd"');
  });

  it('matches the whole value (after trimming), not a part of it', () => {
    expect(parse(DT, '  03/14/2026 14:22 ').out).toBe('2026-03-14T14:22:00-04:00');
    expect(parse({ formats: ['MM/dd/yyyy'] }, '03/14/2026 and more').codes).toEqual(['HUB_ERR_RECORD_DATE']);
  });
});

describe('impossible dates and times', () => {
  it('accepts 29 February in leap years only', () => {
    const D = { formats: ['yyyy-MM-dd'], output: 'date' };
    expect(parse(D, '2024-02-29').out).toBe('2024-02-29');
    expect(parse(D, '2000-02-29').out).toBe('2000-02-29');
    expect(parse(D, '2026-02-29').codes).toEqual(['HUB_ERR_RECORD_DATE']);
    expect(parse(D, '1900-02-29').codes).toEqual(['HUB_ERR_RECORD_DATE']);
  });

  it.each([
    ['02/30/2026 10:00', 'day 30 of February'],
    ['04/31/2026 10:00', 'day 31 of April'],
    ['13/01/2026 10:00', 'month 13'],
    ['00/10/2026 10:00', 'month 0'],
    ['01/00/2026 10:00', 'day 0'],
    ['03/14/2026 24:00', 'hour 24'],
    ['03/14/2026 14:60', 'minute 60'],
  ])('refuses %s (%s)', (value) => {
    expect(parse(DT, value).codes).toEqual(['HUB_ERR_RECORD_DATE']);
  });
});

describe('fractions of a second: one S per digit', () => {
  it('reads a one-digit fraction with S, as N-DEx writes 1967-08-13T14:20:00.0Z', () => {
    expect(parse({ formats: ["yyyy-MM-dd'T'HH:mm:ss.SZ"] }, '1967-08-13T14:20:00.0Z')).toEqual(ok('1967-08-13T14:20:00+00:00'));
    expect(parse({ formats: ["yyyy-MM-dd'T'HH:mm:ss.SZ"] }, '1967-08-13T14:20:00.5Z').out).toBe('1967-08-13T14:20:00.500+00:00');
  });

  it('takes exactly as many digits as S letters, and keeps the fraction to the millisecond', () => {
    expect(parse({ formats: ["yyyy-MM-dd'T'HH:mm:ss.SS"] }, '2026-03-14T14:22:00.25').out).toBe('2026-03-14T14:22:00.250-04:00');
    expect(parse({ formats: ["yyyy-MM-dd'T'HH:mm:ss.SSSSSS"] }, '2026-03-14T14:22:00.123456').out).toBe('2026-03-14T14:22:00.123-04:00');
    expect(parse({ formats: ["yyyy-MM-dd'T'HH:mm:ss.SS"] }, '2026-03-14T14:22:00.250').codes).toEqual(['HUB_ERR_RECORD_DATE']);
  });
});

describe('presets xs:dateTime and xs:date', () => {
  const XS = { formats: ['xs:dateTime', 'xs:date'] };

  it.each([
    ['1967-08-13T14:20:00.0Z', '1967-08-13T14:20:00+00:00'],
    ['1997-03-12T00:01:00Z', '1997-03-12T00:01:00+00:00'],
    ['2026-03-14T14:22:00.1234567+05:30', '2026-03-14T14:22:00.123+05:30'],
    ['2026-03-14T14:22:00-07:00', '2026-03-14T14:22:00-07:00'],
    ['2026-03-14T14:22:00.75', '2026-03-14T14:22:00.750-04:00'],
    ['2026-01-14T14:22:00', '2026-01-14T14:22:00-05:00'],
    ['2026-12-31T24:00:00Z', '2027-01-01T00:00:00+00:00'],
    ['2026-03-14', '2026-03-14T00:00:00-04:00'],
    ['2026-03-14Z', '2026-03-14T00:00:00+00:00'],
    ['2026-03-14-08:00', '2026-03-14T00:00:00-08:00'],
  ])('reads %s as %s (values without offset are in the agency zone)', (value, want) => {
    expect(parse(XS, value)).toEqual(ok(want));
  });

  it.each([
    ['2026-03-14T14:22', 'no seconds'],
    ['2026-03-14T14:22:00.', 'a point without digits'],
    ['2026-03-14T14:22:00+0530', 'an offset without its colon'],
    ['2026-03-14T14:22:00+15:00', 'an offset past 14:00'],
    ['2026-02-30T10:00:00', 'day 30 of February'],
    ['2026-03-14T24:00:01', 'past 24:00:00'],
    ['14.03.2026', 'another layout'],
  ])('refuses %s (%s)', (value) => {
    expect(parse(XS, value).codes).toEqual(['HUB_ERR_RECORD_DATE']);
  });

  it('xs:date gives a calendar date with output date, and refuses a time with dateOnly error', () => {
    expect(parse({ formats: ['xs:date'], output: 'date' }, '2026-03-14+02:00').out).toBe('2026-03-14');
    expect(parse({ formats: ['xs:dateTime', 'xs:date'], dateOnly: 'error' }, '2026-03-14').codes).toEqual(['HUB_ERR_RECORD_DATE']);
  });

  it('refuses an unknown preset at compile time, naming the presets', () => {
    expect(() => compileDateFormat('xs:time', 50)).toThrow('unknown preset (presets: xs:dateTime, xs:date)');
  });

  it('names the presets in the message of an unsupported token', () => {
    expect(() => compileDateFormat('yyyy-MM-ddTHH', 50)).toThrow(/S SS SSS .*presets?: xs:dateTime, xs:date/);
  });
});
