/**
 * A comment (a licence notice) before the XML declaration: refused with the position of the declaration
 * by default, read when the mapping allows it, with every later line number unchanged.
 */
import { Readable } from 'node:stream';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readXml } from '../../../src/formats/xml-reader.ts';
import { LEADING_COMMENTS_MAX_CHARS, LeadingCommentsFilter, type LeadingComments } from '../../../src/formats/xml-leading-comments.ts';
import type { SourceItem } from '../../../src/formats/source-record.ts';

const NOTICE = '<!--\n  Copyright 2024 Example Vendor. Not <?xml ...?> yet.\n-->\n';
const BODY = '<?xml version="1.0" encoding="UTF-8"?>\n<e:Export xmlns:e="urn:x">\n  <e:Rec n="1"/>\n  <e:Rec n="2"><e:Bad></e:Rec>\n</e:Export>\n';

async function read(xml: string, leadingComments?: LeadingComments, chunk = 7): Promise<SourceItem[]> {
  const chunks = xml.match(new RegExp(`[\\s\\S]{1,${chunk}}`, 'g'))!.map((s) => Buffer.from(s));
  const items: SourceItem[] = [];
  for await (const b of readXml(Readable.from(chunks), { file: 'x.xml', record: '//e:Rec', namespaces: { e: 'urn:x' }, leadingComments })) items.push(...b.items);
  return items;
}

function filtered(text: string, mode: LeadingComments, chunk: number): { out: string; filter: LeadingCommentsFilter } {
  const filter = new LeadingCommentsFilter(mode);
  let out = '';
  for (let i = 0; i < text.length; i += chunk) out += filter.push(text.slice(i, i + chunk));
  return { out: out + filter.end(), filter };
}

describe('comments before the XML declaration', () => {
  it('are refused by default with HUB_ERR_SOURCE_XML_DECLARATION at the line and column of the declaration', async () => {
    const items = await read(NOTICE + BODY);
    expect(items).toHaveLength(1);
    const f = items[0]!;
    expect(f.format).toBe('failure');
    if (f.format !== 'failure') return;
    expect(f.row).toBe(1);
    expect(f.error.code).toBe('HUB_ERR_SOURCE_XML_DECLARATION');
    expect(f.error.pointer).toEqual({ file: 'x.xml', line: 4, column: 1 });
    expect(f.error.message).toContain('line 4, column 1');
  });

  it('white space alone before the declaration is refused the same way, at its column', async () => {
    const items = await read('\n   ' + BODY);
    expect(items[0]!.format === 'failure' && items[0]!.error.pointer).toEqual({ file: 'x.xml', line: 2, column: 4 });
  });

  it('with leadingComments: allow, the document is read and later errors keep the file\'s own line numbers', async () => {
    for (const chunk of [1, 3, 7, 4096]) {
      const items = await read(NOTICE + BODY, 'allow', chunk);
      expect(items.map((i) => (i.format === 'xml' ? ['xml', i.line, i.element.attrs.n] : ['failure', i.line, i.format === 'failure' ? i.error.code : '']))).toEqual([
        ['xml', 6, '1'],
        ['failure', 7, 'HUB_ERR_SOURCE_XML'],
      ]);
    }
  });

  it('allow changes nothing but the misplaced declaration: same length, line breaks kept', () => {
    const text = NOTICE + BODY;
    for (const chunk of [1, 5, 1000]) {
      const { out } = filtered(text, 'allow', chunk);
      expect(out).toHaveLength(text.length);
      expect(out.split('\n').length).toBe(text.split('\n').length);
      expect(out).not.toContain('<?xml version');
      expect(out.replace(/^ +$/m, '')).toBe(text.replace(/^<\?xml[^\n]*$/m, ''));
    }
  });

  it('a declaration at the start, text before the declaration, or a document without one pass unchanged', () => {
    for (const text of [BODY, 'junk' + BODY, '<e:Export xmlns:e="urn:x"/>', NOTICE + '<e:Export xmlns:e="urn:x"/>', '<?xml-stylesheet href="a"?>' + BODY.slice(BODY.indexOf('\n'))]) {
      for (const mode of ['allow', 'error'] as const) {
        const { out, filter } = filtered(text, mode, 3);
        expect(out).toBe(text);
        expect(filter.misplaced).toBeNull();
      }
    }
  });

  it('text other than comments before the declaration stays a plain well-formedness error', async () => {
    const items = await read('junk\n' + BODY, 'allow');
    expect(items[0]!.format === 'failure' && items[0]!.error.code).toBe('HUB_ERR_SOURCE_XML');
  });

  it('holds back at most LEADING_COMMENTS_MAX_CHARS of a prologue that never ends', () => {
    const filter = new LeadingCommentsFilter('allow');
    const endless = '<!--' + 'x'.repeat(LEADING_COMMENTS_MAX_CHARS + 10);
    expect(filter.push(endless)).toBe(endless);
    expect(filter.push('more')).toBe('more');
  });

  it('the shipped fixtures with a licence notice before the declaration are refused, then read when allowed', async () => {
    for (const [file, record, ns] of [
      ['ndex/leading-comment.xml', '//l:DataItemPackage', { l: 'http://usdoj.gov/leisp/lexs/3.1' }],
      ['nibrs/leading-comment.xml', '//n:Report', { n: 'http://fbi.gov/cjis/nibrs/2019' }],
    ] as const) {
      const bytes = readFileSync(fileURLToPath(new URL(`../../../fixtures/${file}`, import.meta.url)));
      for (const mode of ['error', 'allow'] as const) {
        const items: SourceItem[] = [];
        for await (const b of readXml(Readable.from([bytes]), { file, record, namespaces: ns, leadingComments: mode })) items.push(...b.items);
        if (mode === 'error') {
          expect(items.map((i) => i.format === 'failure' && [i.error.code, i.error.pointer?.line, i.error.pointer?.column])).toEqual([['HUB_ERR_SOURCE_XML_DECLARATION', 10, 1]]);
        } else {
          expect(items.length).toBe(1);
          expect(items[0]!.format).toBe('xml');
        }
      }
    }
  });
});
