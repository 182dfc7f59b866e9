/**
 * The log of a hub a command runs in its own process: lines for a person on stderr, secrets hidden as
 * in the hub's own log; JSON on request.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cliLogger } from '../../../src/cli/output.ts';

function captureStderr(): { lines: string[]; restore(): void } {
  const lines: string[] = [];
  const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  return { lines, restore: () => spy.mockRestore() };
}

describe('cliLogger', () => {
  afterEach(() => {
    delete process.env.LOG_FORMAT;
    delete process.env.LOG_LEVEL;
  });

  it('writes "warning: message {fields}" lines, hides connector secrets, and leaves out info by default', async () => {
    const log = await cliLogger();
    const cap = captureStderr();
    try {
      log.info('not shown at the default level');
      log.warn({ code: 'HUB_ERR_X', connector: { id: 'hfd', options: { auth: { token: 's3cret-token' } } } }, 'the agency did not answer');
    } finally {
      cap.restore();
    }
    expect(cap.lines).toEqual(['warning: the agency did not answer {"code":"HUB_ERR_X","connector":{"id":"hfd","options":{"auth":{"token":"[redacted]"}}}}\n']);
  });

  it('LOG_FORMAT=json keeps JSON lines, redacted too', async () => {
    process.env.LOG_FORMAT = 'json';
    process.env.LOG_LEVEL = 'info';
    const log = await cliLogger();
    const cap = captureStderr();
    try {
      log.info({ options: { password: 'pw' } }, 'hello');
    } finally {
      cap.restore();
    }
    expect(cap.lines).toHaveLength(1);
    expect(JSON.parse(cap.lines[0]!)).toMatchObject({ level: 30, msg: 'hello', options: { password: '[redacted]' } });
  });
});
