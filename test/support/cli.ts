/**
 * `cgic` as an operator runs it (bin/cgic.js in a child process) against a hub started by the
 * harness in another process; and that hub's runtime file, which says where its API listens.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PROJECT_ROOT, waitFor, type TestEnv } from './hub-harness.ts';
import type { RuntimeInfo } from '../../src/runtime/runtime-file.ts';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Run `cgic <args>`; resolves when it exits. */
export function cgic(args: string[], env: Record<string, string> = {}, timeoutMs = 120_000): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(PROJECT_ROOT, 'bin/cgic.js'), ...args], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, LOG_LEVEL: 'warn', CGIC_API_KEY: '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`cgic ${args.join(' ')} did not finish in ${timeoutMs} ms\n${stderr}`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * `cgic map` on `text` (a file named `name`) with a mapping specification, in a child process stopped
 * after `timeoutMs`: work that would hold a process (a pattern that backtracks, a quadratic header)
 * holds that one, and the test fails when it is stopped instead of hanging the runner.
 */
export async function cgicMap(spec: unknown, name: string, text: string, flags: string[] = [], timeoutMs = 30_000): Promise<CliResult> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cgic-map-'));
  try {
    writeFileSync(path.join(dir, 'mapping.yaml'), JSON.stringify(spec));
    writeFileSync(path.join(dir, name), text);
    return await cgic(['map', ...flags, '-m', path.join(dir, 'mapping.yaml'), path.join(dir, name)], {}, timeoutMs);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Wait for the hub the env spawned to listen: its runtime file (var/hub.json) names its API. */
export async function runningHub(env: TestEnv, timeoutMs = 180_000): Promise<RuntimeInfo & { api(method: string, p: string, body?: unknown, key?: string): Promise<{ status: number; body: any }> }> {
  const file = path.join(env.dir, 'var', 'hub.json');
  const child = env.children[env.children.length - 1] as (typeof env.children)[number] & { errText?: () => string };
  const info = await waitFor(
    'the hub to write var/hub.json',
    () => {
      if (child && child.exitCode !== null) throw new Error(`the hub exited with ${child.exitCode}: ${child.errText?.()}`);
      return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as RuntimeInfo) : null;
    },
    timeoutMs,
    200,
  );
  return {
    ...info,
    async api(method, p, body, key = info.key) {
      const res = await fetch(`${info.url}${p}`, {
        method,
        headers: { authorization: `Bearer ${key}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : null };
    },
  };
}
