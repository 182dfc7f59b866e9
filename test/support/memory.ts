/**
 * Memory as a test measures it: what is still in use after two full collections (the second takes
 * what the first's finalizers let go), so a figure is the live data, not garbage V8 has yet to collect.
 */
import v8 from 'node:v8';
import vm from 'node:vm';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

/** Bytes in use after a full collection: the V8 heap, plus `external` memory (Buffers) when asked. */
export function liveBytes(what: { external?: boolean; arrayBuffers?: boolean } = {}): number {
  gc();
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + (what.external ? m.external : 0) + (what.arrayBuffers ? m.arrayBuffers : 0);
}
