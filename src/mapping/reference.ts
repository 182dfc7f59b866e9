/**
 * Generated documentation: the operations reference inside docs/mapping-language.md, docs/errors.md,
 * and schemas/mapping.schema.json. `npm run gen:docs` writes them; tests check they are current.
 */
import { ERRORS } from '../errors/registry.ts';
import { OPERATIONS } from './ops/index.ts';
import { buildMappingSchema } from './mapping-schema.ts';

export const OPS_BEGIN = '<!-- operations:begin (generated from src/mapping/ops by npm run gen:docs) -->';
export const OPS_END = '<!-- operations:end -->';

function argRows(args: Record<string, unknown> | undefined): string[] {
  if (!args) return [];
  if (args.type === 'array') return [`| (list) | ${String(args.description ?? '')} | |`];
  const props = (args.properties ?? {}) as Record<string, { description?: string; default?: unknown; enum?: unknown[] }>;
  const required = new Set((args.required ?? []) as string[]);
  return Object.entries(props).map(([k, v]) => {
    const dflt = v.default !== undefined ? `\`${JSON.stringify(v.default)}\`` : required.has(k) ? 'required' : '';
    const choices = v.enum ? ` One of ${v.enum.map((e) => `\`${String(e)}\``).join(', ')}.` : '';
    return `| \`${k}\` | ${(v.description ?? '').replace(/\|/g, '\\|')}${choices} | ${dflt} |`;
  });
}

export function renderOperationsReference(): string {
  const parts: string[] = [OPS_BEGIN, ''];
  for (const op of OPERATIONS) {
    parts.push(`### \`${op.name}\``, '', op.summary, '');
    const rows = argRows(op.args);
    if (rows.length) parts.push('| argument | meaning | default |', '|---|---|---|', ...rows, '');
    parts.push('```yaml', 'ops:', `  ${op.example}`, '```', '', `Result: ${op.exampleResult}${op.elementwise ? '. On a list, applies to each element.' : '.'}`, '');
  }
  parts.push(OPS_END);
  return parts.join('\n');
}

export function spliceOperationsReference(doc: string): string {
  const a = doc.indexOf(OPS_BEGIN);
  const b = doc.indexOf(OPS_END);
  if (a === -1 || b === -1) throw new Error('docs/mapping-language.md lacks the operations markers');
  return doc.slice(0, a) + renderOperationsReference() + doc.slice(b + OPS_END.length);
}

export function renderErrorsDoc(): string {
  const lines = [
    '# Error codes',
    '',
    'Generated from `src/errors/registry.ts` by `npm run gen:docs`; a test keeps the two in step.',
    '',
    'Every error the hub reports has a stable code. Its **class** says who must act:',
    '',
    '- `config`: an operator fixes a configuration or mapping file; retrying changes nothing.',
    '- `transient`: a peer or service is unavailable; the hub retries with backoff.',
    '- `record`: one record is bad; it is quarantined with a pointer to its source and the batch goes on.',
    '- `system`: a bug in the hub; report it.',
    '',
    '| code | class | HTTP | message |',
    '|---|---|---|---|',
  ];
  for (const [code, e] of Object.entries(ERRORS)) lines.push(`| [\`${code}\`](#${code.toLowerCase()}) | ${e.class} | ${e.status} | ${e.message.replace(/\|/g, '\\|')} |`);
  lines.push('');
  for (const [code, e] of Object.entries(ERRORS)) {
    lines.push(`## ${code}`, '', `Class \`${e.class}\`, HTTP ${e.status}. Message: ${e.message}`, '', `**How to fix:** ${e.fix}`, '');
  }
  return lines.join('\n');
}

export function renderMappingSchema(): string {
  return JSON.stringify(buildMappingSchema(), null, 2) + '\n';
}
