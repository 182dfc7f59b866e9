/** List operations: a value split into several, joined, or reduced to its first element. */
import { asText, isEmpty } from '../runtime.ts';
import { defineOp } from './op.ts';

export const split = defineOp({
  name: 'split',
  summary: 'Splits text into a list at a separator; each part is trimmed and empty parts are dropped.',
  bare: false,
  elementwise: false,
  args: {
    type: 'object',
    additionalProperties: false,
    required: ['separator'],
    properties: {
      separator: { type: 'string', minLength: 1, description: 'Separator text (not a pattern).' },
    },
  },
  example: '- split: { separator: ";" }',
  exampleResult: '"L26-0001; L26-0002" -> ["L26-0001", "L26-0002"]',
  compile: (args) => {
    const { separator } = args as { separator: string };
    return (v) => {
      const s = asText(v);
      if (s === undefined) return v;
      const out: string[] = [];
      for (const part of s.split(separator)) {
        const t = part.trim();
        if (t) out.push(t);
      }
      return out;
    };
  },
});

export const join = defineOp({
  name: 'join',
  summary: 'Joins a list into text with a separator, skipping empty elements.',
  bare: false,
  elementwise: false,
  args: {
    type: 'object',
    additionalProperties: false,
    required: ['separator'],
    properties: { separator: { type: 'string', description: 'Text put between elements.' } },
  },
  example: '- join: { separator: "; " }',
  exampleResult: '["PI", "RI"] -> "PI; RI"',
  compile: (args) => {
    const { separator } = args as { separator: string };
    return (v) => (Array.isArray(v) ? v.filter((x) => !isEmpty(x)).join(separator) : v);
  },
});

export const first = defineOp({
  name: 'first',
  summary: 'Keeps the first non-empty element of a list.',
  bare: true,
  elementwise: false,
  example: '- first',
  exampleResult: '["", "L26-0001"] -> "L26-0001"',
  compile: () => (v) => (Array.isArray(v) ? v.find((x) => !isEmpty(x)) : v),
});
