import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { HubError } from '../../../src/errors/hub-error.ts';
import { buildCodeTables, createCodeTable, DEFAULT_SYNONYM_DIR, parseSynonyms } from '../../../src/codes/index.ts';

function hubErrorOf(fn: () => unknown): HubError {
  try {
    fn();
  } catch (err) {
    if (err instanceof HubError) return err;
    throw err;
  }
  throw new Error('expected a HubError');
}

const codes = new Map([
  ['SW', 'SMITH & WESSON OR ESWATINI'],
  ['SWT', 'SWAT FIREARMS'],
  ['GLC', 'GLOCK, INC.'],
]);

describe('parseSynonyms', () => {
  it('reads every scalar as text: .380 stays ".380", a code 9 stays "9"', () => {
    const [e] = parseSynonyms('- code: 9\n  cartridge: 9mm Luger\n  spellings: [.380, 9MM]\n', 't.yaml');
    expect(e).toEqual({ code: '9', cartridge: '9mm Luger', spellings: ['.380', '9MM'], source: { file: 't.yaml', entry: 1 } });
  });

  it('reads ambiguous entries', () => {
    const [e] = parseSynonyms('- candidates: [SW, SWT]\n  spellings: ["S.W."]\n  note: x\n', 't.yaml');
    expect(e).toMatchObject({ candidates: ['SW', 'SWT'], spellings: ['S.W.'], note: 'x' });
    expect(e?.code).toBeUndefined();
  });

  it('an empty file is an empty table', () => {
    expect(parseSynonyms('# nothing yet\n', 't.yaml')).toEqual([]);
  });

  it('rejects broken YAML with HUB_ERR_MAPPING_YAML naming the file', () => {
    const e = hubErrorOf(() => parseSynonyms('- code: SW\n  spellings: ["S&W"\n', 'make.yaml'));
    expect(e.code).toBe('HUB_ERR_MAPPING_YAML');
    expect(e.errorClass).toBe('config');
    expect(e.message).toMatch(/make\.yaml/);
  });

  it('refuses a file nesting 100,000 levels, and an alias bomb, with HUB_ERR_MAPPING_YAML at their line', () => {
    const deep = hubErrorOf(() => parseSynonyms(`- code: SW\n  spellings: ${'['.repeat(100_000)}${']'.repeat(100_000)}\n`, 'make.yaml'));
    expect(deep.code).toBe('HUB_ERR_MAPPING_YAML');
    expect(deep.message).toMatch(/make\.yaml:2:\d+: nests more than 100 levels deep/);
    expect(deep.pointer).toEqual({ file: 'make.yaml', line: 2 });
    // Nine levels of nine aliases: 9^9 (387 million) spellings once converted.
    const bomb = ['- code: SW', '  spellings: &a0 [x]', ...Array.from({ length: 9 }, (_, i) => `- code: S${i}\n  spellings: &a${i + 1} [${Array(9).fill(`*a${i}`).join(',')}]`)].join('\n') + '\n';
    const e = hubErrorOf(() => parseSynonyms(bomb, 'make.yaml'));
    expect(e.code).toBe('HUB_ERR_MAPPING_YAML');
    expect(e.message).toMatch(/make\.yaml:\d+:\d+: the alias \*a\d repeats anchored values more than 100 times/);
  });

  it.each([
    ['code: SW\n', /YAML list/],
    ['- code: SW\n', /spellings/],
    ['- spellings: [X]\n', /code \(or candidates\) is missing/],
    ['- code: SW\n  candidates: [SW, SWT]\n  spellings: [X]\n', /not both/],
    ['- candidates: [SW]\n  spellings: [X]\n', /two or more/],
    ['- code: SW\n  spelling: [X]\n', /unknown key "spelling"/],
    ['- code: SW\n  spellings: []\n', /non-empty/],
    ['- code: SW\n  spellings: [[X]]\n', /quoted strings/],
  ])('rejects a malformed entry %j', (yaml, reason) => {
    const e = hubErrorOf(() => parseSynonyms(yaml, 'make.yaml'));
    expect(e.code).toBe('HUB_ERR_MAPPING_INVALID');
    expect(e.message).toMatch(reason);
    expect(e.message).toMatch(/make\.yaml/);
  });
});

