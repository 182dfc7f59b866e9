/**
 * The conformance suite, run against EVERY connector in the registry: options schema (compiles with
 * Ajv 2020 strict, closed, described, secrets marked, defaults and examples valid), option fixtures
 * (fixtures/<kind>/valid-<direction>-*.json validate and are accepted by create(); invalid-* do not
 * and are refused), check() against a live local peer and a missing one, and the data path: a source
 * hands out the fixture bytes unchanged and streams binary garbage without crashing (record errors
 * are the mapping's business); a destination leaves the exact bytes at the peer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { CONNECTORS } from '../../connectors/index.ts';
import { HubError } from '../../src/errors/hub-error.ts';
import type { ConnectorDescriptor, DestinationConnector, SourceConnector } from '../../src/sdk/connector.ts';
import { collect, testContext } from '../support/context.ts';
import { HARNESSES, type ConformancePeer, type HarnessKey } from './harnesses.ts';

const here = dirname(fileURLToPath(import.meta.url));
const FIXTURES = join(here, 'fixtures');
const CONNECTORS_DIR = join(here, '..', '..', 'connectors');

/** Names that hold credentials wherever they appear: they must be marked "x-secret". */
const SECRET_NAME = /^(password|passphrase|secret|token|privateKey|key|apiKey|clientSecret)$/i;

function strictAjv(): Ajv2020 {
  const ajv = new Ajv2020({ strict: true, allowUnionTypes: true });
  ajv.addKeyword('x-secret');
  return ajv;
}

interface PropertyVisit {
  path: string;
  name: string;
  schema: Record<string, unknown>;
}

/** Every declared option, nested objects included (`auth.token`, `tls.key`). */
function properties(schema: Record<string, unknown>, prefix = ''): PropertyVisit[] {
  const out: PropertyVisit[] = [];
  const props = (schema.properties ?? {}) as Record<string, Record<string, unknown>>;
  for (const [name, sub] of Object.entries(props)) {
    if (typeof sub !== 'object') continue;
    const path = prefix ? `${prefix}.${name}` : name;
    out.push({ path, name, schema: sub });
    out.push(...properties(sub, path));
  }
  return out;
}

/** Deterministic binary garbage: every byte value, NULs, invalid UTF-8, no line structure. */
function garbage(size = 8192): Buffer {
  const b = Buffer.alloc(size);
  let x = 0x2545f491;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b[i] = i < 256 ? i : x & 0xff;
  }
  return b;
}

function fixtureFiles(kind: string, direction: string, validity: 'valid' | 'invalid'): string[] {
  const dir = join(FIXTURES, kind);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.startsWith(`${validity}-${direction}-`) && f.endsWith('.json'))
    .sort();
}

function loadFixture(kind: string, file: string): unknown {
  return JSON.parse(readFileSync(join(FIXTURES, kind, file), 'utf8'));
}

async function readAll(src: SourceConnector, unit: Parameters<SourceConnector['read']>[0]): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of src.read(unit, null)) {
    expect(typeof part.name).toBe('string');
    parts.push(await collect(part.stream));
  }
  return Buffer.concat(parts);
}

it('the registry is not empty and every entry has a harness', () => {
  expect(CONNECTORS.length).toBeGreaterThan(0);
  const keys = CONNECTORS.map((d) => `${d.kind}:${d.direction}`).sort();
  expect(Object.keys(HARNESSES).sort()).toEqual(keys);
});

