/**
 * Every request's audit entry, written BEFORE its response leaves (fail closed).
 *
 * Input: the request (caller, route, params, query, address, request id), what the route reported it
 * returned or acted on (`auditSubjects(req, ...)`: leads with their versions, records, transfers, dead
 * letters...), and the response's status and error code. Output: one entry committed in the chain in
 * the onSend hook, then the response is sent; if the entry cannot be written, the response is replaced
 * by 503 HUB_ERR_AUDIT_UNAVAILABLE, so nothing is disclosed unrecorded.
 *
 * Webhooks: the decision is recorded from the route's answer alone (connector from the path, the
 * refusal's code and message, the transfer id of a 202), so the webhook route needs no audit code.
 * Not recorded: routes with `config: { audit: false }` (health, readiness, metrics) and /docs.
 */
import { randomUUID } from 'node:crypto';
import fp from 'fastify-plugin';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { TLSSocket } from 'node:tls';
import type { Logger } from 'pino';
import type { AuditCategory, AuditInput, AuditOutcome, AuditSubject } from '../store/index.ts';
import { HubError } from '../errors/hub-error.ts';

export interface AuditSink {
  record(entry: AuditInput): Promise<unknown>;
}

/** Counts entries written and failed (cgic_api_audit_entries_total). */
export interface AuditCounter {
  inc(labels: { category: string; result: 'written' | 'failed' }): void;
}

interface RequestAudit {
  subjects: AuditSubject[];
  detail: Record<string, unknown>;
  /** A refusal answered with a page rather than a JSON error (the console's sign-in). */
  refusal?: { code: string; reason: string };
}

declare module 'fastify' {
  interface FastifyRequest {
    audit?: RequestAudit;
  }
}

/** What the route returned or acted on: recorded with the request. */
export function auditSubjects(req: FastifyRequest, subjects: readonly AuditSubject[]): void {
  req.audit?.subjects.push(...subjects);
}

/** Extra facts for the request's entry (e.g. the job a replay queued). */
export function auditDetail(req: FastifyRequest, detail: Record<string, unknown>): void {
  if (req.audit) Object.assign(req.audit.detail, detail);
}

/** The code and message of a refusal the route answered with a page (not a JSON error). */
export function auditRefusal(req: FastifyRequest, e: { code: string; message: string }): void {
  if (req.audit) req.audit.refusal = { code: e.code, reason: e.message };
}

const bounded = (v: unknown, max = 200): string => {
  const s = String(v);
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
};

function outcomeOf(status: number): AuditOutcome {
  return status < 400 ? 'ok' : status < 500 || status === 503 ? 'refused' : 'failed';
}

function categoryOf(req: FastifyRequest, route: string): AuditCategory {
  if (route.startsWith('/hooks/')) return 'webhook';
  return req.method === 'GET' || req.method === 'HEAD' ? 'request' : 'admin';
}

/** The JSON object of a string payload, if it is one (errors, a webhook's 202). */
function jsonOf(payload: unknown): Record<string, unknown> | null {
  if (typeof payload !== 'string' || !payload.startsWith('{')) return null;
  try {
    return JSON.parse(payload) as Record<string, unknown>;
  } catch {
    return null;
  }
}

