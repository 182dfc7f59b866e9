/**
 * Generates src/canonical/types.generated.ts from schemas/canonical/*.schema.json.
 *
 *   npm run gen:types               write the file
 *   npm run gen:types -- --check    exit 1 when the committed file is out of date
 *
 * Input: the schema files. Output: one TypeScript declaration per named schema:
 * - `CanonicalRecord`, the union of the entities;
 * - one interface per entity, flattened: the envelope fields and the entity's own fields, closed
 *   (the schemas combine them with allOf + unevaluatedProperties, which json-schema-to-typescript
 *   would render as an intersection);
 * - one declaration per `$defs` entry of every file (named by its `title`, else its key in
 *   PascalCase; `$defs` keys are unique across schemas/canonical);
 * - `LeadPackage`.
 * Every `$ref` becomes a reference to the named type (`tsType`), so each declaration is compiled on
 * its own and appears exactly once, with the referencing property's own description kept.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';
import { compile, type JSONSchema } from 'json-schema-to-typescript';
import {
  ENTITY_TYPES,
  SCHEMA_ID_BASE,
  allSchemaFiles,
  entitySchema,
  envelopeSchema,
  leadPackageSchema,
} from '../src/canonical/schemas.ts';

export const TYPES_FILE = fileURLToPath(new URL('../src/canonical/types.generated.ts', import.meta.url));

type Json = Record<string, unknown>;

const BANNER = `/**
 * Types of the canonical crime-gun records, generated from schemas/canonical/*.schema.json by
 * scripts/generate-types.ts. Do not edit: change the schemas and run \`npm run gen:types\`.
 */`;

/** Type names that differ from the PascalCase `$defs` key (`Date` would shadow the global). */
const TYPE_NAME_OVERRIDES: Readonly<Record<string, string>> = {
  date: 'IsoDate',
  dateTime: 'IsoDateTime',
};

/** Keywords that only the validator needs. */
const VALIDATION_ONLY = new Set(['$schema', '$id', '$defs', 'x-natural-key', 'x-code-system', 'x-derived']);

const COMPILE_OPTIONS = {
  bannerComment: '',
  additionalProperties: false,
  declareExternallyReferenced: false,
  enableConstEnums: false,
  // minItems is a validation rule; as a tuple type it would only get in the way of code building records.
  ignoreMinAndMaxItems: true,
  strictIndexSignatures: true,
  format: true,
  style: { singleQuote: true, printWidth: 120, semi: true, trailingComma: 'all', bracketSpacing: true },
} as const;

function pascal(name: string): string {
  return name.replace(/(?:^|[-_])([a-zA-Z])/g, (_, c: string) => c.toUpperCase());
}

/** A named declaration to emit. */
interface Declaration {
  readonly name: string;
  readonly schema: Json;
}

/** `$defs` key -> type name, over every schema file. */
function defTypeNames(): Map<string, string> {
  const names = new Map<string, string>();
  for (const { file, schema } of allSchemaFiles()) {
    for (const [key, def] of Object.entries((schema.$defs ?? {}) as Json)) {
      if (names.has(key)) {
        throw new Error(`generate-types: $defs/${key} in ${file} is also defined elsewhere; $defs keys must be unique across schemas/canonical`);
      }
      const title = (def as Json).title;
      names.set(key, TYPE_NAME_OVERRIDES[key] ?? (typeof title === 'string' ? title : pascal(key)));
    }
  }
  return names;
}

/**
 * Copy a schema fragment for the generator: each `$ref` replaced by the referenced type's name (with
 * the referencing schema's description kept), validation-only keywords and `unevaluatedProperties`
 * dropped.
 */
function toGeneratorSchema(node: unknown, file: string, names: ReadonlyMap<string, string>): unknown {
  if (Array.isArray(node)) return node.map((n) => toGeneratorSchema(n, file, names));
  if (node === null || typeof node !== 'object') return node;
  const src = node as Json;
  if (typeof src.$ref === 'string') {
    const name = names.get(refTarget(src.$ref, file));
    if (!name) throw new Error(`generate-types: ${file}: $ref "${src.$ref}" names no $defs entry`);
    return typeof src.description === 'string' ? { description: src.description, tsType: name } : { tsType: name };
  }
  const out: Json = {};
  for (const [k, v] of Object.entries(src)) {
    if (VALIDATION_ONLY.has(k) || k === 'unevaluatedProperties') continue;
    if (k === 'properties') {
      const props: Json = {};
      for (const [name, sub] of Object.entries(v as Json)) props[name] = toGeneratorSchema(sub, file, names);
      out[k] = props;
    } else out[k] = toGeneratorSchema(v, file, names);
  }
  return out;
}

/** `envelope.schema.json#/$defs/ori` or `#/$defs/ori` -> `ori`. */
function refTarget(ref: string, file: string): string {
  const rel = ref.startsWith(SCHEMA_ID_BASE) ? ref.slice(SCHEMA_ID_BASE.length) : ref;
  const m = /^(?:[a-z-]+\.schema\.json)?#\/\$defs\/([A-Za-z0-9]+)$/.exec(rel);
  if (!m) throw new Error(`generate-types: ${file}: unsupported $ref "${ref}" (use <file>.schema.json#/$defs/<name>)`);
  return m[1]!;
}

