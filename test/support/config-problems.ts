/**
 * The problems a loader refused with: `load` must reject with `ConfigProblems` (the configuration, a
 * mapping, golden cases), and the test reads its located problems.
 */
import { expect } from 'vitest';
import { ConfigProblems, type ConfigProblem } from '../../src/config/problems.ts';

export async function problemsOf(load: Promise<unknown>): Promise<ConfigProblem[]> {
  const err = await load.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ConfigProblems);
  return (err as ConfigProblems).problems;
}
