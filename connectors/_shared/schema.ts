/**
 * Options schemas are written once, `as const`, and the TypeScript types of the options are derived
 * from them (never written twice). Only the subset of JSON Schema the connectors use is understood:
 * `type` string/integer/number/boolean/object/array, `enum`, `const`, `oneOf`, `properties` +
 * `required`, `additionalProperties` maps.
 *
 * Two views of one schema:
 * - `OptionsInput<S>`: what a configuration may say (only `required` properties are mandatory);
 * - `OptionsResolved<S>`: after `resolveOptions()` applied the defaults (a property with a `default`
 *   is always present).
 */

type Mode = 'input' | 'resolved';

type RequiredKeys<S> = S extends { readonly required: readonly (infer R)[] } ? R : never;

type PresentKeys<S, P, M extends Mode> = {
  [K in keyof P]: K extends RequiredKeys<S>
    ? K
    : M extends 'resolved'
      ? P[K] extends { readonly default: unknown }
        ? K
        : never
      : never;
}[keyof P];

type Simplify<T> = { [K in keyof T]: T[K] } & {};

type ObjectOf<S, P, M extends Mode> = Simplify<
  { -readonly [K in PresentKeys<S, P, M>]: Infer<P[K], M> } & {
    -readonly [K in Exclude<keyof P, PresentKeys<S, P, M>>]?: Infer<P[K], M>;
  }
>;

export type Infer<S, M extends Mode = 'input'> = S extends { readonly const: infer C }
  ? C
  : S extends { readonly enum: readonly (infer E)[] }
    ? E
    : S extends { readonly oneOf: readonly (infer U)[] }
      ? U extends unknown
        ? Infer<U, M>
        : never
      : S extends { readonly type: 'string' }
        ? string
        : S extends { readonly type: 'integer' | 'number' }
          ? number
          : S extends { readonly type: 'boolean' }
            ? boolean
            : S extends { readonly type: 'array'; readonly items: infer I }
              ? Infer<I, M>[]
              : S extends { readonly type: 'object'; readonly properties: infer P }
                ? ObjectOf<S, P, M>
                : S extends { readonly type: 'object'; readonly additionalProperties: infer A }
                  ? Record<string, Infer<A, M>>
                  : unknown;

export type OptionsInput<S> = Infer<S, 'input'>;
export type OptionsResolved<S> = Infer<S, 'resolved'>;

/**
 * Paths of the options marked `"x-secret": true`, e.g. `password`, `auth.token`, `tls.key`: what the
 * log redaction list and the "no inline secret" check are built from. `*` stands for any key of a map.
 */
export function secretPaths(schema: Record<string, unknown>): string[] {
  const out = new Set<string>();
  const walk = (s: unknown, path: string[]): void => {
    if (!s || typeof s !== 'object') return;
    const node = s as Record<string, unknown>;
    if (node['x-secret'] === true && path.length > 0) out.add(path.join('.'));
    const props = node.properties;
    if (props && typeof props === 'object') {
      for (const [k, v] of Object.entries(props)) walk(v, [...path, k]);
    }
    if (node.additionalProperties && typeof node.additionalProperties === 'object') {
      walk(node.additionalProperties, [...path, '*']);
    }
    for (const key of ['oneOf', 'anyOf', 'allOf'] as const) {
      const list = node[key];
      if (Array.isArray(list)) for (const branch of list) walk(branch, path);
    }
  };
  walk(schema, []);
  return [...out].sort();
}
