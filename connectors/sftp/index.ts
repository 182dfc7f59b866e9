/** The `sftp` connector kind: a remote folder on an SFTP server as a source (lab or RMS exports) and as a destination (file drops for agencies). */
import { defineConnector } from '../../src/sdk/connector.ts';
import { resolveOptions } from '../_shared/options.ts';
import type { OptionsInput } from '../_shared/schema.ts';
import { SftpSource, sftpSourceSchema, type SftpSourceOptions } from './source.ts';
import { SftpDestination, sftpDestinationSchema, type SftpDestinationOptions } from './destination.ts';
import { fingerprintOf } from './session.ts';

export { SftpSource, SftpDestination, sftpSourceSchema, sftpDestinationSchema, fingerprintOf };
export type { SftpSourceOptions, SftpDestinationOptions };

export const sftpSource = defineConnector<OptionsInput<typeof sftpSourceSchema>>({
  kind: 'sftp',
  direction: 'source',
  description: 'Picks up stable files from an SFTP folder, claims each by a remote rename, archives or rejects it remotely afterwards.',
  optionsSchema: sftpSourceSchema,
  create: (options, ctx) => new SftpSource(resolveOptions<SftpSourceOptions>('sftp', sftpSourceSchema, options, ctx.id), ctx),
});

export const sftpDestination = defineConnector<OptionsInput<typeof sftpDestinationSchema>>({
  kind: 'sftp',
  direction: 'destination',
  description: 'Uploads each delivery to an SFTP folder under a temporary name, then renames it into place.',
  optionsSchema: sftpDestinationSchema,
  create: (options, ctx) => new SftpDestination(resolveOptions<SftpDestinationOptions>('sftp', sftpDestinationSchema, options, ctx.id), ctx),
});
