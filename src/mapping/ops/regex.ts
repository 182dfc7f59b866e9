/** Regular-expression operations. Patterns are compiled once, when the mapping is compiled. */
import { asText } from '../runtime.ts';
import { defineOp } from './op.ts';

export const regexExtract = defineOp({
  name: 'regexExtract',
  summary: 'Keeps the part of the value matched by a pattern (a capture group, by default the first one, else the whole match). No match: empty, or an error with `required: true`.',
  bare: false,
  elementwise: true,
  args: {
    type: 'object',
    additionalProperties: false,
    required: ['pattern'],
    properties: {
      pattern: { type: 'string', minLength: 1, description: 'JavaScript regular expression, without slashes.' },
      group: { type: 'integer', minimum: 0, description: 'Capture group to keep; 0 is the whole match. Default: 1 if the pattern has a group, else 0.' },
      flags: { type: 'string', pattern: '^[imsu]*$', description: 'Regular-expression flags (i, m, s, u).' },
      required: { type: 'boolean', default: false, description: 'A value that does not match is an error (HUB_ERR_RECORD_PATTERN) instead of empty.' },
    },
  },
  example: '- regexExtract: { pattern: "^(\\\\d+(\\\\.\\\\d+)*)" }',
  exampleResult: '"1.2 (casing)" -> "1.2"',
  compile: (args) => {
    const a = args as { pattern: string; group?: number; flags?: string; required?: boolean };
    const re = new RegExp(a.pattern, a.flags ?? '');
    const hasGroup = new RegExp(`${a.pattern}|`).exec('')!.length > 1;
    const group = a.group ?? (hasGroup ? 1 : 0);
    return (v, run, site) => {
      const s = asText(v);
      if (s === undefined) return v;
      const m = re.exec(s);
      if (m && m[group] !== undefined) return m[group];
      return a.required ? run.fail('HUB_ERR_RECORD_PATTERN', { value: s, pattern: a.pattern }, site) : undefined;
    };
  },
});

export const regexReplace = defineOp({
  name: 'regexReplace',
  summary: 'Replaces every match of a pattern (`$1` etc. refer to groups).',
  bare: false,
  elementwise: true,
  args: {
    type: 'object',
    additionalProperties: false,
    required: ['pattern', 'replacement'],
    properties: {
      pattern: { type: 'string', minLength: 1, description: 'JavaScript regular expression, without slashes.' },
      replacement: { type: 'string', description: 'Replacement text; `$1` inserts group 1.' },
      flags: { type: 'string', pattern: '^[imsu]*$', description: 'Flags besides g (always on).' },
    },
  },
  example: '- regexReplace: { pattern: "[^0-9A-Z]", replacement: "" }',
  exampleResult: '"ABC-12 34" -> "ABC1234"',
  compile: (args) => {
    const a = args as { pattern: string; replacement: string; flags?: string };
    const re = new RegExp(a.pattern, 'g' + (a.flags ?? ''));
    return (v) => {
      const s = asText(v);
      return s === undefined ? v : s.replace(re, a.replacement);
    };
  },
});

