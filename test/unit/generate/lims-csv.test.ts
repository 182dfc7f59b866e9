import { describe, expect, it } from 'vitest';
import iconv from 'iconv-lite';
import { BAD_VALUES, LIMS_CSV_COLUMNS, type BadRow } from '../../../src/generate/index.ts';
import { MAKES, NO_SERIAL_SPELLINGS } from '../../../src/generate/catalog.ts';
import { generateToBuffer } from './helpers.ts';
import { parseCsv, violations, type Row } from './lims-rules.ts';

describe('lims-csv', () => {
  it('writes Windows-1252 bytes, CRLF line endings, the documented header and exactly `rows` rows', async () => {
    const { buf, summary } = await generateToBuffer('lims-csv', { rows: 3000, seed: 11 });
    expect(summary.encoding).toBe('windows-1252');
    // No UTF-8 BOM and no UTF-8 multi-byte sequences: ñ is the single byte 0xF1, ’ is 0x92.
    expect(buf.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf]))).toBe(false);
    expect(buf.includes(Buffer.from('ñ', 'utf8'))).toBe(false);
    expect(buf.includes(Buffer.from([0xf1]))).toBe(true);
    expect(buf.includes(Buffer.from([0x92]))).toBe(true);
    // Every LF is part of a CRLF.
    for (let i = buf.indexOf(10); i !== -1; i = buf.indexOf(10, i + 1)) expect(buf[i - 1]).toBe(13);
    const text = iconv.decode(buf, 'windows-1252');
    expect(text).toContain('Peña-Sample');
    expect(text).toContain('O’Sample');
    expect(text.split('\r\n', 1)[0]).toBe(LIMS_CSV_COLUMNS.join(','));
    const rows = parseCsv(text);
    expect(rows).toHaveLength(3000);
    // Quoted commas and doubled quotes survive the round trip.
    expect(rows.some((r) => r.ITEM_DESC.includes(', ') && r.ITEM_DESC.includes('"'))).toBe(true);
    expect(rows.some((r) => r.INVESTIGATOR.includes(', '))).toBe(true);
  });

  it('every good row follows the README rules; every bad row breaks exactly its documented column', async () => {
    const details: BadRow[] = [];
    const { buf, summary } = await generateToBuffer('lims-csv', { rows: 5000, seed: 3, onBadRow: (b) => details.push(b) });
    const rows = parseCsv(iconv.decode(buf, 'windows-1252'));
    const bad = new Set(summary.badRowNumbers);
    expect(details.map((d) => d.row)).toEqual(summary.badRowNumbers);
    rows.forEach((r, i) => {
      const n = i + 1;
      const v = violations(r);
      if (!bad.has(n)) {
        expect(v, `row ${n}: ${JSON.stringify(r)}`).toEqual([]);
      } else {
        const d = details.find((x) => x.row === n) as BadRow;
        expect(v, `row ${n}`).toEqual([d.column]);
        expect(r[d.column as keyof Row]).toBe(d.value);
      }
    });
    const values = details.filter((d) => d.kind in BAD_VALUES);
    for (const d of values) expect((BAD_VALUES as Record<string, readonly string[]>)[d.kind]).toContain(d.value);
  });

  it('has about 1% bad rows, one per block of 100 rows, every kind represented in a large file', async () => {
    const { summary } = await generateToBuffer('lims-csv', { rows: 20_000, seed: 8 });
    expect(summary.badRowNumbers).toHaveLength(200);
    for (let s = 0; s < 200; s++) {
      const inBlock = summary.badRowNumbers.filter((n) => n > s * 100 && n <= (s + 1) * 100);
      expect(inBlock).toHaveLength(1);
    }
    const kinds = Object.keys(summary.badRowKinds).sort();
    expect(kinds).toEqual(['boolean-invalid', 'caliber-unparseable', 'date-impossible', 'make-unknown', 'ori-length', 'ori-missing']);
    const total = Object.values(summary.badRowKinds).reduce((a, b) => a + (b ?? 0), 0);
    expect(total).toBe(200);
  });

  it('badRowRate 0 writes no bad rows; badRowRate 0.05 about 5%', async () => {
    expect((await generateToBuffer('lims-csv', { rows: 1000, seed: 1, badRowRate: 0 })).summary.badRowNumbers).toEqual([]);
    expect((await generateToBuffer('lims-csv', { rows: 1000, seed: 1, badRowRate: 0.05 })).summary.badRowNumbers).toHaveLength(50);
  });

  it('the UTF-8 variant with a BOM carries the same rows as the Windows-1252 one', async () => {
    const win = await generateToBuffer('lims-csv', { rows: 400, seed: 21 });
    const utf = await generateToBuffer('lims-csv', { rows: 400, seed: 21, encoding: 'utf-8', bom: true });
    expect([...utf.buf.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(utf.buf.toString('utf8').slice(1)).toBe(iconv.decode(win.buf, 'windows-1252'));
    expect(utf.summary.badRowNumbers).toEqual(win.summary.badRowNumbers);
  });

  it('one lab case carries several agencies: rows repeat LAB_CASE_NO with different ORIs and case numbers', async () => {
    const { buf } = await generateToBuffer('lims-csv', { rows: 2000, seed: 4, badRowRate: 0 });
    const rows = parseCsv(iconv.decode(buf, 'windows-1252'));
    const agencies = new Map<string, Set<string>>();
    for (const r of rows) {
      let s = agencies.get(r.LAB_CASE_NO);
      if (!s) agencies.set(r.LAB_CASE_NO, (s = new Set()));
      s.add(`${r.AGENCY_ORI}|${r.AGENCY_CASE_NO}`);
    }
    const multi = [...agencies.values()].filter((s) => s.size > 1);
    expect(multi.length).toBeGreaterThan(5);
    expect(multi.some((s) => s.size === 3)).toBe(true);
    // Item numbers are unique within a lab case and nest under an existing parent.
    const seen = new Map<string, Set<string>>();
    for (const r of rows) {
      let s = seen.get(r.LAB_CASE_NO);
      if (!s) seen.set(r.LAB_CASE_NO, (s = new Set()));
      expect(s.has(r.ITEM_NO)).toBe(false);
      if (r.PARENT_ITEM_NO) expect(s.has(r.PARENT_ITEM_NO)).toBe(true);
      s.add(r.ITEM_NO);
    }
    // Dates come in all five shapes (M/D/YY shows as 9/9/99 or 9/99/99 early in the year).
    const shapes = new Set(rows.map((r) => r.OFFENSE_DATE.replace(/\d/g, '9').replace(/[A-Z]{3}/, 'MON')));
    for (const shape of ['99/99/9999', '9/9/99', '9/99/99', '9999-99-99', '99/99/9999 99:99', '99-MON-9999']) expect(shapes).toContain(shape);
  });

  it('writes no-serial placeholders only for privately made guns and blank serials only when obliterated', async () => {
    const { buf } = await generateToBuffer('lims-csv', { rows: 20_000, seed: 6, badRowRate: 0 });
    const rows = parseCsv(iconv.decode(buf, 'windows-1252')).filter((r) => r.ITEM_TYPE === 'FIREARM');
    expect(rows.length).toBeGreaterThan(1000);
    const pmfMakes = new Set(MAKES.P80?.spellings);
    for (const r of rows) {
      if (pmfMakes.has(r.MAKE)) expect(NO_SERIAL_SPELLINGS as readonly string[]).toContain(r.SERIAL_NO);
      else if (r.SERIAL_NO === '') expect(r.OBLITERATED).toBe('Y');
    }
    expect(rows.some((r) => r.OBLITERATED === 'Y' && r.SERIAL_NO !== '')).toBe(true);
    expect(rows.some((r) => r.ITEM_DESC.includes('\r\n'))).toBe(true);
  });
});
