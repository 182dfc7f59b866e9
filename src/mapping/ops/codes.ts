/** Code operations: value maps, NCIC code-table lookups, serial numbers. */
import { isSerialPlaceholder, normalizeSerial } from '../../codes/serial.ts';
import { asText } from '../runtime.ts';
import { defineOp } from './op.ts';

export const map = defineOp({
  name: 'map',
  summary:
    'Maps source values to canonical ones (an enum mapping), compared trimmed and ignoring case. A value not listed takes `default` if given, else is HUB_ERR_RECORD_ENUM.',
  bare: false,
  elementwise: true,
  args: {
    type: 'object',
    additionalProperties: false,
    required: ['values'],
    properties: {
      values: {
        type: 'object',
        minProperties: 1,
        additionalProperties: { type: ['string', 'number', 'boolean', 'null'] },
        description: 'Source value -> canonical value.',
      },
      default: { type: ['string', 'number', 'boolean', 'null'], description: 'Value for anything not listed; without it, an unlisted value is an error.' },
      keepUnknown: { type: 'boolean', default: false, description: 'Pass unlisted values through unchanged instead (for free-text fields).' },
    },
  },
  example: '- map: { values: { "SHOOTING": shooting, "SHOTS FIRED": shots-fired, "HOMICIDE": homicide }, default: other }',
  exampleResult: '"Shots Fired" -> "shots-fired"',
  compile: (args) => {
    const a = args as { values: Record<string, unknown>; default?: unknown; keepUnknown?: boolean };
    const table = new Map<string, unknown>();
    for (const [k, v] of Object.entries(a.values)) table.set(k.trim().toUpperCase(), v);
    const hasDefault = Object.hasOwn(a, 'default');
    const accepted = Object.keys(a.values).slice(0, 12).join(', ') + (table.size > 12 ? ', ...' : '');
    return (v, run, site) => {
      const s = asText(v);
      if (s === undefined) return v;
      const k = s.trim().toUpperCase();
      if (table.has(k)) return table.get(k);
      if (hasDefault) return a.default;
      if (a.keepUnknown) return v;
      return run.fail('HUB_ERR_RECORD_ENUM', { value: s, accepted }, site);
    };
  },
});

export const lookup = defineOp({
  name: 'lookup',
  summary:
    'Looks a value up in a code table (ncic-make, ncic-caliber, ncic-gun-type, ncic-gun-type-1, ncic-gun-type-2) and returns `{code, system, text}` with the original text kept; for ncic-caliber also `cartridge`, the normalized cartridge designation, when the synonym table names one ("9MM" -> `cartridge: 9mm Luger`). An unknown or ambiguous value gets `code: null`, is counted and listed in the summary, and is a warning (`onUnknown: warn`, default) or an error (`onUnknown: error`); it is never guessed.',
  bare: false,
  elementwise: true,
  args: {
    type: 'object',
    additionalProperties: false,
    required: ['table'],
    properties: {
      table: { type: 'string', description: 'Code table name.', examples: ['ncic-make', 'ncic-caliber', 'ncic-gun-type'] },
      mode: {
        enum: ['text', 'code'],
        default: 'text',
        description: 'text: free text from a person (synonyms, then codes, then exact descriptions); code: the source already holds an NCIC code (exact code only).',
      },
      onUnknown: { enum: ['warn', 'error'], default: 'warn', description: 'An unknown value is a warning (record kept, code null) or a record error.' },
    },
  },
  example: '- lookup: { table: ncic-make }',
  exampleResult: '"Smith and Wesson" -> { code: SW, system: NCIC-MAK, text: "Smith and Wesson" }',
  compile: (args, env) => {
    const a = args as { table: string; mode?: 'text' | 'code'; onUnknown?: 'warn' | 'error' };
    const table = env.codeTables.get(a.table);
    if (!table) throw new Error(`unknown code table "${a.table}" (known: ${env.codeTables.names().join(', ')})`);
    const mode = a.mode ?? 'text';
    const isError = a.onUnknown === 'error';
    return (v, run, site) => {
      const s = asText(v);
      if (s === undefined) return v;
      const r = table.lookup(s, mode);
      if (r.ok) return r.value;
      if (r.reason === 'empty') return undefined;
      run.countUnknown(a.table, r.value.text);
      if (isError) return run.fail('HUB_ERR_CODE_UNKNOWN', { value: s, table: a.table }, site);
      run.warn('HUB_ERR_CODE_UNKNOWN', { value: s, table: a.table }, site);
      return r.value;
    };
  },
});

export const serial = defineOp({
  name: 'serial',
  summary:
    'Turns a serial number into `{raw, normalized, obliterated, restored}`: normalized is upper case without spaces, dashes or dots, for matching; the raw text is kept; "OBLITERATED", "NONE" and the like set obliterated. With `placeholders: absent`, a placeholder for an unknown serial ("UNKNOWN", "UNK", "NONE", "N/A", "NO SERIAL", "0", "00000", "-") gives no value: no serial, never an obliterated one (the field is empty: warnIfEmpty warns, required fails); only words saying the number was destroyed ("OBLITERATED", "DEFACED", "GROUND OFF") set obliterated.',
  bare: true,
  elementwise: true,
  args: {
    type: 'object',
    additionalProperties: false,
    properties: {
      placeholders: {
        enum: ['keep', 'absent'],
        default: 'keep',
        description:
          'What a placeholder for an unknown serial gives: keep (default, as before) a serial with its raw text and an empty normalized form, obliterated true for the words NONE, UNKNOWN, N/A, NO SERIAL and the like; absent no value, as NCIC leaves out a serial no one knows, and obliterated only for words saying the number was destroyed. Use absent when no other field of the mapping fills a member of the serial (serial.obliterated from a column of its own needs the serial it belongs to).',
      },
    },
  },
  example: '- serial: { placeholders: absent }',
  exampleResult: '"abc-123 45" -> { raw: "abc-123 45", normalized: "ABC12345", obliterated: false, restored: false }; "UNKNOWN" -> (empty); "DEFACED" -> { raw: "DEFACED", normalized: "", obliterated: true, restored: false }',
  compile: (args) => {
    const absent = (args as { placeholders?: 'keep' | 'absent' } | undefined)?.placeholders === 'absent';
    return (v) => {
      const s = asText(v);
      if (s === undefined) return v;
      return absent && isSerialPlaceholder(s) ? undefined : normalizeSerial(s);
    };
  },
});

export const coded = defineOp({
  name: 'coded',
  summary: 'Wraps a local code as `{code, system, text}` (code and text both the value), for code systems the hub has no table for.',
  bare: false,
  elementwise: true,
  args: {
    type: 'object',
    additionalProperties: false,
    required: ['system'],
    properties: { system: { type: 'string', minLength: 1, description: 'Name of the code system, e.g. CT-OFFENSE.' } },
  },
  example: '- coded: { system: NIBRS-OFFENSE }',
  exampleResult: '"13A" -> { code: "13A", system: NIBRS-OFFENSE, text: "13A" }',
  compile: (args) => {
    const { system } = args as { system: string };
    return (v) => {
      const s = asText(v);
      return s === undefined ? v : { code: s.trim(), system, text: s };
    };
  },
});
