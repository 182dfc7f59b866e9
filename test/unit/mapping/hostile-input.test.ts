/**
 * Hostile and broken input through mapStream with the real readers: header problems that quote no
 * content, duplicated columns, encoding damage (warned or refused), CSV/JSON/NDJSON limits with the
 * good rows of the same file still mapped, and bounded quarantine payloads.
 */
import { describe, expect, it, vi } from 'vitest';
import iconv from 'iconv-lite';
import { HubError } from '../../../src/errors/hub-error.ts';
import { DEFAULT_LIMITS, mergeLimits } from '../../../src/formats/limits.ts';
import { MESSAGE_MAX_CHARS, PAYLOAD_MAX_CHARS } from '../../../src/errors/excerpt.ts';
import type { MappingSpec, RecordSpec } from '../../../src/mapping/spec.ts';
import { mapText } from './helpers.ts';
import { cgicMap } from '../../support/cli.ts';

const CASE: RecordSpec = { type: 'Case', fields: { agencyOri: { from: 'ORI', required: true }, agencyCaseNumber: { from: 'CASE', required: true }, 'location.town': 'TOWN' } };

function csvSpec(source: Partial<NonNullable<MappingSpec['source']>> = {}): MappingSpec {
  return { id: 'hostile-csv', version: 1, direction: 'inbound', source: { format: 'csv', ...source }, records: [CASE] };
}

function jsonSpec(format: 'json' | 'ndjson', source: Partial<NonNullable<MappingSpec['source']>> = {}): MappingSpec {
  return {
    id: `hostile-${format}`,
    version: 1,
    direction: 'inbound',
    source: { format, ...(format === 'json' ? { json: { records: 'data' } } : {}), ...source },
    records: [{ type: 'Case', fields: { agencyOri: { from: 'ori', required: true }, agencyCaseNumber: { from: 'case', required: true }, 'location.town': 'town' } }],
  };
}

// Values a headerless export would put in its first line: a person, a phone, case numbers.
const PERSON = 'Det. Maria Kowalczyk';
const CASE_NO = '2026-0041177';
const HEADERLESS = `CT0006400,${CASE_NO},${PERSON},860-555-0148,Hartford\r\nCT0006400,2026-0041178,${PERSON},860-555-0148,Hartford\r\n`;

async function thrown(p: Promise<unknown>): Promise<HubError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(HubError);
  return err as HubError;
}

describe('CSV header problems name the mapping\'s columns, never the line', () => {
  it('a headerless export: HUB_ERR_SOURCE_HEADER with the expected columns and the field count, nothing of the first line', async () => {
    const err = await thrown(mapText(csvSpec(), HEADERLESS, { file: 'lims.csv' }));
    expect(err.code).toBe('HUB_ERR_SOURCE_HEADER');
    expect(err.message).toBe('The header (line 1, 5 fields) has no column named "ORI"; the mapping reads the columns "ORI", "CASE", "TOWN"');
    const report = JSON.stringify(err.toReport());
    for (const v of [PERSON, CASE_NO, '860-555-0148', 'Hartford']) expect(report).not.toContain(v);
  });

  it('a missing optional column is a warning naming the field, also without the line', async () => {
    const r = await mapText(csvSpec(), `ORI,CASE,X\r\nCT0006400,${CASE_NO},${PERSON}\r\n`);
    expect(r.records).toHaveLength(1);
    expect(r.warnings.map((w) => w.message)).toEqual(['The header (line 1, 3 fields) has no column named "TOWN"; the mapping reads the columns "ORI", "CASE", "TOWN"; field location.town stays empty']);
  });

  it('a duplicated column the mapping reads refuses the file, naming the column and the fields', async () => {
    const err = await thrown(mapText(csvSpec(), 'ORI,CASE,TOWN,CASE\r\nCT0006400,1,Hartford,2\r\n', { file: 'dup.csv' }));
    expect(err.code).toBe('HUB_ERR_SOURCE_HEADER_DUPLICATE');
    expect(err.message).toBe('The header (line 1) names column "CASE" 2 times (fields 2, 4)');
    expect(err.pointer).toEqual({ file: 'dup.csv', line: 1, column: 'CASE' });
  });

  it('columns that differ only in case or spaces are duplicates when the mapping has no exact match', async () => {
    const err = await thrown(mapText(csvSpec(), 'ori,CASE,TOWN, Ori \r\nCT0006400,1,Hartford,X\r\n'));
    expect(err.code).toBe('HUB_ERR_SOURCE_HEADER_DUPLICATE');
    expect(err.message).toContain('(fields 1, 4)');
  });

  it('a duplicated column the mapping does not read is a warning, and the rows are mapped', async () => {
    const r = await mapText(csvSpec(), 'ORI,CASE,TOWN,NOTE,NOTE\r\nCT0006400,1,Hartford,a,b\r\n');
    expect(r.records).toHaveLength(1);
    expect(r.warnings.map((w) => [w.code, w.message])).toEqual([
      ['HUB_ERR_SOURCE_HEADER_DUPLICATE', 'The header (line 1) names column "NOTE" 2 times (fields 4, 5); the mapping does not read it'],
    ]);
  });

  // In a child process (`cgic map`), stopped after 30 s: grouping the positions once copied the list at
  // every column, and 80,000 columns took 52 s (200,000: about five minutes), holding the process.
  it('a name repeated 200,000 times: one warning listing ten fields and how many more, the row mapped', async () => {
    const n = 200_000;
    const r = await cgicMap(csvSpec(), 'wide.csv', `ORI,CASE,TOWN${',X'.repeat(n)}\r\nCT0006400,1,Hartford${','.repeat(n)}\r\n`, ['--warnings']);
    expect(r.stderr).toContain(`names column "X" ${n} times (fields 4, 5, 6, 7, 8, 9, 10, 11, 12, 13 and ${n - 10} more); the mapping does not read it`);
    expect(r.stderr).toMatch(/rows mapped +1\n/);
  });
});