for (const d of CONNECTORS as readonly ConnectorDescriptor[]) {
  const key = `${d.kind}:${d.direction}` as HarnessKey;

  describe(`${d.kind} (${d.direction})`, () => {
    describe('descriptor and options schema', () => {
      it('has a kind, a direction and a one-sentence description', () => {
        expect(d.kind).toMatch(/^[a-z][a-z0-9-]*$/);
        expect(['source', 'destination']).toContain(d.direction);
        expect(d.description.length).toBeGreaterThan(20);
      });

      it('compiles with Ajv 2020 strict', () => {
        expect(() => strictAjv().compile(d.optionsSchema)).not.toThrow();
        expect(d.optionsSchema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
      });

      it('is a closed object: additionalProperties false at the top and in every nested object', () => {
        expect(d.optionsSchema.type).toBe('object');
        expect(d.optionsSchema.additionalProperties).toBe(false);
        for (const p of properties(d.optionsSchema)) {
          if (p.schema.type === 'object' && p.schema.properties) expect(p.schema.additionalProperties, p.path).toBe(false);
        }
      });

      it('describes every property', () => {
        const props = properties(d.optionsSchema);
        expect(props.length).toBeGreaterThan(0);
        for (const p of props) {
          expect(typeof p.schema.description, `${p.path} has no description`).toBe('string');
          expect((p.schema.description as string).length, p.path).toBeGreaterThan(5);
        }
      });

      it('gives every top-level option an example, and defaults and examples that validate', () => {
        const ajv = strictAjv();
        for (const p of properties(d.optionsSchema)) {
          const isTop = !p.path.includes('.');
          if (isTop) expect(Array.isArray(p.schema.examples), `${p.path} has no examples`).toBe(true);
          const check = ajv.compile(p.schema);
          if ('default' in p.schema) expect(check(p.schema.default), `default of ${p.path}`).toBe(true);
          for (const ex of (p.schema.examples as unknown[] | undefined) ?? []) {
            expect(check(ex), `example ${JSON.stringify(ex)} of ${p.path}: ${ajv.errorsText(check.errors)}`).toBe(true);
          }
        }
      });

      it('marks credentials "x-secret": true', () => {
        for (const p of properties(d.optionsSchema)) {
          if (SECRET_NAME.test(p.name)) expect(p.schema['x-secret'], `${p.path} looks like a secret`).toBe(true);
          if (p.schema['x-secret'] === true) expect(p.schema.type, `${p.path}`).toBe('string');
        }
      });

      it('is documented in connectors/<kind>/README.md, every option by name', () => {
        const readme = join(CONNECTORS_DIR, d.kind, 'README.md');
        expect(existsSync(readme), readme).toBe(true);
        const text = readFileSync(readme, 'utf8');
        for (const p of properties(d.optionsSchema)) expect(text, `README does not mention ${p.path}`).toContain(`\`${p.name}\``);
      });
    });

    describe('option fixtures', () => {
      const valid = fixtureFiles(d.kind, d.direction, 'valid');
      const invalid = fixtureFiles(d.kind, d.direction, 'invalid');

      it(`has fixtures/${d.kind}/valid-${d.direction}-*.json and invalid-${d.direction}-*.json`, () => {
        expect(valid.length, `no valid-${d.direction}-*.json in fixtures/${d.kind}`).toBeGreaterThan(0);
        expect(invalid.length, `no invalid-${d.direction}-*.json in fixtures/${d.kind}`).toBeGreaterThan(0);
      });

      it('valid fixtures validate and create() accepts them', async () => {
        const check = strictAjv().compile(d.optionsSchema);
        for (const f of valid) {
          const options = loadFixture(d.kind, f);
          expect(check(options), `${f}: ${JSON.stringify(check.errors)}`).toBe(true);
          const c = d.create(options as Record<string, unknown>, testContext());
          expect(c.kind).toBe(d.kind);
          await c.close?.();
        }
      });

      it('invalid fixtures do not validate and create() refuses them with HUB_ERR_CONNECTOR_OPTIONS', () => {
        const check = strictAjv().compile(d.optionsSchema);
        for (const f of invalid) {
          const options = loadFixture(d.kind, f);
          expect(check(options), `${f} should be invalid`).toBe(false);
          let thrown: unknown;
          try {
            d.create(options as Record<string, unknown>, testContext());
          } catch (err) {
            thrown = err;
          }
          expect(thrown, f).toBeInstanceOf(HubError);
          expect((thrown as HubError).code).toBe('HUB_ERR_CONNECTOR_OPTIONS');
        }
      });
    });

    describe('against a real local peer', () => {
      const harness = HARNESSES[key];
      let peer: ConformancePeer;
      const closers: Array<() => Promise<void> | undefined> = [];
      beforeAll(async () => {
        peer = await harness!();
      });
      afterAll(async () => {
        for (const c of closers) await c();
        await peer?.teardown();
      });
      const make = (options: Record<string, unknown>) => {
        const c = d.create(options, testContext(`conformance-${d.kind}`));
        closers.push(() => c.close?.());
        return c;
      };

      it('check() is ok against the live peer', async () => {
        const r = await make(peer.options).check();
        expect(r.detail.length).toBeGreaterThan(0);
        expect(r.ok, r.detail).toBe(true);
      });

      it('check() is not ok, with a detail, against a missing peer (and does not throw)', async () => {
        const r = await make(peer.missingPeerOptions).check();
        expect(r.ok).toBe(false);
        expect(r.detail.length).toBeGreaterThan(5);
      });

      if (d.direction === 'source') {
        it('reading a fixture unit yields the fixture bytes', async () => {
          const bytes = readFileSync(join(FIXTURES, '_inputs', peer.input!));
          const src = make(peer.options) as SourceConnector;
          const unit = await peer.offer!(src, bytes, peer.input!);
          expect(JSON.parse(JSON.stringify(unit))).toEqual(unit); // units travel in jobs
          expect((await readAll(src, unit)).equals(bytes)).toBe(true);
          await src.ack(unit);
        });

        it('a garbled input (binary garbage) is still handed out as a stream, without a crash', async () => {
          const bytes = garbage();
          const src = make(peer.options) as SourceConnector;
          const unit = await peer.offer!(src, bytes, 'garbled.bin');
          expect((await readAll(src, unit)).equals(bytes)).toBe(true);
          await src.reject(unit, [new Error('conformance: not a known format')]);
        });
      } else {
        it('deliver() leaves the exact bytes at the peer', async () => {
          const dst = make(peer.options) as DestinationConnector;
          const body = `${readFileSync(join(FIXTURES, '_inputs', 'webhook-body.json'), 'utf8')}Ünïcödé ©\r\n`;
          const fileName = 'lead-L-2025-0042-v1.json';
          const receipt = await dst.deliver({ deliveryId: `delivery-${fileName}`, body, mediaType: 'application/json', fileName });
          expect(typeof receipt.status).toBe('number');
          expect((await peer.received!(fileName)).equals(Buffer.from(body, 'utf8'))).toBe(true);
        });
      }
    });
  });
}
