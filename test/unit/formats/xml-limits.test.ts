/**
 * The XML reader under hostile input: depth, DOCTYPE and entity declarations, record size and element
 * count, attributes per element, unbroken text; and the namespace resolution that replaced saxes'
 * (linear at any depth).
 */
import { describe, expect, it } from 'vitest';
import { Readable } from 'node:stream';
import { readXml } from '../../../src/formats/xml-reader.ts';
import { DEFAULT_LIMITS, type XmlLimits } from '../../../src/formats/limits.ts';
import type { SourceItem } from '../../../src/formats/source-record.ts';
import { PAYLOAD_MAX_CHARS } from '../../../src/errors/excerpt.ts';
import { serializeElement, type XmlElement } from '../../../src/formats/xml-tree.ts';

async function read(xml: string | Buffer, record: string, opts: { namespaces?: Record<string, string>; limits?: Partial<XmlLimits>; chunk?: number } = {}): Promise<SourceItem[]> {
  const bytes = Buffer.isBuffer(xml) ? xml : Buffer.from(xml);
  const size = opts.chunk ?? bytes.length;
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
  const items: SourceItem[] = [];
  const limits = { ...DEFAULT_LIMITS.xml, ...opts.limits };
  for await (const b of readXml(Readable.from(chunks), { file: 'x.xml', record, namespaces: opts.namespaces ?? { l: 'urn:l' }, limits })) items.push(...b.items);
  return items;
}

const codes = (items: SourceItem[]): string[] => items.map((i) => (i.format === 'failure' ? i.error.code : i.format));

function nested(depth: number, tag = 'l:x'): string {
  return `<l:Export xmlns:l="urn:l">${`<${tag}>`.repeat(depth)}${`</${tag}>`.repeat(depth)}</l:Export>`;
}

describe('xml reader: depth', () => {
  it('refuses 100,000 nested elements with HUB_ERR_SOURCE_LIMIT_XML_DEPTH at the line of the element past the limit', async () => {
    const doc = `<?xml version="1.0"?>\n<l:Export xmlns:l="urn:l">\n<l:Rec><l:No>1</l:No></l:Rec>\n${'<l:d>'.repeat(100_000)}${'</l:d>'.repeat(100_000)}</l:Export>`;
    const items = await read(doc, '//l:Rec');
    expect(codes(items)).toEqual(['xml', 'HUB_ERR_SOURCE_LIMIT_XML_DEPTH']);
    const f = items[1]!;
    expect(f.format === 'failure' && f.error.message).toBe(
      'Elements are nested deeper than limits.xml.maxDepth (256) at line 4: the rest of the document is not read',
    );
    expect(f.format === 'failure' && f.error.pointer).toEqual({ file: 'x.xml', line: 4 });
  });

  it('reads a document exactly at the limit and refuses one level more', async () => {
    // The root is depth 1: Export + 9 levels = 10.
    expect(codes(await read(nested(9), '//l:x', { limits: { maxDepth: 10 } }))).toEqual(['xml']);
    expect(codes(await read(nested(10), '//l:x', { limits: { maxDepth: 10 } }))).toEqual(['HUB_ERR_SOURCE_LIMIT_XML_DEPTH']);
  });

  it('reads a document at the deepest limit the configuration allows (1000)', async () => {
    const items = await read(nested(999), '//l:x', { limits: { maxDepth: 1000 }, chunk: 4096 });
    expect(codes(items)).toEqual(['xml']);
    let depth = 0;
    for (let el = items[0]!.format === 'xml' ? items[0]!.element : null; el; el = el.children[0] ?? null) depth++;
    expect(depth).toBe(999);
  });

  it('keeps the records before a depth failure and stops reading after it', async () => {
    const doc = `<l:Export xmlns:l="urn:l"><l:Rec/><l:Rec/>${'<l:d>'.repeat(20)}${'</l:d>'.repeat(20)}<l:Rec/></l:Export>`;
    const items = await read(doc, '//l:Rec', { limits: { maxDepth: 10 }, chunk: 7 });
    expect(codes(items)).toEqual(['xml', 'xml', 'HUB_ERR_SOURCE_LIMIT_XML_DEPTH']);
    expect(items[2]!.row).toBe(3);
  });
});

