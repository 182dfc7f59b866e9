/** A ConnectorContext for tests: silent pino logger; a state folder path (not created: these connectors keep no local state); an in-memory spool. */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import type { BodySpool, ConnectorContext } from '../../src/sdk/connector.ts';

/** A spool in memory, as the hub's store keeps one: body, status and errors per id. */
export class MemorySpool implements BodySpool {
  readonly bodies = new Map<string, { body: Buffer; status: 'queued' | 'rejected'; errors: unknown[] | null }>();
  async put(id: string, body: Buffer): Promise<void> {
    this.bodies.set(id, { body, status: 'queued', errors: null });
  }
  async read(id: string): Promise<Buffer | undefined> {
    return this.bodies.get(id)?.body;
  }
  async remove(id: string): Promise<void> {
    this.bodies.delete(id);
  }
  async reject(id: string, errors: unknown[]): Promise<boolean> {
    const b = this.bodies.get(id);
    if (b) Object.assign(b, { status: 'rejected', errors });
    return b !== undefined;
  }
  async restore(id: string): Promise<boolean> {
    const b = this.bodies.get(id);
    if (b) Object.assign(b, { status: 'queued', errors: null });
    return b !== undefined;
  }
}

/** The spool every test context shares unless given its own. */
export const TEST_SPOOL = new MemorySpool();

export function testContext(id = 'test-connector', spool: BodySpool = TEST_SPOOL): ConnectorContext {
  return { id, log: pino({ level: 'silent' }), stateDir: join(tmpdir(), `cgic-test-state-${process.pid}`), spool };
}

/** Read a whole stream into a Buffer. */
export async function collect(stream: AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(c as Uint8Array));
  return Buffer.concat(chunks);
}
