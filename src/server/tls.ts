/**
 * HTTPS for the API: the certificate, key and client CA files of `hub.api.tls`, TLS 1.2 or newer, and
 * the client-certificate mode (`none`: not asked; `agency`: asked, and agency keys are refused without
 * a valid one, in access-plugin.ts; `all`: the handshake fails without one).
 *
 * The files are checked every `reloadSeconds`; when one changed, the set is read again and installed
 * with `server.setSecureContext` for new connections. A set that does not load (a key written before
 * its certificate) is logged and retried at the next change; the one in force stays.
 */
import { readFileSync, unwatchFile, watchFile, type Stats } from 'node:fs';
import type { SecureContextOptions } from 'node:tls';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { TlsConfig } from '../config/hub-config.ts';
import { HubError } from '../errors/hub-error.ts';

function read(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new HubError('HUB_ERR_SERVER_TLS', { file, reason: (err as Error).message }, undefined, { cause: err });
  }
}

/** The certificate, key and CA as a secure context. */
export function secureContextOf(tls: TlsConfig): SecureContextOptions {
  return { cert: read(tls.cert), key: read(tls.key), ...(tls.clientCa ? { ca: read(tls.clientCa) } : {}) };
}

/** Options for fastify's `https`. */
export function httpsOptions(tls: TlsConfig) {
  return {
    ...secureContextOf(tls),
    minVersion: tls.minVersion,
    requestCert: tls.requireClientCert !== 'none',
    rejectUnauthorized: tls.requireClientCert === 'all',
  };
}

/** Reload the files when they change, until the server closes. */
export function watchTls(app: FastifyInstance, tls: TlsConfig, log: Logger): void {
  const files = [tls.cert, tls.key, ...(tls.clientCa ? [tls.clientCa] : [])];
  const onChange = (cur: Stats, prev: Stats): void => {
    if (cur.mtimeMs === prev.mtimeMs && cur.size === prev.size && cur.ino === prev.ino) return;
    try {
      (app.server as unknown as { setSecureContext(o: SecureContextOptions): void }).setSecureContext(secureContextOf(tls));
      log.info({ cert: tls.cert }, 'TLS certificate reloaded');
    } catch (err) {
      log.warn({ cert: tls.cert, err: (err as Error).message }, 'TLS files changed but do not load; the previous certificate stays in use');
    }
  };
  for (const f of files) watchFile(f, { interval: tls.reloadSeconds * 1000, persistent: false }, onChange);
  app.addHook('onClose', async () => {
    for (const f of files) unwatchFile(f, onChange);
  });
}