describe('xml reader: DOCTYPE and entity declarations are refused', () => {
  const cases: [string, string][] = [
    [
      'billion laughs',
      `<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<l:Export xmlns:l="urn:l"><l:Rec>&lol3;</l:Rec></l:Export>`,
    ],
    [
      'external entity',
      `<?xml version="1.0"?>
<!DOCTYPE r [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>
<l:Export xmlns:l="urn:l"><l:Rec>&xxe;</l:Rec></l:Export>`,
    ],
    [
      'external DTD',
      `<?xml version="1.0"?>
<!DOCTYPE l:Export SYSTEM "http://127.0.0.1:9/evil.dtd">
<l:Export xmlns:l="urn:l"><l:Rec>1</l:Rec></l:Export>`,
    ],
  ];

  it.each(cases)('%s: HUB_ERR_SOURCE_XML_DOCTYPE, no record read', async (_name, doc) => {
    const items = await read(doc, '//l:Rec', { chunk: 5 });
    expect(codes(items)).toEqual(['HUB_ERR_SOURCE_XML_DOCTYPE']);
    const f = items[0]!;
    expect(f.format === 'failure' && f.error.pointer?.line).toBe(2);
    expect(f.format === 'failure' && f.error.message).toContain('DTDs and entity declarations are refused');
  });

  it('an undeclared entity is a well-formedness error, never expanded', async () => {
    const items = await read('<l:Export xmlns:l="urn:l"><l:Rec>&xxe;</l:Rec></l:Export>', '//l:Rec');
    expect(codes(items)).toEqual(['HUB_ERR_SOURCE_XML']);
  });

  it('a DOCTYPE too large to finish is refused by the unbroken-markup bound, not buffered', async () => {
    const doc = `<!DOCTYPE r [ <!ENTITY a "${'a'.repeat(50_000)}`;
    const items = await read(doc, '//l:Rec', { limits: { maxRecordBytes: 4096 }, chunk: 1000 });
    expect(codes(items)).toEqual(['HUB_ERR_SOURCE_LIMIT_XML_RECORD']);
  });
});