describe('encoding damage is counted, warned about or refused', () => {
  const rows = (town: string): string => `ORI,CASE,TOWN\r\nCT0006400,C-1,Hartford\r\nCT0006400,C-2,${town}\r\nCT0006400,C-3,Enfield\r\n`;

  it('UTF-8 in a file declared windows-1252: mojibake counted per record, a warning with the row, the rows mapped', async () => {
    const bytes = Buffer.from(rows('Bel Air – Fenêtre'), 'utf8'); // en dash and ê: UTF-8 multi-byte sequences
    const r = await mapText(csvSpec({ encoding: 'windows-1252' }), bytes, { file: 'x.csv' });
    expect(r.records).toHaveLength(3);
    expect(r.summary.encoding).toEqual({ rows: 1, replacement: 0, mojibake: 2 });
    expect(r.warnings.map((w) => [w.code, w.pointer])).toEqual([['HUB_ERR_SOURCE_ENCODING_MISMATCH', { file: 'x.csv', row: 2, line: 3 }]]);
    expect(r.warnings[0]!.message).toBe('The record holds 2 UTF-8 sequences read as windows-1252 characters (mojibake): the file is probably not windows-1252');
  });

  it('the same text really in windows-1252 is clean', async () => {
    const bytes = iconv.encode(rows('Bel Air – Fenêtre'), 'windows-1252');
    const r = await mapText(csvSpec({ encoding: 'windows-1252' }), bytes);
    expect(r.summary.encoding).toEqual({ rows: 0, replacement: 0, mojibake: 0 });
    expect((r.records[1]!.location as { town: string }).town).toBe('Bel Air – Fenêtre');
  });

  it('invalid UTF-8 bytes: replacement characters counted', async () => {
    const bytes = Buffer.concat([Buffer.from('ORI,CASE,TOWN\r\nCT0006400,C-1,Hart'), Buffer.from([0xff, 0xfe]), Buffer.from('ford\r\n')]);
    const r = await mapText(csvSpec(), bytes);
    expect(r.summary.encoding).toEqual({ rows: 1, replacement: 2, mojibake: 0 });
    expect(r.warnings[0]!.message).toBe('The record holds 2 replacement characters (U+FFFD: bytes that are not valid utf-8): the file is probably not utf-8');
  });

  it('bytes windows-1252 leaves undefined become replacement characters too', async () => {
    const bytes = Buffer.concat([Buffer.from('ORI,CASE,TOWN\r\nCT0006400,C-1,Hart'), Buffer.from([0x81]), Buffer.from('ford\r\n')]);
    const r = await mapText(csvSpec({ encoding: 'windows-1252' }), bytes);
    expect(r.summary.encoding.replacement).toBe(1);
  });

  it('encodingErrors: refuse quarantines the damaged records with HUB_ERR_SOURCE_ENCODING_MISMATCH; the others are mapped', async () => {
    const bytes = Buffer.from(rows('Fenêtre'), 'utf8');
    const r = await mapText(csvSpec({ encoding: 'windows-1252', encodingErrors: 'refuse' }), bytes);
    expect(r.records.map((x) => x.agencyCaseNumber)).toEqual(['C-1', 'C-3']);
    expect(r.invalid.map((i) => [i.row, i.errors.map((e) => e.code)])).toEqual([[2, ['HUB_ERR_SOURCE_ENCODING_MISMATCH']]]);
    expect(r.summary).toMatchObject({ rowsRead: 3, rowsMapped: 2, rowsInvalid: 1, encoding: { rows: 1, mojibake: 1 } });
  });

  it('JSON values and keys are examined too', async () => {
    const body = Buffer.from(JSON.stringify({ data: [{ ori: 'CT0006400', case: 'C-1', town: 'Fen\uFFFDtre' }] }));
    const r = await mapText(jsonSpec('json'), body);
    expect(r.summary.encoding).toEqual({ rows: 1, replacement: 1, mojibake: 0 });
  });
});

