/**
 * How far the V8 heap may grow past what is live before a full garbage collection.
 *
 * When collecting is cheap, V8 lets the old generation grow to up to about four times its live size
 * between full collections. Streaming a large file promotes each chunk's rows and records to the old
 * generation (a chunk lives until it is stored), so a 200 MB LIMS export showed 100-150 MiB of RSS
 * growth that was only garbage waiting to be collected: what stays live while mapping it is under
 * 10 MiB (bench/mapping.bench.ts). The hub asks V8 to grow the heap by at most HEAP_GROWING_PERCENT past
 * the live size instead, so a process's memory follows what it holds, not the size of what it streams.
 * At 100 % a hub's worker still grew by 146-159 MiB on 100 MB of N-DEx or LIMS XML, whose chunks (500
 * source records, up to 5,000 canonical records) are large; at 50 % it grew by 104-115 MiB at the same
 * rows/s, and `cgic map` of a 100 MB CSV took 19.5 s instead of 18.3 s (medians of 4, alternated).
 *
 * The operator decides otherwise with `CGIC_HEAP_GROWING_PERCENT` (0 = V8's own policy) or node's
 * `--heap-growing-percent` flag on the command line, which wins. (Node does not accept V8 flags of
 * this kind in NODE_OPTIONS.)
 */
import v8 from 'node:v8';

/** Heap growth past the live size between full collections, in percent: 50 = up to one and a half times the live size. */
export const HEAP_GROWING_PERCENT = 50;

const FLAG = /^--heap[-_]growing[-_]percent\b/;

export interface HeapGrowth {
  /** The percent the hub set, or null when V8 keeps its own policy or the command line's. */
  percent: number | null;
  /** A bad CGIC_HEAP_GROWING_PERCENT, said once on stderr by the caller. */
  warning?: string;
}

/** Sets V8's heap growing factor for this process as described above. */
export function limitHeapGrowth(env: NodeJS.ProcessEnv = process.env, execArgv: readonly string[] = process.execArgv): HeapGrowth {
  if (execArgv.some((a) => FLAG.test(a))) return { percent: null };
  let percent = HEAP_GROWING_PERCENT;
  let warning: string | undefined;
  const asked = env.CGIC_HEAP_GROWING_PERCENT?.trim();
  if (asked) {
    if (/^\d{1,4}$/.test(asked)) percent = Number(asked);
    else warning = `CGIC_HEAP_GROWING_PERCENT="${asked}" is not a whole number of percent (0 = V8's own policy); using ${HEAP_GROWING_PERCENT}`;
  }
  if (percent === 0) return { percent: null };
  v8.setFlagsFromString(`--heap-growing-percent=${percent}`);
  return { percent, ...(warning ? { warning } : {}) };
}
