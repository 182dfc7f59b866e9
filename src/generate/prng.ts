/**
 * Seeded pseudo-random numbers for the synthetic world.
 *
 * Input: a 32-bit seed plus "stream" numbers (what is being drawn, which block, which row).
 * Output: an sfc32 generator whose sequence depends only on those numbers, never on the clock,
 * the platform or how much of the world has been generated before: `rngFor(seed, STREAM, b)` gives
 * the same numbers whether block b is the first thing generated or the ten-thousandth.
 */

/** Finalizer of MurmurHash3: a bijective avalanche over 32 bits. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Hash any number of 32-bit integers into one (order matters). */
export function hash32(...parts: number[]): number {
  let h = 0x9e3779b9;
  for (const p of parts) {
    h = fmix32((h ^ (p >>> 0)) + 0x7f4a7c15 + Math.imul(h, 31));
  }
  return fmix32(h ^ parts.length);
}

/** Small Fast Counter (sfc32): 128 bits of state, passes PractRand, ~1 ns per draw in V8. */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(a: number, b: number, c: number, d: number) {
    this.a = a >>> 0;
    this.b = b >>> 0;
    this.c = c >>> 0;
    this.d = d >>> 0;
    for (let i = 0; i < 12; i++) this.u32();
  }

  /** Uniform 32-bit unsigned integer. */
  u32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform float in [0, 1). */
  float(): number {
    return this.u32() / 4294967296;
  }

  /** Uniform integer in [min, max] (both inclusive). */
  int(min: number, max: number): number {
    return min + Math.floor(this.float() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.float() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[Math.floor(this.float() * items.length)] as T;
  }

  /** Pick from `[value, weight]` pairs; for hot paths build a {@link WeightedTable} once instead. */
  weighted<T>(items: readonly (readonly [T, number])[]): T {
    let total = 0;
    for (const [, w] of items) total += w;
    let x = this.float() * total;
    for (const [v, w] of items) {
      x -= w;
      if (x < 0) return v;
    }
    return (items[items.length - 1] as readonly [T, number])[0];
  }

  /** A string of `n` characters drawn from `alphabet`. */
  chars(alphabet: string, n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += alphabet[Math.floor(this.float() * alphabet.length)];
    return s;
  }

  /** Decimal digits, leading zeros allowed. */
  digits(n: number): string {
    return this.chars('0123456789', n);
  }

  /** Fisher-Yates shuffle of a copy. */
  shuffled<T>(items: readonly T[]): T[] {
    const a = items.slice();
    for (let i = a.length - 1; i > 0; i--) {
      const j = Math.floor(this.float() * (i + 1));
      const t = a[i] as T;
      a[i] = a[j] as T;
      a[j] = t;
    }
    return a;
  }
}

/** A generator for one stream of the world: `rngFor(seed, STREAM_X, blockIndex, ...)`. */
export function rngFor(seed: number, ...stream: number[]): Rng {
  const h = hash32(seed, ...stream);
  return new Rng(h, hash32(h, 1), hash32(h, 2), hash32(h, 3));
}

/** Pre-built cumulative weights: O(log n) picks without re-summing. */
export class WeightedTable<T> {
  private readonly values: T[];
  private readonly cumulative: Float64Array;
  private readonly total: number;

  constructor(items: readonly (readonly [T, number])[]) {
    this.values = items.map(([v]) => v);
    this.cumulative = new Float64Array(items.length);
    let t = 0;
    items.forEach(([, w], i) => {
      t += w;
      this.cumulative[i] = t;
    });
    this.total = t;
  }

  pick(rng: Rng): T {
    const x = rng.float() * this.total;
    let lo = 0;
    let hi = this.cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.cumulative[mid] as number) > x) hi = mid;
      else lo = mid + 1;
    }
    return this.values[lo] as T;
  }
}
