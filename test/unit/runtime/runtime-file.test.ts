/**
 * `cgic` finds the running hub through the data folder its configuration names, read without checking
 * the rest of the file: a configuration that cannot be read (nesting 100,000 levels, an alias bomb)
 * names no folder, and the default one is used, without a stack overflow.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_DATA_DIR } from '../../../src/config/hub-config.ts';
import { dataDirOfConfigFile } from '../../../src/runtime/runtime-file.ts';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'cgic-runtime-file-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function config(name: string, text: string): string {
  const file = path.join(tmp, name);
  writeFileSync(file, text);
  return file;
}

describe('dataDirOfConfigFile', () => {
  it('is the configuration’s hub.dataDir, relative to the file', () => {
    expect(dataDirOfConfigFile(config('cgic.yaml', 'hub: { name: t, dataDir: ./state }\n'))).toBe(path.join(tmp, 'state'));
  });

  it('is the default for a file nesting 100,000 levels, an alias bomb or a YAML error', () => {
    const N = 100_000;
    const bomb = ['a0: &a0 x', ...Array.from({ length: 9 }, (_, i) => `a${i + 1}: &a${i + 1} [${Array(9).fill(`*a${i}`).join(',')}]`)].join('\n');
    for (const [name, text] of [
      ['deep.yaml', `hub: { name: t, dataDir: ./state }\nagencies: ${'['.repeat(N)}${']'.repeat(N)}\n`],
      ['bomb.yaml', `hub: { name: t, dataDir: ./state }\n${bomb}\n`],
      ['broken.yaml', 'hub: { name: t, dataDir: ./state }\nhub: {}\n'],
    ]) {
      expect(dataDirOfConfigFile(config(name!, text!)), name).toBe(path.resolve(tmp, DEFAULT_DATA_DIR));
    }
  });
});
