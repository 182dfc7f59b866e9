/**
 * An XML document's encoding: its declaration is followed unless the mapping states one (which wins,
 * with a warning naming both), ISO-8859-1 is read as Windows-1252, an encoding the hub cannot decode
 * refuses the document, UTF-16 without a mark is recognised, and a byte-order mark decides alone.
 * Through mapStream with the real reader, and the shipped N-DEx mapping on a Latin-1 export.
 */
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { loadMapping } from '../../../src/mapping/load.ts';
import { InboundMapping } from '../../../src/mapping/inbound.ts';
import { emptySummary, mapStream } from '../../../src/mapping/run.ts';
import { CHOOSER_MAX_BYTES } from '../../../src/formats/decode.ts';
import type { MappingSpec } from '../../../src/mapping/spec.ts';
import { inbound, mapText, type Mapped } from '../mapping/helpers.ts';

const TOWN = 'Peña “North” Haven — Ste. 2';

function spec(source: Partial<NonNullable<MappingSpec['source']>> = {}): MappingSpec {
  return {
    id: 'xml-encoding',
    version: 1,
    direction: 'inbound',
    namespaces: { e: 'urn:x' },
    source: { format: 'xml', xml: { record: '/e:Export/e:Rec' }, ...source },
    records: [{ type: 'Case', fields: { agencyOri: { from: 'e:Ori', required: true }, agencyCaseNumber: { from: 'e:Case', required: true }, 'location.town': 'e:Town' } }],
  };
}

function doc(declaration: string | null, town = TOWN): string {
  return `${declaration === null ? '' : `<?xml version="1.0"${declaration}?>\n`}<e:Export xmlns:e="urn:x">\n  <e:Rec><e:Ori>CT0006400</e:Ori><e:Case>26-1</e:Case><e:Town>${town}</e:Town></e:Rec>\n</e:Export>\n`;
}

const towns = (r: Mapped): unknown[] => r.records.map((x) => (x as { location?: { town?: string } }).location?.town);
const codes = (r: Mapped): string[] => r.warnings.map((w) => w.code);

