/**
 * The documented way to accept a file with a licence comment before `<?xml`: the shipped mapping refuses
 * it with the declaration's line and column; the same mapping with `source.xml.leadingComments: allow`
 * reads it and gives the records the well-formed file gives (fixtures/ndex/leading-comment.xml carries
 * the first package of fixtures/ndex/publish-instructions.xml).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { InboundMapping, type MappedRecord } from '../../../src/mapping/inbound.ts';
import { compileSpec, loadMapping, PROJECT_ROOT } from '../../../src/mapping/load.ts';
import { emptySummary, mapStream, type InvalidSource } from '../../../src/mapping/run.ts';

async function run(mapping: InboundMapping, fixture: string): Promise<{ records: MappedRecord[]; invalid: InvalidSource[] }> {
  const out = { records: [] as MappedRecord[], invalid: [] as InvalidSource[] };
  const bytes = readFileSync(path.join(PROJECT_ROOT, fixture));
  for await (const b of mapStream(mapping, Readable.from([bytes]), emptySummary(), { file: path.basename(fixture), receivedAt: '2026-01-01T00:00:00.000Z' })) {
    out.records.push(...b.records);
    out.invalid.push(...b.invalid);
  }
  return out;
}

async function withLeadingComments(id: string): Promise<InboundMapping> {
  const shipped = await loadMapping(id);
  const spec = structuredClone(shipped.spec);
  spec.source!.xml!.leadingComments = 'allow';
  return (await compileSpec(spec)) as InboundMapping;
}

describe('a comment before <?xml', () => {
  for (const [id, dir] of [['ndex-2.1-lexs', 'ndex'], ['nibrs-2019', 'nibrs']] as const) {
    it(`${id}: refused by the shipped mapping at the declaration's line and column, read with leadingComments: allow`, async () => {
      const shipped = (await loadMapping(id)) as InboundMapping;
      const refused = await run(shipped, `fixtures/${dir}/leading-comment.xml`);
      expect(refused.records).toEqual([]);
      expect(refused.invalid.map((i) => i.errors.map((e) => [e.code, e.pointer]))).toEqual([[['HUB_ERR_SOURCE_XML_DECLARATION', { file: 'leading-comment.xml', line: 10, column: 1 }]]]);

      const read = await run(await withLeadingComments(id), `fixtures/${dir}/leading-comment.xml`);
      expect(read.invalid).toEqual([]);
      const wellFormed = await run(shipped, dir === 'ndex' ? 'fixtures/ndex/publish-instructions.xml' : 'fixtures/nibrs/group-b-arrest.xml');
      const firstPackage = wellFormed.records.filter((r) => r.sourceRefs[0]?.pointer?.row === 1);
      expect(read.records.length).toBeGreaterThan(1);
      expect(read.records.map((r) => ({ ...r, sourceRefs: undefined }))).toStrictEqual(firstPackage.map((r) => ({ ...r, sourceRefs: undefined })));
    });
  }
});
