/** Printing for people and for machines: human text by default, `--json` for scripts. */
import type { Logger } from 'pino';
import { ConfigProblems } from '../config/problems.ts';
import type { HubError } from '../errors/hub-error.ts';
import type { ErrorCode } from '../errors/registry.ts';
import { failureLines } from '../errors/report-lines.ts';
import { EXIT } from './exit-codes.ts';

export const out = (s: string): void => void process.stdout.write(s + '\n');
export const err = (s: string): void => void process.stderr.write(s + '\n');

/** The codes whose exit code is not their class's (transient 69, config 78, else 1). */
const EXIT_OF_CODE: Partial<Record<ErrorCode, number>> = {
  HUB_ERR_CLI_USAGE: EXIT.USAGE,
  HUB_ERR_CLI_INPUT_FILE: EXIT.NOINPUT,
  HUB_ERR_STATE_CONFLICT: EXIT.CONFLICT,
};

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
  const byCode = EXIT_OF_CODE[h.code];
  if (byCode !== undefined) return byCode;
  if (h.errorClass === 'transient') return EXIT.UNAVAILABLE;
  return h.errorClass === 'config' ? EXIT.CONFIG : EXIT.FAILED;
}

const LEVELS: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warning', 50: 'error', 60: 'fatal' };

/**
 * The logger of a hub a command starts in its own process (`cgic run`, `cgic transfers`...): its lines
 * go to stderr for a person, `warning: <message> {fields}`, instead of JSON among the command's output.
 * LOG_LEVEL sets the level (default warn); LOG_FORMAT=json keeps pino's JSON lines, for a machine.
 * Secrets are hidden as in the hub's own log (`logRedaction`).
 */
export async function cliLogger(): Promise<Logger> {
  const pino = (await import('pino')).default;
  const { logRedaction } = await import('../runtime/hub.ts');
  const level = process.env.LOG_LEVEL ?? 'warn';
  const redact = logRedaction();
  if (process.env.LOG_FORMAT === 'json') return pino({ level, redact }, process.stderr);
  return pino(
    { level, redact, base: null, timestamp: false },
    {
      write(line: string): void {
        const { level: n, msg, ...fields } = JSON.parse(line) as { level: number; msg?: string } & Record<string, unknown>;
        const rest = Object.keys(fields).length ? ` ${JSON.stringify(fields)}` : '';
        err(`${LEVELS[n] ?? 'log'}: ${msg ?? ''}${rest}`);
      },
    },
  );
}