describe('the XML declaration chooses the encoding when the mapping does not', () => {
  it('ISO-8859-1 is read as Windows-1252: accents, curly quotes and dashes come through whole', async () => {
    const r = await mapText(spec(), iconv.encode(doc(' encoding="ISO-8859-1"'), 'windows-1252'), { file: 'latin.xml' });
    expect(towns(r)).toEqual([TOWN]);
    expect(r.summary.encoding).toEqual({ rows: 0, replacement: 0, mojibake: 0, declared: { name: 'ISO-8859-1', readAs: 'windows-1252' } });
    expect(codes(r)).toEqual([]);
  });

  it('a document declared ISO-8859-1 but written in UTF-8 is read as UTF-8, as before, and the summary says so', async () => {
    const r = await mapText(spec(), Buffer.from(doc(' encoding="ISO-8859-1"'), 'utf8'));
    expect(towns(r)).toEqual([TOWN]);
    expect(codes(r)).toEqual([]);
    expect(r.summary.encoding).toEqual({ rows: 0, replacement: 0, mojibake: 0, declared: { name: 'ISO-8859-1', readAs: 'utf-8' } });
  });

  it('UTF-8 is judged on the first 64 KiB, a sequence cut where they end included', async () => {
    // A comment fills the start up to a "é" whose two bytes the first chunk cuts: still UTF-8.
    const head = Buffer.from(`<?xml version="1.0" encoding="ISO-8859-1"?>\n<!-- Montréal ${'x'.repeat(CHOOSER_MAX_BYTES)} Montr`, 'utf8');
    const first = Buffer.concat([head, Buffer.from([0xc3])]);
    const rest = Buffer.concat([Buffer.from([0xa9]), Buffer.from(` -->\n${doc(null)}`, 'utf8')]);
    const summary = emptySummary();
    const out: unknown[] = [];
    for await (const b of mapStream(await inbound(spec()), Readable.from([first, rest]), summary, { file: 'x.xml' })) out.push(...towns({ records: b.records } as Mapped));
    expect(out).toEqual([TOWN]);
    expect(summary.encoding).toEqual({ rows: 0, replacement: 0, mojibake: 0, declared: { name: 'ISO-8859-1', readAs: 'utf-8' } });
    // The same start in Windows-1252 bytes is read as the declaration says.
    const latin = iconv.encode(`<?xml version="1.0" encoding="ISO-8859-1"?>\n<!-- Montréal ${'x'.repeat(CHOOSER_MAX_BYTES)} -->\n${doc(null)}`, 'windows-1252');
    const r = await mapText(spec(), latin);
    expect(towns(r)).toEqual([TOWN]);
    expect(r.summary.encoding.declared).toEqual({ name: 'ISO-8859-1', readAs: 'windows-1252' });
  });

  it('windows-1252, single quotes and a standalone declaration', async () => {
    const r = await mapText(spec(), iconv.encode(doc(" encoding='windows-1252' standalone='yes'"), 'windows-1252'));
    expect(towns(r)).toEqual([TOWN]);
    expect(r.summary.encoding.declared).toEqual({ name: 'windows-1252', readAs: 'windows-1252' });
  });

  it('a declaration cut across many small chunks is still found', async () => {
    const m = await inbound(spec());
    const bytes = iconv.encode(doc(' encoding="ISO-8859-1"'), 'windows-1252');
    const summary = emptySummary();
    const input = Readable.from(Array.from(bytes, (b) => Buffer.from([b])));
    const out: unknown[] = [];
    for await (const b of mapStream(m, input, summary, { file: 'x.xml' })) out.push(...b.records.map((x) => (x as { location?: { town?: string } }).location?.town));
    expect(out).toEqual([TOWN]);
  });

  it('comments before the declaration (leadingComments: allow) do not hide it', async () => {
    const text = `<!-- exported by RMS -->\n${doc(' encoding="ISO-8859-1"')}`;
    const r = await mapText(spec({ xml: { record: '/e:Export/e:Rec', leadingComments: 'allow' } }), iconv.encode(text, 'windows-1252'));
    expect(towns(r)).toEqual([TOWN]);
  });

  it('US-ASCII (as the public N-DEx and NIBRS samples declare) is read as UTF-8, its superset', async () => {
    for (const name of ['US-ASCII', 'ASCII', 'us-ascii']) {
      const r = await mapText(spec(), Buffer.from(doc(` encoding="${name}"`), 'utf8'));
      expect(towns(r)).toEqual([TOWN]);
      expect(r.summary.encoding).toEqual({ rows: 0, replacement: 0, mojibake: 0 });
      expect(codes(r)).toEqual([]);
    }
  });

  it('UTF-8 is the default with no declaration, or one without an encoding', async () => {
    for (const d of [null, '']) {
      const r = await mapText(spec(), Buffer.from(doc(d), 'utf8'));
      expect(towns(r)).toEqual([TOWN]);
      expect(r.summary.encoding.rows).toBe(0);
    }
  });

  it('UTF-16 without a byte-order mark is recognised from its first characters', async () => {
    for (const enc of ['utf-16le', 'utf-16be']) {
      const r = await mapText(spec(), iconv.encode(doc(' encoding="UTF-16"'), enc, { addBOM: false }));
      expect(towns(r)).toEqual([TOWN]);
    }
  });

  it('a byte-order mark wins over the declaration', async () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(doc(' encoding="ISO-8859-1"'), 'utf8')]);
    const r = await mapText(spec(), bytes);
    expect(towns(r)).toEqual([TOWN]);
    expect(r.summary.encoding.rows).toBe(0);
  });

  it('an encoding the hub cannot decode refuses the document, naming the encoding and its line', async () => {
    const text = `<!-- x -->\n${doc(' encoding="x-klingon"')}`;
    const r = await mapText(spec({ xml: { record: '/e:Export/e:Rec', leadingComments: 'allow' } }), Buffer.from(text, 'latin1'), { file: 'k.xml' });
    expect(r.records).toEqual([]);
    expect(r.invalid).toHaveLength(1);
    const e = r.invalid[0]!.errors[0]!;
    expect(e.code).toBe('HUB_ERR_SOURCE_XML_ENCODING');
    expect(e.message).toContain('"x-klingon" (line 2)');
    expect(e.pointer).toMatchObject({ file: 'k.xml', line: 2 });
  });

  it('a Node buffer codec iconv-lite also answers to is no text encoding: encoding="base64" or "hex" refuses the document', async () => {
    for (const name of ['base64', 'HEX']) {
      const r = await mapText(spec(), Buffer.from(doc(` encoding="${name}"`), 'utf8'));
      expect(r.invalid.map((i) => i.errors[0]!.code)).toEqual(['HUB_ERR_SOURCE_XML_ENCODING']);
    }
  });

  it('a declaration of UTF-16 in single-byte text cannot be true: read as UTF-8, with a warning', async () => {
    const r = await mapText(spec(), Buffer.from(doc(' encoding="UTF-16"'), 'utf8'));
    expect(towns(r)).toEqual([TOWN]);
    expect(codes(r)).toEqual(['HUB_ERR_SOURCE_XML_ENCODING_IGNORED']);
    expect(r.warnings[0]!.message).toContain('cannot name a UTF-16');
  });

  it('an encoding name is bounded and limited to what XML allows', async () => {
    const r = await mapText(spec(), Buffer.from(doc(` encoding="${'x'.repeat(5000)}"`), 'utf8'), { file: 'long.xml' });
    const e = r.invalid[0]!.errors[0]!;
    expect(e.code).toBe('HUB_ERR_SOURCE_XML_ENCODING');
    expect(e.message.length).toBeLessThan(200);
    // Not an encoding name at all: not taken as a declaration; the parser refuses the document as malformed.
    const odd = await mapText(spec(), Buffer.from(doc(' encoding="<script>"'), 'utf8'));
    expect(odd.summary.encoding.declared).toBeUndefined();
    expect(odd.invalid.map((i) => i.errors[0]!.code)).toEqual(['HUB_ERR_SOURCE_XML']);
  });
});

