/** Number and boolean parsing. A value that does not parse is a record error, never a silent NaN. */
import { asText } from '../runtime.ts';
import { defineOp } from './op.ts';

interface NumberArgs {
  decimal?: string;
  thousands?: string;
}

/**
 * A decimal number as text. Each digit can belong to one place only: `\d+\.?\d*` let a run of digits
 * be split between its two `\d`s every way there is, so a long run followed by a letter took time in
 * the square of its length (80,000 digits: 1.9 s; a 1 MiB field: minutes).
 */
const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

function numberParser(args: NumberArgs | undefined): (s: string) => number {
  const decimal = args?.decimal ?? '.';
  const thousands = args?.thousands ?? ',';
  const strip = new RegExp(`[\\s${thousands.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}]`, 'g');
  return (s) => {
    let t = s.trim().replace(strip, '');
    if (decimal !== '.') t = t.replace(decimal, '.');
    if (!DECIMAL.test(t)) return NaN;
    return Number(t);
  };
}

const numberArgs = {
  type: 'object',
  additionalProperties: false,
  properties: {
    decimal: { type: 'string', minLength: 1, maxLength: 1, default: '.', description: 'Decimal separator.' },
    thousands: { type: 'string', maxLength: 1, default: ',', description: 'Thousands separator, ignored.' },
  },
};

export const number = defineOp({
  name: 'number',
  summary: 'Parses a decimal number (thousands separators ignored); anything else is HUB_ERR_RECORD_NUMBER.',
  bare: true,
  elementwise: true,
  args: numberArgs,
  example: '- number',
  exampleResult: '"3,5" with { decimal: ",", thousands: "." } -> 3.5; "4.25" -> 4.25',
  compile: (args) => {
    const parse = numberParser(args as NumberArgs | undefined);
    return (v, run, site) => {
      if (typeof v === 'number') return v;
      const s = asText(v);
      if (s === undefined) return v;
      const n = parse(s);
      return Number.isNaN(n) ? run.fail('HUB_ERR_RECORD_NUMBER', { value: s, kind: 'number' }, site) : n;
    };
  },
});

export const integer = defineOp({
  name: 'integer',
  summary: 'Parses a whole number; a fraction or text is HUB_ERR_RECORD_NUMBER.',
  bare: true,
  elementwise: true,
  args: numberArgs,
  example: '- integer',
  exampleResult: '"0042" -> 42',
  compile: (args) => {
    const parse = numberParser(args as NumberArgs | undefined);
    return (v, run, site) => {
      if (typeof v === 'number' && Number.isInteger(v)) return v;
      const s = asText(v);
      if (s === undefined) return v;
      const n = parse(s);
      return Number.isInteger(n) ? n : run.fail('HUB_ERR_RECORD_NUMBER', { value: s, kind: 'whole number' }, site);
    };
  },
});

const DEFAULT_TRUE = ['Y', 'YES', 'TRUE', 'T', '1', 'X'];
const DEFAULT_FALSE = ['N', 'NO', 'FALSE', 'F', '0'];

export const boolean = defineOp({
  name: 'boolean',
  summary: `Reads a yes/no value (compared trimmed, ignoring case). Defaults: true ${DEFAULT_TRUE.join(' ')}; false ${DEFAULT_FALSE.join(' ')}. Anything else is HUB_ERR_RECORD_BOOLEAN.`,
  bare: true,
  elementwise: true,
  args: {
    type: 'object',
    additionalProperties: false,
    properties: {
      true: { type: 'array', items: { type: 'string' }, minItems: 1, description: 'Spellings of true.' },
      false: { type: 'array', items: { type: 'string' }, minItems: 1, description: 'Spellings of false.' },
    },
  },
  example: '- boolean: { true: ["Y", "OBLITERATED"], false: ["N", ""] }',
  exampleResult: '"y" -> true',
  compile: (args) => {
    const a = (args ?? {}) as { true?: string[]; false?: string[] };
    const t = new Set((a.true ?? DEFAULT_TRUE).map((s) => s.trim().toUpperCase()));
    const f = new Set((a.false ?? DEFAULT_FALSE).map((s) => s.trim().toUpperCase()));
    const accepted = [...t, ...f].map((s) => (s === '' ? '(blank)' : s)).join(', ');
    return (v, run, site) => {
      if (typeof v === 'boolean') return v;
      const s = asText(v);
      if (s === undefined) return v;
      const k = s.trim().toUpperCase();
      if (t.has(k)) return true;
      if (f.has(k)) return false;
      return run.fail('HUB_ERR_RECORD_BOOLEAN', { value: s, accepted }, site);
    };
  },
});
