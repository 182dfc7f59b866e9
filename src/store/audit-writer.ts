/**
 * Group commit of audit entries for one process: `record(entry)` resolves once the entry is committed.
 *
 * Input: entries from concurrent requests. Output: each committed in the chain, or the promise
 * rejected with HUB_ERR_AUDIT_UNAVAILABLE (the caller then refuses the work it records: fail closed).
 * Entries that arrive while a batch is being written wait for the next batch, so N concurrent
 * requests cost one transaction (one turn of the chain's lock) instead of N. A failed batch fails
 * every entry in it; the next batch tries again.
 */
import { HubError } from '../errors/hub-error.ts';
import type { AuditEntry, AuditInput } from './audit-chain.ts';
import type { Store } from './store.ts';

/** Most entries written in one transaction. */
const MAX_BATCH = 256;

interface Waiting {
  input: AuditInput;
  resolve(e: AuditEntry): void;
  reject(err: unknown): void;
}

export class AuditWriter {
  readonly #store: Store;
  #queue: Waiting[] = [];
  #flushing: Promise<void> | null = null;

  constructor(store: Store) {
    this.#store = store;
  }

  /** Append one entry; resolves when it is committed. */
  record(input: AuditInput): Promise<AuditEntry> {
    return new Promise<AuditEntry>((resolve, reject) => {
      this.#queue.push({ input, resolve, reject });
      this.#flushing ??= this.#flush();
    });
  }

  /** Resolves when every entry recorded so far is written (or failed). */
  async drain(): Promise<void> {
    while (this.#flushing) await this.#flushing;
  }

  async #flush(): Promise<void> {
    // Let the entries of requests finishing in the same tick join this batch.
    await new Promise<void>((r) => setImmediate(r));
    while (this.#queue.length) {
      const batch = this.#queue.splice(0, MAX_BATCH);
      try {
        const entries = await this.#store.appendAudit(batch.map((w) => w.input));
        batch.forEach((w, i) => w.resolve(entries[i]!));
      } catch (err) {
        const e = err instanceof HubError && err.code === 'HUB_ERR_AUDIT_UNAVAILABLE' ? err : new HubError('HUB_ERR_AUDIT_UNAVAILABLE', { reason: (err as Error).message }, undefined, { cause: err });
        for (const w of batch) w.reject(e);
      }
    }
    this.#flushing = null;
  }
}
