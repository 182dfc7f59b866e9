/**
 * JsonPathScan: for any document, in any chunking, the same answer as JSON.parse and a walk of the
 * result: whether the text is JSON, and what each path leads to.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { JsonPathScan, type JsonPathValue } from '../../../src/formats/json-path-scan.ts';

function scan(text: string | Buffer, paths: string[][], chunk = 7): ReturnType<JsonPathScan['end']> {
  const bytes = Buffer.isBuffer(text) ? text : Buffer.from(text);
  const s = new JsonPathScan(paths);
  for (let i = 0; i < bytes.length; i += chunk) s.scan(bytes.subarray(i, i + chunk));
  return s.end();
}

/** What JSON.parse and a walk by own keys find. */
function reference(text: string, paths: string[][]): { valid: boolean; values?: JsonPathValue[] } {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return { valid: false };
  }
  const values = paths.map((path): JsonPathValue => {
    let v: unknown = doc;
    for (const seg of path) {
      if (v === null || typeof v !== 'object' || !Object.hasOwn(v, seg) || (Array.isArray(v) && !/^(0|[1-9]\d*)$/.test(seg))) return { kind: 'absent' };
      v = (v as Record<string, unknown>)[seg];
    }
    if (Array.isArray(v)) return { kind: 'array', empty: v.length === 0 };
    if (v !== null && typeof v === 'object') return { kind: 'object' };
    return { kind: 'scalar', value: v as string | number | boolean | null };
  });
  return { valid: true, values };
}

/** Paths that exist in `v` (so that the property tests find values, not only absences). */
function pathsIn(v: unknown, prefix: string[] = [], out: string[][] = []): string[][] {
  out.push(prefix);
  if (v !== null && typeof v === 'object') for (const k of Object.keys(v)) pathsIn((v as Record<string, unknown>)[k], [...prefix, k], out);
  return out;
}