describe('CSV limits: the row is refused with a bounded excerpt, the other rows are mapped', () => {
  const limits = mergeLimits(DEFAULT_LIMITS, { csv: { maxFieldBytes: 64, maxLineBytes: 256 } });

  it('a field past maxFieldBytes', async () => {
    const text = `ORI,CASE,TOWN\r\nCT0006400,C-1,Hartford\r\nCT0006400,C-2,${'x'.repeat(5000)}\r\nCT0006400,C-3,Enfield\r\n`;
    const r = await mapText(csvSpec(), text, { limits, file: 'big.csv' });
    expect(r.records.map((x) => x.agencyCaseNumber)).toEqual(['C-1', 'C-3']);
    expect(r.invalid.map((i) => [i.row, i.pointer, i.errors[0]!.code, i.errors[0]!.message])).toEqual([
      [2, { file: 'big.csv', row: 2, line: 3, column: 'TOWN' }, 'HUB_ERR_SOURCE_LIMIT_CSV_FIELD', 'Field TOWN (#3) is longer than limits.csv.maxFieldBytes (64 bytes): the row is not read; the rows after it are'],
    ]);
    expect(String(r.invalid[0]!.raw).length).toBeLessThanOrEqual(PAYLOAD_MAX_CHARS);
    expect(String(r.invalid[0]!.raw).startsWith('CT0006400,C-2,xxx')).toBe(true);
  });

  it('a row past maxLineBytes, including one held open by an unclosed quote', async () => {
    const wide = Array.from({ length: 40 }, () => 'abcdefgh').join(',');
    const text = `ORI,CASE,TOWN\r\nCT0006400,C-1,Hartford\r\n${wide}\r\nCT0006400,C-3,Enfield\r\nCT0006400,C-4,"unclosed\r\n${'more\r\n'.repeat(100)}`;
    const r = await mapText(csvSpec(), text, { limits });
    expect(r.records.map((x) => x.agencyCaseNumber)).toEqual(['C-1', 'C-3']);
    expect(r.invalid.map((i) => [i.row, i.pointer.line, i.errors[0]!.code])).toEqual([
      [2, 3, 'HUB_ERR_SOURCE_LIMIT_CSV_LINE'],
      [4, 5, 'HUB_ERR_SOURCE_LIMIT_CSV_FIELD'], // the quoted field swallows the rest: past maxFieldBytes first
    ]);
    expect(r.summary).toMatchObject({ rowsRead: 4, rowsMapped: 2, rowsInvalid: 2 });
  });

  it('a header past the limits refuses the file with HUB_ERR_SOURCE_LIMIT_CSV_HEADER and quotes nothing', async () => {
    const err = await thrown(mapText(csvSpec(), `${PERSON},${'y'.repeat(300)}\r\n`, { limits }));
    expect(err.code).toBe('HUB_ERR_SOURCE_LIMIT_CSV_HEADER');
    expect(err.message).toBe('The header (line 1) is longer than limits.csv.maxFieldBytes (64 bytes)');
  });
});

