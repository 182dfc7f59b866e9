import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { httpDestination, type HttpDestination } from './index.ts';
import { DeliveryError, type Delivery } from '../../src/sdk/connector.ts';
import { testContext } from '../../test/support/context.ts';
import { deadPort, startHttpPeer, type Handler, type HttpPeer } from '../../test/support/http-peer.ts';
import { makeTestPki, type TestPki } from '../../test/support/tls-certs.ts';
import { parseRetryAfter } from '../_shared/http.ts';

const opened: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  for (const o of opened.splice(0).reverse()) await o.close();
});

async function peerAndDest(handler: Handler, options: Record<string, unknown> = {}): Promise<{ peer: HttpPeer; dest: HttpDestination }> {
  const peer = await startHttpPeer(handler);
  opened.push(peer);
  const dest = httpDestination.create({ url: `${peer.url}/api/cgic/leads`, ...options }, testContext('hpd-api')) as HttpDestination;
  opened.push(dest);
  return { peer, dest };
}

const delivery: Delivery = {
  deliveryId: 'dlv-8c1f0e2a',
  body: '{"lead":"L-2025-0042","note":"Smith & Wesson ©"}',
  mediaType: 'application/vnd.cgic.lead+json',
  fileName: 'lead-L-2025-0042-v1.json',
};

async function failure(dest: HttpDestination, d: Delivery = delivery): Promise<DeliveryError & { code?: string }> {
  try {
    await dest.deliver(d);
  } catch (err) {
    expect(err).toBeInstanceOf(DeliveryError);
    return err as DeliveryError & { code?: string };
  }
  throw new Error('expected the delivery to fail');
}

describe('http destination: delivering', () => {
  it('sends the exact body with Content-Type, Idempotency-Key, headers and auth; 2xx is a receipt', async () => {
    const { peer, dest } = await peerAndDest(
      (_req, res) => {
        res.statusCode = 201;
        res.end('{"received":true}');
      },
      { headers: { 'X-Agency-ORI': 'CT0015100' }, auth: { type: 'bearer', token: 'tok-123' } },
    );
    const receipt = await dest.deliver(delivery);
    expect(receipt).toEqual({ status: 201, detail: '{"received":true}' });
    const r = peer.requests[0]!;
    expect(r.method).toBe('POST');
    expect(r.url).toBe('/api/cgic/leads');
    expect(r.body.equals(Buffer.from(delivery.body, 'utf8'))).toBe(true);
    expect(r.headers['content-type']).toBe('application/vnd.cgic.lead+json');
    expect(r.headers['idempotency-key']).toBe('dlv-8c1f0e2a');
    expect(r.headers['x-agency-ori']).toBe('CT0015100');
    expect(r.headers.authorization).toBe('Bearer tok-123');
  });

  it('PUT, basic and header auth', async () => {
    const { peer, dest } = await peerAndDest((_req, res) => res.end(), { method: 'PUT', auth: { type: 'basic', username: 'hub', password: 'pw' } });
    await dest.deliver(delivery);
    expect(peer.requests[0]!.method).toBe('PUT');
    expect(peer.requests[0]!.headers.authorization).toBe(`Basic ${Buffer.from('hub:pw').toString('base64')}`);
    const second = await peerAndDest((_req, res) => res.end(), { auth: { type: 'header', header: 'X-API-Key', token: 'k1' } });
    await second.dest.deliver(delivery);
    expect(second.peer.requests[0]!.headers['x-api-key']).toBe('k1');
  });

  it('the same delivery sent twice carries the same Idempotency-Key', async () => {
    const { peer, dest } = await peerAndDest((_req, res) => res.end());
    await dest.deliver(delivery);
    await dest.deliver(delivery);
    expect(peer.requests.map((r) => r.headers['idempotency-key'])).toEqual(['dlv-8c1f0e2a', 'dlv-8c1f0e2a']);
  });
});

