import { describe, expect, it } from 'vitest';
import { csvCell, writeCsv } from '../../../src/formats/csv-writer.ts';

describe('csv writer', () => {
  it('escapes cells a spreadsheet would run as formulas', () => {
    expect(csvCell('=HYPERLINK("http://x")')).toBe(`"'=HYPERLINK(""http://x"")"`);
    expect(csvCell('+1 555 0100')).toBe("'+1 555 0100");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('-12.5')).toBe('-12.5');
    expect(csvCell('=1', { formulaEscape: false })).toBe('=1');
  });

  it('quotes delimiters, quotes and line breaks, and writes CRLF by default', () => {
    expect(writeCsv(['a', 'b'], [['x, y', 'say "hi"'], ['line\nbreak', null]])).toBe('a,b\r\n"x, y","say ""hi"""\r\n"line\nbreak",\r\n');
    expect(writeCsv(null, [['1']], { lineEnding: 'lf', quote: 'all', bom: true })).toBe('\ufeff"1"\n');
  });
});
