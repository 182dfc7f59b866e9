/**
 * The audit trail's store module on BOTH backends: appends chain and stay gapless under concurrent
 * writers (two "processes" on one database), the table refuses UPDATE and DELETE, pruning under a
 * signed checkpoint leaves a chain that still verifies, and a checkpoint catches a chain rewritten
 * with recomputed hashes.
 */
import { describe, expect, it } from 'vitest';
import { AuditWriter } from '../../../src/store/audit-writer.ts';
import { chain, type AuditInput } from '../../../src/store/audit-chain.ts';
import { Store } from '../../../src/store/store.ts';
import { BACKENDS, countingDb, useBackend } from './backends.ts';

const KEY = 'store-test-signing-key-0123456789abcdef';
const entry = (i: number, at?: Date): AuditInput => ({
  category: 'request',
  action: 'GET /api/leads/:id',
  actor: `key-${i % 3}`,
  role: 'agency',
  subjects: [{ type: 'lead', id: `NL24-${String(i).padStart(6, '0')}`, version: 1 }],
  outcome: 'ok',
  status: 200,
  source: '127.0.0.1',
  detail: { params: { id: `NL24-${i}` }, note: 'with a NUL \u0000 inside' },
  ...(at ? { at } : {}),
});

for (const backend of BACKENDS) {
  describe(`audit trail (${backend})`, () => {
    const ctx = useBackend(backend);

    it('two writers appending at once make one gapless chain that verifies', async () => {
      const other = await ctx.openAnother();
      const a = new AuditWriter(ctx.store);
      const b = new AuditWriter(other);
      const written = await Promise.all(Array.from({ length: 120 }, (_, i) => (i % 2 ? a : b).record(entry(i))));
      expect(written.map((e) => e.position).sort((x, y) => x - y)).toEqual(Array.from({ length: 120 }, (_, i) => i + 1));
      const v = await ctx.store.verifyAudit(KEY);
      expect(v).toMatchObject({ ok: true, first: 1, last: 120, entries: 120 });
      const [e7] = await ctx.store.listAudit({ subject: { type: 'lead', id: 'NL24-000007' } });
      expect(e7!.detail).toEqual({ params: { id: 'NL24-7' }, note: 'with a NUL \ufffd inside' });
      expect(await ctx.store.countAudit({ actor: 'key-1' })).toBe(40);
    });

    it('an entry holding unpaired surrogates, or cut inside a pair, is written with U+FFFD in their place and verifies', async () => {
      const { store } = ctx;
      const emoji = '\u{1F52B}';
      const long = `${'x'.repeat(198)}${emoji}tail`; // cut at 200 characters: between the two halves of the emoji
      await store.appendAudit([
        { ...entry(1), reason: `lone \uD800 high`, subjects: [{ type: 'file', id: 'a\uDC00b' }], detail: { file: 'lone\uD800.csv', [`key\uDBFF`]: 'v', ok: `pair ${emoji}` } },
        { ...entry(2), actor: long },
      ]);
      expect(await store.verifyAudit(KEY)).toMatchObject({ ok: true, entries: 2 });
      const [first, second] = await store.listAudit({ order: 'asc' });
      expect(first).toMatchObject({ reason: 'lone \ufffd high', subjects: [{ type: 'file', id: 'a\ufffdb' }], detail: { file: 'lone\ufffd.csv', 'key\ufffd': 'v', ok: `pair ${emoji}` } });
      expect(second!.actor).toBe(`${'x'.repeat(198)}…`);
    });

    it('a "__proto__" member (a query string can name one) is kept under another name its hash covers; one added later is caught', async () => {
      const { store } = ctx;
      await store.appendAudit([{ ...entry(1), detail: { query: JSON.parse('{"__proto__":"sent","a":"b"}') as Record<string, unknown> } }, entry(2)]);
      expect(await store.verifyAudit(KEY)).toMatchObject({ ok: true, entries: 2 });
      const [first] = await store.listAudit({ order: 'asc', limit: 1 });
      expect(first!.detail).toEqual({ query: { '__proto__\ufffd': 'sent', a: 'b' } });
      await store.db.exec('ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only');
      // Its value is covered by the hash like any other.
      await store.db.query(`UPDATE audit_log SET detail = jsonb_set(detail, '{query,__proto__\ufffd}', '"rewritten"') WHERE position = 1`);
      expect(await store.verifyAudit(KEY)).toMatchObject({ ok: false, badPosition: 1, problem: 'entry 1 was changed: its content does not match its hash' });
      await store.db.query(`UPDATE audit_log SET detail = jsonb_set(detail, '{query,__proto__\ufffd}', '"sent"') WHERE position = 1`);
      expect(await store.verifyAudit(KEY)).toMatchObject({ ok: true, entries: 2 });
      // A "__proto__" member added to an entry, which canonical JSON (and so the hash) leaves out.
      await store.db.query(`UPDATE audit_log SET detail = jsonb_set(detail, '{__proto__}', '{"actor":"someone-else"}') WHERE position = 2`);
      expect(await store.verifyAudit(KEY)).toMatchObject({ ok: false, badPosition: 2, problem: expect.stringMatching(/^entry 2 holds a "__proto__" member, which its hash does not cover: it was added after/) });
      await store.db.query(`UPDATE audit_log SET subjects = jsonb_set(subjects, '{0,__proto__}', '"planted"') WHERE position = 1`);
      expect(await store.verifyAudit(KEY)).toMatchObject({ ok: false, badPosition: 1, problem: expect.stringMatching(/^entry 1 holds a "__proto__" member, which its hash does not cover: it was added after/) });
    });

    it('appends a batch in two statements: the head read under its lock, then the entries and the new head', async () => {
      const db = countingDb(ctx.store.db);
      const store = new Store(db);
      await db.transaction((tx) => store.appendAudit([entry(1), entry(2), entry(3)], tx));
      expect(db.statements).toBe(2);
      await store.appendAudit([entry(4)]);
      expect(await ctx.store.verifyAudit(KEY)).toMatchObject({ ok: true, first: 1, last: 4, entries: 4, head: { position: 4 } });
    });

    it('entries left under no signed checkpoint past the signing interval fail verification: deleted checkpoints show', async () => {
      const { store } = ctx;
      const window = { unsignedAfterMinutes: 125 };
      const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000);
      await store.appendAudit([entry(1, hoursAgo(6)), entry(2, hoursAgo(6))]);
      expect(await store.anchorAudit(KEY)).toMatchObject({ position: 2, kind: 'anchor' });
      await store.appendAudit([entry(3, hoursAgo(5))]);
      // Unsigned, but the newest entry: however long ago, a stopped hub is no alarm.
      expect(await store.verifyAudit(KEY, undefined, window)).toMatchObject({ ok: true, last: 3, checkpoints: 1 });
      // Entries written three hours after it, still unsigned: no scheduler signed the head meanwhile.
      await store.appendAudit([entry(4, hoursAgo(2))]);
      expect(await store.verifyAudit(KEY, undefined, window)).toMatchObject({ ok: false, badPosition: 3, problem: expect.stringMatching(/under no signed checkpoint.*cgic audit prune/) });
      await store.anchorAudit(KEY);
      await store.appendAudit([entry(5)]);
      expect(await store.verifyAudit(KEY, undefined, window)).toMatchObject({ ok: true, checkpoints: 2 });
      // Every checkpoint deleted (what rewriting the chain from entry 1 would need): caught.
      await store.db.query('DELETE FROM audit_checkpoints');
      expect(await store.verifyAudit(KEY, undefined, window)).toMatchObject({ ok: false, badPosition: 1, problem: expect.stringMatching(/signed checkpoints were deleted/) });
      // Without a key nothing can be signed, so nothing is asked; without the option, as before.
      expect((await store.verifyAudit(undefined, undefined, window)).ok).toBe(true);
      expect((await store.verifyAudit(KEY)).ok).toBe(true);
    });

    it("an agency's scope keeps the entries of other agencies and of no agency out of the page and its count", async () => {
      const HFD = 'CT0006400';
      const NHPD = 'CT0009300';
      // Interleaved: Hartford's people, New Haven's, the state analyst reading Hartford's lead, and a
      // package disseminated to each agency.
      await ctx.store.appendAudit(
        Array.from({ length: 12 }, (_, i): AuditInput => {
          const lead = { type: 'lead', id: 'NL24-000001', version: 1 };
          if (i % 4 === 0) return { ...entry(i), actor: 'hfd', ori: HFD, subjects: [lead] };
          if (i % 4 === 1) return { ...entry(i), actor: 'nhpd', ori: NHPD, subjects: [{ ...lead, id: 'NL24-000002' }] };
          if (i % 4 === 2) return { ...entry(i), actor: 'analyst', role: 'analyst', subjects: [lead] };
          return { category: 'dissemination', action: 'lead package', actor: 'hub', ori: i % 8 === 3 ? HFD : NHPD, subjects: [lead], outcome: 'ok' };
        }),
      );
      const scope = { agencyScope: HFD };
      const all = await ctx.store.listAudit({ ...scope, order: 'asc' });
      expect(all.map((e) => [e.position, e.actor, e.ori])).toEqual([
        [1, 'hfd', HFD],
        [4, 'hub', HFD],
        [5, 'hfd', HFD],
        [9, 'hfd', HFD],
        [12, 'hub', HFD],
      ]);
      expect(await ctx.store.countAudit(scope)).toBe(5);
      // Paging runs over the scoped entries: the second page of two is the scope's third and fourth.
      expect((await ctx.store.listAudit({ ...scope, order: 'asc', limit: 2, offset: 2 })).map((e) => e.position)).toEqual([5, 9]);
      // Filters narrow the scope, never widen it: asking for another agency's entries finds none.
      expect(await ctx.store.countAudit({ ...scope, ori: NHPD })).toBe(0);
      expect(await ctx.store.listAudit({ ...scope, ori: NHPD })).toEqual([]);
      expect(await ctx.store.countAudit({ ...scope, subject: { type: 'lead', id: 'NL24-000001' } })).toBe(5);
      expect(await ctx.store.countAudit({ subject: { type: 'lead', id: 'NL24-000001' } })).toBe(9);
      const scanned: number[] = [];
      for await (const e of ctx.store.scanAudit(scope)) scanned.push(e.position);
      expect(scanned).toEqual([1, 4, 5, 9, 12]);
    });

    it('refuses UPDATE and DELETE of an entry', async () => {
      await ctx.store.appendAudit([entry(1)]);
      await expect(ctx.store.db.query(`UPDATE audit_log SET actor = 'x'`)).rejects.toThrow(/append-only/);
      await expect(ctx.store.db.query('DELETE FROM audit_log')).rejects.toThrow(/append-only/);
      expect(await ctx.store.countAudit()).toBe(1);
    });

    it('pruning past the retention leaves a chain that verifies from its signed checkpoint', async () => {
      const old = new Date(Date.now() - 500 * 86_400_000);
      await ctx.store.appendAudit([entry(1, old), entry(2, old), entry(3, old)]);
      await ctx.store.appendAudit([entry(4), entry(5)]);
      const r = await ctx.store.pruneAudit(KEY, new Date(Date.now() - 400 * 86_400_000));
      expect(r.pruned).toBe(3);
      expect(r.checkpoint).toMatchObject({ position: 3, kind: 'prune' });
      expect(await ctx.store.verifyAudit(KEY)).toMatchObject({ ok: true, first: 4, last: 5, entries: 2, checkpoints: 1 });
      // Without the key, or with another one, the checkpoint cannot be trusted.
      expect(await ctx.store.verifyAudit(undefined)).toMatchObject({ ok: false, badPosition: 3, problem: expect.stringMatching(/signingKey is not set/) });
      expect(await ctx.store.verifyAudit('another-key-0123456789abcdef0123456789')).toMatchObject({ ok: false, problem: expect.stringMatching(/signature does not match/) });
      // Appends go on from the head; pruning everything leaves the head and its checkpoint.
      await ctx.store.appendAudit([entry(6)]);
      expect((await ctx.store.listAudit({ limit: 1 }))[0]!.position).toBe(6);
      await ctx.store.pruneAudit(KEY, new Date(Date.now() + 1000));
      expect(await ctx.store.verifyAudit(KEY)).toMatchObject({ ok: true, entries: 0, head: { position: 6 } });
    });

    it('a chain rewritten with recomputed hashes does not reach the signed anchor', async () => {
      await ctx.store.appendAudit([1, 2, 3, 4].map((i) => entry(i)));
      expect(await ctx.store.anchorAudit(KEY)).toMatchObject({ position: 4, kind: 'anchor' });
      expect(await ctx.store.anchorAudit(KEY)).toBeNull(); // the head did not move
      // Someone with write access rewrites entry 2 and every hash after it, and the head.
      const all = await ctx.store.listAudit({ order: 'asc' });
      let prev = all[0]!.hash;
      await ctx.store.db.exec('ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only');
      for (const e of all.slice(1)) {
        const { hash: _h, prevHash: _p, ...content } = e;
        const forged = chain(prev, { ...content, actor: e.position === 2 ? 'someone-else' : e.actor });
        await ctx.store.db.query('UPDATE audit_log SET actor = $2, prev_hash = $3, hash = $4 WHERE position = $1', [e.position, forged.actor, forged.prevHash, forged.hash]);
        prev = forged.hash;
      }
      await ctx.store.db.query('UPDATE audit_head SET hash = $1', [prev]);
      const v = await ctx.store.verifyAudit(KEY);
      expect(v).toMatchObject({ ok: false, badPosition: 4, problem: expect.stringMatching(/differs from the signed checkpoint/) });
    });
  });
}