function fileOf(schema: Readonly<Json>): string {
  return String(schema.$id).slice(SCHEMA_ID_BASE.length);
}

/** Every declaration of the generated file, in output order. */
export function declarations(): Declaration[] {
  const names = defTypeNames();
  for (const reserved of [...ENTITY_TYPES, 'CanonicalRecord', 'LeadPackage']) {
    if ([...names.values()].includes(reserved)) throw new Error(`generate-types: a $defs entry is named ${reserved}`);
  }
  const out: Declaration[] = [];

  out.push({
    name: 'CanonicalRecord',
    schema: {
      description: 'Any canonical record; `type` tells which.',
      oneOf: ENTITY_TYPES.map((t) => ({ tsType: t })),
    },
  });

  const envelope = envelopeSchema();
  const envelopeFields = (envelope.$defs as Json).envelopeFields as Json;
  const envelopeProps = toGeneratorSchema(envelopeFields.properties, 'envelope.schema.json', names) as Json;
  const envelopeRequired = (envelopeFields.required ?? []) as string[];

  for (const type of ENTITY_TYPES) {
    const schema = entitySchema(type);
    const ownProps = toGeneratorSchema(schema.properties, fileOf(schema), names) as Json;
    out.push({
      name: type,
      schema: {
        description: schema.description,
        type: 'object',
        properties: { ...envelopeProps, ...ownProps },
        required: [...new Set([...envelopeRequired, ...((schema.required ?? []) as string[])])],
        additionalProperties: false,
      },
    });
  }

  const pkg = leadPackageSchema();
  out.push({ name: 'LeadPackage', schema: toGeneratorSchema(pkg, fileOf(pkg), names) as Json });

  // Shared shapes: the envelope's first, then each file's in file order.
  const files = [...allSchemaFiles()].sort((a, b) =>
    a.file === 'envelope.schema.json' ? -1 : b.file === 'envelope.schema.json' ? 1 : a.file.localeCompare(b.file),
  );
  for (const { file, schema } of files) {
    for (const [key, def] of Object.entries((schema.$defs ?? {}) as Json)) {
      const converted = toGeneratorSchema(def, file, names) as Json;
      // The envelope fields alone: what generic pipeline code may read from any record.
      if (key === 'envelopeFields') converted.additionalProperties = false;
      out.push({ name: names.get(key)!, schema: converted });
    }
  }
  return out;
}

/** Render the TypeScript source of src/canonical/types.generated.ts. */
export async function renderTypes(): Promise<string> {
  const parts = [BANNER];
  for (const { name, schema } of declarations()) {
    const { title: _title, ...rest } = schema;
    const ts = await compile({ ...rest, title: name } as JSONSchema, name, COMPILE_OPTIONS);
    parts.push(ts.trim());
  }
  parts.push(
    [
      '/** The name of a canonical entity. */',
      "export type EntityType = CanonicalRecord['type'];",
      '',
      '/** The record type of one entity, e.g. `RecordOfType<\'Firearm\'>`. */',
      'export type RecordOfType<T extends EntityType> = Extract<CanonicalRecord, { type: T }>;',
    ].join('\n'),
  );
  return `${parts.join('\n\n')}\n`;
}

async function main(): Promise<void> {
  const fresh = await renderTypes();
  const rel = path.relative(process.cwd(), TYPES_FILE);
  if (process.argv.includes('--check')) {
    let current = '';
    try {
      current = readFileSync(TYPES_FILE, 'utf8');
    } catch {
      // missing counts as out of date
    }
    if (current !== fresh) {
      console.error(`${rel} is out of date: run npm run gen:types`);
      process.exitCode = 1;
    } else console.log(`${rel} is up to date`);
    return;
  }
  writeFileSync(TYPES_FILE, fresh);
  console.log(`wrote ${rel}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  await main();
}
