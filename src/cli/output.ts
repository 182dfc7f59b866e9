/** Printing for people and for machines: human text by default, `--json` for scripts. */
import { ConfigProblems } from '../config/problems.ts';
import type { HubError } from '../errors/hub-error.ts';
import { failureLines } from '../errors/report-lines.ts';
import { EXIT } from './exit-codes.ts';

export const out = (s: string): void => void process.stdout.write(s + '\n');
export const err = (s: string): void => void process.stderr.write(s + '\n');

/** Report an error the way its class asks, and say which exit code it means. */
export function reportError(e: unknown): number {
  const lines = failureLines(e);
  if (!lines) {
    err(`HUB_ERR_SYSTEM_INTERNAL ${(e as Error)?.stack ?? String(e)}`);
    return EXIT.FAILED;
  }
  for (const l of lines) err(l);
  if (e instanceof ConfigProblems) return EXIT.CONFIG;
  const h = e as HubError;
  if (h.code === 'HUB_ERR_CLI_USAGE') return EXIT.USAGE;
  if (h.code === 'HUB_ERR_STATE_CONFLICT') return EXIT.CONFLICT;
  if (h.errorClass === 'transient') return EXIT.UNAVAILABLE;
  return h.errorClass === 'config' ? EXIT.CONFIG : EXIT.FAILED;
}
