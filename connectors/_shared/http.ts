/**
 * What the HTTP connectors (http-poll source, http destination) share: the `auth`, `tls` and
 * `headers` option schemas, the undici Agent built from them, Retry-After parsing and bounded body
 * reads.
 *
 * `auth` is one object with a `type` discriminator (not a `oneOf`), so every secret in it sits at a
 * fixed `properties` path (`auth.token`, `auth.password`) where the config checks and the log
 * redaction find it.
 */
import { Agent } from 'undici';
import type { Readable } from 'node:stream';
import type { OptionsResolved } from './schema.ts';

export const headersSchema = {
  type: 'object',
  description: 'Extra request headers (not secret: put credentials in auth, which is redacted from logs).',
  additionalProperties: { type: 'string' },
  examples: [{ 'X-Agency-ORI': 'CT0015100' }],
} as const;

export const authSchema = {
  type: 'object',
  description:
    'Credentials. bearer: "Authorization: Bearer <token>"; basic: "Authorization: Basic" from username and password; header: the header named `header` carries token (an API key).',
  additionalProperties: false,
  required: ['type'],
  properties: {
    type: {
      enum: ['bearer', 'basic', 'header'],
      description: 'How the credentials are sent.',
      examples: ['bearer'],
    },
    token: {
      type: 'string',
      minLength: 1,
      'x-secret': true,
      description: 'The bearer token (type bearer) or the API key (type header).',
      examples: ['${env:HPD_API_TOKEN}'],
    },
    username: {
      type: 'string',
      minLength: 1,
      description: 'User name (type basic).',
      examples: ['cgic-hub'],
    },
    password: {
      type: 'string',
      'x-secret': true,
      description: 'Password (type basic).',
      examples: ['${file:/run/secrets/hpd_password}'],
    },
    header: {
      type: 'string',
      pattern: "^[!#$%&'*+.^_`|~0-9A-Za-z-]+$",
      description: 'Name of the header that carries the token (type header).',
      examples: ['X-API-Key'],
    },
  },
  allOf: [
    { if: { properties: { type: { const: 'bearer' } } }, then: { required: ['token'], properties: { token: true } } },
    {
      if: { properties: { type: { const: 'basic' } } },
      then: { required: ['username', 'password'], properties: { username: true, password: true } },
    },
    {
      if: { properties: { type: { const: 'header' } } },
      then: { required: ['header', 'token'], properties: { header: true, token: true } },
    },
  ],
  examples: [{ type: 'bearer', token: '${env:HPD_API_TOKEN}' }],
} as const;

export const tlsSchema = {
  type: 'object',
  description: 'TLS settings: a private CA to trust, and a client certificate for mutual TLS.',
  additionalProperties: false,
  properties: {
    ca: {
      type: 'string',
      description: 'PEM certificate(s) of the CA that signed the server certificate, when it is not a public CA.',
      examples: ['${file:/etc/cgic/tls/agency-ca.pem}'],
    },
    cert: {
      type: 'string',
      description: 'PEM client certificate (chain) presented for mutual TLS.',
      examples: ['${file:/etc/cgic/tls/hub-client.pem}'],
    },
    key: {
      type: 'string',
      'x-secret': true,
      description: 'PEM private key of the client certificate.',
      examples: ['${file:/run/secrets/hub-client.key}'],
    },
    passphrase: {
      type: 'string',
      'x-secret': true,
      description: 'Passphrase of the private key, if it is encrypted.',
      examples: ['${env:HUB_CLIENT_KEY_PASSPHRASE}'],
    },
    rejectUnauthorized: {
      type: 'boolean',
      default: true,
      description: 'Verify the server certificate. Turn off only to diagnose; never in production.',
      examples: [true],
    },
    servername: {
      type: 'string',
      description: 'Name to verify the server certificate against (SNI), when it differs from the URL host.',
      examples: ['api.agency.example.gov'],
    },
  },
  examples: [{ ca: '${file:/etc/cgic/tls/ca.pem}', cert: '${file:/etc/cgic/tls/client.pem}', key: '${file:/run/secrets/client.key}' }],
} as const;

export type AuthOptions = OptionsResolved<typeof authSchema>;
export type TlsOptions = OptionsResolved<typeof tlsSchema>;

export function authHeaders(auth: AuthOptions | undefined): Record<string, string> {
  if (!auth) return {};
  switch (auth.type) {
    case 'bearer':
      return { authorization: `Bearer ${auth.token ?? ''}` };
    case 'basic':
      return { authorization: `Basic ${Buffer.from(`${auth.username ?? ''}:${auth.password ?? ''}`).toString('base64')}` };
    case 'header':
      return auth.header ? { [auth.header.toLowerCase()]: auth.token ?? '' } : {};
  }
}

/** One keep-alive pool per connector instance, with its TLS settings and timeouts. */
export function buildAgent(tls: TlsOptions | undefined, timeoutMs: number): Agent {
  const connect: Record<string, unknown> = { timeout: timeoutMs };
  if (tls) {
    for (const k of ['ca', 'cert', 'key', 'passphrase', 'servername'] as const) if (tls[k] !== undefined) connect[k] = tls[k];
    connect.rejectUnauthorized = tls.rejectUnauthorized;
  }
  return new Agent({ connect, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
}

/** Retry-After as milliseconds to wait: delay-seconds or an HTTP-date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const v = (Array.isArray(value) ? value[0] : value)?.trim();
  if (!v) return undefined;
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

/** Read at most `max` bytes of a response body; the rest is discarded. `onChunk` sees each piece kept, as it arrives. */
export async function readLimited(
  body: Readable & AsyncIterable<unknown>,
  max: number,
  onChunk?: (chunk: Buffer) => void,
): Promise<{ buf: Buffer; truncated: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of body) {
    const b = Buffer.isBuffer(c) ? c : Buffer.from(c as Uint8Array);
    if (size + b.length > max) {
      chunks.push(b.subarray(0, max - size));
      body.destroy();
      return { buf: Buffer.concat(chunks), truncated: true };
    }
    onChunk?.(b);
    chunks.push(b);
    size += b.length;
  }
  return { buf: Buffer.concat(chunks), truncated: false };
}

/** The URL for messages and logs: no user info, no query (it may carry tokens). */
export function displayUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return '(invalid URL)';
  }
}

/** A short, single-line excerpt of a response body for messages. */
export function excerpt(buf: Buffer, max = 200): string {
  const s = buf.toString('utf8', 0, Math.min(buf.length, max * 4)).replace(/\s+/g, ' ').trim();
  return s.length > max ? `${s.slice(0, max)}…` : s || '(empty body)';
}

/** Why a request failed below HTTP (refused, reset, timeout, TLS), in one line. */
export function networkReason(err: unknown): string {
  const e = err as { name?: string; code?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return 'timed out';
  const code = e?.code ?? e?.cause?.code;
  const msg = e?.cause?.message ?? e?.message ?? String(err);
  return code && !msg.includes(code) ? `${code}: ${msg}` : msg;
}
