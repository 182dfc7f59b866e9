/**
 * docs/configuration.md stays in step with schemas/config.schema.json, and every connector kind's
 * README with its options schema.
 *
 * Convention (stated at the top of docs/configuration.md): every key is named by its full path in
 * backticks, `[]` marking a list item (`hub.delivery.backoffMs`, `agencies[].destinations[].leadFormat`,
 * `connectors[].schedule`), in a reference-table row that starts `| \`<path>\` |` with the columns
 * key | type | default | meaning | example. A key with a schema `default` shows it in the default
 * column, in backticks (strings bare, other values as JSON).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { CONNECTORS } from '../../../connectors/index.ts';
import { loadHubConfig } from '../../../src/config/hub-config.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const DOC_FILE = path.join(ROOT, 'docs', 'configuration.md');
const doc = readFileSync(DOC_FILE, 'utf8');
const schema = JSON.parse(readFileSync(path.join(ROOT, 'schemas', 'config.schema.json'), 'utf8')) as JsonSchema;

interface JsonSchema {
  $ref?: string;
  $defs?: Record<string, JsonSchema>;
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  default?: unknown;
  [k: string]: unknown;
}

/** Follow local `#/$defs/...` references, merging the referring node's own keywords over the target. */
function deref(s: JsonSchema, root: JsonSchema): JsonSchema {
  let node = s;
  const seen = new Set<string>();
  while (node.$ref) {
    const ref = node.$ref;
    if (!ref.startsWith('#/') || seen.has(ref)) throw new Error(`unsupported or circular $ref ${ref}`);
    seen.add(ref);
    let target: unknown = root;
    for (const seg of ref.slice(2).split('/')) target = (target as Record<string, unknown>)[seg];
    if (!target) throw new Error(`dangling $ref ${ref}`);
    const { $ref: _drop, ...own } = node;
    node = { ...(target as JsonSchema), ...own };
  }
  return node;
}

interface KeyPath {
  path: string;
  schema: JsonSchema;
}

/** Every property path of a schema: objects' properties joined by `.`, list items marked `[]`. */
function keyPaths(s: JsonSchema, root: JsonSchema, prefix = ''): KeyPath[] {
  const node = deref(s, root);
  const out: KeyPath[] = [];
  for (const [name, sub] of Object.entries(node.properties ?? {})) {
    const p = prefix ? `${prefix}.${name}` : name;
    const child = deref(sub, root);
    out.push({ path: p, schema: child });
    if (child.properties) out.push(...keyPaths(child, root, p));
    if (child.items) {
      const item = deref(child.items, root);
      if (item.properties) out.push(...keyPaths(item, root, `${p}[]`));
    }
  }
  return out;
}

/** The reference-table row of a key: the line starting `| \`path\` |`. */
function rowOf(text: string, key: string): string | undefined {
  return text.split('\n').find((l) => l.startsWith(`| \`${key}\` |`));
}

/** The cells of a table row (a `\|` inside a cell is not a separator). */
function cellsOf(row: string): string[] {
  return row
    .split(/(?<!\\)\|/)
    .slice(1, -1)
    .map((c) => c.trim());
}

function shown(v: unknown): string {
  return `\`${typeof v === 'string' ? v : JSON.stringify(v)}\``;
}

const KEYS = keyPaths(schema, schema);

