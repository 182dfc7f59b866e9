/**
 * The pass that lets an administrator's browser open Bull Board (`/console/queues`), whose pages and
 * API calls carry no Authorization header. The console asks for it with the administrator's key
 * (`POST /api/console/queues-pass`); it is an HttpOnly, SameSite=Strict cookie scoped to the Bull
 * Board path, holding the key id and an expiry signed with this process's random secret. Each request
 * checks the signature, the expiry and that the key still exists with the admin role, so a removed or
 * expired key closes Bull Board at once. When people sign in through the identity provider, the
 * session cookie takes this pass's place.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Caller, KeyRing } from '../server/auth.ts';

export const QUEUES_PATH = '/console/queues';
export const PASS_COOKIE = 'cgic_queues_pass';
export const PASS_TTL_SECONDS = 8 * 3600;

export class QueuesPass {
  readonly #secret = randomBytes(32);

  constructor(private readonly keys: KeyRing) {}

  /** The cookie's value for a caller, valid PASS_TTL_SECONDS from now. */
  issue(caller: Caller, now = Date.now()): string {
    const body = Buffer.from(JSON.stringify({ k: caller.keyId, e: Math.floor(now / 1000) + PASS_TTL_SECONDS })).toString('base64url');
    return `${body}.${this.#sign(body)}`;
  }

  /** The administrator a cookie value stands for, or null (bad signature, expired, key gone or no longer admin). */
  check(value: string | undefined, now = Date.now()): Caller | null {
    const [body, mac] = (value ?? '').split('.');
    if (!body || !mac) return null;
    const want = Buffer.from(this.#sign(body));
    const got = Buffer.from(mac);
    if (want.length !== got.length || !timingSafeEqual(want, got)) return null;
    let claims: { k?: unknown; e?: unknown };
    try {
      claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as { k?: unknown; e?: unknown };
    } catch {
      return null;
    }
    if (typeof claims.k !== 'string' || typeof claims.e !== 'number' || claims.e * 1000 <= now) return null;
    const id = this.keys.byId(claims.k, now);
    return id && id.role === 'admin' ? id : null;
  }

  #sign(body: string): string {
    return createHmac('sha256', this.#secret).update(body).digest('base64url');
  }
}

/** The value of one cookie in a Cookie header. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return part.slice(i + 1).trim();
  }
  return undefined;
}
