/**
 * The fixed-width segment reader (the NIBRS flat file): the layout compiled and its mistakes located;
 * fields at 1-based character positions, lists and repeated groups; records from an opening segment to
 * the next; every line it cannot place a failure of its own; line endings, byte-order marks, encodings
 * and chunk boundaries; its two limits, also against hostile input (a 10 MB line, 200,000 segments).
 */
import { describe, expect, it } from 'vitest';
import { Readable } from 'node:stream';
import { liveBytes } from '../../support/memory.ts';
import iconv from 'iconv-lite';
import {
  compileLayout,
  LayoutError,
  LayoutErrors,
  FIRST_LINES,
  readFixedWidth,
  type FixedWidthReadOptions,
  type FixedWidthSpec,
} from '../../../src/formats/fixed-width-reader.ts';
import { DEFAULT_LIMITS, type FixedWidthLimits } from '../../../src/formats/limits.ts';
import type { SourceFailure, SourceItem } from '../../../src/formats/source-record.ts';
import { PAYLOAD_MAX_CHARS } from '../../../src/errors/excerpt.ts';
import { HubError } from '../../../src/errors/hub-error.ts';

// A NIBRS-like layout: the segment code in 1-2, the ORI and incident number on every line (the key),
// an Administrative segment opening each incident, Offense segments (repeated) and one Property segment.
const SPEC: FixedWidthSpec = {
  segment: '1-2',
  common: { ori: '3-11', incident: '12-23' },
  key: ['ori', 'incident'],
  segments: {
    '01': { name: 'administrative', starts: true, fields: { date: '38-45', cleared: '46', location: '47-60', reporter: '61-62' } },
    '02': {
      name: 'offenses',
      repeats: true,
      fields: {
        ucr: '38-40',
        attempted: '41',
        offenderUsing: ['42', '43', '44'],
        weapons: { repeat: 3, every: 3, fields: { code: '53-54', automatic: '55' } },
      },
    },
    '03': { name: 'property', fields: { loss: '38' } },
  },
};
const LAYOUT = compileLayout(SPEC);
const ORI = 'CT0006400';
const WIDTH = 70;

/** A line of WIDTH characters: the code at 1, the ORI at 3, the incident at 12, and `at` (position -> text). */
function seg(code: string, incident: string, at: Record<number, string> = {}, ori = ORI): string {
  const chars = Array<string>(WIDTH).fill(' ');
  const put = (pos: number, text: string): void => {
    for (let i = 0; i < text.length; i++) chars[pos - 1 + i] = text[i]!;
  };
  put(1, code);
  put(3, ori);
  put(12, incident);
  for (const [p, t] of Object.entries(at)) put(Number(p), t);
  expect(chars).toHaveLength(WIDTH);
  return chars.join('');
}

const admin = (incident: string, at: Record<number, string> = {}): string => seg('01', incident, { 38: '20260105', ...at });
const offense = (incident: string, ucr: string, at: Record<number, string> = {}): string => seg('02', incident, { 38: ucr, 41: 'C', ...at });
const property = (incident: string, loss = '7'): string => seg('03', incident, { 38: loss });

function chunked(bytes: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.subarray(i, i + size));
  return out;
}

interface Read {
  items: SourceItem[];
  batches: number[];
}

async function readAll(input: string | Buffer, opts: FixedWidthReadOptions & { chunk?: number; limits?: FixedWidthLimits } = {}, layout = LAYOUT): Promise<Read> {
  const bytes = Buffer.isBuffer(input) ? input : Buffer.from(input);
  const { chunk, ...rest } = opts;
  const items: SourceItem[] = [];
  const batches: number[] = [];
  for await (const b of readFixedWidth(Readable.from(chunked(bytes, chunk ?? Math.max(1, bytes.length))), layout, { file: 'nibrs.txt', ...rest })) {
    batches.push(b.items.length);
    items.push(...b.items);
  }
  return { items, batches };
}

async function read(input: string | Buffer, opts: FixedWidthReadOptions & { chunk?: number } = {}, layout = LAYOUT): Promise<SourceItem[]> {
  return (await readAll(input, opts, layout)).items;
}

const codes = (items: SourceItem[]): string[] => items.map((i) => (i.format === 'failure' ? i.error.code : i.format));

/** Items come in row order: rows are numbered as items are emitted (a record ends only at the next one). */
const inRowOrder = (items: SourceItem[]): SourceItem[] => {
  expect(items.map((i) => i.row)).toEqual(items.map((_, i) => i + 1));
  return items;
};

function value(item: SourceItem | undefined): Record<string, any> {
  expect(item?.format).toBe('json');
  return (item as { value: Record<string, any> }).value;
}

function failure(item: SourceItem | undefined): SourceFailure {
  expect(item?.format).toBe('failure');
  return item as SourceFailure;
}

const lines = (...ls: string[]): string => ls.map((l) => `${l}\n`).join('');