describe('http destination: failures', () => {
  it('5xx is retryable, with Retry-After in seconds', async () => {
    const { dest } = await peerAndDest((_req, res) => {
      res.writeHead(503, { 'retry-after': '120' });
      res.end('down for maintenance');
    });
    const err = await failure(dest);
    expect(err).toMatchObject({ retryable: true, retryAfterMs: 120_000, status: 503, code: 'HUB_ERR_DELIVERY_UNAVAILABLE' });
    expect(err.message).toContain('down for maintenance');
  });

  it('429 with an HTTP-date Retry-After is retryable after that date', async () => {
    const at = new Date(Date.now() + 60_000);
    const { dest } = await peerAndDest((_req, res) => {
      res.writeHead(429, { 'retry-after': at.toUTCString() });
      res.end();
    });
    const err = await failure(dest);
    expect(err.retryable).toBe(true);
    expect(err.status).toBe(429);
    expect(err.retryAfterMs).toBeGreaterThan(55_000);
    expect(err.retryAfterMs).toBeLessThanOrEqual(60_000);
  });

  it('408 and 500 are retryable without Retry-After', async () => {
    for (const status of [408, 500]) {
      const { dest } = await peerAndDest((_req, res) => {
        res.statusCode = status;
        res.end();
      });
      const err = await failure(dest);
      expect(err).toMatchObject({ retryable: true, status });
      expect(err.retryAfterMs).toBeUndefined();
    }
  });

  it('other 4xx are not retried', async () => {
    for (const status of [400, 401, 404, 409, 422]) {
      const { dest } = await peerAndDest((_req, res) => {
        res.statusCode = status;
        res.end('{"error":"schema: lead.events[0].ori is required"}');
      });
      const err = await failure(dest);
      expect(err).toMatchObject({ retryable: false, status, code: 'HUB_ERR_DELIVERY_REJECTED' });
      expect(err.message).toContain('lead.events[0].ori');
    }
  });

  it('a refused connection is retryable', async () => {
    const port = await deadPort();
    const dest = httpDestination.create({ url: `http://127.0.0.1:${port}/x` }, testContext()) as HttpDestination;
    opened.push(dest);
    const err = await failure(dest);
    expect(err).toMatchObject({ retryable: true, code: 'HUB_ERR_DELIVERY_UNAVAILABLE' });
    expect(err.message).toContain('ECONNREFUSED');
  });

  it('a slow endpoint times out and is retryable', async () => {
    const { dest } = await peerAndDest(
      async (_req, res) => {
        await new Promise((r) => setTimeout(r, 1500));
        res.end();
      },
      { timeoutMs: 200 },
    );
    const err = await failure(dest);
    expect(err.retryable).toBe(true);
    expect(err.message).toContain('timed out');
  });

  it('parses Retry-After forms', () => {
    const now = Date.UTC(2025, 0, 1, 0, 0, 0);
    expect(parseRetryAfter('7', now)).toBe(7000);
    expect(parseRetryAfter(new Date(now + 90_000).toUTCString(), now)).toBe(90_000);
    expect(parseRetryAfter(new Date(now - 90_000).toUTCString(), now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });
});

describe('http destination: check', () => {
  it('is ok when the endpoint answers, not ok (no throw) when nothing listens or credentials are refused', async () => {
    const { dest } = await peerAndDest((_req, res) => {
      res.statusCode = 204;
      res.end();
    });
    expect(await dest.check()).toMatchObject({ ok: true });
    const port = await deadPort();
    const dead = httpDestination.create({ url: `http://127.0.0.1:${port}/x` }, testContext()) as HttpDestination;
    opened.push(dead);
    const r = await dead.check();
    expect(r.ok).toBe(false);
    expect(r.detail).toContain('ECONNREFUSED');
    const refused = await peerAndDest((_req, res) => {
      res.statusCode = 401;
      res.end();
    });
    expect((await refused.dest.check()).ok).toBe(false);
  });
});

describe('http destination: mutual TLS', () => {
  let pki: TestPki;
  let peer: HttpPeer;
  beforeAll(async () => {
    pki = makeTestPki();
    peer = await startHttpPeer(
      (_req, res) => {
        res.statusCode = 202;
        res.end('accepted');
      },
      { key: pki.serverKey, cert: pki.serverCert, ca: pki.ca, requestCert: true, rejectUnauthorized: true },
    );
  });
  afterAll(async () => {
    await peer.close();
  });

  const create = (tls: Record<string, unknown>) => {
    const d = httpDestination.create({ url: `${peer.url}/leads`, tls }, testContext('mtls')) as HttpDestination;
    opened.push(d);
    return d;
  };

  it('delivers with the client certificate; the server sees who the hub is', async () => {
    const before = peer.requests.length;
    const dest = create({ ca: pki.ca, cert: pki.clientCert, key: pki.clientKey });
    expect(await dest.deliver(delivery)).toMatchObject({ status: 202 });
    const r = peer.requests[before]!;
    expect(r.clientCertCN).toBe('hub-client');
    expect(r.body.toString('utf8')).toBe(delivery.body);
    expect(await dest.check()).toMatchObject({ ok: true });
  });

  it('without a client certificate, or with one from another CA, the server refuses the handshake (retryable, check not ok)', async () => {
    const before = peer.requests.length;
    for (const tls of [{ ca: pki.ca }, { ca: pki.ca, cert: pki.rogueClientCert, key: pki.rogueClientKey }]) {
      const dest = create(tls);
      const err = await failure(dest);
      expect(err.retryable).toBe(true);
      expect((await dest.check()).ok).toBe(false);
    }
    expect(peer.requests.length).toBe(before);
  });

  it('a server certificate from an untrusted CA is refused', async () => {
    const dest = create({ cert: pki.clientCert, key: pki.clientKey });
    const err = await failure(dest);
    expect(err.message).toMatch(/certificate|self[- ]signed|UNABLE_TO_VERIFY/i);
  });
});
