/**
 * A body read in the charset its sender named (src/formats/sender-charset.ts): the Content-Type
 * parameter as senders write it, the names the hub reads as another (ISO-8859-1, US-ASCII), UTF-8 bytes
 * under a single-byte label, and the mapping's stated encoding winning over it (run.ts).
 */
import { Readable } from 'node:stream';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { normalizeEncoding } from '../../../src/formats/decode.ts';
import { charsetChooser, contentTypeCharset, type CharsetChoice } from '../../../src/formats/sender-charset.ts';
import { emptySummary, mapStream, readsSenderCharset } from '../../../src/mapping/run.ts';
import type { MappingSpec } from '../../../src/mapping/spec.ts';
import { inbound } from '../mapping/helpers.ts';

async function decoded(bytes: Buffer, charset: string, chunk = bytes.length): Promise<{ text: string; choice: CharsetChoice | undefined }> {
  let choice: CharsetChoice | undefined;
  const parts: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += chunk) parts.push(bytes.subarray(i, i + chunk));
  const out: Buffer[] = [];
  for await (const b of normalizeEncoding(Readable.from(parts), charsetChooser(charset, (c) => (choice = c)))) out.push(b as Buffer);
  return { text: Buffer.concat(out).toString('utf8'), choice };
}

const TEXT = 'ORI,TOWN\r\nCT0006400,Peña \u201cElm\u201d – Hartford\r\n';

describe('the charset parameter of a Content-Type', () => {
  it.each([
    ['text/csv', undefined],
    ['text/csv; charset=windows-1252', { name: 'windows-1252', known: true }],
    ['text/csv;charset="ISO-8859-1"', { name: 'iso-8859-1', known: true }],
    ['text/csv; Charset = UTF-8 ; header=present', { name: 'utf-8', known: true }],
    ['application/x-ndjson; charset=utf-16le', { name: 'utf-16le', known: true }],
    ['text/csv; charset=x-klingon', { name: 'x-klingon', known: false }],
    // Node's buffer codecs iconv-lite also answers to are not text: a body is never base64-decoded.
    ['text/csv; charset=base64', { name: 'base64', known: false }],
    ['text/csv; charset=HEX', { name: 'hex', known: false }],
    ['text/csv; charset=', { name: '', known: false }],
    ['text/csv; charset="win<script>"', { name: 'win<script>', known: false }],
    ['text/csv; charset=a\u0000b\u00e9', { name: 'a?b?', known: false }],
  ])('%s', (header, expected) => {
    expect(contentTypeCharset(header)).toEqual(expected);
  });

  it('a 5,000-character name is cut to 40 for the message and is not a charset', () => {
    expect(contentTypeCharset(`text/csv; charset=${'a'.repeat(5000)}`)).toEqual({ name: 'a'.repeat(40), known: false });
  });
});

describe('a body read in the charset its sender named', () => {
  it('Windows-1252 bytes under charset=windows-1252, in chunks of one byte', async () => {
    const r = await decoded(iconv.encode(TEXT, 'windows-1252'), 'windows-1252', 1);
    expect(r.text).toBe(TEXT);
    expect(r.choice).toEqual({ named: 'windows-1252', used: 'windows-1252', utf8Instead: false });
  });

  it('ISO-8859-1 is read as Windows-1252: its 93 and 94 are curly quotes, not C1 controls', async () => {
    const r = await decoded(iconv.encode(TEXT, 'windows-1252'), 'iso-8859-1');
    expect(r.text).toBe(TEXT);
    expect(r.choice?.used).toBe('windows-1252');
  });

  it('UTF-8 bytes under a single-byte label (an HTTP stack that labels every text ISO-8859-1) are read as UTF-8', async () => {
    const r = await decoded(Buffer.from(TEXT, 'utf8'), 'iso-8859-1');
    expect(r.text).toBe(TEXT);
    expect(r.choice).toEqual({ named: 'iso-8859-1', used: 'utf-8', utf8Instead: true });
  });

  it('pure ASCII under a single-byte label reads the same either way, and the label is kept', async () => {
    const r = await decoded(Buffer.from('ORI,TOWN\r\nCT0006400,Hartford\r\n'), 'windows-1252');
    expect(r.choice?.used).toBe('windows-1252');
  });

  it('UTF-16LE is read as UTF-16LE, and US-ASCII as UTF-8', async () => {
    expect((await decoded(iconv.encode(TEXT, 'utf-16le'), 'utf-16le')).text).toBe(TEXT);
    expect((await decoded(Buffer.from(TEXT, 'utf8'), 'us-ascii')).choice?.used).toBe('utf-8');
  });

  it('a byte-order mark decides alone', async () => {
    const r = await decoded(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(TEXT, 'utf8')]), 'windows-1252');
    expect(r.text).toBe(TEXT);
    expect(r.choice).toBeUndefined();
  });
});

describe('through a mapping', () => {
  const spec = (encoding?: string): MappingSpec => ({
    id: 'charset-csv',
    version: 1,
    direction: 'inbound',
    source: { format: 'csv', ...(encoding ? { encoding } : {}) },
    records: [{ type: 'Case', fields: { agencyOri: { from: 'ORI', required: true }, agencyCaseNumber: { value: 'C-1' }, 'location.town': 'TOWN' } }],
  });
  const run = async (s: MappingSpec, bytes: Buffer, charset?: string) => {
    const summary = emptySummary();
    const records = [];
    for await (const b of mapStream(await inbound(s), Readable.from([bytes]), summary, { file: 'webhook', ...(charset ? { charset } : {}) })) records.push(...b.records);
    return { towns: records.map((r) => (r as { location?: { town?: string } }).location?.town), summary };
  };
  const bytes = iconv.encode(TEXT, 'windows-1252');

  it('without source.encoding the sender\'s charset decides, and the summary says so', async () => {
    const r = await run(spec(), bytes, 'iso-8859-1');
    expect(r.towns).toEqual(['Peña \u201cElm\u201d – Hartford']);
    expect(r.summary.encoding).toMatchObject({ rows: 0, declared: { name: 'iso-8859-1', readAs: 'windows-1252', by: 'content-type' } });
  });

  it('a stated source.encoding wins over the sender\'s charset', async () => {
    const r = await run(spec('utf-8'), bytes, 'iso-8859-1');
    expect(r.summary.encoding.rows).toBe(1);
    expect(r.summary.encoding.declared).toBeUndefined();
  });

  it('only a CSV, JSON or NDJSON mapping without source.encoding reads the sender\'s charset (the webhook intake refuses one it cannot decode only then)', async () => {
    expect(readsSenderCharset(await inbound(spec()))).toBe(true);
    expect(readsSenderCharset(await inbound(spec('windows-1252')))).toBe(false);
    const xml: MappingSpec = { ...spec(), source: { format: 'xml', xml: { record: '//Rec' } } };
    expect(readsSenderCharset(await inbound(xml))).toBe(false);
  });

  it('without a charset, UTF-8 as before: the damage is counted', async () => {
    const r = await run(spec(), bytes);
    expect(r.summary.encoding).toMatchObject({ rows: 1, replacement: 4 });
  });
});
