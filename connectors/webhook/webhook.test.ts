import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { sign, verifySignature, webhookSource, webhookUnit, type WebhookSource } from './index.ts';
import { collect, MemorySpool, TEST_SPOOL, testContext } from '../../test/support/context.ts';

const SECRET = 'b1946ac92492d2347c6235b4d2611184b1946ac92492d2347c6235b4d2611184';
const BODY = Buffer.from('{"lead":"L-2025-0042","events":[{"ori":"CT0015100","case":"25-001234"}]}');
const NOW = Date.UTC(2025, 10, 25, 18, 0, 0);
const TS = Math.floor(NOW / 1000);

function headers(ts: number | string, sig: string): Record<string, string> {
  return { 'x-cgic-timestamp': String(ts), 'x-cgic-signature': sig };
}

describe('webhook signatures', () => {
  it('signs as HMAC-SHA256 hex of "<timestamp>.<body>", exactly as the README\'s openssl command', () => {
    const sig = sign(SECRET, TS, BODY);
    expect(sig).toMatch(/^sha256=[0-9a-f]{64}$/);
    // The sender side of the README: printf '%s.%s' "$ts" "$body" | openssl dgst -sha256 -hmac "$secret"
    const out = execFileSync('openssl', ['dgst', '-sha256', '-hmac', SECRET], { input: Buffer.concat([Buffer.from(`${TS}.`), BODY]) })
      .toString()
      .trim();
    expect(sig).toBe(`sha256=${out.split(/\s+/).at(-1)}`);
    expect(sign(SECRET, String(TS), BODY.toString())).toBe(sig);
  });

  const base = { secret: SECRET, toleranceSeconds: 300, body: BODY, now: NOW };

  it('accepts a correct signature within the tolerance, either side of now', () => {
    expect(verifySignature({ ...base, headers: headers(TS, sign(SECRET, TS, BODY)) })).toEqual({ ok: true });
    for (const ts of [TS - 300, TS + 300]) {
      expect(verifySignature({ ...base, headers: headers(ts, sign(SECRET, ts, BODY)) })).toEqual({ ok: true });
    }
    expect(verifySignature({ ...base, now: new Date(NOW), headers: headers(TS, sign(SECRET, TS, BODY)) })).toEqual({ ok: true });
  });

  it('missing: a header is absent; malformed: one is there but not in its format (said without its value)', () => {
    const good = sign(SECRET, TS, BODY);
    expect(verifySignature({ ...base, headers: {} })).toEqual({ ok: false, reason: 'missing', detail: 'no x-cgic-timestamp header' });
    expect(verifySignature({ ...base, headers: { 'x-cgic-signature': good } })).toEqual({ ok: false, reason: 'missing', detail: 'no x-cgic-timestamp header' });
    expect(verifySignature({ ...base, headers: { 'x-cgic-timestamp': String(TS) } })).toEqual({ ok: false, reason: 'missing', detail: 'no x-cgic-signature header' });
    const ts = { ok: false, reason: 'malformed', detail: 'x-cgic-timestamp must be the time in whole Unix seconds' };
    expect(verifySignature({ ...base, headers: headers('yesterday', good) })).toEqual(ts);
    const sig = { ok: false, reason: 'malformed', detail: 'x-cgic-signature must be "sha256=" and 64 hex digits' };
    expect(verifySignature({ ...base, headers: headers(TS, good.slice('sha256='.length)) })).toEqual(sig);
    expect(verifySignature({ ...base, headers: headers(TS, 'sha1=abc') })).toEqual(sig);
    expect(verifySignature({ ...base, headers: headers(TS, 'sha256=deadbeef') })).toEqual(sig);
  });

  it('stale: the timestamp is outside the tolerance (replays, skewed clocks)', () => {
    for (const ts of [TS - 301, TS + 301, 0]) {
      expect(verifySignature({ ...base, headers: headers(ts, sign(SECRET, ts, BODY)) })).toEqual({ ok: false, reason: 'stale' });
    }
  });

  it('mismatch: another body, secret or timestamp than the one signed', () => {
    const sig = sign(SECRET, TS, BODY);
    expect(verifySignature({ ...base, body: Buffer.from(BODY.toString().replace('42', '43')), headers: headers(TS, sig) })).toEqual({
      ok: false,
      reason: 'mismatch',
    });
    expect(verifySignature({ ...base, secret: 'another-secret', headers: headers(TS, sig) })).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifySignature({ ...base, headers: headers(TS + 1, sig) })).toEqual({ ok: false, reason: 'mismatch' });
    const flipped = sig.slice(0, -1) + (sig.endsWith('0') ? '1' : '0');
    expect(verifySignature({ ...base, headers: headers(TS, flipped) })).toEqual({ ok: false, reason: 'mismatch' });
    // Hex case does not matter.
    expect(verifySignature({ ...base, headers: headers(TS, `sha256=${sig.slice(7).toUpperCase()}`) })).toEqual({ ok: true });
  });

  it('reads headers case-insensitively, from custom names, and the first of repeated values', () => {
    const sig = sign(SECRET, TS, BODY);
    expect(verifySignature({ ...base, headers: { 'X-CGIC-Timestamp': String(TS), 'X-Cgic-Signature': sig } })).toEqual({ ok: true });
    expect(
      verifySignature({ ...base, headers: { 'x-ts': String(TS), 'x-sig': [sig, 'sha256=00'] }, signatureHeader: 'X-Sig', timestampHeader: 'X-Ts' }),
    ).toEqual({ ok: true });
  });
});

