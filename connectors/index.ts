/**
 * The connector registry: one explicit list. A new kind is a folder `connectors/<kind>/` (index.ts,
 * README.md, tests) and one line here; `test/conformance/connectors.test.ts` checks that the list and
 * the folders agree and runs the conformance suite on every entry. Folders starting with `_` hold
 * code the kinds share and are not kinds.
 */
import type { ConnectorDescriptor, Direction } from '../src/sdk/connector.ts';
import { directoryDestination, directorySource } from './directory/index.ts';
import { sftpDestination, sftpSource } from './sftp/index.ts';
import { httpPollSource } from './http-poll/index.ts';
import { webhookSource } from './webhook/index.ts';
import { httpDestination } from './http/index.ts';

export { secretPaths as secretOptionPaths } from './_shared/schema.ts';

/** Every connector the hub knows, sources first. */
export const CONNECTORS: readonly ConnectorDescriptor[] = [
  directorySource,
  sftpSource,
  httpPollSource,
  webhookSource,
  directoryDestination,
  sftpDestination,
  httpDestination,
];

export function findConnector(kind: string, direction: Direction): ConnectorDescriptor | undefined {
  return CONNECTORS.find((c) => c.kind === kind && c.direction === direction);
}
