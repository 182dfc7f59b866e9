/**
 * The embedded store's new databases: copied from a template made once (src/store/pglite-template.ts),
 * or made by PGlite's initdb where no template can be kept. Each database is a real PGlite one,
 * opened and written through the store.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../../../src/store/open-store.ts';
import { createDatabase, templateKey } from '../../../src/store/pglite-template.ts';

const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'cgic-template-'));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function open(dataDir: string) {
  const store = await openStore({ dataDir });
  cleanup.push(() => store.close());
  return store;
}

describe('PGlite database template', () => {
  it('makes the template once, then copies it: each copy is a database of its own', async () => {
    const dir = tempDir();
    const templates = path.join(dir, 'templates');
    expect(await createDatabase(path.join(dir, 'a'), templates)).toBe('template');
    expect(readdirSync(templates)).toEqual([templateKey()]);
    expect(existsSync(path.join(templates, templateKey(), 'complete'))).toBe(true);
    // An empty folder made beforehand (a volume mounted for it) is filled the same way, and a
    // creation that crashed midway left nothing but its scratch folder, removed now.
    mkdirSync(path.join(dir, 'b'));
    mkdirSync(path.join(dir, 'b.creating-99999', 'base'), { recursive: true });
    expect(await createDatabase(path.join(dir, 'b'), templates)).toBe('template');
    // No scratch folder is left beside the data folders or the template.
    expect(readdirSync(dir).sort()).toEqual(['a', 'b', 'templates']);

    expect(readdirSync(templates)).toEqual([templateKey()]);

    // A template whose data folder went (a cleaner emptied the cache) is made again, not copied empty.
    rmSync(path.join(templates, templateKey(), 'data'), { recursive: true });
    expect(await createDatabase(path.join(dir, 'c'), templates)).toBe('template');
    expect(existsSync(path.join(dir, 'c', 'PG_VERSION'))).toBe(true);

    const a = await open(path.join(dir, 'a'));
    await a.upsertRecords([{ type: 'Agency', key: 'CT0015100', name: 'Hartford PD' }]);
    const b = await open(path.join(dir, 'b'));
    expect(await b.getRecord('Agency', 'CT0015100')).toBeUndefined();
    await b.upsertRecords([{ type: 'Agency', key: 'CT0015100', name: 'Hartford Police Department' }]);
    expect(await a.getRecord('Agency', 'CT0015100')).toMatchObject({ name: 'Hartford PD', version: 1 });
    // The template keeps the buffer cache the hub sets (initdb wrote it in postgresql.conf).
    expect(await b.db.query<{ shared_buffers: string }>('SHOW shared_buffers')).toEqual([{ shared_buffers: '16MB' }]);
  });

  it('runs initdb on the data folder itself where no template can be kept', async () => {
    const dir = tempDir();
    // The template folder cannot be made: a file stands where its parent should be.
    writeFileSync(path.join(dir, 'not-a-folder'), '');
    expect(await createDatabase(path.join(dir, 'db'), path.join(dir, 'not-a-folder', 'templates'))).toBe('initdb');
    expect(await createDatabase(path.join(dir, 'db2'), null)).toBe('initdb');
    expect(readdirSync(dir).sort()).toEqual(['db', 'db2', 'not-a-folder']);
    const store = await open(path.join(dir, 'db'));
    await store.upsertRecords([{ type: 'Agency', key: 'CT0015100', name: 'Hartford PD' }]);
    expect(await store.getRecord('Agency', 'CT0015100')).toMatchObject({ version: 1 });
  });
});