describe('JSON and NDJSON limits', () => {
  it('a 100,000-deep JSON document: HUB_ERR_SOURCE_LIMIT_JSON_DEPTH, not a stack overflow', async () => {
    const r = await mapText(jsonSpec('json'), '['.repeat(100_000) + ']'.repeat(100_000));
    expect(r.invalid.map((i) => i.errors[0]!.code)).toEqual(['HUB_ERR_SOURCE_LIMIT_JSON_DEPTH']);
    expect(r.invalid[0]!.errors[0]!.message).toBe('JSON nested deeper than limits.json.maxDepth (256) at line 1 column 257: not read');
  });

  it('brackets inside strings do not count', async () => {
    const r = await mapText(jsonSpec('json'), JSON.stringify({ data: [{ ori: 'CT0006400', case: 'C-1', town: '['.repeat(1000) + '\\"{' }] }));
    expect(r.invalid).toEqual([]);
    expect(r.records).toHaveLength(1);
  });

  it('a 100,000-deep NDJSON line is one failure; the lines around it are mapped', async () => {
    const deep = '{"a":' + '['.repeat(100_000) + ']'.repeat(100_000) + '}';
    const text = ['{"ori":"CT0006400","case":"C-1"}', deep, '{"ori":"CT0006400","case":"C-3"}'].join('\n');
    const r = await mapText(jsonSpec('ndjson'), text);
    expect(r.records.map((x) => x.agencyCaseNumber)).toEqual(['C-1', 'C-3']);
    expect(r.invalid.map((i) => [i.row, i.pointer.line, i.errors[0]!.code])).toEqual([[2, 2, 'HUB_ERR_SOURCE_LIMIT_JSON_DEPTH']]);
  });

  it('an NDJSON line past maxLineBytes: a failure keeping its first characters only', async () => {
    const limits = mergeLimits(DEFAULT_LIMITS, { json: { maxLineBytes: 10_000 } });
    const long = JSON.stringify({ ori: 'CT0006400', case: 'C-2', town: 'z'.repeat(50_000) });
    const text = ['{"ori":"CT0006400","case":"C-1"}', long, '{"ori":"CT0006400","case":"C-3"}', ''].join('\r\n');
    const r = await mapText(jsonSpec('ndjson'), text, { limits });
    expect(r.records.map((x) => x.agencyCaseNumber)).toEqual(['C-1', 'C-3']);
    expect(r.invalid.map((i) => [i.row, i.pointer.line, i.errors[0]!.code])).toEqual([[2, 2, 'HUB_ERR_SOURCE_LIMIT_JSON_LINE']]);
    expect(String(r.invalid[0]!.raw)).toBe(long.slice(0, PAYLOAD_MAX_CHARS));
  });

  it('a JSON document past maxDocumentBytes is refused without reading on', async () => {
    const limits = mergeLimits(DEFAULT_LIMITS, { json: { maxDocumentBytes: 1000 } });
    const r = await mapText(jsonSpec('json'), JSON.stringify({ data: Array.from({ length: 100 }, (_, i) => ({ ori: 'CT0006400', case: `C-${i}` })) }), { limits });
    expect(r.invalid.map((i) => i.errors[0]!.code)).toEqual(['HUB_ERR_SOURCE_LIMIT_JSON_DOCUMENT']);
    expect(r.summary).toMatchObject({ rowsRead: 1, rowsInvalid: 1 });
  });

  it('a syntax error does not quote the document', async () => {
    const r = await mapText(jsonSpec('ndjson'), `${PERSON} ${CASE_NO}\n{"ori":"CT0006400","case":"C-2"}\n`);
    const e = r.invalid[0]!.errors[0]!;
    expect(e.code).toBe('HUB_ERR_SOURCE_JSON');
    expect(e.message).not.toContain('Maria');
    expect(e.message).toBe('Malformed JSON: Unexpected token \'D\' (not valid JSON)');
    expect(r.records).toHaveLength(1);
  });

  it('a document\'s records are parsed one at a time, never the whole document at once', async () => {
    const doc = JSON.stringify({ data: Array.from({ length: 3000 }, (_, i) => ({ ori: 'CT0006400', case: `C-${i}`, town: 'Hartford' })), next: 'c2' });
    const parse = vi.spyOn(JSON, 'parse');
    try {
      const r = await mapText(jsonSpec('json'), doc);
      expect(r.summary).toMatchObject({ rowsRead: 3000, rowsInvalid: 0 });
      expect(r.records.map((x) => (x as unknown as { agencyCaseNumber: string }).agencyCaseNumber)).toEqual(Array.from({ length: 3000 }, (_, i) => `C-${i}`));
      const longest = Math.max(0, ...parse.mock.calls.map(([text]) => String(text).length));
      expect(longest).toBeLessThan(200); // one record's text; the document is 240 kB
    } finally {
      parse.mockRestore();
    }
  });

  it('a large document that is not JSON is located without being parsed', async () => {
    const doc = `{"data":[${'{},'.repeat(500_000)}x]}`;
    const parse = vi.spyOn(JSON, 'parse');
    try {
      const r = await mapText(jsonSpec('json'), doc);
      expect(r.invalid[0]!.errors[0]!.message).toBe(`Malformed JSON: Unexpected byte 0x78 at line 1 column ${doc.indexOf('x') + 1} (not valid JSON)`);
      expect(Math.max(0, ...parse.mock.calls.map(([text]) => String(text).length))).toBeLessThan(1000);
    } finally {
      parse.mockRestore();
    }
  });

  it('positions are given as line and column', async () => {
    const r = await mapText(jsonSpec('json'), '{"data": [\n  {"ori": "CT0006400",\n   "case": }\n]}');
    expect(r.invalid[0]!.errors[0]!.message).toBe('Malformed JSON: Unexpected token \'}\' (not valid JSON)');
    const r2 = await mapText(jsonSpec('json'), '{"data": [\n  {"ori": "CT0006400"\n   "case": 1}\n]}');
    expect(r2.invalid[0]!.errors[0]!.message).toBe('Malformed JSON: Expected \',\' or \'}\' after property value at line 3 column 4');
  });
});

