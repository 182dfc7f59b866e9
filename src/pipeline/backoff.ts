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
