/**
 * One process of `npm run fuzz` (scripts/fuzz.ts starts it and watches it): runs one target's
 * property for the number of cases asked, with fast-check, and reports each case as it ends, so a
 * case that never ends (a hang) is seen by the parent, which kills this process.
 *
 * Messages in: { target, runs, seed }. Out: { type: 'tick' } per case; { type: 'done', runs, codes, failure? }.
 */
import fc from 'fast-check';
import { hostileInput } from '../test/fuzz/mutations.ts';
import { checkMapping, checkReader, MAPPING_TARGETS, READER_SEEDS, seedOf, type Reader } from '../test/fuzz/targets.ts';

export interface FuzzJob {
  target: string;
  runs: number;
  seed: number;
}

export interface FuzzDone {
  type: 'done';
  /** Cases run, the failing one included. */
  runs: number;
  /** Error codes met, by the number of cases that met each: evidence the inputs cross every limit. */
  codes: Record<string, number>;
  failure?: { seed: number; path: string; error: string };
}

const codes: Record<string, number> = {};

function property(target: string): fc.IAsyncProperty<[{ bytes: Buffer; chunk: number }]> {
  const tick = (met: Set<string>): void => {
    for (const c of met) codes[c] = (codes[c] ?? 0) + 1;
    process.send?.({ type: 'tick' });
  };
  if (target in READER_SEEDS) {
    const kind = target as Reader;
    return fc.asyncProperty(hostileInput(READER_SEEDS[kind]), async ({ bytes, chunk }) => {
      tick(await checkReader(kind, bytes, chunk));
    });
  }
  const t = MAPPING_TARGETS.find((m) => m.mapping === target);
  if (!t) throw new Error(`unknown fuzz target ${target}`);
  return fc.asyncProperty(hostileInput(seedOf(t)), async ({ bytes, chunk }) => {
    tick(await checkMapping(t.mapping, bytes, chunk));
  });
}

process.on('message', (job: FuzzJob) => {
  void (async () => {
    const r = await fc.check(property(job.target), { numRuns: job.runs, seed: job.seed, endOnFailure: true });
    const done: FuzzDone = { type: 'done', runs: r.numRuns, codes };
    if (r.failed) {
      const e = r.errorInstance as Error | undefined;
      const cause = (e?.cause as Error | undefined)?.message;
      done.failure = { seed: r.seed, path: r.counterexamplePath ?? '', error: `${e?.message ?? 'failed'}${cause ? ` (${cause})` : ''}`.slice(0, 500) };
    }
    process.send?.(done);
  })();
});
process.send?.({ type: 'ready' });
