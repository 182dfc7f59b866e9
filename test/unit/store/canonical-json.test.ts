/**
 * canonicalJson's text and sha256Hex are stored: in every record's content hash, every provenance row's
 * dedupe key and the audit chain's hashes. The text of a value must never change, or re-ingesting an
 * export would version every record again and a verified audit chain would break; these are its rules,
 * quirks included.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalJson, sha256Hex } from '../../../src/store/canonical-json.ts';

describe('canonicalJson', () => {
  it('sorts keys at every depth, whatever order they were built in, and keeps arrays in order', () => {
    const text = '{"a":{"d":[1,{"x":1,"y":2}]},"b":1}';
    expect(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: undefined } })).toBe(text);
    expect(canonicalJson({ a: { d: [1, { x: 1, y: 2 }] }, b: 1 })).toBe(text);
    expect(canonicalJson({ é: 1, Z: 2, a: 3, B: 4, '': 5 })).toBe('{"":5,"B":4,"Z":2,"a":3,"é":1}');
  });

  it('puts array-index keys first in numeric order, then the others sorted (as an object built key by key has them)', () => {
    expect(canonicalJson({ b: 1, 10: 'ten', 2: 'two', '01': 'x', a: 0 })).toBe('{"2":"two","10":"ten","01":"x","a":0,"b":1}');
  });

  it('serializes values as JSON.stringify does; leaves out undefined and functions in objects, null in arrays', () => {
    const at = new Date(Date.UTC(2026, 11, 5, 16, 42, 47, 123));
    expect(canonicalJson({ at, n: [-0, NaN, Infinity, 1e21], s: '"\\\u2028\uD800', u: undefined, f: () => 1, list: [undefined, () => 1] })).toBe(
      '{"at":"2026-12-05T16:42:47.123Z","list":[null,null],"n":[0,null,null,1e+21],"s":"\\"\\\\\u2028\\ud800"}',
    );
    expect(canonicalJson({ toJSON: () => ({ z: 1, a: 2 }) })).toBe('{"a":2,"z":1}');
  });

  it('drops an own "__proto__" key (as JSON.parse makes one from a source file)', () => {
    expect(canonicalJson(JSON.parse('{"b":1,"__proto__":{"x":1},"a":2}'))).toBe('{"a":2,"b":1}');
  });

  it('top-level values JSON leaves out are null; a BigInt throws as JSON.stringify does', () => {
    expect([undefined, () => 1, Symbol('s')].map(canonicalJson)).toEqual(['null', 'null', 'null']);
    expect(() => canonicalJson({ n: 1n })).toThrow(TypeError);
  });
});

describe('sha256Hex', () => {
  it('is the SHA-256 of the UTF-8 bytes, in hex', () => {
    for (const text of ['', 'abc', 'é\uD83D\uDE00', '\uD800 lone surrogate', 'x'.repeat(100_000)]) {
      expect(sha256Hex(text)).toBe(createHash('sha256').update(Buffer.from(text, 'utf8')).digest('hex'));
    }
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});
