import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  CANONICAL_SCHEMA_DIR,
  ENTITY_TYPES,
  SCHEMA_ID_BASE,
  allSchemaFiles,
  entitySchema,
  naturalKeyAlternatives,
  schemaFileName,
} from '../../../src/canonical/schemas.ts';
import { canonicalAjv, compileAll } from '../../../src/canonical/validator.ts';

type Json = Record<string, unknown>;

/** Every (json pointer, schema) pair reachable through schema keywords. */
function* walk(node: unknown, at: string): Generator<[string, Json]> {
  if (node === null || typeof node !== 'object' || Array.isArray(node)) return;
  const s = node as Json;
  yield [at, s];
  for (const key of ['properties', '$defs'] as const) {
    const map = s[key] as Json | undefined;
    if (map) for (const [name, sub] of Object.entries(map)) yield* walk(sub, `${at}/${key}/${name}`);
  }
  if (s.items) yield* walk(s.items, `${at}/items`);
  for (const key of ['allOf', 'anyOf', 'oneOf'] as const) {
    const list = s[key] as unknown[] | undefined;
    if (list) for (const [i, sub] of list.entries()) yield* walk(sub, `${at}/${key}/${i}`);
  }
}

describe('canonical schema files', () => {
  it('are exactly the envelope, the lead package and one file per entity type', () => {
    const files = readdirSync(CANONICAL_SCHEMA_DIR).filter((f) => f.endsWith('.json')).sort();
    const expected = ['envelope.schema.json', 'lead-package.schema.json', ...ENTITY_TYPES.map(schemaFileName)].sort();
    expect(files).toEqual(expected);
  });

  it('are JSON Schema 2020-12 with stable $ids', () => {
    for (const { file, id, schema } of allSchemaFiles()) {
      expect(schema.$schema, file).toBe('https://json-schema.org/draft/2020-12/schema');
      expect(id, file).toBe(`${SCHEMA_ID_BASE}${file}`);
    }
  });

  it('all compile in one strict Ajv', () => {
    expect(() => compileAll()).not.toThrow();
    for (const { id } of allSchemaFiles()) expect(canonicalAjv().getSchema(id), id).toBeTypeOf('function');
  });

  it('give every property a description', () => {
    const missing: string[] = [];
    for (const { file, schema } of allSchemaFiles()) {
      for (const [at, s] of walk(schema, '#')) {
        if (/\/properties\/[^/]+$/.test(at) && typeof s.description !== 'string') missing.push(`${file}${at}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('declare every required property', () => {
    const undeclared: string[] = [];
    for (const { file, schema } of allSchemaFiles()) {
      const rootProps = (schema.properties ?? {}) as Json;
      for (const [at, s] of walk(schema, '#')) {
        const props = (s.properties ?? {}) as Json;
        // Root natural-key anyOf branches require fields the root declares.
        const inherited = /^#\/anyOf\/\d+$/.test(at) ? rootProps : {};
        for (const name of (s.required ?? []) as string[]) {
          if (!(name in props) && !(name in inherited)) undeclared.push(`${file}${at}: ${name}`);
        }
      }
    }
    expect(undeclared).toEqual([]);
  });
});

describe('entity schemas', () => {
  it.each(ENTITY_TYPES)('%s: closed object over the envelope, with its type constant', (type) => {
    const s = entitySchema(type);
    expect(s.type).toBe('object');
    expect(s.unevaluatedProperties).toBe(false);
    expect(s.allOf).toEqual([{ $ref: 'envelope.schema.json#/$defs/envelopeFields' }]);
    expect((s.properties as Json).type).toMatchObject({ const: type });
  });

  it.each(ENTITY_TYPES)('%s: requires exactly the fields of its natural key', (type) => {
    const s = entitySchema(type);
    const props = s.properties as Record<string, Json>;
    const alternatives = naturalKeyAlternatives(type);
    expect(alternatives.length).toBeGreaterThan(0);
    for (const alt of alternatives) {
      expect(alt.name).toMatch(/^[a-z][a-z0-9-]*$/);
      for (const field of alt.fields) expect(props, `${type} ${field}`).toHaveProperty(field.split('.')[0]!);
    }
    const topLevel = (fields: readonly string[]) => [...new Set(fields.map((f) => f.split('.')[0]!))];
    if (alternatives.length === 1) {
      expect(new Set(s.required as string[])).toEqual(new Set(topLevel(alternatives[0]!.fields)));
      expect(s.anyOf).toBeUndefined();
    } else {
      // Fields common to every alternative are required outright, the rest per alternative in anyOf.
      const common = topLevel(alternatives[0]!.fields).filter((f) => alternatives.every((a) => topLevel(a.fields).includes(f)));
      expect(new Set((s.required ?? []) as string[])).toEqual(new Set(common));
      const branches = s.anyOf as Json[];
      expect(branches).toHaveLength(alternatives.length);
      alternatives.forEach((alt, i) => {
        const branchRequired = (branches[i]!.required as string[]).filter((f) => !common.includes(f));
        expect(new Set(branchRequired), `${type} anyOf/${i}`).toEqual(new Set(topLevel(alt.fields).filter((f) => !common.includes(f))));
      });
    }
  });
});
