/**
 * Acceptance: the N-DEx and NIBRS mappings read namespace URIs, never prefixes. The same documents with
 * every namespace prefix renamed (and niem-core as the default namespace) give identical records, id and
 * key included; only the provenance pointer, which spells the document's own prefixes, differs. Shown on
 * the fixtures (fixtures/<layout>/prefixes-renamed.xml) and on generated files renamed here.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { generate, type GeneratorKind } from '../../../src/generate/index.ts';
import { InboundMapping, type MappedRecord } from '../../../src/mapping/inbound.ts';
import { loadMapping, PROJECT_ROOT } from '../../../src/mapping/load.ts';
import { emptySummary, mapStream, type MapSummary } from '../../../src/mapping/run.ts';

async function mapBytes(id: string, bytes: Buffer): Promise<{ records: MappedRecord[]; summary: MapSummary }> {
  const mapping = await loadMapping(id);
  if (!(mapping instanceof InboundMapping)) throw new Error(`${id} is not inbound`);
  const summary = emptySummary();
  const records: MappedRecord[] = [];
  for await (const b of mapStream(mapping, Readable.from([bytes]), summary, { file: 'x.xml', timezone: 'America/New_York', receivedAt: '2026-01-01T00:00:00.000Z' })) records.push(...b.records);
  return { records, summary };
}

const withoutProvenance = (r: MappedRecord): unknown => ({ ...r, sourceRefs: undefined });

async function generated(kind: GeneratorKind, rows: number): Promise<Buffer> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  await generate(kind, { rows, seed: 31 }, out);
  out.end();
  return Buffer.concat(chunks);
}

/**
 * Every prefix p becomes `x<p>` (so a mapping keyed by prefix would miss it), and the prefix `nc`
 * becomes the default namespace. For the generators' regular output: no CDATA, no `<` in text.
 */
function renamePrefixes(xml: string): string {
  const to = (p: string): string => (p === 'nc' ? '' : `x${p.replace(/[^a-z]/g, '')}`);
  return xml
    .replace(/xmlns:([A-Za-z][\w.-]*)=/g, (_m, p: string) => (to(p) ? `xmlns:${to(p)}=` : 'xmlns='))
    .replace(/<(\/?)([A-Za-z][\w.-]*):/g, (_m, slash: string, p: string) => `<${slash}${to(p) ? `${to(p)}:` : ''}`)
    .replace(/(\s)([A-Za-z][\w.-]*):([\w.-]+)=/g, (m, sp: string, p: string, local: string) => (p === 'xmlns' ? m : `${sp}${to(p)}:${local}=`));
}

const LAYOUTS = [
  { mapping: 'ndex-2.1-lexs', dir: 'ndex', fixture: 'incident-arrest.xml', kind: 'ndex-xml' as const, types: ['Case', 'Firearm', 'WeaponInvolved'] },
  { mapping: 'nibrs-2019', dir: 'nibrs', fixture: 'group-a-incident.xml', kind: 'nibrs-xml' as const, types: ['Case', 'WeaponInvolved'] },
];

describe.each(LAYOUTS)('$mapping: prefixes renamed, records identical', ({ mapping, dir, fixture, kind, types }) => {
  const read = (f: string): Buffer => readFileSync(path.join(PROJECT_ROOT, 'fixtures', dir, f));

  it('the fixture and its prefix-renamed copy', async () => {
    const a = await mapBytes(mapping, read(fixture));
    const b = await mapBytes(mapping, read('prefixes-renamed.xml'));
    expect(a.summary.rowsInvalid).toBe(0);
    expect(Object.keys(a.summary.recordsByType).sort()).toEqual(types);
    expect(b.records.map(withoutProvenance)).toStrictEqual(a.records.map(withoutProvenance));
    // Only the pointer differs, and only in the prefixes it spells.
    const unprefixed = (x: string | undefined): string | undefined => x?.replace(/\/[A-Za-z][\w.-]*:/g, '/');
    expect(b.records.map((r) => unprefixed(r.sourceRefs[0]?.pointer?.xpath))).toEqual(a.records.map((r) => unprefixed(r.sourceRefs[0]?.pointer?.xpath)));
  });

  it('a generated file and the same file with every prefix renamed', async () => {
    const original = await generated(kind, 300);
    const renamed = Buffer.from(renamePrefixes(original.toString('utf8')), 'utf8');
    expect(renamed.equals(original)).toBe(false);
    const a = await mapBytes(mapping, original);
    const b = await mapBytes(mapping, renamed);
    expect(a.summary.rowsRead).toBe(300);
    expect(a.summary.rowsInvalid).toBe(0);
    expect(a.records.length).toBeGreaterThan(300);
    // The summary names the root element as the document writes it: its prefix differs (and an
    // unprefixed root falls in the default namespace the renaming declares); the rest is identical.
    const { document: rootA, ...summaryA } = a.summary;
    const { document: rootB, ...summaryB } = b.summary;
    expect(summaryB).toStrictEqual(summaryA);
    expect(rootB?.root.replace(/^.*:/, '')).toBe(rootA?.root.replace(/^.*:/, ''));
    expect(b.records.map(withoutProvenance)).toStrictEqual(a.records.map(withoutProvenance));
  });
});
