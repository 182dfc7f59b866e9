/**
 * The generated artefacts are current (`npm run gen:docs` rewrites them), and the error registry they
 * document is well formed.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERRORS, formatMessage, type ErrorCode } from '../../../src/errors/registry.ts';
import { PROJECT_ROOT } from '../../../src/mapping/load.ts';
import { buildMappingSchema } from '../../../src/mapping/mapping-schema.ts';
import { OPERATIONS } from '../../../src/mapping/ops/index.ts';
import { OPS_BEGIN, OPS_END, renderErrorsDoc, renderMappingSchema, renderOperationsReference, spliceOperationsReference } from '../../../src/mapping/reference.ts';
import { newAjv } from '../../../src/config/problems.ts';

const read = (rel: string): string => readFileSync(path.join(PROJECT_ROOT, rel), 'utf8');
const STALE = 'stale: run `npm run gen:docs` and commit the result';

describe('generated artefacts are current', () => {
  it('schemas/mapping.schema.json is renderMappingSchema()', () => {
    expect(read('schemas/mapping.schema.json'), STALE).toBe(renderMappingSchema());
  });

  it('docs/errors.md is renderErrorsDoc()', () => {
    expect(read('docs/errors.md'), STALE).toBe(renderErrorsDoc());
  });

  it('docs/mapping-language.md contains renderOperationsReference(), once', () => {
    const doc = read('docs/mapping-language.md');
    expect(doc.includes(renderOperationsReference()), STALE).toBe(true);
    expect(doc.split(OPS_BEGIN)).toHaveLength(2);
    expect(spliceOperationsReference(doc)).toBe(doc);
  });
});

describe('operations reference', () => {
  it('documents every operation with its example', () => {
    const ref = renderOperationsReference();
    expect(ref.startsWith(OPS_BEGIN) && ref.endsWith(OPS_END)).toBe(true);
    for (const op of OPERATIONS) {
      expect(ref).toContain(`### \`${op.name}\``);
      expect(ref).toContain(op.example);
    }
  });

  it('is spliced between the markers, leaving the rest of the document alone', () => {
    const doc = `before\n${OPS_BEGIN}\nold text\n${OPS_END}\nafter\n`;
    expect(spliceOperationsReference(doc)).toBe(`before\n${renderOperationsReference()}\nafter\n`);
    expect(() => spliceOperationsReference('no markers')).toThrow('lacks the operations markers');
  });
});

describe('mapping schema', () => {
  it('compiles in strict Ajv and offers exactly the operations of OPERATIONS', () => {
    const schema = buildMappingSchema();
    expect(() => newAjv().compile(schema)).not.toThrow();
    const op = (schema.$defs as Record<string, { else: { propertyNames: { enum: string[] } }; then: { enum: string[] } }>).op!;
    expect(op.else.propertyNames.enum).toEqual(OPERATIONS.map((o) => o.name));
    expect(op.then.enum).toEqual(OPERATIONS.filter((o) => o.bare).map((o) => o.name));
  });
});

describe('error registry', () => {
  const entries = Object.entries(ERRORS) as [ErrorCode, (typeof ERRORS)[ErrorCode]][];
  const doc = read('docs/errors.md');

  it('documents every code in docs/errors.md with a "How to fix" line', () => {
    for (const [code, e] of entries) {
      const section = doc.split(`\n## ${code}\n`)[1]?.split('\n## ')[0];
      expect(section, `${code} has no section in docs/errors.md`).toBeDefined();
      expect(section).toContain(`**How to fix:** ${e.fix}`);
      expect(doc).toContain(`| [\`${code}\`](#${code.toLowerCase()}) | ${e.class} | ${e.status} |`);
    }
  });

  it.each(entries)('%s is well formed', (code, e) => {
    expect(code).toMatch(/^HUB_ERR_[A-Z]+(_[A-Z]+)+$/);
    expect(['config', 'transient', 'record', 'system']).toContain(e.class);
    expect(Number.isInteger(e.status)).toBe(true);
    expect(e.status).toBeGreaterThanOrEqual(400);
    expect(e.status).toBeLessThanOrEqual(599);
    expect(e.fix.trim().length).toBeGreaterThan(0);
    expect(e.message.trim().length).toBeGreaterThan(0);
  });

  it('fills message placeholders and leaves unknown ones visible', () => {
    expect(formatMessage('HUB_ERR_RECORD_NUMBER', { field: 'barrelLength', value: '4 in', kind: 'number' })).toBe('barrelLength: "4 in" is not a number');
    expect(formatMessage('HUB_ERR_RECORD_REQUIRED')).toBe('Required field {field} is empty');
  });

  it('gives the record errors a mapping reports the record class', () => {
    const recordCodes: ErrorCode[] = [
      'HUB_ERR_RECORD_REQUIRED',
      'HUB_ERR_RECORD_DATE',
      'HUB_ERR_RECORD_NUMBER',
      'HUB_ERR_RECORD_BOOLEAN',
      'HUB_ERR_RECORD_ENUM',
      'HUB_ERR_RECORD_PATTERN',
      'HUB_ERR_CODE_UNKNOWN',
      'HUB_ERR_RECORD_KEY',
      'HUB_ERR_RECORD_SCHEMA',
    ];
    expect(recordCodes.filter((c) => ERRORS[c].class !== 'record')).toEqual([]);
    const mappingCodes: ErrorCode[] = ['HUB_ERR_MAPPING_YAML', 'HUB_ERR_MAPPING_SCHEMA', 'HUB_ERR_MAPPING_UNKNOWN_OP', 'HUB_ERR_MAPPING_INVALID'];
    expect(mappingCodes.filter((c) => ERRORS[c].class !== 'config')).toEqual([]);
  });
});
