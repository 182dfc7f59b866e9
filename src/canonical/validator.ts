/**
 * Validation of canonical records and lead packages against schemas/canonical/.
 *
 * Input: a record as a mapping produced it (any JSON value). Output: `[]` when it is valid, else a few
 * issues `{ pointer, reason }` (pointer = RFC 6901 pointer into the record), which the pipeline turns
 * into HUB_ERR_RECORD_SCHEMA reports.
 *
 * One Ajv instance holds every schema; each entity's validator is compiled on first use and cached.
 * The valid path allocates nothing beyond what the compiled validator does: it returns one shared,
 * frozen empty array.
 */
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import {
  ENTITY_TYPES,
  LEAD_PACKAGE_SCHEMA_ID,
  allSchemaFiles,
  isEntityType,
  schemaFileName,
  SCHEMA_ID_BASE,
  type EntityType,
} from './schemas.ts';
import { describeNaturalKey } from './keys.ts';
import { isIsoDate, isIsoDateTime } from './formats.ts';

/** One problem found in a record. */
export interface SchemaIssue {
  /** RFC 6901 pointer to the offending value in the record ("" = the record itself). */
  readonly pointer: string;
  /** What is wrong, in words an operator understands. */
  readonly reason: string;
}

/** At most this many issues are reported per record: the first ones are what a person fixes first. */
export const MAX_ISSUES = 5;

/**
 * Annotation keywords the canonical schemas use; Ajv in strict mode rejects unknown keywords, so each
 * is declared (with a meta-schema, so a typo in its value fails when the schema is added).
 * - `x-natural-key`: alternatives of the entity's natural key (src/canonical/keys.ts).
 * - `x-code-system`: the code table a coded value is expected to use (for mapping authors and docs).
 * - `x-derived`: the hub computes the field; sources do not supply it.
 */
export const ANNOTATION_KEYWORDS = {
  'x-natural-key': {
    type: 'array',
    minItems: 1,
    items: {
      type: 'object',
      properties: {
        name: { type: 'string', pattern: '^[a-z][a-z0-9-]*$' },
        fields: { type: 'array', minItems: 1, items: { type: 'string', pattern: '^[A-Za-z][A-Za-z0-9]*(\\.[A-Za-z][A-Za-z0-9]*)*$' } },
      },
      required: ['name', 'fields'],
      additionalProperties: false,
    },
  },
  'x-code-system': { type: 'string', minLength: 1 },
  'x-derived': { type: 'boolean' },
  /** How the store merges a new record into the stored one: patch (fields overwrite, lists union) or snapshot (the new record replaces the stored one unless its revision is older). */
  'x-merge': { enum: ['patch', 'snapshot'] },
  /** On a list property: the item fields that identify an item, so the store merges items with the same key instead of keeping both. */
  'x-item-key': { type: 'array', minItems: 1, items: { type: 'string' } },
} as const;

// ajv-formats is CommonJS with `module.exports = plugin`; under NodeNext the default import is that
// function at run time while its typings describe `{ default }`.
type FormatsPlugin = (ajv: Ajv2020, options?: { mode?: 'fast' | 'full' }) => Ajv2020;
const addFormats = ((addFormatsModule as unknown as { default?: FormatsPlugin }).default ??
  (addFormatsModule as unknown as FormatsPlugin)) as FormatsPlugin;

function createAjv(): Ajv2020 {
  const ajv = new Ajv2020({
    strict: true,
    // `code: string | null`, `column: string | integer`: unions are part of the contract.
    allowUnionTypes: true,
    // The natural-key `anyOf` branches list required fields that the entity declares beside them in
    // `properties`; Ajv's strictRequired does not look there. test/unit/canonical checks instead that
    // every required name is declared.
    strictRequired: false,
    allErrors: true,
  });
  addFormats(ajv, { mode: 'full' });
  // Stricter and much faster than ajv-formats' versions; they run on every date of every record.
  ajv.addFormat('date-time', { type: 'string', validate: isIsoDateTime });
  ajv.addFormat('date', { type: 'string', validate: isIsoDate });
  for (const [keyword, metaSchema] of Object.entries(ANNOTATION_KEYWORDS)) {
    ajv.addKeyword({ keyword, metaSchema });
  }
  for (const { schema } of allSchemaFiles()) ajv.addSchema(schema as Record<string, unknown>);
  return ajv;
}

let ajvInstance: Ajv2020 | undefined;
/** The shared Ajv instance with every canonical schema added (created on first use). */
export function canonicalAjv(): Ajv2020 {
  return (ajvInstance ??= createAjv());
}

function compiled(id: string): ValidateFunction {
  const v = canonicalAjv().getSchema(id);
  if (!v) throw new Error(`Canonical schema ${id} is not loaded`);
  return v;
}

/** Compiled validators by entity type, filled on first use of each type. */
const entityValidators = new Map<string, ValidateFunction>();

function entityValidator(type: EntityType): ValidateFunction {
  let v = entityValidators.get(type);
  if (v === undefined) {
    v = compiled(SCHEMA_ID_BASE + schemaFileName(type));
    entityValidators.set(type, v);
  }
  return v;
}

let leadPackageValidator: ValidateFunction | undefined;
function packageValidator(): ValidateFunction {
  return (leadPackageValidator ??= compiled(LEAD_PACKAGE_SCHEMA_ID));
}

