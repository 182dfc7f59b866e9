/**
 * A real local HTTP(S) server standing in for an agency endpoint or a polled API: listens on
 * 127.0.0.1 on a free port, records every request (method, URL, headers, body bytes) and answers with
 * the test's handler.
 */
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type ServerOptions as HttpsOptions } from 'node:https';
import type { TLSSocket } from 'node:tls';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
  /** Subject CN of the client certificate (mutual TLS), when one was presented. */
  clientCertCN?: string;
}

export type Handler = (req: RecordedRequest, res: ServerResponse) => unknown;

export interface HttpPeer {
  readonly url: string;
  readonly port: number;
  readonly requests: RecordedRequest[];
  handler: Handler;
  close(): Promise<void>;
}

export async function startHttpPeer(handler: Handler, tls?: HttpsOptions): Promise<HttpPeer> {
  const requests: RecordedRequest[] = [];
  const peer = { handler } as { handler: Handler };
  const listener = (req: IncomingMessage, res: ServerResponse): void => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const socket = req.socket as TLSSocket;
      const cert = typeof socket.getPeerCertificate === 'function' ? socket.getPeerCertificate() : undefined;
      const cn = cert?.subject?.CN;
      const rec: RecordedRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks),
        ...(typeof cn === 'string' ? { clientCertCN: cn } : {}),
      };
      requests.push(rec);
      Promise.resolve(peer.handler(rec, res)).catch((err: Error) => {
        res.statusCode = 500;
        res.end(`test handler failed: ${err.message}`);
      });
    });
  };
  const server = tls ? createHttpsServer(tls, listener) : createHttpServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return Object.assign(peer, {
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    port,
    requests,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  });
}

/** A port nothing listens on (bound, then released). */
export async function deadPort(): Promise<number> {
  const server = createHttpServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
