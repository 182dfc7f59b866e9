/** Text operations: trimming, case, padding, null markers. */
import { asText } from '../runtime.ts';
import { defineOp } from './op.ts';

export const trim = defineOp({
  name: 'trim',
  summary: 'Removes white space at both ends.',
  bare: true,
  elementwise: true,
  example: '- trim',
  exampleResult: '"  HPD-26-0012 " -> "HPD-26-0012"',
  compile: () => (v) => {
    const s = asText(v);
    return s === undefined ? v : s.trim();
  },
});

export const collapseSpaces = defineOp({
  name: 'collapseSpaces',
  summary: 'Trims and turns every run of white space (tabs, line breaks) into one space.',
  bare: true,
  elementwise: true,
  example: '- collapseSpaces',
  exampleResult: '"Smith  &\\tWesson" -> "Smith & Wesson"',
  compile: () => (v) => {
    const s = asText(v);
    return s === undefined ? v : s.replace(/\s+/g, ' ').trim();
  },
});

export const upper = defineOp({
  name: 'upper',
  summary: 'Upper case.',
  bare: true,
  elementwise: true,
  example: '- upper',
  exampleResult: '"ct0015100" -> "CT0015100"',
  compile: () => (v) => {
    const s = asText(v);
    return s === undefined ? v : s.toUpperCase();
  },
});

export const lower = defineOp({
  name: 'lower',
  summary: 'Lower case.',
  bare: true,
  elementwise: true,
  example: '- lower',
  exampleResult: '"SHOOTING" -> "shooting"',
  compile: () => (v) => {
    const s = asText(v);
    return s === undefined ? v : s.toLowerCase();
  },
});

export const title = defineOp({
  name: 'title',
  summary: 'Title case: first letter of each word upper, the rest lower.',
  bare: true,
  elementwise: true,
  example: '- title',
  exampleResult: '"NEW HAVEN" -> "New Haven"',
  compile: () => (v) => {
    const s = asText(v);
    return s === undefined ? v : s.toLowerCase().replace(/(^|[\s\-/'(])(\p{L})/gu, (_, sep: string, c: string) => sep + c.toUpperCase());
  },
});

export const pad = defineOp({
  name: 'pad',
  summary: 'Pads to a length with a character, on the left (default) or the right; longer values are kept whole.',
  bare: false,
  elementwise: true,
  args: {
    type: 'object',
    additionalProperties: false,
    required: ['length'],
    properties: {
      length: { type: 'integer', minimum: 1, maximum: 1000, description: 'Length to pad to.' },
      char: { type: 'string', minLength: 1, maxLength: 1, default: '0', description: 'Pad character.' },
      side: { enum: ['left', 'right'], default: 'left', description: 'Where the padding goes.' },
    },
  },
  example: '- pad: { length: 6, char: "0" }',
  exampleResult: '"1234" -> "001234"',
  compile: (args) => {
    const { length, char = '0', side = 'left' } = args as { length: number; char?: string; side?: 'left' | 'right' };
    return (v) => {
      const s = asText(v);
      if (s === undefined) return v;
      return side === 'left' ? s.padStart(length, char) : s.padEnd(length, char);
    };
  },
});

export const nullIf = defineOp({
  name: 'nullIf',
  summary: 'Treats the listed placeholder values (compared trimmed, ignoring case) as empty, so `default` and `required` apply.',
  bare: false,
  elementwise: true,
  args: {
    type: 'array',
    minItems: 1,
    items: { type: 'string' },
    description: 'Values that mean "no value" in this source, e.g. N/A, UNK, NONE.',
  },
  example: '- nullIf: ["N/A", "UNK", "NONE"]',
  exampleResult: '"n/a" -> (empty)',
  compile: (args) => {
    const set = new Set((args as string[]).map((s) => s.trim().toUpperCase()));
    return (v) => {
      const s = asText(v);
      return s !== undefined && set.has(s.trim().toUpperCase()) ? undefined : v;
    };
  },
});
