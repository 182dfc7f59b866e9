/**
 * The short fuzz run of `npm test` (a few hundred cases, seconds): the readers and the mapping engine
 * on mutated inputs, with the properties of test/fuzz/targets.ts. `npm run fuzz` runs the same
 * properties for 100,000 cases or more (scripts/fuzz.ts); FUZZ_SEED reproduces a run.
 */
import { describe, it } from 'vitest';
import fc from 'fast-check';
import { hostileInput } from './mutations.ts';
import { checkMapping, checkReader, MAPPING_TARGETS, READER_SEEDS, seedOf, type Reader } from './targets.ts';

const RUNS = Number(process.env.FUZZ_RUNS ?? 60);
const seed = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined;

describe('fuzz: readers', () => {
  it.each(Object.keys(READER_SEEDS) as Reader[])('%s reader: coded failures only, every record numbered, within the bounds', async (kind) => {
    await fc.assert(
      fc.asyncProperty(hostileInput(READER_SEEDS[kind]), async ({ bytes, chunk }) => {
        await checkReader(kind, bytes, chunk);
      }),
      { numRuns: RUNS, seed },
    );
  });
});

describe('fuzz: the mapping engine with the shipped mappings', () => {
  it.each(MAPPING_TARGETS.map((t) => [t.mapping, t] as const))('%s on its mutated fixture: read = mapped + invalid, coded and bounded', async (_id, target) => {
    await fc.assert(
      fc.asyncProperty(hostileInput(seedOf(target)), async ({ bytes, chunk }) => {
        await checkMapping(target.mapping, bytes, chunk);
      }),
      { numRuns: RUNS, seed },
    );
  });
});
