/**
 * The explicit registry (connectors/index.ts) and the folders agree: every folder with an index.ts is
 * registered with every descriptor it exports, every registered kind has its folder, README and tests,
 * and every option fixture belongs to a registered connector.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CONNECTORS, findConnector, secretOptionPaths } from '../../connectors/index.ts';
import type { ConnectorDescriptor } from '../../src/sdk/connector.ts';

const here = dirname(fileURLToPath(import.meta.url));
const CONNECTORS_DIR = join(here, '..', '..', 'connectors');
const FIXTURES = join(here, 'fixtures');

const folders = readdirSync(CONNECTORS_DIR).filter((f) => statSync(join(CONNECTORS_DIR, f)).isDirectory());
const kindFolders = folders.filter((f) => !f.startsWith('_'));

function isDescriptor(v: unknown): v is ConnectorDescriptor {
  const d = v as Partial<ConnectorDescriptor> | null;
  return !!d && typeof d === 'object' && typeof d.kind === 'string' && (d.direction === 'source' || d.direction === 'destination') &&
    typeof d.create === 'function' && typeof d.optionsSchema === 'object';
}

describe('connector registry', () => {
  it('lists each (kind, direction) once', () => {
    const keys = CONNECTORS.map((d) => `${d.kind}:${d.direction}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('every folder (other than shared _ folders) is a kind with index.ts, README.md and tests', () => {
    for (const f of kindFolders) {
      expect(existsSync(join(CONNECTORS_DIR, f, 'index.ts')), `connectors/${f}/index.ts`).toBe(true);
      expect(existsSync(join(CONNECTORS_DIR, f, 'README.md')), `connectors/${f}/README.md`).toBe(true);
      expect(existsSync(join(CONNECTORS_DIR, f, `${f}.test.ts`)), `connectors/${f}/${f}.test.ts`).toBe(true);
    }
    for (const f of folders.filter((x) => x.startsWith('_'))) {
      expect(existsSync(join(CONNECTORS_DIR, f, 'index.ts')), `connectors/${f} is shared code and must not look like a kind`).toBe(false);
    }
  });

  it('every descriptor a folder exports is registered, and is the registered object', async () => {
    for (const f of kindFolders) {
      const mod = (await import(pathToFileURL(join(CONNECTORS_DIR, f, 'index.ts')).href)) as Record<string, unknown>;
      const exported = Object.values(mod).filter(isDescriptor);
      expect(exported.length, `connectors/${f}/index.ts exports no descriptor`).toBeGreaterThan(0);
      for (const d of exported) {
        expect(d.kind, `a descriptor in connectors/${f} has kind ${d.kind}`).toBe(f);
        expect(CONNECTORS, `${d.kind} ${d.direction} is exported by connectors/${f}/index.ts but not registered`).toContain(d);
      }
    }
  });

  it('every registered kind has its folder', () => {
    for (const d of CONNECTORS) expect(kindFolders, `no folder connectors/${d.kind}`).toContain(d.kind);
  });

  it('findConnector finds by kind and direction', () => {
    for (const d of CONNECTORS) expect(findConnector(d.kind, d.direction)).toBe(d);
    expect(findConnector('directory', 'destination')?.direction).toBe('destination');
    expect(findConnector('webhook', 'destination')).toBeUndefined();
    expect(findConnector('ftp', 'source')).toBeUndefined();
  });

  it('every option fixture belongs to a registered kind and direction', () => {
    for (const kind of readdirSync(FIXTURES).filter((f) => !f.startsWith('_'))) {
      for (const file of readdirSync(join(FIXTURES, kind))) {
        const m = /^(valid|invalid)-(source|destination)-[a-z0-9-]+\.json$/.exec(file);
        expect(m, `fixtures/${kind}/${file}: name it valid|invalid-<direction>-<case>.json`).not.toBeNull();
        expect(findConnector(kind, m![2] as 'source' | 'destination'), `fixtures/${kind}/${file}`).toBeDefined();
      }
    }
  });

  it('derives the secret option paths (for redaction) from the x-secret marks', () => {
    expect(secretOptionPaths(findConnector('http', 'destination')!.optionsSchema)).toEqual([
      'auth.password',
      'auth.token',
      'tls.key',
      'tls.passphrase',
    ]);
    expect(secretOptionPaths(findConnector('sftp', 'source')!.optionsSchema)).toEqual(['passphrase', 'password', 'privateKey']);
    expect(secretOptionPaths(findConnector('webhook', 'source')!.optionsSchema)).toEqual(['secret']);
    expect(secretOptionPaths(findConnector('directory', 'source')!.optionsSchema)).toEqual([]);
  });
});