/** Compile every validator now (at worker start) instead of on first use. */
export function compileAll(): void {
  for (const type of ENTITY_TYPES) entityValidator(type);
  packageValidator();
}

const NO_ISSUES: readonly SchemaIssue[] = Object.freeze([]);

/**
 * Validate a canonical record against the schema of its `type`.
 * Returns a shared empty array when the record is valid, else up to MAX_ISSUES issues.
 */
export function validateRecord(record: unknown): readonly SchemaIssue[] {
  if (record === null || typeof record !== 'object' || Array.isArray(record)) {
    return [{ pointer: '', reason: 'must be an object (a canonical record)' }];
  }
  const type = (record as { type?: unknown }).type;
  const validate =
    typeof type === 'string' ? (entityValidators.get(type) ?? (isEntityType(type) ? entityValidator(type) : undefined)) : undefined;
  if (validate === undefined) {
    return [
      {
        pointer: '/type',
        reason:
          type === undefined
            ? `is required: one of ${ENTITY_TYPES.join(', ')}`
            : `${JSON.stringify(type)} is not a canonical record type (one of ${ENTITY_TYPES.join(', ')})`,
      },
    ];
  }
  if (validate(record)) return NO_ISSUES;
  return toIssues(validate.errors, type as EntityType);
}

/** Validate a lead package (schemas/canonical/lead-package.schema.json). */
export function validateLeadPackage(doc: unknown): readonly SchemaIssue[] {
  const validate = packageValidator();
  if (validate(doc)) return NO_ISSUES;
  return toIssues(validate.errors, undefined);
}

function escapePointerToken(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Turn Ajv errors into issues: pointers to the offending value, plain reasons, duplicates dropped. */
function toIssues(errors: ErrorObject[] | null | undefined, type: EntityType | undefined): SchemaIssue[] {
  const issues: SchemaIssue[] = [];
  if (!errors) return issues;
  const seen = new Set<string>();
  const push = (pointer: string, reason: string): void => {
    const k = `${pointer}\u0000${reason}`;
    if (seen.has(k)) return;
    seen.add(k);
    issues.push({ pointer, reason });
  };
  // The root `anyOf` of an entity lists the required fields of each natural-key alternative; its
  // branch errors are noise, one issue naming the alternatives says it better.
  const keyAnyOfFailed = type !== undefined && errors.some((e) => e.keyword === 'anyOf' && e.schemaPath === '#/anyOf');
  for (const e of errors) {
    if (issues.length >= MAX_ISSUES) break;
    if (keyAnyOfFailed && e.schemaPath.startsWith('#/anyOf')) {
      if (e.schemaPath === '#/anyOf' && type !== undefined) {
        push('', `has no complete natural key: needs ${describeNaturalKey(type)}`);
      }
      continue;
    }
    switch (e.keyword) {
      case 'required': {
        const missing = (e.params as { missingProperty: string }).missingProperty;
        push(`${e.instancePath}/${escapePointerToken(missing)}`, 'is required');
        break;
      }
      case 'unevaluatedProperties':
      case 'additionalProperties': {
        const p = e.params as { unevaluatedProperty?: string; additionalProperty?: string };
        const prop = p.unevaluatedProperty ?? p.additionalProperty ?? '';
        push(`${e.instancePath}/${escapePointerToken(prop)}`, `unknown property "${prop}" (not in the canonical schema)`);
        break;
      }
      case 'enum': {
        const allowed = (e.params as { allowedValues: unknown[] }).allowedValues;
        push(e.instancePath, `must be one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}`);
        break;
      }
      case 'const': {
        const allowed = (e.params as { allowedValue: unknown }).allowedValue;
        push(e.instancePath, `must be ${JSON.stringify(allowed)}`);
        break;
      }
      case 'format': {
        const format = (e.params as { format: string }).format;
        push(e.instancePath, `must be a valid ${format}${FORMAT_EXAMPLES[format] ? ` (e.g. ${FORMAT_EXAMPLES[format]})` : ''}`);
        break;
      }
      case 'pattern': {
        const pattern = (e.params as { pattern: string }).pattern;
        const hint = PATTERN_HINTS[pattern];
        push(e.instancePath, hint ? `${hint} (pattern ${pattern})` : `must match the pattern ${pattern}`);
        break;
      }
      case 'minLength':
        if ((e.params as { limit: number }).limit === 1) push(e.instancePath, 'must not be empty');
        else push(e.instancePath, e.message ?? 'is too short');
        break;
      case 'if':
      case 'allOf':
        // Summary errors of applicators: their sub-errors carry the detail.
        break;
      default:
        push(e.instancePath, e.message ?? `fails ${e.keyword}`);
    }
  }
  return issues;
}

const FORMAT_EXAMPLES: Readonly<Record<string, string>> = {
  'date-time': '2024-03-01T14:05:00-05:00, with a UTC offset',
  date: '2024-03-01',
  uuid: '3f2b8c1e-5d4a-5b6c-8d7e-9f0a1b2c3d4e',
};

const PATTERN_HINTS: Readonly<Record<string, string>> = {
  '^[A-Z]{2}[A-Z0-9]{7}$': 'must be a 9-character ORI: two-letter state code and 7 letters or digits, e.g. CT0015100',
  '^[A-Z]{2}$': 'must be a two-letter state code, e.g. CT',
};
