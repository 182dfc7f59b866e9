/** A ConnectorContext for tests: silent pino logger; a state folder path (not created: these connectors keep no local state). */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import type { ConnectorContext } from '../../src/sdk/connector.ts';

export function testContext(id = 'test-connector'): ConnectorContext {
  return { id, log: pino({ level: 'silent' }), stateDir: join(tmpdir(), `cgic-test-state-${process.pid}`) };
}

/** Read a whole stream into a Buffer. */
export async function collect(stream: AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(c as Uint8Array));
  return Buffer.concat(chunks);
}