describe('quarantine payloads and messages are bounded', () => {
  it('a huge invalid JSON record is kept as an excerpt; a long value is quoted as an excerpt', async () => {
    const town = 'q'.repeat(30_000);
    const spec = jsonSpec('ndjson');
    spec.records![0]!.fields.occurredAt = { from: 'date', ops: [{ date: { formats: ['yyyy-MM-dd'] } }] };
    const r = await mapText(spec, JSON.stringify({ ori: 'CT0006400', case: 'C-1', town, date: 'd'.repeat(10_000) }) + '\n');
    const inv = r.invalid[0]!;
    expect(inv.errors[0]!.code).toBe('HUB_ERR_RECORD_DATE');
    expect(inv.errors[0]!.message.length).toBeLessThanOrEqual(MESSAGE_MAX_CHARS);
    expect(inv.errors[0]!.value!.length).toBeLessThanOrEqual(200);
    expect(inv.raw).toMatchObject({ truncated: true });
    expect((inv.raw as { excerpt: string }).excerpt.length).toBeLessThanOrEqual(PAYLOAD_MAX_CHARS);
    expect((inv.raw as { chars: number }).chars).toBeGreaterThan(40_000);
  });
});

describe('values built to make a pattern backtrack are read in time linear in their length', () => {
  // A field just under csv.maxFieldBytes (1 MiB). Before, the serial's trailing-dot pattern took about
  // 13 minutes on this value and the number pattern about 20 (the square of the length): one row
  // held its worker that long, and the unit was retried on the next (a poison unit). Linear, each is
  // milliseconds, so the test's own time limit is what fails if either comes back.
  const LONG = 1_000_000;
  const spec: MappingSpec = {
    id: 'hostile-backtracking',
    version: 1,
    direction: 'inbound',
    source: { format: 'csv' },
    records: [
      {
        type: 'Firearm',
        fields: {
          agencyOri: { from: 'ORI', required: true },
          agencyCaseNumber: { from: 'CASE', required: true },
          agencyItemNumber: { value: '1' },
          serial: { from: 'SERIAL', ops: ['serial'] },
          barrelLength: { from: 'BARREL', ops: ['number'] },
        },
      },
    ],
  };

  it('a serial of ". " a million times and then a letter: the letter, at once', async () => {
    const r = await mapText(spec, `ORI,CASE,SERIAL,BARREL\r\nCT0006400,C-1,${'. '.repeat(LONG / 2)}X,4.5\r\n`);
    expect(r.invalid).toEqual([]);
    expect(r.records[0]).toMatchObject({ serial: { normalized: 'X', obliterated: false }, barrelLength: 4.5 });
  });

  it('a number of a million digits and then a letter: refused as not a number, at once', async () => {
    const r = await mapText(spec, `ORI,CASE,SERIAL,BARREL\r\nCT0006400,C-1,A1,${'0'.repeat(LONG)}x\r\nCT0006400,C-2,A2,4.\r\n`);
    expect(r.invalid.map((i) => i.errors.map((e) => e.code))).toEqual([['HUB_ERR_RECORD_NUMBER']]);
    expect(r.records.map((x) => x.barrelLength)).toEqual([4]);
  });
});
