/** API keys as the server reads them: by hash, Bearer only, with expiry and clients. */
import { describe, expect, it } from 'vitest';
import { KeyRing, hashKey } from '../../../src/server/auth.ts';

const ring = new KeyRing([
  { id: 'old', client: 'hpd', role: 'agency', ori: 'CT0006400', sha256: hashKey('old-key'), expiresAt: '2026-06-30T00:00:00Z' },
  { id: 'new', client: 'hpd', role: 'agency', ori: 'CT0006400', sha256: hashKey('new-key') },
  { id: 'ops', role: 'admin', sha256: hashKey('ops-key'), rateLimit: 5 },
]);

describe('KeyRing', () => {
  it('names the key, its client, role and ori; a key without client is its own client', () => {
    expect(ring.identify('Bearer new-key')).toEqual({ kind: 'caller', caller: { keyId: 'new', client: 'hpd', role: 'agency', ori: 'CT0006400' } });
    expect(ring.identify('bearer ops-key')).toEqual({ kind: 'caller', caller: { keyId: 'ops', client: 'ops', role: 'admin' } });
  });

  it('an expired key is recognized as expired (to say so), never as a caller', () => {
    const before = Date.parse('2026-06-29T23:59:59Z');
    const after = Date.parse('2026-06-30T00:00:00Z');
    expect(ring.identify('Bearer old-key', before).kind).toBe('caller');
    expect(ring.identify('Bearer old-key', after)).toEqual({ kind: 'expired', caller: expect.objectContaining({ keyId: 'old' }), expiresAt: '2026-06-30T00:00:00.000Z' });
  });

  it('anything but a known Bearer key is nobody, told apart as no header, not a Bearer header, or an unknown key', () => {
    for (const h of [undefined, '']) expect(ring.identify(h)).toEqual({ kind: 'none' });
    for (const h of ['Bearer', `Basic ${Buffer.from('ops:ops-key').toString('base64')}`, 'ops-key']) expect(ring.identify(h)).toEqual({ kind: 'none', presented: 'not-bearer' });
    for (const h of ['Bearer wrong', `Bearer ${hashKey('ops-key')}`]) expect(ring.identify(h)).toEqual({ kind: 'none', presented: 'unknown-key' });
  });

  it('a replaced ring forgets removed keys; a key\'s own rate limit is found by id', () => {
    const r = new KeyRing([{ id: 'ops', role: 'admin', sha256: hashKey('ops-key'), rateLimit: 5 }]);
    expect(r.rateLimitOf('ops')).toBe(5);
    r.replace([]);
    expect(r.identify('Bearer ops-key').kind).toBe('none');
    expect(r.size).toBe(0);
  });
});
