/**
 * Narratives hold names and SSNs and must never reach a record: no string anywhere in the records of
 * the N-DEx fixtures, or of 400 generated packages, contains a person's name from the digest, an
 * SSN-shaped number, or any words of a narrative element (nc:ActivityDescriptionText,
 * ndexia:OffenseText), and no Person record is made.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { SaxesParser } from 'saxes';
import { describe, expect, it } from 'vitest';
import { generate } from '../../src/generate/index.ts';
import { NDEX_NS } from '../../src/generate/ndex-xml.ts';
import { InboundMapping, type MappedRecord } from '../../src/mapping/inbound.ts';
import { loadMapping, PROJECT_ROOT } from '../../src/mapping/load.ts';
import { emptySummary, mapStream } from '../../src/mapping/run.ts';

const NARRATIVES = new Set([`{${NDEX_NS.nc}}ActivityDescriptionText`, `{${NDEX_NS.ndexia}}OffenseText`]);
const NAMES = new Set([`{${NDEX_NS.nc}}PersonGivenName`, `{${NDEX_NS.nc}}PersonSurName`]);
const SSN = /\b000-?\d{2}-?\d{4}\b/;

/** The narratives and person names a document holds. */
function secretsOf(xml: string): { narratives: string[]; names: string[] } {
  const parser = new SaxesParser({ xmlns: true });
  const out = { narratives: [] as string[], names: [] as string[] };
  const stack: string[] = [];
  parser.on('opentag', (t) => void stack.push(`{${t.uri}}${t.local}`));
  parser.on('closetag', () => void stack.pop());
  parser.on('text', (text) => {
    const top = stack[stack.length - 1] ?? '';
    if (NARRATIVES.has(top) && text.trim()) out.narratives.push(text.trim());
    if (NAMES.has(top) && text.trim()) out.names.push(text.trim());
  });
  parser.write(xml).close();
  return out;
}

function strings(v: unknown, out: string[] = []): string[] {
  if (typeof v === 'string') out.push(v);
  else if (Array.isArray(v)) for (const x of v) strings(x, out);
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) if (k !== 'sourceRefs') strings(x, out);
  return out;
}

async function mapXml(xml: string): Promise<MappedRecord[]> {
  const mapping = (await loadMapping('ndex-2.1-lexs')) as InboundMapping;
  const records: MappedRecord[] = [];
  for await (const b of mapStream(mapping, Readable.from([Buffer.from(xml)]), emptySummary(), { file: 'x.xml' })) records.push(...b.records);
  return records;
}

function expectNothingOf(xml: string, records: MappedRecord[]): void {
  const { narratives, names } = secretsOf(xml);
  expect(narratives.length).toBeGreaterThan(0);
  expect(names.length).toBeGreaterThan(0);
  expect(records.some((r) => r.type === 'Person')).toBe(false);
  const values = [...new Set(records.flatMap((r) => strings(r)))];
  expect(values.length).toBeGreaterThan(20);
  const longNames = [...new Set(names)].filter((n) => n.length > 2);
  const text = narratives.join('\n');
  const leaks = values.filter((v) => SSN.test(v) || longNames.some((n) => v.includes(n)) || (v.length > 24 && text.includes(v)));
  expect(leaks).toEqual([]);
}

describe('ndex-2.1-lexs never maps narratives or persons', () => {
  it('the fixtures', async () => {
    for (const f of ['incident-arrest.xml', 'publish-instructions.xml']) {
      const xml = readFileSync(path.join(PROJECT_ROOT, 'fixtures/ndex', f), 'utf8');
      expectNothingOf(xml, await mapXml(xml));
    }
  });

  it('400 generated packages', async () => {
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (c: Buffer) => chunks.push(c));
    await generate('ndex-xml', { rows: 400, seed: 8 }, out);
    out.end();
    const xml = Buffer.concat(chunks).toString('utf8');
    expectNothingOf(xml, await mapXml(xml));
  });
});
