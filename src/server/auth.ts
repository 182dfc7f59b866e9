/**
 * API keys: `Authorization: Bearer <key>`. The configuration holds only each key's SHA-256; a presented
 * key is hashed and compared with every configured hash in constant time, and never logged.
 *
 * Roles: admin (everything but reading the audit trail), analyst (read everything but the audit trail),
 * agency (read its own agency's leads), auditor (read the audit trail only; with an ori, only that
 * agency's entries). A key may expire
 * (`expiresAt`); keys of one client (`client`) are the same caller, so a client rotates by holding two
 * keys for a while. People signing in to the console get a session instead (session.ts), which stands
 * for a user of the identity provider or, without one, for the key they signed in with. A route says who may call it in its config (`config: { access: [...] }`); the
 * server checks it in an onRequest hook, before the body is read.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { ApiKeyConfig } from '../config/hub-config.ts';

export type Role = ApiKeyConfig['role'];
export const ROLES: readonly Role[] = ['admin', 'analyst', 'agency', 'auditor'];

export interface Caller {
  /** The key's id; for a person signed in through the identity provider, `user:<sub>`. */
  keyId: string;
  /** The client the key belongs to: its `client`, else its id (a person: `user:<sub>`). */
  client: string;
  role: Role;
  ori?: string;
  /** How the request was authenticated: `Authorization: Bearer` (unset) or the console's session cookie. */
  via?: 'session';
  /** The person, when the identity provider signed them in. */
  user?: { sub: string; issuer: string; name?: string };
}

/**
 * Who a request is: a caller (by key, or by console session with its CSRF token), an expired key, a
 * console session that has ended (and why), or nothing usable.
 */
export type Identity =
  | { kind: 'caller'; caller: Caller; session?: { id: string; csrf: string } }
  | { kind: 'expired'; caller: Caller; expiresAt: string }
  /** `actor`: whom the session stood for, when its record could still be read (the audit trail names them). */
  | { kind: 'ended'; reason: string; actor?: string }
  /** No usable identity; `presented` says what was sent instead (to tell a wrong key from none). */
  | { kind: 'none'; presented?: 'unknown-key' | 'not-bearer' };

export function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

interface Entry {
  config: ApiKeyConfig;
  hash: Buffer;
  expiresAt: number;
}

/** The configured keys, ready to compare; replaced whole when the configuration is reloaded. */
export class KeyRing {
  #entries: Entry[] = [];

  constructor(keys: readonly ApiKeyConfig[]) {
    this.replace(keys);
  }

  replace(keys: readonly ApiKeyConfig[]): void {
    this.#entries = keys.map((k) => ({ config: k, hash: Buffer.from(k.sha256, 'hex'), expiresAt: k.expiresAt ? Date.parse(k.expiresAt) : Infinity }));
  }

  get size(): number {
    return this.#entries.length;
  }

  /** Who the header names. Every configured hash is compared (constant time each), whichever matches. */
  identify(header: string | undefined, now: number = Date.now()): Identity {
    if (!header) return { kind: 'none' };
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    if (!m) return { kind: 'none', presented: 'not-bearer' };
    const h = Buffer.from(hashKey(m[1]!), 'hex');
    let found: Entry | undefined;
    for (const e of this.#entries) {
      if (e.hash.length === h.length && timingSafeEqual(e.hash, h) && !found) found = e;
    }
    if (!found) return { kind: 'none', presented: 'unknown-key' };
    const k = found.config;
    const caller: Caller = { keyId: k.id, client: k.client ?? k.id, role: k.role, ...(k.ori ? { ori: k.ori } : {}) };
    if (now >= found.expiresAt) return { kind: 'expired', caller, expiresAt: new Date(found.expiresAt).toISOString() };
    return { kind: 'caller', caller };
  }

  /** The caller a configured, unexpired key id stands for (a signed pass names its key by id). */
  byId(keyId: string, now: number = Date.now()): Caller | null {
    const e = this.#entries.find((x) => x.config.id === keyId);
    if (!e || now >= e.expiresAt) return null;
    const k = e.config;
    return { keyId: k.id, client: k.client ?? k.id, role: k.role, ...(k.ori ? { ori: k.ori } : {}) };
  }

  /** The configured rate limit of a key, if it has its own. */
  rateLimitOf(keyId: string): number | undefined {
    return this.#entries.find((e) => e.config.id === keyId)?.config.rateLimit;
  }
}

/** Route options of a route callable with these roles (checked before the body is read). */
export function access(...roles: Role[]): { config: { access: Role[] } } {
  return { config: { access: roles } };
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated caller, on routes that declare `access`. */
    caller?: Caller;
    identity?: Identity;
  }
  interface FastifyContextConfig {
    /** Roles that may call the route; routes under /api must declare it. */
    access?: Role[];
    /** false: the route is not recorded in the audit trail (probes and metrics). */
    audit?: boolean;
    /** true: a sign-in route outside /api, rate-limited per address like an anonymous caller. */
    signIn?: boolean;
  }
}
