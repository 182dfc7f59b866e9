/**
 * What the store does to a statement's parameters so PostgreSQL can hold them: NUL becomes U+FFFD
 * everywhere; in JSON text, the escapes of NUL and of an unpaired surrogate (which jsonb refuses) do too.
 * Plain text keeps its backslashes: a file name `C:\ud800.csv` is looked up as written.
 */
import { describe, expect, it } from 'vitest';
import { storableParams } from '../../../src/store/db.ts';

const one = (p: unknown): unknown => storableParams([p])![0];

describe('storableParams', () => {
  it('replaces escaped unpaired surrogates and NUL in JSON text, keeping pairs and escaped backslashes', () => {
    const json = JSON.stringify({ a: 'x\ud800y', b: '\udc00', c: 'gun \ud83d\udd2b', d: 'a \\ud800 b', e: 'n\u0000l', f: '\udc00\ud800' });
    expect(JSON.parse(one(json) as string)).toEqual({ a: 'x\ufffdy', b: '\ufffd', c: 'gun 🔫', d: 'a \\ud800 b', e: 'n\ufffdl', f: '\ufffd\ufffd' });
    expect(one(JSON.stringify(['\ud800']))).toBe('["\\ufffd"]');
    expect(one(JSON.stringify('\ud800 alone'))).toBe('"\\ufffd alone"');
    // Upper-case hex, as another writer of JSON may send it; three backslashes are an escaped one and an escape.
    expect(one('{"a":"\\uD800\\uDC00","b":"\\uDBFF","c":"\\\\\\ud800"}')).toBe('{"a":"\\uD800\\uDC00","b":"\\ufffd","c":"\\\\\\ufffd"}');
  });

  it('leaves plain text as written, but for a raw NUL', () => {
    expect(one('C:\\ud800\\file.csv')).toBe('C:\\ud800\\file.csv');
    expect(one('C:\\u0000.csv')).toBe('C:\\u0000.csv');
    expect(one('a\u0000b')).toBe('a\ufffdb');
    expect(storableParams([1, null, true])).toEqual([1, null, true]);
  });
});
