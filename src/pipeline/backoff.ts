/**
 * Retry delays: exponential backoff with equal jitter. Attempt n waits between half and all of
 * base * 2^(n-1), capped: a hundred deliveries that failed together do not come back together, and
 * the retries of a delivery span a known minimum time, so an outage shorter than that span never
 * makes a dead letter (`retrySpanMs`).
 */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.max(1, Math.floor(ceiling / 2 + random() * (ceiling / 2)));
}

/**
 * The shortest and longest time from a delivery's first attempt to its last (`attempts` attempts,
 * so attempts - 1 waits): a destination down for less than `min` gets the delivery before it can
 * become a dead letter. Waits a destination asks for (Retry-After) only lengthen it.
 */
export function retrySpanMs(policy: { attempts: number; backoffMs: number; maxBackoffMs: number }): { min: number; max: number } {
  let min = 0;
  let max = 0;
  for (let n = 1; n < policy.attempts; n++) {
    min += backoffDelay(n, policy.backoffMs, policy.maxBackoffMs, () => 0);
    max += backoffDelay(n, policy.backoffMs, policy.maxBackoffMs, () => 1);
  }
  return { min, max };
}

/** The longest wait a destination's Retry-After gets, unless `maxBackoffMs` is longer: one hour. */
export const MAX_RETRY_AFTER_MS = 3_600_000;

/**
 * The wait before a delivery's next attempt: the backoff, or the destination's Retry-After when it
 * asks for longer, up to `MAX_RETRY_AFTER_MS` (or `maxBackoffMs` when that is longer). A Retry-After
 * of days or years (a misconfigured or hostile endpoint) would otherwise park the delivery, pending,
 * for that long, never becoming a dead letter anyone sees.
 */
export function deliveryRetryDelay(attempt: number, baseMs: number, maxMs: number, retryAfterMs = 0, random: () => number = Math.random): number {
  return Math.max(backoffDelay(attempt, baseMs, maxMs, random), Math.min(retryAfterMs, Math.max(maxMs, MAX_RETRY_AFTER_MS)));
}
