/**
 * CsvLimitGuard: transparent below the limits, whatever the chunking; a row past a limit replaced by
 * exactly its line breaks and listed with its line, the limit and its first bytes.
 */
import { describe, expect, it } from 'vitest';
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { CsvLimitGuard, type CsvGuardDialect } from '../../../src/formats/csv-limits.ts';
import { readCsv } from '../../../src/formats/csv-reader.ts';
import type { CsvLimits } from '../../../src/formats/limits.ts';

const DIALECT: CsvGuardDialect = { delimiter: ',', quote: '"', escape: '"' };

async function guard(bytes: Buffer, limits: CsvLimits, chunk: number, dialect = DIALECT): Promise<{ out: Buffer; g: CsvLimitGuard }> {
  const g = new CsvLimitGuard(dialect, limits);
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += chunk) chunks.push(bytes.subarray(i, i + chunk));
  const parts: Buffer[] = [];
  for await (const p of Readable.from(chunks).pipe(g)) parts.push(p as Buffer);
  return { out: Buffer.concat(parts), g };
}

const breaks = (s: string): string => s.replace(/[^\r\n]/g, '');

describe('CsvLimitGuard', () => {
  it('passes any input through unchanged when no row reaches the limits, for any chunk size', async () => {
    const csvChar = fc.constantFrom('a', 'b', 'é', '€', ',', '"', '\n', '\r', ' ', '\\');
    await fc.assert(
      fc.asyncProperty(fc.array(csvChar, { maxLength: 200 }), fc.integer({ min: 1, max: 50 }), async (chars, chunk) => {
        const bytes = Buffer.from(chars.join(''));
        const { out, g } = await guard(bytes, { maxFieldBytes: 10_000, maxLineBytes: 10_000 }, chunk);
        expect(g.dropped).toEqual([]);
        expect(out.equals(bytes)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('replaces a row past a limit by its own line breaks, whatever the chunk size', async () => {
    const text = 'A,B\r\nok,1\r\n"quoted\r\nfield' + 'x'.repeat(100) + '",2\r\nok,3\n' + 'y'.repeat(90) + '\nlast,4';
    const expected = 'A,B\r\nok,1\r\n' + '\r\n\r\n' + 'ok,3\n' + '\n' + 'last,4';
    for (const chunk of [1, 2, 3, 7, 64, 1000]) {
      const { out, g } = await guard(Buffer.from(text), { maxFieldBytes: 50, maxLineBytes: 80 }, chunk);
      expect(out.toString()).toBe(expected);
      expect(g.dropped.map((d) => [d.line, d.limit, d.field])).toEqual([
        [3, 'maxFieldBytes', 1],
        [6, 'maxFieldBytes', 1],
      ]);
      expect(g.dropped[0]!.head.startsWith('"quoted\r\nfieldxxx')).toBe(true);
    }
  });

  it('counts a whole row for maxLineBytes, and a field for maxFieldBytes only up to its delimiter', async () => {
    const row = Array.from({ length: 20 }, () => '12345').join(',');
    const { g } = await guard(Buffer.from(`H\n${row}\n`), { maxFieldBytes: 10, maxLineBytes: 60 }, 16);
    expect(g.dropped.map((d) => [d.line, d.limit, d.field])).toEqual([[2, 'maxLineBytes', 11]]);
  });

  it('keeps doubled quotes and a separate escape character inside the field', async () => {
    const doubled = await guard(Buffer.from('A,B\n"a"",""\n,b",1\n'), { maxFieldBytes: 100, maxLineBytes: 100 }, 3);
    expect(doubled.out.toString()).toBe('A,B\n"a"",""\n,b",1\n');
    // "x\"y,z" is one field of 8 bytes: the escaped quote does not close it, so its comma splits nothing.
    const text = Buffer.from('A,B\n"x\\"y,z",2\n');
    const backslash = { ...DIALECT, escape: '\\' };
    expect((await guard(text, { maxFieldBytes: 8, maxLineBytes: 100 }, 2, backslash)).g.dropped).toEqual([]);
    expect((await guard(text, { maxFieldBytes: 7, maxLineBytes: 100 }, 2, backslash)).g.dropped.map((d) => [d.line, d.field])).toEqual([[2, 1]]);
  });

  it('reads multi-byte delimiters split across chunks', async () => {
    const text = 'A||B\nxxxxx||yyyyy\n' + 'z'.repeat(20) + '||1\n';
    for (const chunk of [1, 2, 3, 5]) {
      const { out, g } = await guard(Buffer.from(text), { maxFieldBytes: 10, maxLineBytes: 100 }, chunk, { ...DIALECT, delimiter: '||' });
      expect(g.dropped.map((d) => [d.line, d.limit])).toEqual([[3, 'maxFieldBytes']]);
      expect(out.toString()).toBe('A||B\nxxxxx||yyyyy\n\n');
    }
  });

  it('drops the overflow of a long comment line without a failure (comments are not rows)', async () => {
    const { out, g } = await guard(Buffer.from(`A,B\n#${'c'.repeat(100)}\n1,2\n`), { maxFieldBytes: 10, maxLineBytes: 20 }, 8, { ...DIALECT, comment: '#' });
    expect(g.dropped).toEqual([]);
    expect(out.toString()).toBe('A,B\n\n1,2\n');
  });

  it('holds at most about one limit of bytes: a 20 MB line passes through in constant memory', async () => {
    const limits = { maxFieldBytes: 1 << 20, maxLineBytes: 1 << 20 };
    const g = new CsvLimitGuard(DIALECT, limits);
    const piece = Buffer.alloc(64 * 1024, 0x61);
    const input = Readable.from((function* () {
      yield Buffer.from('H\n');
      for (let i = 0; i < 320; i++) yield piece;
      yield Buffer.from('\nlast\n');
    })());
    let out = '';
    let maxHeld = 0;
    for await (const p of input.pipe(g)) {
      out += (p as Buffer).toString();
      maxHeld = Math.max(maxHeld, (g as unknown as { held: Buffer[] }).held.reduce((n, b) => n + b.length, 0));
    }
    expect(out).toBe('H\n\nlast\n');
    expect(maxHeld).toBeLessThanOrEqual(limits.maxLineBytes);
    expect(breaks(out)).toBe('\n\n\n');
  });
});

describe('readCsv with limits', () => {
  it('gives the same rows and failures whatever the chunk size (line numbers included)', async () => {
    const text = 'A,B\r\n1,2\r\n' + 'x'.repeat(70) + ',3\r\n"multi\r\nline",4\r\n5,' + 'y'.repeat(70) + '\r\n6,7\r\n';
    const run = async (chunk: number): Promise<unknown[]> => {
      const bytes = Buffer.from(text);
      const chunks: Buffer[] = [];
      for (let i = 0; i < bytes.length; i += chunk) chunks.push(bytes.subarray(i, i + chunk));
      const items: unknown[] = [];
      for await (const b of readCsv(Readable.from(chunks), { file: 't.csv', limits: { maxFieldBytes: 50, maxLineBytes: 200 } })) {
        for (const i of b.items) items.push(i.format === 'failure' ? [i.row, i.line, i.error.code] : i.format === 'csv' ? [i.row, i.line, i.values] : i);
      }
      return items;
    };
    const reference = await run(text.length);
    expect(reference).toEqual([
      [1, 2, ['1', '2']],
      [2, 3, 'HUB_ERR_SOURCE_LIMIT_CSV_FIELD'],
      [3, 4, ['multi\r\nline', '4']],
      [4, 6, 'HUB_ERR_SOURCE_LIMIT_CSV_FIELD'],
      [5, 7, ['6', '7']],
    ]);
    for (const chunk of [1, 2, 5, 13]) expect(await run(chunk)).toEqual(reference);
  });

  it('numbers the lines of rows past a limit right in LF, CR and mixed files', async () => {
    const rows = ['A,B', '1,2', 'x'.repeat(70) + ',3', '"multi{NL}line",4', '5,' + 'y'.repeat(70), '6,7'];
    for (const [name, nl, join] of [['LF', '\n', '\n'], ['CR', '\r', '\r'], ['CRLF rows with an LF inside a field', '\n', '\r\n']] as const) {
      const bytes = Buffer.from(rows.join(join).replace('{NL}', nl) + join);
      for (const chunk of [1, 3, bytes.length]) {
        const chunks: Buffer[] = [];
        for (let i = 0; i < bytes.length; i += chunk) chunks.push(bytes.subarray(i, i + chunk));
        const items: unknown[] = [];
        for await (const b of readCsv(Readable.from(chunks), { limits: { maxFieldBytes: 50, maxLineBytes: 200 } })) {
          for (const i of b.items) items.push(i.format === 'failure' ? [i.row, i.line, i.error.code] : i.format === 'csv' ? [i.row, i.line, i.values] : i);
        }
        expect(items, `${name}, chunks of ${chunk}`).toEqual([
          [1, 2, ['1', '2']],
          [2, 3, 'HUB_ERR_SOURCE_LIMIT_CSV_FIELD'],
          [3, 4, [`multi${nl}line`, '4']],
          [4, 6, 'HUB_ERR_SOURCE_LIMIT_CSV_FIELD'],
          [5, 7, ['6', '7']],
        ]);
      }
    }
  });
});
