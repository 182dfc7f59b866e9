/**
 * Retry delays: exponential backoff with full jitter (a random wait between 0 and base * 2^(n-1),
 * capped), so a hundred deliveries that failed together do not come back together.
 */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.max(1, Math.floor(random() * ceiling));
}
