/**
 * Webhook signatures (pure functions, no I/O).
 *
 * Input: the shared secret, the request's timestamp header (Unix seconds) and the raw body bytes.
 * Output: `sha256=<hex>`, the HMAC-SHA256 of `<timestamp>.<body>` keyed with the secret. The
 * timestamp is signed with the body, so a captured request cannot be replayed outside the tolerance
 * window. Comparison is constant-time (crypto.timingSafeEqual).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const DEFAULT_SIGNATURE_HEADER = 'x-cgic-signature';
export const DEFAULT_TIMESTAMP_HEADER = 'x-cgic-timestamp';

/** The signature header value for a body sent at `timestamp` (Unix seconds). */
export function sign(secret: string, timestamp: number | string, body: Buffer | string): string {
  return `sha256=${hmacHex(secret, String(timestamp), typeof body === 'string' ? Buffer.from(body, 'utf8') : body)}`;
}

function hmacHex(secret: string, timestamp: string, body: Buffer): string {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex');
}

export type VerifyResult = { ok: true } | { ok: false; reason: 'missing' | 'malformed' | 'stale' | 'mismatch'; detail?: string };

export interface VerifyInput {
  secret: string;
  toleranceSeconds: number;
  /** Request headers, as node:http gives them (lower-case names); names are matched case-insensitively. */
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  /** The current time: a Date or milliseconds since the epoch. */
  now: Date | number;
  signatureHeader?: string;
  timestampHeader?: string;
}

/**
 * - `missing`: a header is absent (`detail` names it);
 * - `malformed`: a header is there but not in its format (timestamp: integer seconds; signature:
 *   `sha256=` and 64 hex digits), said in `detail`, which never repeats the value;
 * - `stale`: the timestamp is more than toleranceSeconds away from now (either way);
 * - `mismatch`: the signature is not the HMAC of this timestamp and body with this secret.
 */
export function verifySignature(input: VerifyInput): VerifyResult {
  const h = checkSignatureHeaders(input);
  if (!h.ok) return h;
  const expected = Buffer.from(hmacHex(input.secret, h.timestamp, input.body), 'hex');
  const given = Buffer.from(h.hex, 'hex');
  return timingSafeEqual(expected, given) ? { ok: true } : { ok: false, reason: 'mismatch' };
}

/**
 * The checks that need no body: `missing`, `malformed` and `stale` as verifySignature says them. A
 * request that fails here can never be correctly signed, whatever its body.
 */
export function checkSignatureHeaders(input: Omit<VerifyInput, 'secret' | 'body'>): { ok: true; timestamp: string; hex: string } | (VerifyResult & { ok: false }) {
  const ts = header(input.headers, input.timestampHeader ?? DEFAULT_TIMESTAMP_HEADER);
  const sig = header(input.headers, input.signatureHeader ?? DEFAULT_SIGNATURE_HEADER);
  const tsName = input.timestampHeader ?? DEFAULT_TIMESTAMP_HEADER;
  const sigName = input.signatureHeader ?? DEFAULT_SIGNATURE_HEADER;
  if (!ts) return { ok: false, reason: 'missing', detail: `no ${tsName} header` };
  if (!sig) return { ok: false, reason: 'missing', detail: `no ${sigName} header` };
  if (!/^\d{1,12}$/.test(ts)) return { ok: false, reason: 'malformed', detail: `${tsName} must be the time in whole Unix seconds` };
  const m = /^sha256=([0-9a-fA-F]{64})$/.exec(sig);
  if (!m) return { ok: false, reason: 'malformed', detail: `${sigName} must be "sha256=" and 64 hex digits` };
  const nowSeconds = (input.now instanceof Date ? input.now.getTime() : input.now) / 1000;
  if (Math.abs(nowSeconds - Number(ts)) > input.toleranceSeconds) return { ok: false, reason: 'stale' };
  return { ok: true, timestamp: ts, hex: m[1]! };
}

function header(headers: VerifyInput['headers'], name: string): string | undefined {
  const want = name.toLowerCase();
  for (const [k, v] of Object.entries(headers)) {
    if (k.toLowerCase() !== want) continue;
    const value = Array.isArray(v) ? v[0] : v;
    return value?.trim() || undefined;
  }
  return undefined;
}
