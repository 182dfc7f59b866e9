/** Date and time operations. */
import { DateTime } from 'luxon';
import { asText } from '../runtime.ts';
import { compileDateFormat, formatIsoDate, formatIsoDateTime, isValidZone, zoneOffset, type DateMatcher } from './date-parser.ts';
import { defineOp } from './op.ts';

interface DateArgs {
  formats: string[];
  timezone?: string;
  output?: 'datetime' | 'date';
  dateOnly?: 'midnight' | 'error';
  pivotYear?: number;
}

export const date = defineOp({
  name: 'date',
  summary:
    'Parses a date or date-time with an explicit list of formats (tried in order) in a time zone, and writes ISO-8601: `2026-03-14T14:22:00-04:00`, or `2026-03-14` with `output: date`. A value matching no format is HUB_ERR_RECORD_DATE.',
  bare: false,
  elementwise: true,
  args: {
    type: 'object',
    additionalProperties: false,
    required: ['formats'],
    properties: {
      formats: {
        type: 'array',
        minItems: 1,
        items: { type: 'string', minLength: 1 },
        description:
          "Formats tried in order: the presets xs:dateTime (XML Schema date-time: any number of fraction digits, offset Z, +hh:mm or none) and xs:date, or luxon tokens: yyyy yy MMMM MMM MM M dd d HH H hh h mm ss S SS SSS (one S per fraction digit) a Z; letters meant literally go in single quotes ('T').",
        examples: [['MM/dd/yyyy HH:mm', 'M/d/yy', 'yyyy-MM-dd', "yyyy-MM-dd'T'HH:mm:ssZ"], ['xs:dateTime', 'xs:date']],
      },
      timezone: {
        type: 'string',
        description: 'IANA time zone of values without an offset, or "agency" for the time zone of the agency the data comes from (the mapping\'s `timezone` when none is known).',
        default: 'agency',
      },
      output: { enum: ['datetime', 'date'], default: 'datetime', description: 'Write a date-time with offset, or a calendar date.' },
      dateOnly: {
        enum: ['midnight', 'error'],
        default: 'midnight',
        description: 'With output datetime, what a value without a time becomes: local midnight of that day, or an error.',
      },
      pivotYear: {
        type: 'integer',
        minimum: 0,
        maximum: 100,
        default: 50,
        description: 'Two-digit years below this are 20yy, the others 19yy (default 50: 00-49 -> 2000-2049, 50-99 -> 1950-1999).',
      },
    },
  },
  example: '- date: { formats: ["MM/dd/yyyy HH:mm", "M/d/yy", "yyyy-MM-dd"], timezone: agency }',
  exampleResult: '"03/14/2026 14:22" -> "2026-03-14T14:22:00-04:00" (America/New_York)',
  compile: (args, env) => {
    const a = args as DateArgs;
    const pivot = a.pivotYear ?? 50;
    const matchers: DateMatcher[] = a.formats.map((f) => compileDateFormat(f, pivot));
    const fixedZone = a.timezone && a.timezone !== 'agency' ? a.timezone : null;
    if (fixedZone && !isValidZone(fixedZone)) throw new Error(`unknown time zone "${fixedZone}" (use an IANA name such as America/New_York)`);
    const formats = a.formats.map((f) => `"${f}"`).join(', ');
    const asDate = a.output === 'date';
    const dateOnlyError = a.dateOnly === 'error';
    return (v, run, site) => {
      const s = asText(v);
      if (s === undefined) return v;
      const t = s.trim();
      for (const match of matchers) {
        const d = match(t);
        if (!d) continue;
        if (asDate) return formatIsoDate(d);
        if (!d.hasTime && dateOnlyError) {
          return run.fail('HUB_ERR_RECORD_DATE', { value: s, formats: `${formats} (a time is required)` }, site);
        }
        const offset = d.offset ?? zoneOffset(fixedZone ?? run.timezone ?? env.timezone, d);
        return formatIsoDateTime(d, offset);
      }
      return run.fail('HUB_ERR_RECORD_DATE', { value: s, formats }, site);
    };
  },
});

export const formatDate = defineOp({
  name: 'formatDate',
  summary: 'Writes an ISO-8601 date or date-time in another format and time zone (for outbound mappings).',
  bare: false,
  elementwise: true,
  args: {
    type: 'object',
    additionalProperties: false,
    required: ['format'],
    properties: {
      format: { type: 'string', minLength: 1, description: 'luxon format tokens, e.g. MM/dd/yyyy HH:mm.' },
      timezone: { type: 'string', default: 'agency', description: 'IANA zone to show the time in, or "agency".' },
    },
  },
  example: '- formatDate: { format: "MM/dd/yyyy HH:mm" }',
  exampleResult: '"2026-03-14T18:22:00Z" -> "03/14/2026 14:22" (America/New_York)',
  compile: (args, env) => {
    const a = args as { format: string; timezone?: string };
    const fixedZone = a.timezone && a.timezone !== 'agency' ? a.timezone : null;
    if (fixedZone && !isValidZone(fixedZone)) throw new Error(`unknown time zone "${fixedZone}"`);
    return (v, run, site) => {
      const s = asText(v);
      if (s === undefined) return v;
      const dt = DateTime.fromISO(s, { setZone: true });
      if (!dt.isValid) return run.fail('HUB_ERR_RECORD_DATE', { value: s, formats: 'ISO-8601' }, site);
      if (/^\d{4}-\d{2}-\d{2}$/.test(s)) return dt.toFormat(a.format);
      return dt.setZone(fixedZone ?? run.timezone ?? env.timezone).toFormat(a.format);
    };
  },
});
