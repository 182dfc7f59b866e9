/** A connector named on the command line that the configuration does not have: one usage error for every command. */
import { describe, expect, it } from 'vitest';
import { HubError } from '../../../src/errors/hub-error.ts';
import { reportError } from '../../../src/cli/output.ts';
import { checkConnectorFilter, configConnectors, onConnector, unknownConnector } from '../../../src/cli/connector-ids.ts';

const cfg = (...ids: string[]) => configConnectors({ file: `${process.cwd()}/config/cgic.yaml`, connectors: ids.map((id) => ({ id })) as never });

describe('an unknown connector', () => {
  it('is a usage error (exit 2) naming it and the configured connectors, at most 20 of them', async () => {
    const e = await unknownConnector('lims-cvs', cfg('lab-lims-drop', 'etrace-drop'));
    expect(e.code).toBe('HUB_ERR_CLI_USAGE');
    expect(e.message).toBe('no connector "lims-cvs" in config/cgic.yaml (connectors: lab-lims-drop, etrace-drop)');
    const many = Array.from({ length: 25 }, (_, i) => `feed-${i + 1}`);
    const long = await unknownConnector('nope', cfg(...many));
    expect(long.message).toContain('(connectors: feed-1, feed-2,');
    expect(long.message).toContain('feed-20, and 5 more)');
    expect(long.message).not.toContain('feed-21');
    expect((await unknownConnector('nope', cfg())).message).toBe('no connector "nope" in config/cgic.yaml (it has none)');
    const quiet = process.stderr.write;
    process.stderr.write = () => true;
    try {
      expect(reportError(e)).toBe(2);
    } finally {
      process.stderr.write = quiet;
    }
  });

  it('as a filter is refused only when nothing matches: a removed connector whose transfers are stored is still listed', async () => {
    const connectors = cfg('lab-lims-drop');
    await expect(checkConnectorFilter('nope', 0, connectors, 'transfers')).rejects.toThrow('no connector "nope" in config/cgic.yaml (connectors: lab-lims-drop), and no transfers of it match');
    await expect(checkConnectorFilter('retired-feed', 3, connectors, 'transfers')).resolves.toBeUndefined();
    await expect(checkConnectorFilter('lab-lims-drop', 0, connectors, 'transfers')).resolves.toBeUndefined();
    await expect(checkConnectorFilter(undefined, 0, connectors, 'transfers')).resolves.toBeUndefined();
  });

  it("acted on: the hub's No connector becomes the usage error; other errors are left as they are", async () => {
    const connectors = cfg('lab-lims-drop');
    const notFound = (id: string) => () => Promise.reject(new HubError('HUB_ERR_NOT_FOUND', { what: 'connector', id }));
    await expect(onConnector('nope', connectors, notFound('nope'))).rejects.toMatchObject({ code: 'HUB_ERR_CLI_USAGE', message: 'no connector "nope" in config/cgic.yaml (connectors: lab-lims-drop)' });
    await expect(onConnector('lab-lims-drop', connectors, notFound('poll'))).rejects.toMatchObject({ code: 'HUB_ERR_NOT_FOUND' });
    const conflict = new HubError('HUB_ERR_STATE_CONFLICT', { reason: 'connector nope is disabled' });
    await expect(onConnector('nope', connectors, () => Promise.reject(conflict))).rejects.toBe(conflict);
    await expect(onConnector('lab-lims-drop', connectors, async () => 'poll-1')).resolves.toBe('poll-1');
  });
});
