/** Ids the store derives: record ids (from src/canonical, so every stage agrees) and delivery ids. */
import { canonicalJson, sha256Hex } from './canonical-json.ts';
import type { DeliveryTarget } from './types.ts';

export { recordId } from '../canonical/keys.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}

/**
 * The deterministic id of one delivery: the same destination, record and version (or package) always
 * give the same id, which the delivery uses as its HTTP `Idempotency-Key` or file name, and the store
 * uses to refuse delivering it twice.
 */
export function deliveryIdFor(target: DeliveryTarget): string {
  return sha256Hex(
    canonicalJson([target.destinationId, target.recordId ?? null, target.packageRef ?? null, target.recordVersion ?? null]),
  );
}
