/**
 * A separate hub process for the "two processes never claim the same file" tests: writes
 * `<start file>.ready-<pid>` once loaded, waits until the start file exists (so the workers claim at
 * the same moment), runs one claim() of a directory
 * source with the options given as JSON, prints the claimed unit names as a JSON array.
 *
 *   node --import tsx test/support/claim-worker.ts '<options json>' <start file>
 */
import { existsSync, writeFileSync } from 'node:fs';
import { directorySource } from '../../connectors/directory/index.ts';
import type { SourceConnector } from '../../src/sdk/connector.ts';
import { testContext } from './context.ts';

const [options, startFile] = process.argv.slice(2);
const src = directorySource.create(JSON.parse(options!), testContext(`worker-${process.pid}`)) as SourceConnector;
writeFileSync(`${startFile}.ready-${process.pid}`, '');
while (!existsSync(startFile!)) await new Promise((r) => setTimeout(r, 2));
const units = await src.claim();
process.stdout.write(JSON.stringify(units.map((u) => u.name)));
