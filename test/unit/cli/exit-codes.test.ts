import { describe, expect, it, vi } from 'vitest';
import { HubError } from '../../../src/errors/hub-error.ts';
import { reportError } from '../../../src/cli/output.ts';
import { EXIT } from '../../../src/cli/exit-codes.ts';

describe('cgic exit codes', () => {
  it('tell a state conflict (75), an unavailable service (69) and a missing input file (66) from a configuration error (78) and failed work (1)', () => {
    const quiet = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(reportError(new HubError('HUB_ERR_STATE_CONFLICT', { reason: 'dead letter x was replayed at ...' }))).toBe(75);
      expect(reportError(new HubError('HUB_ERR_STORE_UNAVAILABLE', { target: 'db', reason: 'ECONNREFUSED' }))).toBe(69);
      expect(reportError(new HubError('HUB_ERR_REDIS_UNAVAILABLE', { reason: 'down' }))).toBe(69);
      expect(reportError(new HubError('HUB_ERR_CONFIG_INVALID', { reason: 'bad' }))).toBe(78);
      expect(reportError(new HubError('HUB_ERR_NOT_FOUND', { what: 'dead letter', id: 'x' }))).toBe(78);
      expect(reportError(new HubError('HUB_ERR_CLI_USAGE', { reason: 'x' }))).toBe(2);
      expect(reportError(new HubError('HUB_ERR_CLI_INPUT_FILE', { path: 'export.csv', reason: 'no such file' }))).toBe(66);
      expect(reportError(new HubError('HUB_ERR_FILE_NOT_FOUND', { path: 'config/cgic.yaml' }))).toBe(78); // a configuration or mapping file
      expect(reportError(new Error('boom'))).toBe(1);
    } finally {
      quiet.mockRestore();
    }
    expect(new Set(Object.values(EXIT)).size).toBe(Object.values(EXIT).length);
  });
});
