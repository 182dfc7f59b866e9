import { describe, expect, it } from 'vitest';
import { Readable } from 'node:stream';
import { liveBytes } from '../../support/memory.ts';
import { readXml } from '../../../src/formats/xml-reader.ts';
import type { SourceItem } from '../../../src/formats/source-record.ts';

async function read(xml: string, record: string, namespaces: Record<string, string>): Promise<SourceItem[]> {
  const items: SourceItem[] = [];
  const chunks = xml.match(/[\s\S]{1,11}/g)!.map((s) => Buffer.from(s));
  for await (const b of readXml(Readable.from(chunks), { file: 'x.xml', record, namespaces })) items.push(...b.items);
  return items;
}

const DOC = `<?xml version="1.0"?>
<e:Export xmlns:e="urn:lims">
  <e:LabCase id="1"><e:No>L1</e:No></e:LabCase>
  <e:Other/>
  <e:LabCase id="2">
    <e:No>L2</e:No>
  </e:LabCase>
</e:Export>`;

describe('xml reader', () => {
  it('splits records by namespace URI, not by prefix', async () => {
    const sameDocOtherPrefix = DOC.replace(/\be:/g, 'zz:').replace('xmlns:e=', 'xmlns:zz=');
    for (const doc of [DOC, sameDocOtherPrefix]) {
      const items = await read(doc, '/l:Export/l:LabCase', { l: 'urn:lims' });
      expect(items).toHaveLength(2);
      expect(items.map((i) => (i.format === 'xml' ? [i.row, i.line, i.element.attrs.id] : null))).toEqual([
        [1, 3, '1'],
        [2, 5, '2'],
      ]);
    }
  });

  it('gives each record an XPath pointer with positions', async () => {
    const items = await read(DOC, '//l:LabCase', { l: 'urn:lims' });
    expect(items[1]!.format === 'xml' && items[1]!.xpath).toBe('/e:Export[1]/e:LabCase[2]');
  });

  it('does not match an element of another namespace with the same local name', async () => {
    const items = await read(DOC, '//l:LabCase', { l: 'urn:something-else' });
    expect(items).toHaveLength(0);
  });

  it('keeps the records before a well-formedness error and reports the error with its line', async () => {
    const broken = `<e:Export xmlns:e="urn:lims">\n<e:LabCase/>\n<e:LabCase><e:No>L2</e:Nox></e:LabCase>\n</e:Export>`;
    const items = await read(broken, '//l:LabCase', { l: 'urn:lims' });
    expect(items[0]!.format).toBe('xml');
    const last = items.at(-1)!;
    expect(last.format).toBe('failure');
    expect(last.format === 'failure' && last.error.code).toBe('HUB_ERR_SOURCE_XML');
    expect(last.line).toBe(3);
  });
});

describe('readXml memory', () => {
  it('keeps element names apart from the file they were read from', async () => {
    // Records of two elements and 4 KB of comment each: what a record keeps is its tree (names, no
    // text), never the slices of the file its names were cut from. 10,000 records kept whole: 40 MB of
    // file if every element's name held its slice, a few MB of trees if not.
    const used = (): number => liveBytes();
    const record = `<lims:EvidenceSubmission><lims:SubmittingAgencyIdentifier/><!--${'x'.repeat(4000)}--></lims:EvidenceSubmission>\n`;
    const file = Buffer.from(`<lims:Export xmlns:lims="urn:lims">\n${record.repeat(10_000)}</lims:Export>\n`);
    const parts = Array.from({ length: 40 }, (_, i) => file.subarray((i * file.length) / 40, ((i + 1) * file.length) / 40));
    const kept: SourceItem[] = [];
    for await (const b of readXml(Readable.from(parts), { file: 'x.xml', record: '//lims:EvidenceSubmission', namespaces: { lims: 'urn:lims' } })) kept.push(...b.items);
    expect(kept).toHaveLength(10_000);
    const first = kept[0]!;
    expect(first.format === 'xml' && [first.element.qname, first.element.children[0]!.local]).toEqual(['lims:EvidenceSubmission', 'SubmittingAgencyIdentifier']);
    const withTrees = used();
    kept.length = 0;
    const retained = withTrees - used();
    expect(retained).toBeLessThan(20 * 2 ** 20); // measured: 7 MiB; 46 MiB when names were views into the file
  });

  it('reads elements whose names are longer than it keeps, prefixes resolved as for any other', async () => {
    const long = `Item${'x'.repeat(300)}`;
    const items = await read(`<e:Export xmlns:e="urn:lims"><e:Rec><e:${long}>1</e:${long}><e:${long}>2</e:${long}></e:Rec></e:Export>`, '//e:Rec', { e: 'urn:lims' });
    const rec = items[0]!;
    expect(rec.format === 'xml' && rec.element.children.map((c) => [c.ns, c.local, c.qname, c.text])).toEqual([
      ['urn:lims', long, `e:${long}`, '1'],
      ['urn:lims', long, `e:${long}`, '2'],
    ]);
  });
});
