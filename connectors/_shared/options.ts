/**
 * Validates a connector's options against its schema and fills in the schema defaults.
 *
 * Input: the descriptor kind, its options schema and the options from the hub configuration (secret
 * references already resolved). Output: a deep copy with the defaults applied, or a thrown
 * `HUB_ERR_CONNECTOR_OPTIONS` naming the option and what is wrong with it. Each schema is compiled
 * once per process (the connector factories are not a hot path, but configs are reloaded).
 */
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import { HubError } from '../../src/errors/hub-error.ts';

let ajv: Ajv2020 | undefined;
const compiled = new WeakMap<object, ValidateFunction>();

function validatorFor(schema: Record<string, unknown>): ValidateFunction {
  let v = compiled.get(schema);
  if (!v) {
    ajv ??= newOptionsAjv();
    v = ajv.compile(schema);
    compiled.set(schema, v);
  }
  return v;
}

/** The Ajv the connectors validate with: 2020-12, strict, defaults applied, `x-secret` known. */
export function newOptionsAjv(): Ajv2020 {
  const a = new Ajv2020({ strict: true, allowUnionTypes: true, allErrors: true, useDefaults: true });
  a.addKeyword('x-secret');
  return a;
}

/** Validate and apply defaults; throws HUB_ERR_CONNECTOR_OPTIONS naming the connector id and kind. */
export function resolveOptions<T>(kind: string, schema: Record<string, unknown>, options: unknown, connectorId: string): T {
  const copy: unknown = options === undefined ? {} : structuredClone(options);
  const validate = validatorFor(schema);
  if (!validate(copy)) {
    const first = describeErrors(validate.errors ?? []);
    throw new HubError('HUB_ERR_CONNECTOR_OPTIONS', { connector: connectorId, kind, pointer: first.pointer, reason: first.reason });
  }
  return copy as T;
}

/**
 * One readable sentence out of ajv's errors: the most specific ones (not the `anyOf`/`oneOf`
 * summaries), with the alternatives of an `anyOf` of `required` said as "one of".
 */
export function describeErrors(errors: readonly ErrorObject[]): { pointer: string; reason: string } {
  const missingAlternatives = errors
    .filter((e) => e.keyword === 'required' && /\/anyOf\/\d+\/required$/.test(e.schemaPath))
    .map((e) => String((e.params as { missingProperty: string }).missingProperty));
  const specific = errors.filter(
    (e) => !['anyOf', 'oneOf', 'if'].includes(e.keyword) && !/\/anyOf\/\d+\/required$/.test(e.schemaPath),
  );
  const parts: string[] = [];
  let pointer = '';
  for (const e of specific) {
    pointer ||= e.instancePath || '/';
    let what = e.message ?? e.keyword;
    if (e.keyword === 'additionalProperties') {
      what = `has an unknown option "${String((e.params as { additionalProperty: string }).additionalProperty)}"`;
    } else if (e.keyword === 'enum') {
      what = `must be one of ${JSON.stringify((e.params as { allowedValues: unknown[] }).allowedValues)}`;
    } else if (e.keyword === 'const') {
      what = `must be ${JSON.stringify((e.params as { allowedValue: unknown }).allowedValue)}`;
    }
    parts.push(`${e.instancePath || '/'} ${what}`);
  }
  if (missingAlternatives.length > 0) {
    pointer ||= '/';
    parts.push(`/ needs one of: ${[...new Set(missingAlternatives)].join(', ')}`);
  }
  return { pointer: pointer || '/', reason: [...new Set(parts)].join('; ') || 'is invalid' };
}
