/**
 * Child process of heap.test.ts: churns objects that live long enough to be promoted to the old
 * generation and then die (as a streamed file's chunks do), and prints the peak heap growth in MiB.
 * Argument `limit`: call limitHeapGrowth() first, as bin/cgic.js does.
 */
import { limitHeapGrowth } from '../../../src/runtime/heap.ts';

const applied = process.argv[2] === 'limit' ? limitHeapGrowth({}).percent : null;
globalThis.gc?.();
const base = process.memoryUsage().heapTotal;
let peak = 0;
const ring: unknown[] = new Array(100_000);
for (let i = 0; i < 4_000_000; i++) {
  ring[i % ring.length] = { n: i, text: `item ${i}`, list: [i, i + 1] };
  if (i % 5_000 === 0) peak = Math.max(peak, process.memoryUsage().heapTotal - base);
}
console.log(JSON.stringify({ applied, peakMiB: Math.round(peak / 2 ** 20) }));
