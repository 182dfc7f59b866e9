/**
 * The console at /console: static pages written by hand (public/: HTML, CSS and ES modules, no build
 * step), preact and htm served from node_modules under /console/vendor/ (no CDN: it works offline
 * right after npm install), and Bull Board at /console/queues for administrators.
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
import { access } from '../server/auth.ts';
import { security, errorSchema } from '../server/schemas.ts';
import { HubError } from '../errors/hub-error.ts';
import { QueuesPass, QUEUES_PATH, PASS_COOKIE, PASS_TTL_SECONDS, cookieValue } from './queues-pass.ts';

export const CONSOLE_PATH = '/console';
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

export const consolePlugin: FastifyPluginAsync<{ hub: HubApi }> = async (app, { hub }) => {
  const pass = new QueuesPass(hub.keys);
  const secure = Boolean(hub.cfg.hub.api.tls);

  // The pass for Bull Board: an /api route like any other (key, role, audit).
  app.post(
    '/api/console/queues-pass',
    {
      ...access('admin'),
      schema: {
        summary: `For the console: a cookie that opens Bull Board (${QUEUES_PATH}) in this browser for ${PASS_TTL_SECONDS / 3600} h, while the administrator's key stays valid.`,
        tags: ['console'],
        security,
        response: { 204: { type: 'null', description: `Set-Cookie: ${PASS_COOKIE} (HttpOnly, SameSite=Strict, Path=${QUEUES_PATH}).` }, 401: errorSchema, 403: errorSchema },
      },
    },
    async (req, reply) => {
      const cookie = [`${PASS_COOKIE}=${pass.issue(req.caller!)}`, `Path=${QUEUES_PATH}`, `Max-Age=${PASS_TTL_SECONDS}`, 'HttpOnly', 'SameSite=Strict', ...(secure ? ['Secure'] : [])].join('; ');
      return reply.code(204).header('set-cookie', cookie).send();
    },
  );

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
        reply.type('text/javascript; charset=utf-8').header('cache-control', 'public, max-age=3600').send(createReadStream(file)),
      );
    }
    await pages.register(fastifyStatic, { root: PUBLIC_DIR, prefix: `${CONSOLE_PATH}/`, index: false, wildcard: true, decorateReply: false, schemaHide: true, cacheControl: true, maxAge: 0, allowedPath: (p) => p !== '/index.html' });
  });

  await app.register(bullBoard, { hub, pass });
};

/** Bull Board for administrators with a queues pass; each of its requests audited under that key. */
async function bullBoard(app: FastifyInstance, { hub, pass }: { hub: HubApi; pass: QueuesPass }): Promise<void> {
  const { createBullBoard } = await import('@bull-board/api');
  const { BullMQAdapter } = await import('@bull-board/api/bullMQAdapter');
  const { FastifyAdapter } = await import('@bull-board/fastify');
  const adapter = new FastifyAdapter();
  createBullBoard({ queues: hub.allQueues().map((q) => new BullMQAdapter(q)), serverAdapter: adapter, options: { uiConfig: { boardTitle: `${hub.cfg.hub.name} queues` } } });
  adapter.setBasePath(QUEUES_PATH);
  app.addHook('onRequest', async (req, reply) => {
    const caller = pass.check(cookieValue(req.headers.cookie, PASS_COOKIE));
    if (!caller) {
      // Answered here: Bull Board's own error handler would hide the code.
      const e = new HubError('HUB_ERR_AUTH_REQUIRED', { reason: `Bull Board is for administrators: open it from the console (${CONSOLE_PATH}, Queues) signed in with an admin key` });
      return reply.code(e.status).send({ code: e.code, message: e.message });
    }
    req.identity = { kind: 'caller', caller };
    req.caller = caller;
  });
  await app.register(adapter.registerPlugin() as unknown as FastifyPluginAsync, { prefix: QUEUES_PATH });
}
