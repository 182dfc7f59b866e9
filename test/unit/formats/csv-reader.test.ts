import { describe, expect, it } from 'vitest';
import { Readable } from 'node:stream';
import iconv from 'iconv-lite';
import { readCsv } from '../../../src/formats/csv-reader.ts';
import type { SourceBatch, SourceItem } from '../../../src/formats/source-record.ts';

async function read(bytes: Buffer | string, opts: Parameters<typeof readCsv>[1] = {}): Promise<{ header: readonly string[]; items: SourceItem[] }> {
  const items: SourceItem[] = [];
  let header: readonly string[] = [];
  // Feed in small chunks so records straddle chunk boundaries.
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes, 'utf8');
  const chunks: Buffer[] = [];
  for (let i = 0; i < buf.length; i += 7) chunks.push(buf.subarray(i, i + 7));
  for await (const b of readCsv(Readable.from(chunks), { file: 't.csv', ...opts }) as AsyncGenerator<SourceBatch>) {
    header = b.header ?? header;
    items.push(...b.items);
  }
  return { header, items };
}

describe('csv reader', () => {
  it('reads CRLF rows with quoted commas and reports data rows and start lines', async () => {
    const { header, items } = await read('A,B\r\n1,"x, y"\r\n2,"multi\r\nline"\r\n3,z\r\n');
    expect(header).toEqual(['A', 'B']);
    expect(items.map((i) => (i.format === 'csv' ? [i.row, i.line, i.values] : null))).toEqual([
      [1, 2, ['1', 'x, y']],
      [2, 3, ['2', 'multi\r\nline']],
      [3, 5, ['3', 'z']],
    ]);
  });

  it('keeps line numbers right after blank lines and LF-only multi-line fields', async () => {
    const { items } = await read('A,B\n1,"a\nb\nc"\n\n\n2,x\n');
    expect(items.map((i) => [i.row, i.line])).toEqual([
      [1, 2],
      [2, 7],
    ]);
  });

  it('ends a row at every line ending, CRLF, LF and CR mixed in one file, with the right line numbers', async () => {
    // A header written with CRLF and rows appended with LF (or CR) was read as one row of 3n+1 fields.
    for (const [first, rest] of [['\r\n', '\n'], ['\n', '\r\n'], ['\r', '\n'], ['\n', '\r'], ['\r\n', '\r']]) {
      const text = `A,B${first}1,x${first}2,"y${rest}z"${rest}3,w${rest}`;
      for (const chunk of [1, 2, 7]) {
        const chunks: Buffer[] = [];
        const buf = Buffer.from(text);
        for (let i = 0; i < buf.length; i += chunk) chunks.push(buf.subarray(i, i + chunk));
        const items: SourceItem[] = [];
        for await (const b of readCsv(Readable.from(chunks), { file: 't.csv' })) items.push(...b.items);
        expect(items.map((i) => (i.format === 'csv' ? [i.line, i.values] : i.format)), `${JSON.stringify([first, rest])} in chunks of ${chunk}`).toEqual([
          [2, ['1', 'x']],
          [3, ['2', `y${rest}z`]],
          [5, ['3', 'w']],
        ]);
      }
    }
  });

  it('decodes Windows-1252 and strips a UTF-8 byte-order mark whatever the declared encoding', async () => {
    const win = iconv.encode('NAME,TOWN\r\nPeña,Müllerville\r\n', 'windows-1252');
    expect((await read(win, { encoding: 'windows-1252' })).items[0]).toMatchObject({ values: ['Peña', 'Müllerville'] });
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('NAME\r\nPeña\r\n', 'utf8')]);
    const r = await read(bom, { encoding: 'windows-1252' });
    expect(r.header).toEqual(['NAME']);
    expect(r.items[0]).toMatchObject({ values: ['Peña'] });
  });

  it('starts at a header that is not on the first line', async () => {
    const { header, items } = await read('LIMS export\r\nrun 2026-03-01\r\nA,B\r\n1,2\r\n', { headerRow: 3 });
    expect(header).toEqual(['A', 'B']);
    expect(items[0]).toMatchObject({ row: 1, line: 4, values: ['1', '2'] });
  });

  it('turns a row with the wrong column count into a failure in its place and goes on', async () => {
    const { items } = await read('A,B\n1,2\n3\n4,5\n');
    expect(items.map((i) => i.format)).toEqual(['csv', 'failure', 'csv']);
    const f = items[1]!;
    expect(f.format === 'failure' && f.error.code).toBe('HUB_ERR_SOURCE_CSV');
    expect(f.format === 'failure' && f.error.pointer).toMatchObject({ file: 't.csv', row: 2, line: 3 });
  });

  it('says what is wrong with a malformed row in its own words, quoting nothing of the row', async () => {
    // csv-parse's own messages quote the field read so far, and the pattern that cut them short stopped
    // at a line separator (U+2028): the text before the quote reached the message.
    const messages = async (text: string): Promise<string[]> =>
      (await read(text)).items.flatMap((i) => (i.format === 'failure' ? [i.error.message] : []));
    expect(await messages('A,B\n1,JOHN Q PUBLIC DOB 1980-01-02\u2028 x"y\n')).toEqual([
      'Malformed CSV: a quote inside a field that does not begin with one in field 2 (quote the whole field, and double a quote inside it)',
    ]);
    expect(await messages('A,B\n1,"SECRET-77"-\n')).toEqual([
      'Malformed CSV: text after a field\'s closing quote in field 2 (a quote inside a quoted field must be doubled)',
    ]);
    expect(await messages('A,B\n1,2,SECRET-78\n')).toEqual(['Malformed CSV: row has 3 columns, the header has 2']);
    expect((await messages('A,B\n1,"SECRET-79\n'))[0]).toMatch(/^Malformed CSV: a quote opened and never closed/);
  });

  it('reports an unclosed quote as a failure instead of crashing', async () => {
    const { items } = await read('A,B\n1,2\n3,"oops\n');
    expect(items[0]!.format).toBe('csv');
    expect(items.at(-1)!.format).toBe('failure');
  });

  it('reports a quote left open as one failure at the line it was opened, naming the lines read into it', async () => {
    // Line 3 opens a quote and does not close it; the quote that opens "m" on line 5 closes it, and the
    // "m" after it is the error csv-parse sees. Line 4's row is inside the failure: the message says so.
    const { items } = await read('A,B,C\n1,x,y\n2,"unclosed,z\n3,p,q\n4,"m",n\n5,r,s\n');
    expect(items.map((i) => [i.format, i.row, i.line])).toEqual([
      ['csv', 1, 2],
      ['failure', 2, 3],
      ['csv', 3, 6],
    ]);
    const f = items[1]!;
    expect(f.format === 'failure' && f.error.pointer).toMatchObject({ file: 't.csv', row: 2, line: 3, column: 'B' });
    expect(f.format === 'failure' && f.error.message).toContain('the row runs from line 3 to line 5: a quote opened on line 3 is not closed there, so lines 4-5 were read as part of it');
    const two = (await read('A,B\n1,"open\n2,"x"y\n3,4\n')).items[0]!;
    expect(two.format === 'failure' && two.error.message).toContain('the row runs from line 2 to line 3: a quote opened on line 2 is not closed there, so line 3 was read as part of it');
    // The column is the file's own header name: bounded like any source text.
    const long = (await read(`A,${'B'.repeat(5000)}\n1,"open\n2,"x"y\n`)).items[0]!;
    expect(long.format === 'failure' && long.error.pointer?.column).toBe(`${'B'.repeat(181)}… (5000 characters)`);
    // A malformed row on one line says nothing of the kind.
    const one = (await read('A,B\n1,"x"y\n2,3\n')).items[0]!;
    expect(one.format === 'failure' && one.error.pointer).toMatchObject({ row: 1, line: 2 });
    expect(one.format === 'failure' && one.error.message).not.toContain('runs from line');
  });

  it('reports a malformed row once, however many errors csv-parse meets in it, and numbers the rows after it right', async () => {
    // A closing quote followed by text puts csv-parse out of step: the next quoted field of the row fails too.
    const { items } = await read('A,B,C\n1,2,3\n4,"x"y,"z, w"\n5,6,7\n8,9,"10"q\n');
    expect(items.map((i) => [i.format, i.row, i.line])).toEqual([
      ['csv', 1, 2],
      ['failure', 2, 3],
      ['csv', 3, 4],
      ['failure', 4, 5],
    ]);
  });

  it('batches rows', async () => {
    const rows = Array.from({ length: 1200 }, (_, i) => `${i},x`).join('\n');
    const batches: number[] = [];
    for await (const b of readCsv(Readable.from([Buffer.from('A,B\n' + rows)]), { batchSize: 500 })) batches.push(b.items.length);
    expect(batches.reduce((a, b) => a + b, 0)).toBe(1200);
    expect(Math.max(...batches)).toBeLessThanOrEqual(500);
  });
});

describe('csv reader: titles above the header and header-only files', () => {
  it('skips title lines that are not CSV (a stray quote) and keeps line numbers', async () => {
    const { header, items } = await read('Report "Items" March\r\nLab: "ERL\r\nA,B\r\n1,2\r\n3,"x\r\ny"\r\n4,5\r\n', { headerRow: 3 });
    expect(header).toEqual(['A', 'B']);
    expect(items.map((i) => [i.row, i.line])).toEqual([
      [1, 4],
      [2, 5],
      [3, 7],
    ]);
  });

  it('yields the header of a file without rows', async () => {
    const batches: { header?: readonly string[]; n: number }[] = [];
    for await (const b of readCsv(Readable.from([Buffer.from('A,B\r\n')]))) batches.push({ header: b.header, n: b.items.length });
    expect(batches).toEqual([{ header: ['A', 'B'], n: 0 }]);
  });
});
