/**
 * Connector and destination checks for screens that poll: each check runs at most once per
 * HEALTH_TTL_MS (every caller within that time shares the one in flight or done), and a check that
 * has not answered within HEALTH_TIMEOUT_MS counts as not ok, so a hung server never hangs a list and a
 * dashboard polling the overview does not log in to every agency's server on each poll.
 */
import type { CheckResult } from '../sdk/connector.ts';

/** A check is run at most once per this long; dashboards may poll freely. */
export const HEALTH_TTL_MS = 30_000;
/** A check that has not answered by then counts as not ok. */
export const HEALTH_TIMEOUT_MS = 10_000;

export interface Health {
  ok: boolean;
  detail?: string;
  checkedAt: string;
}

export class HealthChecks {
  readonly #checks = new Map<string, { startedAt: number; result: Promise<Health> }>();

  constructor(private readonly run: (id: string) => Promise<CheckResult>) {}

  of(id: string): Promise<Health> {
    const now = Date.now();
    const last = this.#checks.get(id);
    if (last && now - last.startedAt < HEALTH_TTL_MS) return last.result;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<Health>((resolve) => {
      timer = setTimeout(() => resolve({ ok: false, detail: `no answer to the check within ${HEALTH_TIMEOUT_MS / 1000} s`, checkedAt: new Date().toISOString() }), HEALTH_TIMEOUT_MS);
      timer.unref();
    });
    const check = Promise.resolve()
      .then(() => this.run(id))
      .then(
        (r): Health => ({ ...r, checkedAt: new Date().toISOString() }),
        (e: Error): Health => ({ ok: false, detail: e.message, checkedAt: new Date().toISOString() }),
      );
    const result = Promise.race([check, timeout]).finally(() => clearTimeout(timer));
    this.#checks.set(id, { startedAt: now, result });
    return result;
  }
}