describe('webhook source', () => {
  const create = (options: Record<string, unknown> = {}) =>
    webhookSource.create({ secret: SECRET, ...options }, testContext('hpd-hook')) as WebhookSource;

  it('accepts a signed body as a unit referring to its spool entry (never carrying the body), and refuses bad signatures and large bodies with their codes', () => {
    const src = create({ maxBytes: 1000 });
    const sig = sign(SECRET, TS, BODY);
    const ok = src.accept({ headers: headers(TS, sig), body: BODY, now: NOW });
    expect(ok.ok).toBe(true);
    if (!ok.ok) return;
    expect(ok.body.equals(BODY)).toBe(true);
    expect(ok.unit.ref).not.toHaveProperty('body');
    expect(ok.unit.ref.spool).toMatch(/^[0-9a-f-]{36}$/);
    expect(JSON.stringify(ok.unit)).not.toContain('L-2025-0042');
    expect({ signature: ok.signature, timestamp: ok.timestamp }).toEqual({ signature: sig.slice('sha256='.length), timestamp: TS });

    const bad = src.accept({ headers: headers(TS, sign('wrong', TS, BODY)), body: BODY, now: NOW });
    expect(bad.ok).toBe(false);
    if (!bad.ok) {
      expect(bad.error.code).toBe('HUB_ERR_CONNECTOR_WEBHOOK_SIGNATURE');
      expect(bad.error.status).toBe(401);
      expect(bad.error.message).toContain('mismatch');
    }
    const big = Buffer.alloc(1001, 0x20);
    const large = src.accept({ headers: headers(TS, sign(SECRET, TS, big)), body: big, now: NOW });
    expect(large.ok).toBe(false);
    if (!large.ok) expect(large.error).toMatchObject({ code: 'HUB_ERR_CONNECTOR_WEBHOOK_TOO_LARGE', status: 413 });
    expect(src.maxBytes).toBe(1000);
  });

  it('honours toleranceSeconds', () => {
    const src = create({ toleranceSeconds: 10 });
    const ts = TS - 11;
    const r = src.accept({ headers: headers(ts, sign(SECRET, ts, BODY)), body: BODY, now: NOW });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toContain('stale');
  });

  it('the same body is the same unit (a sender\'s retry is not a second transfer); another body is another', () => {
    expect(webhookUnit(BODY).id).toBe(webhookUnit(Buffer.from(BODY)).id);
    expect(webhookUnit(Buffer.from('{}')).id).not.toBe(webhookUnit(BODY).id);
  });

  it('claims nothing and reads the unit\'s spooled body as one part, garbage included', async () => {
    const src = create();
    expect(await src.claim()).toEqual([]);
    const garbage = Buffer.from([0, 255, 254, 1, 2, 3, 0x80]);
    const unit = webhookUnit(garbage);
    await TEST_SPOOL.put(String(unit.ref.spool), garbage);
    const parts = [];
    for await (const part of src.read(unit, null)) parts.push(await collect(part.stream));
    expect(parts).toHaveLength(1);
    expect(parts[0]!.equals(garbage)).toBe(true);
  });

  it('ack drops the body from the spool; reject keeps it aside with its errors; restore queues it again; a gone body is HUB_ERR_CONNECTOR_UNIT_MISSING', async () => {
    const spool = new MemorySpool();
    const src = webhookSource.create({ secret: SECRET }, testContext('hpd-hook', spool)) as WebhookSource;
    const unit = webhookUnit(BODY);
    const id = String(unit.ref.spool);
    await spool.put(id, BODY);
    expect(await src.reject(unit, [{ code: 'HUB_ERR_PIPELINE_UNIT_FAILED' }])).toEqual(unit);
    expect(spool.bodies.get(id)).toMatchObject({ status: 'rejected', errors: [{ code: 'HUB_ERR_PIPELINE_UNIT_FAILED' }] });
    expect(await src.restore(unit)).toEqual(unit);
    expect(spool.bodies.get(id)).toMatchObject({ status: 'queued', errors: null });
    await src.ack(unit);
    expect(spool.bodies.has(id)).toBe(false);
    const read = async () => {
      for await (const _ of src.read(unit, null)) void _;
    };
    await expect(read()).rejects.toMatchObject({ code: 'HUB_ERR_CONNECTOR_UNIT_MISSING' });
    expect(await src.reject(unit, [])).toBeNull();
  });

  it('reads a unit queued before bodies were spooled (the body in ref.body)', async () => {
    const src = create();
    const legacy = { id: 'webhook:x', name: 'webhook-legacy', ref: { body: BODY.toString('base64') } };
    const parts = [];
    for await (const part of src.read(legacy, null)) parts.push(await collect(part.stream));
    expect(Buffer.concat(parts).equals(BODY)).toBe(true);
  });

  it('check reports a weak secret', async () => {
    expect((await create().check()).ok).toBe(true);
    const weak = await create({ secret: 'short' }).check();
    expect(weak.ok).toBe(false);
    expect(weak.detail).toContain('openssl rand -hex 32');
  });

  it('requires a secret', () => {
    expect(() => webhookSource.create({} as never, testContext())).toThrow(/secret/);
  });
});
