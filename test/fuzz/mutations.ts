/**
 * Hostile inputs for property-based fuzzing (fast-check): a well-formed seed (a shipped fixture or a
 * small document) put through a few random mutations. Mutations insert, delete, repeat and overwrite
 * bytes, insert the tokens that matter to a reader (quotes, delimiters, line breaks, tags, DOCTYPEs,
 * entities, brackets, NUL, U+FFFD, a BOM, mojibake), and insert "bombs": a token repeated up to a few
 * thousand times (deep nesting, long fields, long lines) sized against the small limits the fuzz runs
 * with, so every limit is crossed often.
 */
import fc from 'fast-check';
import { mergeLimits, DEFAULT_LIMITS, type ReaderLimits } from '../../src/formats/limits.ts';

/** Limits small enough for inputs of a few kilobytes to cross each of them. */
export const FUZZ_LIMITS: ReaderLimits = mergeLimits(DEFAULT_LIMITS, {
  xml: { maxDepth: 24, maxRecordBytes: 4096, maxRecordElements: 150, maxAttributes: 16 },
  json: { maxDepth: 24, maxDocumentBytes: 12 * 1024, maxLineBytes: 3000 },
  csv: { maxFieldBytes: 400, maxLineBytes: 1500 },
  fixedWidth: { maxLineBytes: 600, maxRecordLines: 40, maxRecordBytes: 3000 },
});

const TOKENS = [
  '"', "'", ',', ';', '\t', '\r\n', '\n', '\r', ' ', '\\', '#',
  '<', '>', '/>', '</', '<x>', '</x>', '<l:Rec>', '</l:Rec>', '<p:q xmlns:p="urn:q">', '<q:undeclared>', ' xmlns="urn:other"', ' a="1"', ' a="1" a="2"',
  '<!DOCTYPE r [<!ENTITY a "aaaa">]>', '<!DOCTYPE r SYSTEM "http://127.0.0.1:9/x.dtd">', '&a;', '&amp;', '&#0;', '&#x1F600;', '<![CDATA[', ']]>', '<!--', '-->', '<?pi x?>',
  '{', '}', '[', ']', ':', '"k":', 'null', 'true', '1e309', '-0', '"\\u0000"', '"\\ud800"',
  '\u0000', '\uFFFD', '\uFEFF', 'Ã©', 'â€™', 'é', '€', '😀', '\u2028',
];

const BOMBS = ['<x>', '<l:d>', '[', '{"a":', 'x', '"', ',', '\n', 'é', '<l:i/>', '&amp;'];

export type Mutation =
  | { kind: 'insert'; at: number; text: string }
  | { kind: 'delete'; at: number; len: number }
  | { kind: 'repeat'; at: number; len: number; times: number }
  | { kind: 'byte'; at: number; value: number }
  | { kind: 'truncate'; at: number };

export const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.constantFrom(...TOKENS) }),
  // At the very start, where a DOCTYPE, a BOM or a broken header line does the most.
  fc.record({ kind: fc.constant('insert' as const), at: fc.constant(0), text: fc.constantFrom(...TOKENS) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.tuple(fc.constantFrom(...BOMBS), fc.integer({ min: 10, max: 3000 })).map(([t, n]) => t.repeat(n)) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.string({ unit: 'binary', maxLength: 12 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 64 }) }),
  fc.record({ kind: fc.constant('repeat' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 64 }), times: fc.integer({ min: 2, max: 200 }) }),
  fc.record({ kind: fc.constant('byte' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
);

export function applyMutations(seed: Buffer, mutations: readonly Mutation[]): Buffer {
  let b = seed;
  for (const m of mutations) {
    const at = b.length ? m.at % (b.length + 1) : 0;
    switch (m.kind) {
      case 'insert':
        b = Buffer.concat([b.subarray(0, at), Buffer.from(m.text, 'utf8'), b.subarray(at)]);
        break;
      case 'delete':
        b = Buffer.concat([b.subarray(0, at), b.subarray(at + m.len)]);
        break;
      case 'repeat': {
        const piece = b.subarray(at, at + m.len);
        b = Buffer.concat([b.subarray(0, at), ...Array.from({ length: m.times }, () => piece), b.subarray(at + m.len)]);
        break;
      }
      case 'byte':
        if (at < b.length) {
          b = Buffer.from(b);
          b[at] = m.value;
        }
        break;
      case 'truncate':
        b = b.subarray(0, at);
        break;
    }
  }
  return b;
}

/** A seed put through 1 to 6 mutations, and the chunk size it is read in. */
export function hostileInput(seed: Buffer): fc.Arbitrary<{ bytes: Buffer; chunk: number }> {
  return fc
    .tuple(
      fc.array(mutationArb, { minLength: 1, maxLength: 6 }),
      fc.oneof({ arbitrary: fc.integer({ min: 1, max: 64 }), weight: 1 }, { arbitrary: fc.integer({ min: 65, max: 70_000 }), weight: 4 }),
    )
    .map(([ms, chunk]) => ({ bytes: applyMutations(seed, ms), chunk }));
}

/** Split into pieces of `size` bytes, as a stream delivers them. */
export function chunked(bytes: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.subarray(i, i + size));
  return out;
}
