/**
 * How often a feed is expected to send data (`connectors[].expectEvery`), so a nightly export that
 * stopped arriving is noticed: the console's "no data since" and the metric
 * `cgic_connector_quiet` say so once the connector has read nothing for longer than this.
 *
 * Input: the configured value (`"26h"`, `"90m"`, `"2d"`, `"off"`) or none, and the connector's schedule.
 * Output: seconds, or null for no expectation. Without a value it follows from the schedule: the
 * longest gap between two of its next runs plus two hours, when that gap is an hour or more (a nightly
 * "0 2 * * *" expects data every 26 h); a schedule that polls more often than hourly watches a folder
 * or an API that may rightly stay empty, and a connector without a schedule (webhooks) sends when it
 * has something: neither has a default.
 */
import { createTask } from 'node-cron';

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };
export const DURATION_PATTERN = '^(off|[0-9]+(\\.[0-9]+)?[smhd])$';
const DURATION = new RegExp(DURATION_PATTERN);
/** Slack added to a schedule's longest gap: an export that runs late is not yet missing. */
export const CADENCE_SLACK_SECONDS = 2 * 3600;
/** Schedules whose longest gap is shorter than this have no default expectation. */
export const CADENCE_MIN_GAP_SECONDS = 3600;
/** Runs of the schedule looked at to find its longest gap (a weekday-only schedule has a 3-day gap). */
const RUNS_SAMPLED = 16;

/** Seconds of a duration such as "26h"; null for "off"; undefined when it is not a duration. */
export function parseDuration(text: string): number | null | undefined {
  if (!DURATION.test(text)) return undefined;
  if (text === 'off') return null;
  return Math.round(Number(text.slice(0, -1)) * UNIT_SECONDS[text.slice(-1)]!);
}

/** The longest gap, in seconds, between consecutive runs of a cron schedule. */
export function longestGapSeconds(schedule: string, timezone: string): number | null {
  const task = createTask(schedule, () => {}, { timezone });
  try {
    const runs = task.getNextRuns(RUNS_SAMPLED).map((d) => d.getTime());
    let gap = 0;
    for (let i = 1; i < runs.length; i++) gap = Math.max(gap, runs[i]! - runs[i - 1]!);
    return runs.length > 1 ? gap / 1000 : null;
  } finally {
    void task.destroy();
  }
}

/** The seconds a connector may stay without data before it counts as quiet; null: never. */
export function expectedEverySeconds(expectEvery: string | undefined, schedule: string | undefined, timezone: string): number | null {
  if (expectEvery !== undefined) return parseDuration(expectEvery) ?? null;
  if (!schedule) return null;
  const gap = longestGapSeconds(schedule, timezone);
  return gap !== null && gap >= CADENCE_MIN_GAP_SECONDS ? gap + CADENCE_SLACK_SECONDS : null;
}