describe('createCodeTable', () => {
  it('refuses a synonym whose code is not in the table', () => {
    const synonyms = parseSynonyms('- code: GLK\n  spellings: [GLOCK]\n', 'make.yaml');
    const e = hubErrorOf(() => createCodeTable({ name: 'ncic-make', system: 'NCIC-MAK', codes, synonyms }));
    expect(e.code).toBe('HUB_ERR_MAPPING_INVALID');
    expect(e.message).toMatch(/make\.yaml entry 1 \(GLK\): "GLK" is not a code of NCIC-MAK/);
  });

  it('refuses one spelling with two meanings, even spelled differently', () => {
    const synonyms = parseSynonyms('- code: SW\n  spellings: ["S.W.A.T."]\n- code: SWT\n  spellings: [SWAT]\n', 'make.yaml');
    const e = hubErrorOf(() => createCodeTable({ name: 'ncic-make', system: 'NCIC-MAK', codes, synonyms }));
    expect(e.message).toMatch(/spelling "SWAT" already means something else in make\.yaml entry 1 \(SW\)/);
  });

  it('allows the same spelling twice with the same meaning', () => {
    const synonyms = parseSynonyms('- code: SW\n  spellings: ["S&W", "s & w"]\n', 'make.yaml');
    const t = createCodeTable({ name: 'ncic-make', system: 'NCIC-MAK', codes, synonyms });
    expect(t.lookup('S & W').value.code).toBe('SW');
  });

  it('marks two codes with the same description ambiguous', () => {
    const t = createCodeTable({ name: 't', system: 'T', codes: new Map([['A', 'SAME NAME'], ['B', 'SAME NAME']]) });
    expect(t.lookup('same name')).toMatchObject({ ok: false, reason: 'ambiguous', candidates: ['A', 'B'] });
  });

  it('honours text-mode exclusions only in text mode', () => {
    const t = createCodeTable({ name: 't', system: 'T', codes, textModeExcluded: new Set(['SW']) });
    expect(t.lookup('SW')).toMatchObject({ ok: false, reason: 'unknown' });
    expect(t.lookup('SW', 'code')).toMatchObject({ ok: true, value: { code: 'SW' } });
  });
});

describe('buildCodeTables with another synonym folder', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
    dir = undefined;
  });

  async function folderWith(makeYaml: string): Promise<string> {
    dir = await mkdtemp(join(tmpdir(), 'cgic-codes-'));
    for (const f of ['ncic-caliber.synonyms.yaml', 'ncic-gun-type.synonyms.yaml']) {
      await copyFile(join(DEFAULT_SYNONYM_DIR, f), join(dir, f));
    }
    await writeFile(join(dir, 'ncic-make.synonyms.yaml'), makeYaml);
    return dir;
  }

  it('uses the folder\'s synonyms: an administrator\'s new spelling resolves', async () => {
    const tables = await buildCodeTables({ synonymDir: await folderWith('- code: GLC\n  spellings: ["GLOCK PERFECTION"]\n') });
    expect(tables.get('ncic-make')!.lookup('Glock Perfection')).toMatchObject({ ok: true, via: 'synonym', value: { code: 'GLC' } });
    expect(tables.get('ncic-make')!.lookup('S&W')).toMatchObject({ ok: false, reason: 'unknown' });
  });

  it('fails with a config error naming the file when a code does not exist', async () => {
    const synonymDir = await folderWith('- code: GLOK\n  spellings: [GLOCK]\n');
    const err = await buildCodeTables({ synonymDir }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HubError);
    expect((err as HubError).code).toBe('HUB_ERR_MAPPING_INVALID');
    expect((err as HubError).message).toContain(join(synonymDir, 'ncic-make.synonyms.yaml'));
  });

  it('refuses a synonym file saved in Windows-1252 at its first byte that is not UTF-8 (its spelling would never have matched)', async () => {
    dir = await mkdtemp(join(tmpdir(), 'cgic-codes-'));
    for (const f of ['ncic-caliber.synonyms.yaml', 'ncic-gun-type.synonyms.yaml']) await copyFile(join(DEFAULT_SYNONYM_DIR, f), join(dir, f));
    await writeFile(join(dir, 'ncic-make.synonyms.yaml'), Buffer.from('- code: SIG\n  spellings: ["SIG SAUER", "SIG-SAUER GMBH SCHWÄBISCH"]\n', 'latin1'));
    const err = await buildCodeTables({ synonymDir: dir }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HubError);
    expect((err as HubError).code).toBe('HUB_ERR_MAPPING_YAML');
    expect((err as HubError).message).toContain(`${join(dir, 'ncic-make.synonyms.yaml')}:2:48: is not UTF-8 text: byte 0xC4 here is not valid UTF-8 (in Windows-1252, "Ä")`);
  });

  it('fails with HUB_ERR_FILE_NOT_FOUND when a synonym file is missing', async () => {
    const synonymDir = await folderWith('');
    await rm(join(synonymDir, 'ncic-caliber.synonyms.yaml'));
    const err = await buildCodeTables({ synonymDir }).catch((e: unknown) => e);
    expect((err as HubError).code).toBe('HUB_ERR_FILE_NOT_FOUND');
  });
});
