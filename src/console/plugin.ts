/**
 * The console at /console: static pages written by hand (public/: HTML, CSS and ES modules, no build
 * step), preact and htm served from node_modules under /console/vendor/ (no CDN: it works offline
 * right after npm install), sign-in and sign-out (server/session-routes.ts, server/oidc.ts), and Bull
 * Board at /console/queues for administrators signed in.
 *
 * The pages hold no data: every screen reads the documented HTTP API with the signed-in caller's
 * credentials, so each read is on the audit trail under that caller. The static files themselves are
 * not audited (they are the same for everyone and carry no data).
 */
import { createReadStream, readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { HubApi } from '../server/hub-api.ts';
import { HubError } from '../errors/hub-error.ts';
import { auditSubjects } from '../server/audit-plugin.ts';
import type { AuditSubject } from '../store/index.ts';
import { sessionIdentity, type Sessions } from '../server/session.ts';
import { sessionRoutes } from '../server/session-routes.ts';

export const CONSOLE_PATH = '/console';
export const QUEUES_PATH = '/console/queues';
const PUBLIC_DIR = fileURLToPath(new URL('./public/', import.meta.url));
const require = createRequire(import.meta.url);

/** The modules the pages import by bare name (the import map in index.html points here). */
const VENDOR: Record<string, string> = {
  'preact.mjs': require.resolve('preact'),
  'preact-hooks.mjs': require.resolve('preact/hooks'),
  'htm.mjs': path.join(path.dirname(require.resolve('htm')), 'htm.mjs'),
};

/** index.html with its inline import map allowed by hash in the Content-Security-Policy. */
function indexPage(): { html: string; csp: string } {
  const html = readFileSync(path.join(PUBLIC_DIR, 'index.html'), 'utf8');
  const map = /<script type="importmap">([\s\S]*?)<\/script>/.exec(html)?.[1] ?? '';
  const hash = createHash('sha256').update(map).digest('base64');
  const csp = [
    "default-src 'self'",
    `script-src 'self' 'sha256-${hash}'`,
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "form-action 'self'",
  ].join('; ');
  return { html, csp };
}

export const consolePlugin: FastifyPluginAsync<{ hub: HubApi; sessions: Sessions }> = async (app, { hub, sessions }) => {
  await app.register(async (auth) => sessionRoutes(auth, { cfg: hub.cfg, agencies: () => hub.cfg.agencies, keys: hub.keys, sessions, log: hub.log }));

  await app.register(async (pages) => {
    pages.addHook('onRoute', (route) => {
      route.config = { ...(route.config ?? {}), audit: false };
    });
    const { html, csp } = indexPage();
    const sendIndex = async (_req: FastifyRequest, reply: import('fastify').FastifyReply) =>
      reply.type('text/html; charset=utf-8').header('content-security-policy', csp).header('x-content-type-options', 'nosniff').header('referrer-policy', 'no-referrer').header('cache-control', 'no-cache').send(html);
    pages.get(CONSOLE_PATH, { schema: { hide: true } }, sendIndex);
    pages.get(`${CONSOLE_PATH}/`, { schema: { hide: true } }, sendIndex);
    for (const [name, file] of Object.entries(VENDOR)) {
      pages.get(`${CONSOLE_PATH}/vendor/${name}`, { schema: { hide: true } }, async (_req, reply) =>
        reply.type('text/javascript; charset=utf-8').header('cache-control', 'public, max-age=3600').header('x-content-type-options', 'nosniff').send(createReadStream(file)),
      );
    }
    // Scripts and the stylesheet are taken only as the type they are served with.
    await pages.register(fastifyStatic, {
      root: PUBLIC_DIR, prefix: `${CONSOLE_PATH}/`, index: false, wildcard: true, decorateReply: false, schemaHide: true, cacheControl: true, maxAge: 0, allowedPath: (p) => p !== '/index.html',
      setHeaders: (reply) => void reply.header('x-content-type-options', 'nosniff'),
    });
  });

  await app.register(bullBoard, { hub, sessions });
};

/**
 * Bull Board for administrators signed in to the console (their session cookie; its pages send no
 * Authorization header); each of its requests audited under that person or key. Its own pages change
 * things (retry, remove jobs) without our CSRF token, so a change must come from this hub's own pages:
 * Origin (or Sec-Fetch-Site) same-origin, on top of the SameSite cookie.
 */
async function bullBoard(app: FastifyInstance, { hub, sessions }: { hub: HubApi; sessions: Sessions }): Promise<void> {
  const { createBullBoard } = await import('@bull-board/api');
  const { BullMQAdapter } = await import('@bull-board/api/bullMQAdapter');
  const { FastifyAdapter } = await import('@bull-board/fastify');
  const adapter = new FastifyAdapter();
  createBullBoard({ queues: hub.allQueues().map((q) => new BullMQAdapter(q)), serverAdapter: adapter, options: { uiConfig: { boardTitle: `${hub.cfg.hub.name} queues` } } });
  adapter.setBasePath(QUEUES_PATH);
  // Its pages and answers name transfers, files and deliveries: no cache keeps them, none is read as
  // another type, and no other site frames its buttons (retry, remove). Its own scripts and styles
  // (static/) may be cached.
  app.addHook('onSend', async (req, reply, payload) => {
    if (!req.url.startsWith(`${QUEUES_PATH}/static/`)) void reply.header('cache-control', 'no-store');
    void reply.header('x-content-type-options', 'nosniff').header('content-security-policy', BULL_BOARD_CSP);
    return payload;
  });
  app.addHook('onRequest', async (req, reply) => {
    // Answered here: Bull Board's own error handler would hide the code.
    const refuse = (e: HubError) => reply.code(e.status).send({ code: e.code, message: e.message });
    const id = await sessionIdentity(req, sessions, hub.keys);
    if (!id) return refuse(new HubError('HUB_ERR_AUTH_REQUIRED', { reason: `Bull Board is for administrators signed in to the console: sign in at ${CONSOLE_PATH}, then open Queues` }));
    if (id.kind === 'ended') return refuse(new HubError('HUB_ERR_AUTH_SESSION_ENDED', { reason: id.reason }));
    req.identity = id;
    req.caller = id.caller;
    if (id.caller.role !== 'admin') return refuse(new HubError('HUB_ERR_AUTH_FORBIDDEN', { reason: `Bull Board is for administrators; role ${id.caller.role} may not open it` }));
    if (!['GET', 'HEAD', 'OPTIONS'].includes(req.method) && !sameOrigin(req)) {
      return refuse(new HubError('HUB_ERR_AUTH_CSRF', { reason: `${req.method} to Bull Board must come from the hub's own pages (Origin ${String(req.headers.origin ?? 'absent').slice(0, 100)})` }));
    }
  });
  // What each request showed or acted on, for its audit entry (written in onSend): the job of an action
  // (retry, remove, promote) from its path, the jobs of a page from the answer.
  app.addHook('preHandler', async (req) => {
    const p = req.params as { queueName?: string; jobId?: string } | undefined;
    if (p?.queueName && p.jobId) auditSubjects(req, [jobSubject(p.queueName, p.jobId)]);
  });
  app.addHook('preSerialization', async (req, _reply, payload) => {
    const queues = (payload as { queues?: { name?: unknown; jobs?: { id?: unknown }[] }[] } | null)?.queues;
    if (Array.isArray(queues)) {
      auditSubjects(req, queues.flatMap((q) => (Array.isArray(q.jobs) ? q.jobs.filter((j) => j.id !== undefined).map((j) => jobSubject(String(q.name), String(j.id))) : [])));
    }
    return payload;
  });
  await app.register(adapter.registerPlugin() as unknown as FastifyPluginAsync, { prefix: QUEUES_PATH });
}

/**
 * Bull Board's pages run its own scripts only (served from static/; its settings are a JSON script, not
 * run), and its styles (with inline ones: React sets them), from this hub: no other site's fonts, no
 * inline script, no framing.
 */
const BULL_BOARD_CSP = ["default-src 'self'", "script-src 'self'", "style-src 'self' 'unsafe-inline'", "img-src 'self' data:", "font-src 'self' data:", "connect-src 'self'", "frame-ancestors 'none'", "base-uri 'self'", "form-action 'self'", "object-src 'none'"].join('; ');

/** A queue job as an audit subject: a transfer's job is the transfer, a delivery's the delivery. */
function jobSubject(queue: string, jobId: string): AuditSubject {
  if (queue === 'transfers') return { type: 'transfer', id: jobId };
  if (queue.startsWith('deliver.')) return { type: 'delivery', id: jobId };
  return { type: 'job', id: `${queue}:${jobId}` };
}

/** The request says it comes from a page of this same host (Origin, else Sec-Fetch-Site). */
function sameOrigin(req: FastifyRequest): boolean {
  const origin = req.headers.origin;
  if (typeof origin === 'string' && origin !== 'null') return URL.canParse(origin) && new URL(origin).host === req.host;
  return req.headers['sec-fetch-site'] === 'same-origin';
}