export function entryOf(req: FastifyRequest, reply: FastifyReply, payload: unknown): AuditInput {
  const route = req.routeOptions.url ?? bounded(req.url.split('?')[0]);
  const status = reply.statusCode;
  const body = status >= 400 || route.startsWith('/hooks/') ? jsonOf(payload) : null;
  const a = req.audit ?? { subjects: [], detail: {} };
  const identity = req.identity;
  const keyed = identity && (identity.kind === 'caller' || identity.kind === 'expired') ? identity.caller : undefined;
  const params = req.params as Record<string, unknown> | undefined;
  const query = req.query as Record<string, unknown> | undefined;
  const subjects = [...a.subjects];
  // A console session that ended is refused, under whom it stood for when that is still known.
  let actor = keyed?.keyId ?? (identity?.kind === 'ended' ? identity.actor : undefined) ?? 'anonymous';
  if (route.startsWith('/hooks/')) {
    if (status < 300 && params?.connector) actor = `webhook:${bounded(params.connector, 80)}`;
    if (typeof body?.transferId === 'string') subjects.push({ type: 'transfer', id: body.transferId });
  }
  const socket = req.raw.socket as TLSSocket;
  const cert = typeof socket.getPeerCertificate === 'function' && socket.authorized ? socket.getPeerCertificate() : undefined;
  const detail: Record<string, unknown> = {
    ...(params && Object.keys(params).length ? { params: Object.fromEntries(Object.entries(params).map(([k, v]) => [k, bounded(v)])) } : {}),
    ...(query && Object.keys(query).length ? { query: Object.fromEntries(Object.entries(query).map(([k, v]) => [k, bounded(v)])) } : {}),
    ...(req.headers['user-agent'] ? { userAgent: bounded(req.headers['user-agent']) } : {}),
    ...(req.ip !== req.raw.socket.remoteAddress ? { peer: req.raw.socket.remoteAddress } : {}),
    ...(cert?.fingerprint256 ? { clientCert: cert.fingerprint256 } : {}),
    // A console session: the person the identity provider signed in (name, issuer), or the key signed in with.
    ...(keyed?.via === 'session' ? { session: keyed.user ? { issuer: bounded(keyed.user.issuer), ...(keyed.user.name ? { name: bounded(keyed.user.name, 120) } : {}) } : { key: keyed.keyId } } : {}),
    ...a.detail,
  };
  return {
    at: new Date(),
    category: categoryOf(req, route),
    action: `${req.method} ${route}`,
    actor,
    client: keyed?.client ?? null,
    role: keyed?.role ?? null,
    ori: keyed?.ori ?? null,
    subjects,
    outcome: outcomeOf(status),
    status,
    code: typeof body?.code === 'string' ? body.code : (a.refusal?.code ?? null),
    reason: status >= 400 && typeof body?.message === 'string' ? body.message : (a.refusal?.reason ?? null),
    source: req.ip,
    requestId: req.id,
    detail: Object.keys(detail).length ? detail : null,
  };
}

export const auditPlugin = fp<{ sink: AuditSink; log: Logger; counter: AuditCounter }>(
  async (app, { sink, log, counter }) => {
    app.decorateRequest('audit', undefined);
    app.addHook('onRequest', async (req, reply) => {
      req.audit = { subjects: [], detail: {} };
      reply.header('x-request-id', req.id);
    });
    app.addHook('onSend', async (req, reply, payload) => {
      // The API's documentation pages are not recorded; any other path under /docs (a 404) is.
      if (req.routeOptions.config?.audit === false || (req.routeOptions.url ?? '').startsWith('/docs')) return payload;
      const failed = await writeEntry(sink, log, counter, req, entryOf(req, reply, payload));
      if (!failed) return payload;
      // The database is what failed: the caller may try again shortly (webhook senders honour it).
      reply.code(failed.status).header('content-type', 'application/json; charset=utf-8').header('retry-after', '5');
      return JSON.stringify({ code: failed.code, message: failed.message });
    });
  },
  { name: 'cgic-audit', fastify: '5.x' },
);

/**
 * Answer a request no route took (the router refused its URL: no hook runs for it) with `error`,
 * after its audit entry is written, as the onSend hook does for every other request.
 */
export async function refuseUnrouted(sink: AuditSink, log: Logger, counter: AuditCounter, req: FastifyRequest, reply: FastifyReply, status: number, error: HubError): Promise<void> {
  const payload = JSON.stringify({ code: error.code, message: error.message });
  reply.code(status).header('content-type', 'application/json; charset=utf-8').header('x-request-id', req.id);
  const failed = await writeEntry(sink, log, counter, req, entryOf(req, reply, payload));
  if (failed) void reply.code(failed.status).header('retry-after', '5').send(JSON.stringify({ code: failed.code, message: failed.message }));
  else void reply.send(payload);
}

/** Write a request's entry, counted; the error to answer with instead when it could not be written (fail closed). */
async function writeEntry(sink: AuditSink, log: Logger, counter: AuditCounter, req: FastifyRequest, entry: AuditInput): Promise<HubError | null> {
  try {
    await sink.record(entry);
    counter.inc({ category: entry.category, result: 'written' });
    return null;
  } catch (err) {
    counter.inc({ category: entry.category, result: 'failed' });
    const e = err instanceof HubError ? err : new HubError('HUB_ERR_AUDIT_UNAVAILABLE', { reason: (err as Error).message });
    log.error({ err: e.message, request: req.id, route: req.routeOptions?.url }, 'audit entry not written: request refused');
    return e;
  }
}

/** Request ids are the hub's own (a UUID per request), sent back as X-Request-Id and kept in the entry. */
export const requestIdOf = (): string => randomUUID();
