/**
 * Console sessions: who signed in to the console in a browser, behind an opaque cookie.
 *
 * The cookie (`cgic_session`: HttpOnly, SameSite=Lax, Path=/, Secure when the hub is reached over
 * https) holds 32 random bytes and nothing else; the session lives in Redis under the SHA-256 of that
 * id (so every API process shares it, and a copy of Redis holds no usable cookie). A session records
 * its principal (a user the identity provider signed in, or, without a provider, an API key by id),
 * its CSRF token, when it began and when its user was last active.
 *
 * Timeouts: idle (hub.api.sessions.idleMinutes, 30 by default: the CJIS session lock) counted from
 * the user's last request that was not a background refresh (`X-Cgic-Background: 1`, which the console
 * sends when it re-reads a screen on its own); absolute (maxHours) from sign-in. A session past either
 * is deleted and its next request refused with HUB_ERR_AUTH_SESSION_ENDED saying which. Also here:
 * the short-lived state of a sign-in in progress (PKCE verifier, nonce), taken once.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import type { SessionConfig } from '../config/hub-config.ts';
import { HubError } from '../errors/hub-error.ts';
import type { Caller, KeyRing, Role } from './auth.ts';

export const SESSION_COOKIE = 'cgic_session';
/** Header the console sends on background refreshes: they do not count as activity. */
export const BACKGROUND_HEADER = 'x-cgic-background';
export const CSRF_HEADER = 'x-csrf-token';
/** How often at most a session's last activity is written (a screen makes several reads at once). */
const TOUCH_EVERY_MS = 5_000;

/** A person the identity provider signed in. */
export interface SessionUser {
  sub: string;
  issuer: string;
  name?: string;
  role: Role;
  ori?: string;
  amr?: string[];
  acr?: string;
}

export type Principal = { kind: 'user'; user: SessionUser } | { kind: 'key'; keyId: string };

export interface SessionData {
  principal: Principal;
  csrf: string;
  createdAt: number;
  lastActiveAt: number;
  /** The provider's ID token, for its end-session endpoint at sign-out. */
  idToken?: string;
}

/** Where sessions are kept: Redis (shared by every API process), or this process's memory. */
export interface SessionBackend {
  get(key: string): Promise<string | null>;
  /** Store until `expiresAt` (ms since the epoch). */
  set(key: string, value: string, expiresAt: number): Promise<void>;
  del(key: string): Promise<void>;
  /** Get and delete at once (a sign-in's state is used once). */
  take(key: string): Promise<string | null>;
}

