/** Ids the pipeline derives, so that a job run twice (after a crash) names the same things. */
import { createHash } from 'node:crypto';

/** A UUID (version 5 layout) from SHA-1 of `name`: the same name, the same id, in any process. */
export function derivedUuid(name: string): string {
  const b = createHash('sha1').update(`cgic-hub\u0000${name}`).digest();
  b[6] = (b[6]! & 0x0f) | 0x50;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = b.subarray(0, 16).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}