describe('JsonPathScan', () => {
  it('agrees with JSON.parse on any document, any spacing, any chunking', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 5 }), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 1, max: 40 }), fc.nat(), (value, indent, chunk, pick) => {
        const text = JSON.stringify(value, null, indent);
        const all = pathsIn(JSON.parse(text));
        const paths = [all[pick % all.length]!, all[(pick * 7) % all.length]!, ['missing'], ['0']];
        const got = scan(text, paths, chunk);
        expect(got).toEqual(reference(text, paths));
      }),
      { numRuns: 500 },
    );
  });

  it('says a text is JSON exactly when JSON.parse does, for texts a character away from JSON', () => {
    const edit = fc.record({ at: fc.nat(), kind: fc.constantFrom('delete', 'insert', 'replace'), ch: fc.constantFrom(...'{}[],:"\\ 0123456789.eE+-truefalsenul\n\t\u0001x') });
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), fc.array(edit, { minLength: 1, maxLength: 3 }), fc.integer({ min: 1, max: 16 }), (value, edits, chunk) => {
        let text = JSON.stringify(value);
        for (const e of edits) {
          const at = e.at % (text.length + 1);
          text = e.kind === 'delete' ? text.slice(0, at) + text.slice(at + 1) : e.kind === 'insert' ? text.slice(0, at) + e.ch + text.slice(at) : text.slice(0, at) + e.ch + text.slice(at + 1);
        }
        expect(scan(text, [['a']], chunk).valid).toBe(reference(text, [['a']]).valid);
      }),
      { numRuns: 2000 },
    );
  });

  it('reads the JSON grammar as JSON.parse does at its edges', () => {
    const texts = [
      '', ' ', '0', '-0', '01', '-', '1.', '.5', '1e', '1e+', '1E-2', '2.50e10', 'tru', 'true', 'nul', 'null ', ' false',
      '"\\u00e9"', '"\\u00g9"', '"\\x"', '"a\tb"', '"\\/"', '[1,]', '[,1]', '{"a":1,}', '{"a" 1}', '{1:2}', '[]]', '[[]', '{}{}',
      '\ufeff{}', '[1 2]', '{"a":[{"b":[]}]}', '"unterminated',
    ];
    for (const t of texts) expect({ t, valid: scan(t, [[]], 1).valid }).toEqual({ t, valid: reference(t, [[]]).valid });
  });

  it('takes the last of duplicate keys, at every level of a path, as JSON.parse does', () => {
    const paths = [['meta', 'next'], ['items']];
    expect(scan('{"meta":{"next":"a"},"meta":{}, "items":[1], "items":[]}', paths).values).toEqual([{ kind: 'absent' }, { kind: 'array', empty: true }]);
    expect(scan('{"meta":{"next":"a","next":"b"}}', paths).values[0]).toEqual({ kind: 'scalar', value: 'b' });
    expect(scan('{"meta":{"next":"a"},"meta":{"other":{"next":"x"}}}', paths).values[0]).toEqual({ kind: 'absent' });
  });

  it('matches keys written with escapes, and reads escaped cursor values', () => {
    expect(scan('{"next\\u005fcursor":"c\\"1\\u00e9"}', [['next_cursor']]).values[0]).toEqual({ kind: 'scalar', value: 'c"1é' });
    expect(scan('{"pages":[{"c":1},{"c":2.5e1}]}', [['pages', '1', 'c']]).values[0]).toEqual({ kind: 'scalar', value: 25 });
  });

  it('finds the cursor after a million records, and how deep a page is does not matter', () => {
    const page = Buffer.from(`{"items":[${'{},'.repeat(1_000_000)}{}],"next_cursor":"c-last"}`);
    expect(scan(page, [['next_cursor'], ['items']], 65536)).toEqual({ valid: true, values: [{ kind: 'scalar', value: 'c-last' }, { kind: 'array', empty: false }] });
    const deep = `{"next_cursor":7,"x":${'['.repeat(500_000)}${']'.repeat(500_000)}}`;
    expect(scan(deep, [['next_cursor'], ['x']], 65536)).toEqual({ valid: true, values: [{ kind: 'scalar', value: 7 }, { kind: 'array', empty: false }] });
    expect(scan(deep.slice(0, -2) + '}}', [['next_cursor']], 65536).valid).toBe(false);
  });

  it('tells where each element of the array at a path lies: each slice parses to the element JSON.parse finds, in any chunking', () => {
    /** The elements the scan reports, parsed from their bytes, for the array JSON.parse keeps. */
    const elementsOf = (text: string, path: string[], chunk: number): unknown[] => {
      const bytes = Buffer.from(text);
      const found: [number, number, number][] = [];
      const s = new JsonPathScan([path], { of: 0, sink: (array, start, end) => void found.push([array, start, end]) });
      for (let i = 0; i < bytes.length; i += chunk) s.scan(bytes.subarray(i, i + chunk));
      expect(s.end().valid).toBe(true);
      const at = s.arrayAt(0);
      return found.filter(([array]) => array === at).map(([, start, end]) => JSON.parse(bytes.toString('utf8', start, end)));
    };
    fc.assert(
      fc.property(fc.array(fc.jsonValue({ maxDepth: 3 }), { maxLength: 8 }), fc.integer({ min: 0, max: 2 }), fc.integer({ min: 1, max: 30 }), (items, indent, chunk) => {
        const text = JSON.stringify({ before: items.slice(0, 1), data: { items }, after: [items] }, null, indent);
        expect(elementsOf(text, ['data', 'items'], chunk)).toEqual(JSON.parse(text).data.items);
        const bare = JSON.stringify(items, null, indent);
        expect(elementsOf(bare, [], chunk)).toEqual(JSON.parse(bare));
      }),
      { numRuns: 500 },
    );
    // A duplicate key: the later array is the one JSON.parse keeps, and the one arrayAt names.
    expect(elementsOf('{"items":[1,2],"items":[3]}', ['items'], 3)).toEqual([3]);
    expect(elementsOf('[ -1.5e3 , "a\\"b" ,true,null , [ ] , { } ]', [], 1)).toEqual([-1500, 'a"b', true, null, [], {}]);
  });

  it('says where a document stopped being JSON', () => {
    const failed = (text: string) => {
      const s = new JsonPathScan([[]]);
      s.scan(Buffer.from(text));
      s.end();
      return s.failedAt;
    };
    expect(failed('[1,2,}')).toBe(5);
    expect(failed('{"a":tru}')).toBe(8);
    expect(failed('[1,2')).toBe(4); // ended too soon: the length
    expect(failed('[1,2]')).toBe(-1);
  });
});