describe('compileLayout', () => {
  it('turns 1-based positions into spans: "38-45" is characters 38 to 45, "46" the one character', () => {
    const layout = compileLayout({
      segment: '1-2',
      common: { ori: '3-11' },
      segments: { '01': { name: 'a', starts: true, fields: { date: '38-45', cleared: '46', list: ['42', '44-45'] } } },
    });
    expect(layout.segment).toEqual({ from: 0, to: 2 });
    expect(layout.common).toEqual([{ kind: 'one', name: 'ori', span: { from: 2, to: 11 } }]);
    expect(layout.key).toEqual([]);
    const a = layout.segments.get('01')!;
    expect([a.name, a.starts, a.repeats]).toEqual(['a', true, false]);
    expect(a.fields).toEqual([
      { kind: 'one', name: 'date', span: { from: 37, to: 45 } },
      { kind: 'one', name: 'cleared', span: { from: 45, to: 46 } },
      { kind: 'list', name: 'list', spans: [{ from: 41, to: 42 }, { from: 43, to: 45 }] },
    ]);
  });

  it('lays out each occurrence of a repeated group every `every` characters from the first', () => {
    const f = LAYOUT.segments.get('02')!.fields.find((x) => x.name === 'weapons')!;
    expect(f).toEqual({
      kind: 'group',
      name: 'weapons',
      occurrences: [
        [['code', { from: 52, to: 54 }], ['automatic', { from: 54, to: 55 }]],
        [['code', { from: 55, to: 57 }], ['automatic', { from: 57, to: 58 }]],
        [['code', { from: 58, to: 60 }], ['automatic', { from: 60, to: 61 }]],
      ],
    });
  });

  const base = ['source', 'fixedWidth'];
  const starting = { '01': { name: 'administrative', starts: true } };
  const cases: [string, FixedWidthSpec, (string | number)[], string][] = [
    ['a position that is not one', { segment: '1-2', common: { ori: '3-x' }, segments: starting }, [...base, 'common', 'ori'], '"3-x" is not a position: write "38-45"'],
    ['position 0', { segment: '0-2', segments: starting }, [...base, 'segment'], '"0-2" is not a position'],
    ['an empty position', { segment: '1-2', segments: { '01': { name: 'a', starts: true, fields: { d: '' } } } }, [...base, 'segments', '01', 'fields', 'd'], '"" is not a position'],
    ['a bad position in a list', { segment: '1-2', segments: { '01': { name: 'a', starts: true, fields: { m: ['42', '43 44'] } } } }, [...base, 'segments', '01', 'fields', 'm', 1], '"43 44" is not a position'],
    [
      'a bad position in a repeated group',
      { segment: '1-2', segments: { '01': { name: 'a', starts: true, fields: { w: { repeat: 3, every: 3, fields: { code: '53-54', automatic: 'x' } } } } } },
      [...base, 'segments', '01', 'fields', 'w', 'fields', 'automatic'],
      '"x" is not a position',
    ],
    ['an end before its start', { segment: '1-2', segments: { '01': { name: 'a', starts: true, fields: { date: '45-38' } } } }, [...base, 'segments', '01', 'fields', 'date'], '"45-38" ends before it starts'],
    ['a key that is not a common field', { segment: '1-2', common: { ori: '3-11', incident: '12-23' }, key: ['ori', 'case'], segments: starting }, [...base, 'key', 1], 'key "case" is not one of the common fields (ori, incident)'],
    ['a key without common fields', { segment: '1-2', key: ['ori'], segments: starting }, [...base, 'key', 0], 'key "ori" is not one of the common fields (none declared)'],
    [
      'two segments of one name',
      { segment: '1-2', segments: { '01': { name: 'administrative', starts: true }, '02': { name: 'offenses' }, '03': { name: 'offenses' } } },
      [...base, 'segments', '03', 'name'],
      'segments "02" and "03" are both named "offenses"',
    ],
    [
      "a segment named as a common field",
      { segment: '1-2', common: { ori: '3-11' }, segments: { '01': { name: 'administrative', starts: true }, '02': { name: 'ori' } } },
      [...base, 'segments', '02', 'name'],
      'segment name "ori" is also a common field\'s',
    ],
    [
      "a segment's field named as a common field",
      { segment: '1-2', common: { ori: '3-11' }, segments: { '01': { name: 'administrative', starts: true, fields: { ori: '30-38' } } } },
      [...base, 'segments', '01', 'fields', 'ori'],
      'field "ori" is also a common field',
    ],
    ['no segment that starts a record', { segment: '1-2', segments: { '01': { name: 'administrative' }, '02': { name: 'offenses', repeats: true } } }, [...base, 'segments'], 'no segment starts a record'],
  ];

  it.each(cases)('%s: a LayoutError at its path', (_name, spec, path, message) => {
    let err: unknown;
    try {
      compileLayout(spec);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(LayoutErrors);
    const errors = (err as LayoutErrors).errors;
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(LayoutError);
    expect(errors[0]!.path).toEqual(path);
    expect(errors[0]!.message).toContain(message);
  });

  it('names every mistake of a layout at once, each at its path', () => {
    const spec: FixedWidthSpec = {
      segment: '1-2',
      common: { ori: '3-11' },
      key: ['ori', 'case'],
      segments: { '01': { name: 'a', starts: true, fields: { date: '45-38', code: 'abc' } }, '02': { name: 'a', repeats: true } },
    };
    let err: unknown;
    try {
      compileLayout(spec);
    } catch (e) {
      err = e;
    }
    expect((err as LayoutErrors).errors.map((e) => e.path.slice(2).join('/'))).toEqual(['key/1', 'segments/01/fields/date', 'segments/01/fields/code', 'segments/02/name']);
  });

  it('takes a one-character position written as a number', () => {
    const layout = compileLayout({ segment: 1, common: { id: 2 }, segments: { '1': { name: 'a', starts: true, fields: { x: [3, '4-5'] } } } });
    expect(layout.segment).toEqual({ from: 0, to: 1 });
    expect(layout.common[0]).toMatchObject({ kind: 'one', span: { from: 1, to: 2 } });
  });
});

describe('readFixedWidth: fields', () => {
  it('cuts values at their positions, without the padding; a blank field is absent', async () => {
    const items = await read(lines(admin('2026-000001', { 46: 'N', 47: 'NEW HAVEN', 61: '' }), property('2026-000001', ' ')));
    expect(codes(items)).toEqual(['json']);
    expect(items[0]).toMatchObject({ row: 1, line: 1, jsonPointer: '' });
    expect(value(items[0])).toEqual({
      ori: ORI,
      incident: '2026-000001',
      administrative: { ori: ORI, incident: '2026-000001', date: '20260105', cleared: 'N', location: 'NEW HAVEN' },
      property: { ori: ORI, incident: '2026-000001' },
    });
  });

  it('reads one character at a single position, and a value padded on both sides trimmed', async () => {
    const items = await read(lines(seg('01', '  7  ', { 38: ' 2026010 ', 46: 'Y', 47: '   AB   ' })));
    const v = value(items[0]);
    expect(v.incident).toBe('7');
    expect(v.administrative).toMatchObject({ date: '2026010', cleared: 'Y', location: 'AB' });
  });

  it('a list of positions keeps the values that are there, in order', async () => {
    const items = await read(lines(admin('1'), offense('1', '13A', { 42: 'C', 44: 'N' }), offense('1', '120', { 42: 'A', 43: 'C', 44: 'N' }), offense('1', '290')));
    const o = value(items[0]).offenses;
    expect(o.map((x: Record<string, unknown>) => x.offenderUsing)).toEqual([['C', 'N'], ['A', 'C', 'N'], undefined]);
    expect('offenderUsing' in o[2]).toBe(false);
  });

  it('a repeated group gives one object per occurrence that has any value, in order', async () => {
    const items = await read(
      lines(
        admin('1'),
        offense('1', '13A', { 53: '11A', 59: '15' }), // first whole, second blank, third code only
        offense('1', '13B', { 58: 'A' }), // only the second's automatic
        offense('1', '13C'), // none
      ),
    );
    const o = value(items[0]).offenses;
    expect(o[0].weapons).toEqual([{ code: '11', automatic: 'A' }, { code: '15' }]);
    expect(o[1].weapons).toEqual([{ automatic: 'A' }]);
    expect('weapons' in o[2]).toBe(false);
  });

  it('fields past the end of a short line are absent, the others read', async () => {
    const short = seg('02', '1', { 38: '13A', 41: 'A', 53: '12' }).slice(0, 54); // ends in the first weapon code
    const items = await read(lines(admin('1'), short));
    expect(value(items[0]).offenses).toEqual([{ ori: ORI, incident: '1', ucr: '13A', attempted: 'A', weapons: [{ code: '12' }] }]);
  });

  it('positions count characters: a character beyond the BMP (two UTF-16 units) moves no field after it', async () => {
    // The location holds an emoji and a character of CJK Extension B; the reporter after it is still at 61-62.
    const cols = Array.from(admin('2026-000001', { 46: 'N', 61: 'RB' }));
    cols.splice(46, 5, 'P', 'I', 'E', '🔫', '𠀋');
    const line = cols.join('');
    expect(line.length).toBe(WIDTH + 2);
    const v = value((await read(lines(line), { encoding: 'utf-8' }))[0]);
    expect(v.administrative).toMatchObject({ date: '20260105', cleared: 'N', location: 'PIE🔫𠀋', reporter: 'RB' });
    // And in the segment code and the common fields: an astral character in the ORI keeps the incident in place.
    const odd = Array.from(admin('2026-000002'));
    odd.splice(2, 1, '🔫');
    expect(value((await read(lines(odd.join(''))))[0])).toMatchObject({ ori: `🔫${ORI.slice(1)}`, incident: '2026-000002' });
  });
});

describe('readFixedWidth: records', () => {
  it('an opening segment begins a record: its common fields at the top and in each segment; repeats give arrays, the others objects', async () => {
    const items = await read(
      lines(
        admin('2026-000001'),
        offense('2026-000001', '13A'),
        offense('2026-000001', '120', { 41: 'A' }),
        property('2026-000001'),
        admin('2026-000002'),
        offense('2026-000002', '290'),
      ),
    );
    expect(codes(items)).toEqual(['json', 'json']);
    expect(items.map((i) => [i.row, i.line])).toEqual([
      [1, 1],
      [2, 5],
    ]);
    const [a, b] = items.map(value);
    expect(Object.keys(a!).sort()).toEqual(['administrative', 'incident', 'offenses', 'ori', 'property']);
    expect([a!.ori, a!.incident]).toEqual([ORI, '2026-000001']);
    expect(a!.administrative).toEqual({ ori: ORI, incident: '2026-000001', date: '20260105' });
    expect(a!.offenses).toEqual([
      { ori: ORI, incident: '2026-000001', ucr: '13A', attempted: 'C' },
      { ori: ORI, incident: '2026-000001', ucr: '120', attempted: 'A' },
    ]);
    expect(a!.property).toEqual({ ori: ORI, incident: '2026-000001', loss: '7' });
    expect(b).toEqual({
      ori: ORI,
      incident: '2026-000002',
      administrative: { ori: ORI, incident: '2026-000002', date: '20260105' },
      offenses: [{ ori: ORI, incident: '2026-000002', ucr: '290', attempted: 'C' }],
    });
  });

  it('a repeated segment seen once is still an array', async () => {
    const items = await read(lines(admin('1'), offense('1', '13A')));
    expect(Array.isArray(value(items[0]).offenses)).toBe(true);
  });

  it('a second line of a segment that does not repeat fails the record whole, with all its lines; the next record is read', async () => {
    const rec = [admin('1'), property('1', '7'), offense('1', '13A'), property('1', '5'), offense('1', '120')];
    const items = await read(lines(...rec, admin('2')));
    expect(codes(items)).toEqual(['HUB_ERR_SOURCE_FIXED_SEGMENT', 'json']);
    const f = failure(items[0]);
    expect([f.row, f.line]).toEqual([1, 1]);
    expect(f.raw).toBe(rec.join('\n'));
    expect(f.error.message).toBe(
      'Line 4 cannot be placed in a record: a second "03" (property) segment in the record opened at line 1, which the layout allows once (repeats: true allows more)',
    );
    expect(f.error.pointer).toEqual({ file: 'nibrs.txt', row: 1, line: 4 });
    expect(f.error.class).toBe('record');
    expect(items[1]).toMatchObject({ row: 2, line: 6 });
    expect(value(items[1]).incident).toBe('2');
  });

  it('a line of an unknown segment is a failure of its own row, emitted before the record it interrupts; the lines after it are read into that record', async () => {
    const stray = seg('09', '1', { 38: 'WHATEVER' });
    const items = inRowOrder(await read(lines(admin('1'), offense('1', '13A'), stray, offense('1', '120'), admin('2'))));
    expect(codes(items)).toEqual(['HUB_ERR_SOURCE_FIXED_SEGMENT', 'json', 'json']);
    expect(items.map((i) => [i.row, i.line])).toEqual([
      [1, 3],
      [2, 1],
      [3, 5],
    ]);
    expect(value(items[1]).offenses.map((o: { ucr: string }) => o.ucr)).toEqual(['13A', '120']);
    const f = failure(items[0]);
    expect(f.raw).toBe(stray);
    expect(f.error.message).toMatch(/^Line 3 cannot be placed in a record: segment "09" is not .*the mapping's layout names \("01", "02", "03"\)$/);
    expect(f.error.pointer).toEqual({ file: 'nibrs.txt', row: 1, line: 3 });
    expect(value(items[2]).incident).toBe('2');
  });

  it('a segment code that is not printable ASCII is named by its positions, not quoted', async () => {
    const odd = `\u00e9\u00e9${seg('01', '1').slice(2)}`;
    const items = inRowOrder(await read(lines(odd, admin('1'))));
    expect(codes(items)).toEqual(['HUB_ERR_SOURCE_FIXED_SEGMENT', 'json']);
    const f = failure(items[0]);
    expect(f.raw).toBe(odd);
    expect(f.error.message).toContain('the text at positions 1-2 is not');
    expect(f.error.message).not.toContain('\u00e9');
  });

  it('a line without a segment code is a failure of its own', async () => {
    const noCode = `  ${seg('01', '1').slice(2)}`;
    const items = inRowOrder(await read(lines(noCode, admin('1'))));
    expect(codes(items)).toEqual(['HUB_ERR_SOURCE_FIXED_SEGMENT', 'json']);
    expect(failure(items[0]).error.message).toBe('Line 1 cannot be placed in a record: it has no segment code at positions 1-2');
    expect(items[1]).toMatchObject({ row: 2, line: 2 });
  });

  it('a segment before any opening line is a failure of its own; the record after it is read', async () => {
    const early = offense('0', '13A');
    const items = await read(lines(early, property('0'), admin('1'), offense('1', '120')));
    expect(codes(items)).toEqual(['HUB_ERR_SOURCE_FIXED_SEGMENT', 'HUB_ERR_SOURCE_FIXED_SEGMENT', 'json']);
    expect(items.map((i) => [i.row, i.line])).toEqual([
      [1, 1],
      [2, 2],
      [3, 3],
    ]);
    const f = failure(items[0]);
    expect(f.raw).toBe(early);
    expect(f.error.message).toBe('Line 1 cannot be placed in a record: segment "02" (offenses) comes before any line that starts a record');
    expect(failure(items[1]).error.message).toContain('segment "03" (property) comes before any line');
    expect(value(items[2]).offenses).toHaveLength(1);
  });

  it('a line whose key differs from its record\'s opening line is a failure of its own; the open record is unaffected', async () => {
    const other = offense('2026-000099', '290');
    const otherOri = offense('1', '290', {}).replace(ORI, 'CT0009900');
    const items = inRowOrder(await read(lines(admin('1'), offense('1', '13A'), other, otherOri, property('1'), offense('1', '120'))));
    expect(codes(items)).toEqual(['HUB_ERR_SOURCE_FIXED_SEGMENT', 'HUB_ERR_SOURCE_FIXED_SEGMENT', 'json']);
    const rec = value(items[2]);
    expect(items[2]).toMatchObject({ row: 3, line: 1 });
    expect(rec.offenses.map((o: { ucr: string }) => o.ucr)).toEqual(['13A', '120']);
    expect(rec.property.loss).toBe('7');
    const f = failure(items[0]);
    expect([f.row, f.line, f.raw]).toEqual([1, 3, other]);
    expect(f.error.message).toBe(
      'Line 3 cannot be placed in a record: its incident differs from that of the record opened at line 1: a segment of another record, whose opening line is missing',
    );
    expect(failure(items[1]).error.message).toContain('its ori differs from that of the record opened at line 1');
  });

  it('without a key, every line up to the next opening line is the record\'s', async () => {
    const layout = compileLayout({ ...SPEC, key: [] });
    const items = await read(lines(admin('1'), offense('2', '13A')), {}, layout);
    expect(codes(items)).toEqual(['json']);
    expect(value(items[0]).offenses[0].incident).toBe('2');
  });

  it('a file of no lines gives no items', async () => {
    expect(await readAll('')).toEqual({ items: [], batches: [] });
    expect(await readAll('\n\n  \r\n')).toEqual({ items: [], batches: [] });
  });
});

describe('readFixedWidth: line endings, encodings, chunks', () => {
  const FILE = [admin('1'), offense('1', '13A', { 42: 'C', 53: '11A' }), property('1'), admin('2'), seg('07', '2'), offense('2', '120')];

  it('reads CRLF lines and a last line without a line break, without their CR', async () => {
    const lf = await read(FILE.join('\n') + '\n');
    const crlf = await read(FILE.join('\r\n'));
    expect(crlf).toEqual(lf);
    inRowOrder(crlf);
    expect(codes(crlf)).toEqual(['json', 'HUB_ERR_SOURCE_FIXED_SEGMENT', 'json']);
    expect(crlf.map((i) => [i.row, i.line])).toEqual([
      [1, 1],
      [2, 5],
      [3, 4],
    ]);
    // A CR would show in the raw line kept for the quarantine.
    expect(failure(crlf[1]).raw).toBe(FILE[4]);
    expect(value(crlf[2]).offenses).toHaveLength(1);
  });

  it('reads CR-only line ends as LF ones, CRLF split across chunks as one break, and counts lines the same', async () => {
    const lf = await read(FILE.join('\n') + '\n');
    for (const chunk of [undefined, 1, 7, 100]) {
      expect(await read(FILE.join('\r'), { chunk })).toEqual(lf);
      expect(await read(FILE.join('\r\n') + '\r\n', { chunk })).toEqual(lf);
    }
    // Read as one line, the file would be its first record alone, without a word about the rest.
    expect(codes(await read(FILE.join('\r')))).toEqual(['json', 'HUB_ERR_SOURCE_FIXED_SEGMENT', 'json']);
    // A blank line between CR and LF ends is a line of its own: \r\r\n is two breaks.
    const items = await read(`${admin('1')}\r\r\n${offense('1', '13A')}\r${admin('2')}`);
    expect(items.map((i) => [i.row, i.line])).toEqual([
      [1, 1],
      [2, 4],
    ]);
    expect(value(items[0]).offenses).toHaveLength(1);
  });

  it('gives each segment of a record its line, by JSON pointer', async () => {
    const items = await read(`${admin('1')}\n\n${offense('1', '13A')}\n${property('1')}\n${offense('1', '120')}\n${admin('2')}\n`);
    const first = items[0]!;
    expect(first.format === 'json' && [...first.lines!]).toEqual([
      ['/administrative', 1],
      ['/offenses/0', 3],
      ['/property', 4],
      ['/offenses/1', 5],
    ]);
  });

  it('reads a last line without a line break', async () => {
    const items = await read(`${admin('1')}\n${offense('1', '13A')}`);
    expect(value(items[0]).offenses).toHaveLength(1);
  });

  it('skips blank lines, counting them in line numbers', async () => {
    const items = await read(`\n   \n${admin('1')}\r\n\r\n${offense('1', '13A')}\n\n${admin('2')}\n\t\n`);
    expect(codes(items)).toEqual(['json', 'json']);
    expect(items.map((i) => [i.row, i.line])).toEqual([
      [1, 3],
      [2, 7],
    ]);
    expect(value(items[0]).offenses).toHaveLength(1);
  });

  it('drops a UTF-8 byte-order mark before counting positions', async () => {
    const items = await read(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(lines(...FILE))]), { chunk: 2 });
    expect(items).toEqual(await read(lines(...FILE)));
    expect(value(items[0]).administrative.date).toBe('20260105');
  });

  it('reads windows-1252: byte E9 is é, one character position', async () => {
    const text = lines(admin('1', { 47: 'CAFÉ RÉSEAU', 61: 'R2' }), offense('1', '13A'));
    const bytes = iconv.encode(text, 'windows-1252');
    expect(bytes.includes(0xc9)).toBe(true);
    expect(bytes.length).toBe(text.length); // one byte a character
    const items = await read(bytes, { encoding: 'windows-1252', chunk: 5 });
    const a = value(items[0]).administrative;
    expect(a.location).toBe('CAFÉ RÉSEAU');
    expect(a.reporter).toBe('R2'); // the field after it where it belongs
    const lowerBytes = iconv.encode(lines(admin('1', { 47: 'Montréal', 61: 'R3' })), 'windows-1252');
    expect(lowerBytes.includes(0xe9)).toBe(true);
    const lower = await read(lowerBytes, { encoding: 'windows-1252' });
    expect(value(lower[0]).administrative).toMatchObject({ location: 'Montréal', reporter: 'R3' });
  });

  it('reads UTF-8 (the default): é is one position, also when its two bytes arrive in two chunks', async () => {
    const text = lines(admin('1', { 47: 'é', 48: 'éé', 61: 'R2' }));
    const bytes = Buffer.from(text);
    const at = bytes.indexOf(0xc3);
    const items = await read(Buffer.concat([bytes.subarray(0, at + 1), bytes.subarray(at + 1)]), { chunk: at + 1 });
    expect(value(items[0]).administrative).toMatchObject({ location: 'ééé', reporter: 'R2' });
  });

  it('an encoding that does not exist is refused with HUB_ERR_SOURCE_ENCODING', async () => {
    const err = await read(lines(admin('1')), { encoding: 'no-such-charset' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HubError);
    expect((err as HubError).code).toBe('HUB_ERR_SOURCE_ENCODING');
  });

  it('gives the same items whatever the chunks: whole, 1 byte, 3, 7, 64, mid-line', async () => {
    const bytes = Buffer.from(FILE.join('\r\n') + '\r\n');
    const whole = await read(bytes);
    expect(whole).toHaveLength(3);
    for (const chunk of [1, 3, 7, 64, WIDTH + 1, WIDTH + 2]) expect(await read(bytes, { chunk }), `chunks of ${chunk}`).toEqual(whole);
    // Lines split unevenly, a CR and its LF in two chunks.
    const cr = bytes.indexOf(0x0d);
    const pieces = [bytes.subarray(0, 10), bytes.subarray(10, cr + 1), bytes.subarray(cr + 1, cr + 40), bytes.subarray(cr + 40)];
    const items: SourceItem[] = [];
    for await (const b of readFixedWidth(Readable.from(pieces), LAYOUT, { file: 'nibrs.txt' })) items.push(...b.items);
    expect(items).toEqual(whole);
  });
});

describe('readFixedWidth: limits', () => {
  const limits = (l: Partial<FixedWidthLimits>): FixedWidthLimits => ({ ...DEFAULT_LIMITS.fixedWidth, ...l });

  it('has the documented defaults', () => {
    expect(DEFAULT_LIMITS.fixedWidth).toEqual({ maxLineBytes: 65536, maxRecordLines: 10000, maxRecordBytes: 8388608 });
  });

  it('a line past maxLineBytes fails its record with its first characters; the records after it are read', async () => {
    const long = seg('02', '2', { 38: '13A' }) + 'X'.repeat(5000);
    const items = await read(lines(admin('1'), offense('1', '13A'), admin('2'), long, offense('2', '120'), admin('3')), { limits: limits({ maxLineBytes: 200 }), chunk: 333 });
    expect(codes(items)).toEqual(['json', 'HUB_ERR_SOURCE_LIMIT_FIXED_LINE', 'json']);
    expect(items.map((i) => [i.row, i.line])).toEqual([
      [1, 1],
      [2, 3],
      [3, 6],
    ]);
    expect(value(items[0]).offenses).toHaveLength(1);
    const f = failure(items[1]);
    expect(f.error.message).toBe('Line 4 is longer than limits.fixedWidth.maxLineBytes (200 bytes): its record is not read; the records after it are');
    expect(f.error.pointer).toEqual({ file: 'nibrs.txt', row: 2, line: 4 });
    expect(f.raw!.startsWith(`${admin('2')}\n${long.slice(0, 100)}`)).toBe(true);
    expect(f.raw!.length).toBeLessThanOrEqual(WIDTH + 1 + PAYLOAD_MAX_CHARS);
    expect(f.raw).not.toContain(long);
    expect(value(items[2]).incident).toBe('3');
  });

  it('an opening line past maxLineBytes fails its own record, not the one before it; its segments stay with it', async () => {
    const long = admin('2') + 'Z'.repeat(5000);
    const items = inRowOrder(await read(lines(admin('1'), offense('1', '13A'), long, offense('2', '120'), admin('3')), { limits: limits({ maxLineBytes: 200 }), chunk: 97 }));
    expect(codes(items)).toEqual(['json', 'HUB_ERR_SOURCE_LIMIT_FIXED_LINE', 'json']);
    expect(items.map((i) => [i.row, i.line])).toEqual([
      [1, 1],
      [2, 3],
      [3, 5],
    ]);
    expect(value(items[0]).offenses.map((o: { ucr: string }) => o.ucr)).toEqual(['13A']);
    const f = failure(items[1]);
    expect(f.error.pointer).toEqual({ file: 'nibrs.txt', row: 2, line: 3 });
    expect(f.raw!.startsWith(admin('2'))).toBe(true);
    expect(f.raw!.length).toBeLessThanOrEqual(PAYLOAD_MAX_CHARS);
    // Its offense segment stayed with it (it is no failure of its own), and the next record is read.
    expect(value(items[2]).incident).toBe('3');
  });

  it('a line past maxLineBytes before any record is a failure of its own', async () => {
    const long = 'Z'.repeat(300);
    const items = await read(lines(long, admin('1')), { limits: limits({ maxLineBytes: 200 }) });
    expect(codes(items)).toEqual(['HUB_ERR_SOURCE_LIMIT_FIXED_LINE', 'json']);
    const f = failure(items[0]);
    expect([f.row, f.line, f.raw]).toEqual([1, 1, long]);
    expect(f.error.pointer).toEqual({ file: 'nibrs.txt', row: 1, line: 1 });
    expect(items[1]).toMatchObject({ row: 2, line: 2 });
  });

  it('reads a line of exactly maxLineBytes and refuses one byte more', async () => {
    const at = admin('1').padEnd(100, ' ') + 'T';
    expect(codes(await read(lines(at), { limits: limits({ maxLineBytes: 101 }) }))).toEqual(['json']);
    expect(codes(await read(lines(at), { limits: limits({ maxLineBytes: 100 }) }))).toEqual(['HUB_ERR_SOURCE_LIMIT_FIXED_LINE']);
  });

  it('uses the default limits when none are given: a line of 65,536 bytes is read, 65,537 refused', async () => {
    const line = (n: number): string => admin('1').padEnd(n - 1, ' ') + 'T';
    expect(codes(await read(lines(line(65_536))))).toEqual(['json']);
    expect(codes(await read(lines(line(65_537))))).toEqual(['HUB_ERR_SOURCE_LIMIT_FIXED_LINE']);
  });

  it('a record of maxRecordLines lines is read; one line more fails it, and the next record is read', async () => {
    const l = limits({ maxRecordLines: 3 });
    const three = [admin('1'), offense('1', '13A'), offense('1', '13B')];
    const four = [admin('2'), offense('2', '13A'), offense('2', '13B'), offense('2', '13C')];
    const items = await read(lines(...three, ...four, admin('3'), property('3')), { limits: l });
    expect(codes(items)).toEqual(['json', 'HUB_ERR_SOURCE_LIMIT_FIXED_RECORD', 'json']);
    expect(value(items[0]).offenses).toHaveLength(2);
    const f = failure(items[1]);
    expect([f.row, f.line]).toEqual([2, 4]);
    expect(f.error.message).toBe('The record opened at line 4 is larger than limits.fixedWidth.maxRecordLines (3 lines): it is not read; the records after it are');
    expect(f.error.pointer).toEqual({ file: 'nibrs.txt', row: 2, line: 4 });
    expect(f.raw).toBe(four.slice(0, 3).join('\n'));
    expect(items[2]).toMatchObject({ row: 3, line: 8 });
    expect(value(items[2]).property.loss).toBe('7');
  });
});

describe('readFixedWidth: maxRecordBytes', () => {
  const limits = (l: Partial<FixedWidthLimits>): FixedWidthLimits => ({ ...DEFAULT_LIMITS.fixedWidth, ...l });

  it('a record of more characters than maxRecordBytes fails, whatever its line count; the next record is read', async () => {
    const rec = [admin('1'), offense('1', '13A'), offense('1', '13B')];
    const size = rec.reduce((n, l) => n + l.length, 0);
    const fits = await read(lines(...rec, admin('2')), { limits: limits({ maxRecordBytes: size }) });
    expect(codes(fits)).toEqual(['json', 'json']);
    const over = await read(lines(...rec, admin('2')), { limits: limits({ maxRecordBytes: size - 1 }) });
    expect(codes(over)).toEqual(['HUB_ERR_SOURCE_LIMIT_FIXED_RECORD', 'json']);
    expect(failure(over[0]).error.message).toBe(`The record opened at line 1 is larger than limits.fixedWidth.maxRecordBytes (${size - 1} characters): it is not read; the records after it are`);
    expect(value(over[1]).incident).toBe('2');
  });

  it('lines of a record past the limit are counted, not kept: 20 MB of segments hold no more than the limit', async () => {
    const head = admin('1');
    const line = offense('1', '13A').padEnd(60_000, 'X');
    function* input(): Generator<Buffer> {
      yield Buffer.from(`${head}\n`);
      for (let i = 0; i < 350; i++) yield Buffer.from(`${line}\n`);
      yield Buffer.from(`${admin('2')}\n`);
    }
    const before = process.memoryUsage().heapUsed;
    let peak = before;
    const items: SourceItem[] = [];
    for await (const b of readFixedWidth(Readable.from(input()), LAYOUT, { file: 'big.txt', limits: limits({ maxRecordBytes: 1024 * 1024 }) })) {
      items.push(...b.items);
      peak = Math.max(peak, process.memoryUsage().heapUsed);
    }
    expect(codes(items)).toEqual(['HUB_ERR_SOURCE_LIMIT_FIXED_RECORD', 'json']);
    expect(failure(items[0]).raw!.length).toBe(PAYLOAD_MAX_CHARS);
    // 21 MB went through; what the reader held stayed near the 1 MiB limit (generous bound for GC timing).
    expect(peak - before).toBeLessThan(12 * 1024 * 1024);
  });
});

describe('readFixedWidth: a file of another layout', () => {
  const junk = (n: number): string[] => Array.from({ length: n }, (_, i) => `ORI,CASE,TOWN ${i}`.padEnd(40, 'x'));
  async function thrown(input: string, opts: { batchSize?: number } = {}): Promise<{ error: unknown; batches: number }> {
    let batches = 0;
    try {
      for await (const _ of readFixedWidth(Readable.from([Buffer.from(input)]), LAYOUT, { file: 'other.csv', ...opts })) batches++;
    } catch (error) {
      return { error, batches };
    }
    return { error: undefined, batches };
  }

  it(`is refused whole when none of its first ${FIRST_LINES} lines has a segment code of the layout, before any batch is given out`, async () => {
    const { error, batches } = await thrown(lines(...junk(FIRST_LINES), admin('1'), offense('1', '13A')), { batchSize: 2 });
    expect(batches).toBe(0);
    expect(error).toBeInstanceOf(HubError);
    expect((error as HubError).code).toBe('HUB_ERR_SOURCE_FIXED_LAYOUT');
    expect((error as HubError).errorClass).toBe('config');
    expect((error as HubError).message).toBe(
      `None of the first ${FIRST_LINES} lines of the file is a segment the mapping's layout names ("01", "02", "03"): it is not a file of this layout, and nothing of it is read`,
    );
    expect((error as HubError).pointer).toEqual({ file: 'other.csv' });
  });

  it('is refused whole when it is shorter and none of its lines has one; an empty file is no such file', async () => {
    const { error } = await thrown(lines(...junk(3)));
    expect((error as HubError).message).toContain('None of the first 3 lines');
    expect((await thrown('')).error).toBeUndefined();
  });

  it(`is read when a line of the layout comes within the first ${FIRST_LINES}: the lines before it fail on their own`, async () => {
    const items = await read(lines(...junk(FIRST_LINES - 1), admin('1'), ...junk(30), admin('2')));
    expect(codes(items)).toEqual([...Array(FIRST_LINES - 1).fill('HUB_ERR_SOURCE_FIXED_SEGMENT'), ...Array(30).fill('HUB_ERR_SOURCE_FIXED_SEGMENT'), 'json', 'json']);
  });

  it("segments of the layout out of place do not count against the file: they are the layout's, the file is read", async () => {
    const orphans = Array.from({ length: FIRST_LINES + 2 }, () => offense('1', '13A'));
    const items = await read(lines(...orphans, admin('2')));
    expect(codes(items)).toEqual([...Array(FIRST_LINES + 2).fill('HUB_ERR_SOURCE_FIXED_SEGMENT'), 'json']);
  });
});

describe('readFixedWidth: match, what a line of the layout starts with', () => {
  const MATCHED = compileLayout({ ...SPEC, match: '0[1-3]CT' });

  it('refuses a line whose start does not match on its own, whatever its segment code; the others are read', async () => {
    const odd = seg('02', '1', { 38: '13B' }).replace(/^02CT/, '02XX');
    const items = await read(lines(admin('1'), offense('1', '13A'), odd, admin('2')), {}, MATCHED);
    expect(codes(items)).toEqual(['HUB_ERR_SOURCE_FIXED_SEGMENT', 'json', 'json']);
    expect(failure(items[0]).error.message).toBe("Line 3 cannot be placed in a record: its start is not that of a line of the mapping's layout (source.fixedWidth.match)");
    expect(value(items[1]).offenses).toHaveLength(1);
  });

  it(`refuses a file whole when none of its first ${FIRST_LINES} lines matches, although their segment codes are the layout's`, async () => {
    const lookAlikes = Array.from({ length: FIRST_LINES }, (_, i) => seg('01', String(i)).replace(/^01CT/, '01XX'));
    let error: unknown;
    try {
      await read(lines(...lookAlikes, admin('1')), {}, MATCHED);
    } catch (e) {
      error = e;
    }
    expect((error as HubError).code).toBe('HUB_ERR_SOURCE_FIXED_LAYOUT');
  });

  it('is a regular expression, or a located layout problem', () => {
    expect(() => compileLayout({ ...SPEC, match: '0[1-3' })).toThrow(LayoutErrors);
    try {
      compileLayout({ ...SPEC, match: '0[1-3' });
    } catch (e) {
      expect((e as LayoutErrors).errors[0]!.path).toEqual(['source', 'fixedWidth', 'match']);
      expect((e as LayoutErrors).errors[0]!.message).toContain('"0[1-3" is not a regular expression');
    }
  });
});

describe('readFixedWidth: rows, lines, batches', () => {
  it('numbers rows 1..n and yields batches of batchSize, the open record held until the next opens', async () => {
    const file = Array.from({ length: 5 }, (_, i) => [admin(String(i + 1)), offense(String(i + 1), '13A')]).flat();
    for (const chunk of [undefined, 1, 50]) {
      const { items, batches } = await readAll(lines(...file), { batchSize: 2, chunk });
      expect(batches).toEqual([2, 2, 1]);
      expect(items.map((i) => [i.row, i.line])).toEqual([
        [1, 1],
        [2, 3],
        [3, 5],
        [4, 7],
        [5, 9],
      ]);
      expect(items.map((i) => value(i).incident)).toEqual(['1', '2', '3', '4', '5']);
    }
  });

  it('counts failures in the batches with the records', async () => {
    const { items, batches } = await readAll(lines(offense('0', '13A'), admin('1'), admin('2'), property('2'), property('2'), admin('3')), { batchSize: 3 });
    expect(batches).toEqual([3, 1]);
    expect(codes(items)).toEqual(['HUB_ERR_SOURCE_FIXED_SEGMENT', 'json', 'HUB_ERR_SOURCE_FIXED_SEGMENT', 'json']);
    expect(items.map((i) => i.row)).toEqual([1, 2, 3, 4]);
  });

  it('yields batches of 500 by default', async () => {
    const file = Array.from({ length: 1201 }, (_, i) => admin(String(i + 1)));
    const { items, batches } = await readAll(lines(...file), { chunk: 4096 });
    expect(batches).toEqual([500, 500, 201]);
    expect(items.at(-1)).toMatchObject({ row: 1201, line: 1201 });
  });

  it('leaves the file out of pointers when it is not given', async () => {
    const items: SourceItem[] = [];
    for await (const b of readFixedWidth(Readable.from([Buffer.from(lines(offense('1', '13A'), admin('1')))]), LAYOUT)) items.push(...b.items);
    expect(failure(items[0]).error.pointer).toEqual({ row: 1, line: 1 });
  });
});

describe('readFixedWidth: hostile input', () => {
  const used = (): number => liveBytes({ arrayBuffers: true });
  const MiB = 2 ** 20;

  /**
   * An opening line 10 MB long without a line break, sent in fresh 64 KiB chunks (so nothing but the
   * reader can keep them), then a line break and a good record. Returns the memory grown while the
   * reader was at the end of the long line.
   */
  async function tenMegabyteLine(maxLineBytes: number): Promise<{ items: SourceItem[]; grown: number; ms: number }> {
    let grown = -1;
    async function* input(): AsyncGenerator<Buffer> {
      const before = used();
      yield Buffer.from(admin('1'));
      for (let sent = 0; sent < 10 * 1000 * 1000; sent += 64 * 1024) yield Buffer.alloc(64 * 1024, 0x58);
      grown = used() - before;
      yield Buffer.from(`\n${admin('2')}\n${offense('2', '13A')}\n`);
    }
    const started = Date.now();
    const items: SourceItem[] = [];
    for await (const b of readFixedWidth(Readable.from(input()), LAYOUT, { file: 'big.txt', limits: { ...DEFAULT_LIMITS.fixedWidth, maxLineBytes } })) items.push(...b.items);
    return { items, grown, ms: Date.now() - started };
  }

  it('refuses a 10 MB line with HUB_ERR_SOURCE_LIMIT_FIXED_LINE without holding it, and reads the record after it', async () => {
    const { items, grown, ms } = await tenMegabyteLine(DEFAULT_LIMITS.fixedWidth.maxLineBytes);
    expect(codes(items)).toEqual(['HUB_ERR_SOURCE_LIMIT_FIXED_LINE', 'json']);
    const f = failure(items[0]);
    expect([f.row, f.line]).toEqual([1, 1]);
    expect(f.error.message).toBe('Line 1 is longer than limits.fixedWidth.maxLineBytes (65536 bytes): its record is not read; the records after it are');
    expect(f.raw!.startsWith(admin('1'))).toBe(true);
    expect(f.raw!.length).toBeLessThanOrEqual(PAYLOAD_MAX_CHARS);
    expect(items[1]).toMatchObject({ row: 2, line: 2 });
    expect(value(items[1]).offenses).toHaveLength(1);
    // Held whole, the line is 10 MB at this point (the control below); refused, a few chunks in flight.
    expect(grown).toBeLessThan(4 * MiB);
    expect(ms).toBeLessThan(30_000);
  });

  it('(control: the same probe sees the line when a limit above it lets the reader hold it)', async () => {
    const { items, grown } = await tenMegabyteLine(16 * MiB);
    expect(codes(items)).toEqual(['json', 'json']);
    expect(grown).toBeGreaterThan(8 * MiB);
  });

  it('200,000 segments after one opening line past maxRecordLines 1,000: one failure with a bounded raw, the next record read', async () => {
    const child = offense('1', '13A');
    async function* input(): AsyncGenerator<Buffer> {
      yield Buffer.from(`${admin('1')}\n`);
      const block = `${child}\n`.repeat(1000);
      for (let i = 0; i < 200; i++) yield Buffer.from(block);
      yield Buffer.from(lines(admin('2'), property('2')));
    }
    const started = Date.now();
    const items: SourceItem[] = [];
    for await (const b of readFixedWidth(Readable.from(input()), LAYOUT, { file: 'many.txt', limits: { ...DEFAULT_LIMITS.fixedWidth, maxRecordLines: 1000 } })) items.push(...b.items);
    expect(codes(items)).toEqual(['HUB_ERR_SOURCE_LIMIT_FIXED_RECORD', 'json']);
    const f = failure(items[0]);
    expect([f.row, f.line]).toEqual([1, 1]);
    expect(f.error.message).toBe('The record opened at line 1 is larger than limits.fixedWidth.maxRecordLines (1000 lines): it is not read; the records after it are');
    expect(f.raw!.startsWith(`${admin('1')}\n${child}\n`)).toBe(true);
    expect(f.raw!.length).toBeLessThanOrEqual(PAYLOAD_MAX_CHARS + WIDTH);
    expect(items[1]).toMatchObject({ row: 2, line: 200_002 });
    expect(value(items[1]).property.loss).toBe('7');
    expect(Date.now() - started).toBeLessThan(30_000);
  });
});