describe('xml reader: record size and element count', () => {
  const rec = (n: number): string => `<l:Rec><l:No>${n}</l:No></l:Rec>`;

  it('refuses a record of too many elements with a bounded excerpt and reads the records after it', async () => {
    const big = `<l:Rec>${'<l:i>v</l:i>'.repeat(5000)}</l:Rec>`;
    const doc = `<l:Export xmlns:l="urn:l">${rec(1)}${big}${rec(3)}</l:Export>`;
    const items = await read(doc, '//l:Rec', { limits: { maxRecordElements: 100 }, chunk: 999 });
    expect(codes(items)).toEqual(['xml', 'HUB_ERR_SOURCE_LIMIT_XML_RECORD', 'xml']);
    const f = items[1]!;
    expect(f.row).toBe(2);
    expect(f.format === 'failure' && f.error.message).toBe('The record is larger than limits.xml.maxRecordElements (100 elements): it is not read; the records after it are');
    expect(f.format === 'failure' && f.error.pointer).toMatchObject({ row: 2, xpath: '/l:Export[1]/l:Rec[2]' });
    expect(f.format === 'failure' && typeof f.raw === 'string' && f.raw.length).toBeLessThanOrEqual(PAYLOAD_MAX_CHARS + 1);
    expect(f.format === 'failure' && String(f.raw).startsWith('<Rec xmlns="urn:l"><i>v</i>')).toBe(true);
    expect(items[2]!.format === 'xml' && items[2]!.row).toBe(3);
  });

  it('a record of 2 million sibling elements is refused at the limit and the next record is read (bench/hostile-xml.bench.ts measures 10 million)', async () => {
    const unit = Buffer.from('<l:i/>');
    const count = 2_000_000;
    const body = Buffer.alloc(unit.length * count);
    for (let i = 0; i < count; i++) unit.copy(body, i * unit.length);
    const doc = Buffer.concat([Buffer.from('<l:Export xmlns:l="urn:l"><l:Rec>'), body, Buffer.from(`</l:Rec>${rec(2)}</l:Export>`)]);
    const items = await read(doc, '//l:Rec', { chunk: 256 * 1024 });
    expect(codes(items)).toEqual(['HUB_ERR_SOURCE_LIMIT_XML_RECORD', 'xml']);
    expect(items[0]!.format === 'failure' && items[0]!.error.message).toContain('maxRecordElements (100000 elements)');
  });

  it('refuses a record larger than maxRecordBytes and reads the records after it', async () => {
    const big = `<l:Rec>${'<l:i>0123456789</l:i>'.repeat(500)}</l:Rec>`;
    const items = await read(`<l:Export xmlns:l="urn:l">${big}${rec(2)}</l:Export>`, '//l:Rec', { limits: { maxRecordBytes: 2048 } });
    expect(codes(items)).toEqual(['HUB_ERR_SOURCE_LIMIT_XML_RECORD', 'xml']);
    expect(items[0]!.format === 'failure' && items[0]!.error.message).toContain('maxRecordBytes (2048 characters)');
  });

  it('a record whose one text node is too large is refused by size', async () => {
    const big = `<l:Rec><l:Note>${'x'.repeat(10_000)}</l:Note></l:Rec>`;
    const items = await read(`<l:Export xmlns:l="urn:l">${big}${rec(2)}</l:Export>`, '//l:Rec', { limits: { maxRecordBytes: 2048 } });
    expect(codes(items)).toEqual(['HUB_ERR_SOURCE_LIMIT_XML_RECORD', 'xml']);
  });

  it('counts the record element\'s own start tag: a large attribute on it is refused by size, exactly past the limit', async () => {
    const tagged = (n: number): string => `<l:Rec note="${'a'.repeat(n)}"><l:No>1</l:No></l:Rec>`;
    const size = (n: number): number => tagged(n).length;
    const doc = (n: number): string => `<l:Export xmlns:l="urn:l">${tagged(n)}${rec(2)}</l:Export>`;
    expect(codes(await read(doc(10_000), '//l:Rec', { limits: { maxRecordBytes: 2048 } }))).toEqual(['HUB_ERR_SOURCE_LIMIT_XML_RECORD', 'xml']);
    // At the limit it is read; one character more, refused.
    const n = 2048 - size(0);
    expect(codes(await read(doc(n), '//l:Rec', { limits: { maxRecordBytes: 2048 } }))).toEqual(['xml', 'xml']);
    expect(codes(await read(doc(n + 1), '//l:Rec', { limits: { maxRecordBytes: 2048 } }))).toEqual(['HUB_ERR_SOURCE_LIMIT_XML_RECORD', 'xml']);
  });

  it('text longer than maxRecordBytes that never ends stops the document within one slice', async () => {
    const doc = `<l:Export xmlns:l="urn:l">${rec(1)}<l:Rec><l:Note>${'x'.repeat(300_000)}`;
    const items = await read(doc, '//l:Rec', { limits: { maxRecordBytes: 100_000 } });
    expect(codes(items)).toEqual(['xml', 'HUB_ERR_SOURCE_LIMIT_XML_RECORD']);
    expect(items[1]!.format === 'failure' && items[1]!.error.message).toContain('the rest of the document is not read');
  });
});

