/** Printing for people and for machines: human text by default, `--json` for scripts. */
import type { Logger } from 'pino';
import { ConfigProblems } from '../config/problems.ts';
import type { HubError } from '../errors/hub-error.ts';
import type { ErrorCode } from '../errors/registry.ts';
import { failureLines } from '../errors/report-lines.ts';
import { EXIT } from './exit-codes.ts';

// What a terminal would act on instead of showing: C0 controls but tab and line feed (ESC starts the
// sequences that clear a screen or recolour text), DEL, C1 controls, the bidirectional overrides and
// isolates that reorder a line, and the line and paragraph separators.
const TERMINAL_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * Text as a terminal shows it: each control character a source's file name or value can carry is written
 * as its escape (`\u001b`), so a crafted name cannot clear the operator's screen or reorder a line. The
 * escape is JSON's own, so `--json` output stays valid and means the same.
 */
export function printable(s: string): string {
  return s.replace(TERMINAL_CONTROL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** One cell of a table or a one-line listing: a line break in it is shown as its escape too. */
export function oneLine(s: string): string {
  return printable(s).replace(/\n/g, '\\n').replace(/\t/g, '\\t');
}

export const out = (s: string): void => void process.stdout.write(printable(s) + '\n');
export const err = (s: string): void => void process.stderr.write(printable(s) + '\n');

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
