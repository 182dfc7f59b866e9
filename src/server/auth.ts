/**
 * API keys: `Authorization: Bearer <key>`. The configuration holds only each key's SHA-256; keys are
 * compared by hash in constant time and never logged. Roles: admin (everything), analyst (read
 * everything), agency (read its own agency's leads).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ApiKeyConfig } from '../config/hub-config.ts';

export type Role = ApiKeyConfig['role'];

export interface Caller {
  keyId: string;
  role: Role;
  ori?: string;
}

export function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export function authenticate(keys: readonly ApiKeyConfig[], header: string | undefined): Caller | null {
  const m = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  if (!m) return null;
  const h = Buffer.from(hashKey(m[1]!), 'hex');
  for (const k of keys) {
    const want = Buffer.from(k.sha256, 'hex');
    if (want.length === h.length && timingSafeEqual(want, h)) return { keyId: k.id, role: k.role, ...(k.ori ? { ori: k.ori } : {}) };
  }
  return null;
}

declare module 'fastify' {
  interface FastifyRequest {
    caller?: Caller;
  }
}

/** A preHandler that admits the listed roles. */
export function requireRole(keys: readonly ApiKeyConfig[], ...roles: Role[]) {
  return async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const caller = authenticate(keys, req.headers.authorization);
    if (!caller) {
      await reply.code(401).send({ code: 'HUB_ERR_AUTH_REQUIRED', message: 'A valid API key is required: Authorization: Bearer <key>' });
      return;
    }
    if (!roles.includes(caller.role)) {
      await reply.code(403).send({ code: 'HUB_ERR_AUTH_FORBIDDEN', message: `Role ${caller.role} may not do this (needs ${roles.join(' or ')})` });
      return;
    }
    req.caller = caller;
  };
}
