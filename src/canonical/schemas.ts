/**
 * The canonical JSON Schemas (schemas/canonical/*.schema.json), loaded once when this module is first
 * imported. They are the source of truth: the validator compiles them, natural keys are read from
 * their `x-natural-key` keyword, and src/canonical/types.generated.ts is generated from them.
 *
 * The entity list is explicit here; a test keeps it in step with the schema files.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** The canonical entity types, in dependency order (agencies first, leads and traces last). */
export const ENTITY_TYPES = [
  'Agency',
  'Case',
  'LabCase',
  'EvidenceItem',
  'Firearm',
  'WeaponInvolved',
  'BallisticAcquisition',
  'NibinLead',
  'Trace',
  'Person',
] as const;

export type EntityType = (typeof ENTITY_TYPES)[number];

/** Base of every canonical schema `$id`. */
export const SCHEMA_ID_BASE = 'https://cgic-hub.org/schemas/canonical/';
export const ENVELOPE_SCHEMA_ID = `${SCHEMA_ID_BASE}envelope.schema.json`;
export const LEAD_PACKAGE_SCHEMA_ID = `${SCHEMA_ID_BASE}lead-package.schema.json`;

/** Directory holding the schema files. */
export const CANONICAL_SCHEMA_DIR = fileURLToPath(new URL('../../schemas/canonical/', import.meta.url));

/** One alternative of an entity's natural key: a name and the dotted paths of its fields. */
export interface NaturalKeyAlternative {
  readonly name: string;
  readonly fields: readonly string[];
}

/** A schema file as loaded: its file name and parsed JSON. */
export interface CanonicalSchemaFile {
  readonly file: string;
  readonly id: string;
  readonly schema: Readonly<Record<string, unknown>>;
}

/** `Firearm` -> `firearm.schema.json`, `LabCase` -> `lab-case.schema.json`. */
export function schemaFileName(type: EntityType): string {
  return `${type.replace(/[A-Z]/g, (c, i: number) => (i === 0 ? '' : '-') + c.toLowerCase())}.schema.json`;
}

function loadAll(): ReadonlyMap<string, CanonicalSchemaFile> {
  const files = readdirSync(CANONICAL_SCHEMA_DIR)
    .filter((f) => f.endsWith('.schema.json'))
    .sort();
  const byFile = new Map<string, CanonicalSchemaFile>();
  for (const file of files) {
    const schema = JSON.parse(readFileSync(path.join(CANONICAL_SCHEMA_DIR, file), 'utf8')) as Record<string, unknown>;
    const id = schema.$id;
    if (id !== `${SCHEMA_ID_BASE}${file}`) {
      throw new Error(`schemas/canonical/${file}: $id must be "${SCHEMA_ID_BASE}${file}", found ${JSON.stringify(id)}`);
    }
    byFile.set(file, { file, id, schema: deepFreeze(schema) });
  }
  return byFile;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

const FILES = loadAll();

function requireFile(file: string): CanonicalSchemaFile {
  const found = FILES.get(file);
  if (!found) throw new Error(`schemas/canonical/${file} is missing`);
  return found;
}

const ENTITY_SCHEMAS = new Map<string, CanonicalSchemaFile>();
const NATURAL_KEYS = new Map<string, readonly NaturalKeyAlternative[]>();

for (const type of ENTITY_TYPES) {
  const loaded = requireFile(schemaFileName(type));
  const props = loaded.schema.properties as Record<string, { const?: unknown }> | undefined;
  if (props?.type?.const !== type) {
    throw new Error(`schemas/canonical/${loaded.file}: properties.type.const must be "${type}"`);
  }
  const alternatives = loaded.schema['x-natural-key'];
  if (!Array.isArray(alternatives) || alternatives.length === 0) {
    throw new Error(`schemas/canonical/${loaded.file}: x-natural-key must list at least one alternative`);
  }
  ENTITY_SCHEMAS.set(type, loaded);
  NATURAL_KEYS.set(type, alternatives as readonly NaturalKeyAlternative[]);
}

/** True when `type` names a canonical entity. */
export function isEntityType(type: unknown): type is EntityType {
  return typeof type === 'string' && ENTITY_SCHEMAS.has(type);
}

/** The JSON Schema of an entity (frozen). */
export function entitySchema(type: EntityType): Readonly<Record<string, unknown>> {
  const found = ENTITY_SCHEMAS.get(type);
  if (!found) throw new Error(`Unknown canonical entity type "${String(type)}"`);
  return found.schema;
}

/** The alternatives of an entity's natural key, in order of preference (frozen). */
export function naturalKeyAlternatives(type: EntityType): readonly NaturalKeyAlternative[] {
  const found = NATURAL_KEYS.get(type);
  if (!found) throw new Error(`Unknown canonical entity type "${String(type)}"`);
  return found;
}

/**
 * How the store merges a new version of an entity into the stored one (`x-merge`): `patch` (default:
 * present fields overwrite, lists are unioned) or `snapshot` (each record is the whole thing, e.g. a
 * NIBIN lead notice: it replaces the stored one, unless its `revision` is older).
 */
export function mergePolicy(type: string): 'patch' | 'snapshot' {
  if (!isEntityType(type)) return 'patch';
  return (entitySchema(type) as { 'x-merge'?: 'patch' | 'snapshot' })['x-merge'] ?? 'patch';
}

const ITEM_KEYS = new Map<string, ReadonlyMap<string, readonly string[]>>();

/** List properties of an entity whose items have an identity (`x-item-key`): property -> key fields. */
export function itemKeys(type: string): ReadonlyMap<string, readonly string[]> {
  let m = ITEM_KEYS.get(type);
  if (!m) {
    const found = new Map<string, readonly string[]>();
    if (isEntityType(type)) {
      const props = ((entitySchema(type) as { properties?: Record<string, { 'x-item-key'?: string[] }> }).properties ?? {}) as Record<string, { 'x-item-key'?: string[] }>;
      for (const [k, v] of Object.entries(props)) if (v?.['x-item-key']) found.set(k, v['x-item-key']);
    }
    ITEM_KEYS.set(type, (m = found));
  }
  return m;
}

/** The envelope schema (envelope fields and the shared `$defs`). */
export function envelopeSchema(): Readonly<Record<string, unknown>> {
  return requireFile('envelope.schema.json').schema;
}

/** The lead package schema. */
export function leadPackageSchema(): Readonly<Record<string, unknown>> {
  return requireFile('lead-package.schema.json').schema;
}

/** Every schema file of schemas/canonical/, sorted by file name. */
export function allSchemaFiles(): readonly CanonicalSchemaFile[] {
  return [...FILES.values()];
}
