import { describe, expect, it } from 'vitest';
import { backoffDelay, deliveryRetryDelay, MAX_RETRY_AFTER_MS, retrySpanMs } from '../../../src/pipeline/backoff.ts';

describe('delivery backoff', () => {
  it('waits between half and all of base * 2^(n-1), capped', () => {
    expect([1, 2, 3, 4].map((n) => backoffDelay(n, 2000, 300_000, () => 0))).toEqual([1000, 2000, 4000, 8000]);
    expect([1, 2, 3, 4].map((n) => backoffDelay(n, 2000, 300_000, () => 0.999999))).toEqual([1999, 3999, 7999, 15999]);
    expect(backoffDelay(30, 2000, 300_000, () => 0)).toBe(150_000);
    expect(backoffDelay(30, 2000, 300_000, () => 1)).toBe(300_000);
    expect(backoffDelay(1, 1, 1, () => 0)).toBe(1);
  });

  it('a policy spans a known minimum and maximum: the default one more than 30 minutes, the old default (8, full jitter) could end in seconds', () => {
    expect(retrySpanMs({ attempts: 24, backoffMs: 2000, maxBackoffMs: 300_000 })).toEqual({ min: 2_505_000, max: 5_010_000 });
    expect(retrySpanMs({ attempts: 1, backoffMs: 2000, maxBackoffMs: 300_000 })).toEqual({ min: 0, max: 0 });
    expect(retrySpanMs({ attempts: 8, backoffMs: 2000, maxBackoffMs: 600_000 }).max).toBe(254_000);
  });

  it('a Retry-After longer than the backoff is waited, up to an hour (or maxBackoffMs when longer): ten years is not', () => {
    expect(deliveryRetryDelay(1, 2000, 300_000, 0, () => 0)).toBe(1000);
    expect(deliveryRetryDelay(1, 2000, 300_000, 120_000, () => 0)).toBe(120_000);
    expect(deliveryRetryDelay(1, 2000, 300_000, 315_360_000_000, () => 0)).toBe(MAX_RETRY_AFTER_MS);
    expect(deliveryRetryDelay(1, 2000, 7_200_000, 315_360_000_000, () => 0)).toBe(7_200_000);
    expect(deliveryRetryDelay(30, 2000, 300_000, 10_000, () => 1)).toBe(300_000);
  });
});
