/**
 * Group commit of delivery outcomes for one process: `record(mark)` resolves once the delivery is
 * marked delivered, its audit entry appended and its records counted on its transfer.
 *
 * Input: the deliveries concurrent delivery jobs have just sent. Output: per delivery, whether this
 * mark was the first (false: it was delivered already, a repeat is audited too), or the promise
 * rejected (HUB_ERR_STORE_NOT_FOUND for an id not in the ledger; the batch's error otherwise, and the
 * job retries: the destination gets the same id again and de-duplicates it).
 *
 * Each batch is ONE transaction: the ledger rows, the audit entries (one turn of the chain's lock for
 * the batch instead of one per delivery) and the transfers' delivered counts commit together, so a
 * delivery is never marked without its audit entry. Marks that arrive while a batch is written wait
 * for the next one, so one process holds at most one connection for this however many deliveries run.
 */
import { HubError } from '../errors/hub-error.ts';
import * as audit from './audit.ts';
import type { Db } from './db.ts';
import { markDeliveredMany, type DeliveredItem } from './deliveries.ts';
import { inTx } from './sql.ts';

/** Most deliveries marked in one transaction. */
const MAX_BATCH = 256;

/** A delivery just sent: its answer (HTTP status), if any, and the records to count on its transfer the first time it is marked. */
export type DeliveredInput = DeliveredItem;

interface Waiting {
  input: DeliveredInput;
  resolve(first: boolean): void;
  reject(err: unknown): void;
}

/** Mark deliveries delivered in `tx`, with their audit entries and transfer counts; returns `first` per id found. */
export async function markDeliveredBatch(tx: Db, inputs: readonly DeliveredInput[]): Promise<Map<string, boolean>> {
  // The marks and the transfers' counts in one statement, then the audit entries, right before the
  // commit: appending locks the chain's head until then, and every process's audited requests wait for
  // it. The counts can wait for a transfer's row (a chunk of the same transfer committing); the chain
  // must not wait with them.
  const marks = await markDeliveredMany(tx, inputs);
  const byId = new Map(inputs.map((i) => [i.deliveryId, i]));
  await audit.appendAudit(
    tx,
    marks.map((m) => ({
      category: 'delivery' as const,
      action: 'delivered',
      actor: 'hub',
      subjects: [{ type: 'delivery', id: m.deliveryId }],
      outcome: 'ok' as const,
      status: byId.get(m.deliveryId)?.responseStatus ?? null,
      detail: { destination: m.destinationId, packageRef: m.packageRef, content: m.content },
    })),
  );
  const first = new Map<string, boolean>();
  for (const m of marks) if (!first.has(m.deliveryId)) first.set(m.deliveryId, m.first);
  return first;
}

export class DeliveredWriter {
  readonly #db: Db;
  #queue: Waiting[] = [];
  #flushing: Promise<void> | null = null;

  constructor(db: Db) {
    this.#db = db;
  }

  record(input: DeliveredInput): Promise<boolean> {
    return new Promise<boolean>((resolve, reject) => {
      this.#queue.push({ input, resolve, reject });
      this.#flushing ??= this.#flush();
    });
  }

  async #flush(): Promise<void> {
    // Let the deliveries finishing in the same tick join this batch.
    await new Promise<void>((r) => setImmediate(r));
    while (this.#queue.length) {
      const batch = this.#queue.splice(0, MAX_BATCH);
      try {
        const first = await inTx(this.#db, undefined, (tx) => markDeliveredBatch(tx, batch.map((w) => w.input)));
        // The same delivery twice in one batch: the first caller gets the mark, the other a repeat.
        const taken = new Set<string>();
        for (const w of batch) {
          const id = w.input.deliveryId;
          const f = first.get(id);
          if (f === undefined) w.reject(new HubError('HUB_ERR_STORE_NOT_FOUND', { what: 'Delivery', id }));
          else {
            w.resolve(f && !taken.has(id));
            taken.add(id);
          }
        }
      } catch (err) {
        for (const w of batch) w.reject(err);
      }
    }
    this.#flushing = null;
  }
}