export class RedisSessionBackend implements SessionBackend {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}
  #k(key: string): string {
    return `${this.prefix}:console:${key}`;
  }
  async get(key: string): Promise<string | null> {
    return this.redis.get(this.#k(key));
  }
  async set(key: string, value: string, expiresAt: number): Promise<void> {
    await this.redis.set(this.#k(key), value, 'PXAT', Math.max(expiresAt, Date.now() + 1));
  }
  async del(key: string): Promise<void> {
    await this.redis.del(this.#k(key));
  }
  async take(key: string): Promise<string | null> {
    return this.redis.getdel(this.#k(key));
  }
}

export class MemorySessionBackend implements SessionBackend {
  readonly #m = new Map<string, { value: string; expiresAt: number }>();
  async get(key: string): Promise<string | null> {
    const e = this.#m.get(key);
    if (!e) return null;
    if (e.expiresAt <= Date.now()) {
      this.#m.delete(key);
      return null;
    }
    return e.value;
  }
  async set(key: string, value: string, expiresAt: number): Promise<void> {
    this.#m.set(key, { value, expiresAt });
  }
  async del(key: string): Promise<void> {
    this.#m.delete(key);
  }
  async take(key: string): Promise<string | null> {
    const v = await this.get(key);
    this.#m.delete(key);
    return v;
  }
}

/** The backend key of a session id (its SHA-256: the id itself is only in the browser). */
export const sessionKey = (id: string): string => `session:${createHash('sha256').update(id).digest('hex')}`;

/** A live session, or why there is none, with whom it stood for when its record could still be read. */
export type Resolved = { session: SessionData } | { ended: string; principal?: Principal };

export class Sessions {
  constructor(
    readonly backend: SessionBackend,
    readonly cfg: SessionConfig,
  ) {}

  get idleMs(): number {
    return this.cfg.idleMinutes * 60_000;
  }
  get maxMs(): number {
    return this.cfg.maxHours * 3_600_000;
  }

  /** A new session; its id goes in the cookie. */
  async create(principal: Principal, extra: { idToken?: string } = {}, now = Date.now()): Promise<{ id: string; session: SessionData }> {
    const id = randomBytes(32).toString('base64url');
    const session: SessionData = { principal, csrf: randomBytes(24).toString('base64url'), createdAt: now, lastActiveAt: now, ...extra };
    await this.backend.set(sessionKey(id), JSON.stringify(session), now + this.maxMs);
    return { id, session };
  }

  /** The session an id names, or why there is none; `touch`: the request counts as the user's activity. */
  async resolve(id: string, opts: { touch: boolean; now?: number }): Promise<Resolved> {
    const now = opts.now ?? Date.now();
    const key = sessionKey(id);
    const raw = await this.backend.get(key);
    if (!raw) return { ended: 'it was signed out, or ended (sign-in is valid for a limited time)' };
    const s = JSON.parse(raw) as SessionData;
    if (now >= s.createdAt + this.maxMs) {
      await this.backend.del(key);
      return { ended: `it reached its limit of ${this.cfg.maxHours} h after sign-in`, principal: s.principal };
    }
    if (now >= s.lastActiveAt + this.idleMs) {
      await this.backend.del(key);
      return { ended: `it was locked after ${this.cfg.idleMinutes} minutes without activity`, principal: s.principal };
    }
    if (opts.touch && now - s.lastActiveAt >= TOUCH_EVERY_MS) {
      s.lastActiveAt = now;
      await this.backend.set(key, JSON.stringify(s), s.createdAt + this.maxMs);
    }
    return { session: s };
  }

  async destroy(id: string): Promise<void> {
    await this.backend.del(sessionKey(id));
  }

  /** Keep a sign-in's state for `ttlMs` under its `state` parameter. */
  async putSignIn(state: string, value: unknown, ttlMs = 10 * 60_000): Promise<void> {
    await this.backend.set(`sign-in:${state}`, JSON.stringify(value), Date.now() + ttlMs);
  }

  /** A sign-in's state, once (a second use of the same state finds nothing). */
  async takeSignIn<T>(state: string): Promise<T | null> {
    const raw = await this.backend.take(`sign-in:${state}`);
    return raw ? (JSON.parse(raw) as T) : null;
  }
}

/** Who a session stands for now: its user, or its API key if that key still exists and has not expired. */
export function callerOf(s: SessionData, keys: KeyRing, now = Date.now()): Caller | null {
  const p = s.principal;
  if (p.kind === 'key') {
    const c = keys.byId(p.keyId, now);
    return c ? { ...c, via: 'session' } : null;
  }
  const u = p.user;
  const actor = actorOf(p);
  return { keyId: actor, client: actor, role: u.role, ...(u.ori ? { ori: u.ori } : {}), via: 'session', user: { sub: u.sub, issuer: u.issuer, ...(u.name ? { name: u.name } : {}) } };
}

/** The audit trail's actor for a session's principal: `user:<sub>`, or the key's id. */
export function actorOf(p: Principal): string {
  return p.kind === 'key' ? p.keyId : `user:${p.user.sub}`;
}

/** The session a request's cookie names, as an identity (Redis down: 503, the request is not let through). */
export async function sessionIdentity(
  req: FastifyRequest,
  sessions: Sessions,
  keys: KeyRing,
): Promise<{ kind: 'caller'; caller: Caller; session: { id: string; csrf: string } } | { kind: 'ended'; reason: string; actor?: string } | null> {
  const id = req.cookies?.[SESSION_COOKIE];
  if (!id) return null;
  let r: Resolved;
  try {
    r = await sessions.resolve(id, { touch: req.headers[BACKGROUND_HEADER] !== '1' });
  } catch (err) {
    throw new HubError('HUB_ERR_REDIS_UNAVAILABLE', { reason: `console sessions cannot be read: ${(err as Error).message}` });
  }
  if ('ended' in r) return { kind: 'ended', reason: r.ended, ...(r.principal ? { actor: actorOf(r.principal) } : {}) };
  const caller = callerOf(r.session, keys);
  if (!caller) {
    await sessions.destroy(id).catch(() => {});
    return { kind: 'ended', reason: 'the API key it was opened with was removed or has expired', actor: actorOf(r.session.principal) };
  }
  return { kind: 'caller', caller, session: { id, csrf: r.session.csrf } };
}

/** The request carries its session's CSRF token (compared in constant time). */
export function csrfHolds(req: FastifyRequest, token: string): boolean {
  const got = req.headers[CSRF_HEADER];
  if (typeof got !== 'string') return false;
  const a = Buffer.from(got);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Set-Cookie attributes of the session cookie. */
export function sessionCookieOptions(secure: boolean, maxAgeSeconds?: number): { path: string; httpOnly: true; sameSite: 'lax'; secure: boolean; maxAge?: number } {
  return { path: '/', httpOnly: true, sameSite: 'lax', secure, ...(maxAgeSeconds !== undefined ? { maxAge: maxAgeSeconds } : {}) };
}
