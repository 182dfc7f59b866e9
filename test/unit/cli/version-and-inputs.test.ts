/**
 * The CLI's answers to a new user's first tries: its version, no command at all, and a folder or a
 * missing file given where a file is read.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../../src/mapping/load.ts';

const cgic = (...args: string[]) => spawnSync(process.execPath, [path.join(PROJECT_ROOT, 'bin/cgic.js'), ...args], { encoding: 'utf8', cwd: PROJECT_ROOT });

describe('cgic for a new user', () => {
  it('--version and -V print the version of package.json', () => {
    const { version } = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string };
    for (const flag of ['--version', '-V']) {
      const r = cgic(flag);
      expect([r.status, r.stdout.trim()]).toEqual([0, version]);
    }
  });

  it('with no command prints the help on stderr and exits 2, as git does; help asked for is on stdout, exit 0', () => {
    const none = cgic();
    expect(none.status).toBe(2);
    expect(none.stdout).toBe('');
    expect(none.stderr).toMatch(/^Usage: cgic \[options\] \[command\]/);
    expect(none.stderr).toContain('validate [options] [paths...]');
    for (const args of [['help'], ['--help'], ['-h'], ['help', 'map']]) {
      const r = cgic(...args);
      expect([args, r.status, r.stderr]).toEqual([args, 0, '']);
      expect(r.stdout).toMatch(/^Usage: cgic /);
    }
    const unknown = cgic('help', 'nope');
    expect([unknown.status, unknown.stdout]).toEqual([2, '']);
  });

  it('map given a folder is a usage error that says how to map each of its files', () => {
    const r = cgic('map', '-m', 'lims-csv', 'fixtures');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('HUB_ERR_CLI_USAGE fixtures is a folder; cgic map reads one file');
    expect(r.stderr).toContain('for f in fixtures/*; do cgic map -m lims-csv "$f"; done');
    expect(r.stderr).not.toContain('EISDIR');
  });

  it('map of an input file that does not exist or cannot be read exits 66 (EX_NOINPUT); a missing mapping stays 78', () => {
    const missing = cgic('map', '/nonexistent.csv', '-m', 'lims-csv');
    expect(missing.status).toBe(66);
    expect(missing.stderr).toContain('HUB_ERR_CLI_INPUT_FILE Cannot read the input file /nonexistent.csv: no such file');
    const underAFile = cgic('map', 'package.json/export.csv', '-m', 'lims-csv');
    expect(underAFile.status).toBe(66);
    expect(underAFile.stderr).toContain('HUB_ERR_CLI_INPUT_FILE Cannot read the input file package.json/export.csv: a part of the path is a file, not a folder');
    const noMapping = cgic('map', 'fixtures/scenario/lims.csv', '-m', 'no-such-mapping');
    expect(noMapping.status).toBe(78);
    expect(noMapping.stderr).toContain('HUB_ERR_MAPPING_NOT_FOUND');
  });

  it('map of an input file that cannot be opened (a symbolic link to itself) exits 66, saying why', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cgic-map-'));
    try {
      const file = path.join(dir, 'export.csv');
      symlinkSync(file, file);
      const r = cgic('map', file, '-m', 'lims-csv');
      expect(r.status).toBe(66);
      expect(r.stderr).toContain(`HUB_ERR_CLI_INPUT_FILE Cannot read the input file ${file}: too many symbolic links`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('validate given a hub configuration checks it as one, as -c does, not as a mapping', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cgic-validate-'));
    try {
      const file = path.join(dir, 'cgic.yaml');
      writeFileSync(file, 'hub: { name: x, api: { port: "eighty" } }\nagencies: []\nconnectors: []\n');
      const bad = cgic('validate', file);
      expect(bad.status).toBe(78);
      expect(bad.stderr).toContain('cgic.yaml:1:30: HUB_ERR_CONFIG_SCHEMA /hub/api/port must be integer');
      expect(bad.stderr).not.toContain('HUB_ERR_MAPPING');
      const good = cgic('validate', 'config/cgic.yaml', 'mappings/lims-csv');
      expect(good.status).toBe(0);
      expect(good.stdout).toMatch(/^ok {3}config\/cgic\.yaml {2}config {2}\d+ agencies/m);
      expect(good.stdout).toContain('ok   mappings/lims-csv/mapping.yaml  lims-csv@1');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('cgic run summary', () => {
  it('names the rows stored with encoding damage, and says nothing of them when there are none', async () => {
    const { runLines } = await import('../../../src/cli/views.ts');
    const t = {
      id: 't1', connectorId: 'lims', trigger: 'manual' as const, source: 'lims.csv', status: 'succeeded' as const, error: null,
      createdAt: '2026-12-05T00:00:00.000Z', startedAt: null, finishedAt: null,
      counts: { read: 12, mapped: 12, invalid: 0, damaged: 2, stored: 40, changed: 40, unchanged: 0, delivered: 19, failed: 0 },
    };
    expect(runLines(t)[1]).toBe("  rows read 12, mapped 12, invalid 0, 2 with text damaged by a wrong encoding, stored as read (see the mapping's source.encoding); record statements stored 40 (0 changed nothing); records changed 40, delivered 19, failed 0");
    expect(runLines({ ...t, counts: { ...t.counts, damaged: 0 } })[1]).not.toContain('damaged');
  });
});
