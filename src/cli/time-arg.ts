/**
 * A time given to a CLI filter (`--since`, `--until`): an ISO 8601 time, or (where the command says so)
 * a duration back from now. Output: the instant as an ISO string in UTC, in the years the store can
 * compare with (0001-9999; PostgreSQL has no year 0000), or a usage error naming the option.
 */
import { HubError } from '../errors/hub-error.ts';

const DURATION_MS = { d: 86_400_000, h: 3_600_000, m: 60_000 } as const;

export interface TimeArgOptions {
  /** Whether `7d`, `24h`, `90m` (back from `now`) are taken. @defaultValue true */
  durations?: boolean;
  now?: number;
}

export function timeArg(v: string, option: string, { durations = true, now = Date.now() }: TimeArgOptions = {}): string {
  const m = durations ? /^(\d+)([dhm])$/.exec(v) : null;
  const t = m ? now - Number(m[1]) * DURATION_MS[m[2] as keyof typeof DURATION_MS] : Date.parse(v);
  if (Number.isNaN(t)) {
    const expected = durations ? 'neither an ISO time (2026-01-01T00:00:00Z) nor a duration (7d, 24h, 90m)' : 'not a time (ISO 8601, e.g. 2026-03-14T08:00:00Z)';
    throw new HubError('HUB_ERR_CLI_USAGE', { reason: `${option} "${v}" is ${expected}` });
  }
  const year = new Date(t).getUTCFullYear();
  if (year < 1 || year > 9999) throw new HubError('HUB_ERR_CLI_USAGE', { reason: `${option} "${v}" is outside the years 0001-9999 the store keeps times in` });
  return new Date(t).toISOString();
}
