/**
 * makeDirs / makeDirsSync: `mkdir -p` that reports an impossible path instead of hanging (Node's own
 * recursive mkdir loops for ever under /proc, where a configured data or drop folder hung the hub).
 */
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeDirs, makeDirsSync } from '../../../src/sdk/make-dirs.ts';

let root = '';
afterEach(() => {
  if (root) rmSync(root, { recursive: true, force: true });
  root = '';
});

const variants = [
  ['makeDirsSync', async (d: string, mode?: number) => makeDirsSync(d, mode)],
  ['makeDirs', makeDirs],
] as const;

describe.each(variants)('%s', (_name, make) => {
  it('creates the missing levels with the mode asked for, and accepts a folder that exists', async () => {
    root = mkdtempSync(path.join(os.tmpdir(), 'cgic-dirs-'));
    const deep = path.join(root, 'a', 'b', 'c');
    await make(deep, 0o700);
    expect(statSync(deep).isDirectory()).toBe(true);
    expect(statSync(path.join(root, 'a')).mode & 0o777).toBe(0o700);
    await make(deep);
    await make(root);
  });

  it('fails at once under /proc (ENOENT), where a recursive mkdir never returns', async () => {
    await expect(make('/proc/cgic-hub-test/data')).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('a file in the way: ENOTDIR for a parent, EEXIST for the folder itself', async () => {
    root = mkdtempSync(path.join(os.tmpdir(), 'cgic-dirs-'));
    writeFileSync(path.join(root, 'file'), 'x');
    await expect(make(path.join(root, 'file', 'sub'))).rejects.toMatchObject({ code: 'ENOTDIR' });
    await expect(make(path.join(root, 'file'))).rejects.toMatchObject({ code: 'EEXIST' });
  });
});