describe('xml reader: unbroken markup', () => {
  const rec = (n: number): string => `<l:Rec><l:No>${n}</l:No></l:Rec>`;
  const unbroken = (items: SourceItem[]): void => {
    expect(codes(items)).toEqual(['xml', 'HUB_ERR_SOURCE_LIMIT_XML_RECORD']);
    expect(items[1]!.format === 'failure' && items[1]!.error.message).toContain('is that long unbroken; the rest of the document is not read');
  };

  it('an entity reference that never ends is refused like text, not held whole', async () => {
    unbroken(await read(`<l:Export xmlns:l="urn:l">${rec(1)}<l:Rec><l:Note>&${'a'.repeat(300_000)}`, '//l:Rec', { limits: { maxRecordBytes: 100_000 } }));
    unbroken(await read(`<l:Export xmlns:l="urn:l">${rec(1)}&${'a'.repeat(300_000)}`, '//l:Rec', { limits: { maxRecordBytes: 100_000 } }));
  });

  it('a processing instruction target longer than the limit is refused, even when the document is well-formed', async () => {
    const doc = `<l:Export xmlns:l="urn:l">${rec(1)}<?${'a'.repeat(300_000)}?>${rec(2)}</l:Export>`;
    unbroken(await read(doc, '//l:Rec', { limits: { maxRecordBytes: 100_000 } }));
    // A short one is read past.
    expect(codes(await read(`<l:Export xmlns:l="urn:l">${rec(1)}<?pi-target x?>${rec(2)}</l:Export>`, '//l:Rec'))).toEqual(['xml', 'xml']);
  });
});

describe('xml reader: attributes per element', () => {
  const attrs = (n: number, name = (i: number): string => `a${i}`): string => Array.from({ length: n }, (_, i) => ` ${name(i)}="1"`).join('');
  const rec = (n: number): string => `<l:Rec><l:No>${n}</l:No></l:Rec>`;

  it('defaults to 1,000', () => {
    expect(DEFAULT_LIMITS.xml.maxAttributes).toBe(1000);
  });

  it('reads an element at the limit and refuses one attribute more, outside a record or on it, ending the document', async () => {
    const limits = { maxAttributes: 50 };
    const outside = (n: number): string => `<l:Export xmlns:l="urn:l">${rec(1)}\n<l:Other${attrs(n)}/>${rec(3)}</l:Export>`;
    expect(codes(await read(outside(50), '//l:Rec', { limits }))).toEqual(['xml', 'xml']);
    const items = await read(outside(51), '//l:Rec', { limits });
    expect(codes(items)).toEqual(['xml', 'HUB_ERR_SOURCE_LIMIT_XML_ATTRIBUTES']);
    const f = items[1]!;
    expect(f.format === 'failure' && f.error.message).toBe('An element has more attributes than limits.xml.maxAttributes (50) at line 2: the rest of the document is not read');
    expect(f.format === 'failure' && f.error.pointer).toEqual({ file: 'x.xml', line: 2 });
    const onRecord = `<l:Export xmlns:l="urn:l">${rec(1)}<l:Rec${attrs(51)}><l:No>2</l:No></l:Rec>${rec(3)}</l:Export>`;
    expect(codes(await read(onRecord, '//l:Rec', { limits }))).toEqual(['xml', 'HUB_ERR_SOURCE_LIMIT_XML_ATTRIBUTES']);
  });

  it('counts namespace declarations as attributes', async () => {
    const doc = `<l:Export xmlns:l="urn:l">${rec(1)}<l:Other${attrs(51, (i) => `xmlns:p${i}`)}/></l:Export>`;
    expect(codes(await read(doc, '//l:Rec', { limits: { maxAttributes: 50 } }))).toEqual(['xml', 'HUB_ERR_SOURCE_LIMIT_XML_ATTRIBUTES']);
  });

  it('refuses a start tag of 100,000 attributes while it is being read, not after it', async () => {
    // 1.2 MB of attributes, never closed: saxes would hold them all until the end of the file.
    const doc = `<l:Export xmlns:l="urn:l">${rec(1)}\n<l:Rec${attrs(100_000)}`;
    const items = await read(doc, '//l:Rec', { limits: { maxAttributes: 50 }, chunk: 64 * 1024 });
    expect(codes(items)).toEqual(['xml', 'HUB_ERR_SOURCE_LIMIT_XML_ATTRIBUTES']);
    expect(items[1]!.line).toBe(2);
  });

  it('a start tag longer than twice maxRecordBytes is refused while it is being read, whatever its attributes', async () => {
    const doc = `<l:Export xmlns:l="urn:l">${rec(1)}\n<l:Other${attrs(30, (i) => `a${i}${'x'.repeat(9000)}`)}`;
    const items = await read(doc, '//l:Rec', { limits: { maxRecordBytes: 100_000 } });
    expect(codes(items)).toEqual(['xml', 'HUB_ERR_SOURCE_LIMIT_XML_RECORD']);
    expect(items[1]!.format === 'failure' && items[1]!.error.message).toBe(
      'The record is larger than limits.xml.maxRecordBytes (100000 characters): the start tag at line 2 is more than twice that long; the rest of the document is not read',
    );
  });

  it('a record whose start tag alone is past maxRecordBytes, within twice it, is refused alone: the record after it is read', async () => {
    const doc = `<l:Export xmlns:l="urn:l">${rec(1)}\n<l:Rec${attrs(15, (i) => `a${i}${'x'.repeat(9000)}`)}><l:No>2</l:No></l:Rec>${rec(3)}</l:Export>`;
    const items = await read(doc, '//l:Rec', { limits: { maxRecordBytes: 100_000 } });
    expect(codes(items)).toEqual(['xml', 'HUB_ERR_SOURCE_LIMIT_XML_RECORD', 'xml']);
  });

  it('the excerpt of a refused record stops building a start tag at its bound', () => {
    const el: XmlElement = { ns: 'urn:l', local: 'Rec', qname: 'l:Rec', attrs: {}, children: [], text: '', line: 1, column: 0, parent: null };
    for (let i = 0; i < 10_000; i++) el.attrs[`a${i}`] = 'v'.repeat(10);
    el.attrs.big = 'x'.repeat(100_000);
    expect(serializeElement(el, 100).length).toBeLessThan(150);
    const one: XmlElement = { ...el, attrs: { big: 'x'.repeat(100_000) } };
    expect(serializeElement(one, 100).length).toBeLessThan(150);
    expect(serializeElement({ ...el, attrs: { a: '1', b: '<"&>' } })).toBe('<Rec xmlns="urn:l" a="1" b="&lt;&quot;&amp;&gt;"></Rec>');
  });
});

