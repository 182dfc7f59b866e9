/** `cgic test` names the mappings that have no golden tests, beside the results of those that have. */
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { testCommand } from '../../../src/cli/commands/test.ts';

const ROOT = path.resolve(import.meta.dirname, '../../..');

describe('cgic test', () => {
  let dir = '';
  afterEach(() => {
    vi.restoreAllMocks();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('lists a mapping without golden tests and still runs the others', async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'cgic-test-cmd-'));
    cpSync(path.join(ROOT, 'mappings/etrace-csv'), path.join(dir, 'etrace-csv'), { recursive: true });
    // The cases that read the repository's fixtures by a relative path stay behind.
    for (const f of readdirSync(path.join(dir, 'etrace-csv/tests'))) if (f.startsWith('fixture-')) rmSync(path.join(dir, 'etrace-csv/tests', f));
    cpSync(path.join(ROOT, 'mappings/etrace-csv/mapping.yaml'), path.join(dir, 'my-rms/mapping.yaml'));
    const printed: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((s) => (printed.push(String(s)), true));
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const code = await testCommand(dir, {});
    const lines = printed.join('').trimEnd().split('\n');
    expect(code).toBe(0);
    expect(lines.filter((l) => l.startsWith('pass')).length).toBeGreaterThan(0);
    const none = path.relative(process.cwd(), path.join(dir, 'my-rms/mapping.yaml'));
    expect(lines).toContain(`none    ${none}: no golden tests (add ${path.join(path.dirname(none), 'tests', '<case>.test.yaml')}: docs/mapping-language.md, "Lock it in with golden tests")`);
    expect(lines.at(-1)).toMatch(/^\d+ passed, 0 failed \(\d+ golden cases, 1 mappings\); 1 mapping without golden tests$/);
  });
});
