/** The `directory` connector kind: a folder as a source (files dropped by a LIMS or RMS export job) and as a destination (file drops for agencies). */
import { defineConnector } from '../../src/sdk/connector.ts';
import { resolveOptions } from '../_shared/options.ts';
import type { OptionsInput } from '../_shared/schema.ts';
import { DirectorySource, directorySourceSchema, type DirectorySourceOptions } from './source.ts';
import { DirectoryDestination, directoryDestinationSchema, type DirectoryDestinationOptions } from './destination.ts';

export { DirectorySource, DirectoryDestination, directorySourceSchema, directoryDestinationSchema };
export type { DirectorySourceOptions, DirectoryDestinationOptions };

export const directorySource = defineConnector<OptionsInput<typeof directorySourceSchema>>({
  kind: 'directory',
  direction: 'source',
  description: 'Picks up files dropped in a folder once they are stable, claims each by an atomic rename, archives or rejects it afterwards.',
  optionsSchema: directorySourceSchema,
  create: (options, ctx) =>
    new DirectorySource(resolveOptions<DirectorySourceOptions>('directory', directorySourceSchema, options, ctx.id), ctx),
});

export const directoryDestination = defineConnector<OptionsInput<typeof directoryDestinationSchema>>({
  kind: 'directory',
  direction: 'destination',
  description: 'Writes each delivery atomically as a file with its deterministic name in a folder.',
  optionsSchema: directoryDestinationSchema,
  create: (options, ctx) =>
    new DirectoryDestination(resolveOptions<DirectoryDestinationOptions>('directory', directoryDestinationSchema, options, ctx.id), ctx),
});
