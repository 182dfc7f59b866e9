/** Printing for people and for machines: human text by default, `--json` for scripts. */
import { ConfigProblems, formatProblem } from '../config/problems.ts';
import { HubError, formatReport } from '../errors/hub-error.ts';
import { EXIT } from './exit-codes.ts';

export const out = (s: string): void => void process.stdout.write(s + '\n');
export const err = (s: string): void => void process.stderr.write(s + '\n');

/** Report an error the way its class asks, and say which exit code it means. */
export function reportError(e: unknown): number {
  if (e instanceof ConfigProblems) {
    for (const p of e.problems) err(formatProblem(p));
    err(`${e.problems.length} problem${e.problems.length === 1 ? '' : 's'} found`);
    return EXIT.CONFIG;
  }
  if (e instanceof HubError) {
    err(formatReport(e.toReport()));
    err(`  how to fix: ${fixOf(e)}`);
    if (e.code === 'HUB_ERR_CLI_USAGE') return EXIT.USAGE;
    if (e.code === 'HUB_ERR_STATE_CONFLICT') return EXIT.CONFLICT;
    if (e.errorClass === 'transient') return EXIT.UNAVAILABLE;
    return e.errorClass === 'config' ? EXIT.CONFIG : EXIT.FAILED;
  }
  err(`HUB_ERR_SYSTEM_INTERNAL ${(e as Error)?.stack ?? String(e)}`);
  return EXIT.FAILED;
}

import { ERRORS } from '../errors/registry.ts';
function fixOf(e: HubError): string {
  return ERRORS[e.code].fix;
}