describe("a mapping's stated source.encoding wins over the declaration", () => {
  const OVERRIDES = "(the document declares ISO-8859-1; the mapping's source.encoding overrides it)";

  it('utf-8 stated, ISO-8859-1 declared: read as UTF-8 as before; the damage is warned about naming the declaration', async () => {
    const r = await mapText(spec({ encoding: 'utf-8' }), iconv.encode(doc(' encoding="ISO-8859-1"'), 'windows-1252'), { file: 'latin.xml' });
    expect(codes(r)).toEqual(['HUB_ERR_SOURCE_ENCODING_MISMATCH']);
    expect(r.warnings[0]!.message).toBe(`The record holds 4 replacement characters (U+FFFD: bytes that are not valid utf-8): the file is probably not utf-8 ${OVERRIDES}`);
    expect(r.summary.encoding).toEqual({ rows: 1, replacement: 4, mojibake: 0, declared: { name: 'ISO-8859-1', readAs: 'utf-8' } });
  });

  it('a stated encoding that corrects a wrong declaration reads the text right, with no warning file after file', async () => {
    const r = await mapText(spec({ encoding: 'windows-1252' }), iconv.encode(doc(' encoding="UTF-8"'), 'windows-1252'));
    expect(towns(r)).toEqual([TOWN]);
    expect(codes(r)).toEqual([]);
    expect(r.summary.encoding).toEqual({ rows: 0, replacement: 0, mojibake: 0, declared: { name: 'UTF-8', readAs: 'windows-1252' } });
  });

  it('labels of the same encoding are no override (latin1, windows-1252, cp1252 and ISO-8859-1)', async () => {
    for (const stated of ['latin1', 'windows-1252', 'cp1252']) {
      // UTF-8 bytes in a document both call Latin-1: the damage is reported without an override named.
      const r = await mapText(spec({ encoding: stated }), Buffer.from(doc(' encoding="ISO-8859-1"'), 'utf8'));
      expect(codes(r)).toEqual(['HUB_ERR_SOURCE_ENCODING_MISMATCH']);
      expect(r.warnings[0]!.message).not.toContain('overrides');
    }
  });

  it('a declared encoding the hub cannot decode does not matter when the mapping states one', async () => {
    const r = await mapText(spec({ encoding: 'windows-1252' }), iconv.encode(doc(' encoding="x-klingon"'), 'windows-1252'));
    expect(towns(r)).toEqual([TOWN]);
    expect(codes(r)).toEqual([]);
  });
});

describe('the shipped N-DEx mapping follows the declaration', () => {
  it('an ISO-8859-1 IncidentArrest export keeps its accented street name', async () => {
    const fixture = readFileSync(new URL('../../../fixtures/ndex/incident-arrest.xml', import.meta.url), 'utf8');
    expect(fixture).toContain('1400 Elm St');
    const latin = fixture.replace(/^<\?xml[^?]*\?>/, '<?xml version="1.0" encoding="ISO-8859-1"?>').replace('1400 Elm St', '1400 Peña “Elm” St');
    const r = await mapText((await loadMapping('ndex-2.1-lexs')) as InboundMapping, iconv.encode(latin, 'windows-1252'), { file: 'latin.xml' });
    const addresses = r.records.map((x) => (x as { location?: { address?: string } }).location?.address).filter(Boolean);
    expect(addresses).toContain('1400 Peña “Elm” St');
    expect(r.summary.encoding).toMatchObject({ rows: 0, replacement: 0, mojibake: 0 });
  });
});