describe('docs/configuration.md covers schemas/config.schema.json', () => {
  it('finds the keys the brief names (the walk itself works)', () => {
    const paths = KEYS.map((k) => k.path);
    for (const p of ['hub.delivery.backoffMs', 'agencies[].destinations[].leadFormat', 'connectors[].schedule', 'hub.api.keys[].sha256', '$schema']) {
      expect(paths).toContain(p);
    }
    expect(paths.length).toBeGreaterThan(40);
  });

  it('states the naming convention at the top', () => {
    const head = doc.slice(0, 1500);
    expect(head).toContain('`hub.delivery.backoffMs`');
    expect(head).toContain('`[]`');
  });

  it.each(KEYS.map((k) => [k.path, k] as const))('has a row for %s', (_p, k) => {
    const row = rowOf(doc, k.path);
    expect(row, `docs/configuration.md needs a table row starting "| \`${k.path}\` |"`).toBeDefined();
  });

  it.each(KEYS.filter((k) => k.schema.default !== undefined).map((k) => [k.path, k] as const))('shows the schema default of %s', (_p, k) => {
    const cells = cellsOf(rowOf(doc, k.path) ?? '');
    // Columns: key | type | default | meaning | example.
    expect(cells[2], `the default column of ${k.path} should show ${shown(k.schema.default)}`).toContain(shown(k.schema.default));
  });

  it('names no key the schema does not have', () => {
    const known = new Set(KEYS.map((k) => k.path));
    const documented = doc
      .split('\n')
      .map((l) => /^\| `((?:\$schema|hub|agencies|connectors)[^`]*)` \|/.exec(l)?.[1])
      .filter((p): p is string => p !== undefined);
    expect(documented.length).toBeGreaterThan(0);
    expect(documented.filter((p) => !known.has(p))).toEqual([]);
  });

  it('the complete example passes the hub configuration check', async () => {
    const m = /## A complete example[\s\S]*?```yaml\n([\s\S]*?)```/.exec(doc);
    expect(m, 'docs/configuration.md needs a "## A complete example" section with a yaml block').not.toBeNull();
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cgic-config-doc-'));
    try {
      const file = path.join(dir, 'cgic.yaml');
      writeFileSync(file, m![1]!);
      const cfg = await loadHubConfig(file);
      // The example uses every section, so the reference is exercised as a whole.
      const raw = parseYaml(m![1]!) as Record<string, any>;
      expect(Object.keys(raw.hub).sort()).toEqual(Object.keys(deref(schema.properties!.hub!, schema).properties!).sort());
      expect(cfg.connectors.map((c) => c.kind).sort()).toEqual(['directory', 'sftp', 'webhook']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('every yaml block parses', () => {
    const blocks = [...doc.matchAll(/```yaml\n([\s\S]*?)```/g)].map((x) => x[1]!);
    expect(blocks.length).toBeGreaterThan(2);
    for (const b of blocks) expect(() => parseYaml(b)).not.toThrow();
  });
});

/** Options of a connector's options schema: `auth.token` for nested objects, with their schemas. */
function optionPaths(s: JsonSchema, prefix = ''): { path: string; schema: JsonSchema }[] {
  const out: { path: string; schema: JsonSchema }[] = [];
  for (const [name, sub] of Object.entries(s.properties ?? {})) {
    const p = prefix ? `${prefix}.${name}` : name;
    out.push({ path: p, schema: sub });
    if (sub && typeof sub === 'object' && sub.properties) out.push(...optionPaths(sub, p));
  }
  return out;
}

describe('every connector option is described in connectors/<kind>/README.md', () => {
  const cases = CONNECTORS.flatMap((c) =>
    optionPaths(c.optionsSchema as JsonSchema).map((o) => [`${c.kind} ${c.direction}`, o.path, c.kind, o.schema] as const),
  );

  it('walks every registered connector', () => {
    expect(new Set(CONNECTORS.map((c) => c.kind))).toEqual(new Set(['directory', 'sftp', 'http-poll', 'webhook', 'http']));
    expect(cases.length).toBeGreaterThan(50);
    for (const c of CONNECTORS) expect(existsSync(path.join(ROOT, 'connectors', c.kind, 'README.md')), `connectors/${c.kind}/README.md`).toBe(true);
  });

  it.each(cases)('%s: option %s has a row with its default', (_what, option, kind, optionSchema) => {
    const readme = readFileSync(path.join(ROOT, 'connectors', kind, 'README.md'), 'utf8');
    // A nested option (auth.token) is a row of its parent's sub-table, under its own name.
    const leaf = option.split('.').at(-1)!;
    const rows = readme.split('\n').filter((l) => l.startsWith(`| \`${leaf}\` |`));
    expect(rows.length, `connectors/${kind}/README.md needs a table row starting "| \`${leaf}\` |" for option ${option}`).toBeGreaterThan(0);
    if (optionSchema.default !== undefined) {
      expect(
        rows.some((r) => r.includes(shown(optionSchema.default))),
        `a row of ${leaf} in connectors/${kind}/README.md should show its default ${shown(optionSchema.default)}`,
      ).toBe(true);
    }
  });
});
