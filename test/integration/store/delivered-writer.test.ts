/**
 * The outbox in bulk, on both backends: a chunk's deliveries written in one statement (new ids only),
 * and deliveries marked delivered by concurrent jobs grouped into one transaction, each with its audit
 * entry and its records counted on its transfer once.
 */
import { describe, expect, it } from 'vitest';
import { HubError } from '../../../src/errors/hub-error.ts';
import { markDeliveredBatch } from '../../../src/store/delivered-writer.ts';
import { BACKENDS, countingDb, useBackend } from './backends.ts';

describe.each(BACKENDS)('the delivery ledger in bulk on %s', (backend) => {
  const ctx = useBackend(backend);

  it('writes a chunk\'s deliveries at once and tells which are new', async () => {
    const { store } = ctx;
    const d = (id: string, dest: string) => ({ deliveryId: id, destinationId: dest, packageRef: 'records:t1', content: 'records' as const, payload: { records: [{ id }] } });
    expect([...(await store.createDeliveries([d('rec-a', 'hfd'), d('rec-b', 'nhv')]))].sort()).toEqual(['rec-a', 'rec-b']);
    // The same content routed again: nothing new; a new one beside it is.
    expect([...(await store.createDeliveries([d('rec-a', 'hfd'), d('rec-c', 'hfd')]))]).toEqual(['rec-c']);
    expect(await store.createDeliveries([])).toEqual(new Set());
    expect(await store.getDelivery('rec-b')).toMatchObject({ destinationId: 'nhv', status: 'pending', payload: { records: [{ id: 'rec-b' }] } });
  });

  it('marks concurrent deliveries in one go: each audited, counted once, a repeat audited, an unknown id refused alone', async () => {
    const { store } = ctx;
    await store.createTransfer({ id: 't1', connectorId: 'lims', trigger: 'file' });
    const ids = Array.from({ length: 20 }, (_, i) => `rec-${i}`);
    await store.createDeliveries(ids.map((id) => ({ deliveryId: id, destinationId: 'hfd', packageRef: 'records:t1', content: 'records', payload: { records: [{ id }, { id: `${id}b` }] } })));
    const count = { transferId: 't1', records: 2 };
    const results = await Promise.allSettled([
      ...ids.map((deliveryId) => store.recordDelivered({ deliveryId, responseStatus: 200, count })),
      store.recordDelivered({ deliveryId: 'rec-missing', responseStatus: 200, count }),
      store.recordDelivered({ deliveryId: 'rec-3', responseStatus: 200, count }), // the same delivery reported twice
    ]);
    expect(results.slice(0, 20).map((r) => r.status === 'fulfilled' && r.value)).toEqual(ids.map(() => true));
    const missing = results[20]!;
    expect(missing.status === 'rejected' && missing.reason instanceof HubError && missing.reason.code).toBe('HUB_ERR_STORE_NOT_FOUND');
    expect(results[21]).toEqual({ status: 'fulfilled', value: false });
    expect((await store.getTransfer('t1'))!.counts.delivered).toBe(40);
    for (const id of ids) expect(await store.getDelivery(id)).toMatchObject({ status: 'delivered', responseStatus: 200 });
    const audited = await store.listAudit({ category: 'delivery' });
    expect(audited).toHaveLength(21); // 20 deliveries and the repeat; nothing for the unknown id
    expect(audited.filter((e) => e.subjects[0]?.id === 'rec-3')).toHaveLength(2);
    expect(audited.every((e) => e.action === 'delivered' && (e.detail as { destination: string }).destination === 'hfd')).toBe(true);
    expect((await store.verifyAudit(undefined)).ok).toBe(true);

    // Delivered again later (a re-run): not counted twice, audited.
    expect(await store.recordDelivered({ deliveryId: 'rec-0', responseStatus: 200, count })).toBe(false);
    expect((await store.getTransfer('t1'))!.counts.delivered).toBe(40);
    expect(await store.listAudit({ category: 'delivery' })).toHaveLength(22);
  });

  it('marks a batch in three statements: the marks with their transfers\' counts, the chain\'s head, the entries', async () => {
    const { store } = ctx;
    await store.createTransfer({ id: 't3', connectorId: 'lims', trigger: 'file' });
    await store.createTransfer({ id: 't4', connectorId: 'lims', trigger: 'file' });
    const d = (id: string, transfer: string) => ({ deliveryId: id, destinationId: 'hfd', packageRef: `records:${transfer}`, content: 'records' as const, payload: { records: [{ id }] } });
    await store.createDeliveries([d('rec-p', 't3'), d('rec-q', 't3'), d('rec-r', 't4')]);
    const db = countingDb(store.db);
    const first = await db.transaction((tx) =>
      markDeliveredBatch(tx, [
        { deliveryId: 'rec-p', responseStatus: 200, count: { transferId: 't3', records: 3 } },
        { deliveryId: 'rec-q', responseStatus: 200, count: { transferId: 't3', records: 4 } },
        { deliveryId: 'rec-r', responseStatus: 201, count: { transferId: 't4', records: 5 } },
      ]),
    );
    expect(db.statements).toBe(3);
    expect([...first]).toEqual([['rec-p', true], ['rec-q', true], ['rec-r', true]]);
    expect((await store.getTransfer('t3'))!.counts.delivered).toBe(7);
    expect((await store.getTransfer('t4'))!.counts.delivered).toBe(5);
    expect(await store.listAudit({ category: 'delivery' })).toHaveLength(3);
  });
});

// Two connections at once: PostgreSQL only (PGlite has one).
describe('the delivery ledger under concurrency on postgres', () => {
  const ctx = useBackend('postgres');

  it('does not hold the audit chain while its counts wait for a transfer\'s row', async () => {
    const { store } = ctx;
    await store.createTransfer({ id: 't2', connectorId: 'lims', trigger: 'file' });
    await store.createDeliveries([{ deliveryId: 'rec-x', destinationId: 'hfd', packageRef: 'records:t2', content: 'records', payload: { records: [{ id: 'x' }] } }]);
    // A chunk of transfer t2 holds its row (its counts) until it commits.
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let locked!: () => void;
    const isLocked = new Promise<void>((r) => (locked = r));
    const chunk = store.db.transaction(async (tx) => {
      await tx.query(`SELECT 1 FROM transfers WHERE id = 't2' FOR UPDATE`);
      locked();
      await held;
    });
    await isLocked;
    const marked = store.recordDelivered({ deliveryId: 'rec-x', responseStatus: 200, count: { transferId: 't2', records: 1 } });
    await new Promise((r) => setTimeout(r, 300)); // the mark is now waiting for t2's row
    // Meanwhile an audited request appends to the chain: it must not wait for that chunk's commit.
    const appended = store.appendAudit([{ category: 'request', action: 'read record', actor: 'key:test', subjects: [], outcome: 'ok' }]).then(() => 'appended');
    const first = await Promise.race([appended, new Promise((r) => setTimeout(() => r('still waiting'), 3000))]);
    release();
    await chunk;
    expect(first).toBe('appended');
    expect(await marked).toBe(true);
    expect((await store.getTransfer('t2'))!.counts.delivered).toBe(1);
    expect((await store.verifyAudit(undefined)).ok).toBe(true);
  });
});