describe('xml reader: namespaces, resolved without saxes', () => {
  it('resolves default and prefixed namespaces, redeclarations in scope and back out of it', async () => {
    const doc = `<Export xmlns="urn:l" xmlns:a="urn:a">
      <Rec a:id="1"><a:x>1</a:x></Rec>
      <a:Rec xmlns:a="urn:l"><x xmlns="urn:other">2</x></a:Rec>
      <a:Rec>3</a:Rec>
      <Rec>4</Rec>
    </Export>`;
    const items = await read(doc, '//l:Rec', { chunk: 3 });
    expect(items.map((i) => (i.format === 'xml' ? i.row : i.format))).toEqual([1, 2, 3]);
    const [r1, r2, r3] = items as Extract<SourceItem, { format: 'xml' }>[];
    expect(r1!.element.attrs).toEqual({ '{urn:a}id': '1' });
    expect(r1!.element.children[0]).toMatchObject({ ns: 'urn:a', local: 'x', qname: 'a:x' });
    expect(r2!.element.children[0]).toMatchObject({ ns: 'urn:other', local: 'x' });
    expect(r3!.element.text).toBe('4');
    expect(r3!.xpath).toBe('/Export[1]/Rec[2]');
  });

  it('an unbound prefix is a well-formedness error at its line', async () => {
    const items = await read('<l:Export xmlns:l="urn:l">\n<l:Rec/>\n<q:Rec/></l:Export>', '//l:Rec');
    expect(codes(items)).toEqual(['xml', 'HUB_ERR_SOURCE_XML']);
    expect(items[1]!.format === 'failure' && items[1]!.error.message).toBe('Malformed XML: unbound namespace prefix "q" on element q:Rec');
    expect(items[1]!.line).toBe(3);
  });

  it('refuses rebinding the xml and xmlns prefixes', async () => {
    for (const decl of ['xmlns:xmlns="urn:x"', 'xmlns:xml="urn:x"', 'xmlns:p=""']) {
      const items = await read(`<l:Export xmlns:l="urn:l" ${decl}><l:Rec/></l:Export>`, '//l:Rec');
      expect(codes(items)).toEqual(['HUB_ERR_SOURCE_XML']);
    }
  });
});
