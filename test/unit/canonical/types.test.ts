import { readFileSync } from 'node:fs';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { TYPES_FILE, renderTypes } from '../../../scripts/generate-types.ts';
import { ENTITY_TYPES } from '../../../src/canonical/schemas.ts';
import type {
  CanonicalRecord,
  CodedValue,
  EntityType,
  Firearm,
  LeadPackage,
  RecordOfType,
  SourceRef,
} from '../../../src/canonical/types.generated.ts';

describe('src/canonical/types.generated.ts', () => {
  it('is up to date with the schemas (run npm run gen:types)', async () => {
    expect(readFileSync(TYPES_FILE, 'utf8')).toBe(await renderTypes());
  });

  it('declares one interface per entity, the union and the shared shapes', () => {
    const text = readFileSync(TYPES_FILE, 'utf8');
    for (const type of ENTITY_TYPES) expect(text).toContain(`export interface ${type} {`);
    for (const name of ['CodedValue', 'SourceRef', 'LeadPackage', 'EnvelopeFields', 'Serial']) {
      expect(text).toContain(`export interface ${name} {`);
    }
    const union = /export type CanonicalRecord =([^;]+);/.exec(text)?.[1] ?? '';
    expect(union.split('|').map((t) => t.trim()).filter(Boolean)).toEqual([...ENTITY_TYPES]);
  });

  it('derives the type names and record shapes from the schemas', () => {
    expectTypeOf<EntityType>().toEqualTypeOf<(typeof ENTITY_TYPES)[number]>();
    expectTypeOf<RecordOfType<'Firearm'>>().toEqualTypeOf<Firearm>();
    expectTypeOf<CodedValue['code']>().toEqualTypeOf<string | null | undefined>();
    expectTypeOf<SourceRef['receivedAt']>().toEqualTypeOf<string>();
    expectTypeOf<LeadPackage['supersedesVersion']>().toEqualTypeOf<number | null>();
    expectTypeOf<CanonicalRecord>().toHaveProperty('type');
  });
});
