/**
 * Secrets in configuration are references, never values: `${env:NAME}` reads an environment variable,
 * `${file:/run/secrets/x}` reads a file (trailing newline removed; relative paths from the config file).
 * Which option values are secrets is said by the connector's options schema (`"x-secret": true`); the
 * same marks give the log redaction paths.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

export const SECRET_REF = /^\$\{(env|file):([^}]+)\}$/;
const ANY_REF = /\$\{(env|file):([^}]+)\}/g;

export function isSecretRef(v: unknown): boolean {
  return typeof v === 'string' && SECRET_REF.test(v);
}

/** Paths (as arrays) of the values a schema marks secret that are present in `value`. */
export function secretPaths(schema: unknown, value: unknown, at: (string | number)[] = []): (string | number)[][] {
  const s = schema as { ['x-secret']?: boolean; properties?: Record<string, unknown>; items?: unknown; additionalProperties?: unknown } | undefined;
  if (!s || value === undefined || value === null) return [];
  if (s['x-secret']) return [at];
  const out: (string | number)[][] = [];
  if (typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      const sub = s.properties?.[k] ?? (typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined);
      out.push(...secretPaths(sub, v, [...at, k]));
    }
  } else if (Array.isArray(value) && s.items) {
    value.forEach((v, i) => out.push(...secretPaths(s.items, v, [...at, i])));
  }
  return out;
}

export class SecretError extends Error {}

/** Replace every reference in a value tree; an unset variable or unreadable file is an error naming it. */
export function resolveSecrets<T>(value: T, baseDir: string, env: NodeJS.ProcessEnv = process.env): T {
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') {
      return v.replace(ANY_REF, (_, kind: string, name: string) => {
        if (kind === 'env') {
          const x = env[name];
          if (x === undefined) throw new SecretError(`environment variable ${name} is not set`);
          return x;
        }
        const p = path.resolve(baseDir, name);
        try {
          return readFileSync(p, 'utf8').replace(/\r?\n$/, '');
        } catch {
          throw new SecretError(`secret file ${p} cannot be read`);
        }
      });
    }
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(value) as T;
}
