/**
 * The lines a person reads when a command stops on an error: each problem of a configuration or
 * mapping that does not load (file:line:col) and their count, or a coded error with how to fix it.
 * The CLI prints them; the console's mapping playground shows the same lines.
 */
import { ConfigProblems, formatProblem, problemCount } from '../config/problems.ts';
import { HubError, formatReport } from './hub-error.ts';
import { ERRORS } from './registry.ts';

/** The lines for `e`, or null when it is neither (a bug: the caller reports it as one). */
export function failureLines(e: unknown): string[] | null {
  if (e instanceof ConfigProblems) {
    const n = problemCount(e.problems);
    return [...e.problems.map(formatProblem), `${n} problem${n === 1 ? '' : 's'} found`];
  }
  if (e instanceof HubError) return [formatReport(e.toReport()), `  how to fix: ${ERRORS[e.code].fix}`];
  return null;
}
